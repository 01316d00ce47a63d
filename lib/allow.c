/*
 * allow.c -- the allow-list (allow-domain lines): which domains a server
 * looks up. Default: none (deny all). Patterns, in lowercase A-labels:
 *
 *   *              every domain
 *   example.org    exactly example.org
 *   *.example.org  every name below example.org, at any depth, but not
 *                  example.org itself
 *
 * The list is checked before any query is sent (dns.c).
 */
#include "ctx.h"

#include <stdlib.h>
#include <string.h>

static int pattern_match(const char *pat, const char *name)
{
	size_t pl, nl;

	if (strcmp(pat, "*") == 0)
		return 1;
	if (strncmp(pat, "*.", 2) != 0)
		return strcmp(pat, name) == 0;
	pat += 1; /* ".example.org" */
	pl = strlen(pat);
	nl = strlen(name);
	return nl > pl && strcmp(name + nl - pl, pat) == 0;
}

int dance_allow_match(const dance_ctx *ctx, const char *canon)
{
	for (size_t i = 0; i < ctx->allow.n; i++)
		if (pattern_match(ctx->allow.v[i], canon))
			return 1;
	return 0;
}

int dance_domain_allowed(const dance_ctx *ctx, const char *domain)
{
	char *canon = NULL;
	int ok;

	if (dance_qname_canon(domain, &canon, NULL) != DANCE_OK)
		return 0;
	ok = dance_allow_match(ctx, canon);
	free(canon);
	return ok;
}
