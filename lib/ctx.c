/*
 * ctx.c -- the dance context: creation, logging, freeing.
 *
 * PLACEHOLDER: the configuration (dance.conf keywords), the freeze and the
 * resolver are added by the DNS-layer work (issue 2).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

struct dance_ctx {
	dance_log_fn *log_fn;
	void *log_arg;
	enum dance_log_level log_level;
	struct ssl_ctx_st *dane_sslctx; /* for dance_dane_check_with() */
};

int dance_ctx_new(dance_ctx **out)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return DANCE_ERR_NOMEM;
	(*out)->log_level = DANCE_LOG_INFO;
	if (dance_dane_sslctx_new(0, &(*out)->dane_sslctx) != DANCE_OK) {
		free(*out);
		*out = NULL;
		return DANCE_ERR_NOMEM;
	}
	return DANCE_OK;
}

void dance_ctx_free(dance_ctx *ctx)
{
	if (ctx == NULL)
		return;
	dance_dane_sslctx_free(ctx->dane_sslctx);
	free(ctx);
}

int dance_ctx_set_log(dance_ctx *ctx, dance_log_fn *fn, void *arg)
{
	ctx->log_fn = fn;
	ctx->log_arg = arg;
	return DANCE_OK;
}

int dance_ctx_load_config(dance_ctx *ctx, const char *path, char *errbuf,
                          size_t errlen)
{
	(void)ctx;
	dance_fmt(errbuf, errlen, "%s: configuration not implemented yet",
	          path ? path : DANCE_DEFAULT_CONFIG);
	return DANCE_ERR_CONFIG;
}

void dance_log(const dance_ctx *ctx, enum dance_log_level level,
               const char *func, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	if (ctx == NULL || ctx->log_fn == NULL || level > ctx->log_level)
		return;
	n = snprintf(msg, sizeof msg, "%s: ", func);
	if (n < 0 || (size_t)n >= sizeof msg)
		n = 0;
	va_start(ap, fmt);
	(void)vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_arg, level, msg);
}

enum dance_label_form dance_ctx_user_label(const dance_ctx *ctx,
                                           const char *domain)
{
	(void)ctx;
	(void)domain;
	return DANCE_LABEL_PLAIN;
}

struct ssl_ctx_st *dance_ctx_dane_sslctx(const dance_ctx *ctx)
{
	return ctx != NULL ? ctx->dane_sslctx : NULL;
}
