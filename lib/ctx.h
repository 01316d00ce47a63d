/*
 * ctx.h -- the layout of struct dance_ctx, shared by the files that
 * configure it (ctx.c, config.c, allow.c) and the resolver (dns.c).
 * Private to libdance; other files use the accessors of internal.h.
 *
 * Locking:
 *   cfg_lk  guards the configuration until the freeze and the freeze
 *           itself; after the freeze the configuration is read-only and
 *           read without a lock (frozen is read with acquire semantics).
 *   lk, cv  guard the resolver's shared state (in_flight, processing,
 *           the per-query structs of dns.c); see the protocol in dns.c.
 */
#ifndef DANCE_CTX_H
#define DANCE_CTX_H

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct ub_ctx;
struct dance_dot;

/* A growable list of strings owned by the context. */
struct dance_strlist {
	char **v;
	size_t n;
};

enum dance_resolver_mode {
	DANCE_RESOLVER_SYSTEM = 0,
	DANCE_RESOLVER_RECURSIVE = 1,
	DANCE_RESOLVER_FORWARD = 2,
};

/* One "forward" value, parsed. */
struct dance_forward {
	char *addr;    /* IPv4 or IPv6 address text */
	int port;      /* 0 when not given (53, or 853 with dns-over-tls) */
	char *tlsname; /* lowercase host name, or NULL */
	char *origin;  /* "FILE:LINE" of the line, or NULL */
};

/* One "domain-user-label" value. */
struct dance_domain_label {
	char *domain; /* lowercase A-labels */
	enum dance_label_form form;
};

/* Settings whose value is kept as text for dance_ctx_get(): one list per
 * keyword, indexed like the keyword table of config.c. */
#define DANCE_NKEYWORDS 17

struct dance_ctx {
	/* logging */
	dance_log_fn *log_fn;
	void *log_arg;
	enum dance_log_level log_level;

	/* configuration (cfg_lk until frozen, read-only after) */
	pthread_mutex_t cfg_lk;
	atomic_int frozen;
	int freeze_err;
	struct dance_strlist text[DANCE_NKEYWORDS]; /* presentation values */
	enum dance_resolver_mode resolver;
	int resolver_set;      /* 1 if "resolver" was given */
	char *resolver_origin; /* "FILE:LINE" of "resolver", or NULL */
	struct dance_forward *forwards;
	size_t nforwards;
	int dot;                        /* dns-over-tls */
	char *dot_origin;               /* "FILE:LINE" of "dns-over-tls yes" */
	char *tls_ca_bundle;            /* NULL: the system bundle */
	struct dance_strlist ta_files;  /* trust-anchor-file */
	struct dance_strlist ta_owners; /* owner names found in them */
	struct dance_strlist allow;     /* normalised allow-domain patterns */
	unsigned lookup_timeout_ms;
	unsigned max_in_flight;
	unsigned max_ttl;
	unsigned answer_cache_size; /* entries; 0: no answer cache */
	enum dance_label_form user_label;
	struct dance_domain_label *domain_labels;
	size_t ndomain_labels;
	char *ssh_authorized_dir;
	struct dance_strlist ssh_ca_domains; /* lowercase A-labels */
	unsigned clientid_codepoint;
	struct dance_strlist unbound_configs;

	/* resolver (dns.c) */
	struct ub_ctx *ub;
	FILE *ub_log; /* libunbound's log stream, routed to dance_log */
	pthread_mutex_t lk;
	pthread_cond_t cv;
	unsigned in_flight; /* lookups holding a max-in-flight slot */
	int processing;     /* 1 while one thread runs poll()/ub_process() */
	struct dance_dot *dot_relay; /* dns-over-tls relay (dot.c), or NULL */
	struct dance_cache *cache;   /* answer cache (cache.c), or NULL */

	/* verification (dane.c): made on first use, see struct dance_lazy */
	struct dance_lazy *lazy;
};

/*
 * What the context makes only when a front end needs it, so that a
 * process that never verifies a certificate (the sshd helper) does not
 * pay for it. Allocated with the context; reached through a pointer so
 * that accessors taking a const context may fill it in.
 *   dane_sslctx  an SSL_CTX with DANE enabled, SHA-512 ranked first
 *                (dance_dane_sslctx_new(0)); made under lk by the first
 *                dance_ctx_dane_sslctx() call, published with release
 *                semantics, read-only afterwards (shared by threads).
 */
struct dance_lazy {
	pthread_mutex_t lk;
	_Atomic(struct ssl_ctx_st *) dane_sslctx;
};

/* The text of an errno value, thread-safe (GNU strerror_r). */
static inline const char *dance_errno_text(int e, char *buf, size_t len)
{
	return strerror_r(e, buf, len);
}

/* Add a copy of s to a list. DANCE_OK or DANCE_ERR_NOMEM. */
int dance_strlist_add(struct dance_strlist *l, const char *s);

/* Free every string of a list and empty it. */
void dance_strlist_clear(struct dance_strlist *l);

/* Set up the resolver from the frozen configuration (dns.c). Called once,
 * under cfg_lk, by the freeze. Logs the reason of a failure. */
int dance_resolver_setup(dance_ctx *ctx);

/* Tear down the resolver (dns.c). No lookup may be in progress. */
void dance_resolver_free(dance_ctx *ctx);

/* DNS over TLS (dot.c): start the relay for the frozen configuration's
 * forwarders (called by the resolver set-up, with dns-over-tls yes): one
 * listening port on 127.0.0.1 per forward line, in their order, and the
 * relay thread. Logs the reason of a failure. DANCE_OK,
 * DANCE_ERR_RESOLVER or DANCE_ERR_NOMEM. */
int dance_dot_start(const dance_ctx *ctx, struct dance_dot **out);

/* The relay port of forward line i, or -1. */
int dance_dot_port(const struct dance_dot *d, size_t i);

/* Stop the relay thread, close every connection, free. NULL allowed. */
void dance_dot_stop(struct dance_dot *d);

/* Check the settings against each other (config.c): "dns-over-tls yes"
 * without forwarders, forwarders with resolver system, ... Writes the
 * problem into errbuf ("ORIGIN: what", ORIGIN the FILE:LINE of the setting
 * at fault, or fallback when that was set through the API; no prefix when
 * both are NULL) and returns DANCE_ERR_CONFIG, or DANCE_OK. */
int dance_config_check(const dance_ctx *ctx, const char *fallback, char *errbuf,
                       size_t errlen);

/* Free the parsed configuration (config.c). */
void dance_config_free(dance_ctx *ctx);

/* Set the defaults of dance.conf(5) (config.c). */
int dance_config_defaults(dance_ctx *ctx);

#endif /* DANCE_CTX_H */
