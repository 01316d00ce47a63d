/*
 * tls-client.c -- dance-tls-client: an IMAP client that authenticates with
 * a client certificate and SASL EXTERNAL, sending the dane_clientid
 * ClientName in its TLS 1.3 Certificate message (libdance's
 * dance_ssl_ctx_enable_client() and dance_ssl_set_clientname()).
 *
 *   dance-tls-client -p PORT -c CHAIN.pem -k KEY.pem [-n CLIENTNAME]
 *                    [-u AUTHZID] [-C SERVER-CA.pem | -K] [-H HOST]
 *                    [-x CODEPOINT] [-I] [-L LEVEL]
 *
 * -L sets this client's OpenSSL security level (default: the system's,
 * level 2 on Debian), which also decides which certificates it agrees to
 * send: tests use -L 0 to present weak certificates (RSA-1024, SHA-1 or
 * MD5 signatures) so that the server is the one that refuses them.
 *
 * Prints the server's final AUTHENTICATE response. Exit status: 0
 * authenticated, 1 refused (NO), 2 usage, 3 temporary failure
 * ([UNAVAILABLE]), 4 connection, TLS or protocol error.
 */
#include <dance/dance.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define LINE_MAX_LEN 8192

enum { EX_AUTH = 0, EX_REFUSED = 1, EX_USAGE = 2, EX_TEMP = 3, EX_ERR = 4 };

struct options {
	const char *host, *cert, *key, *clientname, *authzid, *cafile;
	const char *codepoint;
	int port, insecure, no_ir, timeout_s, seclevel;
};

struct link {
	int fd;
	SSL *ssl;
	char buf[LINE_MAX_LEN + 2];
	size_t have;
};

static struct options opt = {
        .host = "localhost", .timeout_s = 30, .seclevel = -1};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("dance-tls-client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int send_line(struct link *l, const char *line)
{
	char out[LINE_MAX_LEN];
	int n = snprintf(out, sizeof out, "%s\r\n", line);

	if (n < 0 || (size_t)n >= sizeof out)
		return -1;
	if (l->ssl != NULL)
		return SSL_write(l->ssl, out, n) == n ? 0 : -1;
	return send(l->fd, out, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

static int read_line(struct link *l, char *out, size_t outlen)
{
	for (;;) {
		char *nl = memchr(l->buf, '\n', l->have);
		if (nl != NULL) {
			size_t len = (size_t)(nl - l->buf), take = len;
			if (take > 0 && l->buf[take - 1] == '\r')
				take--;
			if (take >= outlen)
				return -1;
			memcpy(out, l->buf, take);
			out[take] = '\0';
			l->have -= len + 1;
			memmove(l->buf, nl + 1, l->have);
			return 0;
		}
		if (l->have >= LINE_MAX_LEN)
			return -1;
		int n = l->ssl != NULL ? SSL_read(l->ssl, l->buf + l->have,
		                                  (int)(LINE_MAX_LEN - l->have))
		                       : (int)recv(l->fd, l->buf + l->have,
		                                   LINE_MAX_LEN - l->have, 0);
		if (n <= 0)
			return -1;
		l->have += (size_t)n;
	}
}

/* Read lines until the one tagged tag; it is left in line. */
static int read_tagged(struct link *l, const char *tag, char *line, size_t len)
{
	char want[16];
	int wl = snprintf(want, sizeof want, "%s ", tag);

	if (wl < 0 || (size_t)wl >= sizeof want)
		return -1;
	while (read_line(l, line, len) == 0) {
		if (strncmp(line, want, (size_t)wl) == 0)
			return 0;
		if (line[0] == '+')
			return 0; /* continuation request */
	}
	return -1;
}

static int tcp_connect(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = opt.timeout_s};
	int fd;

	a.sin_port = htons((uint16_t)opt.port);
	if (inet_pton(AF_INET, "127.0.0.1", &a.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static SSL_CTX *tls_setup(dance_ctx *dctx)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int r;

	if (ctx == NULL)
		return NULL;
	if (opt.seclevel >= 0)
		SSL_CTX_set_security_level(ctx, opt.seclevel);
	if (SSL_CTX_use_certificate_chain_file(ctx, opt.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, opt.key, SSL_FILETYPE_PEM) != 1) {
		say("cannot load %s / %s", opt.cert, opt.key);
		goto fail;
	}
	if (opt.insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if ((opt.cafile != NULL
		             ? SSL_CTX_load_verify_locations(ctx, opt.cafile,
		                                             NULL)
		             : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
			say("cannot load the server's CA");
			goto fail;
		}
	}
	/* dance: register dane_clientid (code point from dctx). */
	if ((r = dance_ssl_ctx_enable_client(dctx, ctx)) != DANCE_OK) {
		say("dance_ssl_ctx_enable_client: %s", dance_strerror(r));
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int tls_start(struct link *l, SSL_CTX *ctx)
{
	int r;

	if ((l->ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(l->ssl, l->fd))
		return -1;
	if (!opt.insecure && !SSL_set1_host(l->ssl, opt.host))
		return -1;
	/* dance: the ClientName for this connection. */
	if (opt.clientname != NULL &&
	    (r = dance_ssl_set_clientname(l->ssl, opt.clientname)) !=
	            DANCE_OK) {
		say("ClientName %s: %s", opt.clientname, dance_strerror(r));
		return -1;
	}
	if (SSL_connect(l->ssl) != 1) {
		unsigned long e = ERR_get_error();
		say("TLS handshake failed: %s",
		    e ? ERR_reason_error_string(e) : "connection closed");
		return -1;
	}
	say("TLS %s with %s", SSL_get_version(l->ssl),
	    SSL_get_cipher_name(l->ssl));
	return 0;
}

/* The initial response: base64 of the authorization identity, "=" for
 * none (RFC 4959). */
static int initial_response(char *ir, size_t len)
{
	const char *z = opt.authzid != NULL ? opt.authzid : "";
	int n;

	if (z[0] == '\0') {
		snprintf(ir, len, "=");
		return 0;
	}
	if (4 * ((strlen(z) + 2) / 3) >= len)
		return -1;
	n = EVP_EncodeBlock((unsigned char *)ir, (const unsigned char *)z,
	                    (int)strlen(z));
	return n > 0 ? 0 : -1;
}

/* Send cmd; answer a continuation request with ir (a server without
 * SASL-IR, or -I); leave the tagged response in line. */
static int exchange(struct link *l, const char *cmd, const char *ir, char *line,
                    size_t len)
{
	if (send_line(l, cmd) < 0 || read_tagged(l, "b", line, len) < 0)
		return -1;
	if (line[0] == '+' &&
	    (send_line(l, ir) < 0 || read_tagged(l, "b", line, len) < 0))
		return -1;
	return 0;
}

static int authenticate(struct link *l)
{
	char line[LINE_MAX_LEN], ir[1024], cmd[LINE_MAX_LEN];

	if (initial_response(ir, sizeof ir) < 0)
		return EX_USAGE;
	if (opt.no_ir)
		snprintf(cmd, sizeof cmd, "b AUTHENTICATE EXTERNAL");
	else
		snprintf(cmd, sizeof cmd, "b AUTHENTICATE EXTERNAL %s", ir);
	if (exchange(l, cmd, ir, line, sizeof line) < 0)
		return EX_ERR;
	printf("%s\n", line);
	if (strncmp(line, "b OK", 4) == 0)
		return EX_AUTH;
	if (strstr(line, "[UNAVAILABLE]") != NULL)
		return EX_TEMP;
	return strncmp(line, "b NO", 4) == 0 ? EX_REFUSED : EX_ERR;
}

static int run(SSL_CTX *ctx)
{
	struct link l = {.fd = -1};
	char line[LINE_MAX_LEN];
	int ex = EX_ERR;

	if ((l.fd = tcp_connect()) < 0) {
		say("cannot connect to 127.0.0.1:%d", opt.port);
		return EX_ERR;
	}
	if (read_line(&l, line, sizeof line) < 0 ||
	    strncmp(line, "* OK", 4) != 0)
		goto out;
	if (send_line(&l, "a STARTTLS") < 0 ||
	    read_tagged(&l, "a", line, sizeof line) < 0 ||
	    strncmp(line, "a OK", 4) != 0) {
		say("STARTTLS refused: %s", line);
		goto out;
	}
	l.have = 0;
	if (tls_start(&l, ctx) < 0)
		goto out;
	ex = authenticate(&l);
	if (send_line(&l, "c LOGOUT") == 0)
		(void)read_tagged(&l, "c", line, sizeof line);
out:
	if (l.ssl != NULL) {
		SSL_shutdown(l.ssl);
		SSL_free(l.ssl);
	}
	close(l.fd);
	return ex;
}

static void usage(void)
{
	fputs("usage: dance-tls-client -p PORT -c CHAIN.pem -k KEY.pem "
	      "[-n CLIENTNAME]\n"
	      "         [-u AUTHZID] [-C SERVER-CA.pem | -K] [-H HOST] "
	      "[-x CODEPOINT] [-I] [-L LEVEL]\n",
	      stderr);
	exit(EX_USAGE);
}

int main(int argc, char **argv)
{
	dance_ctx *dctx = NULL;
	SSL_CTX *ctx = NULL;
	char err[256];
	int ch, ex = EX_ERR;

	while ((ch = getopt(argc, argv, "c:C:H:Ik:KL:n:p:u:x:")) != -1) {
		switch (ch) {
		case 'c':
			opt.cert = optarg;
			break;
		case 'C':
			opt.cafile = optarg;
			break;
		case 'H':
			opt.host = optarg;
			break;
		case 'I':
			opt.no_ir = 1;
			break;
		case 'k':
			opt.key = optarg;
			break;
		case 'K':
			opt.insecure = 1;
			break;
		case 'L':
			opt.seclevel = (int)strtol(optarg, NULL, 10);
			if (opt.seclevel < 0 || opt.seclevel > 5)
				usage();
			break;
		case 'n':
			opt.clientname = optarg;
			break;
		case 'p':
			opt.port = (int)strtol(optarg, NULL, 10);
			break;
		case 'u':
			opt.authzid = optarg;
			break;
		case 'x':
			opt.codepoint = optarg;
			break;
		default:
			usage();
		}
	}
	if (opt.cert == NULL || opt.key == NULL || opt.port <= 0 ||
	    optind != argc)
		usage();
	if (dance_ctx_new(&dctx) != DANCE_OK)
		return EX_ERR;
	if (opt.codepoint != NULL &&
	    dance_ctx_set(dctx, "clientid-codepoint", opt.codepoint, err,
	                  sizeof err) != DANCE_OK) {
		say("%s", err);
		ex = EX_USAGE;
		goto out;
	}
	if ((ctx = tls_setup(dctx)) != NULL)
		ex = run(ctx);
out:
	SSL_CTX_free(ctx);
	dance_ctx_free(dctx);
	return ex;
}
