/*
 * lookup_threads.c -- threads sharing one dance_ctx, each looking up names
 * of the rig's table and checking the class (lookup_threads.h).
 */
#include "lookup_threads.h"

#include <pthread.h>
#include <stdio.h>

struct worker {
	struct lookup_threads *t;
	pthread_mutex_t *lk;
	int id;
};

/* Note a wrong answer of n (under w->lk). */
static void wrong(struct worker *w, const struct rig_name *n, int r,
                  const struct dance_tlsa_rrset *rs)
{
	struct lookup_threads *t = w->t;

	pthread_mutex_lock(w->lk);
	if (t->wrong++ == 0)
		snprintf(t->first, sizeof t->first,
		         "thread %d: %s: %s, class %s: %s", w->id, n->name,
		         dance_strerror(r),
		         rs != NULL ? dance_dns_class_name(rs->dns_class)
		                    : "none",
		         rs != NULL && rs->reason != NULL ? rs->reason : "");
	pthread_mutex_unlock(w->lk);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct lookup_threads *t = w->t;

	for (int k = 0; k < t->rounds; k++) {
		const struct rig_name *n =
		        &rig_names[(size_t)(w->id * 5 + k * t->stride) %
		                   rig_names_count];
		struct dance_tlsa_rrset *rs = NULL;
		int r, ok;

		if (t->skip_indeterminate && n->cls == DANCE_DNS_INDETERMINATE)
			continue;
		r = dance_lookup_tlsa(t->ctx, n->name, &rs);
		ok = t->err_ok != NULL ? t->err_ok(n, r) : r == DANCE_OK;
		if (!ok || rs == NULL || rs->dns_class != n->cls)
			wrong(w, n, r, rs);
		dance_tlsa_rrset_free(rs);
		pthread_mutex_lock(w->lk);
		t->done++;
		pthread_mutex_unlock(w->lk);
	}
	return NULL;
}

int lookup_threads_run(struct lookup_threads *t)
{
	pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
	pthread_t th[LOOKUP_THREADS_MAX];
	struct worker w[LOOKUP_THREADS_MAX];
	int started = 0;

	t->done = t->wrong = 0;
	t->first[0] = '\0';
	if (t->ctx == NULL || t->threads < 1 ||
	    t->threads > LOOKUP_THREADS_MAX || t->rounds < 0)
		return -1;
	for (int i = 0; i < t->threads; i++) {
		w[i] = (struct worker){.t = t, .lk = &lk, .id = i};
		if (pthread_create(&th[i], NULL, work, &w[i]) != 0)
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return started == t->threads ? 0 : -1;
}
