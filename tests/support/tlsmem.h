/*
 * tlsmem.h -- TLS in memory for tests: throw-away keys and certificates,
 * and a handshake between two SSL objects over a BIO pair.
 */
#ifndef DANCE_TEST_TLSMEM_H
#define DANCE_TEST_TLSMEM_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

/* A certificate and its key. */
struct tm_cert {
	X509 *cert;
	EVP_PKEY *key;
};

/*
 * Make a P-256 key and a certificate for it: subject CN=cn, subjectAltName
 * san in OpenSSL's configuration syntax ("DNS:example.org,otherName:..."),
 * NULL for none; signed by issuer (NULL: self-signed), CA:TRUE if ca.
 * Returns 1 on success.
 */
int tm_cert_make(struct tm_cert *out, const char *cn, const char *san,
                 const struct tm_cert *issuer, int ca);
void tm_cert_free(struct tm_cert *c);

/* The outcome of a handshake. */
struct tm_result {
	int client_ok;    /* client's SSL_do_handshake() returned 1 */
	int server_ok;    /* server's SSL_do_handshake() returned 1 */
	int server_alert; /* alert description the server sent, -1 none */
	int client_alert; /* alert description the client sent, -1 none */
};

/*
 * Run a handshake between a fresh client SSL of cctx and a fresh server
 * SSL of sctx; *c and *s receive them (caller frees with SSL_free). before
 * (may be NULL) is called with both before the first flight. After the
 * handshake the client reads once so that a late alert from the server (TLS
 * 1.3 client authentication) is seen.
 */
void tm_handshake(SSL_CTX *cctx, SSL_CTX *sctx,
                  void (*before)(SSL *c, SSL *s, void *arg), void *arg, SSL **c,
                  SSL **s, struct tm_result *res);

/* A server SSL_CTX with a self-signed certificate for "server.test",
 * limited to TLS versions [min, max] (0: no limit). */
SSL_CTX *tm_server_ctx(int min, int max);

/* A client SSL_CTX presenting cert (may be NULL) and chain (extra
 * certificates, may be NULL), not verifying the server. */
SSL_CTX *tm_client_ctx(const struct tm_cert *cert, const struct tm_cert *extra,
                       int min, int max);

#endif /* DANCE_TEST_TLSMEM_H */
