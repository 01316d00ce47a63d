/*
 * bench_slapd.c -- SASL EXTERNAL binds per second over TLS: slapd with
 * dance_certmap.so (DANE, warm DNS cache) against stock slapd verifying
 * the same client certificate with a CA file (TLSVerifyClient demand,
 * TLSCACertificateFile), in the same run.
 *
 *   bench_slapd [-n CLIENTS] [-t SECONDS] [-r ROUNDS]
 *
 * Starts the DNS rig (tests/support/rig.h; fixtures are generated if
 * missing) and two slapd instances on free loopback ports, then, for each
 * round, loads each server for SECONDS with CLIENTS threads (default 8),
 * each doing: connect, TLS handshake with alice's certificate, EXTERNAL
 * bind, unbind. The first bind of each server checks the identity (module:
 * uid=alice@good.test,cn=dance,cn=auth; stock: the subject DN cn=alice)
 * and warms the DNS cache. The servers alternate so that both see the same
 * machine load. Prints the median rate of each and their ratio (target:
 * at least 0.9). Exit status 0 when every bind succeeded, 1 otherwise,
 * 2 on set-up errors.
 */
#include "proc.h"
#include "rig.h"

#include <getopt.h>
#include <lber.h>
#include <ldap.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 256
#define MAX_ROUNDS  20
#define SLAPD_BIN   "/usr/sbin/slapd"

struct server {
	const char *name;
	const char *expect; /* Who am I? answer */
	char dir[PATH_MAX];
	char url[64];
	pid_t pid;
	double rate[MAX_ROUNDS];
	long errors;
};

struct load {
	const char *url;
	double t_end;
	atomic_long binds;
	atomic_long errors;
};

static void die(const char *fmt, ...)
        __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_slapd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the client side ------------------------------------------------- */

static int interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	(void)in;
	return LDAP_SUCCESS; /* EXTERNAL needs nothing */
}

/* One connection: TLS, EXTERNAL bind, optionally Who am I?. 0 on success;
 * *who (if not NULL) gets a malloc'd copy of the answer. */
static int one_bind(const char *url, char **who)
{
	LDAP *ld = NULL;
	struct berval *id = NULL;
	int v = LDAP_VERSION3, r;

	if ((r = ldap_initialize(&ld, url)) != LDAP_SUCCESS)
		goto out;
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v);
	r = ldap_sasl_interactive_bind_s(ld, NULL, "EXTERNAL", NULL, NULL,
	                                 LDAP_SASL_QUIET, interact, NULL);
	if (r == LDAP_SUCCESS && who != NULL &&
	    (r = ldap_whoami_s(ld, &id, NULL, NULL)) == LDAP_SUCCESS) {
		*who = strndup(id && id->bv_val ? id->bv_val : "",
		               id ? id->bv_len : 0);
		ber_bvfree(id);
	}
out:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return r == LDAP_SUCCESS ? 0 : -1;
}

static void *client(void *arg)
{
	struct load *l = arg;

	while (now_s() < l->t_end) {
		if (one_bind(l->url, NULL) == 0)
			atomic_fetch_add(&l->binds, 1);
		else
			atomic_fetch_add(&l->errors, 1);
	}
	return NULL;
}

/* Binds per second from n threads for seconds. */
static double run_load(struct server *s, int n, double seconds)
{
	static struct load l;
	pthread_t t[MAX_CLIENTS];
	double t0;

	l.url = s->url;
	atomic_store(&l.binds, 0);
	atomic_store(&l.errors, 0);
	t0 = now_s();
	l.t_end = t0 + seconds;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, client, &l) != 0)
			die("cannot start threads");
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	s->errors += atomic_load(&l.errors);
	return (double)atomic_load(&l.binds) / (now_s() - t0);
}

/* ---- the servers ------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die("cannot write %s", path);
}

static void start_server(struct server *s, const char *base, const char *tls)
{
	char path[PATH_MAX + 32], conf[16384], log[PATH_MAX + 32];
	char pki[PATH_MAX];
	const char *argv[8];
	struct proc_opts o = {0};
	int port = proc_free_port();

	snprintf(s->dir, sizeof s->dir, "%s/%s", base, s->name);
	snprintf(path, sizeof path, "%s/db", s->dir);
	if (mkdir(s->dir, 0700) != 0 || mkdir(path, 0700) != 0)
		die("cannot make %s", path);
	if (rig_fixture(pki, sizeof pki, "pki") == NULL)
		die("no fixtures");
	if (snprintf(conf, sizeof conf,
	             "include /etc/ldap/schema/core.schema\n"
	             "pidfile %s/slapd.pid\n"
	             "modulepath /usr/lib/ldap\n"
	             "moduleload back_mdb\n"
	             "%s"
	             "TLSCertificateFile %s/slapd-server.chain.pem\n"
	             "TLSCertificateKeyFile %s/slapd-server.key\n"
	             "database mdb\n"
	             "suffix \"dc=example,dc=org\"\n"
	             "directory %s/db\n",
	             s->dir, tls, pki, pki, s->dir) >= (int)sizeof conf)
		die("configuration too long");
	snprintf(path, sizeof path, "%s/slapd.conf", s->dir);
	write_file(path, conf);
	snprintf(log, sizeof log, "%s/slapd.log", s->dir);
	snprintf(s->url, sizeof s->url, "ldaps://127.0.0.1:%d/", port);
	argv[0] = SLAPD_BIN;
	argv[1] = "-d";
	argv[2] = "0";
	argv[3] = "-h";
	argv[4] = s->url;
	argv[5] = "-f";
	argv[6] = path;
	argv[7] = NULL;
	o.stdout_path = o.stderr_path = log;
	if (proc_spawn(&s->pid, argv, &o) != 0 ||
	    proc_wait_port_pid(port, 10000, s->pid, NULL) != 0)
		die("slapd %s did not start (log: %s)", s->name, log);
}

/* The first bind: identity check, warms caches. */
static void check_identity(struct server *s)
{
	char *who = NULL;

	if (one_bind(s->url, &who) != 0)
		die("%s: the first EXTERNAL bind failed (see %s/slapd.log)",
		    s->name, s->dir);
	if (who == NULL || strcmp(who, s->expect) != 0)
		die("%s: bound as '%s', expected '%s'", s->name,
		    who ? who : "?", s->expect);
	free(who);
}

static void client_tls(void)
{
	char cert[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];
	int demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;

	if (!rig_fixture(cert, sizeof cert, "pki/alice.chain.pem") ||
	    !rig_fixture(key, sizeof key, "pki/alice.key") ||
	    !rig_fixture(ca, sizeof ca, "pki/slapd-ca.pem"))
		die("no fixtures");
	if (ldap_set_option(NULL, LDAP_OPT_X_TLS_CERTFILE, cert) ||
	    ldap_set_option(NULL, LDAP_OPT_X_TLS_KEYFILE, key) ||
	    ldap_set_option(NULL, LDAP_OPT_X_TLS_CACERTFILE, ca) ||
	    ldap_set_option(NULL, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) ||
	    ldap_set_option(NULL, LDAP_OPT_X_TLS_NEWCTX, &zero))
		die("cannot set up the client's TLS");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: bench_slapd [-n CLIENTS] [-t SECONDS] [-r ROUNDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct server mod = {.name = "module",
	                     .expect =
	                             "dn:uid=alice@good.test,cn=dance,cn=auth"};
	struct server stock = {.name = "stock", .expect = "dn:cn=alice"};
	char base[PATH_MAX], tls_mod[3 * PATH_MAX], tls_stock[2 * PATH_MAX];
	char ca[PATH_MAX], modpath[PATH_MAX];
	const struct rig *rig;
	double seconds = 5, rm, rs;
	int clients = 8, rounds = 3, c;

	while ((c = getopt(argc, argv, "n:t:r:")) != -1) {
		switch (c) {
		case 'n':
			clients = (int)strtol(optarg, NULL, 10);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'r':
			rounds = (int)strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (clients < 1 || clients > MAX_CLIENTS || seconds <= 0 ||
	    rounds < 1 || rounds > MAX_ROUNDS)
		usage();
	if ((rig = rig_start()) == NULL)
		die("the DNS rig did not start");
	snprintf(base, sizeof base, "%s/slapd-bench", rig->rundir);
	if (mkdir(base, 0700) != 0)
		die("cannot make %s", base);
	snprintf(modpath, sizeof modpath, "%s", DANCE_CERTMAP_PATH);
	*strrchr(modpath, '/') = '\0';
	snprintf(tls_mod, sizeof tls_mod,
	         "modulepath %s\n"
	         "moduleload dance_certmap.so config=%s\n"
	         "TLSVerifyClient allow\n",
	         modpath, rig_conf(rig, RIG_CONF_FRONT));
	if (!rig_fixture(ca, sizeof ca, "pki/good-ca.pem"))
		die("no fixtures");
	snprintf(tls_stock, sizeof tls_stock,
	         "TLSVerifyClient demand\n"
	         "TLSCACertificateFile %s\n",
	         ca);
	start_server(&mod, base, tls_mod);
	start_server(&stock, base, tls_stock);
	client_tls();
	check_identity(&mod);
	check_identity(&stock);
	for (int r = 0; r < rounds; r++) {
		struct server *first = r % 2 ? &stock : &mod;
		struct server *second = r % 2 ? &mod : &stock;

		first->rate[r] = run_load(first, clients, seconds);
		second->rate[r] = run_load(second, clients, seconds);
		printf("round %d: module %.1f/s, stock %.1f/s\n", r + 1,
		       mod.rate[r], stock.rate[r]);
		fflush(stdout);
	}
	proc_stop(mod.pid, 5000);
	proc_stop(stock.pid, 5000);
	rm = median(mod.rate, rounds);
	rs = median(stock.rate, rounds);
	printf("slapd SASL EXTERNAL binds per second over TLS (new connection "
	       "per bind), %d clients, median of %d rounds of %.0f s:\n",
	       clients, rounds, seconds);
	printf("  dance_certmap.so, DANE (warm cache):      %8.1f\n", rm);
	printf("  stock slapd, CA file (TLSVerifyClient demand): %8.1f\n", rs);
	printf("  ratio: %.3f (target >= 0.9)%s\n", rs > 0 ? rm / rs : 0.0,
	       rs > 0 && rm / rs >= 0.9 ? "" : "  BELOW TARGET");
	if (mod.errors || stock.errors)
		printf("  failed binds: module %ld, stock %ld\n", mod.errors,
		       stock.errors);
	rig_finish(0);
	return mod.errors || stock.errors ? 1 : 0;
}
