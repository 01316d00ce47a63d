/*
 * fuzz_authfile.c -- libFuzzer target for the sshd helper's authorization
 * file parser (sshd/authfile.c, sshd/authopts.c): the input is a whole
 * file.
 *
 * Besides memory errors it checks what dance-authorized-keys relies on:
 * every accepted entry has an identity free of control characters; a
 * uid@domain entry has a normalised uid and an A-label domain; an owner
 * entry is never a domain's CA name; options, when present, pass the
 * option check again on their own and never contain cert-authority or
 * principals=, which the helper alone may write.
 *
 * Needs the helper's library: link with dance_akc (or sshd/authfile.c,
 * sshd/authopts.c) and libdance.
 */
#include "akc.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static void check_text(const char *s)
{
	CHECK(s != NULL);
	for (; *s; s++)
		CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

/* Every option name (outside quoted values) of opts: none may be one the
 * helper writes itself. */
static void check_names(const char *opts)
{
	const char *p = opts;
	int quoted = 0;

	for (;;) {
		size_t n = strcspn(p, ",=");
		CHECK(!(n == 14 && strncasecmp(p, "cert-authority", 14) == 0));
		CHECK(!(n == 10 && strncasecmp(p, "principals", 10) == 0));
		for (p += n; *p && (quoted || *p != ','); p++) {
			if (*p == '\\' && p[1] == '"')
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (*p == '\0')
			break;
		p++;
	}
	CHECK(!quoted);
}

static void check_entry(const struct akc_entry *e)
{
	char why[256];

	check_text(e->identity);
	if (e->kind == AKC_IDENT_USER) {
		CHECK(e->uid != NULL && e->domain != NULL);
		CHECK(strchr(e->uid, '@') == NULL);
		CHECK(strchr(e->identity, '@') != NULL);
		CHECK(e->owner == NULL);
	} else {
		CHECK(e->kind == AKC_IDENT_OWNER);
		CHECK(e->owner != NULL);
		CHECK(strncmp(e->owner, "_user.", 6) != 0);
		CHECK(e->identity[strlen(e->identity) - 1] == '.');
	}
	if (e->options != NULL) {
		check_text(e->options);
		CHECK(akc_options_check(e->options, strlen(e->options), why,
		                        sizeof why) == DANCE_OK);
		check_names(e->options);
	}
}

static void skip(void *arg, unsigned lineno, const char *why)
{
	(void)arg;
	CHECK(lineno > 0);
	CHECK(why != NULL && why[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct akc_file f;

	if (akc_authfile_parse((const char *)data, size, &f, skip, NULL) !=
	    DANCE_OK)
		return 0;
	CHECK(f.n <= AKC_ENTRIES_MAX);
	for (size_t i = 0; i < f.n; i++)
		check_entry(&f.entries[i]);
	akc_authfile_clear(&f);
	return 0;
}
