/*
 * clientid.c -- the dane_clientid TLS extension (draft-ietf-dance-client-
 * auth-13, section "TLS DANE Client Identity Extension"): its wire form,
 * parsed and built without OpenSSL so that it can be fuzzed on its own.
 *
 * extension_data is always
 *
 *     opaque ClientName<0..2^8-1>;
 *
 * i.e. one length octet, then that many octets of a domain name in
 * presentation form without the trailing dot. A server puts a zero-length
 * ClientName (the single octet 0) into its CertificateRequest; the client
 * answers with a non-zero-length ClientName in the extensions of the leaf's
 * CertificateEntry of its Certificate message.
 *
 * Accepted from a server: the -13 form (one octet 0) and the older
 * draft-huque-tls-dane-clientid form (an empty extension). A server naming
 * itself is refused.
 * Accepted from a client: exactly one length octet L > 0 followed by L
 * octets (no trailing bytes), forming a host name of letters, digits,
 * hyphens and underscores in dot-separated labels of 1..63 octets, at most
 * 253 octets, no trailing dot, no \DDD escapes. The name is returned
 * lowercased. A zero-length ClientName from a client is refused (the draft
 * says such a client supplied no DANE identity; we fail closed and loudly).
 *
 * Each refusal comes with the TLS alert the caller should send: decode_error
 * when the octets do not form the structure, illegal_parameter when the
 * structure is valid but its content is not acceptable.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LABEL_MAX 63

static int name_octet_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int dance_clientid_name_ok(const char *name, size_t len)
{
	size_t lab = 0;

	if (name == NULL || len == 0 || len > DANCE_CLIENTID_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			continue;
		}
		if (!name_octet_ok(c) || ++lab > LABEL_MAX)
			return 0;
	}
	return lab > 0; /* no empty last label, so no trailing dot */
}

int dance_clientid_parse_server(const uint8_t *data, size_t len, int *alert)
{
	*alert = 0;
	if (len == 0)
		return DANCE_OK; /* older draft: empty extension */
	if (len == 1 && data[0] == 0)
		return DANCE_OK; /* -13: zero-length ClientName */
	if (len != (size_t)data[0] + 1) {
		*alert = DANCE_TLS_ALERT_DECODE_ERROR;
		return DANCE_ERR_PARSE;
	}
	*alert = DANCE_TLS_ALERT_ILLEGAL_PARAMETER; /* server named itself */
	return DANCE_ERR_PARSE;
}

int dance_clientid_parse_client(const uint8_t *data, size_t len, char **name,
                                int *alert)
{
	char *s = NULL;
	size_t n;
	int r = DANCE_ERR_PARSE;

	*name = NULL;
	*alert = DANCE_TLS_ALERT_DECODE_ERROR;
	if (data == NULL || len == 0)
		goto out; /* no length octet at all */
	n = data[0];
	if (len != n + 1)
		goto out; /* length octet disagrees with the extension */
	*alert = DANCE_TLS_ALERT_ILLEGAL_PARAMETER;
	if (n == 0)
		goto out; /* zero-length ClientName from a client */
	if (!dance_clientid_name_ok((const char *)data + 1, n))
		goto out;
	if ((s = malloc(n + 1)) == NULL) {
		*alert = DANCE_TLS_ALERT_INTERNAL_ERROR;
		r = DANCE_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = data[1 + i];
		s[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	s[n] = '\0';
	*name = s;
	*alert = 0;
	r = DANCE_OK;
out:
	return r;
}

int dance_clientid_encode(const char *name, uint8_t *buf, size_t buflen,
                          size_t *outlen)
{
	size_t n = name != NULL ? strlen(name) : 0;

	*outlen = 0;
	if (name != NULL && !dance_clientid_name_ok(name, n))
		return DANCE_ERR_BAD_NAME;
	if (buflen < n + 1)
		return DANCE_ERR_INVALID_ARG;
	buf[0] = (uint8_t)n;
	/* wire octets after the length octet, not a C string */
	if (n > 0)
		// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
		memcpy(buf + 1, name, n);
	*outlen = n + 1;
	return DANCE_OK;
}

const char *dance_clientid_domain(const char *clientname)
{
	static const char prefix[] = "_user.";

	if (strncasecmp(clientname, prefix, sizeof prefix - 1) == 0)
		return clientname + sizeof prefix - 1;
	return clientname;
}
