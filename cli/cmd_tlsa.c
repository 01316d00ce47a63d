/*
 * cmd_tlsa.c -- 'dance tlsa': not written yet (placeholder so that the tool
 * links while the subcommand is being built).
 */
#include "cli.h"

int cmd_tlsa(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'tlsa' is not implemented yet\n", cli->progname);
	return EXIT_USAGE;
}
