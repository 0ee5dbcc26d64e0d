/* crypto_sign.c — crypto.sign, crypto.verify and the digest lookup. */
#include <limits.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/crypto.h"

th_bytes *th_crypto_sign(const th_pkey *pkey, const unsigned char *data, size_t len,
                         const char *digest) {
  const char *fn = "th_crypto_sign";
  int rc = th__pkey_usable(pkey, 0, fn);
  if (rc == TH_OK) rc = th__buf_ok(data, len, 1, fn);
  const EVP_MD *md = NULL;
  if (rc == TH_OK) rc = th__sign_digest(pkey, digest, &md, fn);
  if (rc != TH_OK) return NULL;
  if (pkey->only_public) {
    th__err(TH_ERR_CRYPTO, "%s: the key has only a public part", fn);
    return NULL;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t siglen = 0;
  unsigned char *sig = NULL;
  th_bytes *out = NULL;
  static const unsigned char empty[1];
  const unsigned char *in = data != NULL ? data : empty;
  size_t max = 0;
  /* One-shot EVP_DigestSign works for every key type, EdDSA included.
   * OpenSSL 3.0's ECDSA reports success with a length of (unsigned)-1 when
   * encoding the signature fails (out of memory: found by the allocation-
   * failure sweep, docs/reliability.md), so the length is checked against
   * the buffer. */
  if (ctx != NULL && EVP_DigestSignInit(ctx, NULL, md, NULL, pkey->pkey) == 1 &&
      EVP_DigestSign(ctx, NULL, &siglen, in, len) == 1 &&
      (sig = OPENSSL_malloc((max = siglen) > 0 ? siglen : 1)) != NULL &&
      EVP_DigestSign(ctx, sig, &siglen, in, len) == 1 && siglen > 0 && siglen <= max)
    out = th_bytes_new(sig, siglen);
  else
    th__err_ossl(TH_ERR_CRYPTO, "%s: signing failed", fn);
  OPENSSL_free(sig);
  EVP_MD_CTX_free(ctx);
  return out;
}

int th_crypto_verify(const th_x509 *cert, const unsigned char *sig, size_t sig_len,
                     const unsigned char *data, size_t len, const char *digest) {
  TH_CHECK(cert, &TH_TYPE_X509);
  int rc = th__buf_ok(sig, sig_len, 1, __func__);
  if (rc == TH_OK) rc = th__buf_ok(data, len, 1, __func__);
  if (rc != TH_OK) return rc;
  EVP_PKEY *key = X509_get_pubkey(cert->x509);
  if (key == NULL) return th__err_ossl(TH_ERR_CRYPTO, "%s: the certificate has no public key", __func__);
  const EVP_MD *md = NULL;
  int id = EVP_PKEY_get_base_id(key);
  if (id != EVP_PKEY_ED25519 && id != EVP_PKEY_ED448 &&
      (md = th__digest_by_name(digest, __func__)) == NULL) {
    EVP_PKEY_free(key);
    return th_error_kind();
  }
  static const unsigned char empty[1];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
           EVP_DigestVerify(ctx, sig != NULL ? sig : empty, sig_len, data != NULL ? data : empty,
                            len) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (!ok) return th__err_ossl(TH_ERR_CRYPTO, "%s: bad signature", __func__);
  return TH_OK;
}
