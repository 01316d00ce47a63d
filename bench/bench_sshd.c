/*
 * bench_sshd.c -- what dance-authorized-keys costs: one helper run, and a
 * whole ssh login through it compared with the same login through a plain
 * authorized_keys file, in the same run.
 *
 *   bench_sshd [-n HELPER-RUNS] [-l LOGINS]        (as root)
 *
 * Starts the DNS rig and a test sshd (tests/support: rig.h, sshd.h) with
 * two accounts: dtb-dns, authorized by "ed@ssh.test" (a 3 1 1 record,
 * fixture 41-sshd.sh), and dtb-plain, whose authorized_keys file holds the
 * same key. The helper's resolver forwards straight to the rig's nsd on
 * loopback (a warm local server: every answer is authoritative, nothing to
 * recurse), with DNSSEC validation from the rig's trust anchors.
 *
 * 1. The helper as sshd runs it (fork, drop to the AuthorizedKeysCommand
 *    user, exec, one lookup, match, print, exit): wall time, median and
 *    90th percentile. Target: median under 5 ms.
 * 2. ssh logins ("ssh ... true", a new connection each), alternating
 *    between the two accounts: median of each and their ratio. Target:
 *    the helper's login at most 1.05 times the plain one.
 *
 * Prints one line per measure and a verdict per target; exits 1 if the
 * set-up or a login failed (targets missed are reported, not fatal).
 */
#include "proc.h"
#include "rig.h"
#include "sshd.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef DANCE_AKC_HELPER
#error "DANCE_AKC_HELPER must name the built dance-authorized-keys"
#endif

#define HELPER_TARGET_MS 5.0
#define LOGIN_TARGET     1.05

static const char *const accounts[] = {"dtb-dns", "dtb-plain", NULL};
static const char *const plain[] = {"dtb-plain", NULL};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile of v[0..n) (sorted in place). */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	qsort(v, n, sizeof *v, cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* The rig's dance.conf, forwarding to nsd itself instead of the logging
 * front end. Written to a temporary file (path in out). */
static int direct_conf(const struct rig *rig, char *out, size_t outlen)
{
	char *text = proc_read_file(rig_conf(rig, RIG_CONF_FRONT), NULL);
	FILE *f;
	int fd;

	snprintf(out, outlen, "/tmp/bench_sshd.conf.XXXXXX");
	if (text == NULL || (fd = mkstemp(out)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		free(text);
		return -1;
	}
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(line, "forward ", 8) == 0)
			fprintf(f, "forward 127.0.0.1@%d\n", rig->nsd_port);
		else
			fprintf(f, "%s\n", line);
	}
	free(text);
	return fclose(f) == 0 ? 0 : -1;
}

/* One helper run as sshd does it; wall time in ms, or -1; *cpu gets its
 * CPU time (user + system), which a loaded machine inflates less. */
static double helper_once(const struct sshd *s, uid_t uid, gid_t gid,
                          const char *b64, double *cpu)
{
	double t0 = now_ms();
	int status = 0;
	struct rusage ru;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
		    setgroups(0, NULL) != 0 || setgid(gid) != 0 ||
		    setuid(uid) != 0)
			_exit(127);
		execl(s->helper, s->helper, "-c", s->dance_conf, "dtb-dns",
		      "ssh-ed25519", b64, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return now_ms() - t0;
}

static int bench_helper(const struct sshd *s, int runs)
{
	char path[PATH_MAX], *b64 = NULL;
	struct passwd pwbuf, *pw = NULL;
	char pwtext[4096];
	struct proc_result res;
	double *t = calloc((size_t)runs, sizeof *t);
	double *cpu = calloc((size_t)runs, sizeof *cpu), c0;
	int r = -1;

	if (getpwnam_r(s->akc_user, &pwbuf, pwtext, sizeof pwtext, &pw) != 0 ||
	    pw == NULL || t == NULL || cpu == NULL ||
	    (b64 = proc_read_file(rig_fixture(path, sizeof path, "sshd/ed.b64"),
	                          NULL)) == NULL)
		goto out;
	b64[strcspn(b64, "\n")] = '\0';
	/* Check once that it prints the line, then time it. */
	const char *args[] = {"-d", "dtb-dns", "ssh-ed25519", b64, NULL};
	if (sshd_helper_run(s, args, &res, 10000) != 0)
		goto out;
	if (getenv("BENCH_SSHD_DEBUG") != NULL)
		fprintf(stderr, "%s", res.err);
	if (strstr(res.out, "dance:ed@ssh.test") == NULL) {
		fprintf(stderr, "bench_sshd: the helper printed no key: %s%s\n",
		        res.out, res.err);
		proc_result_free(&res);
		goto out;
	}
	proc_result_free(&res);
	for (int i = 0; i < 5; i++)
		(void)helper_once(s, pw->pw_uid, pw->pw_gid, b64, &c0);
	for (int i = 0; i < runs; i++)
		if ((t[i] = helper_once(s, pw->pw_uid, pw->pw_gid, b64,
		                        &cpu[i])) < 0)
			goto out;
	double med = quantile(t, (size_t)runs, 0.5);
	printf("helper run (fork, setuid, exec, 1 validated lookup, match): "
	       "median %.2f ms, p90 %.2f ms, min %.2f ms, n=%d\n",
	       med, quantile(t, (size_t)runs, 0.9), t[0], runs);
	printf("  CPU time (user+system) per run: median %.2f ms\n",
	       quantile(cpu, (size_t)runs, 0.5));
	printf("  target median < %.0f ms: %s\n", HELPER_TARGET_MS,
	       med < HELPER_TARGET_MS ? "met" : "MISSED");
	r = 0;
out:
	free(t);
	free(cpu);
	free(b64);
	return r;
}

static double login_once(const struct sshd *s, const char *account,
                         const char *key)
{
	struct proc_result res;
	double t0 = now_ms(), ms;

	if (ssh_login(s, account, key, "true", NULL, &res, 20000) != 0)
		return -1;
	ms = now_ms() - t0;
	if (!res.exited || res.exit_code != 0) {
		fprintf(stderr, "bench_sshd: login as %s failed: %s\n", account,
		        res.err);
		ms = -1;
	}
	proc_result_free(&res);
	return ms;
}

static int bench_logins(const struct sshd *s, int logins)
{
	char key[PATH_MAX];
	double *d = calloc((size_t)logins, sizeof *d);
	double *p = calloc((size_t)logins, sizeof *p);
	int r = -1;

	if (d == NULL || p == NULL ||
	    rig_fixture(key, sizeof key, "sshd/ed") == NULL)
		goto out;
	for (int i = 0; i < 3; i++)
		if (login_once(s, "dtb-dns", key) < 0 ||
		    login_once(s, "dtb-plain", key) < 0)
			goto out;
	for (int i = 0; i < logins; i++) {
		int dns_first = i % 2;
		if (dns_first && (d[i] = login_once(s, "dtb-dns", key)) < 0)
			goto out;
		if ((p[i] = login_once(s, "dtb-plain", key)) < 0)
			goto out;
		if (!dns_first && (d[i] = login_once(s, "dtb-dns", key)) < 0)
			goto out;
	}
	double md = quantile(d, (size_t)logins, 0.5);
	double mp = quantile(p, (size_t)logins, 0.5);
	printf("ssh login with dance-authorized-keys: median %.1f ms; with a "
	       "plain authorized_keys file: median %.1f ms; n=%d each\n",
	       md, mp, logins);
	printf("  ratio %.3f, target <= %.2f: %s\n", md / mp, LOGIN_TARGET,
	       md / mp <= LOGIN_TARGET ? "met" : "MISSED");
	r = 0;
out:
	free(d);
	free(p);
	return r;
}

int main(int argc, char **argv)
{
	int runs = 200, logins = 40, c, status = 1;
	char conf[PATH_MAX] = "", pub[PATH_MAX];
	const struct rig *rig;
	struct sshd *s = NULL;

	while ((c = getopt(argc, argv, "n:l:")) != -1) {
		if (c == 'n')
			runs = (int)strtol(optarg, NULL, 10);
		else if (c == 'l')
			logins = (int)strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (runs < 1 || logins < 1 || geteuid() != 0) {
		fprintf(stderr, "usage: bench_sshd [-n RUNS] [-l LOGINS] "
		                "(as root)\n");
		return 2;
	}
	if ((rig = rig_start()) == NULL || direct_conf(rig, conf, sizeof conf))
		goto out;
	struct sshd_opts o = {.helper = DANCE_AKC_HELPER,
	                      .dance_conf = conf,
	                      .accounts = accounts,
	                      .plain = plain,
	                      .log_level = "INFO"};
	if ((s = sshd_start(&o)) == NULL ||
	    sshd_authorize(s, "dtb-dns", "ed@ssh.test\n", 0644) != 0 ||
	    rig_fixture(pub, sizeof pub, "sshd/ed.pub") == NULL ||
	    sshd_plain_key(s, "dtb-plain", pub) != 0)
		goto out;
	printf("bench_sshd: sshd on 127.0.0.1:%d, helper %s\n", s->port,
	       DANCE_AKC_HELPER);
	if (bench_helper(s, runs) != 0 || bench_logins(s, logins) != 0)
		goto out;
	status = 0;
out:
	if (status != 0)
		fprintf(stderr, "bench_sshd: failed\n");
	sshd_stop(s, status != 0);
	if (conf[0])
		unlink(conf);
	rig_finish(status != 0);
	return status;
}
