/*
 * dance_certmap.c -- slapd module: DANE identities for SASL EXTERNAL.
 *
 *     moduleload dance_certmap.so [config=PATH]
 *
 * At load, the module creates one libdance context from PATH (default
 * /etc/dance/dance.conf), freezes it so that a configuration error stops
 * slapd from starting, and registers a certificate-map function with
 * slapd (register_certificate_map_function). slapd calls that function in
 * a worker thread after every TLS handshake; the module takes the
 * client's whole certificate chain from the TLS session, verifies it with
 * libdance (DNSSEC-validated TLSA records at _user.<domain>, under the
 * configured lookup-timeout) and returns the DN
 *
 *     uid=<uid@domain>,cn=dance,cn=auth
 *
 * which slapd uses as the SASL EXTERNAL authentication identity. An
 * authenticated chain is remembered (certmap_cache.c) until the decision
 * expires (TLSA TTL capped by max-ttl, certificate validity), on the wall
 * clock and on CLOCK_MONOTONIC, whichever comes first.
 *
 * Fail closed: on every failure (no certificate, no identity, a refusal by
 * libdance, a DNS failure or timeout, an internal error) the function
 * returns success with an EMPTY DN. An error return would make slapd fall
 * back to the certificate's subject DN, which under TLSVerifyClient allow
 * nobody has verified. With an empty DN, EXTERNAL over TLS is simply not
 * offered on that connection.
 *
 * Logging goes through slapd's own debug/syslog machinery: refusals (with
 * the reason) and successes (with the identity) at level "stats",
 * start-up errors at level "any". See dance_certmap(5).
 *
 * Threads: slapd's workers call dcm_map() concurrently. The only global is
 * the module state, written once by init_module() before any connection
 * and read-only afterwards; the libdance context is frozen and
 * thread-safe.
 */
#include "certmap.h"
#include "dance/dance.h"

#include <lber.h>
#include <ldap.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define DCM_EXPORT __attribute__((visibility("default")))

/* ---- what slapd and libldap export, undeclared in installed headers ---- */

/* slapd (servers/slapd/proto-slap.h), stable from 2.4 to 2.6. */
typedef int dcm_slap_cert_map_fn(void *ssl, struct berval *dn);
extern int register_certificate_map_function(dcm_slap_cert_map_fn *fn);
extern int dnNormalize(unsigned long use, void *syntax, void *mr,
                       struct berval *val, struct berval *out, void *memctx);
extern int slap_debug;        /* slapd -d levels */
extern int ldap_syslog;       /* loglevel / olcLogLevel */
extern int ldap_syslog_level; /* syslog priority */
/* liblber: what slapd's Debug() macro calls for -d output. */
extern void lutil_debug(int debug, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* libldap (private API): the peer's certificate, DER, ber_memalloc'd. */
extern int ldap_pvt_tls_get_peercert(void *session, struct berval *der);

/* slapd's debug levels (include/ldap_log.h). */
#define DCM_LEVEL_TRACE  0x0001
#define DCM_LEVEL_STATS  0x0100
#define DCM_LEVEL_STATS2 0x0200
#define DCM_LEVEL_ANY    (-1)

/* Entry points looked up by slapd's module loader. */
DCM_EXPORT int init_module(int argc, char *argv[]);
DCM_EXPORT int term_module(void);

/* ---- module state: the only global ----------------------------------- */

struct dcm_module {
	dance_ctx *ctx;
	struct dcm_cache *cache; /* verified chains (certmap_cache.c) */
	enum dcm_tls_package tls;
	char *config; /* the file read, for messages */
};

static struct dcm_module *dcm_mod;

/* ---- logging through slapd -------------------------------------------- */

/* Log one line the way slapd's Debug() does: to the -d output when the
 * level is in slap_debug, to syslog when it is in loglevel. */
static void dcm_log(int level, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void dcm_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if ((slap_debug & level) == 0 && (ldap_syslog & level) == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (slap_debug & level)
		lutil_debug(slap_debug, level, "dance_certmap: %s\n", msg);
	if (ldap_syslog & level)
		syslog(ldap_syslog_level, "dance_certmap: %s", msg);
}

/* libdance's log callback: error -> any, info -> stats2, debug -> trace.
 * (The module's own line per verification is at stats; libdance's info
 * messages say the same in more words.) */
static void dcm_dance_log(void *arg, enum dance_log_level level,
                          const char *msg)
{
	char safe[1024];
	int l = DCM_LEVEL_TRACE;

	(void)arg;
	switch (level) {
	case DANCE_LOG_ERROR:
		l = DCM_LEVEL_ANY;
		break;
	case DANCE_LOG_INFO:
		l = DCM_LEVEL_STATS2;
		break;
	case DANCE_LOG_DEBUG:
		l = DCM_LEVEL_TRACE;
		break;
	}
	dcm_log(l, "libdance: %s", dcm_log_safe(msg, safe, sizeof safe));
}

/* "sha256:" and the first 8 octets of the leaf's SHA-256, to tell
 * certificates apart in the log. */
static void dcm_leaf_tag(const struct dcm_chain *c, char *buf, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t o;

	o = (size_t)snprintf(buf, len, "sha256:");
	if (c->n == 0 ||
	    !EVP_Digest(c->der[0], c->len[0], md, &mdlen, EVP_sha256(), NULL))
		mdlen = 0;
	for (i = 0; i < mdlen && i < 8 && o + 3 <= len; i++, o += 2)
		snprintf(buf + o, len - o, "%02x", md[i]);
}

static long dcm_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- the peer chain --------------------------------------------------- */

/*
 * The chain from slapd's TLS session. On a GnuTLS build slapd passes
 * libldap's tlsg_session, whose first member is the gnutls_session_t (the
 * same in 2.4, 2.5 and 2.6); on an OpenSSL build it passes the SSL *.
 * The leaf is checked against ldap_pvt_tls_get_peercert(), libldap's own
 * accessor, so a different session layout is refused, not trusted.
 */
static int dcm_peer_chain(void *session, struct dcm_chain *chain)
{
	struct berval leaf = {0, NULL};
	int r = DCM_ERR_TLS;

	memset(chain, 0, sizeof *chain);
	switch (dcm_mod->tls) {
	case DCM_TLS_GNUTLS:
		r = dcm_chain_from_gnutls(*(void **)session, chain);
		break;
	case DCM_TLS_OPENSSL:
		r = dcm_chain_from_openssl(session, chain);
		break;
	case DCM_TLS_UNKNOWN:
		r = DCM_ERR_TLS;
		break;
	}
	if (r != DCM_OK)
		goto out;
	r = DCM_ERR_TLS;
	if (ldap_pvt_tls_get_peercert(session, &leaf) != 0 ||
	    leaf.bv_len != chain->len[0] ||
	    memcmp(leaf.bv_val, chain->der[0], leaf.bv_len) != 0)
		goto out;
	r = DCM_OK;
out:
	if (leaf.bv_val != NULL)
		ber_memfree(leaf.bv_val);
	if (r != DCM_OK)
		dcm_chain_clear(chain);
	return r;
}

/* ---- the DN ----------------------------------------------------------- */

/*
 * The normalised DN for identity, malloc'd (slapd frees it with free()).
 * slapd expects EXTERNAL identities already normalised; dnNormalize() is
 * slapd's own normaliser. The identity must survive it unchanged.
 */
static int dcm_make_dn(const char *identity, struct berval *dn,
                       const char **why)
{
	struct berval in, norm = {0, NULL};
	char *raw = NULL;
	int r;

	*why = NULL;
	if ((r = dcm_identity_dn(identity, &raw)) != DCM_OK) {
		*why = dcm_strerror(r);
		goto out;
	}
	in.bv_val = raw;
	in.bv_len = strlen(raw);
	if (dnNormalize(0, NULL, NULL, &in, &norm, NULL) != LDAP_SUCCESS ||
	    norm.bv_val == NULL) {
		r = DCM_ERR_INVALID;
		*why = "slapd could not normalise the DN";
		goto out;
	}
	if ((r = dcm_dn_carries(norm.bv_val, norm.bv_len, identity)) !=
	    DCM_OK) {
		*why = dcm_strerror(r);
		goto out;
	}
	r = DCM_ERR_NOMEM;
	*why = dcm_strerror(r);
	if ((dn->bv_val = malloc(norm.bv_len + 1)) == NULL)
		goto out;
	memcpy(dn->bv_val, norm.bv_val, norm.bv_len + 1);
	dn->bv_len = norm.bv_len;
	*why = NULL;
	r = DCM_OK;
out:
	if (norm.bv_val != NULL)
		ber_memfree(norm.bv_val);
	free(raw);
	return r;
}

/* ---- the hook --------------------------------------------------------- */

/* Log the outcome of a verification that did not authenticate. */
static void dcm_log_refusal(const char *tag, int err,
                            const struct dance_result *res, long ms)
{
	char reason[512], domain[300];

	if (res == NULL) {
		dcm_log(DCM_LEVEL_STATS, "refused %s: error: %s (%ld ms)", tag,
		        dance_strerror(err), ms);
		return;
	}
	dcm_log(DCM_LEVEL_STATS, "refused %s: %s%s: %s (domain %s, %ld ms)",
	        tag, dance_verdict_name(res->verdict),
	        dance_err_is_temporary(err) ? " (temporary)" : "",
	        dcm_log_safe(res->reason, reason, sizeof reason),
	        dcm_log_safe(res->domain, domain, sizeof domain), ms);
}

/*
 * slapd's certificate-map function. Always returns LDAP_SUCCESS so that
 * slapd never falls back to the unverified subject DN; *dn is the DANE
 * identity's DN, or empty when refused.
 */
static int dcm_map(void *session, struct berval *dn)
{
	struct dcm_chain chain;
	struct dance_result *res = NULL;
	struct timespec t0;
	struct dcm_time now;
	uint8_t key[DCM_KEY_LEN];
	char tag[32] = "", ident[1100], *cdn = NULL, *cid = NULL;
	const char *why = NULL;
	int r, keyed;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&chain, 0, sizeof chain);
	dn->bv_val = NULL;
	dn->bv_len = 0;
	if (dcm_mod == NULL || session == NULL)
		goto out;
	if ((r = dcm_peer_chain(session, &chain)) != DCM_OK) {
		dcm_log(r == DCM_ERR_NO_CHAIN ? DCM_LEVEL_TRACE
		                              : DCM_LEVEL_STATS,
		        "refused: %s", dcm_strerror(r));
		goto out;
	}
	dcm_leaf_tag(&chain, tag, sizeof tag);
	keyed = dcm_chain_key(&chain, key) == DCM_OK;
	/* Before the decision: a cached one lasts res->ttl from here, on the
	 * wall clock and on CLOCK_MONOTONIC (certmap_cache.c). */
	dcm_time_now(&now);
	if (keyed && dcm_cache_get(dcm_mod->cache, key, &now, &cdn, &cid)) {
		dn->bv_val = cdn;
		dn->bv_len = strlen(cdn);
		dcm_log(DCM_LEVEL_STATS, "authenticated %s as %s: %s (cached)",
		        tag, dcm_log_safe(cid, ident, sizeof ident), cdn);
		goto out;
	}
	r = dance_verify_der(dcm_mod->ctx, (const uint8_t *const *)chain.der,
	                     chain.len, chain.n, NULL, &res);
	if (r != DANCE_OK || res == NULL ||
	    res->verdict != DANCE_AUTHENTICATED || res->identity == NULL) {
		dcm_log_refusal(tag, r, res, dcm_ms_since(&t0));
		goto out;
	}
	dcm_log_safe(res->identity, ident, sizeof ident);
	if (dcm_make_dn(res->identity, dn, &why) != DCM_OK) {
		dcm_log(DCM_LEVEL_STATS, "refused %s: identity %s: %s", tag,
		        ident, why);
		goto out;
	}
	if (keyed)
		dcm_cache_put(dcm_mod->cache, key, dn->bv_val, res->identity,
		              &now, res->ttl);
	dcm_log(DCM_LEVEL_STATS, "authenticated %s as %s: %s (%ld ms)", tag,
	        ident, dn->bv_val, dcm_ms_since(&t0));
out:
	free(cid);
	dance_result_free(res);
	dcm_chain_clear(&chain);
	return LDAP_SUCCESS;
}

/* ---- loading ---------------------------------------------------------- */

static void dcm_module_free(struct dcm_module *m)
{
	if (m == NULL)
		return;
	dcm_cache_free(m->cache);
	dance_ctx_free(m->ctx);
	free(m->config);
	free(m);
}

/* Parse the moduleload arguments: only "config=PATH", at most once. */
static int dcm_parse_args(int argc, char *argv[], const char **config)
{
	int i;

	*config = NULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "config=", 7) == 0 && a[7] != '\0' &&
		    *config == NULL) {
			*config = a + 7;
			continue;
		}
		dcm_log(DCM_LEVEL_ANY,
		        "bad argument \"%s\" (usage: moduleload "
		        "dance_certmap.so [config=PATH])",
		        a);
		return -1;
	}
	return 0;
}

/* Which TLS library libldap (and so slapd) uses. */
static enum dcm_tls_package dcm_tls_in_use(void)
{
	char *name = NULL;
	enum dcm_tls_package p;

	if (ldap_get_option(NULL, LDAP_OPT_X_TLS_PACKAGE, &name) !=
	    LDAP_OPT_SUCCESS)
		return DCM_TLS_UNKNOWN;
	p = dcm_tls_package_from_name(name);
	if (p == DCM_TLS_UNKNOWN)
		dcm_log(DCM_LEVEL_ANY, "unsupported TLS package \"%s\"",
		        name ? name : "(none)");
	ldap_memfree(name);
	return p;
}

/* The libdance context: configured, then frozen now so that errors stop
 * slapd at start-up. */
static int dcm_open_context(struct dcm_module *m)
{
	char err[512];
	int r;

	err[0] = '\0';
	if ((r = dance_ctx_new(&m->ctx)) != DANCE_OK ||
	    (r = dance_ctx_set_log(m->ctx, dcm_dance_log, NULL)) != DANCE_OK)
		goto fail;
	r = dance_ctx_load_config(m->ctx, m->config, err, sizeof err);
	if (r != DANCE_OK)
		goto fail;
	if ((r = dance_ctx_freeze(m->ctx)) != DANCE_OK)
		goto fail;
	return 0;
fail:
	dcm_log(DCM_LEVEL_ANY, "cannot use %s: %s%s%s", m->config,
	        dance_strerror(r), err[0] ? ": " : "", err);
	return -1;
}

int init_module(int argc, char *argv[])
{
	struct dcm_module *m = NULL;
	const char *config;
	int r = -1;

	if (dcm_mod != NULL) {
		dcm_log(DCM_LEVEL_ANY, "already loaded");
		goto out;
	}
	if (dcm_parse_args(argc, argv, &config) != 0)
		goto out;
	if ((m = calloc(1, sizeof *m)) == NULL ||
	    (m->config = strdup(config ? config : DANCE_DEFAULT_CONFIG)) ==
	            NULL) {
		dcm_log(DCM_LEVEL_ANY, "out of memory");
		goto out;
	}
	if ((m->tls = dcm_tls_in_use()) == DCM_TLS_UNKNOWN)
		goto out;
	if (dcm_cache_new(DCM_CACHE_SLOTS, &m->cache) != DCM_OK) {
		dcm_log(DCM_LEVEL_ANY, "out of memory");
		goto out;
	}
	if (dcm_open_context(m) != 0)
		goto out;
	dcm_mod = m;
	if (register_certificate_map_function(dcm_map) != 0) {
		dcm_log(DCM_LEVEL_ANY,
		        "another certificate map function is registered");
		dcm_mod = NULL;
		goto out;
	}
	dcm_log(DCM_LEVEL_STATS, "loaded: configuration %s, TLS package %s",
	        m->config, m->tls == DCM_TLS_GNUTLS ? "GnuTLS" : "OpenSSL");
	m = NULL;
	r = 0;
out:
	dcm_module_free(m);
	return r;
}

int term_module(void)
{
	struct dcm_module *m = dcm_mod;

	dcm_mod = NULL;
	dcm_module_free(m);
	return 0;
}
