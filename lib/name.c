/*
 * name.c -- names: domains to lowercase A-labels, uids to their normal form,
 * and the owner names of users' records ("<label>._user.<domain>").
 *
 * uid normal form: valid UTF-8, 1..DANCE_UID_MAX octets, no control
 * characters (C0, DEL, C1), no white space or separator anywhere (Unicode
 * White_Space and the Z* categories: space, no-break space, U+2000..200A,
 * U+2028/2029, U+3000, ...: an application, libsasl2's canon_user for
 * one, may strip it, and " alice" would then log in as "alice"), no '@',
 * NFC-normalised and lowercased with Unicode case mapping (libunistring).
 * The normal form is checked again after the mapping.
 *
 * Labels: "plain" is the normalised uid itself as one label (at most 63
 * octets; octets other than [a-z0-9_-] are written as \DDD in presentation
 * form); "hashed" is the hex of the first 28 octets of SHA-256 of the
 * normalised uid (the RFC 7929 pattern), 56 characters.
 */
#include "internal.h"

#include <idn2.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#define LABEL_MAX     63
#define NAME_MAX_TEXT 253

static int is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Check lowercase LDH labels: 1..63 octets, no hyphen at either end,
 * total at most 253. */
static int check_ldh_name(const char *s)
{
	size_t total = strlen(s), lab = 0;

	if (total == 0 || total > NAME_MAX_TEXT)
		return DANCE_ERR_BAD_NAME;
	for (size_t i = 0; i <= total; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' || c == '\0') {
			if (lab == 0 || lab > LABEL_MAX || s[i - 1] == '-' ||
			    s[i - lab] == '-')
				return DANCE_ERR_BAD_NAME;
			lab = 0;
			continue;
		}
		if (!is_ldh(c))
			return DANCE_ERR_BAD_NAME;
		lab++;
	}
	return DANCE_OK;
}

int dance_domain_to_ascii(const char *in, char **out)
{
	char *tmp = NULL;
	uint8_t *idn = NULL;
	size_t len;
	int ascii = 1, r = DANCE_ERR_BAD_NAME;

	*out = NULL;
	len = strlen(in);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > (size_t)4 * NAME_MAX_TEXT)
		goto out;
	if ((tmp = strndup(in, len)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tmp[i];
		if (c >= 0x80)
			ascii = 0;
		else if (c >= 'A' && c <= 'Z')
			tmp[i] = (char)(c - 'A' + 'a');
	}
	if (!ascii) {
		if (u8_check((const uint8_t *)tmp, len) != NULL)
			goto out;
		if (idn2_lookup_u8((const uint8_t *)tmp, &idn,
		                   IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) !=
		    IDN2_OK)
			goto out;
		free(tmp);
		tmp = (char *)idn;
		idn = NULL;
	}
	if ((r = check_ldh_name(tmp)) != DANCE_OK)
		goto out;
	*out = tmp;
	tmp = NULL;
	r = DANCE_OK;
out:
	free(tmp);
	idn2_free(idn);
	return r;
}

static int is_control(ucs4_t u)
{
	return u < 0x20 || (u >= 0x7f && u <= 0x9f);
}

static int is_space(ucs4_t u)
{
	return uc_is_property_white_space(u) ||
	       uc_is_general_category(u, UC_SEPARATOR);
}

/* 1 if p (len octets) is 1..DANCE_UID_MAX octets of valid UTF-8 with no
 * control character, white space, separator or '@'. */
static int uid_chars_ok(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	if (len == 0 || len > DANCE_UID_MAX || u8_check(p, len) != NULL)
		return 0;
	while (p < end) {
		ucs4_t u;
		int n = u8_mbtouc(&u, p, (size_t)(end - p));
		if (n <= 0 || is_control(u) || is_space(u) || u == '@')
			return 0;
		p += n;
	}
	return 1;
}

int dance_uid_normalize(const char *uid, size_t len, char **out)
{
	uint8_t *low = NULL;
	size_t lowlen = 0;
	int r = DANCE_ERR_PARSE;

	*out = NULL;
	if (!uid_chars_ok((const uint8_t *)uid, len))
		goto out;
	low = u8_tolower((const uint8_t *)uid, len, NULL, UNINORM_NFC, NULL,
	                 &lowlen);
	if (low == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	if (!uid_chars_ok(low, lowlen))
		goto out;
	if ((*out = malloc(lowlen + 1)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	memcpy(*out, low, lowlen);
	(*out)[lowlen] = '\0';
	r = DANCE_OK;
out:
	free(low);
	return r;
}

static int hashed_label(const char *uid, char **out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *s;

	*out = NULL;
	if (EVP_Digest(uid, strlen(uid), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 28)
		return DANCE_ERR_CRYPTO;
	if ((s = malloc(2 * 28 + 1)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < 28; i++) {
		s[2 * i] = hex[md[i] >> 4];
		s[2 * i + 1] = hex[md[i] & 0xf];
	}
	s[56] = '\0';
	*out = s;
	return DANCE_OK;
}

static int plain_label(const char *uid, char **out)
{
	size_t len = strlen(uid), o = 0;
	char *s;

	*out = NULL;
	if (len == 0 || len > LABEL_MAX)
		return DANCE_ERR_BAD_NAME;
	if ((s = malloc(4 * len + 1)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)uid[i];
		if (is_ldh(c) || c == '_') {
			s[o++] = (char)c;
		} else {
			s[o++] = '\\';
			s[o++] = (char)('0' + c / 100);
			s[o++] = (char)('0' + (c / 10) % 10);
			s[o++] = (char)('0' + c % 10);
		}
	}
	s[o] = '\0';
	*out = s;
	return DANCE_OK;
}

int dance_user_label(const char *uid, enum dance_label_form form, char **out)
{
	char *norm = NULL;
	int r;

	*out = NULL;
	if ((r = dance_uid_normalize(uid, strlen(uid), &norm)) != DANCE_OK)
		return r == DANCE_ERR_PARSE ? DANCE_ERR_BAD_NAME : r;
	switch (form) {
	case DANCE_LABEL_HASHED:
		r = hashed_label(norm, out);
		break;
	case DANCE_LABEL_PLAIN:
		r = plain_label(norm, out);
		break;
	default:
		r = DANCE_ERR_INVALID_ARG;
		break;
	}
	free(norm);
	return r;
}

int dance_user_owner(const dance_ctx *ctx, const char *uid, const char *domain,
                     enum dance_label_form form, char **out)
{
	char *label = NULL, *dom = NULL, *s = NULL;
	size_t n;
	int r;

	*out = NULL;
	if ((r = dance_domain_to_ascii(domain, &dom)) != DANCE_OK)
		goto out;
	if (ctx != NULL)
		form = dance_ctx_user_label(ctx, dom);
	if ((r = dance_user_label(uid, form, &label)) != DANCE_OK)
		goto out;
	n = strlen(label) + strlen("._user.") + strlen(dom) + 1;
	if ((s = malloc(n)) == NULL) {
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	dance_fmt(s, n, "%s._user.%s", label, dom);
	*out = s;
	r = DANCE_OK;
out:
	free(label);
	free(dom);
	return r;
}
