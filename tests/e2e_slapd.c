/*
 * e2e_slapd.c -- Debian's slapd with dance_certmap.so: SASL EXTERNAL over
 * ldaps:// and StartTLS answers with the DANE identity, refuses everything
 * else without ever falling back to the certificate's subject DN, keeps
 * anonymous and ldapi:// peer-credential binds working, and does not let
 * one silent domain hold up other users.
 *
 * Each test starts its own slapd (tests/support/slapd.h); the DNS comes
 * from the rig shared by this binary (tests/support/rig.h), through
 * dance.conf variants written from the rig's.
 */
#include "rig.h"
#include "rig_hooks.h"
#include "slapd.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ROOTDN   "cn=admin,dc=example,dc=org"
#define PEERCRED "dn:gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth\n"

static struct slapd srv;

static void stop_server(void)
{
	slapd_stop(&srv);
}

/* ---- helpers ------------------------------------------------------------ */

static const struct rig *the_rig(void)
{
	const struct rig *rig = rig_start();

	cr_assert_not_null(rig, "the DNS rig did not start");
	return rig;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	cr_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	return buf;
}

/*
 * A dance.conf for slapd: rig's (forwarding to its front end), with
 * allow-domain lines replaced by `allow` (NULL: keep "allow-domain *"),
 * `extra` lines added (may be NULL), and blackhole.test forwarded to the
 * rig's black hole. Static buffer.
 */
static const char *dance_conf_for(const struct rig *rig, const char *allow,
                                  const char *extra)
{
	static char out[16384];
	char *base = read_text(rig_conf(rig, RIG_CONF_FRONT));
	char ubpath[4096];
	FILE *f;
	size_t o = 0;

	/* the unbound-config file with the black-holed zone */
	snprintf(ubpath, sizeof ubpath, "%s/slapd-blackhole-%d.conf",
	         rig->rundir, (int)getpid());
	f = fopen(ubpath, "w");
	cr_assert_not_null(f);
	fprintf(f,
	        "forward-zone:\n"
	        "\tname: \"blackhole.test.\"\n"
	        "\tforward-addr: 127.0.0.1@%d\n",
	        rig->blackhole_port);
	fclose(f);
	for (char *line = base, *nl; *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		if (allow != NULL && strncmp(line, "allow-domain", 12) == 0)
			continue;
		o += (size_t)snprintf(out + o, sizeof out - o, "%s\n", line);
	}
	if (allow != NULL)
		o += (size_t)snprintf(out + o, sizeof out - o, "%s\n", allow);
	if (extra != NULL)
		o += (size_t)snprintf(out + o, sizeof out - o, "%s\n", extra);
	o += (size_t)snprintf(out + o, sizeof out - o, "unbound-config %s\n",
	                      ubpath);
	cr_assert(o < sizeof out);
	free(base);
	return out;
}

static const char *dance_conf(const char *allow)
{
	return dance_conf_for(the_rig(), allow, NULL);
}

static void pki(char *out, size_t len, const char *name, const char *ext)
{
	char rel[1024];

	snprintf(rel, sizeof rel, "pki/%s.%s", name, ext);
	slapd_fixture(out, len, rel);
}

/* ldapwhoami -Y EXTERNAL with the client certificate NAME (NAME.chain.pem
 * or the file NAME itself if it ends in ".pem", and NAME.key), over
 * ldaps:// or StartTLS. */
static void whoami_as(const struct slapd *s, const char *name, int starttls,
                      const char *authzid, struct ldap_run *r)
{
	char cert[4096], key[4096], base[256];
	struct whoami w = {0};
	size_t n = strlen(name);

	if (n > 4 && strcmp(name + n - 4, ".pem") == 0) {
		/* a chain file, whose key is that of the leaf's name */
		const char *dash = strstr(name, "-flipped");

		snprintf(cert, sizeof cert, "%s/pki/%s", slapd_fixture_dir(),
		         name);
		snprintf(base, sizeof base, "%.*s",
		         (int)(dash ? (size_t)(dash - name) : n - 4), name);
		pki(key, sizeof key, base, "key");
	} else {
		pki(cert, sizeof cert, name, "chain.pem");
		pki(key, sizeof key, name, "key");
	}
	w.cert = cert;
	w.key = key;
	w.starttls = starttls;
	w.url = starttls ? s->url_ldap : s->url_ldaps;
	w.authzid = authzid;
	ldap_whoami(s, &w, r);
}

/* The module of this build (sasl/certmap.cmake defines its path). */
static const char *module_path(void)
{
#ifdef DANCE_CERTMAP_PATH
	return DANCE_CERTMAP_PATH;
#else
	cr_skip_test("dance_certmap.so is not built (DANCE_BUILD_SLAPD=OFF)");
	return NULL;
#endif
}

static void start_with_module(const char *conf_text, const char *global,
                              const char *ldif)
{
	struct slapd_opts o = {0};

	o.module = module_path();
	o.dance_conf_text = conf_text;
	o.global = global;
	o.ldif = ldif;
	slapd_start(&srv, &o);
}

/* The answer of a refused EXTERNAL bind: the bind fails (EXTERNAL is not
 * offered), nothing names a DN. */
static void expect_refused(const struct ldap_run *r, const char *what,
                           const char *subject)
{
	cr_expect_neq(r->status, 0, "%s: ldapwhoami succeeded: %s", what,
	              r->out);
	cr_expect_null(strstr(r->out, "dn:"), "%s: bound as %s", what, r->out);
	if (subject != NULL) {
		cr_expect_null(strstr(r->out, subject), "%s: subject DN in %s",
		               what, r->out);
		cr_expect_null(strstr(r->err, subject), "%s: subject DN in %s",
		               what, r->err);
	}
}

/* ---- without the module: what the module is there to prevent ---------- */

/* Stock slapd, TLSVerifyClient allow, no CA file: a self-signed
 * certificate naming the rootdn becomes the rootdn. This is the control
 * for the refusal tests: it shows they would see a leaked subject DN. */
Test(slapd_stock, forged_subject_dn_becomes_rootdn, .fini = stop_server)
{
	struct ldap_run r;

	slapd_start(&srv, NULL);
	whoami_as(&srv, "slapd-admin-forged", 0, NULL, &r);
	cr_expect_eq(r.status, 0, "ldapwhoami: %s", r.err);
	cr_expect_str_eq(r.out, "dn:" ROOTDN "\n");
	whoami_as(&srv, "slapd-admin-forged", 1, NULL, &r);
	cr_expect_str_eq(r.out, "dn:" ROOTDN "\n");
	slapd_pass(&srv);
}

/* ---- DANE users ------------------------------------------------------- */

struct user_case {
	const char *name;
	const char *cert;
	const char *dn; /* ldapwhoami's answer */
};

Test(slapd_dane, users_get_their_dn, .fini = stop_server)
{
	static const struct user_case cases[] = {
	        {"rig user", "alice",
	         "dn:uid=alice@good.test,cn=dance,cn=auth\n"},
	        {"other domain", "bob",
	         "dn:uid=bob@other.test,cn=dance,cn=auth\n"},
	        {"uid lowercased", "slapd-carol",
	         "dn:uid=carol@good.test,cn=dance,cn=auth\n"},
	        {"IDN domain in U-labels", "alice-idn",
	         "dn:uid=alice@b\303\274cher.good.test,cn=dance,cn=auth\n"},
	        {"RFC 4514 specials escaped", "slapd-special",
	         "dn:uid=x\\2Cy\\2Bz\\3Dw\\3Bv\\3Cu\\3Et@good.test,cn=dance,"
	         "cn=auth\n"},
	};

	start_with_module(dance_conf(NULL), NULL, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int starttls = 0; starttls <= 1; starttls++) {
			struct ldap_run r;

			whoami_as(&srv, cases[i].cert, starttls, NULL, &r);
			cr_expect_eq(r.status, 0, "%s (%s): %s", cases[i].name,
			             starttls ? "StartTLS" : "ldaps", r.err);
			cr_expect_str_eq(r.out, cases[i].dn, "%s (%s)",
			                 cases[i].name,
			                 starttls ? "StartTLS" : "ldaps");
		}
	}
	cr_expect(slapd_log_has(&srv, "dance_certmap: authenticated "));
	cr_expect(slapd_log_has(&srv, " as alice@good.test: "
	                              "uid=alice@good.test,cn=dance,cn=auth"));
	slapd_pass(&srv);
}

/* ---- refusals ------------------------------------------------------------ */

struct refusal {
	const char *name;
	const char *cert;    /* fixture name or chain file (.pem) */
	const char *subject; /* its subject DN as slapd would give it */
	const char *log;     /* the log line has this */
};

static const struct refusal refusals[] = {
        {"another domain's CA claiming this domain", "v-crossrig", "cn=mallory",
         "no-match"},
        {"a CA published nowhere", "slapd-rogue", "cn=alice", "no-match"},
        {"bogus zone", "alice-bogus", "cn=alice", ": bogus"},
        {"insecure zone", "alice-insecure", "cn=alice", ": insecure"},
        {"expired signatures", "alice-expired", "cn=alice", ": bogus"},
        {"no TLSA records", "v-nxdomain", "cn=alice", "no-tlsa"},
        {"no uid", "v-nouid", "cn=alice", "no-uid"},
        {"forged signature", "v-badsig-flipped.chain.pem", "cn=alice",
         "no-match"},
        {"self-signed certificate naming the rootdn", "slapd-admin-forged",
         ROOTDN, "no-domain"},
        /* libdance refuses white space in uids (bad-uid) before the
         * module's own check (identity not representable unchanged in a
         * DN: unit_certmap) would */
        {"uid with spaces that DN normalisation would fold", "slapd-spaces",
         "cn=spaces", "bad-uid"},
};

Test(slapd_dane, refused_never_subject_dn, .fini = stop_server)
{
	start_with_module(dance_conf(NULL), NULL, NULL);
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		const struct refusal *k = &refusals[i];

		for (int starttls = 0; starttls <= 1; starttls++) {
			struct ldap_run r;
			char what[256];

			snprintf(what, sizeof what, "%s (%s)", k->name,
			         starttls ? "StartTLS" : "ldaps");
			whoami_as(&srv, k->cert, starttls, NULL, &r);
			expect_refused(&r, what, k->subject);
			cr_expect(strstr(r.err, "no mechanism available"),
			          "%s: %s", what, r.err);
		}
		cr_expect(slapd_log_has(&srv, k->log), "%s: no '%s' in the log",
		          k->name, k->log);
	}
	/* Never a DN of a refused certificate in the log either. */
	cr_expect(!slapd_log_has(&srv, "dn=\"" ROOTDN "\""));
	slapd_pass(&srv);
}

Test(slapd_dane, domain_not_allowed, .fini = stop_server)
{
	const struct rig *rig = the_rig();
	/* notallowed.test (fixture 50-slapd.sh) is used by no other test, so
	 * its query count cannot move while tests run beside this one. */
	long before = rig_query_count_under(rig, "notallowed.test");
	struct ldap_run r;

	start_with_module(dance_conf("allow-domain good.test\n"
	                             "allow-domain *.good.test"),
	                  NULL, NULL);
	whoami_as(&srv, "slapd-erin", 0, NULL, &r);
	expect_refused(&r, "erin@notallowed.test", "cn=erin");
	whoami_as(&srv, "alice", 0, NULL, &r);
	cr_expect_str_eq(r.out, "dn:uid=alice@good.test,cn=dance,cn=auth\n");
	cr_expect(slapd_log_has(&srv, "not-allowed"));
	cr_expect_eq(rig_query_count_under(rig, "notallowed.test"), before,
	             "a query left for a domain not allowed");
	slapd_pass(&srv);
}

/* ---- what must keep working ---------------------------------------------- */

Test(slapd_dane, no_client_certificate_and_ldapi, .fini = stop_server)
{
	struct ldap_run r;
	struct whoami w = {0};

	start_with_module(dance_conf(NULL), NULL, NULL);
	/* anonymous over ldaps:// and StartTLS */
	w.simple = 1;
	ldap_whoami(&srv, &w, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "anonymous\n");
	w.url = srv.url_ldap;
	w.starttls = 1;
	ldap_whoami(&srv, &w, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "anonymous\n");
	/* EXTERNAL without a certificate: not offered */
	memset(&w, 0, sizeof w);
	ldap_whoami(&srv, &w, &r);
	expect_refused(&r, "EXTERNAL without a certificate", NULL);
	/* ldapi:// peer credentials */
	memset(&w, 0, sizeof w);
	w.url = srv.url_ldapi;
	ldap_whoami(&srv, &w, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, PEERCRED);
	slapd_pass(&srv);
}

/* ---- authz-regexp and proxy authorization -------------------------------- */

#define PEOPLE "ou=people,dc=example,dc=org"

static const char people_ldif[] =
        "dn: dc=example,dc=org\n"
        "objectClass: dcObject\n"
        "objectClass: organization\n"
        "dc: example\n"
        "o: example\n"
        "\n"
        "dn: " PEOPLE "\n"
        "objectClass: organizationalUnit\n"
        "ou: people\n"
        "\n"
        "dn: ou=good.test," PEOPLE "\n"
        "objectClass: organizationalUnit\n"
        "ou: good.test\n"
        "\n"
        "dn: ou=other.test," PEOPLE "\n"
        "objectClass: organizationalUnit\n"
        "ou: other.test\n"
        "\n"
        "dn: uid=alice,ou=good.test," PEOPLE "\n"
        "objectClass: inetOrgPerson\n"
        "uid: alice\n"
        "cn: Alice\n"
        "sn: Alice\n"
        "authzTo: dn.exact:uid=bob,ou=other.test," PEOPLE "\n"
        "\n"
        "dn: uid=bob,ou=other.test," PEOPLE "\n"
        "objectClass: inetOrgPerson\n"
        "uid: bob\n"
        "cn: Bob\n"
        "sn: Bob\n"
        "\n"
        "dn: uid=carol,ou=good.test," PEOPLE "\n"
        "objectClass: inetOrgPerson\n"
        "uid: carol\n"
        "cn: Carol\n"
        "sn: Carol\n";

static const char authz_global[] =
        "authz-regexp \"^uid=([^,]+)@([^,]+),cn=dance,cn=auth$\" "
        "\"uid=$1,ou=$2," PEOPLE "\"\n"
        "authz-policy to";

Test(slapd_authz, regexp_maps_to_entry, .fini = stop_server)
{
	struct ldap_run r;

	start_with_module(dance_conf(NULL), authz_global, people_ldif);
	whoami_as(&srv, "alice", 0, NULL, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "dn:uid=alice,ou=good.test," PEOPLE "\n");
	whoami_as(&srv, "bob", 1, NULL, &r);
	cr_expect_str_eq(r.out, "dn:uid=bob,ou=other.test," PEOPLE "\n");
	slapd_pass(&srv);
}

Test(slapd_authz, proxy_authorization_per_policy, .fini = stop_server)
{
	struct ldap_run r;

	start_with_module(dance_conf(NULL), authz_global, people_ldif);
	/* alice's entry says authzTo bob */
	whoami_as(&srv, "alice", 0, "dn:uid=bob,ou=other.test," PEOPLE, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "dn:uid=bob,ou=other.test," PEOPLE "\n");
	/* ... and nobody else */
	whoami_as(&srv, "alice", 0, "dn:uid=carol,ou=good.test," PEOPLE, &r);
	cr_expect_neq(r.status, 0, "alice acted as carol: %s", r.out);
	cr_expect_null(strstr(r.out, "dn:"));
	whoami_as(&srv, "alice", 1, "dn:" ROOTDN, &r);
	cr_expect_neq(r.status, 0, "alice acted as the rootdn: %s", r.out);
	/* bob's entry has no authzTo */
	whoami_as(&srv, "bob", 0, "dn:uid=alice,ou=good.test," PEOPLE, &r);
	cr_expect_neq(r.status, 0, "bob acted as alice: %s", r.out);
	/* a refused certificate cannot use -X either */
	whoami_as(&srv, "slapd-admin-forged", 0,
	          "dn:uid=bob,ou=other.test," PEOPLE, &r);
	expect_refused(&r, "forged certificate with -X", ROOTDN);
	slapd_pass(&srv);
}

/* ---- a silent domain delays only its own users --------------------------- */

struct timed_bind {
	const struct slapd *s;
	const char *cert;
	struct ldap_run r;
};

static void *timed_bind(void *arg)
{
	struct timed_bind *t = arg;

	whoami_as(t->s, t->cert, 0, NULL, &t->r);
	return NULL;
}

Test(slapd_dane, blackholed_domain_does_not_block_others, .fini = stop_server,
     .timeout = 120)
{
	enum { GOOD = 6 };
	struct timed_bind hole = {0}, good[GOOD];
	pthread_t th, tg[GOOD];

	start_with_module(dance_conf(NULL), NULL, NULL);
	hole.s = &srv;
	hole.cert = "slapd-blackhole";
	cr_assert_eq(pthread_create(&th, NULL, timed_bind, &hole), 0);
	/* let its handshake reach the module */
	{
		struct timespec ts = {0, 100000000L};
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < GOOD; i++) {
		memset(&good[i], 0, sizeof good[i]);
		good[i].s = &srv;
		good[i].cert = i % 2 ? "bob" : "alice";
		cr_assert_eq(pthread_create(&tg[i], NULL, timed_bind, &good[i]),
		             0);
	}
	for (int i = 0; i < GOOD; i++)
		pthread_join(tg[i], NULL);
	pthread_join(th, NULL);

	/* the black-holed user waited for the lookup-timeout and was refused */
	expect_refused(&hole.r, "black-holed domain", "cn=dave");
	cr_expect_geq(hole.r.seconds, 0.9, "black-holed bind took %.3f s",
	              hole.r.seconds);
	cr_expect(slapd_log_has(&srv, "temporary"));
	/* everybody else was served meanwhile, well before it ended */
	for (int i = 0; i < GOOD; i++) {
		cr_expect_eq(good[i].r.status, 0, "good bind %d: %s", i,
		             good[i].r.err);
		cr_expect_not_null(strstr(good[i].r.out, "cn=dance,cn=auth"),
		                   "good bind %d: %s", i, good[i].r.out);
		cr_expect_lt(good[i].r.seconds + 0.1, hole.r.seconds - 0.4,
		             "good bind %d took %.3f s, black-holed %.3f s", i,
		             good[i].r.seconds, hole.r.seconds);
	}
	slapd_pass(&srv);
}

/* ---- revocation through DNS, past the module's cache -------------------- */

/* Removing the domain's TLSA records refuses its users once the cached
 * decision expires: max-ttl bounds both the DNS cache and the module's. */
Test(slapd_dane, revocation_within_max_ttl, .fini = stop_server, .timeout = 120)
{
	struct rig *rig = rig_start_private(NULL);
	struct ldap_run r;
	const char *want = "dn:uid=alice@good.test,cn=dance,cn=auth\n";

	cr_assert_not_null(rig, "no private rig");
	start_with_module(dance_conf_for(rig, NULL, "max-ttl 2"), NULL, NULL);
	whoami_as(&srv, "alice", 0, NULL, &r);
	cr_expect_str_eq(r.out, want, "first bind: %s", r.err);
	whoami_as(&srv, "alice", 1, NULL, &r);
	cr_expect_str_eq(r.out, want, "second bind: %s", r.err);
	cr_expect(slapd_log_has(&srv, "(cached)"), "no cache hit");
	cr_assert_eq(
	        rig_zone(rig, "good.test", "del-name",
	                 (const char *[]){"_user.good.test", "TLSA", NULL}),
	        0);
	/* wait out max-ttl (2 s), then the records are asked again */
	{
		struct timespec ts = {3, 200000000L};
		nanosleep(&ts, NULL);
	}
	whoami_as(&srv, "alice", 0, NULL, &r);
	expect_refused(&r, "alice after revocation", "cn=alice");
	cr_expect(slapd_log_has(&srv, "no-tlsa"));
	slapd_pass(&srv);
	slapd_stop(&srv);
	rig_stop(rig);
}

/* ---- start-up, configuration, deployment forms --------------------------- */

struct startfail {
	const char *name;
	const char *args; /* moduleload arguments */
	const char *text; /* dance.conf text, used when args is NULL */
	const char *log;  /* slapd's log has this */
};

Test(slapd_module, bad_configuration_stops_slapd, .fini = stop_server)
{
	static const struct startfail cases[] = {
	        {"missing file", "config=/nonexistent/dance.conf", NULL,
	         "dance_certmap: cannot use /nonexistent/dance.conf"},
	        {"unknown keyword", NULL, "alow-domain good.test\n",
	         "unknown keyword"},
	        {"bad value", NULL, "lookup-timeout soon\n", "lookup-timeout"},
	        {"unknown argument", "config=/etc/dance/dance.conf extra=1",
	         NULL, "bad argument \"extra=1\""},
	        {"empty config=", "config=", NULL, "bad argument \"config=\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct slapd_opts o = {0};

		o.module = module_path();
		o.module_args = cases[i].args;
		o.dance_conf_text = cases[i].text;
		o.expect_fail = 1;
		slapd_start(&srv, &o);
		cr_expect(slapd_log_has(&srv, cases[i].log),
		          "%s: no '%s' in the log", cases[i].name,
		          cases[i].log);
		slapd_pass(&srv);
		slapd_stop(&srv);
	}
}

Test(slapd_module, daemonised_slapd, .fini = stop_server)
{
	struct slapd_opts o = {0};
	struct ldap_run r;

	o.module = module_path();
	o.dance_conf_text = dance_conf(NULL);
	o.daemon = 1;
	slapd_start(&srv, &o);
	whoami_as(&srv, "alice", 0, NULL, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "dn:uid=alice@good.test,cn=dance,cn=auth\n");
	whoami_as(&srv, "slapd-admin-forged", 0, NULL, &r);
	expect_refused(&r, "forged, daemonised", ROOTDN);
	slapd_pass(&srv);
}

/* cn=config: the module added to a running slapd with olcModuleLoad
 * (arguments after the file name, as in slapd.conf). A configuration
 * error makes the add fail and leaves slapd serving; a good one then
 * loads. */
Test(slapd_module, cn_config_runtime_load, .fini = stop_server)
{
	struct slapd_opts o = {0};
	struct ldap_run r;
	char dir[4096], ldif[16384], bad[8192];
	const char *mod = module_path();
	FILE *f;

	o.config_dir = 1;
	slapd_start(&srv, &o);
	/* without the module: EXTERNAL over TLS gives the subject DN */
	whoami_as(&srv, "slapd-admin-forged", 0, NULL, &r);
	cr_expect_str_eq(r.out, "dn:" ROOTDN "\n");

	snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(mod, '/') - mod), mod);
	snprintf(bad, sizeof bad, "%s/bad-dance.conf", srv.dir);
	f = fopen(bad, "w");
	cr_assert_not_null(f);
	fputs("alow-domain good.test\n", f);
	fclose(f);
	snprintf(ldif, sizeof ldif,
	         "dn: cn=module{1},cn=config\n"
	         "changetype: add\n"
	         "objectClass: olcModuleList\n"
	         "cn: module{1}\n"
	         "olcModulePath: %s\n"
	         "olcModuleLoad: dance_certmap.so config=%s\n",
	         dir, bad);
	slapd_ldapmodify(&srv, ldif, &r);
	cr_expect_neq(r.status, 0, "bad configuration accepted: %s", r.out);
	cr_expect(slapd_log_has(&srv, "unknown keyword"));

	snprintf(bad, sizeof bad, "%s/dance.conf", srv.dir);
	f = fopen(bad, "w");
	cr_assert_not_null(f);
	fputs(dance_conf(NULL), f);
	fclose(f);
	snprintf(ldif, sizeof ldif,
	         "dn: cn=module{1},cn=config\n"
	         "changetype: add\n"
	         "objectClass: olcModuleList\n"
	         "cn: module{1}\n"
	         "olcModulePath: %s\n"
	         "olcModuleLoad: dance_certmap.so config=%s\n",
	         dir, bad);
	slapd_ldapmodify(&srv, ldif, &r);
	cr_expect_eq(r.status, 0, "olcModuleLoad: %s", r.err);

	whoami_as(&srv, "alice", 1, NULL, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "dn:uid=alice@good.test,cn=dance,cn=auth\n");
	whoami_as(&srv, "slapd-admin-forged", 0, NULL, &r);
	expect_refused(&r, "forged, after loading", ROOTDN);
	slapd_pass(&srv);
}
