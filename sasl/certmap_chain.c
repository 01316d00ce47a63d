/*
 * certmap_chain.c -- the certificate chain a TLS client sent, taken from
 * slapd's server session: GnuTLS (Debian's slapd) or OpenSSL.
 *
 * slapd hands the certificate-map hook its TLS session; the whole chain is
 * needed because a DANE-TA record names the user CA, which the client
 * sends after its own certificate. Chains are copied as DER, leaf first,
 * within DCM_CHAIN_MAX certificates of DCM_CERT_MAX_LEN octets each.
 */
#include "certmap.h"

#include <gnutls/gnutls.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

void dcm_chain_clear(struct dcm_chain *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n && i < DCM_CHAIN_MAX; i++) {
		free(c->der[i]);
		c->der[i] = NULL;
		c->len[i] = 0;
	}
	c->n = 0;
}

/* Append a copy of len octets to the chain. */
static int dcm_chain_add(struct dcm_chain *c, const uint8_t *der, size_t len)
{
	uint8_t *copy;

	if (c->n >= DCM_CHAIN_MAX || len == 0 || len > DCM_CERT_MAX_LEN)
		return DCM_ERR_TOO_LONG;
	if ((copy = malloc(len)) == NULL)
		return DCM_ERR_NOMEM;
	memcpy(copy, der, len);
	c->der[c->n] = copy;
	c->len[c->n] = len;
	c->n++;
	return DCM_OK;
}

int dcm_chain_from_gnutls(void *session, struct dcm_chain *out)
{
	const gnutls_datum_t *peers;
	unsigned int n = 0, i;
	int r = DCM_ERR_INVALID;

	memset(out, 0, sizeof *out);
	if (session == NULL)
		goto out;
	r = DCM_ERR_NO_CHAIN;
	if (gnutls_certificate_type_get((gnutls_session_t)session) !=
	    GNUTLS_CRT_X509)
		goto out;
	peers = gnutls_certificate_get_peers((gnutls_session_t)session, &n);
	if (peers == NULL || n == 0)
		goto out;
	r = DCM_ERR_TOO_LONG;
	if (n > DCM_CHAIN_MAX)
		goto out;
	for (i = 0; i < n; i++) {
		r = dcm_chain_add(out, peers[i].data, peers[i].size);
		if (r != DCM_OK)
			goto out;
	}
	r = DCM_OK;
out:
	if (r != DCM_OK)
		dcm_chain_clear(out);
	return r;
}

/* Append the DER of an X509. */
static int dcm_chain_add_x509(struct dcm_chain *c, X509 *x)
{
	unsigned char *der = NULL;
	int len, r;

	if ((len = i2d_X509(x, &der)) <= 0)
		return DCM_ERR_TLS;
	r = dcm_chain_add(c, der, (size_t)len);
	OPENSSL_free(der);
	return r;
}

int dcm_chain_from_openssl(void *ssl, struct dcm_chain *out)
{
	X509 *leaf = NULL;
	STACK_OF(X509) * rest;
	int i, r = DCM_ERR_INVALID;

	memset(out, 0, sizeof *out);
	if (ssl == NULL)
		goto out;
	r = DCM_ERR_NO_CHAIN;
	if ((leaf = SSL_get1_peer_certificate((SSL *)ssl)) == NULL)
		goto out;
	if ((r = dcm_chain_add_x509(out, leaf)) != DCM_OK)
		goto out;
	rest = SSL_get_peer_cert_chain((SSL *)ssl);
	for (i = 0; rest != NULL && i < sk_X509_num(rest); i++) {
		X509 *x = sk_X509_value(rest, i);

		/* Client side and some versions list the leaf first. */
		if (i == 0 && X509_cmp(x, leaf) == 0)
			continue;
		if ((r = dcm_chain_add_x509(out, x)) != DCM_OK)
			goto out;
	}
	r = DCM_OK;
out:
	X509_free(leaf);
	if (r != DCM_OK)
		dcm_chain_clear(out);
	return r;
}
