/*
 * akc.h -- internal interfaces of dance-authorized-keys, the sshd
 * AuthorizedKeysCommand helper. Not installed.
 *
 * The helper is split so that everything that reads outside input can be
 * tested and fuzzed without sshd or DNS:
 *
 *   authopts.c  authorized_keys options, validated as OpenSSH 9.2 reads them
 *   authfile.c  the per-account authorization file (lines of identities)
 *   secfile.c   StrictModes-like checks and a bounded read of that file
 *   confcheck.c the same checks for dance.conf and the files it names
 *   sshcert.c   OpenSSH user certificates offered by clients (%t/%k)
 *   offer.c     the key sshd offers: decode, classify, convert
 *   encode.c    base64 and fingerprints
 *   decide.c    entries + DNS answers + offered key -> output and verdict
 *   akclog.c    one log line per decision: syslog, and a file or stderr
 *
 * Functions return DANCE_OK or a negative enum dance_err, as in libdance.
 */
#ifndef DANCE_AKC_H
#define DANCE_AKC_H

#include "dance/dance.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- authorized_keys options (authopts.c) ----------------------------- */

/* Longest options field accepted, in octets. */
#define AKC_OPTIONS_MAX 4096

/*
 * Check an authorized_keys options field of len octets (the text before
 * the key type, e.g. `from="10.0.0.0/8",no-pty`) with the grammar of
 * OpenSSH 9.2's sshauthopt_parse(): comma-separated, case-insensitive
 * names; flags with an optional "no-" where OpenSSH allows it; values in
 * double quotes with \" for a quote. Each value is checked as sshd would
 * (expiry-time date, environment NAME=VALUE, permitopen host:port, ...).
 * Unknown options, duplicates OpenSSH refuses, and the options this helper
 * sets itself (cert-authority, principals=) are refused.
 * Returns DANCE_OK or DANCE_ERR_PARSE with a reason in why.
 */
int akc_options_check(const char *opts, size_t len, char *why, size_t whylen);

/* ---- the authorization file (authfile.c) ------------------------------ */

/* Longest line, and most entries, of an authorization file. */
#define AKC_LINE_MAX    8192
#define AKC_ENTRIES_MAX 1024

enum akc_ident_kind {
	AKC_IDENT_USER = 0,  /* uid@domain */
	AKC_IDENT_OWNER = 1, /* a literal owner name, written with a dot */
};

/* One accepted line of an authorization file. */
struct akc_entry {
	unsigned line;            /* line number, from 1 */
	enum akc_ident_kind kind; /* what the line names */
	char *options;            /* the options field verbatim, or NULL */
	char *identity;           /* "uid@domain" (normalised uid, domain in
	                             U-labels), or the owner name as written
	                             (lowercase, with its trailing dot) */
	char *uid;                /* normalised uid; NULL for an owner */
	char *domain;             /* domain in lowercase A-labels; for an
	                             owner, the part after its "_user." label
	                             if it has one, else NULL */
	char *owner;              /* TLSA owner name to query (no trailing
	                             dot); set by the caller for users (it
	                             depends on the context's label form) */
};

struct akc_file {
	struct akc_entry *entries;
	size_t n;
};

/* What akc_parse_line found. */
enum akc_line_kind {
	AKC_LINE_EMPTY = 0, /* blank or comment */
	AKC_LINE_ENTRY = 1, /* *e filled */
	AKC_LINE_BAD = 2,   /* malformed: why says what */
};

/*
 * Parse one line (len octets, no newline; NUL octets make it malformed).
 * Grammar: [OPTIONS] IDENTITY [# comment], where IDENTITY is uid@domain or
 * an owner name ending in '.'. On AKC_LINE_ENTRY, *e owns its strings
 * (release with akc_entry_clear). Returns DANCE_OK (see *kind) or
 * DANCE_ERR_NOMEM.
 */
int akc_parse_line(const char *line, size_t len, unsigned lineno,
                   struct akc_entry *e, enum akc_line_kind *kind, char *why,
                   size_t whylen);

void akc_entry_clear(struct akc_entry *e);

/* Called for each malformed line that akc_authfile_parse skips. */
typedef void akc_skip_fn(void *arg, unsigned lineno, const char *why);

/*
 * Parse a whole file (len octets). Malformed lines are reported through
 * skip (may be NULL) and skipped; they never affect the other lines.
 * Lines beyond AKC_ENTRIES_MAX entries are skipped the same way.
 * Returns DANCE_OK or DANCE_ERR_NOMEM; *out is cleared first.
 */
int akc_authfile_parse(const char *text, size_t len, struct akc_file *out,
                       akc_skip_fn *skip, void *arg);

void akc_authfile_clear(struct akc_file *f);

/* ---- reading the file safely (secfile.c) ------------------------------ */

/* Largest authorization file read, in octets. */
#define AKC_FILE_MAX ((size_t)1024 * 1024)

/*
 * Is user a name that may become a file name under the authorization
 * directory (non-empty, at most 255 octets, no '/', no control
 * characters, not starting with '.')? 1 yes, 0 no.
 */
int akc_user_name_ok(const char *user);

/*
 * Read path if it is a regular file owned by root and not writable by
 * group or others, and every directory above it likewise (after resolving
 * symbolic links, as sshd's StrictModes). *text is malloc'd and
 * NUL-terminated (the file may still contain NULs: use *len).
 * Returns DANCE_OK; DANCE_ERR_IO if it does not exist (*missing = 1) or
 * cannot be read; DANCE_ERR_NOT_ALLOWED if it or a directory fails the
 * checks; DANCE_ERR_PARSE if it is larger than AKC_FILE_MAX. why says
 * which.
 */
int akc_read_secure(const char *path, char **text, size_t *len, int *missing,
                    char *why, size_t whylen);

/* The same checks as akc_read_secure(), without reading: the file is
 * opened and checked through its descriptor, then closed. Same returns
 * (never DANCE_ERR_PARSE). */
int akc_check_secure(const char *path, int *missing, char *why, size_t whylen);

/* ---- the configuration (confcheck.c) ---------------------------------- */

/*
 * Load dance.conf(5) from path into ctx, after checking it as
 * akc_read_secure() does: what is parsed is what was checked. Returns
 * DANCE_OK; the errors of akc_read_secure() (why names the file and what
 * is wrong with it); or those of dance_ctx_load_config() (why is
 * "FILE:LINE: ...").
 */
int akc_config_load(dance_ctx *ctx, const char *path, char *why, size_t whylen);

/*
 * Check, as akc_check_secure() does, every file the loaded configuration
 * makes libdance read: each trust-anchor-file (or, without one, the
 * built-in root trust anchor DANCE_ROOT_KEY_FILE), each unbound-config,
 * and tls-ca-bundle (or, with dns-over-tls yes and no tls-ca-bundle, the
 * system bundle DANCE_SYSTEM_CA_BUNDLE). Files that an unbound-config file
 * includes or names itself are not checked. Returns DANCE_OK or the first
 * failure, with why naming the keyword, the file and the reason.
 */
int akc_config_check_files(const dance_ctx *ctx, char *why, size_t whylen);

/* ---- OpenSSH certificates (sshcert.c) --------------------------------- */

#define AKC_CERT_PRINCIPALS_MAX 256

enum { AKC_CERT_USER = 1, AKC_CERT_HOST = 2 };

/* The fields of an OpenSSH certificate this helper needs. Owned strings
 * and buffers; release with akc_cert_clear. */
struct akc_cert {
	char *key_type;     /* plain key type, e.g. "ssh-ed25519" */
	uint8_t *key_blob;  /* the certified key as a plain key blob */
	size_t key_bloblen; /* (what its fingerprint is taken of) */
	uint32_t cert_type; /* AKC_CERT_USER or AKC_CERT_HOST */
	char *key_id;       /* key id (printable, may be empty) */
	char **principals;  /* valid principals, NUL-free strings */
	size_t nprincipals; /* 0 means "any" to OpenSSH */
	uint64_t valid_after;
	uint64_t valid_before;
	char *ca_type;    /* type of the signature (CA) key */
	uint8_t *ca_blob; /* the CA key blob */
	size_t ca_bloblen;
};

/*
 * Parse the blob of an OpenSSH certificate of type cert_type (the
 * "...-cert-v01@openssh.com" name; must equal the blob's). Supported:
 * ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa certificates.
 * Strict: every length checked, no trailing bytes, principal and key id
 * strings without NULs or control characters. The signature is not
 * verified (sshd does that). Returns DANCE_OK, DANCE_ERR_PARSE,
 * DANCE_ERR_UNSUPPORTED or DANCE_ERR_NOMEM; *out is cleared first.
 */
int akc_cert_parse(const char *cert_type, const uint8_t *blob, size_t len,
                   struct akc_cert *out);

void akc_cert_clear(struct akc_cert *c);

/* 1 if type ends in "-cert-v01@openssh.com". */
int akc_type_is_cert(const char *type);

/* ---- the offered key (offer.c) ---------------------------------------- */

/* "SHA256:" + 43 base64 characters + NUL, with room to spare. */
#define AKC_FP_MAX 64

struct akc_offer {
	int present;   /* a key was given on the command line */
	int is_cert;   /* it is an OpenSSH certificate */
	char *type;    /* key type as given (%t) */
	uint8_t *blob; /* decoded key (%k) */
	size_t bloblen;
	char *b64;      /* canonical base64 of blob */
	uint8_t *spki;  /* SPKI of the key (plain) or of the CA key */
	size_t spkilen; /* (certificate) */
	struct akc_cert cert;
	char fp[AKC_FP_MAX]; /* fingerprint of the (certified) key */
	char desc[32];       /* "ED25519", "RSA", "ED25519-CERT", ... */
};

/*
 * Decode and check the key sshd offers: base64 text b64 of type type.
 * Plain keys must convert to a SubjectPublicKeyInfo (dance_sshkey_to_spki:
 * ed25519, ecdsa p256/384/521, rsa >= 2048); certificates must parse and
 * carry such a key, and their CA key must convert too. The fingerprint is
 * filled in as soon as the blob decodes, so refusals can name the key.
 * Returns DANCE_OK, DANCE_ERR_PARSE, DANCE_ERR_UNSUPPORTED or
 * DANCE_ERR_NOMEM, with why set on refusal.
 */
int akc_offer_load(const char *type, const char *b64, struct akc_offer *o,
                   char *why, size_t whylen);

void akc_offer_clear(struct akc_offer *o);

/* ---- encodings (encode.c) ---------------------------------------------- */

/* "SHA256:..." of blob, as ssh-keygen -l prints it. */
int akc_fingerprint(const uint8_t *blob, size_t len, char *out, size_t outlen);

/* Base64 (standard alphabet, padded) of len octets; *out malloc'd. */
int akc_base64(const uint8_t *in, size_t len, char **out);

/* Decode strict base64 (padding required, no white space); *out
 * malloc'd. DANCE_ERR_PARSE on bad input. */
int akc_unbase64(const char *in, uint8_t **out, size_t *outlen);

/* ---- decisions (decide.c) --------------------------------------------- */

/* One TLSA lookup's outcome, as dance_lookup_tlsa_many returns it. */
struct akc_answer {
	const char *name;                     /* owner name asked */
	const struct dance_tlsa_rrset *rrset; /* may be NULL */
	int err;                              /* DANCE_OK or an error */
};

/* Everything a decision depends on. */
struct akc_input {
	const char *account;
	const struct akc_file *file;   /* entries, owners filled in */
	const struct akc_offer *offer; /* offer->present 0: list keys */
	const char *const *ca_domains; /* ssh-ca-domain values, A-labels */
	size_t nca;
	const struct akc_answer *answers; /* one per name looked up */
	size_t nanswers;
	time_t now;
};

enum akc_verdict {
	AKC_ACCEPTED = 0, /* a line was printed for the offered key */
	AKC_REFUSED = 1,  /* nothing printed */
	AKC_LISTED = 2,   /* no key offered: the rebuildable keys printed */
};

/* The decision: output text, and what to log. */
struct akc_decision {
	enum akc_verdict verdict;
	char *output; /* authorized_keys lines, or "" */
	size_t outlen;
	size_t nlines;  /* lines in output */
	char *identity; /* identity accepted, or NULL */
	char *reason;   /* never NULL after akc_decide */
};

/*
 * The names to look up for in: for a plain key, each entry's owner; for
 * a certificate, "_user.<domain>" of each SSH CA domain that has a listed
 * user; without a key, both. Duplicates removed, file order kept. *names
 * is a malloc'd array of malloc'd strings (free with akc_names_free).
 */
int akc_names_needed(const struct akc_file *file, const struct akc_offer *offer,
                     const char *const *ca_domains, size_t nca, char ***names,
                     size_t *n);

void akc_names_free(char **names, size_t n);

/* Decide. Returns DANCE_OK (see d->verdict) or DANCE_ERR_NOMEM. */
int akc_decide(const struct akc_input *in, struct akc_decision *d);

void akc_decision_clear(struct akc_decision *d);

/*
 * Is spki (the CA key of an OpenSSH certificate) an SSH CA key of rrset:
 * a usable "2 1 0" record (DANE-TA, SPKI, full) whose data equals spki
 * octet for octet? Records with other matching types or selector 0 are
 * the X.509 user CA's and never match. *index is the record or -1.
 * Returns DANCE_OK, or DANCE_ERR_INVALID_ARG for an empty spki.
 */
int akc_ta_match(const struct dance_tlsa_rrset *rrset, const uint8_t *spki,
                 size_t spkilen, int *matched, int *index);

/* ---- logging (akclog.c) ------------------------------------------------ */

enum akc_log_prio {
	AKC_LOG_ERR = 0,
	AKC_LOG_WARNING = 1,
	AKC_LOG_INFO = 2,
	AKC_LOG_DEBUG = 3,
};

/* Open the log: syslog (LOG_AUTHPRIV, LOG_PID); also append to file if
 * not NULL, and copy to stderr if to_stderr. Returns DANCE_OK or
 * DANCE_ERR_IO (the file could not be opened; syslog still works). */
int akc_log_open(const char *file, int to_stderr, int debug);

/* Let debug lines through (or not). */
void akc_log_set_debug(int on);

void akc_log_close(void);

/* Log one line. Control characters are replaced by '?'. */
void akc_log(enum akc_log_prio prio, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Copy s into out (outlen octets) for a log value: control characters and
 * '"' replaced by '?', cut with "..." when too long. */
void akc_log_clean(const char *s, char *out, size_t outlen);

#endif /* DANCE_AKC_H */
