/*
 * fuzz_config.c -- libFuzzer target for the dance.conf(5) parser
 * (lib/config.c) fed from memory with dance_config_parse_buffer().
 *
 * Besides memory errors it checks the error contract: a refused buffer
 * leaves an error text that starts with the file name and a line number,
 * and every keyword reads back without crashing. The resolver is never
 * set up (no freeze): nothing is sent.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static const char *const keywords[] = {
        "resolver",
        "forward",
        "dns-over-tls",
        "tls-ca-bundle",
        "trust-anchor-file",
        "allow-domain",
        "lookup-timeout",
        "max-in-flight",
        "max-ttl",
        "user-label",
        "ssh-authorized-dir",
        "log-level",
        "unbound-config",
        "domain-user-label",
        "ssh-ca-domain",
        "clientid-codepoint",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dance_ctx *ctx = NULL;
	char err[512];
	int r;

	if (size > 65536 || dance_ctx_new(&ctx) != DANCE_OK)
		return 0;
	r = dance_config_parse_buffer(ctx, "fuzz.conf", (const char *)data,
	                              size, err, sizeof err);
	if (r == DANCE_ERR_CONFIG)
		CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
	else
		CHECK(r == DANCE_OK || r == DANCE_ERR_NOMEM);
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
		for (size_t i = 0; dance_ctx_get(ctx, keywords[k], i); i++)
			CHECK(strlen(dance_ctx_get(ctx, keywords[k], i)) <
			      8192);
	(void)dance_domain_allowed(ctx, "_user.example.org");
	(void)dance_ctx_user_label(ctx, "example.org");
	dance_ctx_free(ctx);
	return 0;
}
