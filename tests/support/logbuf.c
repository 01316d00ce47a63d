/*
 * logbuf.c -- a libdance log kept in memory for assertions (logbuf.h).
 */
#include "logbuf.h"

#include <stdio.h>
#include <string.h>

void logbuf_init(struct logbuf *l)
{
	pthread_mutex_init(&l->lk, NULL);
	l->len = 0;
	l->text[0] = '\0';
}

void logbuf_fini(struct logbuf *l)
{
	pthread_mutex_destroy(&l->lk);
}

void logbuf_keep(void *arg, enum dance_log_level level, const char *msg)
{
	struct logbuf *l = arg;
	int n;

	(void)level;
	pthread_mutex_lock(&l->lk);
	n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", msg);
	if (n > 0 && (size_t)n < sizeof l->text - l->len)
		l->len += (size_t)n;
	pthread_mutex_unlock(&l->lk);
}

int logbuf_has(struct logbuf *l, const char *s)
{
	int r;

	pthread_mutex_lock(&l->lk);
	r = strstr(l->text, s) != NULL;
	pthread_mutex_unlock(&l->lk);
	return r;
}
