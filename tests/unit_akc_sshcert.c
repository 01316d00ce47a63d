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

/* ssh-keygen -s ca -I alice-id -n alice@good.test,alice
 *            -V 20200101:20991231 user.pub (ed25519 key, ed25519 CA) */
static const char ED_CERT[] =
        "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIDC1z95xn0wp"
        "snP9PevxsqjQOJdWP9/pj9K9Ewnb/+4AAAAAIHKYLv6d6CggJxfxsEz7JGsk6SKw"
        "Ikjv3IolSzqKNz2RAAAAAAAAAAAAAAABAAAACGFsaWNlLWlkAAAAHAAAAA9hbGlj"
        "ZUBnb29kLnRlc3QAAAAFYWxpY2UAAAAAXgvhAAAAAAD0hQWAAAAAAAAAAIIAAAAV"
        "cGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2Fy"
        "ZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0"
        "LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVk"
        "MjU1MTkAAAAgCBPIf4qxgy7pbVd8QoF/HaGyr4ajOK16vnH1OE1mgToAAABTAAAA"
        "C3NzaC1lZDI1NTE5AAAAQD+vcyulb6MitbUl0LPu/Y8CJL0S1jOp7MPUrnIGBV/A"
        "zb2hZ1cKO2b98+p8cB9+ShQvoxkv0W1Bgolrd+TvSA4=";
/* the certified key (user.pub) and the CA key (ca.pub) */
static const char ED_KEY[] =
        "AAAAC3NzaC1lZDI1NTE5AAAAIHKYLv6d6CggJxfxsEz7JGsk6SKwIkjv3IolSzqK"
        "Nz2R";
static const char ED_CA[] =
        "AAAAC3NzaC1lZDI1NTE5AAAAIAgTyH+KsYMu6W1XfEKBfx2hsq+Goziter5x9ThN"
        "ZoE6";
/* ssh-keygen -s rsaca -I ec-id -n bob@good.test ecuser.pub (ecdsa-p256
 * key, rsa-3072 CA, valid forever) */
static const char EC_CERT[] =
        "AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAg"
        "cP4cT+w0uJpPGXLYTAlessFtpshXxqHwohPM7rFKgMMAAAAIbmlzdHAyNTYAAABB"
        "BPk8c8K6igBRYaV7NRa/OABxc9DBAIFBDeB0gTOIVfI/nZUvPvk28KSdM5spsOJS"
        "HBQXZ3T+3M+abHseb0L4UdQAAAAAAAAAAAAAAAEAAAAFZWMtaWQAAAARAAAADWJv"
        "YkBnb29kLnRlc3QAAAAAAAAAAP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgx"
        "MS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAA"
        "AAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAA"
        "AAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAAZcAAAAHc3NoLXJzYQAAAAMBAAEA"
        "AAGBAILxbSnGP9kvLSzXxDBOhqWx9OTQRtZLnYh1jaSBXjQHlrTgUQ27KK0ijimG"
        "I5G0NxxFq3VH78h1vOJf1mTGMyN786pad2yPt3zBhSkNWMrSXNfBMRYzCdjg0Jgv"
        "oByZbztgYar9IsncIjyC6YvK7ay1L+3bWIJJhxrIiOgkyDhUpscdIvtMNNykVjz6"
        "U7uQd4coLjApS8bsfrfYC6biFQaFpTZxiVBNTCBV1se5QUdAA7wWDrPtlDq7gx55"
        "bXr3c/CiO7uy+P/pQfZExMtg5KPcY7n/Vfp7FvHzwrdVEc4KFHrYk+a9NrGpAOjz"
        "2McCkbUbNp7D9djQZ9RbucQ6WnrUaEDdtSsKI4DSxmx/egZ06yONULDum7dBvMPh"
        "tLvtmPTKkN8H2Bn/mKYU7fcux3Pgnwy5EqKDhLLrSVzfWhAfw6WvacNmwW4l4jY7"
        "FFndklPw7KTgZ4xUtklRLJjv5LbfVNz6/EvZzgBVcRkAf8+1WyXmWYSucqCxgL+a"
        "NiyDSwAAAZQAAAAMcnNhLXNoYTItNTEyAAABgE0Mp/qL04vAi0ZygnICUU+DWHKU"
        "hRJ6h76G4F1wTgEauIOmTGiCH/gjaNb3uItaz0kQhXO3BcGCrEQSJ+SLc2PaMWz4"
        "4yNDv2xqUWekuiTYHoiKTmyE29Ibj65IHr9hOFR3nAfrgeQSG4/IfgboVVRB8FPF"
        "/YBFtHre5BTsDmtK1CSS9ciGHh0sbKM2Ex9mt+23egHzTuLG7jbqm73oIvBEXjLz"
        "pQT68ce1Ay32bOzY8PrHtwMY54zS2vnuGKcWedH64WS2USsfO83OOdgsQV3hij0A"
        "J7qhjCBo43er1BIK9XixK3/WK/tHBzxs6CUrkKA742NhZ+nHrCyYCtGxLOJowZzT"
        "bNiqDoEitTA2o5s8B2UoIqNO89bO5FY9jpEFsmhp/fT4p16bQJC5UxkF3KYP5QQW"
        "vHoegpqpqU8ecM3GfgnKI8ottwWo30sZnAY3RRIcEJKYbRqNDlGv0BMGYQy9bSa2"
        "xYRAGfezlHbLLdO8ERhdHOj7/BqYL9nUEwZiWQ==";
static const char EC_KEY[] =
        "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPk8c8K6igBR"
        "YaV7NRa/OABxc9DBAIFBDeB0gTOIVfI/nZUvPvk28KSdM5spsOJSHBQXZ3T+3M+a"
        "bHseb0L4UdQ=";
static const char RSA_CA[] =
        "AAAAB3NzaC1yc2EAAAADAQABAAABgQCC8W0pxj/ZLy0s18QwToalsfTk0EbWS52I"
        "dY2kgV40B5a04FENuyitIo4phiORtDccRat1R+/IdbziX9ZkxjMje/OqWndsj7d8"
        "wYUpDVjK0lzXwTEWMwnY4NCYL6AcmW87YGGq/SLJ3CI8gumLyu2stS/t21iCSYca"
        "yIjoJMg4VKbHHSL7TDTcpFY8+lO7kHeHKC4wKUvG7H632Aum4hUGhaU2cYlQTUwg"
        "VdbHuUFHQAO8Fg6z7ZQ6u4MeeW1693Pwoju7svj/6UH2RMTLYOSj3GO5/1X6exbx"
        "88K3VRHOChR62JPmvTaxqQDo89jHApG1Gzaew/XY0GfUW7nEOlp61GhA3bUrCiOA"
        "0sZsf3oGdOsjjVCw7pu3QbzD4bS77Zj0ypDfB9gZ/5imFO33Lsdz4J8MuRKig4Sy"
        "60lc31oQH8Olr2nDZsFuJeI2OxRZ3ZJT8Oyk4GeMVLZJUSyY7+S231Tc+vxL2c4A"
        "VXEZAH/PtVsl5lmErnKgsYC/mjYsg0s=";
/* ssh-keygen -s ca -h -I host-id -n host.good.test rsauser.pub (a host
 * certificate of an rsa-2048 key) */
static const char RSA_HOST_CERT[] =
        "AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgONGmyj7Uf1D6ogI7"
        "JJXwXXlzksF2zfRTIt0So2g+FWkAAAADAQABAAABAQCmWxTcIW4trof0XMmJTjkp"
        "lWah7S0ijN+JAw5IpIkx2VE+bL4Fohug227MDMuQCCb+Lp1TrvhU4xzShC8FFNwX"
        "I8wNrxdvPY9WmYkyGAxoZn18sIczIZNwTBVR8OpBuQAfVlv5FeezJSSyh5XsAua+"
        "1UOMhlMeIdL6MUd3pbs3jsz2uhMXBUhEsOwiqb2filDIy9D8htHtzlsVqpSzPGwa"
        "ZMzR6/pG2ImHsQYLOWgLnE1TSwJ21OHWmnyyPLKfQHuYGnx+idaoADk3wOAkSO2I"
        "F2OMDE0NTBhR01JNBwxJLROEvFipWZi14wQtOcd137lR703+FTkodL3d121cKzF1"
        "AAAAAAAAAAAAAAACAAAAB2hvc3QtaWQAAAASAAAADmhvc3QuZ29vZC50ZXN0AAAA"
        "AAAAAAD//////////wAAAAAAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAg"
        "CBPIf4qxgy7pbVd8QoF/HaGyr4ajOK16vnH1OE1mgToAAABTAAAAC3NzaC1lZDI1"
        "NTE5AAAAQGFa4WzWou/4PDbSowjUygJ0ElCoCO7TB5QtYYx7vSPkZ6t9U2xsQzjm"
        "aBkhTD4BxbxnCSpN2HwcJM5bV1NrRwA=";

#define ED_CERT_TYPE  "ssh-ed25519-cert-v01@openssh.com"
#define EC_CERT_TYPE  "ecdsa-sha2-nistp256-cert-v01@openssh.com"
#define RSA_CERT_TYPE "ssh-rsa-cert-v01@openssh.com"

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

	decode(EC_CERT, &blob, &len);
	cr_assert_eq(akc_cert_parse(EC_CERT_TYPE, blob, len, &c), DANCE_OK);
	cr_expect_str_eq(c.key_type, "ecdsa-sha2-nistp256");
	expect_blob_eq(c.key_blob, c.key_bloblen, EC_KEY);
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
	        {EC_CERT_TYPE, DANCE_ERR_PARSE},
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

	decode(EC_CERT, &blob, &len);
	for (size_t i = 0; i < len * 8; i++) {
		struct akc_cert c;
		int r;
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
		r = akc_cert_parse(EC_CERT_TYPE, blob, len, &c);
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
