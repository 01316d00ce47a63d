/*
 * tlsa.c -- TLSA records (RFC 6698): RDATA in wire form and in
 * presentation form, the usability rules, and RRsets built from text.
 *
 * Usability (a record that fails is kept, with its problem, never dropped):
 *   RDATA at least 4 octets; usage 0-3, selector 0-1, matching type 0-2;
 *   SHA-256 data exactly 32 octets, SHA-512 exactly 64 (trailing octets
 *   make the length wrong); full data (type 0) not empty -- which the
 *   4-octet minimum already ensures: 3 octets are DANCE_TLSA_SHORT, so
 *   DANCE_TLSA_EMPTY_DATA never comes out of wire RDATA.
 * Whether a usage is acceptable at a given owner name is for the verifier
 * (DANCE_TLSA_NOT_FOR_USERS), not for this file.
 *
 * Presentation form: "owner [ttl] [class] TLSA u s m hex..." as dig prints
 * it, or a bare "u s m hex..."; hex may be split by blanks; a ';' starts a
 * comment.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RDATA_MAX    65535
#define TEXT_TOK_MAX 4096

int dance_tlsa_parse_rdata(const uint8_t *rdata, size_t len,
                           struct dance_tlsa *out)
{
	size_t dlen;

	memset(out, 0, sizeof *out);
	if ((rdata == NULL && len > 0) || len > RDATA_MAX)
		return DANCE_ERR_INVALID_ARG;
	if (len < 4) {
		out->usage = len > 0 ? rdata[0] : 0;
		out->selector = len > 1 ? rdata[1] : 0;
		out->mtype = len > 2 ? rdata[2] : 0;
		out->problem = DANCE_TLSA_SHORT;
		return DANCE_OK;
	}
	out->usage = rdata[0];
	out->selector = rdata[1];
	out->mtype = rdata[2];
	dlen = len - 3;
	if ((out->data = malloc(dlen)) == NULL)
		return DANCE_ERR_NOMEM;
	memcpy(out->data, rdata + 3, dlen);
	out->len = dlen;
	if (out->usage > DANCE_USAGE_DANE_EE)
		out->problem = DANCE_TLSA_BAD_USAGE;
	else if (out->selector > DANCE_SELECTOR_SPKI)
		out->problem = DANCE_TLSA_BAD_SELECTOR;
	else if (out->mtype > DANCE_MTYPE_SHA512)
		out->problem = DANCE_TLSA_BAD_MTYPE;
	else if ((out->mtype == DANCE_MTYPE_SHA256 && dlen != 32) ||
	         (out->mtype == DANCE_MTYPE_SHA512 && dlen != 64))
		out->problem = DANCE_TLSA_BAD_DIGEST_LEN;
	else
		out->problem = DANCE_TLSA_USABLE;
	return DANCE_OK;
}

void dance_tlsa_clear(struct dance_tlsa *t)
{
	if (t == NULL)
		return;
	free(t->data);
	memset(t, 0, sizeof *t);
}

void dance_tlsa_rrset_free(struct dance_tlsa_rrset *rrset)
{
	if (rrset == NULL)
		return;
	for (size_t i = 0; i < rrset->count; i++)
		dance_tlsa_clear(&rrset->records[i]);
	free(rrset->records);
	free(rrset->name);
	free(rrset->reason);
	free(rrset);
}

int dance_tlsa_format(const struct dance_tlsa *t, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789ABCDEF";
	int n;
	size_t need, o;

	n = snprintf(buf, buflen, "%u %u %u", t->usage, t->selector, t->mtype);
	if (n < 0)
		return -1;
	if (t->len > ((size_t)0x7fffffff - (size_t)n - 1) / 2)
		return -1;
	need = (size_t)n + (t->len > 0 ? 1 + 2 * t->len : 0);
	if (buf == NULL || buflen <= need)
		return (int)need;
	o = (size_t)n;
	if (t->len > 0)
		buf[o++] = ' ';
	for (size_t i = 0; i < t->len; i++) {
		buf[o++] = hex[t->data[i] >> 4];
		buf[o++] = hex[t->data[i] & 0xf];
	}
	buf[o] = '\0';
	return (int)need;
}

/* ---- presentation form ------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A field of 0..255 in decimal. */
static int octet(const char *s, uint8_t *out)
{
	unsigned v = 0;

	if (s[0] == '\0' || strlen(s) > 3)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > 255)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

static int is_ttl(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 10 && strspn(s, "0123456789") == n;
}

/* Next blank-separated token of *pp (not modified), as pointer + length;
 * 0 at the end of the line or at a ';' comment. */
static size_t next_tok(const char **pp, const char **tok)
{
	const char *p = *pp;
	size_t n;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '\0' || *p == ';') {
		*pp = p;
		return 0;
	}
	n = strcspn(p, " \t\r\n;");
	*tok = p;
	*pp = p + n;
	return n;
}

static int tok_is(const char *t, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(t, word, n) == 0;
}

/* Copy a token into buf (bounded). -1 if it does not fit. */
static int tok_copy(const char *t, size_t n, char *buf, size_t len)
{
	if (n >= len)
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return 0;
}

/* Find "TLSA" among the first four tokens; skip owner, ttl, class. On
 * return *pp points after "TLSA" (or at the start for a bare line) and
 * owner is filled for a zone-file line ("" for a bare one). */
static int skip_owner(const char **pp, char *owner, size_t olen)
{
	const char *p = *pp, *t[4];
	size_t n[4], k = 0, type = 4;

	owner[0] = '\0';
	for (k = 0; k < 4; k++) {
		if ((n[k] = next_tok(&p, &t[k])) == 0)
			break;
		if (tok_is(t[k], n[k], "TLSA")) {
			type = k;
			break;
		}
	}
	if (type == 4) /* bare line: rewind */
		return 0;
	if (type == 0)
		return -1; /* "TLSA" without an owner */
	for (size_t i = 1; i < type; i++) {
		char tmp[16];
		if (tok_is(t[i], n[i], "IN"))
			continue;
		if (tok_copy(t[i], n[i], tmp, sizeof tmp) == 0 && is_ttl(tmp))
			continue;
		return -1; /* another class, or junk */
	}
	if (type == 3 && (tok_is(t[1], n[1], "IN") == tok_is(t[2], n[2], "IN")))
		return -1; /* need exactly one ttl and one class */
	if (tok_copy(t[0], n[0], owner, olen) != 0)
		return -1;
	*pp = p;
	return 0;
}

/* Read the hex of the rest of the line into rdata[3..]. */
static int read_hex(const char *p, uint8_t *rdata, size_t max, size_t *len)
{
	const char *t;
	size_t n, o = 3;
	int hi = -1;

	while ((n = next_tok(&p, &t)) > 0) {
		for (size_t i = 0; i < n; i++) {
			int v = hexval(t[i]);
			if (v < 0)
				return -1;
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (o >= max)
				return -1;
			rdata[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0 || o == 3)
		return -1; /* odd number of digits, or no data */
	*len = o;
	return 0;
}

int dance_tlsa_parse_text(const char *line, struct dance_tlsa *out,
                          char **owner_out)
{
	char owner[DANCE_QNAME_TEXT_MAX + 1], field[8], *canon = NULL;
	uint8_t *rdata = NULL;
	const char *p = line, *t;
	size_t n, len = 0;
	int r = DANCE_ERR_PARSE;

	memset(out, 0, sizeof *out);
	if (owner_out != NULL)
		*owner_out = NULL;
	if (strlen(line) > 2 * RDATA_MAX + DANCE_QNAME_TEXT_MAX + 64)
		goto out;
	if (skip_owner(&p, owner, sizeof owner) != 0)
		goto out;
	if ((rdata = malloc(RDATA_MAX)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < 3; i++) {
		if ((n = next_tok(&p, &t)) == 0 ||
		    tok_copy(t, n, field, sizeof field) != 0 ||
		    octet(field, &rdata[i]) != 0)
			goto out;
	}
	if (read_hex(p, rdata, RDATA_MAX, &len) != 0)
		goto out;
	if (owner[0] != '\0' &&
	    dance_qname_canon(owner, &canon, NULL) != DANCE_OK)
		goto out;
	if ((r = dance_tlsa_parse_rdata(rdata, len, out)) != DANCE_OK)
		goto out;
	if (owner_out != NULL) {
		*owner_out = canon;
		canon = NULL;
	}
out:
	free(rdata);
	free(canon);
	return r;
}

/* ---- RRsets from text -------------------------------------------------- */

static int add_record(struct dance_tlsa_rrset *rs, struct dance_tlsa *t)
{
	struct dance_tlsa *nr;

	nr = realloc(rs->records, (rs->count + 1) * sizeof *nr);
	if (nr == NULL)
		return DANCE_ERR_NOMEM;
	rs->records = nr;
	rs->records[rs->count++] = *t;
	memset(t, 0, sizeof *t);
	return DANCE_OK;
}

/* Is the line blank or a comment only? */
static int skip_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
			continue;
		return s[i] == '#' || s[i] == ';';
	}
	return 1;
}

/* Parse one line of text into rs, checking its owner against rs->name. */
static int rrset_line(struct dance_tlsa_rrset *rs, const char *line,
                      size_t lineno, char *errbuf, size_t errlen)
{
	struct dance_tlsa t;
	char *owner = NULL;
	int r;

	r = dance_tlsa_parse_text(line, &t, &owner);
	if (r == DANCE_ERR_PARSE) {
		dance_fmt(errbuf, errlen, "line %zu: not a TLSA record",
		          lineno);
		goto out;
	}
	if (r != DANCE_OK)
		goto out;
	if (owner != NULL && rs->name == NULL) {
		rs->name = owner;
		owner = NULL;
	} else if (owner != NULL && strcmp(owner, rs->name) != 0) {
		dance_fmt(errbuf, errlen, "line %zu: owner %s is not %s",
		          lineno, owner, rs->name);
		r = DANCE_ERR_PARSE;
		goto out;
	}
	r = add_record(rs, &t);
out:
	dance_tlsa_clear(&t);
	free(owner);
	return r;
}

int dance_tlsa_rrset_from_text(const char *name, const char *text, uint32_t ttl,
                               struct dance_tlsa_rrset **out, char *errbuf,
                               size_t errlen)
{
	struct dance_tlsa_rrset *rs = NULL;
	char *line = NULL;
	size_t lineno = 0;
	int r = DANCE_ERR_NOMEM;

	*out = NULL;
	dance_fmt(errbuf, errlen, "%s", "");
	if ((rs = calloc(1, sizeof *rs)) == NULL)
		goto out;
	rs->rcode = 0;
	if (name != NULL &&
	    (r = dance_qname_canon(name, &rs->name, NULL)) != DANCE_OK) {
		dance_fmt(errbuf, errlen, "invalid name '%.64s'", name);
		goto out;
	}
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		lineno++;
		if (!skip_line(p, n)) {
			if ((line = strndup(p, n)) == NULL) {
				r = DANCE_ERR_NOMEM;
				goto out;
			}
			r = rrset_line(rs, line, lineno, errbuf, errlen);
			free(line);
			line = NULL;
			if (r != DANCE_OK)
				goto out;
		}
		p += n + (p[n] == '\n');
	}
	if (rs->count == 0) {
		dance_fmt(errbuf, errlen, "no TLSA record");
		r = DANCE_ERR_PARSE;
		goto out;
	}
	if ((rs->reason = strdup("records given as text")) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	rs->dns_class = DANCE_DNS_SECURE;
	rs->ttl = ttl;
	rs->expires = time(NULL) + (time_t)ttl;
	*out = rs;
	rs = NULL;
	r = DANCE_OK;
out:
	dance_tlsa_rrset_free(rs);
	return r;
}
