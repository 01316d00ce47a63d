/*
 * proc.h -- processes and ports for tests: start servers that die with the
 * test, run commands with a deadline, find free loopback ports.
 *
 * Every process started here gets PR_SET_PDEATHSIG(SIGTERM): it is sent
 * SIGTERM when the *thread* that started it exits (so start long-lived
 * servers from the test's main thread, or from Criterion's ReportHook(PRE_ALL)
 * for a whole test binary). It starts with every signal unblocked and at
 * its default disposition, stdin from /dev/null unless given, and no
 * inherited file descriptor other than 0, 1 and 2.
 *
 * Typical server start in a test:
 *
 *     int port = proc_free_port();
 *     char p[16];
 *     snprintf(p, sizeof p, "%d", port);
 *     const char *argv[] = {"/usr/sbin/slapd", "-d", "0", "-h", url, "-f",
 *                           conf, NULL};
 *     struct proc_opts o = {.stdout_path = log, .stderr_path = log};
 *     pid_t pid;
 *     cr_assert_eq(proc_spawn(&pid, argv, &o), 0);
 *     cr_assert_eq(proc_wait_port(port, 5000), 0, "slapd did not start");
 *     ...
 *     proc_stop(pid, 3000);   // SIGTERM, then SIGKILL after 3 s; reaped
 *
 * A child that the test forgets is still stopped: proc_spawn() records
 * every pid, and an atexit handler (and the PDEATHSIG, if the test process
 * crashes) stops those still running.
 *
 * Short commands: proc_run() captures stdout and stderr and enforces a
 * timeout (killing the command's whole process group).
 *
 * All functions return 0 on success and -1 on failure with errno set,
 * unless said otherwise. Not thread-safe among themselves for the same
 * pid; different pids from different threads are fine.
 */
#ifndef DANCE_TEST_PROC_H
#define DANCE_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct proc_opts {
	/* Files for the child's stdout / stderr (created or appended);
	 * NULL: inherit the test's. "/dev/null" to discard. The same path
	 * for both shares one descriptor. */
	const char *stdout_path;
	const char *stderr_path;
	/* "NAME=value" strings added to (or replacing in) the child's
	 * environment; NULL-terminated, or NULL. */
	const char *const *env;
	/* Working directory of the child, or NULL. */
	const char *cwd;
	/* 1: the child leads a new process group (proc_stop() then signals
	 * the whole group, e.g. a shell script and what it started). */
	int new_pgrp;
	/* Signal sent when the starting thread dies; 0 means SIGTERM. */
	int pdeathsig;
};

/*
 * Start argv[0] (searched in PATH if it has no '/') with argv. *pid is the
 * child's pid. Fails (-1, errno from execve) if the program could not be
 * executed: exec failures are reported, not hidden in a child that exits
 * 127. opts may be NULL.
 */
int proc_spawn(pid_t *pid, const char *const argv[],
               const struct proc_opts *opts);

/* The outcome of proc_run(). out and err are NUL-terminated (and may hold
 * NULs inside; use the lengths). Free with proc_result_free(). */
struct proc_result {
	int exited;    /* 1: exited normally; code in exit_code */
	int exit_code; /* exit status if exited, else -1 */
	int signaled;  /* 1: killed by a signal (also after a timeout) */
	int signal;    /* that signal */
	int timed_out; /* 1: we killed it at the timeout */
	long ms;       /* wall time it ran */
	char *out;     /* captured stdout ("" if none) */
	size_t out_len;
	char *err; /* captured stderr ("" if none) */
	size_t err_len;
};

/*
 * Run argv to completion, with stdin_data (NULL: /dev/null) on its stdin,
 * capturing stdout and stderr (opts->stdout_path and stderr_path are
 * ignored). After timeout_ms the command's process group gets SIGTERM,
 * then SIGKILL 500 ms later, and res->timed_out is 1. Returns 0 when the
 * command ran (whatever its status: look at res), -1 if it could not be
 * started. res is always initialised; free it with proc_result_free().
 */
int proc_run(struct proc_result *res, const char *const argv[],
             const char *stdin_data, int timeout_ms,
             const struct proc_opts *opts);

/* Free the buffers of a result (the struct itself is the caller's). */
void proc_result_free(struct proc_result *res);

/*
 * Wait up to timeout_ms for pid (a child of ours) to exit, and reap it.
 * *status (if not NULL) receives the waitpid() status. 0 when reaped, -1
 * with errno ETIMEDOUT if still running, or ECHILD.
 */
int proc_wait(pid_t pid, int timeout_ms, int *status);

/*
 * Stop a child: SIGTERM (to its process group if it leads one), wait up to
 * grace_ms, then SIGKILL; always reaped. Returns the waitpid() status, or
 * -1 if pid is not a child of ours. pid <= 0 is ignored (returns -1).
 */
int proc_stop(pid_t pid, int grace_ms);

/* 1 if pid exists (a zombie counts as gone), else 0. */
int proc_alive(pid_t pid);

/*
 * A port on 127.0.0.1 that is free for TCP and UDP right now (the kernel
 * picks it from the ephemeral range). Another process may take it before
 * you bind it: servers that fail to bind should be retried with a new
 * port. Returns the port or -1.
 */
int proc_free_port(void);

/* Wait until a TCP connection to 127.0.0.1:port succeeds, up to
 * timeout_ms. 0 or -1 (ETIMEDOUT). */
int proc_wait_port(int port, int timeout_ms);

/* As proc_wait_port(), but give up at once (-1, ECHILD) if pid exits
 * meanwhile (it is then reaped; *status gets its status if not NULL). */
int proc_wait_port_pid(int port, int timeout_ms, pid_t pid, int *status);

/* Wait until path exists, up to timeout_ms. 0 or -1 (ETIMEDOUT). */
int proc_wait_file(const char *path, int timeout_ms);

/* Read a whole file into a malloc'd NUL-terminated buffer (*len without
 * the NUL, if len is not NULL). NULL on error. */
char *proc_read_file(const char *path, size_t *len);

/* Milliseconds of CLOCK_MONOTONIC, for timing in tests. */
long proc_now_ms(void);

/* Sleep ms milliseconds (resumed after signals). */
void proc_sleep_ms(long ms);

/* Remove dir and everything below it (links not followed); what cannot be
 * removed stays, silently (test clean-up). */
void proc_remove_tree(const char *dir);

#endif /* DANCE_TEST_PROC_H */
