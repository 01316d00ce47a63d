/*
 * certmap_dn.c -- the DN that carries a DANE identity for slapd:
 * "uid=<identity>,cn=dance,cn=auth", with the value escaped as RFC 4514
 * says, and the check that a DN (after slapd normalised it) still carries
 * exactly that identity.
 *
 * Why the check: slapd normalises the uid value with caseIgnoreMatch,
 * which folds case and removes leading, trailing and repeated spaces. Two
 * different identities must never end up as one DN, so the module refuses
 * an identity that does not survive normalisation octet for octet.
 */
#include "certmap.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int dcm_needs_backslash(unsigned char c)
{
	return c == '"' || c == '+' || c == ',' || c == ';' || c == '<' ||
	       c == '>' || c == '\\' || c == '=';
}

static int dcm_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int dcm_escape_value(const char *val, size_t len, char **out)
{
	static const char hex[] = "0123456789ABCDEF";
	char *buf = NULL;
	size_t i, o = 0;
	int r = DCM_ERR_INVALID;

	*out = NULL;
	if (val == NULL || len == 0 || len > DCM_IDENTITY_MAX)
		goto out;
	r = DCM_ERR_NOMEM;
	/* Worst case: every octet becomes "\XX". */
	if ((buf = malloc(3 * len + 1)) == NULL)
		goto out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)val[i];

		if (dcm_is_control(c)) {
			buf[o++] = '\\';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
			continue;
		}
		if (dcm_needs_backslash(c) ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i == len - 1 && c == ' '))
			buf[o++] = '\\';
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	*out = buf;
	buf = NULL;
	r = DCM_OK;
out:
	free(buf);
	return r;
}

int dcm_identity_dn(const char *identity, char **out)
{
	static const char pre[] = DCM_DN_PREFIX, suf[] = DCM_DN_SUFFIX;
	char *esc = NULL, *dn = NULL;
	size_t elen;
	int r;

	*out = NULL;
	r = dcm_escape_value(identity, identity ? strlen(identity) : 0, &esc);
	if (r != DCM_OK)
		goto out;
	r = DCM_ERR_NOMEM;
	elen = strlen(esc);
	if ((dn = malloc(sizeof pre - 1 + elen + sizeof suf)) == NULL)
		goto out;
	memcpy(dn, pre, sizeof pre - 1);
	memcpy(dn + sizeof pre - 1, esc, elen);
	memcpy(dn + sizeof pre - 1 + elen, suf, sizeof suf);
	*out = dn;
	r = DCM_OK;
out:
	free(esc);
	return r;
}

/* Is rdn a single AVA "type=value" with the given type (case-insensitive)
 * and a string value of vlen octets equal to val? */
static int dcm_rdn_is(LDAPRDN rdn, const char *type, const char *val,
                      size_t vlen)
{
	LDAPAVA *ava;

	if (rdn == NULL || rdn[0] == NULL || rdn[1] != NULL)
		return 0;
	ava = rdn[0];
	if ((ava->la_flags & LDAP_AVA_BINARY) != 0)
		return 0;
	if (ava->la_attr.bv_len != strlen(type) ||
	    strncasecmp(ava->la_attr.bv_val, type, ava->la_attr.bv_len) != 0)
		return 0;
	return ava->la_value.bv_len == vlen &&
	       memcmp(ava->la_value.bv_val, val, vlen) == 0;
}

int dcm_dn_carries(const char *dn, size_t len, const char *identity)
{
	struct berval bv;
	LDAPDN parsed = NULL;
	char *copy = NULL;
	int r = DCM_ERR_INVALID;

	if (dn == NULL || identity == NULL || len == 0 || len > DCM_DN_MAX ||
	    memchr(dn, '\0', len) != NULL)
		goto out;
	/* libldap's DN parser reads past bv_len on some malformed input
	 * unless the string is NUL-terminated (found by fuzzing): copy. */
	r = DCM_ERR_NOMEM;
	if ((copy = malloc(len + 1)) == NULL)
		goto out;
	memcpy(copy, dn, len);
	copy[len] = '\0';
	bv.bv_val = copy;
	bv.bv_len = len;
	r = DCM_ERR_INVALID;
	if (ldap_bv2dn(&bv, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    parsed == NULL)
		goto out;
	r = DCM_ERR_MISMATCH;
	if (!dcm_rdn_is(parsed[0], "uid", identity, strlen(identity)) ||
	    !dcm_rdn_is(parsed[1], "cn", "dance", 5) ||
	    !dcm_rdn_is(parsed[2], "cn", "auth", 4) || parsed[3] != NULL)
		goto out;
	r = DCM_OK;
out:
	ldap_dnfree(parsed);
	free(copy);
	return r;
}

char *dcm_log_safe(const char *s, char *buf, size_t buflen)
{
	size_t i;

	if (buflen == 0)
		return buf;
	if (s == NULL)
		s = "(none)";
	for (i = 0; s[i] != '\0' && i + 1 < buflen; i++) {
		char c = s[i];

		if (dcm_is_control((unsigned char)c))
			c = '?';
		buf[i] = c;
	}
	buf[i] = '\0';
	return buf;
}

enum dcm_tls_package dcm_tls_package_from_name(const char *name)
{
	if (name == NULL)
		return DCM_TLS_UNKNOWN;
	if (strcmp(name, "GnuTLS") == 0)
		return DCM_TLS_GNUTLS;
	if (strcmp(name, "OpenSSL") == 0)
		return DCM_TLS_OPENSSL;
	return DCM_TLS_UNKNOWN;
}

const char *dcm_strerror(int err)
{
	switch ((enum dcm_err)err) {
	case DCM_OK:
		return "success";
	case DCM_ERR_NOMEM:
		return "out of memory";
	case DCM_ERR_INVALID:
		return "invalid input";
	case DCM_ERR_NO_CHAIN:
		return "no client certificate";
	case DCM_ERR_TOO_LONG:
		return "client certificate chain too long or too large";
	case DCM_ERR_TLS:
		return "TLS library error";
	case DCM_ERR_MISMATCH:
		return "identity not representable unchanged in an LDAP DN";
	}
	return "unknown error";
}
