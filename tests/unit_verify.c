/*
 * unit_verify.c -- the _user profile and per-user records, offline: every
 * case of verify_cases.h marked VC_OFFLINE against the records its fixture
 * wrote to $FIX/verify/TAG.tlsa; every single-bit flip and every truncation
 * of a valid leaf; result fields; arguments; eight threads verifying
 * through one context; the context's DANE SSL_CTX, made once on first use
 * by threads racing for it.
 */
#include "internal.h"
#include "verify_cases.h"
#include "verify_util.h"

#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dance_tlsa_rrset *case_rrset(const struct verify_case *c)
{
	return c->tlsa != NULL ? vu_rrset(c->tlsa)
	                       : vu_empty_rrset(c->offline_class);
}

/* ---- the table ------------------------------------------------------- */

Test(verify, offline_table)
{
	size_t ran = 0, accepted = 0, refused = 0;

	for (size_t i = 0; i < N_VERIFY_CASES; i++) {
		const struct verify_case *c = &verify_cases[i];
		STACK_OF(X509) * chain;
		struct dance_tlsa_rrset *rr;
		struct dance_result *res = NULL;
		int r;

		if ((c->where & VC_OFFLINE) == 0)
			continue;
		chain = vu_chain(c->chain);
		rr = case_rrset(c);
		r = dance_verify_chain_offline(NULL, chain, c->clientname, rr,
		                               &res);
		vu_check(c->name, r, res, c->verdict, c->identity, c->depth,
		         c->reason_has);
		cr_expect_eq(ERR_peek_error(), 0,
		             "%s: OpenSSL errors left on the queue", c->name);
		ran++;
		if (c->verdict == DANCE_AUTHENTICATED)
			accepted++;
		else
			refused++;
		dance_result_free(res);
		dance_tlsa_rrset_free(rr);
		sk_X509_pop_free(chain, X509_free);
	}
	fprintf(stderr,
	        "verify: %zu offline cases (%zu accepted, %zu refused)\n", ran,
	        accepted, refused);
	cr_assert(ran >= 40);
	cr_assert(refused >= accepted);
}

Test(verify, offline_indeterminate_is_temporary)
{
	STACK_OF(X509) *chain = vu_chain("v-ta201.chain.pem");
	struct dance_tlsa_rrset *rr = vu_empty_rrset(DANCE_DNS_INDETERMINATE);
	struct dance_result *res = NULL;
	int r = dance_verify_chain_offline(NULL, chain, NULL, rr, &res);

	vu_check("indeterminate", r, res, DANCE_REFUSED_TEMPFAIL, NULL, -1,
	         "temporarily");
	cr_expect(dance_err_is_temporary(r));
	dance_result_free(res);
	dance_tlsa_rrset_free(rr);
	sk_X509_pop_free(chain, X509_free);
}

Test(verify, user_records_offline)
{
	for (size_t i = 0; i < N_USER_CASES; i++) {
		const struct user_case *c = &user_cases[i];
		STACK_OF(X509) * chain;
		struct dance_tlsa_rrset *rr;
		struct dance_result *res = NULL;
		int r;

		if ((c->where & VC_OFFLINE) == 0)
			continue;
		chain = vu_chain(c->chain);
		rr = vu_rrset(c->tlsa);
		r = dance_verify_user_chain(NULL, chain, c->uid, "good.test",
		                            rr, &res);
		vu_check(c->name, r, res, c->verdict, c->identity, 0, NULL);
		dance_result_free(res);
		dance_tlsa_rrset_free(rr);
		sk_X509_pop_free(chain, X509_free);
	}
}

/* ---- result fields ---------------------------------------------------- */

Test(verify, result_fields)
{
	STACK_OF(X509) *chain = vu_chain("v-pkixta.chain.pem");
	struct dance_tlsa_rrset *rr = vu_rrset("pkixta");
	struct dance_result *res = NULL;
	size_t not_for_users = 0;

	cr_assert_eq(dance_verify_chain_offline(NULL, chain, NULL, rr, &res),
	             DANCE_OK);
	cr_assert_eq(res->verdict, DANCE_AUTHENTICATED, "%s", res->reason);
	cr_expect_str_eq(res->uid, "alice");
	cr_expect_str_eq(res->domain, "pkixta.good.test");
	cr_expect_str_eq(res->domain_ascii, "pkixta.good.test");
	cr_expect_str_eq(res->tlsa_name, "_user.pkixta.good.test");
	cr_expect_eq(res->dns_class, DANCE_DNS_SECURE);
	cr_expect_eq(res->matched.usage, DANCE_USAGE_DANE_TA);
	cr_expect_eq(res->matched.selector, 0);
	cr_expect_eq(res->matched.mtype, DANCE_MTYPE_SHA256);
	cr_expect_eq(res->matched.len, 32);
	cr_expect_eq(res->record_count, 3);
	for (size_t i = 0; i < res->record_count; i++)
		not_for_users +=
		        res->records[i].problem == DANCE_TLSA_NOT_FOR_USERS;
	cr_expect_eq(not_for_users, 2, "PKIX-TA and PKIX-EE not for users");
	cr_expect(res->expires >= time(NULL) &&
	          res->expires <= time(NULL) + 300);
	dance_result_free(res);
	dance_tlsa_rrset_free(rr);
	sk_X509_pop_free(chain, X509_free);
}

/* The decision lasts no longer than the chain is valid. */
Test(verify, ttl_bounded_by_certificate)
{
	STACK_OF(X509) *chain = vu_chain("v-ta201.chain.pem");
	struct dance_tlsa_rrset *rr = vu_rrset("ta201");
	struct dance_result *res = NULL;

	rr->ttl = 1000u * 24 * 3600; /* longer than the leaf's 400 days */
	rr->expires = 0;
	cr_assert_eq(dance_verify_chain_offline(NULL, chain, NULL, rr, &res),
	             DANCE_OK);
	cr_assert_eq(res->verdict, DANCE_AUTHENTICATED, "%s", res->reason);
	cr_expect(res->ttl <= 401u * 24 * 3600 && res->ttl > 390u * 24 * 3600,
	          "ttl %u", res->ttl);
	dance_result_free(res);
	dance_tlsa_rrset_free(rr);
	sk_X509_pop_free(chain, X509_free);
}

/* ---- logging ---------------------------------------------------------- */

struct logbook {
	int info, other;
	char last[1024];
};

static void collect(void *arg, enum dance_log_level level, const char *msg)
{
	struct logbook *lb = arg;

	if (level == DANCE_LOG_INFO)
		lb->info++;
	else
		lb->other++;
	snprintf(lb->last, sizeof lb->last, "%s", msg);
}

Test(verify, refusals_are_logged_with_their_reason)
{
	static const char *const names[] = {
	        "CA of another domain (namespace constraint)", "no uid",
	        "only unusable records", "2 0 1"};
	dance_ctx *ctx = NULL;
	struct logbook lb;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_set_log(ctx, collect, &lb), DANCE_OK);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct verify_case *c = NULL;
		STACK_OF(X509) * chain;
		struct dance_tlsa_rrset *rr;
		struct dance_result *res = NULL;

		for (size_t k = 0; k < N_VERIFY_CASES; k++)
			if (strcmp(verify_cases[k].name, names[i]) == 0)
				c = &verify_cases[k];
		cr_assert_not_null(c);
		memset(&lb, 0, sizeof lb);
		chain = vu_chain(c->chain);
		rr = case_rrset(c);
		cr_assert_eq(
		        dance_verify_chain_offline(ctx, chain, NULL, rr, &res),
		        DANCE_OK);
		cr_expect_eq(lb.info, 1, "%s: %d info messages", c->name,
		             lb.info);
		cr_expect_eq(lb.other, 0, "%s", c->name);
		cr_expect(strstr(lb.last, res->reason) != NULL,
		          "%s: log '%s' lacks the reason", c->name, lb.last);
		if (res->verdict != DANCE_AUTHENTICATED)
			cr_expect(strstr(lb.last,
			                 dance_verdict_name(res->verdict)) !=
			                  NULL,
			          "%s: log '%s' lacks the verdict", c->name,
			          lb.last);
		dance_result_free(res);
		dance_tlsa_rrset_free(rr);
		sk_X509_pop_free(chain, X509_free);
	}
	dance_ctx_free(ctx);
}

Test(verify, null_result_free)
{
	dance_result_free(NULL);
}

Test(verify, invalid_arguments)
{
	STACK_OF(X509) *empty = sk_X509_new_null();
	struct dance_tlsa_rrset *rr = vu_empty_rrset(DANCE_DNS_SECURE);
	struct dance_result *res = (void *)&res;
	const uint8_t *der[1] = {NULL};
	size_t lens[1] = {0};
	dance_ctx *ctx = NULL;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_expect_eq(dance_verify_chain_offline(NULL, empty, NULL, rr, &res),
	             DANCE_ERR_INVALID_ARG);
	cr_expect_null(res);
	res = (void *)&res;
	cr_expect_eq(dance_verify_der(ctx, der, lens, 0, NULL, &res),
	             DANCE_ERR_INVALID_ARG);
	cr_expect_null(res);
	res = (void *)&res;
	cr_expect_eq(dance_verify_user_chain(NULL, empty, "a", "good.test", rr,
	                                     &res),
	             DANCE_ERR_INVALID_ARG);
	cr_expect_null(res);
	{
		STACK_OF(X509) *chain = vu_chain("v-carol.pem");
		res = (void *)&res;
		/* online without a context */
		cr_expect_eq(dance_verify_user_chain(NULL, chain, "carol",
		                                     "good.test", NULL, &res),
		             DANCE_ERR_INVALID_ARG);
		cr_expect_null(res);
		sk_X509_pop_free(chain, X509_free);
	}
	dance_ctx_free(ctx);
	dance_tlsa_rrset_free(rr);
	sk_X509_free(empty);
}

/* A DER chain element that is not one certificate: bad-certificate. */
Test(verify, der_not_a_certificate)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	const uint8_t *der[1] = {junk};
	size_t lens[1] = {sizeof junk};
	struct dance_result *res = NULL;
	dance_ctx *ctx = NULL;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_verify_der(ctx, der, lens, 1, NULL, &res), DANCE_OK);
	cr_expect_eq(res->verdict, DANCE_REFUSED_BAD_CERT);
	cr_expect_null(res->identity);
	dance_result_free(res);
	dance_ctx_free(ctx);
}

/* ---- mutations of a valid leaf --------------------------------------- */

/* Verify a mutated leaf DER (with the real CA behind it) offline against
 * the records that authenticate the original; also through
 * dance_verify_der (no DNS: the context's allow-list is empty). Returns 1
 * if anything authenticated. */
static int mutant_authenticates(dance_ctx *ctx, const uint8_t *leaf, size_t len,
                                const uint8_t *ca, size_t calen,
                                const struct dance_tlsa_rrset *rr)
{
	const uint8_t *der[2] = {leaf, ca};
	size_t lens[2] = {len, calen};
	const unsigned char *p = leaf;
	struct dance_result *res = NULL;
	X509 *x = NULL;
	int auth = 0, r;

	r = dance_verify_der(ctx, der, lens, 2, NULL, &res);
	if (r == DANCE_OK && res != NULL)
		auth |= res->verdict == DANCE_AUTHENTICATED;
	dance_result_free(res);
	res = NULL;
	if (len > 0)
		x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && p == leaf + len) {
		STACK_OF(X509) *sk = sk_X509_new_null();
		const unsigned char *q = ca;
		X509 *c = d2i_X509(NULL, &q, (long)calen);
		cr_assert(sk != NULL && c != NULL);
		cr_assert(sk_X509_push(sk, x) > 0 && sk_X509_push(sk, c) > 0);
		x = NULL;
		r = dance_verify_chain_offline(ctx, sk, NULL, rr, &res);
		if (r == DANCE_OK && res != NULL)
			auth |= res->verdict == DANCE_AUTHENTICATED;
		dance_result_free(res);
		sk_X509_pop_free(sk, X509_free);
	}
	X509_free(x);
	ERR_clear_error();
	return auth;
}

static void load_der(const char *name, uint8_t **der, size_t *len)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/pki/%s", vu_fixdir(), name);
	*der = (uint8_t *)vu_slurp(path, len);
}

Test(verify, every_bit_flip_and_truncation_refused)
{
	struct dance_tlsa_rrset *rr = vu_rrset("ta201");
	uint8_t *leaf, *ca, *m;
	size_t len, calen, flips = 0, cuts = 0;
	dance_ctx *ctx = NULL;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	load_der("v-ta201.der", &leaf, &len);
	load_der("v-ca.der", &ca, &calen);
	/* The original authenticates (offline), so the harness can tell. */
	cr_assert(mutant_authenticates(ctx, leaf, len, ca, calen, rr),
	          "the unmutated leaf must authenticate");
	m = malloc(len);
	cr_assert_not_null(m);
	for (size_t bit = 0; bit < 8 * len; bit++) {
		memcpy(m, leaf, len);
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		cr_assert_not(mutant_authenticates(ctx, m, len, ca, calen, rr),
		              "bit %zu flipped authenticates", bit);
		flips++;
	}
	for (size_t cut = 0; cut < len; cut++) {
		cr_assert_not(
		        mutant_authenticates(ctx, leaf, cut, ca, calen, rr),
		        "leaf cut to %zu octets authenticates", cut);
		cuts++;
	}
	fprintf(stderr, "verify: %zu bit flips and %zu truncations refused\n",
	        flips, cuts);
	free(m);
	free(leaf);
	free(ca);
	dance_ctx_free(ctx);
	dance_tlsa_rrset_free(rr);
}

/* ---- threads ---------------------------------------------------------- */

#define THREADS    8
#define ITERATIONS 100

struct thread_arg {
	const dance_ctx *ctx;
	int failures;
};

static const char *const thread_cases[] = {
        "2 0 1", "2 1 0 bare key, CA only in DNS",
        "CA of another domain (namespace constraint)", "expired leaf",
        "IDN domain: identity in U-labels"};

static const struct verify_case *find_case(const char *name)
{
	for (size_t i = 0; i < N_VERIFY_CASES; i++)
		if (strcmp(verify_cases[i].name, name) == 0)
			return &verify_cases[i];
	return NULL;
}

struct prepared {
	const struct verify_case *c;
	STACK_OF(X509) * chain;
	struct dance_tlsa_rrset *rr;
};

static struct prepared prep[sizeof thread_cases / sizeof thread_cases[0]];

static void *worker(void *p)
{
	struct thread_arg *a = p;

	for (int it = 0; it < ITERATIONS; it++) {
		const struct prepared *w =
		        &prep[(size_t)it % (sizeof prep / sizeof prep[0])];
		struct dance_result *res = NULL;
		int r = dance_verify_chain_offline(a->ctx, w->chain, NULL,
		                                   w->rr, &res);
		if (r != DANCE_OK || res->verdict != w->c->verdict ||
		    (w->c->identity != NULL &&
		     (res->identity == NULL ||
		      strcmp(res->identity, w->c->identity) != 0)))
			a->failures++;
		dance_result_free(res);
	}
	return NULL;
}

Test(verify, eight_threads_one_context)
{
	pthread_t t[THREADS];
	struct thread_arg args[THREADS];
	dance_ctx *ctx = NULL;
	int failures = 0;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	for (size_t i = 0; i < sizeof prep / sizeof prep[0]; i++) {
		prep[i].c = find_case(thread_cases[i]);
		cr_assert_not_null(prep[i].c, "%s", thread_cases[i]);
		prep[i].chain = vu_chain(prep[i].c->chain);
		prep[i].rr = case_rrset(prep[i].c);
	}
	for (int i = 0; i < THREADS; i++) {
		args[i] = (struct thread_arg){.ctx = ctx};
		cr_assert_eq(pthread_create(&t[i], NULL, worker, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		cr_assert_eq(pthread_join(t[i], NULL), 0);
		failures += args[i].failures;
	}
	cr_expect_eq(failures, 0, "%d wrong outcomes under concurrency",
	             failures);
	for (size_t i = 0; i < sizeof prep / sizeof prep[0]; i++) {
		sk_X509_pop_free(prep[i].chain, X509_free);
		dance_tlsa_rrset_free(prep[i].rr);
	}
	dance_ctx_free(ctx);
}

/* The context's DANE SSL_CTX is made on first use (ctx.c): threads that
 * ask for it at the same moment of a fresh context all get the one same
 * SSL_CTX; another context has its own. */
struct lazy_arg {
	const dance_ctx *ctx;
	pthread_barrier_t *start;
	struct ssl_ctx_st *got;
};

static void *lazy_worker(void *p)
{
	struct lazy_arg *a = p;

	pthread_barrier_wait(a->start);
	a->got = dance_ctx_dane_sslctx(a->ctx);
	return NULL;
}

Test(verify, dane_sslctx_made_once_on_first_use)
{
	pthread_t t[THREADS];
	struct lazy_arg args[THREADS];
	pthread_barrier_t start;
	dance_ctx *ctx = NULL, *other = NULL;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_new(&other), DANCE_OK);
	cr_assert_eq(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++) {
		args[i] = (struct lazy_arg){.ctx = ctx, .start = &start};
		cr_assert_eq(pthread_create(&t[i], NULL, lazy_worker, &args[i]),
		             0);
	}
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_join(t[i], NULL), 0);
	cr_assert_not_null(args[0].got);
	for (int i = 1; i < THREADS; i++)
		cr_expect_eq(args[i].got, args[0].got, "thread %d", i);
	cr_expect_eq(dance_ctx_dane_sslctx(ctx), args[0].got);
	cr_expect_neq(dance_ctx_dane_sslctx(other), args[0].got);
	cr_expect_null(dance_ctx_dane_sslctx(NULL));
	pthread_barrier_destroy(&start);
	dance_ctx_free(other);
	dance_ctx_free(ctx);
}

/* A "2 1 0" at _user.<domain> of a domain the configuration names in
 * ssh-ca-domain is that domain's SSH CA key (dance-authorized-keys(8)):
 * never an X.509 trust anchor there, so a chain its key signed is refused
 * (only unusable records). Other DANE-TA records of the same domain still
 * work, and the same "2 1 0" elsewhere still anchors. */
Test(verify, ssh_ca_domain_210_is_not_an_x509_anchor)
{
	static const struct {
		const char *name;     /* a case of verify_cases.h */
		const char *ssh_ca;   /* ssh-ca-domain of the configuration */
		enum dance_verdict v; /* expected */
	} cases[] = {
	        {"2 1 0 bare key, CA only in DNS", "ta210.good.test",
	         DANCE_REFUSED_UNUSABLE},
	        {"2 1 0 of another CA's key, the CA sent too",
	         "ta210chain.good.test", DANCE_REFUSED_UNUSABLE},
	        {"2 1 0 bare key, CA only in DNS", "ta210chain.good.test",
	         DANCE_AUTHENTICATED},
	        {"2 1 1", "ta211.good.test", DANCE_AUTHENTICATED},
	        {"2 0 1", "ta201.good.test", DANCE_AUTHENTICATED},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct verify_case *c = NULL;
		char conf[128], err[256];
		dance_ctx *ctx = NULL;
		STACK_OF(X509) * chain;
		struct dance_tlsa_rrset *rr;
		struct dance_result *res = NULL;

		for (size_t k = 0; k < N_VERIFY_CASES; k++)
			if (strcmp(verify_cases[k].name, cases[i].name) == 0)
				c = &verify_cases[k];
		cr_assert_not_null(c, "%s", cases[i].name);
		snprintf(conf, sizeof conf, "ssh-ca-domain %s\n",
		         cases[i].ssh_ca);
		cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
		cr_assert_eq(dance_config_parse_buffer(ctx, "t", conf,
		                                       strlen(conf), err,
		                                       sizeof err),
		             DANCE_OK, "%s", err);
		chain = vu_chain(c->chain);
		rr = case_rrset(c);
		cr_assert_eq(
		        dance_verify_chain_offline(ctx, chain, NULL, rr, &res),
		        DANCE_OK);
		cr_expect_eq(res->verdict, cases[i].v, "%s with %s: %s (%s)",
		             cases[i].name, cases[i].ssh_ca,
		             dance_verdict_name(res->verdict), res->reason);
		if (cases[i].v == DANCE_REFUSED_UNUSABLE)
			cr_expect(strstr(res->reason, "ssh-ca-domain") !=
			                          NULL &&
			                  res->record_count == 1 &&
			                  res->records[0].problem ==
			                          DANCE_TLSA_NOT_FOR_USERS,
			          "%s: %s", cases[i].name, res->reason);
		dance_result_free(res);
		dance_tlsa_rrset_free(rr);
		sk_X509_pop_free(chain, X509_free);
		dance_ctx_free(ctx);
	}
}
