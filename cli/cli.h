/*
 * cli.h -- shared state of the dance command-line tool and the signature
 * of its subcommands (cmd_*.c).
 */
#ifndef DANCE_CLI_H
#define DANCE_CLI_H

#include "dance/dance.h"

#include <stdio.h>

/* Exit statuses of the CLI contract (design.md). */
enum {
	EXIT_AUTH_OK = 0,  /* secure data, or authenticated */
	EXIT_REFUSED = 1,  /* refused */
	EXIT_USAGE = 2,    /* usage or configuration error */
	EXIT_TEMPFAIL = 3, /* temporary failure (DNS indeterminate) */
};

struct cli {
	const char *progname;
	const char *config_path; /* -c FILE, or NULL for the default */
	int config_given;        /* 1 if -c was given */
	dance_ctx *ctx;          /* created by cli_context() */
};

/* The context, created and configured on first call: from -c FILE, or from
 * the default file if it exists, else with defaults. Errors are printed to
 * stderr; returns NULL then (exit with EXIT_USAGE). */
dance_ctx *cli_context(struct cli *cli);

/* A subcommand: argv[0] is its name. Returns an exit status. */
typedef int cli_cmd_fn(struct cli *cli, int argc, char **argv);

cli_cmd_fn cmd_lookup;
cli_cmd_fn cmd_verify;
cli_cmd_fn cmd_tlsa;

/* Print a JSON string literal (with quotes), escaping as RFC 8259 says. */
void cli_json_string(FILE *f, const char *s);

#endif /* DANCE_CLI_H */
