/*
 * imapd.c -- dance-imapd: a small IMAP server (RFC 9051 / RFC 3501 subset:
 * CAPABILITY, NOOP, STARTTLS, AUTHENTICATE with SASL-IR (RFC 4959),
 * LOGOUT) on OpenSSL and Cyrus SASL, showing how a server hands libdance's
 * SASL EXTERNAL plugin the TLS client's chain. Enough for imtest(1) and
 * the tests; not a mail store.
 *
 * The integration is three calls (marked "dance:" below):
 * dance_ssl_ctx_enable_server() on the SSL_CTX, a DANCE_SASL_CB_PEER_CHAIN
 * callback that returns dance_ssl_get_peer(), and SASL_SSF_EXTERNAL after
 * STARTTLS (as any EXTERNAL server does). SASL_AUTH_EXTERNAL is never set:
 * no identity is taken from a certificate that only PKIX could vouch for.
 *
 * One connection at a time, each bounded by an idle timeout. Logs to
 * stderr; "dance-imapd: listening on 127.0.0.1:PORT" once ready.
 */
#include <dance/dance.h>
#include <dance/dance_sasl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sasl/sasl.h>
#include <sasl/saslutil.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define LINE_MAX_LEN 8192
#define MAX_OPTS     16
#define MAX_ADMINS   8

/* A sasl_callback_t procedure (through void (*)(void), which
 * -Wcast-function-type accepts). */
#define SASL_PROC(f) ((int (*)(void))(void (*)(void))(f))

struct options {
	const char *addr, *cert, *key, *dance_conf;
	int port;
	int idle_s;
	long max_conns;     /* 0: serve forever */
	unsigned ssl_flags; /* dance_ssl_ctx_enable_server() flags */
	const char *sasl_opts[MAX_OPTS][2];
	int nopts;
	const char *admins[MAX_ADMINS]; /* may authorize as anyone */
	int nadmins;
};

/* One client connection. */
struct conn {
	int fd;
	SSL *ssl; /* NULL until STARTTLS */
	sasl_conn_t *sasl;
	char buf[LINE_MAX_LEN + 2];
	size_t have;
	int authenticated;
};

static struct options opt = {.addr = "127.0.0.1", .idle_s = 60};

/* Set by SIGTERM/SIGINT: finish the current connection, then exit. */
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("dance-imapd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* ---- SASL callbacks ------------------------------------------------------ */

static int sasl_log(void *context, int level, const char *msg)
{
	(void)context;
	logmsg("sasl[%d]: %s", level, msg);
	return SASL_OK;
}

/* SASL options from the command line (-o name=value): how an application
 * hands the plugin "dance_config" and any other SASL option. */
static int sasl_getopt(void *context, const char *plugin, const char *name,
                       const char **result, unsigned *len)
{
	(void)context;
	(void)plugin;
	for (int i = 0; i < opt.nopts; i++) {
		if (strcmp(opt.sasl_opts[i][0], name) == 0) {
			*result = opt.sasl_opts[i][1];
			if (len != NULL)
				*len = (unsigned)strlen(*result);
			return SASL_OK;
		}
	}
	return SASL_FAIL;
}

/* Authorization: an identity may act as itself; the -A identities may act
 * as anyone. */
static int sasl_authorize(sasl_conn_t *conn, void *context, const char *user,
                          unsigned ulen, const char *authid, unsigned alen,
                          const char *realm, unsigned rlen,
                          struct propctx *props)
{
	(void)context;
	(void)realm;
	(void)rlen;
	(void)props;
	if (ulen == alen && memcmp(user, authid, ulen) == 0)
		return SASL_OK;
	for (int i = 0; i < opt.nadmins; i++)
		if (strlen(opt.admins[i]) == alen &&
		    memcmp(opt.admins[i], authid, alen) == 0)
			return SASL_OK;
	sasl_seterror(conn, 0, "%s may not authorize as %s", authid, user);
	return SASL_NOAUTHZ;
}

/* dance: the client's chain for the EXTERNAL plugin. context points to the
 * connection's SSL * (NULL before STARTTLS: then no chain). */
static int peer_chain(struct sasl_conn *conn, void *context,
                      struct dance_peer *peer)
{
	(void)conn;
	return dance_ssl_get_peer(*(SSL **)context, peer) == DANCE_OK
	               ? SASL_OK
	               : SASL_FAIL;
}

static sasl_callback_t global_callbacks[] = {
        {SASL_CB_LOG, SASL_PROC(sasl_log), NULL},
        {SASL_CB_GETOPT, SASL_PROC(sasl_getopt), NULL},
        {SASL_CB_PROXY_POLICY, SASL_PROC(sasl_authorize), NULL},
        {SASL_CB_LIST_END, NULL, NULL},
};

/* ---- I/O ----------------------------------------------------------------- */

static int conn_write(struct conn *c, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n;
		if (c->ssl != NULL) {
			int r = SSL_write(c->ssl, s, (int)len);
			n = r > 0 ? r : -1;
		} else {
			n = send(c->fd, s, len, MSG_NOSIGNAL);
		}
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int reply(struct conn *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int reply(struct conn *c, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 2)
		return -1;
	line[n++] = '\r';
	line[n++] = '\n';
	return conn_write(c, line, (size_t)n);
}

static ssize_t conn_read(struct conn *c, char *p, size_t len)
{
	if (c->ssl != NULL) {
		int r = SSL_read(c->ssl, p, (int)len);
		return r > 0 ? r : -1;
	}
	return recv(c->fd, p, len, 0);
}

/* Read one line (CRLF or LF ended) into out without the line end. -1 on
 * EOF, error, timeout or a line longer than LINE_MAX_LEN. */
static int read_line(struct conn *c, char *out, size_t outlen)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->have);
		if (nl != NULL) {
			size_t len = (size_t)(nl - c->buf), take = len;
			if (take > 0 && c->buf[take - 1] == '\r')
				take--;
			if (take >= outlen)
				return -1;
			memcpy(out, c->buf, take);
			out[take] = '\0';
			c->have -= len + 1;
			memmove(c->buf, nl + 1, c->have);
			return 0;
		}
		if (c->have >= LINE_MAX_LEN)
			return -1;
		ssize_t n =
		        conn_read(c, c->buf + c->have, LINE_MAX_LEN - c->have);
		if (n <= 0)
			return -1;
		c->have += (size_t)n;
	}
}

/* ---- commands ------------------------------------------------------------- */

/* The next space-separated word of *p (NUL-terminated in place), or NULL;
 * *p moves past it. */
static char *next_word(char **p)
{
	char *w = *p, *end;

	while (*w == ' ')
		w++;
	if (*w == '\0')
		return NULL;
	end = strchr(w, ' ');
	if (end != NULL) {
		*end = '\0';
		*p = end + 1;
	} else {
		*p = w + strlen(w);
	}
	return w;
}

/* "AUTH=X AUTH=Y" for the mechanisms SASL offers now (once each). */
static void auth_caps(struct conn *c, char *out, size_t len)
{
	const char *list = NULL;
	unsigned n = 0;
	int count = 0;
	size_t used = 0;
	char *copy, *rest, *m;

	out[0] = '\0';
	if (sasl_listmech(c->sasl, NULL, "", " ", "", &list, &n, &count) !=
	            SASL_OK ||
	    (copy = strdup(list)) == NULL)
		return;
	rest = copy;
	while ((m = next_word(&rest)) != NULL) {
		char item[64];
		snprintf(item, sizeof item, " AUTH=%s", m);
		if (strstr(out, item) != NULL || used + strlen(item) >= len)
			continue;
		memcpy(out + used, item, strlen(item) + 1);
		used += strlen(item);
	}
	free(copy);
}

static int capability_line(struct conn *c, char *out, size_t len)
{
	char auth[512];

	auth_caps(c, auth, sizeof auth);
	snprintf(out, len, "CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR%s%s%s",
	         c->ssl == NULL ? " STARTTLS" : "", " LOGINDISABLED", auth);
	return 0;
}

static int cmd_capability(struct conn *c, const char *tag)
{
	char caps[1024];

	capability_line(c, caps, sizeof caps);
	if (reply(c, "* %s", caps) < 0)
		return -1;
	return reply(c, "%s OK CAPABILITY completed", tag);
}

/* dance: after the handshake, the external layer's strength for SASL. */
static int tls_start(struct conn *c, SSL_CTX *sctx)
{
	sasl_ssf_t ssf;
	int bits = 0;
	const struct dance_result *res;

	if ((c->ssl = SSL_new(sctx)) == NULL || !SSL_set_fd(c->ssl, c->fd))
		return -1;
	if (SSL_accept(c->ssl) != 1) {
		unsigned long e = ERR_get_error();
		logmsg("TLS handshake failed: %s",
		       e ? ERR_reason_error_string(e) : "connection closed");
		return -1;
	}
	SSL_CIPHER_get_bits(SSL_get_current_cipher(c->ssl), &bits);
	ssf = (sasl_ssf_t)bits;
	if (sasl_setprop(c->sasl, SASL_SSF_EXTERNAL, &ssf) != SASL_OK)
		return -1;
	logmsg("TLS %s established, client certificate %s, ClientName %s",
	       SSL_get_version(c->ssl),
	       SSL_get0_peer_certificate(c->ssl) ? "presented" : "none",
	       dance_ssl_get_clientname(c->ssl)
	               ? dance_ssl_get_clientname(c->ssl)
	               : "none");
	if ((res = dance_ssl_get_result(c->ssl)) != NULL)
		logmsg("in-handshake DANE check: %s %s (%s)",
		       dance_verdict_name(res->verdict),
		       res->identity ? res->identity : "-", res->reason);
	return 0;
}

static int cmd_starttls(struct conn *c, const char *tag, SSL_CTX *sctx)
{
	if (c->ssl != NULL)
		return reply(c, "%s BAD TLS already active", tag);
	if (reply(c, "%s OK Begin TLS negotiation now", tag) < 0)
		return -1;
	c->have = 0; /* nothing sent before the handshake is trusted */
	return tls_start(c, sctx);
}

/* Decode a base64 client response ("=" is the empty response). *out is
 * malloc'd; -1 if it is not base64. */
static int decode_response(const char *in, char **out, unsigned *outlen)
{
	size_t len = strlen(in);

	*out = NULL;
	*outlen = 0;
	if ((*out = malloc(len + 1)) == NULL)
		return -1;
	if (strcmp(in, "=") == 0) {
		(*out)[0] = '\0';
		return 0;
	}
	if (sasl_decode64(in, (unsigned)len, *out, (unsigned)len + 1, outlen) !=
	    SASL_OK) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Continue the exchange until SASL says done or failed. */
static int sasl_exchange(struct conn *c, int r, const char *out,
                         unsigned outlen)
{
	char line[LINE_MAX_LEN], enc[LINE_MAX_LEN];
	unsigned enclen;

	while (r == SASL_CONTINUE) {
		char *in = NULL;
		unsigned inlen = 0;

		if (sasl_encode64(out != NULL ? out : "", outlen, enc,
		                  sizeof enc, &enclen) != SASL_OK ||
		    reply(c, "+ %s", enc) < 0 ||
		    read_line(c, line, sizeof line) < 0)
			return -2;
		if (strcmp(line, "*") == 0)
			return SASL_BADPROT; /* cancelled */
		if (decode_response(line, &in, &inlen) < 0)
			return SASL_BADPROT;
		r = sasl_server_step(c->sasl, in, inlen, &out, &outlen);
		free(in);
	}
	return r;
}

static int auth_done(struct conn *c, const char *tag)
{
	const char *user = NULL, *authid = NULL;
	char caps[1024];

	sasl_getprop(c->sasl, SASL_USERNAME, (const void **)&user);
	sasl_getprop(c->sasl, SASL_AUTHUSER, (const void **)&authid);
	c->authenticated = 1;
	logmsg("AUTHENTICATED authid=%s authzid=%s", authid ? authid : "?",
	       user ? user : "?");
	capability_line(c, caps, sizeof caps);
	return reply(c, "%s OK [%s] %s authenticated (as %s)", tag, caps,
	             authid ? authid : "?", user ? user : "?");
}

static int cmd_authenticate(struct conn *c, const char *tag, char *args)
{
	char *mech = next_word(&args), *ir = next_word(&args), *in = NULL;
	const char *out = NULL;
	unsigned inlen = 0, outlen = 0;
	int r;

	if (c->authenticated)
		return reply(c, "%s BAD already authenticated", tag);
	if (mech == NULL)
		return reply(c, "%s BAD AUTHENTICATE needs a mechanism", tag);
	if (ir != NULL && decode_response(ir, &in, &inlen) < 0)
		return reply(c, "%s BAD invalid base64", tag);
	r = sasl_server_start(c->sasl, mech, in, inlen, &out, &outlen);
	free(in);
	r = sasl_exchange(c, r, out, outlen);
	if (r == -2)
		return -1;
	if (r == SASL_OK)
		return auth_done(c, tag);
	logmsg("AUTHENTICATE %s failed: %s", mech, sasl_errdetail(c->sasl));
	if (r == SASL_BADPROT)
		return reply(c, "%s BAD AUTHENTICATE cancelled or malformed",
		             tag);
	if (r == SASL_UNAVAIL || r == SASL_TRYAGAIN)
		return reply(c, "%s NO [UNAVAILABLE] try again later", tag);
	if (r == SASL_NOAUTHZ)
		return reply(c, "%s NO [AUTHORIZATIONFAILED] not authorized",
		             tag);
	return reply(c, "%s NO [AUTHENTICATIONFAILED] authentication failed",
	             tag);
}

/* One command; 1 to end the connection, -1 on I/O errors. */
static int command(struct conn *c, char *line, SSL_CTX *sctx)
{
	char *rest = line, *tag = next_word(&rest), *cmd = next_word(&rest);

	if (tag == NULL || cmd == NULL)
		return reply(c, "* BAD empty command") < 0 ? -1 : 0;
	if (strcasecmp(cmd, "CAPABILITY") == 0)
		return cmd_capability(c, tag);
	if (strcasecmp(cmd, "NOOP") == 0)
		return reply(c, "%s OK NOOP completed", tag);
	if (strcasecmp(cmd, "LOGOUT") == 0) {
		reply(c, "* BYE dance-imapd logging out");
		reply(c, "%s OK LOGOUT completed", tag);
		return 1;
	}
	if (strcasecmp(cmd, "STARTTLS") == 0)
		return cmd_starttls(c, tag, sctx);
	if (strcasecmp(cmd, "AUTHENTICATE") == 0)
		return cmd_authenticate(c, tag, rest);
	if (strcasecmp(cmd, "LOGIN") == 0)
		return reply(c, "%s NO [PRIVACYREQUIRED] LOGIN is disabled",
		             tag);
	return reply(c, "%s BAD %s is not supported here", tag, cmd);
}

/* ---- connections ----------------------------------------------------------- */

static void addr_string(const struct sockaddr_in *a, char *out, size_t len)
{
	char ip[INET_ADDRSTRLEN] = "0.0.0.0";

	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
	snprintf(out, len, "%s;%u", ip, (unsigned)ntohs(a->sin_port));
}

static void serve(int fd, const struct sockaddr_in *peer, SSL_CTX *sctx)
{
	struct conn *c = calloc(1, sizeof *c);
	struct sockaddr_in self = {.sin_family = AF_INET};
	socklen_t slen = sizeof self;
	char local[64], remote[64], line[LINE_MAX_LEN];
	struct timeval tv = {.tv_sec = opt.idle_s};
	/* dance: the peer-chain callback, per connection, pointing to this
	 * connection's SSL *. */
	sasl_callback_t callbacks[] = {
	        {DANCE_SASL_CB_PEER_CHAIN, SASL_PROC(peer_chain), NULL},
	        {SASL_CB_LIST_END, NULL, NULL},
	};
	sasl_security_properties_t props = {.max_ssf = 256,
	                                    .maxbufsize = 65536,
	                                    .security_flags =
	                                            SASL_SEC_NOANONYMOUS};
	int r = 0;

	if (c == NULL)
		goto out;
	c->fd = fd;
	callbacks[0].context = &c->ssl;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	getsockname(fd, (struct sockaddr *)&self, &slen);
	addr_string(&self, local, sizeof local);
	addr_string(peer, remote, sizeof remote);
	logmsg("connection from %s", remote);
	if (sasl_server_new("imap", "localhost", NULL, local, remote, callbacks,
	                    0, &c->sasl) != SASL_OK ||
	    sasl_setprop(c->sasl, SASL_SEC_PROPS, &props) != SASL_OK)
		goto out;
	if (reply(c, "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR STARTTLS "
	             "LOGINDISABLED] dance-imapd ready") < 0)
		goto out;
	while (r == 0 && read_line(c, line, sizeof line) == 0)
		r = command(c, line, sctx);
out:
	if (c != NULL) {
		if (c->ssl != NULL) {
			SSL_shutdown(c->ssl);
			SSL_free(c->ssl);
		}
		sasl_dispose(&c->sasl);
		free(c);
	}
	close(fd);
	logmsg("connection closed");
}

/* ---- set-up ----------------------------------------------------------------- */

static SSL_CTX *tls_setup(dance_ctx *dctx)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	int r;

	if (sctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(sctx, opt.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, opt.key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(sctx) != 1) {
		logmsg("cannot load %s / %s", opt.cert, opt.key);
		SSL_CTX_free(sctx);
		return NULL;
	}
	/* dance: request client certificates, carry dane_clientid. */
	if ((r = dance_ssl_ctx_enable_server(dctx, sctx, opt.ssl_flags)) !=
	    DANCE_OK) {
		logmsg("dance_ssl_ctx_enable_server: %s", dance_strerror(r));
		SSL_CTX_free(sctx);
		return NULL;
	}
	return sctx;
}

static dance_ctx *dance_setup(void)
{
	dance_ctx *ctx = NULL;
	char err[512] = "";

	if (dance_ctx_new(&ctx) != DANCE_OK)
		return NULL;
	if (dance_ctx_load_config(ctx, opt.dance_conf, err, sizeof err) !=
	    DANCE_OK) {
		logmsg("%s", err);
		dance_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static int listen_on(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int fd, one = 1;

	a.sin_port = htons((uint16_t)opt.port);
	if (inet_pton(AF_INET, opt.addr, &a.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		logmsg("cannot listen on %s:%d: %s", opt.addr, opt.port,
		       strerror(errno));
		close(fd);
		return -1;
	}
	logmsg("listening on %s:%u", opt.addr, (unsigned)ntohs(a.sin_port));
	return fd;
}

static void usage(void)
{
	fputs("usage: dance-imapd -c CERT.pem -k KEY.pem [-p PORT] [-a ADDR]\n"
	      "         [-d dance.conf] [-o SASLOPTION=VALUE]... [-A "
	      "ADMIN]...\n"
	      "         [-H] [-t IDLE-SECONDS] [-n CONNECTIONS]\n"
	      "  -d  dance.conf for the TLS side (code point, allow-list) "
	      "and,\n"
	      "      unless -o dance_config=... says otherwise, the plugin\n"
	      "  -o  a SASL option, e.g. dance_config=/etc/dance/imap.conf\n"
	      "  -A  an authentication identity that may authorize as anyone\n"
	      "  -H  also verify in the TLS handshake (logged only)\n",
	      stderr);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "a:A:c:d:Hk:n:o:p:t:")) != -1) {
		switch (ch) {
		case 'a':
			opt.addr = optarg;
			break;
		case 'A':
			if (opt.nadmins == MAX_ADMINS)
				usage();
			opt.admins[opt.nadmins++] = optarg;
			break;
		case 'c':
			opt.cert = optarg;
			break;
		case 'd':
			opt.dance_conf = optarg;
			break;
		case 'H':
			opt.ssl_flags |= DANCE_SSL_VERIFY_IN_HANDSHAKE;
			break;
		case 'k':
			opt.key = optarg;
			break;
		case 'n':
			opt.max_conns = strtol(optarg, NULL, 10);
			break;
		case 'o': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || opt.nopts == MAX_OPTS)
				usage();
			*eq = '\0';
			opt.sasl_opts[opt.nopts][0] = optarg;
			opt.sasl_opts[opt.nopts++][1] = eq + 1;
			break;
		}
		case 'p':
			opt.port = (int)strtol(optarg, NULL, 10);
			break;
		case 't':
			opt.idle_s = (int)strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (opt.cert == NULL || opt.key == NULL || optind != argc)
		usage();
	if (opt.dance_conf != NULL && opt.nopts < MAX_OPTS) {
		int have = 0;
		for (int i = 0; i < opt.nopts; i++)
			have |= strcmp(opt.sasl_opts[i][0], "dance_config") ==
			        0;
		if (!have) {
			opt.sasl_opts[opt.nopts][0] = "dance_config";
			opt.sasl_opts[opt.nopts++][1] = opt.dance_conf;
		}
	}
}

int main(int argc, char **argv)
{
	dance_ctx *dctx = NULL;
	SSL_CTX *sctx = NULL;
	int lfd = -1, status = 1;
	long served = 0;
	struct sigaction sa = {.sa_handler = on_stop};

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept() returns */
	sigaction(SIGINT, &sa, NULL);
	if ((dctx = dance_setup()) == NULL || (sctx = tls_setup(dctx)) == NULL)
		goto out;
	if (sasl_server_init(global_callbacks, "dance-imapd") != SASL_OK) {
		logmsg("sasl_server_init failed");
		goto out;
	}
	if ((lfd = listen_on()) < 0)
		goto out;
	while (!stopping && (opt.max_conns == 0 || served < opt.max_conns)) {
		struct sockaddr_in peer = {.sin_family = AF_INET};
		socklen_t plen = sizeof peer;
		int fd = accept(lfd, (struct sockaddr *)&peer, &plen);
		if (fd < 0) {
			if (errno == EINTR)
				continue; /* stopping is checked above */
			logmsg("accept: %s", strerror(errno));
			goto out;
		}
		serve(fd, &peer, sctx);
		served++;
	}
	status = 0;
	logmsg("stopped");
out:
	if (lfd >= 0)
		close(lfd);
	sasl_server_done();
	SSL_CTX_free(sctx);
	dance_ctx_free(dctx);
	return status;
}
