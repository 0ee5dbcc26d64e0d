/* pkey.c — crypto.PKey. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "internal.h"
#include "tlsharness/pkey.h"

static void pkey_destroy(void *self) { EVP_PKEY_free(((th_pkey *)self)->pkey); }

const th_type TH_TYPE_PKEY = {"PKey", pkey_destroy};

TH_DEFINE_REFCOUNT(pkey, th_pkey, TH_TYPE_PKEY)

/* A key is public-only when exporting its key pair yields no private
 * component: "priv" (EC, DSA, DH, Ed25519/448, X25519/448) or "d" (RSA). */
static int has_private(const EVP_PKEY *pkey) {
  OSSL_PARAM *params = NULL;
  if (EVP_PKEY_todata(pkey, EVP_PKEY_KEYPAIR, &params) != 1) return 0;
  int found = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PRIV_KEY) != NULL ||
              OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_RSA_D) != NULL;
  OSSL_PARAM_free(params);
  return found;
}

th_pkey *th__pkey_wrap(EVP_PKEY *evp, int only_public) {
  if (evp == NULL) {
    th__err(TH_ERR_NOMEM, "th__pkey_wrap: no key");
    return NULL;
  }
  th_pkey *k = th__obj_new(&TH_TYPE_PKEY, sizeof *k);
  if (k == NULL) {
    EVP_PKEY_free(evp);
    return NULL;
  }
  k->pkey = evp;
  k->only_public = only_public;
  return k;
}

th_pkey *th_pkey_from_evp(EVP_PKEY *evp) {
  TH_CHECK_ARG_NULL(evp);
  if (!EVP_PKEY_up_ref(evp)) {
    th__err_ossl(TH_ERR_CRYPTO, "th_pkey_from_evp: EVP_PKEY_up_ref failed");
    return NULL;
  }
  return th__pkey_wrap(evp, !has_private(evp));
}

EVP_PKEY *th_pkey_to_evp(const th_pkey *pkey) {
  TH_CHECK_NULL(pkey, &TH_TYPE_PKEY);
  if (pkey->pkey == NULL) {
    th__err(TH_ERR_VALUE, "th_pkey_to_evp: the key is uninitialized");
    return NULL;
  }
  EVP_PKEY_up_ref(pkey->pkey);
  return pkey->pkey;
}
