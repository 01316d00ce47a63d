/*
 * dot.c -- DNS over TLS to the configured forwarders through an in-process
 * relay, for libunbound builds without TLS (Debian's is built with nettle).
 *
 * At the freeze, with dns-over-tls yes, dance_dot_start() opens one
 * listening TCP socket on 127.0.0.1 (an ephemeral port) per forward line
 * and starts one thread. libunbound forwards to those ports over TCP
 * (tcp-upstream), whose framing (a 2-octet length, then the message) is
 * the framing of DNS over TLS (RFC 7858), so the relay only moves octets:
 * for every connection libunbound opens, it opens a TLS connection (TLS
 * 1.2 or later) to the real forwarder and copies what arrives both ways.
 * One relay port per forwarder keeps libunbound's server selection and
 * fail-over working. The relay sends every DNS message from libunbound in
 * a TLS record of its own (nsd 4.6 leaves the second of two messages in
 * one record unanswered until more data arrives).
 *
 * Authentication: the CAs of tls-ca-bundle (the system bundle by default),
 * SSL_VERIFY_PEER, and the forward line's TLS name both as SNI and as the
 * name the certificate must carry (SSL_set1_host: subjectAltName dNSName,
 * never the subject CN, no partial wildcards). When the connection, the
 * handshake or the verification fails, the relay logs why and closes
 * libunbound's side: libunbound sees the server fail (SERVFAIL, or no
 * answer by the deadline) and the lookup ends indeterminate. Nothing is
 * ever sent to a forwarder outside TLS, and there is no fallback to plain
 * DNS.
 *
 * The thread runs one poll() loop over a wake-up pipe, the listening
 * sockets and every connection: both sockets non-blocking, a bounded
 * buffer per direction, a deadline for the TCP connect and the handshake
 * and one for idleness. At most DOT_MAX_CONNS connections at once; more
 * wait in the listen backlog. dance_dot_stop() wakes the thread, joins it
 * and frees everything.
 *
 * Exposure: the relay ports accept connections from any local process,
 * which can then ask the configured forwarders questions through the relay
 * and nothing else; it could do that by talking to the forwarders itself.
 * All signals are blocked in the relay thread: a write to a closed socket
 * (inside OpenSSL) raises SIGPIPE in the writing thread, where it then
 * stays pending instead of ending the process.
 */
#include "ctx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DOT_BUF           16384 /* octets buffered per direction */
#define DOT_MAX_CONNS     64    /* connections at once, all forwarders */
#define DOT_BACKLOG       64
#define DOT_IDLE_MS       10000 /* an idle relayed connection is closed */
#define DOT_MIN_SETUP     1000  /* bounds of the connect+handshake time */
#define DOT_MAX_SETUP     10000
#define DOT_DEFAULT_PORT  853
#define DOT_SYSTEM_BUNDLE DANCE_SYSTEM_CA_BUNDLE

enum conn_state {
	C_CONNECTING, /* TCP connect to the forwarder in progress */
	C_HANDSHAKE,  /* TLS handshake in progress */
	C_RELAY,      /* authenticated: copying octets */
};

/* One forwarder and its relay port. */
struct dot_fwd {
	int lfd;   /* listening socket on 127.0.0.1 */
	int lport; /* its port */
	struct sockaddr_storage sa;
	socklen_t salen;
	const char *tlsname; /* owned by the context's configuration */
	char label[320];     /* "ADDR@PORT#NAME", for the log */
};

/* One relayed connection. */
struct dot_conn {
	struct dot_fwd *fwd;
	int cfd; /* libunbound's side */
	int ufd; /* the forwarder's side */
	SSL *ssl;
	enum conn_state state;
	int up_in, up_out; /* what OpenSSL waits for on ufd */
	int client_eof;    /* libunbound closed its side */
	int server_eof;    /* the forwarder closed (close_notify or EOF) */
	int64_t deadline;  /* ms, CLOCK_MONOTONIC */
	size_t uplen;      /* octets from libunbound not yet sent */
	size_t msg_left;   /* of them, what belongs to the current message */
	size_t downlen;    /* octets from the forwarder not yet sent */
	uint8_t up[DOT_BUF];
	uint8_t down[DOT_BUF];
};

struct dance_dot {
	const dance_ctx *ctx; /* for the log */
	SSL_CTX *sslctx;
	struct dot_fwd *fwd;
	size_t nfwd;
	struct dot_conn *conns[DOT_MAX_CONNS];
	size_t nconns;
	struct pollfd *pfd; /* 1 + nfwd + 2 * DOT_MAX_CONNS */
	int wake[2];        /* pipe: a byte in it stops the thread */
	int started;        /* the thread runs */
	pthread_t thread;
	int setup_ms; /* connect + handshake deadline */
};

/* ---- small helpers ------------------------------------------------------ */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *errno_text(int e, char *buf, size_t len)
{
	return dance_errno_text(e, buf, len);
}

/* The forwarder's address as a sockaddr. 0, or -1 if it does not parse. */
static int fwd_address(const struct dance_forward *f, struct dot_fwd *d)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&d->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&d->sa;
	uint16_t port = (uint16_t)(f->port != 0 ? f->port : DOT_DEFAULT_PORT);

	memset(&d->sa, 0, sizeof d->sa);
	if (inet_pton(AF_INET, f->addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		d->salen = sizeof *s4;
		return 0;
	}
	if (inet_pton(AF_INET6, f->addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		d->salen = sizeof *s6;
		return 0;
	}
	return -1;
}

/* A listening socket on 127.0.0.1, ephemeral port. 0 or -1 (errno). */
static int listen_loopback(int *fd_out, int *port_out)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(fd, DOT_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*fd_out = fd;
	*port_out = ntohs(a.sin_port);
	return 0;
}

/* ---- logging TLS failures ----------------------------------------------- */

/* Why a handshake failed, from the verification result or OpenSSL's error
 * queue (this thread's). */
static void log_tls_failure(const struct dance_dot *d, const struct dot_conn *c,
                            int sslerr, int err_no)
{
	const dance_ctx *ctx = d->ctx;
	long v = SSL_get_verify_result(c->ssl);
	unsigned long e = ERR_peek_last_error();
	char eb[256];

	if (v != X509_V_OK) {
		DLOG_ERROR(ctx,
		           "dns-over-tls %s: server not authenticated, "
		           "certificate verify failed: %s%s%s%s",
		           c->fwd->label, X509_verify_cert_error_string(v),
		           v == X509_V_ERR_HOSTNAME_MISMATCH
		                   ? " (the certificate is not for "
		                   : "",
		           v == X509_V_ERR_HOSTNAME_MISMATCH ? c->fwd->tlsname
		                                             : "",
		           v == X509_V_ERR_HOSTNAME_MISMATCH ? ")" : "");
	} else if (sslerr == SSL_ERROR_SSL && e != 0) {
		ERR_error_string_n(e, eb, sizeof eb);
		DLOG_ERROR(ctx, "dns-over-tls %s: TLS handshake failed: %s",
		           c->fwd->label, eb);
	} else if (sslerr == SSL_ERROR_ZERO_RETURN ||
	           (sslerr == SSL_ERROR_SYSCALL && err_no == 0)) {
		DLOG_ERROR(ctx,
		           "dns-over-tls %s: TLS handshake failed: the "
		           "server closed the connection",
		           c->fwd->label);
	} else {
		DLOG_ERROR(ctx, "dns-over-tls %s: TLS handshake failed: %s",
		           c->fwd->label,
		           err_no != 0 ? errno_text(err_no, eb, sizeof eb)
		                       : "error in the TLS library");
	}
}

/* ---- one connection ------------------------------------------------------ */

static void conn_free(struct dot_conn *c)
{
	if (c == NULL)
		return;
	if (c->state == C_RELAY && !c->server_eof) {
		/* close_notify, best effort (the socket is non-blocking) */
		(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	SSL_free(c->ssl);
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->ufd >= 0)
		close(c->ufd);
	free(c);
}

/* Server name indication. OpenSSL's SSL_set_tlsext_host_name() macro
 * casts the name to void *, which clang reports (-Wcast-qual, in the
 * fuzz build); OpenSSL only reads it. */
static int set_sni(SSL *ssl, const char *name)
{
	long r;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
	r = SSL_set_tlsext_host_name(ssl, name);
#pragma GCC diagnostic pop
	return r == 1 ? 1 : 0;
}

/* An SSL object for the connection: SNI and the name to verify. */
static int conn_ssl(struct dance_dot *d, struct dot_conn *c)
{
	if ((c->ssl = SSL_new(d->sslctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->ufd) != 1 ||
	    set_sni(c->ssl, c->fwd->tlsname) != 1 ||
	    SSL_set1_host(c->ssl, c->fwd->tlsname) != 1)
		return -1;
	SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
	                                  X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	SSL_set_connect_state(c->ssl);
	return 0;
}

/* Accept one connection from libunbound on f and start connecting to
 * the forwarder. 1 if one was accepted, 0 if none is waiting. */
static int conn_accept(struct dance_dot *d, struct dot_fwd *f)
{
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;
	struct dot_conn *c;
	char eb[128];
	int fd = accept4(f->lfd, (struct sockaddr *)&from, &fromlen,
	                 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED) {
			/* out of descriptors or memory: do not spin */
			struct timespec ts = {0, 100000000L};
			DLOG_ERROR(d->ctx, "dns-over-tls relay: accept: %s",
			           errno_text(errno, eb, sizeof eb));
			nanosleep(&ts, NULL);
		}
		return 0;
	}
	if ((c = calloc(1, sizeof *c)) == NULL) {
		close(fd);
		return 1;
	}
	c->fwd = f;
	c->cfd = fd;
	c->state = C_CONNECTING;
	c->deadline = now_ms() + d->setup_ms;
	c->ufd = socket(f->sa.ss_family,
	                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ufd < 0 || conn_ssl(d, c) != 0) {
		DLOG_ERROR(d->ctx, "dns-over-tls %s: cannot make a connection",
		           f->label);
		conn_free(c);
		return 1;
	}
	if (connect(c->ufd, (struct sockaddr *)&f->sa, f->salen) != 0 &&
	    errno != EINPROGRESS) {
		DLOG_ERROR(d->ctx, "dns-over-tls %s: connect: %s", f->label,
		           errno_text(errno, eb, sizeof eb));
		conn_free(c);
		return 1;
	}
	d->conns[d->nconns++] = c;
	return 1;
}

/* Record what an SSL call that did not complete waits for. 0 for a
 * retry, or the SSL error code for a failure. */
static int ssl_wait(struct dot_conn *c, int ret)
{
	int e = SSL_get_error(c->ssl, ret);

	if (e == SSL_ERROR_WANT_READ)
		c->up_in = 1;
	else if (e == SSL_ERROR_WANT_WRITE)
		c->up_out = 1;
	else
		return e;
	return 0;
}

/* The TCP connect finished (or failed). 0, or -1 to close. */
static int step_connect(struct dance_dot *d, struct dot_conn *c, short rev)
{
	int err = 0;
	socklen_t len = sizeof err;
	char eb[128];

	if ((rev & (POLLOUT | POLLERR | POLLHUP)) == 0)
		return 0;
	if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		DLOG_ERROR(d->ctx, "dns-over-tls %s: connect: %s",
		           c->fwd->label, errno_text(err, eb, sizeof eb));
		return -1;
	}
	c->state = C_HANDSHAKE;
	return 0;
}

/* Drive the handshake. 0, or -1 to close (logged). */
static int step_handshake(struct dance_dot *d, struct dot_conn *c)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_connect(c->ssl);
	if (r == 1) {
		c->state = C_RELAY;
		c->deadline = now_ms() + DOT_IDLE_MS;
		DLOG_DEBUG(d->ctx,
		           "dns-over-tls %s: %s connection, server "
		           "authenticated as %s",
		           c->fwd->label, SSL_get_version(c->ssl),
		           c->fwd->tlsname);
		return 0;
	}
	if ((e = ssl_wait(c, r)) == 0)
		return 0;
	log_tls_failure(d, c, e, errno);
	return -1;
}

/* How many of the buffered octets from libunbound to send as the next TLS
 * record: never past the end of a DNS message (2-octet length + message),
 * so that each record holds at most one message. nsd 4.6 does not answer
 * the second of two queries in one record until more data arrives. 0 until
 * a message's length is known. */
static size_t record_len(struct dot_conn *c)
{
	if (c->msg_left == 0) {
		if (c->uplen < 2)
			return 0;
		c->msg_left = 2 + ((size_t)c->up[0] << 8 | c->up[1]);
	}
	return c->uplen < c->msg_left ? c->uplen : c->msg_left;
}

/* Move octets from libunbound to the TLS connection. 1 if something
 * moved, 0 if not, -1 to close. */
static int pump_up(struct dot_conn *c)
{
	size_t len;
	int moved = 0, r;

	if (!c->client_eof && c->uplen < DOT_BUF) {
		ssize_t n = recv(c->cfd, c->up + c->uplen, DOT_BUF - c->uplen,
		                 MSG_DONTWAIT);
		if (n > 0) {
			c->uplen += (size_t)n;
			moved = 1;
		} else if (n == 0) {
			c->client_eof = 1;
			moved = 1;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -1;
		}
	}
	if ((len = record_len(c)) > 0) {
		ERR_clear_error();
		r = SSL_write(c->ssl, c->up, (int)len);
		if (r > 0) {
			c->uplen -= (size_t)r;
			c->msg_left -= (size_t)r;
			memmove(c->up, c->up + r, c->uplen);
			moved = 1;
		} else if (ssl_wait(c, r) != 0) {
			return -1;
		}
	}
	return moved;
}

/* Move octets from the TLS connection to libunbound. Same returns. */
static int pump_down(struct dot_conn *c)
{
	int moved = 0, r;

	if (!c->server_eof && c->downlen < DOT_BUF) {
		ERR_clear_error();
		r = SSL_read(c->ssl, c->down + c->downlen,
		             (int)(DOT_BUF - c->downlen));
		if (r > 0) {
			c->downlen += (size_t)r;
			moved = 1;
		} else if ((r = ssl_wait(c, r)) == SSL_ERROR_ZERO_RETURN) {
			c->server_eof = 1;
			moved = 1;
		} else if (r != 0) {
			return -1;
		}
	}
	if (c->downlen > 0) {
		ssize_t n = send(c->cfd, c->down, c->downlen,
		                 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			c->downlen -= (size_t)n;
			memmove(c->down, c->down + n, c->downlen);
			moved = 1;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return -1;
		}
	}
	return moved;
}

/* Relay until nothing moves. 1 if something moved, 0 if not, -1 to
 * close. */
static int step_relay(struct dot_conn *c)
{
	int moved = 0;

	for (;;) {
		int up, down;

		c->up_in = c->up_out = 0;
		if ((up = pump_up(c)) < 0 || (down = pump_down(c)) < 0)
			return -1;
		if (c->client_eof && c->msg_left == 0 && c->uplen < 2)
			return -1; /* libunbound is done with it */
		if (c->server_eof && c->downlen == 0)
			return -1; /* everything the server said is delivered */
		if (!up && !down)
			return moved;
		moved = 1;
		c->deadline = now_ms() + DOT_IDLE_MS;
	}
}

/* Advance one connection after poll() (crev, urev: what it reported for
 * libunbound's and the forwarder's socket). 0, or -1 to close it. */
static int conn_step(struct dance_dot *d, struct dot_conn *c, short crev,
                     short urev)
{
	int moved = 0;

	if (crev & (POLLERR | POLLHUP))
		return -1; /* libunbound is gone: nobody to answer */
	if (c->state == C_CONNECTING && step_connect(d, c, urev) != 0)
		return -1;
	if (c->state == C_HANDSHAKE) {
		c->up_in = c->up_out = 0;
		if (step_handshake(d, c) != 0)
			return -1;
	}
	if (c->state == C_RELAY && (moved = step_relay(c)) < 0)
		return -1;
	/* a forwarder socket in error or hung up that no longer moves
	 * anything would wake poll() at once, forever */
	if (c->state == C_RELAY && !moved && (urev & (POLLERR | POLLHUP)))
		return -1;
	if (now_ms() >= c->deadline) {
		if (c->state == C_RELAY)
			DLOG_DEBUG(d->ctx,
			           "dns-over-tls %s: idle connection closed",
			           c->fwd->label);
		else
			DLOG_ERROR(d->ctx,
			           "dns-over-tls %s: no %s within %d ms (is it "
			           "a DNS-over-TLS server?)",
			           c->fwd->label,
			           c->state == C_CONNECTING ? "connection"
			                                    : "TLS handshake",
			           d->setup_ms);
		return -1;
	}
	return 0;
}

/* ---- the loop ---------------------------------------------------------- */

/* What to wait for on the two sockets of c. */
static void conn_events(const struct dot_conn *c, struct pollfd *cp,
                        struct pollfd *up)
{
	cp->fd = c->cfd;
	cp->events = 0;
	up->fd = c->ufd;
	up->events = 0;
	if (c->state == C_CONNECTING) {
		up->events = POLLOUT;
		return;
	}
	if (c->up_in)
		up->events |= POLLIN;
	if (c->up_out)
		up->events |= POLLOUT;
	if (c->state != C_RELAY)
		return;
	if (!c->client_eof && c->uplen < DOT_BUF)
		cp->events |= POLLIN;
	if (c->downlen > 0)
		cp->events |= POLLOUT;
}

/* Fill d->pfd; the number of entries and the poll timeout. */
static nfds_t fill_poll(struct dance_dot *d, int *timeout)
{
	nfds_t n = 0;
	int64_t now = now_ms(), first = -1;

	d->pfd[n++] = (struct pollfd){.fd = d->wake[0], .events = POLLIN};
	for (size_t i = 0; i < d->nfwd; i++)
		d->pfd[n++] = (struct pollfd){
		        .fd = d->nconns < DOT_MAX_CONNS ? d->fwd[i].lfd : -1,
		        .events = POLLIN};
	for (size_t i = 0; i < d->nconns; i++) {
		conn_events(d->conns[i], &d->pfd[n], &d->pfd[n + 1]);
		n += 2;
		if (first < 0 || d->conns[i]->deadline < first)
			first = d->conns[i]->deadline;
	}
	if (first < 0)
		*timeout = -1;
	else
		*timeout = first <= now ? 0 : (int)(first - now) + 1;
	return n;
}

/* Step every connection with its poll results; close and drop the ones
 * that are done or failed. */
static void handle_conns(struct dance_dot *d)
{
	const struct pollfd *p = d->pfd + 1 + d->nfwd;
	size_t kept = 0;

	for (size_t k = 0; k < d->nconns; k++) {
		struct dot_conn *c = d->conns[k];
		if (conn_step(d, c, p[2 * k].revents, p[2 * k + 1].revents) !=
		    0) {
			DLOG_DEBUG(d->ctx,
			           "dns-over-tls %s: connection closed (state "
			           "%d, client eof %d, server eof %d, %zu/%zu "
			           "octets pending, revents %#x/%#x)",
			           c->fwd->label, (int)c->state, c->client_eof,
			           c->server_eof, c->uplen, c->downlen,
			           (unsigned)p[2 * k].revents,
			           (unsigned)p[2 * k + 1].revents);
			conn_free(c);
			continue;
		}
		d->conns[kept++] = c;
	}
	for (size_t k = kept; k < d->nconns; k++)
		d->conns[k] = NULL;
	d->nconns = kept;
}

static void *relay_main(void *arg)
{
	struct dance_dot *d = arg;

	for (;;) {
		int timeout;
		nfds_t n = fill_poll(d, &timeout);

		if (poll(d->pfd, n, timeout) < 0 && errno != EINTR) {
			char eb[128];
			DLOG_ERROR(d->ctx, "dns-over-tls relay: poll: %s",
			           errno_text(errno, eb, sizeof eb));
			struct timespec ts = {0, 100000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		if (d->pfd[0].revents != 0)
			break;
		handle_conns(d);
		for (size_t i = 0; i < d->nfwd; i++)
			if (d->pfd[1 + i].revents & POLLIN)
				while (d->nconns < DOT_MAX_CONNS &&
				       conn_accept(d, &d->fwd[i]))
					;
	}
	return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static SSL_CTX *client_sslctx(const dance_ctx *ctx, const char *bundle)
{
	SSL_CTX *s = SSL_CTX_new(TLS_client_method());
	char eb[256] = "out of memory";

	if (s == NULL || SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION) != 1)
		goto fail;
	SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(s, SSL_OP_IGNORE_UNEXPECTED_EOF |
	                               SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_load_verify_file(s, bundle) != 1) {
		ERR_error_string_n(ERR_peek_last_error(), eb, sizeof eb);
		DLOG_ERROR(ctx,
		           "resolver set-up: dns-over-tls: tls-ca-bundle %s: "
		           "no CA certificate loaded: %s",
		           bundle, eb);
		goto fail_logged;
	}
	ERR_clear_error();
	return s;
fail:
	DLOG_ERROR(ctx, "resolver set-up: dns-over-tls: TLS context: %s", eb);
fail_logged:
	ERR_clear_error();
	SSL_CTX_free(s);
	return NULL;
}

/* The relay port of one forwarder. */
static int open_fwd(const dance_ctx *ctx, const struct dance_forward *f,
                    struct dot_fwd *d)
{
	char eb[128];

	d->tlsname = f->tlsname;
	dance_fmt(d->label, sizeof d->label, "%s@%d#%s", f->addr,
	          f->port != 0 ? f->port : DOT_DEFAULT_PORT,
	          f->tlsname != NULL ? f->tlsname : "");
	if (f->tlsname == NULL || fwd_address(f, d) != 0) {
		DLOG_ERROR(ctx,
		           "resolver set-up: dns-over-tls: forward %s "
		           "is unusable",
		           d->label);
		return -1;
	}
	if (listen_loopback(&d->lfd, &d->lport) != 0) {
		DLOG_ERROR(ctx,
		           "resolver set-up: dns-over-tls: relay port on "
		           "127.0.0.1: %s",
		           errno_text(errno, eb, sizeof eb));
		return -1;
	}
	return 0;
}

/* Start the thread with every signal blocked in it. */
static int start_thread(struct dance_dot *d)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&d->thread, NULL, relay_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		char eb[128];
		DLOG_ERROR(d->ctx,
		           "resolver set-up: dns-over-tls: relay thread: %s",
		           errno_text(r, eb, sizeof eb));
		return -1;
	}
	d->started = 1;
	return 0;
}

int dance_dot_start(const dance_ctx *ctx, struct dance_dot **out)
{
	const char *bundle = ctx->tls_ca_bundle != NULL ? ctx->tls_ca_bundle
	                                                : DOT_SYSTEM_BUNDLE;
	struct dance_dot *d;
	unsigned ms = ctx->lookup_timeout_ms;
	int r = DANCE_ERR_NOMEM;

	*out = NULL;
	if ((d = calloc(1, sizeof *d)) == NULL)
		return DANCE_ERR_NOMEM;
	d->ctx = ctx;
	d->wake[0] = d->wake[1] = -1;
	d->setup_ms = (int)(ms < DOT_MIN_SETUP   ? DOT_MIN_SETUP
	                    : ms > DOT_MAX_SETUP ? DOT_MAX_SETUP
	                                         : ms);
	d->fwd = calloc(ctx->nforwards, sizeof *d->fwd);
	d->pfd = calloc(1 + ctx->nforwards + (size_t)2 * DOT_MAX_CONNS,
	                sizeof *d->pfd);
	if (d->fwd == NULL || d->pfd == NULL)
		goto fail;
	for (size_t i = 0; i < ctx->nforwards; i++)
		d->fwd[i].lfd = -1;
	d->nfwd = ctx->nforwards;
	r = DANCE_ERR_RESOLVER;
	for (size_t i = 0; i < d->nfwd; i++)
		if (open_fwd(ctx, &ctx->forwards[i], &d->fwd[i]) != 0)
			goto fail;
	if (pipe2(d->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    (d->sslctx = client_sslctx(ctx, bundle)) == NULL ||
	    start_thread(d) != 0)
		goto fail;
	*out = d;
	return DANCE_OK;
fail:
	dance_dot_stop(d);
	return r;
}

int dance_dot_port(const struct dance_dot *d, size_t i)
{
	return d != NULL && i < d->nfwd ? d->fwd[i].lport : -1;
}

void dance_dot_stop(struct dance_dot *d)
{
	if (d == NULL)
		return;
	if (d->started) {
		while (write(d->wake[1], "x", 1) < 0 && errno == EINTR)
			;
		pthread_join(d->thread, NULL);
	}
	for (size_t i = 0; i < d->nconns; i++)
		conn_free(d->conns[i]);
	for (size_t i = 0; i < d->nfwd; i++)
		if (d->fwd[i].lfd >= 0)
			close(d->fwd[i].lfd);
	if (d->wake[0] >= 0)
		close(d->wake[0]);
	if (d->wake[1] >= 0)
		close(d->wake[1]);
	SSL_CTX_free(d->sslctx);
	free(d->fwd);
	free(d->pfd);
	free(d);
}
