/*
 * e2e_imap.c -- IMAP AUTHENTICATE EXTERNAL by DANE users, end to end: the
 * example server dance-imapd (OpenSSL + real libsasl2) with
 * libdance_external.so loaded from the build tree (SASL_PATH), the DNS rig
 * on loopback, and two real clients: Cyrus imtest(1) and the example
 * dance-tls-client (which sends dane_clientid).
 *
 * - a DANE user authenticates as uid@domain, with imtest and with the
 *   example client; the mechanism that ran is ours (the server never sets
 *   SASL_AUTH_EXTERNAL, so the built-in EXTERNAL could not have);
 * - authorization identities allowed and refused by the server's policy;
 * - every verification case of tests/verify_cases.h that the rig serves:
 *   the accepted ones authenticate with their identity, each refused one
 *   yields NO and the server logs the verdict;
 * - a ClientName whose domain is not on the allow-list is refused and
 *   nothing is asked of DNS; DNS not answering gives NO [UNAVAILABLE].
 * Every server and client is started by this test and stopped by pid, also
 * when an assertion fails (proc.h stops what is left at exit).
 */
#include "proc.h"
#include "rig.h"
#include "verify_cases.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rig_hooks.h"

#define IMAPD      DANCE_BINARY_DIR "/examples/dance-imapd"
#define CLIENT     DANCE_BINARY_DIR "/examples/dance-tls-client"
#define PLUGIN     DANCE_BINARY_DIR "/sasl/plugins/libdance_external.so"
#define IMTEST     "/usr/lib/cyrus/bin/imtest"
#define ADMIN      "alice@good.test" /* may authorize as anyone */
#define TIMEOUT_MS 30000

struct imapd {
	pid_t pid;
	int port;
	char dir[256]; /* plugin directory and log */
	char log[300];
	size_t log_mark; /* log length before the current client */
};

/* A directory with our plugin and libsasl2's sasldb auxprop plugin, as on
 * an installed system (libsasl2 refuses authorization identities without
 * an auxprop plugin). */
static void plugin_dir(struct imapd *d)
{
	static const char *const sasldb[] = {
	        "/usr/lib/x86_64-linux-gnu/sasl2/libsasldb.so",
	        "/usr/lib/aarch64-linux-gnu/sasl2/libsasldb.so",
	        "/usr/lib/sasl2/libsasldb.so",
	};
	char tmpl[] = "/tmp/dance-imap-XXXXXX", link[300];

	cr_assert_not_null(mkdtemp(tmpl));
	snprintf(d->dir, sizeof d->dir, "%s", tmpl);
	snprintf(link, sizeof link, "%s/libdance_external.so", d->dir);
	cr_assert_eq(symlink(PLUGIN, link), 0);
	for (size_t i = 0; i < sizeof sasldb / sizeof sasldb[0]; i++) {
		if (access(sasldb[i], R_OK) == 0) {
			snprintf(link, sizeof link, "%s/libsasldb.so", d->dir);
			cr_assert_eq(symlink(sasldb[i], link), 0);
			break;
		}
	}
	snprintf(d->log, sizeof d->log, "%s/imapd.log", d->dir);
}

/* Start dance-imapd with conf (a dance.conf) and extra (NULL-ended, may be
 * NULL) arguments. */
static void imapd_start(struct imapd *d, const char *conf,
                        const char *const *extra)
{
	char cert[256], key[256], port[16], env[300];
	const char *argv[32];
	size_t n;

	memset(d, 0, sizeof *d);
	plugin_dir(d);
	cr_assert_not_null(rig_fixture(cert, sizeof cert, "pki/imapd.pem"));
	cr_assert_not_null(rig_fixture(key, sizeof key, "pki/imapd.key"));
	snprintf(env, sizeof env, "SASL_PATH=%s", d->dir);
	const char *envp[] = {env, NULL};
	struct proc_opts o = {
	        .stdout_path = d->log, .stderr_path = d->log, .env = envp};
	for (int attempt = 0; attempt < 3; attempt++) {
		n = 0;
		d->port = proc_free_port();
		snprintf(port, sizeof port, "%d", d->port);
		argv[n++] = IMAPD;
		argv[n++] = "-c";
		argv[n++] = cert;
		argv[n++] = "-k";
		argv[n++] = key;
		argv[n++] = "-p";
		argv[n++] = port;
		argv[n++] = "-d";
		argv[n++] = conf;
		argv[n++] = "-A";
		argv[n++] = ADMIN;
		argv[n++] = "-t";
		argv[n++] = "20";
		for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
			cr_assert_lt(n, sizeof argv / sizeof argv[0] - 1);
			argv[n++] = extra[i];
		}
		argv[n] = NULL;
		cr_assert_eq(proc_spawn(&d->pid, argv, &o), 0);
		if (proc_wait_port_pid(d->port, 5000, d->pid, NULL) == 0)
			return;
		proc_stop(d->pid, 1000); /* port taken meanwhile: again */
	}
	cr_assert_fail("dance-imapd did not start; log %s", d->log);
}

/* Stop the server; it must exit cleanly (under ASan, LeakSanitizer runs at
 * that exit). */
static void imapd_stop(struct imapd *d)
{
	char link[300];
	int status = proc_stop(d->pid, 3000);

	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "dance-imapd did not exit cleanly (status %#x); log %s",
	          status, d->log);
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return; /* keep the log */
	snprintf(link, sizeof link, "%s/libdance_external.so", d->dir);
	unlink(link);
	snprintf(link, sizeof link, "%s/libsasldb.so", d->dir);
	unlink(link);
	unlink(d->log);
	rmdir(d->dir);
}

/* The server's log written since the last mark (malloc'd). */
static char *log_since_mark(const struct imapd *d)
{
	size_t len = 0;
	char *all = proc_read_file(d->log, &len), *out;

	cr_assert_not_null(all);
	out = strdup(d->log_mark <= len ? all + d->log_mark : "");
	free(all);
	return out;
}

static void mark_log(struct imapd *d)
{
	size_t len = 0;
	char *all = proc_read_file(d->log, &len);

	d->log_mark = all != NULL ? len : 0;
	free(all);
}

/* The key of a chain file: v-X.chain.pem -> v-X.key (v-badsig-flipped's
 * key is v-badsig's). */
static void key_of(const char *chain, char *out, size_t len)
{
	char rel[256], path[300];
	size_t n = strcspn(chain, ".");

	snprintf(rel, sizeof rel, "pki/%.*s.key", (int)n, chain);
	if (rig_fixture(path, sizeof path, rel) != NULL &&
	    access(path, R_OK) == 0) {
		snprintf(out, len, "%s", path);
		return;
	}
	if (n > 8 && strncmp(chain + n - 8, "-flipped", 8) == 0)
		n -= 8;
	snprintf(rel, sizeof rel, "pki/%.*s.key", (int)n, chain);
	cr_assert_not_null(rig_fixture(out, len, rel));
}

/* Run dance-tls-client; returns its exit status, res holds its output.
 * no_ir: AUTHENTICATE without an initial response (the server asks). */
static int client_ir(struct imapd *d, const char *chain, const char *clientname,
                     const char *authzid, int no_ir, struct proc_result *res)
{
	char cert[300], key[300], server_ca[300], rel[256], port[16];
	const char *argv[20];
	size_t n = 0;

	snprintf(rel, sizeof rel, "pki/%s", chain);
	cr_assert_not_null(rig_fixture(cert, sizeof cert, rel));
	key_of(chain, key, sizeof key);
	cr_assert_not_null(
	        rig_fixture(server_ca, sizeof server_ca, "pki/imapd.pem"));
	snprintf(port, sizeof port, "%d", d->port);
	argv[n++] = CLIENT;
	argv[n++] = "-p";
	argv[n++] = port;
	argv[n++] = "-c";
	argv[n++] = cert;
	argv[n++] = "-k";
	argv[n++] = key;
	argv[n++] = "-C";
	argv[n++] = server_ca;
	if (clientname != NULL) {
		argv[n++] = "-n";
		argv[n++] = clientname;
	}
	if (authzid != NULL) {
		argv[n++] = "-u";
		argv[n++] = authzid;
	}
	if (no_ir)
		argv[n++] = "-I";
	/* send any certificate, weak ones too: the server must refuse */
	argv[n++] = "-L";
	argv[n++] = "0";
	argv[n] = NULL;
	mark_log(d);
	cr_assert_eq(proc_run(res, argv, NULL, TIMEOUT_MS, NULL), 0);
	cr_assert(!res->timed_out, "client timed out");
	return res->exited ? res->exit_code : -1;
}

static int client(struct imapd *d, const char *chain, const char *clientname,
                  const char *authzid, struct proc_result *res)
{
	return client_ir(d, chain, clientname, authzid, 0, res);
}

/* ---- a DANE user ------------------------------------------------------------- */

Test(e2e_imap, example_client_authenticates)
{
	const struct rig *rig = rig_start();
	struct imapd d;
	struct proc_result res;
	char *log;

	cr_assert_not_null(rig);
	imapd_start(&d, rig_conf(rig, RIG_CONF_FRONT), NULL);
	cr_expect_eq(client(&d, "alice.chain.pem", NULL, NULL, &res), 0, "%s%s",
	             res.out, res.err);
	cr_expect_not_null(strstr(res.out, "b OK ["), "%s", res.out);
	cr_expect_not_null(strstr(res.out, "alice@good.test authenticated "
	                                   "(as alice@good.test)"),
	                   "%s", res.out);
	log = log_since_mark(&d);
	/* ours ran: the server never set SASL_AUTH_EXTERNAL */
	cr_expect_not_null(
	        strstr(log, "DANCE EXTERNAL: authenticated alice@good.test"),
	        "%s", log);
	cr_expect_not_null(strstr(log, "AUTHENTICATED authid=alice@good.test "
	                               "authzid=alice@good.test"),
	                   "%s", log);
	free(log);
	proc_result_free(&res);
	/* without SASL-IR: the server sends "+ " and the client answers */
	cr_expect_eq(client_ir(&d, "alice.chain.pem", NULL, "shared@good.test",
	                       1, &res),
	             0, "%s%s", res.out, res.err);
	cr_expect_not_null(strstr(res.out, "(as shared@good.test)"), "%s",
	                   res.out);
	proc_result_free(&res);
	imapd_stop(&d);
}

struct imtest_case {
	const char *name;
	const char *full; /* key and chain, PEM */
	int ok;
	const char *identity;
};

Test(e2e_imap, imtest)
{
	static const struct imtest_case cases[] = {
	        {"DANE user", "pki/alice.full.pem", 1, "alice@good.test"},
	        {"user of another domain", "pki/bob.full.pem", 1,
	         "bob@other.test"},
	        {"bogus DNS", "pki/alice-bogus.full.pem", 0, NULL},
	        {"insecure DNS", "pki/alice-insecure.full.pem", 0, NULL},
	        {"CA of another domain", "pki/v-cross.full.pem", 0, NULL},
	};
	const struct rig *rig = rig_start();
	struct imapd d;

	cr_assert_not_null(rig);
	if (access(IMTEST, X_OK) != 0)
		cr_skip_test("%s not installed (package cyrus-clients)",
		             IMTEST);
	imapd_start(&d, rig_conf(rig, RIG_CONF_FRONT), NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct imtest_case *k = &cases[i];
		char full[300], port[16], want[128];
		struct proc_result res;
		char *log;

		cr_assert_not_null(rig_fixture(full, sizeof full, k->full));
		snprintf(port, sizeof port, "%d", d.port);
		const char *argv[] = {IMTEST, "-t",        full,
		                      "-m",   "EXTERNAL",  "-p",
		                      port,   "localhost", NULL};
		mark_log(&d);
		cr_assert_eq(proc_run(&res, argv, NULL, TIMEOUT_MS, NULL), 0);
		cr_expect(!res.timed_out, "%s: imtest timed out", k->name);
		log = log_since_mark(&d);
		if (k->ok) {
			snprintf(want, sizeof want,
			         "AUTHENTICATED authid=%s authzid=%s",
			         k->identity, k->identity);
			cr_expect_not_null(strstr(res.out, "Authenticated."),
			                   "%s: %s%s", k->name, res.out,
			                   res.err);
			cr_expect_not_null(strstr(log, want), "%s: %s", k->name,
			                   log);
		} else {
			cr_expect_null(strstr(res.out, "Authenticated."),
			               "%s: %s", k->name, res.out);
			cr_expect_null(strstr(log, "AUTHENTICATED"), "%s: %s",
			               k->name, log);
			cr_expect_not_null(
			        strstr(log, "DANCE EXTERNAL: refused"),
			        "%s: %s", k->name, log);
		}
		free(log);
		proc_result_free(&res);
	}
	imapd_stop(&d);
}

/* ---- authorization identities --------------------------------------------- */

struct authz_case {
	const char *name;
	const char *chain;
	const char *authzid;
	int exit_code;
	const char *logged; /* in the server's log */
};

Test(e2e_imap, authorization_identity)
{
	static const struct authz_case cases[] = {
	        {"admin acts as another user", "alice.chain.pem",
	         "shared@good.test", 0,
	         "authid=alice@good.test authzid=shared@good.test"},
	        {"authzid equal to the identity", "alice.chain.pem",
	         "alice@good.test", 0,
	         "authid=alice@good.test authzid=alice@good.test"},
	        {"user acts as itself", "bob.chain.pem", "bob@other.test", 0,
	         "authid=bob@other.test authzid=bob@other.test"},
	        {"user acts as another user", "bob.chain.pem",
	         "alice@good.test", 1,
	         "bob@other.test may not authorize as alice@good.test"},
	        {"authzid of itself in another case", "bob.chain.pem",
	         "Bob@other.test", 1, "may not authorize"},
	};
	const struct rig *rig = rig_start();
	struct imapd d;

	cr_assert_not_null(rig);
	imapd_start(&d, rig_conf(rig, RIG_CONF_FRONT), NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct authz_case *k = &cases[i];
		struct proc_result res;
		int ex = client(&d, k->chain, NULL, k->authzid, &res);
		char *log = log_since_mark(&d);

		cr_expect_eq(ex, k->exit_code, "%s: exit %d: %s", k->name, ex,
		             res.out);
		cr_expect_not_null(strstr(log, k->logged), "%s: %s", k->name,
		                   log);
		if (k->exit_code != 0)
			cr_expect_not_null(
			        strstr(res.out, "NO [AUTHORIZATIONFAILED]"),
			        "%s: %s", k->name, res.out);
		free(log);
		proc_result_free(&res);
	}
	imapd_stop(&d);
}

/* ---- the verification table through IMAP ---------------------------------- */

/* tls_outcome(): TLS 1.3 has no signature scheme for a P-192 key, so the
 * client cannot use that certificate and sends none; EXTERNAL is refused
 * without a chain to verify. */
#define NO_CERT_SENT (-1)

/* Over TLS a ClientName without "_user." is the draft's form (the
 * client's domain name): the integration adds the label before verifying,
 * so this case of the library's table authenticates here. */
static int tls_outcome(const struct verify_case *c, const char **identity)
{
	*identity = c->identity;
	if (strcmp(c->chain, "v-weakleafp192.chain.pem") == 0)
		return NO_CERT_SENT;
	if (c->verdict == DANCE_REFUSED_CLIENTID && c->clientname != NULL &&
	    strncasecmp(c->clientname, "_user.", 6) != 0 &&
	    strcmp(c->chain, "v-ta201.chain.pem") == 0) {
		*identity = "alice@ta201.good.test";
		return DANCE_AUTHENTICATED;
	}
	return (int)c->verdict;
}

Test(e2e_imap, verification_cases)
{
	const struct rig *rig = rig_start();
	struct imapd d;
	size_t ran = 0;

	cr_assert_not_null(rig);
	imapd_start(&d, rig_conf(rig, RIG_CONF_FRONT), NULL);
	for (size_t i = 0; i < N_VERIFY_CASES; i++) {
		const struct verify_case *c = &verify_cases[i];
		const char *identity;
		struct proc_result res;
		char want[512];
		int outcome, ex;
		char *log;

		if ((c->where & VC_RIG) == 0)
			continue;
		outcome = tls_outcome(c, &identity);
		ex = client(&d, c->chain, c->clientname, NULL, &res);
		log = log_since_mark(&d);
		ran++;
		if (outcome == DANCE_AUTHENTICATED) {
			snprintf(want, sizeof want,
			         "AUTHENTICATED authid=%s authzid=%s", identity,
			         identity);
			cr_expect_eq(ex, 0, "%s: exit %d: %s", c->name, ex,
			             res.out);
			cr_expect_not_null(strstr(log, want), "%s: %s", c->name,
			                   log);
		} else {
			if (outcome == NO_CERT_SENT)
				snprintf(want, sizeof want, "%s",
				         "client certificate none");
			else
				snprintf(want, sizeof want,
				         "DANCE EXTERNAL: refused (%s)",
				         dance_verdict_name(
				                 (enum dance_verdict)outcome));
			cr_expect_eq(ex, 1, "%s: exit %d: %s", c->name, ex,
			             res.out);
			cr_expect_not_null(
			        strstr(res.out, "NO [AUTHENTICATIONFAILED]"),
			        "%s: %s", c->name, res.out);
			cr_expect_null(strstr(log, "AUTHENTICATED"), "%s: %s",
			               c->name, log);
			cr_expect_not_null(strstr(log, want),
			                   "%s: want '%s' in %s", c->name, want,
			                   log);
		}
		free(log);
		proc_result_free(&res);
	}
	cr_expect_gt(ran, 40, "only %zu cases ran", ran);
	imapd_stop(&d);
}

/* ---- dane_clientid, allow-list, DNS failure ------------------------------- */

/* The rig's configuration with "allow-domain *" narrowed to good.test. */
static void narrow_conf(const struct rig *rig, char *out, size_t len)
{
	char tmpl[] = "/tmp/dance-imap-conf-XXXXXX";
	char *text = proc_read_file(rig_conf(rig, RIG_CONF_FRONT), NULL);
	char *line, *rest;
	int fd = mkstemp(tmpl);
	FILE *f;

	cr_assert_not_null(text);
	cr_assert(fd >= 0);
	cr_assert_not_null(f = fdopen(fd, "w"));
	for (rest = text; (line = strsep(&rest, "\n")) != NULL;)
		if (strncmp(line, "allow-domain", 12) != 0)
			fprintf(f, "%s\n", line);
	fprintf(f, "allow-domain good.test\n");
	fclose(f);
	free(text);
	snprintf(out, len, "%s", tmpl);
}

struct allow_case {
	const char *name;
	const char *chain;
	const char *clientname;
	int exit_code;
	const char *logged;
	const char *never_asked; /* a name DNS must not have been asked */
};

Test(e2e_imap, clientname_and_allow_list)
{
	static const struct allow_case cases[] = {
	        {"ClientName = the dNSName", "alice.chain.pem", "good.test", 0,
	         "ClientName good.test", NULL},
	        {"ClientName in the _user form", "alice.chain.pem",
	         "_user.good.test", 0, "ClientName _user.good.test", NULL},
	        {"ClientName of a domain not allowed", "alice.chain.pem",
	         "evil-imap.test", 1, "refused (not-allowed)",
	         "_user.evil-imap.test"},
	        {"_user ClientName not allowed", "alice.chain.pem",
	         "_user.evil-imap2.test", 1, "refused (not-allowed)",
	         "_user.evil-imap2.test"},
	        {"certificate of a domain not allowed", "bob.chain.pem", NULL,
	         1, "refused (not-allowed)", NULL},
	};
	const struct rig *rig = rig_start();
	char conf[256];
	struct imapd d;

	cr_assert_not_null(rig);
	narrow_conf(rig, conf, sizeof conf);
	imapd_start(&d, conf, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct allow_case *k = &cases[i];
		struct proc_result res;
		int ex = client(&d, k->chain, k->clientname, NULL, &res);
		char *log = log_since_mark(&d);

		cr_expect_eq(ex, k->exit_code, "%s: exit %d: %s", k->name, ex,
		             res.out);
		cr_expect_not_null(strstr(log, k->logged), "%s: %s", k->name,
		                   log);
		if (k->never_asked != NULL)
			cr_expect_eq(rig_query_count(rig, k->never_asked), 0,
			             "%s: DNS was asked", k->name);
		free(log);
		proc_result_free(&res);
	}
	imapd_stop(&d);
	unlink(conf);
}

Test(e2e_imap, several_dnsnames_need_a_clientname)
{
	const struct rig *rig = rig_start();
	struct proc_result res;
	struct imapd d;
	char *log;

	cr_assert_not_null(rig);
	imapd_start(&d, rig_conf(rig, RIG_CONF_FRONT), NULL);
	cr_expect_eq(client(&d, "v-multi.chain.pem", NULL, NULL, &res), 1);
	log = log_since_mark(&d);
	cr_expect_not_null(strstr(log, "refused (ambiguous-domain)"), "%s",
	                   log);
	free(log);
	proc_result_free(&res);
	cr_expect_eq(
	        client(&d, "v-multi.chain.pem", "multib.good.test", NULL, &res),
	        0, "%s", res.out);
	cr_expect_not_null(strstr(res.out, "alice@multib.good.test"), "%s",
	                   res.out);
	proc_result_free(&res);
	imapd_stop(&d);
}

Test(e2e_imap, dns_down_is_temporary)
{
	const struct rig *rig = rig_start();
	struct proc_result res;
	struct imapd d;
	char *log;

	cr_assert_not_null(rig);
	imapd_start(&d, rig_conf(rig, RIG_CONF_BLACKHOLE), NULL);
	cr_expect_eq(client(&d, "alice.chain.pem", NULL, NULL, &res), 3, "%s",
	             res.out);
	cr_expect_not_null(strstr(res.out, "NO [UNAVAILABLE]"), "%s", res.out);
	log = log_since_mark(&d);
	cr_expect_not_null(strstr(log, "temporary failure"), "%s", log);
	cr_expect_null(strstr(log, "AUTHENTICATED"), "%s", log);
	free(log);
	proc_result_free(&res);
	imapd_stop(&d);
}

/* The library's in-handshake mode, next to the plugin. */
Test(e2e_imap, verify_in_handshake)
{
	static const char *const extra[] = {"-H", NULL};
	const struct rig *rig = rig_start();
	struct proc_result res;
	struct imapd d;
	char *log;

	cr_assert_not_null(rig);
	imapd_start(&d, rig_conf(rig, RIG_CONF_FRONT), extra);
	cr_expect_eq(client(&d, "alice.chain.pem", "good.test", NULL, &res), 0,
	             "%s", res.out);
	log = log_since_mark(&d);
	cr_expect_not_null(strstr(log, "in-handshake DANE check: authenticated "
	                               "alice@good.test"),
	                   "%s", log);
	free(log);
	proc_result_free(&res);
	imapd_stop(&d);
}
