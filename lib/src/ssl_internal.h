/* ssl_internal.h — private layout of the SSL module's objects, shared by
 * context.c, session.c, connection*.c and the loopback helpers.
 * Nothing here is public API. */
#ifndef TLSHARNESS_SSL_INTERNAL_H
#define TLSHARNESS_SSL_INTERNAL_H

#include <openssl/ssl.h>

#include "internal.h"

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
};

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

/* th__cb_fail records a callback's failure: saves this thread's error
 * record (the callback's error) on conn (or ctx when conn is NULL), so that
 * the calling operation can return it; the first failure wins. */
void th__cb_fail(th_connection *conn, th_context *ctx, int status);
/* th__cb_take returns the pending callback status (and restores its record)
 * or TH_OK, clearing it. */
int th__cb_take(th_connection *conn, th_context *ctx);

#endif
