/*
 * unit_dns.c -- TLSA lookups against a hermetic DNSSEC set-up (libunbound
 * auth-zone, zones signed at test time, no server, no network): every row
 * of design.md's DNS answer table, the allow-list, max-ttl, the deadline,
 * max-in-flight, batches, and eight threads sharing one context.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HERMETIC_SH DANCE_SOURCE_DIR "/tests/support/dns-hermetic.sh"
#define TIMEOUT_MS  600

static char dir[] = "/tmp/dance-unit-dns-XXXXXX";
static char conf[300];

static void setup(void)
{
	char cmd[600];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "bash %s %s >%s/log 2>&1", HERMETIC_SH, dir,
	         dir);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	snprintf(conf, sizeof conf, "%s/dance.conf", dir);
}

static void teardown(void)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(dns, .init = setup, .fini = teardown, .timeout = 60);

/* Log lines kept for assertions (one test per process). */
static char logbuf[16384];
static pthread_mutex_t loglk = PTHREAD_MUTEX_INITIALIZER;

static void keep_log(void *arg, enum dance_log_level level, const char *msg)
{
	(void)arg;
	(void)level;
	pthread_mutex_lock(&loglk);
	size_t used = strlen(logbuf);
	snprintf(logbuf + used, sizeof logbuf - used, "%s\n", msg);
	pthread_mutex_unlock(&loglk);
}

static dance_ctx *context(const char *extra)
{
	dance_ctx *ctx = NULL;
	char err[512];

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_set_log(ctx, keep_log, NULL), DANCE_OK);
	cr_assert_eq(dance_ctx_load_config(ctx, conf, err, sizeof err),
	             DANCE_OK, "%s", err);
	if (extra != NULL)
		cr_assert_eq(dance_config_parse_buffer(ctx, "extra", extra,
		                                       strlen(extra), err,
		                                       sizeof err),
		             DANCE_OK, "%s", err);
	return ctx;
}

struct row {
	const char *name;
	int err;
	enum dance_dns_class cls;
	size_t records; /* records expected (secure only) */
	const char *reason; /* part of the reason text */
};

static const struct row rows[] = {
        {"_user.good.test", DANCE_OK, DANCE_DNS_SECURE, 1, "secure"},
        {"_USER.Good.Test.", DANCE_OK, DANCE_DNS_SECURE, 1, "secure"},
        {"_user.mixed.good.test", DANCE_OK, DANCE_DNS_SECURE, 2, "secure"},
        {"_user.alias.good.test", DANCE_OK, DANCE_DNS_SECURE, 1, "secure"},
        {"_user.nodata.good.test", DANCE_OK, DANCE_DNS_SECURE_NONE, 0,
         "NODATA"},
        {"_user.nxdomain.good.test", DANCE_OK, DANCE_DNS_SECURE_NONE, 0,
         "NXDOMAIN"},
        {"_user.bogus.test", DANCE_OK, DANCE_DNS_BOGUS, 0,
         "signature verification failed"},
        {"_user.expired.test", DANCE_OK, DANCE_DNS_BOGUS, 0, "expired"},
        {"_user.insecure.test", DANCE_OK, DANCE_DNS_INSECURE, 0, "insecure"},
        {"_user.refused.test", DANCE_ERR_DNS_TEMPFAIL,
         DANCE_DNS_INDETERMINATE, 0, "REFUSED"},
        {"_user.silent.test", DANCE_ERR_DNS_TIMEOUT, DANCE_DNS_INDETERMINATE,
         0, "lookup-timeout"},
};

static void check_row(const struct row *w, int r,
                      const struct dance_tlsa_rrset *rs)
{
	cr_expect_eq(r, w->err, "%s: %d (%s)", w->name, r, dance_strerror(r));
	cr_assert_not_null(rs, "%s: no rrset", w->name);
	cr_expect_eq(rs->dns_class, w->cls, "%s: class %s", w->name,
	             dance_dns_class_name(rs->dns_class));
	cr_expect_eq(rs->count, w->records, "%s: %zu records", w->name,
	             rs->count);
	cr_expect_not_null(strstr(rs->reason, w->reason), "%s: reason '%s'",
	                   w->name, rs->reason);
	if (w->cls == DANCE_DNS_SECURE || w->cls == DANCE_DNS_SECURE_NONE) {
		cr_expect_eq(rs->rcode, w->records == 0 &&
		                                        strstr(w->reason, "NXDOMAIN")
		                                ? 3
		                                : 0,
		             "%s: rcode %d", w->name, rs->rcode);
		cr_expect(rs->ttl > 0 && rs->ttl <= 300, "%s: ttl %u", w->name,
		          rs->ttl);
	} else {
		cr_expect_eq(rs->ttl, 0u, "%s: ttl %u", w->name, rs->ttl);
	}
}

Test(dns, answer_table)
{
	dance_ctx *ctx = context(NULL);

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(ctx, rows[i].name, &rs);
		check_row(&rows[i], r, rs);
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_not_null(strstr(logbuf, "_user.bogus.test: refused, bogus"),
	                   "bogus logged with why_bogus:\n%s", logbuf);
	cr_expect_not_null(strstr(logbuf, "unusable TLSA record 2 1 1"),
	                   "unusable record logged");
	cr_expect_not_null(strstr(logbuf, "temporary failure"));
	dance_ctx_free(ctx);
}

Test(dns, records_of_a_secure_answer)
{
	dance_ctx *ctx = context(NULL);
	struct dance_tlsa_rrset *rs = NULL;
	char buf[200];
	int usable = 0, bad = 0;

	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.mixed.good.test", &rs),
	             DANCE_OK);
	cr_expect_str_eq(rs->name, "_user.mixed.good.test");
	for (size_t i = 0; i < rs->count; i++) {
		if (rs->records[i].problem == DANCE_TLSA_USABLE) {
			usable++;
			cr_expect_gt(dance_tlsa_format(&rs->records[i], buf,
			                               sizeof buf),
			             0);
			cr_expect_str_eq(buf, "2 1 1 "
			                      "000000000000000000000000000000000"
			                      "0000000000000000000000000000001");
		} else {
			bad++;
			cr_expect_eq(rs->records[i].problem,
			             DANCE_TLSA_BAD_DIGEST_LEN);
		}
	}
	cr_expect_eq(usable, 1);
	cr_expect_eq(bad, 1);
	cr_expect(rs->expires >= time(NULL) + 200);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}

Test(dns, max_ttl_caps_ttl)
{
	dance_ctx *ctx = context("max-ttl 60\n");
	struct dance_tlsa_rrset *rs = NULL;

	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	cr_expect_leq(rs->ttl, 60u);
	cr_expect_gt(rs->ttl, 0u);
	dance_tlsa_rrset_free(rs);
	/* the cached answer is capped too */
	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	cr_expect_leq(rs->ttl, 60u);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}

Test(dns, not_allowed_sends_nothing)
{
	static const char *const names[] = {
	        "_user.example.org",
	        "alice._user.example.org",
	        "_user.good.test.example.org",
	};
	dance_ctx *ctx = context(NULL);

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct dance_tlsa_rrset *rs = (void *)1;
		cr_expect_eq(dance_lookup_tlsa(ctx, names[i], &rs),
		             DANCE_ERR_NOT_ALLOWED, "%s", names[i]);
		cr_expect_null(rs);
	}
	cr_expect_not_null(strstr(logbuf, "not on the allow-list: no query"));
	cr_expect_eq(dance_domain_allowed(ctx, "good.test"), 1);
	cr_expect_eq(dance_domain_allowed(ctx, "test"), 0);
	dance_ctx_free(ctx);
}

Test(dns, deny_all_by_default)
{
	dance_ctx *ctx = NULL;
	struct dance_tlsa_rrset *rs = NULL;
	char err[256], text[600];

	/* the same set-up without its allow-domain line */
	snprintf(text, sizeof text,
	         "resolver recursive\nunbound-config %s/unbound.conf\n"
	         "trust-anchor-file %s/anchors.ds\n",
	         dir, dir);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_config_parse_buffer(ctx, "t", text, strlen(text),
	                                       err, sizeof err),
	             DANCE_OK, "%s", err);
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs),
	             DANCE_ERR_NOT_ALLOWED);
	dance_ctx_free(ctx);
}

Test(dns, bad_names)
{
	static const char *const names[] = {"", ".", "a..test", "_user",
	                                    "x._user.", "a\\"};
	dance_ctx *ctx = context(NULL);

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct dance_tlsa_rrset *rs = (void *)1;
		cr_expect_eq(dance_lookup_tlsa(ctx, names[i], &rs),
		             DANCE_ERR_BAD_NAME, "'%s'", names[i]);
		cr_expect_null(rs);
	}
	dance_ctx_free(ctx);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

Test(dns, deadline_bounds_a_silent_server)
{
	dance_ctx *ctx = context(NULL);
	struct dance_tlsa_rrset *rs = NULL;
	double t0;
	int r;

	cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK);
	t0 = now_ms();
	r = dance_lookup_tlsa(ctx, "_user.silent.test", &rs);
	t0 = now_ms() - t0;
	cr_expect_eq(r, DANCE_ERR_DNS_TIMEOUT);
	cr_expect(t0 >= TIMEOUT_MS - 1 && t0 <= TIMEOUT_MS * 1.1,
	          "took %.1f ms for a %d ms deadline", t0, TIMEOUT_MS);
	cr_assert_not_null(rs);
	cr_expect_eq(rs->dns_class, DANCE_DNS_INDETERMINATE);
	cr_expect_eq(rs->rcode, -1);
	cr_expect(dance_err_is_temporary(r));
	dance_tlsa_rrset_free(rs);
	/* a good name still works after an abandoned query */
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}

Test(dns, batch_under_one_deadline)
{
	const char *names[sizeof rows / sizeof rows[0] + 1];
	struct dance_tlsa_rrset *out[sizeof rows / sizeof rows[0] + 1];
	int errs[sizeof rows / sizeof rows[0] + 1];
	size_t n = sizeof rows / sizeof rows[0];
	dance_ctx *ctx = context(NULL);
	double t0;

	for (size_t i = 0; i < n; i++)
		names[i] = rows[i].name;
	names[n] = "_user.example.org";
	t0 = now_ms();
	cr_assert_eq(dance_lookup_tlsa_many(ctx, names, n + 1, out, errs),
	             DANCE_OK);
	t0 = now_ms() - t0;
	cr_expect_leq(t0, TIMEOUT_MS * 1.1 + 200, "took %.1f ms", t0);
	for (size_t i = 0; i < n; i++) {
		check_row(&rows[i], errs[i], out[i]);
		dance_tlsa_rrset_free(out[i]);
	}
	cr_expect_eq(errs[n], DANCE_ERR_NOT_ALLOWED);
	cr_expect_null(out[n]);
	dance_ctx_free(ctx);
}

Test(dns, max_in_flight_busy)
{
	const char *names[] = {"_user.silent.test", "_user.good.test"};
	struct dance_tlsa_rrset *out[2];
	int errs[2];
	dance_ctx *ctx = context("max-in-flight 1\n");

	cr_assert_eq(dance_lookup_tlsa_many(ctx, names, 2, out, errs),
	             DANCE_OK);
	cr_expect_eq(errs[0], DANCE_ERR_DNS_TIMEOUT);
	cr_expect_eq(errs[1], DANCE_ERR_BUSY);
	cr_assert_not_null(out[1]);
	cr_expect_eq(out[1]->dns_class, DANCE_DNS_INDETERMINATE);
	cr_expect_not_null(strstr(out[1]->reason, "max-in-flight 1"));
	dance_tlsa_rrset_free(out[0]);
	dance_tlsa_rrset_free(out[1]);
	/* the slot is free again */
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &out[0]),
	             DANCE_OK);
	dance_tlsa_rrset_free(out[0]);
	dance_ctx_free(ctx);
}

/* Eight threads share one context and resolve a mix of names. */
#define NTHREADS 8
#define ROUNDS   12

struct worker {
	dance_ctx *ctx;
	int id, wrong;
	char first_wrong[200];
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int k = 0; k < ROUNDS; k++) {
		const struct row *row =
		        &rows[(size_t)(w->id + k * 3) % (sizeof rows /
		                                         sizeof rows[0])];
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(w->ctx, row->name, &rs);
		if (r != row->err || rs == NULL || rs->dns_class != row->cls ||
		    rs->count != row->records) {
			if (w->wrong++ == 0)
				snprintf(w->first_wrong,
				         sizeof w->first_wrong,
				         "%s: %d class %d", row->name, r,
				         rs ? (int)rs->dns_class : -1);
		}
		dance_tlsa_rrset_free(rs);
	}
	return NULL;
}

Test(dns, eight_threads_share_one_context, .timeout = 120)
{
	dance_ctx *ctx = context("max-in-flight 64\n");
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];

	/* no explicit freeze: the threads race to freeze it */
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.ctx = ctx, .id = i};
		cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(w[i].wrong, 0, "thread %d: %d wrong, first %s", i,
		             w[i].wrong, w[i].first_wrong);
	}
	dance_ctx_free(ctx);
}
