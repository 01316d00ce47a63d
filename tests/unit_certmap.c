/*
 * unit_certmap.c -- the slapd module's parts that need no slapd: RFC 4514
 * escaping of the identity, the DN it gives and the check that a
 * (normalised) DN carries exactly the identity; the client's certificate
 * chain taken from a GnuTLS and from an OpenSSL server session after a
 * real in-memory handshake.
 */
#include <criterion/criterion.h>

#ifdef DANCE_HAVE_CERTMAP

#include "certmap.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <ldap.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- escaping --------------------------------------------------------- */

struct esc_case {
	const char *name;
	const char *in;
	size_t len;
	int err;
	const char *out;
};

#define S(x) x, sizeof(x) - 1

Test(certmap, escape_value)
{
	static const struct esc_case cases[] = {
	        {"plain", S("alice@example.org"), DCM_OK, "alice@example.org"},
	        {"comma", S("a,b"), DCM_OK, "a\\,b"},
	        {"plus", S("a+b"), DCM_OK, "a\\+b"},
	        {"quote", S("a\"b"), DCM_OK, "a\\\"b"},
	        {"backslash", S("a\\b"), DCM_OK, "a\\\\b"},
	        {"angles", S("<a>"), DCM_OK, "\\<a\\>"},
	        {"semicolon", S("a;b"), DCM_OK, "a\\;b"},
	        {"equals", S("a=b"), DCM_OK, "a\\=b"},
	        {"all specials", S(",+\"\\<>;="), DCM_OK,
	         "\\,\\+\\\"\\\\\\<\\>\\;\\="},
	        {"leading hash", S("#a"), DCM_OK, "\\#a"},
	        {"inner hash", S("a#b"), DCM_OK, "a#b"},
	        {"leading space", S(" a"), DCM_OK, "\\ a"},
	        {"trailing space", S("a "), DCM_OK, "a\\ "},
	        {"inner space", S("a b"), DCM_OK, "a b"},
	        {"single space", S(" "), DCM_OK, "\\ "},
	        {"two spaces", S("  "), DCM_OK, "\\ \\ "},
	        {"NUL", S("a\0b"), DCM_OK, "a\\00b"},
	        {"control", S("a\nb\x7f"), DCM_OK, "a\\0Ab\\7F"},
	        {"UTF-8 kept", S("\xc3\xa9lodie"), DCM_OK, "\xc3\xa9lodie"},
	        {"empty", S(""), DCM_ERR_INVALID, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = (char *)1;
		int r = dcm_escape_value(cases[i].in, cases[i].len, &out);

		cr_expect_eq(r, cases[i].err, "%s: %d", cases[i].name, r);
		if (cases[i].out == NULL)
			cr_expect_null(out, "%s", cases[i].name);
		else if (out != NULL)
			cr_expect_str_eq(out, cases[i].out, "%s",
			                 cases[i].name);
		free(out);
	}
}

Test(certmap, escape_refuses_null_and_oversize)
{
	char *out = (char *)1;
	char *big = malloc(DCM_IDENTITY_MAX + 1);

	cr_assert_not_null(big);
	memset(big, 'a', DCM_IDENTITY_MAX + 1);
	cr_expect_eq(dcm_escape_value(NULL, 3, &out), DCM_ERR_INVALID);
	cr_expect_null(out);
	cr_expect_eq(dcm_escape_value(big, DCM_IDENTITY_MAX + 1, &out),
	             DCM_ERR_INVALID);
	cr_expect_null(out);
	cr_expect_eq(dcm_escape_value(big, DCM_IDENTITY_MAX, &out), DCM_OK);
	free(out);
	free(big);
}

struct dn_case {
	const char *identity;
	const char *dn;
};

Test(certmap, identity_dn)
{
	static const struct dn_case cases[] = {
	        {"alice@example.org", "uid=alice@example.org,cn=dance,cn=auth"},
	        {"o'hara, jr+x@example.org",
	         "uid=o'hara\\, jr\\+x@example.org,cn=dance,cn=auth"},
	        {"#x@example.org", "uid=\\#x@example.org,cn=dance,cn=auth"},
	        {"a=b;c@example.org",
	         "uid=a\\=b\\;c@example.org,cn=dance,cn=auth"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dn = NULL;

		cr_expect_eq(dcm_identity_dn(cases[i].identity, &dn), DCM_OK);
		cr_expect_str_eq(dn, cases[i].dn);
		free(dn);
	}
}

Test(certmap, identity_dn_refuses_empty)
{
	char *dn = (char *)1;

	cr_expect_eq(dcm_identity_dn("", &dn), DCM_ERR_INVALID);
	cr_expect_null(dn);
	cr_expect_eq(dcm_identity_dn(NULL, &dn), DCM_ERR_INVALID);
	cr_expect_null(dn);
}

/* Every escaped identity parses back (libldap's RFC 4514 parser) to the
 * very same octets, as the only value of the first RDN. */
Test(certmap, escaped_identity_round_trips)
{
	static const char *const ids[] = {
	        "alice@example.org",
	        ",+\"\\<>;=@example.org",
	        "#lead@example.org",
	        " lead@example.org",
	        "trail @example.org",
	        "in  ner@example.org",
	        "\303\251lodie@b\303\274cher.example",
	        "x\x01y@example.org",
	        "uid=admin,cn=x@example.org",
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char *dn = NULL;

		cr_assert_eq(dcm_identity_dn(ids[i], &dn), DCM_OK);
		cr_expect_eq(dcm_dn_carries(dn, strlen(dn), ids[i]), DCM_OK,
		             "%zu: %s", i, dn);
		free(dn);
	}
}

struct carry_case {
	const char *name;
	const char *dn;
	const char *identity;
	int err;
};

Test(certmap, dn_carries)
{
	static const struct carry_case cases[] = {
	        {"exact", "uid=alice@example.org,cn=dance,cn=auth",
	         "alice@example.org", DCM_OK},
	        {"hex escapes (slapd's normal form)",
	         "uid=a\\2Cb\\2B@x.org,cn=dance,cn=auth", "a,b+@x.org", DCM_OK},
	        {"types in any case", "UID=a@x.org,CN=dance,Cn=auth", "a@x.org",
	         DCM_OK},
	        {"spaces folded by normalisation",
	         "uid=\\23a b,cn=dance,cn=auth", "#a  b ", DCM_ERR_MISMATCH},
	        {"case folded by normalisation",
	         "uid=alice@example.org,cn=dance,cn=auth", "Alice@example.org",
	         DCM_ERR_MISMATCH},
	        {"suffix values differ in case", "uid=a@x.org,cn=DANCE,cn=auth",
	         "a@x.org", DCM_ERR_MISMATCH},
	        {"other value", "uid=bob@example.org,cn=dance,cn=auth",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"prefix of value", "uid=alice@example.or,cn=dance,cn=auth",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"other attribute", "cn=alice@example.org,cn=dance,cn=auth",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"multi-valued RDN",
	         "uid=alice@example.org+cn=x,cn=dance,cn=auth",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"extra RDN", "uid=alice@example.org,cn=dance,cn=auth,o=x",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"missing RDN", "uid=alice@example.org,cn=dance",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"other suffix", "uid=alice@example.org,cn=plain,cn=auth",
	         "alice@example.org", DCM_ERR_MISMATCH},
	        {"binary value", "uid=#04036162,cn=dance,cn=auth", "ab",
	         DCM_ERR_MISMATCH},
	        {"not a DN", "uid", "alice@example.org", DCM_ERR_INVALID},
	        {"unterminated escape", "uid=a\\,cn=dance,cn=auth\\", "a",
	         DCM_ERR_INVALID},
	        {"empty", "", "a", DCM_ERR_INVALID},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = dcm_dn_carries(cases[i].dn, strlen(cases[i].dn),
		                       cases[i].identity);

		cr_expect_eq(r, cases[i].err, "%s: %d", cases[i].name, r);
	}
}

Test(certmap, dn_carries_refuses_embedded_nul)
{
	static const char dn[] = "uid=a\0b,cn=dance,cn=auth";

	cr_expect_eq(dcm_dn_carries(dn, sizeof dn - 1, "a"), DCM_ERR_INVALID);
}

/* Found by fuzz_certmap_dn: libldap's parser read past the end of a DN
 * that is not NUL-terminated. The buffers here end exactly at len, so a
 * sanitizer build sees any read beyond. */
Test(certmap, dn_carries_unterminated_input)
{
	static const char *const dns[] = {
	        "uid=x@y,cn=danc,e",
	        "uid=x@y,cn=dance,cn=auth",
	        "uid=x@y,cn=dance,cn",
	        "uid=\\",
	};
	static const int want[] = {DCM_ERR_INVALID, DCM_OK, DCM_ERR_INVALID,
	                           DCM_ERR_INVALID};
	for (size_t i = 0; i < sizeof dns / sizeof dns[0]; i++) {
		size_t n = strlen(dns[i]);
		char *buf = malloc(n);

		cr_assert_not_null(buf);
		memcpy(buf, dns[i], n);
		cr_expect_eq(dcm_dn_carries(buf, n, "x@y"), want[i], "%s",
		             dns[i]);
		free(buf);
	}
}

Test(certmap, dn_carries_refuses_oversize)
{
	size_t n = 4 * DCM_IDENTITY_MAX + 1;
	char *buf = malloc(n);

	cr_assert_not_null(buf);
	memset(buf, 'a', n);
	buf[0] = 'u';
	buf[1] = 'i';
	buf[2] = 'd';
	buf[3] = '=';
	cr_expect_eq(dcm_dn_carries(buf, n, "x@y"), DCM_ERR_INVALID);
	free(buf);
}

struct safe_case {
	const char *in;
	size_t buflen;
	const char *out;
};

Test(certmap, log_safe)
{
	static const struct safe_case cases[] = {
	        {"plain", 64, "plain"},
	        {"a\nb\rc\x1b[0m", 64, "a?b?c?[0m"},
	        {"\xc3\xa9t\xc3\xa9", 64, "\xc3\xa9t\xc3\xa9"},
	        {"truncated", 5, "trun"},
	        {NULL, 64, "(none)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];

		cr_expect_str_eq(
		        dcm_log_safe(cases[i].in, buf, cases[i].buflen),
		        cases[i].out);
	}
}

Test(certmap, tls_package_names)
{
	cr_expect_eq(dcm_tls_package_from_name("GnuTLS"), DCM_TLS_GNUTLS);
	cr_expect_eq(dcm_tls_package_from_name("OpenSSL"), DCM_TLS_OPENSSL);
	cr_expect_eq(dcm_tls_package_from_name("MozNSS"), DCM_TLS_UNKNOWN);
	cr_expect_eq(dcm_tls_package_from_name("gnutls"), DCM_TLS_UNKNOWN);
	cr_expect_eq(dcm_tls_package_from_name(NULL), DCM_TLS_UNKNOWN);
}

Test(certmap, strerror_has_every_code)
{
	for (int e = DCM_ERR_MISMATCH; e <= DCM_OK; e++)
		cr_expect_str_neq(dcm_strerror(e), "unknown error", "%d", e);
	cr_expect_str_eq(dcm_strerror(42), "unknown error");
}

/* ---- the cache of verified chains --------------------------------------- */

static void key_of(uint8_t key[DCM_KEY_LEN], const char *a, const char *b)
{
	struct dcm_chain c;

	memset(&c, 0, sizeof c);
	c.der[0] = (uint8_t *)(uintptr_t)a;
	c.len[0] = strlen(a);
	c.n = 1;
	if (b != NULL) {
		c.der[1] = (uint8_t *)(uintptr_t)b;
		c.len[1] = strlen(b);
		c.n = 2;
	}
	cr_assert_eq(dcm_chain_key(&c, key), DCM_OK);
}

Test(certmap, chain_keys_differ)
{
	uint8_t k1[DCM_KEY_LEN], k2[DCM_KEY_LEN], k3[DCM_KEY_LEN];

	key_of(k1, "ab", "c");
	key_of(k2, "a", "bc"); /* same octets, other split */
	key_of(k3, "abc", NULL);
	cr_expect(memcmp(k1, k2, DCM_KEY_LEN) != 0);
	cr_expect(memcmp(k1, k3, DCM_KEY_LEN) != 0);
	cr_expect(memcmp(k2, k3, DCM_KEY_LEN) != 0);
	key_of(k3, "ab", "c");
	cr_expect(memcmp(k1, k3, DCM_KEY_LEN) == 0);
}

struct cache_case {
	const char *name;
	struct dcm_time put; /* the moment before the decision */
	uint32_t ttl;
	struct dcm_time get;
	int hit;
};

/* Both clocks count: an entry is gone when either has reached put + ttl,
 * so setting the wall clock back keeps nothing longer. */
Test(certmap, cache_expiry)
{
	static const struct cache_case cases[] = {
	        {"fresh", {1000, 5000}, 300, {1000, 5000}, 1},
	        {"one second before expiry",
	         {1000, 5000},
	         300,
	         {1299, 5000 + 299000},
	         1},
	        {"one ms before expiry on the monotonic clock",
	         {1000, 5000},
	         300,
	         {1299, 5000 + 299999},
	         1},
	        {"at expiry", {1000, 5000}, 300, {1300, 5000 + 300000}, 0},
	        {"after expiry", {1000, 5000}, 300, {5000, 5000 + 4000000}, 0},
	        {"ttl 0: not kept", {1000, 5000}, 0, {1000, 5000}, 0},
	        /* the wall clock alone */
	        {"wall clock at expiry, monotonic not",
	         {1000, 5000},
	         300,
	         {1300, 5000},
	         0},
	        {"wall clock stepped forward",
	         {1000, 5000},
	         300,
	         {9999, 6000},
	         0},
	        /* the monotonic clock alone: the wall clock was set back */
	        {"wall clock set back, monotonic at expiry",
	         {1000, 5000},
	         300,
	         {700, 5000 + 300000},
	         0},
	        {"wall clock set back a day, monotonic past expiry",
	         {100000, 5000},
	         300,
	         {100000 - 86400, 5000 + 3600000},
	         0},
	        {"wall clock set back, monotonic not yet",
	         {1000, 5000},
	         300,
	         {700, 5000 + 200000},
	         1},
	};
	size_t ok = 0, no = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dcm_cache *c = NULL;
		uint8_t k[DCM_KEY_LEN];
		char *dn = (char *)1, *id = (char *)1;

		cr_assert_eq(dcm_cache_new(4, &c), DCM_OK);
		key_of(k, "leaf", "ca");
		dcm_cache_put(c, k, "uid=a@b,cn=dance,cn=auth", "a@b",
		              &cases[i].put, cases[i].ttl);
		cr_expect_eq(dcm_cache_get(c, k, &cases[i].get, &dn, &id),
		             cases[i].hit, "%s", cases[i].name);
		if (cases[i].hit) {
			cr_expect_str_eq(dn, "uid=a@b,cn=dance,cn=auth");
			cr_expect_str_eq(id, "a@b");
		} else {
			cr_expect_null(dn, "%s", cases[i].name);
			cr_expect_null(id, "%s", cases[i].name);
		}
		free(dn);
		free(id);
		/* once expired, gone even if the clocks went back */
		if (!cases[i].hit) {
			cr_expect_eq(
			        dcm_cache_get(c, k, &cases[i].put, &dn, &id), 0,
			        "%s: again", cases[i].name);
			free(dn);
			free(id);
		}
		cases[i].hit ? ok++ : no++;
		dcm_cache_free(c);
	}
	cr_expect_geq(no, ok);
}

/* dcm_time_now reads both clocks. */
Test(certmap, cache_time_now)
{
	struct dcm_time a, b;
	time_t before = time(NULL);

	dcm_time_now(&a);
	dcm_time_now(&b);
	cr_expect_geq(a.wall, before);
	cr_expect_leq(a.wall, time(NULL));
	cr_expect_gt(a.mono_ms, 0);
	cr_expect_geq(b.mono_ms, a.mono_ms);
}

Test(certmap, cache_misses)
{
	static const struct dcm_time t0 = {0, 0}, t1 = {1, 1000},
	                             t99 = {99, 1000}, m99 = {1, 99000};
	struct dcm_cache *c = NULL;
	uint8_t k1[DCM_KEY_LEN], k2[DCM_KEY_LEN];
	char *dn, *id;

	cr_assert_eq(dcm_cache_new(1, &c), DCM_OK); /* one slot */
	key_of(k1, "alice", "ca");
	key_of(k2, "mallory", "ca");
	/* an unknown chain, even in an occupied slot, is a miss */
	dcm_cache_put(c, k1, "uid=alice@x,cn=dance,cn=auth", "alice@x", &t0,
	              99);
	cr_expect_eq(dcm_cache_get(c, k2, &t1, &dn, &id), 0);
	cr_expect_null(dn);
	/* a collision replaces the older entry */
	dcm_cache_put(c, k2, "uid=mallory@y,cn=dance,cn=auth", "mallory@y", &t0,
	              99);
	cr_expect_eq(dcm_cache_get(c, k1, &t1, &dn, &id), 0);
	cr_expect_eq(dcm_cache_get(c, k2, &t1, &dn, &id), 1);
	cr_expect_str_eq(dn, "uid=mallory@y,cn=dance,cn=auth");
	free(dn);
	free(id);
	/* an expired entry is dropped when seen */
	cr_expect_eq(dcm_cache_get(c, k2, &t99, &dn, &id), 0);
	cr_expect_eq(dcm_cache_get(c, k2, &t1, &dn, &id), 0);
	/* the same by the monotonic clock */
	dcm_cache_put(c, k1, "uid=alice@x,cn=dance,cn=auth", "alice@x", &t0,
	              99);
	cr_expect_eq(dcm_cache_get(c, k1, &m99, &dn, &id), 0);
	cr_expect_eq(dcm_cache_get(c, k1, &t1, &dn, &id), 0);
	dcm_cache_free(c);
	/* no cache: always a miss, put is harmless */
	dcm_cache_put(NULL, k1, "x", "y", &t0, 99);
	cr_expect_eq(dcm_cache_get(NULL, k1, &t1, &dn, &id), 0);
	dcm_cache_free(NULL);
}

Test(certmap, cache_sizes)
{
	struct dcm_cache *c = (struct dcm_cache *)1;

	cr_expect_eq(dcm_cache_new(0, &c), DCM_ERR_INVALID);
	cr_expect_null(c);
	cr_expect_eq(dcm_cache_new((1u << 20) + 1, &c), DCM_ERR_INVALID);
	cr_expect_null(c);
	cr_expect_eq(dcm_cache_new(DCM_CACHE_SLOTS, &c), DCM_OK);
	dcm_cache_free(c);
}

struct cache_thread {
	struct dcm_cache *c;
	int id;
	int wrong;
};

static void *cache_hammer(void *arg)
{
	static const struct dcm_time since = {0, 0}, when = {1, 1000};
	struct cache_thread *t = arg;

	for (int i = 0; i < 2000; i++) {
		char leaf[32], dn[64], want[64], *got, *id;
		uint8_t k[DCM_KEY_LEN];

		snprintf(leaf, sizeof leaf, "leaf-%d", (t->id * 7 + i) % 50);
		snprintf(want, sizeof want, "uid=%s,cn=dance,cn=auth", leaf);
		key_of(k, leaf, NULL);
		if (dcm_cache_get(t->c, k, &when, &got, &id)) {
			t->wrong += strcmp(got, want) != 0;
			free(got);
			free(id);
		} else {
			snprintf(dn, sizeof dn, "%s", want);
			dcm_cache_put(t->c, k, dn, leaf, &since, 99);
		}
	}
	return NULL;
}

/* Eight threads share one small cache: every hit is the right DN. */
Test(certmap, cache_threads)
{
	struct dcm_cache *c = NULL;
	struct cache_thread t[8];
	pthread_t th[8];

	cr_assert_eq(dcm_cache_new(16, &c), DCM_OK);
	for (int i = 0; i < 8; i++) {
		t[i] = (struct cache_thread){c, i, 0};
		pthread_create(&th[i], NULL, cache_hammer, &t[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(t[i].wrong, 0, "thread %d got wrong DNs", i);
	}
	dcm_cache_free(c);
}

/* ---- certificates made in memory --------------------------------------- */

struct pki {
	size_t n; /* certificates: [0] leaf ... [n-1] root */
	X509 *cert[20];
	EVP_PKEY *key[20];
	char *leaf_key_pem;
	char *chain_pem; /* leaf first */
};

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

static X509 *new_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
                      const char *cn, int ca, long serial)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	cr_assert(x && name);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	                          ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	cr_assert(X509_sign(x, issuer ? ikey : key, EVP_sha256()) > 0);
	X509_NAME_free(name);
	return x;
}

static char *pem_of(int (*w)(BIO *, void *), void *obj)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	cr_assert(w(b, obj) > 0);
	n = BIO_get_mem_data(b, &p);
	s = malloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}

static int w_x509(BIO *b, void *x)
{
	return PEM_write_bio_X509(b, x);
}

static int w_key(BIO *b, void *k)
{
	return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

/* A chain of depth n: a leaf, n-2 intermediates and a root. */
static void pki_make(struct pki *p, size_t n)
{
	size_t len = 0;

	memset(p, 0, sizeof *p);
	cr_assert(n >= 1 && n <= 20);
	p->n = n;
	for (size_t i = n; i-- > 0;) {
		char cn[32];

		snprintf(cn, sizeof cn, i == 0 ? "leaf" : "ca%zu", i);
		p->key[i] = new_key();
		p->cert[i] =
		        new_cert(p->key[i], i + 1 < n ? p->cert[i + 1] : NULL,
		                 i + 1 < n ? p->key[i + 1] : NULL, cn, i > 0,
		                 (long)(100 + i));
	}
	p->leaf_key_pem = pem_of(w_key, p->key[0]);
	p->chain_pem = calloc(1, 1);
	for (size_t i = 0; i < n; i++) {
		char *c = pem_of(w_x509, p->cert[i]);

		p->chain_pem = realloc(p->chain_pem, len + strlen(c) + 1);
		memcpy(p->chain_pem + len, c, strlen(c) + 1);
		len += strlen(c);
		free(c);
	}
}

static void pki_free(struct pki *p)
{
	for (size_t i = 0; i < p->n; i++) {
		X509_free(p->cert[i]);
		EVP_PKEY_free(p->key[i]);
	}
	free(p->leaf_key_pem);
	free(p->chain_pem);
}

/* Is chain equal to the first n certificates of p? */
static void expect_chain(const struct dcm_chain *c, const struct pki *p,
                         size_t n)
{
	cr_assert_eq(c->n, n, "chain of %zu, expected %zu", c->n, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(p->cert[i], &der);

		cr_expect_eq(c->len[i], (size_t)len, "cert %zu", i);
		cr_expect(memcmp(c->der[i], der, (size_t)len) == 0, "cert %zu",
		          i);
		OPENSSL_free(der);
	}
}

/* ---- GnuTLS ----------------------------------------------------------- */

struct gtls_server {
	int fd;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t session;
	int rc;
};

static void *gtls_serve(void *arg)
{
	struct gtls_server *s = arg;

	gnutls_init(&s->session, GNUTLS_SERVER);
	gnutls_set_default_priority(s->session);
	gnutls_credentials_set(s->session, GNUTLS_CRD_CERTIFICATE, s->cred);
	/* TLSVerifyClient allow: ask, do not require, do not verify. */
	gnutls_certificate_server_set_request(s->session, GNUTLS_CERT_REQUEST);
	gnutls_transport_set_int(s->session, s->fd);
	do
		s->rc = gnutls_handshake(s->session);
	while (s->rc < 0 && !gnutls_error_is_fatal(s->rc));
	return NULL;
}

/* Handshake with a client that sends the first `send` certificates of
 * client (0: none); the server session is left in srv. */
static void gtls_handshake(struct pki *server, struct pki *client, size_t send,
                           struct gtls_server *srv)
{
	gnutls_certificate_credentials_t ccred;
	gnutls_session_t cs;
	gnutls_datum_t cert, key;
	pthread_t t;
	int sv[2], rc;

	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	memset(srv, 0, sizeof *srv);
	srv->fd = sv[0];
	gnutls_certificate_allocate_credentials(&srv->cred);
	cert.data = (unsigned char *)server->chain_pem;
	cert.size = (unsigned)strlen(server->chain_pem);
	key.data = (unsigned char *)server->leaf_key_pem;
	key.size = (unsigned)strlen(server->leaf_key_pem);
	cr_assert(gnutls_certificate_set_x509_key_mem(
	                  srv->cred, &cert, &key, GNUTLS_X509_FMT_PEM) >= 0);

	gnutls_certificate_allocate_credentials(&ccred);
	if (send > 0) {
		gnutls_x509_crt_t crts[20];
		gnutls_x509_privkey_t pk;

		for (size_t i = 0; i < send; i++) {
			unsigned char *der = NULL;
			gnutls_datum_t d;
			int len = i2d_X509(client->cert[i], &der);

			d.data = der;
			d.size = (unsigned)len;
			gnutls_x509_crt_init(&crts[i]);
			cr_assert(gnutls_x509_crt_import(crts[i], &d,
			                                 GNUTLS_X509_FMT_DER) ==
			          0);
			OPENSSL_free(der);
		}
		key.data = (unsigned char *)client->leaf_key_pem;
		key.size = (unsigned)strlen(client->leaf_key_pem);
		gnutls_x509_privkey_init(&pk);
		cr_assert(gnutls_x509_privkey_import(pk, &key,
		                                     GNUTLS_X509_FMT_PEM) == 0);
		rc = gnutls_certificate_set_x509_key(ccred, crts, (int)send,
		                                     pk);
		cr_assert(rc >= 0, "client key: %s", gnutls_strerror(rc));
		for (size_t i = 0; i < send; i++)
			gnutls_x509_crt_deinit(crts[i]);
		gnutls_x509_privkey_deinit(pk);
	}
	pthread_create(&t, NULL, gtls_serve, srv);
	gnutls_init(&cs, GNUTLS_CLIENT);
	gnutls_set_default_priority(cs);
	gnutls_credentials_set(cs, GNUTLS_CRD_CERTIFICATE, ccred);
	gnutls_transport_set_int(cs, sv[1]);
	do
		rc = gnutls_handshake(cs);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	pthread_join(t, NULL);
	cr_assert_eq(rc, 0, "client handshake: %s", gnutls_strerror(rc));
	cr_assert_eq(srv->rc, 0, "server handshake: %s",
	             gnutls_strerror(srv->rc));
	gnutls_deinit(cs);
	gnutls_certificate_free_credentials(ccred);
	close(sv[1]);
}

static void gtls_done(struct gtls_server *srv)
{
	gnutls_deinit(srv->session);
	gnutls_certificate_free_credentials(srv->cred);
	close(srv->fd);
}

struct chain_case {
	const char *name;
	size_t depth; /* certificates the client has */
	size_t send;  /* certificates it sends */
	int err;
};

static const struct chain_case chain_cases[] = {
        {"leaf, intermediate and root", 3, 3, DCM_OK},
        {"leaf and intermediate", 3, 2, DCM_OK},
        {"leaf only", 1, 1, DCM_OK},
        {"no certificate", 2, 0, DCM_ERR_NO_CHAIN},
        {"sixteen certificates", 16, 16, DCM_OK},
        {"seventeen certificates", 17, 17, DCM_ERR_TOO_LONG},
};

Test(certmap, chain_from_gnutls, .timeout = 60)
{
	struct pki server;

	pki_make(&server, 1);
	for (size_t i = 0; i < sizeof chain_cases / sizeof chain_cases[0];
	     i++) {
		const struct chain_case *k = &chain_cases[i];
		struct pki client;
		struct gtls_server srv;
		struct dcm_chain c;

		pki_make(&client, k->depth);
		gtls_handshake(&server, &client, k->send, &srv);
		cr_expect_eq(dcm_chain_from_gnutls(srv.session, &c), k->err,
		             "%s", k->name);
		if (k->err == DCM_OK)
			expect_chain(&c, &client, k->send);
		else
			cr_expect_eq(c.n, 0, "%s", k->name);
		dcm_chain_clear(&c);
		gtls_done(&srv);
		pki_free(&client);
	}
	pki_free(&server);
}

Test(certmap, chain_from_gnutls_null)
{
	struct dcm_chain c;

	cr_expect_eq(dcm_chain_from_gnutls(NULL, &c), DCM_ERR_INVALID);
	cr_expect_eq(c.n, 0);
}

/* ---- OpenSSL ---------------------------------------------------------- */

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1; /* TLSVerifyClient allow */
}

/* Pump two SSL objects joined by a BIO pair until both finished. */
static void ossl_handshake(SSL *c, SSL *s)
{
	int cdone = 0, sdone = 0;

	for (int round = 0; round < 100 && !(cdone && sdone); round++) {
		if (!cdone) {
			int r = SSL_do_handshake(c);

			if (r == 1)
				cdone = 1;
			else
				cr_assert(SSL_get_error(c, r) ==
				          SSL_ERROR_WANT_READ);
		}
		if (!sdone) {
			int r = SSL_do_handshake(s);

			if (r == 1)
				sdone = 1;
			else
				cr_assert(SSL_get_error(s, r) ==
				          SSL_ERROR_WANT_READ);
		}
	}
	cr_assert(cdone && sdone, "handshake did not finish");
}

static void ossl_case(const struct chain_case *k, struct pki *server,
                      int version)
{
	struct pki client;
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *s, *c;
	BIO *sb, *cb;
	struct dcm_chain chain;

	pki_make(&client, k->depth);
	SSL_CTX_set_min_proto_version(sctx, version);
	SSL_CTX_set_max_proto_version(sctx, version);
	cr_assert(SSL_CTX_use_certificate(sctx, server->cert[0]) == 1);
	cr_assert(SSL_CTX_use_PrivateKey(sctx, server->key[0]) == 1);
	SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_set_verify_depth(sctx, 100);
	if (k->send > 0) {
		cr_assert(SSL_CTX_use_certificate(cctx, client.cert[0]) == 1);
		cr_assert(SSL_CTX_use_PrivateKey(cctx, client.key[0]) == 1);
		for (size_t i = 1; i < k->send; i++)
			cr_assert(SSL_CTX_add1_chain_cert(cctx,
			                                  client.cert[i]) == 1);
	}
	s = SSL_new(sctx);
	c = SSL_new(cctx);
	cr_assert(BIO_new_bio_pair(&sb, 0, &cb, 0) == 1);
	SSL_set_bio(s, sb, sb);
	SSL_set_bio(c, cb, cb);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	ossl_handshake(c, s);
	cr_expect_eq(dcm_chain_from_openssl(s, &chain), k->err, "%s (%x)",
	             k->name, version);
	if (k->err == DCM_OK)
		expect_chain(&chain, &client, k->send);
	else
		cr_expect_eq(chain.n, 0, "%s", k->name);
	dcm_chain_clear(&chain);
	SSL_free(s);
	SSL_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	pki_free(&client);
}

Test(certmap, chain_from_openssl, .timeout = 60)
{
	struct pki server;

	pki_make(&server, 1);
	for (size_t i = 0; i < sizeof chain_cases / sizeof chain_cases[0];
	     i++) {
		ossl_case(&chain_cases[i], &server, TLS1_3_VERSION);
		ossl_case(&chain_cases[i], &server, TLS1_2_VERSION);
	}
	pki_free(&server);
}

Test(certmap, chain_from_openssl_null)
{
	struct dcm_chain c;

	cr_expect_eq(dcm_chain_from_openssl(NULL, &c), DCM_ERR_INVALID);
	cr_expect_eq(c.n, 0);
}

#else /* !DANCE_HAVE_CERTMAP */

Test(certmap, not_built)
{
	cr_skip_test("the slapd module is not built (DANCE_BUILD_SLAPD=OFF)");
}

#endif
