/*
 * result.c -- struct dance_result: made fail-closed (a new result is a
 * refusal until verify.c says otherwise), given a verdict and a reason
 * (every refusal is logged at info level with its reason), freed.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dance_result_new(struct dance_result **out)
{
	struct dance_result *res;

	*out = NULL;
	if ((res = calloc(1, sizeof *res)) == NULL)
		return DANCE_ERR_NOMEM;
	/* Never authenticated by default (DANCE_AUTHENTICATED is 0). */
	res->verdict = DANCE_REFUSED_NO_MATCH;
	res->dns_class = DANCE_DNS_INDETERMINATE;
	res->match_depth = -1;
	if ((res->reason = strdup("not verified")) == NULL) {
		free(res);
		return DANCE_ERR_NOMEM;
	}
	*out = res;
	return DANCE_OK;
}

__attribute__((format(printf, 2, 0))) static int
set_reason(struct dance_result *res, const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return DANCE_ERR_INVALID_ARG;
	if ((s = malloc((size_t)n + 1)) == NULL)
		return DANCE_ERR_NOMEM;
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) < 0)
		s[0] = '\0';
	free(res->reason);
	res->reason = s;
	return DANCE_OK;
}

int dance_result_set_reason(struct dance_result *res, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = set_reason(res, fmt, ap);
	va_end(ap);
	return r;
}

int dance_result_refuse(const dance_ctx *ctx, struct dance_result *res,
                        enum dance_verdict v, const char *fmt, ...)
{
	va_list ap;
	int r;

	res->verdict = v == DANCE_AUTHENTICATED ? DANCE_REFUSED_NO_MATCH : v;
	free(res->identity);
	res->identity = NULL;
	va_start(ap, fmt);
	r = set_reason(res, fmt, ap);
	va_end(ap);
	if (r != DANCE_OK)
		return r;
	DLOG_INFO(ctx, "refused (%s): %s", dance_verdict_name(res->verdict),
	          res->reason);
	return DANCE_OK;
}

void dance_result_free(struct dance_result *res)
{
	if (res == NULL)
		return;
	free(res->identity);
	free(res->uid);
	free(res->domain);
	free(res->domain_ascii);
	free(res->tlsa_name);
	free(res->matched.data);
	for (size_t i = 0; i < res->record_count; i++)
		free(res->records[i].data);
	free(res->records);
	free(res->reason);
	free(res);
}
