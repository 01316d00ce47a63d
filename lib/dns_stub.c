/*
 * dns_stub.c -- TEMPORARY weak stand-ins for the TLSA parsing and lookup
 * functions that the DNS-layer work (branch dns) provides, so that the
 * verification code links and its offline tests run before that lands.
 * Every definition is weak: the real ones win when both are linked.
 * DELETE this file once branch dns is merged.
 */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define WEAK __attribute__((weak))

WEAK void dance_tlsa_clear(struct dance_tlsa *t)
{
	if (t == NULL)
		return;
	free(t->data);
	memset(t, 0, sizeof *t);
}

WEAK void dance_tlsa_rrset_free(struct dance_tlsa_rrset *rrset)
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

static void judge(struct dance_tlsa *t)
{
	if (t->usage > 3)
		t->problem = DANCE_TLSA_BAD_USAGE;
	else if (t->selector > 1)
		t->problem = DANCE_TLSA_BAD_SELECTOR;
	else if (t->mtype > 2)
		t->problem = DANCE_TLSA_BAD_MTYPE;
	else if ((t->mtype == 1 && t->len != 32) ||
	         (t->mtype == 2 && t->len != 64))
		t->problem = DANCE_TLSA_BAD_DIGEST_LEN;
	else if (t->len == 0)
		t->problem = DANCE_TLSA_EMPTY_DATA;
	else
		t->problem = DANCE_TLSA_USABLE;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

WEAK int dance_tlsa_parse_text(const char *line, struct dance_tlsa *out,
                               char **owner_out)
{
	char *copy = NULL, *tok[64], *save = NULL, *hex = NULL, *owner = NULL;
	size_t ntok = 0, i = 0, hl = 0;
	unsigned long v[3];
	int r = DANCE_ERR_PARSE;

	memset(out, 0, sizeof *out);
	if (owner_out != NULL)
		*owner_out = NULL;
	if ((copy = strdup(line)) == NULL)
		return DANCE_ERR_NOMEM;
	for (char *p = strtok_r(copy, " \t\r\n", &save); p && ntok < 64;
	     p = strtok_r(NULL, " \t\r\n", &save))
		tok[ntok++] = p;
	if (ntok >= 4 && !is_number(tok[0])) {
		owner = tok[0];
		i = 1;
		while (i < ntok && strcasecmp(tok[i], "TLSA") != 0)
			i++;
		if (i >= ntok)
			goto out;
		i++;
	}
	if (ntok < i + 4)
		goto out;
	for (int k = 0; k < 3; k++) {
		if (!is_number(tok[i + (size_t)k]))
			goto out;
		v[k] = strtoul(tok[i + (size_t)k], NULL, 10);
		if (v[k] > 255)
			goto out;
	}
	for (size_t k = i + 3; k < ntok; k++)
		hl += strlen(tok[k]);
	if (hl % 2 != 0 || (hex = malloc(hl / 2 + 1)) == NULL)
		goto out;
	hl = 0;
	for (size_t k = i + 3; k < ntok; k++)
		for (const char *h = tok[k]; h[0]; h += 2) {
			int a = hexval(h[0]), b = h[1] ? hexval(h[1]) : -1;
			if (a < 0 || b < 0)
				goto out;
			hex[hl++] = (char)(a << 4 | b);
		}
	out->usage = (uint8_t)v[0];
	out->selector = (uint8_t)v[1];
	out->mtype = (uint8_t)v[2];
	out->len = hl;
	out->data = (uint8_t *)hex;
	hex = NULL;
	judge(out);
	if (owner != NULL && owner_out != NULL) {
		size_t ol = strlen(owner);
		if (ol > 1 && owner[ol - 1] == '.')
			owner[ol - 1] = '\0';
		for (char *c = owner; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		*owner_out = strdup(owner);
	}
	r = DANCE_OK;
out:
	free(hex);
	free(copy);
	return r;
}

WEAK int dance_tlsa_rrset_from_text(const char *name, const char *text,
                                    uint32_t ttl, struct dance_tlsa_rrset **out,
                                    char *errbuf, size_t errlen)
{
	struct dance_tlsa_rrset *rr = calloc(1, sizeof *rr);
	char *copy = strdup(text), *save = NULL, *owner = NULL;
	int r = DANCE_ERR_NOMEM, lineno = 0;

	*out = NULL;
	if (rr == NULL || copy == NULL)
		goto out;
	rr->name = name ? strdup(name) : NULL;
	rr->reason = strdup("records given offline");
	rr->ttl = ttl;
	rr->expires = time(NULL) + ttl;
	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct dance_tlsa *nv, t;
		char *p = l;
		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#' || *p == ';' || *p == '\r')
			continue;
		if ((r = dance_tlsa_parse_text(p, &t, &owner)) != DANCE_OK) {
			dance_fmt(errbuf, errlen, "line %d: bad TLSA record",
			          lineno);
			goto out;
		}
		if (rr->name == NULL && owner != NULL)
			rr->name = owner;
		else
			free(owner);
		owner = NULL;
		nv = realloc(rr->records, (rr->count + 1) * sizeof *nv);
		if (nv == NULL) {
			dance_tlsa_clear(&t);
			r = DANCE_ERR_NOMEM;
			goto out;
		}
		rr->records = nv;
		rr->records[rr->count++] = t;
	}
	*out = rr;
	rr = NULL;
	r = DANCE_OK;
out:
	dance_tlsa_rrset_free(rr);
	free(copy);
	return r;
}

WEAK int dance_lookup_tlsa(dance_ctx *ctx, const char *name,
                           struct dance_tlsa_rrset **out)
{
	(void)ctx;
	(void)name;
	*out = NULL;
	return DANCE_ERR_RESOLVER;
}

WEAK int dance_domain_allowed(const dance_ctx *ctx, const char *domain)
{
	(void)ctx;
	(void)domain;
	return 0;
}

WEAK int dance_ctx_freeze(dance_ctx *ctx)
{
	(void)ctx;
	return DANCE_OK;
}
