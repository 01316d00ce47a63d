/*
 * dance_sasl.h -- how a Cyrus SASL server application hands dance's
 * EXTERNAL mechanism (libdance_external.so) the TLS client's certificate
 * chain and dane_clientid ClientName.
 *
 * A SASL plugin sees only what the application gives it. Stock
 * applications give EXTERNAL a string (SASL_AUTH_EXTERNAL); dance needs the
 * certificates. So the application registers one more callback, with the
 * id below, in the callback list of sasl_server_new() (or of
 * sasl_server_init()). An OpenSSL application set up with
 * dance_ssl_ctx_enable_server() writes it in a few lines:
 *
 *     #include <dance/dance_sasl.h>
 *
 *     static SSL *tls_conn;    // the connection's SSL, NULL before STARTTLS
 *
 *     static int peer_chain(sasl_conn_t *conn, void *context,
 *                           struct dance_peer *peer)
 *     {
 *         (void)conn;
 *         return dance_ssl_get_peer(*(SSL **)context, peer) == DANCE_OK
 *                        ? SASL_OK : SASL_FAIL;
 *     }
 *
 *     // (cast through (void (*)(void)) under -Wcast-function-type)
 *     static sasl_callback_t callbacks[] = {
 *         {DANCE_SASL_CB_PEER_CHAIN, (int (*)(void))peer_chain, &tls_conn},
 *         {SASL_CB_LIST_END, NULL, NULL},
 *     };
 *     ... sasl_server_new("imap", host, NULL, local, remote, callbacks, 0,
 *                         &conn) ...
 *     // after STARTTLS, as before:
 *     sasl_setprop(conn, SASL_SSF_EXTERNAL, &ssf);
 *
 * The plugin calls the callback whenever it decides whether EXTERNAL is
 * available and when the client authenticates. With a chain (peer->n > 0)
 * and an active external layer (SASL_SSF_EXTERNAL > 0) it verifies the
 * chain with libdance and the authentication identity becomes
 * "uid@domain"; SASL_AUTH_EXTERNAL is then ignored. Without the callback,
 * or when it reports no chain, the plugin behaves exactly like libsasl2's
 * built-in EXTERNAL (identity from SASL_AUTH_EXTERNAL). See
 * libdance_external(8).
 */
#ifndef DANCE_DANCE_SASL_H
#define DANCE_DANCE_SASL_H

#include <dance/dance.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sasl_conn; /* sasl_conn_t of <sasl/sasl.h> */

/*
 * Callback id: "DANC" in ASCII. libsasl2 defines no range for applications'
 * own callbacks; its ids are 0-5, 0x4001-0x4008 and 0x8001-0x8007, and
 * mechanisms ignore ids they do not know, so an id far from those is safe.
 */
#define DANCE_SASL_CB_PEER_CHAIN 0x44414e43UL

/*
 * The callback: fill *peer (cleared by the caller) with the client's chain
 * in DER, leaf first, and its ClientName (NULL if none). n == 0 means no
 * client certificate (plain connection, no TLS yet, or none sent). The
 * buffers must stay valid until the SASL call that invoked the callback
 * returns. Return SASL_OK (0); any other value makes the mechanism fail
 * (SASL_FAIL). conn is the connection being authenticated; context is the
 * one registered with the callback. Called from the thread running the SASL
 * exchange.
 */
typedef int dance_sasl_peer_chain_t(struct sasl_conn *conn, void *context,
                                    struct dance_peer *peer);

#ifdef __cplusplus
}
#endif

#endif /* DANCE_DANCE_SASL_H */
