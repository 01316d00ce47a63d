/*
 * unit_proc.c -- the process helpers of the test support library
 * (support/proc.h): run with capture and timeout, spawn and stop, exec
 * failures, ports.
 */
#include "proc.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct run_case {
	const char *name;
	const char *script; /* bash -c */
	const char *in;     /* stdin, or NULL */
	int timeout_ms;
	int exited, code, timed_out;
	const char *out, *err;
};

Test(proc, run_table)
{
	static const struct run_case cases[] = {
	        {"stdout", "echo hello", NULL, 5000, 1, 0, 0, "hello\n", ""},
	        {"stderr", "echo oops >&2", NULL, 5000, 1, 0, 0, "", "oops\n"},
	        {"exit code", "exit 3", NULL, 5000, 1, 3, 0, "", ""},
	        {"stdin", "tr a-z A-Z", "abc\n", 5000, 1, 0, 0, "ABC\n", ""},
	        {"no stdin", "cat", NULL, 5000, 1, 0, 0, "", ""},
	        {"stdin ignored", "exit 0", "data that nobody reads\n", 5000, 1,
	         0, 0, "", ""},
	        {"signal", "kill -TERM $$", NULL, 5000, 0, -1, 0, "", ""},
	        {"timeout", "sleep 10", NULL, 300, 0, -1, 1, "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct run_case *c = &cases[i];
		const char *argv[] = {"bash", "-c", c->script, NULL};
		struct proc_result res;
		cr_assert_eq(proc_run(&res, argv, c->in, c->timeout_ms, NULL),
		             0, "%s", c->name);
		cr_expect_eq(res.exited, c->exited, "%s", c->name);
		cr_expect_eq(res.exit_code, c->code, "%s: %d", c->name,
		             res.exit_code);
		cr_expect_eq(res.timed_out, c->timed_out, "%s", c->name);
		cr_expect_str_eq(res.out, c->out, "%s", c->name);
		cr_expect_str_eq(res.err, c->err, "%s", c->name);
		cr_expect_lt(res.ms, 5000, "%s took %ld ms", c->name, res.ms);
		proc_result_free(&res);
	}
}

Test(proc, timeout_kills_the_process_group)
{
	const char *argv[] = {"bash", "-c", "sleep 30 & echo $!; wait", NULL};
	struct proc_result res;
	cr_assert_eq(proc_run(&res, argv, NULL, 300, NULL), 0);
	cr_expect(res.timed_out);
	pid_t grandchild = (pid_t)strtol(res.out, NULL, 10);
	cr_assert_gt(grandchild, 0);
	long until = proc_now_ms() + 2000;
	while (proc_alive(grandchild) && proc_now_ms() < until)
		proc_sleep_ms(5);
	cr_expect(!proc_alive(grandchild), "the background sleep survived");
	proc_result_free(&res);
}

/* The command exits while a background child still holds its stdout:
 * proc_run() returns with what was written, without waiting for it. */
Test(proc, grandchild_holding_the_pipe_does_not_block)
{
	const char *argv[] = {"bash", "-c", "sleep 30 & echo $!", NULL};
	struct proc_result res;
	cr_assert_eq(proc_run(&res, argv, NULL, 20000, NULL), 0);
	cr_expect(res.exited && res.exit_code == 0);
	cr_expect_eq(res.timed_out, 0);
	cr_expect_lt(res.ms, 10000);
	pid_t grandchild = (pid_t)strtol(res.out, NULL, 10);
	cr_assert_gt(grandchild, 0);
	kill(grandchild, SIGKILL);
	proc_result_free(&res);
}

Test(proc, env_and_cwd)
{
	const char *env[] = {"DANCE_T1=one", "HOME=/nonexistent-home", NULL};
	struct proc_opts o = {.env = env, .cwd = "/"};
	const char *argv[] = {"bash", "-c", "echo $DANCE_T1 $HOME $PWD", NULL};
	struct proc_result res;
	cr_assert_eq(proc_run(&res, argv, NULL, 5000, &o), 0);
	cr_expect_str_eq(res.out, "one /nonexistent-home /\n");
	proc_result_free(&res);
}

Test(proc, exec_failure_is_reported)
{
	const char *argv[] = {"/nonexistent/program", NULL};
	const char *noargv[] = {NULL};
	pid_t pid = 1;
	struct proc_result res;
	errno = 0;
	cr_expect_eq(proc_spawn(&pid, argv, NULL), -1);
	cr_expect_eq(errno, ENOENT);
	cr_expect_eq(pid, -1);
	cr_expect_eq(proc_run(&res, argv, NULL, 1000, NULL), -1);
	cr_expect_str_eq(res.out, "");
	proc_result_free(&res);
	cr_expect_eq(proc_spawn(&pid, noargv, NULL), -1);
	cr_expect_eq(errno, EINVAL);
	struct proc_opts o = {.cwd = "/nonexistent-dir"};
	const char *sh[] = {"true", NULL};
	cr_expect_eq(proc_spawn(&pid, sh, &o), -1);
	cr_expect_eq(errno, ENOENT);
}

Test(proc, spawn_stop_and_reap)
{
	const char *argv[] = {"sleep", "30", NULL};
	pid_t pid;
	cr_assert_eq(proc_spawn(&pid, argv, NULL), 0);
	cr_expect(proc_alive(pid));
	cr_expect_eq(proc_wait(pid, 50, NULL), -1);
	cr_expect_eq(errno, ETIMEDOUT);
	int st = proc_stop(pid, 2000);
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %d", st);
	cr_expect(!proc_alive(pid));
	cr_expect_eq(proc_stop(pid, 100), -1, "already reaped");
	cr_expect_eq(proc_stop(0, 100), -1);
}

Test(proc, stop_escalates_to_sigkill)
{
	char path[] = "/tmp/dance-proc-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	/* a TERM-proof group: the shell and its child ignore SIGTERM */
	const char *argv[] = {"bash", "-c",
	                      "trap '' TERM; sleep 30 & echo ready; wait",
	                      NULL};
	struct proc_opts o = {.new_pgrp = 1, .stdout_path = path};
	pid_t pid;
	cr_assert_eq(proc_spawn(&pid, argv, &o), 0);
	for (int i = 0; i < 1000; i++) {
		char *t = proc_read_file(path, NULL);
		int ready = t != NULL && strstr(t, "ready") != NULL;
		free(t);
		if (ready)
			break;
		proc_sleep_ms(5);
	}
	unlink(path);
	long t0 = proc_now_ms();
	int st = proc_stop(pid, 200);
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %d", st);
	cr_expect_lt(proc_now_ms() - t0, 1500);
}

Test(proc, output_to_files)
{
	char path[] = "/tmp/dance-proc-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	const char *argv[] = {"bash", "-c", "echo out; echo err >&2", NULL};
	struct proc_opts o = {.stdout_path = path, .stderr_path = path};
	pid_t pid;
	int st;
	cr_assert_eq(proc_spawn(&pid, argv, &o), 0);
	cr_assert_eq(proc_wait(pid, 5000, &st), 0);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char *t = proc_read_file(path, NULL);
	cr_expect_str_eq(t, "out\nerr\n");
	free(t);
	unlink(path);
	cr_expect_null(proc_read_file("/nonexistent/file", NULL));
}

Test(proc, ports)
{
	int port = proc_free_port();
	cr_assert_gt(port, 1023);
	cr_expect_eq(proc_wait_port(port, 100), -1, "nobody listens yet");
	cr_expect_eq(errno, ETIMEDOUT);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(fd, 4), 0);
	cr_expect_eq(proc_wait_port(port, 1000), 0);
	close(fd);
	/* a server that dies: give up at once */
	const char *argv[] = {"false", NULL};
	pid_t pid;
	int st = 0;
	cr_assert_eq(proc_spawn(&pid, argv, NULL), 0);
	long t0 = proc_now_ms();
	cr_expect_eq(proc_wait_port_pid(proc_free_port(), 5000, pid, &st), -1);
	cr_expect_eq(errno, ECHILD);
	cr_expect_lt(proc_now_ms() - t0, 2000);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}

Test(proc, wait_file)
{
	cr_expect_eq(proc_wait_file("/", 10), 0);
	cr_expect_eq(proc_wait_file("/nonexistent/x", 30), -1);
	cr_expect_eq(errno, ETIMEDOUT);
}
