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
 *   there, a domain not on the allow-list.
 */
#include "tlsmem.h"

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
