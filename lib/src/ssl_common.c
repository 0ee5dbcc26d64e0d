/* ssl_common.c — what Context and Connection share: the back-pointers from
 * OpenSSL objects to ours, and how a callback's error is carried out of
 * OpenSSL to the call that ran it. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static int conn_index = -1;
static int ctx_index = -1;

static void make_indexes(void) {
  conn_index = SSL_get_ex_new_index(0, "th_connection", NULL, NULL, NULL);
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

void th__cb_fail(th_connection *conn, th_context *ctx, int status) {
  int *failed = conn ? &conn->cb_failed : ctx ? &ctx->cb_failed : NULL;
  th_error *rec = conn ? &conn->cb_err : ctx ? &ctx->cb_err : NULL;
  if (failed == NULL || *failed) return; /* the first failure wins */
  *failed = 1;
  *rec = *th_error_last();
  /* A callback that returned an error without setting one still fails with
   * a clear record. */
  if (rec->kind != status) {
    memset(rec, 0, sizeof *rec);
    rec->kind = status < 0 ? status : TH_ERR_CALLBACK;
    strcpy(rec->message, "a callback returned an error");
  }
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
