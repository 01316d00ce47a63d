/*
 * rig.h -- the DNS test rig from Criterion tests: fixtures, the shared
 * rig of a test binary, private rigs, configuration files, query counts
 * and zone updates. The zones, names and classes are in tests/rig/README.md.
 *
 * One rig for a whole test binary (the usual case). Criterion runs every
 * test in a fresh process (fork + exec), so the rig is started once in the
 * runner process by a report hook, and each test attaches to it through
 * the environment (DANCE_RIG_ENV). Put this once in the test file:
 *
 *     #include "rig.h"
 *     #include "rig_hooks.h"      // the two hooks; once per test binary
 *
 *     Test(lookup, secure)
 *     {
 *         const struct rig *rig = rig_start();   // attaches
 *         cr_assert_not_null(rig);
 *         ... dance_ctx_load_config(ctx, rig_conf(rig, RIG_CONF_FRONT) ...
 *     }
 *
 * The hook stops the rig after the last test and deletes its run directory
 * when every test passed; otherwise it keeps it and prints where the logs
 * are (nsd.log, queries.log, dance-rig.log). Without the hooks rig_start()
 * starts a rig for the calling test process alone (slower; deleted at exit
 * unless DANCE_RIG_KEEP=1 is set).
 *
 * Tests that change zones must not disturb others running in parallel
 * (Criterion -j2, ctest -j2): start a private rig for them:
 *
 *     struct rig *r = rig_start_private(NULL);
 *     cr_assert_not_null(r);
 *     cr_assert_eq(rig_zone(r, "good.test", "del-name",
 *                           (const char *[]){"_user.good.test", "TLSA",
 *                                            NULL}), 0);
 *     ...
 *     cr_expect_eq(rig_stop(r), 0);  // deletes its directory
 *
 * If a failed assertion ends the test before rig_stop(), the rig is
 * stopped at exit and its directory kept (path printed).
 *
 * Environment: DANCE_FIXTURE_DIR (set by ctest; default the build tree's
 * fixtures/, generated on first use if missing), DANCE_RIG_RUNS (where run
 * directories go; default BUILD/rig-runs), DANCE_RIG_KEEP=1 (keep every run
 * directory), DANCE_RIG_BIN (another dance-rig binary).
 *
 * Not thread-safe: call rig_start()/rig_start_private() from the test's
 * main thread (the rig dies with the thread that started it), then use the
 * struct and the query/zone functions from any thread.
 */
#ifndef DANCE_TEST_RIG_H
#define DANCE_TEST_RIG_H

#include <stddef.h>
#include <sys/types.h>

/* A running rig; every path is absolute. Read-only for tests. */
struct rig {
	char *rundir;   /* run directory: zones, confs, logs/ */
	char *fixtures; /* the fixture directory it serves */
	pid_t pid;      /* dance-rig */
	pid_t nsd_pid;  /* nsd (child of dance-rig) */
	int nsd_port;   /* nsd itself (no query log) */
	int port;       /* front end: nsd with a query log */
	int slow_port;  /* answers after slow_ms */
	int slow_ms;
	int delay_port; /* answers after delay_ms */
	int delay_ms;
	int blackhole_port;   /* never answers */
	char *conf;           /* dance.conf via the front end */
	char *conf_slow;      /* dance.conf via the slow server */
	char *conf_delay;     /* dance.conf via the delaying server */
	char *conf_blackhole; /* dance.conf via the black hole */
	int dot_port;         /* nsd's DNS over TLS (TLS name dot_name) */
	char *dot_name;       /* "dns.test" */
	char *dot_ca;         /* its CA: FIX/pki/dot-ca.pem */
	char *conf_dot;       /* dance.conf over TLS to dot_port */
	char *unbound_conf;   /* unbound-config of the confs above */
	char *query_log;      /* logs/queries.log */
	char *log_dir;        /* logs/ */
	long startup_ms;      /* dance-rig's start-up time */
};

/* Configuration files, each a complete dance.conf: resolver forward,
 * trust-anchor-file for every signed zone, allow-domain *, lookup-timeout
 * 1000, unbound-config. HERMETIC needs no server (libunbound auth-zones
 * read the signed zone files); the rig argument may then be NULL. */
enum rig_conf_variant {
	RIG_CONF_FRONT = 0, /* answers at once, logs queries */
	RIG_CONF_SLOW,      /* every answer after slow_ms (1500) */
	RIG_CONF_DELAY,     /* every answer after delay_ms (150) */
	RIG_CONF_BLACKHOLE, /* no answer ever */
	RIG_CONF_HERMETIC,  /* FIX/hermetic/dance.conf */
	RIG_CONF_DOT,       /* dns-over-tls yes to nsd's DoT port: forward
	                       127.0.0.1@DOT#dns.test, tls-ca-bundle dot_ca */
};

/* Options of a private rig; NULL or zeroes for the defaults. */
struct rig_opts {
	int slow_ms;  /* 0: 1500 */
	int delay_ms; /* 0: 150 */
};

/*
 * The fixture directory, generated first if it has none yet (under a
 * lock, so parallel test binaries do it once). NULL if that failed.
 * Static storage.
 */
const char *rig_fixture_dir(void);

/* FIXTURE_DIR/rel into buf ("pki/alice.pem" -> "/.../pki/alice.pem").
 * Returns buf, or NULL if the fixtures are missing or it does not fit. */
const char *rig_fixture(char *buf, size_t len, const char *rel);

/* The shared rig of this test binary: attach to the one started by the
 * hooks (or a shell, through DANCE_RIG_ENV), or start one. NULL on
 * failure (reason on stderr). */
const struct rig *rig_start(void);

/* Stop the shared rig if this process started it; keep its run directory
 * if failed is non-zero (or DANCE_RIG_KEEP=1). Used by the hooks. */
void rig_finish(int failed);

/* Start a rig of one's own. NULL on failure (reason on stderr). */
struct rig *rig_start_private(const struct rig_opts *opts);

/* Stop a private rig, reap it, delete its run directory (unless
 * DANCE_RIG_KEEP=1) and free it. Returns dance-rig's wait status: 0 when
 * it stopped cleanly (-1 for NULL, which is allowed). */
int rig_stop(struct rig *rig);

/* rig_stop(), keeping the run directory; prints where it is. */
int rig_stop_keep(struct rig *rig);

/* The path of a dance.conf variant (static or owned by rig). */
const char *rig_conf(const struct rig *rig, enum rig_conf_variant v);

/*
 * How many queries for qname (any type, any of the rig's servers) the
 * rig has seen so far. Case-insensitive; a final dot is optional. -1 if
 * the log cannot be read.
 */
long rig_query_count(const struct rig *rig, const char *qname);

/* The same for every name at or below domain. */
long rig_query_count_under(const struct rig *rig, const char *domain);

/*
 * Change a zone of this rig and make nsd serve the change (re-signed by
 * the zone's policy; bogus.test stays bogus) before returning. Runs
 * tests/rig/rig-zone.sh RUNDIR ZONE OP ARGS..., where OP is
 *   add LINE...              add zone-file lines (absolute owner names)
 *   del LINE...              remove lines equal to these (blanks folded)
 *   del-name OWNER [TYPE]    remove every record at OWNER (of TYPE)
 * args is a NULL-terminated array, e.g.
 *   rig_zone(r, "good.test", "del-name",
 *            (const char *[]){"_user.good.test", "TLSA", NULL});
 * Returns 0, or -1 (the script's output printed on stderr). Resolvers
 * cache: use a fresh context (or a short max-ttl) to see the change.
 */
int rig_zone(const struct rig *rig, const char *zone, const char *op,
             const char *const *args);

#endif /* DANCE_TEST_RIG_H */
