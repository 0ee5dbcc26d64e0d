/* x509_store_context.c — crypto.X509StoreContext. A fresh X509_STORE_CTX
 * is made for each verification (pyOpenSSL re-initialises its context the
 * same way), so the object holds only what the spec's constructor takes. */
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "crypto_internal.h"
#include "tlsharness/x509_store.h"

static void ctx_destroy(void *self) {
  th_x509_store_context *c = self;
  th__obj_free(c->store);
  th__obj_free(c->cert);
  sk_X509_pop_free(c->untrusted, X509_free);
}

const th_type TH_TYPE_X509_STORE_CONTEXT = {"X509StoreContext", ctx_destroy};

TH_DEFINE_REFCOUNT(x509_store_context, th_x509_store_context, TH_TYPE_X509_STORE_CONTEXT)

th_x509_store_context *th_x509_store_context_new(th_x509_store *store, th_x509 *cert) {
  TH_CHECK_NULL(store, &TH_TYPE_X509_STORE);
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  th_x509_store_context *c = th__obj_new(&TH_TYPE_X509_STORE_CONTEXT, sizeof *c);
  if (c == NULL) return NULL;
  c->store = th__obj_up_ref(store);
  c->cert = th__obj_up_ref(cert);
  return c;
}

int th_x509_store_context_set_store(th_x509_store_context *ctx, th_x509_store *store) {
  TH_CHECK(ctx, &TH_TYPE_X509_STORE_CONTEXT);
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  th__obj_up_ref(store);
  th__obj_free(ctx->store);
  ctx->store = store;
  return TH_OK;
}

int th_x509_store_context_set_untrusted(th_x509_store_context *ctx, th_x509 *const *chain,
                                        size_t n) {
  TH_CHECK(ctx, &TH_TYPE_X509_STORE_CONTEXT);
  STACK_OF(X509) *sk = NULL;
  int rc = th__c2_x509_stack(chain, n, &sk, __func__);
  if (rc != TH_OK) return rc;
  sk_X509_pop_free(ctx->untrusted, X509_free);
  ctx->untrusted = sk;
  return TH_OK;
}

/* run verifies and, on success, hands back the verified chain when
 * chain_out is not NULL. */
static int run(th_x509_store_context *ctx, STACK_OF(X509) * *chain_out, const char *func) {
  int rc = th__obj_check(ctx, &TH_TYPE_X509_STORE_CONTEXT, func, "ctx");
  if (rc != TH_OK) return rc;
  ERR_clear_error();
  X509_STORE_CTX *sc = X509_STORE_CTX_new();
  if (sc == NULL) return th__err_ossl(TH_ERR_NOMEM, "%s: X509_STORE_CTX_new failed", func);
  if (!X509_STORE_CTX_init(sc, ctx->store->store, ctx->cert->x509, ctx->untrusted)) {
    X509_STORE_CTX_free(sc);
    return th__err_ossl(TH_ERR_CRYPTO, "%s: X509_STORE_CTX_init failed", func);
  }
  if (X509_verify_cert(sc) <= 0) {
    int code = X509_STORE_CTX_get_error(sc);
    /* A failure before any certificate was examined (e.g. out of memory)
     * leaves X509_V_OK; report it as the unspecified verify error. */
    if (code == X509_V_OK) code = X509_V_ERR_UNSPECIFIED;
    rc = th__err_verify(code, X509_STORE_CTX_get_error_depth(sc),
                        X509_STORE_CTX_get_current_cert(sc), "%s",
                        X509_verify_cert_error_string(code));
  } else if (chain_out != NULL) {
    *chain_out = X509_STORE_CTX_get1_chain(sc);
    if (*chain_out == NULL) rc = th__err(TH_ERR_NOMEM, "%s: no verified chain", func);
  }
  X509_STORE_CTX_free(sc);
  return rc;
}

int th_x509_store_context_verify_certificate(th_x509_store_context *ctx) {
  return run(ctx, NULL, __func__);
}

th_list *th_x509_store_context_get_verified_chain(th_x509_store_context *ctx) {
  STACK_OF(X509) *chain = NULL;
  if (run(ctx, &chain, __func__) != TH_OK) return NULL;
  th_list *l = th__c2_x509_list(chain);
  sk_X509_pop_free(chain, X509_free);
  return l;
}
