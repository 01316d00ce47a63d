/*
 * unit_name.c -- domain normalisation, uid normalisation and the owner
 * names of users' records (plain and hashed labels).
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>

struct name_case {
	const char *in;
	int err;
	const char *out;
};

Test(name, domains)
{
	static const struct name_case cases[] = {
	        {"example.org", DANCE_OK, "example.org"},
	        {"Example.ORG.", DANCE_OK, "example.org"},
	        {"b\xc3\xbc"
	         "cher.test",
	         DANCE_OK, "xn--bcher-kva.test"},
	        {"xn--bcher-kva.test", DANCE_OK, "xn--bcher-kva.test"},
	        {"", DANCE_ERR_BAD_NAME, NULL},
	        {".", DANCE_ERR_BAD_NAME, NULL},
	        {"a..b", DANCE_ERR_BAD_NAME, NULL},
	        {"-a.b", DANCE_ERR_BAD_NAME, NULL},
	        {"a-.b", DANCE_ERR_BAD_NAME, NULL},
	        {"*.example.org", DANCE_ERR_BAD_NAME, NULL},
	        {"_user.example.org", DANCE_ERR_BAD_NAME, NULL},
	        {"a b.org", DANCE_ERR_BAD_NAME, NULL},
	        {"\xff\xfe.org", DANCE_ERR_BAD_NAME, NULL},
	        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "aaa.org",
	         DANCE_ERR_BAD_NAME, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL;
		int r = dance_domain_to_ascii(cases[i].in, &out);
		cr_expect_eq(r, cases[i].err, "case %zu '%s': %d", i,
		             cases[i].in, r);
		if (cases[i].out != NULL && out != NULL)
			cr_expect_str_eq(out, cases[i].out);
		if (cases[i].out == NULL)
			cr_expect_null(out);
		free(out);
	}
}

Test(name, uids)
{
	static const struct name_case cases[] = {
	        {"alice", DANCE_OK, "alice"},
	        {"ALICE", DANCE_OK, "alice"},
	        {"\xc3\x89lodie", DANCE_OK, "\xc3\xa9lodie"},  /* Élodie */
	        {"E\xcc\x81lodie", DANCE_OK, "\xc3\xa9lodie"}, /* NFC */
	        {"", DANCE_ERR_PARSE, NULL},
	        {"a@b", DANCE_ERR_PARSE, NULL},
	        {"a\tb", DANCE_ERR_PARSE, NULL},
	        {"a\x7f", DANCE_ERR_PARSE, NULL},
	        {"a\xc2\x85", DANCE_ERR_PARSE, NULL},    /* C1 control NEL */
	        {"\xc3", DANCE_ERR_PARSE, NULL},         /* truncated UTF-8 */
	        {"\xed\xa0\x80", DANCE_ERR_PARSE, NULL}, /* surrogate */
	        /* white space and separators, anywhere */
	        {" alice", DANCE_ERR_PARSE, NULL},
	        {"alice ", DANCE_ERR_PARSE, NULL},
	        {"al ice", DANCE_ERR_PARSE, NULL},
	        {" ", DANCE_ERR_PARSE, NULL},
	        {"alice\xc2\xa0", DANCE_ERR_PARSE, NULL},     /* U+00A0 */
	        {"\xe1\x9a\x80joe", DANCE_ERR_PARSE, NULL},   /* U+1680 */
	        {"\xe2\x80\x80joe", DANCE_ERR_PARSE, NULL},   /* U+2000 */
	        {"alice\xe2\x80\x8a", DANCE_ERR_PARSE, NULL}, /* U+200A */
	        {"jo\xe2\x80\xa8joe", DANCE_ERR_PARSE, NULL}, /* U+2028 */
	        {"jo\xe2\x80\xa9joe", DANCE_ERR_PARSE, NULL}, /* U+2029 */
	        {"alice\xe2\x80\xaf", DANCE_ERR_PARSE, NULL}, /* U+202F */
	        {"alice\xe2\x81\x9f", DANCE_ERR_PARSE, NULL}, /* U+205F */
	        {"\xe3\x80\x80joe", DANCE_ERR_PARSE, NULL},   /* U+3000 */
	        /* look-alikes that are not white space stay */
	        {"al_ice", DANCE_OK, "al_ice"},
	        {"al.ice", DANCE_OK, "al.ice"},
	        {"\xe3\x81\x82", DANCE_OK, "\xe3\x81\x82"}, /* U+3042 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL;
		int r = dance_uid_normalize(cases[i].in, strlen(cases[i].in),
		                            &out);
		cr_expect_eq(r, cases[i].err, "case %zu: %d", i, r);
		if (cases[i].out != NULL && out != NULL)
			cr_expect_str_eq(out, cases[i].out);
		if (cases[i].out == NULL)
			cr_expect_null(out, "case %zu", i);
		free(out);
	}
}

Test(name, uid_with_nul_refused)
{
	char *out = NULL;
	cr_expect_eq(dance_uid_normalize("ab\0c", 4, &out), DANCE_ERR_PARSE);
	cr_expect_null(out);
}

Test(name, owners)
{
	char *o = NULL;
	cr_assert_eq(dance_user_owner(NULL, "Hugh", "Example.COM",
	                              DANCE_LABEL_HASHED, &o),
	             DANCE_OK);
	/* RFC 7929 section 3 example: SHA-256("hugh"), 28 octets. */
	cr_expect_str_eq(o, "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec0"
	                    "1c1afd6._user.example.com");
	free(o);
	cr_assert_eq(dance_user_owner(NULL, "Alice", "example.org",
	                              DANCE_LABEL_PLAIN, &o),
	             DANCE_OK);
	cr_expect_str_eq(o, "alice._user.example.org");
	free(o);
	cr_assert_eq(dance_user_owner(NULL, "j.doe", "example.org",
	                              DANCE_LABEL_PLAIN, &o),
	             DANCE_OK);
	cr_expect_str_eq(o, "j\\046doe._user.example.org");
	free(o);
	cr_expect_eq(dance_user_owner(NULL, "a@b", "example.org",
	                              DANCE_LABEL_PLAIN, &o),
	             DANCE_ERR_BAD_NAME);
	cr_expect_null(o);
	cr_expect_eq(dance_user_owner(NULL, "alice", "bad..name",
	                              DANCE_LABEL_PLAIN, &o),
	             DANCE_ERR_BAD_NAME);
	cr_expect_null(o);
}
