/*
 * rig.c -- the DNS test rig from tests (see rig.h): generate fixtures when
 * missing, start dance-rig and read its rig.env, share one rig between the
 * processes of a Criterion test binary, count queries in its log, and run
 * tests/rig/rig-zone.sh for zone changes.
 */
#include "rig.h"

#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DANCE_RIG_BIN
#error "DANCE_RIG_BIN must name the dance-rig binary (tests/rig/CMakeLists.txt)"
#endif

#define RIG_START_MS    15000
#define RIG_STOP_MS     5000
#define FIXTURE_MAKE_MS 300000
#define ZONE_UPDATE_MS  30000

static struct rig *shared;       /* the shared rig of this process */
static pid_t shared_owner;       /* the process that started it, or 0 */
static struct rig *privates[16]; /* private rigs not yet stopped */

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("rig: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* snprintf into a path buffer; 0, or -1 if it does not fit. */
static int pathf(char *buf, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int keep_all(void)
{
	const char *k = getenv("DANCE_RIG_KEEP");
	return k != NULL && *k != '\0' && strcmp(k, "0") != 0;
}

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

/* ---- fixtures --------------------------------------------------------------- */

static int file_exists(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat sb;
	return pathf(p, sizeof p, "%s/%s", dir, rel) == 0 && stat(p, &sb) == 0;
}

static int make_fixtures(const char *dir)
{
	char lock[PATH_MAX], script[PATH_MAX];
	struct proc_result res;
	int fd, r = -1;
	if (pathf(lock, sizeof lock, "%s.lock", dir) != 0 ||
	    pathf(script, sizeof script, "%s/make-fixtures.sh",
	          DANCE_RIG_DIR) != 0 ||
	    mkdir_p(dir) != 0 ||
	    (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		warn("cannot create %s: %s", lock, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) == 0 && file_exists(dir, ".generated"))
		r = 0; /* someone else made them meanwhile */
	else {
		const char *argv[] = {"bash", script, dir, NULL};
		warn("generating fixtures in %s", dir);
		if (proc_run(&res, argv, NULL, FIXTURE_MAKE_MS, NULL) == 0 &&
		    res.exited && res.exit_code == 0)
			r = 0;
		else
			warn("make-fixtures.sh failed:\n%s%s", res.out,
			     res.err);
		proc_result_free(&res);
	}
	close(fd);
	return r;
}

const char *rig_fixture_dir(void)
{
	static char dir[PATH_MAX];
	static int ready;
	const char *d;
	if (ready)
		return dir;
	d = getenv("DANCE_FIXTURE_DIR");
	if (d == NULL || *d == '\0')
		d = DANCE_FIXTURE_DIR;
	if (strlen(d) >= sizeof dir)
		return NULL;
	memcpy(dir, d, strlen(d) + 1);
	if (!file_exists(dir, ".generated") && make_fixtures(dir) != 0)
		return NULL;
	ready = 1;
	return dir;
}

const char *rig_fixture(char *buf, size_t len, const char *rel)
{
	const char *d = rig_fixture_dir();
	int n;
	if (d == NULL)
		return NULL;
	n = snprintf(buf, len, "%s/%s", d, rel);
	return n < 0 || (size_t)n >= len ? NULL : buf;
}

/* ---- rig.env ----------------------------------------------------------------- */

static void rig_free(struct rig *r)
{
	if (r == NULL)
		return;
	free(r->rundir);
	free(r->fixtures);
	free(r->conf);
	free(r->conf_slow);
	free(r->conf_delay);
	free(r->conf_blackhole);
	free(r->dot_name);
	free(r->dot_ca);
	free(r->conf_dot);
	free(r->unbound_conf);
	free(r->query_log);
	free(r->log_dir);
	free(r);
}

static int set_field(struct rig *r, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t str_off; /* offset of a char * field, or */
		size_t int_off; /* of an int field (SIZE_MAX: none) */
	} map[] = {
#define S(k, f) {k, offsetof(struct rig, f), SIZE_MAX}
#define I(k, f)                                      \
	{                                            \
		k, SIZE_MAX, offsetof(struct rig, f) \
	}
	        S("RIG_RUNDIR", rundir),
	        S("RIG_FIXTURES", fixtures),
	        S("RIG_CONF", conf),
	        S("RIG_CONF_SLOW", conf_slow),
	        S("RIG_CONF_DELAY", conf_delay),
	        S("RIG_CONF_BLACKHOLE", conf_blackhole),
	        S("RIG_CONF_DOT", conf_dot),
	        S("RIG_DOT_NAME", dot_name),
	        S("RIG_DOT_CA", dot_ca),
	        S("RIG_UNBOUND_CONF", unbound_conf),
	        S("RIG_QUERY_LOG", query_log),
	        S("RIG_LOG_DIR", log_dir),
	        I("RIG_NSD_PORT", nsd_port),
	        I("RIG_PORT", port),
	        I("RIG_SLOW_PORT", slow_port),
	        I("RIG_SLOW_MS", slow_ms),
	        I("RIG_DELAY_PORT", delay_port),
	        I("RIG_DELAY_MS", delay_ms),
	        I("RIG_BLACKHOLE_PORT", blackhole_port),
	        I("RIG_DOT_PORT", dot_port),
#undef S
#undef I
	};
	char *end;
	long v;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].key, key) != 0)
			continue;
		if (map[i].str_off != SIZE_MAX) {
			char **f =
			        (char **)(void *)((char *)r + map[i].str_off);
			free(*f);
			*f = strdup(val);
			return *f != NULL ? 0 : -1;
		}
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || v > 6553500L)
			return -1;
		*(int *)(void *)((char *)r + map[i].int_off) = (int)v;
		return 0;
	}
	errno = 0;
	v = strtol(val, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0; /* unknown keys are fine */
	if (strcmp(key, "RIG_PID") == 0)
		r->pid = (pid_t)v;
	else if (strcmp(key, "RIG_NSD_PID") == 0)
		r->nsd_pid = (pid_t)v;
	else if (strcmp(key, "RIG_STARTUP_MS") == 0)
		r->startup_ms = v;
	return 0;
}

static struct rig *read_env(const char *path)
{
	struct rig *r = calloc(1, sizeof *r);
	char *text = proc_read_file(path, NULL), *line, *next;
	if (r == NULL || text == NULL)
		goto fail;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		char *eq;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (set_field(r, line, eq + 1) != 0)
			goto fail;
	}
	if (r->rundir == NULL || r->conf == NULL || r->query_log == NULL ||
	    r->port == 0 || r->pid <= 0)
		goto fail;
	free(text);
	return r;
fail:
	warn("cannot read %s", path);
	free(text);
	rig_free(r);
	return NULL;
}

/* ---- starting and stopping ------------------------------------------------- */

/* The test binary's name (Criterion renames its worker processes). */
static const char *binary_name(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	const char *slash;
	if (n <= 0)
		return program_invocation_short_name;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return slash != NULL ? slash + 1 : buf;
}

static int make_rundir(char *buf, size_t len)
{
	const char *runs = getenv("DANCE_RIG_RUNS");
	char exe[PATH_MAX];
	if (runs == NULL || *runs == '\0')
		runs = DANCE_BINARY_DIR "/rig-runs";
	if (pathf(buf, len, "%s/%s-XXXXXX", runs,
	          binary_name(exe, sizeof exe)) != 0 ||
	    mkdir_p(runs) != 0 || mkdtemp(buf) == NULL) {
		warn("cannot make a run directory under %s: %s", runs,
		     strerror(errno));
		return -1;
	}
	return 0;
}

static void print_log(const char *rundir)
{
	char p[PATH_MAX];
	char *t = NULL;
	if (pathf(p, sizeof p, "%s/logs/dance-rig.log", rundir) == 0)
		t = proc_read_file(p, NULL);
	if (t != NULL)
		fprintf(stderr, "%s", t);
	free(t);
}

static struct rig *start_rig(const struct rig_opts *opts)
{
	char run[PATH_MAX], logs[PATH_MAX], log[PATH_MAX], env[PATH_MAX];
	char slow[16], delay[16];
	const char *fix = rig_fixture_dir(), *bin = getenv("DANCE_RIG_BIN");
	struct rig *r = NULL;
	pid_t pid;
	long until;

	if (fix == NULL || make_rundir(run, sizeof run) != 0)
		return NULL;
	if (bin == NULL || *bin == '\0')
		bin = DANCE_RIG_BIN;
	if (pathf(logs, sizeof logs, "%s/logs", run) != 0 ||
	    pathf(log, sizeof log, "%s/dance-rig.log", logs) != 0 ||
	    pathf(env, sizeof env, "%s/rig.env", run) != 0)
		return NULL;
	snprintf(slow, sizeof slow, "%d",
	         opts != NULL && opts->slow_ms > 0 ? opts->slow_ms : 1500);
	snprintf(delay, sizeof delay, "%d",
	         opts != NULL && opts->delay_ms > 0 ? opts->delay_ms : 150);
	const char *argv[] = {bin,   "--run",     run,  "--fixtures",
	                      fix,   "--slow-ms", slow, "--delay-ms",
	                      delay, NULL};
	struct proc_opts po = {.stdout_path = log, .stderr_path = log};
	if (mkdir_p(logs) != 0 || proc_spawn(&pid, argv, &po) != 0) {
		warn("cannot start %s: %s", bin, strerror(errno));
		return NULL;
	}
	until = proc_now_ms() + RIG_START_MS;
	while (access(env, F_OK) != 0) {
		int st;
		if (proc_wait(pid, 2, &st) == 0 || errno == ECHILD ||
		    proc_now_ms() > until) {
			warn("dance-rig did not start; its log:");
			print_log(run);
			proc_stop(pid, 1000);
			return NULL;
		}
	}
	r = read_env(env);
	if (r == NULL)
		proc_stop(pid, RIG_STOP_MS);
	return r;
}

static int stop_rig(struct rig *r, int keep)
{
	int st;
	if (r == NULL)
		return -1;
	st = proc_stop(r->pid, RIG_STOP_MS);
	if (st != 0)
		warn("dance-rig %ld ended with status %d (see %s)",
		     (long)r->pid, st, r->log_dir);
	if (keep || keep_all())
		warn("run directory kept: %s (logs in %s)", r->rundir,
		     r->log_dir);
	else
		proc_remove_tree(r->rundir);
	rig_free(r);
	return st;
}

static void at_exit(void)
{
	for (size_t i = 0; i < sizeof privates / sizeof privates[0]; i++) {
		/* Never stopped by the test: it ended early (failed). */
		stop_rig(privates[i], 1);
		privates[i] = NULL;
	}
	if (shared != NULL && shared_owner == getpid()) {
		stop_rig(shared, 0);
		shared = NULL;
	}
}

static void register_at_exit(void)
{
	static int done;
	if (!done)
		atexit(at_exit);
	done = 1;
}

const struct rig *rig_start(void)
{
	const char *env = getenv("DANCE_RIG_ENV");
	if (shared != NULL)
		return shared;
	if (getenv("DANCE_RIG_FAILED") != NULL)
		return NULL;
	if (env != NULL && *env != '\0') {
		shared = read_env(env);
		return shared;
	}
	shared = start_rig(NULL);
	if (shared == NULL) {
		setenv("DANCE_RIG_FAILED", "1", 1);
		return NULL;
	}
	shared_owner = getpid();
	register_at_exit();
	char path[PATH_MAX];
	if (pathf(path, sizeof path, "%s/rig.env", shared->rundir) == 0)
		setenv("DANCE_RIG_ENV", path, 1);
	return shared;
}

void rig_finish(int failed)
{
	if (shared == NULL || shared_owner != getpid())
		return;
	stop_rig(shared, failed);
	shared = NULL;
	unsetenv("DANCE_RIG_ENV");
}

struct rig *rig_start_private(const struct rig_opts *opts)
{
	struct rig *r = start_rig(opts);
	if (r == NULL)
		return NULL;
	register_at_exit();
	for (size_t i = 0; i < sizeof privates / sizeof privates[0]; i++)
		if (privates[i] == NULL) {
			privates[i] = r;
			return r;
		}
	warn("too many private rigs");
	stop_rig(r, 0);
	return NULL;
}

static int stop_private(struct rig *r, int keep)
{
	for (size_t i = 0; i < sizeof privates / sizeof privates[0]; i++)
		if (privates[i] == r)
			privates[i] = NULL;
	return stop_rig(r, keep);
}

int rig_stop(struct rig *r)
{
	return stop_private(r, 0);
}

int rig_stop_keep(struct rig *r)
{
	return stop_private(r, 1);
}

const char *rig_conf(const struct rig *r, enum rig_conf_variant v)
{
	static char hermetic[PATH_MAX];
	switch (v) {
	case RIG_CONF_FRONT:
		return r != NULL ? r->conf : NULL;
	case RIG_CONF_SLOW:
		return r != NULL ? r->conf_slow : NULL;
	case RIG_CONF_DELAY:
		return r != NULL ? r->conf_delay : NULL;
	case RIG_CONF_BLACKHOLE:
		return r != NULL ? r->conf_blackhole : NULL;
	case RIG_CONF_HERMETIC:
		return rig_fixture(hermetic, sizeof hermetic,
		                   "hermetic/dance.conf");
	case RIG_CONF_DOT:
		return r != NULL ? r->conf_dot : NULL;
	}
	return NULL;
}

/* ---- the query log ----------------------------------------------------------- */

/* name without a final dot, into buf. */
static void strip_dot(char *buf, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, name, n);
	buf[n] = '\0';
}

static long count(const struct rig *r, const char *name, int under)
{
	char want[1100];
	char *text, *line, *next;
	long c = 0;
	size_t wl;
	if (r == NULL || name == NULL)
		return -1;
	strip_dot(want, sizeof want, name);
	wl = strlen(want);
	text = proc_read_file(r->query_log, NULL);
	if (text == NULL)
		return -1;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		/* "MS SERVER PROTO QNAME QTYPE" */
		char f[5][1100] = {{0}};
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (sscanf(line, "%1099s %1099s %1099s %1099s %1099s", f[0],
		           f[1], f[2], f[3], f[4]) != 5)
			continue;
		size_t ql = strlen(f[3]);
		if (strcasecmp(f[3], want) == 0 ||
		    (under && ql > wl && f[3][ql - wl - 1] == '.' &&
		     strcasecmp(f[3] + ql - wl, want) == 0))
			c++;
	}
	free(text);
	return c;
}

long rig_query_count(const struct rig *r, const char *qname)
{
	return count(r, qname, 0);
}

long rig_query_count_under(const struct rig *r, const char *domain)
{
	return count(r, domain, 1);
}

/* ---- zone updates -------------------------------------------------------------- */

int rig_zone(const struct rig *r, const char *zone, const char *op,
             const char *const *args)
{
	char script[PATH_MAX];
	const char *argv[72];
	size_t n = 0;
	struct proc_result res;
	int rc = -1;

	if (r == NULL || zone == NULL || op == NULL)
		return -1;
	if (pathf(script, sizeof script, "%s/rig-zone.sh", DANCE_RIG_DIR) != 0)
		return -1;
	argv[n++] = "bash";
	argv[n++] = script;
	argv[n++] = r->rundir;
	argv[n++] = zone;
	argv[n++] = op;
	for (size_t i = 0; args != NULL && args[i] != NULL; i++) {
		if (n + 1 >= sizeof argv / sizeof argv[0]) {
			warn("rig_zone: too many arguments");
			return -1;
		}
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	if (proc_run(&res, argv, NULL, ZONE_UPDATE_MS, NULL) == 0 &&
	    res.exited && res.exit_code == 0)
		rc = 0;
	else
		warn("rig-zone.sh %s %s failed:\n%s%s", zone, op, res.out,
		     res.err);
	proc_result_free(&res);
	return rc;
}
