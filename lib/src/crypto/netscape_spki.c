/* netscape_spki.c — crypto.NetscapeSPKI. */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/netscape_spki.h"

static void spki_destroy(void *self) { NETSCAPE_SPKI_free(((th_netscape_spki *)self)->spki); }

const th_type TH_TYPE_NETSCAPE_SPKI = {"NetscapeSPKI", spki_destroy};

TH_DEFINE_REFCOUNT(netscape_spki, th_netscape_spki, TH_TYPE_NETSCAPE_SPKI)

static th_netscape_spki *wrap(NETSCAPE_SPKI *s) {
  th_netscape_spki *w = th__obj_new(&TH_TYPE_NETSCAPE_SPKI, sizeof *w);
  if (w == NULL) {
    NETSCAPE_SPKI_free(s);
    return NULL;
  }
  w->spki = s;
  return w;
}

th_netscape_spki *th_netscape_spki_new(void) {
  NETSCAPE_SPKI *s = NETSCAPE_SPKI_new();
  if (s == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_netscape_spki_new: NETSCAPE_SPKI_new failed");
    return NULL;
  }
  return wrap(s);
}

th_netscape_spki *th_netscape_spki_from_b64(const char *b64, size_t len) {
  TH_CHECK_ARG_NULL(b64);
  if (len == 0 || len > INT_MAX) {
    th__err(TH_ERR_VALUE, "th_netscape_spki_from_b64: length %zu is empty or too large", len);
    return NULL;
  }
  ERR_clear_error();
  NETSCAPE_SPKI *s = NETSCAPE_SPKI_b64_decode(b64, (int)len);
  if (s == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_netscape_spki_from_b64: not a base64 SPKI");
    return NULL;
  }
  return wrap(s);
}

th_bytes *th_netscape_spki_b64_encode(const th_netscape_spki *spki) {
  TH_CHECK_NULL(spki, &TH_TYPE_NETSCAPE_SPKI);
  ERR_clear_error();
  char *enc = NETSCAPE_SPKI_b64_encode(spki->spki);
  if (enc == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_netscape_spki_b64_encode: encoding failed");
    return NULL;
  }
  th_bytes *out = th_bytes_new(enc, strlen(enc));
  OPENSSL_free(enc);
  return out;
}

th_pkey *th_netscape_spki_get_pubkey(const th_netscape_spki *spki) {
  TH_CHECK_NULL(spki, &TH_TYPE_NETSCAPE_SPKI);
  ERR_clear_error();
  EVP_PKEY *k = NETSCAPE_SPKI_get_pubkey(spki->spki);
  if (k == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_netscape_spki_get_pubkey: the SPKI has no usable key");
    return NULL;
  }
  return th__pkey_wrap(k, 1);
}

int th_netscape_spki_set_pubkey(th_netscape_spki *spki, const th_pkey *pkey) {
  TH_CHECK(spki, &TH_TYPE_NETSCAPE_SPKI);
  int rc = th__pkey_usable(pkey, 0, __func__);
  if (rc != TH_OK) return rc;
  ERR_clear_error();
  if (!NETSCAPE_SPKI_set_pubkey(spki->spki, pkey->pkey))
    return th__err_ossl(TH_ERR_CRYPTO, "th_netscape_spki_set_pubkey: OpenSSL refused the key");
  return TH_OK;
}

int th_netscape_spki_sign(th_netscape_spki *spki, const th_pkey *pkey, const char *digest) {
  TH_CHECK(spki, &TH_TYPE_NETSCAPE_SPKI);
  int rc = th__pkey_usable(pkey, 1, __func__);
  if (rc != TH_OK) return rc;
  const EVP_MD *md = th__digest_by_name(digest, __func__);
  if (md == NULL) return th_error_kind();
  ERR_clear_error();
  if (!NETSCAPE_SPKI_sign(spki->spki, pkey->pkey, md))
    return th__err_ossl(TH_ERR_CRYPTO, "th_netscape_spki_sign: signing failed");
  return TH_OK;
}

int th_netscape_spki_verify(const th_netscape_spki *spki, const th_pkey *key) {
  TH_CHECK(spki, &TH_TYPE_NETSCAPE_SPKI);
  int rc = th__pkey_usable(key, 0, __func__);
  if (rc != TH_OK) return rc;
  ERR_clear_error();
  if (NETSCAPE_SPKI_verify(spki->spki, key->pkey) <= 0)
    return th__err_ossl(TH_ERR_CRYPTO, "th_netscape_spki_verify: the signature does not verify");
  return 1;
}
