/*
 * rig_ub.c -- libunbound set up from a rig dance.conf, classification of
 * answers as in design.md, lookups with a deadline, and the table of the
 * rig's names (see rig_ub.h and tests/rig/README.md).
 */
#include "rig_ub.h"

#include "proc.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S  DANCE_DNS_SECURE
#define N  DANCE_DNS_SECURE_NONE
#define B  DANCE_DNS_BOGUS
#define IN DANCE_DNS_INSECURE
#define X  DANCE_DNS_INDETERMINATE

const struct rig_name rig_names[] = {
        {"_user.good.test", S, 0, "user CA, 2 0 1 and 2 1 1"},
        {"_user.alias.good.test", S, 0, "CNAME to _user.good.test"},
        {"_user.xn--bcher-kva.good.test", S, 0, "IDN domain bücher.good.test"},
        {"alice._user.good.test", S, 0, "alice's SSH keys, 3 1 1"},
        {"_user.other.test", S, 0, "second domain, NSEC3"},
        {"bob._user.other.test", S, 0, "bob's SSH key, NSEC3"},
        {"_user.mixed.good.test", S, 0, "one usable, one unusable record"},
        {"_user.wild.test", S, 0, "explicit, beside wildcards"},
        {"carol._user.wild.test", S, 0, "explicit, beside *._user.wild.test"},
        {"alice._user.wild.test", S, 0, "from *._user.wild.test: unusable"},
        {"_user.sub.wild.test", S, 0, "from *.wild.test: unusable"},
        {"_user.x.alias.wild.test", S, 0, "CNAME from *.alias.wild.test"},
        {"_user.cname.wild.test", S, 0, "CNAME to an expansion: unusable"},
        {"_user.nodata.good.test", N, 0, "NODATA: TXT only"},
        {"nodata.good.test", N, 0, "NODATA: A only"},
        {"_user.nxdomain.good.test", N, 0, "NXDOMAIN"},
        {"_user.alias-nxdomain.good.test", N, 0, "CNAME to NXDOMAIN"},
        {"_user.nodata.other.test", N, 0, "NODATA, NSEC3"},
        {"_user.nxdomain.other.test", N, 0, "NXDOMAIN, NSEC3"},
        {"_user.bogus.test", B, 0, "RRSIG altered"},
        {"alice._user.bogus.test", B, 0, "RRSIG altered"},
        {"_user.alias-bogus.good.test", B, 0, "CNAME to bogus"},
        {"_user.expired.test", B, 0, "signatures expired"},
        {"alice._user.expired.test", B, 0, "signatures expired"},
        {"_user.nxdomain.expired.test", B, 0, "NXDOMAIN, expired NSEC"},
        {"_user.insecure.test", IN, 0, "unsigned delegation"},
        {"alice._user.insecure.test", IN, 0, "unsigned delegation"},
        {"_user.nxdomain.insecure.test", IN, 0, "NXDOMAIN, unsigned"},
        {"_user.alias-insecure.good.test", IN, 0, "CNAME to insecure"},
        {"_user.servfail.test", X, 0, "SERVFAIL"},
        {"_user.refused.test", X, 0, "REFUSED"},
        {"_user.silent.test", X, 1, "no answer"},
};
const size_t rig_names_count = sizeof rig_names / sizeof rig_names[0];

#undef S
#undef N
#undef B
#undef IN
#undef X

static int apply(struct ub_ctx *ctx, const char *kw, const char *val,
                 int forward)
{
	if (strcmp(kw, "unbound-config") == 0)
		return ub_ctx_config(ctx, val);
	if (strcmp(kw, "trust-anchor-file") == 0)
		return ub_ctx_add_ta_file(ctx, val);
	if (strcmp(kw, "forward") == 0 && forward)
		return ub_ctx_set_fwd(ctx, val);
	return 0;
}

/* Apply the lines of keyword kw (or all but unbound-config if NULL). */
static int apply_conf(struct ub_ctx *ctx, char *text, const char *only)
{
	int forward = strstr(text, "resolver forward") != NULL;
	for (char *line = text, *next; line != NULL && *line != '\0';
	     line = next) {
		char kw[64], val[4096];
		next = strchr(line, '\n');
		if (sscanf(line, "%63s %4095s", kw, val) == 2 && kw[0] != '#' &&
		    (only != NULL ? strcmp(kw, only) == 0
		                  : strcmp(kw, "unbound-config") != 0)) {
			int r = apply(ctx, kw, val, forward);
			if (r != 0) {
				fprintf(stderr, "rig_ub: %s %s: %s\n", kw, val,
				        ub_strerror(r));
				return -1;
			}
		}
		if (next != NULL)
			next++;
	}
	return 0;
}

struct ub_ctx *rig_ub_ctx(const char *dance_conf)
{
	char *text = proc_read_file(dance_conf, NULL);
	struct ub_ctx *ctx = ub_ctx_create();
	if (text == NULL || ctx == NULL || ub_ctx_async(ctx, 1) != 0 ||
	    apply_conf(ctx, text, "unbound-config") != 0 ||
	    apply_conf(ctx, text, NULL) != 0) {
		fprintf(stderr, "rig_ub: cannot set up libunbound from %s\n",
		        dance_conf);
		if (ctx != NULL)
			ub_ctx_delete(ctx);
		ctx = NULL;
	}
	free(text);
	return ctx;
}

enum dance_dns_class rig_ub_class(int err, const struct ub_result *res)
{
	if (err != 0 || res == NULL)
		return DANCE_DNS_INDETERMINATE;
	if (res->bogus)
		return DANCE_DNS_BOGUS;
	if (res->rcode != 0 && res->rcode != 3)
		return DANCE_DNS_INDETERMINATE;
	if (res->secure)
		return res->havedata ? DANCE_DNS_SECURE : DANCE_DNS_SECURE_NONE;
	return DANCE_DNS_INSECURE;
}

struct wait {
	int done;
	int err;
	struct ub_result *res;
};

static void done_cb(void *arg, int err, struct ub_result *res)
{
	struct wait *w = arg;
	w->done = 1;
	w->err = err;
	w->res = res;
}

enum dance_dns_class rig_ub_lookup(struct ub_ctx *ctx, const char *name,
                                   int qtype, int timeout_ms, long *ms,
                                   int *rcode, char *why, size_t whylen)
{
	struct wait w = {0, 0, NULL};
	long t0 = proc_now_ms(), until = t0 + timeout_ms;
	enum dance_dns_class c = DANCE_DNS_INDETERMINATE;
	int id = 0, r = ub_resolve_async(ctx, name, qtype, 1, &w, done_cb, &id);
	if (rcode != NULL)
		*rcode = -1;
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", r != 0 ? ub_strerror(r) : "");
	while (r == 0 && !w.done) {
		long left = until - proc_now_ms();
		struct pollfd p = {ub_fd(ctx), POLLIN, 0};
		if (left <= 0) {
			ub_cancel(ctx, id);
			if (why != NULL && whylen > 0)
				snprintf(why, whylen, "deadline");
			break;
		}
		if (poll(&p, 1, (int)left) > 0)
			ub_process(ctx);
	}
	if (w.done) {
		c = rig_ub_class(w.err, w.res);
		if (rcode != NULL && w.res != NULL)
			*rcode = w.res->rcode;
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "%s",
			         w.err != 0 ? ub_strerror(w.err)
			         : w.res != NULL && w.res->why_bogus != NULL
			                 ? w.res->why_bogus
			                 : "");
		ub_resolve_free(w.res);
	}
	if (ms != NULL)
		*ms = proc_now_ms() - t0;
	return c;
}
