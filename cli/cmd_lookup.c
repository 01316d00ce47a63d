/*
 * cmd_lookup.c -- 'dance lookup NAME [--json]': look up the TLSA RRset at
 * NAME through libdance (allow-list, DNSSEC, deadline) and print its class,
 * TTL and records.
 *
 * Text output is zone-file form, so it can be saved and given to
 * 'dance verify --tlsa-file': every line that is not a usable-or-not
 * record with data starts with ';'.
 *
 *   ; _user.example.org: secure, ttl 3600: secure TLSA records ...
 *   _user.example.org. 3600 IN TLSA 2 1 1 0123...
 *   _user.example.org. 3600 IN TLSA 2 1 1 0011 ; unusable: digest ...
 *
 * Exit status: 0 secure data; 1 refused (secure-none, insecure, bogus,
 * not allowed); 2 usage or configuration error (also an invalid name);
 * 3 indeterminate (SERVFAIL, timeout, busy).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void lookup_usage(FILE *f, const char *progname)
{
	fprintf(f,
	        "usage: %s [-c FILE] lookup NAME [--json]\n"
	        "\n"
	        "Look up the DNSSEC-validated TLSA records at NAME (for "
	        "example\n"
	        "_user.example.org) and print their class, TTL and records.\n"
	        "The domain must be on the allow-list of the configuration.\n"
	        "\n"
	        "  --json   print one JSON object: name, class, ttl, rcode, "
	        "reason,\n"
	        "           records (each with usage, selector, mtype, data, "
	        "usable,\n"
	        "           problem)\n"
	        "\n"
	        "Exit status: 0 secure data, 1 refused (secure-none, insecure, "
	        "bogus,\n"
	        "not allowed), 2 usage or configuration error, 3 temporary "
	        "failure.\n",
	        progname);
}

/* A record as "u s m HEX" (malloc'd), or NULL. */
static char *record_text(const struct dance_tlsa *t)
{
	int n = dance_tlsa_format(t, NULL, 0);
	char *s;

	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (dance_tlsa_format(t, s, (size_t)n + 1) != n) {
		free(s);
		return NULL;
	}
	return s;
}

static int print_text(const struct dance_tlsa_rrset *rs)
{
	printf("; %s: %s, ttl %u: %s\n", rs->name,
	       dance_dns_class_name(rs->dns_class), rs->ttl, rs->reason);
	for (size_t i = 0; i < rs->count; i++) {
		const struct dance_tlsa *t = &rs->records[i];
		char *s = record_text(t);
		if (s == NULL)
			return -1;
		if (t->problem == DANCE_TLSA_SHORT)
			printf("; %s. %u IN TLSA (%s)\n", rs->name, rs->ttl,
			       dance_tlsa_problem_text(t->problem));
		else if (t->problem != DANCE_TLSA_USABLE)
			printf("%s. %u IN TLSA %s ; unusable: %s\n", rs->name,
			       rs->ttl, s, dance_tlsa_problem_text(t->problem));
		else
			printf("%s. %u IN TLSA %s\n", rs->name, rs->ttl, s);
		free(s);
	}
	return 0;
}

static int print_json_record(const struct dance_tlsa *t)
{
	char *s = record_text(t), *hex;

	if (s == NULL)
		return -1;
	/* the data is what follows "u s m " */
	hex = strchr(s, ' ');
	hex = hex ? strchr(hex + 1, ' ') : NULL;
	hex = hex ? strchr(hex + 1, ' ') : NULL;
	printf("{\"usage\":%u,\"selector\":%u,\"mtype\":%u,\"data\":", t->usage,
	       t->selector, t->mtype);
	cli_json_string(stdout, hex ? hex + 1 : "");
	printf(",\"text\":");
	cli_json_string(stdout, s);
	printf(",\"usable\":%s,\"problem\":",
	       t->problem == DANCE_TLSA_USABLE ? "true" : "false");
	if (t->problem == DANCE_TLSA_USABLE)
		printf("null");
	else
		cli_json_string(stdout, dance_tlsa_problem_text(t->problem));
	printf("}");
	free(s);
	return 0;
}

static int print_json(const char *name, const char *cls,
                      const struct dance_tlsa_rrset *rs, const char *reason)
{
	printf("{\"name\":");
	cli_json_string(stdout, name);
	printf(",\"class\":");
	cli_json_string(stdout, cls);
	printf(",\"ttl\":%u,\"rcode\":%d,\"reason\":", rs ? rs->ttl : 0,
	       rs ? rs->rcode : -1);
	cli_json_string(stdout, reason);
	printf(",\"records\":[");
	for (size_t i = 0; rs != NULL && i < rs->count; i++) {
		if (i > 0)
			printf(",");
		if (print_json_record(&rs->records[i]) != 0)
			return -1;
	}
	printf("]}\n");
	return 0;
}

static int exit_for(int r, const struct dance_tlsa_rrset *rs)
{
	if (rs != NULL) {
		switch (rs->dns_class) {
		case DANCE_DNS_SECURE:
			return EXIT_AUTH_OK;
		case DANCE_DNS_SECURE_NONE:
		case DANCE_DNS_BOGUS:
		case DANCE_DNS_INSECURE:
			return EXIT_REFUSED;
		case DANCE_DNS_INDETERMINATE:
			return EXIT_TEMPFAIL;
		}
	}
	if (r == DANCE_ERR_NOT_ALLOWED)
		return EXIT_REFUSED;
	if (dance_err_is_temporary(r))
		return EXIT_TEMPFAIL;
	return EXIT_USAGE;
}

/* Options of 'lookup': -1 usage error, 1 help shown, 0 go on. */
static int parse_args(struct cli *cli, int argc, char **argv, const char **name,
                      int *json)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			*json = 1;
		} else if (strcmp(argv[i], "--help") == 0 ||
		           strcmp(argv[i], "-h") == 0) {
			lookup_usage(stdout, cli->progname);
			return 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "%s: lookup: unknown option '%s'\n",
			        cli->progname, argv[i]);
			lookup_usage(stderr, cli->progname);
			return -1;
		} else if (*name == NULL) {
			*name = argv[i];
		} else {
			fprintf(stderr, "%s: lookup: one NAME only\n",
			        cli->progname);
			return -1;
		}
	}
	if (*name == NULL) {
		lookup_usage(stderr, cli->progname);
		return -1;
	}
	return 0;
}

/* Print the outcome; returns status, or EXIT_USAGE if output failed. */
static int print_outcome(const char *name, int r,
                         const struct dance_tlsa_rrset *rs, int json,
                         int status)
{
	if (json) {
		const char *cls = rs ? dance_dns_class_name(rs->dns_class)
		                  : r == DANCE_ERR_NOT_ALLOWED ? "not-allowed"
		                                               : "error";
		if (print_json(rs ? rs->name : name, cls, rs,
		               rs ? rs->reason : dance_strerror(r)) != 0)
			return EXIT_USAGE;
	} else if (rs != NULL) {
		if (print_text(rs) != 0)
			return EXIT_USAGE;
	} else if (r == DANCE_ERR_NOT_ALLOWED) {
		printf("; %s: not-allowed: %s\n", name, dance_strerror(r));
	}
	return status;
}

int cmd_lookup(struct cli *cli, int argc, char **argv)
{
	struct dance_tlsa_rrset *rs = NULL;
	const char *name = NULL;
	dance_ctx *ctx;
	int json = 0, r, status;

	if ((r = parse_args(cli, argc, argv, &name, &json)) != 0)
		return r > 0 ? 0 : EXIT_USAGE;
	if ((ctx = cli_context(cli)) == NULL)
		return EXIT_USAGE;
	r = dance_lookup_tlsa(ctx, name, &rs);
	status = exit_for(r, rs);
	if (rs == NULL && status == EXIT_USAGE && !json)
		fprintf(stderr, "%s: lookup %s: %s\n", cli->progname, name,
		        dance_strerror(r));
	status = print_outcome(name, r, rs, json, status);
	dance_tlsa_rrset_free(rs);
	if (fflush(stdout) != 0)
		status = EXIT_USAGE;
	return status;
}
