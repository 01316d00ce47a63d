/*
 * main.c -- the dance command-line tool: global options and dispatch.
 *
 *   dance [-c FILE] lookup NAME [--json]
 *   dance [-c FILE] verify CERT.pem [--chain FILE] [--clientid NAME]
 *                          [--tlsa-file FILE] [--json]
 *   dance tlsa ...
 *
 * See dance(1). Exit status: 0 secure data or authenticated, 1 refused,
 * 2 usage or configuration error, 3 temporary failure.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	cli_cmd_fn *fn;
	const char *synopsis;
} commands[] = {
        {"lookup", cmd_lookup, "lookup NAME [--json]"},
        {"verify", cmd_verify,
         "verify CERT.pem [--chain FILE] [--clientid NAME] [--tlsa-file FILE] "
         "[--json]"},
        {"tlsa", cmd_tlsa,
         "tlsa ... (records to publish; see 'dance tlsa --help')"},
};

static void usage(FILE *f, const char *progname)
{
	fprintf(f, "usage: %s [-c FILE] COMMAND [ARGS]\n", progname);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "       %s [-c FILE] %s\n", progname,
		        commands[i].synopsis);
	fprintf(f,
	        "\n"
	        "  -c FILE   configuration file (default %s)\n"
	        "  -h        this help; --version the version\n"
	        "\n"
	        "Exit status: 0 secure or authenticated, 1 refused, 2 usage "
	        "or configuration error,\n"
	        "3 temporary failure (DNS indeterminate). See dance(1).\n",
	        DANCE_DEFAULT_CONFIG);
}

static void log_stderr(void *arg, enum dance_log_level level, const char *msg)
{
	const struct cli *cli = arg;
	static const char *const names[] = {"error", "info", "debug"};
	fprintf(stderr, "%s: %s: %s\n", cli->progname,
	        (unsigned)level < 3 ? names[level] : "?", msg);
}

dance_ctx *cli_context(struct cli *cli)
{
	char err[512] = "";
	const char *path = cli->config_path;
	int r;

	if (cli->ctx != NULL)
		return cli->ctx;
	if (dance_ctx_new(&cli->ctx) != DANCE_OK) {
		fprintf(stderr, "%s: out of memory\n", cli->progname);
		return NULL;
	}
	/* Errors of the configuration are printed below, once. */
	if (!cli->config_given && access(DANCE_DEFAULT_CONFIG, F_OK) != 0)
		path = NULL;
	else if (path == NULL)
		path = DANCE_DEFAULT_CONFIG;
	if (path != NULL) {
		r = dance_ctx_load_config(cli->ctx, path, err, sizeof err);
		if (r != DANCE_OK) {
			fprintf(stderr, "%s: %s\n", cli->progname,
			        err[0] ? err : dance_strerror(r));
			dance_ctx_free(cli->ctx);
			cli->ctx = NULL;
			return NULL;
		}
	}
	if (dance_ctx_set_log(cli->ctx, log_stderr, cli) != DANCE_OK) {
		dance_ctx_free(cli->ctx);
		cli->ctx = NULL;
		return NULL;
	}
	return cli->ctx;
}

void cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	struct cli cli = {.progname = "dance"};
	int i = 1, status;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			cli.config_path = argv[i + 1];
			cli.config_given = 1;
			i += 2;
		} else if (strcmp(argv[i], "-h") == 0 ||
		           strcmp(argv[i], "--help") == 0) {
			usage(stdout, cli.progname);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("dance %s\n", DANCE_VERSION);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n",
			        cli.progname, argv[i]);
			usage(stderr, cli.progname);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr, cli.progname);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		if (strcmp(argv[i], commands[c].name) == 0) {
			status = commands[c].fn(&cli, argc - i, argv + i);
			dance_ctx_free(cli.ctx);
			return status;
		}
	}
	fprintf(stderr, "%s: unknown command '%s'\n", cli.progname, argv[i]);
	usage(stderr, cli.progname);
	return EXIT_USAGE;
}
