/*
 * offer.c -- the key sshd offers (%t %k): decode it, tell plain keys from
 * certificates, take its fingerprint, and convert it (or, for a
 * certificate, its CA key) to a SubjectPublicKeyInfo for TLSA matching.
 * The fingerprint is that of the certified key for a certificate, as in
 * sshd's own log lines.
 */
#include "akc.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* "ED25519", "ECDSA", "RSA", "DSA" or "?", with "-CERT" for certs. */
static void describe(const char *type, int cert, char *out, size_t outlen)
{
	const char *d = "?";

	if (strncmp(type, "ssh-ed25519", 11) == 0)
		d = "ED25519";
	else if (strncmp(type, "ecdsa-sha2-", 11) == 0)
		d = "ECDSA";
	else if (strncmp(type, "ssh-rsa", 7) == 0)
		d = "RSA";
	else if (strncmp(type, "ssh-dss", 7) == 0)
		d = "DSA";
	else if (strncmp(type, "sk-", 3) == 0)
		d = "SK";
	dance_fmt(out, outlen, "%s%s", d, cert ? "-CERT" : "");
}

void akc_offer_clear(struct akc_offer *o)
{
	if (o == NULL)
		return;
	free(o->type);
	free(o->blob);
	free(o->b64);
	free(o->spki);
	akc_cert_clear(&o->cert);
	memset(o, 0, sizeof *o);
}

static int load_cert(struct akc_offer *o, char *why, size_t whylen)
{
	uint8_t *kspki = NULL;
	size_t kspkilen = 0;
	int r;

	r = akc_cert_parse(o->type, o->blob, o->bloblen, &o->cert);
	if (r != DANCE_OK) {
		dance_fmt(why, whylen, "%s certificate: %s", o->type,
		          r == DANCE_ERR_UNSUPPORTED ? "unsupported type"
		                                     : "malformed");
		return r;
	}
	(void)akc_fingerprint(o->cert.key_blob, o->cert.key_bloblen, o->fp,
	                      sizeof o->fp);
	r = dance_sshkey_to_spki(o->cert.key_type, o->cert.key_blob,
	                         o->cert.key_bloblen, &kspki, &kspkilen);
	free(kspki);
	if (r != DANCE_OK) {
		dance_fmt(why, whylen, "certified key not accepted: %s",
		          dance_strerror(r));
		return r;
	}
	r = dance_sshkey_to_spki(o->cert.ca_type, o->cert.ca_blob,
	                         o->cert.ca_bloblen, &o->spki, &o->spkilen);
	if (r != DANCE_OK)
		dance_fmt(why, whylen, "CA key (%s) not accepted: %s",
		          o->cert.ca_type, dance_strerror(r));
	return r;
}

int akc_offer_load(const char *type, const char *b64, struct akc_offer *o,
                   char *why, size_t whylen)
{
	int r;

	memset(o, 0, sizeof *o);
	o->present = 1;
	dance_fmt(o->fp, sizeof o->fp, "-");
	dance_fmt(why, whylen, "ok");
	if ((o->type = strdup(type)) == NULL)
		return DANCE_ERR_NOMEM;
	o->is_cert = akc_type_is_cert(type);
	describe(type, o->is_cert, o->desc, sizeof o->desc);
	if ((r = akc_unbase64(b64, &o->blob, &o->bloblen)) != DANCE_OK) {
		dance_fmt(why, whylen, "key is not valid base64");
		return r;
	}
	if ((r = akc_base64(o->blob, o->bloblen, &o->b64)) != DANCE_OK)
		return r;
	if (o->is_cert)
		return load_cert(o, why, whylen);
	(void)akc_fingerprint(o->blob, o->bloblen, o->fp, sizeof o->fp);
	r = dance_sshkey_to_spki(type, o->blob, o->bloblen, &o->spki,
	                         &o->spkilen);
	if (r != DANCE_OK)
		dance_fmt(why, whylen, "key not accepted (%s): %s", type,
		          dance_strerror(r));
	return r;
}
