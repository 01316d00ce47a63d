/*
 * fuzz_tlsa_rdata.c -- libFuzzer target for TLSA records (lib/tlsa.c):
 * dance_tlsa_parse_rdata() on the raw bytes, then dance_tlsa_format() and
 * dance_tlsa_parse_text() of the result (the round trip must give the same
 * record), and dance_tlsa_parse_text() / dance_tlsa_rrset_from_text() on
 * the bytes as text.
 *
 * Besides memory errors it checks the usability rules: a record judged
 * usable has a known usage, selector and matching type, a digest of the
 * right length and data; a record shorter than 4 octets has no data.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static void check_usable(const struct dance_tlsa *t)
{
	if (t->problem != DANCE_TLSA_USABLE)
		return;
	CHECK(t->usage <= 3 && t->selector <= 1 && t->mtype <= 2);
	CHECK(t->len > 0 && t->data != NULL);
	CHECK(t->mtype != 1 || t->len == 32);
	CHECK(t->mtype != 2 || t->len == 64);
}

static void round_trip(const struct dance_tlsa *t)
{
	struct dance_tlsa back;
	char *buf;
	int n = dance_tlsa_format(t, NULL, 0);

	CHECK(n > 0);
	if ((buf = malloc((size_t)n + 1)) == NULL)
		return;
	CHECK(dance_tlsa_format(t, buf, (size_t)n + 1) == n);
	CHECK(strlen(buf) == (size_t)n);
	if (t->len > 0) {
		CHECK(dance_tlsa_parse_text(buf, &back, NULL) == DANCE_OK);
		CHECK(back.usage == t->usage && back.selector == t->selector &&
		      back.mtype == t->mtype && back.len == t->len &&
		      back.problem == t->problem);
		CHECK(back.data != NULL && t->data != NULL);
		CHECK(memcmp(back.data, t->data, t->len) == 0);
		dance_tlsa_clear(&back);
	}
	free(buf);
}

static void as_text(const uint8_t *data, size_t size)
{
	struct dance_tlsa_rrset *rs = NULL;
	struct dance_tlsa t;
	char *s, *owner = NULL, err[128];

	if ((s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (dance_tlsa_parse_text(s, &t, &owner) == DANCE_OK) {
		check_usable(&t);
		dance_tlsa_clear(&t);
	} else {
		CHECK(owner == NULL && t.data == NULL);
	}
	free(owner);
	if (dance_tlsa_rrset_from_text(NULL, s, 60, &rs, err, sizeof err) ==
	    DANCE_OK) {
		CHECK(rs->count > 0 && rs->dns_class == DANCE_DNS_SECURE);
		for (size_t i = 0; i < rs->count; i++)
			check_usable(&rs->records[i]);
	} else {
		CHECK(rs == NULL);
	}
	dance_tlsa_rrset_free(rs);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dance_tlsa t;

	if (dance_tlsa_parse_rdata(data, size, &t) == DANCE_OK) {
		CHECK(size >= 4 ||
		      (t.problem == DANCE_TLSA_SHORT && t.data == NULL));
		CHECK(size < 4 || t.len == size - 3);
		check_usable(&t);
		round_trip(&t);
		dance_tlsa_clear(&t);
	}
	if (size <= 4096)
		as_text(data, size);
	return 0;
}
