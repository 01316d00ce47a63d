/*
 * proc.c -- processes and ports for tests (see proc.h): spawn with
 * PR_SET_PDEATHSIG and exec-error reporting, run with a timeout and
 * captured output, stop and reap, free and listening loopback ports.
 */
#include "proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
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

long proc_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void proc_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- the pids we started, stopped at exit ------------------------------- */

#define MAX_TRACKED 256
static pthread_mutex_t tracked_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t tracked[MAX_TRACKED];
static pthread_once_t tracked_once = PTHREAD_ONCE_INIT;

static void stop_tracked(void)
{
	for (size_t i = 0; i < MAX_TRACKED; i++) {
		pid_t p = tracked[i];
		if (p > 0 && getpid() != p)
			proc_stop(p, 1000);
	}
}

static void register_atexit(void)
{
	atexit(stop_tracked);
}

static void track(pid_t pid, int add)
{
	pthread_once(&tracked_once, register_atexit);
	pthread_mutex_lock(&tracked_lock);
	for (size_t i = 0; i < MAX_TRACKED; i++) {
		if (add && tracked[i] == 0) {
			tracked[i] = pid;
			break;
		}
		if (!add && tracked[i] == pid)
			tracked[i] = 0;
	}
	pthread_mutex_unlock(&tracked_lock);
}

/* ---- spawning ------------------------------------------------------------- */

/* environ with opts' additions; a malloc'd array of borrowed strings. */
static char **make_env(const char *const *add)
{
	size_t n = 0, k = 0;
	char **env;
	while (environ[n] != NULL)
		n++;
	while (add != NULL && add[k] != NULL)
		k++;
	env = calloc(n + k + 1, sizeof *env);
	if (env == NULL)
		return NULL;
	n = 0;
	for (char **e = environ; *e != NULL; e++) {
		int replaced = 0;
		for (size_t i = 0; i < k && !replaced; i++) {
			const char *eq = strchr(add[i], '=');
			size_t l = eq != NULL ? (size_t)(eq - add[i]) : 0;
			replaced = l > 0 && strncmp(*e, add[i], l) == 0 &&
			           (*e)[l] == '=';
		}
		if (!replaced)
			env[n++] = *e;
	}
	for (size_t i = 0; i < k; i++)
		env[n++] = (char *)(uintptr_t)add[i];
	env[n] = NULL;
	return env;
}

struct child_fds {
	int in, out, err; /* -1: default (stdin /dev/null, others inherit) */
};

static int open_out(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* In the child: never returns. */
static void child(pid_t parent, const char *const argv[], char **env,
                  const struct proc_opts *o, struct child_fds fds, int errfd)
{
	sigset_t none;
	int e;
	prctl(PR_SET_PDEATHSIG, o->pdeathsig > 0 ? o->pdeathsig : SIGTERM);
	if (getppid() != parent)
		_exit(127);
	if (o->new_pgrp)
		setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	if (fds.in < 0)
		fds.in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fds.out < 0 && o->stdout_path != NULL)
		fds.out = open_out(o->stdout_path);
	if (fds.err < 0 && o->stderr_path != NULL) {
		if (o->stdout_path != NULL &&
		    strcmp(o->stderr_path, o->stdout_path) == 0)
			fds.err = fds.out;
		else
			fds.err = open_out(o->stderr_path);
	}
	if ((fds.in >= 0 && dup2(fds.in, 0) < 0) ||
	    (fds.out >= 0 && dup2(fds.out, 1) < 0) ||
	    (fds.err >= 0 && dup2(fds.err, 2) < 0) ||
	    (o->cwd != NULL && chdir(o->cwd) != 0))
		goto fail;
	/* Close everything else but the exec-error pipe (close-on-exec). */
	if (errfd > 3)
		close_range(3, (unsigned)errfd - 1, 0);
	close_range((unsigned)errfd + 1, ~0U, 0);
	execvpe(argv[0], (char *const *)(uintptr_t)argv, env);
fail:
	e = errno;
	if (write(errfd, &e, sizeof e) < 0)
		_exit(126);
	_exit(127);
}

static int spawn_fds(pid_t *pid, const char *const argv[],
                     const struct proc_opts *opts, struct child_fds fds)
{
	static const struct proc_opts none;
	const struct proc_opts *o = opts != NULL ? opts : &none;
	int p[2], e = 0, r = -1;
	char **env = NULL;
	pid_t c;

	*pid = -1;
	if (argv == NULL || argv[0] == NULL) {
		errno = EINVAL;
		return -1;
	}
	env = make_env(o->env);
	if (env == NULL || pipe2(p, O_CLOEXEC) != 0)
		goto out;
	pid_t parent = getpid();
	c = fork();
	if (c == 0)
		child(parent, argv, env, o, fds, p[1]);
	e = errno;
	close(p[1]);
	if (c < 0) {
		close(p[0]);
		errno = e;
		goto out;
	}
	ssize_t n;
	while ((n = read(p[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n == (ssize_t)sizeof e) {
		waitpid(c, NULL, 0);
		errno = e;
		goto out;
	}
	*pid = c;
	r = 0;
out:
	free(env);
	return r;
}

int proc_spawn(pid_t *pid, const char *const argv[],
               const struct proc_opts *opts)
{
	struct child_fds fds = {-1, -1, -1};
	int r = spawn_fds(pid, argv, opts, fds);
	if (r == 0)
		track(*pid, 1);
	return r;
}

/* ---- waiting and stopping ------------------------------------------------- */

int proc_wait(pid_t pid, int timeout_ms, int *status)
{
	long until = proc_now_ms() + timeout_ms;
	long nap = 1;
	int st;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			track(pid, 0);
			if (status != NULL)
				*status = st;
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return -1;
		if (proc_now_ms() >= until) {
			errno = ETIMEDOUT;
			return -1;
		}
		proc_sleep_ms(nap);
		if (nap < 10)
			nap++;
	}
}

static void signal_proc(pid_t pid, int sig)
{
	if (getpgid(pid) == pid)
		kill(-pid, sig);
	else
		kill(pid, sig);
}

int proc_stop(pid_t pid, int grace_ms)
{
	int st = -1;
	if (pid <= 0)
		return -1;
	signal_proc(pid, SIGTERM);
	if (proc_wait(pid, grace_ms, &st) == 0)
		return st;
	if (errno == ECHILD) {
		track(pid, 0);
		return -1;
	}
	signal_proc(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	track(pid, 0);
	return st;
}

int proc_alive(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	int alive = 0;
	if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
		return 0;
	/* A zombie is not alive: field 3 of /proc/PID/stat is "Z". */
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) != NULL) {
		const char *rp = strrchr(buf, ')');
		alive = rp != NULL && rp[1] == ' ' && rp[2] != 'Z' &&
		        rp[2] != 'X';
	}
	fclose(f);
	return alive;
}

/* ---- running commands ----------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_read(struct buf *b, int fd)
{
	if (b->cap - b->len < 4097) {
		size_t cap = b->cap ? b->cap * 2 : 8192;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	b->len += (size_t)n;
	return 1;
}

static char *buf_str(struct buf *b, size_t *len)
{
	*len = b->len;
	if (b->p == NULL)
		return strdup("");
	b->p[b->len] = '\0';
	return b->p;
}

static int io_ready(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0) > 0;
}

/* Write to a pipe without dying of SIGPIPE if the reader is gone. */
static ssize_t write_nosigpipe(int fd, const char *p, size_t n)
{
	sigset_t pipe_set, old;
	struct timespec zero = {0, 0};
	ssize_t r;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = write(fd, p, n);
	if (r < 0 && errno == EPIPE) {
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 &&
		       errno == EINTR)
			;
		errno = EPIPE;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

static void set_result(struct proc_result *res, int st)
{
	if (WIFEXITED(st)) {
		res->exited = 1;
		res->exit_code = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		res->signaled = 1;
		res->signal = WTERMSIG(st);
	}
}

/* The pipes of a running command and what came through them. */
struct pump {
	int fd[3]; /* stdin (write end) or -1, stdout, stderr */
	const char *in;
	size_t inlen, inoff;
	struct buf out, err;
};

static void pump_close(struct pump *p, int i)
{
	close(p->fd[i]);
	p->fd[i] = -1;
}

static void pump_stdin(struct pump *p)
{
	ssize_t w = write_nosigpipe(p->fd[0], p->in + p->inoff,
	                            p->inlen - p->inoff);
	if (w > 0)
		p->inoff += (size_t)w;
	if ((w < 0 && errno != EAGAIN) || p->inoff == p->inlen)
		pump_close(p, 0);
}

static void pump_read(struct pump *p, int i)
{
	if (buf_read(i == 1 ? &p->out : &p->err, p->fd[i]) <= 0)
		pump_close(p, i);
}

/* After the command exited a grandchild may still hold the pipes: take
 * what is there without waiting for their end. */
static void pump_drain(struct pump *p)
{
	for (int i = 1; i < 3; i++)
		for (int n = 0; p->fd[i] >= 0 && io_ready(p->fd[i]) && n < 1024;
		     n++)
			pump_read(p, i);
}

/* Move data until both outputs end, the child exits, or the deadline.
 * Returns 1 if the child was reaped (status in *st). */
static int pump_run(struct pump *p, pid_t pid, long until, int *st)
{
	while (p->fd[0] >= 0 || p->fd[1] >= 0 || p->fd[2] >= 0) {
		struct pollfd pf[3];
		long left = until - proc_now_ms();
		if (left <= 0)
			return 0;
		for (int i = 0; i < 3; i++) {
			pf[i].fd = p->fd[i];
			pf[i].events = i == 0 ? POLLOUT : POLLIN;
			pf[i].revents = 0;
		}
		if (poll(pf, 3, left > 20 ? 20 : (int)left) < 0 &&
		    errno != EINTR)
			return 0;
		if (p->fd[0] >= 0 && pf[0].revents != 0)
			pump_stdin(p);
		for (int i = 1; i < 3; i++)
			if (p->fd[i] >= 0 && pf[i].revents != 0)
				pump_read(p, i);
		if (waitpid(pid, st, WNOHANG) == pid) {
			pump_drain(p);
			return 1;
		}
	}
	return 0;
}

/* Reap pid by until; past it, SIGTERM then SIGKILL to its group. Returns
 * 1 if it had to be killed. */
static int reap_by(pid_t pid, long until, int *st)
{
	long left = until - proc_now_ms();
	if (proc_wait(pid, left > 0 ? (int)left : 0, st) == 0)
		return 0;
	kill(-pid, SIGTERM);
	if (proc_wait(pid, 500, st) != 0) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, st, 0) < 0 && errno == EINTR)
			;
	}
	return 1;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

int proc_run(struct proc_result *res, const char *const argv[],
             const char *stdin_data, int timeout_ms,
             const struct proc_opts *opts)
{
	struct proc_opts o = opts != NULL ? *opts : (struct proc_opts){0};
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	struct pump p = {{-1, -1, -1}, stdin_data, 0, 0, {0}, {0}};
	int st = 0, r = -1;
	long t0 = proc_now_ms();
	pid_t pid = -1;

	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	o.stdout_path = o.stderr_path = NULL;
	o.new_pgrp = 1;
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
	    (stdin_data != NULL && pipe2(in, O_CLOEXEC) != 0))
		goto out;
	struct child_fds fds = {in[0], out[1], err[1]};
	if (spawn_fds(&pid, argv, &o, fds) != 0)
		goto out;
	p.fd[0] = in[1];
	p.fd[1] = out[0];
	p.fd[2] = err[0];
	in[1] = out[0] = err[0] = -1;
	close_pair(in);
	close_pair(out);
	close_pair(err);
	if (p.fd[0] >= 0) {
		p.inlen = strlen(stdin_data);
		fcntl(p.fd[0], F_SETFL, O_NONBLOCK);
	}
	if (!pump_run(&p, pid, t0 + timeout_ms, &st))
		res->timed_out = reap_by(pid, t0 + timeout_ms, &st);
	set_result(res, st);
	r = 0;
out:
	for (int i = 0; i < 3; i++)
		if (p.fd[i] >= 0)
			close(p.fd[i]);
	close_pair(in);
	close_pair(out);
	close_pair(err);
	res->ms = proc_now_ms() - t0;
	res->out = buf_str(&p.out, &res->out_len);
	res->err = buf_str(&p.err, &res->err_len);
	return r;
}

void proc_result_free(struct proc_result *res)
{
	if (res == NULL)
		return;
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}

/* ---- ports and files ------------------------------------------------------ */

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bind_port(int type, int port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int proc_free_port(void)
{
	for (int i = 0; i < 50; i++) {
		struct sockaddr_in a = loopback(0);
		socklen_t l = sizeof a;
		int u = bind_port(SOCK_DGRAM, 0), t;
		if (u < 0)
			return -1;
		if (getsockname(u, (struct sockaddr *)&a, &l) != 0) {
			close(u);
			return -1;
		}
		t = bind_port(SOCK_STREAM, ntohs(a.sin_port));
		close(u);
		if (t >= 0) {
			close(t);
			return ntohs(a.sin_port);
		}
	}
	errno = EADDRINUSE;
	return -1;
}

static int port_accepts(int port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;
	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

int proc_wait_port_pid(int port, int timeout_ms, pid_t pid, int *status)
{
	long until = proc_now_ms() + timeout_ms;
	for (;;) {
		if (port_accepts(port))
			return 0;
		if (pid > 0 && proc_wait(pid, 0, status) == 0) {
			errno = ECHILD;
			return -1;
		}
		if (proc_now_ms() >= until) {
			errno = ETIMEDOUT;
			return -1;
		}
		proc_sleep_ms(5);
	}
}

int proc_wait_port(int port, int timeout_ms)
{
	return proc_wait_port_pid(port, timeout_ms, 0, NULL);
}

int proc_wait_file(const char *path, int timeout_ms)
{
	long until = proc_now_ms() + timeout_ms;
	struct stat sb;
	while (stat(path, &sb) != 0) {
		if (proc_now_ms() >= until) {
			errno = ETIMEDOUT;
			return -1;
		}
		proc_sleep_ms(2);
	}
	return 0;
}

char *proc_read_file(const char *path, size_t *len)
{
	struct buf b = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	while (buf_read(&b, fd) > 0)
		;
	close(fd);
	if (b.p == NULL) {
		size_t dummy;
		return buf_str(&b, len != NULL ? len : &dummy);
	}
	b.p[b.len] = '\0';
	if (len != NULL)
		*len = b.len;
	return b.p;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	(void)remove(p);
	return 0;
}

void proc_remove_tree(const char *dir)
{
	(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
