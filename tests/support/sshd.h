/*
 * sshd.h -- a real OpenSSH sshd for tests, benchmarks and the demo, with
 * dance-authorized-keys as its AuthorizedKeysCommand.
 *
 * Debian's /usr/sbin/sshd runs in the foreground (-D -e) on a free port of
 * 127.0.0.1 with its own configuration and host key, UsePAM no,
 * StrictModes yes, and
 *
 *     AuthorizedKeysFile none   (or RUNDIR/keys/%u for plain-key accounts)
 *     AuthorizedKeysCommand RUNDIR/libexec/dance-authorized-keys
 *             -c RUNDIR/etc/dance.conf -l RUNDIR/logs/akc.log %u %t %k
 *     AuthorizedKeysCommandUser SSHD_AKC_USER (created if missing)
 *
 * sshd insists that the command and every directory above it be owned by
 * root and not writable by group or others (so nothing under /tmp). The
 * run directory is therefore BUILD/sshd-runs/sshd.XXXXXX when every
 * directory above the build tree qualifies (and lets the unprivileged
 * helper user through), else /run/dance-sshd.XXXXXX. The helper is copied
 * there, and so is its configuration with every file it names (trust
 * anchors, unbound-config, tls-ca-bundle), so the helper user can read
 * them wherever the build tree is. Every file and directory there is
 * root's, with explicit modes (0644, 0755): the helper checks dance.conf
 * and the files it names like sshd's StrictModes and exits 2 otherwise
 * (sshd/confcheck.c). conf_extra lines are appended verbatim: a file they
 * name must qualify too.
 *
 * The helper logs every decision to syslog and, here, also to
 * RUNDIR/logs/akc.log (its -l option): tests read the reasons from there.
 * sshd's own log is RUNDIR/logs/sshd.log.
 *
 * One sshd for a whole Criterion test binary, as for the DNS rig: start it
 * in a ReportHook(PRE_ALL) with sshd_shared_start(); tests attach with
 * sshd_shared() (through DANCE_SSHD_ENV); ReportHook(POST_ALL) calls
 * sshd_shared_finish(failed), which stops sshd by its PID, deletes the
 * test accounts, and deletes the run directory unless a test failed (then
 * it prints where the logs are). A private instance: sshd_start() and
 * sshd_stop(). Accounts are created with useradd and unlocked with
 * usermod -p '*' (needed for key logins with UsePAM no); needs root.
 */
#ifndef DANCE_TEST_SSHD_H
#define DANCE_TEST_SSHD_H

#include "proc.h"

#include <stddef.h>
#include <sys/types.h>

/* The AuthorizedKeysCommandUser of tests (a system account, no shell). */
#define SSHD_AKC_USER "dance-akc-t"

struct sshd_opts {
	const char *helper;          /* built dance-authorized-keys (copied) */
	const char *dance_conf;      /* dance.conf to start from (copied with
	                                the files it names) */
	const char *conf_extra;      /* lines appended to the copy, or NULL */
	const char *unbound_extra;   /* lines appended to the copied
	                                unbound-config file, or NULL */
	const char *const *accounts; /* test accounts to create (NULL-ended) */
	const char *const *plain;    /* of those, accounts that use a plain
	                                authorized_keys file instead of the
	                                helper (NULL-ended or NULL) */
	const char *akc_user;        /* NULL: SSHD_AKC_USER */
	const char *log_level;       /* sshd LogLevel; NULL: VERBOSE */
};

/* A running sshd. Every path is absolute. Read-only for tests. */
struct sshd {
	char *rundir;
	char *helper;      /* RUNDIR/libexec/dance-authorized-keys */
	char *sshd_config; /* RUNDIR/etc/sshd_config */
	char *dance_conf;  /* RUNDIR/etc/dance.conf: the helper's -c */
	char *authdir;     /* RUNDIR/authorized: ssh-authorized-dir */
	char *keysdir;     /* RUNDIR/keys: plain authorized_keys files */
	char *sshd_log;    /* RUNDIR/logs/sshd.log */
	char *akc_log;     /* RUNDIR/logs/akc.log: the helper's -l */
	char *akc_user;
	char *accounts; /* space-separated accounts we created */
	int port;
	pid_t pid;
};

/* Start a private sshd (accounts created). NULL on failure, with the
 * reason on stderr (and the run directory kept). */
struct sshd *sshd_start(const struct sshd_opts *o);

/* Stop it by PID (reaped), delete the accounts it created, delete its run
 * directory unless keep (then print where it is), free it. NULL is
 * allowed. */
void sshd_stop(struct sshd *s, int keep);

/* In the test runner (ReportHook PRE_ALL): start the shared sshd and
 * export DANCE_SSHD_ENV for the tests. 0 or -1. */
int sshd_shared_start(const struct sshd_opts *o);

/* In a test: the shared sshd (NULL if it did not start). */
const struct sshd *sshd_shared(void);

/* In the runner (ReportHook POST_ALL): stop the shared sshd, keeping its
 * run directory if failed. */
void sshd_shared_finish(int failed);

/* Write ACCOUNT's authorization file (root-owned, mode). 0 or -1. */
int sshd_authorize(const struct sshd *s, const char *account, const char *text,
                   mode_t mode);

/* Write ACCOUNT's plain authorized_keys file (keysdir) from a .pub file. */
int sshd_plain_key(const struct sshd *s, const char *account,
                   const char *pubfile);

/*
 * Log in as account with the private key file key (its KEY-cert.pub, if
 * present, is offered too) and run cmd. extra: more ssh arguments
 * (NULL-ended) or NULL. res as for proc_run(); success is exit code 0.
 * Returns 0 if ssh ran.
 */
int ssh_login(const struct sshd *s, const char *account, const char *key,
              const char *cmd, const char *const *extra,
              struct proc_result *res, int timeout_ms);

/* Run the helper as the AuthorizedKeysCommandUser, as sshd would:
 * HELPER -c CONF -l LOG args... . Returns 0 if it ran. */
int sshd_helper_run(const struct sshd *s, const char *const *args,
                    struct proc_result *res, int timeout_ms);

/* Size of a log file now (0 if missing), to read what comes after. */
long sshd_log_mark(const char *path);

/* What was appended to path since mark (malloc'd, "" if nothing). */
char *sshd_log_since(const char *path, long mark);

/* Create a test account (useradd -M -d / -s /bin/sh, then usermod -p '*');
 * an existing account is reused. 0 or -1. */
int sshd_account_add(const char *name);

/* Delete it (userdel). 0 or -1. */
int sshd_account_del(const char *name);

#endif /* DANCE_TEST_SSHD_H */
