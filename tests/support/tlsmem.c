/*
 * tlsmem.c -- TLS in memory for tests (see tlsmem.h).
 */
#include "tlsmem.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

int tm_cert_make(struct tm_cert *out, const char *cn, const char *san,
                 const struct tm_cert *issuer, int ca)
{
	static uint64_t serial = 1;
	X509 *x = NULL;
	X509_NAME *name;
	EVP_PKEY *key = NULL;
	int ok = 0;

	memset(out, 0, sizeof *out);
	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(
	        x, issuer != NULL ? X509_get_subject_name(issuer->cert) : name);
	if (!add_ext(x, issuer ? issuer->cert : x, NID_basic_constraints,
	             ca ? "critical,CA:TRUE" : "critical,CA:FALSE"))
		goto out;
	if (san != NULL &&
	    !add_ext(x, issuer ? issuer->cert : x, NID_subject_alt_name, san))
		goto out;
	if (!X509_sign(x, issuer != NULL ? issuer->key : key, EVP_sha256()))
		goto out;
	out->cert = x;
	out->key = key;
	x = NULL;
	key = NULL;
	ok = 1;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return ok;
}

void tm_cert_free(struct tm_cert *c)
{
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	memset(c, 0, sizeof *c);
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	int *slot = SSL_get_app_data(ssl);

	if (slot != NULL && (where & SSL_CB_ALERT) && (where & SSL_CB_WRITE) &&
	    *slot < 0)
		*slot = ret & 0xff;
}

static int step(SSL *ssl, int *done)
{
	int r, e;

	if (*done)
		return 1;
	r = SSL_do_handshake(ssl);
	if (r == 1) {
		*done = 1;
		return 1;
	}
	e = SSL_get_error(ssl, r);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

void tm_handshake(SSL_CTX *cctx, SSL_CTX *sctx,
                  void (*before)(SSL *c, SSL *s, void *arg), void *arg, SSL **c,
                  SSL **s, struct tm_result *res)
{
	BIO *cb = NULL, *sb = NULL;
	int cdone = 0, sdone = 0, cr = 0, sr = 0;
	char buf[16];

	memset(res, 0, sizeof *res);
	res->server_alert = res->client_alert = -1;
	*c = SSL_new(cctx);
	*s = SSL_new(sctx);
	if (*c == NULL || *s == NULL || !BIO_new_bio_pair(&cb, 0, &sb, 0))
		return;
	SSL_set_bio(*c, cb, cb);
	SSL_set_bio(*s, sb, sb);
	SSL_set_connect_state(*c);
	SSL_set_accept_state(*s);
	SSL_set_app_data(*c, &res->client_alert);
	SSL_set_app_data(*s, &res->server_alert);
	SSL_set_info_callback(*c, info_cb);
	SSL_set_info_callback(*s, info_cb);
	if (before != NULL)
		before(*c, *s, arg);
	for (int i = 0; i < 64 && !(cdone && sdone); i++) {
		if (cr >= 0)
			cr = step(*c, &cdone);
		if (sr >= 0)
			sr = step(*s, &sdone);
		if (cr < 0 && sr < 0)
			break;
		if ((cr < 0 || sr < 0) && i > 4)
			break;
	}
	res->client_ok = cdone;
	res->server_ok = sdone;
	/* TLS 1.3: the client is done before the server has judged its
	 * certificate; one read lets a late alert arrive. */
	if (cdone) {
		int n = SSL_read(*c, buf, sizeof buf);
		if (n <= 0 && SSL_get_error(*c, n) == SSL_ERROR_SSL)
			res->client_ok = 0;
	}
	SSL_set_app_data(*c, NULL);
	SSL_set_app_data(*s, NULL);
}

static int limit(SSL_CTX *ctx, int min, int max)
{
	return (min == 0 || SSL_CTX_set_min_proto_version(ctx, min)) &&
	       (max == 0 || SSL_CTX_set_max_proto_version(ctx, max));
}

SSL_CTX *tm_server_ctx(int min, int max)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	struct tm_cert c;

	if (ctx == NULL)
		return NULL;
	if (!tm_cert_make(&c, "server.test", "DNS:server.test", NULL, 0) ||
	    !SSL_CTX_use_certificate(ctx, c.cert) ||
	    !SSL_CTX_use_PrivateKey(ctx, c.key) || !limit(ctx, min, max)) {
		tm_cert_free(&c);
		SSL_CTX_free(ctx);
		return NULL;
	}
	tm_cert_free(&c);
	return ctx;
}

SSL_CTX *tm_client_ctx(const struct tm_cert *cert, const struct tm_cert *extra,
                       int min, int max)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if ((cert != NULL && (!SSL_CTX_use_certificate(ctx, cert->cert) ||
	                      !SSL_CTX_use_PrivateKey(ctx, cert->key))) ||
	    (extra != NULL && !SSL_CTX_add1_chain_cert(ctx, extra->cert)) ||
	    !limit(ctx, min, max)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
