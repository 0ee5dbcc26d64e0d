/* context_kex.c — SSL.Context: ephemeral key exchange parameters
 * (load_tmp_dh, set_tmp_ecdh). */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

int th_context_load_tmp_dh(th_context *ctx, const char *dhfile) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK_ARG(dhfile);
  th__ctx_clear_errors();
  BIO *bio = BIO_new_file(dhfile, "r");
  if (bio == NULL) return th__err_ossl(TH_ERR_SSL, "th_context_load_tmp_dh: cannot open \"%s\"", dhfile);
  /* OpenSSL 3 reads DH parameters as an EVP_PKEY (PEM_read_bio_DHparams is
   * deprecated), in the context's library context. */
  EVP_PKEY *params = PEM_read_bio_Parameters_ex(bio, NULL, ctx->libctx, NULL);
  BIO_free(bio);
  if (params == NULL)
    return th__err_ossl(TH_ERR_SSL, "th_context_load_tmp_dh: no PEM parameters in \"%s\"", dhfile);
  if (!EVP_PKEY_is_a(params, "DH") && !EVP_PKEY_is_a(params, "DHX")) {
    const char *type = EVP_PKEY_get0_type_name(params);
    int rc = th__err(TH_ERR_SSL, "th_context_load_tmp_dh: \"%s\" holds %s parameters, not DH",
                     dhfile, type ? type : "unknown");
    EVP_PKEY_free(params);
    return rc;
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx->ctx, params) != 1) { /* takes params on success */
    EVP_PKEY_free(params);
    return th__err_ossl(TH_ERR_SSL, "th_context_load_tmp_dh: OpenSSL refused the parameters");
  }
  return TH_OK;
}

int th_context_set_tmp_ecdh(th_context *ctx, const th_elliptic_curve *curve) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  TH_CHECK(curve, &TH_TYPE_ELLIPTIC_CURVE);
  /* SSL_CTX_set_tmp_ecdh is deprecated; on OpenSSL 3 it does exactly this:
   * make the curve the only group. */
  int nid = curve->nid;
  th__ctx_clear_errors();
  if (SSL_CTX_set1_groups(ctx->ctx, &nid, 1) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_set_tmp_ecdh: TLS cannot use curve %s", curve->name);
  return TH_OK;
}
