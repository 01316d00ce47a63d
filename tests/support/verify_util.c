/*
 * verify_util.c -- helpers of the verification tests; see verify_util.h.
 */
#include "verify_util.h"

#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *vu_fixdir(void)
{
	const char *d = getenv("DANCE_FIXTURE_DIR");
	return d != NULL && d[0] != '\0' ? d : DANCE_FIXTURE_DIR;
}

char *vu_slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	cr_assert_not_null(f, "fixture missing: %s (run make-fixtures.sh)",
	                   path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)len;
	return buf;
}

STACK_OF(X509) * vu_chain(const char *file)
{
	char path[1024];
	BIO *bio;
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;

	snprintf(path, sizeof path, "%s/pki/%s", vu_fixdir(), file);
	bio = BIO_new_file(path, "r");
	cr_assert_not_null(bio, "fixture missing: %s", path);
	cr_assert_not_null(sk);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		cr_assert(sk_X509_push(sk, x) > 0);
	BIO_free(bio);
	ERR_clear_error();
	cr_assert(sk_X509_num(sk) > 0, "no certificate in %s", path);
	return sk;
}

struct dance_tlsa_rrset *vu_rrset(const char *tag)
{
	char path[1024], err[256] = "", *text, *owner = NULL, *nl;
	struct dance_tlsa_rrset *rr = NULL;
	struct dance_tlsa t;

	snprintf(path, sizeof path, "%s/verify/%s.tlsa", vu_fixdir(), tag);
	text = vu_slurp(path, NULL);
	nl = strchr(text, '\n');
	if (nl != NULL)
		*nl = '\0';
	cr_assert_eq(dance_tlsa_parse_text(text, &t, &owner), DANCE_OK,
	             "%s: first line", path);
	dance_tlsa_clear(&t);
	if (nl != NULL)
		*nl = '\n';
	cr_assert_eq(dance_tlsa_rrset_from_text(owner, text, 300, &rr, err,
	                                        sizeof err),
	             DANCE_OK, "%s: %s", path, err);
	free(owner);
	free(text);
	return rr;
}

struct dance_tlsa_rrset *vu_empty_rrset(enum dance_dns_class c)
{
	struct dance_tlsa_rrset *rr = calloc(1, sizeof *rr);

	cr_assert_not_null(rr);
	rr->dns_class = c;
	rr->reason = strdup("made by the test");
	cr_assert_not_null(rr->reason);
	return rr;
}

void vu_check(const char *name, int r, const struct dance_result *res,
              enum dance_verdict verdict, const char *identity, int depth,
              const char *reason_has)
{
	if (getenv("DANCE_TEST_SHOW") != NULL && res != NULL)
		fprintf(stderr, "%-52s %-18s %s | %s\n", name,
		        dance_verdict_name(res->verdict),
		        res->identity ? res->identity : "-", res->reason);
	if (verdict == DANCE_REFUSED_TEMPFAIL)
		cr_assert(dance_err_is_temporary(r), "%s: returned %d (%s)",
		          name, r, dance_strerror(r));
	else
		cr_assert_eq(r, DANCE_OK, "%s: returned %d (%s)", name, r,
		             dance_strerror(r));
	cr_assert_not_null(res, "%s: no result", name);
	cr_assert_not_null(res->reason, "%s: no reason", name);
	cr_expect_eq(res->verdict, verdict, "%s: verdict %s, expected %s (%s)",
	             name, dance_verdict_name(res->verdict),
	             dance_verdict_name(verdict), res->reason);
	if (verdict == DANCE_AUTHENTICATED) {
		cr_expect_not_null(res->identity, "%s: no identity", name);
		if (res->identity != NULL && identity != NULL)
			cr_expect_str_eq(res->identity, identity, "%s", name);
		cr_expect_eq(res->has_match, 1, "%s", name);
		cr_expect(res->ttl > 0 && res->ttl <= 300, "%s: ttl %u", name,
		          res->ttl);
		if (depth != -2)
			cr_expect_eq(res->match_depth, depth,
			             "%s: depth %d, expected %d", name,
			             res->match_depth, depth);
	} else {
		cr_expect_null(res->identity, "%s: identity on a refusal",
		               name);
		cr_expect_eq(res->match_depth, -1, "%s", name);
		cr_expect_eq(res->has_match, 0, "%s", name);
	}
	if (reason_has != NULL)
		cr_expect(strstr(res->reason, reason_has) != NULL,
		          "%s: reason '%s' lacks '%s'", name, res->reason,
		          reason_has);
}
