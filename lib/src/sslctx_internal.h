/* sslctx_internal.h — private declarations shared by context*.c and
 * session.c, and what the Connection code needs from them. Not public. */
#ifndef TLSHARNESS_SSLCTX_INTERNAL_H
#define TLSHARNESS_SSLCTX_INTERNAL_H

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"
#include "tlsharness/context.h"
#include "tlsharness/session.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509.h"
#include "tlsharness/x509_store.h"

/* th__session_wrap wraps sess, taking over the caller's reference (freed
 * on failure). NULL with TH_ERR_NOMEM when allocation fails or sess is
 * NULL. For Connection.get_session. */
th_session *th__session_wrap(SSL_SESSION *sess);

/* th__ctx_clear_errors empties OpenSSL's error queue before a call whose
 * failure is read from it. Looking costs a fraction of clearing (which
 * walks all 16 slots even when the queue is empty), and the setters run on
 * every context made, so the common case (empty) only looks. */
static inline void th__ctx_clear_errors(void) {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

/* th__ctx_scratch returns a new, bare SSL_CTX of ctx's method, library
 * context and security level (caller frees), on which a setter that
 * OpenSSL applies piecemeal is tried first, so that a failure never leaves
 * ctx half-changed. NULL with TH_ERR_NOMEM (recorded, naming func). */
SSL_CTX *th__ctx_scratch(const th_context *ctx, const char *func);

/* th__ctx_install_passwd puts the context's passphrase trampoline on its
 * SSL_CTX (also the "never prompt" default). */
void th__ctx_install_passwd(th_context *ctx);

/* th__ssl_scratch returns a buffer of at least size bytes owned by ssl
 * (freed with it), for data OpenSSL reads after a callback returns; NULL
 * when out of memory. */
unsigned char *th__ssl_scratch(SSL *ssl, size_t size);

/* th__protos_to_wire encodes count NUL-terminated names in ALPN wire
 * format into a new OPENSSL_malloc'ed buffer (*out, *outlen; NULL/0 for
 * count 0). TH_ERR_TYPE / TH_ERR_VALUE for bad names, TH_ERR_NOMEM. func
 * names the caller in messages. The Connection's set_alpn_protos can use
 * it too. */
int th__protos_to_wire(const char *const *protos, size_t count, unsigned char **out,
                       size_t *outlen, const char *func);

/* th__proto_select_run runs a th_proto_select_cb on a wire-format offer,
 * for the ALPN (Context and Connection) and NPN select trampolines. Returns
 * 1 with *out and *outlen set to the selection, 0 for "no selection", or a
 * negative th_err (already recorded on conn/ctx with th__cb_fail). */
int th__proto_select_run(SSL *ssl, th_context *ctx, const th_cb *cb, const unsigned char *in,
                         unsigned int inlen, const unsigned char **out, unsigned char *outlen);

/* The callback owner for an SSL: its connection and its context. */
typedef struct th__cb_owner {
  th_connection *conn; /* may be NULL (raw SSL from th_context_to_ssl_ctx) */
  th_context *ctx;     /* may be NULL (SSL_CTX not made by tlsharness) */
} th__cb_owner;
th__cb_owner th__cb_owner_of(const SSL *ssl);
/* th__owner_fail records status as th__cb_fail does, on conn or else ctx. */
void th__owner_fail(th__cb_owner o, int status);

#endif
