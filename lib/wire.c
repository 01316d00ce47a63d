/*
 * wire.c -- a small, bounded reader of DNS messages in wire form (RFC 1035
 * section 4), for one question only: was the validated answer to a query
 * synthesised from a wildcard owner name (RFC 4035 section 5.3.2)?
 *
 * libunbound validates the answer; it does not say whether a wildcard
 * produced it. The answer packet it hands back (ub_result.answer_packet)
 * carries the RRSIGs of the answer section, and an RRSIG's Labels field
 * counts the labels of the owner name the signature was made over, the
 * leading "*" not counted. An RRset whose owner has more labels than that
 * (not counting a leading "*" either) was expanded from a wildcard; an
 * owner whose first label is "*" is the wildcard itself.
 *
 * dance_wire_wildcard() reads the whole message and requires:
 *   - a 12-octet header, exactly one question of the asked type, class IN;
 *   - every resource record of every section within the message, RDATA
 *     within the message, nothing left over after the last one;
 *   - names of at most 255 octets with labels of at most 63 (no extended
 *     label types); compression pointers only backwards, each to an offset
 *     before the start of the part of the name it ends, at most MAX_HOPS
 *     of them per name: a pointer to itself, to a later octet or round a
 *     cycle fails, so no loop can run;
 *   - a name inside RDATA (a CNAME's target) that fills the RDATA exactly;
 *   - the chain of CNAMEs of the answer section followed in order from the
 *     question's name, and at least one RRSIG over the asked type at the
 *     name the chain ends at (otherwise nothing proves the answer was not
 *     synthesised: refused);
 *   - every RRSIG of the answer section with a Labels field no larger than
 *     its owner's label count.
 * Any RRSIG of the answer section whose owner is a wildcard expansion or a
 * wildcard (an expanded CNAME of the chain as well as the final RRset)
 * sets found. Anything malformed is DANCE_ERR_PARSE: the caller then
 * treats the answer as not proven free of wildcards.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define HEADER_LEN  12
#define MSG_MAX     65535
#define NAME_MAX_W  255 /* octets of a name in wire form */
#define LABEL_MAX   63
#define T_CNAME     5
#define T_RRSIG     46
#define C_IN        1
#define RRSIG_FIXED 18  /* RRSIG RDATA before the signer's name */
#define MAX_HOPS    128 /* compression pointers in one name */

/* A name in wire form, lowercase ASCII, with its label count (the root
 * not counted). */
struct wname {
	uint8_t o[NAME_MAX_W];
	size_t len;
	unsigned labels;
};

/* A resource record's fixed part and where its RDATA lies. */
struct rr {
	struct wname owner;
	uint16_t type;
	uint16_t class;
	size_t rdata, rdlen; /* offset and length of the RDATA */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Append one label (len octets at src) to n. -1 if the name grows too
 * long. */
static int add_label(struct wname *n, const uint8_t *src, size_t len)
{
	if (n->len + 1 + len > NAME_MAX_W - 1) /* room for the root octet */
		return -1;
	n->o[n->len++] = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		n->o[n->len++] = lower(src[i]);
	n->labels++;
	return 0;
}

/*
 * Read the name at *pos. Its own octets (up to its end or its first
 * pointer) must lie before limit, what pointers lead to before len; each
 * pointer must lead before the start of the part of the name it ends, so
 * the parts start ever earlier and no cycle can be followed. On success
 * *pos is past the name's own octets. -1 on any violation.
 */
static int read_name(const uint8_t *m, size_t len, size_t *pos, size_t limit,
                     struct wname *n)
{
	size_t p = *pos, start, bound = limit, end = 0;
	unsigned hops = 0;

	start = p;
	memset(n, 0, sizeof *n);
	for (;;) {
		uint8_t c;

		if (p >= bound)
			return -1;
		c = m[p];
		if (c == 0)
			break;
		if ((c & 0xC0) == 0xC0) {
			size_t target;
			if (p + 1 >= bound || ++hops > MAX_HOPS)
				return -1;
			target = (size_t)(c & 0x3F) << 8 | m[p + 1];
			if (end == 0)
				end = p + 2;
			if (target >= start) /* only backwards, never round */
				return -1;
			p = start = target;
			bound = len;
			continue;
		}
		if ((c & 0xC0) != 0 || c > LABEL_MAX || p + 1 + c > bound ||
		    add_label(n, m + p + 1, c) != 0)
			return -1;
		p += 1 + (size_t)c;
	}
	n->o[n->len++] = 0;
	*pos = end != 0 ? end : p + 1;
	return 0;
}

static int name_eq(const struct wname *a, const struct wname *b)
{
	return a->len == b->len && memcmp(a->o, b->o, a->len) == 0;
}

/* Is the first label "*"? */
static int is_wildcard(const struct wname *n)
{
	return n->len >= 2 && n->o[0] == 1 && n->o[1] == '*';
}

/* Read one resource record at *pos (RDATA not interpreted). */
static int read_rr(const uint8_t *m, size_t len, size_t *pos, struct rr *rr)
{
	size_t p = *pos;

	if (read_name(m, len, &p, len, &rr->owner) != 0 || len - p < 10)
		return -1;
	rr->type = get16(m + p);
	rr->class = get16(m + p + 2);
	rr->rdlen = get16(m + p + 8);
	rr->rdata = p + 10;
	if (len - rr->rdata < rr->rdlen)
		return -1;
	*pos = rr->rdata + rr->rdlen;
	return 0;
}

/* The name in wire form without its first skip_labels labels, as text:
 * octets of [a-z0-9_-] as they are, a lone "*" label as "*", other octets
 * as \DDD; "" for the root. */
static void name_text(const struct wname *n, size_t skip_labels, char *buf,
                      size_t buflen)
{
	size_t p = 0, o = 0;

	if (buflen == 0)
		return;
	for (size_t i = 0; i < skip_labels && n->o[p] != 0; i++)
		p += 1 + (size_t)n->o[p];
	buf[0] = '\0';
	for (; p < n->len && n->o[p] != 0; p += 1 + (size_t)n->o[p]) {
		size_t ll = n->o[p];
		for (size_t i = 0; i < ll && o + 5 < buflen; i++) {
			uint8_t c = n->o[p + 1 + i];
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '-' || (c == '*' && ll == 1))
				buf[o++] = (char)c;
			else
				o += (size_t)snprintf(buf + o, buflen - o,
				                      "\\%03u", c);
		}
		if (n->o[p + 1 + ll] != 0 && o + 1 < buflen)
			buf[o++] = '.';
		buf[o] = '\0';
	}
}

/* Record what was found about an RRSIG at owner covering type. */
static void note_found(struct dance_wire_wildcard *out, const struct wname *o,
                       uint16_t type, unsigned labels)
{
	if (out->found)
		return;
	out->found = 1;
	out->type = type;
	out->labels = labels;
	out->owner_labels = o->labels;
	name_text(o, 0, out->owner, sizeof out->owner);
	if (is_wildcard(o)) {
		out->literal = 1;
		dance_fmt(out->source, sizeof out->source, "%s", out->owner);
	} else {
		char rest[DANCE_QNAME_TEXT_MAX + 1];
		name_text(o, o->labels - labels, rest, sizeof rest);
		dance_fmt(out->source, sizeof out->source, "*%s%s",
		          rest[0] != '\0' ? "." : "", rest);
	}
}

/* One RRSIG of the answer section. -1 if malformed. */
static int check_rrsig(const uint8_t *m, const struct rr *rr,
                       const struct wname *final, uint16_t qtype,
                       struct dance_wire_wildcard *out, int *proof)
{
	uint16_t covered;
	unsigned labels, own;

	if (rr->rdlen < RRSIG_FIXED)
		return -1;
	covered = get16(m + rr->rdata);
	labels = m[rr->rdata + 3];
	own = rr->owner.labels - (unsigned)is_wildcard(&rr->owner);
	if (labels > own)
		return -1;
	if (labels < own || is_wildcard(&rr->owner))
		note_found(out, &rr->owner, covered, labels);
	if (covered == qtype && name_eq(&rr->owner, final))
		*proof = 1;
	return 0;
}

/* Follow the CNAME chain of the answer section (in order) from the
 * question's name to the name it ends at. */
static int follow_chain(const uint8_t *m, size_t len, size_t pos, unsigned an,
                        struct wname *cur)
{
	for (unsigned i = 0; i < an; i++) {
		struct rr rr;
		size_t t;

		if (read_rr(m, len, &pos, &rr) != 0)
			return -1;
		if (rr.type != T_CNAME || !name_eq(&rr.owner, cur))
			continue;
		t = rr.rdata;
		if (read_name(m, len, &t, rr.rdata + rr.rdlen, cur) != 0 ||
		    t != rr.rdata + rr.rdlen)
			return -1;
	}
	return 0;
}

static int fail(struct dance_wire_wildcard *out, const char *why)
{
	out->found = 0;
	out->why = why;
	return DANCE_ERR_PARSE;
}

/* Header and question; *pos after the question, *qname its name. */
static int read_question(const uint8_t *m, size_t len, uint16_t qtype,
                         size_t *pos, struct wname *qname)
{
	size_t p = HEADER_LEN;

	if (get16(m + 4) != 1)
		return -1;
	if (read_name(m, len, &p, len, qname) != 0 || len - p < 4 ||
	    get16(m + p) != qtype || get16(m + p + 2) != C_IN)
		return -1;
	*pos = p + 4;
	return 0;
}

int dance_wire_wildcard(const uint8_t *msg, size_t len, uint16_t qtype,
                        struct dance_wire_wildcard *out)
{
	struct wname final;
	size_t pos = 0, p, answers;
	unsigned an, total;
	int proof = 0;

	memset(out, 0, sizeof *out);
	out->why = "";
	if (msg == NULL || len < HEADER_LEN || len > MSG_MAX)
		return fail(out, "no DNS message, or not 12 to 65535 octets");
	if (read_question(msg, len, qtype, &pos, &final) != 0)
		return fail(out, "malformed question section");
	an = get16(msg + 6);
	total = an + get16(msg + 8) + get16(msg + 10);
	answers = pos;
	for (unsigned i = 0; i < total; i++) {
		struct rr rr;
		if (read_rr(msg, len, &pos, &rr) != 0)
			return fail(out, "malformed or truncated record");
	}
	if (pos != len)
		return fail(out, "octets after the last record");
	if (follow_chain(msg, len, answers, an, &final) != 0)
		return fail(out, "malformed CNAME in the answer");
	p = answers;
	for (unsigned i = 0; i < an; i++) {
		struct rr rr;
		if (read_rr(msg, len, &p, &rr) != 0)
			return fail(out, "malformed record");
		if (rr.type == T_RRSIG &&
		    check_rrsig(msg, &rr, &final, qtype, out, &proof) != 0)
			return fail(out, "malformed RRSIG in the answer");
	}
	if (!proof)
		return fail(out, "no RRSIG over the answer at its final name");
	out->why = "";
	return DANCE_OK;
}
