/*
 * rig_selftest.c -- the DNS rig itself, against real nsd: it starts fast,
 * every name gives its class (libunbound directly, through the front end
 * and with the parent anchor alone), the configuration variants, the black
 * hole, the slow and delaying servers, the query log, the SERVFAIL names,
 * zone updates with reload, and that no process outlives the rig.
 */
#include "proc.h"
#include "rig.h"
#include "rig_ub.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rig_hooks.h"

#define T_TLSA 52
#define T_A    1

/* ---- raw DNS over UDP/TCP, to talk to one server directly --------------- */

static size_t make_query(unsigned char *q, size_t len, const char *name,
                         int qtype, unsigned id)
{
	size_t o = 12;
	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;
	for (const char *p = name; *p != '\0' && o + 70 < len;) {
		size_t l = strcspn(p, ".");
		q[o++] = (unsigned char)l;
		memcpy(q + o, p, l);
		o += l;
		p += l + (p[l] == '.');
	}
	q[o++] = 0;
	q[o++] = (unsigned char)(qtype >> 8);
	q[o++] = (unsigned char)qtype;
	q[o++] = 0;
	q[o++] = 1;
	return o;
}

/* The rcode of the answer, -1 if none came within timeout_ms, -2 on a
 * local error. *ms gets the time until the answer (or the timeout). */
static int raw_query(int port, int tcp, const char *name, int qtype,
                     int timeout_ms, long *ms)
{
	unsigned char q[512], a[4096];
	unsigned id = (unsigned)(getpid() ^ proc_now_ms()) & 0xffff;
	size_t ql = make_query(q + 2, sizeof q - 2, name, qtype, id);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	long t0 = proc_now_ms();
	int fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0), rc = -2;
	q[0] = (unsigned char)(ql >> 8);
	q[1] = (unsigned char)ql;
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		goto out;
	if (send(fd, tcp ? q : q + 2, tcp ? ql + 2 : ql, MSG_NOSIGNAL) < 0)
		goto out;
	rc = -1;
	struct pollfd p = {fd, POLLIN, 0};
	size_t got = 0, need = tcp ? 2 : 1;
	while (got < need) {
		long left = t0 + timeout_ms - proc_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			goto out;
		ssize_t n = recv(fd, a + got, sizeof a - got, 0);
		if (n <= 0)
			goto out;
		got += (size_t)n;
		if (tcp && got >= 2)
			need = 2 + (size_t)(a[0] << 8 | a[1]);
		if (need > sizeof a)
			goto out;
	}
	unsigned char *m = tcp ? a + 2 : a;
	if (got - (tcp ? 2 : 0) >= 12 && m[0] == q[2] && m[1] == q[3] &&
	    (m[2] & 0x80))
		rc = m[3] & 0x0f;
out:
	if (ms != NULL)
		*ms = proc_now_ms() - t0;
	if (fd >= 0)
		close(fd);
	return rc;
}

static const struct rig *shared_rig(void)
{
	const struct rig *r = rig_start();
	cr_assert_not_null(r, "the rig did not start (see stderr)");
	return r;
}

/* ---- start-up and files ---------------------------------------------------- */

Test(rig, starts_fast_with_its_files)
{
	const struct rig *r = shared_rig();
	const char *files[] = {r->conf,         r->conf_slow,
	                       r->conf_delay,   r->conf_blackhole,
	                       r->unbound_conf, r->query_log};
	struct stat sb;
	cr_expect_lt(r->startup_ms, 1000, "start-up took %ld ms",
	             r->startup_ms);
	cr_expect(proc_alive(r->pid));
	cr_expect(proc_alive(r->nsd_pid));
	int ports[] = {r->nsd_port, r->port, r->slow_port, r->delay_port,
	               r->blackhole_port};
	for (size_t i = 0; i < 5; i++) {
		cr_expect_gt(ports[i], 1023);
		for (size_t k = 0; k < i; k++)
			cr_expect_neq(ports[i], ports[k]);
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		cr_expect_eq(stat(files[i], &sb), 0, "%s", files[i]);
	cr_expect_eq(r->slow_ms, 1500);
	cr_expect_eq(r->delay_ms, 150);
}

/* Every variant is the front one with another forward line. */
Test(rig, conf_variants_differ_in_forward_only)
{
	const struct rig *r = shared_rig();
	const struct {
		const char *path;
		int port;
	} v[] = {{r->conf, r->port},
	         {r->conf_slow, r->slow_port},
	         {r->conf_delay, r->delay_port},
	         {r->conf_blackhole, r->blackhole_port}};
	char *base = NULL;
	for (size_t i = 0; i < 4; i++) {
		char want[64], *text = proc_read_file(v[i].path, NULL), *p;
		cr_assert_not_null(text, "%s", v[i].path);
		snprintf(want, sizeof want, "\nforward 127.0.0.1@%d\n",
		         v[i].port);
		p = strstr(text, want);
		cr_assert_not_null(p, "%s lacks%s", v[i].path, want);
		cr_expect_not_null(strstr(text, "\nresolver forward\n"));
		cr_expect_not_null(strstr(text, "\nallow-domain *\n"));
		cr_expect_not_null(strstr(text, "\nlookup-timeout 1000\n"));
		cr_expect_not_null(strstr(text, "/anchors/good.test.ds\n"));
		cr_expect_not_null(strstr(text, "/anchors/test.ds\n"));
		cr_expect_null(strstr(text, "/anchors/insecure"));
		cr_expect_not_null(strstr(text, "\nunbound-config "));
		/* from the forward line on, all four are the same */
		p = strchr(p + 1, '\n');
		if (base == NULL)
			base = strdup(p);
		else
			cr_expect_str_eq(p, base, "%s", v[i].path);
		free(text);
	}
	free(base);
}

/* ---- answer classes ---------------------------------------------------------- */

static void expect_classes(struct ub_ctx *ctx, const char *how)
{
	cr_assert_not_null(ctx);
	for (size_t i = 0; i < rig_names_count; i++) {
		char why[512];
		long ms;
		int deadline = rig_names[i].timeout ? 500 : 5000;
		enum dance_dns_class c =
		        rig_ub_lookup(ctx, rig_names[i].name, T_TLSA, deadline,
		                      &ms, NULL, why, sizeof why);
		cr_expect_eq(c, rig_names[i].cls,
		             "%s: %s (%s): got %s, want %s (%s)", how,
		             rig_names[i].name, rig_names[i].what,
		             dance_dns_class_name(c),
		             dance_dns_class_name(rig_names[i].cls), why);
	}
	ub_ctx_delete(ctx);
}

Test(rig, every_name_gives_its_class)
{
	expect_classes(rig_ub_ctx(rig_conf(shared_rig(), RIG_CONF_FRONT)),
	               "front");
}

/* The same with the anchor of the parent zone test. only: the children
 * are reached through signed delegations. */
Test(rig, classes_through_the_signed_parent)
{
	const struct rig *r = shared_rig();
	char ta[4096], fwd[64];
	struct ub_ctx *ctx = ub_ctx_create();
	cr_assert_not_null(ctx);
	snprintf(fwd, sizeof fwd, "127.0.0.1@%d", r->port);
	cr_assert_not_null(rig_fixture(ta, sizeof ta, "anchors/test.ds"));
	cr_assert_eq(ub_ctx_async(ctx, 1), 0);
	cr_assert_eq(ub_ctx_config(ctx, r->unbound_conf), 0);
	cr_assert_eq(ub_ctx_add_ta_file(ctx, ta), 0);
	cr_assert_eq(ub_ctx_set_fwd(ctx, fwd), 0);
	expect_classes(ctx, "test. anchor only");
}

/* Without the test. nodefault line libunbound answers .test itself. */
Test(rig, builtin_test_zone_hides_the_rig_without_unbound_config)
{
	const struct rig *r = shared_rig();
	char fwd[64], ta[4096];
	struct ub_ctx *ctx = ub_ctx_create();
	cr_assert_not_null(ctx);
	snprintf(fwd, sizeof fwd, "127.0.0.1@%d", r->port);
	cr_assert_not_null(rig_fixture(ta, sizeof ta, "anchors/test.ds"));
	cr_assert_eq(ub_ctx_async(ctx, 1), 0);
	cr_assert_eq(ub_ctx_add_ta_file(ctx, ta), 0);
	cr_assert_eq(ub_ctx_set_fwd(ctx, fwd), 0);
	cr_assert_eq(ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"),
	             0);
	int rcode;
	enum dance_dns_class c = rig_ub_lookup(ctx, "_user.good.test", T_TLSA,
	                                       3000, NULL, &rcode, NULL, 0);
	cr_expect_eq(rcode, 3, "rcode %d", rcode);
	cr_expect_neq(c, DANCE_DNS_SECURE);
	ub_ctx_delete(ctx);
}

/* ---- the black hole, slow and delaying servers ------------------------------ */

Test(rig, blackhole_never_answers)
{
	const struct rig *r = shared_rig();
	long ms;
	cr_expect_eq(raw_query(r->blackhole_port, 0, "_user.good.test", T_TLSA,
	                       1200, &ms),
	             -1, "UDP");
	cr_expect_geq(ms, 1200);
	cr_expect_eq(raw_query(r->blackhole_port, 1, "_user.good.test", T_TLSA,
	                       500, &ms),
	             -1, "TCP");
	cr_expect_geq(ms, 500);
}

Test(rig, blackhole_lookup_ends_at_the_deadline)
{
	struct ub_ctx *ctx =
	        rig_ub_ctx(rig_conf(shared_rig(), RIG_CONF_BLACKHOLE));
	long ms;
	cr_assert_not_null(ctx);
	enum dance_dns_class c = rig_ub_lookup(ctx, "_user.good.test", T_TLSA,
	                                       1000, &ms, NULL, NULL, 0);
	cr_expect_eq(c, DANCE_DNS_INDETERMINATE);
	cr_expect_geq(ms, 1000);
	cr_expect_lt(ms,
	             1500); /* the deadline's precision is libdance's test */
	ub_ctx_delete(ctx);
}

Test(rig, slow_and_delay_answer_after_their_delay)
{
	const struct rig *r = shared_rig();
	for (int tcp = 0; tcp <= 1; tcp++) {
		long ms;
		int rc = raw_query(r->slow_port, tcp, "www.bogus.test", T_A,
		                   4000, &ms);
		cr_expect_eq(rc, 0, "slow %s: rcode %d", tcp ? "tcp" : "udp",
		             rc);
		cr_expect_geq(ms, r->slow_ms);
		cr_expect_lt(ms, r->slow_ms + 1000);
		rc = raw_query(r->delay_port, tcp, "www.bogus.test", T_A, 4000,
		               &ms);
		cr_expect_eq(rc, 0, "delay %s: rcode %d", tcp ? "tcp" : "udp",
		             rc);
		cr_expect_geq(ms, r->delay_ms);
		cr_expect_lt(ms, r->delay_ms + 500);
		rc = raw_query(r->port, tcp, "www.bogus.test", T_A, 4000, &ms);
		cr_expect_eq(rc, 0);
		cr_expect_lt(ms, 500, "front took %ld ms", ms);
	}
}

/* With the 1000 ms deadline of the configurations: the slow server's
 * answers come too late, the delaying server's in time. */
Test(rig, slow_refused_delay_used_at_the_deadline)
{
	const struct rig *r = shared_rig();
	struct ub_ctx *slow = rig_ub_ctx(rig_conf(r, RIG_CONF_SLOW));
	struct ub_ctx *delay = rig_ub_ctx(rig_conf(r, RIG_CONF_DELAY));
	long ms;
	cr_assert_not_null(slow);
	cr_assert_not_null(delay);
	cr_expect_eq(rig_ub_lookup(slow, "_user.good.test", T_TLSA, 1000, &ms,
	                           NULL, NULL, 0),
	             DANCE_DNS_INDETERMINATE);
	cr_expect_lt(ms, 1500);
	cr_expect_eq(rig_ub_lookup(delay, "_user.good.test", T_TLSA, 1000, &ms,
	                           NULL, NULL, 0),
	             DANCE_DNS_SECURE);
	cr_expect_geq(ms, r->delay_ms);
	ub_ctx_delete(slow);
	ub_ctx_delete(delay);
}

/* ---- query log and SERVFAIL names --------------------------------------------- */

Test(rig, query_log_counts_names)
{
	const struct rig *r = shared_rig();
	char name[128], upper[128];
	snprintf(name, sizeof name, "qlog-%ld.good.test", (long)getpid());
	snprintf(upper, sizeof upper, "QLOG-%ld.Good.Test.", (long)getpid());
	cr_expect_eq(rig_query_count(r, name), 0);
	cr_expect_eq(raw_query(r->port, 0, name, T_TLSA, 2000, NULL), 3);
	cr_expect_eq(raw_query(r->port, 1, upper, T_A, 2000, NULL), 3);
	cr_expect_eq(raw_query(r->blackhole_port, 0, name, T_A, 100, NULL), -1);
	cr_expect_eq(rig_query_count(r, name), 3);
	cr_expect_eq(rig_query_count(r, upper), 3);
	cr_expect_geq(rig_query_count_under(r, "good.test"), 3);
	cr_expect_eq(rig_query_count_under(r, name), 3);
	/* a suffix that is not a label boundary does not count */
	snprintf(name, sizeof name, "log-%ld.good.test", (long)getpid());
	cr_expect_eq(rig_query_count(r, name), 0);
	cr_expect_eq(rig_query_count_under(r, name), 0);
	cr_expect_eq(rig_query_count(r, "never-asked.example"), 0);
	cr_expect_eq(rig_query_count(NULL, "x"), -1);
}

Test(rig, special_indeterminate_names)
{
	static const struct {
		const char *name;
		int rcode;
	} cases[] = {
	        {"_user.servfail.test", 2},
	        {"servfail.test", 2},
	        {"a.b._user.servfail.test", 2},
	        {"_user.notservfail.test", 3}, /* not under servfail.test */
	        {"_user.servfail.test.example", 5}, /* nsd: not its zone */
	        {"_user.refused.test", 5},
	        {"refused.test", 5},
	        {"_user.silent.test", -1},
	        {"silent.test", -1},
	        {"_user.good.test", 0},
	};
	const struct rig *r = shared_rig();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (int tcp = 0; tcp <= 1; tcp++)
			cr_expect_eq(raw_query(r->port, tcp, cases[i].name,
			                       T_TLSA, 300, NULL),
			             cases[i].rcode, "%s %s", cases[i].name,
			             tcp ? "tcp" : "udp");
}

/* ---- private rigs: zone updates, stopping, dying with the parent ---------- */

static enum dance_dns_class class_of(const struct rig *r, const char *name)
{
	struct ub_ctx *ctx = rig_ub_ctx(r->conf);
	char why[256];
	cr_assert_not_null(ctx);
	enum dance_dns_class c = rig_ub_lookup(ctx, name, T_TLSA, 3000, NULL,
	                                       NULL, why, sizeof why);
	ub_ctx_delete(ctx);
	return c;
}

#define NEW_TLSA \
	"3 1 1 " \
	"0000000000000000000000000000000000000000000000000000000000000001"

Test(rig_private, zone_update_takes_effect)
{
	struct rig *r = rig_start_private(NULL);
	char fixzone[4096];
	cr_assert_not_null(r);

	cr_expect_eq(class_of(r, "new._user.good.test"), DANCE_DNS_SECURE_NONE);
	cr_assert_eq(
	        rig_zone(r, "good.test", "add",
	                 (const char *[]){
	                         "new._user.good.test. 300 IN TLSA " NEW_TLSA,
	                         NULL}),
	        0);
	cr_expect_eq(class_of(r, "new._user.good.test"), DANCE_DNS_SECURE);
	/* del folds blanks; a second update right after the first */
	cr_assert_eq(
	        rig_zone(r, "good.test.", "del",
	                 (const char *[]){
	                         "new._user.good.test.  300 IN\tTLSA " NEW_TLSA,
	                         NULL}),
	        0);
	cr_expect_eq(class_of(r, "new._user.good.test"), DANCE_DNS_SECURE_NONE);
	cr_assert_eq(
	        rig_zone(r, "good.test", "del-name",
	                 (const char *[]){"_USER.good.test", "tlsa", NULL}),
	        0);
	cr_expect_eq(class_of(r, "_user.good.test"), DANCE_DNS_SECURE_NONE);
	cr_expect_eq(class_of(r, "alice._user.good.test"), DANCE_DNS_SECURE);
	/* bogus.test stays bogus after re-signing; insecure stays insecure */
	cr_assert_eq(
	        rig_zone(r, "bogus.test", "add",
	                 (const char *[]){
	                         "new._user.bogus.test. 300 IN TLSA " NEW_TLSA,
	                         NULL}),
	        0);
	cr_expect_eq(class_of(r, "new._user.bogus.test"), DANCE_DNS_BOGUS);
	cr_expect_eq(class_of(r, "www.bogus.test"), DANCE_DNS_SECURE_NONE);
	cr_assert_eq(rig_zone(r, "insecure.test", "add",
	                      (const char *[]){"new._user.insecure.test. 300 "
	                                       "IN TLSA " NEW_TLSA,
	                                       NULL}),
	             0);
	cr_expect_eq(class_of(r, "new._user.insecure.test"),
	             DANCE_DNS_INSECURE);

	/* refusals */
	cr_expect_eq(
	        rig_zone(r, "good.test", "del",
	                 (const char *[]){"no.such. 1 IN A 1.2.3.4", NULL}),
	        -1);
	cr_expect_eq(rig_zone(r, "good.test", "del-name",
	                      (const char *[]){"no.such.good.test", NULL}),
	             -1);
	cr_expect_eq(rig_zone(r, "nosuch.test", "add",
	                      (const char *[]){"a.nosuch.test. 1 IN A 1.2.3.4",
	                                       NULL}),
	             -1);
	cr_expect_eq(rig_zone(r, "good.test", "frobnicate",
	                      (const char *[]){"x", NULL}),
	             -1);
	cr_expect_eq(rig_zone(r, "good.test", "add", NULL), -1);

	/* the fixtures and the shared rig are untouched */
	cr_assert_not_null(
	        rig_fixture(fixzone, sizeof fixzone, "zones/good.test.zone"));
	char *z = proc_read_file(fixzone, NULL);
	cr_assert_not_null(z);
	cr_expect_null(strstr(z, "new._user"));
	free(z);
	cr_expect_eq(rig_stop(r), 0);
}

/* 1 if a process has path in its command line. */
static int process_mentions(const char *path)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;
	cr_assert_not_null(d);
	/* cppcheck-suppress readdirCalled ; readdir_r is deprecated, and
	 * this DIR is ours alone */
	while (!found && (e = readdir(d)) != NULL) {
		char p[300];
		size_t len;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof p, "/proc/%s/cmdline", e->d_name);
		char *cmd = proc_read_file(p, &len);
		if (cmd == NULL)
			continue;
		for (size_t i = 0; i < len; i += strlen(cmd + i) + 1)
			if (strstr(cmd + i, path) != NULL &&
			    proc_alive((pid_t)strtol(e->d_name, NULL, 10)))
				found = 1;
		free(cmd);
	}
	closedir(d);
	return found;
}

Test(rig_private, stop_leaves_no_process_and_no_directory)
{
	struct rig *r = rig_start_private(NULL);
	struct stat sb;
	cr_assert_not_null(r);
	pid_t pid = r->pid, nsd = r->nsd_pid;
	char *dir = strdup(r->rundir);
	cr_assert(process_mentions(dir));
	cr_expect_eq(rig_stop(r), 0, "dance-rig did not exit 0 on SIGTERM");
	cr_expect(!proc_alive(pid));
	cr_expect(!proc_alive(nsd));
	cr_expect(!process_mentions(dir), "a process still runs in %s", dir);
	cr_expect_neq(stat(dir, &sb), 0, "%s still exists", dir);
	free(dir);
}

Test(rig_private, dies_with_its_parent)
{
	int p[2];
	pid_t pids[2] = {0, 0}, child;
	char dir[4096] = "";
	cr_assert_eq(pipe(p), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		struct rig *r = rig_start_private(NULL);
		if (r != NULL) {
			pid_t w[2] = {r->pid, r->nsd_pid};
			if (write(p[1], w, sizeof w) < 0 ||
			    write(p[1], r->rundir, strlen(r->rundir) + 1) < 0)
				_exit(2);
		}
		_exit(0); /* no atexit: the rig is left to PR_SET_PDEATHSIG */
	}
	close(p[1]);
	cr_assert_eq(read(p[0], pids, sizeof pids), (ssize_t)sizeof pids);
	cr_assert_gt(read(p[0], dir, sizeof dir - 1), 0);
	close(p[0]);
	waitpid(child, NULL, 0);
	long until = proc_now_ms() + 5000;
	while ((proc_alive(pids[0]) || proc_alive(pids[1])) &&
	       proc_now_ms() < until)
		proc_sleep_ms(10);
	cr_expect(!proc_alive(pids[0]), "dance-rig outlived its parent");
	cr_expect(!proc_alive(pids[1]), "nsd outlived dance-rig");
	/* clean up the directory nobody else will remove */
	const char *argv[] = {"rm", "-rf", dir, NULL};
	struct proc_result res;
	if (dir[0] == '/' && strstr(dir, "/rig-runs/") != NULL &&
	    proc_run(&res, argv, NULL, 10000, NULL) == 0)
		proc_result_free(&res);
}

Test(rig_private, options_set_the_delays)
{
	struct rig_opts o = {.slow_ms = 400, .delay_ms = 50};
	struct rig *r = rig_start_private(&o);
	long ms;
	cr_assert_not_null(r);
	cr_expect_eq(r->slow_ms, 400);
	cr_expect_eq(r->delay_ms, 50);
	cr_expect_eq(raw_query(r->slow_port, 0, "good.test", T_A, 3000, &ms),
	             0);
	cr_expect_geq(ms, 400);
	cr_expect_lt(ms, 900);
	cr_expect_eq(rig_stop(r), 0);
}

/* The demo's way: dance-rig in the background of a shell, ready when
 * rig.env appears, stopped with kill and wait. */
Test(rig_private, runs_by_hand_from_a_shell)
{
	char run[4096];
	const char *fix = rig_fixture_dir();
	cr_assert_not_null(fix);
	snprintf(run, sizeof run, "%s/rig-runs/shell-%ld", DANCE_BINARY_DIR,
	         (long)getpid());
	const char *script =
	        "set -e\n"
	        "\"$BIN\" --run \"$RUN\" --fixtures \"$FIX\" >\"$RUN.log\" "
	        "2>&1 &\n"
	        "pid=$!\n"
	        "for i in $(seq 500); do [ -f \"$RUN/rig.env\" ] && break; "
	        "sleep 0.01; done\n"
	        ". \"$RUN/rig.env\"\n"
	        "n=$(dig +short @127.0.0.1 -p \"$RIG_PORT\" _user.good.test "
	        "TLSA | wc -l)\n"
	        "[ \"$n\" -ge 1 ] && echo answered\n"
	        "kill \"$pid\"\n"
	        "wait \"$pid\" && echo stopped-ok\n"
	        "[ ! -e \"$RUN/rig.env\" ] && echo env-removed\n"
	        "! kill -0 \"$RIG_NSD_PID\" 2>/dev/null && echo nsd-gone\n"
	        "rm -rf \"$RUN\" \"$RUN.log\"\n";
	char e1[4200], e2[4200], e3[4200];
	snprintf(e1, sizeof e1, "BIN=%s", DANCE_RIG_BIN);
	snprintf(e2, sizeof e2, "RUN=%s", run);
	snprintf(e3, sizeof e3, "FIX=%s", fix);
	const char *env[] = {e1, e2, e3, NULL};
	const char *argv[] = {"bash", "-c", script, NULL};
	struct proc_opts o = {.env = env};
	struct proc_result res;
	cr_assert_eq(proc_run(&res, argv, NULL, 20000, &o), 0);
	cr_expect_eq(res.exit_code, 0, "%s", res.err);
	cr_expect_str_eq(res.out,
	                 "answered\nstopped-ok\nenv-removed\nnsd-gone\n");
	proc_result_free(&res);
}
