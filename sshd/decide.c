/*
 * decide.c -- what dance-authorized-keys prints, and why.
 *
 * Input: the account's authorization file (entries with their owner
 * names), the key sshd offers (plain key, OpenSSH certificate, or none),
 * the configured SSH CA domains, and the DNS answers. No I/O here: the
 * same function serves the helper, the unit tests and the fuzzer.
 *
 * - A plain key is accepted for the first entry (in file order) whose
 *   owner name has a secure answer with a usable DANE-EE selector-1
 *   record that matches the key's SubjectPublicKeyInfo
 *   (dance_spki_match: matching types 0/1/2, digest agility). One line is
 *   printed: "[options] TYPE BASE64 dance:IDENTITY".
 * - A certificate is accepted for the first uid@domain entry that is one
 *   of its principals, whose domain is an SSH CA domain, and whose
 *   "_user.<domain>" has a secure "2 1 0" record (DANE-TA, SPKI, the
 *   full key) equal to the certificate's CA key. Only 2 1 0 records are
 *   SSH CA keys: the X.509 user CA is published at the same name (by
 *   default as 2 0 1 and 2 1 1), and its key must not become an SSH CA
 *   for the domain's users. One line is printed:
 *   "cert-authority,principals="IDENTITY"[,options] CAKEY dance-ca:...";
 *   sshd then checks the signature, the principal and the validity.
 * - Without a key, every key that can be rebuilt is printed: "3 1 0"
 *   records of each entry, and "2 1 0" records of SSH CA domains as
 *   cert-authority lines for each listed user of that domain.
 *
 * Only secure answers count; everything else is a refusal whose reason
 * names the answer class, so the log tells "DNS is down" from "not this
 * key".
 */
#include "akc.h"
#include "internal.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 1800

/* A growing string; err is set (and further appends ignored) on ENOMEM. */
struct sb {
	char *s;
	size_t n, cap;
	int err;
};

static void sb_add(struct sb *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->err)
		return;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->err = 1;
			return;
		}
		if ((size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		size_t ncap = (b->cap ? b->cap * 2 : 256) + (size_t)k;
		char *ns = realloc(b->s, ncap);
		if (ns == NULL) {
			b->err = 1;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
}

/* Take the string out of b ("" if empty). NULL on ENOMEM. */
static char *sb_take(struct sb *b, size_t *len)
{
	char *s;

	if (b->err) {
		free(b->s);
		b->s = NULL;
		return NULL;
	}
	if (b->s == NULL)
		sb_add(b, "%s", "");
	s = b->s;
	if (len != NULL)
		*len = b->n;
	b->s = NULL;
	b->n = b->cap = 0;
	return s;
}

void akc_names_free(char **names, size_t n)
{
	if (names == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void akc_decision_clear(struct akc_decision *d)
{
	if (d == NULL)
		return;
	free(d->output);
	free(d->identity);
	free(d->reason);
	memset(d, 0, sizeof *d);
}

static int ca_domain_listed(const char *const *ca, size_t nca,
                            const char *domain)
{
	for (size_t i = 0; domain != NULL && i < nca; i++)
		if (strcmp(ca[i], domain) == 0)
			return 1;
	return 0;
}

static int is_ca_domain(const struct akc_input *in, const char *domain)
{
	return ca_domain_listed(in->ca_domains, in->nca, domain);
}

static int is_principal(const struct akc_cert *c, const char *identity)
{
	for (size_t i = 0; i < c->nprincipals; i++)
		if (strcmp(c->principals[i], identity) == 0)
			return 1;
	return 0;
}

/* Can identity go into principals="..." (a comma-separated list)? */
static int principal_safe(const char *identity)
{
	return strpbrk(identity, "\",\\ \t") == NULL;
}

static int add_name(char ***names, size_t *n, const char *prefix,
                    const char *name)
{
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *s, **v;

	for (size_t i = 0; i < *n; i++)
		if (strncmp((*names)[i], prefix, strlen(prefix)) == 0 &&
		    strcmp((*names)[i] + strlen(prefix), name) == 0)
			return DANCE_OK;
	if ((s = malloc(len)) == NULL)
		return DANCE_ERR_NOMEM;
	dance_fmt(s, len, "%s%s", prefix, name);
	if ((v = realloc(*names, (*n + 1) * sizeof *v)) == NULL) {
		free(s);
		return DANCE_ERR_NOMEM;
	}
	v[(*n)++] = s;
	*names = v;
	return DANCE_OK;
}

int akc_names_needed(const struct akc_file *file, const struct akc_offer *offer,
                     const char *const *ca_domains, size_t nca, char ***names,
                     size_t *n)
{
	int want_ee = !offer->present || !offer->is_cert;
	int want_ta = !offer->present || offer->is_cert;
	int r = DANCE_OK;

	*names = NULL;
	*n = 0;
	for (size_t i = 0; r == DANCE_OK && i < file->n; i++) {
		const struct akc_entry *e = &file->entries[i];
		if (want_ee && e->owner != NULL)
			r = add_name(names, n, "", e->owner);
		if (r != DANCE_OK || !want_ta || e->kind != AKC_IDENT_USER ||
		    !ca_domain_listed(ca_domains, nca, e->domain))
			continue;
		if (offer->present && !is_principal(&offer->cert, e->identity))
			continue;
		r = add_name(names, n, "_user.", e->domain);
	}
	if (r != DANCE_OK) {
		akc_names_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return r;
}

static const struct akc_answer *find_answer(const struct akc_input *in,
                                            const char *name)
{
	for (size_t i = 0; name != NULL && i < in->nanswers; i++)
		if (in->answers[i].name != NULL &&
		    strcmp(in->answers[i].name, name) == 0)
			return &in->answers[i];
	return NULL;
}

/*
 * The answer class as a verdict: DANCE_AUTHENTICATED means "secure data,
 * go on to matching"; anything else is the refusal, with why.
 */
static enum dance_verdict classify(const struct akc_answer *a, char *why,
                                   size_t whylen)
{
	const struct dance_tlsa_rrset *rr = a ? a->rrset : NULL;

	if (a == NULL) {
		dance_fmt(why, whylen, "not looked up");
		return DANCE_REFUSED_TEMPFAIL;
	}
	if (a->err == DANCE_ERR_NOT_ALLOWED) {
		dance_fmt(why, whylen, "domain not on the allow-list");
		return DANCE_REFUSED_NOT_ALLOWED;
	}
	if (a->err != DANCE_OK || rr == NULL) {
		dance_fmt(why, whylen, "%s%s%s", dance_strerror(a->err),
		          rr && rr->reason ? ": " : "",
		          rr && rr->reason ? rr->reason : "");
		return DANCE_REFUSED_TEMPFAIL;
	}
	dance_fmt(why, whylen, "%s", rr->reason ? rr->reason : "");
	switch (rr->dns_class) {
	case DANCE_DNS_SECURE:
		return DANCE_AUTHENTICATED;
	case DANCE_DNS_SECURE_NONE:
		return DANCE_REFUSED_NO_TLSA;
	case DANCE_DNS_BOGUS:
		return DANCE_REFUSED_BOGUS;
	case DANCE_DNS_INSECURE:
		return DANCE_REFUSED_INSECURE;
	case DANCE_DNS_INDETERMINATE:
		return DANCE_REFUSED_TEMPFAIL;
	}
	return DANCE_REFUSED_TEMPFAIL;
}

static int usable(const struct dance_tlsa *t, uint8_t usage)
{
	return t->problem == DANCE_TLSA_USABLE && t->usage == usage &&
	       t->selector == DANCE_SELECTOR_SPKI;
}

static size_t count_usable(const struct dance_tlsa_rrset *rr, uint8_t usage)
{
	size_t n = 0;

	for (size_t i = 0; i < rr->count; i++)
		n += (size_t)usable(&rr->records[i], usage);
	return n;
}

/* An SSH CA key record: DANE-TA(2) SPKI(1) Full(0), and nothing else. */
static int ssh_ca_record(const struct dance_tlsa *t)
{
	return usable(t, DANCE_USAGE_DANE_TA) && t->mtype == DANCE_MTYPE_FULL &&
	       t->data != NULL && t->len > 0;
}

static size_t count_ssh_ca(const struct dance_tlsa_rrset *rr)
{
	size_t n = 0;

	for (size_t i = 0; i < rr->count; i++)
		n += (size_t)ssh_ca_record(&rr->records[i]);
	return n;
}

int akc_ta_match(const struct dance_tlsa_rrset *rrset, const uint8_t *spki,
                 size_t spkilen, int *matched, int *index)
{
	*matched = 0;
	*index = -1;
	if (spki == NULL || spkilen == 0)
		return DANCE_ERR_INVALID_ARG;
	for (size_t i = 0; i < rrset->count; i++) {
		const struct dance_tlsa *t = &rrset->records[i];
		if (ssh_ca_record(t) && t->len == spkilen &&
		    CRYPTO_memcmp(t->data, spki, spkilen) == 0) {
			*matched = 1;
			*index = (int)i;
			break;
		}
	}
	return DANCE_OK;
}

/* Append "identity: verdict (why)" to the refusal reasons. */
static void note(struct sb *reasons, const char *who, enum dance_verdict v,
                 const char *why)
{
	if (reasons->n > REASON_MAX)
		return;
	sb_add(reasons, "%s%s: %s%s%.200s%s", reasons->n ? "; " : "", who,
	       dance_verdict_name(v), why[0] ? " (" : "", why,
	       why[0] ? ")" : "");
}

/* Why the records of rs (none a usable DANE-EE) do not count: the first
 * one's problem, or its usage. */
static const char *unusable_why(const struct dance_tlsa_rrset *rs)
{
	for (size_t i = 0; i < rs->count; i++)
		if (rs->records[i].problem != DANCE_TLSA_USABLE)
			return dance_tlsa_problem_text(rs->records[i].problem);
	return rs->count > 0 ? "not DANE-EE(3)" : "no records";
}

/* A plain key against one entry's records. */
static enum dance_verdict try_key(const struct akc_input *in,
                                  const struct akc_entry *e, int *index,
                                  char *why, size_t whylen)
{
	const struct akc_answer *a;
	enum dance_verdict v;
	size_t n;
	int matched = 0, r;

	*index = -1;
	if (e->owner == NULL) {
		dance_fmt(why, whylen, "no owner name");
		return DANCE_REFUSED_BAD_UID;
	}
	a = find_answer(in, e->owner);
	if ((v = classify(a, why, whylen)) != DANCE_AUTHENTICATED)
		return v;
	if ((n = count_usable(a->rrset, DANCE_USAGE_DANE_EE)) == 0) {
		dance_fmt(why, whylen,
		          "no usable 3 1 x record among %zu at %s (e.g. %s)",
		          a->rrset->count, e->owner, unusable_why(a->rrset));
		return DANCE_REFUSED_UNUSABLE;
	}
	r = dance_spki_match(a->rrset, in->offer->spki, in->offer->spkilen,
	                     &matched, index);
	if (r != DANCE_OK) {
		dance_fmt(why, whylen, "matching failed: %s",
		          dance_strerror(r));
		return DANCE_REFUSED_NO_MATCH;
	}
	if (!matched || *index < 0 || (size_t)*index >= a->rrset->count) {
		dance_fmt(why, whylen,
		          "key matches none of %zu usable "
		          "record(s) at %s",
		          n, e->owner);
		return DANCE_REFUSED_NO_MATCH;
	}
	dance_fmt(why, whylen, "3 1 %u record at %s",
	          a->rrset->records[*index].mtype, e->owner);
	return DANCE_AUTHENTICATED;
}

/* A certificate's CA key against "_user.<domain>" for one entry: only
 * "2 1 0" records name SSH CA keys (2 1 1, 2 1 2 and selector 0 records
 * there are the X.509 user CA's, and never vouch for SSH certificates). */
static enum dance_verdict try_ca(const struct akc_input *in,
                                 const struct akc_entry *e, char *why,
                                 size_t whylen)
{
	char name[300];
	const struct akc_answer *a;
	enum dance_verdict v;
	int matched = 0, index = -1;
	size_t n, other;

	dance_fmt(name, sizeof name, "_user.%s", e->domain);
	a = find_answer(in, name);
	if ((v = classify(a, why, whylen)) != DANCE_AUTHENTICATED)
		return v;
	n = count_ssh_ca(a->rrset);
	other = count_usable(a->rrset, DANCE_USAGE_DANE_TA) - n;
	if (n == 0) {
		if (other > 0)
			dance_fmt(
			        why, whylen,
			        "no 2 1 0 record (SSH CA key) at %s; %zu other "
			        "DANE-TA record(s) ignored: only 2 1 0 names "
			        "an SSH CA key",
			        name, other);
		else
			dance_fmt(why, whylen,
			          "no 2 1 0 record (SSH CA key) at %s", name);
		return DANCE_REFUSED_UNUSABLE;
	}
	if (akc_ta_match(a->rrset, in->offer->spki, in->offer->spkilen,
	                 &matched, &index) != DANCE_OK ||
	    !matched || index < 0 || (size_t)index >= a->rrset->count) {
		dance_fmt(why, whylen,
		          "certificate's CA key matches none of %zu 2 1 0 "
		          "record(s) at %s%s",
		          n, name,
		          other ? " (other DANE-TA records are not SSH CA keys)"
		                : "");
		return DANCE_REFUSED_NO_MATCH;
	}
	dance_fmt(why, whylen, "CA key matches 2 1 0 record at %s", name);
	return DANCE_AUTHENTICATED;
}

static void emit_key(struct sb *out, const char *opts, const char *key,
                     const char *identity)
{
	sb_add(out, "%s%s%s dance:%s\n", opts ? opts : "", opts ? " " : "", key,
	       identity);
}

static void emit_ca(struct sb *out, const char *opts, const char *key,
                    const char *identity)
{
	sb_add(out, "cert-authority,principals=\"%s\"%s%s %s dance-ca:%s\n",
	       identity, opts ? "," : "", opts ? opts : "", key, identity);
}

static int finish(struct akc_decision *d, struct sb *out, struct sb *reasons,
                  const char *identity)
{
	if ((d->output = sb_take(out, &d->outlen)) == NULL ||
	    (d->reason = sb_take(reasons, NULL)) == NULL)
		return DANCE_ERR_NOMEM;
	if (identity != NULL && (d->identity = strdup(identity)) == NULL)
		return DANCE_ERR_NOMEM;
	return DANCE_OK;
}

static int decide_key(const struct akc_input *in, struct akc_decision *d,
                      struct sb *out, struct sb *reasons)
{
	char why[512];
	int index;

	for (size_t i = 0; i < in->file->n; i++) {
		const struct akc_entry *e = &in->file->entries[i];
		enum dance_verdict v = try_key(in, e, &index, why, sizeof why);
		if (v != DANCE_AUTHENTICATED) {
			note(reasons, e->identity, v, why);
			continue;
		}
		sb_add(out, "%s%s%s %s dance:%s\n",
		       e->options ? e->options : "", e->options ? " " : "",
		       in->offer->type, in->offer->b64, e->identity);
		reasons->n = 0;
		sb_add(reasons, "%s", why);
		d->verdict = AKC_ACCEPTED;
		d->nlines = 1;
		return finish(d, out, reasons, e->identity);
	}
	return finish(d, out, reasons, NULL);
}

/* Refusals that concern the certificate as a whole. */
static int cert_unusable(const struct akc_input *in, char *why, size_t whylen)
{
	const struct akc_cert *c = &in->offer->cert;
	uint64_t now = in->now < 0 ? 0 : (uint64_t)in->now;

	if (c->cert_type != AKC_CERT_USER)
		dance_fmt(why, whylen, "not a user certificate");
	else if (c->nprincipals == 0)
		dance_fmt(why, whylen, "certificate names no principal");
	else if (now < c->valid_after)
		dance_fmt(why, whylen, "certificate not yet valid");
	else if (now >= c->valid_before)
		dance_fmt(why, whylen, "certificate expired");
	else
		return 0;
	return 1;
}

static int decide_cert(const struct akc_input *in, struct akc_decision *d,
                       struct sb *out, struct sb *reasons)
{
	const struct akc_cert *c = &in->offer->cert;
	char why[512], *cakey = NULL;
	size_t tried = 0;
	int r;

	if (cert_unusable(in, why, sizeof why)) {
		sb_add(reasons, "%s", why);
		return finish(d, out, reasons, NULL);
	}
	for (size_t i = 0; i < in->file->n; i++) {
		const struct akc_entry *e = &in->file->entries[i];
		enum dance_verdict v;
		if (e->kind != AKC_IDENT_USER || !is_principal(c, e->identity))
			continue;
		tried++;
		if (!is_ca_domain(in, e->domain) ||
		    !principal_safe(e->identity)) {
			note(reasons, e->identity, DANCE_REFUSED_NOT_ALLOWED,
			     "domain is not an ssh-ca-domain");
			continue;
		}
		if ((v = try_ca(in, e, why, sizeof why)) !=
		    DANCE_AUTHENTICATED) {
			note(reasons, e->identity, v, why);
			continue;
		}
		if ((r = akc_base64(c->ca_blob, c->ca_bloblen, &cakey)) !=
		    DANCE_OK)
			return r;
		sb_add(out,
		       "cert-authority,principals=\"%s\"%s%s %s %s "
		       "dance-ca:%s\n",
		       e->identity, e->options ? "," : "",
		       e->options ? e->options : "", c->ca_type, cakey,
		       e->identity);
		free(cakey);
		reasons->n = 0;
		sb_add(reasons, "certificate id \"%.100s\": %s", c->key_id,
		       why);
		d->verdict = AKC_ACCEPTED;
		d->nlines = 1;
		return finish(d, out, reasons, e->identity);
	}
	if (tried == 0) {
		sb_add(reasons, "no principal of the certificate (");
		for (size_t i = 0; i < c->nprincipals && i < 8; i++)
			sb_add(reasons, "%s%.100s", i ? "," : "",
			       c->principals[i]);
		sb_add(reasons, ") is listed in the authorization file");
	}
	return finish(d, out, reasons, NULL);
}

/* Without a key: 3 1 0 records of one entry. */
static int list_entry(const struct akc_input *in, const struct akc_entry *e,
                      struct sb *out, size_t *lines, struct sb *reasons)
{
	const struct akc_answer *a = find_answer(in, e->owner);
	char why[512], *key = NULL;
	size_t before = *lines, skipped = 0;
	enum dance_verdict v;
	int r;

	if (e->owner == NULL)
		return DANCE_OK;
	if ((v = classify(a, why, sizeof why)) != DANCE_AUTHENTICATED) {
		note(reasons, e->identity, v, why);
		return DANCE_OK;
	}
	for (size_t i = 0; i < a->rrset->count; i++) {
		const struct dance_tlsa *t = &a->rrset->records[i];
		if (!usable(t, DANCE_USAGE_DANE_EE))
			continue;
		if (t->mtype != DANCE_MTYPE_FULL) {
			skipped++;
			continue;
		}
		r = dance_spki_to_sshkey(t->data, t->len, &key);
		if (r == DANCE_ERR_NOMEM)
			return r;
		if (r != DANCE_OK) {
			skipped++;
			continue;
		}
		emit_key(out, e->options, key, e->identity);
		free(key);
		key = NULL;
		(*lines)++;
	}
	if (reasons->n <= REASON_MAX)
		sb_add(reasons, "%s%s: %zu key(s)%s", reasons->n ? "; " : "",
		       e->identity, *lines - before,
		       skipped ? ", digest or unconvertible records skipped"
		               : "");
	return DANCE_OK;
}

/* Without a key: the CA lines of one uid@domain entry. */
static int list_ca(const struct akc_input *in, const struct akc_entry *e,
                   struct sb *out, size_t *lines, struct sb *reasons)
{
	char name[300], why[512], *key = NULL;
	const struct akc_answer *a;
	enum dance_verdict v;
	int r;

	if (e->kind != AKC_IDENT_USER || !is_ca_domain(in, e->domain) ||
	    !principal_safe(e->identity))
		return DANCE_OK;
	dance_fmt(name, sizeof name, "_user.%s", e->domain);
	a = find_answer(in, name);
	if ((v = classify(a, why, sizeof why)) != DANCE_AUTHENTICATED) {
		note(reasons, name, v, why);
		return DANCE_OK;
	}
	for (size_t i = 0; i < a->rrset->count; i++) {
		const struct dance_tlsa *t = &a->rrset->records[i];
		if (!ssh_ca_record(t))
			continue;
		r = dance_spki_to_sshkey(t->data, t->len, &key);
		if (r == DANCE_ERR_NOMEM)
			return r;
		if (r != DANCE_OK)
			continue;
		emit_ca(out, e->options, key, e->identity);
		free(key);
		key = NULL;
		(*lines)++;
	}
	return DANCE_OK;
}

static int decide_list(const struct akc_input *in, struct akc_decision *d,
                       struct sb *out, struct sb *reasons)
{
	int r;

	for (size_t i = 0; i < in->file->n; i++) {
		const struct akc_entry *e = &in->file->entries[i];
		if ((r = list_entry(in, e, out, &d->nlines, reasons)) !=
		            DANCE_OK ||
		    (r = list_ca(in, e, out, &d->nlines, reasons)) != DANCE_OK)
			return r;
	}
	d->verdict = AKC_LISTED;
	return finish(d, out, reasons, NULL);
}

int akc_decide(const struct akc_input *in, struct akc_decision *d)
{
	struct sb out = {0}, reasons = {0};
	int r;

	memset(d, 0, sizeof *d);
	d->verdict = AKC_REFUSED;
	if (in->file->n == 0 && in->offer->present)
		sb_add(&reasons, "the authorization file lists no identity");
	if (!in->offer->present)
		r = decide_list(in, d, &out, &reasons);
	else if (in->offer->is_cert)
		r = decide_cert(in, d, &out, &reasons);
	else
		r = decide_key(in, d, &out, &reasons);
	if (r == DANCE_OK && (out.err || reasons.err))
		r = DANCE_ERR_NOMEM;
	free(out.s);
	free(reasons.s);
	if (r != DANCE_OK) {
		akc_decision_clear(d);
		d->verdict = AKC_REFUSED;
		return r;
	}
	if (d->verdict != AKC_ACCEPTED && d->verdict != AKC_LISTED) {
		/* A refusal never prints anything. */
		free(d->output);
		if ((d->output = strdup("")) == NULL) {
			akc_decision_clear(d);
			d->verdict = AKC_REFUSED;
			return DANCE_ERR_NOMEM;
		}
		d->outlen = 0;
		d->nlines = 0;
	}
	return DANCE_OK;
}
