/* pkey.c — crypto.PKey. */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/dsa.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "crypto_internal.h"
#include "tlsharness/crypto.h"
#include "tlsharness/pkey.h"

/* Whether the key's provider reports the size of a private component
 * ("priv": EC, DSA, DH, Ed25519/448, X25519/448; "d": RSA) when asked for
 * the size only: nothing is copied, unlike a full export (EVP_PKEY_todata
 * of an RSA or EC key pair costs about ten times as much, and every
 * th_pkey_from_evp pays it). A "no" is not trusted: keys whose get_params
 * does not answer (legacy or engine keys) take the export below. */
static int reports_private(const EVP_PKEY *pkey) {
  OSSL_PARAM p[3] = {OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0),
                     OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_D, NULL, 0),
                     OSSL_PARAM_construct_end()};
  ERR_set_mark(); /* a key that cannot answer is no error: leave the queue as it was */
  int ok = EVP_PKEY_get_params(pkey, p) == 1;
  ERR_pop_to_mark();
  if (!ok) return 0;
  for (int i = 0; i < 2; i++)
    if (OSSL_PARAM_modified(&p[i]) && p[i].return_size > 0) return 1;
  return 0;
}

/* A key is public-only when exporting its key pair yields no private
 * component: "priv" (EC, DSA, DH, Ed25519/448, X25519/448) or "d" (RSA). */
static int has_private(const EVP_PKEY *pkey) {
  if (reports_private(pkey)) return 1;
  OSSL_PARAM *params = NULL;
  if (EVP_PKEY_todata(pkey, EVP_PKEY_KEYPAIR, &params) != 1) return 0;
  int found = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PRIV_KEY) != NULL ||
              OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_RSA_D) != NULL;
  OSSL_PARAM_free(params);
  return found;
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

/* The public constants are OpenSSL's values; keep them honest. */
_Static_assert(TH_TYPE_RSA == EVP_PKEY_RSA, "TH_TYPE_RSA");
_Static_assert(TH_TYPE_DSA == EVP_PKEY_DSA, "TH_TYPE_DSA");
_Static_assert(TH_TYPE_EC == EVP_PKEY_EC, "TH_TYPE_EC");
_Static_assert(TH_TYPE_ED25519 == EVP_PKEY_ED25519, "TH_TYPE_ED25519");
_Static_assert(TH_TYPE_ED448 == EVP_PKEY_ED448, "TH_TYPE_ED448");

th_pkey *th_pkey_new(void) { return th__obj_new(&TH_TYPE_PKEY, sizeof(th_pkey)); }

/* keygen runs one EVP_PKEY_keygen for algorithm alg (with optional
 * parameters) and returns the key or NULL (OpenSSL's queue kept). */
static EVP_PKEY *keygen(const char *alg, EVP_PKEY *params, const OSSL_PARAM *settings) {
  EVP_PKEY_CTX *ctx = params != NULL ? EVP_PKEY_CTX_new(params, NULL)
                                     : EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
  EVP_PKEY *out = NULL;
  if (ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 &&
      (settings == NULL || EVP_PKEY_CTX_set_params(ctx, settings) == 1))
    EVP_PKEY_keygen(ctx, &out);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

static EVP_PKEY *gen_dsa(int bits) {
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
  EVP_PKEY *params = NULL;
  size_t nbits = (size_t)bits;
  OSSL_PARAM p[] = {OSSL_PARAM_size_t(OSSL_PKEY_PARAM_FFC_PBITS, &nbits), OSSL_PARAM_END};
  if (ctx != NULL && EVP_PKEY_paramgen_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, p) == 1)
    EVP_PKEY_paramgen(ctx, &params);
  EVP_PKEY_CTX_free(ctx);
  if (params == NULL) return NULL;
  EVP_PKEY *key = keygen(NULL, params, NULL);
  EVP_PKEY_free(params);
  return key;
}

/* OpenSSL's own limits (rsa.h, dsa.h): a key above them could only be used
 * by a peer that ignores them, and 100,000 bits would run for hours. */
#define TH__RSA_MAX_BITS OPENSSL_RSA_MAX_MODULUS_BITS
#define TH__DSA_MAX_BITS OPENSSL_DSA_MAX_MODULUS_BITS

/* gen_for checks bits for type and generates; returns TH_OK and *out, or
 * the error. */
static int gen_for(int type, int bits, EVP_PKEY **out) {
  const char *fn = "th_pkey_generate_key";
  switch (type) {
    case TH_TYPE_RSA: {
      if (bits <= 0) return th__err(TH_ERR_VALUE, "%s: Invalid number of bits %d", fn, bits);
      if (bits > TH__RSA_MAX_BITS)
        return th__err(TH_ERR_VALUE, "%s: %d bits is above OpenSSL's RSA limit of %d", fn, bits,
                       TH__RSA_MAX_BITS);
      size_t nbits = (size_t)bits;
      OSSL_PARAM p[] = {OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, &nbits), OSSL_PARAM_END};
      *out = keygen("RSA", NULL, p);
      break;
    }
    case TH_TYPE_DSA:
      if (bits <= 0) return th__err(TH_ERR_VALUE, "%s: Invalid number of bits %d", fn, bits);
      if (bits > TH__DSA_MAX_BITS)
        return th__err(TH_ERR_VALUE, "%s: %d bits is above OpenSSL's DSA limit of %d", fn, bits,
                       TH__DSA_MAX_BITS);
      *out = gen_dsa(bits);
      break;
    case TH_TYPE_EC: {
      const char *curve = bits == 256 ? "P-256" : bits == 384 ? "P-384" : bits == 521 ? "P-521" : NULL;
      if (curve == NULL)
        return th__err(TH_ERR_VALUE, "%s: Invalid number of bits %d for EC (256, 384, 521)", fn, bits);
      *out = EVP_EC_gen(curve);
      break;
    }
    case TH_TYPE_ED25519:
    case TH_TYPE_ED448: {
      int own = type == TH_TYPE_ED25519 ? 256 : 456;
      if (bits != 0 && bits != own)
        return th__err(TH_ERR_VALUE, "%s: Invalid number of bits %d (0 or %d)", fn, bits, own);
      *out = keygen(type == TH_TYPE_ED25519 ? "ED25519" : "ED448", NULL, NULL);
      break;
    }
    default:
      return th__err(TH_ERR_CRYPTO, "%s: No such key type %d", fn, type);
  }
  if (*out == NULL) return th__err_ossl(TH_ERR_CRYPTO, "%s: key generation failed", fn);
  return TH_OK;
}

int th_pkey_generate_key(th_pkey *pkey, int type, int bits) {
  TH_CHECK(pkey, &TH_TYPE_PKEY);
  EVP_PKEY *fresh = NULL;
  int rc = gen_for(type, bits, &fresh);
  if (rc != TH_OK) return rc;
  EVP_PKEY_free(pkey->pkey);
  pkey->pkey = fresh;
  pkey->only_public = 0;
  return TH_OK;
}

int th_pkey_bits(const th_pkey *pkey) {
  TH_CHECK(pkey, &TH_TYPE_PKEY);
  return pkey->pkey == NULL ? 0 : EVP_PKEY_get_bits(pkey->pkey);
}

int th_pkey_type(const th_pkey *pkey) {
  TH_CHECK(pkey, &TH_TYPE_PKEY);
  return pkey->pkey == NULL ? 0 : EVP_PKEY_get_base_id(pkey->pkey);
}

int th_pkey_only_public(const th_pkey *pkey) {
  int rc = th__pkey_usable(pkey, 0, __func__);
  return rc != TH_OK ? rc : pkey->only_public;
}

int th_pkey_check(const th_pkey *pkey) {
  TH_CHECK(pkey, &TH_TYPE_PKEY);
  if (pkey->pkey == NULL) return th__err(TH_ERR_TYPE, "th_pkey_check: key is uninitialized");
  if (pkey->only_public) return th__err(TH_ERR_TYPE, "th_pkey_check: public key only");
  if (EVP_PKEY_get_base_id(pkey->pkey) != EVP_PKEY_RSA)
    return th__err(TH_ERR_TYPE, "th_pkey_check: key type unsupported (only RSA keys can be checked)");
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey->pkey, NULL);
  if (ctx == NULL) return th__err_ossl(TH_ERR_NOMEM, "th_pkey_check: EVP_PKEY_CTX_new failed");
  /* EVP_PKEY_check is RSA_check_key on OpenSSL 3: the pairwise check and
   * the consistency of p, q, d, the CRT values. */
  int ok = EVP_PKEY_check(ctx);
  EVP_PKEY_CTX_free(ctx);
  if (ok != 1) return th__err_ossl(TH_ERR_CRYPTO, "th_pkey_check: the RSA key is inconsistent");
  return 1;
}
