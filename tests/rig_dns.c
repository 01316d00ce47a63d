/*
 * rig_dns.c -- libdance's DNS layer against the real nsd rig (see
 * tests/rig/README.md): every row of the DNS answer table, the black hole
 * and the slow server against the deadline, the allow-list proven at the
 * server side, max-ttl revocation, eight threads sharing one context,
 * the wildcard answers of zone wild.test (wild_cases.h), and 'dance
 * lookup' exit statuses and JSON (wildcard answers included).
 */
#include "internal.h"
#include "lookup_threads.h"
#include "proc.h"
#include "rig.h"
#include "rig_hooks.h"
#include "rig_ub.h"
#include "wild_cases.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char cli_path[] = DANCE_BINARY_DIR "/cli/dance";
#define DEADLINE 1000 /* lookup-timeout of the rig's configurations */

static const struct rig *rig(void)
{
	const struct rig *r = rig_start();

	cr_assert_not_null(r, "the rig did not start");
	return r;
}

static dance_ctx *context(const char *conf, const char *extra)
{
	dance_ctx *ctx = NULL;
	char err[512];

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_load_config(ctx, conf, err, sizeof err),
	             DANCE_OK, "%s", err);
	if (extra != NULL)
		cr_assert_eq(dance_config_parse_buffer(ctx, "extra", extra,
		                                       strlen(extra), err,
		                                       sizeof err),
		             DANCE_OK, "%s", err);
	return ctx;
}

/* Does r go with the class of a name of the table? Indeterminate answers
 * come as TEMPFAIL or TIMEOUT: a silent name is a time-out on a fresh
 * context, but libunbound may give up on the server sooner once it has
 * seen it fail (a REFUSED just before), which is SERVFAIL. */
static int err_ok(const struct rig_name *n, int r)
{
	if (n->cls != DANCE_DNS_INDETERMINATE)
		return r == DANCE_OK;
	if (!n->timeout)
		return r == DANCE_ERR_DNS_TEMPFAIL;
	return r == DANCE_ERR_DNS_TIMEOUT || r == DANCE_ERR_DNS_TEMPFAIL;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

Test(rig_dns, answer_table)
{
	dance_ctx *ctx = context(rig_conf(rig(), RIG_CONF_FRONT), NULL);

	cr_assert_geq(rig_names_count, 20);
	for (size_t i = 0; i < rig_names_count; i++) {
		const struct rig_name *n = &rig_names[i];
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(ctx, n->name, &rs);

		cr_expect(err_ok(n, r), "%s (%s): %s", n->name, n->what,
		          dance_strerror(r));
		cr_assert_not_null(rs, "%s", n->name);
		cr_expect_eq(rs->dns_class, n->cls, "%s (%s): %s, %s", n->name,
		             n->what, dance_dns_class_name(rs->dns_class),
		             rs->reason);
		if (n->cls == DANCE_DNS_SECURE)
			cr_expect_gt(rs->count, 0, "%s", n->name);
		else
			cr_expect_eq(rs->count, 0, "%s", n->name);
		dance_tlsa_rrset_free(rs);
	}
	dance_ctx_free(ctx);
}

Test(rig_dns, answer_table_hermetic)
{
	dance_ctx *ctx = context(rig_conf(NULL, RIG_CONF_HERMETIC), NULL);

	for (size_t i = 0; i < rig_names_count; i++) {
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(ctx, rig_names[i].name, &rs);
		cr_expect(err_ok(&rig_names[i], r), "%s: %s", rig_names[i].name,
		          dance_strerror(r));
		cr_assert_not_null(rs);
		cr_expect_eq(rs->dns_class, rig_names[i].cls, "%s: %s",
		             rig_names[i].name, rs->reason);
		dance_tlsa_rrset_free(rs);
	}
	dance_ctx_free(ctx);
}

/* Zone wild.test through nsd (wild_cases.h): explicit names usable,
 * wildcard-synthesised answers secure with every record unusable, fresh
 * and from the cache. */
Test(rig_dns, wildcard_answers_unusable)
{
	dance_ctx *ctx = context(rig_conf(rig(), RIG_CONF_FRONT), NULL);

	for (size_t i = 0; i < N_WILD_CASES; i++) {
		for (int k = 0; k < 2; k++) {
			struct dance_tlsa_rrset *rs = NULL;
			int r = dance_lookup_tlsa(ctx, wild_cases[i].name, &rs);
			wild_check(&wild_cases[i], k ? "cached" : "fresh", r,
			           rs);
			dance_tlsa_rrset_free(rs);
		}
	}
	dance_ctx_free(ctx);
}

/* A lookup through conf of a secure name: its error, class and time. */
static int timed_lookup(const char *conf, const char *name,
                        enum dance_dns_class *cls, double *ms)
{
	dance_ctx *ctx = context(conf, NULL);
	struct dance_tlsa_rrset *rs = NULL;
	int r;

	cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK);
	*ms = now_ms();
	r = dance_lookup_tlsa(ctx, name, &rs);
	*ms = now_ms() - *ms;
	cr_assert_not_null(rs);
	*cls = rs->dns_class;
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
	return r;
}

Test(rig_dns, black_hole_is_indeterminate_within_the_deadline)
{
	enum dance_dns_class cls;
	double ms;
	int r = timed_lookup(rig_conf(rig(), RIG_CONF_BLACKHOLE),
	                     "_user.good.test", &cls, &ms);

	cr_expect_eq(r, DANCE_ERR_DNS_TIMEOUT, "%s", dance_strerror(r));
	cr_expect_eq(cls, DANCE_DNS_INDETERMINATE);
	cr_expect(ms >= DEADLINE - 1 && ms <= DEADLINE * 1.1,
	          "black hole took %.1f ms, deadline %d ms", ms, DEADLINE);
	cr_expect_gt(rig_query_count(rig(), "_user.good.test"), 0,
	             "the black hole saw the query");
}

Test(rig_dns, slow_server_after_the_deadline_is_refused)
{
	enum dance_dns_class cls;
	double ms;
	int r;

	cr_assert_gt(rig()->slow_ms, DEADLINE);
	r = timed_lookup(rig_conf(rig(), RIG_CONF_SLOW), "_user.other.test",
	                 &cls, &ms);
	cr_expect_eq(r, DANCE_ERR_DNS_TIMEOUT);
	cr_expect_eq(cls, DANCE_DNS_INDETERMINATE);
	cr_expect(ms <= DEADLINE * 1.1, "slow server: %.1f ms", ms);
}

Test(rig_dns, delayed_server_within_the_deadline_is_used)
{
	enum dance_dns_class cls;
	double ms;
	int r;

	cr_assert_lt(rig()->delay_ms * 3, DEADLINE);
	r = timed_lookup(rig_conf(rig(), RIG_CONF_DELAY), "_user.good.test",
	                 &cls, &ms);
	cr_expect_eq(r, DANCE_OK, "%s", dance_strerror(r));
	cr_expect_eq(cls, DANCE_DNS_SECURE);
	cr_expect_geq(ms, rig()->delay_ms, "%.1f ms", ms);
}

/* The front configuration with its allow-domain lines replaced. */
static char *conf_allowing(const char *allow, char *path, size_t len)
{
	char line[1024];
	FILE *in, *out;

	snprintf(path, len, "%s/allow-%d.conf", rig()->rundir, (int)getpid());
	in = fopen(rig_conf(rig(), RIG_CONF_FRONT), "r");
	out = fopen(path, "w");
	cr_assert(in != NULL && out != NULL);
	while (fgets(line, sizeof line, in) != NULL)
		if (strncmp(line, "allow-domain", 12) != 0)
			fputs(line, out);
	fprintf(out, "allow-domain %s\n", allow);
	fclose(in);
	fclose(out);
	return path;
}

Test(rig_dns, refused_domain_sends_no_query)
{
	/* names no other test asks for: if one were sent, the rig's query
	 * log would show it */
	static const char *const refused[] = {
	        "_user.dns-refused.other.test",
	        "bob._user.dns-refused.other.test",
	        "_user.dns-refused.test",
	};
	char path[512];
	dance_ctx *ctx =
	        context(conf_allowing("good.test", path, sizeof path), NULL);
	struct dance_tlsa_rrset *rs = NULL;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		cr_expect_eq(dance_lookup_tlsa(ctx, refused[i], &rs),
		             DANCE_ERR_NOT_ALLOWED, "%s", refused[i]);
		cr_expect_null(rs);
	}
	/* control: an allowed name is seen by the server */
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	dance_tlsa_rrset_free(rs);
	cr_expect_gt(rig_query_count(rig(), "_user.good.test"), 0);
	cr_expect_eq(rig_query_count_under(rig(), "dns-refused.other.test") +
	                     rig_query_count(rig(), "_user.dns-refused.test"),
	             0, "a query for a refused domain reached the server");
	dance_ctx_free(ctx);
	unlink(path);
}

Test(rig_dns, max_ttl_bounds_revocation)
{
	struct rig *r = rig_start_private(NULL);
	dance_ctx *ctx;
	struct dance_tlsa_rrset *rs = NULL;

	cr_assert_not_null(r);
	ctx = context(rig_conf(r, RIG_CONF_FRONT), "max-ttl 1\n");
	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE);
	cr_expect_leq(rs->ttl, 1u);
	dance_tlsa_rrset_free(rs);
	cr_assert_eq(
	        rig_zone(r, "good.test", "del-name",
	                 (const char *[]){"_user.good.test", "TLSA", NULL}),
	        0);
	proc_sleep_ms(2100);
	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE_NONE,
	             "removed record still used after max-ttl: %s",
	             dance_dns_class_name(rs->dns_class));
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
	rig_stop(r);
}

/* With libdance's answer cache in front of libunbound's, a removed record
 * is used no longer than libunbound alone would use it: libunbound counts
 * whole seconds and still serves an answer (with TTL 0) during the second
 * its TTL runs out, so up to max-ttl + 1 s after it fetched it. libdance's
 * cache never returns TTL 0 and never holds an answer past libunbound's
 * expiry: after max-ttl, only TTL 0 answers (libunbound's) may come. */
Test(rig_dns, answer_cache_keeps_the_max_ttl_bound)
{
	struct rig *r = rig_start_private(NULL);
	struct dance_tlsa_rrset *rs = NULL;
	double t0, t, changed = -1, last_secure = 0, late = 0;
	dance_ctx *ctx;
	int cached_hits = 0;
	unsigned late_ttl = 0;

	cr_assert_not_null(r);
	ctx = context(rig_conf(r, RIG_CONF_FRONT), "max-ttl 2\n");
	t0 = now_ms();
	cr_assert_eq(dance_lookup_tlsa(ctx, "_user.other.test", &rs), DANCE_OK);
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE);
	cr_expect_leq(rs->ttl, 2u);
	dance_tlsa_rrset_free(rs);
	cr_assert_eq(
	        rig_zone(r, "other.test", "del-name",
	                 (const char *[]){"_user.other.test", "TLSA", NULL}),
	        0);
	while ((t = now_ms() - t0) < 5000 && changed < 0) {
		long before = rig_query_count(r, "_user.other.test");
		cr_assert_eq(dance_lookup_tlsa(ctx, "_user.other.test", &rs),
		             DANCE_OK);
		if (rs->dns_class == DANCE_DNS_SECURE) {
			last_secure = t;
			cached_hits += rig_query_count(r, "_user.other.test") ==
			               before;
			if (t > 2050 && rs->ttl > 0) {
				late = t;
				late_ttl = rs->ttl;
			}
		} else if (rs->dns_class == DANCE_DNS_SECURE_NONE) {
			changed = t;
		}
		dance_tlsa_rrset_free(rs);
		proc_sleep_ms(50);
	}
	cr_expect_geq(changed, 0, "the removed record is still used");
	cr_expect_leq(last_secure, 3050,
	              "used %.0f ms after it was fetched (max-ttl 2 s)",
	              last_secure);
	cr_expect_eq(late, 0,
	             "an answer with TTL %u left came %.0f ms after it was "
	             "fetched (max-ttl 2 s)",
	             late_ttl, late);
	cr_expect_gt(cached_hits, 0, "no answer came from a cache");
	dance_ctx_free(ctx);
	rig_stop(r);
}

/* Eight threads share one context and resolve a mix of names. */
Test(rig_dns, eight_threads_share_one_context)
{
	struct lookup_threads t = {
	        .ctx = context(rig_conf(rig(), RIG_CONF_FRONT), "max-ttl 2\n"),
	        .threads = 8,
	        .rounds = 15,
	        .stride = 7,
	        .err_ok = err_ok};

	cr_assert_eq(lookup_threads_run(&t), 0);
	cr_expect_eq(t.done, 8 * 15);
	cr_expect_eq(t.wrong, 0, "%d wrong, first %s", t.wrong, t.first);
	dance_ctx_free(t.ctx);
}

/* 'dance lookup' through the built CLI. */
struct cli_case {
	const char *name;
	int status;
	const char *cls;
};

static void run_cli(const char *conf, const struct cli_case *c, int json)
{
	const char *argv[] = {cli_path, "-c",     conf, "lookup",
	                      c->name,  "--json", NULL};
	struct proc_result res;
	char want[64];

	if (!json)
		argv[5] = NULL;
	cr_assert_eq(proc_run(&res, argv, NULL, 10000, NULL), 0);
	cr_expect(res.exited && res.exit_code == c->status,
	          "dance lookup %s%s: exit %d, want %d\n%s%s", c->name,
	          json ? " --json" : "", res.exit_code, c->status, res.out,
	          res.err);
	if (json) {
		snprintf(want, sizeof want, "\"class\":\"%s\"", c->cls);
		cr_expect_not_null(strstr(res.out, want), "%s: %s", c->name,
		                   res.out);
		cr_expect(res.out[0] == '{' &&
		                  strstr(res.out, "\"ttl\":") != NULL &&
		                  strstr(res.out, "\"records\":[") != NULL &&
		                  strchr(res.out, '\n') ==
		                          res.out + res.out_len - 1,
		          "one JSON object: %s", res.out);
	} else {
		snprintf(want, sizeof want, ": %s", c->cls);
		cr_expect_not_null(strstr(res.out, want), "%s: %s", c->name,
		                   res.out);
	}
	proc_result_free(&res);
}

Test(rig_dns, cli_exit_status_and_json)
{
	static const struct cli_case cases[] = {
	        {"_user.good.test", 0, "secure"},
	        {"_user.nxdomain.good.test", 1, "secure-none"},
	        {"_user.nodata.good.test", 1, "secure-none"},
	        {"_user.insecure.test", 1, "insecure"},
	        {"_user.bogus.test", 1, "bogus"},
	        {"_user.servfail.test", 3, "indeterminate"},
	        {"_user.refused.test", 3, "indeterminate"},
	        {"_user.mixed.good.test", 0, "secure"},
	};
	static const struct cli_case hole = {"_user.good.test", 3,
	                                     "indeterminate"};
	static const struct cli_case denied = {"_user.other.test", 1,
	                                       "not-allowed"};
	const char *conf = rig_conf(rig(), RIG_CONF_FRONT);
	char path[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_cli(conf, &cases[i], 0);
		run_cli(conf, &cases[i], 1);
	}
	run_cli(rig_conf(rig(), RIG_CONF_BLACKHOLE), &hole, 1);
	conf_allowing("good.test", path, sizeof path);
	run_cli(path, &denied, 0);
	run_cli(path, &denied, 1);
	unlink(path);
}

/* Occurrences of needle in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* 'dance lookup' of wild.test: a synthesised answer is still class secure
 * (exit 0, design.md's CLI contract: the lookup found secure data), but
 * every record is printed as unusable with the wildcard problem, in text
 * and JSON, and the reason names the wildcard. */
Test(rig_dns, cli_wildcard_records_unusable)
{
	static const struct {
		const char *name;
		size_t records;
		int wildcard;
	} cases[] = {
	        {"carol._user.wild.test", 3, 0},
	        {"_user.wild.test", 1, 0},
	        {"alice._user.wild.test", 3, 1},
	        {"_user.sub.wild.test", 1, 1},
	        {"_user.x.alias.wild.test", 1, 1},
	        {"_user.cname.wild.test", 1, 1},
	};
	const char *conf = rig_conf(rig(), RIG_CONF_FRONT);
	const char *problem = dance_tlsa_problem_text(DANCE_TLSA_WILDCARD);
	char text[256], json[256];

	snprintf(text, sizeof text, " ; unusable: %s\n", problem);
	snprintf(json, sizeof json, "\"usable\":false,\"problem\":\"%s\"",
	         problem);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int j = 0; j < 2; j++) {
			const char *argv[] = {
			        cli_path, "-c",          conf,
			        "lookup", cases[i].name, j ? "--json" : NULL,
			        NULL};
			size_t want = cases[i].wildcard ? cases[i].records : 0;
			struct proc_result res;

			cr_assert_eq(proc_run(&res, argv, NULL, 10000, NULL),
			             0);
			cr_expect(res.exited && res.exit_code == 0,
			          "%s: exit %d\n%s%s", cases[i].name,
			          res.exit_code, res.out, res.err);
			cr_expect_eq(count_of(res.out, j ? json : text), want,
			             "%s%s: %zu records marked, want %zu\n%s",
			             cases[i].name, j ? " --json" : "",
			             count_of(res.out, j ? json : text), want,
			             res.out);
			cr_expect_eq(count_of(res.out,
			                      j ? "\"usage\":" : " IN TLSA "),
			             cases[i].records, "%s: %s", cases[i].name,
			             res.out);
			cr_expect_eq(strstr(res.out,
			                    "wildcard owner names never "
			                    "authenticate users") != NULL,
			             cases[i].wildcard, "%s: reason: %s",
			             cases[i].name, res.out);
			proc_result_free(&res);
		}
	}
}

Test(rig_dns, cli_usage_errors)
{
	const char *const argvs[][6] = {
	        {cli_path, "lookup", NULL},
	        {cli_path, "lookup", "a.test", "b.test", NULL},
	        {cli_path, "lookup", "--frobnicate", "a.test", NULL},
	        {cli_path, "-c", "/nonexistent.conf", "lookup", "a.test", NULL},
	        {cli_path, "lookup", "a..test", NULL},
	};
	for (size_t i = 0; i < sizeof argvs / sizeof argvs[0]; i++) {
		struct proc_result res;
		cr_assert_eq(proc_run(&res, argvs[i], NULL, 10000, NULL), 0);
		cr_expect(res.exited && res.exit_code == 2, "case %zu: %d %s",
		          i, res.exit_code, res.err);
		proc_result_free(&res);
	}
}
