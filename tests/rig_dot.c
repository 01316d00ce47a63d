/*
 * rig_dot.c -- DNS over TLS (lib/dot.c) against the rig's nsd, which serves
 * DNS over TLS with a certificate for dns.test from the test CA
 * pki/dot-ca (RUNDIR/dance-dot.conf): every answer class over TLS; a
 * wrong TLS name, a CA bundle without the issuer, a plain DNS server, a
 * closed port and a silent one all end indeterminate, with a log line
 * saying why, and never reach a server in clear text; certificates from
 * the right CA that must still be refused (name only in the CN, expired;
 * served by openssl s_server); an IPv6 forwarder; several queries in one
 * write; fail-over between forwarders; eight threads; no thread and no
 * relay port left after dance_ctx_free(); 'dance lookup' through
 * dance-dot.conf.
 */
#include "ctx.h"
#include "internal.h"
#include "logbuf.h"
#include "lookup_threads.h"
#include "proc.h"
#include "rig.h"
#include "rig_hooks.h"
#include "rig_ub.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char cli_path[] = DANCE_BINARY_DIR "/cli/dance";
#define DEADLINE 1000 /* lookup-timeout of the rig's configurations */

static const struct rig *rig(void)
{
	const struct rig *r = rig_start();

	cr_assert_not_null(r, "the rig did not start");
	cr_assert_not_null(r->conf_dot, "the rig has no DNS-over-TLS port");
	return r;
}

/*
 * A context from dance-dot.conf with its forward and tls-ca-bundle lines
 * replaced by forwards (one or more lines, NULL: keep) and bundle (NULL:
 * keep), logging into l (may be NULL).
 */
static dance_ctx *dot_context(const char *forwards, const char *bundle,
                              struct logbuf *l)
{
	dance_ctx *ctx = NULL;
	char *text = proc_read_file(rig()->conf_dot, NULL), *line, *next;
	char conf[8192] = "", err[512];
	size_t o = 0;

	cr_assert_not_null(text);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if ((forwards != NULL && strncmp(line, "forward ", 8) == 0) ||
		    (bundle != NULL &&
		     strncmp(line, "tls-ca-bundle ", 14) == 0))
			continue;
		o += (size_t)snprintf(conf + o, sizeof conf - o, "%s\n", line);
	}
	if (forwards != NULL)
		o += (size_t)snprintf(conf + o, sizeof conf - o, "%s\n",
		                      forwards);
	if (bundle != NULL)
		o += (size_t)snprintf(conf + o, sizeof conf - o,
		                      "tls-ca-bundle %s\n", bundle);
	cr_assert_lt(o, sizeof conf);
	free(text);
	cr_assert_eq(dance_ctx_new(&ctx), DANCE_OK);
	if (l != NULL) {
		logbuf_init(l);
		cr_assert_eq(dance_ctx_set_log(ctx, logbuf_keep, l), DANCE_OK);
	}
	cr_assert_eq(dance_config_parse_buffer(ctx, "dot.conf", conf, o, err,
	                                       sizeof err),
	             DANCE_OK, "%s\n%s", err, conf);
	return ctx;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* ---- every answer class over TLS ----------------------------------------- */

Test(rig_dot, answer_table_over_tls)
{
	/* The rig_names[] rows, except the indeterminate ones that only
	 * the rig's plain forwarders make (servfail/refused/silent.test):
	 * nsd answers those itself (test. is signed: secure NXDOMAIN). A
	 * name outside test. is indeterminate here: nsd REFUSES it. */
	struct logbuf l;
	dance_ctx *ctx = dot_context(NULL, NULL, &l);
	size_t tested = 0, per_class[5] = {0};

	for (size_t i = 0; i < rig_names_count; i++) {
		const struct rig_name *n = &rig_names[i];
		struct dance_tlsa_rrset *rs = NULL;
		int r;

		if (n->cls == DANCE_DNS_INDETERMINATE)
			continue;
		r = dance_lookup_tlsa(ctx, n->name, &rs);
		cr_expect_eq(r, DANCE_OK, "%s: %s", n->name, dance_strerror(r));
		cr_assert_not_null(rs, "%s", n->name);
		cr_expect_eq(rs->dns_class, n->cls, "%s (%s): %s, %s", n->name,
		             n->what, dance_dns_class_name(rs->dns_class),
		             rs->reason);
		if (n->cls == DANCE_DNS_SECURE)
			cr_expect_gt(rs->count, 0, "%s", n->name);
		per_class[rs->dns_class]++;
		tested++;
		dance_tlsa_rrset_free(rs);
	}
	{
		struct dance_tlsa_rrset *rs = NULL;
		int r = dance_lookup_tlsa(ctx, "_user.example.org", &rs);

		cr_expect_eq(r, DANCE_ERR_DNS_TEMPFAIL, "%s",
		             dance_strerror(r));
		cr_assert_not_null(rs);
		cr_expect_eq(rs->dns_class, DANCE_DNS_INDETERMINATE);
		per_class[rs->dns_class]++;
		dance_tlsa_rrset_free(rs);
	}
	cr_expect_geq(tested, 20);
	for (int c = 0; c < 5; c++)
		cr_expect_gt(per_class[c], 0, "no answer of class %s",
		             dance_dns_class_name((enum dance_dns_class)c));
	cr_expect(!logbuf_has(&l, "not authenticated") &&
	                  !logbuf_has(&l, "handshake failed"),
	          "a TLS problem was logged:\n%s", l.text);
	dance_ctx_free(ctx);
}

/* ---- failures: indeterminate, with the reason in the log ---------------- */

struct dot_failure {
	const char *name;
	const char *tlsname; /* of the forward line */
	int port;            /* 0 DoT, 1 the plain front, 2 nsd plain, 3 a
	                        closed port */
	const char *bundle;  /* fixture path, NULL: the right CA */
	const char *logged;  /* what the log must say */
	int timeout;         /* 1: the lookup may last until the deadline */
};

static const struct dot_failure failures[] = {
        {"wrong TLS name", "dns.wrong.test", 0, NULL,
         "hostname mismatch (the certificate is not for dns.wrong.test)", 0},
        {"TLS name of another server", "good.test", 0, NULL,
         "hostname mismatch", 0},
        {"CA bundle without the issuer", "dns.test", 0, "pki/other-ca.pem",
         "unable to get local issuer certificate", 0},
        {"CA bundle holding the server's own certificate", "dns.test", 0,
         "pki/dot-server.pem", "certificate verify failed", 0},
        {"plain DNS server (closes on the ClientHello)", "dns.test", 1, NULL,
         "TLS handshake failed", 0},
        {"plain DNS server (waits for the rest of a 'message')", "dns.test", 2,
         NULL, "no TLS handshake within", 1},
        {"closed port", "dns.test", 3, NULL, "connect: Connection refused", 0},
};

static int failure_port(int which)
{
	switch (which) {
	case 0:
		return rig()->dot_port;
	case 1:
		return rig()->port;
	case 2:
		return rig()->nsd_port;
	default:
		return proc_free_port();
	}
}

/* Wait up to ms for s to show in the log (the relay logs from its own
 * thread, possibly just after the lookup returned). */
static int log_wait(struct logbuf *l, const char *s, int ms)
{
	for (int t = 0; t < ms; t += 20) {
		if (logbuf_has(l, s))
			return 1;
		proc_sleep_ms(20);
	}
	return logbuf_has(l, s);
}

Test(rig_dot, failures_are_indeterminate_and_logged)
{
	for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
		const struct dot_failure *f = &failures[i];
		char fwd[256], bundle[512], qname[128];
		struct dance_tlsa_rrset *rs = NULL;
		struct logbuf l;
		dance_ctx *ctx;
		double ms;
		int r;

		snprintf(fwd, sizeof fwd, "forward 127.0.0.1@%d#%s",
		         failure_port(f->port), f->tlsname);
		if (f->bundle != NULL)
			cr_assert_not_null(
			        rig_fixture(bundle, sizeof bundle, f->bundle));
		/* a name of its own, to prove no plain query reached the
		 * rig's front server */
		snprintf(qname, sizeof qname, "_user.dot-fail%zu.good.test", i);
		ctx = dot_context(fwd, f->bundle ? bundle : NULL, &l);
		cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK, "%s: %s", f->name,
		             l.text);
		ms = now_ms();
		r = dance_lookup_tlsa(ctx, qname, &rs);
		ms = now_ms() - ms;
		cr_expect(r == DANCE_ERR_DNS_TEMPFAIL ||
		                  (f->timeout && r == DANCE_ERR_DNS_TIMEOUT),
		          "%s: %s", f->name, dance_strerror(r));
		cr_assert_not_null(rs, "%s", f->name);
		cr_expect_eq(rs->dns_class, DANCE_DNS_INDETERMINATE, "%s: %s",
		             f->name, dance_dns_class_name(rs->dns_class));
		cr_expect_eq(rs->count, 0);
		cr_expect_leq(ms, DEADLINE * 1.1, "%s: %.0f ms", f->name, ms);
		cr_expect(log_wait(&l, f->logged, 2 * DEADLINE),
		          "%s: the log does not say '%s':\n%s", f->name,
		          f->logged, l.text);
		dance_tlsa_rrset_free(rs);
		dance_ctx_free(ctx);
		logbuf_fini(&l);
		cr_expect_eq(rig_query_count(rig(), qname), 0,
		             "%s: a plain query for %s reached the rig",
		             f->name, qname);
	}
}

Test(rig_dot, tls_failure_is_an_error_in_the_log)
{
	/* the reason reaches an operator at the default log level */
	struct logbuf l;
	char fwd[128], err[128];
	struct dance_tlsa_rrset *rs = NULL;
	dance_ctx *ctx;

	snprintf(fwd, sizeof fwd, "forward 127.0.0.1@%d#dns.wrong.test",
	         rig()->dot_port);
	ctx = dot_context(fwd, NULL, &l);
	cr_assert_eq(dance_ctx_set(ctx, "log-level", "error", err, sizeof err),
	             DANCE_OK);
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs),
	             DANCE_ERR_DNS_TEMPFAIL);
	cr_expect(log_wait(&l, "certificate verify failed: hostname mismatch",
	                   2 * DEADLINE),
	          "%s", l.text);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
	logbuf_fini(&l);
}

Test(rig_dot, certificates_to_refuse)
{
	/* openssl s_server with certificates from the right CA that still
	 * must not authenticate dns.test */
	static const struct {
		const char *cert;
		const char *logged;
	} cases[] = {
	        {"dot-cn-only", "hostname mismatch"}, /* no CN fallback */
	        {"dot-expired", "certificate has expired"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char cert[512], key[512], rel[64], fwd[128], addr[32];
		const char *argv[] = {
		        "openssl", "s_server", "-quiet", "-accept", addr,
		        "-cert",   cert,       "-key",   key,       NULL};
		struct proc_opts o = {.stdout_path = "/dev/null",
		                      .stderr_path = "/dev/null"};
		struct dance_tlsa_rrset *rs = NULL;
		int port = proc_free_port(), r;
		struct logbuf l;
		dance_ctx *ctx;
		pid_t pid;

		snprintf(rel, sizeof rel, "pki/%s.pem", cases[i].cert);
		cr_assert_not_null(rig_fixture(cert, sizeof cert, rel));
		snprintf(rel, sizeof rel, "pki/%s.key", cases[i].cert);
		cr_assert_not_null(rig_fixture(key, sizeof key, rel));
		snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
		cr_assert_eq(proc_spawn(&pid, argv, &o), 0);
		cr_assert_eq(proc_wait_port_pid(port, 5000, pid, NULL), 0,
		             "openssl s_server did not start");
		snprintf(fwd, sizeof fwd, "forward 127.0.0.1@%d#dns.test",
		         port);
		ctx = dot_context(fwd, NULL, &l);
		r = dance_lookup_tlsa(ctx, "_user.good.test", &rs);
		cr_expect(r == DANCE_ERR_DNS_TEMPFAIL ||
		                  r == DANCE_ERR_DNS_TIMEOUT,
		          "%s: %s", cases[i].cert, dance_strerror(r));
		cr_assert_not_null(rs);
		cr_expect_eq(rs->dns_class, DANCE_DNS_INDETERMINATE, "%s",
		             cases[i].cert);
		cr_expect(log_wait(&l, cases[i].logged, 2 * DEADLINE),
		          "%s: the log does not say '%s':\n%s", cases[i].cert,
		          cases[i].logged, l.text);
		dance_tlsa_rrset_free(rs);
		dance_ctx_free(ctx);
		logbuf_fini(&l);
		proc_stop(pid, 2000);
	}
}

/* One lookup through forward line fwd; the log must come to say logged. */
static void lookup_logs(const char *fwd, const char *logged)
{
	struct dance_tlsa_rrset *rs = NULL;
	char err[64];
	struct logbuf l;
	dance_ctx *ctx = dot_context(fwd, NULL, &l);
	int r;

	cr_assert_eq(dance_ctx_set(ctx, "log-level", "debug", err, sizeof err),
	             DANCE_OK);
	cr_assert_eq(
	        dance_ctx_set(ctx, "lookup-timeout", "500", err, sizeof err),
	        DANCE_OK);
	r = dance_lookup_tlsa(ctx, "_user.good.test", &rs);
	cr_expect(r == DANCE_ERR_DNS_TEMPFAIL || r == DANCE_ERR_DNS_TIMEOUT,
	          "%s: %s", fwd, dance_strerror(r));
	cr_assert_not_null(rs);
	cr_expect_eq(rs->dns_class, DANCE_DNS_INDETERMINATE);
	cr_expect(log_wait(&l, logged, 2000), "%s: no '%s' in\n%s", fwd, logged,
	          l.text);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
	logbuf_fini(&l);
}

Test(rig_dot, ipv6_forwarder)
{
	/* openssl s_server on [::1] with the right certificate: the relay
	 * connects over IPv6 and authenticates it (s_server speaks no DNS,
	 * so the lookup itself ends indeterminate); a closed IPv6 port is
	 * refused */
	char cert[512], key[512], fwd[128], addr[48];
	const char *argv[] = {"openssl", "s_server", "-quiet", "-accept", addr,
	                      "-cert",   cert,       "-key",   key,       NULL};
	struct proc_opts o = {.stdout_path = "/dev/null",
	                      .stderr_path = "/dev/null"};
	int port = proc_free_port();
	pid_t pid;

	cr_assert_not_null(
	        rig_fixture(cert, sizeof cert, "pki/dot-server.pem"));
	cr_assert_not_null(rig_fixture(key, sizeof key, "pki/dot-server.key"));
	snprintf(addr, sizeof addr, "[::1]:%d", port);
	cr_assert_eq(proc_spawn(&pid, argv, &o), 0);
	proc_sleep_ms(300); /* proc_wait_port() is IPv4 only */
	cr_assert(proc_alive(pid), "openssl s_server on [::1] did not start");
	snprintf(fwd, sizeof fwd, "forward ::1@%d#dns.test", port);
	lookup_logs(fwd, "server authenticated as dns.test");
	proc_stop(pid, 2000);
	snprintf(fwd, sizeof fwd, "forward ::1@%d#dns.test", proc_free_port());
	lookup_logs(fwd, "connect: Connection refused");
}

/* ---- fail-over, threads, teardown ---------------------------------------- */

Test(rig_dot, fail_over_to_the_next_forwarder)
{
	/* the first forwarder fails its handshake at once; libunbound
	 * moves on to the second relay port */
	char fwd[256];
	struct dance_tlsa_rrset *rs = NULL;
	dance_ctx *ctx;
	int r;

	snprintf(fwd, sizeof fwd,
	         "forward 127.0.0.1@%d#dns.test\n"
	         "forward 127.0.0.1@%d#dns.test",
	         rig()->port, rig()->dot_port);
	ctx = dot_context(fwd, NULL, NULL);
	r = dance_lookup_tlsa(ctx, "_user.other.test", &rs);
	cr_expect_eq(r, DANCE_OK, "%s", dance_strerror(r));
	cr_assert_not_null(rs);
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE, "%s", rs->reason);
	dance_tlsa_rrset_free(rs);
	dance_ctx_free(ctx);
}

Test(rig_dot, eight_threads_share_one_context)
{
	static struct logbuf l;
	struct lookup_threads t = {.ctx = dot_context(NULL, NULL, &l),
	                           .threads = 8,
	                           .rounds = 12,
	                           .stride = 7,
	                           .skip_indeterminate = 1};
	char err[128];

	cr_assert_eq(dance_ctx_set(t.ctx, "max-ttl", "1", err, sizeof err),
	             DANCE_OK);
	cr_assert_eq(
	        dance_ctx_set(t.ctx, "log-level", "debug", err, sizeof err),
	        DANCE_OK);
	cr_assert_eq(lookup_threads_run(&t), 0);
	cr_expect_gt(t.done, 0);
	cr_expect_eq(t.wrong, 0, "%d wrong, first %s", t.wrong, t.first);
	dance_ctx_free(t.ctx);
	if (t.wrong > 0)
		cr_log_error("the context's log:\n%s", l.text);
}

/* The "Threads:" line of /proc/self/status. */
static int thread_count(void)
{
	char *s = proc_read_file("/proc/self/status", NULL), *t;
	int n;

	cr_assert_not_null(s);
	t = strstr(s, "\nThreads:");
	cr_assert_not_null(t);
	n = (int)strtol(t + 9, NULL, 10);
	free(s);
	return n;
}

static int port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_geq(fd, 0);
	ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

Test(rig_dot, free_stops_the_relay)
{
	/* the relay thread and its port live from the freeze to
	 * dance_ctx_free(), also when lookups are still connected */
	int before = thread_count(), port;
	dance_ctx *ctx = dot_context(NULL, NULL, NULL);
	struct dance_tlsa_rrset *rs = NULL;

	cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK);
	port = dance_dot_port(ctx->dot_relay, 0);
	cr_assert_gt(port, 0);
	cr_expect(port_open(port), "relay port %d not listening", port);
	cr_expect_eq(dance_lookup_tlsa(ctx, "_user.good.test", &rs), DANCE_OK);
	dance_tlsa_rrset_free(rs);
	cr_expect_gt(thread_count(), before);
	dance_ctx_free(ctx);
	cr_expect_eq(thread_count(), before, "a thread is left");
	cr_expect(!port_open(port), "relay port %d still open", port);
}

/* A query for name (type A) with its 2-octet length, as over TCP. */
static size_t tcp_query(uint8_t *buf, const char *name, uint16_t id)
{
	size_t o = 14;

	memset(buf, 0, 14);
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)id;
	buf[4] = 0x01; /* RD */
	buf[7] = 1;    /* QDCOUNT */
	while (*name != '\0') {
		size_t l = strcspn(name, ".");
		buf[o++] = (uint8_t)l;
		memcpy(buf + o, name, l);
		o += l;
		name += l + (name[l] == '.');
	}
	buf[o++] = 0;
	buf[o++] = 0;
	buf[o++] = 1; /* A */
	buf[o++] = 0;
	buf[o++] = 1; /* IN */
	buf[0] = (uint8_t)((o - 2) >> 8);
	buf[1] = (uint8_t)(o - 2);
	return o;
}

Test(rig_dot, several_queries_in_one_write_are_all_answered)
{
	/* libunbound pipelines queries on one connection. The relay sends
	 * each message in a TLS record of its own: nsd 4.6 leaves the second
	 * of two messages in one record unanswered. */
	static const char *const names[] = {"good.test", "other.test",
	                                    "www.bogus.test"};
	dance_ctx *ctx = dot_context(NULL, NULL, NULL);
	struct sockaddr_in a = {.sin_family = AF_INET};
	uint8_t out[512], in[4096];
	size_t o = 0, got = 0, have = 0;
	int fd;

	cr_assert_eq(dance_ctx_freeze(ctx), DANCE_OK);
	a.sin_port = htons((uint16_t)dance_dot_port(ctx->dot_relay, 0));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (size_t i = 0; i < 3; i++)
		o += tcp_query(out + o, names[i], (uint16_t)(0x100 + i));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(send(fd, out, o, MSG_NOSIGNAL), (ssize_t)o);
	for (double t0 = now_ms(); got < 3 && now_ms() - t0 < 3000;) {
		struct timeval tv = {0, 200000};
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		n = recv(fd, in + have, sizeof in - have, 0);
		if (n == 0)
			break;
		if (n > 0)
			have += (size_t)n;
		while (have >= 2 && have >= 2 + (size_t)(in[0] << 8 | in[1])) {
			size_t len = 2 + (size_t)(in[0] << 8 | in[1]);
			cr_expect_geq(len, 14);
			cr_expect_eq(in[2], 0x01, "answer id");
			memmove(in, in + len, have - len);
			have -= len;
			got++;
		}
	}
	cr_expect_eq(got, 3, "%zu of 3 answers through the relay", got);
	close(fd);
	dance_ctx_free(ctx);
}

/* ---- the CLI --------------------------------------------------------------- */

Test(rig_dot, cli_lookup_over_tls)
{
	static const struct {
		const char *name;
		int status;
		const char *cls;
	} cases[] = {
	        {"_user.good.test", 0, "\"class\":\"secure\""},
	        {"_user.nxdomain.good.test", 1, "\"class\":\"secure-none\""},
	        {"_user.bogus.test", 1, "\"class\":\"bogus\""},
	        {"_user.insecure.test", 1, "\"class\":\"insecure\""},
	        {"_user.example.org", 3, "\"class\":\"indeterminate\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *argv[] = {cli_path, "-c",          rig()->conf_dot,
		                      "lookup", cases[i].name, "--json",
		                      NULL};
		struct proc_result res;

		cr_assert_eq(proc_run(&res, argv, NULL, 10000, NULL), 0);
		cr_expect(res.exited && res.exit_code == cases[i].status,
		          "%s: exit %d, want %d\n%s%s", cases[i].name,
		          res.exit_code, cases[i].status, res.out, res.err);
		cr_expect_not_null(strstr(res.out, cases[i].cls), "%s: %s",
		                   cases[i].name, res.out);
		proc_result_free(&res);
	}
}
