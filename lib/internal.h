/*
 * internal.h -- declarations shared by libdance's own files; not installed.
 *
 * Everything here has hidden visibility (the default for this library):
 * only functions marked DANCE_EXPORT in dance.h leave libdance.so. Tests,
 * fuzzers and benchmarks reach these through the static archive.
 */
#ifndef DANCE_INTERNAL_H
#define DANCE_INTERNAL_H

#include "dance/dance.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Log through the context's callback if level is within its log-level.
 * ctx may be NULL (then nothing is logged). func names the caller. */
void dance_log(const dance_ctx *ctx, enum dance_log_level level,
               const char *func, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#define DLOG_ERROR(ctx, ...) \
	dance_log((ctx), DANCE_LOG_ERROR, __func__, __VA_ARGS__)
#define DLOG_INFO(ctx, ...) \
	dance_log((ctx), DANCE_LOG_INFO, __func__, __VA_ARGS__)
#define DLOG_DEBUG(ctx, ...) \
	dance_log((ctx), DANCE_LOG_DEBUG, __func__, __VA_ARGS__)

/* Write into buf like snprintf, but never fail: on truncation the text is
 * cut. buf may be NULL when len is 0. */
void dance_fmt(char *buf, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Overwrite and free: for key material and private data. NULL allowed. */
void dance_free_secret(void *p, size_t len);

/* ---- names (name.c) ---------------------------------------------------- */

/* Longest uid accepted, in octets of UTF-8 (before and after lowercasing). */
#define DANCE_UID_MAX 255

/* Normalise a domain (ASCII, A-labels or U-labels, any case, optional
 * trailing dot) to lowercase A-labels without the dot. *out malloc'd.
 * DANCE_ERR_BAD_NAME if it is not a valid host name. */
int dance_domain_to_ascii(const char *in, char **out);

/* Normalise a uid of len octets (see name.c): valid UTF-8, no control
 * characters, no white space or separators anywhere (leading, trailing
 * or inside: U+0020, U+00A0, U+2000..200A, U+2028/2029, U+3000, ...), no
 * '@'; NFC, lowercased. *out malloc'd, NUL-ended. DANCE_ERR_PARSE if the
 * uid is not acceptable. */
int dance_uid_normalize(const char *uid, size_t len, char **out);

/* The label for uid (normalised first) in presentation form. */
int dance_user_label(const char *uid, enum dance_label_form form, char **out);

/* ---- configuration (ctx.c, config.c) ------------------------------------
 * The accessors read the configuration; call them on a frozen context (or
 * from the configuring thread). Domains are lowercase A-labels, no dot. */

/* The label form configured for a domain (lowercase A-labels): the
 * domain-user-label setting for it, else user-label. (ctx.c) */
enum dance_label_form dance_ctx_user_label(const dance_ctx *ctx,
                                           const char *domain);

/* The TLS extension code point for dane_clientid (clientid-codepoint). */
unsigned dance_ctx_clientid_codepoint(const dance_ctx *ctx);

/* The ssh-authorized-dir setting; never NULL. */
const char *dance_ctx_ssh_authorized_dir(const dance_ctx *ctx);

/* 1 if domain was named by an ssh-ca-domain line, else 0 (and 0 for a
 * NULL ctx or domain). */
int dance_ctx_is_ssh_ca_domain(const dance_ctx *ctx, const char *domain);

/* Files libdance reads when dance.conf names none: the root trust anchor
 * (no trust-anchor-file; resolver.c) and the CA bundle that authenticates
 * DNS-over-TLS forwarders (no tls-ca-bundle; dot.c). */
#define DANCE_ROOT_KEY_FILE    "/usr/share/dns/root.key"
#define DANCE_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* The lookup-timeout setting in milliseconds. */
unsigned dance_ctx_lookup_timeout_ms(const dance_ctx *ctx);

/* Parse dance.conf(5) text from memory as if it were the file "name"
 * (used by dance_ctx_load_config() and the config fuzzer). Same errors and
 * errbuf texts ("name:LINE: ...") as dance_ctx_load_config(). */
int dance_config_parse_buffer(dance_ctx *ctx, const char *name, const char *buf,
                              size_t len, char *errbuf, size_t errlen);

/* ---- DNS names (qname.c) ------------------------------------------------ */

/* Longest name in presentation form we produce (255 octets of wire form,
 * every octet escaped as \DDD would need more; names are bounded by the
 * wire length). */
#define DANCE_QNAME_TEXT_MAX 1024

/*
 * Canonicalise a DNS name in presentation form ("\DDD" and "\X" escapes
 * allowed, optional trailing dot): lowercase ASCII letters, no trailing
 * dot, octets other than [a-z0-9_-] escaped as \DDD. Checks label (63) and
 * name (255 octets of wire form) lengths; the root name is refused.
 * *out malloc'd. DANCE_ERR_BAD_NAME if it is not a valid name.
 *
 * If domain_out is not NULL it receives a pointer into *out at the domain
 * the name belongs to for the allow-list: what follows the first "_user"
 * label, or the whole name when there is none. DANCE_ERR_BAD_NAME when a
 * "_user" label is last.
 */
int dance_qname_canon(const char *in, char **out, const char **domain_out);

/* ---- DNS messages in wire form (wire.c) -------------------------------- */

/* What dance_wire_wildcard() found out. */
struct dance_wire_wildcard {
	int found;             /* 1: an RRset of the answer (the final one or
	                          a CNAME of the chain) was synthesised from a
	                          wildcard, or its owner is a wildcard */
	int literal;           /* 1: the owner is the wildcard itself */
	uint16_t type;         /* the type its RRSIG covers (52 TLSA, 5
	                          CNAME, ...) */
	unsigned labels;       /* that RRSIG's Labels field */
	unsigned owner_labels; /* the labels of its owner (root not counted) */
	char owner[DANCE_QNAME_TEXT_MAX + 1];  /* its owner, lowercase, no
	                                          final dot */
	char source[DANCE_QNAME_TEXT_MAX + 3]; /* the wildcard it came from,
	                                          "*.<closest encloser>" */
	const char *why; /* static text: why the message was refused; "" */
};

/*
 * Read a DNS response in wire form (e.g. ub_result.answer_packet of a
 * validated answer to a query of type qtype) and tell whether its answer
 * was synthesised from a wildcard (RFC 4035 section 5.3.2: an RRSIG whose
 * Labels field is smaller than its owner's label count) or is owned by a
 * wildcard ("*" as first label). Bounded: never reads outside msg[0..len),
 * follows no compression loop. Returns DANCE_OK with out->found set, or
 * DANCE_ERR_PARSE (out->why says why) when the message is malformed, its
 * question is not of qtype and class IN, or no RRSIG over qtype is found
 * at the name the CNAME chain ends at (nothing proves it was not
 * synthesised). Reentrant. (wire.c explains the rules.)
 */
int dance_wire_wildcard(const uint8_t *msg, size_t len, uint16_t qtype,
                        struct dance_wire_wildcard *out);

/* ---- answer cache (cache.c) ---------------------------------------------
 * Secure and secure-none TLSA answers in front of libunbound, each until
 * the time its query was sent + the TTL libunbound reported (cache.c says
 * why that never outlives libunbound's own cache). Thread-safe. A NULL
 * cache is allowed everywhere (no cache: nothing found, nothing kept). */

#define DANCE_CACHE_SIZE_DEFAULT 4096u /* answer-cache-size */
#define DANCE_CACHE_SIZE_MAX     1000000u

struct dance_cache;

/* A cache of at most max entries; max 0 gives *out = NULL (no cache).
 * DANCE_OK or DANCE_ERR_NOMEM. */
int dance_cache_new(size_t max, struct dance_cache **out);

/* Free a cache and its entries. NULL is allowed. */
void dance_cache_free(struct dance_cache *c);

/* The cached answer for a canonical name: DANCE_OK and *out a copy (its
 * ttl what is left, at least 1, and expires to match), or DANCE_OK and
 * *out NULL when there is none that has not expired; DANCE_ERR_NOMEM. */
int dance_cache_get(struct dance_cache *c, const char *name,
                    struct dance_tlsa_rrset **out);

/* Keep a copy of rs if it is secure or secure-none with a TTL, until
 * sent_wall (time()) / sent_mono_ms (CLOCK_MONOTONIC, ms) + rs->ttl: the
 * moments the query was sent. Replaces an entry of the same name; the
 * oldest entry goes when the cache is full. DANCE_OK (also when rs is not
 * kept) or DANCE_ERR_NOMEM. */
int dance_cache_put(struct dance_cache *c, const struct dance_tlsa_rrset *rs,
                    time_t sent_wall, int64_t sent_mono_ms);

/* Entries held now (expired ones included until met). */
size_t dance_cache_count(struct dance_cache *c);

/* ---- allow-list (allow.c) ----------------------------------------------- */

/* Is a canonical name (dance_qname_canon() form) allowed? 1 yes, 0 no. */
int dance_allow_match(const dance_ctx *ctx, const char *canon);
/* ---- dane_clientid wire form (clientid.c) ------------------------------ */

/* Longest ClientName we accept: a host name in presentation form without
 * the trailing dot. */
#define DANCE_CLIENTID_NAME_MAX 253

/* Default extension code point (private use) until IANA assigns one. */
#define DANCE_CLIENTID_DEFAULT_CODEPOINT 0xFFDAu

/* TLS alert descriptions (RFC 8446) the parsers suggest. */
#define DANCE_TLS_ALERT_ILLEGAL_PARAMETER 47
#define DANCE_TLS_ALERT_DECODE_ERROR      50
#define DANCE_TLS_ALERT_INTERNAL_ERROR    80

/* 1 if name[0..len) is an acceptable ClientName (see clientid.c), else 0. */
int dance_clientid_name_ok(const char *name, size_t len);

/* extension_data of a server's CertificateRequest: DANCE_OK for the -13
 * zero-length ClientName or the older empty extension; otherwise
 * DANCE_ERR_PARSE and *alert the TLS alert to send. */
int dance_clientid_parse_server(const uint8_t *data, size_t len, int *alert);

/* extension_data of a client's Certificate: DANCE_OK and *name (malloc'd,
 * lowercased, NUL-terminated); otherwise DANCE_ERR_PARSE or
 * DANCE_ERR_NOMEM, *name NULL and *alert the TLS alert to send. */
int dance_clientid_parse_client(const uint8_t *data, size_t len, char **name,
                                int *alert);

/* Write extension_data for name (NULL: the server's zero-length form) into
 * buf. DANCE_ERR_BAD_NAME for an unacceptable name, DANCE_ERR_INVALID_ARG
 * if buf is too small (256 octets always suffice). */
int dance_clientid_encode(const char *name, uint8_t *buf, size_t buflen,
                          size_t *outlen);

/* The domain a ClientName stands for: the name without a leading "_user."
 * label (any case). Points into clientname. */
const char *dance_clientid_domain(const char *clientname);

/* ---- identity from a certificate (identity.c) -------------------------- */

/* What a leaf certificate claims. */
struct dance_identity {
	enum dance_verdict verdict; /* DANCE_AUTHENTICATED when a uid and a
	                               domain were found (nothing was verified
	                               yet); otherwise the refusal */
	char *uid;                  /* normalised uid */
	char *domain_ascii;         /* the dNSName: lowercase A-labels */
	char *domain;               /* the same in U-labels */
	char reason[512];           /* why it was refused, "" otherwise */
};

/*
 * Find the identity a leaf claims (identity.c explains the rules).
 * clientname: the dane_clientid ClientName or NULL. Returns DANCE_OK with
 * id->verdict saying what was found (the strings are set only when it is
 * DANCE_AUTHENTICATED), or DANCE_ERR_NOMEM. Free with
 * dance_identity_clear().
 */
int dance_identity_from_cert(const struct x509_st *leaf, const char *clientname,
                             struct dance_identity *id);
void dance_identity_clear(struct dance_identity *id);

/* Lowercase A-label name to U-labels (malloc'd), checking every A-label
 * against IDNA2008. DANCE_ERR_BAD_NAME for an invalid A-label. */
int dance_domain_to_unicode(const char *ascii, char **out);

/* ---- results (result.c) ------------------------------------------------ */

/* A new result: refused (no-match) until told otherwise, match_depth -1,
 * reason "not verified". */
int dance_result_new(struct dance_result **out);

/* Replace the reason. DANCE_OK or DANCE_ERR_NOMEM. */
int dance_result_set_reason(struct dance_result *res, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Set a refusal verdict (never DANCE_AUTHENTICATED) and its reason, and log
 * both at info level through ctx (may be NULL). */
int dance_result_refuse(const dance_ctx *ctx, struct dance_result *res,
                        enum dance_verdict v, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* ---- the generic DANE check (dane.c) ---------------------------------- */

/* What dance_dane_check_with() tells beyond the public outcome. */
struct dance_dane_check_info {
	int matched_leaf; /* 1 if the matching record named the leaf itself */
	int leaf_key_anchor; /* 1 if a trust-anchor record (usage 0 or 2)
	                        matched an anchor whose key is the leaf's own:
	                        a self-signed leaf under a "2 1 0" of its own
	                        key, or a CA certificate with the leaf's key */
	time_t not_after;    /* earliest notAfter of the verified chain; 0 when
	                      not ok or not known */
	int error_depth;     /* depth of the certificate that failed, -1 */
};

/* An SSL_CTX with DANE enabled and the digest ranking set (SHA-512 above
 * SHA-256, or the reverse with sha256_first). Shareable between threads. */
int dance_dane_sslctx_new(int sha256_first, struct ssl_ctx_st **out);
void dance_dane_sslctx_free(struct ssl_ctx_st *c);

/* dance_dane_check() on a given SSL_CTX from dance_dane_sslctx_new() (made
 * with p->sha256_first), or on a new one when sslctx is NULL. info may be
 * NULL. */
int dance_dane_check_with(struct ssl_ctx_st *sslctx,
                          const struct dance_dane_params *p,
                          struct stack_st_X509 *chain,
                          const struct dance_tlsa *records, size_t n,
                          struct dance_dane_outcome *out,
                          struct dance_dane_check_info *info);

/* The context's SSL_CTX for DANE checks (SHA-512 first), made by the
 * first call and shared by every thread after; NULL when ctx is NULL or
 * it could not be made (then pass NULL on: dance_dane_check_with() makes
 * one for the call). Thread-safe. (ctx.c) */
struct ssl_ctx_st *dance_ctx_dane_sslctx(const dance_ctx *ctx);

#endif /* DANCE_INTERNAL_H */
