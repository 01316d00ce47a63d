/*
 * cmd_lookup.c -- 'dance lookup': not written yet (placeholder so that the tool
 * links while the subcommand is being built).
 */
#include "cli.h"

int cmd_lookup(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: 'lookup' is not implemented yet\n", cli->progname);
	return EXIT_USAGE;
}
