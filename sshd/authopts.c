/*
 * authopts.c -- validate authorized_keys options from an authorization file
 * before they are passed, verbatim, to sshd.
 *
 * The grammar is that of OpenSSH 9.2's sshauthopt_parse() (auth-options.c):
 * options are separated by commas and end at the first space or tab that is
 * not inside double quotes; names are case-insensitive; flags take an
 * optional "no-" prefix where OpenSSH allows it; values are double-quoted
 * with \" standing for a quote. Each value is checked as sshd would check
 * it, so that a line sshd would reject is refused here, with a reason,
 * instead of silently breaking the login.
 *
 * Refused on purpose: cert-authority and principals= (this helper writes
 * them itself, only for configured SSH CA domains), unknown options,
 * duplicates of options OpenSSH allows once.
 */
#include "akc.h"
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOST_MAX  1025 /* NI_MAXHOST */
#define TUNID_MAX 0x7ffffffdL
#define VALUE_MAX AKC_OPTIONS_MAX

/* Flag options: name and whether "no-" may precede it. */
static const struct {
	const char *name;
	int negatable;
} flags[] = {
        {"restrict", 0},
        {"port-forwarding", 1},
        {"agent-forwarding", 1},
        {"x11-forwarding", 1},
        {"touch-required", 1},
        {"verify-required", 1},
        {"pty", 1},
        {"user-rc", 1},
};

enum value_opt {
	V_COMMAND,
	V_FROM,
	V_EXPIRY,
	V_ENVIRONMENT,
	V_PERMITOPEN,
	V_PERMITLISTEN,
	V_TUNNEL,
	V_COUNT
};

static const char *const value_names[V_COUNT] = {
        "command",    "from",         "expiry-time", "environment",
        "permitopen", "permitlisten", "tunnel",
};

/* Options OpenSSH takes only once. */
static const int once[V_COUNT] = {1, 1, 0, 0, 0, 0, 1};

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static long num(const char *s, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* YYYYMMDD[HHMM[SS]][Z], as parse_absolute_time() accepts. */
static int check_expiry(const char *v, size_t n)
{
	if (n > 0 && (v[n - 1] == 'Z' || v[n - 1] == 'z'))
		n--;
	if ((n != 8 && n != 12 && n != 14) || !is_digits(v, n))
		return -1;
	if (num(v, 4) < 1970 || num(v + 4, 2) < 1 || num(v + 4, 2) > 12 ||
	    num(v + 6, 2) < 1 || num(v + 6, 2) > 31)
		return -1;
	if (n >= 12 && (num(v + 8, 2) > 23 || num(v + 10, 2) > 59))
		return -1;
	if (n == 14 && num(v + 12, 2) > 60)
		return -1;
	return 0;
}

/* NAME=VALUE with NAME of [A-Za-z0-9_]+ (OpenSSH's valid_env_name). */
static int check_environment(const char *v)
{
	const char *eq = strchr(v, '=');

	if (eq == NULL || eq == v)
		return -1;
	for (const char *p = v; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return -1;
	return 0;
}

/* from="pattern,pattern": host names, addresses, CIDR, with * ? and !. */
static int check_from(const char *v)
{
	size_t elem = 0;

	if (*v == '\0')
		return -1;
	for (const char *p = v;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ',' || c == '\0') {
			if (elem == 0)
				return -1;
			if (c == '\0')
				return 0;
			elem = 0;
			continue;
		}
		if (!isalnum(c) && strchr(".-_*?!:/%[]", c) == NULL)
			return -1;
		elem++;
	}
}

/* A port: 1..65535, or "*" (any) where allowed. */
static int check_port(const char *p, int star_ok)
{
	size_t n = strlen(p);

	if (star_ok && strcmp(p, "*") == 0)
		return 0;
	if (n == 0 || n > 5 || !is_digits(p, n))
		return -1;
	return num(p, n) >= 1 && num(p, n) <= 65535 ? 0 : -1;
}

static int host_char_ok(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '*' ||
	       c == '?' || c == ':' || c == '%';
}

/* "host:port", "[v6]:port"; for permitlisten also "port" alone. */
static int check_permit(const char *v, int listen)
{
	const char *port, *h = v, *hend;

	if (*v == '\0')
		return -1;
	if (listen && strchr(v, ':') == NULL)
		return check_port(v, 1);
	if (*v == '[') {
		h = v + 1;
		if ((hend = strchr(h, ']')) == NULL || hend[1] != ':')
			return -1;
		port = hend + 2;
	} else {
		if ((hend = strchr(v, ':')) == NULL)
			return -1;
		port = hend + 1;
	}
	if (hend == h || (size_t)(hend - h) >= HOST_MAX)
		return -1;
	for (const char *p = h; p < hend; p++)
		if (!host_char_ok((unsigned char)*p) ||
		    (*p == ':' && *v != '['))
			return -1;
	return check_port(port, 1);
}

/* "any" or a device number, as a2tun(s, NULL). */
static int check_tunnel(const char *v)
{
	size_t n = strlen(v);

	if (strcasecmp(v, "any") == 0)
		return 0;
	if (n == 0 || n > 10 || !is_digits(v, n))
		return -1;
	return num(v, n) <= TUNID_MAX ? 0 : -1;
}

static int check_value(enum value_opt o, const char *v)
{
	switch (o) {
	case V_COMMAND:
		return 0;
	case V_FROM:
		return check_from(v);
	case V_EXPIRY:
		return check_expiry(v, strlen(v));
	case V_ENVIRONMENT:
		return check_environment(v);
	case V_PERMITOPEN:
		return check_permit(v, 0);
	case V_PERMITLISTEN:
		return check_permit(v, 1);
	case V_TUNNEL:
		return check_tunnel(v);
	case V_COUNT:
		break;
	}
	return -1;
}

/*
 * Read a quoted value at *p (before end) into buf, as opt_dequote(): the
 * opening quote, then any octets with \" for a quote, then the closing
 * quote. Advances *p past the closing quote.
 */
static int dequote(const char **p, const char *end, char *buf, size_t buflen)
{
	const char *s = *p;
	size_t o = 0;

	if (s >= end || *s != '"')
		return -1;
	for (s++; s < end && *s != '"'; s++) {
		if (*s == '\\' && s + 1 < end && s[1] == '"')
			s++;
		if (o + 1 >= buflen)
			return -1;
		buf[o++] = *s;
	}
	if (s >= end)
		return -1;
	buf[o] = '\0';
	*p = s + 1;
	return 0;
}

/* Is [name, name+n) the flag f, with or without "no-"? */
static int flag_index(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		const char *f = flags[i].name;
		size_t fl = strlen(f);
		if (n == fl && strncasecmp(name, f, n) == 0)
			return (int)i;
		if (flags[i].negatable && n == fl + 3 &&
		    strncasecmp(name, "no-", 3) == 0 &&
		    strncasecmp(name + 3, f, fl) == 0)
			return (int)i;
	}
	return -1;
}

static int value_index(const char *name, size_t n)
{
	for (int i = 0; i < V_COUNT; i++)
		if (strlen(value_names[i]) == n &&
		    strncasecmp(name, value_names[i], n) == 0)
			return i;
	return -1;
}

static void bad_name(char *why, size_t whylen, const char *what,
                     const char *name, size_t n)
{
	char shown[64];
	size_t k = 0;

	for (; k < n && k + 1 < sizeof shown; k++) {
		char c = name[k];
		if (!isprint((unsigned char)c) || c == '\'')
			c = '?';
		shown[k] = c;
	}
	shown[k] = '\0';
	dance_fmt(why, whylen, "%s '%s'", what, shown);
}

/* One option at *p: a flag or name="value". */
static int check_one(const char **p, const char *end, int seen[V_COUNT],
                     char *value, char *why, size_t whylen)
{
	const char *name = *p, *q = *p;
	size_t n;
	int vi;

	while (q < end && *q != ',' && *q != '=')
		q++;
	n = (size_t)(q - name);
	if (n == 0) {
		dance_fmt(why, whylen, "empty option");
		return -1;
	}
	if (q == end || *q == ',') {
		if (flag_index(name, n) >= 0) {
			*p = q;
			return 0;
		}
		if (n == strlen("cert-authority") &&
		    strncasecmp(name, "cert-authority", n) == 0) {
			dance_fmt(why, whylen,
			          "option 'cert-authority' is not allowed: "
			          "dance-authorized-keys adds it for "
			          "ssh-ca-domain domains");
			return -1;
		}
		bad_name(why, whylen, "unknown option", name, n);
		return -1;
	}
	if (n == strlen("principals") &&
	    strncasecmp(name, "principals", n) == 0) {
		dance_fmt(why, whylen,
		          "option 'principals' is not allowed: "
		          "dance-authorized-keys sets it");
		return -1;
	}
	if ((vi = value_index(name, n)) < 0) {
		bad_name(why, whylen, "unknown option", name, n);
		return -1;
	}
	q++; /* '=' */
	if (dequote(&q, end, value, VALUE_MAX) != 0) {
		dance_fmt(why, whylen, "option '%s': bad quoting",
		          value_names[vi]);
		return -1;
	}
	if (once[vi] && seen[vi]) {
		dance_fmt(why, whylen, "option '%s' given twice",
		          value_names[vi]);
		return -1;
	}
	seen[vi] = 1;
	if (check_value((enum value_opt)vi, value) != 0) {
		dance_fmt(why, whylen, "option '%s': invalid value",
		          value_names[vi]);
		return -1;
	}
	*p = q;
	return 0;
}

int akc_options_check(const char *opts, size_t len, char *why, size_t whylen)
{
	const char *p = opts, *end = opts + len;
	int seen[V_COUNT] = {0};
	char *value = NULL;
	int r = DANCE_ERR_PARSE;

	dance_fmt(why, whylen, "bad options");
	if (len == 0 || len > AKC_OPTIONS_MAX) {
		dance_fmt(why, whylen, "options empty or too long");
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)opts[i];
		if (c < 0x20 || c == 0x7f) {
			dance_fmt(why, whylen, "control character in options");
			goto out;
		}
	}
	if ((value = malloc(VALUE_MAX)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		if (check_one(&p, end, seen, value, why, whylen) != 0)
			goto out;
		if (p == end)
			break;
		if (*p != ',' || p + 1 == end) {
			dance_fmt(why, whylen,
			          *p == ','
			                  ? "options end with ','"
			                  : "unexpected text after an option");
			goto out;
		}
		p++;
	}
	dance_fmt(why, whylen, "ok");
	r = DANCE_OK;
out:
	free(value);
	return r;
}
