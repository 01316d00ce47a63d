/*
 * unit_spki_match.c -- dance_spki_match(): which DANE-EE selector-1 records
 * of an RRset a SubjectPublicKeyInfo matches, with digest agility as
 * OpenSSL's DANE engine applies it for one usage and selector.
 *
 * Two SPKIs are used: "ours" (the key being checked) and "other". Records
 * are described as usage, selector, matching type, which key's data
 * (ours, other, or a broken variant) and the record's problem field.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Any DER will do for matching; these are two Ed25519 SPKIs. */
static const uint8_t ours[] = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
        0x00, 0x19, 0xbf, 0x44, 0x09, 0x69, 0x84, 0xcd, 0xfe, 0x85, 0x41,
        0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96, 0xc8, 0x50, 0x86, 0xaa, 0x30,
        0xb6, 0xb6, 0xcb, 0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1};
static const uint8_t other[] = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
        0x00, 0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7,
        0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc, 0x9c, 0x98, 0x2c, 0xcf, 0x2e,
        0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c};

enum data_kind {
	D_OURS,  /* the right data for our key and the matching type */
	D_OTHER, /* the right data for the other key */
	D_SHORT, /* ours without its last octet */
	D_LONG,  /* ours with one more octet */
	D_EMPTY, /* no data */
};

struct rec {
	uint8_t u, s, m;
	enum data_kind data;
	enum dance_tlsa_problem problem;
};

#define MAXRECS 5
#define OK      DANCE_TLSA_USABLE

struct match_case {
	const char *name;
	struct rec recs[MAXRECS];
	size_t n;
	int matched; /* expected *matched */
	int index;   /* expected *index */
};

static const struct match_case cases[] = {
        /* Accepted. */
        {"3 1 0 match", {{3, 1, 0, D_OURS, OK}}, 1, 1, 0},
        {"3 1 1 match", {{3, 1, 1, D_OURS, OK}}, 1, 1, 0},
        {"3 1 2 match", {{3, 1, 2, D_OURS, OK}}, 1, 1, 0},
        {"3 1 1 mismatch, 3 1 2 match",
         {{3, 1, 1, D_OTHER, OK}, {3, 1, 2, D_OURS, OK}},
         2,
         1,
         1},
        {"3 1 0 match, 3 1 2 mismatch",
         {{3, 1, 2, D_OTHER, OK}, {3, 1, 0, D_OURS, OK}},
         2,
         1,
         1},
        {"3 1 0 match, 3 1 1 and 3 1 2 mismatch",
         {{3, 1, 1, D_OTHER, OK},
          {3, 1, 2, D_OTHER, OK},
          {3, 1, 0, D_OURS, OK}},
         3,
         1,
         2},
        {"second of two 3 1 2 matches",
         {{3, 1, 2, D_OTHER, OK}, {3, 1, 2, D_OURS, OK}},
         2,
         1,
         1},
        {"unusable 3 1 2 does not rank: 3 1 1 match",
         {{3, 1, 2, D_OTHER, DANCE_TLSA_NOT_FOR_USERS}, {3, 1, 1, D_OURS, OK}},
         2,
         1,
         1},
        {"3 1 2 of wrong length does not rank: 3 1 1 match",
         {{3, 1, 2, D_SHORT, OK}, {3, 1, 1, D_OURS, OK}},
         2,
         1,
         1},
        {"2 1 2 mismatch does not rank for 3 1: 3 1 1 match",
         {{2, 1, 2, D_OTHER, OK}, {3, 1, 1, D_OURS, OK}},
         2,
         1,
         1},
        {"3 0 2 mismatch does not rank for 3 1: 3 1 1 match",
         {{3, 0, 2, D_OTHER, OK}, {3, 1, 1, D_OURS, OK}},
         2,
         1,
         1},
        {"match after unusable records",
         {{9, 1, 1, D_OURS, DANCE_TLSA_BAD_USAGE},
          {3, 7, 1, D_OURS, DANCE_TLSA_BAD_SELECTOR},
          {3, 1, 9, D_OURS, DANCE_TLSA_BAD_MTYPE},
          {3, 1, 1, D_OURS, OK}},
         4,
         1,
         3},
        /* Refused. */
        {"empty rrset", {{0}}, 0, 0, -1},
        {"3 1 0 mismatch", {{3, 1, 0, D_OTHER, OK}}, 1, 0, -1},
        {"3 1 1 mismatch", {{3, 1, 1, D_OTHER, OK}}, 1, 0, -1},
        {"3 1 2 mismatch", {{3, 1, 2, D_OTHER, OK}}, 1, 0, -1},
        {"3 1 2 mismatch, 3 1 1 match (agility)",
         {{3, 1, 1, D_OURS, OK}, {3, 1, 2, D_OTHER, OK}},
         2,
         0,
         -1},
        {"3 1 2 mismatch first, 3 1 1 match",
         {{3, 1, 2, D_OTHER, OK}, {3, 1, 1, D_OURS, OK}},
         2,
         0,
         -1},
        {"3 1 0 and 3 1 2 mismatch, 3 1 1 match",
         {{3, 1, 0, D_OTHER, OK},
          {3, 1, 1, D_OURS, OK},
          {3, 1, 2, D_OTHER, OK}},
         3,
         0,
         -1},
        {"3 1 0 short", {{3, 1, 0, D_SHORT, OK}}, 1, 0, -1},
        {"3 1 0 long", {{3, 1, 0, D_LONG, OK}}, 1, 0, -1},
        {"3 1 0 empty", {{3, 1, 0, D_EMPTY, OK}}, 1, 0, -1},
        {"3 1 1 short digest", {{3, 1, 1, D_SHORT, OK}}, 1, 0, -1},
        {"3 1 1 long digest", {{3, 1, 1, D_LONG, OK}}, 1, 0, -1},
        {"3 1 2 short digest", {{3, 1, 2, D_SHORT, OK}}, 1, 0, -1},
        {"3 1 1 empty", {{3, 1, 1, D_EMPTY, OK}}, 1, 0, -1},
        {"3 1 1 match but not for users",
         {{3, 1, 1, D_OURS, DANCE_TLSA_NOT_FOR_USERS}},
         1,
         0,
         -1},
        {"3 1 2 match but bad digest length flag",
         {{3, 1, 2, D_OURS, DANCE_TLSA_BAD_DIGEST_LEN}},
         1,
         0,
         -1},
        {"3 1 0 match but empty-data flag",
         {{3, 1, 0, D_OURS, DANCE_TLSA_EMPTY_DATA}},
         1,
         0,
         -1},
        {"2 1 0 match (DANE-TA)", {{2, 1, 0, D_OURS, OK}}, 1, 0, -1},
        {"2 1 1 match (DANE-TA)", {{2, 1, 1, D_OURS, OK}}, 1, 0, -1},
        {"1 1 1 match (PKIX-EE)", {{1, 1, 1, D_OURS, OK}}, 1, 0, -1},
        {"0 1 2 match (PKIX-TA)", {{0, 1, 2, D_OURS, OK}}, 1, 0, -1},
        {"3 0 0 of the SPKI (selector cert)",
         {{3, 0, 0, D_OURS, OK}},
         1,
         0,
         -1},
        {"3 0 1 of the SPKI (selector cert)",
         {{3, 0, 1, D_OURS, OK}},
         1,
         0,
         -1},
        {"3 1 3 (unknown mtype, marked usable)",
         {{3, 1, 3, D_OURS, OK}},
         1,
         0,
         -1},
        {"3 1 255 (private mtype, marked usable)",
         {{3, 1, 255, D_OURS, OK}},
         1,
         0,
         -1},
        {"usage 4, marked usable", {{4, 1, 1, D_OURS, OK}}, 1, 0, -1},
        {"selector 2, marked usable", {{3, 2, 1, D_OURS, OK}}, 1, 0, -1},
};

static uint8_t *record_data(const struct rec *r, size_t *len)
{
	const uint8_t *key = r->data == D_OTHER ? other : ours;
	uint8_t md[EVP_MAX_MD_SIZE + 1], *out;
	unsigned int mdlen = 0;
	const uint8_t *src = key;
	size_t n = sizeof ours;

	if (r->data == D_EMPTY) {
		*len = 0;
		return NULL;
	}
	if (r->m == 1 || r->m == 2) {
		cr_assert_eq(EVP_Digest(key, sizeof ours, md, &mdlen,
		                        r->m == 1 ? EVP_sha256() : EVP_sha512(),
		                        NULL),
		             1);
		src = md;
		n = mdlen;
	}
	out = malloc(n + 1);
	cr_assert_not_null(out);
	memcpy(out, src, n);
	if (r->data == D_SHORT)
		n--;
	else if (r->data == D_LONG)
		out[n++] = 0;
	*len = n;
	return out;
}

Test(spki_match, table)
{
	size_t pos = 0, neg = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct match_case *c = &cases[i];
		struct dance_tlsa recs[MAXRECS];
		struct dance_tlsa_rrset rrset = {.dns_class = DANCE_DNS_SECURE,
		                                 .count = c->n,
		                                 .records = recs};
		int matched = -7, index = -7;

		memset(recs, 0, sizeof recs);
		for (size_t k = 0; k < c->n; k++) {
			recs[k].usage = c->recs[k].u;
			recs[k].selector = c->recs[k].s;
			recs[k].mtype = c->recs[k].m;
			recs[k].problem = c->recs[k].problem;
			recs[k].data = record_data(&c->recs[k], &recs[k].len);
		}
		cr_expect_eq(dance_spki_match(&rrset, ours, sizeof ours,
		                              &matched, &index),
		             DANCE_OK, "%s", c->name);
		cr_expect_eq(matched, c->matched, "%s: matched %d", c->name,
		             matched);
		cr_expect_eq(index, c->index, "%s: index %d", c->name, index);
		if (c->matched)
			pos++;
		else
			neg++;
		for (size_t k = 0; k < c->n; k++)
			free(recs[k].data);
	}
	cr_expect_gt(neg, pos);
}

/* Whatever records an RRset holds, a key they were not made from never
 * matches: every case of the table, checked with a third key. */
Test(spki_match, unrelated_key_never_matches)
{
	static const uint8_t third[] = {0x30, 0x03, 0x02, 0x01, 0x07};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa recs[MAXRECS];
		struct dance_tlsa_rrset rrset = {.count = cases[i].n,
		                                 .records = recs};
		int matched = -7, index = -7;
		memset(recs, 0, sizeof recs);
		for (size_t k = 0; k < cases[i].n; k++) {
			recs[k].usage = cases[i].recs[k].u;
			recs[k].selector = cases[i].recs[k].s;
			recs[k].mtype = cases[i].recs[k].m;
			recs[k].problem = cases[i].recs[k].problem;
			recs[k].data =
			        record_data(&cases[i].recs[k], &recs[k].len);
		}
		cr_expect_eq(dance_spki_match(&rrset, third, sizeof third,
		                              &matched, &index),
		             DANCE_OK);
		cr_expect_eq(matched, 0, "%s", cases[i].name);
		cr_expect_eq(index, -1, "%s", cases[i].name);
		for (size_t k = 0; k < cases[i].n; k++)
			free(recs[k].data);
	}
}

Test(spki_match, bad_arguments)
{
	struct dance_tlsa_rrset empty = {0}, broken = {.count = 2};
	int matched = -7, index = -7;

	cr_expect_eq(dance_spki_match(&empty, ours, 0, &matched, &index),
	             DANCE_ERR_INVALID_ARG);
	cr_expect_eq(matched, 0);
	cr_expect_eq(index, -1);
	matched = index = -7;
	cr_expect_eq(
	        dance_spki_match(&broken, ours, sizeof ours, &matched, &index),
	        DANCE_ERR_INVALID_ARG);
	cr_expect_eq(matched, 0);
	cr_expect_eq(index, -1);
	/* index is optional. */
	cr_expect_eq(
	        dance_spki_match(&empty, ours, sizeof ours, &matched, NULL),
	        DANCE_OK);
	cr_expect_eq(matched, 0);
}

/* Data pointer NULL with a length (a broken record) is never read. */
Test(spki_match, null_data_ignored)
{
	struct dance_tlsa rec = {
	        .usage = 3, .selector = 1, .mtype = 1, .len = 32, .data = NULL};
	struct dance_tlsa_rrset rrset = {.count = 1, .records = &rec};
	int matched = -7, index = -7;
	cr_expect_eq(
	        dance_spki_match(&rrset, ours, sizeof ours, &matched, &index),
	        DANCE_OK);
	cr_expect_eq(matched, 0);
}
