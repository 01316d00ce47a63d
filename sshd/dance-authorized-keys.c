/*
 * dance-authorized-keys.c -- sshd AuthorizedKeysCommand that takes users'
 * keys from DNSSEC-signed TLSA records.
 *
 *   dance-authorized-keys [-c FILE] [-l LOGFILE] [-d] USER [KEYTYPE KEY]
 *
 * sshd_config:
 *   AuthorizedKeysCommand /usr/libexec/dance/dance-authorized-keys %u %t %k
 *   AuthorizedKeysCommandUser dance
 *
 * USER's authorization file (<ssh-authorized-dir>/USER) lists identities;
 * their keys are looked up in DNS, all at once under the configured
 * deadline. With KEYTYPE and KEY (sshd's %t %k), one authorized_keys line
 * is printed if the key (or, for an OpenSSH certificate, its CA) matches
 * a secure record of a listed identity; without them, the keys that can
 * be rebuilt from DNS are printed. Every refusal exits 0 with no output;
 * the exit status is 2 only for bad usage or a broken configuration
 * (including a dance.conf, trust anchor, unbound-config or CA bundle that
 * someone other than root could have written: confcheck.c). One
 * log line per decision (syslog LOG_AUTHPRIV). See
 * dance-authorized-keys(8).
 */
#include "akc.h"
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE       2
#define DEFAULT_AUTH_DIR "/etc/dance/ssh/authorized"
#define CA_DOMAINS_MAX   256

struct args {
	const char *config;
	const char *logfile;
	int debug;
	const char *user;
	const char *type;
	const char *key;
};

/* What one run works on, released by run_clear(). */
struct run {
	const struct args *args;
	dance_ctx *ctx;
	struct akc_offer offer;
	struct akc_file file;
	char *text;
	char *ca[CA_DOMAINS_MAX];
	size_t nca;
	char **names;
	size_t nnames;
	struct dance_tlsa_rrset **rrsets;
	int *errs;
	struct akc_answer *answers;
	struct akc_decision d;
	double t_start, t_config, t_lookup; /* ms, CLOCK_MONOTONIC */
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: dance-authorized-keys [-c FILE] [-l LOGFILE] [-d] "
	        "USER [KEYTYPE KEY]\n"
	        "  -c FILE     configuration (default %s)\n"
	        "  -l LOGFILE  also append log lines to LOGFILE\n"
	        "  -d          debug: log more, and to stderr\n"
	        "See dance-authorized-keys(8).\n",
	        DANCE_DEFAULT_CONFIG);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int c;

	memset(a, 0, sizeof *a);
	opterr = 0;
	while ((c = getopt(argc, argv, "+c:l:dh")) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'l':
			a->logfile = optarg;
			break;
		case 'd':
			a->debug = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (argc - optind != 1 && argc - optind != 3)
		return -1;
	a->user = argv[optind];
	if (argc - optind == 3) {
		a->type = argv[optind + 1];
		a->key = argv[optind + 2];
	}
	return 0;
}

static void lib_log(void *arg, enum dance_log_level level, const char *msg)
{
	(void)arg;
	akc_log(level == DANCE_LOG_ERROR  ? AKC_LOG_ERR
	        : level == DANCE_LOG_INFO ? AKC_LOG_INFO
	                                  : AKC_LOG_DEBUG,
	        "libdance: %s", msg);
}

/*
 * Before any other OpenSSL call: no OpenSSL configuration file (nor
 * OPENSSL_CONF). The helper uses SHA-256, SHA-512 and EC point arithmetic
 * of libcrypto's built-in providers, no TLS; what openssl.cnf sets is TLS
 * defaults, provider and engine modules, and modules would bring a
 * second, shared libcrypto into a helper linked with the static one
 * (sshd/CMakeLists.txt). Reading the file cost 0.7 M instructions per run
 * (1.7 M with the shared libcrypto). Nor the texts of OpenSSL's error
 * codes (1.2 M), which neither libdance nor the helper ever prints. Nor
 * the legacy tables of every cipher and digest name, which the first EVP
 * fetch would copy into the provider name map (3.2 M): digests are
 * fetched by the names the default provider gives them ("SHA256",
 * "SHA512"); nothing here looks up algorithms by their legacy names.
 */
static int init_openssl(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	                                OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
	                                OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	                                OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
	                        NULL) != 1)
		return -1;
	return 0;
}

/* Last resort if something hangs past the deadline: no output, exit 0
 * (sshd then refuses this key). */
static void on_alarm(int sig)
{
	(void)sig;
	_exit(0);
}

static void set_backstop(const dance_ctx *ctx)
{
	const char *t = dance_ctx_get(ctx, "lookup-timeout", 0);
	long ms = 2000;
	char *end = NULL;

	if (t != NULL) {
		errno = 0;
		ms = strtol(t, &end, 10);
		if (errno != 0 || end == t || ms <= 0 || ms > 600000)
			ms = 2000;
	}
	(void)signal(SIGALRM, on_alarm);
	(void)alarm((unsigned)((ms + 1500) / 1000 + 1));
}

static int load_config(struct run *rn, char *err, size_t errlen)
{
	const char *path =
	        rn->args->config ? rn->args->config : DANCE_DEFAULT_CONFIG;
	const char *lvl;
	int r;

	if ((r = dance_ctx_new(&rn->ctx)) != DANCE_OK ||
	    (r = dance_ctx_set_log(rn->ctx, lib_log, NULL)) != DANCE_OK) {
		dance_fmt(err, errlen, "%s", dance_strerror(r));
		return r;
	}
	/* dance.conf and every file it names: root's alone, or a broken
	 * configuration (confcheck.c). */
	if ((r = akc_config_load(rn->ctx, path, err, errlen)) != DANCE_OK ||
	    (r = akc_config_check_files(rn->ctx, err, errlen)) != DANCE_OK)
		return r;
	lvl = dance_ctx_get(rn->ctx, "log-level", 0);
	if (rn->args->debug || (lvl != NULL && strcmp(lvl, "debug") == 0))
		akc_log_set_debug(1);
	return DANCE_OK;
}

/* The ssh-ca-domain values, normalised to A-labels. */
static int load_ca_domains(struct run *rn)
{
	const char *v;
	int r;

	for (size_t i = 0;
	     rn->nca < CA_DOMAINS_MAX &&
	     (v = dance_ctx_get(rn->ctx, "ssh-ca-domain", i)) != NULL;
	     i++) {
		r = dance_domain_to_ascii(v, &rn->ca[rn->nca]);
		if (r == DANCE_ERR_NOMEM)
			return r;
		if (r != DANCE_OK) {
			akc_log(AKC_LOG_WARNING,
			        "ssh-ca-domain '%s' is not a domain; ignored",
			        v);
			continue;
		}
		rn->nca++;
	}
	return DANCE_OK;
}

struct skip_ctx {
	const char *account;
	const char *path;
};

static void on_skip(void *arg, unsigned lineno, const char *why)
{
	const struct skip_ctx *s = arg;

	akc_log(AKC_LOG_WARNING, "account=%s file=%s line=%u: skipped: %s",
	        s->account, s->path, lineno, why);
}

/* Read and parse the account's file; *refusal set on a refusal. */
static int load_file(struct run *rn, char *why, size_t whylen, int *refused)
{
	const char *dir = dance_ctx_get(rn->ctx, "ssh-authorized-dir", 0);
	char path[PATH_MAX];
	size_t len = 0;
	int missing = 0, r;
	struct skip_ctx sc;

	*refused = 1;
	if (dir == NULL)
		dir = DEFAULT_AUTH_DIR;
	dance_fmt(path, sizeof path, "%s/%s", dir, rn->args->user);
	r = akc_read_secure(path, &rn->text, &len, &missing, why, whylen);
	if (r == DANCE_ERR_NOMEM)
		return r;
	if (r != DANCE_OK) {
		if (missing)
			dance_fmt(why, whylen, "no authorization file %s",
			          path);
		return DANCE_OK;
	}
	sc.account = rn->args->user;
	sc.path = path;
	if ((r = akc_authfile_parse(rn->text, len, &rn->file, on_skip, &sc)) !=
	    DANCE_OK)
		return r;
	*refused = 0;
	return DANCE_OK;
}

/* Owner names of uid@domain entries, in the context's label form. */
static int fill_owners(struct run *rn)
{
	for (size_t i = 0; i < rn->file.n; i++) {
		struct akc_entry *e = &rn->file.entries[i];
		int r;
		if (e->kind != AKC_IDENT_USER)
			continue;
		r = dance_user_owner(rn->ctx, e->uid, e->domain,
		                     DANCE_LABEL_PLAIN, &e->owner);
		if (r == DANCE_ERR_NOMEM)
			return r;
		if (r != DANCE_OK)
			akc_log(AKC_LOG_WARNING,
			        "account=%s line=%u identity=%s: no owner "
			        "name: %s",
			        rn->args->user, e->line, e->identity,
			        dance_strerror(r));
	}
	return DANCE_OK;
}

static int look_up(struct run *rn)
{
	int r;

	r = akc_names_needed(&rn->file, &rn->offer, (const char *const *)rn->ca,
	                     rn->nca, &rn->names, &rn->nnames);
	if (r != DANCE_OK || rn->nnames == 0)
		return r;
	rn->rrsets = calloc(rn->nnames, sizeof(struct dance_tlsa_rrset *));
	rn->errs = calloc(rn->nnames, sizeof *rn->errs);
	rn->answers = calloc(rn->nnames, sizeof *rn->answers);
	if (rn->rrsets == NULL || rn->errs == NULL || rn->answers == NULL)
		return DANCE_ERR_NOMEM;
	double t0 = now_ms();
	r = dance_lookup_tlsa_many(rn->ctx, (const char *const *)rn->names,
	                           rn->nnames, rn->rrsets, rn->errs);
	rn->t_lookup = now_ms() - t0;
	for (size_t i = 0; i < rn->nnames; i++) {
		if (r != DANCE_OK && rn->errs[i] == DANCE_OK &&
		    rn->rrsets[i] == NULL)
			rn->errs[i] = r;
		rn->answers[i].name = rn->names[i];
		rn->answers[i].rrset = rn->rrsets[i];
		rn->answers[i].err = rn->errs[i];
		akc_log(AKC_LOG_DEBUG, "lookup %s: %s, %s", rn->names[i],
		        rn->rrsets[i]
		                ? dance_dns_class_name(rn->rrsets[i]->dns_class)
		                : "-",
		        dance_strerror(rn->errs[i]));
	}
	return DANCE_OK;
}

static void log_decision(const struct run *rn, const char *verdict,
                         const char *identity, const char *reason)
{
	char id[300], why[2048];

	akc_log_clean(identity ? identity : "-", id, sizeof id);
	akc_log_clean(reason, why, sizeof why);
	akc_log(AKC_LOG_INFO,
	        "account=%s identity=%s key=\"%s %s\" verdict=%s "
	        "reason=\"%s\"",
	        rn->args->user, id, rn->offer.present ? rn->offer.desc : "-",
	        rn->offer.present ? rn->offer.fp : "-", verdict, why);
}

static void write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(STDOUT_FILENO, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static void run_clear(struct run *rn)
{
	for (size_t i = 0; rn->rrsets != NULL && i < rn->nnames; i++)
		dance_tlsa_rrset_free(rn->rrsets[i]);
	free(rn->rrsets);
	free(rn->errs);
	free(rn->answers);
	akc_names_free(rn->names, rn->nnames);
	for (size_t i = 0; i < rn->nca; i++)
		free(rn->ca[i]);
	akc_decision_clear(&rn->d);
	akc_authfile_clear(&rn->file);
	akc_offer_clear(&rn->offer);
	free(rn->text);
	dance_ctx_free(rn->ctx);
}

/* Everything after the configuration: returns the decision's verdict
 * name, with why filled for refusals decided before akc_decide. */
static const char *decide(struct run *rn, char *why, size_t whylen)
{
	struct akc_input in;
	int refused = 0, r;

	if (!akc_user_name_ok(rn->args->user)) {
		dance_fmt(why, whylen,
		          "account name not usable as a file name");
		return "refused";
	}
	if (rn->args->type != NULL &&
	    akc_offer_load(rn->args->type, rn->args->key, &rn->offer, why,
	                   whylen) != DANCE_OK)
		return "refused";
	if ((r = load_file(rn, why, whylen, &refused)) != DANCE_OK || refused ||
	    (r = fill_owners(rn)) != DANCE_OK ||
	    (r = load_ca_domains(rn)) != DANCE_OK ||
	    (r = look_up(rn)) != DANCE_OK) {
		if (r != DANCE_OK)
			dance_fmt(why, whylen, "%s", dance_strerror(r));
		return "refused";
	}
	memset(&in, 0, sizeof in);
	in.account = rn->args->user;
	in.file = &rn->file;
	in.offer = &rn->offer;
	in.ca_domains = (const char *const *)rn->ca;
	in.nca = rn->nca;
	in.answers = rn->answers;
	in.nanswers = rn->nnames;
	in.now = time(NULL);
	if ((r = akc_decide(&in, &rn->d)) != DANCE_OK) {
		dance_fmt(why, whylen, "%s", dance_strerror(r));
		return "refused";
	}
	dance_fmt(why, whylen, "%s", rn->d.reason);
	return rn->d.verdict == AKC_ACCEPTED ? "accepted"
	       : rn->d.verdict == AKC_LISTED ? "listed"
	                                     : "refused";
}

int main(int argc, char **argv)
{
	struct args a;
	struct run rn;
	char err[1024] = "", why[2048] = "";
	const char *verdict;
	int status = 0;

	memset(&rn, 0, sizeof rn);
	rn.args = &a;
	rn.t_start = now_ms();
	if (parse_args(argc, argv, &a) != 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	if (akc_log_open(a.logfile, a.debug, a.debug) != DANCE_OK) {
		akc_log(AKC_LOG_ERR, "cannot open log file %s: %s", a.logfile,
		        strerror(errno));
		status = EXIT_USAGE;
		goto out;
	}
	if (init_openssl() != 0) {
		akc_log(AKC_LOG_ERR,
		        "account=%s: OpenSSL initialisation failed", a.user);
		status = EXIT_USAGE;
		goto out;
	}
	if (load_config(&rn, err, sizeof err) != DANCE_OK) {
		akc_log(AKC_LOG_ERR, "account=%s: configuration: %s", a.user,
		        err);
		status = EXIT_USAGE;
		goto out;
	}
	set_backstop(rn.ctx);
	rn.t_config = now_ms() - rn.t_start;
	verdict = decide(&rn, why, sizeof why);
	log_decision(&rn, verdict, rn.d.identity, why);
	akc_log(AKC_LOG_DEBUG,
	        "timing: configuration %.2f ms, %zu lookup(s) %.2f ms, "
	        "total %.2f ms",
	        rn.t_config, rn.nnames, rn.t_lookup, now_ms() - rn.t_start);
	(void)alarm(0);
	if (rn.d.output != NULL && rn.d.outlen > 0 &&
	    rn.d.verdict != AKC_REFUSED)
		write_all(rn.d.output, rn.d.outlen);
out:
	run_clear(&rn);
	akc_log_close();
	return status;
}
