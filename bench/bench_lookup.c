/*
 * bench_lookup.c -- cached TLSA lookups per second through libdance
 * against raw libunbound on equally configured contexts, in the same run.
 *
 *   bench_lookup [-c DANCE.CONF] [-n NAME] [-t SECONDS]
 *
 * DANCE.CONF defaults to the rig's hermetic set-up
 * ($DANCE_FIXTURE_DIR/hermetic/dance.conf, default build/fixtures; made
 * by tests/rig/make-fixtures.sh; libunbound auth-zones, no server), or give the rig's own dance.conf to
 * measure through nsd. NAME (default _user.good.test) is
 * looked up once to fill the caches, then as often as possible for
 * SECONDS (default 2) each way, one thread:
 *
 *   libdance    dance_lookup_tlsa() as configured (answer-cache-size
 *               4096 by default): allow-list, then libdance's own answer
 *               cache, which answers without going to libunbound at all
 *               (lib/cache.c); a copy of the parsed records;
 *   no cache    dance_lookup_tlsa() with answer-cache-size 0: allow-list,
 *               deadline, async resolve, poll, ub_process (answered from
 *               libunbound's cache), classification, parsed records;
 *   raw sync    ub_resolve() on a context with the same unbound-config,
 *               anchors and options (it builds a worker on every call);
 *   raw async   ub_resolve_async() + poll(ub_fd) + ub_process() on such a
 *               context in async-thread mode: the path libdance takes
 *               without its cache, so the fair baseline for libdance's
 *               own overhead ("no cache" / "raw async").
 *
 * "libdance" against the raw ones is not the same work: its answers come
 * from libdance's cache in front of libunbound's. The output says so.
 * Prints the four rates (per wall-clock second, and per second of the
 * process's CPU time, every thread, which other load on the machine
 * disturbs less) and the ratios (target of issue 2: >= 0.9). The four run
 * in interleaved short rounds so that outside load falls on them alike.
 */
#include "internal.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#define ROUNDS 20

#ifndef DANCE_SOURCE_DIR
#define DANCE_SOURCE_DIR "."
#endif
#ifndef DANCE_BINARY_DIR
#define DANCE_BINARY_DIR "build"
#endif

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread, libunbound's too). */
static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The options resolver.c sets, for a raw context: the unbound-config and
 * trust-anchor-file lines of the dance.conf, then dance's defaults. */
static struct ub_ctx *raw_context(const char *conf, int async)
{
	struct ub_ctx *ub = ub_ctx_create();
	char line[1024];
	FILE *f;
	int bad = 0;

	if (ub == NULL || (f = fopen(conf, "r")) == NULL)
		goto fail;
	if (async && ub_ctx_async(ub, 1) != 0)
		bad = 1;
	while (!bad && fgets(line, sizeof line, f) != NULL) {
		char *arg = strchr(line, ' ');
		if (arg == NULL)
			continue;
		*arg++ = '\0';
		arg[strcspn(arg, " \t\r\n")] = '\0';
		if (strcmp(line, "unbound-config") == 0)
			bad = ub_ctx_config(ub, arg) != 0;
		else if (strcmp(line, "trust-anchor-file") == 0)
			bad = ub_ctx_add_ta_file(ub, arg) != 0;
	}
	fclose(f);
	if (bad || ub_ctx_set_option(ub, "cache-max-ttl:", "3600") != 0 ||
	    ub_ctx_set_option(ub, "cache-max-negative-ttl:", "3600") != 0 ||
	    ub_ctx_set_option(ub, "infra-cache-max-rtt:", "2000") != 0 ||
	    ub_ctx_set_option(ub, "outbound-msg-retry:", "2") != 0)
		goto fail;
	(void)ub_ctx_zone_remove(ub, "test.");
	return ub;
fail:
	ub_ctx_delete(ub);
	return NULL;
}

static int check_raw(struct ub_result *res)
{
	int ok = res != NULL && res->secure && !res->bogus && res->havedata;

	ub_resolve_free(res);
	return ok;
}

static double run_dance(dance_ctx *ctx, const char *name, double secs, long *n)
{
	double t0 = now(), t;

	*n = 0;
	do {
		struct dance_tlsa_rrset *rs = NULL;
		if (dance_lookup_tlsa(ctx, name, &rs) != DANCE_OK ||
		    rs->dns_class != DANCE_DNS_SECURE) {
			fprintf(stderr, "libdance lookup failed\n");
			exit(1);
		}
		dance_tlsa_rrset_free(rs);
		++*n;
	} while ((*n & 15) != 0 || (t = now() - t0) < secs);
	return t;
}

static double run_sync(struct ub_ctx *ub, const char *name, double secs,
                       long *n)
{
	double t0 = now(), t;

	*n = 0;
	do {
		struct ub_result *res = NULL;
		if (ub_resolve(ub, name, 52, 1, &res) != 0 || !check_raw(res)) {
			fprintf(stderr, "raw ub_resolve failed\n");
			exit(1);
		}
		++*n;
	} while ((*n & 15) != 0 || (t = now() - t0) < secs);
	return t;
}

struct async_state {
	int done, ok;
};

static void async_cb(void *arg, int err, struct ub_result *res)
{
	struct async_state *s = arg;

	s->done = 1;
	s->ok = err == 0 && check_raw(res);
	if (err != 0)
		ub_resolve_free(res);
}

static double run_async(struct ub_ctx *ub, const char *name, double secs,
                        long *n)
{
	double t0 = now(), t;

	*n = 0;
	do {
		struct async_state s = {0, 0};
		struct pollfd pfd = {.fd = ub_fd(ub), .events = POLLIN};
		if (ub_resolve_async(ub, name, 52, 1, &s, async_cb, NULL) != 0)
			exit(1);
		while (!s.done) {
			if (poll(&pfd, 1, 2000) <= 0 || ub_process(ub) != 0)
				exit(1);
		}
		if (!s.ok) {
			fprintf(stderr, "raw async resolve failed\n");
			exit(1);
		}
		++*n;
	} while ((*n & 15) != 0 || (t = now() - t0) < secs);
	return t;
}

/* The rig's hermetic set-up in the fixtures. */
static void default_conf(char *conf, size_t len)
{
	const char *fix = getenv("DANCE_FIXTURE_DIR");

	if (fix == NULL)
		fix = DANCE_BINARY_DIR "/fixtures";
	snprintf(conf, len, "%s/hermetic/dance.conf", fix);
	if (access(conf, R_OK) != 0) {
		fprintf(stderr,
		        "%s: missing; make the fixtures first:\n"
		        "  %s/tests/rig/make-fixtures.sh %s\n",
		        conf, DANCE_SOURCE_DIR, fix);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	const char *name = "_user.good.test", *confarg = NULL;
	char conf[600], err[512];
	double secs = 2, rd, rn, rs, ra, td = 0, tn = 0, ts = 0, ta = 0;
	double cd = 0, cn = 0, cs = 0, ca = 0;
	long nd = 0, nn = 0, ns = 0, na = 0, warm;
	struct ub_ctx *sync_ub, *async_ub;
	dance_ctx *ctx = NULL, *nocache = NULL;
	struct ub_result *res = NULL;
	int c;

	while ((c = getopt(argc, argv, "c:n:t:")) != -1) {
		if (c == 'c')
			confarg = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == 't')
			secs = strtod(optarg, NULL);
		else
			return 2;
	}
	if (confarg != NULL)
		snprintf(conf, sizeof conf, "%s", confarg);
	else
		default_conf(conf, sizeof conf);
	if (dance_ctx_new(&ctx) != DANCE_OK ||
	    dance_ctx_load_config(ctx, conf, err, sizeof err) != DANCE_OK ||
	    dance_ctx_set(ctx, "lookup-timeout", "2000", err, sizeof err) ||
	    dance_ctx_freeze(ctx) != DANCE_OK ||
	    dance_ctx_new(&nocache) != DANCE_OK ||
	    dance_ctx_load_config(nocache, conf, err, sizeof err) != DANCE_OK ||
	    dance_ctx_set(nocache, "lookup-timeout", "2000", err, sizeof err) ||
	    dance_ctx_set(nocache, "answer-cache-size", "0", err, sizeof err) ||
	    dance_ctx_freeze(nocache) != DANCE_OK) {
		fprintf(stderr, "libdance set-up: %s\n", err);
		return 1;
	}
	if ((sync_ub = raw_context(conf, 0)) == NULL ||
	    (async_ub = raw_context(conf, 1)) == NULL) {
		fprintf(stderr, "libunbound set-up failed\n");
		return 1;
	}
	/* fill the caches (each context has its own) */
	if (ub_resolve(sync_ub, name, 52, 1, &res) != 0 || !check_raw(res)) {
		fprintf(stderr, "%s: not a secure TLSA answer\n", name);
		return 1;
	}
	run_async(async_ub, name, 0, &warm);
	run_dance(ctx, name, 0, &warm);
	run_dance(nocache, name, 0, &warm);

	/* Interleave short rounds, so that load from other processes on
	 * the machine falls on the three alike. */
	for (int round = 0; round < ROUNDS; round++) {
		long n;
		double c0 = cpu();
		td += run_dance(ctx, name, secs / ROUNDS, &n);
		nd += n;
		cd += cpu() - c0;
		c0 = cpu();
		tn += run_dance(nocache, name, secs / ROUNDS, &n);
		nn += n;
		cn += cpu() - c0;
		c0 = cpu();
		ts += run_sync(sync_ub, name, secs / ROUNDS, &n);
		ns += n;
		cs += cpu() - c0;
		c0 = cpu();
		ta += run_async(async_ub, name, secs / ROUNDS, &n);
		na += n;
		ca += cpu() - c0;
	}
	rd = (double)nd / td;
	rn = (double)nn / tn;
	rs = (double)ns / ts;
	ra = (double)na / ta;
	printf("cached TLSA lookups of %s, one thread, %.1f s each "
	       "(%d interleaved rounds):\n",
	       name, secs, ROUNDS);
	printf("  %-10s %10.0f lookups/s wall %10.0f per CPU-second  (%ld)  "
	       "answers from libdance's answer cache (answer-cache-size "
	       "%s)\n",
	       "libdance", rd, (double)nd / cd, nd,
	       dance_ctx_get(ctx, "answer-cache-size", 0));
	printf("  %-10s %10.0f lookups/s wall %10.0f per CPU-second  (%ld)  "
	       "answer-cache-size 0: libunbound's cache, async path\n",
	       "no cache", rn, (double)nn / cn, nn);
	printf("  %-10s %10.0f lookups/s wall %10.0f per CPU-second  (%ld)  "
	       "ub_resolve\n",
	       "raw sync", rs, (double)ns / cs, ns);
	printf("  %-10s %10.0f lookups/s wall %10.0f per CPU-second  (%ld)  "
	       "ub_resolve_async + poll + ub_process\n",
	       "raw async", ra, (double)na / ca, na);
	printf("ratio no cache / raw async (same path: libdance's own "
	       "overhead):   %.2f wall, %.2f CPU\n",
	       rn / ra, ((double)nn / cn) / ((double)na / ca));
	printf("ratio libdance / raw async (libdance's cache in front, not "
	       "the same work): %.2f wall, %.2f CPU\n",
	       rd / ra, ((double)nd / cd) / ((double)na / ca));
	printf("ratio libdance / raw sync  (ub_resolve; cache in front):"
	       "        %.2f wall, %.2f CPU\n",
	       rd / rs, ((double)nd / cd) / ((double)ns / cs));
	dance_ctx_free(nocache);
	dance_ctx_free(ctx);
	ub_ctx_delete(sync_ub);
	ub_ctx_delete(async_ub);
	return 0;
}
