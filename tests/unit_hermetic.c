/*
 * unit_hermetic.c -- the hermetic DNS configuration (fixtures/hermetic/):
 * libunbound auth-zones read the signed zone files, so every name of the
 * rig gives its class with no DNS server running. Uses libunbound directly.
 */
#include "proc.h"
#include "rig.h"
#include "rig_ub.h"

#include <criterion/criterion.h>
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
