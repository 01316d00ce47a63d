/*
 * unit_err.c -- every error code, DNS class, TLSA problem and verdict has a
 * text, and none of them is a placeholder.
 */
#include "dance/dance.h"

#include <criterion/criterion.h>
#include <string.h>

Test(err, every_code_has_text)
{
	/* Walk from DANCE_OK down until the first code without a text; the
	 * known last code must be reached, and nothing past it has text. */
	static const int last = DANCE_ERR_UNSUPPORTED;
	for (int e = 0; e >= last; e--) {
		const char *s = dance_strerror(e);
		cr_assert_not_null(s);
		cr_assert(strlen(s) > 3, "code %d: short text '%s'", e, s);
		cr_assert_null(strstr(s, "unknown"), "code %d: '%s'", e, s);
		cr_assert_null(strstr(s, "unrecognised"), "code %d: '%s'", e,
		               s);
	}
	cr_assert_str_eq(dance_strerror(last - 1), "unrecognised error code");
	cr_assert_str_eq(dance_strerror(1), "unrecognised error code");
}

Test(err, temporary_codes)
{
	cr_assert(dance_err_is_temporary(DANCE_ERR_DNS_TIMEOUT));
	cr_assert(dance_err_is_temporary(DANCE_ERR_DNS_TEMPFAIL));
	cr_assert(dance_err_is_temporary(DANCE_ERR_BUSY));
	cr_assert_not(dance_err_is_temporary(DANCE_OK));
	cr_assert_not(dance_err_is_temporary(DANCE_ERR_NOT_ALLOWED));
	cr_assert_not(dance_err_is_temporary(DANCE_ERR_CONFIG));
}

Test(err, class_names)
{
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_SECURE), "secure");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_SECURE_NONE),
	                 "secure-none");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_BOGUS), "bogus");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_INDETERMINATE),
	                 "indeterminate");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_INSECURE), "insecure");
	cr_assert_str_eq(dance_dns_class_name((enum dance_dns_class)99), "?");
}

Test(err, verdict_names_distinct)
{
	for (int a = DANCE_AUTHENTICATED; a <= DANCE_REFUSED_TEMPFAIL; a++) {
		const char *na = dance_verdict_name((enum dance_verdict)a);
		cr_assert_str_neq(na, "?", "verdict %d has no name", a);
		for (int b = a + 1; b <= DANCE_REFUSED_TEMPFAIL; b++)
			cr_assert_str_neq(
			        na, dance_verdict_name((enum dance_verdict)b));
	}
	cr_assert_str_eq(dance_verdict_name((enum dance_verdict)99), "?");
}

Test(err, problem_texts)
{
	for (int p = DANCE_TLSA_USABLE; p <= DANCE_TLSA_NOT_FOR_USERS; p++)
		cr_assert_str_neq(
		        dance_tlsa_problem_text((enum dance_tlsa_problem)p),
		        "?");
}
