/*
 * dance-rig.c -- supervisor of the DNS test rig.
 *
 *   dance-rig --run DIR --fixtures FIX [--slow-ms N] [--delay-ms N]
 *
 * Serves the signed zones of FIX (made by tests/rig/make-fixtures.sh) with
 * nsd on 127.0.0.1, and puts four small servers of its own in front of it,
 * each on a free loopback port, UDP and TCP:
 *
 *   front      forwards every query to nsd at once
 *   slow       forwards after --slow-ms (default 1500: slower than the
 *              lookup-timeout of the generated configurations)
 *   delay      forwards after --delay-ms (default 150: well within it)
 *   blackhole  reads queries and never answers
 *
 * Each of them appends one line per query to DIR/logs/queries.log:
 * "MS SERVER PROTO QNAME QTYPE" (MS since start, QNAME lowercase without
 * the final dot), so that a test can prove that no query left for a name.
 * The forwarding ones answer names at or under servfail.test with SERVFAIL
 * and under refused.test with REFUSED themselves, and never answer names
 * under silent.test: indeterminate answers for any configuration.
 *
 * nsd also serves DNS over TLS on a port of its own (tls-port), with the
 * certificate FIX/pki/dot-server (TLS name dns.test, issued by
 * FIX/pki/dot-ca); DIR/dance-dot.conf reaches it with dns-over-tls yes.
 *
 * When everything answers it writes DIR/rig.env (atomically: the rig is
 * ready when the file exists), DIR/dance*.conf and DIR/unbound.conf, prints
 * one line with the start-up time and runs in the foreground until SIGTERM
 * or SIGINT, or until its parent dies (PR_SET_PDEATHSIG). Then it stops and
 * reaps nsd, removes rig.env and exits 0; it exits 1 if nsd dies on its own.
 * SIGHUP is passed to nsd (reload changed zone files). Zones are copied to
 * DIR/zones, so tests/rig/rig-zone.sh may change them for this run only.
 * See tests/rig/README.md.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS  256  /* concurrent query threads, all servers */
#define UPSTREAM_MS  3000 /* how long a forwarder waits for nsd */
#define TCP_IDLE_MS  10000
#define READY_MS     10000 /* how long nsd may take to answer */
#define NSD_ATTEMPTS 3
#define DOT_NAME     "dns.test" /* the TLS name of nsd's DoT certificate */

enum fwd_mode { FWD_FORWARD, FWD_BLACKHOLE };

struct fwd {
	const char *name; /* "front", "slow", "delay", "blackhole" */
	enum fwd_mode mode;
	int delay_ms;
	int udp_fd;
	int tcp_fd;
	int port;
};

struct job {
	struct fwd *fwd;
	int fd; /* TCP connection, or -1 for UDP */
	struct sockaddr_in from;
	size_t len;
	uint8_t msg[4096];
};

static struct {
	char run[PATH_MAX];
	char fix[PATH_MAX];
	struct timespec t0;
	int nsd_port;
	int dot_port; /* nsd's DNS over TLS */
	pid_t nsd_pid;
	FILE *qlog;
	pthread_mutex_t qlog_lock;
	atomic_int workers;
	int slow_ms;
	int delay_ms;
	char zones[64][256];
	size_t nzones;
} rig = {.qlog_lock = PTHREAD_MUTEX_INITIALIZER,
         .slow_ms = 1500,
         .delay_ms = 150};

static struct fwd fwds[] = {
        {"front", FWD_FORWARD, 0, -1, -1, 0},
        {"slow", FWD_FORWARD, 0, -1, -1, 0},
        {"delay", FWD_FORWARD, 0, -1, -1, 0},
        {"blackhole", FWD_BLACKHOLE, 0, -1, -1, 0},
};
#define NFWDS (sizeof fwds / sizeof fwds[0])

static long elapsed_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - rig.t0.tv_sec) * 1000 +
	       (t.tv_nsec - rig.t0.tv_nsec) / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("dance-rig: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Path DIR/REL into buf; 0, or -1 if it does not fit. */
static int path_join(char *buf, size_t len, const char *dir, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", dir, rel);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- DNS messages ------------------------------------------------------ */

static const char *qtype_name(unsigned t, char *buf, size_t len)
{
	static const struct {
		unsigned t;
		const char *n;
	} types[] = {
	        {1, "A"},           {2, "NS"},      {5, "CNAME"},
	        {6, "SOA"},         {10, "NULL"},   {12, "PTR"},
	        {15, "MX"},         {16, "TXT"},    {28, "AAAA"},
	        {43, "DS"},         {44, "SSHFP"},  {46, "RRSIG"},
	        {47, "NSEC"},       {48, "DNSKEY"}, {50, "NSEC3"},
	        {51, "NSEC3PARAM"}, {52, "TLSA"},   {61, "OPENPGPKEY"},
	        {255, "ANY"},
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].t == t)
			return types[i].n;
	snprintf(buf, len, "TYPE%u", t);
	return buf;
}

/* The first question of a message: name in presentation form (lowercase,
 * no final dot, odd octets as \DDD) and type. 0 or -1 if malformed. */
static int dns_question(const uint8_t *m, size_t n, char *name, size_t len,
                        unsigned *qtype)
{
	size_t i = 12, o = 0;
	if (n < 12 || len < 2 || ((m[4] << 8) | m[5]) == 0)
		return -1;
	while (i < n && m[i] != 0) {
		size_t l = m[i++];
		if (l > 63 || i + l >= n)
			return -1;
		if (o > 0)
			name[o++] = '.';
		for (size_t k = 0; k < l; k++, i++) {
			uint8_t c = m[i];
			if (o + 5 >= len)
				return -1;
			if (c >= 'A' && c <= 'Z')
				name[o++] = (char)(c + 32);
			else if ((c >= 'a' && c <= 'z') ||
			         (c >= '0' && c <= '9') || c == '-' ||
			         c == '_' || c == '*')
				name[o++] = (char)c;
			else
				o += (size_t)snprintf(name + o, len - o,
				                      "\\%03u", c);
		}
	}
	if (i + 5 > n)
		return -1;
	if (o == 0)
		name[o++] = '.';
	name[o] = '\0';
	*qtype = (unsigned)(m[i + 1] << 8 | m[i + 2]);
	return 0;
}

static void log_query(const struct fwd *f, const char *proto, const uint8_t *m,
                      size_t n)
{
	char name[1100];
	unsigned qtype = 0;
	if (dns_question(m, n, name, sizeof name, &qtype) != 0) {
		snprintf(name, sizeof name, "(malformed)");
		qtype = 0;
	}
	pthread_mutex_lock(&rig.qlog_lock);
	if (rig.qlog != NULL) {
		char tb[16];
		fprintf(rig.qlog, "%ld %s %s %s %s\n", elapsed_ms(), f->name,
		        proto, name, qtype_name(qtype, tb, sizeof tb));
		fflush(rig.qlog);
	}
	pthread_mutex_unlock(&rig.qlog_lock);
}

/* A query "NAME IN SOA", no recursion, into buf; its length. */
static size_t make_query(uint8_t *buf, size_t len, const char *name,
                         uint16_t id)
{
	size_t o = 12;
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[5] = 1; /* QDCOUNT */
	while (*name != '\0' && o + 64 < len) {
		const char *dot = strchr(name, '.');
		size_t l = dot != NULL ? (size_t)(dot - name) : strlen(name);
		if (l == 0 || l > 63)
			break;
		buf[o++] = (uint8_t)l;
		memcpy(buf + o, name, l);
		o += l;
		name += l + (dot != NULL);
	}
	buf[o++] = 0;
	buf[o++] = 0;
	buf[o++] = 6; /* SOA */
	buf[o++] = 0;
	buf[o++] = 1; /* IN */
	return o;
}

/* ---- sockets ----------------------------------------------------------- */

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bound_socket(int type, int port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int socket_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	if (getsockname(fd, (struct sockaddr *)&a, &l) != 0)
		return -1;
	return ntohs(a.sin_port);
}

/* A UDP and a TCP socket (listening) on the same free port. 0 or -1. */
static int bind_pair(int *udp, int *tcp, int *port)
{
	for (int i = 0; i < 50; i++) {
		int u = bound_socket(SOCK_DGRAM, 0);
		if (u < 0)
			return -1;
		int p = socket_port(u);
		int t = bound_socket(SOCK_STREAM, p);
		if (t >= 0 && listen(t, 64) == 0) {
			*udp = u;
			*tcp = t;
			*port = p;
			return 0;
		}
		if (t >= 0)
			close(t);
		close(u);
	}
	return -1;
}

static int io_wait(int fd, short ev, int ms)
{
	struct pollfd p = {fd, ev, 0};
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r;
}

/* Read exactly len octets within ms (each wait). 0 or -1. */
static int read_full(int fd, uint8_t *buf, size_t len, int ms)
{
	size_t o = 0;
	while (o < len) {
		if (io_wait(fd, POLLIN, ms) <= 0)
			return -1;
		ssize_t r = read(fd, buf + o, len - o);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		o += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t len)
{
	size_t o = 0;
	while (o < len) {
		ssize_t r = send(fd, buf + o, len - o, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		o += (size_t)r;
	}
	return 0;
}

/* Ask nsd over UDP; the answer's length or -1. */
static ssize_t ask_udp(const uint8_t *q, size_t qlen, uint8_t *a, size_t alen,
                       int ms)
{
	struct sockaddr_in up = loopback(rig.nsd_port);
	ssize_t r = -1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&up, sizeof up) == 0 &&
	    send(fd, q, qlen, 0) == (ssize_t)qlen &&
	    io_wait(fd, POLLIN, ms) > 0)
		r = recv(fd, a, alen, 0);
	close(fd);
	return r;
}

/* Ask nsd over TCP; the answer's length or -1. */
static ssize_t ask_tcp(const uint8_t *q, size_t qlen, uint8_t *a, size_t alen)
{
	struct sockaddr_in up = loopback(rig.nsd_port);
	uint8_t l[2] = {(uint8_t)(qlen >> 8), (uint8_t)qlen};
	ssize_t r = -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&up, sizeof up) == 0 &&
	    write_full(fd, l, 2) == 0 && write_full(fd, q, qlen) == 0 &&
	    read_full(fd, l, 2, UPSTREAM_MS) == 0) {
		size_t n = (size_t)(l[0] << 8 | l[1]);
		if (n <= alen && read_full(fd, a, n, UPSTREAM_MS) == 0)
			r = (ssize_t)n;
	}
	close(fd);
	return r;
}

/* 1 if name (presentation form, no final dot) is zone or below it. */
static int name_under(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);
	return n >= z && strcmp(name + n - z, zone) == 0 &&
	       (n == z || name[n - z - 1] == '.');
}

/* An answer with only the question and this rcode, made here. */
static ssize_t synth(const uint8_t *q, size_t len, uint8_t *a, size_t alen,
                     unsigned rcode)
{
	size_t i = 12;
	if (len > alen)
		return -1;
	memcpy(a, q, len);
	a[2] = (uint8_t)((q[2] & 0x79) | 0x80); /* QR, keep opcode and RD */
	a[3] = (uint8_t)(0x80 | rcode);         /* RA */
	a[4] = 0;
	a[5] = 1;
	memset(a + 6, 0, 6); /* no answer, authority, additional */
	while (i < len && a[i] != 0)
		i += (size_t)a[i] + 1;
	return i + 5 <= len ? (ssize_t)(i + 5) : -1;
}

/* The answer to query q (len octets) into a: made here for the special
 * names (SERVFAIL under servfail.test, REFUSED under refused.test, none
 * under silent.test: -2), else nsd's. Its length, or -1 on failure. */
static ssize_t answer(const uint8_t *q, size_t len, uint8_t *a, size_t alen,
                      int tcp)
{
	char name[1100];
	unsigned qtype;
	if (dns_question(q, len, name, sizeof name, &qtype) == 0) {
		if (name_under(name, "servfail.test"))
			return synth(q, len, a, alen, 2);
		if (name_under(name, "refused.test"))
			return synth(q, len, a, alen, 5);
		if (name_under(name, "silent.test"))
			return -2;
	}
	return tcp ? ask_tcp(q, len, a, alen)
	           : ask_udp(q, len, a, alen, UPSTREAM_MS);
}

/* ---- the forwarders ------------------------------------------------------ */

static int start_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	pthread_attr_t at;
	int r;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, (size_t)256 * 1024);
	r = pthread_create(&t, &at, fn, arg);
	pthread_attr_destroy(&at);
	return r;
}

/* Run fn(job) in a thread of its own, within MAX_WORKERS. */
static void spawn_job(void *(*fn)(void *), struct job *j)
{
	if (atomic_fetch_add(&rig.workers, 1) >= MAX_WORKERS ||
	    start_thread(fn, j) != 0) {
		atomic_fetch_sub(&rig.workers, 1);
		if (j->fd >= 0)
			close(j->fd);
		free(j);
	}
}

static void *udp_job(void *arg)
{
	struct job *j = arg;
	uint8_t a[65535];
	sleep_ms(j->fwd->delay_ms);
	ssize_t n = answer(j->msg, j->len, a, sizeof a, 0);
	if (n > 0)
		sendto(j->fwd->udp_fd, a, (size_t)n, 0,
		       (struct sockaddr *)&j->from, sizeof j->from);
	free(j);
	atomic_fetch_sub(&rig.workers, 1);
	return NULL;
}

static void *udp_loop(void *arg)
{
	struct fwd *f = arg;
	for (;;) {
		struct job *j = calloc(1, sizeof *j);
		socklen_t fl = sizeof j->from;
		ssize_t n;
		if (j == NULL) {
			sleep_ms(10);
			continue;
		}
		n = recvfrom(f->udp_fd, j->msg, sizeof j->msg, 0,
		             (struct sockaddr *)&j->from, &fl);
		if (n <= 0) {
			free(j);
			continue;
		}
		j->fwd = f;
		j->fd = -1;
		j->len = (size_t)n;
		log_query(f, "udp", j->msg, j->len);
		if (f->mode == FWD_BLACKHOLE)
			free(j);
		else
			spawn_job(udp_job, j);
	}
	return NULL;
}

/* One TCP connection: queries in, answers out (none from the black hole). */
static void *tcp_job(void *arg)
{
	struct job *j = arg;
	uint8_t l[2], a[65535];
	for (;;) {
		if (read_full(j->fd, l, 2, TCP_IDLE_MS) != 0)
			break;
		j->len = (size_t)(l[0] << 8 | l[1]);
		if (j->len > sizeof j->msg ||
		    read_full(j->fd, j->msg, j->len, TCP_IDLE_MS) != 0)
			break;
		log_query(j->fwd, "tcp", j->msg, j->len);
		if (j->fwd->mode == FWD_BLACKHOLE)
			continue;
		sleep_ms(j->fwd->delay_ms);
		ssize_t n = answer(j->msg, j->len, a, sizeof a, 1);
		if (n == -2)
			continue; /* silent: keep the connection, never answer */
		if (n < 0)
			break;
		l[0] = (uint8_t)(n >> 8);
		l[1] = (uint8_t)n;
		if (write_full(j->fd, l, 2) != 0 ||
		    write_full(j->fd, a, (size_t)n) != 0)
			break;
	}
	close(j->fd);
	free(j);
	atomic_fetch_sub(&rig.workers, 1);
	return NULL;
}

static void *tcp_loop(void *arg)
{
	struct fwd *f = arg;
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		int fd = accept4(f->tcp_fd, (struct sockaddr *)&from, &fl,
		                 SOCK_CLOEXEC);
		struct job *j;
		if (fd < 0) {
			if (errno != EINTR)
				sleep_ms(10);
			continue;
		}
		j = calloc(1, sizeof *j);
		if (j == NULL) {
			close(fd);
			continue;
		}
		j->fwd = f;
		j->fd = fd;
		spawn_job(tcp_job, j);
	}
	return NULL;
}

static int start_forwarders(void)
{
	fwds[1].delay_ms = rig.slow_ms;
	fwds[2].delay_ms = rig.delay_ms;
	for (size_t i = 0; i < NFWDS; i++) {
		if (bind_pair(&fwds[i].udp_fd, &fwds[i].tcp_fd,
		              &fwds[i].port) != 0) {
			say("cannot bind a port for %s: %s", fwds[i].name,
			    strerror(errno));
			return -1;
		}
		if (start_thread(udp_loop, &fwds[i]) != 0 ||
		    start_thread(tcp_loop, &fwds[i]) != 0) {
			say("cannot start threads");
			return -1;
		}
	}
	return 0;
}

/* ---- files --------------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		buf[i] = path[i];
	}
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int r = -1, in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = 0;
	if (in < 0 || out < 0)
		goto out;
	while ((n = read(in, buf, sizeof buf)) > 0)
		for (ssize_t o = 0, w; o < n; o += w)
			if ((w = write(out, buf + o, (size_t)(n - o))) <= 0)
				goto out;
	r = n == 0 ? 0 : -1;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		r = -1;
	return r;
}

/* Paths go into rig.env and configuration files unquoted. */
static int safe_path(const char *p)
{
	for (; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
		           "Z"
		           "0123456789/._-+,@%:=",
		           *p) == NULL)
			return 0;
	return 1;
}

/* Read FIX/zones/list. */
static int read_zones(void)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	if (path_join(path, sizeof path, rig.fix, "zones/list") != 0 ||
	    (f = fopen(path, "re")) == NULL) {
		say("no %s/zones/list: run tests/rig/make-fixtures.sh %s",
		    rig.fix, rig.fix);
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL &&
	       rig.nzones < sizeof rig.zones / sizeof rig.zones[0]) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '\0' || !safe_path(line) || strchr(line, '/'))
			continue;
		memcpy(rig.zones[rig.nzones++], line, strlen(line) + 1);
	}
	fclose(f);
	return rig.nzones > 0 ? 0 : -1;
}

static int copy_zones(void)
{
	char from[PATH_MAX], to[PATH_MAX], rel[400];
	for (size_t i = 0; i <= rig.nzones; i++) {
		if (i < rig.nzones)
			snprintf(rel, sizeof rel, "zones/%s.zone",
			         rig.zones[i]);
		else
			snprintf(rel, sizeof rel, "zones/serial");
		if (path_join(from, sizeof from, rig.fix, rel) != 0 ||
		    path_join(to, sizeof to, rig.run, rel) != 0 ||
		    copy_file(from, to) != 0) {
			say("cannot copy %s/%s: %s", rig.fix, rel,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static FILE *create(const char *rel, char *path, size_t len)
{
	FILE *f = NULL;
	if (path_join(path, len, rig.run, rel) == 0)
		f = fopen(path, "we");
	if (f == NULL)
		say("cannot write %s/%s: %s", rig.run, rel, strerror(errno));
	return f;
}

static int finish(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		say("cannot write %s", path);
		return -1;
	}
	return 0;
}

static int write_nsd_conf(void)
{
	char path[PATH_MAX];
	const char *d = rig.run;
	FILE *f = create("nsd/nsd.conf", path, sizeof path);
	if (f == NULL)
		return -1;
	fprintf(f,
	        "# nsd.conf written by dance-rig\n"
	        "server:\n"
	        "\tip-address: 127.0.0.1@%d\n"
	        "\t# DNS over TLS\n"
	        "\tip-address: 127.0.0.1@%d\n"
	        "\ttls-port: %d\n"
	        "\ttls-service-key: \"%s/pki/dot-server.key\"\n"
	        "\ttls-service-pem: \"%s/pki/dot-server.pem\"\n"
	        "\tport: %d\n"
	        "\tdo-ip6: no\n"
	        "\tusername: \"\"\n"
	        "\tchroot: \"\"\n"
	        "\tdatabase: \"\"\n"
	        "\tzonesdir: \"%s/zones\"\n"
	        "\tzonelistfile: \"%s/nsd/zone.list\"\n"
	        "\txfrdfile: \"%s/nsd/xfrd.state\"\n"
	        "\txfrdir: \"%s/nsd\"\n"
	        "\tpidfile: \"%s/nsd/nsd.pid\"\n"
	        "\tlogfile: \"%s/logs/nsd.log\"\n"
	        "\tserver-count: 1\n"
	        "\ttcp-count: 128\n"
	        "\trrl-ratelimit: 0\n"
	        "\thide-version: yes\n"
	        "\tverbosity: 1\n"
	        "remote-control:\n"
	        "\tcontrol-enable: no\n",
	        rig.nsd_port, rig.dot_port, rig.dot_port, rig.fix, rig.fix,
	        rig.nsd_port, d, d, d, d, d, d);
	for (size_t i = 0; i < rig.nzones; i++)
		fprintf(f,
		        "zone:\n\tname: \"%s.\"\n\tzonefile: "
		        "\"%s/zones/%s.zone\"\n",
		        rig.zones[i], d, rig.zones[i]);
	return finish(f, path);
}

static int write_unbound_conf(void)
{
	char path[PATH_MAX];
	FILE *f = create("unbound.conf", path, sizeof path);
	if (f == NULL)
		return -1;
	fprintf(f, "# libunbound settings for the rig (dance.conf: "
	           "unbound-config)\n"
	           "server:\n"
	           "\t# .test is a built-in local zone of libunbound\n"
	           "\tlocal-zone: \"test.\" nodefault\n"
	           "\t# the rig's servers are on 127.0.0.1\n"
	           "\tdo-not-query-localhost: no\n");
	return finish(f, path);
}

/* A dance.conf forwarding to port: plain DNS to one of the rig's servers
 * (fw), or DNS over TLS to nsd (fw NULL). */
static int write_dance_conf(const char *rel, const struct fwd *fw, int port)
{
	char path[PATH_MAX], anchors[PATH_MAX];
	struct dirent **ents = NULL;
	int n, r;
	FILE *f = create(rel, path, sizeof path);
	if (f == NULL)
		return -1;
	if (fw != NULL)
		fprintf(f,
		        "# %s: dance.conf written by dance-rig, forwarding to "
		        "the rig's %s server\n"
		        "resolver forward\n"
		        "forward 127.0.0.1@%d\n",
		        rel, fw->name, port);
	else
		fprintf(f,
		        "# %s: dance.conf written by dance-rig, forwarding "
		        "over TLS to nsd's DNS-over-TLS port\n"
		        "resolver forward\n"
		        "dns-over-tls yes\n"
		        "forward 127.0.0.1@%d#" DOT_NAME "\n"
		        "tls-ca-bundle %s/pki/dot-ca.pem\n",
		        rel, port, rig.fix);
	path_join(anchors, sizeof anchors, rig.fix, "anchors");
	n = scandir(anchors, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		size_t l = strlen(e);
		if (l > 3 && strcmp(e + l - 3, ".ds") == 0)
			fprintf(f, "trust-anchor-file %s/%s\n", anchors, e);
		free(ents[i]);
	}
	free(ents);
	fprintf(f,
	        "allow-domain *\n"
	        "lookup-timeout 1000\n"
	        "unbound-config %s/unbound.conf\n",
	        rig.run);
	r = finish(f, path);
	return n < 0 ? -1 : r;
}

static int write_env(long startup_ms)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	const char *d = rig.run;
	FILE *f = create("rig.env.tmp", tmp, sizeof tmp);
	if (f == NULL)
		return -1;
	fprintf(f,
	        "RIG_RUNDIR=%s\n"
	        "RIG_FIXTURES=%s\n"
	        "RIG_PID=%ld\n"
	        "RIG_NSD_PID=%ld\n"
	        "RIG_NSD_PORT=%d\n"
	        "RIG_PORT=%d\n"
	        "RIG_SLOW_PORT=%d\n"
	        "RIG_SLOW_MS=%d\n"
	        "RIG_DELAY_PORT=%d\n"
	        "RIG_DELAY_MS=%d\n"
	        "RIG_BLACKHOLE_PORT=%d\n"
	        "RIG_DOT_PORT=%d\n"
	        "RIG_DOT_NAME=" DOT_NAME "\n"
	        "RIG_DOT_CA=%s/pki/dot-ca.pem\n"
	        "RIG_CONF=%s/dance.conf\n"
	        "RIG_CONF_SLOW=%s/dance-slow.conf\n"
	        "RIG_CONF_DELAY=%s/dance-delay.conf\n"
	        "RIG_CONF_BLACKHOLE=%s/dance-blackhole.conf\n"
	        "RIG_CONF_DOT=%s/dance-dot.conf\n"
	        "RIG_UNBOUND_CONF=%s/unbound.conf\n"
	        "RIG_QUERY_LOG=%s/logs/queries.log\n"
	        "RIG_LOG_DIR=%s/logs\n"
	        "RIG_STARTUP_MS=%ld\n",
	        d, rig.fix, (long)getpid(), (long)rig.nsd_pid, rig.nsd_port,
	        fwds[0].port, fwds[1].port, rig.slow_ms, fwds[2].port,
	        rig.delay_ms, fwds[3].port, rig.dot_port, rig.fix, d, d, d, d,
	        d, d, d, d, startup_ms);
	if (finish(f, tmp) != 0 || path_join(path, sizeof path, d, "rig.env") ||
	    rename(tmp, path) != 0)
		return -1;
	return 0;
}

static int write_confs(void)
{
	if (write_unbound_conf() != 0 ||
	    write_dance_conf("dance.conf", &fwds[0], fwds[0].port) != 0 ||
	    write_dance_conf("dance-slow.conf", &fwds[1], fwds[1].port) != 0 ||
	    write_dance_conf("dance-delay.conf", &fwds[2], fwds[2].port) != 0 ||
	    write_dance_conf("dance-blackhole.conf", &fwds[3], fwds[3].port) !=
	            0 ||
	    write_dance_conf("dance-dot.conf", NULL, rig.dot_port) != 0)
		return -1;
	return 0;
}

/* ---- nsd ------------------------------------------------------------------ */

static void child_exec_nsd(pid_t parent, const char *conf, const char *out)
{
	sigset_t none;
	int fd;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	closefrom(3);
	execl("/usr/sbin/nsd", "nsd", "-d", "-c", conf, (char *)NULL);
	execlp("nsd", "nsd", "-d", "-c", conf, (char *)NULL);
	_exit(127);
}

/* 1 once nsd answers a SOA query for the first zone. */
static int nsd_answers(void)
{
	uint8_t q[300], a[4096];
	uint16_t id = (uint16_t)(elapsed_ms() * 7 + 1);
	size_t ql = make_query(q, sizeof q, rig.zones[0], id);
	ssize_t n = ask_udp(q, ql, a, sizeof a, 20);
	return n >= 12 && a[0] == q[0] && a[1] == q[1] && (a[2] & 0x80) &&
	       (a[3] & 0x0f) == 0;
}

static void stop_nsd(void)
{
	int st;
	if (rig.nsd_pid <= 0)
		return;
	kill(rig.nsd_pid, SIGTERM);
	for (int i = 0; i < 600; i++) {
		if (waitpid(rig.nsd_pid, &st, WNOHANG) == rig.nsd_pid) {
			rig.nsd_pid = 0;
			return;
		}
		sleep_ms(5);
	}
	say("nsd did not stop in 3 s: killing it");
	kill(rig.nsd_pid, SIGKILL);
	waitpid(rig.nsd_pid, &st, 0);
	rig.nsd_pid = 0;
}

/* Start nsd on a free port and wait until it answers. 0 or -1. */
static int start_nsd(void)
{
	char conf[PATH_MAX], out[PATH_MAX];
	path_join(conf, sizeof conf, rig.run, "nsd/nsd.conf");
	path_join(out, sizeof out, rig.run, "logs/nsd.out");
	for (int attempt = 0; attempt < NSD_ATTEMPTS; attempt++) {
		int u, t, u2, t2, st;
		if (bind_pair(&u, &t, &rig.nsd_port) != 0)
			return -1;
		if (bind_pair(&u2, &t2, &rig.dot_port) != 0) {
			close(u);
			close(t);
			return -1;
		}
		close(u);
		close(t);
		close(u2);
		close(t2);
		if (write_nsd_conf() != 0)
			return -1;
		pid_t parent = getpid();
		rig.nsd_pid = fork();
		if (rig.nsd_pid < 0)
			return -1;
		if (rig.nsd_pid == 0)
			child_exec_nsd(parent, conf, out);
		long until = elapsed_ms() + READY_MS;
		while (elapsed_ms() < until) {
			if (waitpid(rig.nsd_pid, &st, WNOHANG) == rig.nsd_pid) {
				rig.nsd_pid = 0;
				break;
			}
			if (nsd_answers())
				return 0;
			sleep_ms(5);
		}
		if (rig.nsd_pid > 0) {
			say("nsd does not answer within %d ms", READY_MS);
			stop_nsd();
			return -1;
		}
		say("nsd exited at start (port %d taken?), see %s/logs",
		    rig.nsd_port, rig.run);
	}
	return -1;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: dance-rig --run DIR --fixtures FIX [--slow-ms N] "
	           "[--delay-ms N]\n"
	           "Runs the DNS test rig in the foreground; ready when "
	           "DIR/rig.env exists.\n"
	           "SIGTERM/SIGINT stop it, SIGHUP reloads nsd's zones. See "
	           "tests/rig/README.md.\n");
}

static int parse_ms(const char *s, int *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 600000)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"run", required_argument, NULL, 'r'},
	        {"fixtures", required_argument, NULL, 'f'},
	        {"slow-ms", required_argument, NULL, 's'},
	        {"delay-ms", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *run = NULL, *fix = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "r:f:s:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			run = optarg;
			break;
		case 'f':
			fix = optarg;
			break;
		case 's':
			if (parse_ms(optarg, &rig.slow_ms) != 0)
				goto bad;
			break;
		case 'd':
			if (parse_ms(optarg, &rig.delay_ms) != 0)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (run == NULL || fix == NULL || optind != argc)
		goto bad;
	if (mkdir_p(run) != 0 || realpath(run, rig.run) == NULL ||
	    realpath(fix, rig.fix) == NULL) {
		say("%s or %s: %s", run, fix, strerror(errno));
		return -1;
	}
	if (!safe_path(rig.run) || !safe_path(rig.fix)) {
		say("paths may hold only letters, digits and /._-+,@%%:=");
		return -1;
	}
	return 0;
bad:
	usage(stderr);
	return -1;
}

static int prepare_run(void)
{
	static const char *const dirs[] = {"logs", "nsd", "zones"};
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (path_join(path, sizeof path, rig.run, dirs[i]) != 0 ||
		    mkdir_p(path) != 0) {
			say("cannot make %s: %s", path, strerror(errno));
			return -1;
		}
	path_join(path, sizeof path, rig.run, "rig.env");
	unlink(path);
	path_join(path, sizeof path, rig.run, "logs/queries.log");
	rig.qlog = fopen(path, "ae");
	if (rig.qlog == NULL) {
		say("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	return read_zones() != 0 ? -1 : copy_zones();
}

/* Wait for signals until told to stop; the exit status. */
static int serve(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		int st, sig = sigwaitinfo(&set, NULL);
		switch (sig) {
		case SIGHUP:
			say("SIGHUP: nsd reloads its zones");
			kill(rig.nsd_pid, SIGHUP);
			break;
		case SIGCHLD:
			if (waitpid(rig.nsd_pid, &st, WNOHANG) == rig.nsd_pid) {
				say("nsd exited (status %d), stopping", st);
				rig.nsd_pid = 0;
				return 1;
			}
			break;
		case SIGTERM:
		case SIGINT:
			say("%s: stopping",
			    sig == SIGINT ? "SIGINT" : "SIGTERM");
			return 0;
		default:
			break;
		}
	}
}

int main(int argc, char **argv)
{
	sigset_t set;
	char env[PATH_MAX];
	pid_t parent = getppid();
	int r = 1;

	clock_gettime(CLOCK_MONOTONIC, &rig.t0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (parse_args(argc, argv) != 0)
		return 2;
	if (prepare_run() != 0 || start_nsd() != 0)
		goto out;
	if (start_forwarders() != 0 || write_confs() != 0 ||
	    write_env(elapsed_ms()) != 0)
		goto out;
	printf("dance-rig: ready in %ld ms: %s/rig.env (nsd %d, front %d, "
	       "slow %d, delay %d, blackhole %d, nsd over TLS %d)\n",
	       elapsed_ms(), rig.run, rig.nsd_port, fwds[0].port, fwds[1].port,
	       fwds[2].port, fwds[3].port, rig.dot_port);
	fflush(stdout);
	r = serve();
out:
	path_join(env, sizeof env, rig.run, "rig.env");
	unlink(env);
	stop_nsd();
	say("stopped");
	return r;
}
