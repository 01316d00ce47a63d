/*
 * dance.h -- libdance: authenticate users of any domain through DNS.
 *
 * A domain publishes its user CA as DNSSEC-signed TLSA records at
 * "_user.<domain>" (and, optionally, per-user keys at
 * "<label>._user.<domain>"). libdance looks those records up through
 * libunbound with DNSSEC validation, matches a user's certificate chain or
 * key against them with OpenSSL's DANE engine, and derives the identity
 * "uid@domain".
 *
 * Typical server use:
 *
 *     dance_ctx *ctx = NULL;
 *     char err[256];
 *     if (dance_ctx_new(&ctx) != DANCE_OK)
 *         ... out of memory ...
 *     dance_ctx_set_log(ctx, my_log, my_arg);
 *     if (dance_ctx_load_config(ctx, NULL, err, sizeof err) != DANCE_OK)
 *         ... report err ("/etc/dance/dance.conf:7: unknown keyword 'x'") ...
 *     // from any number of threads:
 *     struct dance_result *res = NULL;
 *     int r = dance_verify_der(ctx, ders, lens, n, NULL, &res);
 *     if (r == DANCE_OK && res->verdict == DANCE_AUTHENTICATED)
 *         use(res->identity);            // "alice@example.org"
 *     else if (dance_err_is_temporary(r))
 *         ... DNS is down: try again later ...
 *     else
 *         ... refused: log res ? res->reason : dance_strerror(r) ...
 *     dance_result_free(res);
 *     dance_ctx_free(ctx);
 *
 * Conventions of this header:
 * - Functions return an int from enum dance_err: DANCE_OK (0) when they ran,
 *   a negative code when they could not. What a check concluded (a verdict,
 *   a DNS answer class) is an output, never the return value.
 * - Out-parameters are cleared on entry. Objects returned through them are
 *   owned by the caller and freed by the matching *_free function; every
 *   *_free accepts NULL.
 * - Thread safety: a dance_ctx is configured by one thread, then frozen at
 *   its first use (or by dance_ctx_freeze()); once frozen, every function
 *   taking a const or non-const dance_ctx may be called from any number of
 *   threads at once. Configuration calls after the freeze fail with
 *   DANCE_ERR_FROZEN. Functions without a context are reentrant.
 * - Strings are NUL-terminated UTF-8 unless a length is given.
 */
#ifndef DANCE_DANCE_H
#define DANCE_DANCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DANCE_EXPORT       __attribute__((visibility("default")))
#define DANCE_WUR          __attribute__((warn_unused_result))
#define DANCE_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#else
#define DANCE_EXPORT
#define DANCE_WUR
#define DANCE_NONNULL(...)
#endif

/* OpenSSL types, declared here so that this header does not require the
 * OpenSSL headers. They are the same types as X509, STACK_OF(X509),
 * X509_STORE, SSL_CTX and SSL. */
struct x509_st;
struct stack_st_X509;
struct x509_store_st;
struct ssl_ctx_st;
struct ssl_st;

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Error codes. Append only: a value, once released, never changes meaning.
 * dance_strerror() has a text for every one.
 */
enum dance_err {
	DANCE_OK = 0,
	DANCE_ERR_NOMEM = -1,        /* out of memory */
	DANCE_ERR_INVALID_ARG = -2,  /* invalid argument from the caller */
	DANCE_ERR_FROZEN = -3,       /* context in use: configure before */
	DANCE_ERR_CONFIG = -4,       /* bad configuration (file, line, value) */
	DANCE_ERR_IO = -5,           /* a file could not be read */
	DANCE_ERR_RESOLVER = -6,     /* the resolver could not be set up */
	DANCE_ERR_DNS_TEMPFAIL = -7, /* DNS indeterminate: SERVFAIL, REFUSED,
	                                 network or library error */
	DANCE_ERR_DNS_TIMEOUT = -8,  /* DNS indeterminate: deadline passed */
	DANCE_ERR_BUSY = -9,         /* too many lookups in flight until the
	                                 deadline (max-in-flight) */
	DANCE_ERR_NOT_ALLOWED = -10, /* domain not on the allow-list; nothing
	                                 was sent */
	DANCE_ERR_BAD_NAME = -11,    /* not a valid DNS name */
	DANCE_ERR_PARSE = -12,       /* malformed input (certificate, TLSA
	                                 text, key blob, ...) */
	DANCE_ERR_CRYPTO = -13,      /* an OpenSSL operation failed */
	DANCE_ERR_UNSUPPORTED = -14, /* valid but unsupported (key type, ...) */
};

/* The text of an error code; never NULL, static storage. */
DANCE_EXPORT const char *dance_strerror(int err);

/* 1 if err is a temporary failure (DNS indeterminate or busy): the caller
 * should refuse now and may succeed later; 0 otherwise. */
DANCE_EXPORT int dance_err_is_temporary(int err);

/* ------------------------------------------------------------------------ */
/* Context and configuration                                                 */
/* ------------------------------------------------------------------------ */

typedef struct dance_ctx dance_ctx;

enum dance_log_level {
	DANCE_LOG_ERROR = 0,
	DANCE_LOG_INFO = 1,
	DANCE_LOG_DEBUG = 2,
};

/*
 * Log callback: called with one complete message, no trailing newline.
 * Messages above the configured log-level are not delivered. Called from
 * whatever thread is working on the context; must be thread-safe.
 */
typedef void dance_log_fn(void *arg, enum dance_log_level level,
                          const char *msg);

/* Create a context with the defaults of dance.conf(5). *out is NULL on
 * error. Returns DANCE_OK or DANCE_ERR_NOMEM. */
DANCE_EXPORT DANCE_WUR int dance_ctx_new(dance_ctx **out) DANCE_NONNULL(1);

/* Free a context and everything it owns. No lookup may be in progress. */
DANCE_EXPORT void dance_ctx_free(dance_ctx *ctx);

/* Install the log callback (NULL: discard). Allowed at any time before the
 * freeze. Without a callback nothing is logged. */
DANCE_EXPORT int dance_ctx_set_log(dance_ctx *ctx, dance_log_fn *fn, void *arg)
        DANCE_NONNULL(1);

/*
 * Read a dance.conf(5) file. path NULL means DANCE_DEFAULT_CONFIG. Strict:
 * an unknown keyword, a missing or bad value is an error; errbuf (if not
 * NULL) receives "FILE:LINE: what is wrong" and the same text is logged.
 * Settings read before an error stay applied; callers should discard the
 * context on error. Returns DANCE_OK, DANCE_ERR_IO, DANCE_ERR_CONFIG,
 * DANCE_ERR_FROZEN or DANCE_ERR_NOMEM.
 */
DANCE_EXPORT DANCE_WUR int dance_ctx_load_config(dance_ctx *ctx,
                                                 const char *path, char *errbuf,
                                                 size_t errlen)
        DANCE_NONNULL(1);

#define DANCE_DEFAULT_CONFIG "/etc/dance/dance.conf"

/*
 * Apply one setting as if it were a line "keyword value" of dance.conf.
 * Repeatable keywords (forward, trust-anchor-file, allow-domain, ...) add a
 * value. errbuf as for dance_ctx_load_config(), without FILE:LINE.
 */
DANCE_EXPORT DANCE_WUR int dance_ctx_set(dance_ctx *ctx, const char *keyword,
                                         const char *value, char *errbuf,
                                         size_t errlen) DANCE_NONNULL(1, 2, 3);

/*
 * Read back a setting in its presentation form: the index-th value of a
 * repeatable keyword (index 0 for the others). Keywords with a default
 * read back the default until set; repeatable keywords and tls-ca-bundle
 * read back only what was configured (NULL when nothing was: the built-in
 * behaviour of dance.conf(5) applies). Returns NULL if there is no such
 * value or keyword. The string is owned by the context and valid until it
 * is freed; the context must not be reconfigured meanwhile.
 */
DANCE_EXPORT const char *dance_ctx_get(const dance_ctx *ctx,
                                       const char *keyword, size_t index)
        DANCE_NONNULL(1, 2);

/*
 * Freeze the configuration and set up the resolver now (otherwise done by
 * the first lookup). Lets a server fail at start-up rather than at the first
 * login. Returns DANCE_OK, DANCE_ERR_RESOLVER (logged with the reason),
 * DANCE_ERR_CONFIG or DANCE_ERR_NOMEM. Idempotent and thread-safe.
 */
DANCE_EXPORT DANCE_WUR int dance_ctx_freeze(dance_ctx *ctx) DANCE_NONNULL(1);

/* ------------------------------------------------------------------------ */
/* TLSA records and DNS lookups                                              */
/* ------------------------------------------------------------------------ */

/* The DNS answer classes of design.md, in the order they are tested. Only
 * DANCE_DNS_SECURE may lead to authentication. */
enum dance_dns_class {
	DANCE_DNS_SECURE = 0,        /* secure, has TLSA data */
	DANCE_DNS_SECURE_NONE = 1,   /* secure NXDOMAIN or NODATA */
	DANCE_DNS_BOGUS = 2,         /* failed DNSSEC validation */
	DANCE_DNS_INDETERMINATE = 3, /* SERVFAIL, REFUSED, timeout, error */
	DANCE_DNS_INSECURE = 4,      /* not signed, or no trust anchor */
};

/* "secure", "secure-none", "bogus", "indeterminate", "insecure"; "?" for a
 * value outside the enum. Static storage. */
DANCE_EXPORT const char *dance_dns_class_name(enum dance_dns_class c);

/* TLSA field values (RFC 6698, RFC 7218). */
enum {
	DANCE_USAGE_PKIX_TA = 0,
	DANCE_USAGE_PKIX_EE = 1,
	DANCE_USAGE_DANE_TA = 2,
	DANCE_USAGE_DANE_EE = 3,
	DANCE_SELECTOR_CERT = 0,
	DANCE_SELECTOR_SPKI = 1,
	DANCE_MTYPE_FULL = 0,
	DANCE_MTYPE_SHA256 = 1,
	DANCE_MTYPE_SHA512 = 2,
};

/* Why a TLSA record cannot be used. Records are never dropped silently: an
 * unusable record stays in its RRset with the reason. */
enum dance_tlsa_problem {
	DANCE_TLSA_USABLE = 0,
	DANCE_TLSA_SHORT = 1,        /* RDATA shorter than 4 octets */
	DANCE_TLSA_BAD_USAGE = 2,    /* usage not 0-3 */
	DANCE_TLSA_BAD_SELECTOR = 3, /* selector not 0-1 */
	DANCE_TLSA_BAD_MTYPE = 4,    /* matching type not 0-2 */
	DANCE_TLSA_BAD_DIGEST_LEN =
	        5,                 /* SHA-256 not 32 octets, SHA-512 not 64 */
	DANCE_TLSA_EMPTY_DATA = 6, /* matching type 0 with no data */
	DANCE_TLSA_NOT_FOR_USERS = 7, /* valid, but a usage the profile does
	                                  not accept at this name (PKIX usages,
	                                  DANE-EE at _user.<domain>, ...) */
	DANCE_TLSA_WILDCARD = 8,      /* the answer was synthesised from a
	                                  wildcard owner name (or a CNAME of its
	                                  chain was), its owner is a wildcard, or
	                                  it could not be proven otherwise: the
	                                  whole RRset is marked; wildcards never
	                                  authenticate users (design.md) */
};

/* A short English text for a problem; static storage. */
DANCE_EXPORT const char *dance_tlsa_problem_text(enum dance_tlsa_problem p);

/* One TLSA record. data is owned by the record (or by its RRset). */
struct dance_tlsa {
	uint8_t usage;
	uint8_t selector;
	uint8_t mtype;
	enum dance_tlsa_problem problem; /* DANCE_TLSA_USABLE if usable */
	size_t len;                      /* length of data */
	uint8_t *data;                   /* certificate association data */
};

/* The answer to one TLSA lookup. All fields are read-only to the caller. */
struct dance_tlsa_rrset {
	char *name;                     /* owner name asked, lowercase, no
	                                   trailing dot */
	enum dance_dns_class dns_class; /* see enum dance_dns_class */
	int rcode;                      /* DNS rcode, -1 if none (timeout) */
	uint32_t ttl;                   /* TTL of the answer, capped by max-ttl
	                                   (0 unless secure or secure-none) */
	time_t expires;                 /* time() + ttl when the answer came */
	size_t count;                   /* number of records */
	struct dance_tlsa *records;     /* every record of a secure answer,
	                                   usable or not, in the order
	                                   received; none for other classes */
	char *reason;                   /* human-readable account of the class,
	                                   e.g. the why_bogus text; never NULL */
};

/* Free an RRset and its records. NULL is allowed. */
DANCE_EXPORT void dance_tlsa_rrset_free(struct dance_tlsa_rrset *rrset);

/*
 * Parse TLSA RDATA (wire form) into *out and judge it (out->problem).
 * An unusable record is still DANCE_OK; an error is returned only when the
 * record cannot be represented (DANCE_ERR_NOMEM, DANCE_ERR_INVALID_ARG).
 * out->data is malloc'd (NULL when len < 4); release with dance_tlsa_clear.
 */
DANCE_EXPORT DANCE_WUR int
dance_tlsa_parse_rdata(const uint8_t *rdata, size_t len, struct dance_tlsa *out)
        DANCE_NONNULL(3);

/* Free the data of a record parsed by dance_tlsa_parse_rdata() or
 * dance_tlsa_parse_text() and zero it. NULL is allowed. */
DANCE_EXPORT void dance_tlsa_clear(struct dance_tlsa *t);

/*
 * Parse one TLSA record in presentation form: a zone-file line
 * "owner [ttl] [class] TLSA u s m hex..." as dig prints it, or a bare
 * "u s m hex..." line. Hex may be split by white space. If owner_out is not
 * NULL it receives a malloc'd copy of the owner (lowercase, no trailing dot)
 * or NULL for a bare line. Returns DANCE_ERR_PARSE on malformed text.
 */
DANCE_EXPORT DANCE_WUR int dance_tlsa_parse_text(const char *line,
                                                 struct dance_tlsa *out,
                                                 char **owner_out)
        DANCE_NONNULL(1, 2);

/*
 * Build an RRset from presentation-format text (one record per line, '#'
 * and ';' comments and blank lines ignored), for offline checks. The RRset
 * is marked DANCE_DNS_SECURE with the given name and ttl. Returns
 * DANCE_ERR_PARSE (with the line number in errbuf) on malformed text.
 */
DANCE_EXPORT DANCE_WUR int
dance_tlsa_rrset_from_text(const char *name, const char *text, uint32_t ttl,
                           struct dance_tlsa_rrset **out, char *errbuf,
                           size_t errlen) DANCE_NONNULL(2, 4);

/* Write "u s m HEX" (uppercase hex, as dig prints) into buf; "u s m" alone
 * for a record without data (shorter than 4 octets). Returns the length it
 * needs (excluding the NUL), like snprintf; negative on error. buf may be
 * NULL when buflen is 0. */
DANCE_EXPORT int dance_tlsa_format(const struct dance_tlsa *t, char *buf,
                                   size_t buflen) DANCE_NONNULL(1);

/*
 * Look up the TLSA RRset at name (e.g. "_user.example.org"), validated with
 * DNSSEC, within the context's lookup-timeout.
 *
 * The domain the name belongs to (the part after the first "_user." label,
 * or the name itself) must be on the allow-list; otherwise no query is sent
 * and DANCE_ERR_NOT_ALLOWED is returned.
 *
 * A secure answer synthesised from a wildcard (RFC 4035 section 5.3.2,
 * read from the RRSIGs of the validated answer: "*._user.example.org"
 * answering for "alice._user.example.org", "*.example.org" for
 * "_user.sub.example.org", or a CNAME of the chain so synthesised) stays
 * class secure, but every record is marked DANCE_TLSA_WILDCARD and the
 * reason names the wildcard; so is an answer whose signatures could not be
 * read. Such an RRset authenticates no one.
 *
 * Returns DANCE_OK with *out set for the classes secure, secure-none, bogus
 * and insecure; DANCE_ERR_DNS_TEMPFAIL, DANCE_ERR_DNS_TIMEOUT or
 * DANCE_ERR_BUSY with *out set and class indeterminate (so the reason can be
 * logged); other errors with *out NULL. Thread-safe.
 */
DANCE_EXPORT DANCE_WUR int dance_lookup_tlsa(dance_ctx *ctx, const char *name,
                                             struct dance_tlsa_rrset **out)
        DANCE_NONNULL(1, 2, 3);

/*
 * Look up n names in parallel under one deadline (lookup-timeout from the
 * call). out[i] and errs[i] are what dance_lookup_tlsa() would have given
 * for names[i]. Returns DANCE_OK if the lookups ran (whatever their
 * individual outcomes), or an error that applies to all of them.
 */
DANCE_EXPORT DANCE_WUR int
dance_lookup_tlsa_many(dance_ctx *ctx, const char *const *names, size_t n,
                       struct dance_tlsa_rrset **out, int *errs)
        DANCE_NONNULL(1, 2, 4, 5);

/*
 * Is domain (ASCII/A-label form, any case, with or without a trailing dot)
 * on the context's allow-list? 1 yes, 0 no.
 */
DANCE_EXPORT int dance_domain_allowed(const dance_ctx *ctx, const char *domain)
        DANCE_NONNULL(1, 2);

/* ------------------------------------------------------------------------ */
/* User names in DNS                                                         */
/* ------------------------------------------------------------------------ */

enum dance_label_form {
	DANCE_LABEL_PLAIN = 0,  /* the lowercased uid as one label */
	DANCE_LABEL_HASHED = 1, /* hex of the first 28 octets of SHA-256 of the
	                           UTF-8 uid (RFC 7929 pattern) */
};

/*
 * The owner name of a user's own records, "<label>._user.<domain>", with
 * domain in A-label form. form is DANCE_LABEL_PLAIN or DANCE_LABEL_HASHED;
 * ctx may be NULL (then form is used as given), otherwise the context's
 * user-label setting for that domain overrides form. *out is malloc'd.
 * Returns DANCE_ERR_BAD_NAME if uid or domain cannot form a DNS name.
 */
DANCE_EXPORT DANCE_WUR int dance_user_owner(const dance_ctx *ctx,
                                            const char *uid, const char *domain,
                                            enum dance_label_form form,
                                            char **out) DANCE_NONNULL(2, 3, 5);

/* ------------------------------------------------------------------------ */
/* Verifying users                                                           */
/* ------------------------------------------------------------------------ */

/* What a verification concluded. */
enum dance_verdict {
	DANCE_AUTHENTICATED = 0,
	DANCE_REFUSED_NOT_ALLOWED = 1, /* domain not on the allow-list */
	DANCE_REFUSED_NO_TLSA = 2,     /* secure NXDOMAIN/NODATA */
	DANCE_REFUSED_BOGUS = 3,       /* DNSSEC validation failed */
	DANCE_REFUSED_INSECURE = 4,    /* records not DNSSEC-signed */
	DANCE_REFUSED_UNUSABLE = 5,    /* only unusable records */
	DANCE_REFUSED_NO_MATCH = 6,    /* chain does not match the records
	                                      or fails validation against them */
	DANCE_REFUSED_BAD_CERT = 7,    /* certificate malformed */
	DANCE_REFUSED_NO_DOMAIN = 8,   /* no usable dNSName */
	DANCE_REFUSED_AMBIGUOUS_DOMAIN =
	        9,                        /* several dNSNames, no ClientName */
	DANCE_REFUSED_CLIENTID = 10,      /* ClientName does not name the
	                                      certificate's domain */
	DANCE_REFUSED_NO_UID = 11,        /* no uid in the certificate */
	DANCE_REFUSED_AMBIGUOUS_UID = 12, /* several or conflicting uids */
	DANCE_REFUSED_BAD_UID = 13,       /* uid malformed */
	DANCE_REFUSED_WRONG_USER = 14,    /* per-user check: not the expected
	                                      uid */
	DANCE_REFUSED_TEMPFAIL = 15,      /* DNS indeterminate (the function
	                                      also returned a temporary error) */
};

/* Stable names for verdicts, as used in JSON and logs: "authenticated",
 * "not-allowed", "no-tlsa", "bogus", "insecure", "unusable-records",
 * "no-match", "bad-certificate", "no-domain", "ambiguous-domain",
 * "clientid-mismatch", "no-uid", "ambiguous-uid", "bad-uid", "wrong-user",
 * "temporary-failure". "?" outside the enum. */
DANCE_EXPORT const char *dance_verdict_name(enum dance_verdict v);

/* The outcome of a verification. Read-only to the caller. */
struct dance_result {
	enum dance_verdict verdict;
	char *identity;     /* "uid@domain" (UTF-8, U-labels), only when
	                        authenticated; NULL otherwise */
	char *uid;          /* lowercased uid, when one was found */
	char *domain;       /* lowercase domain in U-labels, when found */
	char *domain_ascii; /* the same in A-labels (as queried) */
	char *tlsa_name;    /* owner name of the TLSA RRset used */
	enum dance_dns_class dns_class; /* class of that RRset's answer */
	int match_depth; /* chain depth of the matching certificate (0 the
	                        leaf), -1 when nothing matched; for a trust
	                        anchor published as a bare key ("2 1 0"), the
	                        depth of the certificate that key signed, as
	                        OpenSSL reports it. Set only when
	                        authenticated */
	int has_match;   /* 1 if matched holds the record that matched */
	struct dance_tlsa matched; /* copy of the matching record */
	uint32_t ttl;              /* seconds the decision may be cached: the
	                              least of the RRset TTL and the chain's
	                              remaining validity */
	time_t expires;            /* absolute time the decision expires */
	char *reason;              /* human-readable account; never NULL */
	/* Every record of a secure answer as this check judged it: the usages
	 * the profile does not accept at that name (PKIX usages and DANE-EE at
	 * _user.<domain>; anything but DANE-EE at a user's own name) are
	 * marked DANCE_TLSA_NOT_FOR_USERS and were never matched. */
	size_t record_count;
	struct dance_tlsa *records;
};

/* Free a result. NULL is allowed. */
DANCE_EXPORT void dance_result_free(struct dance_result *res);

/*
 * Verify a user's certificate chain (DER buffers, leaf first) against the
 * DNSSEC-validated TLSA records at "_user.<domain>", where domain is the
 * leaf's dNSName (or the one named by clientname), and derive uid@domain.
 *
 * clientname: the name the client sent in dane_clientid, or NULL. When set,
 * it must be "_user." + one of the leaf's dNSNames.
 *
 * Only DANE-TA records count, and the chain must anchor at one of them,
 * never at the leaf itself nor at the leaf's own key (a self-signed leaf
 * under a "2 1 0" of its own key is no-match). Keys and signatures must
 * meet OpenSSL's security level 2, fixed: RSA, DSA and DH keys of 2048
 * bits or more, ECC keys of 224 bits or more, no SHA-1 or MD5 signatures
 * (a trust anchor certificate's own signature is not checked: the record
 * vouches for it); a weaker chain is no-match, and the reason says what
 * was too weak.
 *
 * Returns DANCE_OK with *out holding a verdict; a temporary error
 * (dance_err_is_temporary()) with *out holding DANCE_REFUSED_TEMPFAIL and
 * the reason; other errors with *out NULL. Thread-safe.
 */
DANCE_EXPORT DANCE_WUR int
dance_verify_der(dance_ctx *ctx, const uint8_t *const *der, const size_t *lens,
                 size_t n, const char *clientname, struct dance_result **out)
        DANCE_NONNULL(1, 2, 3, 6);

/* The same for an OpenSSL STACK_OF(X509), leaf first (not modified). */
DANCE_EXPORT DANCE_WUR int
dance_verify_chain(dance_ctx *ctx, struct stack_st_X509 *chain,
                   const char *clientname, struct dance_result **out)
        DANCE_NONNULL(1, 2, 4);

/*
 * Offline: the same check against a caller-supplied TLSA RRset for
 * "_user.<domain>" (no DNS). The RRset's name, if set, must equal the name
 * the certificate leads to (otherwise: no-match, and the reason says which
 * names differ); its class must be secure to authenticate. No DNS is used,
 * so the allow-list is not applied. ctx may be NULL (then nothing is
 * logged); it is used for logging and its cached DANE state only.
 */
DANCE_EXPORT DANCE_WUR int
dance_verify_chain_offline(const dance_ctx *ctx, struct stack_st_X509 *chain,
                           const char *clientname,
                           const struct dance_tlsa_rrset *rrset,
                           struct dance_result **out) DANCE_NONNULL(2, 4, 5);

/*
 * Per-user records: verify that chain (a user's own certificate, self-signed
 * or not, or a certificate carrying the user's key) matches a DANE-EE record
 * at "<label>._user.<domain>" for the uid the caller expects. rrset NULL
 * means look it up (ctx required, allow-list applied); otherwise offline
 * (ctx may be NULL), and the RRset's name, if set, must be that owner name
 * (otherwise: wrong-user). Only DANE-EE records count ("3 1 x", and "3 0 x"
 * for a certificate); others are marked DANCE_TLSA_NOT_FOR_USERS. As RFC
 * 7671 section 5.1 says for DANE-EE, the leaf's names, issuer and validity
 * dates are not checked: the record binds the key (which must meet
 * security level 2, as above; its signature is not checked); ttl is the
 * RRset's. On
 * success identity is lowercase(uid)@domain (U-labels). Returns as
 * dance_verify_der() does; a uid or domain that cannot form a DNS name is
 * the verdict bad-uid or no-domain. Thread-safe.
 */
DANCE_EXPORT DANCE_WUR int
dance_verify_user_chain(dance_ctx *ctx, struct stack_st_X509 *chain,
                        const char *uid, const char *domain,
                        const struct dance_tlsa_rrset *rrset,
                        struct dance_result **out) DANCE_NONNULL(2, 3, 4, 6);

/* ------------------------------------------------------------------------ */
/* The generic DANE check                                                    */
/* ------------------------------------------------------------------------ */

/* Flags for struct dance_dane_params. */
#define DANCE_DANE_NO_EE_NAMECHECKS 0x1u /* DANE-EE(3) skips name checks */

/* Values of dance_dane_params.auth_level besides OpenSSL's levels 1..5:
 * DEFAULT is level 2, what the _user profile uses (fixed, not
 * configurable); NONE checks no key or signature. */
#define DANCE_DANE_AUTH_LEVEL_DEFAULT (0)
#define DANCE_DANE_AUTH_LEVEL_NONE    (-1)

/* Parameters of a generic DANE check (RFC 6698, RFC 7671). */
struct dance_dane_params {
	const char *refname; /* reference name the leaf must carry as a
	                          dNSName (no wildcards, no subject CN); NULL:
	                          no name check */
	int purpose;         /* X509_PURPOSE_SSL_CLIENT or _SSL_SERVER */
	unsigned flags;      /* DANCE_DANE_* */
	int sha256_first;    /* 1: rank SHA-256 above SHA-512 (OpenSSL's test
	                          convention); 0: SHA-512 first (default) */
	struct x509_store_st *pkix_store; /* trust store for PKIX usages 0 and
	                                     1; NULL: those records are unusable */
	time_t at;                        /* verification time; 0 means now */
	int auth_level; /* OpenSSL security level (SSL_CTX_set_security_level
	                   (3)) that the chain's keys and signatures must meet,
	                   1..5. DANCE_DANE_AUTH_LEVEL_DEFAULT (0, what a
	                   zero-initialised struct holds): level 2, that is
	                   RSA, DSA and DH keys of 2048 bits or more, ECC keys
	                   of 224 bits or more, no signatures with SHA-1 or
	                   MD5. DANCE_DANE_AUTH_LEVEL_NONE (-1): no check.
	                   Checked: the leaf's key, every issuer's key, every
	                   signature below the trust anchor (a trust anchor
	                   certificate's self-signature means nothing and is
	                   not checked), and a bare-key anchor ("2 1 0") */
};

/* The outcome of a generic DANE check. */
struct dance_dane_outcome {
	int ok;             /* 1 if the chain is valid and a TLSA record
	                       given to the engine matched (record_index is
	                       then >= 0). Never 1 without a match: when no
	                       record is usable, OpenSSL would fall back to
	                       plain PKIX against pkix_store; that is reported
	                       as X509_V_ERR_DANE_NO_MATCH here */
	int x509_error;     /* X509_V_* code (0 when ok) */
	int match_depth;    /* depth of the matching certificate, -1 none;
	                       for a bare-key record (x 1 0) the depth of the
	                       certificate it signed. Also set when ok is 0
	                       but a record matched before a later check
	                       failed (a name mismatch, say), as OpenSSL's own
	                       DANE tests look at it */
	int record_index;   /* index into records of the match, -1 none
	                       (same rule) */
	const char *reason; /* static text for x509_error */
};

/*
 * Verify chain (leaf first) against the given TLSA records with OpenSSL's
 * DANE engine on an empty trust store (or p->pkix_store for usages 0 and
 * 1). Only records whose problem is DANCE_TLSA_USABLE are given to the
 * engine (and usages 0 and 1 only with a pkix_store); a record the engine
 * refuses (a "2 0 0" that is no certificate) is left out. Name checks
 * accept only a dNSName equal to p->refname: no wildcards, never the
 * subject CN (X509_CHECK_FLAG_NO_WILDCARDS |
 * X509_CHECK_FLAG_NEVER_CHECK_SUBJECT). p->purpose must be
 * X509_PURPOSE_SSL_CLIENT or X509_PURPOSE_SSL_SERVER. Keys and signatures
 * must meet p->auth_level (security level 2 by default; errors
 * X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL,
 * X509_V_ERR_CA_MD_TOO_WEAK), a bare-key anchor ("2 1 0") included.
 * out->ok is 1 only when a record matched: without usable records there
 * is no PKIX fallback to p->pkix_store (OpenSSL would fall back; here it
 * is X509_V_ERR_DANE_NO_MATCH). As in OpenSSL, a DANE-TA "2 1 0" record
 * of a self-signed leaf's own key matches that leaf (at depth 0, like
 * any bare-key anchor that signed the leaf); the _user profile refuses
 * that, a caller of this check must decide for its own names. Passes all
 * 55 of OpenSSL's own DANE vectors under OpenSSL's conventions (server
 * purpose, sha256_first), at level 2 and with no level. Makes an SSL_CTX
 * per call (about 100 us); the verify functions use one cached in their
 * context. Leaves the thread's OpenSSL error queue as it found it.
 * Reentrant. Returns DANCE_OK (the outcome says whether it matched),
 * DANCE_ERR_INVALID_ARG (empty chain, empty refname, other purpose,
 * auth_level outside -1..5), DANCE_ERR_CRYPTO or DANCE_ERR_NOMEM.
 *
 * The _user profile is built on this check; it also serves other DANE
 * client names, e.g. the devices of draft-ietf-dance-client-auth: look up
 * the TLSA RRset at the device's name ("dev1._device.example.org", the
 * ClientName it sent) with dance_lookup_tlsa() and call this with
 * refname = that name and purpose X509_PURPOSE_SSL_CLIENT
 * (tests/rig_device.c).
 */
DANCE_EXPORT DANCE_WUR int
dance_dane_check(const struct dance_dane_params *p, struct stack_st_X509 *chain,
                 const struct dance_tlsa *records, size_t n,
                 struct dance_dane_outcome *out) DANCE_NONNULL(1, 2, 5);

/* ------------------------------------------------------------------------ */
/* SSH keys                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Convert an OpenSSH public key blob (the binary form, base64-decoded) of
 * the given type name ("ssh-ed25519", "ecdsa-sha2-nistp256/384/521",
 * "ssh-rsa" of 2048 bits or more) into its DER SubjectPublicKeyInfo.
 * type may be NULL (then the blob's own type is used) but must equal the
 * blob's type when given. Strict: a type mismatch, trailing bytes,
 * truncated or over-long fields, off-curve, compressed or wrong-length
 * points, wrong curve names, empty, negative or non-minimal mpints, an even
 * RSA modulus or exponent, e = 1, a modulus over 16384 bits are
 * DANCE_ERR_PARSE; well-formed keys of other types (ssh-dss, sk-*,
 * *-cert-v01@openssh.com, ...), RSA moduli under 2048 bits and RSA
 * exponents of 2^32 or more are DANCE_ERR_UNSUPPORTED. *spki is malloc'd
 * (NULL on error). Reentrant.
 */
DANCE_EXPORT DANCE_WUR int
dance_sshkey_to_spki(const char *type, const uint8_t *blob, size_t bloblen,
                     uint8_t **spki, size_t *spkilen) DANCE_NONNULL(2, 4, 5);

/* The same from text: "TYPE BASE64 [comment]" (a .pub file line, at most
 * one final line end) or, with type given separately, BASE64 alone (as
 * sshd's %k). Base64 is strict: padded, no white space inside, unused bits
 * zero. A TYPE word must equal type when both are given. */
DANCE_EXPORT DANCE_WUR int
dance_sshkey_text_to_spki(const char *type, const char *text, uint8_t **spki,
                          size_t *spkilen) DANCE_NONNULL(2, 3, 4);

/* The reverse, for "3 1 0" records: a DER SubjectPublicKeyInfo of a
 * supported key to "TYPE BASE64" (malloc'd, no comment, no newline). Only
 * the canonical SPKI that dance_sshkey_to_spki() would produce for the key
 * is accepted (DANCE_ERR_PARSE otherwise, e.g. a compressed EC point or
 * trailing bytes); other key types are DANCE_ERR_UNSUPPORTED. Reentrant. */
DANCE_EXPORT DANCE_WUR int dance_spki_to_sshkey(const uint8_t *spki,
                                                size_t spkilen, char **line)
        DANCE_NONNULL(1, 3);

/*
 * Does a DER SubjectPublicKeyInfo match a record of rrset? Only records
 * with problem DANCE_TLSA_USABLE, usage DANE-EE (3), selector SPKI (1),
 * matching type 0, 1 or 2 with the right data length count; all others are
 * ignored. Digest agility as OpenSSL's DANE engine does it for one usage
 * and selector (RFC 7671 section 9): digest types are ranked SHA2-512 above
 * SHA2-256; when a counting SHA2-512 record is present, the SHA2-256
 * records are ignored; Full (0) records always count. Digests are compared
 * with CRYPTO_memcmp after a length check. The rrset's dns_class is not
 * looked at: only a DANCE_DNS_SECURE answer may authenticate, which the
 * caller checks. *matched is 1 or 0; *index (if not NULL) the index in
 * rrset->records of the first counting record that matched, or -1.
 * Returns DANCE_OK, DANCE_ERR_INVALID_ARG (empty spki) or DANCE_ERR_CRYPTO.
 * Reentrant.
 */
DANCE_EXPORT DANCE_WUR int
dance_spki_match(const struct dance_tlsa_rrset *rrset, const uint8_t *spki,
                 size_t spkilen, int *matched, int *index)
        DANCE_NONNULL(1, 2, 4);

/* ------------------------------------------------------------------------ */
/* OpenSSL TLS integration: client certificates and dane_clientid            */
/* ------------------------------------------------------------------------ */

/*
 * A TLS server built on OpenSSL (3.0 or later) lets libdance request the
 * client's certificate, carry the dane_clientid extension
 * (draft-ietf-dance-client-auth-13) and verify the client with DANE:
 *
 *     SSL_CTX *sctx = ... the server's context, certificate and key ...;
 *     if (dance_ssl_ctx_enable_server(dctx, sctx, 0) != DANCE_OK)
 *         ... fail ...
 *     // per connection, once SSL_accept() has succeeded:
 *     int r = dance_ssl_verify(dctx, ssl);
 *     const struct dance_result *res = dance_ssl_get_result(ssl);
 *     if (r == DANCE_OK && res->verdict == DANCE_AUTHENTICATED)
 *         use(res->identity);              // "alice@example.org"
 *
 * and a client sends its ClientName:
 *
 *     dance_ssl_ctx_enable_client(NULL, cctx);   // default code point
 *     ... SSL *ssl = SSL_new(cctx); ...
 *     dance_ssl_set_clientname(ssl, "example.org");
 *
 * Modes (flags of dance_ssl_ctx_enable_server()):
 * - default, "after the handshake": the handshake accepts any certificate
 *   whose private key the client proves (TLS CertificateVerify); nothing is
 *   looked up until the application calls dance_ssl_verify() (which blocks
 *   for at most the context's lookup-timeout), or hands the chain to the
 *   SASL plugin (dance_ssl_get_peer(), dance_sasl.h).
 * - DANCE_SSL_VERIFY_IN_HANDSHAKE: the DANE check runs inside the handshake
 *   (OpenSSL's certificate-verify callback) and blocks SSL_accept() for at
 *   most the lookup-timeout; the result is ready when SSL_accept() returns.
 *   With DANCE_SSL_REQUIRE as well, a client whose certificate does not
 *   authenticate fails the handshake: handshake_failure alert, or
 *   bad_certificate when its ClientName names none of the certificate's
 *   dNSNames (draft section 6). A client without a certificate is
 *   refused only if the application set SSL_VERIFY_FAIL_IF_NO_PEER_CERT.
 * Suspending the handshake for DNS (SSL_set_retry_verify()) is not offered.
 *
 * What dance_ssl_ctx_enable_server() changes on the SSL_CTX:
 * - SSL_VERIFY_PEER is added to the verify mode (the application's other
 *   mode bits and its verify callback are kept);
 * - its certificate-verify callback (SSL_CTX_set_cert_verify_callback()) is
 *   installed. It still runs OpenSSL's PKIX verification against the
 *   SSL_CTX's trust store, for information only: SSL_get_verify_result()
 *   keeps its PKIX meaning (so code that trusts a verified subject goes on
 *   doing exactly what it did), but a PKIX failure no longer fails the
 *   handshake. Never take an identity from a certificate unless
 *   SSL_get_verify_result() is X509_V_OK or dance_ssl_get_result() says
 *   DANCE_AUTHENTICATED;
 * - session resumption is switched off (no session cache, no tickets):
 *   every connection presents its chain and ClientName afresh. Call it after
 *   the application's own session settings. dance_ssl_verify() refuses a
 *   resumed session all the same.
 * - the dane_clientid extension is registered (TLS 1.3 CertificateRequest
 *   and Certificate) with the code point of the context's
 *   clientid-codepoint setting, unless DANCE_SSL_NO_CLIENTID. The server
 *   sends the zero-length ClientName in its CertificateRequest and reads
 *   the client's ClientName from the leaf's CertificateEntry before chain
 *   verification; a malformed or zero-length ClientName, or one on another
 *   certificate than the leaf, fails the handshake (decode_error or
 *   illegal_parameter). TLS 1.2 has no place for the extension: it is
 *   neither sent nor accepted there, and the ClientName is then NULL.
 *
 * A ClientName is checked against the allow-list (dance_domain_allowed())
 * before any DNS query: a ClientName whose domain is not allowed yields
 * DANCE_REFUSED_NOT_ALLOWED without a lookup.
 *
 * Ownership and threads: the dance_ctx given to dance_ssl_ctx_enable_*()
 * must outlive the SSL_CTX. Per-connection state (ClientName, DER copies of
 * the chain, the result) is kept in the SSL's ex_data and freed by
 * SSL_free(). Calls on different SSL objects may run in parallel; calls on
 * one SSL must not.
 */

/* Flags for dance_ssl_ctx_enable_server(). */
#define DANCE_SSL_VERIFY_IN_HANDSHAKE 0x1u /* verify in the handshake */
#define DANCE_SSL_REQUIRE \
	0x2u                       /* with VERIFY_IN_HANDSHAKE: fail
                                              the handshake unless
                                              authenticated */
#define DANCE_SSL_NO_CLIENTID 0x4u /* do not register dane_clientid */

/*
 * Set up a server SSL_CTX as described above. ctx supplies the code point,
 * the allow-list and, in DANCE_SSL_VERIFY_IN_HANDSHAKE mode, the lookups.
 * Call once per SSL_CTX, before any SSL is created from it. Returns
 * DANCE_OK, DANCE_ERR_INVALID_ARG (unknown flags, already enabled, code
 * point that OpenSSL handles itself), DANCE_ERR_CRYPTO or DANCE_ERR_NOMEM.
 */
DANCE_EXPORT DANCE_WUR int dance_ssl_ctx_enable_server(dance_ctx *ctx,
                                                       struct ssl_ctx_st *sctx,
                                                       unsigned flags)
        DANCE_NONNULL(1, 2);

/*
 * Set up a client SSL_CTX to send dane_clientid when a server asks for it
 * (the ClientName itself is set per connection with
 * dance_ssl_set_clientname()). ctx supplies the code point; NULL means the
 * default 0xFFDA. The client accepts the -13 zero-length form and the older
 * empty form in a CertificateRequest and refuses anything else. Same
 * returns as dance_ssl_ctx_enable_server().
 */
DANCE_EXPORT DANCE_WUR int dance_ssl_ctx_enable_client(const dance_ctx *ctx,
                                                       struct ssl_ctx_st *sctx)
        DANCE_NONNULL(2);

/*
 * Client side: the ClientName to send on this connection (a host name,
 * e.g. the certificate's dNSName "example.org"; at most 253 octets of
 * letters, digits, '-', '_' and dots, no trailing dot). It is sent only if
 * the server's CertificateRequest carries the extension, and only with the
 * leaf certificate. Returns DANCE_OK, DANCE_ERR_BAD_NAME or
 * DANCE_ERR_NOMEM.
 */
DANCE_EXPORT DANCE_WUR int dance_ssl_set_clientname(struct ssl_st *ssl,
                                                    const char *name)
        DANCE_NONNULL(1, 2);

/*
 * Server side: the ClientName the client sent (lowercased), or NULL if it
 * sent none. Owned by the SSL.
 */
DANCE_EXPORT const char *dance_ssl_get_clientname(const struct ssl_st *ssl)
        DANCE_NONNULL(1);

/*
 * Server side, after a completed handshake (or during it, from the
 * certificate-verify callback's mode): verify the client's chain and
 * ClientName with DANE (dance_verify_peer()) unless that was done already
 * on this connection, and keep the result in the SSL. ctx NULL means the
 * context given to dance_ssl_ctx_enable_server(). Returns what
 * dance_verify_peer() returned (then dance_ssl_get_result() holds the
 * verdict), or DANCE_ERR_INVALID_ARG when there is nothing to verify (no
 * client certificate, a resumed session, a client SSL); no result then.
 */
DANCE_EXPORT DANCE_WUR int dance_ssl_verify(dance_ctx *ctx, struct ssl_st *ssl)
        DANCE_NONNULL(2);

/* The result kept by dance_ssl_verify() (or by the in-handshake check), or
 * NULL if there is none. Owned by the SSL. */
DANCE_EXPORT const struct dance_result *
dance_ssl_get_result(const struct ssl_st *ssl) DANCE_NONNULL(1);

/*
 * What a client presented, as plain data: the certificate chain in DER
 * (leaf first, as sent) and the ClientName. This is what the SASL plugin
 * takes (dance_sasl.h); any TLS library can fill it.
 */
struct dance_peer {
	size_t n;                  /* certificates; 0: no client certificate */
	const uint8_t *const *der; /* n DER encodings, leaf first */
	const size_t *lens;        /* their lengths */
	const char *clientname;    /* dane_clientid ClientName, or NULL */
};

/*
 * Fill *peer from a server-side SSL after the handshake. The buffers are
 * owned by the SSL and stay valid until SSL_free(). ssl NULL (no TLS yet)
 * gives an empty peer (n == 0). A resumed session gives n == 0 as well.
 * Returns DANCE_OK, DANCE_ERR_CRYPTO or DANCE_ERR_NOMEM.
 */
DANCE_EXPORT DANCE_WUR int dance_ssl_get_peer(struct ssl_st *ssl,
                                              struct dance_peer *peer)
        DANCE_NONNULL(2);

/*
 * Verify what a client presented: if peer->clientname is set, it must be a
 * host name (else DANCE_REFUSED_CLIENTID) whose domain (the name, or the
 * name after a leading "_user." label) is on the allow-list, otherwise *out
 * is DANCE_REFUSED_NOT_ALLOWED; in both cases nothing is looked up. Then
 * dance_verify_der() with the chain and "_user." + that domain as the
 * ClientName: on the wire the ClientName is the client's domain name
 * ("example.org", draft-ietf-dance-client-auth), and the "_user.example.org"
 * form is accepted as well.
 * Returns as dance_verify_der(); DANCE_ERR_INVALID_ARG if peer->n is 0.
 * Thread-safe.
 */
DANCE_EXPORT DANCE_WUR int dance_verify_peer(dance_ctx *ctx,
                                             const struct dance_peer *peer,
                                             struct dance_result **out)
        DANCE_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif

#endif /* DANCE_DANCE_H */
