/*
 * qname.c -- DNS names as asked for: parse the presentation form (with
 * \DDD and \X escapes), check label and name lengths, and write the one
 * canonical text form used in logs, RRsets and the allow-list check:
 * lowercase, no trailing dot, octets other than [a-z0-9_-] as \DDD.
 *
 * A domain given in U-labels after "_user." (or a whole name without
 * "_user") is converted to A-labels first (dance_domain_to_ascii), so
 * "_user.bücher.example" asks for "_user.xn--bcher-kva.example". Labels
 * before "_user" (the user label) keep their octets.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define WIRE_MAX  255
#define LABEL_MAX 63

static int is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

static int has_high(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Where the "_user" label starts in s (presentation form), or NULL. Only a
 * literal, unescaped "_user" label counts. */
static const char *find_user_label(const char *s)
{
	const char *p = s;

	for (;;) {
		if (strncasecmp(p, "_user", 5) == 0 &&
		    (p[5] == '.' || p[5] == '\0') &&
		    (p == s || (p[-1] == '.' && (p - 1 == s || p[-2] != '\\'))))
			return p;
		if ((p = strchr(p, '.')) == NULL)
			return NULL;
		p++;
	}
}

/* If the domain part holds non-ASCII octets, rewrite it in A-labels. */
static int to_alabels(const char *in, char **out)
{
	const char *u = find_user_label(in), *dom;
	char *ascii = NULL, *s;
	size_t pre, n;
	int r;

	*out = NULL;
	if (u == NULL)
		dom = in;
	else if (u[5] == '\0')
		return DANCE_ERR_BAD_NAME;
	else
		dom = u + 6;
	if (!has_high(dom))
		return DANCE_OK;
	if ((r = dance_domain_to_ascii(dom, &ascii)) != DANCE_OK)
		return r;
	pre = (size_t)(dom - in);
	n = pre + strlen(ascii) + 1;
	if ((s = malloc(n)) == NULL) {
		free(ascii);
		return DANCE_ERR_NOMEM;
	}
	memcpy(s, in, pre);
	memcpy(s + pre, ascii, strlen(ascii) + 1);
	free(ascii);
	*out = s;
	return DANCE_OK;
}

/* One octet of a label at *pp, with "\\DDD" and "\\X" escapes; *pp
 * moves past it. -1 if the escape is malformed. */
static int label_octet(const char **pp)
{
	const char *p = *pp;
	unsigned c = (unsigned char)*p;

	if (c != '\\') {
		*pp = p + 1;
		return (int)c;
	}
	if (p[1] >= '0' && p[1] <= '9') {
		if (!(p[2] >= '0' && p[2] <= '9') ||
		    !(p[3] >= '0' && p[3] <= '9'))
			return -1;
		c = (unsigned)((p[1] - '0') * 100 + (p[2] - '0') * 10 +
		               (p[3] - '0'));
		*pp = p + 4;
		return c > 255 ? -1 : (int)c;
	}
	if (p[1] == '\0')
		return -1;
	*pp = p + 2;
	return (unsigned char)p[1];
}

/* Parse presentation form into wire-form labels (without the root). */
static int to_wire(const char *s, uint8_t *wire, size_t *wlen)
{
	size_t w = 1, lab = 0; /* lab: offset of the current length octet */
	unsigned n = 0;
	const char *p = s;

	if (s[0] == '\0' || strcmp(s, ".") == 0)
		return DANCE_ERR_BAD_NAME;
	for (;;) {
		int c;
		if (*p == '.' || *p == '\0') {
			if (n == 0) /* leading dot or empty label */
				return DANCE_ERR_BAD_NAME;
			wire[lab] = (uint8_t)n;
			if (*p == '\0' || p[1] == '\0')
				break;
			if (w >= WIRE_MAX - 1)
				return DANCE_ERR_BAD_NAME;
			lab = w++;
			n = 0;
			p++;
			continue;
		}
		if ((c = label_octet(&p)) < 0 || ++n > LABEL_MAX ||
		    w >= WIRE_MAX - 1)
			return DANCE_ERR_BAD_NAME;
		wire[w++] = (uint8_t)c;
	}
	*wlen = w;
	return DANCE_OK;
}

/* Write wire-form labels as canonical text into *out; *dom is the offset
 * of the label after the first "_user" label, or (size_t)-1 if none. */
static int to_text(const uint8_t *wire, size_t wlen, char **out, size_t *dom)
{
	char *s = malloc(wlen * 4 + 1);
	size_t o = 0, i = 0;
	int after_user = 0;

	*out = NULL;
	*dom = (size_t)-1;
	if (s == NULL)
		return DANCE_ERR_NOMEM;
	while (i < wlen) {
		size_t n = wire[i++];
		if (o > 0)
			s[o++] = '.';
		if (after_user && *dom == (size_t)-1)
			*dom = o;
		if (n == 5 &&
		    strncasecmp((const char *)wire + i, "_user", 5) == 0)
			after_user = 1;
		for (size_t k = 0; k < n; k++, i++) {
			unsigned char c = wire[i];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (is_plain(c)) {
				s[o++] = (char)c;
			} else {
				s[o++] = '\\';
				s[o++] = (char)('0' + c / 100);
				s[o++] = (char)('0' + (c / 10) % 10);
				s[o++] = (char)('0' + c % 10);
			}
		}
	}
	s[o] = '\0';
	if (after_user && *dom == (size_t)-1) {
		free(s); /* "_user" is the last label: no domain */
		return DANCE_ERR_BAD_NAME;
	}
	*out = s;
	return DANCE_OK;
}

int dance_qname_canon(const char *in, char **out, const char **domain_out)
{
	uint8_t wire[WIRE_MAX];
	char *conv = NULL, *s = NULL;
	size_t wlen = 0, dom = 0;
	int r;

	*out = NULL;
	if (domain_out != NULL)
		*domain_out = NULL;
	if (strlen(in) > DANCE_QNAME_TEXT_MAX)
		return DANCE_ERR_BAD_NAME;
	if ((r = to_alabels(in, &conv)) != DANCE_OK)
		goto out;
	if ((r = to_wire(conv != NULL ? conv : in, wire, &wlen)) != DANCE_OK)
		goto out;
	if ((r = to_text(wire, wlen, &s, &dom)) != DANCE_OK)
		goto out;
	if (domain_out != NULL)
		*domain_out = dom == (size_t)-1 ? s : s + dom;
	*out = s;
	s = NULL;
out:
	free(conv);
	free(s);
	return r;
}
