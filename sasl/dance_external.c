/*
 * dance_external.c -- libdance_external.so: a Cyrus SASL server mechanism
 * EXTERNAL that authenticates TLS clients by DANE (libdance) and otherwise
 * behaves exactly like libsasl2's built-in EXTERNAL.
 *
 * Choice of mechanism: libsasl2 registers its built-in EXTERNAL first and
 * sorts mechanisms by strength; sasl_server_start() takes the first
 * mechanism with the requested name. Ours declares the built-in's flags
 * (NOPLAINTEXT, NOANONYMOUS, NODICTIONARY) plus MUTUAL_AUTH, which makes it
 * strictly stronger in libsasl2's ordering (mech_compare() in server.c of
 * 2.1.28), so it is the one chosen whenever it is installed. (MUTUAL_AUTH:
 * TLS authenticated the server to the client before EXTERNAL runs.)
 *
 * Per connection:
 * - the application's DANCE_SASL_CB_PEER_CHAIN callback (dance_sasl.h), if
 *   any, reports the client's chain and ClientName;
 * - with a chain and an external security layer (SASL_SSF_EXTERNAL > 0):
 *   verify with libdance; authentication identity uid@domain through
 *   canon_user (SASL_CU_AUTHID | SASL_CU_EXTERNALLY_VERIFIED), refused
 *   unless canon_user leaves it exactly as libdance gave it; a requested
 *   authorization identity through canon_user (SASL_CU_AUTHZID) and then
 *   libsasl2's proxy check (the application's SASL_CB_PROXY_POLICY).
 *   Refused: SASL_BADAUTH. DNS temporarily failing: SASL_UNAVAIL. Each
 *   logged through utils->log with the verdict and reason;
 * - otherwise: the built-in EXTERNAL's behaviour, step for step (identity
 *   from SASL_AUTH_EXTERNAL), so that installing the plugin system-wide
 *   changes nothing for applications that do not know about dance.
 *
 * One libdance context per plugin instance, created at the first DANE
 * authentication (under a mutex) from the file named by the SASL option
 * "dance_config" (default /etc/dance/dance.conf), freed by mech_free when
 * libsasl2 shuts the server side down. Applications that never hand over a
 * chain never read that file.
 *
 * Logging: libsasl2's utils->log understands only %s, %d, %i, %c, %m, %z
 * (and slapd's logger crashed on %.*s); only %s and %d are used here.
 * libdance's own messages go to the log of the connection being
 * authenticated (a thread-local pointer set around the call), else to
 * libsasl2's global log.
 */
#include <dance/dance.h>
#include <dance/dance_sasl.h>

#include <pthread.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <stdlib.h>
#include <string.h>

#define PLUGIN_EXPORT __attribute__((visibility("default")))

#define MECH_FLAGS                                                             \
	(SASL_SEC_NOPLAINTEXT | SASL_SEC_NOANONYMOUS | SASL_SEC_NODICTIONARY | \
	 SASL_SEC_MUTUAL_AUTH)
#define MECH_FEATURES (SASL_FEAT_WANT_CLIENT_FIRST | SASL_FEAT_ALLOWS_PROXY)

/* The built-in EXTERNAL's limit on the client's message. */
#define CLIENTIN_MAX 16384

struct glob {
	const sasl_utils_t *utils; /* from plug_init; valid until mech_free */
	pthread_mutex_t lock;      /* guards ctx creation */
	dance_ctx *ctx;            /* NULL until the first DANE use */
	sasl_server_plug_t plug[1];
};

/* utils of the connection whose DANE check runs on this thread. */
static _Thread_local const sasl_utils_t *current_utils;

PLUGIN_EXPORT int sasl_server_plug_init(const sasl_utils_t *utils,
                                        int maxversion, int *out_version,
                                        sasl_server_plug_t **pluglist,
                                        int *plugcount);

/* ---- the application's callback --------------------------------------- */

static int find_in_list(const sasl_callback_t *cb, sasl_callback_ft *proc,
                        void **context)
{
	for (; cb != NULL && cb->id != SASL_CB_LIST_END; cb++) {
		if (cb->id == DANCE_SASL_CB_PEER_CHAIN && cb->proc != NULL) {
			*proc = cb->proc;
			*context = cb->context;
			return 1;
		}
	}
	return 0;
}

/* Find the peer-chain callback: the connection's list first, then through
 * libsasl2 (which also searches sasl_server_init()'s list). libsasl2
 * records "Unable to find a callback" as the connection's error text when
 * there is none; that text is cleared again so that an application without
 * the callback sees the same error texts as with the built-in EXTERNAL. */
static int find_callback(sasl_server_params_t *sp, sasl_callback_ft *proc,
                         void **context)
{
	*proc = NULL;
	*context = NULL;
	if (find_in_list(sp->callbacks, proc, context))
		return 1;
	if (sp->utils->getcallback(sp->utils->conn, DANCE_SASL_CB_PEER_CHAIN,
	                           proc, context) == SASL_OK &&
	    *proc != NULL)
		return 1;
	sp->utils->seterror(sp->utils->conn, SASL_NOLOG, "%s", "");
	*proc = NULL;
	*context = NULL;
	return 0;
}

/* Ask the application for the chain. SASL_OK with peer->n == 0 when it
 * has none or has no callback. */
static int get_peer(sasl_server_params_t *sp, struct dance_peer *peer)
{
	sasl_callback_ft proc;
	void *context;
	int r;

	memset(peer, 0, sizeof *peer);
	if (!find_callback(sp, &proc, &context))
		return SASL_OK;
	r = ((dance_sasl_peer_chain_t *)(void (*)(void))proc)(sp->utils->conn,
	                                                      context, peer);
	if (r != SASL_OK) {
		sp->utils->log(sp->utils->conn, SASL_LOG_ERR,
		               "DANCE EXTERNAL: the application's peer-chain "
		               "callback failed (%d)",
		               r);
		memset(peer, 0, sizeof *peer);
		return SASL_FAIL;
	}
	if (peer->n > 0 && (peer->der == NULL || peer->lens == NULL)) {
		sp->utils->log(sp->utils->conn, SASL_LOG_ERR,
		               "DANCE EXTERNAL: the peer-chain callback gave "
		               "no buffers");
		memset(peer, 0, sizeof *peer);
		return SASL_FAIL;
	}
	return SASL_OK;
}

static const char *external_authid(sasl_server_params_t *sp)
{
	const char *id = NULL;

	if (sp->utils->getprop(sp->utils->conn, SASL_AUTH_EXTERNAL,
	                       (const void **)&id) != SASL_OK)
		return NULL;
	return id;
}

/* ---- the libdance context ----------------------------------------------- */

static void log_from_dance(void *arg, enum dance_log_level level,
                           const char *msg)
{
	struct glob *g = arg;
	const sasl_utils_t *u =
	        current_utils != NULL ? current_utils : g->utils;
	int sl = level == DANCE_LOG_ERROR  ? SASL_LOG_ERR
	         : level == DANCE_LOG_INFO ? SASL_LOG_NOTE
	                                   : SASL_LOG_DEBUG;

	u->log(u->conn, sl, "DANCE EXTERNAL: libdance: %s", msg);
}

static int make_ctx(struct glob *g, const sasl_utils_t *u, dance_ctx **out)
{
	const char *opt = NULL;
	char *path = NULL;
	dance_ctx *ctx = NULL;
	char err[512] = "";
	int r;

	*out = NULL;
	if (u->getopt(u->getopt_context, "EXTERNAL", "dance_config", &opt,
	              NULL) == SASL_OK &&
	    opt != NULL && opt[0] != '\0' && (path = strdup(opt)) == NULL)
		return SASL_NOMEM;
	if (dance_ctx_new(&ctx) != DANCE_OK) {
		free(path);
		return SASL_NOMEM;
	}
	if ((r = dance_ctx_set_log(ctx, log_from_dance, g)) == DANCE_OK &&
	    (r = dance_ctx_load_config(ctx, path, err, sizeof err)) == DANCE_OK)
		r = dance_ctx_freeze(ctx);
	if (r != DANCE_OK) {
		u->log(u->conn, SASL_LOG_ERR,
		       "DANCE EXTERNAL: cannot set up libdance from %s: %s",
		       path != NULL ? path : DANCE_DEFAULT_CONFIG,
		       err[0] != '\0' ? err : dance_strerror(r));
		dance_ctx_free(ctx);
		free(path);
		return r == DANCE_ERR_NOMEM ? SASL_NOMEM : SASL_FAIL;
	}
	free(path);
	*out = ctx;
	return SASL_OK;
}

/* The plugin's context, created on first use; a failed creation is retried
 * by the next authentication (and logged each time). */
static int glob_ctx(struct glob *g, const sasl_utils_t *u, dance_ctx **out)
{
	int r = SASL_OK;

	*out = NULL;
	if (pthread_mutex_lock(&g->lock) != 0)
		return SASL_FAIL;
	if (g->ctx == NULL)
		r = make_ctx(g, u, &g->ctx);
	*out = g->ctx;
	pthread_mutex_unlock(&g->lock);
	return r;
}

/* ---- authentication ------------------------------------------------------ */

static void set_oparams(sasl_out_params_t *op)
{
	op->doneflag = 1;
	op->mech_ssf = 0; /* no layer of our own: the SSF is the TLS layer's */
	op->maxoutbuf = 0;
	op->encode_context = NULL;
	op->encode = NULL;
	op->decode_context = NULL;
	op->decode = NULL;
	op->param_version = 0;
}

/* libsasl2 2.1.28's built-in EXTERNAL step, with the identity read through
 * getprop (a plugin cannot see the connection's fields). */
static int builtin_step(sasl_server_params_t *sp, const char *clientin,
                        unsigned clientinlen, sasl_out_params_t *op)
{
	const char *authid = external_authid(sp);
	int r;

	if (authid == NULL)
		return SASL_BADPROT;
	if ((sp->props.security_flags & SASL_SEC_NOANONYMOUS) &&
	    strcmp(authid, "anonymous") == 0) {
		sp->utils->seterror(sp->utils->conn, 0,
		                    "anonymous login not allowed");
		return SASL_NOAUTHZ;
	}
	if (clientin == NULL)
		return SASL_CONTINUE;
	if (clientinlen > 0) {
		r = sp->canon_user(sp->utils->conn, clientin, 0,
		                   SASL_CU_AUTHZID, op);
		if (r != SASL_OK)
			return r;
		r = sp->canon_user(sp->utils->conn, authid, 0,
		                   SASL_CU_AUTHID | SASL_CU_EXTERNALLY_VERIFIED,
		                   op);
	} else {
		r = sp->canon_user(sp->utils->conn, authid, 0,
		                   SASL_CU_AUTHID |
		                           SASL_CU_EXTERNALLY_VERIFIED |
		                           SASL_CU_AUTHZID,
		                   op);
	}
	if (r != SASL_OK)
		return r;
	set_oparams(op);
	return SASL_OK;
}

/* Map what libdance returned to a SASL code, logging the reason. */
static int judge(sasl_server_params_t *sp, int r,
                 const struct dance_result *res)
{
	const sasl_utils_t *u = sp->utils;

	if (r == DANCE_OK && res != NULL &&
	    res->verdict == DANCE_AUTHENTICATED && res->identity != NULL)
		return SASL_OK;
	if (dance_err_is_temporary(r)) {
		u->log(u->conn, SASL_LOG_ERR,
		       "DANCE EXTERNAL: temporary failure, try again later: %s",
		       res != NULL ? res->reason : dance_strerror(r));
		u->seterror(u->conn, SASL_NOLOG,
		            "DANE check: temporary failure");
		return SASL_UNAVAIL;
	}
	if (r == DANCE_ERR_NOMEM)
		return SASL_NOMEM;
	if (res != NULL)
		u->log(u->conn, SASL_LOG_FAIL,
		       "DANCE EXTERNAL: refused (%s): %s",
		       dance_verdict_name(res->verdict), res->reason);
	else
		u->log(u->conn, SASL_LOG_FAIL, "DANCE EXTERNAL: refused: %s",
		       dance_strerror(r));
	u->seterror(u->conn, SASL_NOLOG, "DANE check refused the client");
	return SASL_BADAUTH;
}

/* Identities: authzid (if the client asked for one) and authid through
 * canon_user; libsasl2 applies the proxy policy after this step. */
static int set_identities(sasl_server_params_t *sp, const char *identity,
                          const char *clientin, unsigned clientinlen,
                          sasl_out_params_t *op)
{
	const sasl_utils_t *u = sp->utils;
	int r;

	if (clientinlen == 0)
		return sp->canon_user(u->conn, identity, 0,
		                      SASL_CU_AUTHID |
		                              SASL_CU_EXTERNALLY_VERIFIED |
		                              SASL_CU_AUTHZID,
		                      op);
	if (memchr(clientin, '\0', clientinlen) != NULL) {
		u->log(u->conn, SASL_LOG_FAIL,
		       "DANCE EXTERNAL: refused: NUL in the authorization "
		       "identity");
		return SASL_BADPROT;
	}
	if ((r = sp->canon_user(u->conn, clientin, clientinlen, SASL_CU_AUTHZID,
	                        op)) != SASL_OK) {
		u->log(u->conn, SASL_LOG_FAIL,
		       "DANCE EXTERNAL: authorization identity refused by "
		       "canon_user (%d)",
		       r);
		return r;
	}
	return sp->canon_user(u->conn, identity, 0,
	                      SASL_CU_AUTHID | SASL_CU_EXTERNALLY_VERIFIED, op);
}

/* A printable copy of len octets for the log: bytes outside printable
 * ASCII (and beyond the buffer) as '?', cut at 255. */
static void shown_copy(const char *s, unsigned len, char *buf, size_t size)
{
	size_t n = 0;

	for (unsigned i = 0; s != NULL && i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			buf[n++] = s[i];
		else
			buf[n++] = '?';
	}
	buf[n] = '\0';
}

/* canon_user may change an identity: libsasl2's own strips leading and
 * trailing white space, an application's callback or plugin may map it.
 * The authentication identity (and the authorization identity, when the
 * client asked for none) must come out as libdance's, byte for byte, or
 * the user would log in as someone the DNS did not vouch for. */
static int same_identity(const sasl_utils_t *u, const char *identity,
                         const char *what, const char *got, unsigned gotlen)
{
	size_t n = strlen(identity);
	char shown[256];

	if (got != NULL && gotlen == n && memcmp(got, identity, n) == 0)
		return SASL_OK;
	shown_copy(got, gotlen, shown, sizeof shown);
	u->log(u->conn, SASL_LOG_FAIL,
	       "DANCE EXTERNAL: refused: canon_user turned the %s '%s' into "
	       "'%s'; a DANE identity must stay as verified",
	       what, identity, shown);
	u->seterror(u->conn, SASL_NOLOG, "DANE check refused the client");
	return SASL_BADAUTH;
}

static int dane_step(struct glob *g, sasl_server_params_t *sp,
                     const struct dance_peer *peer, const char *clientin,
                     unsigned clientinlen, sasl_out_params_t *op)
{
	const sasl_utils_t *u = sp->utils;
	struct dance_result *res = NULL;
	dance_ctx *ctx = NULL;
	int r;

	if (sp->external_ssf == 0) {
		u->log(u->conn, SASL_LOG_FAIL,
		       "DANCE EXTERNAL: refused: a certificate chain but no "
		       "external security layer (SASL_SSF_EXTERNAL is 0)");
		return SASL_BADAUTH;
	}
	if (clientin == NULL)
		return SASL_CONTINUE;
	if ((r = glob_ctx(g, u, &ctx)) != SASL_OK)
		return r;
	current_utils = u;
	r = dance_verify_peer(ctx, peer, &res);
	current_utils = NULL;
	if ((r = judge(sp, r, res)) != SASL_OK)
		goto out;
	if ((r = set_identities(sp, res->identity, clientin, clientinlen,
	                        op)) != SASL_OK)
		goto out;
	if ((r = same_identity(u, res->identity, "authentication identity",
	                       op->authid, op->alen)) != SASL_OK)
		goto out;
	if (clientinlen == 0 &&
	    (r = same_identity(u, res->identity, "authorization identity",
	                       op->user, op->ulen)) != SASL_OK)
		goto out;
	set_oparams(op);
	u->log(u->conn, SASL_LOG_NOTE,
	       "DANCE EXTERNAL: authenticated %s (TLSA %s)", res->identity,
	       res->tlsa_name != NULL ? res->tlsa_name : "?");
out:
	dance_result_free(res);
	return r;
}

/* ---- the mechanism --------------------------------------------------------- */

static int mech_avail(void *glob, sasl_server_params_t *sp, void **conn_ctx)
{
	struct dance_peer peer;

	(void)glob;
	(void)conn_ctx;
	if (get_peer(sp, &peer) == SASL_OK && peer.n > 0)
		return SASL_OK;
	if (external_authid(sp) != NULL)
		return SASL_OK;
	return SASL_NOTDONE; /* as the built-in: maybe later (after TLS) */
}

static int mech_new(void *glob, sasl_server_params_t *sp, const char *challenge,
                    unsigned challen, void **conn_ctx)
{
	struct dance_peer peer;
	int r;

	(void)challenge;
	(void)challen;
	if (conn_ctx == NULL || sp == NULL || sp->utils == NULL)
		return SASL_BADPARAM;
	*conn_ctx = NULL;
	if ((r = get_peer(sp, &peer)) != SASL_OK)
		return r;
	if (peer.n == 0 && external_authid(sp) == NULL)
		return SASL_NOMECH;
	*conn_ctx = glob; /* the connection's state is the plugin's */
	return SASL_OK;
}

static int mech_step(void *conn_ctx, sasl_server_params_t *sp,
                     const char *clientin, unsigned clientinlen,
                     const char **serverout, unsigned *serveroutlen,
                     sasl_out_params_t *op)
{
	struct glob *g;
	struct dance_peer peer;
	int r;

	if (sp == NULL || sp->utils == NULL || serverout == NULL ||
	    serveroutlen == NULL || op == NULL)
		return SASL_BADPARAM;
	*serverout = NULL;
	*serveroutlen = 0;
	if (clientinlen > CLIENTIN_MAX)
		return SASL_BADPROT;
	if ((r = get_peer(sp, &peer)) != SASL_OK)
		return r;
	if (peer.n == 0)
		return builtin_step(sp, clientin, clientinlen, op);
	if ((g = conn_ctx) == NULL)
		return SASL_BADPARAM;
	return dane_step(g, sp, &peer, clientin, clientinlen, op);
}

/* Nothing per connection: conn_ctx is the plugin's glob. */
static void mech_dispose(void *conn_ctx, const sasl_utils_t *utils)
{
	(void)conn_ctx;
	(void)utils;
}

static void mech_free(void *glob, const sasl_utils_t *utils)
{
	struct glob *g = glob;

	(void)utils;
	if (g == NULL)
		return;
	dance_ctx_free(g->ctx);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

int sasl_server_plug_init(const sasl_utils_t *utils, int maxversion,
                          int *out_version, sasl_server_plug_t **pluglist,
                          int *plugcount)
{
	struct glob *g;

	if (utils == NULL || out_version == NULL || pluglist == NULL ||
	    plugcount == NULL)
		return SASL_BADPARAM;
	if (maxversion < SASL_SERVER_PLUG_VERSION) {
		utils->seterror(utils->conn, 0,
		                "DANCE EXTERNAL: version mismatch");
		return SASL_BADVERS;
	}
	if ((g = calloc(1, sizeof *g)) == NULL)
		return SASL_NOMEM;
	if (pthread_mutex_init(&g->lock, NULL) != 0) {
		free(g);
		return SASL_FAIL;
	}
	g->utils = utils;
	g->plug[0].mech_name = "EXTERNAL";
	g->plug[0].max_ssf = 0;
	g->plug[0].security_flags = MECH_FLAGS;
	g->plug[0].features = MECH_FEATURES;
	g->plug[0].glob_context = g;
	g->plug[0].mech_new = mech_new;
	g->plug[0].mech_step = mech_step;
	g->plug[0].mech_dispose = mech_dispose;
	g->plug[0].mech_free = mech_free;
	g->plug[0].mech_avail = mech_avail;
	*out_version = SASL_SERVER_PLUG_VERSION;
	*pluglist = g->plug;
	*plugcount = 1;
	return SASL_OK;
}
