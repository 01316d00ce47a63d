/*
 * unit_conformance.c -- the generic DANE check (dance_dane_check) against
 * all 55 of OpenSSL's own DANE test vectors in
 * ../shared/conformance/openssl-dane/, read at test time, under the
 * conventions of OpenSSL's driver (its README): the base domain as the
 * reference name, purpose "TLS server", SHA-256 ranked above SHA-512, the
 * vectors' trust store for the PKIX usages, "nonamechecks" as
 * DANCE_DANE_NO_EE_NAMECHECKS. A case passes when the verify error and the
 * match depth equal the expected ones.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VECTOR_DIR  DANCE_SOURCE_DIR "/../shared/conformance/openssl-dane"
#define MAX_RECORDS 8

struct vector_file {
	const char *file;    /* vector file */
	const char *store;   /* PEM trust store for the PKIX usages */
	const char *refname; /* base domain */
};

struct vector {
	int ntlsa, ncert, nonamechecks, want_err, want_depth;
	struct dance_tlsa records[MAX_RECORDS];
	STACK_OF(X509) * chain;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	cr_assert_not_null(f, "conformance vectors missing: cannot open %s",
	                   path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert(len > 0 && len < 16L * 1024 * 1024, "%s: bad size", path);
	rewind(f);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* The next line from *pos (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **pos)
{
	char *s = *pos, *nl;

	if (*s == '\0')
		return NULL;
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		*pos = nl + 1;
	} else {
		*pos = s + strlen(s);
	}
	return s;
}

static int skippable(const char *line)
{
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return *line == '\0' || *line == '#';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Up to n whitespace-separated decimal integers from *pos (advanced past
 * them); returns how many were read. */
static int read_ints(const char **pos, long *v, int n)
{
	int k = 0;

	while (k < n) {
		char *end = NULL;
		long x;
		errno = 0;
		x = strtol(*pos, &end, 10);
		if (end == *pos || errno != 0)
			break;
		v[k++] = x;
		*pos = end;
	}
	return k;
}

static int hex_decode(const char *hex, size_t hlen, uint8_t *out)
{
	for (size_t i = 0; i < hlen / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* "u s m hex" into t, judged like a TLSA record from DNS. */
static void parse_record(const char *line, struct dance_tlsa *t)
{
	const char *p = line;
	long v[3];
	size_t hlen;
	uint8_t *data;

	memset(t, 0, sizeof *t);
	cr_assert_eq(read_ints(&p, v, 3), 3, "bad record line '%s'", line);
	cr_assert(v[0] >= 0 && v[0] <= 255 && v[1] >= 0 && v[1] <= 255 &&
	                  v[2] >= 0 && v[2] <= 255,
	          "bad record fields in '%s'", line);
	p += strspn(p, " \t");
	hlen = strcspn(p, " \t\r");
	cr_assert(hlen % 2 == 0, "odd hex in '%s'", line);
	data = malloc(hlen / 2 + 1);
	cr_assert_not_null(data);
	if (hex_decode(p, hlen, data) != 0) {
		free(data);
		cr_assert_fail("bad hex in '%s'", line);
	}
	t->usage = (uint8_t)v[0];
	t->selector = (uint8_t)v[1];
	t->mtype = (uint8_t)v[2];
	t->len = hlen / 2;
	t->data = data;
	if (t->usage > 3)
		t->problem = DANCE_TLSA_BAD_USAGE;
	else if (t->selector > 1)
		t->problem = DANCE_TLSA_BAD_SELECTOR;
	else if (t->mtype > 2)
		t->problem = DANCE_TLSA_BAD_MTYPE;
	else if ((t->mtype == 1 && t->len != 32) ||
	         (t->mtype == 2 && t->len != 64))
		t->problem = DANCE_TLSA_BAD_DIGEST_LEN;
	else if (t->len == 0)
		t->problem = DANCE_TLSA_EMPTY_DATA;
}

/* The next PEM certificate at or after *pos (text before it skipped). */
static X509 *next_cert(char **pos)
{
	static const char end_mark[] = "-----END CERTIFICATE-----";
	char *begin = strstr(*pos, "-----BEGIN CERTIFICATE-----"), *end;
	BIO *bio;
	X509 *x;

	cr_assert_not_null(begin, "certificate missing");
	end = strstr(begin, end_mark);
	cr_assert_not_null(end, "unterminated certificate");
	end += strlen(end_mark);
	bio = BIO_new_mem_buf(begin, (int)(end - begin));
	cr_assert_not_null(bio);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	cr_assert_not_null(x, "bad PEM certificate");
	*pos = end;
	return x;
}

/* Parse the next vector from *pos; 0 at the end of the file. */
static int next_vector(char **pos, struct vector *v)
{
	char *line;

	memset(v, 0, sizeof *v);
	do {
		if ((line = next_line(pos)) == NULL)
			return 0;
	} while (skippable(line));
	{
		const char *p = line;
		long h[5];
		cr_assert_eq(read_ints(&p, h, 5), 5, "bad header line '%s'",
		             line);
		cr_assert(h[0] >= 1 && h[0] <= MAX_RECORDS && h[1] >= 1 &&
		                  h[1] <= 16 && h[2] >= 0 && h[2] <= 1 &&
		                  h[3] >= 0 && h[3] < 1000 && h[4] >= -1 &&
		                  h[4] < 16,
		          "bad header values in '%s'", line);
		v->ntlsa = (int)h[0];
		v->ncert = (int)h[1];
		v->nonamechecks = (int)h[2];
		v->want_err = (int)h[3];
		v->want_depth = (int)h[4];
	}
	cr_assert(v->ntlsa >= 1 && v->ntlsa <= MAX_RECORDS && v->ncert >= 1,
	          "bad counts in '%s'", line);
	for (int i = 0; i < v->ntlsa; i++) {
		do {
			line = next_line(pos);
			cr_assert_not_null(line, "records missing");
		} while (skippable(line));
		parse_record(line, &v->records[i]);
	}
	/* Any text before a certificate is skipped, like PEM_read does:
	 * this is how vectors 43-46 list a second, unloaded record. */
	v->chain = sk_X509_new_null();
	cr_assert_not_null(v->chain);
	for (int i = 0; i < v->ncert; i++)
		cr_assert(sk_X509_push(v->chain, next_cert(pos)) > 0);
	return 1;
}

static void vector_free(struct vector *v)
{
	for (int i = 0; i < v->ntlsa; i++)
		free(v->records[i].data);
	sk_X509_pop_free(v->chain, X509_free);
}

/* Run every vector of one file at an auth level; count cases and
 * passes. */
static void run_file(const struct vector_file *vf, int level, int *cases,
                     int *passed)
{
	char path[512], *text, *pos;
	X509_STORE *store = X509_STORE_new();
	struct vector v;
	int number = 0;

	cr_assert_not_null(store);
	snprintf(path, sizeof path, "%s/%s", VECTOR_DIR, vf->store);
	cr_assert_eq(X509_STORE_load_file(store, path), 1,
	             "conformance trust store missing: %s", path);
	snprintf(path, sizeof path, "%s/%s", VECTOR_DIR, vf->file);
	pos = text = slurp(path);
	while (next_vector(&pos, &v)) {
		struct dance_dane_params p = {
		        .refname = vf->refname,
		        .purpose = X509_PURPOSE_SSL_SERVER,
		        .flags = v.nonamechecks ? DANCE_DANE_NO_EE_NAMECHECKS
		                                : 0,
		        .sha256_first = 1,
		        .pkix_store = store,
		        .auth_level = level,
		};
		struct dance_dane_outcome o;
		int r;

		number++;
		/* Vectors declare ntlsa records: only those are loaded. */
		r = dance_dane_check(&p, v.chain, v.records, (size_t)v.ntlsa,
		                     &o);
		cr_expect_eq(r, DANCE_OK, "%s #%d: returned %d", vf->file,
		             number, r);
		cr_expect(o.x509_error == v.want_err &&
		                  o.match_depth == v.want_depth,
		          "%s #%d: error %d (%s) depth %d, expected error %d "
		          "depth %d",
		          vf->file, number, o.x509_error, o.reason,
		          o.match_depth, v.want_err, v.want_depth);
		cr_expect_eq(o.ok, v.want_err == 0, "%s #%d: ok %d", vf->file,
		             number, o.ok);
		if (r == DANCE_OK && o.x509_error == v.want_err &&
		    o.match_depth == v.want_depth && o.ok == (v.want_err == 0))
			(*passed)++;
		(*cases)++;
		vector_free(&v);
	}
	free(text);
	X509_STORE_free(store);
}

Test(conformance, openssl_dane_vectors)
{
	static const struct vector_file files[] = {
	        {"danetest.in", "danetest.pem", "example.com"},
	        {"dane-cross.in", "certs/cross-root.pem", "server.example"},
	};
	/* the default (security level 2) and no level: the vectors' keys
	 * and digests meet level 2, so both must give OpenSSL's answers */
	static const int levels[] = {DANCE_DANE_AUTH_LEVEL_DEFAULT,
	                             DANCE_DANE_AUTH_LEVEL_NONE};

	for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
		int cases = 0, passed = 0;

		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
			run_file(&files[i], levels[l], &cases, &passed);
		fprintf(stderr,
		        "conformance (auth level %d): %d/%d OpenSSL DANE "
		        "vectors passed\n",
		        levels[l], passed, cases);
		cr_assert_eq(cases, 55, "expected 55 vectors, found %d", cases);
		cr_assert_eq(passed, 55, "%d/55 vectors passed", passed);
	}
}

/* A table of the check's argument errors: each is refused, none runs. */
Test(conformance, invalid_arguments)
{
	STACK_OF(X509) *empty = sk_X509_new_null();
	struct dance_dane_outcome o;
	static const struct {
		const char *name;
		const char *refname;
		int purpose;
		int level;
	} cases[] = {
	        {"empty reference name", "", X509_PURPOSE_SSL_CLIENT, 0},
	        {"purpose not TLS", "a.test", X509_PURPOSE_SMIME_SIGN, 0},
	        {"purpose zero", "a.test", 0, 0},
	        {"auth level 6", "a.test", X509_PURPOSE_SSL_CLIENT, 6},
	        {"auth level -2", "a.test", X509_PURPOSE_SSL_CLIENT, -2},
	};

	cr_assert_not_null(empty);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_dane_params p = {.refname = cases[i].refname,
		                              .purpose = cases[i].purpose,
		                              .auth_level = cases[i].level};
		X509 *x = X509_new();
		STACK_OF(X509) *one = sk_X509_new_null();
		cr_assert(x != NULL && one != NULL && sk_X509_push(one, x));
		cr_expect_eq(dance_dane_check(&p, one, NULL, 0, &o),
		             DANCE_ERR_INVALID_ARG, "%s", cases[i].name);
		cr_expect_eq(o.ok, 0, "%s", cases[i].name);
		sk_X509_pop_free(one, X509_free);
	}
	{
		struct dance_dane_params p = {.refname = "a.test",
		                              .purpose =
		                                      X509_PURPOSE_SSL_CLIENT};
		cr_expect_eq(dance_dane_check(&p, empty, NULL, 0, &o),
		             DANCE_ERR_INVALID_ARG, "empty chain");
		cr_expect_eq(o.ok, 0);
		cr_expect_eq(o.match_depth, -1);
	}
	sk_X509_free(empty);
}
