/*
 * slapd.c -- test harness around Debian's slapd and the OpenLDAP client
 * tools (see slapd.h): instance directories, slapd.conf, start, readiness,
 * stop by PID, and ldapwhoami runs with a deadline.
 */
#include "slapd.h"

#include "proc.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLAPD_BIN    "/usr/sbin/slapd"
#define SLAPD_SCHEMA "/etc/ldap/schema"
#define SLAPD_MODDIR "/usr/lib/ldap"
#define SLAPD_SUFFIX "dc=example,dc=org"
#define SLAPD_ROOTDN "cn=admin,dc=example,dc=org"
#define SLAPD_PEERCRED_ROOT \
	"gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"
#define READY_TIMEOUT 10000 /* ms */
#define STOP_TIMEOUT  3000  /* ms: SIGTERM, then SIGKILL */

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

static void fmt(char *buf, size_t len, const char *f, ...)
        __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < len, "path or text too long: %s", f);
}

const char *slapd_fixture_dir(void)
{
	const char *d = getenv("DANCE_FIXTURE_DIR");

	return d != NULL && d[0] != '\0' ? d : DANCE_FIXTURE_DIR;
}

void slapd_fixture(char *out, size_t len, const char *rel)
{
	fmt(out, len, "%s/%s", slapd_fixture_dir(), rel);
}

int slapd_free_port(void)
{
	int port = proc_free_port();

	cr_assert_gt(port, 0, "no free port");
	return port;
}

/* ---- running tools ----------------------------------------------------- */

/* LD_PRELOAD and ASAN_OPTIONS for slapd and its tools when the module is
 * built with AddressSanitizer (slapd itself is not). */
static const char *const *san_env(void)
{
#ifdef DANCE_SLAPD_PRELOAD
	static const char *const env[] = {
	        "LD_PRELOAD=" DANCE_SLAPD_PRELOAD,
	        "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1", NULL};
	return env;
#else
	return NULL;
#endif
}

void slapd_run_tool(const char *const argv[], const char *const env[],
                    int timeout_ms, struct ldap_run *r)
{
	struct proc_result res;
	struct proc_opts o = {0};

	memset(r, 0, sizeof *r);
	o.env = env;
	cr_assert_eq(proc_run(&res, argv, NULL, timeout_ms, &o), 0,
	             "cannot run %s", argv[0]);
	if (res.timed_out)
		r->status = -1;
	else if (res.exited)
		r->status = res.exit_code;
	else
		r->status = 128 + res.signal;
	r->seconds = (double)res.ms / 1000.0;
	snprintf(r->out, sizeof r->out, "%s", res.out);
	snprintf(r->err, sizeof r->err, "%s", res.err);
	proc_result_free(&res);
}

/* ---- instance directory and configuration ------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert(fclose(f) == 0);
}

/* An URL-encoded absolute path for ldapi:// ("/" -> "%2F"). */
static void ldapi_url(char *out, size_t len, const char *path)
{
	size_t o = 0;

	o += (size_t)snprintf(out, len, "ldapi://");
	for (const char *p = path; *p != '\0' && o + 4 < len; p++) {
		if (*p == '/')
			o += (size_t)snprintf(out + o, len - o, "%%2F");
		else
			out[o++] = *p;
	}
	cr_assert(o + 2 < len);
	out[o++] = '/';
	out[o] = '\0';
}

static void make_dir(struct slapd *s)
{
	static unsigned seq;
	char base[PATH_MAX], db[PATH_MAX];

	fmt(base, sizeof base, "%s/tests/run", DANCE_BINARY_DIR);
	mkdir(base, 0755);
	fmt(s->dir, sizeof s->dir, "%s/slapd-%d-%u", base, (int)getpid(),
	    seq++);
	cr_assert(mkdir(s->dir, 0700) == 0 || errno == EEXIST, "mkdir %s: %s",
	          s->dir, strerror(errno));
	fmt(db, sizeof db, "%s/db", s->dir);
	cr_assert(mkdir(db, 0700) == 0 || errno == EEXIST);
	fmt(s->conf, sizeof s->conf, "%s/slapd.conf", s->dir);
	fmt(s->log, sizeof s->log, "%s/slapd.log", s->dir);
}

static void module_lines(char *buf, size_t len, const struct slapd *s,
                         const struct slapd_opts *o)
{
	char dir[PATH_MAX], conf[PATH_MAX];
	const char *slash, *file;

	buf[0] = '\0';
	if (o->module == NULL)
		return;
	slash = strrchr(o->module, '/');
	cr_assert_not_null(slash, "module path %s is not absolute", o->module);
	file = slash + 1;
	fmt(dir, sizeof dir, "%.*s", (int)(slash - o->module), o->module);
	if (o->dance_conf_text != NULL) {
		fmt(conf, sizeof conf, "%s/dance.conf", s->dir);
		write_file(conf, o->dance_conf_text);
		fmt(buf, len, "modulepath %s\nmoduleload %s config=%s\n", dir,
		    file, conf);
	} else if (o->module_args != NULL) {
		fmt(buf, len, "modulepath %s\nmoduleload %s %s\n", dir, file,
		    o->module_args);
	} else if (o->dance_conf != NULL) {
		fmt(buf, len, "modulepath %s\nmoduleload %s config=%s\n", dir,
		    file, o->dance_conf);
	} else {
		fmt(buf, len, "modulepath %s\nmoduleload %s\n", dir, file);
	}
}

/* The configuration text: mod holds the module lines ("" for none);
 * with_config_db adds a cn=config database that root may manage over
 * ldapi:// (peer credentials). */
static void conf_text(char *conf, size_t len, const struct slapd *s,
                      const struct slapd_opts *o, const char *mod,
                      int with_config_db)
{
	char ca[PATH_MAX + 64] = "", cert[PATH_MAX], key[PATH_MAX];

	slapd_fixture(cert, sizeof cert, "pki/slapd-server.chain.pem");
	slapd_fixture(key, sizeof key, "pki/slapd-server.key");
	if (o->ca_file != NULL)
		fmt(ca, sizeof ca, "TLSCACertificateFile %s\n", o->ca_file);
	fmt(conf, len,
	    "# written by tests/support/slapd.c\n"
	    "include " SLAPD_SCHEMA "/core.schema\n"
	    "include " SLAPD_SCHEMA "/cosine.schema\n"
	    "include " SLAPD_SCHEMA "/nis.schema\n"
	    "include " SLAPD_SCHEMA "/inetorgperson.schema\n"
	    "pidfile %s/slapd.pid\n"
	    "argsfile %s/slapd.args\n"
	    "modulepath " SLAPD_MODDIR "\n"
	    "moduleload back_mdb\n"
	    "%s"
	    "TLSCertificateFile %s\n"
	    "TLSCertificateKeyFile %s\n"
	    "TLSVerifyClient %s\n"
	    "%s"
	    "%s%s"
	    "%s"
	    "database mdb\n"
	    "maxsize 33554432\n"
	    "suffix \"" SLAPD_SUFFIX "\"\n"
	    "rootdn \"" SLAPD_ROOTDN "\"\n"
	    "directory %s/db\n",
	    s->dir, s->dir, mod, cert, key, o->verify ? o->verify : "allow", ca,
	    o->global ? o->global : "", o->global ? "\n" : "",
	    with_config_db ? "database config\n"
	                     "access to * by dn.exact=\"" SLAPD_PEERCRED_ROOT
	                     "\" manage by * none\n"
	                   : "",
	    s->dir);
}

/* slapd.conf for slapd, tools.conf (no module) for slapadd and slaptest:
 * the tools need no module, and must not load one built with ASan (slapd
 * tools hang at exit with the ASan runtime preloaded). */
static void write_conf(struct slapd *s, const struct slapd_opts *o)
{
	static char conf[65536];
	char mod[2 * PATH_MAX + 256];

	module_lines(mod, sizeof mod, s, o);
	slapd_fixture(s->server_ca, sizeof s->server_ca, "pki/slapd-ca.pem");
	conf_text(conf, sizeof conf, s, o, mod, 0);
	write_file(s->conf, conf);
	fmt(s->tools_conf, sizeof s->tools_conf, "%s/tools.conf", s->dir);
	conf_text(conf, sizeof conf, s, o, "", o->config_dir);
	write_file(s->tools_conf, conf);
}

/* ---- start and stop ---------------------------------------------------- */

static void print_log_tail(const struct slapd *s)
{
	size_t len = 0;
	char *log = proc_read_file(s->log, &len);
	const char *tail = log;

	if (log == NULL)
		return;
	if (len > 16000)
		tail = log + len - 16000;
	fprintf(stderr, "---- end of %s ----\n%s\n---- (kept in %s) ----\n",
	        s->log, tail, s->dir);
	free(log);
}

static void run_admin_tool(const char *const argv[])
{
	struct ldap_run r;

	slapd_run_tool(argv, NULL, 60000, &r);
	cr_assert_eq(r.status, 0, "%s failed (%d): %s%s", argv[0], r.status,
	             r.out, r.err);
}

static void load_ldif(struct slapd *s, const struct slapd_opts *o)
{
	char path[PATH_MAX];

	if (o->ldif == NULL)
		return;
	fmt(path, sizeof path, "%s/data.ldif", s->dir);
	write_file(path, o->ldif);
	{
		const char *argv[] = {"/usr/sbin/slapadd",
		                      "-f",
		                      s->tools_conf,
		                      "-l",
		                      path,
		                      "-q",
		                      NULL};

		run_admin_tool(argv);
	}
}

/* With config_dir: convert tools.conf (no module, a cn=config database
 * root may manage) into DIR/slapd.d. slaptest opens the databases, so an
 * empty one is made first. */
static void convert_conf(struct slapd *s, const struct slapd_opts *o)
{
	if (!o->config_dir)
		return;
	if (o->ldif == NULL) {
		const char *argv[] = {
		        "/usr/sbin/slapadd", "-f", s->tools_conf, "-l",
		        "/dev/null",         "-q", NULL};

		run_admin_tool(argv);
	}
	fmt(s->confdir, sizeof s->confdir, "%s/slapd.d", s->dir);
	cr_assert(mkdir(s->confdir, 0700) == 0, "mkdir %s", s->confdir);
	{
		const char *argv[] = {"/usr/sbin/slaptest", "-f",
		                      s->tools_conf,        "-F",
		                      s->confdir,           NULL};

		run_admin_tool(argv);
	}
}

static pid_t spawn_slapd(struct slapd *s, const struct slapd_opts *o)
{
	char urls[PATH_MAX * 4];
	const char *conf = s->confdir[0] ? s->confdir : s->conf;
	const char *argv[12];
	struct proc_opts po = {0};
	pid_t pid;
	int a = 0;

	fmt(urls, sizeof urls, "%s %s %s", s->url_ldap, s->url_ldaps,
	    s->url_ldapi);
	argv[a++] = SLAPD_BIN;
	if (!o->daemon) {
		argv[a++] = "-d";
		argv[a++] = o->debug ? o->debug : "stats";
	}
	argv[a++] = "-h";
	argv[a++] = urls;
	argv[a++] = s->confdir[0] ? "-F" : "-f";
	argv[a++] = conf;
	argv[a] = NULL;
	po.stdout_path = s->log;
	po.stderr_path = s->log;
	po.env = san_env();
	cr_assert_eq(proc_spawn(&pid, argv, &po), 0, "cannot start slapd");
	return pid;
}

static pid_t read_pidfile(const struct slapd *s)
{
	char path[PATH_MAX], *text;
	long pid = 0;

	fmt(path, sizeof path, "%s/slapd.pid", s->dir);
	if ((text = proc_read_file(path, NULL)) == NULL)
		return 0;
	pid = strtol(text, NULL, 10);
	free(text);
	return (pid_t)pid;
}

/* Wait for slapd to be ready (both TCP ports answer), or fail. */
static void wait_ready(struct slapd *s, pid_t child, int daemon)
{
	int status = 0;

	if (daemon) {
		/* The parent exits once the daemon has detached. */
		if (proc_wait(child, READY_TIMEOUT, &status) != 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			print_log_tail(s);
			cr_assert_fail("daemonised slapd did not start");
		}
		for (int i = 0; i < READY_TIMEOUT / 5 && s->pid == 0; i++) {
			s->pid = read_pidfile(s);
			if (s->pid == 0)
				sleep_ms(5);
		}
		cr_assert_gt(s->pid, 0, "no pidfile from slapd");
		s->daemon = 1;
		child = 0;
	}
	if (proc_wait_port_pid(s->port_ldap, READY_TIMEOUT, child ? child : -1,
	                       &status) != 0 ||
	    proc_wait_port(s->port_ldaps, READY_TIMEOUT) != 0) {
		if (!daemon && !proc_alive(child))
			s->pid = 0;
		print_log_tail(s);
		cr_assert_fail("slapd not ready (status %d)", status);
	}
}

/*
 * slapd must give up at start-up. It has when it exits non-zero, or once
 * it logged "slapd stopped." (with the ASan runtime preloaded, slapd may
 * then hang in exit handlers: it is killed).
 */
static void expect_exit(struct slapd *s, pid_t child)
{
	int status = 0;

	for (int i = 0; i < READY_TIMEOUT / 50; i++) {
		if (proc_wait(child, 50, &status) == 0) {
			s->exit_status = WIFEXITED(status)
			                         ? WEXITSTATUS(status)
			                         : 128 + WTERMSIG(status);
			cr_assert_neq(s->exit_status, 0, "slapd exited with 0");
			return;
		}
		if (slapd_log_has(s, "slapd stopped.")) {
			proc_stop(child, 1000);
			s->exit_status = -1;
			return;
		}
	}
	proc_stop(child, 1000);
	cr_assert_fail("slapd started but should have failed");
}

void slapd_start(struct slapd *s, const struct slapd_opts *o)
{
	static const struct slapd_opts defaults;
	pid_t child;

	if (o == NULL)
		o = &defaults;
	memset(s, 0, sizeof *s);
	make_dir(s);
	s->port_ldap = slapd_free_port();
	do
		s->port_ldaps = slapd_free_port();
	while (s->port_ldaps == s->port_ldap);
	fmt(s->url_ldap, sizeof s->url_ldap, "ldap://127.0.0.1:%d/",
	    s->port_ldap);
	fmt(s->url_ldaps, sizeof s->url_ldaps, "ldaps://127.0.0.1:%d/",
	    s->port_ldaps);
	{
		char sock[PATH_MAX];

		fmt(sock, sizeof sock, "%s/ldapi", s->dir);
		ldapi_url(s->url_ldapi, sizeof s->url_ldapi, sock);
	}
	write_conf(s, o);
	load_ldif(s, o);
	convert_conf(s, o);
	child = spawn_slapd(s, o);
	if (o->expect_fail) {
		expect_exit(s, child);
		return;
	}
	if (!o->daemon)
		s->pid = child;
	wait_ready(s, child, o->daemon);
}

void slapd_pass(struct slapd *s)
{
	s->passed = 1;
}

static void remove_tree(const char *dir)
{
	const char *argv[] = {"rm", "-rf", dir, NULL};
	struct ldap_run r;

	slapd_run_tool(argv, NULL, 30000, &r);
}

/* A daemonised slapd is not our child: signal it, wait for it to go. */
static void stop_daemon(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < STOP_TIMEOUT / 5 && kill(pid, 0) == 0; i++)
		sleep_ms(5);
	if (kill(pid, 0) == 0)
		kill(pid, SIGKILL);
}

void slapd_stop(struct slapd *s)
{
	if (s->pid > 0) {
		if (s->daemon)
			stop_daemon(s->pid);
		else
			proc_stop(s->pid, STOP_TIMEOUT);
		s->pid = 0;
	}
	if (s->dir[0] == '\0')
		return;
	if (s->passed && getenv("DANCE_SLAPD_KEEP") == NULL)
		remove_tree(s->dir);
	else
		print_log_tail(s);
	s->dir[0] = '\0';
}

int slapd_log_has(const struct slapd *s, const char *text)
{
	char *log = proc_read_file(s->log, NULL);
	int found = log != NULL && strstr(log, text) != NULL;

	free(log);
	return found;
}

/* ---- clients ----------------------------------------------------------- */

void ldap_whoami(const struct slapd *s, const struct whoami *w,
                 struct ldap_run *r)
{
	char cacert[PATH_MAX + 32], cert[PATH_MAX + 32], key[PATH_MAX + 32];
	char home[PATH_MAX + 8];
	const char *env[8], *argv[16];
	int e = 0, a = 0;

	fmt(cacert, sizeof cacert, "LDAPTLS_CACERT=%s", s->server_ca);
	fmt(home, sizeof home, "HOME=%s", s->dir);
	env[e++] = cacert;
	env[e++] = home;
	env[e++] = "LDAPCONF=/dev/null";
	env[e++] = "LDAPRC=/dev/null";
	if (w->cert != NULL) {
		fmt(cert, sizeof cert, "LDAPTLS_CERT=%s", w->cert);
		fmt(key, sizeof key, "LDAPTLS_KEY=%s", w->key ? w->key : "");
		env[e++] = cert;
		env[e++] = key;
	}
	env[e] = NULL;
	argv[a++] = "ldapwhoami";
	argv[a++] = "-H";
	argv[a++] = w->url ? w->url : s->url_ldaps;
	if (w->starttls)
		argv[a++] = "-ZZ";
	if (w->simple) {
		argv[a++] = "-x";
	} else {
		argv[a++] = "-Y";
		argv[a++] = "EXTERNAL";
		argv[a++] = "-Q";
	}
	if (w->authzid != NULL) {
		argv[a++] = "-X";
		argv[a++] = w->authzid;
	}
	argv[a] = NULL;
	slapd_run_tool(argv, env, w->timeout_ms ? w->timeout_ms : 20000, r);
}

void slapd_ldapmodify(const struct slapd *s, const char *ldif,
                      struct ldap_run *r)
{
	const char *argv[] = {"ldapmodify", "-H", s->url_ldapi, "-Y",
	                      "EXTERNAL",   "-Q", NULL};
	const char *env[] = {"LDAPCONF=/dev/null", "LDAPRC=/dev/null", NULL};
	struct proc_result res;
	struct proc_opts o = {0};

	memset(r, 0, sizeof *r);
	o.env = env;
	cr_assert_eq(proc_run(&res, argv, ldif, 20000, &o), 0,
	             "cannot run ldapmodify");
	r->status = res.timed_out ? -1
	            : res.exited  ? res.exit_code
	                          : 128 + res.signal;
	r->seconds = (double)res.ms / 1000.0;
	snprintf(r->out, sizeof r->out, "%s", res.out);
	snprintf(r->err, sizeof r->err, "%s", res.err);
	proc_result_free(&res);
}
