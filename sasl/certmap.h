/*
 * certmap.h -- internals of the slapd module dance_certmap.so that do not
 * depend on slapd: the DN that carries a DANE identity, and the peer
 * certificate chain taken from a GnuTLS or OpenSSL server session.
 *
 * Not installed. dance_certmap.c (the slapd glue) and the unit tests use
 * these; every name has the prefix dcm_ and hidden visibility.
 */
#ifndef DANCE_CERTMAP_H
#define DANCE_CERTMAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The DN is "uid=<identity>,cn=dance,cn=auth": the identity uid@domain as
 * the value of one uid attribute, RFC 4514-escaped. */
#define DCM_DN_PREFIX "uid="
#define DCM_DN_SUFFIX ",cn=dance,cn=auth"

/* Longest identity accepted (octets): a uid of 255 octets, '@', a domain of
 * 253 octets in U-labels (at most 4 octets per character of an A-label's
 * 59 characters cannot exceed this either in practice). Longer: refused. */
#define DCM_IDENTITY_MAX 1024

/* Longest DN dcm_dn_carries() parses (slapd's hex escapes take 3 octets
 * for 1). */
#define DCM_DN_MAX ((size_t)4 * DCM_IDENTITY_MAX)

/* Most certificates taken from a peer chain, and the largest one. */
#define DCM_CHAIN_MAX    16
#define DCM_CERT_MAX_LEN ((size_t)64 * 1024)

/* Return codes of the dcm_ functions. */
enum dcm_err {
	DCM_OK = 0,
	DCM_ERR_NOMEM = -1,
	DCM_ERR_INVALID = -2,  /* input not acceptable (empty, too long) */
	DCM_ERR_NO_CHAIN = -3, /* the peer sent no certificate */
	DCM_ERR_TOO_LONG = -4, /* chain or certificate over the limits */
	DCM_ERR_TLS = -5,      /* the TLS library failed */
	DCM_ERR_MISMATCH = -6, /* a DN does not carry the identity */
};

/* A short English text for a dcm_err; static storage. */
const char *dcm_strerror(int err);

/*
 * Escape an attribute value of len octets for the string form of a DN
 * (RFC 4514, section 2.4): '"', '+', ',', ';', '<', '>', '\' and '=' get a
 * backslash; a leading '#' or space and a trailing space get a backslash;
 * NUL and the other control characters (0x01-0x1f, 0x7f) become "\XX".
 * Other octets, including UTF-8 sequences, are copied. *out is malloc'd and
 * NUL-terminated. DCM_ERR_INVALID for an empty value.
 */
int dcm_escape_value(const char *val, size_t len, char **out);

/* "uid=<escaped identity>,cn=dance,cn=auth", malloc'd. DCM_ERR_INVALID if
 * the identity is empty or longer than DCM_IDENTITY_MAX. */
int dcm_identity_dn(const char *identity, char **out);

/*
 * Does the DN (len octets, any valid string form, e.g. as slapd normalised
 * it) consist of exactly uid=<identity>,cn=dance,cn=auth, with the uid
 * value equal octet for octet to identity? DCM_OK if so, DCM_ERR_MISMATCH
 * if it parses but differs (slapd's normalisation folded spaces or case,
 * for example), DCM_ERR_INVALID if it does not parse.
 */
int dcm_dn_carries(const char *dn, size_t len, const char *identity);

/* A peer certificate chain: n DER certificates, leaf first. */
struct dcm_chain {
	size_t n;
	uint8_t *der[DCM_CHAIN_MAX];
	size_t len[DCM_CHAIN_MAX];
};

/* Free the certificates of a chain and set n to 0. NULL allowed. */
void dcm_chain_clear(struct dcm_chain *c);

/*
 * The chain the client sent on a GnuTLS server session
 * (gnutls_session_t), leaf first, as gnutls_certificate_get_peers() has it.
 * DCM_ERR_NO_CHAIN if the client sent no certificate; DCM_ERR_TOO_LONG
 * over the limits. *out is cleared on entry.
 */
int dcm_chain_from_gnutls(void *session, struct dcm_chain *out);

/*
 * The same from an OpenSSL server connection (SSL *): the peer certificate
 * (SSL_get1_peer_certificate) followed by SSL_get_peer_cert_chain(), which
 * on the server side does not hold the leaf (if it does, it is not
 * repeated).
 */
int dcm_chain_from_openssl(void *ssl, struct dcm_chain *out);

/* TLS packages libldap may be built with. */
enum dcm_tls_package {
	DCM_TLS_UNKNOWN = 0,
	DCM_TLS_GNUTLS = 1,
	DCM_TLS_OPENSSL = 2,
};

/* Map the name LDAP_OPT_X_TLS_PACKAGE gives ("GnuTLS", "OpenSSL"). */
enum dcm_tls_package dcm_tls_package_from_name(const char *name);

/* ---- cache of verified chains (certmap_cache.c) ------------------------ */

#define DCM_KEY_LEN     32   /* SHA-256 */
#define DCM_CACHE_SLOTS 1024 /* entries of the module's cache */

struct dcm_cache;

/* A cache of at least `slots` entries (rounded up to a power of two, at
 * most 2^20). Thread-safe. */
int dcm_cache_new(size_t slots, struct dcm_cache **out);

/* Free a cache and its entries. NULL allowed. */
void dcm_cache_free(struct dcm_cache *c);

/* The key of a chain: SHA-256 over each certificate's length (4 octets,
 * big-endian) and DER. DCM_OK or DCM_ERR_TLS. */
int dcm_chain_key(const struct dcm_chain *chain, uint8_t key[DCM_KEY_LEN]);

/* A moment on both clocks: the wall clock (time()) and CLOCK_MONOTONIC in
 * milliseconds. Entries expire when either clock says so, so setting the
 * wall clock back does not keep a decision longer. */
struct dcm_time {
	time_t wall;
	int64_t mono_ms;
};

/* Now, on both clocks. */
void dcm_time_now(struct dcm_time *t);

/* 1 and malloc'd copies of the DN and identity if key is cached and not
 * expired at now on either clock; otherwise 0 (an expired entry is
 * dropped). c may be NULL (always a miss). */
int dcm_cache_get(struct dcm_cache *c, const uint8_t key[DCM_KEY_LEN],
                  const struct dcm_time *now, char **dn, char **identity);

/* Keep an authenticated decision for ttl seconds from since (on both
 * clocks): since is a moment taken before the decision was made (the
 * decision's ttl counts from then or later), so the entry never outlives
 * it. Not kept if ttl is 0. Replaces whatever shared its slot. c may be
 * NULL. */
void dcm_cache_put(struct dcm_cache *c, const uint8_t key[DCM_KEY_LEN],
                   const char *dn, const char *identity,
                   const struct dcm_time *since, uint32_t ttl);

/*
 * Copy s into buf (size buflen, always NUL-terminated), replacing control
 * characters (0x00-0x1f, 0x7f) with '?', for log lines built from
 * certificate contents. Returns buf.
 */
char *dcm_log_safe(const char *s, char *buf, size_t buflen);

#endif /* DANCE_CERTMAP_H */
