/*
 * unit_cache.c -- libdance's answer cache (lib/cache.c): a hit returns the
 * same RRset with the TTL that is left; only secure and secure-none answers
 * are kept; entries expire at send time + TTL (wall clock and monotonic);
 * the oldest entry goes when full; eight threads at once. Then through
 * libdance on the hermetic set-up (no server): the second lookup of a name
 * comes from the cache, bogus and insecure ones never do, and
 * answer-cache-size 0 turns it off.
 */
#include "internal.h"
#include "logbuf.h"
#include "rig.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* An RRset for name with n records whose data is derived from the name. */
static struct dance_tlsa_rrset *
make_rrset(const char *name, enum dance_dns_class cls, uint32_t ttl, size_t n)
{
	struct dance_tlsa_rrset *rs = calloc(1, sizeof *rs);

	cr_assert_not_null(rs);
	rs->name = strdup(name);
	rs->reason = strdup("a reason");
	rs->dns_class = cls;
	rs->rcode = 0;
	rs->ttl = ttl;
	rs->expires = time(NULL) + (time_t)ttl;
	if (n > 0)
		rs->records = calloc(n, sizeof *rs->records);
	for (size_t i = 0; i < n; i++) {
		struct dance_tlsa *t = &rs->records[i];
		t->usage = 2;
		t->selector = (uint8_t)(i & 1);
		t->mtype = 1;
		t->len = 32;
		t->data = malloc(32);
		cr_assert_not_null(t->data);
		for (size_t k = 0; k < 32; k++)
			t->data[k] = (uint8_t)(name[k % strlen(name)] + i + k);
		t->problem =
		        i == 2 ? DANCE_TLSA_BAD_DIGEST_LEN : DANCE_TLSA_USABLE;
		rs->count++;
	}
	return rs;
}

/* Equal apart from ttl and expires. */
static void expect_same(const struct dance_tlsa_rrset *a,
                        const struct dance_tlsa_rrset *b)
{
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_expect_str_eq(a->name, b->name);
	cr_expect_eq(a->dns_class, b->dns_class);
	cr_expect_eq(a->rcode, b->rcode);
	cr_expect_str_eq(a->reason, b->reason);
	cr_assert_eq(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		const struct dance_tlsa *x = &a->records[i],
		                        *y = &b->records[i];
		cr_expect_eq(x->usage, y->usage);
		cr_expect_eq(x->selector, y->selector);
		cr_expect_eq(x->mtype, y->mtype);
		cr_expect_eq(x->problem, y->problem);
		cr_assert_eq(x->len, y->len);
		cr_expect_eq(memcmp(x->data, y->data, x->len), 0, "record %zu",
		             i);
		cr_expect_neq(x->data, y->data, "a copy, not the same buffer");
	}
}

static struct dance_cache *cache(size_t max)
{
	struct dance_cache *c = NULL;

	cr_assert_eq(dance_cache_new(max, &c), DANCE_OK);
	cr_assert_not_null(c);
	return c;
}

Test(cache, hit_returns_the_same_rrset)
{
	struct dance_cache *c = cache(16);
	struct dance_tlsa_rrset *rs =
	        make_rrset("_user.good.test", DANCE_DNS_SECURE, 300, 3);
	struct dance_tlsa_rrset *got = NULL, *again = NULL;

	cr_assert_eq(dance_cache_put(c, rs, time(NULL), now_mono()), DANCE_OK);
	cr_assert_eq(dance_cache_get(c, "_user.good.test", &got), DANCE_OK);
	expect_same(rs, got);
	cr_expect_leq(got->ttl, 300u);
	cr_expect_geq(got->ttl, 299u);
	cr_expect_leq(got->expires, time(NULL) + 300);
	/* a second hit is a second copy */
	cr_assert_eq(dance_cache_get(c, "_user.good.test", &again), DANCE_OK);
	expect_same(got, again);
	cr_expect_neq(got, again);
	dance_tlsa_rrset_free(got);
	dance_tlsa_rrset_free(again);
	/* the caller's RRset was copied in: freeing it changes nothing */
	dance_tlsa_rrset_free(rs);
	cr_assert_eq(dance_cache_get(c, "_user.good.test", &got), DANCE_OK);
	cr_expect_not_null(got);
	dance_tlsa_rrset_free(got);
	dance_cache_free(c);
}

Test(cache, misses)
{
	static const char *const other[] = {
	        "_user.good.tes",
	        "_user.good.test.x",
	        "good.test",
	        "_USER.good.test", /* keys are canonical: the caller's job */
	        "",
	};
	struct dance_cache *c = cache(16);
	struct dance_tlsa_rrset *rs =
	        make_rrset("_user.good.test", DANCE_DNS_SECURE, 300, 1);

	cr_assert_eq(dance_cache_put(c, rs, time(NULL), now_mono()), DANCE_OK);
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		struct dance_tlsa_rrset *got = (void *)1;
		cr_expect_eq(dance_cache_get(c, other[i], &got), DANCE_OK);
		cr_expect_null(got, "'%s' found", other[i]);
	}
	dance_tlsa_rrset_free(rs);
	dance_cache_free(c);
}

Test(cache, only_secure_and_secure_none_are_kept)
{
	static const struct {
		const char *name;
		enum dance_dns_class cls;
		uint32_t ttl;
		int kept;
	} cases[] = {
	        {"secure", DANCE_DNS_SECURE, 60, 1},
	        {"secure-none", DANCE_DNS_SECURE_NONE, 60, 1},
	        {"bogus", DANCE_DNS_BOGUS, 60, 0},
	        {"insecure", DANCE_DNS_INSECURE, 60, 0},
	        {"indeterminate", DANCE_DNS_INDETERMINATE, 60, 0},
	        {"secure-ttl-0", DANCE_DNS_SECURE, 0, 0},
	        {"secure-none-ttl-0", DANCE_DNS_SECURE_NONE, 0, 0},
	        {"bogus-ttl-0", DANCE_DNS_BOGUS, 0, 0},
	};
	struct dance_cache *c = cache(64);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa_rrset *rs =
		        make_rrset(cases[i].name, cases[i].cls, cases[i].ttl,
		                   cases[i].cls == DANCE_DNS_SECURE ? 2 : 0);
		struct dance_tlsa_rrset *got = NULL;

		cr_expect_eq(dance_cache_put(c, rs, time(NULL), now_mono()),
		             DANCE_OK);
		cr_expect_eq(dance_cache_get(c, cases[i].name, &got), DANCE_OK);
		if (cases[i].kept) {
			expect_same(rs, got);
		} else {
			cr_expect_null(got, "%s was cached", cases[i].name);
		}
		dance_tlsa_rrset_free(got);
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_eq(dance_cache_count(c), 2u);
	dance_cache_free(c);
}

Test(cache, expiry_counts_from_the_send_time)
{
	/* {ttl, seconds since sent (wall), ms since sent (monotonic)} */
	static const struct {
		const char *name;
		uint32_t ttl;
		time_t wall_ago;
		int64_t mono_ago;
		int fresh;
	} cases[] = {
	        {"fresh", 60, 0, 0, 1},
	        {"two seconds left", 10, 8, 8000, 1},
	        {"wall clock says expired", 10, 10, 0, 0},
	        {"long expired", 10, 100, 100000, 0},
	        {"clock set back: monotonic says expired", 10, 0, 10000, 0},
	        {"monotonic one second short", 10, 0, 9000, 1},
	};
	struct dance_cache *c = cache(16);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa_rrset *rs = make_rrset(
		        cases[i].name, DANCE_DNS_SECURE, cases[i].ttl, 1);
		struct dance_tlsa_rrset *got = NULL;

		cr_assert_eq(dance_cache_put(c, rs,
		                             time(NULL) - cases[i].wall_ago,
		                             now_mono() - cases[i].mono_ago),
		             DANCE_OK);
		cr_expect_eq(dance_cache_get(c, cases[i].name, &got), DANCE_OK);
		if (cases[i].fresh) {
			cr_expect_not_null(got, "%s", cases[i].name);
			if (got != NULL)
				cr_expect(
				        got->ttl >= 1 &&
				                got->ttl <=
				                        cases[i].ttl -
				                                (uint32_t)cases[i]
				                                        .wall_ago,
				        "%s: ttl %u", cases[i].name, got->ttl);
		} else {
			cr_expect_null(got, "%s: still there", cases[i].name);
		}
		dance_tlsa_rrset_free(got);
		dance_tlsa_rrset_free(rs);
	}
	/* the expired ones were dropped when met */
	cr_expect_eq(dance_cache_count(c), 3u);
	dance_cache_free(c);
}

Test(cache, expires_in_real_time)
{
	struct dance_cache *c = cache(4);
	struct dance_tlsa_rrset *rs =
	        make_rrset("_user.short.test", DANCE_DNS_SECURE, 2, 1);
	struct dance_tlsa_rrset *got = NULL;

	/* TTL 2 from a whole second: at least one second left at once */
	cr_assert_eq(dance_cache_put(c, rs, time(NULL), now_mono()), DANCE_OK);
	cr_assert_eq(dance_cache_get(c, "_user.short.test", &got), DANCE_OK);
	cr_expect_not_null(got);
	cr_expect(got != NULL && got->ttl >= 1 && got->ttl <= 2, "ttl %u",
	          got != NULL ? got->ttl : 0);
	dance_tlsa_rrset_free(got);
	got = NULL;
	{
		struct timespec ts = {2, 50000000L};
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(dance_cache_get(c, "_user.short.test", &got), DANCE_OK);
	cr_expect_null(got, "kept past its TTL");
	dance_tlsa_rrset_free(got);
	dance_tlsa_rrset_free(rs);
	dance_cache_free(c);
}

Test(cache, oldest_goes_when_full)
{
	static const char *const names[] = {"a.test", "b.test", "c.test",
	                                    "d.test", "e.test", "f.test"};
	struct dance_cache *c = cache(4);
	struct dance_tlsa_rrset *got = NULL;

	for (size_t i = 0; i < 5; i++) {
		struct dance_tlsa_rrset *rs =
		        make_rrset(names[i], DANCE_DNS_SECURE, 60, 1);
		cr_assert_eq(dance_cache_put(c, rs, time(NULL), now_mono()),
		             DANCE_OK);
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_eq(dance_cache_count(c), 4u);
	cr_assert_eq(dance_cache_get(c, "a.test", &got), DANCE_OK);
	cr_expect_null(got, "the oldest stayed");
	/* b asked again: replaced, now the newest; f pushes out c */
	for (size_t i = 1; i < 6; i += 4) {
		struct dance_tlsa_rrset *rs =
		        make_rrset(names[i], DANCE_DNS_SECURE, 60, 2);
		cr_assert_eq(dance_cache_put(c, rs, time(NULL), now_mono()),
		             DANCE_OK);
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_eq(dance_cache_count(c), 4u);
	for (size_t i = 0; i < 6; i++) {
		int want = i == 1 || i == 3 || i == 4 || i == 5;
		got = NULL;
		cr_assert_eq(dance_cache_get(c, names[i], &got), DANCE_OK);
		cr_expect_eq(got != NULL, want, "%s", names[i]);
		if (i == 1 && got != NULL)
			cr_expect_eq(got->count, 2u, "the newer answer");
		dance_tlsa_rrset_free(got);
	}
	dance_cache_free(c);
}

Test(cache, disabled_and_null)
{
	struct dance_cache *c = (void *)1;
	struct dance_tlsa_rrset *rs =
	        make_rrset("x.test", DANCE_DNS_SECURE, 60, 1);
	struct dance_tlsa_rrset *got = (void *)1;

	cr_expect_eq(dance_cache_new(0, &c), DANCE_OK);
	cr_expect_null(c);
	cr_expect_eq(dance_cache_put(NULL, rs, time(NULL), now_mono()),
	             DANCE_OK);
	cr_expect_eq(dance_cache_get(NULL, "x.test", &got), DANCE_OK);
	cr_expect_null(got);
	cr_expect_eq(dance_cache_count(NULL), 0u);
	dance_cache_free(NULL);
	dance_tlsa_rrset_free(rs);
}

/* ---- eight threads ------------------------------------------------------- */

#define NTHREADS 8
#define NNAMES   48
#define ROUNDS   4000

struct hammer {
	struct dance_cache *c;
	unsigned seed;
	long hits, misses, wrong;
};

/* xorshift32: a thread's own sequence */
static unsigned next_random(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *hammer(void *arg)
{
	struct hammer *h = arg;

	for (int k = 0; k < ROUNDS; k++) {
		char name[32];
		unsigned r = next_random(&h->seed);
		struct dance_tlsa_rrset *got = NULL;

		snprintf(name, sizeof name, "_user.d%u.test", r % NNAMES);
		if (r & 0x100) {
			struct dance_tlsa_rrset *rs =
			        make_rrset(name, DANCE_DNS_SECURE, 60, r % 4);
			if (dance_cache_put(h->c, rs, time(NULL), now_mono()) !=
			    DANCE_OK)
				h->wrong++;
			dance_tlsa_rrset_free(rs);
			continue;
		}
		if (dance_cache_get(h->c, name, &got) != DANCE_OK) {
			h->wrong++;
			continue;
		}
		if (got == NULL) {
			h->misses++;
			continue;
		}
		h->hits++;
		/* the data must be the one made for this name */
		{
			struct dance_tlsa_rrset *want = make_rrset(
			        name, DANCE_DNS_SECURE, 60, got->count);
			if (strcmp(got->name, name) != 0 ||
			    (got->count > 0 &&
			     memcmp(got->records[got->count - 1].data,
			            want->records[got->count - 1].data,
			            32) != 0))
				h->wrong++;
			dance_tlsa_rrset_free(want);
		}
		dance_tlsa_rrset_free(got);
	}
	return NULL;
}

Test(cache, eight_threads)
{
	struct dance_cache *c = cache(32); /* fewer than the names: evictions */
	pthread_t th[NTHREADS];
	struct hammer h[NTHREADS];
	long hits = 0;

	for (int i = 0; i < NTHREADS; i++) {
		h[i] = (struct hammer){.c = c, .seed = (unsigned)i * 7919u + 1};
		cr_assert_eq(pthread_create(&th[i], NULL, hammer, &h[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(h[i].wrong, 0, "thread %d: %ld wrong", i,
		             h[i].wrong);
		hits += h[i].hits;
	}
	cr_expect_gt(hits, 0);
	cr_expect_leq(dance_cache_count(c), 32u);
	dance_cache_free(c);
}

/* ---- through libdance (hermetic set-up, no server) ---------------------- */

/* How often the log says name came from the cache. */
static int cache_hits(struct logbuf *l, const char *name)
{
	char needle[256];
	int n = 0;

	snprintf(needle, sizeof needle, "%s: from libdance's answer cache",
	         name);
	for (const char *p = strstr(l->text, needle); p != NULL;
	     p = strstr(p + 1, needle))
		n++;
	return n;
}

static dance_ctx *hermetic(const char *extra, struct logbuf *l)
{
	dance_ctx *ctx = NULL;
	char err[512];
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);

	cr_assert_not_null(conf, "no fixtures");
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	logbuf_init(l);
	cr_assert_eq(dance_ctx_set_log(ctx, logbuf_keep, l), DANCE_OK);
	cr_assert_eq(dance_ctx_load_config(ctx, conf, err, sizeof err),
	             DANCE_OK, "%s", err);
	cr_assert_eq(dance_ctx_set(ctx, "log-level", "debug", err, sizeof err),
	             DANCE_OK);
	cr_assert_eq(
	        dance_ctx_set(ctx, "lookup-timeout", "10000", err, sizeof err),
	        DANCE_OK);
	if (extra != NULL)
		cr_assert_eq(dance_config_parse_buffer(ctx, "extra", extra,
		                                       strlen(extra), err,
		                                       sizeof err),
		             DANCE_OK, "%s", err);
	return ctx;
}

Test(cache_lookup, second_lookup_comes_from_the_cache)
{
	static const struct {
		const char *name;
		enum dance_dns_class cls;
		int cached;
	} cases[] = {
	        {"_user.good.test", DANCE_DNS_SECURE, 1},
	        {"_user.mixed.good.test", DANCE_DNS_SECURE, 1},
	        {"_user.nxdomain.good.test", DANCE_DNS_SECURE_NONE, 1},
	        {"_user.nodata.other.test", DANCE_DNS_SECURE_NONE, 1},
	        {"_user.bogus.test", DANCE_DNS_BOGUS, 0},
	        {"_user.expired.test", DANCE_DNS_BOGUS, 0},
	        {"_user.insecure.test", DANCE_DNS_INSECURE, 0},
	        {"_user.servfail.test", DANCE_DNS_INDETERMINATE, 0},
	        {"_user.refused.test", DANCE_DNS_INDETERMINATE, 0},
	};
	static struct logbuf l;
	dance_ctx *ctx = hermetic(NULL, &l);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa_rrset *first = NULL, *second = NULL;
		int r1 = dance_lookup_tlsa(ctx, cases[i].name, &first);
		int r2 = dance_lookup_tlsa(ctx, cases[i].name, &second);

		cr_assert_not_null(first);
		cr_assert_not_null(second);
		cr_expect_eq(r1, r2, "%s", cases[i].name);
		cr_expect_eq(first->dns_class, cases[i].cls, "%s: %s",
		             cases[i].name, first->reason);
		if (cases[i].cached) {
			expect_same(first, second);
		} else { /* asked again: libunbound's reason may change */
			cr_expect_eq(second->dns_class, first->dns_class);
			cr_expect_eq(second->count, 0u);
		}
		cr_expect_leq(second->ttl, first->ttl);
		cr_expect_eq(cache_hits(&l, cases[i].name), cases[i].cached,
		             "%s: %d cache hits", cases[i].name,
		             cache_hits(&l, cases[i].name));
		dance_tlsa_rrset_free(first);
		dance_tlsa_rrset_free(second);
	}
	dance_ctx_free(ctx);
	logbuf_fini(&l);
}

Test(cache_lookup, the_alias_and_its_target_are_separate_entries)
{
	/* keyed by the name asked: a CNAME's answer is kept under the
	 * alias, and the target's own lookup is a miss first */
	static struct logbuf l;
	dance_ctx *ctx = hermetic(NULL, &l);
	const char *names[] = {"_user.alias.good.test", "_user.good.test",
	                       "_user.alias.good.test"};
	struct dance_tlsa_rrset *rs[3] = {NULL};
	int errs[3];

	cr_assert_eq(dance_lookup_tlsa_many(ctx, names, 3, rs, errs), DANCE_OK);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(errs[i], DANCE_OK);
		cr_expect_eq(rs[i]->dns_class, DANCE_DNS_SECURE);
		dance_tlsa_rrset_free(rs[i]);
	}
	cr_expect_eq(cache_hits(&l, "_user.alias.good.test"), 0,
	             "the cache is read before the batch is sent");
	cr_assert_eq(dance_lookup_tlsa_many(ctx, names, 3, rs, errs), DANCE_OK);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(errs[i], DANCE_OK);
		dance_tlsa_rrset_free(rs[i]);
	}
	cr_expect_eq(cache_hits(&l, "_user.alias.good.test"), 2);
	cr_expect_eq(cache_hits(&l, "_user.good.test"), 1);
	dance_ctx_free(ctx);
	logbuf_fini(&l);
}

Test(cache_lookup, answer_cache_size_0_turns_it_off)
{
	static struct logbuf l;
	dance_ctx *ctx = hermetic("answer-cache-size 0\n", &l);

	for (int i = 0; i < 3; i++) {
		struct dance_tlsa_rrset *rs = NULL;
		cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs),
		             DANCE_OK);
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_eq(cache_hits(&l, "_user.good.test"), 0);
	dance_ctx_free(ctx);
	logbuf_fini(&l);
}
