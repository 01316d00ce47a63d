/*
 * unit_clientid.c -- dane_clientid: the wire form (parser tables, flipped
 * and truncated inputs) and in-memory TLS handshakes between OpenSSL
 * clients and servers set up by libdance or by hand-written "rogue" peers
 * that put arbitrary octets into the extension: well-formed and malformed
 * ClientNames, the server's zero-length and older empty forms, the
 * extension on the wrong certificate, on TLS 1.2 and in a ClientHello, the
 * code point, and the allow-list check before any DNS query.
 */
#include "internal.h"
#include "tlsmem.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CP      0xFFDAu
#define UID_SAN "otherName:0.9.2342.19200300.100.1.1;UTF8:alice"
#define A_ILL   DANCE_TLS_ALERT_ILLEGAL_PARAMETER
#define A_DEC   DANCE_TLS_ALERT_DECODE_ERROR

/* ---- the parser -------------------------------------------------------- */

struct wire_case {
	const char *name;
	const char *in; /* extension_data */
	size_t len;
	int err;
	int alert;
	const char *out;
};

#define W(s) s, sizeof(s) - 1

Test(clientid, from_client)
{
	static const struct wire_case cases[] = {
	        {"plain name",
	         W("\x0b"
	           "example.org"),
	         DANCE_OK, 0, "example.org"},
	        {"uppercase is lowercased",
	         W("\x0b"
	           "EXAMPLE.Org"),
	         DANCE_OK, 0, "example.org"},
	        {"_user form", W("\x11_user.example.org"), DANCE_OK, 0,
	         "_user.example.org"},
	        {"one label", W("\x01x"), DANCE_OK, 0, "x"},
	        {"empty extension", W(""), DANCE_ERR_PARSE, A_DEC, NULL},
	        {"zero-length ClientName", W("\x00"), DANCE_ERR_PARSE, A_ILL,
	         NULL},
	        {"length octet too big",
	         W("\x0c"
	           "example.org"),
	         DANCE_ERR_PARSE, A_DEC, NULL},
	        {"length octet too small",
	         W("\x0a"
	           "example.org"),
	         DANCE_ERR_PARSE, A_DEC, NULL},
	        {"trailing octet",
	         W("\x0b"
	           "example.orgX"),
	         DANCE_ERR_PARSE, A_DEC, NULL},
	        {"two-octet length",
	         W("\x00\x0b"
	           "example.org"),
	         DANCE_ERR_PARSE, A_DEC, NULL},
	        {"trailing dot",
	         W("\x0c"
	           "example.org."),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"leading dot", W("\x0c.example.org"), DANCE_ERR_PARSE, A_ILL,
	         NULL},
	        {"empty label",
	         W("\x0c"
	           "example..org"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"lone dot", W("\x01."), DANCE_ERR_PARSE, A_ILL, NULL},
	        {"space",
	         W("\x0b"
	           "exa ple.org"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"NUL inside",
	         W("\x0b"
	           "exa\0ple.org"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"backslash escape",
	         W("\x0e"
	           "exa\\046ple.org"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"UTF-8",
	         W("\x0a"
	           "b\xc3\xbc"
	           "cher.de"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"wildcard", W("\x0d*.example.org"), DANCE_ERR_PARSE, A_ILL,
	         NULL},
	        {"at sign",
	         W("\x11"
	           "alice@example.org"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct wire_case *c = &cases[i];
		char *name = (char *)0x1;
		int alert = -1;
		int r = dance_clientid_parse_client((const uint8_t *)c->in,
		                                    c->len, &name, &alert);
		cr_expect_eq(r, c->err, "%s: %d", c->name, r);
		cr_expect_eq(alert, c->alert, "%s: alert %d", c->name, alert);
		if (c->out != NULL)
			cr_expect(name != NULL && strcmp(name, c->out) == 0,
			          "%s: name", c->name);
		else
			cr_expect_null(name, "%s: name set", c->name);
		free(name);
	}
}

Test(clientid, long_names)
{
	uint8_t buf[300];
	char *name = NULL;
	int alert;

	/* 253 octets in labels of 63: the longest name accepted. */
	memset(buf, 'a', sizeof buf);
	buf[0] = 253;
	for (size_t i = 64; i < 254; i += 64)
		buf[i] = '.';
	cr_expect_eq(dance_clientid_parse_client(buf, 254, &name, &alert),
	             DANCE_OK);
	cr_expect_eq(strlen(name), 253);
	free(name);
	/* 254 and 255 octets: too long for a host name. */
	buf[0] = 254;
	cr_expect_eq(dance_clientid_parse_client(buf, 255, &name, &alert),
	             DANCE_ERR_PARSE);
	cr_expect_eq(alert, A_ILL);
	/* A 64-octet label. */
	memset(buf, 'a', sizeof buf);
	buf[0] = 64;
	cr_expect_eq(dance_clientid_parse_client(buf, 65, &name, &alert),
	             DANCE_ERR_PARSE);
	cr_expect_null(name);
}

Test(clientid, from_server)
{
	static const struct wire_case cases[] = {
	        {"-13 zero-length ClientName", W("\x00"), DANCE_OK, 0, NULL},
	        {"older empty extension", W(""), DANCE_OK, 0, NULL},
	        {"server names itself",
	         W("\x03"
	           "abc"),
	         DANCE_ERR_PARSE, A_ILL, NULL},
	        {"length octet too big",
	         W("\x05"
	           "abc"),
	         DANCE_ERR_PARSE, A_DEC, NULL},
	        {"two zero octets", W("\x00\x00"), DANCE_ERR_PARSE, A_DEC,
	         NULL},
	        {"one non-zero octet", W("\x01"), DANCE_ERR_PARSE, A_DEC, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct wire_case *c = &cases[i];
		int alert = -1;
		int r = dance_clientid_parse_server((const uint8_t *)c->in,
		                                    c->len, &alert);
		cr_expect_eq(r, c->err, "%s: %d", c->name, r);
		cr_expect_eq(alert, c->alert, "%s: alert %d", c->name, alert);
	}
}

/* Every truncation of a good ClientName fails; every bit flip either fails
 * or yields an acceptable name of the same length (never a crash, never
 * trailing data). */
Test(clientid, truncated_and_flipped)
{
	static const char good[] = "\x11_user.example.org";
	const size_t len = sizeof good - 1;
	uint8_t buf[sizeof good];
	char *name;
	int alert;

	for (size_t n = 0; n < len; n++) {
		name = NULL;
		cr_expect_eq(dance_clientid_parse_client((const uint8_t *)good,
		                                         n, &name, &alert),
		             DANCE_ERR_PARSE, "truncated to %zu", n);
		cr_expect_null(name);
	}
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, good, len);
			buf[i] ^= (uint8_t)(1u << bit);
			name = NULL;
			int r = dance_clientid_parse_client(buf, len, &name,
			                                    &alert);
			if (i == 0)
				cr_expect_eq(r, DANCE_ERR_PARSE,
				             "length flip %d", bit);
			if (r == DANCE_OK) {
				cr_expect_eq(strlen(name), len - 1);
				cr_expect(dance_clientid_name_ok(name,
				                                 strlen(name)));
			} else {
				cr_expect_null(name);
				cr_expect_neq(alert, 0);
			}
			free(name);
		}
	}
}

Test(clientid, encode_and_domain)
{
	uint8_t buf[256];
	size_t n = 99;

	cr_expect_eq(dance_clientid_encode(NULL, buf, sizeof buf, &n),
	             DANCE_OK);
	cr_expect(n == 1 && buf[0] == 0);
	cr_expect_eq(dance_clientid_encode("example.org", buf, sizeof buf, &n),
	             DANCE_OK);
	cr_expect(n == 12 && buf[0] == 11 &&
	          memcmp(buf + 1, "example.org", 11) == 0);
	cr_expect_eq(dance_clientid_encode("example.org", buf, 11, &n),
	             DANCE_ERR_INVALID_ARG);
	cr_expect_eq(n, 0);
	cr_expect_eq(dance_clientid_encode("bad name", buf, sizeof buf, &n),
	             DANCE_ERR_BAD_NAME);
	cr_expect_eq(dance_clientid_encode("", buf, sizeof buf, &n),
	             DANCE_ERR_BAD_NAME);
	cr_expect_str_eq(dance_clientid_domain("_user.example.org"),
	                 "example.org");
	cr_expect_str_eq(dance_clientid_domain("_USER.example.org"),
	                 "example.org");
	cr_expect_str_eq(dance_clientid_domain("example.org"), "example.org");
	cr_expect_str_eq(dance_clientid_domain("_user"), "_user");
}

/* ---- handshakes --------------------------------------------------------- */

static struct tm_cert ca, leaf, other;

static void certs_init(void)
{
	cr_assert(tm_cert_make(&ca, "Example CA", NULL, NULL, 1));
	cr_assert(tm_cert_make(&leaf, "alice", "DNS:example.org," UID_SAN, &ca,
	                       0));
	cr_assert(tm_cert_make(&other, "bob", "DNS:other.test", NULL, 0));
}

static void certs_fini(void)
{
	tm_cert_free(&ca);
	tm_cert_free(&leaf);
	tm_cert_free(&other);
}

/* A dance context allowing example.org only. */
static dance_ctx *test_ctx(const char *codepoint)
{
	dance_ctx *ctx = NULL;
	char err[256];

	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	cr_assert_eq(dance_ctx_set(ctx, "allow-domain", "example.org", err,
	                           sizeof err),
	             DANCE_OK, "%s", err);
	if (codepoint != NULL)
		cr_assert_eq(dance_ctx_set(ctx, "clientid-codepoint", codepoint,
		                           err, sizeof err),
		             DANCE_OK, "%s", err);
	return ctx;
}

/* What a rogue peer puts into the extension, and what it received. */
struct rogue {
	const char *data;
	size_t len;
	unsigned context; /* message(s) to put it in */
	size_t chainidx;  /* certificate entry to put it on */
	unsigned char got[300];
	size_t gotlen;
	int received;
};

/* (int *al: the signature is OpenSSL's callback type) */
static int rogue_add(SSL *ssl, unsigned int type, unsigned int context,
                     const unsigned char **out, size_t *outlen, X509 *x,
                     size_t chainidx,
                     int *al, // NOLINT(readability-non-const-parameter)
                     void *arg)
{
	struct rogue *r = arg;

	(void)ssl;
	(void)type;
	(void)x;
	(void)al;
	if ((context & r->context) == 0)
		return 0;
	if ((context & SSL_EXT_TLS1_3_CERTIFICATE) && chainidx != r->chainidx)
		return 0;
	*out = (const unsigned char *)r->data;
	*outlen = r->len;
	return 1;
}

static int rogue_parse(SSL *ssl, unsigned int type, unsigned int context,
                       const unsigned char *in, size_t inlen, X509 *x,
                       size_t chainidx,
                       int *al, // NOLINT(readability-non-const-parameter)
                       void *arg)
{
	struct rogue *r = arg;

	(void)ssl;
	(void)type;
	(void)context;
	(void)x;
	(void)chainidx;
	(void)al;
	if (inlen <= sizeof r->got) {
		memcpy(r->got, in, inlen);
		r->gotlen = inlen;
	}
	r->received = 1;
	return 1;
}

static int accept_all(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 1;
}

/* arg: pointer to the ClientName (const char *) to set, or to NULL. */
static void set_name(SSL *c, SSL *s, void *arg)
{
	const char *name = *(const char **)arg;

	(void)s;
	if (name != NULL)
		cr_assert_eq(dance_ssl_set_clientname(c, name), DANCE_OK);
}

/* Server set up by libdance; client hand-written, sending r's octets. */
static void rogue_client_run(struct rogue *r, unsigned flags, int min, int max,
                             struct tm_result *res, SSL **sp)
{
	dance_ctx *ctx = test_ctx(NULL);
	SSL_CTX *sctx = tm_server_ctx(min, max);
	SSL_CTX *cctx = tm_client_ctx(&leaf, &ca, min, max);
	SSL *c, *s;

	cr_assert(sctx != NULL && cctx != NULL);
	cr_assert_eq(dance_ssl_ctx_enable_server(ctx, sctx, flags), DANCE_OK);
	cr_assert(SSL_CTX_add_custom_ext(
	        cctx, CP,
	        SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_3_CERTIFICATE_REQUEST |
	                SSL_EXT_TLS1_3_CERTIFICATE,
	        rogue_add, NULL, r, rogue_parse, r));
	tm_handshake(cctx, sctx, NULL, NULL, &c, &s, res);
	SSL_free(c);
	if (sp != NULL)
		*sp = s;
	else
		SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	dance_ctx_free(ctx);
}

struct client_case {
	const char *name;
	const char *data;
	size_t len;
	size_t chainidx;
	int server_ok;
	int alert;
	const char *clientname;
};

TestSuite(handshake, .init = certs_init, .fini = certs_fini);

Test(handshake, client_wire_forms)
{
	static const struct client_case cases[] = {
	        {"-13 ClientName",
	         W("\x0b"
	           "example.org"),
	         0, 1, -1, "example.org"},
	        {"uppercase ClientName",
	         W("\x0b"
	           "EXAMPLE.ORG"),
	         0, 1, -1, "example.org"},
	        {"_user ClientName", W("\x11_user.example.org"), 0, 1, -1,
	         "_user.example.org"},
	        {"length octet too big",
	         W("\x0c"
	           "example.org"),
	         0, 0, A_DEC, NULL},
	        {"length octet too small",
	         W("\x0a"
	           "example.org"),
	         0, 0, A_DEC, NULL},
	        {"zero-length ClientName", W("\x00"), 0, 0, A_ILL, NULL},
	        {"empty extension", W(""), 0, 0, A_DEC, NULL},
	        {"trailing dot",
	         W("\x0c"
	           "example.org."),
	         0, 0, A_ILL, NULL},
	        {"not a host name",
	         W("\x05"
	           "a b c"),
	         0, 0, A_ILL, NULL},
	        {"on the intermediate",
	         W("\x0b"
	           "example.org"),
	         1, 0, A_ILL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct client_case *k = &cases[i];
		struct rogue r = {.data = k->data,
		                  .len = k->len,
		                  .context = SSL_EXT_TLS1_3_CERTIFICATE,
		                  .chainidx = k->chainidx};
		struct tm_result res;
		SSL *s = NULL;

		rogue_client_run(&r, 0, TLS1_3_VERSION, 0, &res, &s);
		cr_expect_eq(res.server_ok, k->server_ok, "%s: server_ok %d",
		             k->name, res.server_ok);
		cr_expect_eq(res.server_alert, k->alert, "%s: alert %d",
		             k->name, res.server_alert);
		if (k->clientname != NULL)
			cr_expect(dance_ssl_get_clientname(s) != NULL &&
			                  strcmp(dance_ssl_get_clientname(s),
			                         k->clientname) == 0,
			          "%s: ClientName", k->name);
		else
			cr_expect_null(dance_ssl_get_clientname(s),
			               "%s: ClientName kept", k->name);
		SSL_free(s);
	}
}

struct server_case {
	const char *name;
	const char *data;
	size_t len;
	int client_ok;
	int client_alert;
	const char *sent; /* what the rogue server received */
	size_t sentlen;
};

/* Client set up by libdance; server hand-written, asking for a client
 * certificate and putting r's octets into its CertificateRequest. */
Test(handshake, server_wire_forms)
{
	static const struct server_case cases[] = {
	        {"-13 zero-length form", W("\x00"), 1, -1,
	         W("\x0b"
	           "example.org")},
	        {"older empty form", W(""), 1, -1,
	         W("\x0b"
	           "example.org")},
	        {"server names itself",
	         W("\x0b"
	           "example.org"),
	         0, A_ILL, NULL, 0},
	        {"length octet too big",
	         W("\x05"
	           "ab"),
	         0, A_DEC, NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct server_case *k = &cases[i];
		struct rogue r = {.data = k->data,
		                  .len = k->len,
		                  .context =
		                          SSL_EXT_TLS1_3_CERTIFICATE_REQUEST};
		SSL_CTX *sctx = tm_server_ctx(TLS1_3_VERSION, 0);
		SSL_CTX *cctx = tm_client_ctx(&leaf, NULL, 0, 0);
		struct tm_result res;
		SSL *c, *s;

		cr_assert(sctx != NULL && cctx != NULL);
		SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, accept_all);
		cr_assert(SSL_CTX_add_custom_ext(
		        sctx, CP,
		        SSL_EXT_TLS1_3_CERTIFICATE_REQUEST |
		                SSL_EXT_TLS1_3_CERTIFICATE,
		        rogue_add, NULL, &r, rogue_parse, &r));
		cr_assert_eq(dance_ssl_ctx_enable_client(NULL, cctx), DANCE_OK);
		const char *name = "example.org";
		tm_handshake(cctx, sctx, set_name, &name, &c, &s, &res);
		cr_expect_eq(res.client_ok, k->client_ok, "%s: client_ok %d",
		             k->name, res.client_ok);
		cr_expect_eq(res.client_alert, k->client_alert,
		             "%s: client alert %d", k->name, res.client_alert);
		if (k->sent != NULL)
			cr_expect(r.received && r.gotlen == k->sentlen &&
			                  memcmp(r.got, k->sent, k->sentlen) ==
			                          0,
			          "%s: ClientName on the wire", k->name);
		else
			cr_expect(!r.received, "%s: ClientName sent", k->name);
		SSL_free(c);
		SSL_free(s);
		SSL_CTX_free(cctx);
		SSL_CTX_free(sctx);
	}
}

/* Both sides set up by libdance. */
static void ours_run(dance_ctx *sdx, unsigned flags, const dance_ctx *cdx,
                     const char *name, int min, int max,
                     const struct tm_cert *cert, const struct tm_cert *extra,
                     struct tm_result *res, SSL **sp)
{
	SSL_CTX *sctx = tm_server_ctx(min, max);
	SSL_CTX *cctx = tm_client_ctx(cert, extra, min, max);
	SSL *c, *s;

	cr_assert(sctx != NULL && cctx != NULL);
	cr_assert_eq(dance_ssl_ctx_enable_server(sdx, sctx, flags), DANCE_OK);
	cr_assert_eq(dance_ssl_ctx_enable_client(cdx, cctx), DANCE_OK);
	tm_handshake(cctx, sctx, set_name, &name, &c, &s, res);
	SSL_free(c);
	*sp = s;
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

Test(handshake, tls13_name_and_chain)
{
	dance_ctx *ctx = test_ctx(NULL);
	struct tm_result res;
	struct dance_peer peer;
	unsigned char *der = NULL;
	int len;
	SSL *s;

	ours_run(ctx, 0, NULL, "example.org", 0, 0, &leaf, &ca, &res, &s);
	cr_expect(res.server_ok && res.client_ok);
	cr_expect_str_eq(dance_ssl_get_clientname(s), "example.org");
	/* PKIX keeps its meaning: the chain does not verify, the handshake
	 * went through all the same. */
	cr_expect_neq(SSL_get_verify_result(s), X509_V_OK);
	cr_assert_eq(dance_ssl_get_peer(s, &peer), DANCE_OK);
	cr_expect_eq(peer.n, 2);
	cr_expect_str_eq(peer.clientname, "example.org");
	len = i2d_X509(leaf.cert, &der);
	cr_expect(len > 0 && peer.lens[0] == (size_t)len &&
	          memcmp(peer.der[0], der, (size_t)len) == 0);
	OPENSSL_free(der);
	der = NULL;
	len = i2d_X509(ca.cert, &der);
	cr_expect(len > 0 && peer.lens[1] == (size_t)len &&
	          memcmp(peer.der[1], der, (size_t)len) == 0);
	OPENSSL_free(der);
	SSL_free(s);
	dance_ctx_free(ctx);
}

struct version_case {
	const char *name;
	int min, max;
	const char *name_sent;
};

/* No ClientName without TLS 1.3, or without one set: the handshake works,
 * the server has none. */
Test(handshake, no_clientname)
{
	static const struct version_case cases[] = {
	        {"TLS 1.2", TLS1_2_VERSION, TLS1_2_VERSION, "example.org"},
	        {"TLS 1.3 without a name", TLS1_3_VERSION, 0, NULL},
	        {"TLS 1.2 without a name", TLS1_2_VERSION, TLS1_2_VERSION,
	         NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct version_case *k = &cases[i];
		dance_ctx *ctx = test_ctx(NULL);
		struct tm_result res;
		SSL *s;

		ours_run(ctx, 0, NULL, k->name_sent, k->min, k->max, &leaf,
		         NULL, &res, &s);
		cr_expect(res.server_ok && res.client_ok, "%s", k->name);
		cr_expect_null(dance_ssl_get_clientname(s), "%s", k->name);
		cr_expect_eq(SSL_version(s), k->min, "%s", k->name);
		SSL_free(s);
		dance_ctx_free(ctx);
	}
}

/* The extension outside CertificateRequest/Certificate (a ClientHello of
 * TLS 1.2 or 1.3) is refused by the server: it is not where dane_clientid
 * may appear. */
Test(handshake, in_client_hello)
{
	static const struct version_case cases[] = {
	        {"TLS 1.2 ClientHello", TLS1_2_VERSION, TLS1_2_VERSION, NULL},
	        {"TLS 1.3 ClientHello", TLS1_3_VERSION, 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rogue r = {.data = "\x0b"
		                          "example.org",
		                  .len = 12,
		                  .context = SSL_EXT_CLIENT_HELLO};
		struct tm_result res;
		SSL *s = NULL;

		rogue_client_run(&r, 0, cases[i].min, cases[i].max, &res, &s);
		cr_expect(!res.server_ok, "%s: accepted", cases[i].name);
		cr_expect_eq(res.server_alert, A_ILL, "%s: alert %d",
		             cases[i].name, res.server_alert);
		cr_expect_null(dance_ssl_get_clientname(s));
		SSL_free(s);
	}
}

struct cp_case {
	const char *name;
	const char *server_cp; /* NULL: default */
	const char *client_cp;
	int exchanged;
};

Test(handshake, codepoints)
{
	static const struct cp_case cases[] = {
	        {"both default", NULL, NULL, 1},
	        {"both 0xFFDB", "0xFFDB", "0xFFDB", 1},
	        {"decimal and hex", "65499", "0xffdb", 1},
	        {"server moved", "0xFFDB", NULL, 0},
	        {"client moved", NULL, "0xFFDC", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cp_case *k = &cases[i];
		dance_ctx *sdx = test_ctx(k->server_cp);
		dance_ctx *cdx = test_ctx(k->client_cp);
		struct tm_result res;
		SSL *s;

		ours_run(sdx, 0, cdx, "example.org", TLS1_3_VERSION, 0, &leaf,
		         NULL, &res, &s);
		cr_expect(res.server_ok && res.client_ok, "%s", k->name);
		if (k->exchanged)
			cr_expect_str_eq(dance_ssl_get_clientname(s),
			                 "example.org", "%s", k->name);
		else
			cr_expect_null(dance_ssl_get_clientname(s), "%s",
			               k->name);
		SSL_free(s);
		dance_ctx_free(sdx);
		dance_ctx_free(cdx);
	}
}

Test(handshake, setup_refusals)
{
	static const struct {
		const char *cp; /* clientid-codepoint, NULL: default */
		int set_err;    /* dance_ctx_set() */
		unsigned flags;
		int err; /* dance_ssl_ctx_enable_server() */
	} cases[] = {
	        {"0x10000", DANCE_ERR_CONFIG, 0, DANCE_OK},
	        {"-1", DANCE_ERR_CONFIG, 0, DANCE_OK},
	        {"12x", DANCE_ERR_CONFIG, 0, DANCE_OK},
	        {"0", DANCE_ERR_CONFIG, 0, DANCE_OK},
	        {"43", DANCE_OK, 0, DANCE_ERR_INVALID_ARG}, /* OpenSSL's own
	                                                      extension */
	        {"0x000d", DANCE_OK, 0, DANCE_ERR_INVALID_ARG},
	        {NULL, DANCE_OK, 0x100, DANCE_ERR_INVALID_ARG},
	        {NULL, DANCE_OK, 0, DANCE_OK},
	        {"0xFFDB", DANCE_OK, DANCE_SSL_VERIFY_IN_HANDSHAKE, DANCE_OK},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		dance_ctx *ctx = NULL;
		SSL_CTX *sctx = tm_server_ctx(0, 0);
		char err[256];
		int r;

		cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
		if (cases[i].cp != NULL) {
			r = dance_ctx_set(ctx, "clientid-codepoint",
			                  cases[i].cp, err, sizeof err);
			cr_expect_eq(r, cases[i].set_err, "case %zu: set %d", i,
			             r);
		}
		r = dance_ssl_ctx_enable_server(ctx, sctx, cases[i].flags);
		cr_expect_eq(r, cases[i].err, "case %zu: %d", i, r);
		if (r == DANCE_OK) /* a second time */
			cr_expect_eq(dance_ssl_ctx_enable_server(ctx, sctx, 0),
			             DANCE_ERR_INVALID_ARG);
		SSL_CTX_free(sctx);
		dance_ctx_free(ctx);
	}
}

Test(handshake, clientname_setter)
{
	static const struct {
		const char *name;
		int err;
	} cases[] = {
	        {"example.org", DANCE_OK},
	        {"_user.example.org", DANCE_OK},
	        {"", DANCE_ERR_BAD_NAME},
	        {"example.org.", DANCE_ERR_BAD_NAME},
	        {"a b", DANCE_ERR_BAD_NAME},
	        {"*.example.org", DANCE_ERR_BAD_NAME},
	        {"a..b", DANCE_ERR_BAD_NAME},
	};
	SSL_CTX *cctx = tm_client_ctx(NULL, NULL, 0, 0);
	SSL *c = SSL_new(cctx);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(dance_ssl_set_clientname(c, cases[i].name),
		             cases[i].err, "%s", cases[i].name);
	/* a client never reports a received ClientName */
	cr_expect_null(dance_ssl_get_clientname(c));
	SSL_free(c);
	SSL_CTX_free(cctx);
}

/* ---- verification around the handshake ------------------------------- */

Test(handshake, no_certificate)
{
	dance_ctx *ctx = test_ctx(NULL);
	struct tm_result res;
	struct dance_peer peer;
	SSL *s;

	ours_run(ctx, 0, NULL, NULL, 0, 0, NULL, NULL, &res, &s);
	cr_expect(res.server_ok && res.client_ok);
	cr_expect_eq(dance_ssl_verify(NULL, s), DANCE_ERR_INVALID_ARG);
	cr_expect_null(dance_ssl_get_result(s));
	cr_expect_eq(dance_ssl_get_peer(s, &peer), DANCE_OK);
	cr_expect_eq(peer.n, 0);
	cr_expect_eq(dance_ssl_get_peer(NULL, &peer), DANCE_OK);
	cr_expect_eq(peer.n, 0);
	SSL_free(s);
	dance_ctx_free(ctx);
}

struct mode_case {
	const char *name;
	unsigned flags;
	const char *clientname;
	int server_ok;
	int alert;
};

/* A ClientName whose domain is not allowed: refused in every mode, before
 * any lookup; with DANCE_SSL_REQUIRE the handshake fails. */
Test(handshake, clientname_not_allowed)
{
	static const struct mode_case cases[] = {
	        {"after the handshake", 0, "evil.test", 1, -1},
	        {"_user form after", 0, "_user.evil.test", 1, -1},
	        {"in the handshake", DANCE_SSL_VERIFY_IN_HANDSHAKE, "evil.test",
	         1, -1},
	        {"in the handshake, required",
	         DANCE_SSL_VERIFY_IN_HANDSHAKE | DANCE_SSL_REQUIRE, "evil.test",
	         0, 40 /* handshake_failure */},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct mode_case *k = &cases[i];
		dance_ctx *ctx = test_ctx(NULL);
		const struct dance_result *res;
		struct tm_result hs;
		SSL *s;

		ours_run(ctx, k->flags, NULL, k->clientname, TLS1_3_VERSION, 0,
		         &leaf, &ca, &hs, &s);
		cr_expect_eq(hs.server_ok, k->server_ok, "%s", k->name);
		cr_expect_eq(hs.server_alert, k->alert, "%s: alert %d", k->name,
		             hs.server_alert);
		if ((k->flags & DANCE_SSL_VERIFY_IN_HANDSHAKE) == 0)
			cr_expect_eq(dance_ssl_verify(ctx, s), DANCE_OK, "%s",
			             k->name);
		res = dance_ssl_get_result(s);
		cr_assert_not_null(res, "%s", k->name);
		cr_expect_eq(res->verdict, DANCE_REFUSED_NOT_ALLOWED, "%s",
		             k->name);
		cr_expect_null(res->identity);
		cr_expect_null(res->tlsa_name, "%s: looked up", k->name);
		SSL_free(s);
		dance_ctx_free(ctx);
	}
}

/* ---- the allow-list is checked before any DNS query ------------------- */

/* A UDP socket on 127.0.0.1 standing in for a DNS forwarder that never
 * answers; *port receives its port. */
static int udp_listener(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int packets_waiting(int fd)
{
	char buf[512];
	int n = 0;

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		n++;
	return n;
}

struct dns_case {
	const char *name;
	const char *clientname;
	int queried; /* 1: DNS is asked (the control), 0: not */
	enum dance_verdict verdict;
};

Test(handshake, not_allowed_means_no_query)
{
	static const struct dns_case cases[] = {
	        {"ClientName not allowed", "evil.test", 0,
	         DANCE_REFUSED_NOT_ALLOWED},
	        {"_user ClientName not allowed", "_user.evil.test", 0,
	         DANCE_REFUSED_NOT_ALLOWED},
	        {"control: allowed ClientName", "example.org", 1,
	         DANCE_REFUSED_TEMPFAIL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct dns_case *k = &cases[i];
		char fwd[64], err[256];
		int port, fd = udp_listener(&port);
		dance_ctx *ctx = test_ctx(NULL);
		const struct dance_result *res;
		struct tm_result hs;
		SSL *s;

		snprintf(fwd, sizeof fwd, "127.0.0.1@%d", port);
		cr_assert_eq(dance_ctx_set(ctx, "resolver", "forward", err,
		                           sizeof err),
		             DANCE_OK, "%s", err);
		cr_assert_eq(
		        dance_ctx_set(ctx, "forward", fwd, err, sizeof err),
		        DANCE_OK, "%s", err);
		/* the control's query must leave before the deadline, also
		 * under valgrind (20-50 times slower) */
		cr_assert_eq(
		        dance_ctx_set(ctx, "lookup-timeout",
		                      getenv("DANCE_VALGRIND") ? "3000" : "500",
		                      err, sizeof err),
		        DANCE_OK, "%s", err);
		ours_run(ctx, DANCE_SSL_VERIFY_IN_HANDSHAKE, NULL,
		         k->clientname, TLS1_3_VERSION, 0, &leaf, &ca, &hs, &s);
		cr_expect(hs.server_ok, "%s", k->name);
		res = dance_ssl_get_result(s);
		cr_assert_not_null(res, "%s", k->name);
		cr_expect_eq(res->verdict, k->verdict, "%s: %s", k->name,
		             dance_verdict_name(res->verdict));
		if (k->queried)
			cr_expect_gt(packets_waiting(fd), 0, "%s", k->name);
		else
			cr_expect_eq(packets_waiting(fd), 0, "%s", k->name);
		SSL_free(s);
		dance_ctx_free(ctx);
		close(fd);
	}
}
