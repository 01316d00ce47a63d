/*
 * cache.c -- libdance's answer cache, in front of libunbound's: a cached
 * lookup costs a hash lookup and a copy instead of a round trip through
 * libunbound's worker thread (ub_resolve_async, its pipe, ub_process).
 *
 * What is kept: secure and secure-none answers only (never bogus,
 * insecure or indeterminate ones, which are asked again every time),
 * keyed by the canonical query name (dance_qname_canon() form), each with
 * an expiry of
 *
 *     the time the query was sent + the TTL libunbound reported.
 *
 * libunbound reports the TTL already capped by max-ttl (cache-max-ttl,
 * cache-max-negative-ttl) and, for an answer from its own cache, already
 * decremented by the time spent there, counted in whole seconds of its own
 * clock from the moment it handled the query. Counting from the moment the
 * query was sent (before libunbound handled it, and on the same clock) puts
 * the expiry at or before libunbound's own: an entry never outlives the
 * answer in libunbound's cache, so a record removed from DNS stops being
 * used as soon as it would without this cache: max-ttl (plus the second
 * in which libunbound still serves it with TTL 0) after libunbound fetched
 * it. (libunbound refreshes its clock when it reads a query from its pipe,
 * so its count starts no earlier than our send time.)
 * The expiry is checked against the wall clock (like libunbound's) and
 * against CLOCK_MONOTONIC, so setting the clock back does not extend it.
 * A hit returns a copy with the TTL that is left (and expires to match).
 *
 * Bounded: at most max entries; when full, the oldest entry goes (first
 * in, first out; an answer asked again replaces its entry and becomes the
 * newest). Expired entries are dropped when met.
 *
 * Threads: one mutex around the hash table and the list. Entries are
 * immutable and reference-counted, so the lock is held only to find (or
 * insert) an entry; the copy for the caller is made outside it.
 */
#include "internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct centry {
	char *name; /* key; == rs->name */
	uint32_t hash;
	struct dance_tlsa_rrset *rs; /* the answer as it came */
	time_t wall_expiry;          /* expired when time() >= this */
	int64_t mono_expiry;         /* ms; expired when now >= this */
	unsigned refs;               /* table + readers (under lk) */
	struct centry *hnext;        /* hash chain */
	struct centry *older, *newer;
};

struct dance_cache {
	pthread_mutex_t lk;
	struct centry **bucket;
	size_t mask; /* number of buckets - 1 (a power of two - 1) */
	struct centry *oldest, *newest;
	size_t n, max;
};

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* FNV-1a. */
static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

/* ---- copies of RRsets ---------------------------------------------------- */

static int copy_records(const struct dance_tlsa_rrset *in,
                        struct dance_tlsa_rrset *out)
{
	if (in->count == 0)
		return DANCE_OK;
	if ((out->records = calloc(in->count, sizeof *out->records)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < in->count; i++) {
		const struct dance_tlsa *a = &in->records[i];
		struct dance_tlsa *b = &out->records[i];

		*b = *a;
		b->data = NULL;
		if (a->len > 0) {
			if ((b->data = malloc(a->len)) == NULL)
				return DANCE_ERR_NOMEM;
			memcpy(b->data, a->data, a->len);
		}
		out->count++;
	}
	return DANCE_OK;
}

/* A deep copy of in. DANCE_OK or DANCE_ERR_NOMEM (*out NULL). */
static int rrset_copy(const struct dance_tlsa_rrset *in,
                      struct dance_tlsa_rrset **out)
{
	struct dance_tlsa_rrset *c;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return DANCE_ERR_NOMEM;
	c->dns_class = in->dns_class;
	c->rcode = in->rcode;
	c->ttl = in->ttl;
	c->expires = in->expires;
	if ((c->name = strdup(in->name)) == NULL ||
	    (c->reason = strdup(in->reason != NULL ? in->reason : "")) ==
	            NULL ||
	    copy_records(in, c) != DANCE_OK) {
		dance_tlsa_rrset_free(c);
		return DANCE_ERR_NOMEM;
	}
	*out = c;
	return DANCE_OK;
}

/* ---- the table (every function here runs under c->lk) ---------------- */

static void entry_unref(struct centry *e)
{
	if (--e->refs > 0)
		return;
	dance_tlsa_rrset_free(e->rs);
	free(e);
}

/* Take e out of its hash chain. */
static void unhash(struct dance_cache *c, const struct centry *e)
{
	struct centry **p = &c->bucket[e->hash & c->mask];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
}

/* Take e out of the table and the list; frees it unless a reader holds
 * it. */
static void unlink_entry(struct dance_cache *c, struct centry *e)
{
	unhash(c, e);
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	c->n--;
	entry_unref(e);
}

/* Drop the oldest entry, if any. */
static void evict_oldest(struct dance_cache *c)
{
	struct centry *e = c->oldest;

	if (e == NULL)
		return;
	c->oldest = e->newer;
	if (c->oldest != NULL)
		c->oldest->older = NULL;
	else
		c->newest = NULL;
	unhash(c, e);
	c->n--;
	entry_unref(e);
}

static struct centry *find(struct dance_cache *c, const char *name, uint32_t h)
{
	for (struct centry *e = c->bucket[h & c->mask]; e != NULL; e = e->hnext)
		if (e->hash == h && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static int expired(const struct centry *e, time_t wall, int64_t mono)
{
	return wall >= e->wall_expiry || mono >= e->mono_expiry;
}

/* ---- API ----------------------------------------------------------------- */

int dance_cache_new(size_t max, struct dance_cache **out)
{
	struct dance_cache *c;
	size_t nb = 16;

	*out = NULL;
	if (max == 0)
		return DANCE_OK;
	while (nb < max && nb < ((size_t)1 << 30))
		nb <<= 1; /* load factor at most 1 */
	if ((c = calloc(1, sizeof *c)) == NULL)
		return DANCE_ERR_NOMEM;
	if ((c->bucket = calloc(nb, sizeof(struct centry *))) == NULL ||
	    pthread_mutex_init(&c->lk, NULL) != 0) {
		free(c->bucket);
		free(c);
		return DANCE_ERR_NOMEM;
	}
	c->mask = nb - 1;
	c->max = max;
	*out = c;
	return DANCE_OK;
}

void dance_cache_free(struct dance_cache *c)
{
	if (c == NULL)
		return;
	while (c->n > 0)
		evict_oldest(c);
	pthread_mutex_destroy(&c->lk);
	free(c->bucket);
	free(c);
}

/* Seconds left of e (at least 1: it has not expired). */
static uint32_t seconds_left(const struct centry *e, time_t wall, int64_t mono)
{
	int64_t w = (int64_t)(e->wall_expiry - wall);
	int64_t m = (e->mono_expiry - mono + 999) / 1000;
	int64_t left = w < m ? w : m;

	return left < 1 ? 1 : (uint32_t)left;
}

int dance_cache_get(struct dance_cache *c, const char *name,
                    struct dance_tlsa_rrset **out)
{
	uint32_t h = hash_name(name);
	time_t wall = time(NULL);
	int64_t mono = mono_ms();
	struct centry *e;
	uint32_t left = 0;
	int r = DANCE_OK;

	*out = NULL;
	if (c == NULL)
		return DANCE_OK;
	pthread_mutex_lock(&c->lk);
	if ((e = find(c, name, h)) != NULL && expired(e, wall, mono)) {
		unlink_entry(c, e);
		e = NULL;
	}
	if (e != NULL) {
		e->refs++;
		left = seconds_left(e, wall, mono);
	}
	pthread_mutex_unlock(&c->lk);
	if (e == NULL)
		return DANCE_OK;
	r = rrset_copy(e->rs, out);
	if (*out != NULL) {
		(*out)->ttl = left;
		(*out)->expires = wall + (time_t)left;
	}
	pthread_mutex_lock(&c->lk);
	entry_unref(e);
	pthread_mutex_unlock(&c->lk);
	return r;
}

int dance_cache_put(struct dance_cache *c, const struct dance_tlsa_rrset *rs,
                    time_t sent_wall, int64_t sent_mono_ms)
{
	struct centry *e, *old;
	int r;

	if (c == NULL || rs == NULL || rs->ttl == 0 ||
	    (rs->dns_class != DANCE_DNS_SECURE &&
	     rs->dns_class != DANCE_DNS_SECURE_NONE))
		return DANCE_OK;
	if ((e = calloc(1, sizeof *e)) == NULL)
		return DANCE_ERR_NOMEM;
	if ((r = rrset_copy(rs, &e->rs)) != DANCE_OK) {
		free(e);
		return r;
	}
	e->name = e->rs->name;
	e->hash = hash_name(e->name);
	e->wall_expiry = sent_wall + (time_t)rs->ttl;
	e->mono_expiry = sent_mono_ms + (int64_t)rs->ttl * 1000;
	e->refs = 1;
	pthread_mutex_lock(&c->lk);
	if ((old = find(c, e->name, e->hash)) != NULL)
		unlink_entry(c, old);
	while (c->n >= c->max && c->n > 0)
		evict_oldest(c);
	e->hnext = c->bucket[e->hash & c->mask];
	c->bucket[e->hash & c->mask] = e;
	e->older = c->newest;
	if (c->newest != NULL)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->n++;
	pthread_mutex_unlock(&c->lk);
	return DANCE_OK;
}

size_t dance_cache_count(struct dance_cache *c)
{
	size_t n;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lk);
	n = c->n;
	pthread_mutex_unlock(&c->lk);
	return n;
}
