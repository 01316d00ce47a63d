/*
 * unit_config.c -- dance.conf(5): every keyword accepted and read back,
 * malformed lines refused with "FILE:LINE: ..." errors, settings checked
 * against each other, and no configuration after the freeze.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define ROOT_KEY  "/usr/share/dns/root.key"

static char tmpdir[] = "/tmp/dance-unit-config-XXXXXX";
static char ubconf[256], tafile[256], emptyfile[256];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(ubconf, sizeof ubconf, "%s/ub.conf", tmpdir);
	snprintf(tafile, sizeof tafile, "%s/ta.ds", tmpdir);
	snprintf(emptyfile, sizeof emptyfile, "%s/empty", tmpdir);
	write_file(ubconf, "server:\n\tverbosity: 0\n");
	write_file(tafile, "; comment\nexample.test. 3600 IN DS 1 13 2 "
	                   "0000000000000000000000000000000000000000000000"
	                   "000000000000000000\n");
	write_file(emptyfile, "# nothing\n");
}

static void teardown(void)
{
	unlink(ubconf);
	unlink(tafile);
	unlink(emptyfile);
	rmdir(tmpdir);
}

TestSuite(config, .init = setup, .fini = teardown);

static dance_ctx *parse_ok(const char *text)
{
	dance_ctx *ctx = NULL;
	char err[512] = "";
	int r;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	r = dance_config_parse_buffer(ctx, "t.conf", text, strlen(text), err,
	                              sizeof err);
	cr_assert_eq(r, DANCE_OK, "parse: %d '%s'", r, err);
	return ctx;
}

Test(config, defaults)
{
	static const struct {
		const char *kw, *value;
	} cases[] = {
	        {"resolver", "system"},
	        {"dns-over-tls", "no"},
	        {"lookup-timeout", "2000"},
	        {"max-in-flight", "64"},
	        {"max-ttl", "3600"},
	        {"answer-cache-size", "4096"},
	        {"user-label", "plain"},
	        {"ssh-authorized-dir", "/etc/dance/ssh/authorized"},
	        {"log-level", "info"},
	        {"clientid-codepoint", "0xFFDA"},
	        {"forward", NULL},
	        {"allow-domain", NULL},
	        {"tls-ca-bundle", NULL},
	        {"trust-anchor-file", NULL},
	        {"unbound-config", NULL},
	        {"domain-user-label", NULL},
	        {"ssh-ca-domain", NULL},
	        {"no-such-keyword", NULL},
	};
	dance_ctx *ctx = NULL;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *v = dance_ctx_get(ctx, cases[i].kw, 0);
		if (cases[i].value == NULL)
			cr_expect_null(v, "%s: '%s'", cases[i].kw, v);
		else
			cr_expect(v != NULL && strcmp(v, cases[i].value) == 0,
			          "%s: '%s'", cases[i].kw, v ? v : "(null)");
	}
	cr_expect_eq(dance_ctx_lookup_timeout_ms(ctx), 2000u);
	cr_expect_eq(dance_ctx_clientid_codepoint(ctx), 0xFFDAu);
	cr_expect_str_eq(dance_ctx_ssh_authorized_dir(ctx),
	                 "/etc/dance/ssh/authorized");
	cr_expect_eq(dance_ctx_user_label(ctx, "example.org"),
	             DANCE_LABEL_PLAIN);
	cr_expect_eq(dance_domain_allowed(ctx, "example.org"), 0);
	dance_ctx_free(ctx);
}

Test(config, every_keyword_read_back)
{
	char text[4096];
	dance_ctx *ctx;
	static const struct {
		const char *kw;
		size_t index;
		const char *value;
	} cases[] = {
	        {"resolver", 0, "forward"},
	        {"forward", 0, "192.0.2.1#dns.example.net"},
	        {"forward", 1, "2001:db8::1@5353#dns.example.net"},
	        {"forward", 2, "127.0.0.1@853#xn--bcher-kva.example"},
	        {"dns-over-tls", 0, "yes"},
	        {"tls-ca-bundle", 0, CA_BUNDLE},
	        {"trust-anchor-file", 0, ROOT_KEY},
	        {"allow-domain", 0, "example.org"},
	        {"allow-domain", 1, "*.example.net"},
	        {"allow-domain", 2, "xn--bcher-kva.example"},
	        {"allow-domain", 3, "*"},
	        {"lookup-timeout", 0, "750"},
	        {"max-in-flight", 0, "8"},
	        {"max-ttl", 0, "60"},
	        {"user-label", 0, "hashed"},
	        {"ssh-authorized-dir", 0, "/srv/dance/ssh"},
	        {"log-level", 0, "debug"},
	        {"domain-user-label", 0, "example.org plain"},
	        {"domain-user-label", 1, "xn--bcher-kva.example hashed"},
	        {"ssh-ca-domain", 0, "example.org"},
	        {"ssh-ca-domain", 1, "example.net"},
	        {"clientid-codepoint", 0, "0xFF42"},
	        {"answer-cache-size", 0, "0"},
	};

	snprintf(text, sizeof text,
	         "# a full configuration\n"
	         "resolver forward\n"
	         "forward 192.0.2.1#dns.example.net   # port 853\n"
	         "forward 2001:db8::1@5353#dns.example.net\n"
	         "forward 127.0.0.1@853#B\xc3\xbc"
	         "cher.example\n"
	         "dns-over-tls yes\n"
	         "\ttls-ca-bundle " CA_BUNDLE "\n"
	         "trust-anchor-file " ROOT_KEY "\n"
	         "allow-domain Example.ORG.\n"
	         "allow-domain *.example.net\n"
	         "allow-domain b\xc3\xbc"
	         "cher.example\n"
	         "allow-domain *\n"
	         "lookup-timeout 750\n"
	         "max-in-flight 8\n"
	         "max-ttl 60\n"
	         "user-label hashed\n"
	         "ssh-authorized-dir /srv/dance/ssh\n"
	         "log-level debug\n"
	         "unbound-config %s\n"
	         "domain-user-label example.org plain\n"
	         "domain-user-label B\xc3\xbc"
	         "cher.example hashed\n"
	         "ssh-ca-domain example.org\n"
	         "ssh-ca-domain EXAMPLE.net.\n"
	         "clientid-codepoint 65346\n"
	         "answer-cache-size 0\n"
	         "\n   \n",
	         ubconf);
	ctx = parse_ok(text);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *v = dance_ctx_get(ctx, cases[i].kw, cases[i].index);
		cr_expect(v != NULL && strcmp(v, cases[i].value) == 0,
		          "%s[%zu]: '%s', expected '%s'", cases[i].kw,
		          cases[i].index, v ? v : "(null)", cases[i].value);
	}
	cr_expect_str_eq(dance_ctx_get(ctx, "unbound-config", 0), ubconf);
	cr_expect_null(dance_ctx_get(ctx, "forward", 3));
	cr_expect_eq(dance_ctx_lookup_timeout_ms(ctx), 750u);
	cr_expect_eq(dance_ctx_clientid_codepoint(ctx), 0xFF42u);
	cr_expect_str_eq(dance_ctx_ssh_authorized_dir(ctx), "/srv/dance/ssh");
	cr_expect_eq(dance_ctx_user_label(ctx, "example.org"),
	             DANCE_LABEL_PLAIN);
	cr_expect_eq(dance_ctx_user_label(ctx, "xn--bcher-kva.example"),
	             DANCE_LABEL_HASHED);
	cr_expect_eq(dance_ctx_user_label(ctx, "other.example"),
	             DANCE_LABEL_HASHED);
	cr_expect_eq(dance_ctx_is_ssh_ca_domain(ctx, "example.net"), 1);
	cr_expect_eq(dance_ctx_is_ssh_ca_domain(ctx, "example.com"), 0);
	dance_ctx_free(ctx);
}

Test(config, set_one_keyword)
{
	static const struct {
		const char *kw, *value, *readback;
		int err;
	} cases[] = {
	        {"max-ttl", "120", "120", DANCE_OK},
	        {"clientid-codepoint", "0xffda", "0xFFDA", DANCE_OK},
	        {"clientid-codepoint", "1", "0x0001", DANCE_OK},
	        {"lookup-timeout", "600000", "600000", DANCE_OK},
	        {"log-level", "error", "error", DANCE_OK},
	        {"resolver", "recursive", "recursive", DANCE_OK},
	        {"max-ttl", "0", NULL, DANCE_ERR_CONFIG},
	        {"max-ttl", "", NULL, DANCE_ERR_CONFIG},
	        {"max-ttl", "1 2", NULL, DANCE_ERR_CONFIG},
	        {"nonsense", "1", NULL, DANCE_ERR_CONFIG},
	        {"max ttl", "1", NULL, DANCE_ERR_CONFIG},
	        {"", "1", NULL, DANCE_ERR_CONFIG},
	};
	dance_ctx *ctx = NULL;
	char err[256];

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = dance_ctx_set(ctx, cases[i].kw, cases[i].value, err,
		                      sizeof err);
		cr_expect_eq(r, cases[i].err, "case %zu: %d '%s'", i, r, err);
		if (cases[i].err != DANCE_OK) {
			cr_expect(err[0] != '\0', "case %zu: no error text", i);
			cr_expect_null(strstr(err, ":1:"),
			               "case %zu: a line number in '%s'", i,
			               err);
		} else {
			cr_expect_str_eq(dance_ctx_get(ctx, cases[i].kw, 0),
			                 cases[i].readback);
		}
	}
	dance_ctx_free(ctx);
}

/* Each malformed file: the error names the file, the line and the
 * problem. */
struct bad_case {
	const char *name;
	const char *text;
	int line;
	const char *what;
};

static const struct bad_case bad_cases[] = {
        {"unknown keyword", "max-ttl 5\nfrobnicate yes\n", 2,
         "unknown keyword 'frobnicate'"},
        {"missing value", "lookup-timeout\n", 1, "lookup-timeout: missing"},
        {"missing second value", "domain-user-label example.org\n", 1,
         "domain-user-label: missing values"},
        {"extra token", "\n\nmax-ttl 5 6\n", 3, "unexpected '6'"},
        {"not a number", "lookup-timeout 2s\n", 1,
         "'2s' is not a whole number"},
        {"negative number", "max-in-flight -1\n", 1,
         "'-1' is not a whole number"},
        {"overflow", "max-ttl 99999999999999999999\n", 1,
         "is not a whole number"},
        {"zero timeout", "lookup-timeout 0\n", 1, "out of range"},
        {"timeout too big", "lookup-timeout 600001\n", 1, "out of range"},
        {"max-in-flight zero", "max-in-flight 0\n", 1, "out of range"},
        {"max-ttl too big", "max-ttl 604801\n", 1, "out of range"},
        {"answer cache too big", "answer-cache-size 1000001\n", 1,
         "answer-cache-size: 1000001 is out of range (0..1000000)"},
        {"answer cache size not a number", "answer-cache-size 4k\n", 1,
         "answer-cache-size: '4k' is not a whole number"},
        {"bad resolver", "resolver dnsmasq\n", 1,
         "resolver: 'dnsmasq' is not one of"},
        {"bad yes/no", "dns-over-tls maybe\n", 1, "is not yes or no"},
        {"bad address", "forward 192.0.2.300\n", 1,
         "'192.0.2.300' is not an IPv4 or IPv6 address"},
        {"host name as forwarder", "forward dns.example.net\n", 1,
         "is not an IPv4 or IPv6 address"},
        {"bad port", "forward 192.0.2.1@70000\n", 1, "'70000' is not a port"},
        {"empty port", "forward 192.0.2.1@#dns.example\n", 1, "is not a port"},
        {"bad TLS name", "forward 192.0.2.1@853#bad_name!\n", 1,
         "is not a valid TLS name"},
        {"bad allow pattern", "allow-domain ex*ample.org\n", 1,
         "only '*' or a leading '*.'"},
        {"bad allow domain", "allow-domain -bad-.org\n", 1,
         "is not a valid domain name"},
        {"allow wildcard in middle", "allow-domain a.*.org\n", 1,
         "only '*' or a leading '*.'"},
        {"unreadable trust anchor", "trust-anchor-file /nonexistent/ta\n", 1,
         "trust-anchor-file: cannot read '/nonexistent/ta'"},
        {"relative trust anchor", "trust-anchor-file root.key\n", 1,
         "is not an absolute path"},
        {"unreadable CA bundle", "tls-ca-bundle /nonexistent/ca.pem\n", 1,
         "tls-ca-bundle: cannot read"},
        {"directory as file", "unbound-config /etc\n", 1, "not a regular file"},
        {"bad label form", "user-label fancy\n", 1,
         "'fancy' is not plain or hashed"},
        {"bad domain label form", "domain-user-label example.org x\n", 1,
         "'x' is not plain or hashed"},
        {"domain label twice",
         "domain-user-label a.org plain\ndomain-user-label A.org. hashed\n", 2,
         "'a.org' is given more than once"},
        {"relative ssh dir", "ssh-authorized-dir ssh/authorized\n", 1,
         "is not an absolute path"},
        {"bad log level", "log-level verbose\n", 1,
         "'verbose' is not error, info or debug"},
        {"bad ssh ca domain", "ssh-ca-domain *.example.org\n", 1,
         "is not a valid domain name"},
        {"codepoint zero", "clientid-codepoint 0\n", 1, "out of range"},
        {"codepoint too big", "clientid-codepoint 0x10000\n", 1,
         "out of range"},
        {"codepoint reneg", "clientid-codepoint 0xFF01\n", 1,
         "renegotiation_info"},
        {"codepoint junk", "clientid-codepoint 0xZZ\n", 1, "is not a number"},
        {"too many tokens", "forward 1 2 3 4 5 6 7 8 9\n", 1,
         "too many values"},
        {"dot without forwarders", "max-ttl 5\ndns-over-tls yes\n", 2,
         "dns-over-tls yes needs forward lines"},
        {"resolver forward without forward", "resolver forward\n", 1,
         "resolver forward needs at least one forward line"},
        {"forward with recursive", "resolver recursive\nforward 192.0.2.1\n", 1,
         "forward lines given, but resolver is recursive"},
        {"dot forwarder without name",
         "forward 192.0.2.1#a.example\nforward 192.0.2.2\n"
         "dns-over-tls yes\n",
         3, "forward 192.0.2.2 has no TLS name"},
        {"TLS name without dns-over-tls",
         "resolver forward\nforward 192.0.2.1@853#dns.example.net\n", 2,
         "forward 192.0.2.1#dns.example.net: a TLS name needs dns-over-tls"},
        {"keyword is case-sensitive", "Max-TTL 5\n", 1,
         "unknown keyword 'Max-TTL'"},
};

static void check_bad(const struct bad_case *c, const char *text)
{
	dance_ctx *ctx = NULL;
	char err[512] = "", want[64];
	int r;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	r = dance_config_parse_buffer(ctx, "/etc/dance/t.conf", text,
	                              strlen(text), err, sizeof err);
	cr_expect_eq(r, DANCE_ERR_CONFIG, "%s: %d", c->name, r);
	snprintf(want, sizeof want, "/etc/dance/t.conf:%d: ", c->line);
	cr_expect(strncmp(err, want, strlen(want)) == 0,
	          "%s: '%s' does not start with '%s'", c->name, err, want);
	cr_expect_not_null(strstr(err, c->what), "%s: '%s' lacks '%s'", c->name,
	                   err, c->what);
	dance_ctx_free(ctx);
}

Test(config, malformed_lines)
{
	cr_assert_geq(sizeof bad_cases / sizeof bad_cases[0], 15);
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
		check_bad(&bad_cases[i], bad_cases[i].text);
}

Test(config, trust_anchor_without_records)
{
	struct bad_case c = {"no DS", NULL, 1, "holds no DS or DNSKEY record"};
	char text[512];

	snprintf(text, sizeof text, "trust-anchor-file %s\n", emptyfile);
	check_bad(&c, text);
}

Test(config, long_line_and_nul)
{
	char text[5000];
	struct bad_case c1 = {"long", NULL, 2, "line too long"};
	dance_ctx *ctx = NULL;
	char err[256];

	memset(text, 'a', sizeof text);
	memcpy(text, "max-ttl 1\n", 10);
	text[sizeof text - 1] = '\0';
	check_bad(&c1, text);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_expect_eq(dance_config_parse_buffer(ctx, "/etc/dance/t.conf",
	                                       "max-ttl\0 5\n", 11, err,
	                                       sizeof err),
	             DANCE_ERR_CONFIG);
	cr_expect_not_null(strstr(err, "/etc/dance/t.conf:1: NUL"), "%s", err);
	dance_ctx_free(ctx);
}

Test(config, load_file_errors)
{
	dance_ctx *ctx = NULL;
	char path[300], err[512];
	int r;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	r = dance_ctx_load_config(ctx, "/nonexistent/dance.conf", err,
	                          sizeof err);
	cr_expect_eq(r, DANCE_ERR_IO);
	cr_expect_not_null(strstr(err, "/nonexistent/dance.conf: cannot read"),
	                   "%s", err);
	snprintf(path, sizeof path, "%s/bad.conf", tmpdir);
	write_file(path, "# ok\nmax-ttl 10\nallow-domain\n");
	r = dance_ctx_load_config(ctx, path, err, sizeof err);
	cr_expect_eq(r, DANCE_ERR_CONFIG);
	cr_expect(strncmp(err, path, strlen(path)) == 0 &&
	                  strstr(err, ":3: allow-domain: missing") != NULL,
	          "%s", err);
	unlink(path);
	dance_ctx_free(ctx);
}

static void log_count(void *arg, enum dance_log_level level, const char *msg)
{
	(void)msg;
	if (level == DANCE_LOG_ERROR)
		(*(int *)arg)++;
}

Test(config, errors_are_logged)
{
	dance_ctx *ctx = NULL;
	char err[256];
	int n = 0;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_set_log(ctx, log_count, &n), DANCE_OK);
	cr_expect_eq(dance_config_parse_buffer(ctx, "x", "bad\n", 4, err,
	                                       sizeof err),
	             DANCE_ERR_CONFIG);
	cr_expect_eq(n, 1);
	dance_ctx_free(ctx);
}

Test(config, frozen_refuses_configuration)
{
	dance_ctx *ctx = parse_ok("resolver forward\n"
	                          "forward 127.0.0.1@9\n"
	                          "trust-anchor-file " ROOT_KEY "\n");
	char err[256];

	cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK);
	cr_expect_eq(dance_ctx_freeze(ctx), DANCE_OK, "idempotent");
	cr_expect_eq(dance_ctx_set(ctx, "max-ttl", "5", err, sizeof err),
	             DANCE_ERR_FROZEN);
	cr_expect_eq(dance_config_parse_buffer(ctx, "x", "max-ttl 5\n", 10, err,
	                                       sizeof err),
	             DANCE_ERR_FROZEN);
	cr_expect_eq(dance_ctx_load_config(ctx, ROOT_KEY, err, sizeof err),
	             DANCE_ERR_FROZEN);
	cr_expect_eq(dance_ctx_set_log(ctx, NULL, NULL), DANCE_ERR_FROZEN);
	cr_expect_str_eq(dance_ctx_get(ctx, "max-ttl", 0), "3600");
	dance_ctx_free(ctx);
}

Test(config, freeze_reports_inconsistent_settings)
{
	dance_ctx *ctx = NULL;
	char err[256];
	struct dance_tlsa_rrset *rs = NULL;

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_set(ctx, "dns-over-tls", "yes", err, sizeof err),
	             DANCE_OK);
	cr_assert_eq(dance_ctx_set(ctx, "allow-domain", "*", err, sizeof err),
	             DANCE_OK);
	cr_expect_eq(dance_ctx_freeze(ctx), DANCE_ERR_CONFIG);
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.example.org", &rs),
	             DANCE_ERR_CONFIG);
	cr_expect_null(rs);
	dance_ctx_free(ctx);
}

Test(config, freeze_reports_resolver_errors)
{
	char path[300], err[256], text[1024];
	dance_ctx *ctx;

	/* a syntax error inside an unbound-config file shows at the freeze */
	snprintf(path, sizeof path, "%s/broken-ub.conf", tmpdir);
	write_file(path, "server:\n\tno-such-unbound-option: 1\n");
	snprintf(text, sizeof text,
	         "forward 127.0.0.1@9\nunbound-config %s\n"
	         "trust-anchor-file %s\n",
	         path, tafile);
	ctx = parse_ok(text);
	cr_expect_eq(dance_ctx_freeze(ctx), DANCE_ERR_RESOLVER);
	cr_expect_eq(dance_ctx_set(ctx, "max-ttl", "5", err, sizeof err),
	             DANCE_ERR_FROZEN);
	dance_ctx_free(ctx);
	unlink(path);
}

static char dot_log[2048];

static void keep_dot_log(void *arg, enum dance_log_level level, const char *msg)
{
	size_t used = strlen(dot_log);

	(void)arg;
	(void)level;
	snprintf(dot_log + used, sizeof dot_log - used, "%s\n", msg);
}

Test(config, transports_set_up)
{
	/* Set-up only: nothing is sent at the freeze. */
	static const char *const texts[] = {
	        "resolver system\n",
	        "resolver recursive\n",
	        "forward 127.0.0.1@9\nforward ::1\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		dance_ctx *ctx = parse_ok(texts[i]);
		cr_expect_eq(dance_ctx_freeze(ctx), DANCE_OK, "case %zu", i);
		dance_ctx_free(ctx);
	}
}

Test(config, dns_over_tls_set_up)
{
	/* The relay of lib/dot.c starts at the freeze (relay ports, thread,
	 * TLS context); nothing is sent before the first lookup. */
	static const char *const texts[] = {
	        "forward 127.0.0.1@9#dns.example\ndns-over-tls yes\n"
	        "tls-ca-bundle " CA_BUNDLE "\n",
	        "forward 127.0.0.1#dns.example\ndns-over-tls yes\n",
	        "forward ::1@9#a.example\nforward 127.0.0.1@9#b.example\n"
	        "dns-over-tls yes\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		dance_ctx *ctx = parse_ok(texts[i]);

		dot_log[0] = '\0';
		cr_assert_eq(dance_ctx_set_log(ctx, keep_dot_log, NULL),
		             DANCE_OK);
		cr_expect_eq(dance_ctx_freeze(ctx), DANCE_OK, "case %zu: %s", i,
		             dot_log);
		cr_expect_eq(dot_log[0], '\0', "case %zu: %s", i, dot_log);
		dance_ctx_free(ctx);
	}
}

Test(config, dns_over_tls_bundle_without_certificates)
{
	/* a readable tls-ca-bundle with no certificate in it fails the
	 * freeze, saying why: no forwarder could ever be authenticated */
	char text[600];
	struct dance_tlsa_rrset *rs = NULL;
	dance_ctx *ctx;

	snprintf(text, sizeof text,
	         "forward 127.0.0.1@9#dns.example\ndns-over-tls yes\n"
	         "tls-ca-bundle %s\n",
	         emptyfile);
	ctx = parse_ok(text);
	dot_log[0] = '\0';
	cr_assert_eq(dance_ctx_set_log(ctx, keep_dot_log, NULL), DANCE_OK);
	cr_expect_eq(dance_ctx_freeze(ctx), DANCE_ERR_RESOLVER);
	cr_expect_not_null(strstr(dot_log, "no CA certificate loaded"), "%s",
	                   dot_log);
	cr_expect_not_null(strstr(dot_log, emptyfile), "%s", dot_log);
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.x.test", &rs),
	             DANCE_ERR_RESOLVER);
	cr_expect_null(rs);
	dance_ctx_free(ctx);
}

Test(config, allow_list)
{
	static const struct {
		const char *domain;
		int allowed;
	} cases[] = {
	        {"example.org", 1},
	        {"EXAMPLE.org.", 1},
	        {"sub.example.org", 0},
	        {"a.example.net", 1},
	        {"a.b.example.net", 1},
	        {"example.net", 0},
	        {"xn--bcher-kva.example", 1},
	        {"b\xc3\xbc"
	         "cher.example",
	         1},
	        {"badexample.net", 0},
	        {"example.com", 0},
	        {"org", 0},
	        {"", 0},
	        {"evil\\.example.net", 0},
	        {"evil\\046example.net", 0},
	};
	dance_ctx *ctx = parse_ok("allow-domain example.org\n"
	                          "allow-domain *.example.net\n"
	                          "allow-domain xn--bcher-kva.example\n");

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(dance_domain_allowed(ctx, cases[i].domain),
		             cases[i].allowed, "'%s'", cases[i].domain);
	dance_ctx_free(ctx);
	ctx = parse_ok("allow-domain *\n");
	cr_expect_eq(dance_domain_allowed(ctx, "anything.example"), 1);
	dance_ctx_free(ctx);
}
