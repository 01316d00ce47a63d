/*
 * identity.c -- the identity "uid@domain" a user certificate claims
 * (design.md, "Identity from a certificate"; draft-ietf-dance-architecture,
 * Example 3). Nothing here checks signatures or DNS: verify.c does, after
 * this has said which name to look up.
 *
 * domain: the leaf's subjectAltName dNSName. Never a wildcard, never the
 *   subject CN, never "_user.<x>", always a valid host name in A-labels
 *   whose A-labels are valid IDNA2008 (decoded, re-encoded without TR46
 *   mapping, and compared). Equal dNSNames (after lowercasing) count as
 *   one. With several distinct dNSNames the ClientName must name one as
 *   "_user.<dNSName>" (case-insensitive); without a ClientName every
 *   dNSName must be valid and there must be exactly one.
 *
 * uid, from exactly one claim:
 *   - otherName 0.9.2342.19200300.100.1.1 (uid), UTF8String;
 *   - otherName SmtpUTF8Mailbox (1.3.6.1.5.5.7.8.9), UTF8String, or
 *     rfc822Name, "local@domain" with domain equal to the dNSName (compared
 *     in A-labels, any case); the local part is the uid.
 *   Each value is normalised (dance_uid_normalize: UTF-8, no controls, no
 *   white space or separators, no '@', NFC, Unicode lowercase). Values equal after normalisation count as
 *   one claim; different values are ambiguous. A mailbox at another domain
 *   is a conflicting claim and refuses the certificate too (ambiguous), as
 *   does any uid or mailbox value that is malformed (bad uid).
 */
#include "internal.h"

#include <idn2.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USER_PREFIX     "_user."
#define USER_PREFIX_LEN (sizeof USER_PREFIX - 1)
#define MAX_DNSNAMES    16

/* Refuse with a formatted reason. Returns DANCE_OK (a verdict is no
 * error). */
static int refuse(struct dance_identity *id, enum dance_verdict v,
                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int refuse(struct dance_identity *id, enum dance_verdict v,
                  const char *fmt, ...)
{
	va_list ap;

	id->verdict = v;
	va_start(ap, fmt);
	if (vsnprintf(id->reason, sizeof id->reason, fmt, ap) < 0)
		id->reason[0] = '\0';
	va_end(ap);
	return DANCE_OK;
}

/* A printable copy of untrusted octets for a reason text: at most 64
 * characters, anything outside printable ASCII as '?'. */
static void printable(const unsigned char *s, size_t len, char *buf,
                      size_t buflen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 4 < buflen && i < 64; i++)
		buf[o++] = (char)((s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
	if (len > 64 && o + 4 < buflen) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/*
 * The U-label form of a lowercase A-label name; DANCE_ERR_BAD_NAME when an
 * A-label is not valid IDNA2008 (it must decode, and the decoded name must
 * encode back to the same A-labels without any mapping).
 */
int dance_domain_to_unicode(const char *ascii, char **out)
{
	char *u = NULL;
	uint8_t *back = NULL;
	int r = DANCE_ERR_BAD_NAME;

	*out = NULL;
	if (strstr(ascii, "xn--") == NULL) {
		if ((*out = strdup(ascii)) == NULL)
			return DANCE_ERR_NOMEM;
		return DANCE_OK;
	}
	if (idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK || u == NULL)
		goto out;
	if (idn2_lookup_u8((const uint8_t *)u, &back, IDN2_NO_TR46) !=
	            IDN2_OK ||
	    back == NULL || strcmp((const char *)back, ascii) != 0)
		goto out;
	r = (*out = strdup(u)) != NULL ? DANCE_OK : DANCE_ERR_NOMEM;
out:
	idn2_free(u);
	idn2_free(back);
	return r;
}

/* Judge one dNSName. On success *ascii is its lowercase A-label form;
 * otherwise *ascii is NULL and why says what is wrong. */
static int judge_dnsname(const ASN1_IA5STRING *s, char **ascii, char *why,
                         size_t whylen)
{
	const unsigned char *d = ASN1_STRING_get0_data(s);
	size_t len = (size_t)ASN1_STRING_length(s);
	char show[80], *copy = NULL, *u = NULL;
	int r;

	*ascii = NULL;
	printable(d, len, show, sizeof show);
	if (len == 0 || len > 254) {
		dance_fmt(why, whylen, "dNSName '%s' has a bad length", show);
		return DANCE_OK;
	}
	for (size_t i = 0; i < len; i++) {
		if (d[i] < 0x21 || d[i] > 0x7e) {
			dance_fmt(why, whylen,
			          "dNSName '%s' holds octets that are not "
			          "printable ASCII",
			          show);
			return DANCE_OK;
		}
	}
	if (memchr(d, '*', len) != NULL) {
		dance_fmt(why, whylen, "dNSName '%s' is a wildcard", show);
		return DANCE_OK;
	}
	if (len >= USER_PREFIX_LEN &&
	    strncasecmp((const char *)d, USER_PREFIX, USER_PREFIX_LEN) == 0) {
		dance_fmt(why, whylen,
		          "dNSName '%s' is itself a _user name, not a domain",
		          show);
		return DANCE_OK;
	}
	if ((copy = strndup((const char *)d, len)) == NULL)
		return DANCE_ERR_NOMEM;
	r = dance_domain_to_ascii(copy, ascii);
	free(copy);
	if (r == DANCE_ERR_NOMEM)
		return r;
	if (r != DANCE_OK) {
		dance_fmt(why, whylen, "dNSName '%s' is not a valid host name",
		          show);
		return DANCE_OK;
	}
	r = dance_domain_to_unicode(*ascii, &u);
	free(u);
	if (r == DANCE_OK)
		return DANCE_OK;
	free(*ascii);
	*ascii = NULL;
	if (r == DANCE_ERR_NOMEM)
		return r;
	dance_fmt(why, whylen, "dNSName '%s' holds an invalid IDNA A-label",
	          show);
	return DANCE_OK;
}

/* The valid dNSNames (deduplicated) and the first problem found. */
struct dnsnames {
	char *names[MAX_DNSNAMES];
	size_t n;      /* valid, distinct names */
	size_t total;  /* dNSName entries seen */
	char why[256]; /* first invalid one, "" if none */
	int too_many;  /* more than MAX_DNSNAMES distinct names */
};

static void dnsnames_clear(struct dnsnames *dn)
{
	for (size_t i = 0; i < dn->n; i++)
		free(dn->names[i]);
	dn->n = 0;
}

static int collect_dnsnames(const GENERAL_NAMES *sans, struct dnsnames *dn)
{
	char why[256];

	for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		char *a = NULL;
		int r, dup = 0;

		if (gn->type != GEN_DNS)
			continue;
		dn->total++;
		why[0] = '\0';
		if ((r = judge_dnsname(gn->d.dNSName, &a, why, sizeof why)) !=
		    DANCE_OK)
			return r;
		if (a == NULL) {
			if (dn->why[0] == '\0')
				dance_fmt(dn->why, sizeof dn->why, "%s", why);
			continue;
		}
		for (size_t k = 0; k < dn->n; k++)
			dup |= strcmp(dn->names[k], a) == 0;
		if (dup || dn->n == MAX_DNSNAMES) {
			dn->too_many |= !dup;
			free(a);
			continue;
		}
		dn->names[dn->n++] = a;
	}
	return DANCE_OK;
}

/* The ClientName's domain ("_user.<domain>" -> lowercase A-labels), or
 * NULL if it is not of that form. */
static int clientname_domain(const char *clientname, char **out)
{
	int r;

	*out = NULL;
	if (strncasecmp(clientname, USER_PREFIX, USER_PREFIX_LEN) != 0)
		return DANCE_OK;
	r = dance_domain_to_ascii(clientname + USER_PREFIX_LEN, out);
	return r == DANCE_ERR_NOMEM ? r : DANCE_OK;
}

/* Choose the domain: sets id->domain_ascii or refuses. */
static int pick_domain(const GENERAL_NAMES *sans, const char *clientname,
                       struct dance_identity *id)
{
	struct dnsnames dn;
	char *want = NULL, show[80];
	int r;

	memset(&dn, 0, sizeof dn);
	if ((r = collect_dnsnames(sans, &dn)) != DANCE_OK)
		goto out;
	if (dn.total == 0) {
		r = refuse(id, DANCE_REFUSED_NO_DOMAIN,
		           "the certificate has no dNSName (the subject CN is "
		           "never used)");
		goto out;
	}
	if (dn.n == 0) {
		r = refuse(id, DANCE_REFUSED_NO_DOMAIN, "%s", dn.why);
		goto out;
	}
	if (clientname != NULL) {
		printable((const unsigned char *)clientname, strlen(clientname),
		          show, sizeof show);
		if ((r = clientname_domain(clientname, &want)) != DANCE_OK)
			goto out;
		for (size_t i = 0; want != NULL && i < dn.n; i++) {
			if (strcmp(dn.names[i], want) == 0) {
				id->domain_ascii = dn.names[i];
				dn.names[i] = dn.names[--dn.n];
				r = DANCE_OK;
				goto out;
			}
		}
		r = refuse(id, DANCE_REFUSED_CLIENTID,
		           "the ClientName '%s' is not _user. followed by a "
		           "dNSName of the certificate",
		           show);
		goto out;
	}
	if (dn.why[0] != '\0') {
		r = refuse(id, DANCE_REFUSED_NO_DOMAIN, "%s", dn.why);
		goto out;
	}
	if (dn.n > 1 || dn.too_many) {
		r = refuse(id, DANCE_REFUSED_AMBIGUOUS_DOMAIN,
		           "the certificate has %zu dNSNames (%s, %s%s) and no "
		           "ClientName names one",
		           dn.n, dn.names[0], dn.names[1],
		           dn.n > 2 ? ", ..." : "");
		goto out;
	}
	id->domain_ascii = dn.names[0];
	dn.n = 0;
	r = DANCE_OK;
out:
	free(want);
	dnsnames_clear(&dn);
	return r;
}

/* uid candidates found so far. */
struct uids {
	char *uid;       /* the normalised uid, once one was found */
	char source[40]; /* where it came from */
};

/* Add one uid value (len octets) from source; refuse on a bad or a
 * different value. *refused is set when a verdict was given. */
static int add_uid(struct dance_identity *id, struct uids *u,
                   const char *source, const unsigned char *v, size_t len,
                   int *refused)
{
	char *norm = NULL, show[80];
	int r;

	printable(v, len, show, sizeof show);
	r = dance_uid_normalize((const char *)v, len, &norm);
	if (r == DANCE_ERR_NOMEM)
		return r;
	if (r != DANCE_OK) {
		*refused = 1;
		return refuse(
		        id, DANCE_REFUSED_BAD_UID,
		        "the %s '%s' is not a valid uid (empty, too long, "
		        "invalid UTF-8, a control character, white space or "
		        "'@')",
		        source, show);
	}
	if (u->uid == NULL) {
		u->uid = norm;
		dance_fmt(u->source, sizeof u->source, "%s", source);
		return DANCE_OK;
	}
	if (strcmp(u->uid, norm) != 0) {
		*refused = 1;
		r = refuse(
		        id, DANCE_REFUSED_AMBIGUOUS_UID,
		        "the certificate names two different uids: '%s' (%s) "
		        "and '%s' (%s)",
		        u->uid, u->source, show, source);
	}
	free(norm);
	return r == DANCE_ERR_NOMEM ? r : DANCE_OK;
}

static int all_ascii(const unsigned char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (v[i] >= 0x80)
			return 0;
	return 1;
}

/* A mailbox "local@domain": its domain must be the certificate's; the
 * local part is a uid claim. utf8: SmtpUTF8Mailbox (UTF-8 allowed), else
 * rfc822Name (an IA5String: ASCII only). */
static int add_mailbox(struct dance_identity *id, struct uids *u,
                       const char *source, int utf8, const unsigned char *v,
                       size_t len, int *refused)
{
	const unsigned char *at = NULL;
	char *dom = NULL, *ascii = NULL, show[80];
	int r;

	printable(v, len, show, sizeof show);
	for (size_t i = 0; i < len; i++)
		if (v[i] == '@')
			at = v + i;
	if (!utf8 && !all_ascii(v, len)) {
		*refused = 1;
		return refuse(id, DANCE_REFUSED_BAD_UID,
		              "the %s '%s' is not ASCII", source, show);
	}
	if (at == NULL || memchr(v, '\0', len) != NULL) {
		*refused = 1;
		return refuse(id, DANCE_REFUSED_BAD_UID,
		              "the %s '%s' is not a mailbox", source, show);
	}
	if ((dom = strndup((const char *)at + 1, len - (size_t)(at + 1 - v))) ==
	    NULL)
		return DANCE_ERR_NOMEM;
	r = dance_domain_to_ascii(dom, &ascii);
	free(dom);
	if (r == DANCE_ERR_NOMEM)
		return r;
	if (r != DANCE_OK) {
		*refused = 1;
		return refuse(id, DANCE_REFUSED_BAD_UID,
		              "the %s '%s' has an invalid domain", source,
		              show);
	}
	if (strcmp(ascii, id->domain_ascii) != 0) {
		*refused = 1;
		r = refuse(id, DANCE_REFUSED_AMBIGUOUS_UID,
		           "the %s '%s' is at another domain than the "
		           "certificate's dNSName %s",
		           source, show, id->domain_ascii);
		free(ascii);
		return r;
	}
	free(ascii);
	return add_uid(id, u, source, v, (size_t)(at - v), refused);
}

/* The value of an otherName that must be a UTF8String, or NULL. */
static const ASN1_UTF8STRING *utf8_value(const OTHERNAME *on)
{
	if (on->value == NULL || on->value->type != V_ASN1_UTF8STRING)
		return NULL;
	return on->value->value.utf8string;
}

static int one_uid_claim(struct dance_identity *id, struct uids *u,
                         const GENERAL_NAME *gn, int *refused)
{
	const ASN1_UTF8STRING *s;
	int nid;

	if (gn->type == GEN_EMAIL)
		return add_mailbox(id, u, "rfc822Name", 0,
		                   ASN1_STRING_get0_data(gn->d.rfc822Name),
		                   (size_t)ASN1_STRING_length(gn->d.rfc822Name),
		                   refused);
	if (gn->type != GEN_OTHERNAME)
		return DANCE_OK;
	nid = OBJ_obj2nid(gn->d.otherName->type_id);
	if (nid != NID_userId && nid != NID_id_on_SmtpUTF8Mailbox)
		return DANCE_OK;
	if ((s = utf8_value(gn->d.otherName)) == NULL) {
		*refused = 1;
		return refuse(id, DANCE_REFUSED_BAD_UID,
		              "the %s otherName is not a UTF8String",
		              nid == NID_userId ? "uid" : "SmtpUTF8Mailbox");
	}
	if (nid == NID_userId)
		return add_uid(id, u, "uid otherName", ASN1_STRING_get0_data(s),
		               (size_t)ASN1_STRING_length(s), refused);
	return add_mailbox(id, u, "SmtpUTF8Mailbox", 1,
	                   ASN1_STRING_get0_data(s),
	                   (size_t)ASN1_STRING_length(s), refused);
}

static int pick_uid(const GENERAL_NAMES *sans, struct dance_identity *id)
{
	struct uids u;
	int r = DANCE_OK, refused = 0;

	memset(&u, 0, sizeof u);
	for (int i = 0; i < sk_GENERAL_NAME_num(sans) && !refused; i++) {
		r = one_uid_claim(id, &u, sk_GENERAL_NAME_value(sans, i),
		                  &refused);
		if (r != DANCE_OK)
			goto out;
	}
	if (refused)
		goto out;
	if (u.uid == NULL) {
		r = refuse(id, DANCE_REFUSED_NO_UID,
		           "the certificate names no uid (no uid otherName, no "
		           "mailbox at %s)",
		           id->domain_ascii);
		goto out;
	}
	id->uid = u.uid;
	u.uid = NULL;
out:
	free(u.uid);
	return r;
}

void dance_identity_clear(struct dance_identity *id)
{
	if (id == NULL)
		return;
	free(id->uid);
	free(id->domain_ascii);
	free(id->domain);
	memset(id, 0, sizeof *id);
}

int dance_identity_from_cert(const struct x509_st *leaf, const char *clientname,
                             struct dance_identity *id)
{
	GENERAL_NAMES *sans = NULL;
	int crit = -1, r = DANCE_OK;

	memset(id, 0, sizeof *id);
	id->verdict = DANCE_AUTHENTICATED;
	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, NULL);
	if (sans == NULL) {
		if (crit == -2)
			r = refuse(id, DANCE_REFUSED_BAD_CERT,
			           "the certificate has several subjectAltName "
			           "extensions");
		else if (crit >= 0)
			r = refuse(id, DANCE_REFUSED_BAD_CERT,
			           "the subjectAltName extension is malformed");
		else
			r = refuse(id, DANCE_REFUSED_NO_DOMAIN,
			           "the certificate has no subjectAltName (the "
			           "subject CN is never used)");
		goto out;
	}
	if ((r = pick_domain(sans, clientname, id)) != DANCE_OK ||
	    id->verdict != DANCE_AUTHENTICATED)
		goto out;
	if ((r = pick_uid(sans, id)) != DANCE_OK ||
	    id->verdict != DANCE_AUTHENTICATED)
		goto out;
	if ((r = dance_domain_to_unicode(id->domain_ascii, &id->domain)) ==
	    DANCE_ERR_BAD_NAME)
		r = refuse(id, DANCE_REFUSED_NO_DOMAIN,
		           "dNSName %s holds an invalid IDNA A-label",
		           id->domain_ascii);
out:
	GENERAL_NAMES_free(sans);
	if (r != DANCE_OK || id->verdict != DANCE_AUTHENTICATED) {
		enum dance_verdict v = id->verdict;
		char reason[sizeof id->reason];
		memcpy(reason, id->reason, sizeof reason);
		dance_identity_clear(id);
		id->verdict = v;
		memcpy(id->reason, reason, sizeof reason);
	}
	return r;
}
