/*
 * fuzz_identity.c -- libFuzzer target for identity extraction
 * (lib/identity.c): arbitrary DER -> d2i_X509 -> dance_identity_from_cert()
 * without and with a ClientName, then the whole offline _user check
 * (leaf checks, identity, answer class) against an empty secure RRset.
 *
 * Besides memory errors it checks what callers rely on: a found identity
 * has a normalised uid (1..DANCE_UID_MAX octets, no '@'), a lowercase LDH
 * domain in A-labels and a U-label form; a refusal carries a reason and no
 * strings; and an empty RRset never authenticates.
 */
#include "internal.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static void check_identity(const X509 *x, const char *clientname, char **dom)
{
	struct dance_identity id;

	CHECK(dance_identity_from_cert(x, clientname, &id) == DANCE_OK);
	if (id.verdict != DANCE_AUTHENTICATED) {
		CHECK(id.uid == NULL && id.domain == NULL &&
		      id.domain_ascii == NULL);
		CHECK(id.reason[0] != '\0');
		return;
	}
	CHECK(id.uid != NULL && id.domain != NULL && id.domain_ascii != NULL);
	CHECK(strlen(id.uid) > 0 && strlen(id.uid) <= DANCE_UID_MAX);
	CHECK(strchr(id.uid, '@') == NULL);
	CHECK(strlen(id.domain_ascii) > 0 && strlen(id.domain_ascii) <= 253);
	for (const char *p = id.domain_ascii; *p; p++)
		CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.');
	if (dom != NULL && *dom == NULL)
		*dom = strdup(id.domain_ascii);
	dance_identity_clear(&id);
}

static void check_offline(X509 *x)
{
	struct dance_tlsa_rrset rr = {.dns_class = DANCE_DNS_SECURE,
	                              .reason = (char *)(uintptr_t) "fuzz"};
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct dance_result *res = NULL;

	if (sk == NULL || !sk_X509_push(sk, x)) {
		sk_X509_free(sk);
		return;
	}
	if (dance_verify_chain_offline(NULL, sk, NULL, &rr, &res) == DANCE_OK) {
		CHECK(res != NULL && res->reason != NULL);
		CHECK(res->verdict != DANCE_AUTHENTICATED);
		CHECK(res->identity == NULL);
	}
	dance_result_free(res);
	sk_X509_free(sk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	char *dom = NULL, cn[300];
	X509 *x;

	if (size > (size_t)64 * 1024)
		return 0;
	x = d2i_X509(NULL, &p, (long)size);
	if (x == NULL) {
		ERR_clear_error();
		return 0;
	}
	check_identity(x, NULL, &dom);
	check_identity(x, "_user.a.test", NULL);
	if (dom != NULL) {
		dance_fmt(cn, sizeof cn, "_USER.%s", dom);
		check_identity(x, cn, NULL);
	}
	check_offline(x);
	free(dom);
	X509_free(x);
	ERR_clear_error();
	return 0;
}
