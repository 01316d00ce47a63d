/*
 * verify.c -- the "_user" profile: who is this certificate's user, and may
 * we believe it?
 *
 *   chain (leaf first)
 *     -> leaf sanity (parsable extensions, not a CA)
 *     -> identity the leaf claims (identity.c): uid, domain (dNSName)
 *     -> "_user.<domain>": allow-list, then a DNSSEC-validated lookup
 *        (or a caller's RRset, offline)
 *     -> answer class: only "secure" with data goes on
 *     -> records judged for users: DANE-TA(2) only; PKIX usages and
 *        DANE-EE at _user.<domain> are "not for users" and never matched
 *     -> OpenSSL's DANE engine (dane.c): reference name the dNSName,
 *        purpose TLS client, SHA-512 above SHA-256, empty trust store,
 *        OpenSSL's security level 2 for keys and signatures (fixed); the
 *        chain must anchor at a DANE-TA record, never at the leaf itself
 *        nor at the leaf's own key (a self-signed leaf under "2 1 0")
 *     -> uid@domain, the record that matched, its depth, how long the
 *        decision holds.
 *
 * Per-user records ("<label>._user.<domain>", DANE-EE) take the uid the
 * caller expects and skip the identity step.
 *
 * Every function here runs concurrently on one context: nothing is shared
 * but the context's lookups and its read-only DANE SSL_CTX. Every refusal
 * is logged (info) with its reason; OpenSSL errors this file causes are
 * popped off the thread's error queue before returning.
 */
#include "internal.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum profile {
	PROFILE_USER_CA,  /* _user.<domain>: DANE-TA only */
	PROFILE_USER_KEY, /* <label>._user.<domain>: DANE-EE only */
};

/* ---- helpers --------------------------------------------------------- */

/* Equal DNS names: any case, trailing dot or not. */
static int same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static const char *usage_name(uint8_t u)
{
	switch (u) {
	case DANCE_USAGE_PKIX_TA:
		return "PKIX-TA";
	case DANCE_USAGE_PKIX_EE:
		return "PKIX-EE";
	case DANCE_USAGE_DANE_TA:
		return "DANE-TA";
	case DANCE_USAGE_DANE_EE:
		return "DANE-EE";
	default:
		return "unknown usage";
	}
}

static int record_accepted(enum profile pr, const struct dance_tlsa *t)
{
	if (pr == PROFILE_USER_CA)
		return t->usage == DANCE_USAGE_DANE_TA;
	return t->usage == DANCE_USAGE_DANE_EE;
}

/* A "2 1 0" record at _user.<domain> of an ssh-ca-domain is that domain's
 * SSH CA key (dance-authorized-keys(8)), never an X.509 trust anchor. */
static int is_ssh_ca_key(const dance_ctx *ctx, enum profile pr,
                         const char *domain_ascii, const struct dance_tlsa *t)
{
	return pr == PROFILE_USER_CA && domain_ascii != NULL &&
	       t->usage == DANCE_USAGE_DANE_TA &&
	       t->selector == DANCE_SELECTOR_SPKI &&
	       t->mtype == DANCE_MTYPE_FULL &&
	       dance_ctx_is_ssh_ca_domain(ctx, domain_ascii);
}

static int copy_record(struct dance_tlsa *dst, const struct dance_tlsa *src)
{
	*dst = *src;
	dst->data = NULL;
	if (src->len == 0 || src->data == NULL) {
		dst->len = 0;
		return DANCE_OK;
	}
	if ((dst->data = malloc(src->len)) == NULL)
		return DANCE_ERR_NOMEM;
	memcpy(dst->data, src->data, src->len);
	return DANCE_OK;
}

/* ---- DNS answer --------------------------------------------------------- */

/* Look up name for domain: allow-list first, nothing sent otherwise.
 * Returns DANCE_OK with *rr set, or with a refusal in res (*rr NULL); a
 * temporary error with the refusal temporary-failure in res; other errors
 * as they come. */
static int fetch(dance_ctx *ctx, const char *domain_ascii, const char *name,
                 struct dance_result *res, struct dance_tlsa_rrset **rr)
{
	int r;

	*rr = NULL;
	if (!dance_domain_allowed(ctx, domain_ascii))
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_NOT_ALLOWED,
		        "domain %s is not on the allow-list (allow-domain); "
		        "nothing was looked up",
		        domain_ascii);
	r = dance_lookup_tlsa(ctx, name, rr);
	if (r == DANCE_OK && *rr != NULL)
		return DANCE_OK;
	if (r == DANCE_ERR_NOT_ALLOWED) {
		dance_tlsa_rrset_free(*rr);
		*rr = NULL;
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_NOT_ALLOWED,
		        "domain %s is not on the allow-list "
		        "(allow-domain); nothing was looked up",
		        domain_ascii);
	}
	if (r == DANCE_OK)
		r = DANCE_ERR_RESOLVER;
	if (dance_err_is_temporary(r)) {
		int e = dance_result_refuse(
		        ctx, res, DANCE_REFUSED_TEMPFAIL,
		        "DNS lookup of %s failed temporarily: %s", name,
		        *rr != NULL && (*rr)->reason != NULL
		                ? (*rr)->reason
		                : dance_strerror(r));
		dance_tlsa_rrset_free(*rr);
		*rr = NULL;
		return e != DANCE_OK ? e : r;
	}
	dance_tlsa_rrset_free(*rr);
	*rr = NULL;
	DLOG_ERROR(ctx, "lookup of %s: %s", name, dance_strerror(r));
	return r;
}

/* Go on only with secure data. Returns DANCE_OK (*go set or a refusal in
 * res), DANCE_ERR_DNS_TEMPFAIL for an indeterminate answer (refusal in
 * res), or an error. */
static int check_class(const dance_ctx *ctx, const struct dance_tlsa_rrset *rr,
                       const char *name, struct dance_result *res, int *go)
{
	const char *why = rr->reason != NULL ? rr->reason : "";
	int r;

	*go = 0;
	res->dns_class = rr->dns_class;
	switch (rr->dns_class) {
	case DANCE_DNS_SECURE:
		if (rr->count > 0) {
			*go = 1;
			return DANCE_OK;
		}
		/* secure, but empty: as a denial */
		return dance_result_refuse(ctx, res, DANCE_REFUSED_NO_TLSA,
		                           "no TLSA records at %s", name);
	case DANCE_DNS_SECURE_NONE:
		return dance_result_refuse(ctx, res, DANCE_REFUSED_NO_TLSA,
		                           "no TLSA records at %s (DNSSEC-"
		                           "validated denial)",
		                           name);
	case DANCE_DNS_BOGUS:
		return dance_result_refuse(ctx, res, DANCE_REFUSED_BOGUS,
		                           "the answer for %s failed DNSSEC "
		                           "validation (bogus): %s",
		                           name, why);
	case DANCE_DNS_INDETERMINATE:
		r = dance_result_refuse(
		        ctx, res, DANCE_REFUSED_TEMPFAIL,
		        "DNS lookup of %s failed temporarily: %s", name, why);
		return r != DANCE_OK ? r : DANCE_ERR_DNS_TEMPFAIL;
	case DANCE_DNS_INSECURE:
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_INSECURE,
		        "the TLSA records at %s are not "
		        "DNSSEC-signed (insecure) and are never "
		        "used",
		        name);
	}
	return DANCE_ERR_INVALID_ARG;
}

/* Copy the records into res->records, marking the usages the profile does
 * not accept; *usable counts the rest. */
static int judge_records(const dance_ctx *ctx, enum profile pr,
                         const struct dance_tlsa_rrset *rr,
                         struct dance_result *res, size_t *usable)
{
	*usable = 0;
	if (rr->count == 0)
		return DANCE_OK;
	if ((res->records = calloc(rr->count, sizeof *res->records)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < rr->count; i++) {
		struct dance_tlsa *t = &res->records[i];
		if (copy_record(t, &rr->records[i]) != DANCE_OK)
			return DANCE_ERR_NOMEM;
		res->record_count++;
		if (t->problem == DANCE_TLSA_USABLE &&
		    (!record_accepted(pr, t) ||
		     is_ssh_ca_key(ctx, pr, res->domain_ascii, t)))
			t->problem = DANCE_TLSA_NOT_FOR_USERS;
		if (t->problem == DANCE_TLSA_USABLE)
			(*usable)++;
	}
	return DANCE_OK;
}

static int refuse_unusable(const dance_ctx *ctx, enum profile pr,
                           const char *name, const struct dance_tlsa_rrset *rr,
                           struct dance_result *res)
{
	const struct dance_tlsa *t = &res->records[0];

	/* dns.c marks the whole RRset; its reason names the wildcard */
	if (t->problem == DANCE_TLSA_WILDCARD)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_UNUSABLE,
		        "the %zu TLSA records at %s are %s: %s",
		        res->record_count, name,
		        dance_tlsa_problem_text(t->problem),
		        rr->reason != NULL ? rr->reason : "(no reason)");
	return dance_result_refuse(
	        ctx, res, DANCE_REFUSED_UNUSABLE,
	        "none of the %zu TLSA records at %s can authenticate a user "
	        "(%s: e.g. %u %u %u, %s: %s)",
	        res->record_count, name,
	        pr == PROFILE_USER_KEY ? "only DANE-EE(3) counts there"
	        : res->domain_ascii != NULL && dance_ctx_is_ssh_ca_domain(
	                                               ctx, res->domain_ascii)
	                ? "only DANE-TA(2) counts there, and not 2 1 0: an "
	                  "ssh-ca-domain's SSH CA key"
	                : "only DANE-TA(2) counts there",
	        t->usage, t->selector, t->mtype, usage_name(t->usage),
	        dance_tlsa_problem_text(t->problem));
}

/* seconds until t, 0 if past; UINT32_MAX cap */
static uint32_t until(time_t t, time_t now)
{
	if (t <= now)
		return 0;
	if ((uintmax_t)(t - now) > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)(t - now);
}

static void set_ttl(const struct dance_tlsa_rrset *rr, time_t not_after,
                    struct dance_result *res)
{
	time_t now = time(NULL);
	uint32_t ttl = rr->ttl;

	if (rr->expires > 0 && until(rr->expires, now) < ttl)
		ttl = until(rr->expires, now);
	if (not_after > 0 && until(not_after, now) < ttl)
		ttl = until(not_after, now);
	res->ttl = ttl;
	res->expires = now + (time_t)ttl;
}

/* ---- matching -------------------------------------------------------- */

/* Do records of both digest types share a usage and selector? Then the
 * weaker ones were ignored (RFC 7671 section 9). */
static int agility_applies(const struct dance_result *res)
{
	for (size_t i = 0; i < res->record_count; i++) {
		const struct dance_tlsa *a = &res->records[i];
		for (size_t k = 0; k < res->record_count; k++) {
			const struct dance_tlsa *b = &res->records[k];
			if (a->problem == DANCE_TLSA_USABLE &&
			    b->problem == DANCE_TLSA_USABLE &&
			    a->usage == b->usage &&
			    a->selector == b->selector &&
			    a->mtype == DANCE_MTYPE_SHA256 &&
			    b->mtype == DANCE_MTYPE_SHA512)
				return 1;
		}
	}
	return 0;
}

/* An X509_V_* error of the security level (keys, signature digests). */
static int too_weak(int e)
{
	return e == X509_V_ERR_EE_KEY_TOO_SMALL ||
	       e == X509_V_ERR_CA_KEY_TOO_SMALL ||
	       e == X509_V_ERR_CA_MD_TOO_WEAK;
}

static int refuse_weak(const dance_ctx *ctx, const char *name,
                       const struct dance_dane_outcome *o,
                       const struct dance_dane_check_info *info,
                       struct dance_result *res)
{
	return dance_result_refuse(
	        ctx, res, DANCE_REFUSED_NO_MATCH,
	        "a key or signature is too weak for the records at %s: %s "
	        "(certificate at depth %d); security level 2 wants RSA, DSA "
	        "and DH keys of 2048 bits or more, ECC keys of 224 bits or "
	        "more, and no SHA-1 or MD5 signatures",
	        name, o->reason, info->error_depth);
}

static int refuse_no_match(const dance_ctx *ctx, const char *name,
                           const struct dance_dane_outcome *o,
                           const struct dance_dane_check_info *info,
                           struct dance_result *res)
{
	const char *dom = res->domain_ascii;

	if (info->leaf_key_anchor)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_NO_MATCH,
		        "the DANE-TA record at %s names the leaf's own key as "
		        "the trust anchor; a user certificate must chain to "
		        "its domain's user CA, never anchor at itself",
		        name);
	if (o->ok && info->matched_leaf)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_NO_MATCH,
		        "the DANE-TA record at %s names the leaf itself; a "
		        "user "
		        "certificate must chain to its domain's user CA",
		        name);
	if (too_weak(o->x509_error))
		return refuse_weak(ctx, name, o, info, res);
	if (o->x509_error == X509_V_ERR_DANE_NO_MATCH ||
	    o->x509_error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    o->x509_error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_NO_MATCH,
		        "the certificate's domain %s has no matching record at "
		        "%s: its chain does not lead to the user CA published "
		        "there, and only that CA may vouch for names in %s "
		        "(namespace constraint)%s [%s]",
		        dom, name, dom,
		        agility_applies(res)
		                ? "; where SHA-512 records are published, "
		                  "SHA-256 records of the same usage and "
		                  "selector are ignored (digest agility)"
		                : "",
		        o->reason);
	return dance_result_refuse(ctx, res, DANCE_REFUSED_NO_MATCH,
	                           "the chain does not validate against the "
	                           "records at %s: %s (certificate at depth "
	                           "%d)",
	                           name, o->reason, info->error_depth);
}

static int set_authenticated(const dance_ctx *ctx, const char *name,
                             const struct dance_dane_outcome *o,
                             struct dance_result *res)
{
	const struct dance_tlsa *m = &res->records[o->record_index];
	size_t n = strlen(res->uid) + strlen(res->domain) + 2;
	int r;

	if ((r = copy_record(&res->matched, m)) != DANCE_OK)
		return r;
	res->has_match = 1;
	res->match_depth = o->match_depth;
	if ((res->identity = malloc(n)) == NULL)
		return DANCE_ERR_NOMEM;
	dance_fmt(res->identity, n, "%s@%s", res->uid, res->domain);
	if ((r = dance_result_set_reason(
	             res,
	             "authenticated by %s record %u %u %u at %s (chain "
	             "depth %d)",
	             usage_name(m->usage), m->usage, m->selector, m->mtype,
	             name, o->match_depth)) != DANCE_OK)
		return r;
	res->verdict = DANCE_AUTHENTICATED;
	DLOG_INFO(ctx, "%s: %s", res->identity, res->reason);
	return DANCE_OK;
}

/* Match chain against res->records (already judged) and conclude. */
static int match(const dance_ctx *ctx, enum profile pr, STACK_OF(X509) * chain,
                 const char *name, const struct dance_tlsa_rrset *rr,
                 struct dance_result *res)
{
	struct dance_dane_params p = {
	        .refname = pr == PROFILE_USER_CA ? res->domain_ascii : NULL,
	        .purpose = X509_PURPOSE_SSL_CLIENT,
	        .flags = pr == PROFILE_USER_KEY ? DANCE_DANE_NO_EE_NAMECHECKS
	                                        : 0,
	        /* fixed: OpenSSL's security level 2 for keys and
	         * signatures, not configurable */
	        .auth_level = DANCE_DANE_AUTH_LEVEL_DEFAULT,
	};
	struct dance_dane_outcome o;
	struct dance_dane_check_info info;
	int r, want = pr == PROFILE_USER_CA ? DANCE_USAGE_DANE_TA
	                                    : DANCE_USAGE_DANE_EE;

	r = dance_dane_check_with(dance_ctx_dane_sslctx(ctx), &p, chain,
	                          res->records, res->record_count, &o, &info);
	if (r != DANCE_OK)
		return r;
	/* A DANE-TA record must never anchor at the leaf itself, nor at
	 * the leaf's own key; a DANE-EE record names exactly the leaf. */
	if (!o.ok || o.record_index < 0 ||
	    res->records[o.record_index].usage != want ||
	    (pr == PROFILE_USER_CA &&
	     (info.matched_leaf || info.leaf_key_anchor))) {
		if (pr == PROFILE_USER_CA)
			return refuse_no_match(ctx, name, &o, &info, res);
		if (too_weak(o.x509_error))
			return refuse_weak(ctx, name, &o, &info, res);
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_NO_MATCH,
		        "the key of the certificate matches no DANE-EE record "
		        "at %s [%s]",
		        name, o.reason);
	}
	set_ttl(rr, pr == PROFILE_USER_CA ? info.not_after : 0, res);
	return set_authenticated(ctx, name, &o, res);
}

/* From an RRset (looked up or given) to a verdict. */
static int conclude(const dance_ctx *ctx, enum profile pr,
                    STACK_OF(X509) * chain, const char *name,
                    const struct dance_tlsa_rrset *rr, struct dance_result *res)
{
	size_t usable = 0;
	int r, go = 0;

	if ((r = check_class(ctx, rr, name, res, &go)) != DANCE_OK || !go)
		return r;
	if ((r = judge_records(ctx, pr, rr, res, &usable)) != DANCE_OK)
		return r;
	if (usable == 0)
		return refuse_unusable(ctx, pr, name, rr, res);
	return match(ctx, pr, chain, name, rr, res);
}

/* ---- the _user profile ----------------------------------------------- */

/* Leaf checks that need no DNS. *refused set when res holds a verdict. */
static int check_leaf(const dance_ctx *ctx, X509 *leaf,
                      struct dance_result *res, int *refused)
{
	uint32_t fl = X509_get_extension_flags(leaf);

	*refused = 1;
	if ((fl & EXFLAG_INVALID) != 0)
		return dance_result_refuse(ctx, res, DANCE_REFUSED_BAD_CERT,
		                           "the certificate's extensions are "
		                           "malformed or repeated");
	if ((fl & EXFLAG_CA) != 0)
		return dance_result_refuse(ctx, res, DANCE_REFUSED_BAD_CERT,
		                           "the leaf is a CA certificate "
		                           "(basicConstraints CA:TRUE), not a "
		                           "user's");
	*refused = 0;
	return DANCE_OK;
}

/* Identity into res; *refused set when res holds a verdict. */
static int take_identity(const dance_ctx *ctx, X509 *leaf,
                         const char *clientname, struct dance_result *res,
                         int *refused)
{
	struct dance_identity id;
	int r;

	*refused = 1;
	if ((r = dance_identity_from_cert(leaf, clientname, &id)) != DANCE_OK)
		return r;
	if (id.verdict != DANCE_AUTHENTICATED) {
		r = dance_result_refuse(ctx, res, id.verdict, "%s", id.reason);
		dance_identity_clear(&id);
		return r;
	}
	res->uid = id.uid;
	res->domain = id.domain;
	res->domain_ascii = id.domain_ascii;
	id.uid = id.domain = id.domain_ascii = NULL;
	dance_identity_clear(&id);
	*refused = 0;
	{
		size_t n = strlen(res->domain_ascii) + sizeof "_user.";
		if ((res->tlsa_name = malloc(n)) == NULL)
			return DANCE_ERR_NOMEM;
		dance_fmt(res->tlsa_name, n, "_user.%s", res->domain_ascii);
	}
	return DANCE_OK;
}

/* Offline RRset for another name than the certificate leads to. */
static int refuse_other_name(const dance_ctx *ctx, enum profile pr,
                             const char *given, struct dance_result *res)
{
	if (pr == PROFILE_USER_KEY)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_WRONG_USER,
		        "the records given are for %s, but the user %s@%s has "
		        "its records at %s",
		        given, res->uid, res->domain_ascii, res->tlsa_name);
	return dance_result_refuse(
	        ctx, res, DANCE_REFUSED_NO_MATCH,
	        "the certificate's domain %s has no matching record at %s: the "
	        "records given are for %s, and a CA published there cannot "
	        "vouch for names in %s (namespace constraint)",
	        res->domain_ascii, res->tlsa_name, given, res->domain_ascii);
}

/* Records for res->tlsa_name: given (offline) or looked up. Then judge. */
static int records_and_match(dance_ctx *lookup, const dance_ctx *ctx,
                             enum profile pr, STACK_OF(X509) * chain,
                             const struct dance_tlsa_rrset *given,
                             struct dance_result *res)
{
	struct dance_tlsa_rrset *owned = NULL;
	int r;

	if (given != NULL) {
		if (given->name != NULL && given->name[0] != '\0' &&
		    !same_name(given->name, res->tlsa_name))
			return refuse_other_name(ctx, pr, given->name, res);
		return conclude(ctx, pr, chain, res->tlsa_name, given, res);
	}
	r = fetch(lookup, res->domain_ascii, res->tlsa_name, res, &owned);
	if (r == DANCE_OK && owned != NULL)
		r = conclude(ctx, pr, chain, res->tlsa_name, owned, res);
	dance_tlsa_rrset_free(owned);
	return r;
}

/* The _user profile: lookup is NULL offline (then given is the RRset). */
static int verify_user_ca(dance_ctx *lookup, const dance_ctx *ctx,
                          STACK_OF(X509) * chain, const char *clientname,
                          const struct dance_tlsa_rrset *given,
                          struct dance_result **out)
{
	struct dance_result *res = NULL;
	X509 *leaf;
	int r, refused = 0;

	*out = NULL;
	if (sk_X509_num(chain) < 1 || sk_X509_num(chain) > 32 ||
	    (leaf = sk_X509_value(chain, 0)) == NULL)
		return DANCE_ERR_INVALID_ARG;
	if ((r = dance_result_new(&res)) != DANCE_OK)
		return r;
	ERR_set_mark();
	if ((r = check_leaf(ctx, leaf, res, &refused)) != DANCE_OK || refused)
		goto out;
	r = take_identity(ctx, leaf, clientname, res, &refused);
	if (r != DANCE_OK || refused)
		goto out;
	r = records_and_match(lookup, ctx, PROFILE_USER_CA, chain, given, res);
out:
	ERR_pop_to_mark();
	if (r != DANCE_OK && !dance_err_is_temporary(r)) {
		dance_result_free(res);
		return r;
	}
	*out = res;
	return r;
}

int dance_verify_chain(dance_ctx *ctx, struct stack_st_X509 *chain,
                       const char *clientname, struct dance_result **out)
{
	return verify_user_ca(ctx, ctx, chain, clientname, NULL, out);
}

int dance_verify_chain_offline(const dance_ctx *ctx,
                               struct stack_st_X509 *chain,
                               const char *clientname,
                               const struct dance_tlsa_rrset *rrset,
                               struct dance_result **out)
{
	return verify_user_ca(NULL, ctx, chain, clientname, rrset, out);
}

/* DER certificates to a stack; *bad is the index of the first that is not
 * exactly one DER certificate. */
static int chain_from_der(const uint8_t *const *der, const size_t *lens,
                          size_t n, STACK_OF(X509) * *out, size_t *bad)
{
	STACK_OF(X509) *sk = NULL;
	int r = DANCE_ERR_NOMEM;

	*out = NULL;
	*bad = 0;
	if ((sk = sk_X509_new_null()) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = NULL;
		*bad = i;
		r = DANCE_ERR_PARSE;
		if (p == NULL || lens[i] == 0 || lens[i] > LONG_MAX)
			goto out;
		x = d2i_X509(NULL, &p, (long)lens[i]);
		if (x == NULL || p != der[i] + lens[i]) {
			X509_free(x);
			goto out;
		}
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			r = DANCE_ERR_NOMEM;
			goto out;
		}
	}
	*out = sk;
	sk = NULL;
	r = DANCE_OK;
out:
	sk_X509_pop_free(sk, X509_free);
	return r;
}

int dance_verify_der(dance_ctx *ctx, const uint8_t *const *der,
                     const size_t *lens, size_t n, const char *clientname,
                     struct dance_result **out)
{
	STACK_OF(X509) *chain = NULL;
	size_t bad = 0;
	int r;

	*out = NULL;
	if (n == 0 || n > 32)
		return DANCE_ERR_INVALID_ARG;
	ERR_set_mark();
	r = chain_from_der(der, lens, n, &chain, &bad);
	ERR_pop_to_mark();
	if (r == DANCE_ERR_PARSE) {
		if ((r = dance_result_new(out)) != DANCE_OK)
			return r;
		r = dance_result_refuse(
		        ctx, *out, DANCE_REFUSED_BAD_CERT,
		        "certificate %zu of the chain is not one "
		        "DER certificate",
		        bad);
		if (r != DANCE_OK) {
			dance_result_free(*out);
			*out = NULL;
		}
		return r;
	}
	if (r != DANCE_OK)
		return r;
	r = dance_verify_chain(ctx, chain, clientname, out);
	sk_X509_pop_free(chain, X509_free);
	return r;
}

/* ---- per-user records ------------------------------------------------ */

/* The expected user's names into res; *refused when res holds a verdict. */
static int user_names(const dance_ctx *ctx, const char *uid, const char *domain,
                      struct dance_result *res, int *refused)
{
	int r;

	*refused = 1;
	r = dance_uid_normalize(uid, strlen(uid), &res->uid);
	if (r == DANCE_ERR_PARSE)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_BAD_UID,
		        "the expected uid is not a valid uid");
	if (r != DANCE_OK)
		return r;
	r = dance_domain_to_ascii(domain, &res->domain_ascii);
	if (r == DANCE_OK)
		r = dance_domain_to_unicode(res->domain_ascii, &res->domain);
	if (r == DANCE_ERR_BAD_NAME)
		return dance_result_refuse(ctx, res, DANCE_REFUSED_NO_DOMAIN,
		                           "the expected domain is not a valid "
		                           "domain name");
	if (r != DANCE_OK)
		return r;
	r = dance_user_owner(ctx, res->uid, res->domain_ascii,
	                     DANCE_LABEL_PLAIN, &res->tlsa_name);
	if (r == DANCE_ERR_BAD_NAME)
		return dance_result_refuse(
		        ctx, res, DANCE_REFUSED_BAD_UID,
		        "the uid '%s' cannot form a DNS label "
		        "(plain labels hold at most 63 octets)",
		        res->uid);
	if (r != DANCE_OK)
		return r;
	*refused = 0;
	return DANCE_OK;
}

int dance_verify_user_chain(dance_ctx *ctx, struct stack_st_X509 *chain,
                            const char *uid, const char *domain,
                            const struct dance_tlsa_rrset *rrset,
                            struct dance_result **out)
{
	struct dance_result *res = NULL;
	int r, refused = 0;

	*out = NULL;
	if (sk_X509_num(chain) < 1 || sk_X509_num(chain) > 32 ||
	    sk_X509_value(chain, 0) == NULL || (rrset == NULL && ctx == NULL))
		return DANCE_ERR_INVALID_ARG;
	if ((r = dance_result_new(&res)) != DANCE_OK)
		return r;
	ERR_set_mark();
	if ((r = user_names(ctx, uid, domain, res, &refused)) != DANCE_OK ||
	    refused)
		goto out;
	r = records_and_match(ctx, ctx, PROFILE_USER_KEY, chain, rrset, res);
out:
	ERR_pop_to_mark();
	if (r != DANCE_OK && !dance_err_is_temporary(r)) {
		dance_result_free(res);
		return r;
	}
	*out = res;
	return r;
}
