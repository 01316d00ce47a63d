/*
 * dane.c -- the generic DANE check (RFC 6698, RFC 7671) on OpenSSL's DANE
 * engine: a certificate chain (leaf first), a set of TLSA records, a
 * reference name, a purpose, optionally a trust store for the PKIX usages.
 *
 * Nothing here matches certificates by hand. A throw-away SSL (from an
 * SSL_CTX with DANE enabled and the digest ranking set) carries the
 * records (SSL_dane_enable, SSL_dane_tlsa_add); an X509_STORE_CTX on an
 * empty trust store (or the caller's store, for usages 0 and 1) verifies
 * the chain with that DANE state (X509_STORE_CTX_set0_dane), exactly as
 * OpenSSL's TLS stack and its own DANE tests do. Host name checks accept
 * only a dNSName equal to the reference name: no wildcards, never the
 * subject CN. Keys and signatures must meet a security level (2 unless
 * the caller says otherwise: X509_VERIFY_PARAM_set_auth_level, which the
 * throw-away SSL's param leaves unset). Two things OpenSSL leaves out are
 * added after it: the level of a bare-key anchor ("2 1 0" that signed the
 * top certificate: OpenSSL checks neither that key nor the signature it
 * made), and a match at all (with no usable record OpenSSL falls back to
 * plain PKIX against the caller's store; that is no DANE match here).
 *
 * The SSL_CTX costs about 100 us to make (the first one in a process far
 * more: OpenSSL fetches its ciphers and digests then);
 * dance_dane_sslctx_new() makes one that a context makes on first use,
 * keeps and shares between threads (SSL_new on a shared, configured
 * SSL_CTX is thread-safe). Every OpenSSL error this file causes
 * is popped off the thread's error queue before it returns, so that a
 * caller inside a TLS server finds its own queue as it left it.
 */
#include "internal.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>

int dance_dane_sslctx_new(int sha256_first, struct ssl_ctx_st **out)
{
	SSL_CTX *c = NULL;
	int r = DANCE_ERR_CRYPTO;

	*out = NULL;
	ERR_set_mark();
	if ((c = SSL_CTX_new(TLS_method())) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	if (SSL_CTX_dane_enable(c) <= 0)
		goto out;
	/* Larger ordinal: preferred (RFC 7671 section 9 digest agility). */
	if (SSL_CTX_dane_mtype_set(c, EVP_sha256(), DANCE_MTYPE_SHA256,
	                           sha256_first ? 2 : 1) <= 0 ||
	    SSL_CTX_dane_mtype_set(c, EVP_sha512(), DANCE_MTYPE_SHA512,
	                           sha256_first ? 1 : 2) <= 0)
		goto out;
	*out = c;
	c = NULL;
	r = DANCE_OK;
out:
	SSL_CTX_free(c);
	ERR_pop_to_mark();
	return r;
}

void dance_dane_sslctx_free(struct ssl_ctx_st *c)
{
	SSL_CTX_free(c);
}

static int record_wanted(const struct dance_dane_params *p,
                         const struct dance_tlsa *t)
{
	if (t->problem != DANCE_TLSA_USABLE)
		return 0;
	if (t->usage == DANCE_USAGE_PKIX_TA || t->usage == DANCE_USAGE_PKIX_EE)
		return p->pkix_store != NULL;
	return t->usage == DANCE_USAGE_DANE_TA ||
	       t->usage == DANCE_USAGE_DANE_EE;
}

/* Give the usable records to the engine. A record OpenSSL cannot use (a
 * "2 0 0" whose data is no certificate, say) is left out like any other
 * unusable record. Returns the number added. */
static size_t add_records(SSL *ssl, const struct dance_dane_params *p,
                          const struct dance_tlsa *records, size_t n)
{
	size_t added = 0;

	for (size_t i = 0; i < n; i++) {
		const struct dance_tlsa *t = &records[i];
		if (!record_wanted(p, t))
			continue;
		if (SSL_dane_tlsa_add(ssl, t->usage, t->selector, t->mtype,
		                      t->data, t->len) > 0)
			added++;
	}
	return added;
}

/* Index of the record the engine matched, or -1. */
static int matched_index(SSL *ssl, const struct dance_tlsa *records, size_t n)
{
	uint8_t u = 0, s = 0, m = 0;
	const unsigned char *data = NULL;
	size_t dlen = 0;

	if (SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data, &dlen) < 0 ||
	    data == NULL)
		return -1;
	for (size_t i = 0; i < n && i < (size_t)INT_MAX; i++) {
		const struct dance_tlsa *t = &records[i];
		if (t->usage == u && t->selector == s && t->mtype == m &&
		    t->len == dlen && CRYPTO_memcmp(t->data, data, dlen) == 0)
			return (int)i;
	}
	return -1;
}

/* Earliest notAfter of the verified chain, 0 if it cannot be told. */
static time_t chain_not_after(X509_STORE_CTX *xctx)
{
	STACK_OF(X509) *vc = X509_STORE_CTX_get0_chain(xctx);
	time_t least = 0;

	for (int i = 0; i < sk_X509_num(vc); i++) {
		struct tm tm;
		time_t t;
		if (ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(vc, i)),
		                    &tm) != 1)
			return 0;
		t = timegm(&tm);
		if (least == 0 || t < least)
			least = t;
	}
	return least;
}

/* Set up the SSL that carries the DANE state. */
static int dane_ssl(SSL_CTX *sslctx, const struct dance_dane_params *p,
                    SSL **out)
{
	SSL *ssl = NULL;
	int r = DANCE_ERR_NOMEM;

	*out = NULL;
	if ((ssl = SSL_new(sslctx)) == NULL)
		goto out;
	r = DANCE_ERR_CRYPTO;
	/* NULL: no reference name, no name checks. */
	if (SSL_dane_enable(ssl, p->refname) <= 0)
		goto out;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_WILDCARDS |
	                               X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if ((p->flags & DANCE_DANE_NO_EE_NAMECHECKS) != 0)
		SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	*out = ssl;
	ssl = NULL;
	r = DANCE_OK;
out:
	SSL_free(ssl);
	return r;
}

/* OpenSSL's auth level for the params: 0 (none) or 1..5. */
static int auth_level(const struct dance_dane_params *p)
{
	if (p->auth_level == DANCE_DANE_AUTH_LEVEL_NONE)
		return 0;
	if (p->auth_level == DANCE_DANE_AUTH_LEVEL_DEFAULT)
		return 2;
	return p->auth_level;
}

/* OpenSSL's least security bits at levels 1..5 (its minbits_table). */
static const int level_bits[5] = {80, 112, 128, 192, 256};

/* A bare-key trust anchor ("2 1 0" whose key signed the top certificate
 * of the chain) escapes OpenSSL's level checks: it checks neither the
 * key nor the top certificate's signature (which it takes for an
 * anchor's self-signature). Check both at level. X509_V_OK or the
 * error, *depth the top certificate's. */
static int bare_anchor_error(X509_STORE_CTX *xctx, EVP_PKEY *key, int level,
                             int *depth)
{
	STACK_OF(X509) *vc = X509_STORE_CTX_get0_chain(xctx);
	X509 *top;
	int bits = -1;

	*depth = sk_X509_num(vc) - 1;
	if (level <= 0)
		return X509_V_OK;
	if (EVP_PKEY_get_security_bits(key) < level_bits[level - 1])
		return X509_V_ERR_CA_KEY_TOO_SMALL;
	if ((top = sk_X509_value(vc, *depth)) == NULL ||
	    X509_get_signature_info(top, NULL, NULL, &bits, NULL) != 1 ||
	    bits < level_bits[level - 1])
		return X509_V_ERR_CA_MD_TOO_WEAK;
	return X509_V_OK;
}

/* Is the trust anchor of a trust-anchor match the leaf's own key (a
 * self-signed leaf under a "2 1 0" of its key, say)? */
static int anchor_is_leaf_key(X509 *leaf, X509 *mcert, EVP_PKEY *mspki,
                              const struct dance_tlsa *m)
{
	EVP_PKEY *ta = mcert != NULL ? X509_get0_pubkey(mcert) : mspki;
	EVP_PKEY *lk = X509_get0_pubkey(leaf);

	if (m == NULL || (m->usage != DANCE_USAGE_DANE_TA &&
	                  m->usage != DANCE_USAGE_PKIX_TA))
		return 0;
	return ta != NULL && lk != NULL && EVP_PKEY_eq(ta, lk) == 1;
}

/* What matched, even when a later check failed (set the result to OK to
 * look, as OpenSSL's own danetest does), then the checks OpenSSL leaves
 * out: a bare-key anchor's level, and a match at all (with no usable
 * record OpenSSL falls back to plain PKIX against the store). Fills out
 * and info from err, X509_verify_cert's verdict. */
static void conclude(SSL *ssl, X509_STORE_CTX *xctx,
                     const struct dance_dane_params *p, X509 *leaf, int err,
                     const struct dance_tlsa *records, size_t n,
                     struct dance_dane_check_info *info,
                     struct dance_dane_outcome *out)
{
	X509 *mcert = NULL;
	EVP_PKEY *mspki = NULL;
	int depth = X509_STORE_CTX_get_error_depth(xctx);

	SSL_set_verify_result(ssl, X509_V_OK);
	out->match_depth = SSL_get0_dane_authority(ssl, &mcert, &mspki);
	out->record_index = matched_index(ssl, records, n);
	if (err == X509_V_OK && out->record_index < 0) {
		err = X509_V_ERR_DANE_NO_MATCH;
		depth = 0;
	}
	if (err == X509_V_OK && mcert == NULL && mspki != NULL)
		err = bare_anchor_error(xctx, mspki, auth_level(p), &depth);
	out->ok = err == X509_V_OK;
	out->x509_error = err;
	out->reason = X509_verify_cert_error_string(err);
	SSL_set_verify_result(ssl, err);
	if (info == NULL)
		return;
	info->matched_leaf = mcert != NULL && X509_cmp(mcert, leaf) == 0;
	info->leaf_key_anchor = anchor_is_leaf_key(
	        leaf, mcert, mspki,
	        out->record_index >= 0 ? &records[out->record_index] : NULL);
	info->not_after = out->ok ? chain_not_after(xctx) : 0;
	info->error_depth = out->ok ? -1 : depth;
}

/* Verify with the DANE state of ssl and fill the outcome. */
static int dane_verify(SSL *ssl, const struct dance_dane_params *p,
                       STACK_OF(X509) * chain, const struct dance_tlsa *records,
                       size_t n, struct dance_dane_check_info *info,
                       struct dance_dane_outcome *out)
{
	X509_STORE *empty = NULL, *store = p->pkix_store;
	X509_STORE_CTX *xctx = NULL;
	X509 *leaf = sk_X509_value(chain, 0);
	X509_VERIFY_PARAM *vp;
	int r = DANCE_ERR_NOMEM, vr, err;

	if (store == NULL && (store = empty = X509_STORE_new()) == NULL)
		goto out;
	if ((xctx = X509_STORE_CTX_new()) == NULL)
		goto out;
	r = DANCE_ERR_CRYPTO;
	if (X509_STORE_CTX_init(xctx, store, leaf, chain) != 1 ||
	    X509_STORE_CTX_set_default(xctx,
	                               p->purpose == X509_PURPOSE_SSL_CLIENT
	                                       ? "ssl_client"
	                                       : "ssl_server") != 1)
		goto out;
	/* (the param exists from X509_STORE_CTX_init on) */
	vp = X509_STORE_CTX_get0_param(xctx);
	if (X509_VERIFY_PARAM_set1(vp, SSL_get0_param(ssl)) != 1)
		goto out;
	if (p->at != 0)
		X509_VERIFY_PARAM_set_time(vp, p->at);
	/* The SSL's param has no level (-1): OpenSSL's TLS stack sets it
	 * from the SSL's security level only when it verifies a peer. */
	X509_VERIFY_PARAM_set_auth_level(vp, auth_level(p));
	X509_STORE_CTX_set0_dane(xctx, SSL_get0_dane(ssl));
	vr = X509_verify_cert(xctx);
	err = X509_STORE_CTX_get_error(xctx);
	if (vr <= 0 && err == X509_V_OK)
		err = X509_V_ERR_UNSPECIFIED;
	conclude(ssl, xctx, p, leaf, err, records, n, info, out);
	r = DANCE_OK;
out:
	X509_STORE_CTX_free(xctx);
	X509_STORE_free(empty);
	return r;
}

int dance_dane_check_with(struct ssl_ctx_st *sslctx,
                          const struct dance_dane_params *p,
                          struct stack_st_X509 *chain,
                          const struct dance_tlsa *records, size_t n,
                          struct dance_dane_outcome *out,
                          struct dance_dane_check_info *info)
{
	SSL_CTX *own = NULL;
	SSL *ssl = NULL;
	int r = DANCE_ERR_INVALID_ARG;

	memset(out, 0, sizeof *out);
	out->x509_error = X509_V_ERR_UNSPECIFIED;
	out->match_depth = -1;
	out->record_index = -1;
	out->reason = X509_verify_cert_error_string(out->x509_error);
	if (info != NULL) {
		info->matched_leaf = 0;
		info->leaf_key_anchor = 0;
		info->not_after = 0;
		info->error_depth = -1;
	}
	ERR_set_mark();
	if (sk_X509_num(chain) < 1 || (n > 0 && records == NULL) ||
	    (p->refname != NULL && p->refname[0] == '\0') ||
	    (p->purpose != X509_PURPOSE_SSL_CLIENT &&
	     p->purpose != X509_PURPOSE_SSL_SERVER) ||
	    p->auth_level < DANCE_DANE_AUTH_LEVEL_NONE || p->auth_level > 5)
		goto out;
	if (sslctx == NULL) {
		if ((r = dance_dane_sslctx_new(p->sha256_first, &own)) !=
		    DANCE_OK)
			goto out;
		sslctx = own;
	}
	if ((r = dane_ssl(sslctx, p, &ssl)) != DANCE_OK)
		goto out;
	(void)add_records(ssl, p, records, n);
	r = dane_verify(ssl, p, chain, records, n, info, out);
out:
	SSL_free(ssl);
	SSL_CTX_free(own);
	ERR_pop_to_mark();
	return r;
}

int dance_dane_check(const struct dance_dane_params *p,
                     struct stack_st_X509 *chain,
                     const struct dance_tlsa *records, size_t n,
                     struct dance_dane_outcome *out)
{
	return dance_dane_check_with(NULL, p, chain, records, n, out, NULL);
}
