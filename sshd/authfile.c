/*
 * authfile.c -- parse an account's authorization file.
 *
 * The file lists who may log in to one account; the keys themselves live
 * in DNS. One entry per line:
 *
 *     [OPTIONS] IDENTITY [# comment]
 *
 * IDENTITY is "uid@domain" (looked up at <label>._user.<domain>, the label
 * form coming from the configuration) or a literal DNS owner name written
 * with its trailing dot ("alice._user.example.org."). OPTIONS are
 * authorized_keys options (authopts.c), passed through verbatim. Blank
 * lines and lines starting with '#' are ignored. A malformed line is
 * reported and skipped; it never affects the other lines.
 */
#include "akc.h"
#include "internal.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OWNER_MAX 253
#define LABEL_MAX 63

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

void akc_entry_clear(struct akc_entry *e)
{
	if (e == NULL)
		return;
	free(e->options);
	free(e->identity);
	free(e->uid);
	free(e->domain);
	free(e->owner);
	memset(e, 0, sizeof *e);
}

/* End of a field starting at p: the first space or tab outside double
 * quotes (\" does not toggle), as sshd skips an options field. NULL if a
 * quote is left open. */
static const char *field_end(const char *p, const char *end)
{
	int quoted = 0;

	for (; p < end && (quoted || !is_space(*p)); p++) {
		if (*p == '\\' && p + 1 < end && p[1] == '"')
			p++;
		else if (*p == '"')
			quoted = !quoted;
	}
	return quoted ? NULL : p;
}

static char *dup_lower(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		d[i] = c;
	}
	d[n] = '\0';
	return d;
}

/* A literal owner name with its trailing dot: labels of [a-z0-9_-] (any
 * case), 1..63 octets each, at most 253 in all; not "_user.<domain>"
 * itself (that name holds a domain's CA, never a user's key). */
static int parse_owner(const char *s, size_t n, struct akc_entry *e, char *why,
                       size_t whylen)
{
	size_t lab = 0, labels = 0;
	const char *u;

	if (n < 2 || n - 1 > OWNER_MAX) {
		dance_fmt(why, whylen, "owner name too long or empty");
		return DANCE_ERR_PARSE;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (lab == 0 || lab > LABEL_MAX) {
				dance_fmt(why, whylen, "owner name: bad label");
				return DANCE_ERR_PARSE;
			}
			lab = 0;
			labels++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			dance_fmt(why, whylen,
			          "owner name: character not allowed");
			return DANCE_ERR_PARSE;
		}
		lab++;
	}
	if (labels < 2) {
		dance_fmt(why, whylen, "owner name: needs at least two labels");
		return DANCE_ERR_PARSE;
	}
	if (n >= 6 && strncasecmp(s, "_user.", 6) == 0) {
		dance_fmt(why, whylen,
		          "owner name is a domain's CA name, not a user's");
		return DANCE_ERR_PARSE;
	}
	if ((e->identity = dup_lower(s, n)) == NULL ||
	    (e->owner = dup_lower(s, n - 1)) == NULL)
		return DANCE_ERR_NOMEM;
	if ((u = strstr(e->owner, "._user.")) != NULL &&
	    (e->domain = strdup(u + 7)) == NULL)
		return DANCE_ERR_NOMEM;
	e->kind = AKC_IDENT_OWNER;
	return DANCE_OK;
}

/* uid@domain: uid normalised (name.c), domain to A-labels and back to
 * U-labels for the identity. */
static int parse_user(const char *s, size_t n, struct akc_entry *e, char *why,
                      size_t whylen)
{
	const char *at = memchr(s, '@', n);
	char *dom = NULL, *udom = NULL;
	size_t idlen;
	int r;

	if (at == NULL || at == s || at + 1 == s + n) {
		dance_fmt(why, whylen,
		          "identity is neither uid@domain nor an owner name "
		          "ending in '.'");
		return DANCE_ERR_PARSE;
	}
	if ((r = dance_uid_normalize(s, (size_t)(at - s), &e->uid)) !=
	    DANCE_OK) {
		if (r == DANCE_ERR_PARSE)
			dance_fmt(why, whylen, "invalid uid");
		goto out;
	}
	if ((dom = strndup(at + 1, (size_t)(s + n - at - 1))) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	if ((r = dance_domain_to_ascii(dom, &e->domain)) != DANCE_OK) {
		if (r == DANCE_ERR_BAD_NAME) {
			dance_fmt(why, whylen, "invalid domain");
			r = DANCE_ERR_PARSE;
		}
		goto out;
	}
	if (idn2_to_unicode_8z8z(e->domain, &udom, 0) != IDN2_OK) {
		dance_fmt(why, whylen, "invalid domain (IDNA)");
		r = DANCE_ERR_PARSE;
		goto out;
	}
	idlen = strlen(e->uid) + 1 + strlen(udom) + 1;
	if ((e->identity = malloc(idlen)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	dance_fmt(e->identity, idlen, "%s@%s", e->uid, udom);
	e->kind = AKC_IDENT_USER;
	r = DANCE_OK;
out:
	free(dom);
	idn2_free(udom);
	return r;
}

static int parse_identity(const char *s, size_t n, struct akc_entry *e,
                          char *why, size_t whylen)
{
	if (s[n - 1] == '.')
		return parse_owner(s, n, e, why, whylen);
	return parse_user(s, n, e, why, whylen);
}

/* Split the line into an optional options field and the identity. */
static int split_line(const char *p, const char *end, const char **opt,
                      size_t *optlen, const char **id, size_t *idlen, char *why,
                      size_t whylen)
{
	const char *f1 = p, *f1end, *f2, *f2end;

	if ((f1end = field_end(p, end)) == NULL) {
		dance_fmt(why, whylen, "unterminated quote");
		return -1;
	}
	for (f2 = f1end; f2 < end && is_space(*f2); f2++)
		;
	if (f2 == end || *f2 == '#') {
		*opt = NULL;
		*optlen = 0;
		*id = f1;
		*idlen = (size_t)(f1end - f1);
		return 0;
	}
	for (f2end = f2; f2end < end && !is_space(*f2end); f2end++)
		;
	for (p = f2end; p < end && is_space(*p); p++)
		;
	if (p < end && *p != '#') {
		dance_fmt(why, whylen, "extra text after the identity");
		return -1;
	}
	*opt = f1;
	*optlen = (size_t)(f1end - f1);
	*id = f2;
	*idlen = (size_t)(f2end - f2);
	return 0;
}

/* Length and characters of a line: 0 if acceptable. */
static int line_text_ok(const char *p, const char *end, char *why,
                        size_t whylen)
{
	if ((size_t)(end - p) > AKC_LINE_MAX) {
		dance_fmt(why, whylen, "line too long");
		return -1;
	}
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			dance_fmt(why, whylen, "control character in line");
			return -1;
		}
	}
	return 0;
}

/* The options (checked, copied) and the identity of a non-empty line. */
static int parse_fields(const char *p, const char *end, struct akc_entry *e,
                        char *why, size_t whylen)
{
	const char *opt, *id;
	size_t optlen, idlen;
	int r;

	if (split_line(p, end, &opt, &optlen, &id, &idlen, why, whylen) != 0)
		return DANCE_ERR_PARSE;
	if (opt != NULL) {
		if ((r = akc_options_check(opt, optlen, why, whylen)) !=
		    DANCE_OK)
			return r;
		if ((e->options = strndup(opt, optlen)) == NULL)
			return DANCE_ERR_NOMEM;
	}
	return parse_identity(id, idlen, e, why, whylen);
}

int akc_parse_line(const char *line, size_t len, unsigned lineno,
                   struct akc_entry *e, enum akc_line_kind *kind, char *why,
                   size_t whylen)
{
	const char *p = line, *end = line + len;
	int r = DANCE_OK;

	memset(e, 0, sizeof *e);
	*kind = AKC_LINE_BAD;
	dance_fmt(why, whylen, "malformed line");
	if (len > 0 && line[len - 1] == '\r')
		end--;
	if (line_text_ok(p, end, why, whylen) != 0)
		goto out;
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#') {
		*kind = AKC_LINE_EMPTY;
		goto out;
	}
	if ((r = parse_fields(p, end, e, why, whylen)) != DANCE_OK)
		goto out;
	e->line = lineno;
	*kind = AKC_LINE_ENTRY;
out:
	if (r == DANCE_ERR_PARSE)
		r = DANCE_OK;
	if (r != DANCE_OK || *kind != AKC_LINE_ENTRY)
		akc_entry_clear(e);
	if (r != DANCE_OK)
		*kind = AKC_LINE_BAD;
	return r;
}

void akc_authfile_clear(struct akc_file *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		akc_entry_clear(&f->entries[i]);
	free(f->entries);
	f->entries = NULL;
	f->n = 0;
}

static int add_entry(struct akc_file *f, struct akc_entry *e, size_t *cap)
{
	if (f->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct akc_entry *v =
		        realloc(f->entries, ncap * sizeof *f->entries);
		if (v == NULL)
			return DANCE_ERR_NOMEM;
		f->entries = v;
		*cap = ncap;
	}
	f->entries[f->n++] = *e;
	memset(e, 0, sizeof *e);
	return DANCE_OK;
}

int akc_authfile_parse(const char *text, size_t len, struct akc_file *out,
                       akc_skip_fn *skip, void *arg)
{
	const char *p = text, *end = text + len;
	size_t cap = 0;
	unsigned lineno = 0;
	char why[256];
	int r = DANCE_OK;

	memset(out, 0, sizeof *out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct akc_entry e;
		enum akc_line_kind kind;

		lineno++;
		r = akc_parse_line(p, (size_t)(le - p), lineno, &e, &kind, why,
		                   sizeof why);
		if (r != DANCE_OK)
			goto out;
		if (kind == AKC_LINE_ENTRY && out->n >= AKC_ENTRIES_MAX) {
			akc_entry_clear(&e);
			kind = AKC_LINE_BAD;
			dance_fmt(why, sizeof why, "too many entries (max %d)",
			          AKC_ENTRIES_MAX);
		}
		if (kind == AKC_LINE_BAD && skip != NULL)
			skip(arg, lineno, why);
		if (kind == AKC_LINE_ENTRY &&
		    (r = add_entry(out, &e, &cap)) != DANCE_OK) {
			akc_entry_clear(&e);
			goto out;
		}
		p = nl ? nl + 1 : end;
	}
out:
	if (r != DANCE_OK)
		akc_authfile_clear(out);
	return r;
}
