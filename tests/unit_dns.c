/*
 * unit_dns.c -- TLSA lookups against the rig's hermetic DNSSEC set-up
 * (FIX/hermetic: libunbound auth-zones over the zones signed at fixture
 * time, no server; see tests/rig/README.md): every row of design.md's DNS
 * answer table (rig_names[]), the allow-list, max-ttl, the deadline,
 * max-in-flight, batches, eight threads sharing one context, and the
 * wildcard answers of zone wild.test (wild_cases.h).
 *
 * Only names under test. are asked: the hermetic set-up would recurse to
 * the Internet for others (they are refused by the allow-list here).
 *
 * ctest-labels: timing (600 ms deadlines: not run under valgrind)
 */
#include "internal.h"
#include "lookup_threads.h"
#include "rig.h"
#include "rig_ub.h"
#include "wild_cases.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMEOUT_MS 600 /* set by these tests over the fixture's 1000 */

/* Log lines kept for assertions (one test per process). */
static char logbuf[32768];
static pthread_mutex_t loglk = PTHREAD_MUTEX_INITIALIZER;

static void keep_log(void *arg, enum dance_log_level level, const char *msg)
{
	size_t used;

	(void)arg;
	(void)level;
	pthread_mutex_lock(&loglk);
	used = strlen(logbuf);
	snprintf(logbuf + used, sizeof logbuf - used, "%s\n", msg);
	pthread_mutex_unlock(&loglk);
}

/* The hermetic dance.conf without its allow-domain lines (malloc'd). */
static char *hermetic_text(size_t *len)
{
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);
	char line[1024], *text = NULL;
	FILE *in, *out;

	cr_assert_not_null(conf, "no fixtures");
	cr_assert_not_null(in = fopen(conf, "r"), "%s", conf);
	cr_assert_not_null(out = open_memstream(&text, len));
	while (fgets(line, sizeof line, in) != NULL)
		if (strncmp(line, "allow-domain", 12) != 0)
			fputs(line, out);
	fclose(in);
	fclose(out);
	return text;
}

/* A context on the hermetic set-up with its own allow-list (NULL: none)
 * and extra settings; lookup-timeout TIMEOUT_MS. */
static dance_ctx *context_allowing(const char *allow, const char *extra)
{
	dance_ctx *ctx = NULL;
	char err[512], *text;
	size_t len = 0;

	text = hermetic_text(&len);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_set_log(ctx, keep_log, NULL), DANCE_OK);
	cr_assert_eq(dance_config_parse_buffer(ctx, "hermetic.conf", text, len,
	                                       err, sizeof err),
	             DANCE_OK, "%s", err);
	free(text);
	cr_assert_eq(
	        dance_ctx_set(ctx, "lookup-timeout", "600", err, sizeof err),
	        DANCE_OK);
	if (allow != NULL)
		cr_assert_eq(dance_ctx_set(ctx, "allow-domain", allow, err,
		                           sizeof err),
		             DANCE_OK, "%s", err);
	if (extra != NULL)
		cr_assert_eq(dance_config_parse_buffer(ctx, "extra", extra,
		                                       strlen(extra), err,
		                                       sizeof err),
		             DANCE_OK, "%s", err);
	return ctx;
}

static dance_ctx *context(const char *extra)
{
	return context_allowing("*.test", extra);
}

/* Does r go with the class of a name of the table? A silent name ends at
 * the deadline. */
static int err_ok(const struct rig_name *n, int r)
{
	if (n->cls != DANCE_DNS_INDETERMINATE)
		return r == DANCE_OK;
	return r ==
	       (n->timeout ? DANCE_ERR_DNS_TIMEOUT : DANCE_ERR_DNS_TEMPFAIL);
}

static void check_name(const struct rig_name *n, int r,
                       const struct dance_tlsa_rrset *rs)
{
	cr_expect(err_ok(n, r), "%s (%s): %s", n->name, n->what,
	          dance_strerror(r));
	cr_assert_not_null(rs, "%s: no rrset", n->name);
	cr_expect_eq(rs->dns_class, n->cls, "%s (%s): class %s, %s", n->name,
	             n->what, dance_dns_class_name(rs->dns_class), rs->reason);
	cr_expect_not_null(rs->reason);
	if (n->cls == DANCE_DNS_SECURE)
		cr_expect_gt(rs->count, 0, "%s", n->name);
	else
		cr_expect_eq(rs->count, 0, "%s: %zu records", n->name,
		             rs->count);
	if (n->cls == DANCE_DNS_SECURE || n->cls == DANCE_DNS_SECURE_NONE)
		cr_expect(rs->ttl > 0 && rs->ttl <= 300, "%s: ttl %u", n->name,
		          rs->ttl);
	else
		cr_expect_eq(rs->ttl, 0u, "%s: ttl %u", n->name, rs->ttl);
}

Test(dns, answer_table)
{
	dance_ctx *ctx = context(NULL);

	cr_assert_geq(rig_names_count, 20);
	for (size_t i = 0; i < rig_names_count; i++) {
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(ctx, rig_names[i].name, &rs);
		check_name(&rig_names[i], r, rs);
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_not_null(strstr(logbuf, "_user.bogus.test: refused, bogus: "
	                                  "DNSSEC validation failed: "
	                                  "validation failure"),
	                   "bogus logged with why_bogus:\n%s", logbuf);
	cr_expect_not_null(
	        strstr(logbuf, "_user.insecure.test: refused, insecure"));
	cr_expect_not_null(
	        strstr(logbuf, "_user.nodata.good.test: refused, secure-none"));
	cr_expect_not_null(strstr(logbuf, "unusable TLSA record 2 1 1"),
	                   "unusable record logged");
	cr_expect_not_null(
	        strstr(logbuf, "_user.servfail.test: temporary failure"));
	dance_ctx_free(ctx);
}

Test(dns, classes_in_detail)
{
	static const struct {
		const char *name, *ask;
		int rcode; /* -2: not checked */
		const char *reason;
	} cases[] = {
	        {"_user.good.test", "_USER.Good.Test.", 0,
	         "secure TLSA records"},
	        {"_user.nodata.good.test", NULL, 0, "secure NODATA"},
	        {"_user.nxdomain.good.test", NULL, 3, "secure NXDOMAIN"},
	        {"_user.bogus.test", NULL, -2, "signature verification failed"},
	        {"_user.expired.test", NULL, -2, "expired"},
	        {"_user.insecure.test", NULL, 0, "not DNSSEC-signed"},
	        {"_user.servfail.test", NULL, 2, "DNS answer SERVFAIL"},
	        {"_user.refused.test", NULL, -2, "DNS answer"},
	        {"_user.silent.test", NULL, -1,
	         "no answer within lookup-timeout"},
	        {"_user.xn--bcher-kva.good.test",
	         "_user.b\xc3\xbc"
	         "cher.good.test",
	         0, "secure"},
	};
	dance_ctx *ctx = context(NULL);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa_rrset *rs = NULL;
		const char *ask = cases[i].ask ? cases[i].ask : cases[i].name;
		(void)!dance_lookup_tlsa(ctx, ask, &rs);
		cr_assert_not_null(rs, "%s", ask);
		if (cases[i].rcode != -2)
			cr_expect_eq(rs->rcode, cases[i].rcode, "%s: rcode %d",
			             ask, rs->rcode);
		cr_expect_not_null(strstr(rs->reason, cases[i].reason),
		                   "%s: '%s'", ask, rs->reason);
		cr_expect_str_eq(rs->name, cases[i].name);
		dance_tlsa_rrset_free(rs);
	}
	dance_ctx_free(ctx);
}

Test(dns, records_of_a_secure_answer)
{
	dance_ctx *ctx = context(NULL);
	struct dance_tlsa_rrset *rs = NULL;
	int usable = 0, bad = 0;

	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.mixed.good.test", &rs),
	             DANCE_OK);
	for (size_t i = 0; i < rs->count; i++) {
		if (rs->records[i].problem == DANCE_TLSA_USABLE) {
			usable++;
			cr_expect_eq(rs->records[i].len, 32);
		} else {
			bad++;
			cr_expect_eq(rs->records[i].problem,
			             DANCE_TLSA_BAD_DIGEST_LEN);
			cr_expect_eq(rs->records[i].len, 4);
		}
	}
	cr_expect_eq(usable, 1);
	cr_expect_eq(bad, 1);
	cr_expect(rs->expires >= time(NULL) + 200);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}

/* Zone wild.test (wild_cases.h): explicit names give usable records;
 * answers synthesised from a wildcard (or reached through one) stay
 * secure with every record DANCE_TLSA_WILDCARD, fresh and from the cache,
 * alone and in a batch; the reason is logged. */
Test(dns, wildcard_answers_unusable)
{
	const char *names[N_WILD_CASES];
	struct dance_tlsa_rrset *out[N_WILD_CASES];
	int errs[N_WILD_CASES];
	dance_ctx *ctx = context(NULL), *batch = context(NULL);

	for (size_t i = 0; i < N_WILD_CASES; i++) {
		for (int k = 0; k < 2; k++) { /* fresh, then from the cache */
			struct dance_tlsa_rrset *rs = NULL;
			int r = dance_lookup_tlsa(ctx, wild_cases[i].name, &rs);
			wild_check(&wild_cases[i], k ? "cached" : "fresh", r,
			           rs);
			dance_tlsa_rrset_free(rs);
		}
		names[i] = wild_cases[i].name;
	}
	cr_expect_not_null(strstr(logbuf, "alice._user.wild.test: secure TLSA "
	                                  "records, but synthesised from the "
	                                  "wildcard *._user.wild.test"),
	                   "wildcard logged:\n%s", logbuf);
	cr_assert_eq(
	        dance_lookup_tlsa_many(batch, names, N_WILD_CASES, out, errs),
	        DANCE_OK);
	for (size_t i = 0; i < N_WILD_CASES; i++) {
		wild_check(&wild_cases[i], "batch", errs[i], out[i]);
		dance_tlsa_rrset_free(out[i]);
	}
	dance_ctx_free(batch);
	dance_ctx_free(ctx);
}

Test(dns, max_ttl_caps_ttl)
{
	dance_ctx *ctx = context("max-ttl 60\n");
	struct dance_tlsa_rrset *rs = NULL;

	for (int i = 0; i < 2; i++) { /* fresh, then from the cache */
		cr_assert_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs),
		             DANCE_OK);
		cr_expect(rs->ttl > 0 && rs->ttl <= 60, "ttl %u", rs->ttl);
		dance_tlsa_rrset_free(rs);
	}
	dance_ctx_free(ctx);
}

Test(dns, not_allowed_sends_nothing)
{
	static const char *const names[] = {
	        "_user.other.test",
	        "bob._user.other.test",
	        "_user.good.test.other.test",
	        "_user.good.testx",
	};
	dance_ctx *ctx = context_allowing("*.good.test", NULL);
	struct dance_tlsa_rrset *rs = NULL;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		rs = (void *)1;
		cr_expect_eq(dance_lookup_tlsa(ctx, names[i], &rs),
		             DANCE_ERR_NOT_ALLOWED, "%s", names[i]);
		cr_expect_null(rs);
	}
	cr_expect_not_null(strstr(logbuf, "not on the allow-list: no query"));
	cr_expect_eq(dance_domain_allowed(ctx, "x.good.test"), 1);
	cr_expect_eq(dance_domain_allowed(ctx, "good.test"), 0);
	/* good.test itself is not below *.good.test */
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs),
	             DANCE_ERR_NOT_ALLOWED);
	cr_expect_eq(
	        dance_lookup_tlsa(ctx, "_user.xn--bcher-kva.good.test", &rs),
	        DANCE_OK);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}

Test(dns, deny_all_by_default)
{
	dance_ctx *ctx = context_allowing(NULL, NULL);
	struct dance_tlsa_rrset *rs = NULL;

	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs),
	             DANCE_ERR_NOT_ALLOWED);
	cr_expect_null(rs);
	dance_ctx_free(ctx);
}

Test(dns, bad_names)
{
	static const char *const names[] = {"",      ".",        "a..test",
	                                    "_user", "x._user.", "a\\"};
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
	size_t n = rig_names_count;
	const char **names = calloc(n + 1, sizeof(const char *));
	struct dance_tlsa_rrset **out =
	        calloc(n + 1, sizeof(struct dance_tlsa_rrset *));
	int *errs = calloc(n + 1, sizeof *errs);
	dance_ctx *ctx = context(NULL);
	double t0;

	cr_assert(names && out && errs);
	for (size_t i = 0; i < n; i++)
		names[i] = rig_names[i].name;
	names[n] = "_user.example.org";
	t0 = now_ms();
	cr_assert_eq(dance_lookup_tlsa_many(ctx, names, n + 1, out, errs),
	             DANCE_OK);
	t0 = now_ms() - t0;
	cr_expect_leq(t0, TIMEOUT_MS * 1.1 + 100, "took %.1f ms", t0);
	for (size_t i = 0; i < n; i++) {
		check_name(&rig_names[i], errs[i], out[i]);
		dance_tlsa_rrset_free(out[i]);
	}
	cr_expect_eq(errs[n], DANCE_ERR_NOT_ALLOWED);
	cr_expect_null(out[n]);
	free(names);
	free(out);
	free(errs);
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
Test(dns, eight_threads_share_one_context)
{
	/* no explicit freeze: the threads race to freeze it */
	struct lookup_threads t = {.ctx = context(NULL),
	                           .threads = 8,
	                           .rounds = 12,
	                           .stride = 3,
	                           .err_ok = err_ok};

	cr_assert_eq(lookup_threads_run(&t), 0);
	cr_expect_eq(t.done, 8 * 12);
	cr_expect_eq(t.wrong, 0, "%d wrong, first %s", t.wrong, t.first);
	dance_ctx_free(t.ctx);
}
