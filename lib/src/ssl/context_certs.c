/* context_certs.c — SSL.Context: the certificate, chain and private key it
 * presents, and the passphrase callback that unlocks key files. Files are
 * read with the SSL_CTX_* loaders, which use the context's library context
 * and property query. The passphrase trampoline itself lives in context.c
 * (the constructor installs it). */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ssl_internal.h"

/* ---- passphrase ------------------------------------------------------------- */

int th_context_set_passwd_cb(th_context *ctx, th_passwd_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->passphrase.fn = (void (*)(void))fn;
  ctx->passphrase.user = user;
  th__ctx_install_passwd(ctx, 1);
  return TH_OK;
}

/* ---- loading -------------------------------------------------------------------- */

static int check_filetype(int filetype, const char *func) {
  if (filetype != TH_FILETYPE_PEM && filetype != TH_FILETYPE_ASN1)
    return th__err(TH_ERR_VALUE, "%s: filetype %d is not TH_FILETYPE_PEM or TH_FILETYPE_ASN1",
                   func, filetype);
  return TH_OK;
}

/* The outcome of an OpenSSL load that may have run the passphrase
 * callback: the callback's error first, then OpenSSL's. */
static int load_result(th_context *ctx, int ok, const char *func, const char *what,
                       const char *file) {
  int cb = th__cb_take(NULL, ctx);
  if (ok == 1) return TH_OK;
  if (cb != TH_OK) return cb;
  return th__err_ossl(TH_ERR_SSL, "%s: cannot use %s from \"%s\"", func, what, file);
}

int th_context_use_certificate_file(th_context *ctx, const char *file, int filetype) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK_ARG(file);
  int rc = check_filetype(filetype, __func__);
  if (rc != TH_OK) return rc;
  th__ctx_clear_errors();
  int ok = SSL_CTX_use_certificate_file(ctx->ctx, file, filetype);
  return load_result(ctx, ok, __func__, "a certificate", file);
}

int th_context_use_certificate_chain_file(th_context *ctx, const char *file) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK_ARG(file);
  th__ctx_clear_errors();
  /* OpenSSL installs the first certificate (dropping a key that does not
   * match it) and clears the chain before it reads the rest of the file:
   * a corrupt later block would leave the context half-changed. Read the
   * file on a scratch SSL_CTX first. */
  SSL_CTX *scratch = th__ctx_scratch(ctx, __func__);
  if (scratch == NULL) return TH_ERR_NOMEM;
  int ok = SSL_CTX_use_certificate_chain_file(scratch, file);
  SSL_CTX_free(scratch);
  if (ok == 1) ok = SSL_CTX_use_certificate_chain_file(ctx->ctx, file);
  return load_result(ctx, ok, __func__, "a certificate chain", file);
}

int th_context_use_privatekey_file(th_context *ctx, const char *file, int filetype) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK_ARG(file);
  int rc = check_filetype(filetype, __func__);
  if (rc != TH_OK) return rc;
  th__cb_take(NULL, ctx); /* no stale callback error */
  th__ctx_clear_errors();
  int ok = SSL_CTX_use_PrivateKey_file(ctx->ctx, file, filetype);
  return load_result(ctx, ok, __func__, "a private key", file);
}

/* ---- objects ----------------------------------------------------------------------- */

int th_context_use_certificate(th_context *ctx, const th_x509 *cert) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK(cert, &TH_TYPE_X509);
  th__ctx_clear_errors();
  if (SSL_CTX_use_certificate(ctx->ctx, cert->x509) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_use_certificate: OpenSSL refused the certificate");
  return TH_OK;
}

int th_context_add_extra_chain_cert(th_context *ctx, const th_x509 *cert) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK(cert, &TH_TYPE_X509);
  th__ctx_clear_errors();
  /* A copy, as pyOpenSSL makes: later changes to cert do not alter the
   * chain. The SSL_CTX takes the copy over on success. */
  X509 *copy = X509_dup(cert->x509);
  if (copy == NULL)
    return th__err_ossl(TH_ERR_NOMEM, "th_context_add_extra_chain_cert: X509_dup failed");
  if (SSL_CTX_add_extra_chain_cert(ctx->ctx, copy) != 1) {
    X509_free(copy);
    return th__err_ossl(TH_ERR_SSL, "th_context_add_extra_chain_cert: OpenSSL refused it");
  }
  return TH_OK;
}

int th_context_use_privatekey(th_context *ctx, const th_pkey *pkey) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK(pkey, &TH_TYPE_PKEY);
  if (pkey->pkey == NULL)
    return th__err(TH_ERR_VALUE, "th_context_use_privatekey: the key is uninitialized");
  th__ctx_clear_errors();
  if (SSL_CTX_use_PrivateKey(ctx->ctx, pkey->pkey) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_use_privatekey: OpenSSL refused the key");
  return TH_OK;
}

int th_context_check_privatekey(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  th__ctx_clear_errors();
  if (SSL_CTX_check_private_key(ctx->ctx) != 1)
    return th__err_ossl(TH_ERR_SSL,
                        "th_context_check_privatekey: the private key does not match the "
                        "certificate (or one is missing)");
  return TH_OK;
}
