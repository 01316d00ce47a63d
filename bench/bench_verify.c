/*
 * bench_verify.c -- verifications per second: libdance against bare
 * OpenSSL, same chain, same run.
 *
 *   bench_verify [-c CONF] [-t SECONDS] CHAIN.pem [TLSA-FILE]
 *
 * CHAIN.pem: the user's leaf first, its issuers after it; the last
 * certificate is the CA that the bare OpenSSL run puts in an X509_STORE
 * (X509_verify_cert, purpose TLS client: the same checks minus DANE, DNS
 * and the identity).
 *
 * With -c CONF, dance_verify_chain() through that configuration, after one
 * call that warms the caches (e.g. the rig's hermetic configuration,
 * $FIX/hermetic/dance.conf, which needs no DNS server), twice: as
 * configured (the TLSA answer comes from libdance's answer cache,
 * lib/cache.c, answer-cache-size 4096 by default), and with
 * answer-cache-size 0 (from libunbound's cache, through its resolver
 * thread), to show what the answer cache is worth.
 * With TLSA-FILE, dance_verify_chain_offline() against those records (no
 * DNS at all). Both may be given. The runs are interleaved in slices of
 * 50 ms for SECONDS each (default 2), so that a busy machine slows them
 * alike; every verification must authenticate. Printed: verifications per
 * second of wall time and of the process's CPU time (every thread, so
 * that libunbound's resolver thread counts too), and the ratios
 * dance/OpenSSL (target: at least 0.8 with a warm cache).
 *
 * Example, after make-fixtures.sh:
 *   bench_verify -c build/fixtures/hermetic/dance.conf \
 *       build/fixtures/pki/v-ta201.chain.pem \
 *       build/fixtures/verify/ta201.tlsa
 */
#include "dance/dance.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct bench {
	STACK_OF(X509) * chain;
	X509_STORE *store;              /* the CA, for bare OpenSSL */
	dance_ctx *ctx;                 /* -c: online */
	dance_ctx *nocache;             /* -c, answer-cache-size 0 */
	struct dance_tlsa_rrset *rrset; /* TLSA-FILE: offline */
	double seconds;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bare_once(const struct bench *b)
{
	X509_STORE_CTX *x = X509_STORE_CTX_new();
	int ok;

	if (x == NULL ||
	    X509_STORE_CTX_init(x, b->store, sk_X509_value(b->chain, 0),
	                        b->chain) != 1 ||
	    X509_STORE_CTX_set_default(x, "ssl_client") != 1) {
		X509_STORE_CTX_free(x);
		return 0;
	}
	ok = X509_verify_cert(x) == 1;
	X509_STORE_CTX_free(x);
	return ok;
}

/* which: 1 online, 2 offline, 3 online without the answer cache */
static int dance_once(const struct bench *b, int which)
{
	struct dance_result *res = NULL;
	int r, ok;

	if (which == 1)
		r = dance_verify_chain(b->ctx, b->chain, NULL, &res);
	else if (which == 3)
		r = dance_verify_chain(b->nocache, b->chain, NULL, &res);
	else
		r = dance_verify_chain_offline(b->ctx, b->chain, NULL, b->rrset,
		                               &res);
	ok = r == DANCE_OK && res->verdict == DANCE_AUTHENTICATED;
	if (!ok)
		fprintf(stderr, "bench_verify: not authenticated: %s\n",
		        res != NULL ? res->reason : dance_strerror(r));
	dance_result_free(res);
	return ok;
}

struct tally {
	long n;      /* verifications */
	double wall; /* seconds */
	double cpu;  /* seconds of the process's CPU time */
};

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One slice of about `slice` seconds of `which` (0 bare, 1 online, 2
 * offline, 3 online without the answer cache), added to t. 0, or -1 when
 * a verification failed. */
static int run_slice(const struct bench *b, int which, double slice,
                     struct tally *t)
{
	double w0 = now(), c0 = cpu_now(), w = w0;

	while (w - w0 < slice) {
		for (int i = 0; i < 20; i++) {
			int ok = which == 0 ? bare_once(b)
			                    : dance_once(b, which);
			if (!ok)
				return -1;
			t->n++;
		}
		w = now();
	}
	t->wall += w - w0;
	t->cpu += cpu_now() - c0;
	return 0;
}

/* Interleave slices of the runs, so that the load of a shared machine
 * falls on all of them alike. */
static int measure(const struct bench *b, const int *which, size_t n,
                   struct tally *t)
{
	const double slice = 0.05;

	long rounds = (long)(b->seconds / slice + 0.5);

	for (long r = 0; r < rounds; r++)
		for (size_t k = 0; k < n; k++)
			if (run_slice(b, which[k], slice, &t[k]) != 0)
				return -1;
	return 0;
}

static int load_chain(const char *path, struct bench *b)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;

	if (bio == NULL || (b->chain = sk_X509_new_null()) == NULL)
		goto fail;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(b->chain, x))
			goto fail;
	ERR_clear_error();
	BIO_free(bio);
	bio = NULL;
	if (sk_X509_num(b->chain) < 2)
		goto fail;
	if ((b->store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(
	            b->store,
	            sk_X509_value(b->chain, sk_X509_num(b->chain) - 1)) != 1)
		goto fail;
	return 0;
fail:
	BIO_free(bio);
	fprintf(stderr, "bench_verify: %s: need a leaf and its CA (PEM)\n",
	        path);
	return -1;
}

static int load_rrset(const char *path, struct bench *b)
{
	FILE *f = fopen(path, "r");
	char text[65536], err[256] = "";
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "bench_verify: cannot read %s\n", path);
		return -1;
	}
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	if (dance_tlsa_rrset_from_text(NULL, text, 300, &b->rrset, err,
	                               sizeof err) != DANCE_OK) {
		fprintf(stderr, "bench_verify: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int load_ctx(const char *conf, struct bench *b)
{
	char err[512] = "";

	if (dance_ctx_new(&b->ctx) != DANCE_OK)
		return -1;
	if (conf == NULL)
		return 0;
	if (dance_ctx_load_config(b->ctx, conf, err, sizeof err) != DANCE_OK ||
	    dance_ctx_freeze(b->ctx) != DANCE_OK ||
	    dance_ctx_new(&b->nocache) != DANCE_OK ||
	    dance_ctx_load_config(b->nocache, conf, err, sizeof err) !=
	            DANCE_OK ||
	    dance_ctx_set(b->nocache, "answer-cache-size", "0", err,
	                  sizeof err) != DANCE_OK ||
	    dance_ctx_freeze(b->nocache) != DANCE_OK) {
		fprintf(stderr, "bench_verify: %s\n", err[0] ? err : conf);
		return -1;
	}
	return 0;
}

static void report(const char *what, const struct tally *bare,
                   const struct tally *d)
{
	double bw = (double)bare->n / bare->wall,
	       bc = (double)bare->n / bare->cpu;
	double dw = (double)d->n / d->wall, dc = (double)d->n / d->cpu;

	printf("%-34s %9.0f /s wall %9.0f /s CPU\n", what, dw, dc);
	printf("%-34s %9.2f      %9.2f      (target >= 0.80)\n",
	       "  ratio to bare OpenSSL", dw / bw, dc / bc);
}

static void print_results(const struct bench *b, int online, const int *which,
                          size_t nw, const struct tally *t)
{
	printf("%-34s %9.0f /s wall %9.0f /s CPU\n",
	       "bare OpenSSL X509_verify_cert", (double)t[0].n / t[0].wall,
	       (double)t[0].n / t[0].cpu);
	for (size_t k = 1; k < nw; k++)
		report(which[k] == 1   ? "dance_verify_chain (warm cache)"
		       : which[k] == 3 ? "  same, answer-cache-size 0"
		                       : "dance_verify_chain_offline",
		       &t[0], &t[k]);
	if (online)
		printf("(warm cache: the TLSA answer from libdance's answer "
		       "cache, answer-cache-size %s;\n answer-cache-size 0: "
		       "from libunbound's cache through its resolver "
		       "thread)\n",
		       dance_ctx_get(b->ctx, "answer-cache-size", 0));
}

int main(int argc, char **argv)
{
	struct bench b = {.seconds = 2.0};
	const char *conf = NULL;
	struct tally t[4] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
	int which[4], opt, status = 1;
	size_t nw = 0;

	while ((opt = getopt(argc, argv, "c:t:")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 't')
			b.seconds = strtod(optarg, NULL);
		else
			goto usage;
	}
	if (optind >= argc || argc - optind > 2 || b.seconds <= 0 ||
	    (conf == NULL && argc - optind < 2))
		goto usage;
	if (load_chain(argv[optind], &b) != 0 ||
	    (argc - optind == 2 && load_rrset(argv[optind + 1], &b) != 0) ||
	    load_ctx(conf, &b) != 0)
		goto out;
	if (conf != NULL && (!dance_once(&b, 1) || !dance_once(&b, 3)))
		goto out; /* warm the caches */
	which[nw++] = 0;
	if (conf != NULL) {
		which[nw++] = 1;
		which[nw++] = 3;
	}
	if (b.rrset != NULL)
		which[nw++] = 2;
	if (measure(&b, which, nw, t) != 0) {
		fprintf(stderr, "bench_verify: a verification failed\n");
		goto out;
	}
	print_results(&b, conf != NULL, which, nw, t);
	status = 0;
	goto out;
usage:
	fprintf(stderr, "usage: bench_verify [-c CONF] [-t SECONDS] CHAIN.pem "
	                "[TLSA-FILE]\n");
	status = 2;
out:
	dance_tlsa_rrset_free(b.rrset);
	dance_ctx_free(b.ctx);
	dance_ctx_free(b.nocache);
	X509_STORE_free(b.store);
	sk_X509_pop_free(b.chain, X509_free);
	return status;
}
