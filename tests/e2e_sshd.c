/*
 * e2e_sshd.c -- Debian's real sshd with dance-authorized-keys as its
 * AuthorizedKeysCommand, the DNS rig behind it, and ssh logins.
 *
 * One rig and one sshd for the whole binary (started by the report hooks
 * below; tests attach). Every test uses its own account (dtk-*) and
 * authorization file, so tests run in parallel. Users, keys and records
 * come from tests/rig/fixtures.d/41-sshd.sh (ssh.test, sshhash.test,
 * hole.test), 10-ssh.sh (alice in bogus.test, expired.test,
 * insecure.test) and 17-wildcard.sh (wild.test: carol's explicit record
 * beside *._user.wild.test, whose records must authorize no one). The
 * helper's decisions are read from its log file (-l).
 *
 * The helper's configuration is the rig's (lookup-timeout 1000) plus
 * ssh-ca-domain ssh.test, domain-user-label sshhash.test hashed, max-ttl 5
 * and a forward-zone that sends hole.test to the rig's black hole.
 */
#include "proc.h"
#include "rig.h"
#include "sshd.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DANCE_AKC_HELPER
#error "DANCE_AKC_HELPER must name the built dance-authorized-keys"
#endif

#define LOGIN_MS       20000
#define LOOKUP_MS      1000 /* the rig's lookup-timeout */
#define MAX_TTL_S      5
#define DEADLINE_SLACK 3000 /* ssh connection, key exchange, helper start */
/* sshd runs the helper once per offered key and once more for the key it
 * accepts: an accepted login may wait for the deadline twice. */

static const char *const accounts[] = {
        "dtk-ed",      "dtk-ec",       "dtk-rsa",     "dtk-hash",
        "dtk-cert",    "dtk-wrongp",   "dtk-nodns",   "dtk-notlisted",
        "dtk-bogus",   "dtk-insecure", "dtk-expired", "dtk-nx",
        "dtk-ww",      "dtk-weak",     "dtk-dsa",     "dtk-rot",
        "dtk-rev",     "dtk-hole",     "dtk-list",    "dtk-nofile",
        "dtk-direct",  "dtk-refuse",   "dtk-xca",     "dtk-wild",
        "dtk-wildlog", NULL,
};

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	const struct rig *rig;
	char unbound_extra[256];

	(void)set;
	if ((rig = rig_start()) == NULL)
		return;
	snprintf(unbound_extra, sizeof unbound_extra,
	         "forward-zone:\n"
	         "\tname: \"hole.test.\"\n"
	         "\tforward-addr: 127.0.0.1@%d\n",
	         rig->blackhole_port);
	struct sshd_opts o = {
	        .helper = DANCE_AKC_HELPER,
	        .dance_conf = rig_conf(rig, RIG_CONF_FRONT),
	        .conf_extra = "ssh-ca-domain ssh.test\n"
	                      "domain-user-label sshhash.test hashed\n"
	                      "max-ttl 5",
	        .unbound_extra = unbound_extra,
	        .accounts = accounts,
	};
	(void)sshd_shared_start(&o);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	int failed = stats->tests_failed + stats->tests_crashed > 0;

	sshd_shared_finish(failed);
	rig_finish(failed);
}

/* ---- helpers ------------------------------------------------------------ */

static const struct sshd *sshd(void)
{
	const struct sshd *s = sshd_shared();

	cr_assert_not_null(s, "the test sshd did not start (see stderr)");
	return s;
}

static const char *fixture(char *buf, size_t len, const char *rel)
{
	cr_assert_not_null(rig_fixture(buf, len, rel), "fixture %s", rel);
	return buf;
}

static void authorize(const char *account, const char *text)
{
	cr_assert_eq(sshd_authorize(sshd(), account, text, 0644), 0);
}

/* The lines of the helper's log about account (malloc'd). */
static char *account_lines(const char *log, const char *account)
{
	char needle[128];
	size_t n = 0, cap = strlen(log) + 1;
	char *out = malloc(cap);
	const char *p = log;

	cr_assert_not_null(out);
	snprintf(needle, sizeof needle, "account=%s ", account);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (memmem(p, len, needle, strlen(needle)) != NULL) {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

struct login {
	int ok;    /* logged in and the command exited 0 */
	char *out; /* the command's output */
	char *akc; /* what the helper logged about this account meanwhile */
	long ms;   /* wall time of the ssh command */
};

static void login_free(struct login *l)
{
	free(l->out);
	free(l->akc);
}

/* ssh as account with key (a fixture path), running cmd. */
static void login_cmd(const char *account, const char *key, const char *cmd,
                      const char *const *extra, struct login *l)
{
	const struct sshd *s = sshd();
	struct proc_result res;
	char path[PATH_MAX];
	long mark = sshd_log_mark(s->akc_log);
	char *log;

	memset(l, 0, sizeof *l);
	fixture(path, sizeof path, key);
	cr_assert_eq(ssh_login(s, account, path, cmd, extra, &res, LOGIN_MS),
	             0);
	l->ok = res.exited && res.exit_code == 0;
	l->ms = res.ms;
	l->out = strdup(res.out);
	log = sshd_log_since(s->akc_log, mark);
	l->akc = account_lines(log, account);
	free(log);
	cr_log_info("ssh %s with %s: %s in %ld ms; helper:\n%s", account, key,
	            l->ok ? "in" : "refused", l->ms, l->akc);
	if (!l->ok)
		cr_log_info("ssh stderr: %s", res.err);
	proc_result_free(&res);
}

static void login(const char *account, const char *key, struct login *l)
{
	login_cmd(account, key, "whoami", NULL, l);
}

static void expect_in(const struct login *l, const char *account)
{
	char want[128];

	snprintf(want, sizeof want, "%s\n", account);
	cr_expect(l->ok, "login as %s failed; helper said:\n%s", account,
	          l->akc);
	cr_expect_str_eq(l->out, want);
	cr_expect(strstr(l->akc, "verdict=accepted") != NULL, "%s", l->akc);
}

static void expect_refused(const struct login *l, const char *reason)
{
	cr_expect(!l->ok, "login succeeded; helper said:\n%s", l->akc);
	cr_expect(strstr(l->akc, "verdict=refused") != NULL,
	          "no refusal logged:\n%s", l->akc);
	cr_expect(strstr(l->akc, "verdict=accepted") == NULL, "%s", l->akc);
	cr_expect(strstr(l->akc, reason) != NULL, "reason '%s' not logged:\n%s",
	          reason, l->akc);
}

/* "SHA256:..." of a .pub fixture, from ssh-keygen -l. */
static void keygen_fp(const char *pub, char *fp, size_t len)
{
	char path[PATH_MAX];
	struct proc_result res;
	const char *argv[] = {"ssh-keygen", "-l", "-f", path, NULL};
	const char *p;

	fixture(path, sizeof path, pub);
	cr_assert_eq(proc_run(&res, argv, NULL, 10000, NULL), 0);
	p = strstr(res.out, "SHA256:");
	cr_assert_not_null(p, "%s", res.out);
	snprintf(fp, len, "%.*s", (int)strcspn(p, " \n"), p);
	proc_result_free(&res);
}

/* The first line of a fixture file, without its newline (malloc'd). */
static char *fixture_line(const char *rel)
{
	char path[PATH_MAX];
	char *t = proc_read_file(fixture(path, sizeof path, rel), NULL);

	cr_assert_not_null(t, "%s", rel);
	t[strcspn(t, "\n")] = '\0';
	return t;
}

/* Run the helper as sshd would, as its unprivileged user. */
static void helper(const char *const *args, struct proc_result *res)
{
	cr_assert_eq(sshd_helper_run(sshd(), args, res, LOGIN_MS), 0);
}

/* ---- accepted -------------------------------------------------------------- */

Test(sshd, ed25519_with_3_1_1)
{
	struct login l;
	char fp[128];

	authorize("dtk-ed", "ed@ssh.test\n");
	login("dtk-ed", "sshd/ed", &l);
	expect_in(&l, "dtk-ed");
	cr_expect(strstr(l.akc, "identity=ed@ssh.test") != NULL, "%s", l.akc);
	cr_expect(strstr(l.akc, "3 1 1 record at ed._user.ssh.test") != NULL,
	          "%s", l.akc);
	keygen_fp("sshd/ed.pub", fp, sizeof fp);
	cr_expect(strstr(l.akc, fp) != NULL, "fingerprint %s not in\n%s", fp,
	          l.akc);
	login_free(&l);
}

/* Options pass through (command= forces the command); a malformed line is
 * skipped and logged without hiding the next one. */
Test(sshd, ecdsa_with_3_1_2_and_options)
{
	struct login l;

	authorize("dtk-ec", "cert-authority mallory@ssh.test\n"
	                    "# the real entry\n"
	                    "command=\"echo forced-by-dance\",no-pty "
	                    "ec@ssh.test\n");
	login("dtk-ec", "sshd/ec", &l);
	cr_expect(l.ok, "%s", l.akc);
	cr_expect_str_eq(l.out, "forced-by-dance\n");
	cr_expect(strstr(l.akc, "3 1 2 record at ec._user.ssh.test") != NULL,
	          "%s", l.akc);
	cr_expect(strstr(l.akc, "line=1: skipped: option 'cert-authority'") !=
	                  NULL,
	          "%s", l.akc);
	login_free(&l);
}

Test(sshd, rsa3072_with_3_1_0)
{
	struct login l;

	authorize("dtk-rsa", "rsa@ssh.test\n");
	login("dtk-rsa", "sshd/rsa", &l);
	expect_in(&l, "dtk-rsa");
	cr_expect(strstr(l.akc, "key=\"RSA SHA256:") != NULL, "%s", l.akc);
	cr_expect(strstr(l.akc, "3 1 0 record at rsa._user.ssh.test") != NULL,
	          "%s", l.akc);
	login_free(&l);
}

Test(sshd, hashed_label)
{
	struct login l;
	char *rr = fixture_line("sshd/hash.rr"), want[256];

	/* "HEX._user.sshhash.test. 300 IN TLSA ..." */
	snprintf(want, sizeof want, "record at %.*s", (int)strcspn(rr, ". "),
	         rr);
	authorize("dtk-hash", "hash@sshhash.test\n");
	login("dtk-hash", "sshd/hash", &l);
	expect_in(&l, "dtk-hash");
	cr_expect(strstr(l.akc, want) != NULL, "'%s' not in\n%s", want, l.akc);
	cr_expect(strstr(l.akc, "hash._user") == NULL, "%s", l.akc);
	login_free(&l);
	free(rr);
}

Test(sshd, certificate_from_domain_ca)
{
	struct login l;

	authorize("dtk-cert", "cert@ssh.test\n");
	login("dtk-cert", "sshd/cert", &l);
	expect_in(&l, "dtk-cert");
	cr_expect(strstr(l.akc, "key=\"ED25519-CERT SHA256:") != NULL, "%s",
	          l.akc);
	cr_expect(strstr(l.akc, "CA key matches 2 1 0 record at "
	                        "_user.ssh.test") != NULL,
	          "%s", l.akc);
	cr_expect(strstr(l.akc, "identity=cert@ssh.test") != NULL, "%s", l.akc);
	login_free(&l);
}

/* ---- refused --------------------------------------------------------------- */

Test(sshd, certificate_with_wrong_principal)
{
	struct login l;

	authorize("dtk-wrongp", "wrongp@ssh.test\n");
	login("dtk-wrongp", "sshd/wrongp", &l);
	expect_refused(&l, "no principal of the certificate "
	                   "(someone-else@ssh.test) is listed");
	login_free(&l);
}

/* ssh.test's X.509 user CA is published as "dance tlsa ca" does (2 0 1,
 * 2 1 1); a certificate its key signed is no SSH certificate of the
 * domain: only 2 1 0 records are SSH CA keys. */
Test(sshd, certificate_from_x509_ca_key)
{
	struct login l;

	authorize("dtk-xca", "xcert@ssh.test\n");
	login("dtk-xca", "sshd/xcert", &l);
	expect_refused(&l, "xcert@ssh.test: no-match (certificate's CA key "
	                   "matches none of 1 2 1 0 record(s) at "
	                   "_user.ssh.test (other DANE-TA records are not "
	                   "SSH CA keys))");
	cr_expect(strstr(l.akc, "key=\"ED25519-CERT SHA256:") != NULL, "%s",
	          l.akc);
	login_free(&l);
}

Test(sshd, key_not_in_dns)
{
	struct login l;

	authorize("dtk-nodns", "ed@ssh.test\n");
	login("dtk-nodns", "sshd/stranger", &l);
	expect_refused(&l, "ed@ssh.test: no-match");
	login_free(&l);
}

/* ec's key is valid in DNS, for ec@ssh.test, who is not listed. */
Test(sshd, identity_not_in_authorization_file)
{
	struct login l;

	authorize("dtk-notlisted", "ed@ssh.test\nrsa@ssh.test\n");
	login("dtk-notlisted", "sshd/ec", &l);
	expect_refused(&l, "ed@ssh.test: no-match");
	cr_expect(strstr(l.akc, "rsa@ssh.test: no-match") != NULL, "%s", l.akc);
	login_free(&l);
}

Test(sshd, bogus)
{
	struct login l;

	authorize("dtk-bogus", "alice@bogus.test\n");
	login("dtk-bogus", "ssh/alice_ed25519", &l);
	expect_refused(&l, "alice@bogus.test: bogus");
	login_free(&l);
}

Test(sshd, insecure)
{
	struct login l;

	authorize("dtk-insecure", "alice@insecure.test\n");
	login("dtk-insecure", "ssh/alice_ed25519", &l);
	expect_refused(&l, "alice@insecure.test: insecure");
	login_free(&l);
}

Test(sshd, expired_signatures)
{
	struct login l;

	authorize("dtk-expired", "alice@expired.test\n");
	login("dtk-expired", "ssh/alice_ed25519", &l);
	expect_refused(&l, "alice@expired.test: bogus");
	login_free(&l);
}

Test(sshd, nxdomain)
{
	struct login l;

	authorize("dtk-nx", "nobody@ssh.test\n");
	login("dtk-nx", "sshd/ed", &l);
	expect_refused(&l, "nobody@ssh.test: no-tlsa");
	login_free(&l);
}

Test(sshd, world_writable_authorization_file)
{
	struct login l;

	cr_assert_eq(sshd_authorize(sshd(), "dtk-ww", "ed@ssh.test\n", 0666),
	             0);
	login("dtk-ww", "sshd/ed", &l);
	expect_refused(&l, "writable by group or others");
	login_free(&l);
	/* The same file, mode 0644: in. */
	authorize("dtk-ww", "ed@ssh.test\n");
	login("dtk-ww", "sshd/ed", &l);
	expect_in(&l, "dtk-ww");
	login_free(&l);
}

Test(sshd, no_authorization_file)
{
	struct login l;

	login("dtk-nofile", "sshd/ed", &l);
	expect_refused(&l, "no authorization file");
	login_free(&l);
}

/* A 1024-bit RSA key is published, but refused before any lookup. */
Test(sshd, rsa1024_refused)
{
	struct login l;

	authorize("dtk-weak", "weak@ssh.test\n");
	login("dtk-weak", "sshd/weak", &l);
	expect_refused(&l, "key not accepted (ssh-rsa)");
	login_free(&l);
}

/* OpenSSH 9.2 refuses DSA on both sides, so the helper is run directly
 * with the DSA key blob as well. */
Test(sshd, dsa_refused)
{
	static const char *const dss[] = {
	        "-o", "PubkeyAcceptedAlgorithms=+ssh-dss", NULL};
	struct proc_result res;
	struct login l;
	char *b64 = fixture_line("sshd/dsa.b64"), *log;
	long mark;

	authorize("dtk-dsa", "dsa@ssh.test\n");
	login_cmd("dtk-dsa", "sshd/dsa", "whoami", dss, &l);
	cr_expect(!l.ok);
	login_free(&l);

	mark = sshd_log_mark(sshd()->akc_log);
	const char *args[] = {"dtk-dsa", "ssh-dss", b64, NULL};
	helper(args, &res);
	cr_expect(res.exited && res.exit_code == 0, "exit %d", res.exit_code);
	cr_expect_eq(res.out_len, 0, "printed: %s", res.out);
	log = sshd_log_since(sshd()->akc_log, mark);
	cr_expect(strstr(log, "account=dtk-dsa") != NULL &&
	                  strstr(log, "key=\"DSA SHA256:") != NULL &&
	                  strstr(log, "verdict=refused") != NULL &&
	                  strstr(log, "key not accepted (ssh-dss)") != NULL,
	          "%s", log);
	free(log);
	free(b64);
	proc_result_free(&res);
}

/* alice@wild.test has no record of her own: alice._user.wild.test is
 * synthesised from *._user.wild.test, which names the key ssh/wild_any.
 * Refused; carol's explicit record beside the wildcard still works. */
Test(sshd, wildcard_record_refused)
{
	struct login l;

	authorize("dtk-wildlog", "alice@wild.test\n");
	login("dtk-wildlog", "ssh/wild_any", &l);
	expect_refused(&l, "alice@wild.test: unusable-records");
	login_free(&l);
	authorize("dtk-wildlog", "carol@wild.test\n");
	login("dtk-wildlog", "ssh/wild_carol", &l);
	expect_in(&l, "dtk-wildlog");
	cr_expect(strstr(l.akc, "record at carol._user.wild.test") != NULL,
	          "%s", l.akc);
	login_free(&l);
}

/* ---- rotation and revocation: DNS changes, the host does not ------------- */

Test(sshd, rotation)
{
	const struct rig *rig = rig_start();
	char *old_rr = fixture_line("sshd/rot_old.rr");
	char *new_rr = fixture_line("sshd/rot_new.rr");
	struct login l;

	cr_assert_not_null(rig);
	authorize("dtk-rot", "rot@ssh.test\n");
	login("dtk-rot", "sshd/rot_old", &l);
	expect_in(&l, "dtk-rot");
	login_free(&l);

	cr_assert_eq(rig_zone(rig, "ssh.test", "del",
	                      (const char *[]){old_rr, NULL}),
	             0);
	cr_assert_eq(rig_zone(rig, "ssh.test", "add",
	                      (const char *[]){new_rr, NULL}),
	             0);

	login("dtk-rot", "sshd/rot_old", &l);
	expect_refused(&l, "rot@ssh.test: no-match");
	login_free(&l);
	login("dtk-rot", "sshd/rot_new", &l);
	expect_in(&l, "dtk-rot");
	login_free(&l);
	free(old_rr);
	free(new_rr);
}

Test(sshd, revocation_within_max_ttl)
{
	const struct rig *rig = rig_start();
	struct login l;
	long t0;
	int refused = 0;

	cr_assert_not_null(rig);
	authorize("dtk-rev", "rev@ssh.test\n");
	login("dtk-rev", "sshd/rev", &l);
	expect_in(&l, "dtk-rev");
	login_free(&l);

	cr_assert_eq(
	        rig_zone(rig, "ssh.test", "del-name",
	                 (const char *[]){"rev._user.ssh.test", "TLSA", NULL}),
	        0);
	t0 = proc_now_ms();
	while (!refused && proc_now_ms() - t0 < MAX_TTL_S * 1000L) {
		login("dtk-rev", "sshd/rev", &l);
		refused = !l.ok;
		if (refused)
			expect_refused(&l, "rev@ssh.test: no-tlsa");
		login_free(&l);
	}
	cr_expect(refused, "still in %d s after the record was deleted",
	          MAX_TTL_S);
}

/* ---- a black-holed domain ---------------------------------------------------- */

Test(sshd, blackholed_domain)
{
	struct login l;

	authorize("dtk-hole", "hole@hole.test\ned@ssh.test\n");
	/* The other identity still works, within the deadline. */
	login("dtk-hole", "sshd/ed", &l);
	expect_in(&l, "dtk-hole");
	cr_expect_lt(l.ms, 2 * LOOKUP_MS + DEADLINE_SLACK, "%ld ms", l.ms);
	login_free(&l);
	/* The black-holed identity fails within the deadline. */
	login("dtk-hole", "sshd/hole", &l);
	expect_refused(&l, "hole@hole.test: temporary-failure");
	cr_expect_lt(l.ms, LOOKUP_MS + DEADLINE_SLACK, "%ld ms", l.ms);
	login_free(&l);
}

/* ---- the helper on its own --------------------------------------------------- */

/* Without a key: the keys that DNS lets it rebuild (3 1 0, and the SSH
 * CA's 2 1 0 as a cert-authority line); 3 1 1 records cannot be. */
Test(helper, lists_rebuildable_keys)
{
	struct proc_result res;
	const char *args[] = {"dtk-list", NULL};
	char *rsa = fixture_line("sshd/rsa.pub"),
	     *ca = fixture_line("sshd/ca.pub");
	char want_rsa[4096], want_ca[1024];

	authorize("dtk-list", "rsa@ssh.test\ncert@ssh.test\ned@ssh.test\n");
	snprintf(want_rsa, sizeof want_rsa, "%.*s dance:rsa@ssh.test\n",
	         (int)(strrchr(rsa, ' ') - rsa), rsa);
	snprintf(want_ca, sizeof want_ca,
	         "cert-authority,principals=\"cert@ssh.test\" %.*s "
	         "dance-ca:cert@ssh.test\n",
	         (int)(strrchr(ca, ' ') - ca), ca);
	helper(args, &res);
	cr_expect(res.exited && res.exit_code == 0);
	cr_expect(strstr(res.out, want_rsa) != NULL, "%s", res.out);
	cr_expect(strstr(res.out, want_ca) != NULL, "%s", res.out);
	cr_expect(strstr(res.out, "dance:ed@ssh.test") == NULL, "%s", res.out);
	cr_expect(strstr(res.out, "dance:cert@ssh.test") == NULL, "%s",
	          res.out);
	proc_result_free(&res);
	free(rsa);
	free(ca);
}

Test(helper, prints_one_line_for_a_matching_key)
{
	struct proc_result res;
	char *b64 = fixture_line("sshd/ed.b64"), want[512];
	const char *args[] = {"dtk-direct", "ssh-ed25519", b64, NULL};

	authorize("dtk-direct", "from=\"127.0.0.1\" ed@ssh.test\n");
	snprintf(want, sizeof want,
	         "from=\"127.0.0.1\" ssh-ed25519 %s dance:ed@ssh.test\n", b64);
	helper(args, &res);
	cr_expect(res.exited && res.exit_code == 0);
	cr_expect_str_eq(res.out, want);
	proc_result_free(&res);
	free(b64);
}

struct refusal_case {
	const char *name;
	const char *type;
	const char *key; /* fixture file with the base64, or a literal */
	int literal;
};

/* Every refusal: exit 0, no output at all. */
Test(helper, refusals_print_nothing)
{
	static const struct refusal_case cases[] = {
	        {"other key", "ssh-ed25519", "sshd/stranger.b64", 0},
	        {"type mismatch", "ssh-rsa", "sshd/ed.b64", 0},
	        {"rsa 1024", "ssh-rsa", "sshd/weak.b64", 0},
	        {"dsa", "ssh-dss", "sshd/dsa.b64", 0},
	        {"not base64", "ssh-ed25519", "not*base64", 1},
	        {"truncated", "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIA==", 1},
	        {"unknown type", "ssh-foo", "AAAAB3NzaC1mb28=", 1},
	        {"cert, wrong principal", "ssh-ed25519-cert-v01@openssh.com",
	         "sshd/wrongp-cert.b64", 0},
	        {"cert from the X.509 CA's key",
	         "ssh-ed25519-cert-v01@openssh.com", "sshd/xcert-cert.b64", 0},
	};
	authorize("dtk-refuse",
	          "ed@ssh.test\nwrongp@ssh.test\nxcert@ssh.test\n");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct proc_result res;
		char *key = cases[i].literal ? strdup(cases[i].key)
		                             : fixture_line(cases[i].key);
		const char *args[] = {"dtk-refuse", cases[i].type, key, NULL};
		helper(args, &res);
		cr_expect(res.exited && res.exit_code == 0, "%s: exit %d",
		          cases[i].name, res.exit_code);
		cr_expect_eq(res.out_len, 0, "%s: printed %s", cases[i].name,
		             res.out);
		proc_result_free(&res);
		free(key);
	}
}

/* Zone wild.test: the key published only at *._user.wild.test matches
 * the records of every synthesised name, and is refused for all of them
 * (and for carol, whose explicit record names another key); carol's key
 * is accepted as carol. Listing: carol's 3 1 0 key, never the
 * wildcard's. */
Test(helper, wildcard_records_authorize_no_one)
{
	struct proc_result res;
	char *any = fixture_line("ssh/wild_any.b64");
	char *carol = fixture_line("ssh/wild_carol.b64");
	const char *offer_any[] = {"dtk-wild", "ssh-ed25519", any, NULL};
	const char *offer_carol[] = {"dtk-wild", "ssh-ed25519", carol, NULL};
	const char *list[] = {"dtk-wild", NULL};
	char want[512];
	long mark;
	char *log;

	authorize("dtk-wild",
	          "alice@wild.test\nbob@wild.test\ncarol@wild.test\n");
	mark = sshd_log_mark(sshd()->akc_log);
	helper(offer_any, &res);
	cr_expect(res.exited && res.exit_code == 0, "exit %d", res.exit_code);
	cr_expect_eq(res.out_len, 0, "printed: %s", res.out);
	proc_result_free(&res);
	log = sshd_log_since(sshd()->akc_log, mark);
	cr_expect(strstr(log, "account=dtk-wild ") != NULL &&
	                  strstr(log, "verdict=refused") != NULL &&
	                  strstr(log, "verdict=accepted") == NULL,
	          "%s", log);
	cr_expect(strstr(log, "alice@wild.test: unusable-records") != NULL &&
	                  strstr(log, "bob@wild.test: unusable-records") !=
	                          NULL &&
	                  strstr(log, "carol@wild.test: no-match") != NULL,
	          "%s", log);
	cr_expect(strstr(log, "at alice._user.wild.test (e.g. synthesised "
	                      "from a wildcard owner name") != NULL,
	          "the reason does not name the wildcard: %s", log);
	free(log);

	snprintf(want, sizeof want, "ssh-ed25519 %s dance:carol@wild.test\n",
	         carol);
	helper(offer_carol, &res);
	cr_expect(res.exited && res.exit_code == 0, "exit %d", res.exit_code);
	cr_expect_str_eq(res.out, want);
	proc_result_free(&res);

	helper(list, &res);
	cr_expect(res.exited && res.exit_code == 0, "exit %d", res.exit_code);
	cr_expect(strstr(res.out, want) != NULL, "%s", res.out);
	cr_expect(strstr(res.out, any) == NULL, "wildcard's key listed: %s",
	          res.out);
	proc_result_free(&res);
	free(any);
	free(carol);
}

/* A broken configuration is the one non-zero exit. */
Test(helper, broken_configuration_exits_2)
{
	struct proc_result res;
	const char *args[] = {"-c", "/nonexistent/dance.conf", "dtk-direct",
	                      NULL};
	const char *usage[] = {"dtk-direct", "ssh-ed25519", NULL};

	helper(args, &res);
	cr_expect(res.exited && res.exit_code == 2, "exit %d", res.exit_code);
	cr_expect_eq(res.out_len, 0);
	proc_result_free(&res);
	helper(usage, &res);
	cr_expect(res.exited && res.exit_code == 2, "exit %d", res.exit_code);
	cr_expect_eq(res.out_len, 0);
	proc_result_free(&res);
}

/* ---- the configuration and the files it names: root's alone ---------- */

/*
 * Each case runs the helper with a configuration of its own, in
 * RUNDIR/etc/cases/NAME/ (root-owned, 0755, like the run directory): a
 * copy of the test configuration plus, for some, one more trust anchor
 * file or unbound-config file. One thing is wrong in each refused case;
 * the helper must exit 2, print nothing, and log the file and the reason.
 */
enum conf_fault {
	CONF_OK,          /* everything right: the key is accepted */
	CONF_GW,          /* dance.conf group-writable */
	CONF_WW,          /* dance.conf world-writable */
	CONF_NOT_ROOT,    /* dance.conf owned by another user */
	CONF_DIR_GW,      /* its directory group-writable */
	CONF_IN_TMP,      /* a link to a dance.conf under /tmp */
	CONF_ANCHOR_GW,   /* an extra trust-anchor-file group-writable */
	CONF_ANCHOR_USER, /* an extra trust-anchor-file owned by a user */
	CONF_ANCHOR_TMP,  /* an extra trust-anchor-file under /tmp */
	CONF_UNBOUND_GW,  /* an extra unbound-config group-writable */
	CONF_BUNDLE_GW,   /* tls-ca-bundle group-writable */
};

struct conf_case {
	const char *name;
	enum conf_fault fault;
	const char *logged; /* in the log line, after "configuration: " */
};

static void put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* The value of the first "keyword VALUE" line of conf (malloc'd). */
static char *conf_value(const char *conf, const char *keyword)
{
	size_t kl = strlen(keyword);

	for (const char *p = conf; p != NULL && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, keyword, kl) == 0 && p[kl] == ' ')
			return strndup(p + kl + 1, strcspn(p + kl + 1, "\n"));
	}
	return NULL;
}

/* Build the case's files; *conf is the path to give with -c. */
static void make_case(const struct conf_case *c, const char *dir,
                      const char *tmpdir, char *conf, size_t conflen)
{
	const struct sshd *s = sshd();
	char *base = proc_read_file(s->dance_conf, NULL);
	char *anchor_src, *anchor, extra[2 * PATH_MAX] = "", path[1400];
	char *text;
	int fault = (int)c->fault;

	cr_assert_not_null(base);
	anchor_src = conf_value(base, "trust-anchor-file");
	cr_assert_not_null(anchor_src);
	anchor = proc_read_file(anchor_src, NULL);
	cr_assert_not_null(anchor);
	cr_assert_eq(mkdir(dir, 0755), 0, "%s", dir);
	cr_assert_eq(chmod(dir, fault == CONF_DIR_GW ? 0775 : 0755), 0);

	/* one more trust anchor (the same DS again) */
	if (fault == CONF_OK || fault == CONF_ANCHOR_GW ||
	    fault == CONF_ANCHOR_USER || fault == CONF_ANCHOR_TMP) {
		snprintf(path, sizeof path, "%s/extra.ds",
		         fault == CONF_ANCHOR_TMP ? tmpdir : dir);
		put_file(path, anchor, fault == CONF_ANCHOR_GW ? 0664 : 0644);
		if (fault == CONF_ANCHOR_USER)
			cr_assert_eq(chown(path, 65534, 65534), 0);
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		         "trust-anchor-file %s\n", path);
	}
	/* one more unbound-config file */
	if (fault == CONF_OK || fault == CONF_UNBOUND_GW) {
		snprintf(path, sizeof path, "%s/extra-unbound.conf", dir);
		put_file(path, "server:\n",
		         fault == CONF_UNBOUND_GW ? 0664 : 0644);
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		         "unbound-config %s\n", path);
	}
	/* a CA bundle (unused: the test resolver does not speak TLS) */
	if (fault == CONF_BUNDLE_GW) {
		snprintf(path, sizeof path, "%s/bundle.pem", dir);
		put_file(path, "", 0664);
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		         "tls-ca-bundle %s\n", path);
	}
	cr_assert_geq(asprintf(&text, "%s\n%s", base, extra), 0);
	snprintf(conf, conflen, "%s/dance.conf",
	         fault == CONF_IN_TMP ? tmpdir : dir);
	put_file(conf, text,
	         fault == CONF_GW   ? 0664
	         : fault == CONF_WW ? 0646
	                            : 0644);
	if (fault == CONF_NOT_ROOT)
		cr_assert_eq(chown(conf, 65534, 65534), 0);
	if (fault == CONF_IN_TMP) {
		snprintf(path, sizeof path, "%s/dance.conf", dir);
		cr_assert_eq(symlink(conf, path), 0);
		snprintf(conf, conflen, "%s", path);
	}
	free(text);
	free(anchor);
	free(anchor_src);
	free(base);
}

Test(helper, configuration_files_must_be_roots)
{
	static const struct conf_case cases[] = {
	        {"ok", CONF_OK, NULL},
	        {"gw", CONF_GW,
	         "dance.conf is not owned by root or is writable by group or "
	         "others"},
	        {"ww", CONF_WW, "dance.conf is not owned by root"},
	        {"notroot", CONF_NOT_ROOT, "dance.conf is not owned by root"},
	        {"dirgw", CONF_DIR_GW,
	         "dirgw is not owned by root or is writable by group or "
	         "others"},
	        {"intmp", CONF_IN_TMP, "directory /tmp is not owned by root"},
	        {"anchorgw", CONF_ANCHOR_GW,
	         "trust-anchor-file RUNDIR/etc/cases/anchorgw/extra.ds: "
	         "RUNDIR/etc/cases/anchorgw/extra.ds is not owned by root or "
	         "is writable by group or others"},
	        {"anchoruser", CONF_ANCHOR_USER,
	         "anchoruser/extra.ds is not owned by root"},
	        {"anchortmp", CONF_ANCHOR_TMP,
	         "/extra.ds: directory /tmp is not owned by root"},
	        {"unboundgw", CONF_UNBOUND_GW,
	         "unbound-config RUNDIR/etc/cases/unboundgw/extra-unbound.conf:"
	         " RUNDIR/etc/cases/unboundgw/extra-unbound.conf is not owned"},
	        {"bundlegw", CONF_BUNDLE_GW,
	         "tls-ca-bundle RUNDIR/etc/cases/bundlegw/bundle.pem: "},
	};
	const struct sshd *s = sshd();
	char *b64 = fixture_line("sshd/ed.b64"), casedir[1024];
	char tmpl[] = "/tmp/dance-e2e-conf-XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_eq(chmod(tmpl, 0755), 0);
	snprintf(casedir, sizeof casedir, "%s/etc/cases", s->rundir);
	cr_assert_eq(mkdir(casedir, 0755), 0);
	authorize("dtk-conf", "ed@ssh.test\n");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct conf_case *c = &cases[i];
		char dir[1280], conf[PATH_MAX], tmpdir[1280];
		char want[1024], *log, *tail;
		const char *p;
		struct proc_result res;
		long mark = sshd_log_mark(s->akc_log);

		snprintf(dir, sizeof dir, "%s/%s", casedir, c->name);
		snprintf(tmpdir, sizeof tmpdir, "%s/%s", tmpl, c->name);
		cr_assert_eq(mkdir(tmpdir, 0755), 0);
		make_case(c, dir, tmpdir, conf, sizeof conf);
		const char *args[] = {"-c",          conf, "dtk-conf",
		                      "ssh-ed25519", b64,  NULL};
		helper(args, &res);
		log = sshd_log_since(s->akc_log, mark);
		if (c->fault == CONF_OK) {
			cr_expect(res.exited && res.exit_code == 0,
			          "%s: exit %d\n%s", c->name, res.exit_code,
			          log);
			cr_expect(strstr(res.out, "dance:ed@ssh.test") != NULL,
			          "%s: printed '%s'\n%s", c->name, res.out,
			          log);
		} else {
			cr_expect(res.exited && res.exit_code == 2,
			          "%s: exit %d\n%s", c->name, res.exit_code,
			          log);
			cr_expect_eq(res.out_len, 0, "%s: printed %s", c->name,
			             res.out);
			/* RUNDIR in the expected text stands for s->rundir */
			want[0] = '\0';
			for (p = c->logged;
			     (tail = strstr(p, "RUNDIR")) != NULL; p = tail + 6)
				snprintf(want + strlen(want),
				         sizeof want - strlen(want), "%.*s%s",
				         (int)(tail - p), p, s->rundir);
			snprintf(want + strlen(want),
			         sizeof want - strlen(want), "%s", p);
			cr_expect(strstr(log,
			                 "account=dtk-conf: configuration: ") !=
			                          NULL &&
			                  strstr(log, want) != NULL,
			          "%s: '%s' not logged:\n%s", c->name, want,
			          log);
			/* no decision: nothing after the configuration */
			char *mine = account_lines(log, "dtk-conf");
			cr_expect_str_eq(mine, "", "%s", c->name);
			free(mine);
		}
		free(log);
		proc_result_free(&res);
	}
	proc_remove_tree(tmpl);
	free(b64);
}
