/*
 * cmd_verify.c -- 'dance verify': who is the user of this certificate?
 *
 *   dance [-c FILE] verify CERT.pem [--chain FILE] [--clientid NAME]
 *                          [--tlsa-file FILE] [--json]
 *
 * CERT.pem holds the leaf first and possibly its issuers (PEM; other PEM
 * blocks such as a private key are skipped; a DER certificate is read
 * too); each --chain FILE adds more. --tlsa-file takes TLSA records in
 * presentation form (zone-file lines as dig prints them, or bare
 * "u s m hex" lines) and uses no DNS. See dance(1).
 *
 * Output: authenticated: the identity alone on the first line of stdout,
 * exit 0. Refused: "dance: refused (VERDICT): REASON" on stderr, exit 1.
 * Temporary failure: exit 3. Usage or configuration: exit 2. --json: one
 * object on stdout instead, with the same exit statuses. The library's
 * info-level log (which repeats the refusal) is not shown: the command
 * prints the outcome itself; errors are, and debug messages when the
 * configuration asks for them.
 */
#include "cli.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CERTS    32
#define MAX_TLSA_TXT ((size_t)1024 * 1024)

struct verify_opts {
	const char *cert;
	const char *chains[MAX_CERTS];
	size_t nchains;
	const char *clientid;
	const char *tlsa_file;
	int json;
};

static void verify_usage(FILE *f, const char *progname)
{
	fprintf(f,
	        "usage: %s [-c FILE] verify CERT.pem [--chain FILE] "
	        "[--clientid NAME]\n"
	        "                        [--tlsa-file FILE] [--json]\n",
	        progname);
}

static int parse_args(struct cli *cli, int argc, char **argv,
                      struct verify_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_value = i + 1 < argc;
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			verify_usage(stdout, cli->progname);
			return 1;
		} else if (strcmp(a, "--chain") == 0 && has_value) {
			if (o->nchains == MAX_CERTS)
				goto bad;
			o->chains[o->nchains++] = argv[++i];
		} else if (strcmp(a, "--clientid") == 0 && has_value) {
			o->clientid = argv[++i];
		} else if (strcmp(a, "--tlsa-file") == 0 && has_value) {
			o->tlsa_file = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr,
			        "%s: verify: unknown or incomplete option "
			        "'%s'\n",
			        cli->progname, a);
			goto bad;
		} else if (o->cert == NULL) {
			o->cert = a;
		} else {
			fprintf(stderr,
			        "%s: verify: one certificate file only\n",
			        cli->progname);
			goto bad;
		}
	}
	if (o->cert != NULL)
		return 0;
	fprintf(stderr, "%s: verify: no certificate file given\n",
	        cli->progname);
bad:
	verify_usage(stderr, cli->progname);
	return -1;
}

/* Append the certificates of a file (PEM, or one DER certificate). */
static int read_certs(struct cli *cli, const char *path, STACK_OF(X509) * chain)
{
	BIO *bio = BIO_new_file(path, "rb");
	X509 *x;
	int n = 0, r = -1;

	if (bio == NULL) {
		fprintf(stderr, "%s: cannot read '%s'\n", cli->progname, path);
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_num(chain) >= MAX_CERTS ||
		    !sk_X509_push(chain, x)) {
			X509_free(x);
			fprintf(stderr, "%s: more than %d certificates\n",
			        cli->progname, MAX_CERTS);
			goto out;
		}
		n++;
	}
	if (n == 0 && BIO_reset(bio) == 0 &&
	    (x = d2i_X509_bio(bio, NULL)) != NULL) {
		if (sk_X509_num(chain) >= MAX_CERTS ||
		    !sk_X509_push(chain, x)) {
			X509_free(x);
			goto out;
		}
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "%s: no certificate in '%s'\n", cli->progname,
		        path);
		goto out;
	}
	r = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	return r;
}

static char *read_text(struct cli *cli, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot read '%s'\n", cli->progname, path);
		return NULL;
	}
	if ((buf = malloc(MAX_TLSA_TXT + 1)) != NULL) {
		len = fread(buf, 1, MAX_TLSA_TXT + 1, f);
		if (ferror(f) || len > MAX_TLSA_TXT || memchr(buf, 0, len)) {
			fprintf(stderr,
			        "%s: '%s': unreadable, too long or "
			        "binary\n",
			        cli->progname, path);
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* The one owner name of the text's zone-file lines, or NULL if there are
 * only bare lines. Several owners: an error. */
static int text_owner(struct cli *cli, const char *path, char *text,
                      char **owner)
{
	char *line = text, *next;
	int lineno = 0, r = 0;

	*owner = NULL;
	for (; line != NULL && r == 0; line = next) {
		struct dance_tlsa t;
		char *o = NULL;
		size_t skip = strspn(line, " \t\r");
		next = strchr(line, '\n');
		if (next != NULL)
			*next = '\0';
		lineno++;
		if (line[skip] != '\0' && line[skip] != '#' &&
		    line[skip] != ';' &&
		    dance_tlsa_parse_text(line + skip, &t, &o) == DANCE_OK) {
			dance_tlsa_clear(&t);
			if (o != NULL && *owner != NULL &&
			    strcmp(o, *owner) != 0) {
				fprintf(stderr,
				        "%s: %s:%d: records of two owner names "
				        "(%s, %s)\n",
				        cli->progname, path, lineno, *owner, o);
				r = -1;
			}
			if (o != NULL && *owner == NULL) {
				*owner = o;
				o = NULL;
			}
			free(o);
		}
		if (next != NULL)
			*next++ = '\n';
	}
	if (r != 0) {
		free(*owner);
		*owner = NULL;
	}
	return r;
}

static int load_rrset(struct cli *cli, const char *path,
                      struct dance_tlsa_rrset **rr)
{
	char err[256] = "", *text, *owner = NULL;
	int r;

	*rr = NULL;
	if ((text = read_text(cli, path)) == NULL)
		return -1;
	if (text_owner(cli, path, text, &owner) != 0) {
		free(text);
		return -1;
	}
	/* Offline records have no DNS TTL: the decision is not cached. */
	r = dance_tlsa_rrset_from_text(owner, text, 0, rr, err, sizeof err);
	free(owner);
	free(text);
	if (r != DANCE_OK) {
		fprintf(stderr, "%s: %s: %s\n", cli->progname, path,
		        err[0] ? err : dance_strerror(r));
		return -1;
	}
	return 0;
}

static void json_hex(FILE *f, const uint8_t *d, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02X", d[i]);
	fputc('"', f);
}

static void json_record(FILE *f, const struct dance_tlsa *t)
{
	fprintf(f,
	        "{\"usage\": %u, \"selector\": %u, \"mtype\": %u, \"data\": ",
	        t->usage, t->selector, t->mtype);
	json_hex(f, t->data, t->len);
	fprintf(f, ", \"usable\": %s, \"problem\": ",
	        t->problem == DANCE_TLSA_USABLE ? "true" : "false");
	cli_json_string(f, dance_tlsa_problem_text(t->problem));
	fputc('}', f);
}

static void json_str_or_null(FILE *f, const char *key, const char *v, int comma)
{
	fprintf(f, "  \"%s\": ", key);
	if (v != NULL)
		cli_json_string(f, v);
	else
		fputs("null", f);
	fputs(comma ? ",\n" : "\n", f);
}

static void print_json(FILE *f, const struct dance_result *res)
{
	fputs("{\n", f);
	json_str_or_null(f, "verdict", dance_verdict_name(res->verdict), 1);
	json_str_or_null(f, "identity", res->identity, 1);
	json_str_or_null(f, "reason", res->reason, 1);
	json_str_or_null(f, "uid", res->uid, 1);
	json_str_or_null(f, "domain", res->domain, 1);
	json_str_or_null(f, "domain_ascii", res->domain_ascii, 1);
	json_str_or_null(f, "tlsa_name", res->tlsa_name, 1);
	json_str_or_null(f, "dns_class",
	                 res->tlsa_name != NULL
	                         ? dance_dns_class_name(res->dns_class)
	                         : NULL,
	                 1);
	fprintf(f, "  \"match_depth\": %d,\n  \"matched\": ", res->match_depth);
	if (res->has_match)
		json_record(f, &res->matched);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"ttl\": %u,\n  \"expires\": %lld,\n  \"records\": [",
	        res->ttl, (long long)res->expires);
	for (size_t i = 0; i < res->record_count; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_record(f, &res->records[i]);
	}
	fputs(res->record_count ? "\n  ]\n}\n" : "]\n}\n", f);
}

/* Library log for this command: errors, and debug when configured; info
 * repeats the outcome the command prints itself. */
static void log_verify(void *arg, enum dance_log_level level, const char *msg)
{
	const struct cli *cli = arg;

	if (level == DANCE_LOG_INFO)
		return;
	fprintf(stderr, "%s: %s: %s\n", cli->progname,
	        level == DANCE_LOG_ERROR ? "error" : "debug", msg);
}

static int report(struct cli *cli, const struct verify_opts *o, int r,
                  const struct dance_result *res)
{
	if (res == NULL) {
		fprintf(stderr, "%s: verify: %s\n", cli->progname,
		        dance_strerror(r));
		return dance_err_is_temporary(r) ? EXIT_TEMPFAIL : EXIT_USAGE;
	}
	if (o->json)
		print_json(stdout, res);
	else if (res->verdict == DANCE_AUTHENTICATED)
		printf("%s\n", res->identity);
	else
		fprintf(stderr, "%s: refused (%s): %s\n", cli->progname,
		        dance_verdict_name(res->verdict), res->reason);
	if (fflush(stdout) != 0)
		return EXIT_USAGE;
	if (dance_err_is_temporary(r) || res->verdict == DANCE_REFUSED_TEMPFAIL)
		return EXIT_TEMPFAIL;
	return res->verdict == DANCE_AUTHENTICATED ? EXIT_AUTH_OK
	                                           : EXIT_REFUSED;
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	struct verify_opts o;
	STACK_OF(X509) *chain = NULL;
	struct dance_tlsa_rrset *rr = NULL;
	struct dance_result *res = NULL;
	dance_ctx *ctx;
	int r, status = EXIT_USAGE;

	if ((r = parse_args(cli, argc, argv, &o)) != 0)
		return r > 0 ? EXIT_AUTH_OK : EXIT_USAGE;
	if ((chain = sk_X509_new_null()) == NULL)
		goto out;
	if (read_certs(cli, o.cert, chain) != 0)
		goto out;
	for (size_t i = 0; i < o.nchains; i++)
		if (read_certs(cli, o.chains[i], chain) != 0)
			goto out;
	if (o.tlsa_file != NULL && load_rrset(cli, o.tlsa_file, &rr) != 0)
		goto out;
	if ((ctx = cli_context(cli)) == NULL)
		goto out;
	if (dance_ctx_set_log(ctx, log_verify, cli) != DANCE_OK)
		goto out;
	if (rr != NULL)
		r = dance_verify_chain_offline(ctx, chain, o.clientid, rr,
		                               &res);
	else
		r = dance_verify_chain(ctx, chain, o.clientid, &res);
	status = report(cli, &o, r, res);
out:
	dance_result_free(res);
	dance_tlsa_rrset_free(rr);
	sk_X509_pop_free(chain, X509_free);
	return status;
}
