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

/* Normalise a uid of len octets (see name.c). *out malloc'd, NUL-ended.
 * DANCE_ERR_PARSE if the uid is not acceptable. */
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

/* 1 if domain was named by an ssh-ca-domain line, else 0. */
int dance_ctx_is_ssh_ca_domain(const dance_ctx *ctx, const char *domain);

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

/* ---- allow-list (allow.c) ----------------------------------------------- */

/* Is a canonical name (dance_qname_canon() form) allowed? 1 yes, 0 no. */
int dance_allow_match(const dance_ctx *ctx, const char *canon);

#endif /* DANCE_INTERNAL_H */
