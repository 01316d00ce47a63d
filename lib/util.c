/*
 * util.c -- small helpers shared by libdance's files: bounded formatting and
 * erasing frees.
 */
#include "internal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>

void dance_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(buf, len, fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
}

void dance_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}
