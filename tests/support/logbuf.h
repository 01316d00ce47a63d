/*
 * logbuf.h -- a libdance log kept in memory for assertions: the log
 * callback (dance_ctx_set_log(ctx, logbuf_keep, l)) appends each message
 * and a newline; threads may log at once (the DoT relay, libunbound's
 * resolver thread). What does not fit is dropped.
 */
#ifndef DANCE_TEST_LOGBUF_H
#define DANCE_TEST_LOGBUF_H

#include "dance/dance.h"

#include <pthread.h>
#include <stddef.h>

struct logbuf {
	pthread_mutex_t lk;
	char text[262144];
	size_t len;
};

/* Empty l (and make its lock); logbuf_fini() when done. */
void logbuf_init(struct logbuf *l);
void logbuf_fini(struct logbuf *l);

/* The log callback; arg is the struct logbuf. */
void logbuf_keep(void *arg, enum dance_log_level level, const char *msg);

/* 1 if the log holds s. */
int logbuf_has(struct logbuf *l, const char *s);

#endif /* DANCE_TEST_LOGBUF_H */
