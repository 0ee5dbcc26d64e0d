/* ssl_common.c — what Context and Connection share: the back-pointers from
 * OpenSSL objects to ours, and how a callback's error is carried out of
 * OpenSSL to the call that ran it. */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static int conn_index = -1;
static int ctx_index = -1;

int th__ex_no_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx,
                  long argl, void *argp) {
  *from_d = NULL;
  return 1;
}

static void make_indexes(void) {
  /* SSL_dup (of an SSL from th_connection_to_ssl, still before its
   * handshake) copies the ex_data: the copy is another SSL, so it must not
   * point back at this Connection (its callbacks would act on the wrong
   * Connection, th_connection_from_ssl would return it, and once it is
   * freed the copy would point at freed memory). */
  conn_index = SSL_get_ex_new_index(0, "th_connection", NULL, th__ex_no_dup, NULL);
  ctx_index = SSL_CTX_get_ex_new_index(0, "th_context", NULL, NULL, NULL);
}

int th__ssl_conn_index(void) {
  CRYPTO_THREAD_run_once(&once, make_indexes);
  return conn_index;
}

static int ctx_ex_index(void) {
  CRYPTO_THREAD_run_once(&once, make_indexes);
  return ctx_index;
}

th_connection *th__conn_from_ssl(const SSL *ssl) {
  return ssl ? SSL_get_ex_data(ssl, th__ssl_conn_index()) : NULL;
}

th_context *th__ctx_from_sslctx(const SSL_CTX *ctx) {
  return ctx ? SSL_CTX_get_ex_data(ctx, ctx_ex_index()) : NULL;
}

/* th__ctx_attach stores the back-pointer from ctx->ctx to ctx. */
int th__ctx_attach(th_context *ctx) {
  return SSL_CTX_set_ex_data(ctx->ctx, ctx_ex_index(), ctx) == 1 ? TH_OK : TH_ERR_NOMEM;
}

void th__ctx_detach(th_context *ctx) {
  if (ctx->ctx != NULL && th__ctx_from_sslctx(ctx->ctx) == ctx)
    SSL_CTX_set_ex_data(ctx->ctx, ctx_ex_index(), NULL);
}

int th__conn_enter(th_connection *conn, const char *func) {
  if (conn == NULL) return TH_OK;
  if (conn->busy)
    return th__err(TH_ERR_VALUE,
                   "%s: called from inside one of the Connection's own callbacks, while OpenSSL "
                   "runs on it (I/O on a Connection is not re-entrant)",
                   func);
  conn->busy = 1;
  return TH_OK;
}

void th__conn_leave(th_connection *conn) {
  if (conn != NULL) conn->busy = 0;
}

int th__ssl_enter(SSL *ssl, const char *func) { return th__conn_enter(th__conn_from_ssl(ssl), func); }

void th__ssl_leave(SSL *ssl) { th__conn_leave(th__conn_from_ssl(ssl)); }

void th__cb_fail(th_connection *conn, th_context *ctx, int status) {
  int *failed = conn ? &conn->cb_failed : ctx ? &ctx->cb_failed : NULL;
  th_error *rec = conn ? &conn->cb_err : ctx ? &ctx->cb_err : NULL;
  if (failed == NULL || *failed) return; /* the first failure wins */
  *failed = 1;
  /* A callback that returned an error without setting one still fails with
   * a clear record; a status that is not a th_err kind is TH_ERR_CALLBACK. */
  th__err_callback(rec, status, "a callback", 0);
}

int th__cb_take(th_connection *conn, th_context *ctx) {
  int *failed = conn ? &conn->cb_failed : ctx ? &ctx->cb_failed : NULL;
  th_error *rec = conn ? &conn->cb_err : ctx ? &ctx->cb_err : NULL;
  if (failed == NULL || !*failed) return TH_OK;
  *failed = 0;
  ERR_clear_error(); /* OpenSSL's own report of the aborted call */
  th__err_set_record(rec);
  return rec->kind;
}

int th__ssl_error_kind(int e, int ret, int saved_errno, int quiet_want, const char *who,
                       const char *what) {
  switch (e) {
    case SSL_ERROR_NONE:
      return TH_OK;
    /* The hot path of a pumped pair: waiting is no error there, so a
     * caller may ask for the kind alone (quiet_want) and keep the record. */
    case SSL_ERROR_WANT_READ:
      if (quiet_want) return TH_ERR_WANT_READ;
      return th__err(TH_ERR_WANT_READ, "%s%s: the connection wants to read", who, what);
    case SSL_ERROR_WANT_WRITE:
      if (quiet_want) return TH_ERR_WANT_WRITE;
      return th__err(TH_ERR_WANT_WRITE, "%s%s: the connection wants to write", who, what);
    case SSL_ERROR_WANT_X509_LOOKUP:
      return th__err(TH_ERR_WANT_X509_LOOKUP, "%s%s: a callback asked to be called again", who,
                     what);
    case SSL_ERROR_ZERO_RETURN:
      return th__err(TH_ERR_ZERO_RETURN, "%s%s: the peer closed the TLS connection (close_notify)",
                     who, what);
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() != 0) return th__err_ossl(TH_ERR_SSL, "%s%s failed", who, what);
      if (ret < 0 && saved_errno != 0)
        return th__err_sys(saved_errno, "%s%s: system call failed", who, what);
      return th__err_sys(-1, "%s%s: unexpected EOF", who, what);
    case SSL_ERROR_SSL:
      /* OpenSSL 3 reports a transport EOF without close_notify as an SSL
       * error; pyOpenSSL 16.1 (on OpenSSL 1.0) saw SysCallError(-1). */
      if (ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_SSL &&
          ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        return th__err_sys(-1, "%s%s: unexpected EOF", who, what);
      }
      return th__err_ossl(TH_ERR_SSL, "%s%s failed", who, what);
    case SSL_ERROR_WANT_ASYNC:
    case SSL_ERROR_WANT_ASYNC_JOB:
    case SSL_ERROR_WANT_CLIENT_HELLO_CB:
    case SSL_ERROR_WANT_RETRY_VERIFY:
      return th__err(TH_ERR_WANT_ASYNC, "%s%s: paused for an async job or a callback (%d)", who,
                     what, e);
    default:
      return th__err_ossl(TH_ERR_SSL, "%s%s failed (SSL_get_error %d)", who, what, e);
  }
}

int th__ssl_set_role(SSL *ssl, int server, const char *func) {
  ERR_clear_error();
  if (server)
    SSL_set_accept_state(ssl);
  else
    SSL_set_connect_state(ssl);
  if (ERR_peek_error() == 0) return TH_OK;
  return th__err_ossl(TH_ERR_SSL, "%s: OpenSSL could not set the SSL up as a %s (out of memory for "
                      "its record layer?): it cannot be used until this succeeds", func,
                      server ? "server" : "client");
}
