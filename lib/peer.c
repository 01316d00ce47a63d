/*
 * peer.c -- verify what a TLS client presented (certificate chain in DER
 * and the dane_clientid ClientName), as the OpenSSL integration (ssl.c) and
 * the SASL plugin receive it: the ClientName's domain must be on the
 * allow-list before anything is looked up; then the chain is verified with
 * dance_verify_der().
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A refusal decided before any lookup. */
static int early_refusal(enum dance_verdict v, const char *reason,
                         const char *domain, struct dance_result **out)
{
	struct dance_result *res;

	*out = NULL;
	if ((res = calloc(1, sizeof *res)) == NULL)
		return DANCE_ERR_NOMEM;
	res->verdict = v;
	res->dns_class = DANCE_DNS_INDETERMINATE; /* nothing was asked */
	res->match_depth = -1;
	if ((res->reason = strdup(reason)) == NULL ||
	    (domain != NULL && (res->domain_ascii = strdup(domain)) == NULL)) {
		dance_result_free(res);
		return DANCE_ERR_NOMEM;
	}
	*out = res;
	return DANCE_OK;
}

/* Check a ClientName before anything is looked up: well formed, and its
 * domain on the allow-list. DANCE_OK with *out NULL when it passes. */
static int check_clientname(const dance_ctx *ctx, const char *clientname,
                            struct dance_result **out)
{
	const char *domain = dance_clientid_domain(clientname);
	char reason[512];

	*out = NULL;
	if (!dance_clientid_name_ok(clientname, strlen(clientname))) {
		DLOG_INFO(ctx, "malformed ClientName refused");
		return early_refusal(
		        DANCE_REFUSED_CLIENTID,
		        "malformed ClientName; nothing was looked up", NULL,
		        out);
	}
	if (!dance_domain_allowed(ctx, domain)) {
		dance_fmt(reason, sizeof reason,
		          "ClientName %s: domain %s is not on the allow-list; "
		          "nothing was looked up",
		          clientname, domain);
		DLOG_INFO(ctx, "%s", reason);
		return early_refusal(DANCE_REFUSED_NOT_ALLOWED, reason, domain,
		                     out);
	}
	return DANCE_OK;
}

/* The ClientName as dance_verify_der() takes it: "_user." + domain. */
static int clientname_for_verify(const char *clientname, char **out)
{
	const char *domain = dance_clientid_domain(clientname);
	size_t len = strlen(domain) + sizeof "_user.";

	*out = NULL;
	if ((*out = malloc(len)) == NULL)
		return DANCE_ERR_NOMEM;
	(void)snprintf(*out, len, "_user.%s", domain);
	return DANCE_OK;
}

int dance_verify_peer(dance_ctx *ctx, const struct dance_peer *peer,
                      struct dance_result **out)
{
	char *name = NULL;
	int r = DANCE_ERR_INVALID_ARG;

	*out = NULL;
	if (peer->n == 0 || peer->der == NULL || peer->lens == NULL)
		goto out;
	if (peer->clientname != NULL) {
		r = check_clientname(ctx, peer->clientname, out);
		if (r != DANCE_OK || *out != NULL)
			goto out;
		if ((r = clientname_for_verify(peer->clientname, &name)) !=
		    DANCE_OK)
			goto out;
	}
	r = dance_verify_der(ctx, peer->der, peer->lens, peer->n, name, out);
out:
	free(name);
	return r;
}
