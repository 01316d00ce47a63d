/*
 * encode.c -- base64 (strict, as in OpenSSH key lines) and key
 * fingerprints for dance-authorized-keys.
 *
 * Fingerprints are "SHA256:" and unpadded base64 of SHA-256 over the
 * plain key blob, as ssh-keygen -l and sshd's logs print them.
 */
#include "akc.h"
#include "internal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const char b64chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int akc_base64(const uint8_t *in, size_t len, char **out)
{
	size_t olen = 4 * ((len + 2) / 3), o = 0;
	char *s;

	*out = NULL;
	if (len > (SIZE_MAX / 4) - 3 || (s = malloc(olen + 1)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = len - i;
		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		s[o++] = b64chars[(v >> 18) & 63];
		s[o++] = b64chars[(v >> 12) & 63];
		s[o++] = left > 1 ? b64chars[(v >> 6) & 63] : '=';
		s[o++] = left > 2 ? b64chars[v & 63] : '=';
	}
	s[o] = '\0';
	*out = s;
	return DANCE_OK;
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

int akc_unbase64(const char *in, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(in), o = 0, pad = 0;
	uint8_t *buf;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || n % 4 != 0)
		return DANCE_ERR_PARSE;
	if (in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	if ((buf = malloc(n / 4 * 3)) == NULL)
		return DANCE_ERR_NOMEM;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int last = i + 4 == n;
		for (int k = 0; k < 4; k++) {
			int is_pad = last && k >= 4 - (int)pad;
			v[k] = is_pad ? 0 : b64val(in[i + k]);
			if (v[k] < 0) {
				free(buf);
				return DANCE_ERR_PARSE;
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		             (uint32_t)v[2] << 6 | (uint32_t)v[3];
		buf[o++] = (uint8_t)(w >> 16);
		if (!(last && pad == 2))
			buf[o++] = (uint8_t)(w >> 8);
		if (!(last && pad >= 1))
			buf[o++] = (uint8_t)w;
		/* Non-canonical: bits below the padding must be zero. */
		if (last &&
		    ((pad == 2 && (w & 0xffff)) || (pad == 1 && (w & 0xff)))) {
			free(buf);
			return DANCE_ERR_PARSE;
		}
	}
	*out = buf;
	*outlen = o;
	return DANCE_OK;
}

int akc_fingerprint(const uint8_t *blob, size_t len, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *b = NULL;
	size_t bl;
	int r;

	dance_fmt(out, outlen, "SHA256:?");
	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return DANCE_ERR_CRYPTO;
	if ((r = akc_base64(md, mdlen, &b)) != DANCE_OK)
		return r;
	bl = strlen(b);
	while (bl > 0 && b[bl - 1] == '=')
		b[--bl] = '\0';
	dance_fmt(out, outlen, "SHA256:%s", b);
	free(b);
	return DANCE_OK;
}
