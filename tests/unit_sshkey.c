/*
 * unit_sshkey.c -- OpenSSH public keys to SubjectPublicKeyInfo and back
 * (lib/sshkey.c).
 *
 * Golden vectors come from tests/rig/fixtures.d/40-ssh-keys.sh: keys made
 * by ssh-keygen and by OpenSSL, with the SPKI that ssh-keygen -e -m PKCS8
 * and OpenSSL give for them (Ed25519: the RFC 8410 prefix + key). Malformed
 * blobs are built by hand from parts: strings, raw octets, length fields.
 */
#include "internal.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixture files ------------------------------------------------------ */

static const char *fixture_dir(void)
{
	const char *d = getenv("DANCE_FIXTURE_DIR");
	return d != NULL && *d != '\0' ? d : DANCE_FIXTURE_DIR;
}

/* Read $FIX/ssh/NAME into a malloc'd buffer (NUL-terminated too). */
static uint8_t *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/ssh/%s", fixture_dir(), name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "fixture %s missing (run make-fixtures)", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint8_t *read_fixture_ext(const char *key, const char *ext, size_t *len)
{
	char name[256];
	snprintf(name, sizeof name, "%s%s", key, ext);
	return read_fixture(name, len);
}

/* ---- golden vectors ----------------------------------------------------- */

struct golden_case {
	const char *key;  /* fixture name */
	const char *type; /* OpenSSH type */
};

static const struct golden_case golden[] = {
        {"ed25519", "ssh-ed25519"},
        {"ossl-ed25519", "ssh-ed25519"},
        {"ca-ed25519", "ssh-ed25519"},
        {"ecdsa256", "ecdsa-sha2-nistp256"},
        {"ecdsa384", "ecdsa-sha2-nistp384"},
        {"ecdsa521", "ecdsa-sha2-nistp521"},
        {"ossl-ecdsa256", "ecdsa-sha2-nistp256"},
        {"ossl-ecdsa384", "ecdsa-sha2-nistp384"},
        {"ossl-ecdsa521", "ecdsa-sha2-nistp521"},
        {"rsa2048", "ssh-rsa"},
        {"rsa3072", "ssh-rsa"},
        {"rsa4096", "ssh-rsa"},
        {"ossl-rsa2048", "ssh-rsa"},
        {"ossl-rsa2048-e3", "ssh-rsa"},
};
#define NGOLDEN (sizeof golden / sizeof golden[0])

static void expect_spki(const uint8_t *got, size_t gotlen, const uint8_t *want,
                        size_t wantlen, const char *what)
{
	cr_expect_eq(gotlen, wantlen, "%s: SPKI length %zu, want %zu", what,
	             gotlen, wantlen);
	if (gotlen == wantlen)
		cr_expect_eq(memcmp(got, want, wantlen), 0, "%s: SPKI differs",
		             what);
}

Test(sshkey, golden_blobs)
{
	for (size_t i = 0; i < NGOLDEN; i++) {
		size_t bloblen, wantlen, spkilen = 0;
		uint8_t *blob =
		        read_fixture_ext(golden[i].key, ".blob", &bloblen);
		uint8_t *want =
		        read_fixture_ext(golden[i].key, ".spki.der", &wantlen);
		uint8_t *spki = NULL;

		cr_expect_eq(dance_sshkey_to_spki(NULL, blob, bloblen, &spki,
		                                  &spkilen),
		             DANCE_OK, "%s", golden[i].key);
		expect_spki(spki, spkilen, want, wantlen, golden[i].key);
		free(spki);
		cr_expect_eq(dance_sshkey_to_spki(golden[i].type, blob, bloblen,
		                                  &spki, &spkilen),
		             DANCE_OK, "%s with type", golden[i].key);
		expect_spki(spki, spkilen, want, wantlen, golden[i].key);
		free(spki);
		free(blob);
		free(want);
	}
}

Test(sshkey, golden_text)
{
	for (size_t i = 0; i < NGOLDEN; i++) {
		size_t publen, wantlen, spkilen = 0;
		char *pub = (char *)read_fixture_ext(golden[i].key, ".pub",
		                                     &publen);
		uint8_t *want =
		        read_fixture_ext(golden[i].key, ".spki.der", &wantlen);
		uint8_t *spki = NULL;

		/* The whole .pub file: type, base64, comment, newline. */
		cr_expect_eq(
		        dance_sshkey_text_to_spki(NULL, pub, &spki, &spkilen),
		        DANCE_OK, "%s", golden[i].key);
		expect_spki(spki, spkilen, want, wantlen, golden[i].key);
		free(spki);
		cr_expect_eq(dance_sshkey_text_to_spki(golden[i].type, pub,
		                                       &spki, &spkilen),
		             DANCE_OK, "%s with type", golden[i].key);
		free(spki);
		/* Base64 alone with the type (as sshd's %t %k). */
		char *b64 = strchr(pub, ' ') + 1;
		*strchr(b64, ' ') = '\0';
		cr_expect_eq(dance_sshkey_text_to_spki(golden[i].type, b64,
		                                       &spki, &spkilen),
		             DANCE_OK, "%s base64 alone", golden[i].key);
		expect_spki(spki, spkilen, want, wantlen, golden[i].key);
		free(spki);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(NULL, b64, &spki, &spkilen),
		        DANCE_ERR_PARSE, "%s base64 without type",
		        golden[i].key);
		cr_expect_null(spki);
		free(pub);
		free(want);
	}
}

/* Ed25519 SPKI is a fixed prefix + the key (RFC 8410), checked here
 * independently of how the fixture script builds its vector. */
Test(sshkey, ed25519_prefix)
{
	static const uint8_t prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
	                                 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
	size_t bloblen, spkilen = 0;
	uint8_t *blob = read_fixture("ed25519.blob", &bloblen), *spki = NULL;

	cr_assert_eq(bloblen, 4 + 11 + 4 + 32);
	cr_assert_eq(dance_sshkey_to_spki("ssh-ed25519", blob, bloblen, &spki,
	                                  &spkilen),
	             DANCE_OK);
	cr_assert_eq(spkilen, sizeof prefix + 32);
	cr_expect_eq(memcmp(spki, prefix, sizeof prefix), 0);
	cr_expect_eq(memcmp(spki + sizeof prefix, blob + bloblen - 32, 32), 0);
	free(spki);
	free(blob);
}

/* SPKI -> "TYPE BASE64" -> SPKI, and the line equals the .pub file's. */
Test(sshkey, round_trip)
{
	for (size_t i = 0; i < NGOLDEN; i++) {
		size_t publen, derlen, spkilen = 0;
		char *pub = (char *)read_fixture_ext(golden[i].key, ".pub",
		                                     &publen);
		uint8_t *der =
		        read_fixture_ext(golden[i].key, ".spki.der", &derlen);
		uint8_t *spki = NULL;
		char *line = NULL;

		cr_assert_eq(dance_spki_to_sshkey(der, derlen, &line), DANCE_OK,
		             "%s", golden[i].key);
		*strrchr(pub, ' ') = '\0'; /* drop the comment */
		cr_expect_str_eq(line, pub, "%s", golden[i].key);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(NULL, line, &spki, &spkilen),
		        DANCE_OK);
		expect_spki(spki, spkilen, der, derlen, golden[i].key);
		free(spki);
		free(line);
		free(pub);
		free(der);
	}
}

/* Keys of types dance does not take, made by ssh-keygen. */
Test(sshkey, refused_fixtures)
{
	static const struct {
		const char *key, *type;
		int err;
	} cases[] = {
	        {"dsa", "ssh-dss", DANCE_ERR_UNSUPPORTED},
	        {"rsa1024", "ssh-rsa", DANCE_ERR_UNSUPPORTED},
	        {"ed25519-cert", "ssh-ed25519-cert-v01@openssh.com",
	         DANCE_ERR_UNSUPPORTED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t bloblen, publen, spkilen = 0;
		uint8_t *blob =
		        read_fixture_ext(cases[i].key, ".blob", &bloblen);
		char *pub =
		        (char *)read_fixture_ext(cases[i].key, ".pub", &publen);
		uint8_t *spki = NULL;

		cr_expect_eq(dance_sshkey_to_spki(NULL, blob, bloblen, &spki,
		                                  &spkilen),
		             cases[i].err, "%s", cases[i].key);
		cr_expect_eq(dance_sshkey_to_spki(cases[i].type, blob, bloblen,
		                                  &spki, &spkilen),
		             cases[i].err, "%s", cases[i].key);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(NULL, pub, &spki, &spkilen),
		        cases[i].err, "%s text", cases[i].key);
		/* A certificate passed off as its plain key type. */
		cr_expect_eq(dance_sshkey_to_spki("ssh-ed25519", blob, bloblen,
		                                  &spki, &spkilen),
		             DANCE_ERR_PARSE);
		cr_expect_null(spki);
		cr_expect_eq(spkilen, 0);
		free(blob);
		free(pub);
	}
}

/* Every proper prefix of every good blob is malformed. */
Test(sshkey, truncated_at_every_offset)
{
	for (size_t i = 0; i < NGOLDEN; i++) {
		size_t bloblen;
		uint8_t *blob =
		        read_fixture_ext(golden[i].key, ".blob", &bloblen);
		for (size_t n = 0; n < bloblen; n++) {
			uint8_t *spki = NULL, *copy = malloc(n + 1);
			size_t spkilen = 0;
			cr_assert_not_null(copy);
			memcpy(copy, blob,
			       n); /* exact-size heap copy for ASan */
			cr_expect_eq(dance_sshkey_to_spki(NULL, copy, n, &spki,
			                                  &spkilen),
			             DANCE_ERR_PARSE, "%s cut at %zu",
			             golden[i].key, n);
			cr_expect_null(spki);
			free(copy);
		}
		free(blob);
	}
}

/* Every trailing addition to every good blob is malformed. */
Test(sshkey, trailing_bytes)
{
	static const uint8_t tails[][4] = {{0}, {0, 0, 0, 0}, {0xff}};
	static const size_t taillens[] = {1, 4, 1};
	for (size_t i = 0; i < NGOLDEN; i++) {
		size_t bloblen;
		uint8_t *blob =
		        read_fixture_ext(golden[i].key, ".blob", &bloblen);
		for (size_t t = 0; t < 3; t++) {
			uint8_t *copy = malloc(bloblen + taillens[t]);
			uint8_t *spki = NULL;
			size_t spkilen = 0;
			cr_assert_not_null(copy);
			memcpy(copy, blob, bloblen);
			memcpy(copy + bloblen, tails[t], taillens[t]);
			cr_expect_eq(dance_sshkey_to_spki(NULL, copy,
			                                  bloblen + taillens[t],
			                                  &spki, &spkilen),
			             DANCE_ERR_PARSE, "%s + %zu octets",
			             golden[i].key, taillens[t]);
			free(copy);
		}
		free(blob);
	}
}

/* A single flipped bit never yields the original key's SPKI: it is refused
 * or it is another key (which a record for the original never matches). */
Test(sshkey, bit_flips_never_give_the_original)
{
	for (size_t i = 0; i < NGOLDEN; i++) {
		size_t bloblen, wantlen;
		uint8_t *blob =
		        read_fixture_ext(golden[i].key, ".blob", &bloblen);
		uint8_t *want =
		        read_fixture_ext(golden[i].key, ".spki.der", &wantlen);
		/* RSA-4096 takes long enough; its prefix covers the parser. */
		size_t bits = bloblen * 8 > 4096 ? 4096 : bloblen * 8;
		/* read_fixture() sets bloblen to the file's size; cppcheck 2.10
		 * takes it for 0 (it does not know Criterion's asserts). */
		// cppcheck-suppress knownConditionTrueFalse ; see above
		for (size_t b = 0; b < bits; b++) {
			uint8_t *spki = NULL;
			size_t spkilen = 0;
			blob[b / 8] ^= (uint8_t)(1u << (b % 8));
			int r = dance_sshkey_to_spki(NULL, blob, bloblen, &spki,
			                             &spkilen);
			blob[b / 8] ^= (uint8_t)(1u << (b % 8));
			cr_expect(r == DANCE_OK || r == DANCE_ERR_PARSE ||
			                  r == DANCE_ERR_UNSUPPORTED,
			          "%s bit %zu: %d", golden[i].key, b, r);
			if (r == DANCE_OK)
				cr_expect(spkilen != wantlen ||
				                  memcmp(spki, want, wantlen) !=
				                          0,
				          "%s bit %zu gives the same key",
				          golden[i].key, b);
			else
				cr_expect_null(spki);
			free(spki);
		}
		free(blob);
		free(want);
	}
}

/* ---- hand-built blobs --------------------------------------------------- */

enum part_kind { P_END = 0, P_STR, P_RAW, P_U32 };

struct part {
	enum part_kind kind;
	const uint8_t *p; /* P_STR, P_RAW: octets */
	const size_t *n;  /* P_STR, P_RAW: their number (runtime sizes) */
	size_t len;       /* ... or this when n is NULL */
	uint32_t v;       /* P_U32 */
};

#define S(lit)                                                          \
	{                                                               \
		P_STR, (const uint8_t *)(lit), NULL, sizeof(lit) - 1, 0 \
	}
#define SB(arr)                                \
	{                                      \
		P_STR, (arr), &arr##_len, 0, 0 \
	}
#define RAW(lit)                                                        \
	{                                                               \
		P_RAW, (const uint8_t *)(lit), NULL, sizeof(lit) - 1, 0 \
	}
#define U32(x)                            \
	{                                 \
		P_U32, NULL, NULL, 0, (x) \
	}
#define MAXPARTS  8
#define BUILD_MAX 4200

struct blob_case {
	const char *name;
	const char *type; /* passed as the type argument */
	struct part parts[MAXPARTS];
	int expected;
};

/* Parts filled in at run time (points and moduli from OpenSSL). */
static uint8_t ed_key[32];
static size_t ed_key_len = 32, ed_key31_len = 31, ed_key33_len = 33;
static uint8_t ed_key33[33];
static uint8_t p256_u[65], p256_c[33], p256_c3[33], p256_hyb[65], p256_off[65],
        p256_xp[65], p256_zero[65], p256_nopfx[64], p256_long[66];
static size_t p256_u_len = 65, p256_c_len = 33, p256_c3_len = 33,
              p256_hyb_len = 65, p256_off_len = 65, p256_xp_len = 65,
              p256_zero_len = 65, p256_nopfx_len = 64, p256_long_len = 66;
static uint8_t p384_u[97], p521_u[133], p521_off[133];
static size_t p384_u_len = 97, p521_u_len = 133, p521_off_len = 133;
/* RSA moduli as mpint contents. */
static uint8_t n2048[257], n2048_even[257], n2048_neg[256], n2048_nonmin[258],
        n2047[256], n1024[129], n16384[2049], n16392[2050];
static size_t n2048_len = 257, n2048_even_len = 257, n2048_neg_len = 256,
              n2048_nonmin_len = 258, n2047_len = 256, n1024_len = 129,
              n16384_len = 2049, n16392_len = 2050;

static void point(int nid, point_conversion_form_t form, uint8_t *out,
                  size_t outlen)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	cr_assert_not_null(g);
	cr_assert_eq(EC_POINT_point2oct(g, EC_GROUP_get0_generator(g), form,
	                                out, outlen, NULL),
	             outlen);
	EC_GROUP_free(g);
}

/* A synthetic odd modulus of bits bits as mpint contents (no primality
 * needed: the parser does not factor). Returns its length. */
static size_t modulus(size_t bits, uint8_t *out)
{
	size_t n = (bits + 7) / 8, o = 0;
	if (bits % 8 == 0)
		out[o++] = 0; /* top bit set: leading zero */
	for (size_t i = 0; i < n; i++)
		out[o + i] = 0x5b;
	out[o] = bits % 8 == 0 ? 0xc5 : (uint8_t)(1u << ((bits - 1) % 8));
	return o + n;
}

static void init_parts(void)
{
	EC_GROUP *g;
	BIGNUM *p;

	memset(ed_key, 0x11, sizeof ed_key);
	memset(ed_key33, 0x11, sizeof ed_key33);
	point(NID_X9_62_prime256v1, POINT_CONVERSION_UNCOMPRESSED, p256_u, 65);
	point(NID_X9_62_prime256v1, POINT_CONVERSION_COMPRESSED, p256_c, 33);
	point(NID_X9_62_prime256v1, POINT_CONVERSION_HYBRID, p256_hyb, 65);
	point(NID_secp384r1, POINT_CONVERSION_UNCOMPRESSED, p384_u, 97);
	point(NID_secp521r1, POINT_CONVERSION_UNCOMPRESSED, p521_u, 133);
	memcpy(p256_c3, p256_c, 33);
	p256_c3[0] ^= 1; /* the other y */
	memcpy(p256_off, p256_u, 65);
	p256_off[64] ^= 1;
	memcpy(p521_off, p521_u, 133);
	p521_off[132] ^= 1;
	memcpy(p256_nopfx, p256_u + 1, 64);
	memcpy(p256_long, p256_u, 65);
	p256_long[65] = 0;
	memset(p256_zero, 0, 65);
	p256_zero[0] = 0x04;
	/* x = p (one past the field), y = G's y. */
	g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	p = BN_new();
	cr_assert(g != NULL && p != NULL);
	cr_assert(EC_GROUP_get_curve(g, p, NULL, NULL, NULL));
	memcpy(p256_xp, p256_u, 65);
	cr_assert_eq(BN_bn2binpad(p, p256_xp + 1, 32), 32);
	BN_free(p);
	EC_GROUP_free(g);

	cr_assert_eq(modulus(2048, n2048), n2048_len);
	memcpy(n2048_even, n2048, n2048_len);
	n2048_even[n2048_len - 1] ^= 1;
	memcpy(n2048_neg, n2048 + 1, n2048_neg_len); /* no leading zero */
	n2048_nonmin[0] = 0;
	memcpy(n2048_nonmin + 1, n2048, n2048_len);
	cr_assert_eq(modulus(2047, n2047), n2047_len);
	cr_assert_eq(modulus(1024, n1024), n1024_len);
	cr_assert_eq(modulus(16384, n16384), n16384_len);
	cr_assert_eq(modulus(16392, n16392), n16392_len);
}

static size_t build(const struct part *parts, uint8_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < MAXPARTS && parts[i].kind != P_END; i++) {
		const struct part *pt = &parts[i];
		size_t n = pt->n != NULL ? *pt->n : pt->len;
		uint32_t v = pt->kind == P_U32 ? pt->v : (uint32_t)n;
		if (pt->kind == P_STR || pt->kind == P_U32) {
			cr_assert_leq(o + 4, BUILD_MAX);
			out[o++] = (uint8_t)(v >> 24);
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
		}
		if (pt->kind == P_STR || pt->kind == P_RAW) {
			cr_assert_leq(o + n, BUILD_MAX);
			memcpy(out + o, pt->p, n);
			o += n;
		}
	}
	return o;
}

#define ED     S("ssh-ed25519")
#define E256   S("ecdsa-sha2-nistp256")
#define E384   S("ecdsa-sha2-nistp384")
#define E521   S("ecdsa-sha2-nistp521")
#define RSA    S("ssh-rsa")
#define E65537 S("\x01\x00\x01")
#define A16    "aaaaaaaaaaaaaaaa"
#define A64    A16 A16 A16 A16

static const struct blob_case blob_cases[] = {
        /* Accepted: the baseline each family of refusals departs from. */
        {"ed25519 ok", NULL, {ED, SB(ed_key)}, DANCE_OK},
        {"p256 G ok", NULL, {E256, S("nistp256"), SB(p256_u)}, DANCE_OK},
        {"p384 G ok", NULL, {E384, S("nistp384"), SB(p384_u)}, DANCE_OK},
        {"p521 G ok", NULL, {E521, S("nistp521"), SB(p521_u)}, DANCE_OK},
        {"rsa 2048 ok", NULL, {RSA, E65537, SB(n2048)}, DANCE_OK},
        {"rsa e=3 ok", NULL, {RSA, S("\x03"), SB(n2048)}, DANCE_OK},
        {"rsa e=2^32-1 ok",
         NULL,
         {RSA, S("\x00\xff\xff\xff\xff"), SB(n2048)},
         DANCE_OK},
        {"rsa 16384 ok", NULL, {RSA, E65537, SB(n16384)}, DANCE_OK},
        /* Type names. */
        {"empty blob", NULL, {{P_END, NULL, NULL, 0, 0}}, DANCE_ERR_PARSE},
        {"empty type", NULL, {S("")}, DANCE_ERR_PARSE},
        {"type with NUL",
         NULL,
         {S("ssh-ed25519\0"), SB(ed_key)},
         DANCE_ERR_PARSE},
        {"type with space",
         NULL,
         {S("ssh ed25519"), SB(ed_key)},
         DANCE_ERR_PARSE},
        {"type with newline",
         NULL,
         {S("ssh-ed25519\n"), SB(ed_key)},
         DANCE_ERR_PARSE},
        {"type 65 chars", NULL, {S(A64 "a")}, DANCE_ERR_PARSE},
        {"type 64 chars", NULL, {S(A64)}, DANCE_ERR_UNSUPPORTED},
        {"type length overflows",
         NULL,
         {U32(0xffffffffu), RAW("ssh-rsa")},
         DANCE_ERR_PARSE},
        {"type length 2^31",
         NULL,
         {U32(0x80000000u), RAW("ssh-rsa")},
         DANCE_ERR_PARSE},
        {"type length past end",
         NULL,
         {U32(12), RAW("ssh-ed25519")},
         DANCE_ERR_PARSE},
        {"type field cut", NULL, {RAW("\x00\x00\x00")}, DANCE_ERR_PARSE},
        {"given type mismatch", "ssh-rsa", {ED, SB(ed_key)}, DANCE_ERR_PARSE},
        {"given type differs in case",
         "SSH-ED25519",
         {ED, SB(ed_key)},
         DANCE_ERR_PARSE},
        {"given type prefix", "ssh-ed", {ED, SB(ed_key)}, DANCE_ERR_PARSE},
        {"given type empty", "", {ED, SB(ed_key)}, DANCE_ERR_PARSE},
        {"given ecdsa type, other curve",
         "ecdsa-sha2-nistp384",
         {E256, S("nistp256"), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"cert passed as plain",
         "ssh-ed25519",
         {S("ssh-ed25519-cert-v01@openssh.com"), S("nonce"), SB(ed_key)},
         DANCE_ERR_PARSE},
        /* Unsupported types. */
        {"ssh-dss",
         NULL,
         {S("ssh-dss"), S("\x01"), S("\x01"), S("\x01"), S("\x01")},
         DANCE_ERR_UNSUPPORTED},
        {"ssh-dss given", "ssh-dss", {S("ssh-dss")}, DANCE_ERR_UNSUPPORTED},
        {"sk-ssh-ed25519",
         NULL,
         {S("sk-ssh-ed25519@openssh.com"), SB(ed_key), S("ssh:")},
         DANCE_ERR_UNSUPPORTED},
        {"sk-ecdsa",
         NULL,
         {S("sk-ecdsa-sha2-nistp256@openssh.com"), S("nistp256"), SB(p256_u),
          S("ssh:")},
         DANCE_ERR_UNSUPPORTED},
        {"ed25519 cert",
         NULL,
         {S("ssh-ed25519-cert-v01@openssh.com"), S("nonce"), SB(ed_key)},
         DANCE_ERR_UNSUPPORTED},
        {"rsa cert",
         NULL,
         {S("ssh-rsa-cert-v01@openssh.com")},
         DANCE_ERR_UNSUPPORTED},
        {"ecdsa cert",
         NULL,
         {S("ecdsa-sha2-nistp256-cert-v01@openssh.com")},
         DANCE_ERR_UNSUPPORTED},
        {"xmss", NULL, {S("ssh-xmss@openssh.com")}, DANCE_ERR_UNSUPPORTED},
        {"ssh-ed448", NULL, {S("ssh-ed448"), S("x")}, DANCE_ERR_UNSUPPORTED},
        {"ecdsa p224 type",
         NULL,
         {S("ecdsa-sha2-nistp224"), S("nistp224"), S("\x04")},
         DANCE_ERR_UNSUPPORTED},
        {"signature algorithm, not key type",
         NULL,
         {S("rsa-sha2-256"), E65537, SB(n2048)},
         DANCE_ERR_UNSUPPORTED},
        /* Ed25519. */
        {"ed25519 key 31",
         NULL,
         {ED, {P_STR, ed_key, &ed_key31_len, 0, 0}},
         DANCE_ERR_PARSE},
        {"ed25519 key 33", NULL, {ED, SB(ed_key33)}, DANCE_ERR_PARSE},
        {"ed25519 key empty", NULL, {ED, S("")}, DANCE_ERR_PARSE},
        {"ed25519 no key", NULL, {ED}, DANCE_ERR_PARSE},
        {"ed25519 key length overflows",
         NULL,
         {ED, U32(0xffffffe0u), {P_RAW, ed_key, &ed_key_len, 0, 0}},
         DANCE_ERR_PARSE},
        {"ed25519 key not a string",
         NULL,
         {ED, {P_RAW, ed_key, &ed_key_len, 0, 0}},
         DANCE_ERR_PARSE},
        {"ed25519 trailing empty string",
         NULL,
         {ED, SB(ed_key), S("")},
         DANCE_ERR_PARSE},
        {"ed25519 trailing octet",
         NULL,
         {ED, SB(ed_key), RAW("\x00")},
         DANCE_ERR_PARSE},
        {"ed25519 33-octet field",
         NULL,
         {ED, U32(33), {P_RAW, ed_key33, &ed_key33_len, 0, 0}},
         DANCE_ERR_PARSE},
        /* ECDSA. */
        {"p256 wrong curve name",
         NULL,
         {E256, S("nistp384"), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"p256 curve name case",
         NULL,
         {E256, S("NISTP256"), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"p256 curve name NUL",
         NULL,
         {E256, S("nistp256\0"), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"p256 curve name empty",
         NULL,
         {E256, S(""), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"p256 curve OID name",
         NULL,
         {E256, S("prime256v1"), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"p384 named p256",
         NULL,
         {E384, S("nistp256"), SB(p384_u)},
         DANCE_ERR_PARSE},
        {"p256 compressed 02",
         NULL,
         {E256, S("nistp256"), SB(p256_c)},
         DANCE_ERR_PARSE},
        {"p256 compressed 03",
         NULL,
         {E256, S("nistp256"), SB(p256_c3)},
         DANCE_ERR_PARSE},
        {"p256 hybrid",
         NULL,
         {E256, S("nistp256"), SB(p256_hyb)},
         DANCE_ERR_PARSE},
        {"p256 off curve",
         NULL,
         {E256, S("nistp256"), SB(p256_off)},
         DANCE_ERR_PARSE},
        {"p521 off curve",
         NULL,
         {E521, S("nistp521"), SB(p521_off)},
         DANCE_ERR_PARSE},
        {"p256 x = p",
         NULL,
         {E256, S("nistp256"), SB(p256_xp)},
         DANCE_ERR_PARSE},
        {"p256 zero point",
         NULL,
         {E256, S("nistp256"), SB(p256_zero)},
         DANCE_ERR_PARSE},
        {"p256 infinity",
         NULL,
         {E256, S("nistp256"), S("\x00")},
         DANCE_ERR_PARSE},
        {"p256 no prefix",
         NULL,
         {E256, S("nistp256"), SB(p256_nopfx)},
         DANCE_ERR_PARSE},
        {"p256 one octet long",
         NULL,
         {E256, S("nistp256"), SB(p256_long)},
         DANCE_ERR_PARSE},
        {"p256 point of p384",
         NULL,
         {E256, S("nistp256"), SB(p384_u)},
         DANCE_ERR_PARSE},
        {"p384 point of p256",
         NULL,
         {E384, S("nistp384"), SB(p256_u)},
         DANCE_ERR_PARSE},
        {"p256 empty point",
         NULL,
         {E256, S("nistp256"), S("")},
         DANCE_ERR_PARSE},
        {"p256 no point", NULL, {E256, S("nistp256")}, DANCE_ERR_PARSE},
        {"p256 no curve", NULL, {E256}, DANCE_ERR_PARSE},
        {"p256 point length overflows",
         NULL,
         {E256, S("nistp256"), U32(0xffffffffu), RAW("\x04")},
         DANCE_ERR_PARSE},
        {"p256 trailing",
         NULL,
         {E256, S("nistp256"), SB(p256_u), RAW("\x00")},
         DANCE_ERR_PARSE},
        {"p256 trailing string",
         NULL,
         {E256, S("nistp256"), SB(p256_u), S("ssh:")},
         DANCE_ERR_PARSE},
        /* RSA. */
        {"rsa e empty (zero)", NULL, {RSA, S(""), SB(n2048)}, DANCE_ERR_PARSE},
        {"rsa e zero octet",
         NULL,
         {RSA, S("\x00"), SB(n2048)},
         DANCE_ERR_PARSE},
        {"rsa e negative", NULL, {RSA, S("\x81"), SB(n2048)}, DANCE_ERR_PARSE},
        {"rsa e non-minimal",
         NULL,
         {RSA, S("\x00\x01\x00\x01"), SB(n2048)},
         DANCE_ERR_PARSE},
        {"rsa e 00 00 03",
         NULL,
         {RSA, S("\x00\x00\x03"), SB(n2048)},
         DANCE_ERR_PARSE},
        {"rsa e = 1", NULL, {RSA, S("\x01"), SB(n2048)}, DANCE_ERR_PARSE},
        {"rsa e even",
         NULL,
         {RSA, S("\x01\x00\x00"), SB(n2048)},
         DANCE_ERR_PARSE},
        {"rsa e = 2^32+1",
         NULL,
         {RSA, S("\x01\x00\x00\x00\x01"), SB(n2048)},
         DANCE_ERR_UNSUPPORTED},
        {"rsa e huge",
         NULL,
         {RSA, S("\x7f\xff\xff\xff\xff\xff\xff\xff\xff"), SB(n2048)},
         DANCE_ERR_UNSUPPORTED},
        {"rsa e over the bound",
         NULL,
         {RSA, SB(n16392), SB(n2048)},
         DANCE_ERR_PARSE},
        {"rsa n empty", NULL, {RSA, E65537, S("")}, DANCE_ERR_PARSE},
        {"rsa n negative", NULL, {RSA, E65537, SB(n2048_neg)}, DANCE_ERR_PARSE},
        {"rsa n non-minimal",
         NULL,
         {RSA, E65537, SB(n2048_nonmin)},
         DANCE_ERR_PARSE},
        {"rsa n even", NULL, {RSA, E65537, SB(n2048_even)}, DANCE_ERR_PARSE},
        {"rsa n 2047 bits",
         NULL,
         {RSA, E65537, SB(n2047)},
         DANCE_ERR_UNSUPPORTED},
        {"rsa n 1024 bits",
         NULL,
         {RSA, E65537, SB(n1024)},
         DANCE_ERR_UNSUPPORTED},
        {"rsa n tiny", NULL, {RSA, E65537, S("\x0f")}, DANCE_ERR_UNSUPPORTED},
        {"rsa n 16392 bits", NULL, {RSA, E65537, SB(n16392)}, DANCE_ERR_PARSE},
        {"rsa n and e swapped",
         NULL,
         {RSA, SB(n2048), E65537},
         DANCE_ERR_UNSUPPORTED},
        {"rsa no n", NULL, {RSA, E65537}, DANCE_ERR_PARSE},
        {"rsa no e", NULL, {RSA}, DANCE_ERR_PARSE},
        {"rsa n length overflows",
         NULL,
         {RSA, E65537, U32(0xffffffffu), RAW("\x01")},
         DANCE_ERR_PARSE},
        {"rsa n length past end",
         NULL,
         {RSA, E65537, U32(258), {P_RAW, n2048, &n2048_len, 0, 0}},
         DANCE_ERR_PARSE},
        {"rsa trailing octet",
         NULL,
         {RSA, E65537, SB(n2048), RAW("\x00")},
         DANCE_ERR_PARSE},
        {"rsa trailing empty string",
         NULL,
         {RSA, E65537, SB(n2048), S("")},
         DANCE_ERR_PARSE},
};

Test(sshkey, hand_built_blobs, .init = init_parts)
{
	static uint8_t buf[BUILD_MAX];
	size_t pos = 0, neg = 0;

	for (size_t i = 0; i < sizeof blob_cases / sizeof blob_cases[0]; i++) {
		const struct blob_case *c = &blob_cases[i];
		size_t len = build(c->parts, buf), spkilen = 99;
		uint8_t *copy = malloc(len + 1), *spki = (uint8_t *)1;
		cr_assert_not_null(copy);
		memcpy(copy, buf, len);
		int r = dance_sshkey_to_spki(c->type, copy, len, &spki,
		                             &spkilen);
		cr_expect_eq(r, c->expected, "%s: got %d (%s), want %d",
		             c->name, r, dance_strerror(r), c->expected);
		if (c->expected == DANCE_OK) {
			pos++;
			cr_expect_not_null(spki, "%s", c->name);
		} else {
			neg++;
			cr_expect_null(spki, "%s", c->name);
			cr_expect_eq(spkilen, 0, "%s", c->name);
		}
		if (r == DANCE_OK)
			free(spki);
		free(copy);
	}
	cr_expect_gt(neg, 4 * pos);
}

/* ---- text form ---------------------------------------------------------- */

struct text_case {
	const char *name;
	const char *type;
	const char *fmt; /* $T: type word, $B: base64 */
	const char *key; /* fixture */
	int expected;
};

static const struct text_case text_cases[] = {
        {"type base64", NULL, "$T $B", "ed25519", DANCE_OK},
        {"with comment", NULL, "$T $B a comment  with spaces", "ecdsa256",
         DANCE_OK},
        {"blanks and newline", NULL, " \t$T\t $B  c\n", "ecdsa384", DANCE_OK},
        {"CRLF", NULL, "$T $B c\r\n", "rsa2048", DANCE_OK},
        {"base64 alone, type given", "ssh-ed25519", "$B", "ed25519", DANCE_OK},
        {"base64 alone, newline", "ssh-ed25519", "$B\n", "ed25519", DANCE_OK},
        {"both types", "ecdsa-sha2-nistp256", "$T $B", "ecdsa256", DANCE_OK},
        /* Refused. */
        {"empty", NULL, "", "ed25519", DANCE_ERR_PARSE},
        {"blank", NULL, "  \n", "ed25519", DANCE_ERR_PARSE},
        {"type alone", NULL, "$T", "ed25519", DANCE_ERR_PARSE},
        {"type alone, type given", "ssh-ed25519", "$T", "ed25519",
         DANCE_ERR_PARSE},
        {"base64 alone, no type", NULL, "$B", "ed25519", DANCE_ERR_PARSE},
        {"given type differs from word", "ssh-rsa", "$T $B", "ed25519",
         DANCE_ERR_PARSE},
        {"word differs from blob", NULL, "ssh-rsa $B", "ed25519",
         DANCE_ERR_PARSE},
        {"unsupported word, good blob", NULL, "ssh-dss $B", "ed25519",
         DANCE_ERR_PARSE},
        {"two line ends", NULL, "$T $B\n\n", "ed25519", DANCE_ERR_PARSE},
        {"second line", NULL, "$T $B\n$T $B", "ed25519", DANCE_ERR_PARSE},
        {"CR inside", NULL, "$T\r$B", "ed25519", DANCE_ERR_PARSE},
        {"newline between", NULL, "$T\n$B", "ed25519", DANCE_ERR_PARSE},
        {"options before type", NULL, "no-pty $T $B", "ed25519",
         DANCE_ERR_PARSE},
        {"base64 split", NULL, "$T AAAAC3Nz aC1lZDI1NTE5", "ed25519",
         DANCE_ERR_PARSE},
        {"base64 not a multiple of 4", NULL, "$T AAAAC3NzaC1lZDI1NTE",
         "ed25519", DANCE_ERR_PARSE},
        {"base64 bad char", NULL, "$T AAAA!3Nz", "ed25519", DANCE_ERR_PARSE},
        {"base64 url-safe", NULL, "$T AAAA_3N-", "ed25519", DANCE_ERR_PARSE},
        {"base64 pad inside", NULL, "$T AA==AAAA", "ed25519", DANCE_ERR_PARSE},
        {"base64 three pads", NULL, "$T AAAAA===", "ed25519", DANCE_ERR_PARSE},
        {"base64 only pads", NULL, "$T ====", "ed25519", DANCE_ERR_PARSE},
        {"base64 pad then char", NULL, "$T AAA=A", "ed25519", DANCE_ERR_PARSE},
};

/* fmt with every "$T" replaced by t and every "$B" by b (malloc'd). */
static char *subst(const char *fmt, const char *t, const char *b)
{
	size_t n = strlen(fmt) + 1;
	char *out, *o;
	for (const char *p = fmt; *p; p++)
		if (p[0] == '$' && (p[1] == 'T' || p[1] == 'B'))
			n += strlen(p[1] == 'T' ? t : b);
	out = o = malloc(n);
	cr_assert_not_null(out);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '$' && (p[1] == 'T' || p[1] == 'B')) {
			const char *v = p[1] == 'T' ? t : b;
			memcpy(o, v, strlen(v));
			o += strlen(v);
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* Build the text of a case from a fixture's .pub fields. */
static char *case_text(const struct text_case *c)
{
	size_t publen;
	char *pub = (char *)read_fixture_ext(c->key, ".pub", &publen);
	char *type = pub, *b64 = strchr(pub, ' ') + 1, *out;
	b64[-1] = '\0';
	*strchr(b64, ' ') = '\0';
	out = subst(c->fmt, type, b64);
	free(pub);
	return out;
}

Test(sshkey, text_forms)
{
	for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
		char *text = case_text(&text_cases[i]);
		uint8_t *spki = NULL;
		size_t spkilen = 0;
		int r = dance_sshkey_text_to_spki(text_cases[i].type, text,
		                                  &spki, &spkilen);
		cr_expect_eq(r, text_cases[i].expected, "%s: '%s': %d",
		             text_cases[i].name, text, r);
		if (text_cases[i].expected != DANCE_OK)
			cr_expect_null(spki);
		free(spki);
		free(text);
	}
}

/* The base64 character whose value is c's with the lowest bit set: only
 * unused bits change when c is the last data character before a pad. */
static char set_low_bit(char c)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(alphabet, c);
	cr_assert(p != NULL && c != '\0');
	return alphabet[(p - alphabet) | 1];
}

/* Base64 padding: non-zero unused bits, missing or extra pads, on the
 * fixtures whose base64 ends with one pad (P-256 blob, 104 octets) and two
 * pads (P-384 blob, 136 octets). EVP_DecodeBlock alone accepts several. */
Test(sshkey, base64_padding)
{
	static const struct {
		const char *key;
		size_t pads;
	} keys[] = {{"ecdsa256", 1}, {"ecdsa384", 2}};
	for (size_t k = 0; k < 2; k++) {
		struct text_case c = {"", NULL, "$B", keys[k].key, 0};
		char *b64 = case_text(&c), *t;
		size_t n = strlen(b64), spkilen;
		uint8_t *spki = NULL;
		const char *type =
		        k == 0 ? "ecdsa-sha2-nistp256" : "ecdsa-sha2-nistp384";

		cr_assert_eq(b64[n - 1], '=');
		cr_assert_eq(b64[n - 2] == '=', keys[k].pads == 2);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(type, b64, &spki, &spkilen),
		        DANCE_OK);
		free(spki);
		/* Unused bits set in the last data character. */
		t = strdup(b64);
		t[n - keys[k].pads - 1] = set_low_bit(t[n - keys[k].pads - 1]);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(type, t, &spki, &spkilen),
		        DANCE_ERR_PARSE, "%s non-zero unused bits",
		        keys[k].key);
		free(t);
		/* Pads removed. */
		t = strndup(b64, n - keys[k].pads);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(type, t, &spki, &spkilen),
		        DANCE_ERR_PARSE, "%s unpadded", keys[k].key);
		free(t);
		/* One pad too many (replacing a data character). */
		t = strdup(b64);
		t[n - keys[k].pads - 1] = '=';
		cr_expect_eq(
		        dance_sshkey_text_to_spki(type, t, &spki, &spkilen),
		        DANCE_ERR_PARSE, "%s extra pad", keys[k].key);
		free(t);
		/* Pad appended. */
		cr_assert_geq(asprintf(&t, "%s====", b64), 0);
		cr_expect_eq(
		        dance_sshkey_text_to_spki(type, t, &spki, &spkilen),
		        DANCE_ERR_PARSE, "%s appended pads", keys[k].key);
		free(t);
		free(b64);
	}
}

Test(sshkey, text_too_long)
{
	size_t n = 65536 + 4;
	char *t = malloc(n + 16);
	uint8_t *spki = NULL;
	size_t spkilen;
	cr_assert_not_null(t);
	memcpy(t, "ssh-rsa ", 8);
	memset(t + 8, 'A', n);
	t[8 + n] = '\0';
	cr_expect_eq(dance_sshkey_text_to_spki(NULL, t, &spki, &spkilen),
	             DANCE_ERR_PARSE);
	free(t);
}

/* ---- SPKI to OpenSSH ---------------------------------------------------- */

static uint8_t *pkey_der(EVP_PKEY *pkey, size_t *len)
{
	uint8_t *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	cr_assert_gt(n, 0);
	*len = (size_t)n;
	return der;
}

static int reverse(const uint8_t *der, size_t len)
{
	char *line = (char *)1;
	uint8_t *copy = malloc(len + 1);
	int r;
	cr_assert_not_null(copy);
	memcpy(copy, der, len);
	r = dance_spki_to_sshkey(copy, len, &line);
	if (r == DANCE_OK)
		free(line);
	else
		cr_expect_null(line);
	free(copy);
	return r;
}

Test(sshkey, spki_refused_key_types)
{
	static const struct {
		const char *name;
		const char *alg;
		const char *opt, *val;
		int expected;
	} cases[] = {
	        {"rsa 1024", "RSA", "rsa_keygen_bits", "1024",
	         DANCE_ERR_UNSUPPORTED},
	        {"p224", "EC", "ec_paramgen_curve", "P-224",
	         DANCE_ERR_UNSUPPORTED},
	        {"secp256k1", "EC", "ec_paramgen_curve", "secp256k1",
	         DANCE_ERR_UNSUPPORTED},
	        {"brainpool", "EC", "ec_paramgen_curve", "brainpoolP256r1",
	         DANCE_ERR_UNSUPPORTED},
	        {"ed448", "ED448", NULL, NULL, DANCE_ERR_UNSUPPORTED},
	        {"x25519", "X25519", NULL, NULL, DANCE_ERR_UNSUPPORTED},
	        {"rsa-pss", "RSA-PSS", "rsa_keygen_bits", "2048",
	         DANCE_ERR_UNSUPPORTED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		EVP_PKEY_CTX *pc =
		        EVP_PKEY_CTX_new_from_name(NULL, cases[i].alg, NULL);
		EVP_PKEY *pkey = NULL;
		size_t len;
		cr_assert_not_null(pc);
		cr_assert_eq(EVP_PKEY_keygen_init(pc), 1);
		if (cases[i].opt != NULL)
			cr_assert_gt(EVP_PKEY_CTX_ctrl_str(pc, cases[i].opt,
			                                   cases[i].val),
			             0, "%s", cases[i].name);
		cr_assert_eq(EVP_PKEY_generate(pc, &pkey), 1, "%s",
		             cases[i].name);
		uint8_t *der = pkey_der(pkey, &len);
		cr_expect_eq(reverse(der, len), cases[i].expected, "%s",
		             cases[i].name);
		OPENSSL_free(der);
		EVP_PKEY_free(pkey);
		EVP_PKEY_CTX_free(pc);
	}
}

Test(sshkey, spki_malformed)
{
	size_t derlen;
	uint8_t *der = read_fixture("ecdsa256.spki.der", &derlen);
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)derlen);
	uint8_t *buf = malloc(derlen + 1), *comp;
	size_t complen;

	cr_assert(pkey != NULL && buf != NULL);
	cr_expect_eq(reverse(der, derlen), DANCE_OK);
	/* Trailing octet. */
	memcpy(buf, der, derlen);
	buf[derlen] = 0;
	cr_expect_eq(reverse(buf, derlen + 1), DANCE_ERR_PARSE);
	/* Every truncation. */
	for (size_t n = 0; n < derlen; n++)
		cr_expect_eq(reverse(der, n), DANCE_ERR_PARSE, "cut at %zu", n);
	/* Garbage. */
	cr_expect_eq(reverse((const uint8_t *)"\x30\x00", 2), DANCE_ERR_PARSE);
	cr_expect_eq(reverse((const uint8_t *)"not DER", 7), DANCE_ERR_PARSE);
	/* The same key with a compressed point: valid DER, not canonical. */
	cr_assert_eq(EVP_PKEY_set_utf8_string_param(
	                     pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
	                     "compressed"),
	             1);
	comp = pkey_der(pkey, &complen);
	cr_assert_lt(complen, derlen);
	cr_expect_eq(reverse(comp, complen), DANCE_ERR_PARSE);
	OPENSSL_free(comp);
	EVP_PKEY_free(pkey);
	free(buf);
	free(der);
}

/* Every single-bit flip of an SPKI: refused, or another valid key whose
 * line converts back to exactly the flipped SPKI. */
Test(sshkey, spki_bit_flips)
{
	static const char *const keys[] = {"ed25519", "ecdsa256", "rsa2048"};
	for (size_t k = 0; k < 3; k++) {
		size_t derlen;
		uint8_t *der = read_fixture_ext(keys[k], ".spki.der", &derlen);
		for (size_t b = 0; b < derlen * 8; b++) {
			char *line = NULL;
			der[b / 8] ^= (uint8_t)(1u << (b % 8));
			int r = dance_spki_to_sshkey(der, derlen, &line);
			if (r == DANCE_OK) {
				uint8_t *spki = NULL;
				size_t spkilen = 0;
				cr_expect_eq(
				        dance_sshkey_text_to_spki(
				                NULL, line, &spki, &spkilen),
				        DANCE_OK);
				cr_expect(spkilen == derlen &&
				          memcmp(spki, der, derlen) == 0);
				free(spki);
				free(line);
			} else {
				cr_expect_null(line);
			}
			der[b / 8] ^= (uint8_t)(1u << (b % 8));
		}
		free(der);
	}
}

/* Refusals leave OpenSSL's error queue as they found it (servers such as
 * slapd look at it after their own TLS calls). */
Test(sshkey, error_queue_untouched, .init = init_parts)
{
	static uint8_t buf[BUILD_MAX];
	static const uint8_t bad_spki[] = {0x30, 0x03, 0x02, 0x01, 0x07};
	size_t len, spkilen;
	uint8_t *spki = NULL;
	char *line = NULL;

	ERR_clear_error();
	for (size_t i = 0; i < sizeof blob_cases / sizeof blob_cases[0]; i++) {
		len = build(blob_cases[i].parts, buf);
		if (dance_sshkey_to_spki(blob_cases[i].type, buf, len, &spki,
		                         &spkilen) == DANCE_OK)
			free(spki);
		cr_expect_eq(ERR_peek_error(), 0, "%s left an error",
		             blob_cases[i].name);
		ERR_clear_error();
	}
	cr_expect_eq(dance_spki_to_sshkey(bad_spki, sizeof bad_spki, &line),
	             DANCE_ERR_PARSE);
	cr_expect_eq(ERR_peek_error(), 0);
}

/* ---- the hand-written DER against OpenSSL's encoder --------------------- */

/* One SSH string of a blob, for the reference below (blobs given to it are
 * ones dance accepted, so they are well-formed). */
static void ref_string(const uint8_t **p, size_t *left, const uint8_t **s,
                       size_t *n)
{
	cr_assert_geq(*left, 4);
	*n = (size_t)(*p)[0] << 24 | (size_t)(*p)[1] << 16 |
	     (size_t)(*p)[2] << 8 | (size_t)(*p)[3];
	cr_assert_geq(*left - 4, *n);
	*s = *p + 4;
	*p += 4 + *n;
	*left -= 4 + *n;
}

static void ref_push_bn(OSSL_PARAM_BLD *bld, const char *key, const uint8_t *s,
                        size_t n, BIGNUM **bn)
{
	*bn = BN_bin2bn(s, (int)n, NULL);
	cr_assert_not_null(*bn);
	cr_assert(OSSL_PARAM_BLD_push_BN(bld, key, *bn));
}

/* The key of a blob as OpenSSL alone builds it from the blob's fields
 * (EVP_PKEY_new_raw_public_key, EVP_PKEY_fromdata), then i2d_PUBKEY(). */
static uint8_t *ref_spki(const uint8_t *blob, size_t len, size_t *outlen)
{
	const uint8_t *p = blob, *type, *f1, *f2;
	size_t left = len, typelen, n1, n2;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *e = NULL, *n = NULL;
	uint8_t *der;

	cr_assert_not_null(bld);
	ref_string(&p, &left, &type, &typelen);
	ref_string(&p, &left, &f1, &n1);
	if (typelen == 11 && memcmp(type, "ssh-ed25519", 11) == 0) {
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, f1,
		                                   n1);
	} else {
		int rsa = typelen == 7 && memcmp(type, "ssh-rsa", 7) == 0;
		const char *group = n1 == 8 && memcmp(f1, "nistp256", 8) == 0
		                            ? "prime256v1"
		                    : n1 == 8 && memcmp(f1, "nistp384", 8) == 0
		                            ? "secp384r1"
		                            : "secp521r1";
		ref_string(&p, &left, &f2, &n2);
		if (rsa) {
			ref_push_bn(bld, OSSL_PKEY_PARAM_RSA_E, f1, n1, &e);
			ref_push_bn(bld, OSSL_PKEY_PARAM_RSA_N, f2, n2, &n);
		} else {
			cr_assert(OSSL_PARAM_BLD_push_utf8_string(
			        bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0));
			cr_assert(OSSL_PARAM_BLD_push_octet_string(
			        bld, OSSL_PKEY_PARAM_PUB_KEY, f2, n2));
		}
		params = OSSL_PARAM_BLD_to_param(bld);
		pc = EVP_PKEY_CTX_new_from_name(NULL, rsa ? "RSA" : "EC", NULL);
		cr_assert(params != NULL && pc != NULL);
		cr_assert_eq(EVP_PKEY_fromdata_init(pc), 1);
		cr_assert_eq(EVP_PKEY_fromdata(pc, &pkey, EVP_PKEY_PUBLIC_KEY,
		                               params),
		             1);
	}
	cr_assert_not_null(pkey);
	der = pkey_der(pkey, outlen);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return der;
}

/* dance_sshkey_to_spki() of blob equals the reference; 1 if dance took the
 * key (refused keys are not compared). */
static int same_as_openssl(const uint8_t *blob, size_t len, const char *what)
{
	uint8_t *spki = NULL, *want;
	size_t spkilen = 0, wantlen;

	if (dance_sshkey_to_spki(NULL, blob, len, &spki, &spkilen) != DANCE_OK)
		return 0;
	want = ref_spki(blob, len, &wantlen);
	expect_spki(spki, spkilen, want, wantlen, what);
	OPENSSL_free(want);
	free(spki);
	return 1;
}

/* Every key of the fixture directory SUB (its *.pub files, certificates
 * and refused types skipped). Returns how many were compared. */
static size_t same_for_dir(const char *sub)
{
	char path[1024];
	struct dirent *de;
	size_t compared = 0;
	DIR *d;

	snprintf(path, sizeof path, "%s/%s", fixture_dir(), sub);
	cr_assert_not_null(d = opendir(path), "%s", path);
	while ((de = readdir(d)) != NULL) {
		size_t nlen = strlen(de->d_name), publen, bloblen;
		char name[512], *pub, *b64, *end;
		uint8_t *blob;
		int len;

		if (nlen < 5 || strcmp(de->d_name + nlen - 4, ".pub") != 0)
			continue;
		snprintf(name, sizeof name, "../%s/%s", sub, de->d_name);
		pub = (char *)read_fixture(name, &publen);
		b64 = strchr(pub, ' ');
		cr_assert_not_null(b64, "%s", name);
		b64++;
		end = b64 + strcspn(b64, " \n");
		blob = malloc((size_t)(end - b64));
		cr_assert_not_null(blob);
		len = EVP_DecodeBlock(blob, (unsigned char *)b64,
		                      (int)(end - b64));
		cr_assert_gt(len, 0, "%s", name);
		bloblen = (size_t)len - (end[-1] == '=') - (end[-2] == '=');
		compared += (size_t)same_as_openssl(blob, bloblen, name);
		free(blob);
		free(pub);
	}
	closedir(d);
	return compared;
}

/* The SPKI that lib/sshkey.c writes by hand is byte for byte what
 * OpenSSL's encoder writes for the same key: every fixture key, and every
 * hand-built blob that is accepted (P-384 and P-521 points, RSA exponents
 * of 1 to 4 octets, a 16384-bit modulus with a 3-octet DER length). */
Test(sshkey, hand_der_equals_i2d_pubkey, .init = init_parts)
{
	static uint8_t buf[BUILD_MAX];
	size_t fixtures, built = 0;

	fixtures = same_for_dir("ssh") + same_for_dir("sshd");
	cr_expect_geq(fixtures, 25, "only %zu fixture keys compared", fixtures);
	for (size_t i = 0; i < sizeof blob_cases / sizeof blob_cases[0]; i++) {
		if (blob_cases[i].expected != DANCE_OK)
			continue;
		size_t len = build(blob_cases[i].parts, buf);
		built += (size_t)same_as_openssl(buf, len, blob_cases[i].name);
	}
	cr_expect_eq(built, 8, "%zu hand-built keys compared", built);
}
