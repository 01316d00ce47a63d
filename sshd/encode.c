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
		s[o++] = '=';
		s[o++] = '=';
		if (left > 1)
			s[o - 2] = b64chars[(v >> 6) & 63];
		if (left > 2)
			s[o - 1] = b64chars[v & 63];
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

/* Decode the quad at in into out (1 to 3 octets: 3 - pad); the bits
 * below the padding must be zero. Returns the octets written or -1. */
static int decode_quad(const char *in, size_t pad, uint8_t *out)
{
	uint32_t w = 0;

	for (size_t k = 0; k < 4; k++) {
		int v = k >= 4 - pad ? 0 : b64val(in[k]);
		if (v < 0)
			return -1;
		w = w << 6 | (uint32_t)v;
	}
	if ((pad == 2 && (w & 0xffff)) || (pad == 1 && (w & 0xff)))
		return -1;
	out[0] = (uint8_t)(w >> 16);
	out[1] = (uint8_t)(w >> 8);
	out[2] = (uint8_t)w;
	return (int)(3 - pad);
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
		int k = decode_quad(in + i, i + 4 == n ? pad : 0, buf + o);
		if (k < 0) {
			free(buf);
			return DANCE_ERR_PARSE;
		}
		o += (size_t)k;
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
