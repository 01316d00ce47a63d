/*
 * unit_hermetic.c -- the hermetic DNS configuration (fixtures/hermetic/):
 * libunbound auth-zones read the signed zone files, so every name of the
 * rig gives its class with no DNS server running. Uses libunbound directly.
 */
#include "proc.h"
#include "rig.h"
#include "rig_ub.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_TLSA 52

/* A context that has read its zones already (the first lookup does
 * that, which takes long under valgrind): later lookups time the answers
 * alone. */
static struct ub_ctx *hermetic_ctx(void)
{
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);
	cr_assert_not_null(conf, "no fixtures");
	struct ub_ctx *ctx = rig_ub_ctx(conf);
	cr_assert_not_null(ctx);
	cr_assert_eq(rig_ub_lookup(ctx, "test", 6, 10000, NULL, NULL, NULL, 0),
	             DANCE_DNS_SECURE, "SOA of test.");
	return ctx;
}

Test(hermetic, every_name_gives_its_class)
{
	struct ub_ctx *ctx = hermetic_ctx();
	for (size_t i = 0; i < rig_names_count; i++) {
		char why[512];
		long ms;
		int deadline = rig_names[i].timeout ? 300 : 2000;
		enum dance_dns_class c =
		        rig_ub_lookup(ctx, rig_names[i].name, T_TLSA, deadline,
		                      &ms, NULL, why, sizeof why);
		cr_expect_eq(c, rig_names[i].cls,
		             "%s (%s): got %s, want %s (%s)", rig_names[i].name,
		             rig_names[i].what, dance_dns_class_name(c),
		             dance_dns_class_name(rig_names[i].cls), why);
		if (rig_names[i].timeout)
			cr_expect_geq(ms, deadline, "%s: an answer came",
			              rig_names[i].name);
		else
			cr_expect_lt(ms, 1000, "%s took %ld ms",
			             rig_names[i].name, ms);
	}
	ub_ctx_delete(ctx);
}

Test(hermetic, conf_is_complete_and_serverless)
{
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);
	cr_assert_not_null(conf);
	char *t = proc_read_file(conf, NULL);
	cr_assert_not_null(t);
	cr_expect_not_null(strstr(t, "\nresolver recursive\n"));
	cr_expect_null(strstr(t, "\nforward "));
	cr_expect_not_null(strstr(t, "/anchors/test.ds\n"));
	cr_expect_not_null(strstr(t, "/anchors/good.test.ds\n"));
	cr_expect_null(strstr(t, "/anchors/insecure"));
	cr_expect_not_null(strstr(t, "\nallow-domain *\n"));
	cr_expect_not_null(strstr(t, "\nlookup-timeout 1000\n"));
	cr_expect_not_null(strstr(t, "/hermetic/unbound.conf\n"));
	free(t);
}

/* The SERVFAIL and REFUSED rows come at once, not after libunbound's
 * retries (some 17 s). */
Test(hermetic, servfail_and_refused_are_immediate)
{
	struct ub_ctx *ctx = hermetic_ctx();
	long ms;
	int rcode;
	cr_expect_eq(rig_ub_lookup(ctx, "_user.servfail.test", T_TLSA, 2000,
	                           &ms, &rcode, NULL, 0),
	             DANCE_DNS_INDETERMINATE);
	cr_expect_eq(rcode, 2);
	cr_expect_lt(ms, 1000);
	cr_expect_eq(rig_ub_lookup(ctx, "_user.refused.test", T_TLSA, 2000, &ms,
	                           &rcode, NULL, 0),
	             DANCE_DNS_INDETERMINATE);
	cr_expect_eq(rcode, 5);
	cr_expect_lt(ms, 1000);
	ub_ctx_delete(ctx);
}

/* Names outside test. never leave the machine: the root is a stub zone at
 * a closed loopback port (TCP), so they are indeterminate (SERVFAIL) at
 * once instead of recursing from the root hints. libunbound's own log
 * (verbosity 4 names every server it sends to) shows no other target. */
static const struct {
	const char *name;
	int qtype;
} outside[] = {
        {"_user.example.org", T_TLSA},
        {"alice._user.example.com", T_TLSA},
        {"_user.xn--bcher-kva.example", T_TLSA},
        {"example.com", 1},
        {"com", 2},
        {"a.root-servers.net", 1},
        {".", 6},
        {"_user.test.example.net", T_TLSA},
};

Test(hermetic, names_outside_test_stay_on_the_machine)
{
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);
	char *log = NULL, *line;
	size_t loglen = 0, targets = 0;
	FILE *logf = open_memstream(&log, &loglen);
	struct ub_ctx *ctx;

	cr_assert_not_null(conf, "no fixtures");
	cr_assert_not_null(logf);
	ctx = rig_ub_ctx(conf);
	cr_assert_not_null(ctx);
	cr_assert_eq(ub_ctx_debugout(ctx, logf), 0);
	cr_assert_eq(ub_ctx_debuglevel(ctx, 4), 0);
	/* the first lookup reads the zones (slow under valgrind) */
	cr_assert_eq(rig_ub_lookup(ctx, "test", 6, 10000, NULL, NULL, NULL, 0),
	             DANCE_DNS_SECURE, "SOA of test.");
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		long ms;
		int rcode;
		enum dance_dns_class c =
		        rig_ub_lookup(ctx, outside[i].name, outside[i].qtype,
		                      2000, &ms, &rcode, NULL, 0);
		cr_expect_eq(c, DANCE_DNS_INDETERMINATE, "%s: %s",
		             outside[i].name, dance_dns_class_name(c));
		cr_expect_eq(rcode, 2, "%s: rcode %d", outside[i].name, rcode);
		cr_expect_lt(ms, 1000, "%s took %ld ms", outside[i].name, ms);
	}
	ub_ctx_delete(ctx);
	fclose(logf);
	for (line = strstr(log, "sending to target: "); line != NULL;
	     line = strstr(line + 1, "sending to target: ")) {
		const char *addr = strchr(line, '>');
		cr_assert_not_null(addr);
		cr_expect_eq(strncmp(addr, "> 127.0.0.1#9\n", 14), 0,
		             "a query went elsewhere: %.80s", line);
		targets++;
	}
	cr_expect_gt(targets, 0, "libunbound's log names no target");
	free(log);
}

/* The same through libdance: a temporary failure, at once. */
Test(hermetic, names_outside_test_are_indeterminate_through_libdance)
{
	dance_ctx *ctx = NULL;
	char err[512];

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_load_config(ctx,
	                                   rig_conf(NULL, RIG_CONF_HERMETIC),
	                                   err, sizeof err),
	             DANCE_OK, "%s", err);
	cr_assert_eq(
	        dance_ctx_set(ctx, "lookup-timeout", "10000", err, sizeof err),
	        DANCE_OK);
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		struct dance_tlsa_rrset *rs = NULL;
		long t0;
		int r;

		if (outside[i].qtype != T_TLSA)
			continue;
		if (i == 0) { /* reads the zones: slow under valgrind */
			cr_assert_eq(
			        dance_lookup_tlsa(ctx, "_user.good.test", &rs),
			        DANCE_OK);
			dance_tlsa_rrset_free(rs);
			rs = NULL;
		}
		t0 = proc_now_ms();
		r = dance_lookup_tlsa(ctx, outside[i].name, &rs);
		cr_expect_eq(r, DANCE_ERR_DNS_TEMPFAIL, "%s: %s",
		             outside[i].name, dance_strerror(r));
		cr_assert_not_null(rs);
		cr_expect_eq(rs->dns_class, DANCE_DNS_INDETERMINATE);
		cr_expect_lt(proc_now_ms() - t0, 1000, "%s", outside[i].name);
		dance_tlsa_rrset_free(rs);
	}
	dance_ctx_free(ctx);
}

/* The table covers every class, with negative rows outnumbering
 * the secure ones. */
Test(hermetic, name_table_covers_every_class)
{
	size_t per[5] = {0};
	for (size_t i = 0; i < rig_names_count; i++) {
		cr_assert_lt((unsigned)rig_names[i].cls, 5u);
		per[rig_names[i].cls]++;
	}
	for (size_t c = 0; c < 5; c++)
		cr_expect_gt(per[c], 0, "no name of class %zu", c);
	cr_expect_gt(rig_names_count - per[DANCE_DNS_SECURE],
	             per[DANCE_DNS_SECURE]);
}
