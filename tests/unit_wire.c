/*
 * unit_wire.c -- lib/wire.c, the reader of validated DNS answers that
 * tells a wildcard-synthesised TLSA RRset (RFC 4035 section 5.3.2):
 *   - a table of hand-built packets: plain, expanded from a wildcard
 *     (per-user and domain), the wildcard itself, CNAME chains (a plain
 *     one, a CNAME expanded from a wildcard, a CNAME to an expanded
 *     RRset), case, other sections; and malformed ones: counts larger
 *     than the packet, RDLENGTH past the end, trailing octets, compression
 *     loops, pointers forward, to themselves and out of range, labels over
 *     63, names over 255 octets, too many pointers, no RRSIG proving
 *     anything, RRSIG Labels over the owner's count, a wrong question;
 *   - every good packet truncated at every length, and with every bit
 *     flipped, each in a buffer of its exact size (ASan and valgrind see
 *     any read past it): truncations fail, nothing crashes;
 *   - real answers from the hermetic DNSSEC set-up (fixtures/hermetic,
 *     zone wild.test of tests/rig/fixtures.d/17-wildcard.sh), read from
 *     libunbound's ub_result.answer_packet (fresh and from its cache),
 *     whole and truncated.
 */
#include "internal.h"
#include "rig.h"
#include "rig_ub.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_A     1
#define T_CNAME 5
#define T_OPT   41
#define T_RRSIG 46
#define T_NSEC  47
#define T_TLSA  52
#define OK      DANCE_OK
#define BAD     DANCE_ERR_PARSE

/* ---- building packets ------------------------------------------------- */

struct pkt {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct pkt *p, unsigned v)
{
	cr_assert_lt(p->n, sizeof p->b);
	p->b[p->n++] = (uint8_t)v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static void put32(struct pkt *p, unsigned long v)
{
	put16(p, (unsigned)(v >> 16));
	put16(p, (unsigned)(v & 0xffff));
}

static void put_bytes(struct pkt *p, const void *d, size_t n)
{
	cr_assert_leq(n, sizeof p->b - p->n);
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

/* A name: dot-separated labels, "" for the root; a last component "@N"
 * is a compression pointer to offset N instead of the root. */
static void put_name(struct pkt *p, const char *spec)
{
	const char *s = spec;

	while (*s != '\0') {
		size_t n = strcspn(s, ".");
		if (s[0] == '@') {
			put16(p, 0xC000u | (unsigned)strtoul(s + 1, NULL, 10));
			return;
		}
		put8(p, (unsigned)n);
		put_bytes(p, s, n);
		s += n + (s[n] == '.');
	}
	put8(p, 0);
}

static void hdr(struct pkt *p, unsigned qd, unsigned an, unsigned ns,
                unsigned ar)
{
	p->n = 0;
	put16(p, 0x1234);
	put16(p, 0x8180);
	put16(p, qd);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
}

static void question(struct pkt *p, const char *name, unsigned type,
                     unsigned class)
{
	put_name(p, name);
	put16(p, type);
	put16(p, class);
}

/* The fixed part of a record; returns the offset of its RDLENGTH. */
static size_t rr_head(struct pkt *p, const char *owner, unsigned type)
{
	size_t at;

	put_name(p, owner);
	put16(p, type);
	put16(p, 1);
	put32(p, 300);
	at = p->n;
	put16(p, 0);
	return at;
}

static void rr_end(struct pkt *p, size_t at)
{
	size_t len = p->n - at - 2;

	p->b[at] = (uint8_t)(len >> 8);
	p->b[at + 1] = (uint8_t)(len & 0xff);
}

static void tlsa(struct pkt *p, const char *owner)
{
	size_t at = rr_head(p, owner, T_TLSA);

	put8(p, 3);
	put8(p, 1);
	put8(p, 1);
	for (int i = 0; i < 32; i++)
		put8(p, (unsigned)i);
	rr_end(p, at);
}

/* An RRSIG record; returns the offset where it starts. */
static size_t rrsig(struct pkt *p, const char *owner, unsigned covered,
                    unsigned labels)
{
	size_t start = p->n, at = rr_head(p, owner, T_RRSIG);

	put16(p, covered);
	put8(p, 13);
	put8(p, labels);
	put32(p, 300);
	put32(p, 2000000000ul);
	put32(p, 1700000000ul);
	put16(p, 4242);
	put_name(p, "ex.test");
	for (int i = 0; i < 64; i++)
		put8(p, 0xA5);
	rr_end(p, at);
	return start;
}

static void cname(struct pkt *p, const char *owner, const char *target)
{
	size_t at = rr_head(p, owner, T_CNAME);

	put_name(p, target);
	rr_end(p, at);
}

/* An RR of type with rdlen octets of RDATA (all 0x00). */
static void raw_rr(struct pkt *p, const char *owner, unsigned type,
                   size_t rdlen)
{
	size_t at = rr_head(p, owner, type);

	for (size_t i = 0; i < rdlen; i++)
		put8(p, 0);
	rr_end(p, at);
}

/* ---- the cases ------------------------------------------------------------ */

#define QU  "alice._user.ex.test"
#define QD  "_user.sub.ex.test"
#define Q12 "@12" /* the question's name */

/* A TLSA RRset at the question's name, signed with labels. */
static size_t answer(struct pkt *p, const char *q, unsigned labels)
{
	hdr(p, 1, 2, 0, 0);
	question(p, q, T_TLSA, 1);
	tlsa(p, Q12);
	return rrsig(p, Q12, T_TLSA, labels);
}

static void b_plain(struct pkt *p)
{
	(void)answer(p, QU, 4);
}

static void b_user_wildcard(struct pkt *p)
{
	(void)answer(p, QU, 3);
}

static void b_domain_wildcard(struct pkt *p)
{
	(void)answer(p, QD, 2);
}

static void b_literal_wildcard(struct pkt *p)
{
	(void)answer(p, "*._user.ex.test", 3);
}

static void b_root_wildcard(struct pkt *p)
{
	(void)answer(p, "a.test", 0);
}

static void b_uncompressed_owner(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, QU);
	rrsig(p, QU, T_TLSA, 4);
}

/* Names compare without regard to ASCII case. */
static void b_case(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, "Alice._USER.Ex.Test", T_TLSA, 1);
	tlsa(p, QU);
	rrsig(p, "ALICE._user.EX.test", T_TLSA, 4);
}

/* Two signatures (two keys), one of them over an expansion. */
static void b_two_sigs_one_wild(struct pkt *p)
{
	hdr(p, 1, 3, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	rrsig(p, Q12, T_TLSA, 4);
	rrsig(p, Q12, T_TLSA, 3);
}

/* _user.a.ex.test CNAME _user.b.ex.test, both signed as themselves. */
static void b_cname_plain(struct pkt *p)
{
	hdr(p, 1, 4, 0, 0);
	question(p, "_user.a.ex.test", T_TLSA, 1);
	cname(p, Q12, "_user.b.ex.test");
	rrsig(p, Q12, T_CNAME, 4);
	tlsa(p, "_user.b.ex.test");
	rrsig(p, "_user.b.ex.test", T_TLSA, 4);
}

/* A compressed CNAME target ("_user.b." + the question's "ex.test"). */
static void b_cname_compressed(struct pkt *p)
{
	hdr(p, 1, 4, 0, 0);
	question(p, "_user.a.ex.test", T_TLSA, 1);
	cname(p, Q12, "_user.b.@20");
	rrsig(p, Q12, T_CNAME, 4);
	tlsa(p, "_user.b.ex.test");
	rrsig(p, "_user.b.ex.test", T_TLSA, 4);
}

/* The CNAME was expanded from *.a.ex.test. */
static void b_cname_wild(struct pkt *p)
{
	hdr(p, 1, 4, 0, 0);
	question(p, "_user.x.a.ex.test", T_TLSA, 1);
	cname(p, Q12, "_user.ex.test");
	rrsig(p, Q12, T_CNAME, 3);
	tlsa(p, "_user.ex.test");
	rrsig(p, "_user.ex.test", T_TLSA, 3);
}

/* A plain CNAME to a TLSA RRset expanded from *.ex.test. */
static void b_cname_to_wild(struct pkt *p)
{
	hdr(p, 1, 4, 0, 0);
	question(p, "_user.c.ex.test", T_TLSA, 1);
	cname(p, Q12, QD);
	rrsig(p, Q12, T_CNAME, 4);
	tlsa(p, QD);
	rrsig(p, QD, T_TLSA, 2);
}

/* Authority (NSEC of a wildcard proof, signed) and additional (OPT). */
static void b_sections(struct pkt *p)
{
	hdr(p, 1, 2, 2, 1);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	rrsig(p, Q12, T_TLSA, 3);
	raw_rr(p, "_user.ex.test", T_NSEC, 12);
	rrsig(p, "_user.ex.test", T_NSEC, 3);
	raw_rr(p, "", T_OPT, 0);
}

/* A name of 255 octets in wire form: labels of 63, 63, 63 and n. */
static void long_name(char *buf, size_t len, size_t last)
{
	char a[64];

	memset(a, 'a', 63);
	a[63] = '\0';
	snprintf(buf, len, "%s.%s.%s.%.*s", a, a, a, (int)last, a);
}

static void b_name_255(struct pkt *p)
{
	char n[300];

	long_name(n, sizeof n, 61);
	(void)answer(p, n, 4);
}

static void b_name_256(struct pkt *p)
{
	char n[300];

	long_name(n, sizeof n, 62);
	(void)answer(p, n, 4);
}

static void b_label_64(struct pkt *p)
{
	char n[100];

	memset(n, 'b', 64);
	snprintf(n + 64, sizeof n - 64, ".ex.test");
	(void)answer(p, n, 3);
}

/* Extended label types (0x40, 0x80) in an owner name. */
static void b_label_type(struct pkt *p, unsigned bits)
{
	b_plain(p);
	p->b[12] |= (uint8_t)bits; /* the question's first length octet */
}

static void b_label_0x40(struct pkt *p)
{
	b_label_type(p, 0x40);
}

static void b_label_0x80(struct pkt *p)
{
	b_label_type(p, 0x80);
}

/*
 * hops pointers in a row: a TLSA record's data holds a root octet and
 * pointers each to the one before; an A record in the additional section
 * is owned by a pointer to the last, so its name takes hops + 1 pointers.
 */
static void b_hops(struct pkt *p, unsigned hops)
{
	size_t at, t0;

	hdr(p, 1, 2, 0, 1);
	question(p, QU, T_TLSA, 1);
	at = rr_head(p, Q12, T_TLSA);
	put8(p, 3);
	put8(p, 1);
	put8(p, 0);
	t0 = p->n;
	put8(p, 0);
	put16(p, 0xC000u | (unsigned)t0);
	for (unsigned i = 1; i < hops; i++)
		put16(p, 0xC000u | (unsigned)(p->n - 2));
	rr_end(p, at);
	(void)rrsig(p, Q12, T_TLSA, 4);
	put16(p, 0xC000u | (unsigned)(t0 + 1 + 2 * (size_t)(hops - 1)));
	put16(p, T_A);
	put16(p, 1);
	put32(p, 300);
	put16(p, 4);
	put32(p, 0x7f000001ul);
}

static void b_hops_127(struct pkt *p)
{
	b_hops(p, 127); /* 128 pointers in the name */
}

static void b_hops_128(struct pkt *p)
{
	b_hops(p, 128); /* 129 */
}

/* ---- malformed ---------------------------------------------------------- */

static void b_empty(struct pkt *p)
{
	p->n = 0;
}

static void b_header_only(struct pkt *p)
{
	hdr(p, 0, 0, 0, 0);
}

static void b_two_questions(struct pkt *p)
{
	hdr(p, 2, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	rrsig(p, Q12, T_TLSA, 4);
}

static void b_qtype_a(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_A, 1);
	tlsa(p, Q12);
	rrsig(p, Q12, T_TLSA, 4);
}

static void b_qclass_ch(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 3);
	tlsa(p, Q12);
	rrsig(p, Q12, T_TLSA, 4);
}

static void b_no_rrsig(struct pkt *p)
{
	hdr(p, 1, 1, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
}

/* The only RRSIG over TLSA is at another name. */
static void b_rrsig_elsewhere(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	rrsig(p, "bob._user.ex.test", T_TLSA, 4);
}

/* The only RRSIG at the name covers another type. */
static void b_rrsig_other_type(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	rrsig(p, Q12, T_A, 4);
}

static void b_labels_over(struct pkt *p)
{
	(void)answer(p, QU, 5);
}

static void b_rrsig_short(struct pkt *p)
{
	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	raw_rr(p, Q12, T_RRSIG, 17);
}

/* A chain out of order: b -> c listed before a -> b. The chain read in
 * order ends at b, where nothing signs a TLSA RRset. */
static void b_chain_out_of_order(struct pkt *p)
{
	hdr(p, 1, 4, 0, 0);
	question(p, "_user.a.ex.test", T_TLSA, 1);
	cname(p, "_user.b.ex.test", "_user.c.ex.test");
	cname(p, Q12, "_user.b.ex.test");
	tlsa(p, "_user.c.ex.test");
	rrsig(p, "_user.c.ex.test", T_TLSA, 4);
}

/* A CNAME whose RDATA holds a name and one more octet. */
static void b_cname_trailing(struct pkt *p)
{
	size_t at;

	hdr(p, 1, 3, 0, 0);
	question(p, "_user.a.ex.test", T_TLSA, 1);
	at = rr_head(p, Q12, T_CNAME);
	put_name(p, "_user.b.ex.test");
	put8(p, 0);
	rr_end(p, at);
	tlsa(p, "_user.b.ex.test");
	rrsig(p, "_user.b.ex.test", T_TLSA, 4);
}

/* A CNAME whose target runs past its RDATA (RDLENGTH 3). */
static void b_cname_overrun(struct pkt *p)
{
	size_t at;

	hdr(p, 1, 3, 0, 0);
	question(p, "_user.a.ex.test", T_TLSA, 1);
	at = rr_head(p, Q12, T_CNAME);
	put_name(p, "_user.b.ex.test");
	p->b[at] = 0;
	p->b[at + 1] = 3;
	tlsa(p, "_user.b.ex.test");
	rrsig(p, "_user.b.ex.test", T_TLSA, 4);
}

static void b_counts_over(struct pkt *p)
{
	b_plain(p);
	p->b[7] = 5; /* ANCOUNT 5, two records */
}

static void b_arcount_over(struct pkt *p)
{
	b_plain(p);
	p->b[11] = 1;
}

static void b_trailing(struct pkt *p)
{
	b_plain(p);
	put8(p, 0);
}

/* The RRSIG's RDLENGTH one more than there is. */
static void b_rdlength_past_end(struct pkt *p)
{
	size_t at = answer(p, QU, 4);

	p->b[at + 11]++; /* owner (2), type, class, TTL, RDLENGTH low */
}

/* A record owned by a pointer to the octet the pointer is at. */
static void b_ptr_self(struct pkt *p)
{
	size_t at;

	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	at = p->n;
	put16(p, 0xC000u | (unsigned)at);
	put16(p, T_A);
	put16(p, 1);
	put32(p, 300);
	put16(p, 0);
}

/* A label, then a pointer back to that label: a cycle. */
static void b_ptr_cycle(struct pkt *p)
{
	size_t at;

	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	tlsa(p, Q12);
	at = p->n;
	put8(p, 1);
	put8(p, 'x');
	put16(p, 0xC000u | (unsigned)at);
	put16(p, T_RRSIG);
	put16(p, 1);
	put32(p, 300);
	put16(p, 0);
}

/* Two pointers to each other (through a TLSA record's data). */
static void b_ptr_pair(struct pkt *p)
{
	size_t at, a;

	hdr(p, 1, 2, 0, 0);
	question(p, QU, T_TLSA, 1);
	at = rr_head(p, Q12, T_TLSA);
	put8(p, 3);
	put8(p, 1);
	put8(p, 0);
	a = p->n;
	put16(p, 0xC000u | (unsigned)(a + 2));
	put16(p, 0xC000u | (unsigned)a);
	rr_end(p, at);
	put16(p, 0xC000u | (unsigned)(a + 2));
	put16(p, T_A);
	put16(p, 1);
	put32(p, 300);
	put16(p, 0);
}

/* The RRSIG's owner: a pointer forward, within the packet. */
static void b_ptr_forward(struct pkt *p)
{
	size_t at = answer(p, QU, 4);

	p->b[at + 1] = (uint8_t)(at + 20);
}

/* The RRSIG's owner: a pointer to 0x3fff, past the end. */
static void b_ptr_out_of_range(struct pkt *p)
{
	size_t at = answer(p, QU, 4);

	p->b[at] = 0xff;
	p->b[at + 1] = 0xff;
}

static void b_ptr_truncated(struct pkt *p)
{
	hdr(p, 1, 0, 0, 0);
	put8(p, 0xC0);
}

struct wcase {
	const char *name;
	void (*build)(struct pkt *);
	int r;
	int found;
	const char *source; /* the wildcard, when found */
	unsigned type;      /* covered by the RRSIG that showed it */
	int literal;
};

static const struct wcase cases[] = {
        {"plain", b_plain, OK, 0, NULL, 0, 0},
        {"owner uncompressed", b_uncompressed_owner, OK, 0, NULL, 0, 0},
        {"case differs", b_case, OK, 0, NULL, 0, 0},
        {"CNAME chain", b_cname_plain, OK, 0, NULL, 0, 0},
        {"CNAME target compressed", b_cname_compressed, OK, 0, NULL, 0, 0},
        {"name of 255 octets", b_name_255, OK, 0, NULL, 0, 0},
        {"128 pointers in a name", b_hops_127, OK, 0, NULL, 0, 0},
        {"per-user wildcard", b_user_wildcard, OK, 1, "*._user.ex.test", T_TLSA,
         0},
        {"domain wildcard", b_domain_wildcard, OK, 1, "*.ex.test", T_TLSA, 0},
        {"the wildcard itself", b_literal_wildcard, OK, 1, "*._user.ex.test",
         T_TLSA, 1},
        {"wildcard at the root", b_root_wildcard, OK, 1, "*", T_TLSA, 0},
        {"one of two RRSIGs expanded", b_two_sigs_one_wild, OK, 1,
         "*._user.ex.test", T_TLSA, 0},
        {"CNAME expanded", b_cname_wild, OK, 1, "*.a.ex.test", T_CNAME, 0},
        {"CNAME to an expansion", b_cname_to_wild, OK, 1, "*.ex.test", T_TLSA,
         0},
        {"authority and additional", b_sections, OK, 1, "*._user.ex.test",
         T_TLSA, 0},
        {"empty", b_empty, BAD, 0, NULL, 0, 0},
        {"header only", b_header_only, BAD, 0, NULL, 0, 0},
        {"two questions", b_two_questions, BAD, 0, NULL, 0, 0},
        {"question type A", b_qtype_a, BAD, 0, NULL, 0, 0},
        {"question class CH", b_qclass_ch, BAD, 0, NULL, 0, 0},
        {"no RRSIG", b_no_rrsig, BAD, 0, NULL, 0, 0},
        {"RRSIG at another name", b_rrsig_elsewhere, BAD, 0, NULL, 0, 0},
        {"RRSIG over another type", b_rrsig_other_type, BAD, 0, NULL, 0, 0},
        {"RRSIG labels over the owner's", b_labels_over, BAD, 0, NULL, 0, 0},
        {"RRSIG RDATA of 17 octets", b_rrsig_short, BAD, 0, NULL, 0, 0},
        {"CNAME chain out of order", b_chain_out_of_order, BAD, 0, NULL, 0, 0},
        {"CNAME RDATA with an octet more", b_cname_trailing, BAD, 0, NULL, 0,
         0},
        {"CNAME target past its RDATA", b_cname_overrun, BAD, 0, NULL, 0, 0},
        {"ANCOUNT over the records", b_counts_over, BAD, 0, NULL, 0, 0},
        {"ARCOUNT over the records", b_arcount_over, BAD, 0, NULL, 0, 0},
        {"octet after the last record", b_trailing, BAD, 0, NULL, 0, 0},
        {"RDLENGTH past the end", b_rdlength_past_end, BAD, 0, NULL, 0, 0},
        {"name of 256 octets", b_name_256, BAD, 0, NULL, 0, 0},
        {"label of 64 octets", b_label_64, BAD, 0, NULL, 0, 0},
        {"label type 0x40", b_label_0x40, BAD, 0, NULL, 0, 0},
        {"label type 0x80", b_label_0x80, BAD, 0, NULL, 0, 0},
        {"129 pointers in a name", b_hops_128, BAD, 0, NULL, 0, 0},
        {"pointer to itself", b_ptr_self, BAD, 0, NULL, 0, 0},
        {"label and pointer back to it", b_ptr_cycle, BAD, 0, NULL, 0, 0},
        {"two pointers to each other", b_ptr_pair, BAD, 0, NULL, 0, 0},
        {"pointer forward", b_ptr_forward, BAD, 0, NULL, 0, 0},
        {"pointer out of range", b_ptr_out_of_range, BAD, 0, NULL, 0, 0},
        {"pointer cut in half", b_ptr_truncated, BAD, 0, NULL, 0, 0},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Run the reader on a copy of exactly len octets (NULL when 0). */
static int run(const uint8_t *msg, size_t len, struct dance_wire_wildcard *w)
{
	uint8_t *copy = NULL;
	int r;

	if (len > 0) {
		cr_assert_not_null(copy = malloc(len));
		memcpy(copy, msg, len);
	}
	r = dance_wire_wildcard(copy, len, T_TLSA, w);
	free(copy);
	cr_assert(r == DANCE_OK || r == DANCE_ERR_PARSE, "returned %d", r);
	cr_assert_not_null(w->why);
	if (r == DANCE_OK)
		cr_assert_str_empty(w->why);
	else
		cr_assert(w->why[0] != '\0' && !w->found, "PARSE with found");
	return r;
}

static void check_case(const struct wcase *c, const uint8_t *msg, size_t len)
{
	struct dance_wire_wildcard w;
	int r = run(msg, len, &w);

	cr_expect_eq(r, c->r, "%s: returned %d (%s), want %d", c->name, r,
	             w.why, c->r);
	cr_expect_eq(w.found, c->found, "%s: found %d", c->name, w.found);
	if (c->found && w.found) {
		cr_expect_str_eq(w.source, c->source, "%s", c->name);
		cr_expect_eq(w.type, c->type, "%s: type %u", c->name, w.type);
		cr_expect_eq(w.literal, c->literal, "%s", c->name);
	}
}

Test(wire, table)
{
	size_t good = 0, bad = 0;

	for (size_t i = 0; i < N_CASES; i++) {
		struct pkt p;
		cases[i].build(&p);
		check_case(&cases[i], p.b, p.n);
		if (cases[i].r == DANCE_OK)
			good++;
		else
			bad++;
	}
	cr_expect_geq(bad, good, "fewer negative than positive cases");
}

/* A good packet followed by zeros up to 65536 octets: longer than any DNS
 * message (and trailing octets besides). */
Test(wire, over_65535_octets)
{
	struct dance_wire_wildcard w;
	struct pkt p;
	uint8_t *big = calloc(1, 65536);

	cr_assert_not_null(big);
	b_plain(&p);
	memcpy(big, p.b, p.n);
	cr_expect_eq(run(big, 65536, &w), DANCE_ERR_PARSE);
	cr_expect_eq(run(big, p.n, &w), DANCE_OK);
	free(big);
}

Test(wire, null_message)
{
	struct dance_wire_wildcard w;

	cr_expect_eq(dance_wire_wildcard(NULL, 0, T_TLSA, &w), DANCE_ERR_PARSE);
	cr_expect_eq(dance_wire_wildcard(NULL, 100, T_TLSA, &w),
	             DANCE_ERR_PARSE);
	cr_expect_eq(w.found, 0);
}

/* Every good packet cut at every length: refused, never read past. */
Test(wire, truncated_everywhere)
{
	for (size_t i = 0; i < N_CASES; i++) {
		struct pkt p;
		if (cases[i].r != DANCE_OK)
			continue;
		cases[i].build(&p);
		for (size_t n = 0; n < p.n; n++) {
			struct dance_wire_wildcard w;
			cr_expect_eq(run(p.b, n, &w), DANCE_ERR_PARSE,
			             "%s cut to %zu of %zu octets",
			             cases[i].name, n, p.n);
		}
	}
}

/* Every bit of every good packet flipped: whatever the outcome, no read
 * past the buffer, and a refusal never says found. */
Test(wire, bit_flips)
{
	size_t refused = 0, runs = 0;

	for (size_t i = 0; i < N_CASES; i++) {
		struct pkt p;
		if (cases[i].r != DANCE_OK)
			continue;
		cases[i].build(&p);
		for (size_t bit = 0; bit < 8 * p.n; bit++) {
			struct dance_wire_wildcard w;
			p.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			refused += run(p.b, p.n, &w) != DANCE_OK;
			p.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			runs++;
		}
	}
	cr_expect_gt(refused, runs / 10, "%zu of %zu flips refused", refused,
	             runs);
}

/* ---- real answers: the hermetic set-up ------------------------------------ */

struct real_case {
	const char *name;
	int found;
	const char *source;
	unsigned type;
};

static const struct real_case real[] = {
        {"_user.good.test", 0, NULL, 0},
        {"_user.alias.good.test", 0, NULL, 0},
        {"alice._user.good.test", 0, NULL, 0},
        {"bob._user.other.test", 0, NULL, 0},
        {"_user.wild.test", 0, NULL, 0},
        {"carol._user.wild.test", 0, NULL, 0},
        {"alice._user.wild.test", 1, "*._user.wild.test", T_TLSA},
        {"bob._user.wild.test", 1, "*._user.wild.test", T_TLSA},
        {"*._user.wild.test", 1, "*._user.wild.test", T_TLSA},
        {"_user.sub.wild.test", 1, "*.wild.test", T_TLSA},
        {"_user.x.alias.wild.test", 1, "*.alias.wild.test", T_CNAME},
        {"_user.cname.wild.test", 1, "*.wild.test", T_TLSA},
};

static struct ub_ctx *hermetic(void)
{
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);
	struct ub_ctx *ctx;

	cr_assert_not_null(conf, "no fixtures");
	cr_assert_not_null(ctx = rig_ub_ctx(conf));
	return ctx;
}

/* Each name twice: resolved, then from libunbound's own cache (which
 * must hand back the RRSIGs just the same). */
Test(wire, real_answers)
{
	struct ub_ctx *ctx = hermetic();
	const size_t nreal = sizeof real / sizeof real[0];

	for (size_t i = 0; i < 2 * nreal; i++) {
		const struct real_case *c = &real[i % nreal];
		struct ub_result *res = NULL;
		struct dance_wire_wildcard w;
		const uint8_t *msg;
		size_t len;
		int r;

		cr_assert_eq(ub_resolve(ctx, c->name, T_TLSA, 1, &res), 0);
		cr_assert(res->secure && res->havedata, "%s: not secure data",
		          c->name);
		msg = res->answer_packet;
		len = (size_t)res->answer_len;
		r = run(msg, len, &w);
		cr_expect_eq(r, DANCE_OK, "%s: %s", c->name, w.why);
		cr_expect_eq(w.found, c->found, "%s: found %d (%s)", c->name,
		             w.found, w.source);
		if (c->found && w.found) {
			cr_expect_str_eq(w.source, c->source, "%s", c->name);
			cr_expect_eq(w.type, c->type, "%s", c->name);
		}
		for (size_t n = 0; n < len; n++)
			cr_expect_eq(run(msg, n, &w), DANCE_ERR_PARSE,
			             "%s cut to %zu", c->name, n);
		ub_resolve_free(res);
	}
	ub_ctx_delete(ctx);
}

/* A secure denial carries no RRSIG over TLSA in its answer section: not
 * something to read, and the DNS layer never asks (secure-none). */
Test(wire, real_denial_proves_nothing)
{
	struct ub_ctx *ctx = hermetic();
	struct ub_result *res = NULL;
	struct dance_wire_wildcard w;

	cr_assert_eq(
	        ub_resolve(ctx, "_user.nxdomain.good.test", T_TLSA, 1, &res),
	        0);
	cr_assert(res->secure && !res->havedata);
	cr_expect_eq(run(res->answer_packet, (size_t)res->answer_len, &w),
	             DANCE_ERR_PARSE);
	ub_resolve_free(res);
	ub_ctx_delete(ctx);
}
