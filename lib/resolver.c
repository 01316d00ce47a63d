/*
 * resolver.c -- set up libunbound from the frozen configuration, once, and
 * tear it down; route libunbound's own log lines to the dance log.
 *
 * Order of the set-up (every step before libunbound's finalisation):
 *   1. ub_ctx_create, ub_ctx_async(ub, 1): answers come from libunbound's
 *      own background thread through a pipe (ub_fd), so that lookups can
 *      have a deadline (dns.c).
 *   2. log routing (ub_ctx_debugout to a stream that writes to dance_log).
 *   3. unblock-lan-zones (see setup_options()), unbound-config files
 *      (ub_ctx_config), then dance's own options, so that max-ttl and the
 *      timeouts cannot be overridden by accident (and no
 *      trust-anchor-signaling queries).
 *   4. trust anchors: every trust-anchor-file, or the root key by default.
 *   5. the transport: resolv.conf + hosts, forwarders, or recursion from
 *      the built-in root hints. DNS over TLS does not use libunbound's
 *      own TLS (Debian's libunbound is built with nettle and has none:
 *      its workers fail as "out of memory" and it ignores TLS names):
 *      libunbound forwards over TCP to the relay of dot.c on 127.0.0.1,
 *      one port per forwarder, and the relay talks authenticated TLS to
 *      the forwarders.
 *   6. libunbound's default local zones for special-use names that hold a
 *      configured trust anchor (test., invalid., ...) are removed, so that
 *      private zones there resolve; this, or a harmless zone removal,
 *      finalises libunbound now so that a bad set-up fails at the freeze.
 */
#include "ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include <unistd.h>

#define ROOT_KEY         DANCE_ROOT_KEY_FILE
#define DNS_PORT         53
#define DOT_PORT         853
#define DOT_TCP_STREAMS  64u /* = the relay's connection limit (dot.c) */
#define OUTBOUND_RETRIES "2"
#define NEGATIVE_TTL_MAX 3600u
#define FINALIZE_ZONE    "dance-finalize.invalid."

/* ---- libunbound's log -------------------------------------------------- */

/* One line from libunbound: "[time] libunbound[pid:tid] level: text". */
static void ub_log_line(dance_ctx *ctx, const char *s, size_t n)
{
	enum dance_log_level level = DANCE_LOG_DEBUG;
	const char *p = memchr(s, ']', n);

	/* skip "[time] libunbound[pid:tid] " */
	if (p != NULL && (p = memchr(p + 1, ']', n - (size_t)(p + 1 - s))))
		p += 2;
	if (p == NULL || p > s + n)
		p = s;
	n -= (size_t)(p - s);
	if (n >= 6 && strncmp(p, "error:", 6) == 0)
		level = DANCE_LOG_ERROR;
	else if (n >= 8 && strncmp(p, "warning:", 8) == 0)
		level = DANCE_LOG_INFO;
	dance_log(ctx, level, "libunbound", "%.*s", (int)n, p);
}

static ssize_t ub_log_write(void *cookie, const char *buf, size_t size)
{
	const char *p = buf, *end = buf + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0)
			ub_log_line(cookie, p, n);
		p += n + 1;
	}
	return (ssize_t)size;
}

static int open_log(dance_ctx *ctx)
{
	cookie_io_functions_t io = {.write = ub_log_write};

	if ((ctx->ub_log = fopencookie(ctx, "w", io)) == NULL)
		return -1;
	setvbuf(ctx->ub_log, NULL, _IOLBF, 0);
	return 0;
}

static int route_log(dance_ctx *ctx, struct ub_ctx *ub)
{
	if (ub_ctx_debugout(ub, ctx->ub_log) != 0 ||
	    ub_ctx_debuglevel(ub, ctx->log_level >= DANCE_LOG_DEBUG ? 1 : 0) !=
	            0)
		return -1;
	return 0;
}

/* ---- steps ------------------------------------------------------------- */

static int fail(dance_ctx *ctx, const char *what, const char *arg, int ubr)
{
	DLOG_ERROR(ctx, "resolver set-up: %s%s%s: %s", what, arg ? " " : "",
	           arg ? arg : "", ub_strerror(ubr));
	return DANCE_ERR_RESOLVER;
}

static int set_opt(dance_ctx *ctx, const char *opt, const char *val)
{
	int r = ub_ctx_set_option(ctx->ub, opt, val);

	if (r != 0) {
		DLOG_ERROR(ctx, "resolver set-up: option %s %s: %s", opt, val,
		           ub_strerror(r));
		return DANCE_ERR_RESOLVER;
	}
	return DANCE_OK;
}

static int set_opt_uint(dance_ctx *ctx, const char *opt, unsigned v)
{
	char buf[16];

	dance_fmt(buf, sizeof buf, "%u", v);
	return set_opt(ctx, opt, buf);
}

static int setup_options(dance_ctx *ctx)
{
	unsigned rtt = ctx->lookup_timeout_ms;
	int r;

	/* Before the unbound-config files, which may say otherwise: none of
	 * libunbound's ~90 built-in empty zones for the reverse space of
	 * private and special addresses (RFC 6303, AS112). dance never
	 * looks up reverse names of its own; a TLSA name there comes from a
	 * certificate or an authorization file, is allowed or not like any
	 * other, and is validated (these delegations are insecure: refused),
	 * while setting the zones up cost 3.4 M instructions per process. */
	if ((r = set_opt(ctx, "unblock-lan-zones:", "yes")) != DANCE_OK)
		return r;
	for (size_t i = 0; i < ctx->unbound_configs.n; i++) {
		if ((r = ub_ctx_config(ctx->ub, ctx->unbound_configs.v[i])) !=
		    0)
			return fail(ctx, "unbound-config",
			            ctx->unbound_configs.v[i], r);
	}
	/* Upstream timeouts no longer than the whole lookup; fewer retries,
	 * so that an abandoned lookup stops soon after its deadline. No
	 * RFC 8145 key tag query ("_ta-XXXX. NULL") when a trust anchor's
	 * DNSKEY is fetched: one query more for every short-lived process
	 * (the sshd helper), and nobody upstream needs our key tags. */
	if (rtt < 1000)
		rtt = 1000;
	if ((r = set_opt_uint(ctx, "cache-max-ttl:", ctx->max_ttl)) ||
	    (r = set_opt_uint(ctx, "cache-max-negative-ttl:",
	                      ctx->max_ttl < NEGATIVE_TTL_MAX
	                              ? ctx->max_ttl
	                              : NEGATIVE_TTL_MAX)) ||
	    (r = set_opt_uint(ctx, "infra-cache-max-rtt:", rtt)) ||
	    (r = set_opt(ctx, "outbound-msg-retry:", OUTBOUND_RETRIES)) ||
	    (r = set_opt(ctx, "trust-anchor-signaling:", "no")))
		return r;
	return DANCE_OK;
}

static int setup_anchors(dance_ctx *ctx)
{
	int r;

	if (ctx->ta_files.n == 0) {
		if (access(ROOT_KEY, R_OK) != 0) {
			char eb[128];
			DLOG_ERROR(ctx,
			           "resolver set-up: default trust anchor "
			           "%s: %s",
			           ROOT_KEY,
			           dance_errno_text(errno, eb, sizeof eb));
			return DANCE_ERR_RESOLVER;
		}
		if ((r = ub_ctx_add_ta_file(ctx->ub, ROOT_KEY)) != 0)
			return fail(ctx, "trust anchor", ROOT_KEY, r);
		return DANCE_OK;
	}
	for (size_t i = 0; i < ctx->ta_files.n; i++)
		if ((r = ub_ctx_add_ta_file(ctx->ub, ctx->ta_files.v[i])) != 0)
			return fail(ctx, "trust-anchor-file",
			            ctx->ta_files.v[i], r);
	return DANCE_OK;
}

static int forward_port(const dance_ctx *ctx, const struct dance_forward *f)
{
	if (f->port != 0)
		return f->port;
	return ctx->dot ? DOT_PORT : DNS_PORT;
}

/* DNS over TLS: libunbound forwards over TCP (the framing of DNS over
 * TLS) to the relay of dot.c, one port on 127.0.0.1 per forwarder; the
 * relay authenticates the forwarders and speaks TLS to them. */
static int setup_dot(dance_ctx *ctx)
{
	char addr[64];
	int r;

	if ((r = dance_dot_start(ctx, &ctx->dot_relay)) != DANCE_OK)
		return r;
	/* libunbound's own default is 2 TCP streams; when both are busy
	 * it closes the oldest, failing the queries in flight on it */
	if ((r = set_opt(ctx, "tcp-upstream:", "yes")) != DANCE_OK ||
	    (r = set_opt(ctx, "do-not-query-localhost:", "no")) != DANCE_OK ||
	    (r = set_opt_uint(ctx, "outgoing-num-tcp:", DOT_TCP_STREAMS)) !=
	            DANCE_OK)
		return r;
	for (size_t i = 0; i < ctx->nforwards; i++) {
		dance_fmt(addr, sizeof addr, "127.0.0.1@%d",
		          dance_dot_port(ctx->dot_relay, i));
		if ((r = ub_ctx_set_fwd(ctx->ub, addr)) != 0)
			return fail(ctx, "dns-over-tls relay", addr, r);
		DLOG_DEBUG(ctx, "dns-over-tls: forward %s@%d#%s via %s",
		           ctx->forwards[i].addr,
		           forward_port(ctx, &ctx->forwards[i]),
		           ctx->forwards[i].tlsname, addr);
	}
	return DANCE_OK;
}

static int setup_transport(dance_ctx *ctx)
{
	char addr[128];
	int r;

	if (ctx->nforwards == 0 && ctx->resolver == DANCE_RESOLVER_SYSTEM) {
		if ((r = ub_ctx_resolvconf(ctx->ub, NULL)) != 0)
			return fail(ctx, "resolver system: /etc/resolv.conf",
			            NULL, r);
		if ((r = ub_ctx_hosts(ctx->ub, NULL)) != 0)
			return fail(ctx, "resolver system: /etc/hosts", NULL,
			            r);
		return DANCE_OK;
	}
	if (ctx->nforwards == 0) /* recursive: built-in root hints */
		return DANCE_OK;
	if (ctx->dot)
		return setup_dot(ctx);
	for (size_t i = 0; i < ctx->nforwards; i++) {
		const struct dance_forward *f = &ctx->forwards[i];
		dance_fmt(addr, sizeof addr, "%s@%d", f->addr,
		          forward_port(ctx, f));
		if ((r = ub_ctx_set_fwd(ctx->ub, addr)) != 0)
			return fail(ctx, "forward", addr, r);
	}
	return DANCE_OK;
}

/* Is name (lowercase, no dot) equal to or below zone (no dot)? */
static int at_or_below(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (n == z)
		return strcmp(name, zone) == 0;
	return n > z && name[n - z - 1] == '.' &&
	       strcmp(name + n - z, zone) == 0;
}

/* libunbound answers these special-use names itself (RFC 6761 and
 * friends); a trust anchor at or below one of them means a private zone
 * there is meant to resolve. */
static const char *const special_zones[] = {
        "test",      "invalid",       "localhost",    "onion",
        "home.arpa", "resolver.arpa", "service.arpa", NULL,
};

static int setup_local_zones(dance_ctx *ctx)
{
	char zone[64];
	int r, removed = 0;

	for (size_t z = 0; special_zones[z] != NULL; z++) {
		int wanted = 0;
		for (size_t i = 0; i < ctx->ta_owners.n; i++)
			wanted |= at_or_below(ctx->ta_owners.v[i],
			                      special_zones[z]);
		if (!wanted)
			continue;
		dance_fmt(zone, sizeof zone, "%s.", special_zones[z]);
		r = ub_ctx_zone_remove(ctx->ub, zone);
		if (r != 0 && r != UB_NOID)
			return fail(ctx, "opening special-use zone", zone, r);
		DLOG_DEBUG(ctx,
		           "trust anchor under %s: its built-in local "
		           "zone is removed",
		           zone);
		removed = 1;
	}
	if (!removed) {
		/* Not a zone: only finalises libunbound, so that set-up
		 * errors show now rather than at the first lookup. */
		r = ub_ctx_zone_remove(ctx->ub, FINALIZE_ZONE);
		if (r != 0 && r != UB_NOID)
			return fail(ctx, "finalising", NULL, r);
	}
	return DANCE_OK;
}

int dance_resolver_setup(dance_ctx *ctx)
{
	int r;

	if (open_log(ctx) != 0) {
		DLOG_ERROR(ctx, "resolver set-up: log routing failed");
		return DANCE_ERR_RESOLVER;
	}
	if ((ctx->ub = ub_ctx_create()) == NULL) {
		DLOG_ERROR(ctx, "resolver set-up: ub_ctx_create failed");
		return DANCE_ERR_RESOLVER;
	}
	if ((r = ub_ctx_async(ctx->ub, 1)) != 0)
		return fail(ctx, "asynchronous mode", NULL, r);
	if (route_log(ctx, ctx->ub) != 0) {
		DLOG_ERROR(ctx, "resolver set-up: log routing failed");
		return DANCE_ERR_RESOLVER;
	}
	if ((r = dance_cache_new(ctx->answer_cache_size, &ctx->cache)) !=
	    DANCE_OK) {
		DLOG_ERROR(ctx, "resolver set-up: answer cache: %s",
		           dance_strerror(r));
		return r;
	}
	if ((r = setup_options(ctx)) != DANCE_OK ||
	    (r = setup_anchors(ctx)) != DANCE_OK ||
	    (r = setup_transport(ctx)) != DANCE_OK ||
	    (r = setup_local_zones(ctx)) != DANCE_OK)
		return r;

	DLOG_DEBUG(ctx,
	           "resolver ready (%s, %zu trust anchor file(s), "
	           "lookup-timeout %u ms, max-ttl %u s)",
	           ctx->nforwards > 0
	                   ? (ctx->dot ? "forward over TLS" : "forward")
	           : ctx->resolver == DANCE_RESOLVER_RECURSIVE ? "recursive"
	                                                       : "system",
	           ctx->ta_files.n, ctx->lookup_timeout_ms, ctx->max_ttl);
	return DANCE_OK;
}

void dance_resolver_free(dance_ctx *ctx)
{
	/* libunbound may log while it stops: close the stream after. Its
	 * connections to the DNS-over-TLS relay close with it. */
	if (ctx->ub != NULL)
		ub_ctx_delete(ctx->ub);
	ctx->ub = NULL;
	dance_dot_stop(ctx->dot_relay);
	ctx->dot_relay = NULL;
	dance_cache_free(ctx->cache);
	ctx->cache = NULL;
	if (ctx->ub_log != NULL)
		fclose(ctx->ub_log);
	ctx->ub_log = NULL;
}
