/*
 * lookup_threads.h -- several threads looking up names of the rig's table
 * (rig_ub.h) through one shared dance_ctx, each answer checked against the
 * class the table gives: the concurrency test of unit_dns (hermetic),
 * rig_dns (nsd) and rig_dot (DNS over TLS).
 */
#ifndef DANCE_TEST_LOOKUP_THREADS_H
#define DANCE_TEST_LOOKUP_THREADS_H

#include "rig_ub.h"

#include "dance/dance.h"

#include <stddef.h>

struct lookup_threads {
	/* set by the caller */
	dance_ctx *ctx;
	int threads; /* at most LOOKUP_THREADS_MAX */
	int rounds;  /* names per thread: rig_names[(id * 5 + k * stride) %
	                count] for k < rounds */
	int stride;
	int skip_indeterminate; /* 1: skip names of class indeterminate */
	/* does the lookup's return value go with name n? NULL: DANCE_OK */
	int (*err_ok)(const struct rig_name *n, int r);
	/* filled in */
	int done;        /* lookups made, all threads */
	int wrong;       /* of them, wrong (return value or class) */
	char first[512]; /* the first wrong one */
};

#define LOOKUP_THREADS_MAX 16

/* Run t->threads threads to the end. 0, or -1 if t is invalid or not
 * every thread could be started (those that were have run to the end). */
int lookup_threads_run(struct lookup_threads *t);

#endif /* DANCE_TEST_LOOKUP_THREADS_H */
