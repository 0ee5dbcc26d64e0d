/* context_verify.c — SSL.Context: peer verification (mode, depth,
 * callback), the trust store, and the CA names sent to clients. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "ssl_internal.h"

/* OpenSSL's verify callback. As pyOpenSSL does, a true verdict from the
 * user's callback also clears the store's error, so the handshake goes on
 * with X509_V_OK. */
static int verify_trampoline(int ok, X509_STORE_CTX *sctx) {
  SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
  th__cb_owner o = th__cb_owner_of(ssl);
  if (o.ctx == NULL || o.ctx->verify.fn == NULL) return ok;
  th_verify_cb fn = (th_verify_cb)o.ctx->verify.fn;
  X509 *x = X509_STORE_CTX_get_current_cert(sctx);
  th_x509 *cert = x != NULL ? th_x509_from_x509(x) : NULL;
  int r = fn(o.conn, cert, X509_STORE_CTX_get_error(sctx), X509_STORE_CTX_get_error_depth(sctx),
             ok, o.ctx->verify.user);
  th_x509_free(cert);
  if (r < 0) {
    th__owner_fail(o, r);
    return 0;
  }
  if (r == 0) return 0;
  X509_STORE_CTX_set_error(sctx, X509_V_OK);
  return 1;
}

#define VERIFY_KNOWN                                                                 \
  (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE | \
   SSL_VERIFY_POST_HANDSHAKE)

int th_context_set_verify(th_context *ctx, int mode, th_verify_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (mode < 0 || (mode & ~VERIFY_KNOWN) != 0)
    return th__err(TH_ERR_VALUE, "th_context_set_verify: unknown mode bits 0x%x", (unsigned)mode);
  ctx->verify.fn = (void (*)(void))fn;
  ctx->verify.user = user;
  SSL_CTX_set_verify(ctx->ctx, mode, fn != NULL ? verify_trampoline : NULL);
  return TH_OK;
}

int th_context_set_verify_depth(th_context *ctx, int depth) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (depth < 0)
    return th__err(TH_ERR_VALUE, "th_context_set_verify_depth: negative depth %d", depth);
  SSL_CTX_set_verify_depth(ctx->ctx, depth);
  return TH_OK;
}

int th_context_get_verify_mode(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return SSL_CTX_get_verify_mode(ctx->ctx);
}

int th_context_get_verify_depth(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  int depth = SSL_CTX_get_verify_depth(ctx->ctx);
  /* -1 would read as TH_ERR_SSL: report the limit OpenSSL applies. */
  return depth < 0 ? 100 : depth;
}

th_x509_store *th_context_get_cert_store(th_context *ctx) {
  TH_CHECK_NULL(ctx, &TH_TYPE_CONTEXT);
  /* No store: its SSL_CTX's was removed with SSL_CTX_set_cert_store(raw,
   * NULL) (pyOpenSSL returns None there). */
  X509_STORE *store = SSL_CTX_get_cert_store(ctx->ctx);
  if (store == NULL) {
    th__err(TH_ERR_SSL, "th_context_get_cert_store: the context has no store");
    return NULL;
  }
  if (!X509_STORE_up_ref(store)) {
    th__err_ossl(TH_ERR_SSL, "th_context_get_cert_store: X509_STORE_up_ref failed");
    return NULL;
  }
  return th__x509_store_wrap(store);
}

int th_context_load_verify_locations(th_context *ctx, const char *cafile, const char *capath) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (cafile == NULL && capath == NULL)
    return th__err(TH_ERR_SSL,
                   "th_context_load_verify_locations: cafile and capath are both NULL");
  th__ctx_clear_errors();
  if (SSL_CTX_load_verify_locations(ctx->ctx, cafile, capath) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_load_verify_locations: cannot load %s%s%s",
                        cafile ? cafile : "", cafile && capath ? " / " : "",
                        capath ? capath : "");
  return TH_OK;
}

int th_context_set_default_verify_paths(th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  th__ctx_clear_errors();
  if (SSL_CTX_set_default_verify_paths(ctx->ctx) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_set_default_verify_paths failed");
  return TH_OK;
}

int th_context_set_client_ca_list(th_context *ctx, th_x509_name *const *names, size_t count) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (names == NULL && count > 0)
    return th__err(TH_ERR_TYPE, "th_context_set_client_ca_list: names is NULL");
  /* Check every item before touching the context. */
  for (size_t i = 0; i < count; i++) {
    int rc = th__obj_check(names[i], &TH_TYPE_X509_NAME, __func__, "names[i]");
    if (rc != TH_OK) return rc;
  }
  STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
  if (sk == NULL) return th__err(TH_ERR_NOMEM, "th_context_set_client_ca_list: out of memory");
  for (size_t i = 0; i < count; i++) {
    X509_NAME *copy = X509_NAME_dup(names[i]->name);
    if (copy == NULL || !sk_X509_NAME_push(sk, copy)) {
      X509_NAME_free(copy);
      sk_X509_NAME_pop_free(sk, X509_NAME_free);
      return th__err_ossl(TH_ERR_NOMEM, "th_context_set_client_ca_list: out of memory");
    }
  }
  SSL_CTX_set_client_CA_list(ctx->ctx, sk); /* takes sk over */
  return TH_OK;
}

int th_context_add_client_ca(th_context *ctx, const th_x509 *cert) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK(cert, &TH_TYPE_X509);
  th__ctx_clear_errors();
  if (SSL_CTX_add_client_CA(ctx->ctx, cert->x509) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_add_client_ca: OpenSSL refused the name");
  return TH_OK;
}

int th_context_load_client_ca(th_context *ctx, const char *cafile) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK_ARG(cafile);
  th__ctx_clear_errors();
  STACK_OF(X509_NAME) *sk = SSL_load_client_CA_file_ex(cafile, ctx->libctx, NULL);
  if (sk == NULL)
    return th__err_ossl(TH_ERR_SSL, "th_context_load_client_ca: no certificates in \"%s\"", cafile);
  SSL_CTX_set_client_CA_list(ctx->ctx, sk);
  return TH_OK;
}
