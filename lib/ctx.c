/*
 * ctx.c -- the dance context: creation, the log callback, the freeze (once,
 * thread-safe), freeing, the accessors other parts of libdance use to read
 * the frozen configuration, and the state made on first use (struct
 * dance_lazy in ctx.h).
 *
 * The freeze: the first lookup (or dance_ctx_freeze()) checks the settings
 * against each other and sets up the resolver, under cfg_lk, exactly once;
 * its result is kept and returned to every later caller. After it, the
 * configuration never changes, so readers need no lock; "frozen" is
 * published with release semantics after the setup is complete.
 */
#include "ctx.h"

#include <stdlib.h>
#include <string.h>

/* The resolver waits with deadlines on CLOCK_MONOTONIC (dns.c). */
static int cond_init_monotonic(pthread_cond_t *cv)
{
	pthread_condattr_t attr;
	int r;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (r == 0)
		r = pthread_cond_init(cv, &attr);
	pthread_condattr_destroy(&attr);
	return r;
}

static struct dance_lazy *lazy_new(void)
{
	struct dance_lazy *z = calloc(1, sizeof *z);

	if (z == NULL)
		return NULL;
	if (pthread_mutex_init(&z->lk, NULL) != 0) {
		free(z);
		return NULL;
	}
	atomic_init(&z->dane_sslctx, NULL);
	return z;
}

static void lazy_free(struct dance_lazy *z)
{
	if (z == NULL)
		return;
	dance_dane_sslctx_free(atomic_load(&z->dane_sslctx));
	pthread_mutex_destroy(&z->lk);
	free(z);
}

int dance_ctx_new(dance_ctx **out)
{
	dance_ctx *ctx;

	*out = NULL;
	if ((ctx = calloc(1, sizeof *ctx)) == NULL)
		return DANCE_ERR_NOMEM;
	if (pthread_mutex_init(&ctx->cfg_lk, NULL) != 0) {
		free(ctx);
		return DANCE_ERR_NOMEM;
	}
	if (pthread_mutex_init(&ctx->lk, NULL) != 0) {
		pthread_mutex_destroy(&ctx->cfg_lk);
		free(ctx);
		return DANCE_ERR_NOMEM;
	}
	if (cond_init_monotonic(&ctx->cv) != 0) {
		pthread_mutex_destroy(&ctx->lk);
		pthread_mutex_destroy(&ctx->cfg_lk);
		free(ctx);
		return DANCE_ERR_NOMEM;
	}
	atomic_init(&ctx->frozen, 0);
	if (dance_config_defaults(ctx) != DANCE_OK) {
		dance_ctx_free(ctx);
		return DANCE_ERR_NOMEM;
	}
	if ((ctx->lazy = lazy_new()) == NULL) {
		dance_ctx_free(ctx);
		return DANCE_ERR_NOMEM;
	}
	*out = ctx;
	return DANCE_OK;
}

void dance_ctx_free(dance_ctx *ctx)
{
	if (ctx == NULL)
		return;
	lazy_free(ctx->lazy);
	dance_resolver_free(ctx);
	dance_config_free(ctx);
	pthread_cond_destroy(&ctx->cv);
	pthread_mutex_destroy(&ctx->lk);
	pthread_mutex_destroy(&ctx->cfg_lk);
	free(ctx);
}

int dance_ctx_set_log(dance_ctx *ctx, dance_log_fn *fn, void *arg)
{
	int r = DANCE_OK;

	pthread_mutex_lock(&ctx->cfg_lk);
	if (atomic_load(&ctx->frozen)) {
		r = DANCE_ERR_FROZEN;
	} else {
		ctx->log_fn = fn;
		ctx->log_arg = arg;
	}
	pthread_mutex_unlock(&ctx->cfg_lk);
	return r;
}

int dance_ctx_freeze(dance_ctx *ctx)
{
	char err[512] = "";
	int r;

	if (atomic_load_explicit(&ctx->frozen, memory_order_acquire))
		return ctx->freeze_err;
	pthread_mutex_lock(&ctx->cfg_lk);
	if (atomic_load_explicit(&ctx->frozen, memory_order_relaxed)) {
		r = ctx->freeze_err;
		goto out;
	}
	if ((r = dance_config_check(ctx, NULL, err, sizeof err)) != DANCE_OK)
		DLOG_ERROR(ctx, "%s", err);
	else
		r = dance_resolver_setup(ctx);
	ctx->freeze_err = r;
	atomic_store_explicit(&ctx->frozen, 1, memory_order_release);
out:
	pthread_mutex_unlock(&ctx->cfg_lk);
	return r;
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

/* ---- accessors (internal.h) --------------------------------------------- */

enum dance_label_form dance_ctx_user_label(const dance_ctx *ctx,
                                           const char *domain)
{
	for (size_t i = 0; i < ctx->ndomain_labels; i++)
		if (strcmp(ctx->domain_labels[i].domain, domain) == 0)
			return ctx->domain_labels[i].form;
	return ctx->user_label;
}

unsigned dance_ctx_clientid_codepoint(const dance_ctx *ctx)
{
	return ctx->clientid_codepoint;
}

const char *dance_ctx_ssh_authorized_dir(const dance_ctx *ctx)
{
	return ctx->ssh_authorized_dir;
}

int dance_ctx_is_ssh_ca_domain(const dance_ctx *ctx, const char *domain)
{
	if (ctx == NULL || domain == NULL) /* offline, no configuration */
		return 0;
	for (size_t i = 0; i < ctx->ssh_ca_domains.n; i++)
		if (strcmp(ctx->ssh_ca_domains.v[i], domain) == 0)
			return 1;
	return 0;
}

unsigned dance_ctx_lookup_timeout_ms(const dance_ctx *ctx)
{
	return ctx->lookup_timeout_ms;
}

/* Made on first use (most callers never need it): checked without the
 * lock with acquire semantics, made and published under it. A failure is
 * not remembered: NULL now (the caller then makes one for the call), a
 * new attempt next time. */
struct ssl_ctx_st *dance_ctx_dane_sslctx(const dance_ctx *ctx)
{
	struct dance_lazy *z = ctx != NULL ? ctx->lazy : NULL;
	struct ssl_ctx_st *c;

	if (z == NULL)
		return NULL;
	c = atomic_load_explicit(&z->dane_sslctx, memory_order_acquire);
	if (c != NULL)
		return c;
	pthread_mutex_lock(&z->lk);
	c = atomic_load_explicit(&z->dane_sslctx, memory_order_relaxed);
	if (c == NULL && dance_dane_sslctx_new(0, &c) == DANCE_OK)
		atomic_store_explicit(&z->dane_sslctx, c, memory_order_release);
	pthread_mutex_unlock(&z->lk);
	return c;
}
