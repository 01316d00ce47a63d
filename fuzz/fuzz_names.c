/*
 * fuzz_names.c -- libFuzzer target for name normalisation (lib/name.c):
 * dance_uid_normalize() on the raw bytes, dance_domain_to_ascii() on them
 * as a string, and, when the input holds a NUL, dance_user_owner() with
 * "uid\0domain" in both label forms.
 *
 * Besides memory errors it checks what callers rely on: a normalised uid
 * is 1..DANCE_UID_MAX octets without '@'; a normalised domain is lowercase
 * LDH, at most 253 octets, and normalising it again changes nothing.
 */
#include "fuzz.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static void check_uid(const uint8_t *data, size_t size)
{
	char *out = NULL;

	if (dance_uid_normalize((const char *)data, size, &out) == DANCE_OK) {
		size_t n = strlen(out);
		CHECK(n > 0 && n <= DANCE_UID_MAX);
		CHECK(strchr(out, '@') == NULL);
	} else {
		CHECK(out == NULL);
	}
	free(out);
}

static void check_domain(const char *s)
{
	char *out = NULL, *again = NULL;

	if (dance_domain_to_ascii(s, &out) != DANCE_OK) {
		CHECK(out == NULL);
		return;
	}
	CHECK(strlen(out) > 0 && strlen(out) <= 253);
	for (const char *p = out; *p; p++)
		CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.');
	CHECK(dance_domain_to_ascii(out, &again) == DANCE_OK);
	CHECK(strcmp(out, again) == 0);
	free(again);
	free(out);
}

static void check_owner(const char *uid, const char *domain)
{
	static const enum dance_label_form forms[] = {DANCE_LABEL_PLAIN,
	                                              DANCE_LABEL_HASHED};

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char *out = NULL;
		if (dance_user_owner(NULL, uid, domain, forms[i], &out) ==
		    DANCE_OK)
			CHECK(strstr(out, "._user.") != NULL);
		else
			CHECK(out == NULL);
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t len;

	check_uid(data, size);
	/* The same bytes as a C string (up to the first NUL). */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_domain(s);
	len = strlen(s);
	if (len < size)
		check_owner(s, s + len + 1);
	free(s);
	return 0;
}
