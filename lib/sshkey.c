/*
 * sshkey.c -- OpenSSH public keys and SubjectPublicKeyInfo.
 *
 * dance_sshkey_to_spki() parses the OpenSSH public key blob (RFC 4253
 * section 6.6, RFC 5656 section 3.1, RFC 8709 section 4) by hand with a
 * bounded reader, checks EC points with OpenSSL and writes the DER
 * SubjectPublicKeyInfo by hand, exactly as OpenSSL's i2d_PUBKEY() would. dance_spki_to_sshkey() goes the other way for
 * "3 1 0" records; dance_spki_match() matches an SPKI against the DANE-EE
 * selector-1 records of an RRset.
 *
 * Accepted: ssh-ed25519 (32-octet key); ecdsa-sha2-nistp256/384/521 (curve
 * name equal to the type's, uncompressed point of the exact length, on the
 * curve); ssh-rsa (positive minimal mpints, odd e in 3..2^32-1, odd n of
 * 2048..16384 bits). Everything else is refused: malformed input with
 * DANCE_ERR_PARSE, valid keys of other types or sizes (ssh-dss, sk-*,
 * certificates, RSA below 2048 bits, ...) with DANCE_ERR_UNSUPPORTED.
 */
#include "internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_MAX      64    /* longest key type name, octets */
#define ED25519_LEN   32    /* Ed25519 public key, octets */
#define RSA_MIN_BITS  2048  /* smallest RSA modulus accepted */
#define RSA_MAX_BITS  16384 /* largest (OpenSSH's own limit) */
#define RSA_E_MAX_LEN 4     /* e < 2^32 */
#define SPKI_MAX      8192  /* longest SPKI accepted by the reverse */
#define TEXT_B64_MAX  65536 /* longest base64 blob accepted in text */

enum key_kind { KIND_ED25519, KIND_ECDSA, KIND_RSA };

/* DER AlgorithmIdentifiers: id-Ed25519 without parameters (RFC 8410),
 * rsaEncryption with NULL parameters (RFC 3279). */
static const uint8_t algid_ed25519[] = {0x30, 0x05, 0x06, 0x03,
                                        0x2b, 0x65, 0x70};
static const uint8_t algid_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
                                    0x86, 0x48, 0x86, 0xf7, 0x0d,
                                    0x01, 0x01, 0x01, 0x05, 0x00};

/* AlgorithmIdentifier of id-ecPublicKey (1.2.840.10045.2.1) with a named
 * curve (RFC 5480): DER of the whole SEQUENCE. */
#define ALGID_EC(len, ...)                                                   \
	{                                                                    \
		0x30, (len), 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, \
		        0x01, __VA_ARGS__                                    \
	}
static const uint8_t algid_p256[] =
        ALGID_EC(0x13, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
                 0x07); /* prime256v1 */
static const uint8_t algid_p384[] = ALGID_EC(0x10, 0x06, 0x05, 0x2b, 0x81, 0x04,
                                             0x00, 0x22); /* secp384r1 */
static const uint8_t algid_p521[] = ALGID_EC(0x10, 0x06, 0x05, 0x2b, 0x81, 0x04,
                                             0x00, 0x23); /* secp521r1 */

static const struct key_type {
	const char *name; /* OpenSSH key type */
	enum key_kind kind;
	const char *curve;    /* OpenSSH curve identifier (ECDSA) */
	const char *group;    /* OpenSSL group name (ECDSA) */
	int nid;              /* OpenSSL curve NID (ECDSA) */
	size_t coord;         /* octets of one coordinate (ECDSA) */
	const uint8_t *algid; /* DER AlgorithmIdentifier (ECDSA) */
	size_t algidlen;
} key_types[] = {
        {"ssh-ed25519", KIND_ED25519, NULL, NULL, 0, 0, NULL, 0},
        {"ecdsa-sha2-nistp256", KIND_ECDSA, "nistp256", "prime256v1",
         NID_X9_62_prime256v1, 32, algid_p256, sizeof algid_p256},
        {"ecdsa-sha2-nistp384", KIND_ECDSA, "nistp384", "secp384r1",
         NID_secp384r1, 48, algid_p384, sizeof algid_p384},
        {"ecdsa-sha2-nistp521", KIND_ECDSA, "nistp521", "secp521r1",
         NID_secp521r1, 66, algid_p521, sizeof algid_p521},
        {"ssh-rsa", KIND_RSA, NULL, NULL, 0, 0, NULL, 0},
};

/* ---- bounded reader ----------------------------------------------------- */

struct reader {
	const uint8_t *p;
	size_t left;
};

static int get_u32(struct reader *rd, uint32_t *v)
{
	if (rd->left < 4)
		return DANCE_ERR_PARSE;
	*v = (uint32_t)rd->p[0] << 24 | (uint32_t)rd->p[1] << 16 |
	     (uint32_t)rd->p[2] << 8 | (uint32_t)rd->p[3];
	rd->p += 4;
	rd->left -= 4;
	return DANCE_OK;
}

/* A string: uint32 length, then that many octets, at most max. */
static int get_string(struct reader *rd, size_t max, const uint8_t **s,
                      size_t *n)
{
	uint32_t len;

	*s = NULL;
	*n = 0;
	if (get_u32(rd, &len) != DANCE_OK || len > rd->left || len > max)
		return DANCE_ERR_PARSE;
	*s = rd->p;
	*n = len;
	rd->p += len;
	rd->left -= len;
	return DANCE_OK;
}

/*
 * A positive mpint of at most max magnitude octets: non-empty (zero is
 * refused), sign bit clear, no superfluous leading zero. *mag and *n get
 * the magnitude without the leading zero (first octet non-zero).
 */
static int get_mpint_pos(struct reader *rd, size_t max, const uint8_t **mag,
                         size_t *n)
{
	const uint8_t *s;
	size_t len;

	*mag = NULL;
	*n = 0;
	if (get_string(rd, max + 1, &s, &len) != DANCE_OK || len == 0 ||
	    (s[0] & 0x80) != 0)
		return DANCE_ERR_PARSE;
	if (s[0] == 0) {
		if (len == 1 || (s[1] & 0x80) == 0)
			return DANCE_ERR_PARSE;
		s++;
		len--;
	}
	if (len > max)
		return DANCE_ERR_PARSE;
	*mag = s;
	*n = len;
	return DANCE_OK;
}

static int bytes_eq(const uint8_t *s, size_t n, const char *str)
{
	return n == strlen(str) && memcmp(s, str, n) == 0;
}

/* A key type name: 1..TYPE_MAX printable ASCII octets, no space. */
static int type_name_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || n > TYPE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

static const struct key_type *find_type(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < sizeof key_types / sizeof key_types[0]; i++)
		if (bytes_eq(s, n, key_types[i].name))
			return &key_types[i];
	return NULL;
}

/* ---- key checks ---------------------------------------------------------- */

/* What a blob holds once checked: the DER AlgorithmIdentifier of its
 * SPKI, and pointers into the blob. */
struct key_parts {
	const struct key_type *kt;
	const uint8_t *algid;
	size_t algidlen;
	const uint8_t *a; /* Ed25519 key, EC point, RSA n (magnitude) */
	size_t alen;
	const uint8_t *b; /* RSA e (magnitude); NULL for other keys */
	size_t blen;
};

/*
 * Is the uncompressed point q of the key type's curve a valid public key
 * (SEC 1 v2 section 3.2.2.1, as EVP_PKEY_public_check() checks it): not at
 * infinity, coordinates below p, on the curve, n * Q at infinity. With
 * OpenSSL's EC_GROUP and EC_POINT functions, which need none of the
 * provider machinery that a whole EVP_PKEY costs on its first use.
 */
static int ec_point_ok(const struct key_type *kt, const uint8_t *q, size_t qlen)
{
	EC_GROUP *g = NULL;
	EC_POINT *pt = NULL, *nq = NULL;
	BN_CTX *bn = NULL;
	int r = DANCE_ERR_NOMEM;

	if ((bn = BN_CTX_new()) == NULL)
		goto out;
	if ((g = EC_GROUP_new_by_curve_name_ex(NULL, NULL, kt->nid)) == NULL) {
		r = DANCE_ERR_CRYPTO;
		goto out;
	}
	if ((pt = EC_POINT_new(g)) == NULL || (nq = EC_POINT_new(g)) == NULL)
		goto out;
	/* oct2point refuses coordinates of p or more and points off the
	 * curve itself; both are asked again below, explicitly. */
	r = DANCE_ERR_PARSE;
	if (EC_POINT_oct2point(g, pt, q, qlen, bn) != 1 ||
	    EC_POINT_is_at_infinity(g, pt) ||
	    EC_POINT_is_on_curve(g, pt, bn) != 1)
		goto out;
	r = DANCE_ERR_CRYPTO;
	if (EC_POINT_mul(g, nq, NULL, pt, EC_GROUP_get0_order(g), bn) != 1)
		goto out;
	r = EC_POINT_is_at_infinity(g, nq) ? DANCE_OK : DANCE_ERR_PARSE;
out:
	EC_POINT_free(nq);
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	BN_CTX_free(bn);
	return r;
}

/* The blob after the type: string curve, string Q. */
static int parse_ecdsa(struct reader *rd, struct key_parts *k)
{
	const struct key_type *kt = k->kt;
	const uint8_t *curve, *q;
	size_t curvelen, qlen;
	int r;

	if (get_string(rd, TYPE_MAX, &curve, &curvelen) != DANCE_OK ||
	    !bytes_eq(curve, curvelen, kt->curve))
		return DANCE_ERR_PARSE;
	/* Uncompressed point only: 0x04 || X || Y. */
	if (get_string(rd, 1 + 2 * kt->coord, &q, &qlen) != DANCE_OK ||
	    qlen != 1 + 2 * kt->coord || q[0] != 0x04 || rd->left != 0)
		return DANCE_ERR_PARSE;
	if ((r = ec_point_ok(kt, q, qlen)) != DANCE_OK)
		return r;
	k->algid = kt->algid;
	k->algidlen = kt->algidlen;
	k->a = q;
	k->alen = qlen;
	return DANCE_OK;
}

/* The number of significant bits of a magnitude whose first octet is not
 * zero. */
static size_t mag_bits(const uint8_t *m, size_t n)
{
	size_t bits = (n - 1) * 8;

	for (uint8_t c = m[0]; c != 0; c >>= 1)
		bits++;
	return bits;
}

/* The blob after the type: mpint e, mpint n. */
static int parse_rsa(struct reader *rd, struct key_parts *k)
{
	const uint8_t *e, *n;
	size_t elen, nlen;
	uint32_t ev = 0;

	/* Both are bounded by the largest modulus; a larger e than 2^32-1
	 * is well-formed but unsupported, a longer mpint malformed. */
	if (get_mpint_pos(rd, RSA_MAX_BITS / 8, &e, &elen) != DANCE_OK ||
	    get_mpint_pos(rd, RSA_MAX_BITS / 8, &n, &nlen) != DANCE_OK ||
	    rd->left != 0)
		return DANCE_ERR_PARSE;
	/* An even n or e is not an RSA key; e = 1 is no encryption. */
	if ((n[nlen - 1] & 1) == 0 || (e[elen - 1] & 1) == 0 ||
	    (elen == 1 && e[0] == 1))
		return DANCE_ERR_PARSE;
	if (elen > RSA_E_MAX_LEN || mag_bits(n, nlen) < RSA_MIN_BITS)
		return DANCE_ERR_UNSUPPORTED;
	for (size_t i = 0; i < elen; i++)
		ev = ev << 8 | e[i];
	if (ev < 3)
		return DANCE_ERR_UNSUPPORTED;
	k->algid = algid_rsa;
	k->algidlen = sizeof algid_rsa;
	k->a = n;
	k->alen = nlen;
	k->b = e;
	k->blen = elen;
	return DANCE_OK;
}

/* The blob after the type: string key (32 octets). Any 32 octets are an
 * Ed25519 public key as far as its SPKI goes (RFC 8410). */
static int parse_ed25519(struct reader *rd, struct key_parts *k)
{
	if (get_string(rd, ED25519_LEN, &k->a, &k->alen) != DANCE_OK ||
	    k->alen != ED25519_LEN || rd->left != 0)
		return DANCE_ERR_PARSE;
	k->algid = algid_ed25519;
	k->algidlen = sizeof algid_ed25519;
	return DANCE_OK;
}

/* ---- DER SubjectPublicKeyInfo -------------------------------------------
 *
 * Written by hand (OpenSSL 3's i2d_PUBKEY() goes through its encoder
 * machinery: several million instructions the first time in a process),
 * in exactly the form i2d_PUBKEY() gives (tests/unit_sshkey.c compares
 * the two for every key it has):
 *
 *   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 *                                       subjectPublicKey BIT STRING }
 *
 * AlgorithmIdentifier: the fixed DER of the key type (algid_* above),
 * which the parser puts in struct key_parts. The BIT STRING (no unused bits) holds the
 * Ed25519 key, the uncompressed EC point, or the DER RSAPublicKey
 * SEQUENCE { INTEGER n, INTEGER e } (RFC 8017). Every length is below
 * 65536 (a 16384-bit modulus is 2049 octets).
 */

/* Octets of a DER length field for n (n < 65536). */
static size_t der_len_size(size_t n)
{
	return n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
}

/* Octets of a whole TLV with n octets of content. */
static size_t der_tlv_size(size_t n)
{
	return 1 + der_len_size(n) + n;
}

/* Write a tag and the length n; returns where the content goes. */
static uint8_t *der_head(uint8_t *p, uint8_t tag, size_t n)
{
	*p++ = tag;
	if (n >= 0x100) {
		*p++ = 0x82;
		*p++ = (uint8_t)(n >> 8);
	} else if (n >= 0x80) {
		*p++ = 0x81;
	}
	*p++ = (uint8_t)n;
	return p;
}

/* Content octets of a DER INTEGER for a positive magnitude whose first
 * octet is not zero: a zero octet first when its top bit is set. */
static size_t der_int_size(const uint8_t *mag, size_t n)
{
	return n + ((mag[0] & 0x80) != 0);
}

static uint8_t *der_int(uint8_t *p, const uint8_t *mag, size_t n)
{
	p = der_head(p, 0x02, der_int_size(mag, n));
	if ((mag[0] & 0x80) != 0)
		*p++ = 0;
	memcpy(p, mag, n);
	return p + n;
}

#define DER_SEQUENCE   0x30
#define DER_BIT_STRING 0x03

static int spki_encode(const struct key_parts *k, uint8_t **spki,
                       size_t *spkilen)
{
	size_t rsalen = 0, keylen = k->alen, bits, body;
	uint8_t *buf, *p;

	*spki = NULL;
	*spkilen = 0;
	if (k->b != NULL) {
		rsalen = der_tlv_size(der_int_size(k->a, k->alen)) +
		         der_tlv_size(der_int_size(k->b, k->blen));
		keylen = der_tlv_size(rsalen);
	}
	bits = 1 + keylen; /* the unused-bits octet, then the key */
	body = k->algidlen + der_tlv_size(bits);
	if ((buf = malloc(der_tlv_size(body))) == NULL)
		return DANCE_ERR_NOMEM;
	p = der_head(buf, DER_SEQUENCE, body);
	memcpy(p, k->algid, k->algidlen);
	p = der_head(p + k->algidlen, DER_BIT_STRING, bits);
	*p++ = 0;
	if (k->b != NULL) {
		p = der_head(p, DER_SEQUENCE, rsalen);
		p = der_int(p, k->a, k->alen);
		p = der_int(p, k->b, k->blen);
	} else {
		memcpy(p, k->a, k->alen);
		p += k->alen;
	}
	*spki = buf;
	*spkilen = (size_t)(p - buf);
	return DANCE_OK;
}

int dance_sshkey_to_spki(const char *type, const uint8_t *blob, size_t bloblen,
                         uint8_t **spki, size_t *spkilen)
{
	struct reader rd = {blob, bloblen};
	struct key_parts k = {NULL, NULL, 0, NULL, 0, NULL, 0};
	const uint8_t *name;
	size_t namelen;
	int r = DANCE_ERR_PARSE;

	*spki = NULL;
	*spkilen = 0;
	ERR_set_mark(); /* leave OpenSSL's error queue as it was */
	if (get_string(&rd, TYPE_MAX, &name, &namelen) != DANCE_OK ||
	    !type_name_ok(name, namelen))
		goto out;
	if (type != NULL && !bytes_eq(name, namelen, type))
		goto out;
	r = DANCE_ERR_UNSUPPORTED;
	if ((k.kt = find_type(name, namelen)) == NULL)
		goto out;
	switch (k.kt->kind) {
	case KIND_ED25519:
		r = parse_ed25519(&rd, &k);
		break;
	case KIND_ECDSA:
		r = parse_ecdsa(&rd, &k);
		break;
	case KIND_RSA:
		r = parse_rsa(&rd, &k);
		break;
	}
	if (r != DANCE_OK)
		goto out;
	r = spki_encode(&k, spki, spkilen);
out:
	ERR_pop_to_mark();
	return r;
}

/* ---- text form ---------------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (RFC 4648 section 4): length a multiple of 4, only the
 * alphabet, '=' only as one or two final pad characters, unused bits zero.
 * EVP_DecodeBlock() alone accepts white space, "Q===" and non-zero unused
 * bits, and counts pad characters as decoded zero octets: everything is
 * checked here first and the pad subtracted from its length.
 */
static int b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	size_t pad = 0;
	uint8_t *buf = NULL;
	int v, len;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || n % 4 != 0 || n > TEXT_B64_MAX)
		return DANCE_ERR_PARSE;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n - pad; i++)
		if (b64_value(s[i]) < 0)
			return DANCE_ERR_PARSE;
	v = b64_value(s[n - pad - 1]);
	if ((pad == 1 && (v & 0x3) != 0) || (pad == 2 && (v & 0xf) != 0))
		return DANCE_ERR_PARSE;
	if ((buf = malloc(n / 4 * 3)) == NULL)
		return DANCE_ERR_NOMEM;
	len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len != n / 4 * 3) {
		free(buf);
		return DANCE_ERR_PARSE;
	}
	*out = buf;
	*outlen = (size_t)len - pad;
	return DANCE_OK;
}

/* The next word of a line: skips blanks, stops at a blank, CR, LF or NUL. */
static const char *next_word(const char *p, size_t *n)
{
	const char *w;

	while (is_blank(*p))
		p++;
	w = p;
	while (*p != '\0' && !is_blank(*p) && *p != '\r' && *p != '\n')
		p++;
	*n = (size_t)(p - w);
	return w;
}

/* After the words: the comment, then at most one line end. */
static int line_end_ok(const char *p)
{
	p += strcspn(p, "\r\n");
	if (*p == '\r')
		p++;
	if (*p == '\n')
		p++;
	return *p == '\0';
}

int dance_sshkey_text_to_spki(const char *type, const char *text,
                              uint8_t **spki, size_t *spkilen)
{
	const char *w1, *w2;
	size_t n1, n2;
	char *tname = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	int r = DANCE_ERR_PARSE;

	*spki = NULL;
	*spkilen = 0;
	w1 = next_word(text, &n1);
	w2 = next_word(w1 + n1, &n2);
	if (n1 == 0 || !line_end_ok(w2 + n2))
		goto out;
	if (n2 == 0) {
		/* BASE64 alone: the type must be given. */
		if (type == NULL)
			goto out;
		w2 = w1;
		n2 = n1;
	} else {
		if (type != NULL && !bytes_eq((const uint8_t *)w1, n1, type))
			goto out;
		if ((tname = strndup(w1, n1)) == NULL) {
			r = DANCE_ERR_NOMEM;
			goto out;
		}
		type = tname;
	}
	if ((r = b64_decode(w2, n2, &blob, &bloblen)) != DANCE_OK)
		goto out;
	r = dance_sshkey_to_spki(type, blob, bloblen, spki, spkilen);
out:
	free(tname);
	free(blob);
	return r;
}

/* ---- SPKI to OpenSSH ---------------------------------------------------- */

/* A growing wire buffer, bounded by its capacity. */
struct writer {
	uint8_t *buf;
	size_t len, cap;
};

static int put_string(struct writer *w, const void *s, size_t n)
{
	if (n > UINT32_MAX || w->cap - w->len < 4 || w->cap - w->len - 4 < n)
		return DANCE_ERR_INVALID_ARG;
	w->buf[w->len++] = (uint8_t)(n >> 24);
	w->buf[w->len++] = (uint8_t)(n >> 16);
	w->buf[w->len++] = (uint8_t)(n >> 8);
	w->buf[w->len++] = (uint8_t)n;
	if (n > 0)
		memcpy(w->buf + w->len, s, n);
	w->len += n;
	return DANCE_OK;
}

/* A positive BIGNUM as an mpint (leading zero when the top bit is set). */
static int put_mpint(struct writer *w, const BIGNUM *bn)
{
	uint8_t tmp[RSA_MAX_BITS / 8 + 2];
	int n = BN_num_bytes(bn);

	if (BN_is_negative(bn) || n <= 0 || (size_t)n > sizeof tmp - 1)
		return DANCE_ERR_UNSUPPORTED;
	tmp[0] = 0;
	if (BN_bn2bin(bn, tmp + 1) != n)
		return DANCE_ERR_CRYPTO;
	if (tmp[1] & 0x80)
		return put_string(w, tmp, (size_t)n + 1);
	return put_string(w, tmp + 1, (size_t)n);
}

static int blob_ed25519(EVP_PKEY *pkey, struct writer *w)
{
	uint8_t k[ED25519_LEN];
	size_t klen = sizeof k;
	int r;

	if (EVP_PKEY_get_raw_public_key(pkey, k, &klen) != 1 ||
	    klen != ED25519_LEN)
		return DANCE_ERR_PARSE;
	if ((r = put_string(w, "ssh-ed25519", strlen("ssh-ed25519"))) !=
	    DANCE_OK)
		return r;
	return put_string(w, k, klen);
}

static int blob_ecdsa(EVP_PKEY *pkey, struct writer *w)
{
	const struct key_type *kt = NULL;
	char group[64];
	uint8_t q[1 + 2 * 66];
	BIGNUM *x = NULL, *y = NULL;
	int r = DANCE_ERR_UNSUPPORTED;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	                                   group, sizeof group, NULL) != 1)
		goto out;
	for (size_t i = 0; i < sizeof key_types / sizeof key_types[0]; i++)
		if (key_types[i].kind == KIND_ECDSA &&
		    strcmp(group, key_types[i].group) == 0)
			kt = &key_types[i];
	if (kt == NULL)
		goto out;
	r = DANCE_ERR_PARSE;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
		goto out;
	q[0] = 0x04;
	if (BN_bn2binpad(x, q + 1, (int)kt->coord) < 0 ||
	    BN_bn2binpad(y, q + 1 + kt->coord, (int)kt->coord) < 0)
		goto out;
	if ((r = put_string(w, kt->name, strlen(kt->name))) != DANCE_OK ||
	    (r = put_string(w, kt->curve, strlen(kt->curve))) != DANCE_OK ||
	    (r = put_string(w, q, 1 + 2 * kt->coord)) != DANCE_OK)
		goto out;
	r = DANCE_OK;
out:
	BN_free(x);
	BN_free(y);
	return r;
}

static int blob_rsa(EVP_PKEY *pkey, struct writer *w)
{
	BIGNUM *n = NULL, *e = NULL;
	int r = DANCE_ERR_PARSE;

	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		goto out;
	if ((r = put_string(w, "ssh-rsa", strlen("ssh-rsa"))) != DANCE_OK ||
	    (r = put_mpint(w, e)) != DANCE_OK ||
	    (r = put_mpint(w, n)) != DANCE_OK)
		goto out;
	r = DANCE_OK;
out:
	BN_free(n);
	BN_free(e);
	return r;
}

/* The OpenSSH blob of a DER SPKI, which must be exactly what
 * dance_sshkey_to_spki() gives back for that blob. */
static int spki_to_blob(const uint8_t *spki, size_t spkilen, struct writer *w)
{
	const unsigned char *p = spki;
	EVP_PKEY *pkey = NULL;
	uint8_t *again = NULL;
	size_t againlen = 0;
	int r = DANCE_ERR_PARSE;

	if (spkilen == 0 || spkilen > SPKI_MAX)
		goto out;
	pkey = d2i_PUBKEY(NULL, &p, (long)spkilen);
	if (pkey == NULL || p != spki + spkilen)
		goto out;
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		r = blob_ed25519(pkey, w);
	else if (EVP_PKEY_is_a(pkey, "EC"))
		r = blob_ecdsa(pkey, w);
	else if (EVP_PKEY_is_a(pkey, "RSA"))
		r = blob_rsa(pkey, w);
	else
		r = DANCE_ERR_UNSUPPORTED;
	if (r != DANCE_OK)
		goto out;
	/* Only canonical encodings: what our own conversion would give for
	 * the key (no compressed points, explicit curves, odd NULLs...). */
	if ((r = dance_sshkey_to_spki(NULL, w->buf, w->len, &again,
	                              &againlen)) != DANCE_OK)
		goto out;
	if (againlen != spkilen || memcmp(again, spki, spkilen) != 0)
		r = DANCE_ERR_PARSE;
out:
	free(again);
	EVP_PKEY_free(pkey);
	return r;
}

int dance_spki_to_sshkey(const uint8_t *spki, size_t spkilen, char **line)
{
	struct writer w = {NULL, 0, SPKI_MAX};
	const uint8_t *name;
	size_t namelen, b64len, total;
	struct reader rd;
	char *s = NULL;
	int r = DANCE_ERR_NOMEM;

	*line = NULL;
	ERR_set_mark();
	if ((w.buf = malloc(w.cap)) == NULL)
		goto out;
	if ((r = spki_to_blob(spki, spkilen, &w)) != DANCE_OK)
		goto out;
	rd.p = w.buf;
	rd.left = w.len;
	if ((r = get_string(&rd, TYPE_MAX, &name, &namelen)) != DANCE_OK)
		goto out;
	b64len = (w.len + 2) / 3 * 4;
	total = namelen + 1 + b64len + 1;
	r = DANCE_ERR_NOMEM;
	if ((s = malloc(total)) == NULL)
		goto out;
	memcpy(s, name, namelen);
	s[namelen] = ' ';
	if (EVP_EncodeBlock((unsigned char *)s + namelen + 1, w.buf,
	                    (int)w.len) != (int)b64len) {
		r = DANCE_ERR_CRYPTO;
		goto out;
	}
	*line = s;
	s = NULL;
	r = DANCE_OK;
out:
	free(s);
	free(w.buf);
	ERR_pop_to_mark();
	return r;
}

/* ---- matching ----------------------------------------------------------- */

/* OpenSSL's ordinals of matching types (ssl/ssl_lib.c dane_mds[]):
 * Full 0, SHA2-256 1, SHA2-512 2; -1 for a record that does not count. */
static int mtype_ordinal(const struct dance_tlsa *t)
{
	if (t->problem != DANCE_TLSA_USABLE ||
	    t->usage != DANCE_USAGE_DANE_EE ||
	    t->selector != DANCE_SELECTOR_SPKI || t->data == NULL)
		return -1;
	switch (t->mtype) {
	case DANCE_MTYPE_FULL:
		return t->len > 0 ? 0 : -1;
	case DANCE_MTYPE_SHA256:
		return t->len == 32 ? 1 : -1;
	case DANCE_MTYPE_SHA512:
		return t->len == 64 ? 2 : -1;
	default:
		return -1;
	}
}

int dance_spki_match(const struct dance_tlsa_rrset *rrset, const uint8_t *spki,
                     size_t spkilen, int *matched, int *index)
{
	uint8_t d256[32], d512[64];
	int best = 0, ord;

	*matched = 0;
	if (index != NULL)
		*index = -1;
	if (spkilen == 0 || (rrset->count > 0 && rrset->records == NULL))
		return DANCE_ERR_INVALID_ARG;
	if (EVP_Digest(spki, spkilen, d256, NULL, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(spki, spkilen, d512, NULL, EVP_sha512(), NULL) != 1)
		return DANCE_ERR_CRYPTO;
	/* Digest agility (RFC 7671 section 9) as OpenSSL's dane_match()
	 * does it for one usage and selector: only digests of the highest
	 * ordinal present count; Full(0) always counts. */
	for (size_t i = 0; i < rrset->count; i++)
		if ((ord = mtype_ordinal(&rrset->records[i])) > best)
			best = ord;
	for (size_t i = 0; i < rrset->count; i++) {
		const struct dance_tlsa *t = &rrset->records[i];
		const uint8_t *want = spki;
		size_t wantlen = spkilen;

		ord = mtype_ordinal(t);
		if (ord < 0 || (ord > 0 && ord < best))
			continue;
		if (t->mtype == DANCE_MTYPE_SHA256) {
			want = d256;
			wantlen = sizeof d256;
		} else if (t->mtype == DANCE_MTYPE_SHA512) {
			want = d512;
			wantlen = sizeof d512;
		}
		if (t->len == wantlen &&
		    CRYPTO_memcmp(t->data, want, wantlen) == 0) {
			*matched = 1;
			if (index != NULL)
				*index = (int)i;
			break;
		}
	}
	return DANCE_OK;
}
