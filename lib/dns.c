/*
 * dns.c -- TLSA lookups through libunbound: allow-list first, a deadline
 * for every lookup, a cap on lookups in flight, and the DNS answer classes
 * of design.md.
 *
 * Classification of a libunbound answer, in this order:
 *   1. no answer by the deadline, cancelled, or a libunbound error
 *                                      -> indeterminate (TIMEOUT/TEMPFAIL)
 *   2. bogus set (even when data is present)          -> bogus
 *   3. rcode other than NOERROR and NXDOMAIN (SERVFAIL, REFUSED, ...)
 *                                      -> indeterminate (TEMPFAIL)
 *   4. not secure                                     -> insecure
 *   5. secure with data                               -> secure
 *   6. secure NXDOMAIN or NODATA                      -> secure-none
 * libunbound reports SERVFAIL and time-outs with secure=0 and bogus=0, so
 * the rcode is tested before "insecure". Records are parsed only for the
 * secure class; unusable ones are kept with their problem and logged.
 *
 * No wildcards (design.md): a secure answer whose TLSA RRset, or a CNAME
 * on the way to it, was synthesised from a wildcard owner name stays
 * secure, but every record is marked DANCE_TLSA_WILDCARD, so no front end
 * can use it ("only unusable records"). libunbound does not tell; the
 * RRSIGs of the validated answer packet do (RFC 4035 section 5.3.2, read
 * by wire.c). An answer packet that cannot be read is treated the same
 * way: not proven free of wildcards. The answer cache keeps the records as
 * judged here, so the refusal is cached like any other answer.
 *
 * libdance's answer cache (cache.c) sits between the allow-list and
 * libunbound: a name whose secure or secure-none answer is still fresh
 * there is answered from it, without a query slot or a trip through
 * libunbound; every other name goes to libunbound as below, and its
 * secure or secure-none answer is kept (from the time its batch was
 * sent, for the TTL libunbound reported).
 *
 * Sharing one libunbound context between threads. libunbound runs its
 * resolver in a background thread (ub_ctx_async(ub, 1)); answers arrive
 * on a pipe (ub_fd) and are delivered by ub_process(), which calls our
 * callback with the query's struct. The protocol, all under ctx->lk:
 *
 *   - A lookup is a batch of one or more struct query. Each needs a slot
 *     (ctx->in_flight < max-in-flight) before it is sent; a query that
 *     finds no slot by the deadline ends as DANCE_ERR_BUSY, unsent.
 *   - ub_resolve_async() is called WITHOUT ctx->lk (it may block on the
 *     request pipe while the callback waits for ctx->lk). The query is
 *     SENDING meanwhile; the callback may even complete it before the
 *     sender has taken ctx->lk back.
 *   - One thread at a time is the "processor" (ctx->processing): it drops
 *     ctx->lk, poll()s ub_fd until its own deadline, runs ub_process(),
 *     takes ctx->lk back and wakes everyone (cv). The others wait on cv
 *     with a timed wait until their own deadline. When the processor's
 *     batch is complete, or its deadline passes, it gives up the role and
 *     broadcasts, so another waiting thread takes it over.
 *   - The callback takes ctx->lk, stores the result in the query, marks it
 *     DONE, frees its slot and broadcasts. If the query was ABANDONED, it
 *     frees the result and the query struct instead: nobody else will.
 *   - At the deadline the owner cancels each query still PENDING with
 *     ub_cancel() (under ctx->lk, which is safe: ub_cancel takes only
 *     libunbound's cfglock, never held while our callback runs):
 *       UB_NOERROR: libunbound will never call the callback (it drops the
 *                   answer itself): the owner frees the query.
 *       UB_NOID:    the answer was already taken off the pipe and the
 *                   callback is about to run (it waits for ctx->lk): the
 *                   owner marks the query ABANDONED and the callback frees
 *                   it. No use after free, no leak, either way.
 *     The slot is freed at that point in both cases.
 */
#include "ctx.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#define RR_TYPE_TLSA   52
#define RR_TYPE_CNAME  5
#define RR_TYPE_DNAME  39
#define RR_CLASS_IN    1
#define RCODE_NOERROR  0
#define RCODE_NXDOMAIN 3
/* While a batch still waits for slots, its processor wakes this often to
 * send queries whose slot was freed by a cancellation elsewhere. */
#define SLOT_POLL_MS 20

enum qstate {
	Q_NEW,       /* not sent: waiting for a slot */
	Q_SENDING,   /* ub_resolve_async() in progress */
	Q_PENDING,   /* sent, waiting for the callback */
	Q_DONE,      /* callback ran (or sending failed): result stored */
	Q_ABANDONED, /* owner gave up; the callback frees the struct */
};

struct query {
	dance_ctx *ctx;
	const char *name; /* canonical name, owned by the caller */
	enum qstate state;
	int async_id;
	int ub_err;            /* libunbound error, 0 if none */
	struct ub_result *res; /* answer, owned by the query until taken */
	int timed_out;         /* deadline passed while PENDING */
	int busy;              /* deadline passed while NEW */
};

/* ---- time -------------------------------------------------------------- */

static void deadline_after(struct timespec *t, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += (time_t)(ms / 1000);
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Milliseconds until t, rounded up; 0 if it has passed. */
static int ms_until(const struct timespec *t)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(t->tv_sec - now.tv_sec) * 1000 +
	     (t->tv_nsec - now.tv_nsec + 999999L) / 1000000L;
	if (ms <= 0)
		return 0;
	return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

/* ---- the callback and the batch ---------------------------------------- */

static void query_free(struct query *q)
{
	if (q == NULL)
		return;
	ub_resolve_free(q->res);
	free(q);
}

static void on_answer(void *arg, int err, struct ub_result *res)
{
	struct query *q = arg;
	dance_ctx *ctx = q->ctx;

	pthread_mutex_lock(&ctx->lk);
	if (q->state == Q_ABANDONED) {
		pthread_mutex_unlock(&ctx->lk);
		ub_resolve_free(res);
		query_free(q);
		return;
	}
	q->ub_err = err;
	q->res = res;
	q->state = Q_DONE;
	ctx->in_flight--;
	pthread_cond_broadcast(&ctx->cv);
	pthread_mutex_unlock(&ctx->lk);
}

struct batch {
	struct query **q;
	size_t n;
	struct timespec deadline;
};

static int batch_complete(const struct batch *b, int *has_new, int *has_pending)
{
	int complete = 1;

	*has_new = *has_pending = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->q[i] == NULL)
			continue;
		if (b->q[i]->state == Q_NEW)
			*has_new = 1;
		if (b->q[i]->state == Q_PENDING || b->q[i]->state == Q_SENDING)
			*has_pending = 1;
		if (b->q[i]->state != Q_DONE)
			complete = 0;
	}
	return complete;
}

/* Send the batch's NEW queries for which there is a slot. Called and
 * returns with ctx->lk held; drops it around ub_resolve_async(). */
static void send_new(dance_ctx *ctx, struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct query *q = b->q[i];
		int id = 0, r;

		if (q == NULL || q->state != Q_NEW)
			continue;
		if (ctx->in_flight >= ctx->max_in_flight)
			return;
		ctx->in_flight++;
		q->state = Q_SENDING;
		pthread_mutex_unlock(&ctx->lk);
		r = ub_resolve_async(ctx->ub, q->name, RR_TYPE_TLSA,
		                     RR_CLASS_IN, q, on_answer, &id);
		pthread_mutex_lock(&ctx->lk);
		if (r != 0) {
			/* never sent: the callback will not run */
			q->ub_err = r;
			q->state = Q_DONE;
			ctx->in_flight--;
			pthread_cond_broadcast(&ctx->cv);
			continue;
		}
		q->async_id = id;
		if (q->state == Q_SENDING)
			q->state = Q_PENDING;
	}
}

/* Be the processor for a while: poll ub_fd until something arrives or
 * wait_ms pass, and deliver answers. Called and returns with ctx->lk. */
static void process(dance_ctx *ctx, int wait_ms)
{
	struct pollfd pfd = {.fd = ub_fd(ctx->ub), .events = POLLIN};
	int r;

	ctx->processing = 1;
	pthread_mutex_unlock(&ctx->lk);
	r = poll(&pfd, 1, wait_ms);
	if (r > 0 && (r = ub_process(ctx->ub)) != 0)
		DLOG_ERROR(ctx, "ub_process: %s", ub_strerror(r));
	else if (r < 0 && errno != EINTR) {
		char eb[128];
		DLOG_ERROR(ctx, "poll: %s",
		           dance_errno_text(errno, eb, sizeof eb));
	}
	pthread_mutex_lock(&ctx->lk);
	ctx->processing = 0;
	pthread_cond_broadcast(&ctx->cv);
}

/* At the deadline: end every query of the batch that is not DONE. Called
 * with ctx->lk held. Queries that the callback will free are removed from
 * the batch (b->q[i] = NULL): a missing query means "timed out". */
static void give_up(dance_ctx *ctx, struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct query *q = b->q[i];
		if (q == NULL || q->state == Q_DONE)
			continue;
		if (q->state == Q_NEW) {
			q->busy = 1;
			q->state = Q_DONE;
			continue;
		}
		/* PENDING (SENDING cannot be seen here: its sender is us) */
		q->timed_out = 1;
		ctx->in_flight--;
		if (ub_cancel(ctx->ub, q->async_id) == 0) {
			q->state = Q_DONE; /* the callback will not run */
		} else {
			q->state = Q_ABANDONED; /* the callback frees it */
			b->q[i] = NULL;
		}
	}
	pthread_cond_broadcast(&ctx->cv);
}

static void run_batch(dance_ctx *ctx, struct batch *b)
{
	int has_new, has_pending;

	pthread_mutex_lock(&ctx->lk);
	for (;;) {
		send_new(ctx, b);
		if (batch_complete(b, &has_new, &has_pending))
			break;
		int left = ms_until(&b->deadline);
		if (left == 0) {
			give_up(ctx, b);
			break;
		}
		if (!ctx->processing && has_pending)
			process(ctx, has_new && left > SLOT_POLL_MS
			                     ? SLOT_POLL_MS
			                     : left);
		else
			pthread_cond_timedwait(&ctx->cv, &ctx->lk,
			                       &b->deadline);
	}
	pthread_mutex_unlock(&ctx->lk);
}

/* ---- classification ---------------------------------------------------- */

static const char *rcode_name(int rcode)
{
	switch (rcode) {
	case 1:
		return "FORMERR";
	case 2:
		return "SERVFAIL";
	case 3:
		return "NXDOMAIN";
	case 4:
		return "NOTIMP";
	case 5:
		return "REFUSED";
	default:
		return "error";
	}
}

static int set_reason(struct dance_tlsa_rrset *rs, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int set_reason(struct dance_tlsa_rrset *rs, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, sizeof buf, fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
	free(rs->reason);
	if ((rs->reason = strdup(buf)) == NULL)
		return DANCE_ERR_NOMEM;
	return DANCE_OK;
}

static int parse_records(dance_ctx *ctx, struct dance_tlsa_rrset *rs,
                         const struct ub_result *res)
{
	size_t n = 0;
	int r;

	while (res->data != NULL && res->data[n] != NULL)
		n++;
	if (n == 0)
		return DANCE_OK;
	if ((rs->records = calloc(n, sizeof *rs->records)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct dance_tlsa *t = &rs->records[i];
		if (res->len[i] < 0)
			return DANCE_ERR_INVALID_ARG;
		r = dance_tlsa_parse_rdata((const uint8_t *)res->data[i],
		                           (size_t)res->len[i], t);
		if (r != DANCE_OK)
			return r;
		rs->count++;
		if (t->problem != DANCE_TLSA_USABLE)
			DLOG_INFO(ctx,
			          "%s: unusable TLSA record %u %u %u "
			          "(%zu octets of data): %s",
			          rs->name, t->usage, t->selector, t->mtype,
			          t->len, dance_tlsa_problem_text(t->problem));
	}
	return DANCE_OK;
}

/* "CNAME", "DNAME" or "record of type N" in buf. */
static const char *rr_type_text(unsigned type, char *buf, size_t len)
{
	if (type == RR_TYPE_CNAME)
		return "CNAME";
	if (type == RR_TYPE_DNAME)
		return "DNAME";
	dance_fmt(buf, len, "record of type %u", type);
	return buf;
}

/* A secure answer with data: was it synthesised from a wildcard? Then
 * (or if that cannot be told) every record is marked unusable. Sets the
 * reason. */
static int judge_wildcard(dance_ctx *ctx, struct dance_tlsa_rrset *rs,
                          const struct ub_result *res)
{
	struct dance_wire_wildcard w;
	char tname[32];
	int r;

	r = dance_wire_wildcard((const uint8_t *)res->answer_packet,
	                        res->answer_len > 0 ? (size_t)res->answer_len
	                                            : 0,
	                        RR_TYPE_TLSA, &w);
	if (r == DANCE_OK && !w.found)
		return set_reason(rs, "%s",
		                  "secure TLSA records (DNSSEC validated)");
	for (size_t i = 0; i < rs->count; i++)
		rs->records[i].problem = DANCE_TLSA_WILDCARD;
	if (r != DANCE_OK)
		r = set_reason(rs,
		               "secure TLSA records, but the validated answer "
		               "could not be read (%s): not proven free of "
		               "wildcard synthesis, every record unusable",
		               w.why);
	else if (w.literal)
		r = set_reason(
		        rs,
		        "secure TLSA records, but the %s at %s is the "
		        "wildcard itself: wildcard owner names never "
		        "authenticate users, every record unusable",
		        w.type == RR_TYPE_TLSA
		                ? "TLSA RRset"
		                : rr_type_text(w.type, tname, sizeof tname),
		        w.owner);
	else if (w.type == RR_TYPE_TLSA)
		r = set_reason(rs,
		               "secure TLSA records, but synthesised from the "
		               "wildcard %s (RRSIG labels %u at %s): wildcard "
		               "owner names never authenticate users, every "
		               "record unusable",
		               w.source, w.labels, w.owner);
	else
		r = set_reason(rs,
		               "secure TLSA records, but reached through a %s "
		               "at %s synthesised from the wildcard %s (RRSIG "
		               "labels %u): wildcard owner names never "
		               "authenticate users, every record unusable",
		               rr_type_text(w.type, tname, sizeof tname),
		               w.owner, w.source, w.labels);
	if (r == DANCE_OK)
		DLOG_INFO(ctx, "%s: %s", rs->name, rs->reason);
	return r;
}

/* Fill rs from a libunbound answer; returns the lookup's error code. */
static int classify_answer(dance_ctx *ctx, struct dance_tlsa_rrset *rs,
                           const struct ub_result *res)
{
	int r;

	rs->rcode = res->rcode;
	if (res->bogus) {
		rs->dns_class = DANCE_DNS_BOGUS;
		return set_reason(rs, "DNSSEC validation failed: %s",
		                  res->why_bogus ? res->why_bogus
		                                 : "no reason given");
	}
	if (res->rcode != RCODE_NOERROR && res->rcode != RCODE_NXDOMAIN) {
		rs->dns_class = DANCE_DNS_INDETERMINATE;
		r = set_reason(rs, "DNS answer %s", rcode_name(res->rcode));
		return r == DANCE_OK ? DANCE_ERR_DNS_TEMPFAIL : r;
	}
	if (!res->secure) {
		rs->dns_class = DANCE_DNS_INSECURE;
		return set_reason(rs, "%s",
		                  "answer is not DNSSEC-signed "
		                  "(insecure): never used");
	}
	rs->ttl = res->ttl < 0 ? 0 : (uint32_t)res->ttl;
	if (rs->ttl > ctx->max_ttl)
		rs->ttl = ctx->max_ttl;
	if (!res->havedata) {
		rs->dns_class = DANCE_DNS_SECURE_NONE;
		return set_reason(rs, "%s",
		                  res->nxdomain ? "secure NXDOMAIN: no TLSA"
		                                : "secure NODATA: no TLSA");
	}
	rs->dns_class = DANCE_DNS_SECURE;
	if ((r = parse_records(ctx, rs, res)) != DANCE_OK)
		return r;
	return judge_wildcard(ctx, rs, res);
}

/* Build the RRset of one finished query. Returns the lookup's error. */
static int classify(dance_ctx *ctx, const char *name, const struct query *q,
                    struct dance_tlsa_rrset **out)
{
	struct dance_tlsa_rrset *rs;
	int r;

	*out = NULL;
	if ((rs = calloc(1, sizeof *rs)) == NULL ||
	    (rs->name = strdup(name)) == NULL) {
		free(rs);
		return DANCE_ERR_NOMEM;
	}
	rs->rcode = -1;
	rs->dns_class = DANCE_DNS_INDETERMINATE;
	if (q != NULL && q->busy) {
		r = set_reason(rs,
		               "no lookup slot before the deadline "
		               "(max-in-flight %u)",
		               ctx->max_in_flight);
		r = r == DANCE_OK ? DANCE_ERR_BUSY : r;
	} else if (q == NULL || q->timed_out) {
		r = set_reason(rs, "no answer within lookup-timeout (%u ms)",
		               ctx->lookup_timeout_ms);
		r = r == DANCE_OK ? DANCE_ERR_DNS_TIMEOUT : r;
	} else if (q->ub_err != 0 || q->res == NULL) {
		r = set_reason(
		        rs, "resolver error: %s",
		        ub_strerror(q->ub_err ? q->ub_err : UB_SERVFAIL));
		r = r == DANCE_OK ? DANCE_ERR_DNS_TEMPFAIL : r;
	} else {
		r = classify_answer(ctx, rs, q->res);
	}
	if (r == DANCE_ERR_NOMEM || r == DANCE_ERR_INVALID_ARG) {
		dance_tlsa_rrset_free(rs);
		return r;
	}
	rs->expires = time(NULL) + (time_t)rs->ttl;
	*out = rs;
	return r;
}

static void log_outcome(dance_ctx *ctx, const struct dance_tlsa_rrset *rs,
                        int r)
{
	DLOG_DEBUG(ctx, "%s: %s (rcode %d, ttl %u, %zu record(s)): %s",
	           rs->name, dance_dns_class_name(rs->dns_class), rs->rcode,
	           rs->ttl, rs->count, rs->reason);
	switch (rs->dns_class) {
	case DANCE_DNS_SECURE:
		break;
	case DANCE_DNS_SECURE_NONE:
	case DANCE_DNS_BOGUS:
	case DANCE_DNS_INSECURE:
		DLOG_INFO(ctx, "%s: refused, %s: %s", rs->name,
		          dance_dns_class_name(rs->dns_class), rs->reason);
		break;
	case DANCE_DNS_INDETERMINATE:
		DLOG_ERROR(ctx, "%s: temporary failure (%s): %s", rs->name,
		           dance_strerror(r), rs->reason);
		break;
	}
}

/* ---- public entry points ----------------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A fresh answer from the answer cache into *out (NULL if none). */
static int from_cache(dance_ctx *ctx, const char *canon,
                      struct dance_tlsa_rrset **out)
{
	int r = dance_cache_get(ctx->cache, canon, out);

	if (*out != NULL) {
		DLOG_DEBUG(ctx, "%s: from libdance's answer cache, %u s left",
		           canon, (*out)->ttl);
		log_outcome(ctx, *out, DANCE_OK);
	}
	return r;
}

/* Keep a secure or secure-none answer in the answer cache. */
static void to_cache(dance_ctx *ctx, const struct dance_tlsa_rrset *rs,
                     time_t sent_wall, int64_t sent_mono)
{
	if (dance_cache_put(ctx->cache, rs, sent_wall, sent_mono) != DANCE_OK)
		DLOG_DEBUG(ctx, "%s: not cached: out of memory", rs->name);
}

/* Check one name before anything is sent: canonical form, allow-list. */
static int prepare(dance_ctx *ctx, const char *name, char **canon)
{
	const char *domain = NULL;
	int r;

	if ((r = dance_qname_canon(name, canon, &domain)) != DANCE_OK) {
		if (r == DANCE_ERR_BAD_NAME)
			DLOG_INFO(ctx,
			          "refused: '%.255s' is not a valid DNS "
			          "name",
			          name);
		return r;
	}
	if (!dance_allow_match(ctx, domain)) {
		DLOG_INFO(ctx,
		          "%s: refused, domain %s is not on the "
		          "allow-list: no query sent",
		          *canon, domain);
		free(*canon);
		*canon = NULL;
		return DANCE_ERR_NOT_ALLOWED;
	}
	return DANCE_OK;
}

/* Batches up to this size keep their arrays on the stack. */
#define SMALL_BATCH 4

/* Prepare every name (canonical form, allow-list), answer those the
 * answer cache holds, and make a query for each of the others. The number
 * of queries made. */
static size_t start_batch(dance_ctx *ctx, const char *const *names,
                          char **canon, struct batch *b,
                          struct dance_tlsa_rrset **out, int *errs)
{
	size_t nq = 0;

	for (size_t i = 0; i < b->n; i++) {
		if ((errs[i] = prepare(ctx, names[i], &canon[i])) != DANCE_OK)
			continue;
		if ((errs[i] = from_cache(ctx, canon[i], &out[i])) !=
		            DANCE_OK ||
		    out[i] != NULL)
			continue;
		if ((b->q[i] = calloc(1, sizeof *b->q[i])) == NULL) {
			errs[i] = DANCE_ERR_NOMEM;
			continue;
		}
		b->q[i]->ctx = ctx;
		b->q[i]->name = canon[i];
		b->q[i]->state = Q_NEW;
		nq++;
	}
	return nq;
}

/* Classify the answers of the batch's queries, log them and keep the
 * secure and secure-none ones in the answer cache. */
static void finish_batch(dance_ctx *ctx, char **canon, const struct batch *b,
                         struct dance_tlsa_rrset **out, int *errs,
                         time_t sent_wall, int64_t sent_mono)
{
	for (size_t i = 0; i < b->n; i++) {
		if (canon[i] == NULL || errs[i] != DANCE_OK || out[i] != NULL)
			continue; /* refused, failed, or from the cache */
		errs[i] = classify(ctx, canon[i], b->q[i], &out[i]);
		if (out[i] == NULL)
			continue;
		log_outcome(ctx, out[i], errs[i]);
		if (errs[i] == DANCE_OK)
			to_cache(ctx, out[i], sent_wall, sent_mono);
	}
}

int dance_lookup_tlsa_many(dance_ctx *ctx, const char *const *names, size_t n,
                           struct dance_tlsa_rrset **out, int *errs)
{
	struct query *q_small[SMALL_BATCH] = {NULL};
	char *canon_small[SMALL_BATCH] = {NULL}, **canon = canon_small;
	struct batch b = {.q = q_small, .n = n};
	time_t sent_wall;
	int64_t sent_mono;
	size_t nq;
	int r;

	for (size_t i = 0; i < n; i++) {
		out[i] = NULL;
		errs[i] = DANCE_ERR_NOMEM;
	}
	if ((r = dance_ctx_freeze(ctx)) != DANCE_OK) {
		for (size_t i = 0; i < n; i++)
			errs[i] = r;
		return r;
	}
	if (n > SMALL_BATCH) {
		canon = calloc(n, sizeof *canon);
		b.q = calloc(n, sizeof(struct query *));
		if (canon == NULL || b.q == NULL) {
			free(canon);
			free(b.q);
			return DANCE_ERR_NOMEM;
		}
	}
	nq = start_batch(ctx, names, canon, &b, out, errs);
	/* before any query is sent: answer cache entries count from here */
	sent_wall = time(NULL);
	sent_mono = mono_ms();
	deadline_after(&b.deadline, ctx->lookup_timeout_ms);
	if (nq > 0)
		run_batch(ctx, &b);
	finish_batch(ctx, canon, &b, out, errs, sent_wall, sent_mono);
	for (size_t i = 0; i < n; i++) {
		query_free(b.q[i]);
		free(canon[i]);
	}
	if (b.q != q_small)
		free(b.q);
	if (canon != canon_small)
		free(canon);
	return DANCE_OK;
}

int dance_lookup_tlsa(dance_ctx *ctx, const char *name,
                      struct dance_tlsa_rrset **out)
{
	int err = DANCE_ERR_NOMEM, r;

	r = dance_lookup_tlsa_many(ctx, &name, 1, out, &err);
	return r != DANCE_OK ? r : err;
}
