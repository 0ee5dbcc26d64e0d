/* ssl_internal.h — the SSL module's private declarations: the layout of
 * Context, Session and Connection, the callback plumbing, the error mapping,
 * and the helpers context_*.c, session.c and connection_*.c share. Used by
 * ssl/ (every .c) and by the modules above (loopback, fixtures). Not public API. */
#ifndef TLSHARNESS_SSL_INTERNAL_H
#define TLSHARNESS_SSL_INTERNAL_H

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../crypto/crypto_internal.h"
#include "tlsharness/connection.h"
#include "tlsharness/context.h"
#include "tlsharness/session.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509.h"
#include "tlsharness/x509_store.h"

/* A (function, user data) pair. fn is cast to the right type where called. */
typedef struct th_cb {
  void (*fn)(void);
  void *user;
} th_cb;

struct th_context {
  th_obj hdr;
  SSL_CTX *ctx;
  OSSL_LIB_CTX *libctx; /* NULL: the default library context (not owned) */
  int method;           /* the TH_*_METHOD it was made with */
  th_cb passphrase;     /* set_passwd_cb */
  th_cb verify;         /* set_verify */
  th_cb info;           /* set_info_callback */
  th_cb servername;     /* set_tlsext_servername_callback */
  th_cb npn_advertise;  /* set_npn_advertise_callback */
  th_cb npn_select;     /* set_npn_select_callback */
  th_cb alpn_select;    /* set_alpn_select_callback */
  th_cb ocsp_server;    /* set_ocsp_server_callback (beyond 16.1) */
  th_cb ocsp_client;    /* set_ocsp_client_callback (beyond 16.1) */
  th_cb keylog;         /* set_keylog_callback (beyond 16.1) */
  unsigned char *npn_protos; /* wire format, kept for the advertise callback */
  size_t npn_protos_len;
  void *app_data;       /* set_app_data: not owned */
  /* An error a callback returned while OpenSSL ran without a connection
   * (e.g. the passphrase callback during use_privatekey_file). */
  int cb_failed;
  th_error cb_err;
};

struct th_session {
  th_obj hdr;
  SSL_SESSION *sess;
};

struct th_connection {
  th_obj hdr;
  SSL *ssl;
  th_context *context; /* referenced; replaced by set_context */
  int fd;              /* -1: memory BIOs */
  BIO *into_ssl;       /* memory BIO: bio_write puts peer bytes here */
  BIO *from_ssl;       /* memory BIO: bio_read takes our bytes from here */
  void *app_data;      /* set_app_data: not owned */
  th_cb alpn_select;   /* per-connection overrides where the spec has them */
  /* The first error a callback returned during the current OpenSSL call;
   * the I/O function that ran OpenSSL returns it instead of OpenSSL's own
   * ("exceptions propagate", as pyOpenSSL re-raises them). */
  int cb_failed;
  th_error cb_err;
  /* Added by connection.c (helper conn): */
  int transport;       /* TH__CONN_MEMORY / _SOCKET / _FOREIGN (conn_internal.h) */
  int owns_fd;         /* accept() made fd: free closes it */
  /* OpenSSL's state machine is running on ssl (an I/O call is in
   * progress): an I/O call from inside one of its callbacks is refused. */
  int busy;
};

/* th__ex_no_dup is the dup function of the SSL ex_data slots that belong
 * to one SSL only (the Connection back-pointer, scratch memory): SSL_dup's
 * copy starts with NULL there. */
int th__ex_no_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx,
                  long argl, void *argp);

/* SSL ex_data index where each SSL* points back to its th_connection. */
int th__ssl_conn_index(void);
/* The th_connection (borrowed) behind ssl, or NULL. */
th_connection *th__conn_from_ssl(const SSL *ssl);
/* th__ctx_attach stores the back-pointer from ctx->ctx to ctx. */
int th__ctx_attach(th_context *ctx);
/* th__ctx_detach forgets that back-pointer, so that an SSL_CTX outliving
 * its th_context (th_context_to_ssl_ctx) never leads to freed memory. */
void th__ctx_detach(th_context *ctx);
/* The th_context (borrowed) behind ctx, or NULL. */
th_context *th__ctx_from_sslctx(const SSL_CTX *ctx);

/* th__ssl_error_kind maps e = SSL_get_error(ssl, ret) to a th_err kind and
 * fills the error record, exactly as pyOpenSSL raises (an unexpected EOF is
 * TH_ERR_SYSCALL with errno -1). saved_errno is errno right after the
 * OpenSSL call; who prefixes the message ("" or "client: "); with
 * quiet_want, WANT_READ/WANT_WRITE return their kind without touching the
 * record. The one mapping: Connection and the loopback driver both use it. */
int th__ssl_error_kind(int e, int ret, int saved_errno, int quiet_want, const char *who,
                       const char *what);

/* th__conn_enter marks conn (NULL: nothing to mark) as running OpenSSL's
 * state machine for an I/O call named func; TH_ERR_VALUE (recorded) when
 * it already is: the call came from inside one of the Connection's own
 * callbacks (a verify callback calling do_handshake would recurse until the
 * stack overflows; libssl is not re-entrant). th__conn_leave unmarks.
 * th__ssl_enter / th__ssl_leave do the same for the Connection behind ssl
 * (the loopback driver runs OpenSSL on the SSL directly). */
int th__conn_enter(th_connection *conn, const char *func);
void th__conn_leave(th_connection *conn);
int th__ssl_enter(SSL *ssl, const char *func);
void th__ssl_leave(SSL *ssl);

/* th__cb_fail records a callback's failure: saves this thread's error
 * record (the callback's error) on conn (or ctx when conn is NULL), so that
 * the calling operation can return it; the first failure wins. */
void th__cb_fail(th_connection *conn, th_context *ctx, int status);
/* th__cb_take returns the pending callback status (and restores its record)
 * or TH_OK, clearing it. */
int th__cb_take(th_connection *conn, th_context *ctx);


extern const th_type TH_TYPE_CONTEXT, TH_TYPE_SESSION, TH_TYPE_CONNECTION;

/* ---- Context and Session (context*.c, session.c) --------------------------- */
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
 * SSL_CTX (also the "never prompt" default); without force, an SSL_CTX that
 * already has a passphrase callback (a wrapped one) keeps it. */
void th__ctx_install_passwd(th_context *ctx, int force);

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

/* ---- Connection (connection*.c) ------------------------------------------ */
/* th_connection.transport */
enum {
  TH__CONN_MEMORY = 1,  /* two memory BIOs: bio_read / bio_write */
  TH__CONN_SOCKET = 2,  /* a socket fd: the socket methods */
  TH__CONN_FOREIGN = 3, /* th_connection_from_ssl of an SSL with its own BIOs */
};

/* th__conn_io_begin prepares an OpenSSL I/O call on c: clears OpenSSL's
 * error queue and errno, as SSL_get_error() needs. */
void th__conn_io_begin(th_connection *c);

/* th__conn_map_error turns the result ret of an SSL I/O call on c
 * (SSL_do_handshake, SSL_read, SSL_write, SSL_shutdown, ...) into a status,
 * as pyOpenSSL's _raise_ssl_error does: a callback's failure first (its
 * own status and record), then SSL_get_error(): TH_OK for SSL_ERROR_NONE,
 * TH_ERR_WANT_READ / _WANT_WRITE / _WANT_X509_LOOKUP / _ZERO_RETURN,
 * TH_ERR_SYSCALL (errno, or -1 "Unexpected EOF", which OpenSSL 3's
 * SSL_R_UNEXPECTED_EOF_WHILE_READING also maps to), TH_ERR_SSL with the
 * copied error queue, TH_ERR_WANT_ASYNC for the async/client-hello waits.
 * what names the operation in the message. Call it right after the
 * OpenSSL call (errno is read). */
int th__conn_map_error(th_connection *c, int ret, const char *what);

/* th__conn_need_memory / th__conn_need_socket return TH_OK or set
 * TH_ERR_TYPE naming func, for the bio_* and socket methods. */
int th__conn_need_memory(const th_connection *c, const char *func);
int th__conn_need_socket(const th_connection *c, const char *func);

/* th__conn_wrap_fd makes a connection on ctx over fd, owning fd when
 * owns_fd (used by accept). NULL on failure (fd is not closed). */
th_connection *th__conn_wrap_fd(th_context *ctx, int fd, int owns_fd);

/* th__ssl_set_role: SSL_set_accept_state (server) or SSL_set_connect_state,
 * checked. From OpenSSL 3.2 these make a new record layer, and when an
 * allocation for it fails they report it only in the error queue (they
 * return void): the SSL is left without a record layer, and SSL_set_bio or
 * any I/O on it crashes (SSL_set0_rbio; found by syscall_failure_test's
 * allocation sweep on the 3.5 build). A later successful call repairs it.
 * Clears the error queue first; TH_OK, or TH_ERR_SSL recorded naming func. */
int th__ssl_set_role(SSL *ssl, int server, const char *func);

#endif
