/* context_callbacks.c — SSL.Context's informational callbacks (info,
 * servername, keylog), OCSP stapling, and the plumbing every trampoline
 * shares: finding the connection and context behind an SSL, recording a
 * callback's failure, and per-SSL scratch memory. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

/* ---- shared plumbing ----------------------------------------------------------- */

th__cb_owner th__cb_owner_of(const SSL *ssl) {
  th__cb_owner o = {NULL, NULL};
  if (ssl == NULL) return o;
  o.conn = th__conn_from_ssl(ssl);
  o.ctx = th__ctx_from_sslctx(SSL_get_SSL_CTX(ssl));
  return o;
}

void th__owner_fail(th__cb_owner o, int status) {
  if (o.conn != NULL)
    th__cb_fail(o.conn, NULL, status);
  else
    th__cb_fail(NULL, o.ctx, status);
}

/* Scratch memory lives in the SSL's ex_data: freed with the SSL, and not
 * shared by SSL_dup (the copy starts without one). */
typedef struct scratch {
  size_t cap;
  unsigned char data[];
} scratch;

static void scratch_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                         void *argp) {
  OPENSSL_free(ptr);
}

static CRYPTO_ONCE scratch_once = CRYPTO_ONCE_STATIC_INIT;
static int scratch_idx = -1;

static void scratch_init(void) {
  scratch_idx = SSL_get_ex_new_index(0, "th scratch", NULL, th__ex_no_dup, scratch_free);
}

unsigned char *th__ssl_scratch(SSL *ssl, size_t size) {
  if (!CRYPTO_THREAD_run_once(&scratch_once, scratch_init) || scratch_idx < 0) return NULL;
  scratch *s = SSL_get_ex_data(ssl, scratch_idx);
  if (s != NULL && s->cap >= size) return s->data;
  scratch *n = OPENSSL_malloc(sizeof *n + size);
  if (n == NULL) return NULL;
  n->cap = size;
  if (!SSL_set_ex_data(ssl, scratch_idx, n)) {
    OPENSSL_free(n);
    return NULL;
  }
  OPENSSL_free(s);
  return n->data;
}

/* ---- info, servername, keylog: results ignored, as in pyOpenSSL ----------------- */

static void info_trampoline(const SSL *ssl, int where, int ret) {
  th__cb_owner o = th__cb_owner_of(ssl);
  if (o.ctx == NULL || o.ctx->info.fn == NULL) return;
  ((th_info_cb)o.ctx->info.fn)(o.conn, where, ret, o.ctx->info.user);
}

int th_context_set_info_callback(th_context *ctx, th_info_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->info.fn = (void (*)(void))fn;
  ctx->info.user = user;
  SSL_CTX_set_info_callback(ctx->ctx, fn != NULL ? info_trampoline : NULL);
  return TH_OK;
}

static int servername_trampoline(SSL *ssl, int *alert, void *arg) {
  th__cb_owner o = th__cb_owner_of(ssl);
  /* The callback may switch the connection to another context
   * (set_context), so read ours from the argument, not from ssl. */
  th_context *ctx = arg;
  if (ctx != NULL && ctx->servername.fn != NULL)
    ((th_servername_cb)ctx->servername.fn)(o.conn, ctx->servername.user);
  return SSL_TLSEXT_ERR_OK;
}

int th_context_set_tlsext_servername_callback(th_context *ctx, th_servername_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->servername.fn = (void (*)(void))fn;
  ctx->servername.user = user;
  SSL_CTX_callback_ctrl(ctx->ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                        fn != NULL ? (void (*)(void))servername_trampoline : NULL);
  SSL_CTX_set_tlsext_servername_arg(ctx->ctx, ctx);
  return TH_OK;
}

static void keylog_trampoline(const SSL *ssl, const char *line) {
  th__cb_owner o = th__cb_owner_of(ssl);
  if (o.ctx == NULL || o.ctx->keylog.fn == NULL) return;
  ((th_keylog_cb)o.ctx->keylog.fn)(o.conn, line, o.ctx->keylog.user);
}

int th_context_set_keylog_callback(th_context *ctx, th_keylog_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->keylog.fn = (void (*)(void))fn;
  ctx->keylog.user = user;
  SSL_CTX_set_keylog_callback(ctx->ctx, fn != NULL ? keylog_trampoline : NULL);
  return TH_OK;
}

/* ---- OCSP stapling: one OpenSSL slot, two roles --------------------------------- */

static int ocsp_server(SSL *ssl, th__cb_owner o) {
  if (o.ctx->ocsp_server.fn == NULL) return SSL_TLSEXT_ERR_NOACK;
  const unsigned char *resp = NULL;
  size_t len = 0;
  int r = ((th_ocsp_server_cb)o.ctx->ocsp_server.fn)(o.conn, &resp, &len, o.ctx->ocsp_server.user);
  if (r < 0) {
    th__owner_fail(o, r);
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  if (resp == NULL || len == 0) return SSL_TLSEXT_ERR_NOACK;
  unsigned char *copy = OPENSSL_memdup(resp, len);
  if (copy == NULL || !SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)len)) {
    OPENSSL_free(copy);
    th__owner_fail(o, th__err(TH_ERR_NOMEM, "OCSP server callback: cannot keep the response"));
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

static int ocsp_client(SSL *ssl, th__cb_owner o) {
  if (o.ctx->ocsp_client.fn == NULL) return 1;
  const unsigned char *resp = NULL;
  long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
  int r = ((th_ocsp_client_cb)o.ctx->ocsp_client.fn)(o.conn, len > 0 ? resp : NULL,
                                                      len > 0 ? (size_t)len : 0,
                                                      o.ctx->ocsp_client.user);
  if (r < 0) {
    th__owner_fail(o, r);
    return -1;
  }
  return r ? 1 : 0;
}

static int ocsp_trampoline(SSL *ssl, void *arg) {
  th__cb_owner o = th__cb_owner_of(ssl);
  if (o.ctx == NULL) return SSL_is_server(ssl) ? SSL_TLSEXT_ERR_NOACK : 1;
  return SSL_is_server(ssl) ? ocsp_server(ssl, o) : ocsp_client(ssl, o);
}

static void install_ocsp(th_context *ctx) {
  int any = ctx->ocsp_server.fn != NULL || ctx->ocsp_client.fn != NULL;
  SSL_CTX_callback_ctrl(ctx->ctx, SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB,
                        any ? (void (*)(void))ocsp_trampoline : NULL);
}

int th_context_set_ocsp_server_callback(th_context *ctx, th_ocsp_server_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->ocsp_server.fn = (void (*)(void))fn;
  ctx->ocsp_server.user = user;
  install_ocsp(ctx);
  return TH_OK;
}

int th_context_set_ocsp_client_callback(th_context *ctx, th_ocsp_client_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->ocsp_client.fn = (void (*)(void))fn;
  ctx->ocsp_client.user = user;
  /* A client that checks stapled responses must ask for them. */
  SSL_CTX_set_tlsext_status_type(ctx->ctx, fn != NULL ? TLSEXT_STATUSTYPE_ocsp : -1);
  install_ocsp(ctx);
  return TH_OK;
}
