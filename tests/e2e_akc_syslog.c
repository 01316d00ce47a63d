/*
 * e2e_akc_syslog.c -- dance-authorized-keys writes one syslog line per
 * decision, facility authpriv, with account, identity, key fingerprint,
 * verdict and reason (issue 6; sshd throws the helper's stderr away, so
 * syslog is the operator's only record).
 *
 * The test plays the syslog daemon: it binds a datagram socket at
 * /dev/log (as root) for the duration of the test and reads what the
 * helper sends there. Where a live syslog daemon already owns /dev/log the
 * test is skipped (it must not steal the system's log); a stale socket
 * left by a crashed run is replaced. The helper runs as sshd would run it
 * (tests/support/sshd.h), against the rig's signed zones.
 */
#include "proc.h"
#include "rig.h"
#include "rig_hooks.h"
#include "sshd.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#define DEVLOG  "/dev/log"
#define ACCOUNT "dtk-slog"

static const char *const accounts[] = {ACCOUNT, NULL};

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	const struct rig *rig;

	(void)set;
	if ((rig = rig_start()) == NULL)
		return;
	struct sshd_opts o = {
	        .helper = DANCE_AKC_HELPER,
	        .dance_conf = rig_conf(rig, RIG_CONF_FRONT),
	        .accounts = accounts,
	        .akc_user = "dance-akc-s",
	};
	(void)sshd_shared_start(&o);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	int failed = stats->tests_failed + stats->tests_crashed > 0;

	sshd_shared_finish(failed);
	rig_finish(failed);
}

static int listener = -1;

/* 1 if a process accepts datagrams at /dev/log (a live syslog daemon). */
static int devlog_is_live(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), live;

	if (fd < 0)
		return 1; /* cannot tell: leave it alone */
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", DEVLOG);
	live = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ||
	       errno != ECONNREFUSED;
	close(fd);
	return live;
}

static void stop_listening(void)
{
	if (listener >= 0) {
		close(listener);
		listener = -1;
		unlink(DEVLOG);
	}
}

static void listen_on_devlog(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;

	if (lstat(DEVLOG, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || devlog_is_live())
			cr_skip_test(
			        "%s belongs to a running syslog daemon: not "
			        "replacing it",
			        DEVLOG);
		cr_assert_eq(unlink(DEVLOG), 0, "stale %s: %s", DEVLOG,
		             strerror(errno));
	}
	listener = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(listener, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", DEVLOG);
	cr_assert_eq(bind(listener, (struct sockaddr *)&sa, sizeof sa), 0,
	             "bind %s: %s", DEVLOG, strerror(errno));
	/* the helper runs as the unprivileged AuthorizedKeysCommandUser */
	cr_assert_eq(chmod(DEVLOG, 0666), 0);
}

/* Read datagrams for up to ms milliseconds, appending them to buf (one
 * per line) until one contains want. 1 if it came. */
static int collect(char *buf, size_t len, const char *want, int ms)
{
	long end = proc_now_ms() + ms;

	while (strstr(buf, want) == NULL) {
		struct pollfd p = {.fd = listener, .events = POLLIN};
		long left = end - proc_now_ms();
		char msg[2048];
		ssize_t n;
		size_t used = strlen(buf);

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		n = recv(listener, msg, sizeof msg - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		snprintf(buf + used, len - used, "%s\n", msg);
	}
	return 1;
}

static char *fixture_b64(const char *rel)
{
	char path[1024];
	char *s;

	cr_assert_not_null(rig_fixture(path, sizeof path, rel), "%s", rel);
	s = proc_read_file(path, NULL);
	cr_assert_not_null(s, "%s", path);
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/* <PRI> of authpriv.info and authpriv.err as syslog(3) writes it. */
static void priority(char *buf, size_t len, int level)
{
	snprintf(buf, len, "<%d>", LOG_AUTHPRIV | level);
}

Test(akc_syslog, one_line_per_decision, .fini = stop_listening)
{
	const struct sshd *s = sshd_shared();
	char *ed = NULL, *stranger = NULL;
	char got[16384] = "", pri[16];
	struct proc_result res;

	cr_assert_not_null(s, "the test sshd did not start (see stderr)");
	listen_on_devlog();
	cr_assert_eq(sshd_authorize(s, ACCOUNT, "ed@ssh.test\n", 0644), 0);
	ed = fixture_b64("sshd/ed.b64");
	stranger = fixture_b64("sshd/stranger.b64");

	/* accepted: the key published at ed._user.ssh.test */
	cr_assert_eq(sshd_helper_run(
	                     s,
	                     (const char *[]){ACCOUNT, "ssh-ed25519", ed, NULL},
	                     &res, 10000),
	             0);
	cr_expect_neq(res.out_len, 0, "no key line for the published key");
	proc_result_free(&res);
	cr_assert(collect(got, sizeof got, "verdict=accepted", 3000),
	          "no syslog line for the accepted key; got:\n%s", got);
	priority(pri, sizeof pri, LOG_INFO);
	cr_expect_not_null(strstr(got, pri), "not authpriv.info:\n%s", got);
	cr_expect_not_null(strstr(got, "dance-authorized-keys["),
	                   "no ident with pid:\n%s", got);
	cr_expect_not_null(strstr(got, "account=" ACCOUNT
	                               " identity=ed@ssh.test key=\"ED25519 "
	                               "SHA256:"),
	                   "account, identity or fingerprint missing:\n%s",
	                   got);

	/* refused: a key DNS does not know; nothing printed, reason logged */
	got[0] = '\0';
	cr_assert_eq(sshd_helper_run(s,
	                             (const char *[]){ACCOUNT, "ssh-ed25519",
	                                              stranger, NULL},
	                             &res, 10000),
	             0);
	cr_expect(res.exited && res.exit_code == 0);
	cr_expect_eq(res.out_len, 0, "printed for a refused key: %s", res.out);
	proc_result_free(&res);
	cr_assert(collect(got, sizeof got, "verdict=refused", 3000),
	          "no syslog line for the refused key; got:\n%s", got);
	cr_expect_not_null(strstr(got, "account=" ACCOUNT), "%s", got);
	cr_expect_not_null(strstr(got, "reason=\"ed@ssh.test: no-match"),
	                   "reason missing:\n%s", got);
	free(ed);
	free(stranger);
}
