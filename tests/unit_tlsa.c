/*
 * unit_tlsa.c -- TLSA RDATA parsing and its usability rules, the
 * presentation form (dig lines, bare lines, split hex), formatting and
 * RRsets from text; query names.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H8  "0011223344556677"
#define H32 H8 H8 H8 H8
#define H64 H32 H32

static unsigned hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	return (unsigned)((c | 0x20) - 'a' + 10);
}

/* Hex to bytes (test helper; input is trusted). */
static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2)
		out[n++] = (uint8_t)(hexdigit(hex[0]) << 4 | hexdigit(hex[1]));
	return n;
}

struct rdata_case {
	const char *name;
	const char *hex; /* whole RDATA */
	enum dance_tlsa_problem problem;
	size_t datalen;
};

static const struct rdata_case rdata_cases[] = {
        {"empty", "", DANCE_TLSA_SHORT, 0},
        {"one octet", "02", DANCE_TLSA_SHORT, 0},
        {"three octets", "020101", DANCE_TLSA_SHORT, 0},
        {"usage 4", "040101" H32, DANCE_TLSA_BAD_USAGE, 32},
        {"usage 255", "ff0101" H32, DANCE_TLSA_BAD_USAGE, 32},
        {"selector 2", "020201" H32, DANCE_TLSA_BAD_SELECTOR, 32},
        {"mtype 3", "020103" H32, DANCE_TLSA_BAD_MTYPE, 32},
        {"mtype 255", "0201ff" H32, DANCE_TLSA_BAD_MTYPE, 32},
        {"sha256 short", "020101" H8, DANCE_TLSA_BAD_DIGEST_LEN, 8},
        {"sha256 exact", "020101" H32, DANCE_TLSA_USABLE, 32},
        {"sha256 trailing octet", "020101" H32 "00", DANCE_TLSA_BAD_DIGEST_LEN,
         33},
        {"sha256 is 64", "020101" H64, DANCE_TLSA_BAD_DIGEST_LEN, 64},
        {"sha512 ok", "030102" H64, DANCE_TLSA_USABLE, 64},
        {"sha512 is 32", "030102" H32, DANCE_TLSA_BAD_DIGEST_LEN, 32},
        {"sha512 trailing octet", "030102" H64 "ff", DANCE_TLSA_BAD_DIGEST_LEN,
         65},
        {"sha256 one octet", "02010100", DANCE_TLSA_BAD_DIGEST_LEN, 1},
        {"full, no data (3 octets)", "020000", DANCE_TLSA_SHORT, 0},
        {"full, one octet", "03000030", DANCE_TLSA_USABLE, 1},
        {"full spki", "030100" H64 H8, DANCE_TLSA_USABLE, 72},
        {"pkix-ta sha256", "000101" H32, DANCE_TLSA_USABLE, 32},
        {"pkix-ee sha256", "010101" H32, DANCE_TLSA_USABLE, 32},
        {"dane-ta cert full", "020000" H8, DANCE_TLSA_USABLE, 8},
        {"usage checked first", "090909", DANCE_TLSA_SHORT, 0},
        {"usage before selector", "090909" H32, DANCE_TLSA_BAD_USAGE, 32},
        {"selector before mtype", "020909" H32, DANCE_TLSA_BAD_SELECTOR, 32},
};

Test(tlsa, rdata_table)
{
	for (size_t i = 0; i < sizeof rdata_cases / sizeof rdata_cases[0];
	     i++) {
		const struct rdata_case *c = &rdata_cases[i];
		uint8_t buf[512];
		size_t n = unhex(c->hex, buf);
		struct dance_tlsa t;
		int r = dance_tlsa_parse_rdata(n ? buf : NULL, n, &t);

		cr_expect_eq(r, DANCE_OK, "%s: %d", c->name, r);
		cr_expect_eq(t.problem, c->problem, "%s: problem %d", c->name,
		             t.problem);
		cr_expect_eq(t.len, c->datalen, "%s: len %zu", c->name, t.len);
		if (n >= 4) {
			cr_expect_eq(t.usage, buf[0], "%s", c->name);
			cr_expect_eq(t.selector, buf[1], "%s", c->name);
			cr_expect_eq(t.mtype, buf[2], "%s", c->name);
			cr_expect_eq(memcmp(t.data, buf + 3, t.len), 0, "%s",
			             c->name);
		} else {
			cr_expect_null(t.data, "%s", c->name);
		}
		dance_tlsa_clear(&t);
		cr_expect_null(t.data);
		cr_expect_eq(t.len, 0u);
	}
}

Test(tlsa, rdata_bad_arguments)
{
	struct dance_tlsa t;

	cr_expect_eq(dance_tlsa_parse_rdata(NULL, 5, &t),
	             DANCE_ERR_INVALID_ARG);
	cr_expect_null(t.data);
	cr_expect_eq(dance_tlsa_parse_rdata((const uint8_t *)"x", 70000, &t),
	             DANCE_ERR_INVALID_ARG);
	dance_tlsa_clear(NULL);
	dance_tlsa_rrset_free(NULL);
}

Test(tlsa, truncations_never_usable_but_digest)
{
	/* Every truncation of a good SHA-256 record is unusable. */
	uint8_t buf[64];
	size_t n = unhex("030101" H32, buf);

	for (size_t len = 0; len < n; len++) {
		struct dance_tlsa t;
		cr_assert_eq(dance_tlsa_parse_rdata(buf, len, &t), DANCE_OK);
		cr_expect_neq(t.problem, DANCE_TLSA_USABLE, "len %zu", len);
		dance_tlsa_clear(&t);
	}
}

struct text_case {
	const char *name;
	const char *line;
	int err;
	enum dance_tlsa_problem problem;
	const char *owner;  /* expected owner, NULL for a bare line */
	const char *format; /* expected "u s m HEX", NULL on error */
};

static const struct text_case text_cases[] = {
        {"dig line", "_user.example.org. 3600 IN TLSA 2 1 1 " H32, DANCE_OK,
         DANCE_TLSA_USABLE, "_user.example.org", "2 1 1 " H32},
        {"dig split hex",
         "_user.example.org.\t300\tIN\tTLSA\t3 1 2 " H32 " " H32, DANCE_OK,
         DANCE_TLSA_USABLE, "_user.example.org", "3 1 2 " H64},
        {"class then ttl", "_User.Example.ORG IN 60 TLSA 2 0 0 " H8, DANCE_OK,
         DANCE_TLSA_USABLE, "_user.example.org", "2 0 0 " H8},
        {"no ttl", "_user.example.org. IN TLSA 2 1 1 " H32, DANCE_OK,
         DANCE_TLSA_USABLE, "_user.example.org", "2 1 1 " H32},
        {"no class", "_user.example.org. 5 TLSA 2 1 1 " H32, DANCE_OK,
         DANCE_TLSA_USABLE, "_user.example.org", "2 1 1 " H32},
        {"owner only", "_user.example.org tlsa 2 1 1 " H32, DANCE_OK,
         DANCE_TLSA_USABLE, "_user.example.org", "2 1 1 " H32},
        {"bare", "2 1 1 " H32, DANCE_OK, DANCE_TLSA_USABLE, NULL, "2 1 1 " H32},
        {"bare lowercase hex split",
         "  3 1 1 0011223344556677 0011223344556677 "
         "0011223344556677 001122334455 6677 ",
         DANCE_OK, DANCE_TLSA_USABLE, NULL, "3 1 1 " H32},
        {"bare with comment", "2 1 1 " H32 " ; the CA", DANCE_OK,
         DANCE_TLSA_USABLE, NULL, "2 1 1 " H32},
        {"crlf", "2 1 1 " H32 "\r\n", DANCE_OK, DANCE_TLSA_USABLE, NULL,
         "2 1 1 " H32},
        {"unusable kept", "4 1 1 " H32, DANCE_OK, DANCE_TLSA_BAD_USAGE, NULL,
         "4 1 1 " H32},
        {"wrong digest kept", "2 1 1 " H8, DANCE_OK, DANCE_TLSA_BAD_DIGEST_LEN,
         NULL, "2 1 1 " H8},
        {"odd hex", "2 1 1 " H32 "0", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"split inside an octet", "2 0 0 001 122", DANCE_OK, DANCE_TLSA_USABLE,
         NULL, "2 0 0 001122"},
        {"odd hex split", "2 1 1 001 12", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"no hex", "2 1 1", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"no hex after comment", "2 1 1 ; " H32, DANCE_ERR_PARSE, 0, NULL,
         NULL},
        {"non-hex", "2 1 1 00gg", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"field too big", "256 1 1 " H32, DANCE_ERR_PARSE, 0, NULL, NULL},
        {"field negative", "-1 1 1 " H32, DANCE_ERR_PARSE, 0, NULL, NULL},
        {"field not a number", "two 1 1 " H32, DANCE_ERR_PARSE, 0, NULL, NULL},
        {"missing field", "2 1 " H32, DANCE_ERR_PARSE, 0, NULL, NULL},
        {"other class", "_user.example.org. 60 CH TLSA 2 1 1 " H32,
         DANCE_ERR_PARSE, 0, NULL, NULL},
        {"other type", "_user.example.org. 60 IN TXT \"x\"", DANCE_ERR_PARSE, 0,
         NULL, NULL},
        {"type without owner", "TLSA 2 1 1 " H32, DANCE_ERR_PARSE, 0, NULL,
         NULL},
        {"two ttls", "x.example. 60 60 TLSA 2 1 1 " H32, DANCE_ERR_PARSE, 0,
         NULL, NULL},
        {"bad owner", "a..b 60 IN TLSA 2 1 1 " H32, DANCE_ERR_PARSE, 0, NULL,
         NULL},
        {"empty", "", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"blank", "   \t ", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"junk", "hello world", DANCE_ERR_PARSE, 0, NULL, NULL},
        {"generic rdata", "x.example. TLSA \\# 4 02010100", DANCE_ERR_PARSE, 0,
         NULL, NULL},
};

Test(tlsa, text_table)
{
	for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
		const struct text_case *c = &text_cases[i];
		struct dance_tlsa t;
		char *owner = (char *)1, buf[512];
		int r = dance_tlsa_parse_text(c->line, &t, &owner);

		cr_expect_eq(r, c->err, "%s: %d", c->name, r);
		if (c->err != DANCE_OK) {
			cr_expect_null(owner, "%s", c->name);
			cr_expect_null(t.data, "%s", c->name);
			continue;
		}
		if (c->owner == NULL)
			cr_expect_null(owner, "%s: owner %s", c->name, owner);
		else
			cr_expect(owner != NULL && strcmp(owner, c->owner) == 0,
			          "%s: owner %s", c->name, owner);
		cr_expect_eq(t.problem, c->problem, "%s: %d", c->name,
		             t.problem);
		cr_expect_geq(dance_tlsa_format(&t, buf, sizeof buf), 0);
		cr_expect_str_eq(buf, c->format, "%s", c->name);
		free(owner);
		dance_tlsa_clear(&t);
	}
}

Test(tlsa, format_round_trip)
{
	static const char *const lines[] = {
	        "2 1 1 " H32, "3 1 2 " H64, "2 0 0 " H8,
	        "0 0 1 " H32, "9 9 9 00",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct dance_tlsa t, t2;
		char buf[300], small[4];
		int n;

		cr_assert_eq(dance_tlsa_parse_text(lines[i], &t, NULL),
		             DANCE_OK);
		n = dance_tlsa_format(&t, NULL, 0);
		cr_expect_eq(n, (int)strlen(lines[i]));
		cr_expect_eq(dance_tlsa_format(&t, buf, sizeof buf), n);
		cr_expect_str_eq(buf, lines[i]);
		cr_expect_eq(dance_tlsa_format(&t, small, sizeof small), n,
		             "needed length on truncation");
		cr_expect_eq(small[sizeof small - 1], '\0');
		cr_assert_eq(dance_tlsa_parse_text(buf, &t2, NULL), DANCE_OK);
		cr_expect_eq(t2.len, t.len);
		cr_expect_eq(memcmp(t2.data, t.data, t.len), 0);
		dance_tlsa_clear(&t);
		dance_tlsa_clear(&t2);
	}
}

Test(tlsa, format_short_record)
{
	struct dance_tlsa t;
	char buf[32];

	cr_assert_eq(dance_tlsa_parse_rdata((const uint8_t *)"\x02\x01", 2, &t),
	             DANCE_OK);
	cr_expect_eq(dance_tlsa_format(&t, buf, sizeof buf), 5);
	cr_expect_str_eq(buf, "2 1 0");
	dance_tlsa_clear(&t);
}

Test(tlsa, rrset_from_text)
{
	struct dance_tlsa_rrset *rs = NULL;
	char err[128];
	const char *text = "; a file as dig prints it\n"
	                   "\n"
	                   "_user.example.org. 300 IN TLSA 2 1 1 " H32 "\n"
	                   "# a comment\n"
	                   "2 1 2 " H64 "\n"
	                   "_user.example.org. 300 IN TLSA 4 1 1 " H32 "\n";

	cr_assert_eq(dance_tlsa_rrset_from_text(NULL, text, 60, &rs, err,
	                                        sizeof err),
	             DANCE_OK, "%s", err);
	cr_expect_str_eq(rs->name, "_user.example.org");
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE);
	cr_expect_eq(rs->ttl, 60u);
	cr_expect_eq(rs->count, 3u);
	cr_expect_eq(rs->records[1].mtype, 2);
	cr_expect_eq(rs->records[2].problem, DANCE_TLSA_BAD_USAGE);
	cr_expect_not_null(rs->reason);
	dance_tlsa_rrset_free(rs);

	cr_assert_eq(dance_tlsa_rrset_from_text("_USER.example.org.",
	                                        "2 1 1 " H32, 0, &rs, err,
	                                        sizeof err),
	             DANCE_OK);
	cr_expect_str_eq(rs->name, "_user.example.org");
	dance_tlsa_rrset_free(rs);
}

Test(tlsa, rrset_from_text_errors)
{
	static const struct {
		const char *name, *text, *err;
	} cases[] = {
	        {NULL, "", "no TLSA record"},
	        {NULL, "; only a comment\n\n", "no TLSA record"},
	        {NULL, "2 1 1 " H32 "\n2 1 1 0\n", "line 2"},
	        {NULL,
	         "a.example. TLSA 2 1 1 " H32 "\nb.example. TLSA 2 1 1 " H32,
	         "line 2: owner b.example is not a.example"},
	        {"_user.example.org", "x.example. TLSA 2 1 1 " H32,
	         "line 1: owner x.example"},
	        {"a..b", "2 1 1 " H32, "invalid name"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa_rrset *rs = (void *)1;
		char err[128] = "";
		int r = dance_tlsa_rrset_from_text(cases[i].name, cases[i].text,
		                                   0, &rs, err, sizeof err);
		cr_expect_neq(r, DANCE_OK, "case %zu", i);
		cr_expect_null(rs, "case %zu", i);
		cr_expect_not_null(strstr(err, cases[i].err), "case %zu: '%s'",
		                   i, err);
	}
}

struct qname_case {
	const char *in;
	int err;
	const char *canon, *domain;
};

Test(tlsa, query_names)
{
	static const struct qname_case cases[] = {
	        {"_user.example.org", DANCE_OK, "_user.example.org",
	         "example.org"},
	        {"_USER.Example.ORG.", DANCE_OK, "_user.example.org",
	         "example.org"},
	        {"alice._user.example.org", DANCE_OK, "alice._user.example.org",
	         "example.org"},
	        {"\\195\\169lodie._user.example.org", DANCE_OK,
	         "\\195\\169lodie._user.example.org", "example.org"},
	        {"_user.b\xc3\xbc"
	         "cher.example",
	         DANCE_OK, "_user.xn--bcher-kva.example",
	         "xn--bcher-kva.example"},
	        {"_443._tcp.example.org", DANCE_OK, "_443._tcp.example.org",
	         "_443._tcp.example.org"},
	        {"a\\.b._user.example.org", DANCE_OK,
	         "a\\046b._user.example.org", "example.org"},
	        {"x._user._user.example.org", DANCE_OK,
	         "x._user._user.example.org", "_user.example.org"},
	        {"_user", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"a._user.", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {".", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"a..b", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {".a", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"a\\", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"a\\25", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"a\\256", DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "aaa"
	         ".org",
	         DANCE_ERR_BAD_NAME, NULL, NULL},
	        {"_user.b\xff.example", DANCE_ERR_BAD_NAME, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *canon = NULL;
		const char *dom = NULL;
		int r = dance_qname_canon(cases[i].in, &canon, &dom);
		cr_expect_eq(r, cases[i].err, "'%s': %d", cases[i].in, r);
		if (cases[i].err == DANCE_OK && r == DANCE_OK) {
			cr_expect_str_eq(canon, cases[i].canon);
			cr_expect_str_eq(dom, cases[i].domain);
		} else {
			cr_expect_null(canon);
		}
		free(canon);
	}
}

Test(tlsa, query_name_length_limit)
{
	char name[400];
	char *canon = NULL;
	size_t o = 0;

	/* 4 labels of 63 + dots = 255 octets of text, 257 of wire form */
	for (int i = 0; i < 4; i++) {
		memset(name + o, 'a', 63);
		o += 63;
		name[o++] = '.';
	}
	name[o - 1] = '\0';
	cr_expect_eq(dance_qname_canon(name, &canon, NULL), DANCE_ERR_BAD_NAME);
	/* 253 characters: the longest name */
	name[253] = '\0';
	name[252] = 'a';
	cr_expect_eq(dance_qname_canon(name, &canon, NULL), DANCE_OK);
	free(canon);
}
