/*
 * rig_ub.h -- libunbound directly, configured from a rig dance.conf, for
 * tests that check the rig itself (no libdance involved), and the table of
 * the rig's names with the DNS answer class each must give.
 */
#ifndef DANCE_TEST_RIG_UB_H
#define DANCE_TEST_RIG_UB_H

#include "dance/dance.h"

#include <stddef.h>
#include <unbound.h>

/* One name of the rig (TLSA query) and its class, the same on the nsd rig
 * (RIG_CONF_FRONT) and the hermetic configuration. */
struct rig_name {
	const char *name;
	enum dance_dns_class cls;
	int timeout;      /* 1: no answer comes; the lookup ends at its
	                     deadline */
	const char *what; /* why it gives that class */
};
extern const struct rig_name rig_names[];
extern const size_t rig_names_count;

/*
 * A libunbound context set up as the dance.conf at path says: its
 * unbound-config file, every trust-anchor-file, and with "resolver
 * forward" every "forward ADDR@PORT". Async (threads), ready for
 * rig_ub_lookup(). NULL on error (reason on stderr). ub_ctx_delete() it.
 */
struct ub_ctx *rig_ub_ctx(const char *dance_conf);

/* The class design.md gives an answer: bogus, then rcode (not NOERROR or
 * NXDOMAIN: indeterminate), then secure (data or none), else insecure.
 * err is what the resolve call returned (non-zero: indeterminate). */
enum dance_dns_class rig_ub_class(int err, const struct ub_result *res);

/* Resolve name/qtype (IN) with a deadline (async, poll, cancel) and
 * classify. *ms (if not NULL) gets the time taken; *rcode (if not NULL)
 * the rcode or -1 at the deadline. why (if not NULL) gets why_bogus or a
 * note. */
enum dance_dns_class rig_ub_lookup(struct ub_ctx *ctx, const char *name,
                                   int qtype, int timeout_ms, long *ms,
                                   int *rcode, char *why, size_t whylen);

#endif /* DANCE_TEST_RIG_UB_H */
