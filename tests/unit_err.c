/*
 * unit_err.c -- every error code, DNS class, TLSA problem and verdict has a
 * text, and none of them is a placeholder. The error codes are read from
 * include/dance/dance.h itself.
 */
#include "dance/dance.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The codes of enum dance_err as dance.h declares them, read at test time,
 * so that a code added without a text fails here whatever the compiler
 * says. */
struct err_code {
	char name[64];
	long value;
};

#define MAX_CODES 256

/* Replace comments by spaces. */
static void strip_comments(char *s)
{
	for (char *p = s; *p; p++) {
		if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");
			size_t n = e ? (size_t)(e + 2 - p) : strlen(p);
			memset(p, ' ', n);
			p += n - 1;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				*p++ = ' ';
			p--;
		}
	}
}

static char *read_header(void)
{
	static const char path[] = DANCE_SOURCE_DIR "/include/dance/dance.h";
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long len;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert(len > 0 && len < 1000000);
	rewind(f);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* One enumerator "NAME" or "NAME = VALUE" (an integer literal). */
static void parse_enumerator(char *item, long *next, struct err_code *c)
{
	char *eq, *end, *name = item;
	size_t n;

	while (isspace((unsigned char)*name))
		name++;
	n = strcspn(name, " \t\n=");
	cr_assert(n > 0 && n < sizeof c->name, "bad enumerator '%s'", item);
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	if ((eq = strchr(name, '=')) != NULL) {
		errno = 0;
		*next = strtol(eq + 1, &end, 0);
		while (isspace((unsigned char)*end))
			end++;
		cr_assert(errno == 0 && *end == '\0',
		          "%s: value is not an integer literal: '%s'", c->name,
		          eq + 1);
	}
	c->value = (*next)++;
}

static size_t parse_err_enum(struct err_code *codes, size_t max)
{
	char *text = read_header(), *body, *end, *item, *save = NULL;
	long next = 0;
	size_t n = 0;

	strip_comments(text);
	body = strstr(text, "enum dance_err {");
	cr_assert_not_null(body, "no 'enum dance_err {' in dance.h");
	body += strlen("enum dance_err {");
	end = strchr(body, '}');
	cr_assert_not_null(end);
	*end = '\0';
	for (item = strtok_r(body, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (strspn(item, " \t\n") == strlen(item))
			continue; /* after the trailing comma */
		cr_assert(n < max);
		parse_enumerator(item, &next, &codes[n++]);
	}
	free(text);
	return n;
}

Test(err, every_code_in_header_has_text)
{
	static struct err_code codes[MAX_CODES];
	size_t n = parse_err_enum(codes, MAX_CODES);
	const char *fallback = dance_strerror(1); /* never a code */

	cr_assert(n >= 15, "only %zu codes parsed from dance.h", n);
	cr_assert_str_eq(codes[0].name, "DANCE_OK");
	cr_assert_eq(codes[0].value, 0);
	for (size_t i = 0; i < n; i++) {
		const char *s = dance_strerror((int)codes[i].value);
		cr_assert_not_null(s, "%s: NULL text", codes[i].name);
		cr_assert_str_neq(s, fallback, "%s (%ld) has no text",
		                  codes[i].name, codes[i].value);
		cr_assert(strlen(s) > 3, "%s: short text '%s'", codes[i].name,
		          s);
		cr_assert_null(strcasestr(s, "unknown"), "%s: '%s'",
		               codes[i].name, s);
		cr_assert_null(strcasestr(s, "unrecognised"), "%s: '%s'",
		               codes[i].name, s);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(s,
			                  dance_strerror((int)codes[j].value),
			                  "%s and %s share a text",
			                  codes[i].name, codes[j].name);
	}
}

Test(err, codes_are_negative_and_distinct)
{
	static struct err_code codes[MAX_CODES];
	size_t n = parse_err_enum(codes, MAX_CODES);

	for (size_t i = 1; i < n; i++) {
		cr_assert_lt(codes[i].value, 0, "%s = %ld is not negative",
		             codes[i].name, codes[i].value);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(codes[i].value, codes[j].value,
			              "%s and %s have the same value",
			              codes[i].name, codes[j].name);
	}
}

Test(err, outside_the_enum)
{
	/* Values that are no code get the fallback text, never NULL. */
	static const int outside[] = {1, 2, 100, -100, INT_MIN, INT_MAX};
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
		cr_assert_str_eq(dance_strerror(outside[i]),
		                 "unrecognised error code");
}

Test(err, temporary_codes)
{
	cr_assert(dance_err_is_temporary(DANCE_ERR_DNS_TIMEOUT));
	cr_assert(dance_err_is_temporary(DANCE_ERR_DNS_TEMPFAIL));
	cr_assert(dance_err_is_temporary(DANCE_ERR_BUSY));
	cr_assert_not(dance_err_is_temporary(DANCE_OK));
	cr_assert_not(dance_err_is_temporary(DANCE_ERR_NOT_ALLOWED));
	cr_assert_not(dance_err_is_temporary(DANCE_ERR_CONFIG));
}

Test(err, class_names)
{
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_SECURE), "secure");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_SECURE_NONE),
	                 "secure-none");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_BOGUS), "bogus");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_INDETERMINATE),
	                 "indeterminate");
	cr_assert_str_eq(dance_dns_class_name(DANCE_DNS_INSECURE), "insecure");
	cr_assert_str_eq(dance_dns_class_name((enum dance_dns_class)99), "?");
}

Test(err, verdict_names_distinct)
{
	for (int a = DANCE_AUTHENTICATED; a <= DANCE_REFUSED_TEMPFAIL; a++) {
		const char *na = dance_verdict_name((enum dance_verdict)a);
		cr_assert_str_neq(na, "?", "verdict %d has no name", a);
		for (int b = a + 1; b <= DANCE_REFUSED_TEMPFAIL; b++)
			cr_assert_str_neq(
			        na, dance_verdict_name((enum dance_verdict)b));
	}
	cr_assert_str_eq(dance_verdict_name((enum dance_verdict)99), "?");
}

Test(err, problem_texts)
{
	for (int p = DANCE_TLSA_USABLE; p <= DANCE_TLSA_WILDCARD; p++)
		cr_assert_str_neq(
		        dance_tlsa_problem_text((enum dance_tlsa_problem)p),
		        "?");
}
