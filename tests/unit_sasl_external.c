/*
 * unit_sasl_external.c -- libdance_external.so inside a stock libsasl2
 * server, in process (sasl_server_init/new/start; no network):
 *
 * - the same table of EXTERNAL exchanges gives the same outcome with only
 *   libsasl2's built-in EXTERNAL (SASL_PATH an empty directory) and with
 *   our plugin installed (SASL_PATH the build tree's plugin directory) and
 *   no peer-chain callback: installing the plugin breaks nothing;
 * - with the callback, the mechanism chosen is ours (a case the built-in
 *   cannot handle at all), and the plugin's own refusals: no external
 *   layer, a failing callback, SASL_AUTH_EXTERNAL ignored once a chain is
 *   there, a domain not on the allow-list;
 * - a DANE user authenticated end to end (no DNS server: the rig's
 *   hermetic configuration reads the signed zone files), and refused when
 *   the application's canon_user changes the identity libdance gave.
 */
#include "rig.h"
#include "tlsmem.h"
#include "verify_util.h"

#include <dance/dance_sasl.h>

#include <criterion/criterion.h>
#include <glob.h>
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGIN_DIR DANCE_BINARY_DIR "/sasl/plugins"

/* A callback as sasl_callback_t stores it (through void (*)(void), which
 * -Wcast-function-type accepts). */
#define CB(f) ((int (*)(void))(void (*)(void))(f))

/* Each Criterion test runs in its own process: these are per test. */
static char logbuf[16384];
static char config_path[256];
static char plugin_dir[256];

static int log_cb(void *context, int level, const char *msg)
{
	size_t n = strlen(logbuf);

	(void)context;
	(void)level;
	snprintf(logbuf + n, sizeof logbuf - n, "%s\n", msg);
	return SASL_OK;
}

static int getopt_cb(void *context, const char *plugin, const char *option,
                     const char **result, unsigned *len)
{
	(void)context;
	(void)plugin;
	if (strcmp(option, "dance_config") == 0 && config_path[0] != '\0') {
		*result = config_path;
		if (len != NULL)
			*len = (unsigned)strlen(config_path);
		return SASL_OK;
	}
	return SASL_FAIL;
}

/* ---- the application's peer chain -------------------------------------- */

struct app_peer {
	int fail; /* callback returns SASL_FAIL */
	size_t n; /* certificates to report */
	unsigned char *der[2];
	size_t lens[2];
	const char *clientname;
};

static int peer_cb(struct sasl_conn *conn, void *context,
                   struct dance_peer *peer)
{
	struct app_peer *p = context;

	(void)conn;
	if (p->fail)
		return SASL_FAIL;
	peer->n = p->n;
	peer->der = (const uint8_t *const *)p->der;
	peer->lens = p->lens;
	peer->clientname = p->clientname;
	return SASL_OK;
}

static struct app_peer global_peer;

static sasl_callback_t global_cbs[] = {
        {SASL_CB_LOG, CB(log_cb), NULL},
        {SASL_CB_GETOPT, CB(getopt_cb), NULL},
        {SASL_CB_LIST_END, NULL, NULL},
};

static sasl_callback_t global_cbs_with_peer[] = {
        {SASL_CB_LOG, CB(log_cb), NULL},
        {SASL_CB_GETOPT, CB(getopt_cb), NULL},
        {DANCE_SASL_CB_PEER_CHAIN, CB(peer_cb), &global_peer},
        {SASL_CB_LIST_END, NULL, NULL},
};

static void make_config(const char *text)
{
	FILE *f;
	char tmpl[] = "/tmp/dance-sasl-test-XXXXXX";
	int fd = mkstemp(tmpl);

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(config_path, sizeof config_path, "%s", tmpl);
}

/* libsasl2's own auxprop plugin, as on an installed system: without an
 * auxprop plugin libsasl2 refuses every authorization identity. */
static int find_sasldb(char *out, size_t len)
{
	static const char *const patterns[] = {
	        "/usr/lib/*/sasl2/libsasldb.so",
	        "/usr/lib*/sasl2/libsasldb.so",
	};
	glob_t g;
	int found = 0;

	for (size_t i = 0; i < 2 && !found; i++) {
		if (glob(patterns[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(out, len, "%s", g.gl_pathv[0]);
			found = 1;
		}
		globfree(&g);
	}
	return found;
}

enum { BUILTIN_ONLY = 0, WITH_PLUGIN = 1 };

/* A plugin directory holding libsasl2's sasldb plugin and, WITH_PLUGIN,
 * ours (symbolic links), then sasl_server_init() with it. */
static void start_server(int mode, sasl_callback_t *cbs)
{
	char tmpl[] = "/tmp/dance-sasl-plugins-XXXXXX", link[300], sasldb[256];

	cr_assert_not_null(mkdtemp(tmpl));
	snprintf(plugin_dir, sizeof plugin_dir, "%s", tmpl);
	if (find_sasldb(sasldb, sizeof sasldb)) {
		snprintf(link, sizeof link, "%s/libsasldb.so", plugin_dir);
		cr_assert_eq(symlink(sasldb, link), 0);
	}
	if (mode == WITH_PLUGIN) {
		snprintf(link, sizeof link, "%s/libdance_external.so",
		         plugin_dir);
		cr_assert_eq(symlink(PLUGIN_DIR "/libdance_external.so", link),
		             0);
	}
	cr_assert_eq(setenv("SASL_PATH", plugin_dir, 1), 0);
	cr_assert_eq(sasl_server_init(cbs, "dance-test"), SASL_OK);
}

static void stop_server(void)
{
	sasl_server_done();
	if (config_path[0] != '\0')
		unlink(config_path);
	if (plugin_dir[0] != '\0') {
		char link[300];
		snprintf(link, sizeof link, "%s/libsasldb.so", plugin_dir);
		unlink(link);
		snprintf(link, sizeof link, "%s/libdance_external.so",
		         plugin_dir);
		unlink(link);
		rmdir(plugin_dir);
		plugin_dir[0] = '\0';
	}
}

static sasl_conn_t *new_conn(const char *authid, unsigned ssf,
                             unsigned secflags, sasl_callback_t *cbs)
{
	sasl_conn_t *conn = NULL;
	sasl_security_properties_t props = {0};
	sasl_ssf_t s = ssf;

	cr_assert_eq(sasl_server_new("imap", "server.test", NULL, NULL, NULL,
	                             cbs, 0, &conn),
	             SASL_OK);
	props.security_flags = secflags;
	props.max_ssf = 256;
	props.maxbufsize = 4096;
	cr_assert_eq(sasl_setprop(conn, SASL_SEC_PROPS, &props), SASL_OK);
	cr_assert_eq(sasl_setprop(conn, SASL_SSF_EXTERNAL, &s), SASL_OK);
	if (authid != NULL)
		cr_assert_eq(sasl_setprop(conn, SASL_AUTH_EXTERNAL, authid),
		             SASL_OK);
	return conn;
}

/* ---- stock behaviour: built-in alone vs. plugin without callback ------- */

struct stock_case {
	const char *name;
	const char *authid;   /* SASL_AUTH_EXTERNAL, NULL: unset */
	const char *clientin; /* NULL: no initial response */
	const char *user;     /* SASL_USERNAME when SASL_OK */
	unsigned secflags;    /* application's security flags */
	int expect;           /* sasl_server_start() */
};

static const struct stock_case stock_cases[] = {
        {"identity, empty authzid", "cn=admin", "", "cn=admin", 0, SASL_OK},
        {"authzid equal to the identity", "cn=admin", "cn=admin", "cn=admin", 0,
         SASL_OK},
        {"another authzid, default policy", "cn=admin", "cn=root", NULL, 0,
         SASL_BADAUTH},
        {"no external identity", NULL, "", NULL, 0, SASL_NOMECH},
        {"anonymous refused", "anonymous", "", NULL, SASL_SEC_NOANONYMOUS,
         SASL_NOAUTHZ},
        {"anonymous allowed", "anonymous", "", "anonymous", 0, SASL_OK},
        {"no initial response", "cn=admin", NULL, NULL, 0, SASL_CONTINUE},
        {"uid form", "alice@example.org", "", "alice@example.org",
         SASL_SEC_NOPLAINTEXT, SASL_OK},
};

static void run_stock_table(void)
{
	for (size_t i = 0; i < sizeof stock_cases / sizeof stock_cases[0];
	     i++) {
		const struct stock_case *k = &stock_cases[i];
		sasl_conn_t *conn = new_conn(k->authid, 256, k->secflags, NULL);
		const char *out = NULL, *user = NULL;
		unsigned outlen = 0;
		int r = sasl_server_start(
		        conn, "EXTERNAL", k->clientin,
		        k->clientin ? (unsigned)strlen(k->clientin) : 0, &out,
		        &outlen);

		cr_expect_eq(r, k->expect, "%s: %d (%s)", k->name, r,
		             sasl_errdetail(conn));
		if (r == SASL_OK && k->user != NULL) {
			cr_assert_eq(sasl_getprop(conn, SASL_USERNAME,
			                          (const void **)&user),
			             SASL_OK);
			cr_expect_str_eq(user, k->user, "%s", k->name);
		}
		if (r == SASL_CONTINUE) { /* then the empty response */
			r = sasl_server_step(conn, "", 0, &out, &outlen);
			cr_expect_eq(r, SASL_OK, "%s: step %d", k->name, r);
		}
		sasl_dispose(&conn);
	}
}

Test(sasl_stock, builtin_only)
{
	start_server(BUILTIN_ONLY, global_cbs);
	run_stock_table();
	stop_server();
}

Test(sasl_stock, plugin_installed_no_callback)
{
	start_server(WITH_PLUGIN, global_cbs);
	run_stock_table();
	/* The plugin never touched dance's configuration. */
	cr_expect_null(strstr(logbuf, "DANCE EXTERNAL"), "%s", logbuf);
	stop_server();
}

Test(sasl_stock, long_authzid)
{
	static char big[20000];

	memset(big, 'a', sizeof big - 1);
	for (int plugin = 0; plugin < 2; plugin++) {
		start_server(plugin ? WITH_PLUGIN : BUILTIN_ONLY, global_cbs);
		sasl_conn_t *conn = new_conn("cn=admin", 256, 0, NULL);
		const char *out;
		unsigned outlen;
		cr_expect_eq(sasl_server_start(conn, "EXTERNAL", big,
		                               sizeof big - 1, &out, &outlen),
		             SASL_BADPROT, "plugin %d", plugin);
		sasl_dispose(&conn);
		stop_server();
	}
}

/* ---- with the peer-chain callback ---------------------------------------- */

static struct tm_cert leaf;

static void chain_init(void)
{
	cr_assert(tm_cert_make(&leaf, "alice",
	                       "DNS:notallowed.test,otherName:0.9.2342."
	                       "19200300.100.1.1;UTF8:alice",
	                       NULL, 0));
	global_peer.n = 1;
	global_peer.der[0] = NULL;
	int len = i2d_X509(leaf.cert, &global_peer.der[0]);
	cr_assert(len > 0);
	global_peer.lens[0] = (size_t)len;
	make_config("allow-domain example.org\n");
}

static void chain_fini(void)
{
	OPENSSL_free(global_peer.der[0]);
	tm_cert_free(&leaf);
}

TestSuite(sasl_dance, .init = chain_init, .fini = chain_fini);

struct dance_case {
	const char *name;
	const char *authid;
	unsigned ssf;
	int fail; /* callback fails */
	size_t n; /* certificates reported */
	int expect;
	const char *log; /* expected in the log */
};

/* What the plugin does with a chain. Which mechanism ran shows in the
 * outcome: the built-in never looks at a chain (NOMECH without
 * SASL_AUTH_EXTERNAL, success with it). */
static void run_dance_table(sasl_callback_t *conn_cbs)
{
	static const struct dance_case cases[] = {
	        {"chain, domain not allowed", NULL, 256, 0, 1, SASL_BADAUTH,
	         "refused (not-allowed)"},
	        {"chain wins over SASL_AUTH_EXTERNAL", "cn=admin", 256, 0, 1,
	         SASL_BADAUTH, "refused (not-allowed)"},
	        {"chain without an external layer", NULL, 0, 0, 1, SASL_BADAUTH,
	         "no external security layer"},
	        {"callback fails", "cn=admin", 256, 1, 1, SASL_FAIL,
	         "peer-chain callback failed"},
	        {"no chain: built-in behaviour", "cn=admin", 256, 0, 0, SASL_OK,
	         NULL},
	        {"no chain, no identity", NULL, 256, 0, 0, SASL_NOMECH, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct dance_case *k = &cases[i];
		sasl_conn_t *conn;
		const char *out;
		unsigned outlen;
		int r;

		logbuf[0] = '\0';
		global_peer.fail = k->fail;
		global_peer.n = k->n;
		conn = new_conn(k->authid, k->ssf, 0, conn_cbs);
		r = sasl_server_start(conn, "EXTERNAL", "", 0, &out, &outlen);
		cr_expect_eq(r, k->expect, "%s: %d (%s) log: %s", k->name, r,
		             sasl_errdetail(conn), logbuf);
		if (k->log != NULL)
			cr_expect_not_null(strstr(logbuf, k->log),
			                   "%s: log: %s", k->name, logbuf);
		sasl_dispose(&conn);
	}
	global_peer.fail = 0;
	global_peer.n = 1;
}

Test(sasl_dance, callback_per_connection)
{
	sasl_callback_t conn_cbs[] = {
	        {DANCE_SASL_CB_PEER_CHAIN, CB(peer_cb), &global_peer},
	        {SASL_CB_LIST_END, NULL, NULL},
	};

	start_server(WITH_PLUGIN, global_cbs);
	run_dance_table(conn_cbs);
	stop_server();
}

Test(sasl_dance, callback_global)
{
	start_server(WITH_PLUGIN, global_cbs_with_peer);
	run_dance_table(NULL);
	stop_server();
}

/* Only the built-in: a chain alone does not make EXTERNAL available. */
Test(sasl_dance, builtin_ignores_chain)
{
	start_server(BUILTIN_ONLY, global_cbs_with_peer);
	sasl_conn_t *conn = new_conn(NULL, 256, 0, NULL);
	const char *out;
	unsigned outlen;

	cr_expect_eq(sasl_server_start(conn, "EXTERNAL", "", 0, &out, &outlen),
	             SASL_NOMECH);
	sasl_dispose(&conn);
	stop_server();
}

/* EXTERNAL is offered once there is a chain, before any identity. */
Test(sasl_dance, listed_with_chain)
{
	start_server(WITH_PLUGIN, global_cbs_with_peer);
	sasl_conn_t *conn = new_conn(NULL, 256, 0, NULL);
	const char *list = NULL;
	unsigned len;
	int count;

	cr_assert_eq(
	        sasl_listmech(conn, NULL, "", " ", "", &list, &len, &count),
	        SASL_OK);
	cr_expect_not_null(strstr(list, "EXTERNAL"), "%s", list);
	sasl_dispose(&conn);
	stop_server();
}

/* ---- canon_user must leave a DANE identity as libdance gave it ---------- */

enum canon_mode { CANON_SAME, CANON_UPPER, CANON_OTHER, CANON_SUFFIX };

/* An application's canon_user callback (SASL_CB_CANON_USER) that copies,
 * uppercases, replaces or extends the identity (libsasl2's own canon_user
 * runs on what it returns; it strips leading and trailing white space, so
 * a space would come back out). */
static int canon_cb(sasl_conn_t *conn, void *context, const char *in,
                    unsigned inlen, unsigned flags, const char *user_realm,
                    char *out, unsigned out_max, unsigned *out_len)
{
	const enum canon_mode *mode = context;
	int n;

	(void)conn;
	(void)flags;
	(void)user_realm;
	if (*mode == CANON_OTHER)
		n = snprintf(out, out_max, "%s", "mallory@ta201.good.test");
	else if (*mode == CANON_SUFFIX)
		n = snprintf(out, out_max, "%.*s.x", (int)inlen, in);
	else
		n = snprintf(out, out_max, "%.*s", (int)inlen, in);
	if (n < 0 || (unsigned)n >= out_max)
		return SASL_BUFOVER;
	if (*mode == CANON_UPPER)
		for (int i = 0; i < n; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 'a' + 'A');
	*out_len = (unsigned)n;
	return SASL_OK;
}

/* v-ta201's chain (leaf, CA) as the application reports it; the rig's
 * hermetic dance.conf copied to config_path (stop_server removes it). */
static void dane_user_init(struct app_peer *p)
{
	STACK_OF(X509) *chain = vu_chain("v-ta201.chain.pem");
	const char *conf = rig_conf(NULL, RIG_CONF_HERMETIC);
	char *text;

	cr_assert_eq(sk_X509_num(chain), 2);
	memset(p, 0, sizeof *p);
	for (int i = 0; i < 2; i++) {
		int len = i2d_X509(sk_X509_value(chain, i), &p->der[i]);
		cr_assert(len > 0);
		p->lens[i] = (size_t)len;
	}
	p->n = 2;
	sk_X509_pop_free(chain, X509_free);
	cr_assert_not_null(conf, "no fixtures");
	text = vu_slurp(conf, NULL);
	make_config(text);
	free(text);
}

Test(sasl_canon, dane_identity_must_survive_canon_user, .timeout = 120)
{
	static const struct {
		const char *name;
		enum canon_mode mode;
		const char *authzid; /* clientin */
		int expect;
		const char *log; /* in the log, or NULL */
	} cases[] = {
	        {"canon_user leaves it", CANON_SAME, "", SASL_OK,
	         "DANCE EXTERNAL: authenticated alice@ta201.good.test"},
	        {"canon_user leaves it, authzid the same", CANON_SAME,
	         "alice@ta201.good.test", SASL_OK, NULL},
	        {"canon_user uppercases it", CANON_UPPER, "", SASL_BADAUTH,
	         "canon_user turned the authentication identity "
	         "'alice@ta201.good.test' into 'ALICE@TA201.GOOD.TEST'"},
	        {"canon_user maps it to another user", CANON_OTHER, "",
	         SASL_BADAUTH, "into 'mallory@ta201.good.test'"},
	        {"canon_user extends it", CANON_SUFFIX, "", SASL_BADAUTH,
	         "into 'alice@ta201.good.test.x'"},
	};
	struct app_peer peer;
	enum canon_mode mode = CANON_SAME;
	sasl_callback_t conn_cbs[] = {
	        {DANCE_SASL_CB_PEER_CHAIN, CB(peer_cb), &peer},
	        {SASL_CB_CANON_USER, CB(canon_cb), &mode},
	        {SASL_CB_LIST_END, NULL, NULL},
	};

	dane_user_init(&peer);
	start_server(WITH_PLUGIN, global_cbs);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasl_conn_t *conn;
		const char *out, *user = NULL;
		unsigned outlen;
		int r;

		logbuf[0] = '\0';
		mode = cases[i].mode;
		conn = new_conn(NULL, 256, 0, conn_cbs);
		r = sasl_server_start(conn, "EXTERNAL", cases[i].authzid,
		                      (unsigned)strlen(cases[i].authzid), &out,
		                      &outlen);
		cr_expect_eq(r, cases[i].expect, "%s: %d (%s) log: %s",
		             cases[i].name, r, sasl_errdetail(conn), logbuf);
		if (r == SASL_OK) {
			cr_assert_eq(sasl_getprop(conn, SASL_USERNAME,
			                          (const void **)&user),
			             SASL_OK);
			cr_expect_str_eq(user, "alice@ta201.good.test", "%s",
			                 cases[i].name);
		}
		if (cases[i].log != NULL)
			cr_expect_not_null(strstr(logbuf, cases[i].log),
			                   "%s: log: %s", cases[i].name,
			                   logbuf);
		sasl_dispose(&conn);
	}
	stop_server();
	for (int i = 0; i < 2; i++)
		OPENSSL_free(peer.der[i]);
}
