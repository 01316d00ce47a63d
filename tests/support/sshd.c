/*
 * sshd.c -- a real sshd with dance-authorized-keys for tests (see sshd.h):
 * a root-owned run directory, the helper and its configuration copied in,
 * host key, sshd_config, test accounts, start and stop by PID, logins
 * with ssh, the helper run directly as its unprivileged user, and reading
 * the logs.
 */
#include "sshd.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DANCE_BINARY_DIR
#error "DANCE_BINARY_DIR must name the build tree"
#endif

#define SSHD_BIN     "/usr/sbin/sshd"
#define START_MS     10000
#define STOP_MS      3000
#define CMD_MS       30000
#define ENV_NAME     "DANCE_SSHD_ENV"
#define MAX_ACCOUNTS 64

static struct sshd *shared;
static pid_t shared_owner;

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sshd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int write_file(const char *path, const char *text, size_t len,
                      mode_t mode)
{
	char *tmp = strf("%s.tmp.%ld", path, (long)getpid());
	int fd, r = -1;

	if (tmp == NULL)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto out;
	}
	r = 0;
out:
	if (r != 0)
		warn("cannot write %s: %s", path, strerror(errno));
	free(tmp);
	return r;
}

static int copy_file(const char *from, const char *to, mode_t mode,
                     const char *append)
{
	size_t len = 0;
	char *text = proc_read_file(from, &len), *all = NULL;
	int r;

	if (text == NULL) {
		warn("cannot read %s", from);
		return -1;
	}
	if (append != NULL) {
		if ((all = strf("%s\n%s\n", text, append)) == NULL) {
			free(text);
			return -1;
		}
		len = strlen(all);
	}
	r = write_file(to, all != NULL ? all : text, len, mode);
	free(all);
	free(text);
	return r;
}

/* Does every directory from path up to "/" belong to root, refuse writes
 * by group and others, and let others through (o+x)? */
static int chain_ok(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;

	if (realpath(path, buf) == NULL)
		return 0;
	for (;;) {
		if (stat(buf, &st) != 0 || st.st_uid != 0 ||
		    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
		    (st.st_mode & S_IXOTH) == 0)
			return 0;
		if (strcmp(buf, "/") == 0)
			return 1;
		char *slash = strrchr(buf, '/');
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

static char *make_rundir(void)
{
	char *base = strf("%s/sshd-runs", DANCE_BINARY_DIR), *tmpl = NULL;

	if (base == NULL)
		return NULL;
	if ((mkdir(base, 0755) != 0 && errno != EEXIST) || !chain_ok(base)) {
		free(base);
		base = strf("/run");
		tmpl = strf("%s/dance-sshd.XXXXXX", base);
	} else {
		tmpl = strf("%s/sshd.XXXXXX", base);
	}
	free(base);
	if (tmpl == NULL || mkdtemp(tmpl) == NULL || chmod(tmpl, 0755) != 0) {
		warn("cannot make a run directory: %s", strerror(errno));
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void rm_rf(const char *dir)
{
	if (dir != NULL)
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running commands ---------------------------------------------------- */

/* Look up an account (reentrant); 1 if it exists, with its ids. */
static int account_ids(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof buf, &res) != 0 || res == NULL)
		return 0;
	if (uid != NULL)
		*uid = pw.pw_uid;
	if (gid != NULL)
		*gid = pw.pw_gid;
	return 1;
}

static int run_quiet(const char *const argv[])
{
	struct proc_result res;
	int ok;

	if (proc_run(&res, argv, NULL, CMD_MS, NULL) != 0) {
		warn("cannot run %s", argv[0]);
		return -1;
	}
	ok = res.exited && res.exit_code == 0;
	if (!ok)
		warn("%s failed (%d): %s", argv[0], res.exit_code, res.err);
	proc_result_free(&res);
	return ok ? 0 : -1;
}

int sshd_account_add(const char *name)
{
	const char *add[] = {"useradd", "-M",      "-d", "/",
	                     "-s",      "/bin/sh", "-c", "dance test account",
	                     name,      NULL};
	const char *unlock[] = {"usermod", "-p", "*", name, NULL};

	if (!account_ids(name, NULL, NULL) && run_quiet(add) != 0)
		return -1;
	return run_quiet(unlock);
}

int sshd_account_del(const char *name)
{
	const char *del[] = {"userdel", name, NULL};

	if (!account_ids(name, NULL, NULL))
		return 0;
	return run_quiet(del);
}

static int akc_user_add(const char *name, int *created)
{
	const char *add[] = {"useradd",
	                     "--system",
	                     "-M",
	                     "-d",
	                     "/nonexistent",
	                     "-s",
	                     "/usr/sbin/nologin",
	                     "-c",
	                     "dance-authorized-keys (tests)",
	                     name,
	                     NULL};

	*created = 0;
	if (account_ids(name, NULL, NULL))
		return 0;
	if (run_quiet(add) != 0)
		return -1;
	*created = 1;
	return 0;
}

/* ---- configuration -------------------------------------------------------- */

/* Keywords of dance.conf whose value is a file the helper must read. */
static int is_file_keyword(const char *kw)
{
	return strcmp(kw, "trust-anchor-file") == 0 ||
	       strcmp(kw, "unbound-config") == 0 ||
	       strcmp(kw, "tls-ca-bundle") == 0;
}

/* Copy one "keyword FILE" line's file into etc/files and write the line
 * with the new path to out. */
static int copy_conf_file(FILE *out, const struct sshd *s, const char *kw,
                          const char *file, int n, const char *append)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	char *to = strf("%s/etc/files/%d-%s", s->rundir, n, base);
	int r;

	if (to == NULL)
		return -1;
	r = copy_file(file, to, 0644, append);
	if (r == 0)
		fprintf(out, "%s %s\n", kw, to);
	free(to);
	return r;
}

/* The base configuration's lines, with file-valued ones copied in;
 * *unbound set if an unbound-config line was copied (with o's extra). */
static int copy_conf_lines(FILE *out, const struct sshd *s,
                           const struct sshd_opts *o, char *text, int *unbound)
{
	char *line, *next;
	int n = 0;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		char kw[64], val[PATH_MAX];
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (sscanf(line, "%63s %4095s", kw, val) != 2 ||
		    !is_file_keyword(kw)) {
			fprintf(out, "%s\n", line);
			continue;
		}
		int ub = strcmp(kw, "unbound-config") == 0 && !*unbound;
		if (copy_conf_file(out, s, kw, val, n++,
		                   ub ? o->unbound_extra : NULL) != 0)
			return -1;
		*unbound |= ub;
	}
	return 0;
}

/* An unbound-config file holding only o's extra lines. */
static int add_unbound_extra(FILE *out, const struct sshd *s,
                             const struct sshd_opts *o)
{
	char *ubc = strf("%s/etc/files/unbound-extra.conf", s->rundir);
	char *t = strf("%s\n", o->unbound_extra);
	int w = ubc && t ? write_file(ubc, t, strlen(t), 0644) : -1;

	if (w == 0)
		fprintf(out, "unbound-config %s\n", ubc);
	free(ubc);
	free(t);
	return w;
}

static int write_dance_conf(struct sshd *s, const struct sshd_opts *o)
{
	char *text = proc_read_file(o->dance_conf, NULL), *buf = NULL;
	size_t blen = 0;
	FILE *out = open_memstream(&buf, &blen);
	int r = -1, unbound = 0;

	if (text == NULL || out == NULL) {
		warn("cannot read %s", o->dance_conf);
		goto out;
	}
	fprintf(out, "# dance.conf for the test sshd's helper, from %s\n",
	        o->dance_conf);
	if (copy_conf_lines(out, s, o, text, &unbound) != 0 ||
	    (!unbound && o->unbound_extra != NULL &&
	     add_unbound_extra(out, s, o) != 0))
		goto out;
	fprintf(out, "ssh-authorized-dir %s\n", s->authdir);
	if (o->conf_extra != NULL)
		fprintf(out, "%s\n", o->conf_extra);
	r = fclose(out) == 0 ? 0 : -1;
	out = NULL;
	if (r == 0)
		r = write_file(s->dance_conf, buf, blen, 0644);
out:
	if (out != NULL)
		fclose(out);
	free(buf);
	free(text);
	return r;
}

static int write_sshd_config(struct sshd *s, const struct sshd_opts *o)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	int r;

	if (f == NULL)
		return -1;
	fprintf(f,
	        "# sshd_config of a dance test sshd\n"
	        "ListenAddress 127.0.0.1\n"
	        "HostKey %s/etc/ssh_host_ed25519_key\n"
	        "PidFile none\n"
	        "UsePAM no\n"
	        "StrictModes yes\n"
	        "PubkeyAuthentication yes\n"
	        "AuthenticationMethods publickey\n"
	        "PasswordAuthentication no\n"
	        "KbdInteractiveAuthentication no\n"
	        "PermitRootLogin no\n"
	        "UseDNS no\n"
	        "X11Forwarding no\n"
	        "PrintMotd no\n"
	        "PrintLastLog no\n"
	        "MaxStartups 64:30:128\n"
	        "LoginGraceTime 30\n"
	        "LogLevel %s\n"
	        "AllowUsers %s\n"
	        "AuthorizedKeysFile none\n"
	        "AuthorizedKeysCommand %s -c %s -l %s %%u %%t %%k\n"
	        "AuthorizedKeysCommandUser %s\n",
	        s->rundir, o->log_level ? o->log_level : "VERBOSE",
	        s->accounts[0] ? s->accounts : "nobody-at-all", s->helper,
	        s->dance_conf, s->akc_log, s->akc_user);
	for (size_t i = 0; o->plain != NULL && o->plain[i] != NULL; i++)
		fprintf(f,
		        "Match User %s\n"
		        "\tAuthorizedKeysCommand none\n"
		        "\tAuthorizedKeysFile %s/%%u\n",
		        o->plain[i], s->keysdir);
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	r = write_file(s->sshd_config, buf, blen, 0644);
	free(buf);
	return r;
}

/* ---- start and stop ------------------------------------------------------- */

static void sshd_free(struct sshd *s)
{
	if (s == NULL)
		return;
	free(s->rundir);
	free(s->helper);
	free(s->sshd_config);
	free(s->dance_conf);
	free(s->authdir);
	free(s->keysdir);
	free(s->sshd_log);
	free(s->akc_log);
	free(s->akc_user);
	free(s->accounts);
	free(s);
}

static int make_paths(struct sshd *s, const struct sshd_opts *o)
{
	static const char *const dirs[] = {"libexec",    "etc",  "etc/files",
	                                   "authorized", "keys", "logs"};
	s->helper = strf("%s/libexec/dance-authorized-keys", s->rundir);
	s->sshd_config = strf("%s/etc/sshd_config", s->rundir);
	s->dance_conf = strf("%s/etc/dance.conf", s->rundir);
	s->authdir = strf("%s/authorized", s->rundir);
	s->keysdir = strf("%s/keys", s->rundir);
	s->sshd_log = strf("%s/logs/sshd.log", s->rundir);
	s->akc_log = strf("%s/logs/akc.log", s->rundir);
	s->akc_user = strdup(o->akc_user ? o->akc_user : SSHD_AKC_USER);
	if (!s->helper || !s->sshd_config || !s->dance_conf || !s->authdir ||
	    !s->keysdir || !s->sshd_log || !s->akc_log || !s->akc_user)
		return -1;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *d = strf("%s/%s", s->rundir, dirs[i]);
		int r = d ? mkdir(d, 0755) : -1;
		if (r == 0)
			r = chmod(d, 0755);
		free(d);
		if (r != 0)
			return -1;
	}
	return 0;
}

static int make_accounts(struct sshd *s, const struct sshd_opts *o)
{
	size_t len = 0;
	FILE *f = open_memstream(&s->accounts, &len);

	if (f == NULL)
		return -1;
	for (size_t i = 0; o->accounts != NULL && o->accounts[i] != NULL; i++) {
		if (i >= MAX_ACCOUNTS ||
		    sshd_account_add(o->accounts[i]) != 0) {
			fclose(f);
			return -1;
		}
		fprintf(f, "%s%s", i > 0 ? " " : "", o->accounts[i]);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int prepare(struct sshd *s, const struct sshd_opts *o, int *akc_new)
{
	const char *keygen[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N",
	                        "",           "-f", NULL, NULL};
	uid_t uid;
	gid_t gid;
	char *hostkey = strf("%s/etc/ssh_host_ed25519_key", s->rundir);
	int r = -1, fd;

	if (hostkey == NULL || make_paths(s, o) != 0)
		goto out;
	keygen[7] = hostkey;
	if (run_quiet(keygen) != 0 ||
	    copy_file(o->helper, s->helper, 0755, NULL) != 0)
		goto out;
	if (akc_user_add(s->akc_user, akc_new) != 0 ||
	    !account_ids(s->akc_user, &uid, &gid))
		goto out;
	fd = open(s->akc_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || fchown(fd, uid, gid) != 0) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (make_accounts(s, o) != 0 || write_dance_conf(s, o) != 0 ||
	    write_sshd_config(s, o) != 0)
		goto out;
	if (mkdir("/run/sshd", 0755) != 0 && errno != EEXIST)
		goto out;
	r = 0;
out:
	free(hostkey);
	return r;
}

static int launch(struct sshd *s)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char port[16];
		struct proc_opts po = {.stdout_path = s->sshd_log,
		                       .stderr_path = s->sshd_log};
		int status = 0;
		s->port = proc_free_port();
		if (s->port <= 0)
			return -1;
		snprintf(port, sizeof port, "%d", s->port);
		const char *argv[] = {SSHD_BIN,       "-D", "-e", "-f",
		                      s->sshd_config, "-p", port, NULL};
		if (proc_spawn(&s->pid, argv, &po) != 0) {
			warn("cannot start %s: %s", SSHD_BIN, strerror(errno));
			return -1;
		}
		if (proc_wait_port_pid(s->port, START_MS, s->pid, &status) == 0)
			return 0;
		if (proc_alive(s->pid))
			proc_stop(s->pid, STOP_MS);
		s->pid = 0;
		warn("sshd did not start on port %s (see %s)", port,
		     s->sshd_log);
	}
	return -1;
}

static int created_akc; /* we created the AuthorizedKeysCommandUser */

struct sshd *sshd_start(const struct sshd_opts *o)
{
	struct sshd *s = calloc(1, sizeof *s);
	int akc_new = 0;

	if (s == NULL || (s->rundir = make_rundir()) == NULL) {
		free(s);
		return NULL;
	}
	if (prepare(s, o, &akc_new) != 0 || launch(s) != 0) {
		created_akc |= akc_new;
		warn("start failed; kept %s", s->rundir);
		sshd_stop(s, 1);
		return NULL;
	}
	created_akc |= akc_new;
	return s;
}

static void delete_accounts(const struct sshd *s)
{
	const char *p = s->accounts;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");
		char *a = strndup(p, n);
		if (a != NULL && *a != '\0')
			(void)sshd_account_del(a);
		free(a);
		p += n;
		p += strspn(p, " ");
	}
	if (created_akc && s->akc_user != NULL) {
		(void)sshd_account_del(s->akc_user);
		created_akc = 0;
	}
}

void sshd_stop(struct sshd *s, int keep)
{
	if (s == NULL)
		return;
	if (s->pid > 0)
		proc_stop(s->pid, STOP_MS);
	s->pid = 0;
	delete_accounts(s);
	if (keep)
		fprintf(stderr, "sshd: logs kept in %s/logs\n", s->rundir);
	else
		rm_rf(s->rundir);
	sshd_free(s);
}

/* ---- the shared instance -------------------------------------------------- */

static int write_env(const struct sshd *s, char **path)
{
	char *text = strf("RUNDIR=%s\nPORT=%d\nPID=%ld\nAKC_USER=%s\n"
	                  "ACCOUNTS=%s\n",
	                  s->rundir, s->port, (long)s->pid, s->akc_user,
	                  s->accounts);
	int r;

	*path = strf("%s/sshd.env", s->rundir);
	if (text == NULL || *path == NULL)
		r = -1;
	else
		r = write_file(*path, text, strlen(text), 0644);
	free(text);
	return r;
}

static char *env_value(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=')
			return strndup(p + kl + 1, strcspn(p + kl + 1, "\n"));
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

static long env_number(const char *text, const char *key)
{
	char *v = env_value(text, key), *end = NULL;
	long n = -1;

	if (v != NULL) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0')
			n = -1;
	}
	free(v);
	return n;
}

static struct sshd *read_env(const char *path)
{
	char *text = proc_read_file(path, NULL);
	struct sshd *s = calloc(1, sizeof *s);

	if (text == NULL || s == NULL)
		goto fail;
	if ((s->rundir = env_value(text, "RUNDIR")) == NULL ||
	    (s->akc_user = env_value(text, "AKC_USER")) == NULL ||
	    (s->accounts = env_value(text, "ACCOUNTS")) == NULL)
		goto fail;
	s->port = (int)env_number(text, "PORT");
	s->pid = (pid_t)env_number(text, "PID");
	if (s->port <= 0 || s->pid <= 0)
		goto fail;
	s->helper = strf("%s/libexec/dance-authorized-keys", s->rundir);
	s->sshd_config = strf("%s/etc/sshd_config", s->rundir);
	s->dance_conf = strf("%s/etc/dance.conf", s->rundir);
	s->authdir = strf("%s/authorized", s->rundir);
	s->keysdir = strf("%s/keys", s->rundir);
	s->sshd_log = strf("%s/logs/sshd.log", s->rundir);
	s->akc_log = strf("%s/logs/akc.log", s->rundir);
	free(text);
	return s;
fail:
	warn("cannot read %s", path);
	free(text);
	sshd_free(s);
	return NULL;
}

int sshd_shared_start(const struct sshd_opts *o)
{
	char *env = NULL;

	if (shared != NULL)
		return 0;
	if ((shared = sshd_start(o)) == NULL)
		return -1;
	shared_owner = getpid();
	if (write_env(shared, &env) != 0) {
		free(env);
		return -1;
	}
	setenv(ENV_NAME, env, 1);
	free(env);
	return 0;
}

const struct sshd *sshd_shared(void)
{
	const char *env = getenv(ENV_NAME);

	if (shared == NULL && env != NULL && *env != '\0')
		shared = read_env(env);
	return shared;
}

void sshd_shared_finish(int failed)
{
	if (shared == NULL || shared_owner != getpid())
		return;
	sshd_stop(shared, failed);
	shared = NULL;
	unsetenv(ENV_NAME);
}

/* ---- using it --------------------------------------------------------------- */

int sshd_authorize(const struct sshd *s, const char *account, const char *text,
                   mode_t mode)
{
	char *path = strf("%s/%s", s->authdir, account);
	int r = path ? write_file(path, text, strlen(text), mode) : -1;

	free(path);
	return r;
}

int sshd_plain_key(const struct sshd *s, const char *account,
                   const char *pubfile)
{
	char *path = strf("%s/%s", s->keysdir, account);
	int r = path ? copy_file(pubfile, path, 0644, NULL) : -1;

	free(path);
	return r;
}

int ssh_login(const struct sshd *s, const char *account, const char *key,
              const char *cmd, const char *const *extra,
              struct proc_result *res, int timeout_ms)
{
	const char *argv[64];
	char port[16];
	size_t n = 0;

	snprintf(port, sizeof port, "%d", s->port);
	static const char *const fixed[] = {
	        "ssh",
	        "-F",
	        "/dev/null",
	        "-o",
	        "BatchMode=yes",
	        "-o",
	        "StrictHostKeyChecking=no",
	        "-o",
	        "UserKnownHostsFile=/dev/null",
	        "-o",
	        "GlobalKnownHostsFile=/dev/null",
	        "-o",
	        "IdentitiesOnly=yes",
	        "-o",
	        "IdentityAgent=none",
	        "-o",
	        "PasswordAuthentication=no",
	        "-o",
	        "KbdInteractiveAuthentication=no",
	        "-o",
	        "ConnectTimeout=10",
	        "-o",
	        "LogLevel=ERROR",
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		argv[n++] = fixed[i];
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 50; i++)
		argv[n++] = extra[i];
	argv[n++] = "-i";
	argv[n++] = key;
	argv[n++] = "-p";
	argv[n++] = port;
	argv[n++] = "-l";
	argv[n++] = account;
	argv[n++] = "127.0.0.1";
	argv[n++] = cmd;
	argv[n] = NULL;
	return proc_run(res, argv, NULL, timeout_ms, NULL);
}

int sshd_helper_run(const struct sshd *s, const char *const *args,
                    struct proc_result *res, int timeout_ms)
{
	const char *argv[32];
	size_t n = 0;
	char *reuid = strf("--reuid=%s", s->akc_user);
	char *regid = strf("--regid=%s", s->akc_user);
	int r;

	if (reuid == NULL || regid == NULL) {
		free(reuid);
		free(regid);
		return -1;
	}
	argv[n++] = "setpriv";
	argv[n++] = reuid;
	argv[n++] = regid;
	argv[n++] = "--clear-groups";
	argv[n++] = "--";
	argv[n++] = s->helper;
	argv[n++] = "-c";
	argv[n++] = s->dance_conf;
	argv[n++] = "-l";
	argv[n++] = s->akc_log;
	for (size_t i = 0; args[i] != NULL && n < 30; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	r = proc_run(res, argv, NULL, timeout_ms, NULL);
	free(reuid);
	free(regid);
	return r;
}

long sshd_log_mark(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

char *sshd_log_since(const char *path, long mark)
{
	size_t len = 0;
	char *text = proc_read_file(path, &len), *out;

	if (text == NULL)
		return strdup("");
	if (mark < 0 || (size_t)mark > len)
		mark = 0;
	out = strdup(text + mark);
	free(text);
	return out;
}
