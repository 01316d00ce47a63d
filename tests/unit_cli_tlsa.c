/*
 * unit_cli_tlsa.c -- 'dance tlsa' through the built command: the lines it
 * prints parse back with dance_tlsa_parse_text(), carry the right owner
 * names, and hold the data OpenSSL computed for the same certificate or key
 * in the fixture scripts (45-tlsa-cli.sh, 40-ssh-keys.sh). Usage errors
 * exit 2 and print nothing on standard output.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DANCE_CLI  DANCE_BINARY_DIR "/cli/dance"
#define MAXARGS    12
#define MAXLINES   8
#define OUTPUT_MAX 65536

static const char *fixture_dir(void)
{
	const char *d = getenv("DANCE_FIXTURE_DIR");
	return d != NULL && *d != '\0' ? d : DANCE_FIXTURE_DIR;
}

/* "@F/x" names $FIX/x; other arguments are passed as they are. */
static char *expand(const char *arg)
{
	char *s = NULL;
	if (strncmp(arg, "@F/", 3) == 0)
		cr_assert_geq(asprintf(&s, "%s/%s", fixture_dir(), arg + 3), 0);
	else
		s = strdup(arg);
	cr_assert_not_null(s);
	return s;
}

/* Run dance with args (NULL-terminated, "@F/" expanded) and standard input
 * from stdin_path (or /dev/null). *out gets standard output. Returns the
 * exit status, or -1 if the command did not exit normally. */
static int run_cli(const char *const *args, const char *stdin_path, char **out)
{
	char *argv[MAXARGS + 2] = {0}, *in = NULL;
	int fds[2], status = 0;
	size_t len = 0, i;
	ssize_t n;
	pid_t pid;

	*out = calloc(1, OUTPUT_MAX + 1);
	cr_assert_not_null(*out);
	argv[0] = strdup(DANCE_CLI);
	cr_assert_not_null(argv[0]);
	for (i = 0; args[i] != NULL; i++) {
		cr_assert_lt(i, MAXARGS);
		argv[i + 1] = expand(args[i]);
	}
	in = stdin_path != NULL ? expand(stdin_path) : strdup("/dev/null");
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(in, O_RDONLY), null = open("/dev/null", O_WRONLY);
		if (fd < 0 || null < 0 || dup2(fd, 0) < 0 ||
		    dup2(fds[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], *out + len, OUTPUT_MAX - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(in);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The expected record data: a fixture file, raw DER (".der") or hex. */
static uint8_t *expected_data(const char *file, size_t *len)
{
	char *path = expand(file);
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(OUTPUT_MAX), *bin;
	size_t n;

	cr_assert(f != NULL && buf != NULL, "fixture %s missing", path);
	n = fread(buf, 1, OUTPUT_MAX, f);
	fclose(f);
	if (strstr(path, ".der") != NULL) {
		*len = n;
		free(path);
		return buf;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	cr_assert_eq(n % 2, 0, "%s: odd hex", path);
	bin = malloc(n / 2 + 1);
	cr_assert_not_null(bin);
	for (size_t i = 0; i < n / 2; i++) {
		char two[3] = {(char)buf[2 * i], (char)buf[2 * i + 1], '\0'};
		char *end = NULL;
		unsigned long v = strtoul(two, &end, 16);
		cr_assert(end == two + 2 && v <= 0xff, "%s: not hex", path);
		bin[i] = (uint8_t)v;
	}
	*len = n / 2;
	free(buf);
	free(path);
	return bin;
}

struct want {
	const char *owner; /* as dance_tlsa_parse_text() returns it */
	uint8_t u, s, m;
	const char *data; /* fixture file with the data */
};

struct cli_case {
	const char *name;
	const char *args[MAXARGS + 1];
	const char *stdin_path;
	int status;
	struct want lines[MAXLINES]; /* expected records, in order */
	const char *text;            /* a string the output must hold */
};

#define CA    "_user.example.org"
#define ALICE "alice._user.example.org"
#define BOB   "bob._user.example.org"
#define HUGH                                                       \
	"c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6" \
	"._user.example.com"

#define SSH_USER(name, pub, sha256)                                       \
	{                                                                 \
		name, {"tlsa", "user", "--user", "Bob@Example.org", pub}, \
		        NULL, 0, {{BOB, 3, 1, 1, sha256}}, NULL           \
	}

static const struct cli_case cases[] = {
        /* Accepted. */
        {"ca certificate, default records",
         {"tlsa", "ca", "--domain", "Example.ORG", "@F/tlsa/ca.pem"},
         NULL,
         0,
         {{CA, 2, 0, 1, "@F/tlsa/ca.cert.sha256"},
          {CA, 2, 1, 1, "@F/tlsa/ca.spki.sha256"}},
         NULL},
        {"ca certificate, every record",
         {"tlsa", "ca", "--domain", "example.org", "--records",
          "2-0-0,2-1-0,2-0-1,2-1-1,2-0-2,2-1-2", "@F/tlsa/ca.pem"},
         NULL,
         0,
         {{CA, 2, 0, 0, "@F/tlsa/ca.cert.hex"},
          {CA, 2, 1, 0, "@F/tlsa/ca.spki.hex"},
          {CA, 2, 0, 1, "@F/tlsa/ca.cert.sha256"},
          {CA, 2, 1, 1, "@F/tlsa/ca.spki.sha256"},
          {CA, 2, 0, 2, "@F/tlsa/ca.cert.sha512"},
          {CA, 2, 1, 2, "@F/tlsa/ca.spki.sha512"}},
         NULL},
        {"ca DER certificate, options after FILE",
         {"tlsa", "ca", "@F/tlsa/ca.der", "--domain", "example.org."},
         NULL,
         0,
         {{CA, 2, 0, 1, "@F/tlsa/ca.cert.sha256"},
          {CA, 2, 1, 1, "@F/tlsa/ca.spki.sha256"}},
         NULL},
        {"ca public key PEM",
         {"tlsa", "ca", "--domain", "example.org", "@F/tlsa/ca.pub.pem"},
         NULL,
         0,
         {{CA, 2, 1, 1, "@F/tlsa/ca.spki.sha256"}},
         NULL},
        {"ca public key DER, 2-1-0",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-1-0",
          "@F/tlsa/ca.pub.der"},
         NULL,
         0,
         {{CA, 2, 1, 0, "@F/tlsa/ca.pub.der"}},
         NULL},
        {"ca with TTL",
         {"tlsa", "ca", "--domain", "example.org", "--ttl", "3600", "--records",
          "2-1-1", "@F/tlsa/ca.pem"},
         NULL,
         0,
         {{CA, 2, 1, 1, "@F/tlsa/ca.spki.sha256"}},
         "_user.example.org. 3600 IN TLSA 2 1 1 "},
        {"ca from standard input",
         {"tlsa", "ca", "--domain", "example.org", "-"},
         "@F/tlsa/ca.pem",
         0,
         {{CA, 2, 0, 1, "@F/tlsa/ca.cert.sha256"},
          {CA, 2, 1, 1, "@F/tlsa/ca.spki.sha256"}},
         NULL},
        {"ca IDN domain",
         {"tlsa", "ca", "--domain", "b\303\274cher.test", "--records", "2-1-1",
          "@F/tlsa/ca.pem"},
         NULL,
         0,
         {{"_user.xn--bcher-kva.test", 2, 1, 1, "@F/tlsa/ca.spki.sha256"}},
         NULL},
        {"user certificate",
         {"tlsa", "user", "--user", "alice@example.org", "@F/tlsa/user.pem"},
         NULL,
         0,
         {{ALICE, 3, 1, 1, "@F/tlsa/user.spki.sha256"}},
         "alice._user.example.org. IN TLSA 3 1 1 "},
        {"user certificate, 3 0 x and 3 1 2",
         {"tlsa", "user", "--user", "ALICE@example.org", "--plain", "--records",
          "3-0-0,3-0-1,3-0-2,3-1-2", "@F/tlsa/user.pem"},
         NULL,
         0,
         {{ALICE, 3, 0, 0, "@F/tlsa/user.cert.hex"},
          {ALICE, 3, 0, 1, "@F/tlsa/user.cert.sha256"},
          {ALICE, 3, 0, 2, "@F/tlsa/user.cert.sha512"},
          {ALICE, 3, 1, 2, "@F/tlsa/user.spki.sha512"}},
         NULL},
        {"user hashed label",
         {"tlsa", "user", "--hashed", "--user", "Hugh@example.com",
          "@F/ssh/ed25519.pub"},
         NULL,
         0,
         {{HUGH, 3, 1, 1, "@F/ssh/ed25519.spki.sha256"}},
         NULL},
        SSH_USER("user ssh ed25519", "@F/ssh/ed25519.pub",
                 "@F/ssh/ed25519.spki.sha256"),
        SSH_USER("user ssh ecdsa256", "@F/ssh/ecdsa256.pub",
                 "@F/ssh/ecdsa256.spki.sha256"),
        SSH_USER("user ssh ecdsa384", "@F/ssh/ecdsa384.pub",
                 "@F/ssh/ecdsa384.spki.sha256"),
        SSH_USER("user ssh ecdsa521", "@F/ssh/ecdsa521.pub",
                 "@F/ssh/ecdsa521.spki.sha256"),
        SSH_USER("user ssh rsa2048", "@F/ssh/rsa2048.pub",
                 "@F/ssh/rsa2048.spki.sha256"),
        SSH_USER("user ssh rsa3072", "@F/ssh/rsa3072.pub",
                 "@F/ssh/rsa3072.spki.sha256"),
        SSH_USER("user ssh rsa4096", "@F/ssh/rsa4096.pub",
                 "@F/ssh/rsa4096.spki.sha256"),
        SSH_USER("user ssh ossl-rsa2048-e3", "@F/ssh/ossl-rsa2048-e3.pub",
                 "@F/ssh/ossl-rsa2048-e3.spki.sha256"),
        {"user ssh key, 3-1-0 and 3-1-2",
         {"tlsa", "user", "--user", "bob@example.org", "--records",
          "3-1-0,3-1-2", "@F/ssh/ecdsa256.pub"},
         NULL,
         0,
         {{BOB, 3, 1, 0, "@F/ssh/ecdsa256.spki.der"},
          {BOB, 3, 1, 2, "@F/ssh/ecdsa256.spki.sha512"}},
         NULL},
        {"user ssh key from standard input",
         {"tlsa", "user", "--user", "bob@example.org", "-"},
         "@F/ssh/rsa3072.pub",
         0,
         {{BOB, 3, 1, 1, "@F/ssh/rsa3072.spki.sha256"}},
         NULL},
        {"ssh-ca",
         {"tlsa", "ssh-ca", "--domain", "example.org", "@F/ssh/ca-ed25519.pub"},
         NULL,
         0,
         {{CA, 2, 1, 0, "@F/ssh/ca-ed25519.spki.der"}},
         NULL},
        {"ssh-ca of an RSA key",
         {"tlsa", "ssh-ca", "--domain", "example.org", "--ttl", "60",
          "@F/ssh/rsa2048.pub"},
         NULL,
         0,
         {{CA, 2, 1, 0, "@F/ssh/rsa2048.spki.der"}},
         NULL},
        {"help", {"tlsa", "--help"}, NULL, 0, {{0}}, "usage: dance tlsa"},
        {"help of a kind",
         {"tlsa", "user", "--help"},
         NULL,
         0,
         {{0}},
         "usage: dance tlsa"},
        /* Refused: exit 2, nothing on standard output. */
        {"no kind", {"tlsa"}, NULL, 2, {{0}}, NULL},
        {"unknown kind",
         {"tlsa", "host", "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ca without domain",
         {"tlsa", "ca", "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ca with --user",
         {"tlsa", "ca", "--domain", "example.org", "--user", "a@b.org",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ca with --hashed",
         {"tlsa", "ca", "--domain", "example.org", "--hashed",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ca without FILE",
         {"tlsa", "ca", "--domain", "example.org"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ca with two FILEs",
         {"tlsa", "ca", "--domain", "example.org", "@F/tlsa/ca.pem",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ca option without value",
         {"tlsa", "ca", "--domain"},
         NULL,
         2,
         {{0}},
         NULL},
        {"unknown option",
         {"tlsa", "ca", "--domain", "example.org", "--usage", "2",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"bad domain",
         {"tlsa", "ca", "--domain", "exa mple.org", "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"empty domain",
         {"tlsa", "ca", "--domain", "", "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: usage 3 for ca",
         {"tlsa", "ca", "--domain", "example.org", "--records", "3-1-1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: usage 2 for user",
         {"tlsa", "user", "--user", "a@example.org", "--records", "2-1-1",
          "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: PKIX usage",
         {"tlsa", "ca", "--domain", "example.org", "--records", "0-0-1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: selector 2",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-2-1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: mtype 3",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-1-3",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: short triple",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: trailing comma",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-1-1,",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: spaces",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2 1 1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: twice",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-1-1,2-1-1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"records: empty",
         {"tlsa", "ca", "--domain", "example.org", "--records", "",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"selector 0 of a bare key",
         {"tlsa", "ca", "--domain", "example.org", "--records", "2-0-1",
          "@F/tlsa/ca.pub.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"selector 0 of an ssh key",
         {"tlsa", "user", "--user", "a@example.org", "--records", "3-0-1",
          "@F/ssh/ed25519.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ttl negative",
         {"tlsa", "ca", "--domain", "example.org", "--ttl", "-1",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ttl too large",
         {"tlsa", "ca", "--domain", "example.org", "--ttl", "2147483648",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ttl not a number",
         {"tlsa", "ca", "--domain", "example.org", "--ttl", "1h",
          "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user without --user",
         {"tlsa", "user", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user with --domain",
         {"tlsa", "user", "--user", "a@example.org", "--domain", "example.org",
          "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user without @",
         {"tlsa", "user", "--user", "alice", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user with two @",
         {"tlsa", "user", "--user", "a@b@example.org", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user with empty uid",
         {"tlsa", "user", "--user", "@example.org", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user with empty domain",
         {"tlsa", "user", "--user", "alice@", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user with control character",
         {"tlsa", "user", "--user", "al\tice@example.org", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user with bad domain",
         {"tlsa", "user", "--user", "alice@exa mple.org", "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"user --hashed and --plain",
         {"tlsa", "user", "--user", "a@example.org", "--hashed", "--plain",
          "@F/tlsa/user.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"missing file",
         {"tlsa", "ca", "--domain", "example.org", "@F/tlsa/nonexistent"},
         NULL,
         2,
         {{0}},
         NULL},
        {"empty standard input",
         {"tlsa", "ca", "--domain", "example.org", "-"},
         NULL,
         2,
         {{0}},
         NULL},
        {"private key",
         {"tlsa", "ca", "--domain", "example.org", "@F/tlsa/ca.key"},
         NULL,
         2,
         {{0}},
         NULL},
        {"OpenSSH private key",
         {"tlsa", "user", "--user", "a@example.org", "@F/ssh/ed25519"},
         NULL,
         2,
         {{0}},
         NULL},
        {"two certificates",
         {"tlsa", "ca", "--domain", "example.org", "@F/tlsa/two.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"not a key",
         {"tlsa", "ca", "--domain", "example.org", "@F/tlsa/ca.spki.sha256"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh DSA key",
         {"tlsa", "user", "--user", "a@example.org", "@F/ssh/dsa.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh RSA 1024",
         {"tlsa", "user", "--user", "a@example.org", "@F/ssh/rsa1024.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh certificate",
         {"tlsa", "user", "--user", "a@example.org", "@F/ssh/ed25519-cert.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh key as user CA",
         {"tlsa", "ca", "--domain", "example.org", "@F/ssh/ed25519.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh-ca of a certificate",
         {"tlsa", "ssh-ca", "--domain", "example.org", "@F/tlsa/ca.pem"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh-ca with --records",
         {"tlsa", "ssh-ca", "--domain", "example.org", "--records", "2-1-1",
          "@F/ssh/ca-ed25519.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh-ca of a DSA key",
         {"tlsa", "ssh-ca", "--domain", "example.org", "@F/ssh/dsa.pub"},
         NULL,
         2,
         {{0}},
         NULL},
        {"ssh-ca of an OpenSSH certificate",
         {"tlsa", "ssh-ca", "--domain", "example.org",
          "@F/ssh/ed25519-cert.pub"},
         NULL,
         2,
         {{0}},
         NULL},
};

static void check_lines(const struct cli_case *c, char *out)
{
	size_t nlines = 0, nwant = 0;
	char *next;

	while (nwant < MAXLINES && c->lines[nwant].owner != NULL)
		nwant++;
	for (char *line = out; *line != '\0'; line = next, nlines++) {
		struct dance_tlsa t;
		char *owner = NULL;
		uint8_t *data;
		size_t len;

		next = strchr(line, '\n');
		cr_assert_not_null(next, "%s: unterminated line", c->name);
		*next++ = '\0';
		cr_assert_lt(nlines, nwant, "%s: extra line '%s'", c->name,
		             line);
		const struct want *w = &c->lines[nlines];
		cr_assert_eq(dance_tlsa_parse_text(line, &t, &owner), DANCE_OK,
		             "%s: '%s' does not parse", c->name, line);
		cr_expect_str_eq(owner, w->owner, "%s: owner %s", c->name,
		                 owner);
		cr_expect_eq(t.problem, DANCE_TLSA_USABLE, "%s", c->name);
		cr_expect(t.usage == w->u && t.selector == w->s &&
		                  t.mtype == w->m,
		          "%s: line %zu is %u %u %u", c->name, nlines, t.usage,
		          t.selector, t.mtype);
		data = expected_data(w->data, &len);
		cr_expect(t.len == len && memcmp(t.data, data, len) == 0,
		          "%s: line %zu: data differs from %s", c->name, nlines,
		          w->data);
		free(data);
		free(owner);
		dance_tlsa_clear(&t);
	}
	cr_expect_eq(nlines, nwant, "%s: %zu lines, want %zu", c->name, nlines,
	             nwant);
}

Test(cli_tlsa, table)
{
	size_t pos = 0, neg = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cli_case *c = &cases[i];
		char *out = NULL;
		int status = run_cli(c->args, c->stdin_path, &out);

		cr_expect_eq(status, c->status, "%s: exit %d, want %d", c->name,
		             status, c->status);
		if (c->text != NULL)
			cr_expect_not_null(strstr(out, c->text),
			                   "%s: no '%s' in output", c->name,
			                   c->text);
		if (c->status == 0) {
			pos++;
			if (c->lines[0].owner != NULL)
				check_lines(c, out);
		} else {
			neg++;
			cr_expect_str_empty(out, "%s: printed '%s'", c->name,
			                    out);
		}
		free(out);
	}
	cr_expect_gt(neg, pos);
}

/* A dotted uid is escaped in the plain label and parses back to the same
 * owner name. */
Test(cli_tlsa, escaped_label)
{
	static const char *const args[] = {"tlsa",
	                                   "user",
	                                   "--user",
	                                   "j.doe@example.org",
	                                   "@F/ssh/ed25519.pub",
	                                   NULL};
	char *out = NULL, *owner = NULL;
	struct dance_tlsa t;

	cr_assert_eq(run_cli(args, NULL, &out), 0);
	cr_expect_eq(
	        strncmp(out, "j\\046doe._user.example.org. IN TLSA 3 1 1 ", 41),
	        0, "'%s'", out);
	*strchr(out, '\n') = '\0';
	cr_assert_eq(dance_tlsa_parse_text(out, &t, &owner), DANCE_OK);
	cr_expect_not_null(owner);
	free(owner);
	dance_tlsa_clear(&t);
	free(out);
}
