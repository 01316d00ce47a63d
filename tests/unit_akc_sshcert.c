/*
 * unit_akc_sshcert.c -- the sshd helper's reading of OpenSSH certificates
 * (sshd/sshcert.c) and its encodings (sshd/encode.c): golden vectors made
 * with OpenSSH 9.2's ssh-keygen (-s CA -I ID -n PRINCIPALS [-h] [-V]),
 * fingerprints as ssh-keygen -l prints them, and malformed input.
 */
#include "akc.h"
#include "internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "akc_vectors.h"

static void decode(const char *b64, uint8_t **blob, size_t *len)
{
	cr_assert_eq(akc_unbase64(b64, blob, len), DANCE_OK);
}

static void expect_blob_eq(const uint8_t *got, size_t gotlen, const char *b64)
{
	uint8_t *want;
	size_t wantlen;

	decode(b64, &want, &wantlen);
	cr_expect_eq(gotlen, wantlen);
	if (gotlen == wantlen)
		cr_expect_eq(memcmp(got, want, wantlen), 0);
	free(want);
}

static void expect_fp(const uint8_t *blob, size_t len, const char *want)
{
	char fp[AKC_FP_MAX];

	cr_assert_eq(akc_fingerprint(blob, len, fp, sizeof fp), DANCE_OK);
	cr_expect_str_eq(fp, want);
}

Test(sshcert, ed25519_user_certificate)
{
	struct akc_cert c;
	uint8_t *blob;
	size_t len;

	decode(ED_CERT, &blob, &len);
	cr_assert_eq(akc_cert_parse(ED_CERT_TYPE, blob, len, &c), DANCE_OK);
	cr_expect_str_eq(c.key_type, "ssh-ed25519");
	expect_blob_eq(c.key_blob, c.key_bloblen, ED_KEY);
	expect_fp(c.key_blob, c.key_bloblen,
	          "SHA256:VkbgEYN6ihRFl7e222oBOPhk0A4PuLYl/qIMbQHq8NA");
	cr_expect_eq(c.cert_type, AKC_CERT_USER);
	cr_expect_str_eq(c.key_id, "alice-id");
	cr_assert_eq(c.nprincipals, 2);
	cr_expect_str_eq(c.principals[0], "alice@good.test");
	cr_expect_str_eq(c.principals[1], "alice");
	cr_expect_eq(c.valid_after, 1577836800u);  /* 2020-01-01 */
	cr_expect_eq(c.valid_before, 4102358400u); /* 2099-12-31 */
	cr_expect_str_eq(c.ca_type, "ssh-ed25519");
	expect_blob_eq(c.ca_blob, c.ca_bloblen, ED_CA);
	expect_fp(c.ca_blob, c.ca_bloblen,
	          "SHA256:HRARZ4ircUuPjGW6MUZ7QVnrBJzBOIoM7vxPsG8olJ8");
	akc_cert_clear(&c);
	akc_cert_clear(&c);
	free(blob);
}

Test(sshcert, ecdsa_certificate_from_rsa_ca)
{
	struct akc_cert c;
	uint8_t *blob;
	size_t len;

	decode(ECDSA_CERT, &blob, &len);
	cr_assert_eq(akc_cert_parse(ECDSA_CERT_TYPE, blob, len, &c), DANCE_OK);
	cr_expect_str_eq(c.key_type, "ecdsa-sha2-nistp256");
	expect_blob_eq(c.key_blob, c.key_bloblen, ECDSA_KEY);
	expect_fp(c.key_blob, c.key_bloblen,
	          "SHA256:sGuHb6fp8RXwvGUfGkUWnSVCLafrs7VXMgdYSCYPmaw");
	cr_expect_eq(c.cert_type, AKC_CERT_USER);
	cr_assert_eq(c.nprincipals, 1);
	cr_expect_str_eq(c.principals[0], "bob@good.test");
	cr_expect_eq(c.valid_after, 0);
	cr_expect_eq(c.valid_before, UINT64_MAX);
	cr_expect_str_eq(c.ca_type, "ssh-rsa");
	expect_blob_eq(c.ca_blob, c.ca_bloblen, RSA_CA);
	expect_fp(c.ca_blob, c.ca_bloblen,
	          "SHA256:DMhNIx5yCSjwCw0EuxGzFMXLVDCXgcY+JJFi03C761I");
	akc_cert_clear(&c);
	free(blob);
}

Test(sshcert, rsa_host_certificate)
{
	struct akc_cert c;
	uint8_t *blob;
	size_t len;

	decode(RSA_HOST_CERT, &blob, &len);
	cr_assert_eq(akc_cert_parse(RSA_CERT_TYPE, blob, len, &c), DANCE_OK);
	cr_expect_str_eq(c.key_type, "ssh-rsa");
	cr_expect_eq(c.cert_type, AKC_CERT_HOST);
	expect_fp(c.key_blob, c.key_bloblen,
	          "SHA256:P1BOMke6pufFAPoI4KDplbzusPfwonQgOzKh65q8Sck");
	cr_assert_eq(c.nprincipals, 1);
	cr_expect_str_eq(c.principals[0], "host.good.test");
	akc_cert_clear(&c);
	free(blob);
}

struct type_case {
	const char *type;
	int err;
};

Test(sshcert, wrong_or_unsupported_types)
{
	static const struct type_case cases[] = {
	        {RSA_CERT_TYPE, DANCE_ERR_PARSE}, /* not the blob's type */
	        {ECDSA_CERT_TYPE, DANCE_ERR_PARSE},
	        {"ecdsa-sha2-nistp384-cert-v01@openssh.com", DANCE_ERR_PARSE},
	        {"ssh-dss-cert-v01@openssh.com", DANCE_ERR_UNSUPPORTED},
	        {"sk-ssh-ed25519-cert-v01@openssh.com", DANCE_ERR_UNSUPPORTED},
	        {"ssh-ed25519", DANCE_ERR_UNSUPPORTED},
	        {"-cert-v01@openssh.com", DANCE_ERR_UNSUPPORTED},
	        {"", DANCE_ERR_UNSUPPORTED},
	};
	uint8_t *blob;
	size_t len;

	decode(ED_CERT, &blob, &len);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct akc_cert c;
		cr_expect_eq(akc_cert_parse(cases[i].type, blob, len, &c),
		             cases[i].err, "%s", cases[i].type);
		cr_expect_null(c.key_blob);
		cr_expect_null(c.principals);
	}
	free(blob);
}

Test(sshcert, truncated_and_trailing)
{
	uint8_t *blob, *longer;
	size_t len;
	struct akc_cert c;

	decode(ED_CERT, &blob, &len);
	for (size_t n = 0; n < len; n++) {
		cr_expect_eq(akc_cert_parse(ED_CERT_TYPE, blob, n, &c),
		             DANCE_ERR_PARSE, "length %zu", n);
		cr_expect_null(c.key_blob);
	}
	longer = malloc(len + 1);
	cr_assert_not_null(longer);
	memcpy(longer, blob, len);
	longer[len] = 0;
	cr_expect_eq(akc_cert_parse(ED_CERT_TYPE, longer, len + 1, &c),
	             DANCE_ERR_PARSE);
	free(longer);
	free(blob);
}

/* Replace the first occurrence of n octets from by to in blob. */
static void patchn(uint8_t *blob, size_t len, const char *from, const char *to,
                   size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(blob + i, from, n) == 0) {
			memcpy(blob + i, to, n);
			return;
		}
	cr_assert_fail("'%s' not in blob", from);
}

static void patch(uint8_t *blob, size_t len, const char *from, const char *to)
{
	patchn(blob, len, from, to, strlen(from));
}

Test(sshcert, control_characters_refused)
{
	static const char *const bad[][2] = {
	        {"alice@good.test", "alice\ngood.test"},
	        {"alice-id", "alice\x01id"},
	        {"alice@good.test", "alice\x7fgood.test"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct akc_cert c;
		uint8_t *blob;
		size_t len;
		decode(ED_CERT, &blob, &len);
		patch(blob, len, bad[i][0], bad[i][1]);
		cr_expect_eq(akc_cert_parse(ED_CERT_TYPE, blob, len, &c),
		             DANCE_ERR_PARSE, "case %zu", i);
		free(blob);
	}
}

Test(sshcert, bad_certificate_type_field)
{
	/* The uint32 type follows the 8-octet serial, right before the
	 * key id string "\0\0\0\x08alice-id". */
	static const char user[] = "\0\0\0\x01\0\0\0\x08"
	                           "alice-id";
	static const char other[] = "\0\0\0\x03\0\0\0\x08"
	                            "alice-id";
	struct akc_cert c;
	uint8_t *blob;
	size_t len;

	decode(ED_CERT, &blob, &len);
	patchn(blob, len, user, other, sizeof user - 1);
	cr_expect_eq(akc_cert_parse(ED_CERT_TYPE, blob, len, &c),
	             DANCE_ERR_PARSE);
	free(blob);
}

Test(sshcert, bit_flips_never_crash)
{
	uint8_t *blob;
	size_t len;

	decode(ECDSA_CERT, &blob, &len);
	for (size_t i = 0; i < len * 8; i++) {
		struct akc_cert c;
		int r;
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
		r = akc_cert_parse(ECDSA_CERT_TYPE, blob, len, &c);
		if (r == DANCE_OK) {
			cr_assert_not_null(c.key_blob);
			cr_assert_not_null(c.ca_blob);
			cr_assert_leq(c.nprincipals, AKC_CERT_PRINCIPALS_MAX);
		} else {
			cr_assert_null(c.key_blob);
		}
		akc_cert_clear(&c);
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	free(blob);
}

Test(sshcert, type_is_cert)
{
	cr_expect(akc_type_is_cert(ED_CERT_TYPE));
	cr_expect(akc_type_is_cert("sk-ssh-ed25519-cert-v01@openssh.com"));
	cr_expect(!akc_type_is_cert("ssh-ed25519"));
	cr_expect(!akc_type_is_cert("-cert-v01@openssh.com"));
	cr_expect(!akc_type_is_cert("ssh-ed25519-cert-v01@openssh.co"));
}

/* ---- base64 ------------------------------------------------------------ */

struct b64_case {
	const char *in;
	int err;
	const char *out;
};

Test(encode, base64)
{
	static const struct b64_case cases[] = {
	        {"Zm9v", DANCE_OK, "foo"},
	        {"Zm9vYg==", DANCE_OK, "foob"},
	        {"Zm9vYmE=", DANCE_OK, "fooba"},
	        {"", DANCE_ERR_PARSE, NULL},
	        {"Zm9", DANCE_ERR_PARSE, NULL},
	        {"Zm9vY===", DANCE_ERR_PARSE, NULL},
	        {"Zm=v", DANCE_ERR_PARSE, NULL},
	        {"Zm9v YmFy", DANCE_ERR_PARSE, NULL},
	        {"Zm9v\nYmFy", DANCE_ERR_PARSE, NULL},
	        {"Zh==", DANCE_ERR_PARSE, NULL}, /* non-zero padding bits */
	        {"Zm9vYr==", DANCE_ERR_PARSE, NULL},
	        {"Zm9-", DANCE_ERR_PARSE, NULL}, /* URL alphabet */
	        {"====", DANCE_ERR_PARSE, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *out = NULL;
		size_t len = 0;
		int r = akc_unbase64(cases[i].in, &out, &len);
		cr_expect_eq(r, cases[i].err, "'%s'", cases[i].in);
		if (cases[i].out != NULL && r == DANCE_OK) {
			char *again = NULL;
			cr_expect_eq(len, strlen(cases[i].out));
			cr_expect_eq(memcmp(out, cases[i].out, len), 0);
			cr_assert_eq(akc_base64(out, len, &again), DANCE_OK);
			cr_expect_str_eq(again, cases[i].in);
			free(again);
		}
		if (r != DANCE_OK)
			cr_expect_null(out);
		free(out);
	}
}

Test(encode, fingerprint_matches_ssh_keygen)
{
	uint8_t *blob;
	size_t len;

	decode(ED_CA, &blob, &len);
	expect_fp(blob, len,
	          "SHA256:HRARZ4ircUuPjGW6MUZ7QVnrBJzBOIoM7vxPsG8olJ8");
	free(blob);
	decode(RSA_CA, &blob, &len);
	expect_fp(blob, len,
	          "SHA256:DMhNIx5yCSjwCw0EuxGzFMXLVDCXgcY+JJFi03C761I");
	free(blob);
}
