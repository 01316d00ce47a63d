/*
 * fuzz_sshcert.c -- libFuzzer target for the sshd helper's reading of
 * OpenSSH certificates (sshd/sshcert.c), which come from clients.
 *
 * Input: one octet choosing the certificate type sshd would pass as %t,
 * then the certificate blob. Besides memory errors it checks that a
 * certificate that parses has a plain key blob starting with its plain
 * type, a CA key, principals free of control characters, and that no
 * partial result survives a failure.
 *
 * Needs the helper's library: link with dance_akc (or sshd/sshcert.c)
 * and libdance.
 */
#include "akc.h"
#include "internal.h"

#include <string.h>

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static const char *const types[] = {
        "ssh-ed25519-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "ssh-rsa-cert-v01@openssh.com",
        "ssh-dss-cert-v01@openssh.com",
};

static void check_text(const char *s)
{
	CHECK(s != NULL);
	for (; *s; s++)
		CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct akc_cert c;
	const char *type;
	size_t tl;

	if (size < 1)
		return 0;
	type = types[data[0] % (sizeof types / sizeof types[0])];
	if (akc_cert_parse(type, data + 1, size - 1, &c) != DANCE_OK) {
		CHECK(c.key_blob == NULL && c.principals == NULL &&
		      c.ca_blob == NULL);
		return 0;
	}
	tl = strlen(c.key_type);
	CHECK(strncmp(type, c.key_type, tl) == 0);
	CHECK(c.key_bloblen > 4 + tl);
	CHECK(memcmp(c.key_blob + 4, c.key_type, tl) == 0);
	CHECK(c.ca_blob != NULL && c.ca_bloblen > 4);
	check_text(c.ca_type);
	check_text(c.key_id);
	CHECK(c.cert_type == AKC_CERT_USER || c.cert_type == AKC_CERT_HOST);
	CHECK(c.nprincipals <= AKC_CERT_PRINCIPALS_MAX);
	for (size_t i = 0; i < c.nprincipals; i++) {
		check_text(c.principals[i]);
		CHECK(c.principals[i][0] != '\0');
	}
	akc_cert_clear(&c);
	return 0;
}
