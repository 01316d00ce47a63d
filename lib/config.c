/*
 * config.c -- dance.conf(5): the keyword table, strict parsing of values,
 * reading a file (or a memory buffer) line by line, and the checks of
 * settings against each other.
 *
 * A line is "keyword value..." with tokens separated by blanks; a token
 * that starts with '#' begins a comment (so "forward 192.0.2.1#dns.example"
 * keeps its '#'). Every error names what is wrong; the file reader prefixes
 * "FILE:LINE: ". Values are checked when they are read (numbers, ranges,
 * addresses, names, readable files), so a bad file fails at start-up.
 *
 * dance_ctx_get() reads values back from ctx->text, a list of presentation
 * strings per keyword, kept in the order of the table below.
 */
#include "ctx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_LEN     4096
#define MAX_TOKENS       8
#define FILE_MAX_SIZE    ((size_t)1024 * 1024)
#define DEFAULT_SSH_DIR  "/etc/dance/ssh/authorized"
#define DEFAULT_CLIENTID 0xFFDAu
#define RENEG_INFO_EXT   0xFF01u

/* What a value handler gets: the value tokens, where the line came from
 * (NULL for dance_ctx_set()), and where to put an error and the value's
 * presentation form (malloc'd; NULL keeps nothing). */
struct kwarg {
	dance_ctx *ctx;
	char **tok;
	size_t ntok;
	const char *origin;
	char *err;
	size_t errlen;
	char *pres;
};

typedef int kw_fn(struct kwarg *a);

struct keyword {
	const char *name;
	unsigned nargs;  /* value tokens required */
	int repeatable;  /* 1: each line adds a value */
	const char *def; /* default presentation, or NULL */
	kw_fn *fn;
};

/* ---- small helpers ---------------------------------------------------- */

static int set_pres(struct kwarg *a, const char *s)
{
	if ((a->pres = strdup(s)) == NULL)
		return DANCE_ERR_NOMEM;
	return DANCE_OK;
}

static int bad(struct kwarg *a, const char *kw, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int bad(struct kwarg *a, const char *kw, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof what, fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	dance_fmt(a->err, a->errlen, "%s: %s", kw, what);
	return DANCE_ERR_CONFIG;
}

/* Strict unsigned number: decimal digits, or 0x and hex digits if hex_ok.
 * No sign, no blanks, no overflow. 0 on success. */
static int parse_uint(const char *s, int hex_ok, unsigned long *out)
{
	unsigned long v = 0;
	unsigned base = 10;
	size_t i = 0;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (s[i] == '\0')
		return -1;
	for (; s[i] != '\0'; i++) {
		unsigned d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (v > (0xffffffffUL - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* Split s (modified) into blank-separated tokens, up to a token that
 * starts with '#' (a comment). Stores at most max tokens; returns how many
 * there are (which may exceed max). */
static size_t split_blanks(char *s, char **tok, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n < max)
			tok[n] = s;
		n++;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

static int number(struct kwarg *a, const char *kw, int hex_ok, unsigned long lo,
                  unsigned long hi, unsigned long *out)
{
	char buf[64];

	if (parse_uint(a->tok[0], hex_ok, out) != 0)
		return bad(a, kw, "'%s' is not a whole number", a->tok[0]);
	if (*out < lo || *out > hi) {
		dance_fmt(a->err, a->errlen,
		          "%s: %lu is out of range (%lu..%lu)", kw, *out, lo,
		          hi);
		return DANCE_ERR_CONFIG;
	}
	dance_fmt(buf, sizeof buf, "%lu", *out);
	return set_pres(a, buf);
}

/* Pick one of a NULL-terminated list of words; its index, or -1. */
static int choice(const char *s, const char *const *words)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

/* A readable regular file? 0 yes; -1 with a reason in why. */
static int readable_file(const char *path, char *why, size_t whylen)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		char eb[128];
		dance_fmt(why, whylen, "%s",
		          dance_errno_text(errno, eb, sizeof eb));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		dance_fmt(why, whylen, "not a regular file");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int file_arg(struct kwarg *a, const char *kw)
{
	char why[128];

	if (a->tok[0][0] != '/')
		return bad(a, kw, "'%s' is not an absolute path", a->tok[0]);
	if (readable_file(a->tok[0], why, sizeof why) != 0) {
		dance_fmt(a->err, a->errlen, "%s: cannot read '%s': %s", kw,
		          a->tok[0], why);
		return DANCE_ERR_CONFIG;
	}
	return set_pres(a, a->tok[0]);
}

static int domain_arg(struct kwarg *a, const char *kw, const char *s,
                      char **out)
{
	int r = dance_domain_to_ascii(s, out);
	if (r == DANCE_ERR_BAD_NAME)
		return bad(a, kw, "'%s' is not a valid domain name", s);
	return r;
}

/* Replace the origin string of a setting. */
static int set_origin(char **slot, const char *origin)
{
	char *o = NULL;

	if (origin != NULL && (o = strdup(origin)) == NULL)
		return DANCE_ERR_NOMEM;
	free(*slot);
	*slot = o;
	return DANCE_OK;
}

/* ---- keyword handlers -------------------------------------------------- */

static int kw_resolver(struct kwarg *a)
{
	static const char *const w[] = {"system", "recursive", "forward", NULL};
	int i = choice(a->tok[0], w);

	if (i < 0)
		return bad(a, "resolver",
		           "'%s' is not one of system, recursive, forward",
		           a->tok[0]);
	a->ctx->resolver = (enum dance_resolver_mode)i;
	a->ctx->resolver_set = 1;
	if (set_origin(&a->ctx->resolver_origin, a->origin) != DANCE_OK)
		return DANCE_ERR_NOMEM;
	return set_pres(a, w[i]);
}

static int parse_forward(struct kwarg *a, struct dance_forward *f)
{
	char *s = a->tok[0], *hash, *port_s;
	unsigned char addr[16];
	unsigned long port;
	int r;

	if ((hash = strchr(s, '#')) != NULL) {
		*hash++ = '\0';
		r = dance_domain_to_ascii(hash, &f->tlsname);
		if (r == DANCE_ERR_BAD_NAME)
			return bad(a, "forward", "'%s' is not a valid TLS name",
			           hash);
		if (r != DANCE_OK)
			return r;
	}
	if ((port_s = strchr(s, '@')) != NULL) {
		*port_s++ = '\0';
		if (parse_uint(port_s, 0, &port) != 0 || port < 1 ||
		    port > 65535)
			return bad(a, "forward",
			           "'%s' is not a port (1..65535)", port_s);
		f->port = (int)port;
	}
	if (inet_pton(AF_INET, s, addr) != 1 &&
	    inet_pton(AF_INET6, s, addr) != 1)
		return bad(a, "forward", "'%s' is not an IPv4 or IPv6 address",
		           s);
	if ((f->addr = strdup(s)) == NULL)
		return DANCE_ERR_NOMEM;
	return DANCE_OK;
}

static int kw_forward(struct kwarg *a)
{
	struct dance_forward f = {0}, *nf;
	char pres[512];
	int r;

	if (strlen(a->tok[0]) > 300)
		return bad(a, "forward", "'%.40s...' is too long", a->tok[0]);
	if ((r = parse_forward(a, &f)) != DANCE_OK)
		goto out;
	if (a->origin != NULL && (f.origin = strdup(a->origin)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	nf = realloc(a->ctx->forwards,
	             (a->ctx->nforwards + 1) * sizeof *a->ctx->forwards);
	if (nf == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	a->ctx->forwards = nf;
	dance_fmt(pres, sizeof pres, "%s", f.addr);
	if (f.port != 0)
		dance_fmt(pres + strlen(pres), sizeof pres - strlen(pres),
		          "@%d", f.port);
	if (f.tlsname != NULL)
		dance_fmt(pres + strlen(pres), sizeof pres - strlen(pres),
		          "#%s", f.tlsname);
	if ((r = set_pres(a, pres)) != DANCE_OK)
		goto out;
	nf[a->ctx->nforwards++] = f;
	f.addr = f.tlsname = f.origin = NULL;
out:
	free(f.addr);
	free(f.tlsname);
	free(f.origin);
	return r;
}

static int yes_no(struct kwarg *a, const char *kw, int *out)
{
	static const char *const w[] = {"no", "yes", NULL};
	int i = choice(a->tok[0], w);

	if (i < 0)
		return bad(a, kw, "'%s' is not yes or no", a->tok[0]);
	*out = i;
	return set_pres(a, w[i]);
}

static int kw_dot(struct kwarg *a)
{
	int r = yes_no(a, "dns-over-tls", &a->ctx->dot);

	if (r == DANCE_OK)
		r = set_origin(&a->ctx->dot_origin,
		               a->ctx->dot ? a->origin : NULL);
	return r;
}

static int kw_tls_ca_bundle(struct kwarg *a)
{
	int r = file_arg(a, "tls-ca-bundle");

	if (r != DANCE_OK)
		return r;
	free(a->ctx->tls_ca_bundle);
	if ((a->ctx->tls_ca_bundle = strdup(a->tok[0])) == NULL)
		return DANCE_ERR_NOMEM;
	return DANCE_OK;
}

/* The owner of one trust anchor line, if it holds a DS or DNSKEY record
 * ("owner [ttl] [class] DS|DNSKEY ..."); NULL otherwise. */
static const char *ta_owner(char *line)
{
	char *tok[5], *p;
	size_t n;

	if ((p = strchr(line, ';')) != NULL)
		*p = '\0';
	n = split_blanks(line, tok, 5);
	for (size_t i = 1; i < n && i <= 3; i++)
		if (strcasecmp(tok[i], "DS") == 0 ||
		    strcasecmp(tok[i], "DNSKEY") == 0)
			return tok[0];
	return NULL;
}

/* Read the owners of the DS/DNSKEY records of a trust anchor file into
 * ctx->ta_owners. Returns the number found, or -1 on NOMEM. */
static int ta_scan(dance_ctx *ctx, FILE *f)
{
	char line[LINE_MAX_LEN];
	int found = 0;

	while (fgets(line, sizeof line, f) != NULL) {
		const char *owner;
		char *norm = NULL;
		line[strcspn(line, "\n")] = '\0';
		if ((owner = ta_owner(line)) == NULL)
			continue;
		found++;
		if (strcmp(owner, ".") == 0)
			continue;
		if (dance_domain_to_ascii(owner, &norm) != DANCE_OK)
			continue; /* unbound reports such lines itself */
		if (dance_strlist_add(&ctx->ta_owners, norm) != DANCE_OK) {
			free(norm);
			return -1;
		}
		free(norm);
	}
	return found;
}

static int kw_trust_anchor_file(struct kwarg *a)
{
	FILE *f;
	int r, n;

	if ((r = file_arg(a, "trust-anchor-file")) != DANCE_OK)
		return r;
	if ((f = fopen(a->tok[0], "re")) == NULL)
		return bad(a, "trust-anchor-file", "cannot read '%s'",
		           a->tok[0]);
	n = ta_scan(a->ctx, f);
	fclose(f);
	if (n < 0)
		return DANCE_ERR_NOMEM;
	if (n == 0)
		return bad(a, "trust-anchor-file",
		           "'%s' holds no DS or DNSKEY record", a->tok[0]);
	return dance_strlist_add(&a->ctx->ta_files, a->tok[0]);
}

static int kw_allow_domain(struct kwarg *a)
{
	const char *s = a->tok[0];
	char *norm = NULL;
	size_t n;
	int r;

	if (strcmp(s, "*") == 0) {
		if ((r = set_pres(a, "*")) != DANCE_OK)
			return r;
		return dance_strlist_add(&a->ctx->allow, a->pres);
	}
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	if (strchr(s, '*') != NULL)
		return bad(a, "allow-domain",
		           "'%s': only '*' or a leading '*.' may hold a "
		           "wildcard",
		           a->tok[0]);
	if ((r = domain_arg(a, "allow-domain", s, &norm)) != DANCE_OK)
		return r;
	n = strlen(norm) + 3;
	if ((a->pres = malloc(n)) == NULL) {
		free(norm);
		return DANCE_ERR_NOMEM;
	}
	dance_fmt(a->pres, n, "%s%s", s != a->tok[0] ? "*." : "", norm);
	free(norm);
	return dance_strlist_add(&a->ctx->allow, a->pres);
}

static int kw_lookup_timeout(struct kwarg *a)
{
	unsigned long v;
	int r = number(a, "lookup-timeout", 0, 1, 600000, &v);

	if (r == DANCE_OK)
		a->ctx->lookup_timeout_ms = (unsigned)v;
	return r;
}

static int kw_max_in_flight(struct kwarg *a)
{
	unsigned long v;
	int r = number(a, "max-in-flight", 0, 1, 100000, &v);

	if (r == DANCE_OK)
		a->ctx->max_in_flight = (unsigned)v;
	return r;
}

static int kw_answer_cache_size(struct kwarg *a)
{
	unsigned long v;
	int r = number(a, "answer-cache-size", 0, 0, DANCE_CACHE_SIZE_MAX, &v);

	if (r == DANCE_OK)
		a->ctx->answer_cache_size = (unsigned)v;
	return r;
}

static int kw_max_ttl(struct kwarg *a)
{
	unsigned long v;
	int r = number(a, "max-ttl", 0, 1, 604800, &v);

	if (r == DANCE_OK)
		a->ctx->max_ttl = (unsigned)v;
	return r;
}

static int label_form(struct kwarg *a, const char *kw, const char *s,
                      enum dance_label_form *out)
{
	static const char *const w[] = {"plain", "hashed", NULL};
	int i = choice(s, w);

	if (i < 0)
		return bad(a, kw, "'%s' is not plain or hashed", s);
	*out = i == 1 ? DANCE_LABEL_HASHED : DANCE_LABEL_PLAIN;
	return DANCE_OK;
}

static int kw_user_label(struct kwarg *a)
{
	int r = label_form(a, "user-label", a->tok[0], &a->ctx->user_label);

	return r == DANCE_OK ? set_pres(a, a->tok[0]) : r;
}

static int kw_ssh_authorized_dir(struct kwarg *a)
{
	if (a->tok[0][0] != '/')
		return bad(a, "ssh-authorized-dir",
		           "'%s' is not an absolute path", a->tok[0]);
	free(a->ctx->ssh_authorized_dir);
	if ((a->ctx->ssh_authorized_dir = strdup(a->tok[0])) == NULL)
		return DANCE_ERR_NOMEM;
	return set_pres(a, a->tok[0]);
}

static int kw_log_level(struct kwarg *a)
{
	static const char *const w[] = {"error", "info", "debug", NULL};
	int i = choice(a->tok[0], w);

	if (i < 0)
		return bad(a, "log-level", "'%s' is not error, info or debug",
		           a->tok[0]);
	a->ctx->log_level = (enum dance_log_level)i;
	return set_pres(a, w[i]);
}

static int kw_unbound_config(struct kwarg *a)
{
	int r = file_arg(a, "unbound-config");

	if (r != DANCE_OK)
		return r;
	return dance_strlist_add(&a->ctx->unbound_configs, a->tok[0]);
}

static int kw_domain_user_label(struct kwarg *a)
{
	struct dance_domain_label *nl;
	enum dance_label_form form = DANCE_LABEL_PLAIN;
	char *dom = NULL, pres[300];
	int r;

	if ((r = label_form(a, "domain-user-label", a->tok[1], &form)) !=
	    DANCE_OK)
		return r;
	if ((r = domain_arg(a, "domain-user-label", a->tok[0], &dom)) !=
	    DANCE_OK)
		return r;
	for (size_t i = 0; i < a->ctx->ndomain_labels; i++) {
		if (strcmp(a->ctx->domain_labels[i].domain, dom) == 0) {
			r = bad(a, "domain-user-label",
			        "'%s' is given more than once", dom);
			free(dom);
			return r;
		}
	}
	nl = realloc(a->ctx->domain_labels,
	             (a->ctx->ndomain_labels + 1) * sizeof *nl);
	if (nl == NULL) {
		free(dom);
		return DANCE_ERR_NOMEM;
	}
	a->ctx->domain_labels = nl;
	dance_fmt(pres, sizeof pres, "%s %s", dom, a->tok[1]);
	if ((r = set_pres(a, pres)) != DANCE_OK) {
		free(dom);
		return r;
	}
	nl[a->ctx->ndomain_labels].domain = dom;
	nl[a->ctx->ndomain_labels].form = form;
	a->ctx->ndomain_labels++;
	return DANCE_OK;
}

static int kw_ssh_ca_domain(struct kwarg *a)
{
	char *dom = NULL;
	int r;

	if ((r = domain_arg(a, "ssh-ca-domain", a->tok[0], &dom)) != DANCE_OK)
		return r;
	r = dance_strlist_add(&a->ctx->ssh_ca_domains, dom);
	if (r == DANCE_OK)
		a->pres = dom;
	else
		free(dom);
	return r;
}

static int kw_clientid_codepoint(struct kwarg *a)
{
	unsigned long v;
	char buf[16];

	if (parse_uint(a->tok[0], 1, &v) != 0)
		return bad(a, "clientid-codepoint",
		           "'%s' is not a number (decimal or 0x hex)",
		           a->tok[0]);
	if (v < 1 || v > 65535)
		return bad(a, "clientid-codepoint",
		           "%s is out of range (1..65535)", a->tok[0]);
	if (v == RENEG_INFO_EXT)
		return bad(a, "clientid-codepoint",
		           "%s is renegotiation_info (0xFF01)", a->tok[0]);
	a->ctx->clientid_codepoint = (unsigned)v;
	dance_fmt(buf, sizeof buf, "0x%04lX", v);
	return set_pres(a, buf);
}

/* The keywords, in the order of ctx->text. */
static const struct keyword keywords[DANCE_NKEYWORDS] = {
        {"resolver", 1, 0, "system", kw_resolver},
        {"forward", 1, 1, NULL, kw_forward},
        {"dns-over-tls", 1, 0, "no", kw_dot},
        {"tls-ca-bundle", 1, 0, NULL, kw_tls_ca_bundle},
        {"trust-anchor-file", 1, 1, NULL, kw_trust_anchor_file},
        {"allow-domain", 1, 1, NULL, kw_allow_domain},
        {"lookup-timeout", 1, 0, "2000", kw_lookup_timeout},
        {"max-in-flight", 1, 0, "64", kw_max_in_flight},
        {"max-ttl", 1, 0, "3600", kw_max_ttl},
        {"user-label", 1, 0, "plain", kw_user_label},
        {"ssh-authorized-dir", 1, 0, DEFAULT_SSH_DIR, kw_ssh_authorized_dir},
        {"log-level", 1, 0, "info", kw_log_level},
        {"unbound-config", 1, 1, NULL, kw_unbound_config},
        {"domain-user-label", 2, 1, NULL, kw_domain_user_label},
        {"ssh-ca-domain", 1, 1, NULL, kw_ssh_ca_domain},
        {"clientid-codepoint", 1, 0, "0xFFDA", kw_clientid_codepoint},
        {"answer-cache-size", 1, 0, "4096", kw_answer_cache_size},
};

static int find_keyword(const char *name)
{
	for (int i = 0; i < DANCE_NKEYWORDS; i++)
		if (strcmp(keywords[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- lists ------------------------------------------------------------- */

int dance_strlist_add(struct dance_strlist *l, const char *s)
{
	char **nv, *c;

	if ((c = strdup(s)) == NULL)
		return DANCE_ERR_NOMEM;
	if ((nv = realloc(l->v, (l->n + 2) * sizeof *nv)) == NULL) {
		free(c);
		return DANCE_ERR_NOMEM;
	}
	l->v = nv;
	l->v[l->n++] = c;
	l->v[l->n] = NULL;
	return DANCE_OK;
}

void dance_strlist_clear(struct dance_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- applying one line ------------------------------------------------- */

/* Apply tokens tok[0] (keyword) .. tok[n-1]. Caller holds cfg_lk and has
 * checked the freeze. err receives the problem without origin. */
static int apply_tokens(dance_ctx *ctx, char **tok, size_t n,
                        const char *origin, char *err, size_t errlen)
{
	struct kwarg a = {
	        .ctx = ctx, .origin = origin, .err = err, .errlen = errlen};
	const struct keyword *k;
	struct dance_strlist *text;
	int i, r;

	if ((i = find_keyword(tok[0])) < 0) {
		dance_fmt(err, errlen, "unknown keyword '%.64s'", tok[0]);
		return DANCE_ERR_CONFIG;
	}
	k = &keywords[i];
	if (n - 1 < k->nargs) {
		dance_fmt(err, errlen, "%s: missing value%s", k->name,
		          k->nargs > 1 ? "s" : "");
		return DANCE_ERR_CONFIG;
	}
	if (n - 1 > k->nargs) {
		dance_fmt(err, errlen, "%s: unexpected '%.64s' after the value",
		          k->name, tok[k->nargs + 1]);
		return DANCE_ERR_CONFIG;
	}
	a.tok = tok + 1;
	a.ntok = n - 1;
	if ((r = k->fn(&a)) != DANCE_OK)
		goto out;
	text = &ctx->text[i];
	if (!k->repeatable)
		dance_strlist_clear(text);
	r = dance_strlist_add(text, a.pres != NULL ? a.pres : a.tok[0]);
out:
	if (r == DANCE_ERR_NOMEM)
		dance_fmt(err, errlen, "%s: out of memory", k->name);
	free(a.pres);
	return r;
}

static int apply_line(dance_ctx *ctx, char *line, const char *origin, char *err,
                      size_t errlen)
{
	char *tok[MAX_TOKENS];
	size_t n = split_blanks(line, tok, MAX_TOKENS);

	if (n == 0)
		return DANCE_OK;
	if (n > MAX_TOKENS) {
		dance_fmt(err, errlen, "too many values");
		return DANCE_ERR_CONFIG;
	}
	return apply_tokens(ctx, tok, n, origin, err, errlen);
}

static int frozen_err(dance_ctx *ctx, char *errbuf, size_t errlen)
{
	dance_fmt(errbuf, errlen, "%s", dance_strerror(DANCE_ERR_FROZEN));
	DLOG_ERROR(ctx, "%s", dance_strerror(DANCE_ERR_FROZEN));
	return DANCE_ERR_FROZEN;
}

int dance_ctx_set(dance_ctx *ctx, const char *keyword, const char *value,
                  char *errbuf, size_t errlen)
{
	char line[LINE_MAX_LEN + 1], err[512] = "";
	int r;

	dance_fmt(errbuf, errlen, "%s", "");
	if (strlen(keyword) + strlen(value) + 1 > LINE_MAX_LEN) {
		dance_fmt(errbuf, errlen, "%.64s: value too long", keyword);
		return DANCE_ERR_CONFIG;
	}
	if (strchr(keyword, ' ') != NULL || strchr(keyword, '\t') != NULL ||
	    keyword[0] == '\0') {
		dance_fmt(errbuf, errlen, "unknown keyword '%.64s'", keyword);
		return DANCE_ERR_CONFIG;
	}
	dance_fmt(line, sizeof line, "%s %s", keyword, value);
	pthread_mutex_lock(&ctx->cfg_lk);
	if (atomic_load(&ctx->frozen)) {
		pthread_mutex_unlock(&ctx->cfg_lk);
		return frozen_err(ctx, errbuf, errlen);
	}
	r = apply_line(ctx, line, NULL, err, sizeof err);
	pthread_mutex_unlock(&ctx->cfg_lk);
	if (r != DANCE_OK) {
		dance_fmt(errbuf, errlen, "%s", err);
		DLOG_ERROR(ctx, "%s", err);
	}
	return r;
}

/* ---- files and buffers ------------------------------------------------- */

static int parse_buffer_locked(dance_ctx *ctx, const char *name,
                               const char *buf, size_t len, char *err,
                               size_t errlen)
{
	char line[LINE_MAX_LEN + 1], origin[512], what[512];
	size_t pos = 0, lineno = 0;
	int r;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;

		lineno++;
		dance_fmt(origin, sizeof origin, "%s:%zu", name, lineno);
		if (n > LINE_MAX_LEN) {
			dance_fmt(err, errlen,
			          "%s: line too long (over %d "
			          "characters)",
			          origin, LINE_MAX_LEN);
			return DANCE_ERR_CONFIG;
		}
		if (memchr(buf + pos, '\0', n) != NULL) {
			dance_fmt(err, errlen, "%s: NUL character in line",
			          origin);
			return DANCE_ERR_CONFIG;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		what[0] = '\0';
		r = apply_line(ctx, line, origin, what, sizeof what);
		if (r != DANCE_OK) {
			dance_fmt(err, errlen, "%s: %s", origin, what);
			return r;
		}
	}
	dance_fmt(origin, sizeof origin, "%s:%zu", name, lineno);
	return dance_config_check(ctx, origin, err, errlen);
}

int dance_config_parse_buffer(dance_ctx *ctx, const char *name, const char *buf,
                              size_t len, char *errbuf, size_t errlen)
{
	char err[1024] = "";
	int r;

	dance_fmt(errbuf, errlen, "%s", "");
	pthread_mutex_lock(&ctx->cfg_lk);
	if (atomic_load(&ctx->frozen)) {
		pthread_mutex_unlock(&ctx->cfg_lk);
		return frozen_err(ctx, errbuf, errlen);
	}
	r = parse_buffer_locked(ctx, name, buf, len, err, sizeof err);
	pthread_mutex_unlock(&ctx->cfg_lk);
	if (r != DANCE_OK) {
		dance_fmt(errbuf, errlen, "%s", err);
		DLOG_ERROR(ctx, "%s", err);
	}
	return r;
}

/* Read a whole file of at most FILE_MAX_SIZE octets. */
static int read_file(const char *path, char **out, size_t *outlen, char *why,
                     size_t whylen)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n = 0;
	int r = DANCE_ERR_IO;

	*out = NULL;
	*outlen = 0;
	if (readable_file(path, why, whylen) != 0)
		goto out;
	if ((f = fopen(path, "re")) == NULL) {
		char eb[128];
		dance_fmt(why, whylen, "%s",
		          dance_errno_text(errno, eb, sizeof eb));
		goto out;
	}
	if ((buf = malloc(FILE_MAX_SIZE + 1)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	n = fread(buf, 1, FILE_MAX_SIZE + 1, f);
	if (ferror(f)) {
		dance_fmt(why, whylen, "read error");
		goto out;
	}
	if (n > FILE_MAX_SIZE) {
		dance_fmt(why, whylen, "larger than %zu octets", FILE_MAX_SIZE);
		goto out;
	}
	*out = buf;
	*outlen = n;
	buf = NULL;
	r = DANCE_OK;
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return r;
}

int dance_ctx_load_config(dance_ctx *ctx, const char *path, char *errbuf,
                          size_t errlen)
{
	char *buf = NULL, why[256] = "";
	size_t len = 0;
	int r;

	if (path == NULL)
		path = DANCE_DEFAULT_CONFIG;
	dance_fmt(errbuf, errlen, "%s", "");
	if (atomic_load(&ctx->frozen))
		return frozen_err(ctx, errbuf, errlen);
	if ((r = read_file(path, &buf, &len, why, sizeof why)) != DANCE_OK) {
		if (r == DANCE_ERR_NOMEM)
			dance_fmt(why, sizeof why, "out of memory");
		dance_fmt(errbuf, errlen, "%s: cannot read: %s", path, why);
		DLOG_ERROR(ctx, "%s: cannot read: %s", path, why);
		return r;
	}
	r = dance_config_parse_buffer(ctx, path, buf, len, errbuf, errlen);
	free(buf);
	return r;
}

/* ---- consistency ------------------------------------------------------- */

/* "ORIGIN: " for a message: the setting's own origin, else fallback. */
static const char *at(const char *origin, const char *fallback, char *buf,
                      size_t len)
{
	if (origin == NULL)
		origin = fallback;
	if (origin == NULL)
		return "";
	dance_fmt(buf, len, "%s: ", origin);
	return buf;
}

int dance_config_check(const dance_ctx *ctx, const char *fallback, char *errbuf,
                       size_t errlen)
{
	enum dance_resolver_mode mode = ctx->resolver;
	char o[512];

	if (!ctx->resolver_set && ctx->nforwards > 0)
		mode = DANCE_RESOLVER_FORWARD;
	if (mode == DANCE_RESOLVER_FORWARD && ctx->nforwards == 0) {
		dance_fmt(errbuf, errlen,
		          "%sresolver forward needs at least one forward line",
		          at(ctx->resolver_origin, fallback, o, sizeof o));
		return DANCE_ERR_CONFIG;
	}
	if (mode != DANCE_RESOLVER_FORWARD && ctx->nforwards > 0) {
		dance_fmt(errbuf, errlen,
		          "%sforward lines given, but resolver is %s",
		          at(ctx->resolver_origin, fallback, o, sizeof o),
		          mode == DANCE_RESOLVER_SYSTEM ? "system"
		                                        : "recursive");
		return DANCE_ERR_CONFIG;
	}
	if (ctx->dot && mode != DANCE_RESOLVER_FORWARD) {
		dance_fmt(errbuf, errlen,
		          "%sdns-over-tls yes needs forward lines (resolver "
		          "forward)",
		          at(ctx->dot_origin, fallback, o, sizeof o));
		return DANCE_ERR_CONFIG;
	}
	for (size_t i = 0; i < ctx->nforwards; i++) {
		const struct dance_forward *f = &ctx->forwards[i];
		if (ctx->dot && f->tlsname == NULL) {
			dance_fmt(errbuf, errlen,
			          "%sdns-over-tls yes: forward %s has no TLS "
			          "name (ADDR[@PORT]#NAME)",
			          at(ctx->dot_origin, fallback, o, sizeof o),
			          f->addr);
			return DANCE_ERR_CONFIG;
		}
		if (!ctx->dot && f->tlsname != NULL) {
			dance_fmt(errbuf, errlen,
			          "%sforward %s#%s: a TLS name needs "
			          "dns-over-tls "
			          "yes",
			          at(f->origin, fallback, o, sizeof o), f->addr,
			          f->tlsname);
			return DANCE_ERR_CONFIG;
		}
	}
	return DANCE_OK;
}

/* ---- defaults, reading back, freeing ------------------------------------ */

int dance_config_defaults(dance_ctx *ctx)
{
	ctx->resolver = DANCE_RESOLVER_SYSTEM;
	ctx->lookup_timeout_ms = 2000;
	ctx->max_in_flight = 64;
	ctx->max_ttl = 3600;
	ctx->answer_cache_size = DANCE_CACHE_SIZE_DEFAULT;
	ctx->user_label = DANCE_LABEL_PLAIN;
	ctx->clientid_codepoint = DEFAULT_CLIENTID;
	ctx->log_level = DANCE_LOG_INFO;
	if ((ctx->ssh_authorized_dir = strdup(DEFAULT_SSH_DIR)) == NULL)
		return DANCE_ERR_NOMEM;
	for (int i = 0; i < DANCE_NKEYWORDS; i++)
		if (keywords[i].def != NULL &&
		    dance_strlist_add(&ctx->text[i], keywords[i].def) !=
		            DANCE_OK)
			return DANCE_ERR_NOMEM;
	return DANCE_OK;
}

const char *dance_ctx_get(const dance_ctx *ctx, const char *keyword,
                          size_t index)
{
	int i = find_keyword(keyword);

	if (i < 0 || index >= ctx->text[i].n)
		return NULL;
	return ctx->text[i].v[index];
}

void dance_config_free(dance_ctx *ctx)
{
	for (int i = 0; i < DANCE_NKEYWORDS; i++)
		dance_strlist_clear(&ctx->text[i]);
	for (size_t i = 0; i < ctx->nforwards; i++) {
		free(ctx->forwards[i].addr);
		free(ctx->forwards[i].tlsname);
		free(ctx->forwards[i].origin);
	}
	free(ctx->forwards);
	for (size_t i = 0; i < ctx->ndomain_labels; i++)
		free(ctx->domain_labels[i].domain);
	free(ctx->domain_labels);
	free(ctx->resolver_origin);
	free(ctx->dot_origin);
	free(ctx->tls_ca_bundle);
	free(ctx->ssh_authorized_dir);
	dance_strlist_clear(&ctx->ta_files);
	dance_strlist_clear(&ctx->ta_owners);
	dance_strlist_clear(&ctx->allow);
	dance_strlist_clear(&ctx->ssh_ca_domains);
	dance_strlist_clear(&ctx->unbound_configs);
}
