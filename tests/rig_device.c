/*
 * rig_device.c -- the generic DANE check (dance_dane_check) serving the
 * device names of draft-ietf-dance-client-auth: a device's DNS name
 * <name>._device.<domain> (what it sends as its ClientName) is the
 * certificate's dNSName, the reference name of the check and the owner of
 * its TLSA records. Offline against the fixture records, and through the
 * rig's signed zone. Fixtures: tests/rig/fixtures.d/26-device.sh.
 */
#include "dance/dance.h"
#include "rig.h"
#include "rig_hooks.h"
#include "verify_util.h"

#include <criterion/criterion.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#define DEV1 "dev1._device.good.test"
#define DEV2 "dev2._device.good.test"

struct device_case {
	const char *name;
	const char *chain;   /* $FIX/pki/FILE */
	const char *records; /* $FIX/verify/TAG.tlsa, or the owner to look up */
	const char *refname; /* the device's ClientName */
	int ok;              /* expected outcome */
	int depth;           /* expected match depth when ok */
};

static const struct device_case cases[] = {
        {"DANE-EE, own name", "dev-ee.pem", "dev1", DEV1, 1, 0},
        {"DANE-TA, own name", "dev-ta.chain.pem", "dev2", DEV2, 1, 1},
        {"DANE-EE, ClientName of another device", "dev-ee.pem", "dev1", DEV2, 0,
         -1},
        {"DANE-TA, ClientName of another device", "dev-ta.chain.pem", "dev2",
         DEV1, 0, -1},
        {"device CA's certificate for dev1, where only dev1's key is "
         "published",
         "dev-rogue.chain.pem", "dev1", DEV1, 0, -1},
        {"dev1's certificate against dev2's records", "dev-ee.pem", "dev2",
         DEV1, 0, -1},
        {"dev2's certificate against dev1's records", "dev-ta.chain.pem",
         "dev1", DEV2, 0, -1},
};

static void check(const struct device_case *c,
                  const struct dance_tlsa_rrset *rs)
{
	struct dance_dane_params p = {.refname = c->refname,
	                              .purpose = X509_PURPOSE_SSL_CLIENT};
	struct dance_dane_outcome o;
	STACK_OF(X509) *chain = vu_chain(c->chain);
	int r = dance_dane_check(&p, chain, rs->records, rs->count, &o);

	cr_expect_eq(r, DANCE_OK, "%s: %s", c->name, dance_strerror(r));
	cr_expect_eq(o.ok, c->ok, "%s: ok %d (%s)", c->name, o.ok,
	             o.reason ? o.reason : "");
	if (c->ok)
		cr_expect_eq(o.match_depth, c->depth, "%s: depth %d", c->name,
		             o.match_depth);
	else
		cr_expect_neq(o.x509_error, 0, "%s: refused without an error",
		              c->name);
	sk_X509_pop_free(chain, X509_free);
}

Test(device, offline)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dance_tlsa_rrset *rs = vu_rrset(cases[i].records);
		check(&cases[i], rs);
		dance_tlsa_rrset_free(rs);
	}
}

static dance_ctx *rig_ctx(void)
{
	const struct rig *rig = rig_start();
	dance_ctx *ctx = NULL;
	char err[512] = "";

	cr_assert_not_null(rig, "the DNS rig did not start");
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_load_config(ctx, rig_conf(rig, RIG_CONF_FRONT),
	                                   err, sizeof err),
	             DANCE_OK, "%s", err);
	return ctx;
}

Test(device, through_dns)
{
	dance_ctx *ctx = rig_ctx();

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *owner = cases[i].records[3] == '1' ? DEV1 : DEV2;
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(ctx, owner, &rs);

		cr_assert_eq(r, DANCE_OK, "%s: %s", owner, dance_strerror(r));
		cr_assert_eq(rs->dns_class, DANCE_DNS_SECURE, "%s: %s", owner,
		             dance_dns_class_name(rs->dns_class));
		check(&cases[i], rs);
		dance_tlsa_rrset_free(rs);
	}
	dance_ctx_free(ctx);
}

Test(device, unknown_device_has_no_records)
{
	dance_ctx *ctx = rig_ctx();
	struct dance_tlsa_rrset *rs = NULL;

	cr_assert_eq(dance_lookup_tlsa(ctx, "dev9._device.good.test", &rs),
	             DANCE_OK);
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE_NONE, "%s",
	             dance_dns_class_name(rs->dns_class));
	cr_expect_eq(rs->count, 0);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}
