/*
 * slapd.h -- start Debian's slapd for a test, talk to it with the
 * OpenLDAP command-line tools, stop it.
 *
 * Each instance gets its own directory under DANCE_BINARY_DIR/tests/run/
 * (slapd.conf, an mdb database, the ldapi socket, slapd.log), listens on
 * free loopback ports (ldap://, ldaps://) and an ldapi:// socket, uses the
 * TLS server certificate of the fixtures (50-slapd.sh) with TLSVerifyClient
 * allow and, by default, no TLSCACertificateFile.
 *
 *     struct slapd s;
 *     struct slapd_opts o = { .module = PATH, .dance_conf = conf };
 *     slapd_start(&s, &o);               // asserts slapd is ready
 *     struct ldap_run r;
 *     ldap_whoami(&s, &(struct whoami){.cert = c, .key = k}, &r);
 *     ...
 *     slapd_pass(&s);                    // last line of a passing test
 *     slapd_stop(&s);                    // in .fini: always
 *
 * slapd_stop() stops slapd by its PID (SIGTERM, then SIGKILL), also when
 * the test failed; unless slapd_pass() was called it keeps the directory
 * and prints the end of slapd's log (DANCE_SLAPD_KEEP=1 in the environment
 * keeps every directory). A slapd started in the foreground
 * also gets SIGTERM if the test process dies (PR_SET_PDEATHSIG).
 */
#ifndef DANCE_TEST_SLAPD_H
#define DANCE_TEST_SLAPD_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct slapd_opts {
	const char *module;     /* path of dance_certmap.so to load, or NULL */
	const char *dance_conf; /* its config=PATH (NULL: none given) */
	const char *dance_conf_text; /* or: written to DIR/dance.conf */
	const char *module_args;     /* raw moduleload arguments instead */
	const char *ca_file;         /* TLSCACertificateFile, NULL: none */
	const char *verify;          /* TLSVerifyClient, NULL: "allow" */
	const char *global;          /* extra lines for the global section */
	const char *ldif;            /* entries for slapadd before the start */
	const char *debug;           /* -d value, NULL: "stats" */
	int config_dir;              /* start from cn=config (DIR/slapd.d, made
	                            by slaptest) WITHOUT the module, with a
	                            config database that root may manage
	                            over ldapi://: slapd_ldapmodify() */
	int daemon;                  /* no -d: slapd forks; PID from pidfile */
	int expect_fail;             /* slapd must exit non-zero instead */
};

struct slapd {
	pid_t pid;              /* 0 when not running */
	int daemon;             /* slapd detached itself (slapd_opts.daemon) */
	int passed;             /* set by slapd_pass() */
	int port_ldap;          /* ldap://127.0.0.1:port_ldap/ */
	int port_ldaps;         /* ldaps://127.0.0.1:port_ldaps/ */
	char dir[PATH_MAX];     /* the instance's directory */
	char conf[PATH_MAX];    /* slapd.conf */
	char confdir[PATH_MAX]; /* slapd.d (config_dir), else "" */
	char tools_conf[PATH_MAX]; /* slapd.conf without the module */
	char log[PATH_MAX];        /* slapd's stderr */
	char url_ldap[64];
	char url_ldaps[64];
	char url_ldapi[PATH_MAX * 3];
	char server_ca[PATH_MAX]; /* certificate that issued the server's */
	int exit_status; /* with expect_fail: slapd's exit code, -1 if it
	                    logged "slapd stopped." and was killed */
};

/* The fixture directory (DANCE_FIXTURE_DIR from the environment, else the
 * build's), and the path of a file in it ("pki/x.pem") written to out. */
const char *slapd_fixture_dir(void);
void slapd_fixture(char *out, size_t len, const char *rel);

/* Start slapd as o says (NULL: defaults, no module). Asserts (Criterion)
 * that it is ready, or with expect_fail that it exited non-zero. */
void slapd_start(struct slapd *s, const struct slapd_opts *o);

/* Mark the test as passed: slapd_stop() then removes the directory. */
void slapd_pass(struct slapd *s);

/* Stop slapd by PID and clean up (see above). Safe to call twice and on a
 * zeroed struct. */
void slapd_stop(struct slapd *s);

/* Does slapd's log contain text? 1 yes, 0 no. */
int slapd_log_has(const struct slapd *s, const char *text);

/* Output of a client tool run. */
struct ldap_run {
	int status;     /* exit status, or 128+signal, -1 on timeout */
	double seconds; /* wall-clock time */
	char out[8192]; /* stdout, NUL-terminated (truncated) */
	char err[8192]; /* stderr */
};

/* An ldapwhoami -Y EXTERNAL run. */
struct whoami {
	const char *url;     /* NULL: ldaps:// */
	int starttls;        /* -ZZ (use with url_ldap) */
	const char *cert;    /* LDAPTLS_CERT, NULL: no client certificate */
	const char *key;     /* LDAPTLS_KEY */
	const char *authzid; /* -X AUTHZID (proxy authorization) */
	int simple;          /* -x (anonymous simple bind) instead */
	int timeout_ms;      /* kill it after this, 0: 20000 */
};

/* Run ldapwhoami against s; the server's certificate is trusted through
 * LDAPTLS_CACERT; ldap.conf and ldaprc are not read. */
void ldap_whoami(const struct slapd *s, const struct whoami *w,
                 struct ldap_run *r);

/* Run argv (argv[0] a path or a name in PATH) with extra environment
 * entries "NAME=value" (NULL-terminated list, may be NULL), capturing
 * output, killing it after timeout_ms. */
void slapd_run_tool(const char *const argv[], const char *const env[],
                    int timeout_ms, struct ldap_run *r);

/* ldapmodify -Y EXTERNAL over ldapi:// (as root) with ldif on stdin. */
void slapd_ldapmodify(const struct slapd *s, const char *ldif,
                      struct ldap_run *r);

/* A free TCP port on 127.0.0.1 (bound and released). */
int slapd_free_port(void);

#endif /* DANCE_TEST_SLAPD_H */
