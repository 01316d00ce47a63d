/*
 * sshcert.c -- read the fields of an OpenSSH certificate (PROTOCOL.certkeys)
 * that dance-authorized-keys needs: the certified key, the certificate
 * type, the principals, the validity interval and the CA (signature) key.
 *
 *     string    "<type>-cert-v01@openssh.com"
 *     string    nonce
 *     ...       the key's public fields (ed25519: string pk; ecdsa: string
 *               curve, string point; rsa: mpint e, mpint n)
 *     uint64    serial
 *     uint32    type (1 user, 2 host)
 *     string    key id
 *     string    valid principals (a sequence of strings)
 *     uint64    valid after
 *     uint64    valid before
 *     string    critical options
 *     string    extensions
 *     string    reserved
 *     string    signature key
 *     string    signature
 *
 * The certificate is outside input: every length is checked, nothing may
 * follow the signature, and the signature is not verified here (sshd
 * verifies it against the CA key this helper prints).
 */
#include "akc.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CERT_SUFFIX "-cert-v01@openssh.com"

/* Certificate types and how many public fields their key has. */
static const struct {
	const char *plain;
	int nfields;
} cert_types[] = {
        {"ssh-ed25519", 1},
        {"ecdsa-sha2-nistp256", 2},
        {"ecdsa-sha2-nistp384", 2},
        {"ecdsa-sha2-nistp521", 2},
        {"ssh-rsa", 2},
};

struct rd {
	const uint8_t *p;
	size_t n;
};

static int get_u32(struct rd *r, uint32_t *v)
{
	if (r->n < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3];
	r->p += 4;
	r->n -= 4;
	return 0;
}

static int get_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (get_u32(r, &hi) != 0 || get_u32(r, &lo) != 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int get_string(struct rd *r, const uint8_t **s, size_t *len)
{
	uint32_t l;

	if (get_u32(r, &l) != 0 || l > r->n)
		return -1;
	*s = r->p;
	*len = l;
	r->p += l;
	r->n -= l;
	return 0;
}

/* A copy of a string that must be printable text (no NUL, no control
 * characters); empty allowed. */
static int dup_text(const uint8_t *s, size_t len, char **out)
{
	*out = NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return DANCE_ERR_PARSE;
	if ((*out = malloc(len + 1)) == NULL)
		return DANCE_ERR_NOMEM;
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	return DANCE_OK;
}

int akc_type_is_cert(const char *type)
{
	size_t n = strlen(type), s = strlen(CERT_SUFFIX);

	return n > s && strcmp(type + n - s, CERT_SUFFIX) == 0;
}

void akc_cert_clear(struct akc_cert *c)
{
	if (c == NULL)
		return;
	free(c->key_type);
	free(c->key_blob);
	free(c->key_id);
	for (size_t i = 0; i < c->nprincipals; i++)
		free(c->principals[i]);
	free(c->principals);
	free(c->ca_type);
	free(c->ca_blob);
	memset(c, 0, sizeof *c);
}

/* Build the plain key blob: string type, then the public fields as they
 * appear in the certificate. */
static int plain_blob(struct akc_cert *c, const uint8_t *fields, size_t flen)
{
	size_t tl = strlen(c->key_type);

	if ((c->key_blob = malloc(4 + tl + flen)) == NULL)
		return DANCE_ERR_NOMEM;
	c->key_blob[0] = (uint8_t)(tl >> 24);
	c->key_blob[1] = (uint8_t)(tl >> 16);
	c->key_blob[2] = (uint8_t)(tl >> 8);
	c->key_blob[3] = (uint8_t)tl;
	memcpy(c->key_blob + 4, c->key_type, tl);
	memcpy(c->key_blob + 4 + tl, fields, flen);
	c->key_bloblen = 4 + tl + flen;
	return DANCE_OK;
}

static int parse_principals(struct akc_cert *c, const uint8_t *s, size_t len)
{
	struct rd r = {s, len};
	const uint8_t *p;
	size_t pl;
	int ret;

	while (r.n > 0) {
		if (get_string(&r, &p, &pl) != 0 || pl == 0 ||
		    c->nprincipals >= AKC_CERT_PRINCIPALS_MAX)
			return DANCE_ERR_PARSE;
		if (c->nprincipals == 0 &&
		    (c->principals = calloc(AKC_CERT_PRINCIPALS_MAX,
		                            sizeof *c->principals)) == NULL)
			return DANCE_ERR_NOMEM;
		if ((ret = dup_text(p, pl, &c->principals[c->nprincipals])) !=
		    DANCE_OK)
			return ret;
		c->nprincipals++;
	}
	return DANCE_OK;
}

/* The signature key: a key blob whose first string is its type. */
static int parse_ca(struct akc_cert *c, const uint8_t *s, size_t len)
{
	struct rd r = {s, len};
	const uint8_t *t;
	size_t tl;
	int ret;

	if (get_string(&r, &t, &tl) != 0 || tl == 0 || tl > 64)
		return DANCE_ERR_PARSE;
	if ((ret = dup_text(t, tl, &c->ca_type)) != DANCE_OK)
		return ret;
	if ((c->ca_blob = malloc(len)) == NULL)
		return DANCE_ERR_NOMEM;
	memcpy(c->ca_blob, s, len);
	c->ca_bloblen = len;
	return DANCE_OK;
}

static int find_type(const char *cert_type)
{
	size_t n = strlen(cert_type), s = strlen(CERT_SUFFIX);

	if (!akc_type_is_cert(cert_type))
		return -1;
	for (size_t i = 0; i < sizeof cert_types / sizeof cert_types[0]; i++)
		if (strlen(cert_types[i].plain) == n - s &&
		    strncmp(cert_type, cert_types[i].plain, n - s) == 0)
			return (int)i;
	return -1;
}

/* After the nonce: the key fields, copied into a plain blob. */
static int parse_key(struct akc_cert *c, struct rd *r, int ti)
{
	const uint8_t *start = r->p, *s;
	size_t l;

	for (int i = 0; i < cert_types[ti].nfields; i++)
		if (get_string(r, &s, &l) != 0 || l == 0)
			return DANCE_ERR_PARSE;
	if ((c->key_type = strdup(cert_types[ti].plain)) == NULL)
		return DANCE_ERR_NOMEM;
	return plain_blob(c, start, (size_t)(r->p - start));
}

static int parse_body(struct akc_cert *c, struct rd *r)
{
	const uint8_t *s;
	size_t l;
	uint64_t serial;
	int ret;

	if (get_u64(r, &serial) != 0 || get_u32(r, &c->cert_type) != 0 ||
	    (c->cert_type != AKC_CERT_USER && c->cert_type != AKC_CERT_HOST))
		return DANCE_ERR_PARSE;
	if (get_string(r, &s, &l) != 0)
		return DANCE_ERR_PARSE;
	if ((ret = dup_text(s, l, &c->key_id)) != DANCE_OK)
		return ret;
	if (get_string(r, &s, &l) != 0)
		return DANCE_ERR_PARSE;
	if ((ret = parse_principals(c, s, l)) != DANCE_OK)
		return ret;
	if (get_u64(r, &c->valid_after) != 0 ||
	    get_u64(r, &c->valid_before) != 0)
		return DANCE_ERR_PARSE;
	for (int i = 0; i < 3; i++) /* critical, extensions, reserved */
		if (get_string(r, &s, &l) != 0)
			return DANCE_ERR_PARSE;
	if (get_string(r, &s, &l) != 0)
		return DANCE_ERR_PARSE;
	if ((ret = parse_ca(c, s, l)) != DANCE_OK)
		return ret;
	if (get_string(r, &s, &l) != 0 || l == 0 || r->n != 0)
		return DANCE_ERR_PARSE;
	return DANCE_OK;
}

int akc_cert_parse(const char *cert_type, const uint8_t *blob, size_t len,
                   struct akc_cert *out)
{
	struct rd r = {blob, len};
	const uint8_t *s;
	size_t l;
	int ti, ret = DANCE_ERR_PARSE;

	memset(out, 0, sizeof *out);
	if ((ti = find_type(cert_type)) < 0) {
		ret = DANCE_ERR_UNSUPPORTED;
		goto out;
	}
	if (get_string(&r, &s, &l) != 0 || l != strlen(cert_type) ||
	    memcmp(s, cert_type, l) != 0)
		goto out;
	if (get_string(&r, &s, &l) != 0) /* nonce */
		goto out;
	if ((ret = parse_key(out, &r, ti)) != DANCE_OK)
		goto out;
	ret = parse_body(out, &r);
out:
	if (ret != DANCE_OK)
		akc_cert_clear(out);
	return ret;
}
