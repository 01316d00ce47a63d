/*
 * ssl.c -- libdance on an OpenSSL server or client: request a client
 * certificate without PKIX verification, carry dane_clientid (wire form in
 * clientid.c), verify the client with DANE in or after the handshake, and
 * keep the outcome in the SSL.
 *
 * State lives in OpenSSL ex_data: per SSL_CTX a struct ssl_conf (the
 * dance_ctx, the flags, the code point), per SSL a struct ssl_state (the
 * ClientName received or to send, DER copies of the peer chain, the
 * result). The two ex_data indices are the only process-wide variables of
 * the library: OpenSSL's indices are process-wide by nature; they are
 * allocated once (CRYPTO_THREAD_run_once) and never change afterwards.
 *
 * See the "OpenSSL TLS integration" section of dance.h for the contract.
 */
#include "internal.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_FLAGS                                          \
	(DANCE_SSL_VERIFY_IN_HANDSHAKE | DANCE_SSL_REQUIRE | \
	 DANCE_SSL_NO_CLIENTID)

#define CLIENTID_CONTEXTS \
	(SSL_EXT_TLS1_3_CERTIFICATE_REQUEST | SSL_EXT_TLS1_3_CERTIFICATE)

struct ssl_conf {
	dance_ctx *ctx; /* not owned; NULL on a client without context */
	unsigned flags;
	unsigned codepoint;
};

struct ssl_state {
	char *clientname;  /* server: received; client: to send */
	uint8_t wire[256]; /* client: encoded ClientName */
	size_t wirelen;
	uint8_t **der; /* peer chain in DER, leaf first */
	size_t *lens;
	size_t n;
	int have_der;
	int verified; /* dance_verify_peer() ran */
	int verify_err;
	struct dance_result *result;
};

static CRYPTO_ONCE ex_once = CRYPTO_ONCE_STATIC_INIT;
static int ex_ok;
static int ssl_idx = -1;
static int ctx_idx = -1;

/* ---- ex_data plumbing ---------------------------------------------------- */

static void der_clear(struct ssl_state *st)
{
	for (size_t i = 0; i < st->n; i++)
		OPENSSL_free(st->der[i]);
	free(st->der);
	free(st->lens);
	st->der = NULL;
	st->lens = NULL;
	st->n = 0;
	st->have_der = 0;
}

static void state_free(struct ssl_state *st)
{
	if (st == NULL)
		return;
	free(st->clientname);
	der_clear(st);
	dance_result_free(st->result);
	free(st);
}

static void ssl_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
                        long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	state_free(ptr);
}

static void ctx_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
                        long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

/* SSL_dup() must not share our pointers: the copy starts without state. */
static int ex_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d,
                  int idx, long argl, void *argp)
{
	(void)to;
	(void)from;
	(void)idx;
	(void)argl;
	(void)argp;
	*from_d = NULL;
	return 1;
}

static void ex_init(void)
{
	ssl_idx = SSL_get_ex_new_index(0, NULL, NULL, ex_dup, ssl_ex_free);
	ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, ex_dup, ctx_ex_free);
	ex_ok = ssl_idx >= 0 && ctx_idx >= 0;
}

static int ex_ready(void)
{
	return CRYPTO_THREAD_run_once(&ex_once, ex_init) && ex_ok;
}

static struct ssl_state *state_peek(const SSL *ssl)
{
	if (!ex_ready())
		return NULL;
	return SSL_get_ex_data(ssl, ssl_idx);
}

static struct ssl_state *state_get(SSL *ssl)
{
	struct ssl_state *st;

	if (!ex_ready())
		return NULL;
	if ((st = SSL_get_ex_data(ssl, ssl_idx)) != NULL)
		return st;
	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	if (!SSL_set_ex_data(ssl, ssl_idx, st)) {
		free(st);
		return NULL;
	}
	return st;
}

static struct ssl_conf *conf_of(const SSL *ssl)
{
	if (!ex_ready())
		return NULL;
	return SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx);
}

/* ---- configuration ------------------------------------------------------ */

/* The code point: the context's clientid-codepoint, or the default when
 * there is no context. */
static unsigned codepoint_of(const dance_ctx *ctx)
{
	return ctx != NULL ? dance_ctx_clientid_codepoint(ctx)
	                   : DANCE_CLIENTID_DEFAULT_CODEPOINT;
}

/* Attach a struct ssl_conf to sctx. cfg supplies the code point and the
 * log; server is the context kept for verification (NULL on a client). */
static int conf_attach(const dance_ctx *cfg, dance_ctx *server, SSL_CTX *sctx,
                       unsigned flags, struct ssl_conf **out)
{
	struct ssl_conf *conf = NULL;
	int r = DANCE_ERR_INVALID_ARG;

	*out = NULL;
	if (!ex_ready()) {
		r = DANCE_ERR_CRYPTO;
		goto out;
	}
	if ((flags & ~KNOWN_FLAGS) != 0 ||
	    SSL_CTX_get_ex_data(sctx, ctx_idx) != NULL)
		goto out;
	if ((conf = calloc(1, sizeof *conf)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	conf->ctx = server;
	conf->flags = flags;
	conf->codepoint = codepoint_of(cfg);
	if (SSL_extension_supported(conf->codepoint)) {
		DLOG_ERROR(cfg,
		           "clientid-codepoint %u is an extension OpenSSL "
		           "handles itself",
		           conf->codepoint);
		r = DANCE_ERR_INVALID_ARG;
		goto out;
	}
	if (!SSL_CTX_set_ex_data(sctx, ctx_idx, conf)) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	*out = conf;
	conf = NULL;
	r = DANCE_OK;
out:
	free(conf);
	return r;
}

/* ---- dane_clientid, server side ----------------------------------------- */

/* The OpenSSL callback types fix the signatures (int *al) of these four. */
static int srv_add(SSL *ssl, unsigned int type, unsigned int context,
                   const unsigned char **out, size_t *outlen, X509 *x,
                   size_t chainidx,
                   int *al, // NOLINT(readability-non-const-parameter)
                   void *arg)
{
	static const unsigned char empty_name[1] = {0};

	(void)ssl;
	(void)type;
	(void)x;
	(void)chainidx;
	(void)al;
	(void)arg;
	if ((context & SSL_EXT_TLS1_3_CERTIFICATE_REQUEST) == 0)
		return 0;
	*out = empty_name;
	*outlen = sizeof empty_name;
	return 1;
}

static int srv_parse(SSL *ssl, unsigned int type, unsigned int context,
                     const unsigned char *in, size_t inlen, X509 *x,
                     size_t chainidx, int *al, void *arg)
{
	struct ssl_conf *conf = arg;
	struct ssl_state *st;
	char *name = NULL;
	int alert = 0;

	(void)type;
	(void)x;
	if ((context & SSL_EXT_TLS1_3_CERTIFICATE) == 0 || chainidx != 0) {
		DLOG_INFO(conf->ctx, "dane_clientid refused: not on the leaf "
		                     "certificate");
		*al = SSL_AD_ILLEGAL_PARAMETER;
		return 0;
	}
	if (dance_clientid_parse_client(in, inlen, &name, &alert) != DANCE_OK) {
		DLOG_INFO(conf->ctx,
		          "dane_clientid refused: malformed or empty "
		          "ClientName (%zu octets)",
		          inlen);
		*al = alert;
		return 0;
	}
	if ((st = state_get(ssl)) == NULL) {
		free(name);
		*al = SSL_AD_INTERNAL_ERROR;
		return 0;
	}
	free(st->clientname);
	st->clientname = name;
	DLOG_DEBUG(conf->ctx, "dane_clientid: ClientName %s", name);
	return 1;
}

/* ---- dane_clientid, client side ----------------------------------------- */

static int cli_add(SSL *ssl, unsigned int type, unsigned int context,
                   const unsigned char **out, size_t *outlen, X509 *x,
                   size_t chainidx,
                   int *al, // NOLINT(readability-non-const-parameter)
                   void *arg)
{
	struct ssl_state *st;

	(void)type;
	(void)x;
	(void)al;
	(void)arg;
	if ((context & SSL_EXT_TLS1_3_CERTIFICATE) == 0 || chainidx != 0)
		return 0;
	if ((st = state_peek(ssl)) == NULL || st->wirelen == 0)
		return 0;
	*out = st->wire;
	*outlen = st->wirelen;
	return 1;
}

static int cli_parse(SSL *ssl, unsigned int type, unsigned int context,
                     const unsigned char *in, size_t inlen, X509 *x,
                     size_t chainidx, int *al, void *arg)
{
	int alert = 0;

	(void)ssl;
	(void)type;
	(void)x;
	(void)chainidx;
	(void)arg;
	if ((context & SSL_EXT_TLS1_3_CERTIFICATE_REQUEST) == 0) {
		*al = SSL_AD_ILLEGAL_PARAMETER;
		return 0;
	}
	if (dance_clientid_parse_server(in, inlen, &alert) != DANCE_OK) {
		*al = alert;
		return 0;
	}
	return 1;
}

/* ---- verification -------------------------------------------------------- */

/* DER copies of a chain (leaf first) into st. */
static int der_fill(struct ssl_state *st, STACK_OF(X509) * chain)
{
	int n = sk_X509_num(chain), r = DANCE_ERR_NOMEM;

	der_clear(st);
	if (n <= 0) {
		st->have_der = 1;
		return DANCE_OK;
	}
	if ((st->der = calloc((size_t)n, sizeof *st->der)) == NULL ||
	    (st->lens = calloc((size_t)n, sizeof *st->lens)) == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		unsigned char *p = NULL;
		int len = i2d_X509(sk_X509_value(chain, i), &p);
		if (len <= 0) {
			r = DANCE_ERR_CRYPTO;
			goto out;
		}
		st->der[i] = p;
		st->lens[i] = (size_t)len;
		st->n++;
	}
	st->have_der = 1;
	r = DANCE_OK;
out:
	if (r != DANCE_OK)
		der_clear(st);
	return r;
}

/* The client's chain as received, leaf first (new stack, certificates not
 * up-ref'd: valid while the SSL holds them). NULL if there is none. */
static STACK_OF(X509) * peer_chain(SSL *ssl)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *rest = SSL_get_peer_cert_chain(ssl), *all;
	int i = 0;

	if (leaf == NULL || (all = sk_X509_new_null()) == NULL)
		return NULL;
	if (!sk_X509_push(all, leaf))
		goto fail;
	/* A server's view of the chain normally lacks the leaf; skip it if
	 * some OpenSSL puts it there. */
	if (sk_X509_num(rest) > 0 &&
	    X509_cmp(sk_X509_value(rest, 0), leaf) == 0)
		i = 1;
	for (; i < sk_X509_num(rest); i++)
		if (!sk_X509_push(all, sk_X509_value(rest, i)))
			goto fail;
	return all;
fail:
	sk_X509_free(all);
	return NULL;
}

static int verify_into(dance_ctx *ctx, struct ssl_state *st,
                       STACK_OF(X509) * chain)
{
	struct dance_peer peer;
	struct dance_result *res = NULL;
	int r;

	if ((r = der_fill(st, chain)) != DANCE_OK)
		return r;
	peer.n = st->n;
	peer.der = (const uint8_t *const *)st->der;
	peer.lens = st->lens;
	peer.clientname = st->clientname;
	r = dance_verify_peer(ctx, &peer, &res);
	dance_result_free(st->result);
	st->result = res;
	st->verify_err = r;
	st->verified = res != NULL;
	return r;
}

/* How a refusal in DANCE_SSL_REQUIRE mode shows in the handshake. */
static int refusal_x509_error(const struct dance_result *res)
{
	if (res != NULL && res->verdict == DANCE_REFUSED_CLIENTID)
		return X509_V_ERR_CERT_REJECTED;    /* bad_certificate */
	return X509_V_ERR_APPLICATION_VERIFICATION; /* handshake_failure */
}

static int cert_verify_cb(X509_STORE_CTX *xs, void *arg)
{
	struct ssl_conf *conf = arg;
	SSL *ssl = X509_STORE_CTX_get_ex_data(
	        xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_untrusted(xs);
	struct ssl_state *st;
	int pkix, r;

	/* PKIX for information only: keeps SSL_get_verify_result()
	 * meaningful; never decides. */
	pkix = X509_verify_cert(xs);
	DLOG_DEBUG(conf->ctx, "client certificate: PKIX %s",
	           pkix > 0 ? "ok"
	                    : X509_verify_cert_error_string(
	                              X509_STORE_CTX_get_error(xs)));
	if (pkix <= 0 && X509_STORE_CTX_get_error(xs) == X509_V_OK)
		X509_STORE_CTX_set_error(xs, X509_V_ERR_UNSPECIFIED);
	if (ssl == NULL || (conf->flags & DANCE_SSL_VERIFY_IN_HANDSHAKE) == 0)
		return 1;
	if ((st = state_get(ssl)) == NULL) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	r = verify_into(conf->ctx, st, chain);
	if ((conf->flags & DANCE_SSL_REQUIRE) == 0)
		return 1;
	if (r == DANCE_OK && st->result != NULL &&
	    st->result->verdict == DANCE_AUTHENTICATED)
		return 1;
	X509_STORE_CTX_set_error(xs, refusal_x509_error(st->result));
	return 0;
}

/* ---- public functions --------------------------------------------------- */

int dance_ssl_ctx_enable_server(dance_ctx *ctx, SSL_CTX *sctx, unsigned flags)
{
	struct ssl_conf *conf = NULL;
	int mode, r;

	if ((r = conf_attach(ctx, ctx, sctx, flags, &conf)) != DANCE_OK)
		return r;
	if ((flags & DANCE_SSL_NO_CLIENTID) == 0 &&
	    !SSL_CTX_add_custom_ext(sctx, conf->codepoint, CLIENTID_CONTEXTS,
	                            srv_add, NULL, conf, srv_parse, conf)) {
		DLOG_ERROR(ctx, "cannot register dane_clientid (code point %u)",
		           conf->codepoint);
		return DANCE_ERR_CRYPTO;
	}
	mode = SSL_CTX_get_verify_mode(sctx) | SSL_VERIFY_PEER;
	SSL_CTX_set_verify(sctx, mode, SSL_CTX_get_verify_callback(sctx));
	SSL_CTX_set_cert_verify_callback(sctx, cert_verify_cb, conf);
	SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
	if (!SSL_CTX_set_num_tickets(sctx, 0))
		return DANCE_ERR_CRYPTO;
	return DANCE_OK;
}

int dance_ssl_ctx_enable_client(const dance_ctx *ctx, SSL_CTX *sctx)
{
	struct ssl_conf *conf = NULL;
	int r;

	if ((r = conf_attach(ctx, NULL, sctx, 0, &conf)) != DANCE_OK)
		return r;
	if (!SSL_CTX_add_custom_ext(sctx, conf->codepoint, CLIENTID_CONTEXTS,
	                            cli_add, NULL, conf, cli_parse, conf))
		return DANCE_ERR_CRYPTO;
	return DANCE_OK;
}

int dance_ssl_set_clientname(SSL *ssl, const char *name)
{
	struct ssl_state *st;
	char *copy;
	int r;

	if (!dance_clientid_name_ok(name, strlen(name)))
		return DANCE_ERR_BAD_NAME;
	if ((st = state_get(ssl)) == NULL || (copy = strdup(name)) == NULL)
		return DANCE_ERR_NOMEM;
	r = dance_clientid_encode(name, st->wire, sizeof st->wire,
	                          &st->wirelen);
	if (r != DANCE_OK) {
		free(copy);
		return r;
	}
	free(st->clientname);
	st->clientname = copy;
	return DANCE_OK;
}

const char *dance_ssl_get_clientname(const SSL *ssl)
{
	const struct ssl_state *st = state_peek(ssl);

	return st != NULL && SSL_is_server(ssl) ? st->clientname : NULL;
}

int dance_ssl_verify(dance_ctx *ctx, SSL *ssl)
{
	struct ssl_conf *conf = conf_of(ssl);
	struct ssl_state *st;
	STACK_OF(X509) *chain = NULL;
	int r = DANCE_ERR_INVALID_ARG;

	if (ctx == NULL && conf != NULL)
		ctx = conf->ctx;
	if (ctx == NULL || !SSL_is_server(ssl))
		goto out;
	if ((st = state_get(ssl)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	if (st->verified) {
		r = st->verify_err;
		goto out;
	}
	if (SSL_session_reused(ssl)) {
		DLOG_INFO(ctx, "resumed TLS session: no chain to verify");
		goto out;
	}
	if ((chain = peer_chain(ssl)) == NULL)
		goto out;
	r = verify_into(ctx, st, chain);
out:
	sk_X509_free(chain);
	return r;
}

const struct dance_result *dance_ssl_get_result(const SSL *ssl)
{
	const struct ssl_state *st = state_peek(ssl);

	return st != NULL ? st->result : NULL;
}

int dance_ssl_get_peer(SSL *ssl, struct dance_peer *peer)
{
	struct ssl_state *st;
	STACK_OF(X509) *chain = NULL;
	int r = DANCE_OK;

	memset(peer, 0, sizeof *peer);
	if (ssl == NULL || !SSL_is_server(ssl) || SSL_session_reused(ssl) ||
	    SSL_get0_peer_certificate(ssl) == NULL)
		goto out;
	if ((st = state_get(ssl)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	if (!st->have_der) {
		if ((chain = peer_chain(ssl)) == NULL) {
			r = DANCE_ERR_NOMEM;
			goto out;
		}
		if ((r = der_fill(st, chain)) != DANCE_OK)
			goto out;
	}
	peer->n = st->n;
	peer->der = (const uint8_t *const *)st->der;
	peer->lens = st->lens;
	peer->clientname = st->clientname;
out:
	sk_X509_free(chain);
	return r;
}
