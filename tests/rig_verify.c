/*
 * rig_verify.c -- the _user profile through real DNSSEC: every case of
 * verify_cases.h marked VC_RIG looked up in the rig's signed zones
 * (secure, NXDOMAIN, NODATA, bogus, expired signatures, insecure,
 * wildcard-synthesised answers of wild.test), per-user records (wild.test's
 * too), a time-out from the black hole, the allow-list sending nothing,
 * eight threads on one context, and the 'dance verify' command.
 */
#include "internal.h"
#include "proc.h"
#include "rig.h"
#include "rig_hooks.h"
#include "verify_cases.h"
#include "verify_util.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DANCE_BIN DANCE_BINARY_DIR "/cli/dance"

static const struct rig *the_rig(void)
{
	const struct rig *rig = rig_start();
	cr_assert_not_null(rig, "the DNS rig did not start");
	return rig;
}

static dance_ctx *ctx_from(const char *conf)
{
	dance_ctx *ctx = NULL;
	char err[512] = "";

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_load_config(ctx, conf, err, sizeof err),
	             DANCE_OK, "%s: %s", conf, err);
	cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK, "%s", conf);
	return ctx;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- the table through DNS -------------------------------------------- */

Test(rig_verify, table)
{
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_FRONT));
	size_t ran = 0, accepted = 0;

	for (size_t i = 0; i < N_VERIFY_CASES; i++) {
		const struct verify_case *c = &verify_cases[i];
		STACK_OF(X509) * chain;
		struct dance_result *res = NULL;
		int r;

		if ((c->where & VC_RIG) == 0)
			continue;
		chain = vu_chain(c->chain);
		r = dance_verify_chain(ctx, chain, c->clientname, &res);
		vu_check(c->name, r, res, c->verdict, c->identity, c->depth,
		         c->reason_has);
		if (res != NULL && res->tlsa_name != NULL &&
		    c->verdict == DANCE_AUTHENTICATED)
			cr_expect_eq(res->dns_class, DANCE_DNS_SECURE, "%s",
			             c->name);
		ran++;
		accepted += c->verdict == DANCE_AUTHENTICATED;
		dance_result_free(res);
		sk_X509_pop_free(chain, X509_free);
	}
	fprintf(stderr, "rig_verify: %zu cases through DNS (%zu accepted)\n",
	        ran, accepted);
	cr_assert(ran >= 40);
	dance_ctx_free(ctx);
}

/* The rig's own user: the README demo's pair. */
Test(rig_verify, rig_user_and_cross_domain)
{
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_FRONT));
	STACK_OF(X509) *alice = vu_chain("alice.chain.pem");
	STACK_OF(X509) *mallory = vu_chain("v-crossrig.chain.pem");
	struct dance_result *res = NULL;
	int r;

	r = dance_verify_chain(ctx, alice, NULL, &res);
	vu_check("alice of good.test", r, res, DANCE_AUTHENTICATED,
	         "alice@good.test", 1, NULL);
	dance_result_free(res);
	res = NULL;
	r = dance_verify_chain(ctx, mallory, NULL, &res);
	vu_check("other.test's CA for good.test", r, res,
	         DANCE_REFUSED_NO_MATCH, NULL, -1, "namespace constraint");
	dance_result_free(res);
	sk_X509_pop_free(alice, X509_free);
	sk_X509_pop_free(mallory, X509_free);
	dance_ctx_free(ctx);
}

Test(rig_verify, der_chain)
{
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_FRONT));
	char p1[1024], p2[1024];
	uint8_t *leaf, *ca;
	size_t l1, l2;
	struct dance_result *res = NULL;

	snprintf(p1, sizeof p1, "%s/pki/v-ta201.der", vu_fixdir());
	snprintf(p2, sizeof p2, "%s/pki/v-ca.der", vu_fixdir());
	leaf = (uint8_t *)vu_slurp(p1, &l1);
	ca = (uint8_t *)vu_slurp(p2, &l2);
	{
		const uint8_t *der[2] = {leaf, ca};
		size_t lens[2] = {l1, l2};
		int r = dance_verify_der(ctx, der, lens, 2, NULL, &res);
		vu_check("DER chain", r, res, DANCE_AUTHENTICATED,
		         "alice@ta201.good.test", 1, NULL);
	}
	dance_result_free(res);
	free(leaf);
	free(ca);
	dance_ctx_free(ctx);
}

Test(rig_verify, user_records)
{
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_FRONT));

	for (size_t i = 0; i < N_USER_CASES; i++) {
		const struct user_case *c = &user_cases[i];
		STACK_OF(X509) * chain;
		struct dance_result *res = NULL;
		int r;

		if ((c->where & VC_RIG) == 0)
			continue;
		chain = vu_chain(c->chain);
		r = dance_verify_user_chain(ctx, chain, c->uid, "good.test",
		                            NULL, &res);
		vu_check(c->name, r, res, c->verdict, c->identity, 0, NULL);
		dance_result_free(res);
		sk_X509_pop_free(chain, X509_free);
	}
	dance_ctx_free(ctx);
}

/* Per-user records in zone wild.test (17-wildcard.sh): carol's explicit
 * name authenticates carol; any other user's name is synthesised from
 * *._user.wild.test, whose records (the key of wild-any-self) must
 * authenticate no one, not even the key they name. */
Test(rig_verify, user_records_wildcard)
{
	static const struct {
		const char *name, *chain, *uid;
		enum dance_verdict verdict;
		const char *identity, *reason_has;
	} cases[] = {
	        {"explicit carol._user.wild.test", "wild-carol-self.pem",
	         "carol", DANCE_AUTHENTICATED, "carol@wild.test", NULL},
	        {"explicit name in another case", "wild-carol-self.pem",
	         "CAROL", DANCE_AUTHENTICATED, "carol@wild.test", NULL},
	        {"alice from *._user.wild.test, the key it names",
	         "wild-any-self.pem", "alice", DANCE_REFUSED_UNUSABLE, NULL,
	         "synthesised from a wildcard owner name"},
	        {"bob from *._user.wild.test, the key it names",
	         "wild-any-self.pem", "bob", DANCE_REFUSED_UNUSABLE, NULL,
	         "synthesised from a wildcard owner name"},
	        {"alice from *._user.wild.test, carol's key",
	         "wild-carol-self.pem", "alice", DANCE_REFUSED_UNUSABLE, NULL,
	         "synthesised from a wildcard owner name"},
	        {"the wildcard's key as carol (explicit name)",
	         "wild-any-self.pem", "carol", DANCE_REFUSED_NO_MATCH, NULL,
	         NULL},
	};
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_FRONT));

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		STACK_OF(X509) *chain = vu_chain(cases[i].chain);
		struct dance_result *res = NULL;
		int r = dance_verify_user_chain(ctx, chain, cases[i].uid,
		                                "wild.test", NULL, &res);

		vu_check(cases[i].name, r, res, cases[i].verdict,
		         cases[i].identity, 0, cases[i].reason_has);
		dance_result_free(res);
		sk_X509_pop_free(chain, X509_free);
	}
	dance_ctx_free(ctx);
}

/* ---- failures of DNS ---------------------------------------------------- */

Test(rig_verify, timeout_is_temporary)
{
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_BLACKHOLE));
	STACK_OF(X509) *chain = vu_chain("v-ta201.chain.pem");
	struct dance_result *res = NULL;
	struct timespec t0;
	double ms;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = dance_verify_chain(ctx, chain, NULL, &res);
	ms = ms_since(&t0);
	vu_check("time-out", r, res, DANCE_REFUSED_TEMPFAIL, NULL, -1, NULL);
	cr_expect(dance_err_is_temporary(r), "returned %d", r);
	cr_expect(ms < 1000 + 700, "took %.0f ms (lookup-timeout 1000)", ms);
	dance_result_free(res);
	sk_X509_pop_free(chain, X509_free);
	dance_ctx_free(ctx);
}

/* The rig's configuration with "allow-domain *" replaced by one domain. */
static char *conf_allowing(const struct rig *rig, const char *domain)
{
	char *text = vu_slurp(rig_conf(rig, RIG_CONF_FRONT), NULL), *line;
	char *path = NULL;
	FILE *f;

	cr_assert(asprintf(&path, "%s/verify-allow-%ld.conf", rig->rundir,
	                   (long)getpid()) > 0);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	for (line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		if (strncmp(line, "allow-domain", 12) != 0)
			fprintf(f, "%.*s\n", (int)len, line);
		line += len + (line[len] == '\n');
	}
	fprintf(f, "allow-domain %s\n", domain);
	cr_assert_eq(fclose(f), 0);
	free(text);
	return path;
}

Test(rig_verify, not_allowed_sends_nothing)
{
	const struct rig *rig = the_rig();
	char *conf = conf_allowing(rig, "other.test");
	dance_ctx *ctx = ctx_from(conf);
	STACK_OF(X509) *chain = vu_chain("v-ta211.chain.pem");
	struct dance_result *res = NULL;
	long before = rig_query_count_under(rig, "ta211.good.test"), after;
	int r = dance_verify_chain(ctx, chain, NULL, &res);

	vu_check("not on the allow-list", r, res, DANCE_REFUSED_NOT_ALLOWED,
	         NULL, -1, "allow-list");
	after = rig_query_count_under(rig, "ta211.good.test");
	cr_expect(before >= 0 && after == before,
	          "queries under ta211.good.test: %ld before, %ld after",
	          before, after);
	dance_result_free(res);
	sk_X509_pop_free(chain, X509_free);
	dance_ctx_free(ctx);
	unlink(conf);
	free(conf);
}

/* ---- threads -------------------------------------------------------- */

#define THREADS    8
#define ITERATIONS 40

static const char *const thread_cases[] = {
        "2 0 1",
        "2 1 0 bare key, CA only in DNS",
        "CA of another domain (namespace constraint)",
        "NXDOMAIN",
        "bogus",
        "IDN domain: identity in U-labels"};

struct work {
	const struct verify_case *c;
	STACK_OF(X509) * chain;
};

static struct work works[sizeof thread_cases / sizeof thread_cases[0]];

struct thread_arg {
	dance_ctx *ctx;
	int seed;
	int failures;
};

static void *worker(void *p)
{
	struct thread_arg *a = p;
	const size_t nw = sizeof works / sizeof works[0];

	for (int it = 0; it < ITERATIONS; it++) {
		const struct work *w = &works[(size_t)(it + a->seed) % nw];
		struct dance_result *res = NULL;
		int r = dance_verify_chain(a->ctx, w->chain, NULL, &res);
		if (r != DANCE_OK || res == NULL ||
		    res->verdict != w->c->verdict ||
		    (w->c->identity != NULL &&
		     (res->identity == NULL ||
		      strcmp(res->identity, w->c->identity) != 0)))
			a->failures++;
		dance_result_free(res);
	}
	return NULL;
}

Test(rig_verify, eight_threads_one_context)
{
	dance_ctx *ctx = ctx_from(rig_conf(the_rig(), RIG_CONF_FRONT));
	pthread_t t[THREADS];
	struct thread_arg args[THREADS];
	int failures = 0;

	for (size_t i = 0; i < sizeof works / sizeof works[0]; i++) {
		for (size_t k = 0; k < N_VERIFY_CASES; k++)
			if (strcmp(verify_cases[k].name, thread_cases[i]) == 0)
				works[i].c = &verify_cases[k];
		cr_assert_not_null(works[i].c, "%s", thread_cases[i]);
		works[i].chain = vu_chain(works[i].c->chain);
	}
	for (int i = 0; i < THREADS; i++) {
		args[i] = (struct thread_arg){.ctx = ctx, .seed = i};
		cr_assert_eq(pthread_create(&t[i], NULL, worker, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		cr_assert_eq(pthread_join(t[i], NULL), 0);
		failures += args[i].failures;
	}
	cr_expect_eq(failures, 0, "%d wrong outcomes in %d verifications",
	             failures, THREADS * ITERATIONS);
	for (size_t i = 0; i < sizeof works / sizeof works[0]; i++)
		sk_X509_pop_free(works[i].chain, X509_free);
	dance_ctx_free(ctx);
}

/* ---- dance verify ----------------------------------------------------- */

struct cli_case {
	const char *name;
	const char *conf; /* "front", "blackhole" or NULL (no -c) */
	const char *args[8];
	int status;
	const char *out; /* stdout equals, or NULL */
	const char *out_has;
	const char *err_has;
};

#define PKI "@PKI@/"
#define VER "@VERIFY@/"

static const struct cli_case cli_cases[] = {
        {"rig user authenticated",
         "front",
         {PKI "alice.chain.pem"},
         0,
         "alice@good.test\n",
         NULL,
         NULL},
        {"another domain's CA refused",
         "front",
         {PKI "v-crossrig.chain.pem"},
         1,
         "",
         NULL,
         "refused (no-match): the certificate's domain good.test has no "
         "matching record at _user.good.test"},
        {"leaf and --chain",
         "front",
         {PKI "v-ta201.pem", "--chain", PKI "v-ca.pem"},
         0,
         "alice@ta201.good.test\n",
         NULL,
         NULL},
        {"--clientid",
         "front",
         {PKI "v-multi.chain.pem", "--clientid", "_user.multib.good.test"},
         0,
         "alice@multib.good.test\n",
         NULL,
         NULL},
        {"--json authenticated",
         "front",
         {PKI "v-idn.chain.pem", "--json"},
         0,
         NULL,
         "\"identity\": \"alice@m\xc3\xbcnchen.good.test\"",
         NULL},
        {"--json refused",
         "front",
         {PKI "v-nxdomain.chain.pem", "--json"},
         1,
         NULL,
         "\"verdict\": \"no-tlsa\"",
         NULL},
        {"bogus",
         "front",
         {PKI "alice-bogus.chain.pem"},
         1,
         "",
         NULL,
         "refused (bogus)"},
        {"wildcard-synthesised records",
         "front",
         {PKI "wild-sub-alice.chain.pem"},
         1,
         "",
         NULL,
         "refused (unusable-records)"},
        {"time-out",
         "blackhole",
         {PKI "v-ta201.chain.pem"},
         3,
         "",
         NULL,
         "temporary-failure"},
        {"--tlsa-file",
         NULL,
         {PKI "v-ta201.chain.pem", "--tlsa-file", VER "ta201.tlsa"},
         0,
         "alice@ta201.good.test\n",
         NULL,
         NULL},
        {"--tlsa-file of another domain",
         NULL,
         {PKI "v-crossrig.chain.pem", "--tlsa-file", VER "othertest.tlsa"},
         1,
         "",
         NULL,
         "namespace constraint"},
        {"no certificate file", NULL, {"--json"}, 2, "", NULL, "usage"},
        {"unreadable certificate file",
         NULL,
         {"/nonexistent.pem"},
         2,
         "",
         NULL,
         "cannot read"},
        {"unknown option",
         NULL,
         {PKI "v-ta201.pem", "--frobnicate"},
         2,
         "",
         NULL,
         "unknown"},
};

/* Replace @PKI@ and @VERIFY@ by the fixture directories. */
static char *expand(const char *arg)
{
	char *s = NULL;

	if (strncmp(arg, "@PKI@", 5) == 0)
		cr_assert(asprintf(&s, "%s/pki%s", vu_fixdir(), arg + 5) > 0);
	else if (strncmp(arg, "@VERIFY@", 8) == 0)
		cr_assert(asprintf(&s, "%s/verify%s", vu_fixdir(), arg + 8) >
		          0);
	else
		cr_assert_not_null(s = strdup(arg));
	return s;
}

Test(rig_verify, cli)
{
	const struct rig *rig = the_rig();

	for (size_t i = 0; i < sizeof cli_cases / sizeof cli_cases[0]; i++) {
		const struct cli_case *c = &cli_cases[i];
		const char *argv[16];
		char *owned[16];
		size_t n = 0, no = 0;
		struct proc_result pr;

		argv[n++] = DANCE_BIN;
		if (c->conf != NULL) {
			argv[n++] = "-c";
			argv[n++] =
			        rig_conf(rig, strcmp(c->conf, "blackhole") == 0
			                              ? RIG_CONF_BLACKHOLE
			                              : RIG_CONF_FRONT);
		}
		argv[n++] = "verify";
		for (size_t k = 0; k < 8 && c->args[k] != NULL; k++)
			argv[n++] = owned[no++] = expand(c->args[k]);
		argv[n] = NULL;
		cr_assert_eq(proc_run(&pr, argv, NULL, 20000, NULL), 0,
		             "%s: cannot run %s", c->name, DANCE_BIN);
		cr_expect(pr.exited && pr.exit_code == c->status,
		          "%s: exit %d, expected %d; stderr: %s", c->name,
		          pr.exit_code, c->status, pr.err);
		if (c->out != NULL)
			cr_expect_str_eq(pr.out, c->out, "%s (stderr: %s)",
			                 c->name, pr.err);
		if (c->out_has != NULL)
			cr_expect(strstr(pr.out, c->out_has) != NULL,
			          "%s: stdout lacks '%s': %s", c->name,
			          c->out_has, pr.out);
		if (c->err_has != NULL)
			cr_expect(strstr(pr.err, c->err_has) != NULL,
			          "%s: stderr lacks '%s': %s", c->name,
			          c->err_has, pr.err);
		proc_result_free(&pr);
		while (no > 0)
			free(owned[--no]);
	}
}
