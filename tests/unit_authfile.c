/*
 * unit_authfile.c -- the sshd helper's authorization file: line grammar,
 * authorized_keys options as OpenSSH 9.2 reads them, whole files with
 * malformed lines, mutated input, and the StrictModes-like file checks,
 * also of dance.conf and the files it names (confcheck.c).
 */
#include "akc.h"
#include "internal.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- lines ------------------------------------------------------------ */

struct line_case {
	const char *name;
	const char *line;
	enum akc_line_kind kind;
	const char *identity; /* expected identity, or NULL */
	const char *options;  /* expected options, or NULL */
	const char *owner;    /* expected owner (owner form), or NULL */
};

static const struct line_case good_lines[] = {
        {"plain identity", "alice@example.org", AKC_LINE_ENTRY,
         "alice@example.org", NULL, NULL},
        {"case and spaces", "  Alice@Example.ORG \t", AKC_LINE_ENTRY,
         "alice@example.org", NULL, NULL},
        {"one flag", "no-pty alice@example.org", AKC_LINE_ENTRY,
         "alice@example.org", "no-pty", NULL},
        {"flag any case", "NO-PTY,No-Agent-Forwarding a@example.org",
         AKC_LINE_ENTRY, "a@example.org", "NO-PTY,No-Agent-Forwarding", NULL},
        {"from and flag",
         "from=\"10.0.0.0/8,192.0.2.7,!*.bad.example\",no-agent-forwarding "
         "bob@example.net",
         AKC_LINE_ENTRY, "bob@example.net",
         "from=\"10.0.0.0/8,192.0.2.7,!*.bad.example\",no-agent-forwarding",
         NULL},
        {"command with spaces and quotes",
         "command=\"echo \\\"hi there\\\"\" carol@example.org", AKC_LINE_ENTRY,
         "carol@example.org", "command=\"echo \\\"hi there\\\"\"", NULL},
        {"restrict and re-enable",
         "restrict,pty,no-touch-required,verify-required d@example.org",
         AKC_LINE_ENTRY, "d@example.org",
         "restrict,pty,no-touch-required,verify-required", NULL},
        {"environment and expiry",
         "environment=\"LANG=C.UTF-8\",expiry-time=\"20991231\" "
         "e@example.org",
         AKC_LINE_ENTRY, "e@example.org",
         "environment=\"LANG=C.UTF-8\",expiry-time=\"20991231\"", NULL},
        {"expiry with time and Z",
         "expiry-time=\"209912312359Z\" e@example.org", AKC_LINE_ENTRY,
         "e@example.org", "expiry-time=\"209912312359Z\"", NULL},
        {"permitopen and permitlisten",
         "permitopen=\"localhost:8080\",permitopen=\"[::1]:22\","
         "permitlisten=\"2222\",permitlisten=\"127.0.0.1:*\" f@example.org",
         AKC_LINE_ENTRY, "f@example.org",
         "permitopen=\"localhost:8080\",permitopen=\"[::1]:22\","
         "permitlisten=\"2222\",permitlisten=\"127.0.0.1:*\"",
         NULL},
        {"tunnel", "tunnel=\"1\",X11-forwarding g@example.org", AKC_LINE_ENTRY,
         "g@example.org", "tunnel=\"1\",X11-forwarding", NULL},
        {"owner name", "alice._user.example.org.", AKC_LINE_ENTRY,
         "alice._user.example.org.", NULL, "alice._user.example.org"},
        {"owner name with options and case",
         "no-pty 0123abcd._USER.Example.org.", AKC_LINE_ENTRY,
         "0123abcd._user.example.org.", "no-pty", "0123abcd._user.example.org"},
        {"IDN domain",
         "alice@b\xc3\xbc"
         "cher.test",
         AKC_LINE_ENTRY,
         "alice@b\xc3\xbc"
         "cher.test",
         NULL, NULL},
        {"A-label domain", "alice@xn--bcher-kva.test", AKC_LINE_ENTRY,
         "alice@b\xc3\xbc"
         "cher.test",
         NULL, NULL},
        {"comment after identity", "alice@example.org   # Alice",
         AKC_LINE_ENTRY, "alice@example.org", NULL, NULL},
        {"CRLF", "alice@example.org\r", AKC_LINE_ENTRY, "alice@example.org",
         NULL, NULL},
        {"comment", "# who may log in", AKC_LINE_EMPTY, NULL, NULL, NULL},
        {"indented comment", "   # x@y.org", AKC_LINE_EMPTY, NULL, NULL, NULL},
        {"empty", "", AKC_LINE_EMPTY, NULL, NULL, NULL},
        {"blank", " \t  ", AKC_LINE_EMPTY, NULL, NULL, NULL},
};

static const struct line_case bad_lines[] = {
        {"cert-authority", "cert-authority alice@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"cert-authority among others", "no-pty,cert-authority a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"principals", "principals=\"alice\" alice@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"unknown option", "foo alice@example.org", AKC_LINE_BAD, NULL, NULL,
         NULL},
        {"unknown value option", "foo=\"x\" alice@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"restrict is not negatable", "no-restrict a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"flag with a value", "no-pty=\"x\" a@example.org", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"prefix of a flag", "restricted a@example.org", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"unterminated quote", "command=\"ls alice@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"value without quotes", "command=ls alice@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"text after a value", "command=\"ls\"x alice@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"two commands", "command=\"a\",command=\"b\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"two froms", "from=\"a\",from=\"b\" a@example.org", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"empty from", "from=\"\" a@example.org", AKC_LINE_BAD, NULL, NULL,
         NULL},
        {"empty from element", "from=\"a,,b\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"from with space", "from=\"a b\" a@example.org", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"short expiry", "expiry-time=\"2025\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"bad month", "expiry-time=\"20251301\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"bad hour", "expiry-time=\"202501012500\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"expiry words", "expiry-time=\"tomorrow\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"environment without =", "environment=\"LANG\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"environment bad name", "environment=\"A-B=1\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"environment empty name", "environment=\"=1\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"permitopen without port", "permitopen=\"localhost\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"permitopen port 0", "permitopen=\"h:0\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"permitopen port too big", "permitopen=\"h:65536\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"permitopen no host", "permitopen=\":22\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"permitlisten empty port", "permitlisten=\"h:\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"tunnel word", "tunnel=\"tun0\" a@example.org", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"tunnel too big", "tunnel=\"99999999999\" a@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"options end with comma", "no-pty, a@example.org", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"empty option", "no-pty,,pty a@example.org", AKC_LINE_BAD, NULL, NULL,
         NULL},
        {"not an identity", "alice", AKC_LINE_BAD, NULL, NULL, NULL},
        {"no uid", "@example.org", AKC_LINE_BAD, NULL, NULL, NULL},
        {"no domain", "alice@", AKC_LINE_BAD, NULL, NULL, NULL},
        {"two ats", "alice@@example.org", AKC_LINE_BAD, NULL, NULL, NULL},
        {"two identities", "alice@example.org bob@example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"extra text", "no-pty alice@example.org extra", AKC_LINE_BAD, NULL,
         NULL, NULL},
        {"bad domain", "alice@-bad-.org", AKC_LINE_BAD, NULL, NULL, NULL},
        {"wildcard domain", "alice@*.example.org", AKC_LINE_BAD, NULL, NULL,
         NULL},
        {"domain with underscore", "alice@_user.example.org", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"uid not UTF-8",
         "\xff"
         "alice@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"CA owner name", "_user.example.org.", AKC_LINE_BAD, NULL, NULL, NULL},
        {"owner with bad character", "alice._user.exa$mple.org.", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"owner with one label", "alice.", AKC_LINE_BAD, NULL, NULL, NULL},
        {"owner with empty label", "alice.._user.example.org.", AKC_LINE_BAD,
         NULL, NULL, NULL},
        {"owner label too long",
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "._user.example.org.",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"control character", "alice@exam\x01ple.org", AKC_LINE_BAD, NULL, NULL,
         NULL},
        {"DEL",
         "alice@ex\x7f"
         "ample.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
        {"control character in a value", "command=\"a\x1b[0m\" a@example.org",
         AKC_LINE_BAD, NULL, NULL, NULL},
};

static void check_line(const struct line_case *c)
{
	struct akc_entry e;
	enum akc_line_kind kind;
	char why[256] = "";
	int r;

	r = akc_parse_line(c->line, strlen(c->line), 7, &e, &kind, why,
	                   sizeof why);
	cr_assert_eq(r, DANCE_OK, "%s: error %d", c->name, r);
	cr_expect_eq(kind, c->kind, "%s: kind %d, expected %d (%s)", c->name,
	             kind, c->kind, why);
	if (kind == AKC_LINE_ENTRY && c->kind == AKC_LINE_ENTRY) {
		cr_expect_str_eq(e.identity, c->identity, "%s", c->name);
		if (c->options == NULL)
			cr_expect_null(e.options, "%s", c->name);
		else if (e.options != NULL)
			cr_expect_str_eq(e.options, c->options, "%s", c->name);
		else
			cr_expect_fail("%s: options missing", c->name);
		if (c->owner != NULL) {
			cr_expect_eq(e.kind, AKC_IDENT_OWNER, "%s", c->name);
			cr_expect_str_eq(e.owner, c->owner, "%s", c->name);
		} else {
			cr_expect_eq(e.kind, AKC_IDENT_USER, "%s", c->name);
			cr_expect_null(e.owner, "%s", c->name);
		}
		cr_expect_eq(e.line, 7u);
	}
	if (kind == AKC_LINE_BAD)
		cr_expect(why[0] != '\0', "%s: no reason", c->name);
	if (kind != AKC_LINE_ENTRY)
		cr_expect_null(e.identity, "%s", c->name);
	akc_entry_clear(&e);
}

Test(authfile, good_lines)
{
	for (size_t i = 0; i < sizeof good_lines / sizeof good_lines[0]; i++)
		check_line(&good_lines[i]);
}

Test(authfile, bad_lines)
{
	for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++)
		check_line(&bad_lines[i]);
}

Test(authfile, more_negative_than_positive)
{
	cr_expect_geq(sizeof bad_lines / sizeof bad_lines[0],
	              sizeof good_lines / sizeof good_lines[0]);
}

Test(authfile, nul_in_line_refused)
{
	static const char line[] = "alice@exam\0ple.org";
	struct akc_entry e;
	enum akc_line_kind kind;
	char why[128];

	cr_assert_eq(akc_parse_line(line, sizeof line - 1, 1, &e, &kind, why,
	                            sizeof why),
	             DANCE_OK);
	cr_expect_eq(kind, AKC_LINE_BAD);
	akc_entry_clear(&e);
}

Test(authfile, long_line_refused)
{
	size_t n = AKC_LINE_MAX + 20;
	char *line = malloc(n + 1);
	struct akc_entry e;
	enum akc_line_kind kind;
	char why[128];

	cr_assert_not_null(line);
	memset(line, 'a', n);
	memcpy(line + n - 12, "@example.org", 12);
	line[n] = '\0';
	cr_assert_eq(akc_parse_line(line, n, 1, &e, &kind, why, sizeof why),
	             DANCE_OK);
	cr_expect_eq(kind, AKC_LINE_BAD);
	cr_expect_str_eq(why, "line too long");
	akc_entry_clear(&e);
	free(line);
}

/* ---- options on their own -------------------------------------------- */

struct opt_case {
	const char *opts;
	int ok;
};

Test(authfile, options)
{
	static const struct opt_case cases[] = {
	        {"no-port-forwarding", 1},
	        {"port-forwarding", 1},
	        {"no-user-rc,user-rc", 1},
	        {"agent-forwarding", 1},
	        {"no-x11-forwarding", 1},
	        {"tunnel=\"any\"", 1},
	        {"permitlisten=\"*:8080\"", 1},
	        {"permitopen=\"*:*\"", 1},
	        {"command=\"\"", 1},
	        {"environment=\"A_1=x y \\\"z\\\"\"", 1},
	        {"", 0},
	        {",", 0},
	        {"no-pty,", 0},
	        {"cert-authority", 0},
	        {"Cert-Authority", 0},
	        {"principals=\"a\"", 0},
	        {"no-cert-authority", 0},
	        {"permitopen=\"[::1:22\"", 0},
	        {"permitopen=\"::1:22\"", 0},
	        {"tunnel=\"\"", 0},
	        {"expiry-time=\"19691231\"", 0},
	        {"from=\"a\tb\"", 0},
	        {"command=\"a\\\"", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char why[256];
		int r = akc_options_check(cases[i].opts, strlen(cases[i].opts),
		                          why, sizeof why);
		cr_expect_eq(r == DANCE_OK, cases[i].ok, "'%s': %s",
		             cases[i].opts, why);
	}
}

/* ---- whole files ------------------------------------------------------- */

struct skipped {
	unsigned lines[16];
	size_t n;
};

static void record_skip(void *arg, unsigned lineno, const char *why)
{
	struct skipped *s = arg;

	cr_expect(why[0] != '\0');
	if (s->n < 16)
		s->lines[s->n++] = lineno;
}

Test(authfile, malformed_lines_do_not_hide_others)
{
	static const char text[] = "# header\n"
	                           "alice@example.org\n"
	                           "cert-authority mallory@example.org\n"
	                           "\n"
	                           "no-pty bob@example.net\n"
	                           "command=\"unterminated carol@example.org\n"
	                           "dave._user.example.com.\n"
	                           "garbage\n"
	                           "erin@example.org";
	struct akc_file f;
	struct skipped s = {{0}, 0};

	cr_assert_eq(
	        akc_authfile_parse(text, sizeof text - 1, &f, record_skip, &s),
	        DANCE_OK);
	cr_assert_eq(f.n, 4);
	cr_expect_str_eq(f.entries[0].identity, "alice@example.org");
	cr_expect_eq(f.entries[0].line, 2u);
	cr_expect_str_eq(f.entries[1].identity, "bob@example.net");
	cr_expect_str_eq(f.entries[1].options, "no-pty");
	cr_expect_eq(f.entries[1].line, 5u);
	cr_expect_str_eq(f.entries[2].owner, "dave._user.example.com");
	cr_expect_str_eq(f.entries[2].domain, "example.com");
	cr_expect_str_eq(f.entries[3].identity, "erin@example.org");
	cr_expect_eq(f.entries[3].line, 9u);
	cr_assert_eq(s.n, 3);
	cr_expect_eq(s.lines[0], 3u);
	cr_expect_eq(s.lines[1], 6u);
	cr_expect_eq(s.lines[2], 8u);
	akc_authfile_clear(&f);
}

Test(authfile, empty_file)
{
	struct akc_file f;

	cr_assert_eq(akc_authfile_parse("", 0, &f, NULL, NULL), DANCE_OK);
	cr_expect_eq(f.n, 0);
	akc_authfile_clear(&f);
	akc_authfile_clear(NULL);
}

Test(authfile, entry_limit)
{
	size_t n = AKC_ENTRIES_MAX + 5, len = 0;
	char *text = malloc(n * 32);
	struct akc_file f;
	struct skipped s = {{0}, 0};

	cr_assert_not_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, 32, "u%zu@example.org\n",
		                        i);
	cr_assert_eq(akc_authfile_parse(text, len, &f, record_skip, &s),
	             DANCE_OK);
	cr_expect_eq(f.n, AKC_ENTRIES_MAX);
	cr_expect_eq(s.n, 5);
	akc_authfile_clear(&f);
	free(text);
}

/* Flip every bit of, and truncate at every length, a file of good lines:
 * the parser must not crash, and whatever it accepts must still be a
 * well-formed entry. */
static void check_entries(const struct akc_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct akc_entry *e = &f->entries[i];
		cr_assert_not_null(e->identity);
		for (const char *p = e->identity; *p; p++)
			cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
		if (e->kind == AKC_IDENT_USER) {
			cr_assert_not_null(strchr(e->identity, '@'));
			cr_assert_not_null(e->uid);
			cr_assert_not_null(e->domain);
		} else {
			cr_assert_not_null(e->owner);
			cr_assert_neq(strncmp(e->owner, "_user.", 6), 0);
		}
		if (e->options != NULL) {
			char why[128];
			cr_assert_eq(akc_options_check(e->options,
			                               strlen(e->options), why,
			                               sizeof why),
			             DANCE_OK);
			cr_assert_null(strstr(e->options, "cert-authority"));
		}
	}
}

Test(authfile, mutations)
{
	static const char good[] = "from=\"10.0.0.0/8\",command=\"echo "
	                           "\\\"x\\\"\" alice@example.org\n"
	                           "restrict,pty bob._user.example.net.\n";
	size_t len = sizeof good - 1;
	char buf[sizeof good];

	for (size_t i = 0; i < len * 8; i++) {
		struct akc_file f;
		memcpy(buf, good, len);
		buf[i / 8] = (char)(buf[i / 8] ^ (1 << (i % 8)));
		cr_assert_eq(akc_authfile_parse(buf, len, &f, NULL, NULL),
		             DANCE_OK);
		check_entries(&f);
		akc_authfile_clear(&f);
	}
	for (size_t n = 0; n <= len; n++) {
		struct akc_file f;
		cr_assert_eq(akc_authfile_parse(good, n, &f, NULL, NULL),
		             DANCE_OK);
		check_entries(&f);
		akc_authfile_clear(&f);
	}
}

/* ---- account names and file checks ------------------------------------ */

Test(authfile, user_names)
{
	static const struct opt_case cases[] = {
	        {"alice", 1}, {"a.b-c_d", 1}, {"user$", 1},   {"", 0},
	        {".", 0},     {"..", 0},      {".hidden", 0}, {"-x", 0},
	        {"a/b", 0},   {"../etc", 0},  {"a\nb", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(akc_user_name_ok(cases[i].opts), cases[i].ok,
		             "'%s'", cases[i].opts);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

/* /tmp is world-writable: nothing under it may be trusted. */
Test(authfile, refuses_under_tmp)
{
	char dir[] = "/tmp/dance-authfile-XXXXXX", path[PATH_MAX];
	char *text = NULL, why[512];
	size_t len;
	int missing;

	cr_assert_not_null(mkdtemp(dir));
	dance_fmt(path, sizeof path, "%s/alice", dir);
	write_file(path, "alice@example.org\n", 0644);
	cr_expect_eq(
	        akc_read_secure(path, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_NOT_ALLOWED);
	cr_expect_null(text);
	cr_expect(strstr(why, "directory /tmp") != NULL, "%s", why);
	unlink(path);
	rmdir(dir);
}

/* A directory we own and that qualifies (root-owned chain, not group or
 * world writable), under the build tree; skipped if the tree does not
 * qualify (e.g. a checkout under /tmp) or we are not root. */
static int secure_dir(char *dir, size_t len)
{
	struct stat st;
	char probe[PATH_MAX];

	if (geteuid() != 0)
		return -1;
	dance_fmt(dir, len, "%s/unit-authfile.%ld", DANCE_BINARY_DIR,
	          (long)getpid());
	if (mkdir(dir, 0755) != 0 || chmod(dir, 0755) != 0)
		return -1;
	dance_fmt(probe, sizeof probe, "%s/probe", dir);
	write_file(probe, "x@example.org\n", 0644);
	{
		char *t = NULL, why[512];
		size_t l;
		int m, r = akc_read_secure(probe, &t, &l, &m, why, sizeof why);
		free(t);
		unlink(probe);
		if (r != DANCE_OK || stat(dir, &st) != 0) {
			rmdir(dir);
			return -1;
		}
	}
	return 0;
}

Test(authfile, secure_file_checks)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX], fifo[PATH_MAX];
	char *text = NULL, why[512];
	size_t len = 0;
	int missing = 0;

	if (secure_dir(dir, sizeof dir) != 0)
		cr_skip_test("build tree is not a root-owned, safe path");
	dance_fmt(path, sizeof path, "%s/alice", dir);
	write_file(path, "alice@example.org\n", 0644);

	cr_expect_eq(
	        akc_read_secure(path, &text, &len, &missing, why, sizeof why),
	        DANCE_OK, "%s", why);
	cr_expect_eq(len, strlen("alice@example.org\n"));
	free(text);
	text = NULL;

	cr_assert_eq(chmod(path, 0666), 0);
	cr_expect_eq(
	        akc_read_secure(path, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_NOT_ALLOWED);
	cr_expect(strstr(why, "writable") != NULL, "%s", why);
	cr_assert_eq(chmod(path, 0620), 0);
	cr_expect_eq(
	        akc_read_secure(path, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_NOT_ALLOWED);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(chown(path, 65534, 0), 0);
	cr_expect_eq(
	        akc_read_secure(path, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_NOT_ALLOWED);
	cr_assert_eq(chown(path, 0, 0), 0);

	cr_assert_eq(chmod(dir, 0775), 0);
	cr_expect_eq(
	        akc_read_secure(path, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_NOT_ALLOWED);
	cr_expect(strstr(why, "directory") != NULL, "%s", why);
	cr_assert_eq(chmod(dir, 0755), 0);

	dance_fmt(link, sizeof link, "%s/bob", dir);
	cr_assert_eq(symlink("/tmp", link), 0);
	dance_fmt(link, sizeof link, "%s/bob/x", dir);
	cr_expect_eq(
	        akc_read_secure(link, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_IO); /* /tmp/x does not exist */
	dance_fmt(link, sizeof link, "%s/bob", dir);
	unlink(link);

	dance_fmt(fifo, sizeof fifo, "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	cr_expect_eq(
	        akc_read_secure(fifo, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_NOT_ALLOWED);
	unlink(fifo);

	dance_fmt(link, sizeof link, "%s/nobody", dir);
	cr_expect_eq(
	        akc_read_secure(link, &text, &len, &missing, why, sizeof why),
	        DANCE_ERR_IO);
	cr_expect_eq(missing, 1);
	cr_expect_null(text);

	unlink(path);
	rmdir(dir);
}

/* ---- dance.conf and the files it names (confcheck.c) ------------------- */

#define ROOT_DS                                                              \
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC6834" \
	"57104237C7F8EC8D\n"

/* One file a configuration names. */
struct named_file {
	const char *keyword; /* NULL: none */
	mode_t mode;
	uid_t uid;
};

struct named_case {
	const char *name;
	struct named_file f[2];
	int err;         /* of akc_config_check_files */
	const char *why; /* substring ("F" stands for the file) */
};

static const char *content_for(const char *keyword)
{
	if (strcmp(keyword, "trust-anchor-file") == 0)
		return ROOT_DS;
	if (strcmp(keyword, "unbound-config") == 0)
		return "server:\n";
	return "# a CA bundle\n";
}

Test(confcheck, named_files)
{
	static const struct named_case cases[] = {
	        {"anchor", {{"trust-anchor-file", 0644, 0}}, DANCE_OK, NULL},
	        {"anchor read-only",
	         {{"trust-anchor-file", 0400, 0}},
	         DANCE_OK,
	         NULL},
	        {"two anchors",
	         {{"trust-anchor-file", 0644, 0},
	          {"trust-anchor-file", 0444, 0}},
	         DANCE_OK,
	         NULL},
	        {"unbound-config",
	         {{"unbound-config", 0644, 0}},
	         DANCE_OK,
	         NULL},
	        {"tls-ca-bundle", {{"tls-ca-bundle", 0644, 0}}, DANCE_OK, NULL},
	        /* refused */
	        {"anchor group-writable",
	         {{"trust-anchor-file", 0664, 0}},
	         DANCE_ERR_NOT_ALLOWED,
	         "trust-anchor-file F: F is not owned by root or is writable "
	         "by "
	         "group or others"},
	        {"anchor world-writable",
	         {{"trust-anchor-file", 0646, 0}},
	         DANCE_ERR_NOT_ALLOWED,
	         "trust-anchor-file F: "},
	        {"anchor of another user",
	         {{"trust-anchor-file", 0644, 65534}},
	         DANCE_ERR_NOT_ALLOWED,
	         "F is not owned by root"},
	        {"second anchor group-writable",
	         {{"trust-anchor-file", 0644, 0},
	          {"trust-anchor-file", 0664, 0}},
	         DANCE_ERR_NOT_ALLOWED,
	         "trust-anchor-file F: "},
	        {"unbound-config group-writable",
	         {{"unbound-config", 0664, 0}},
	         DANCE_ERR_NOT_ALLOWED,
	         "unbound-config F: F is not owned by root or is writable"},
	        {"unbound-config of another user",
	         {{"unbound-config", 0644, 65534}},
	         DANCE_ERR_NOT_ALLOWED,
	         "unbound-config F: "},
	        {"tls-ca-bundle group-writable",
	         {{"tls-ca-bundle", 0664, 0}},
	         DANCE_ERR_NOT_ALLOWED,
	         "tls-ca-bundle F: F is not owned by root or is writable"},
	        {"tls-ca-bundle of another user",
	         {{"tls-ca-bundle", 0644, 65534}},
	         DANCE_ERR_NOT_ALLOWED,
	         "tls-ca-bundle F: "},
	};
	char dir[PATH_MAX];
	size_t ok = 0, no = 0;

	if (secure_dir(dir, sizeof dir) != 0)
		cr_skip_test("build tree is not a root-owned, safe path");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct named_case *c = &cases[i];
		char path[2][PATH_MAX], why[1024] = "", err[256], want[2048];
		const char *last = NULL;
		dance_ctx *ctx = NULL;
		int r;

		cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
		for (size_t k = 0; k < 2 && c->f[k].keyword != NULL; k++) {
			const struct named_file *f = &c->f[k];
			dance_fmt(path[k], sizeof path[k], "%s/f%zu-%zu", dir,
			          i, k);
			write_file(path[k], content_for(f->keyword), 0644);
			cr_assert_eq(dance_ctx_set(ctx, f->keyword, path[k],
			                           err, sizeof err),
			             DANCE_OK, "%s: %s", c->name, err);
			cr_assert_eq(chmod(path[k], f->mode), 0);
			cr_assert_eq(chown(path[k], f->uid, 0), 0);
			last = path[k];
		}
		r = akc_config_check_files(ctx, why, sizeof why);
		cr_expect_eq(r, c->err, "%s: %d (%s)", c->name, r, why);
		if (c->why != NULL) {
			/* "F" is the file that fails: the last one here */
			want[0] = '\0';
			for (const char *p = c->why; *p; p++)
				if (*p == 'F')
					dance_fmt(want + strlen(want),
					          sizeof want - strlen(want),
					          "%s", last);
				else
					dance_fmt(want + strlen(want),
					          sizeof want - strlen(want),
					          "%c", *p);
			cr_expect(strstr(why, want) != NULL,
			          "%s: '%s' lacks '%s'", c->name, why, want);
		}
		c->err == DANCE_OK ? ok++ : no++;
		dance_ctx_free(ctx);
		for (size_t k = 0; k < 2 && c->f[k].keyword != NULL; k++)
			unlink(path[k]);
	}
	cr_expect_geq(no, ok);
	rmdir(dir);
}

/* A trust anchor in a directory others may write, or under /tmp, or gone
 * since the configuration was read. */
Test(confcheck, named_file_places)
{
	char dir[PATH_MAX], sub[PATH_MAX], path[PATH_MAX], why[1024], err[256];
	char tmp[] = "/tmp/dance-confcheck-XXXXXX", tpath[PATH_MAX];
	dance_ctx *ctx = NULL;

	if (secure_dir(dir, sizeof dir) != 0)
		cr_skip_test("build tree is not a root-owned, safe path");
	dance_fmt(sub, sizeof sub, "%s/anchors", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	dance_fmt(path, sizeof path, "%s/root.ds", sub);
	write_file(path, ROOT_DS, 0644);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(
	        dance_ctx_set(ctx, "trust-anchor-file", path, err, sizeof err),
	        DANCE_OK, "%s", err);
	cr_expect_eq(akc_config_check_files(ctx, why, sizeof why), DANCE_OK,
	             "%s", why);
	cr_assert_eq(chmod(sub, 0775), 0);
	cr_expect_eq(akc_config_check_files(ctx, why, sizeof why),
	             DANCE_ERR_NOT_ALLOWED);
	cr_expect(strstr(why, "directory ") != NULL &&
	                  strstr(why, "/anchors is not owned by root") != NULL,
	          "%s", why);
	cr_assert_eq(chmod(sub, 0755), 0);
	unlink(path);
	cr_expect_eq(akc_config_check_files(ctx, why, sizeof why),
	             DANCE_ERR_IO);
	cr_expect(strstr(why, "trust-anchor-file ") == why, "%s", why);
	dance_ctx_free(ctx);
	rmdir(sub);

	cr_assert_not_null(mkdtemp(tmp));
	cr_assert_eq(chmod(tmp, 0755), 0);
	dance_fmt(tpath, sizeof tpath, "%s/root.ds", tmp);
	write_file(tpath, ROOT_DS, 0644);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(
	        dance_ctx_set(ctx, "trust-anchor-file", tpath, err, sizeof err),
	        DANCE_OK, "%s", err);
	cr_expect_eq(akc_config_check_files(ctx, why, sizeof why),
	             DANCE_ERR_NOT_ALLOWED);
	cr_expect(strstr(why, "directory /tmp ") != NULL, "%s", why);
	dance_ctx_free(ctx);
	unlink(tpath);
	rmdir(tmp);
	rmdir(dir);
}

/* The built-in files are checked when they are the ones used: the root
 * trust anchor without trust-anchor-file, the system CA bundle with
 * dns-over-tls yes and no tls-ca-bundle. Both pass on Debian. */
Test(confcheck, defaults)
{
	dance_ctx *ctx = NULL;
	char why[1024] = "", err[256];
	struct stat st;

	if (stat(DANCE_ROOT_KEY_FILE, &st) != 0 ||
	    stat(DANCE_SYSTEM_CA_BUNDLE, &st) != 0)
		cr_skip_test("no %s or %s here", DANCE_ROOT_KEY_FILE,
		             DANCE_SYSTEM_CA_BUNDLE);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_expect_eq(akc_config_check_files(ctx, why, sizeof why), DANCE_OK,
	             "%s", why);
	cr_assert_eq(dance_ctx_set(ctx, "resolver", "forward", err, sizeof err),
	             DANCE_OK, "%s", err);
	cr_assert_eq(dance_ctx_set(ctx, "forward", "192.0.2.1#dot.example", err,
	                           sizeof err),
	             DANCE_OK, "%s", err);
	cr_assert_eq(dance_ctx_set(ctx, "dns-over-tls", "yes", err, sizeof err),
	             DANCE_OK, "%s", err);
	cr_expect_eq(akc_config_check_files(ctx, why, sizeof why), DANCE_OK,
	             "%s", why);
	dance_ctx_free(ctx);
}

struct load_case {
	const char *name;
	const char *text;
	mode_t mode;
	uid_t uid;
	int err;
	const char *why;
};

Test(confcheck, load)
{
	static const struct load_case cases[] = {
	        {"good", "lookup-timeout 1234\n", 0644, 0, DANCE_OK, NULL},
	        {"good, read-only", "max-ttl 60\n", 0400, 0, DANCE_OK, NULL},
	        /* refused */
	        {"group-writable", "lookup-timeout 1234\n", 0664, 0,
	         DANCE_ERR_NOT_ALLOWED,
	         "is not owned by root or is writable by group or others"},
	        {"world-writable", "lookup-timeout 1234\n", 0646, 0,
	         DANCE_ERR_NOT_ALLOWED, "is not owned by root"},
	        {"another user's", "lookup-timeout 1234\n", 0644, 65534,
	         DANCE_ERR_NOT_ALLOWED, "is not owned by root"},
	        {"bad keyword", "no-such-keyword 1\n", 0644, 0,
	         DANCE_ERR_CONFIG, "dance.conf:1: "},
	};
	char dir[PATH_MAX], path[PATH_MAX], why[1024];

	if (secure_dir(dir, sizeof dir) != 0)
		cr_skip_test("build tree is not a root-owned, safe path");
	dance_fmt(path, sizeof path, "%s/dance.conf", dir);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct load_case *c = &cases[i];
		dance_ctx *ctx = NULL;
		int r;

		write_file(path, c->text, c->mode);
		cr_assert_eq(chown(path, c->uid, 0), 0);
		cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
		why[0] = '\0';
		r = akc_config_load(ctx, path, why, sizeof why);
		cr_expect_eq(r, c->err, "%s: %d (%s)", c->name, r, why);
		if (c->why != NULL)
			cr_expect(strstr(why, c->why) != NULL &&
			                  strstr(why, dir),
			          "%s: %s", c->name, why);
		if (r == DANCE_OK && strncmp(c->text, "lookup", 6) == 0)
			cr_expect_str_eq(
			        dance_ctx_get(ctx, "lookup-timeout", 0),
			        "1234");
		dance_ctx_free(ctx);
		unlink(path);
	}
	{
		dance_ctx *ctx = NULL;
		cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
		cr_expect_eq(akc_config_load(ctx, path, why, sizeof why),
		             DANCE_ERR_IO, "missing: %s", why);
		dance_ctx_free(ctx);
	}
	rmdir(dir);
}
