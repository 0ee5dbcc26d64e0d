/* pkcs7.c — crypto.PKCS7 (read-only, as in the spec) and load_pkcs7_data. */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "crypto_internal.h"
#include "tlsharness/pkcs7.h"

static void pkcs7_destroy(void *self) { PKCS7_free(((th_pkcs7 *)self)->p7); }

const th_type TH_TYPE_PKCS7 = {"PKCS7", pkcs7_destroy};

TH_DEFINE_REFCOUNT(pkcs7, th_pkcs7, TH_TYPE_PKCS7)

th_pkcs7 *th_crypto_load_pkcs7_data(int type, const unsigned char *buf, size_t len) {
  BIO *bio = th__load_bio(type, buf, len, 0, __func__);
  if (bio == NULL) return NULL;
  PKCS7 *p7 =
      type == TH__FT_PEM ? PEM_read_bio_PKCS7(bio, NULL, NULL, NULL) : d2i_PKCS7_bio(bio, NULL);
  BIO_free(bio);
  if (p7 == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_crypto_load_pkcs7_data: cannot parse the PKCS#7 data");
    return NULL;
  }
  th_pkcs7 *w = th__obj_new(&TH_TYPE_PKCS7, sizeof *w);
  if (w == NULL) {
    PKCS7_free(p7);
    return NULL;
  }
  w->p7 = p7;
  return w;
}

static int type_is(const th_pkcs7 *p7, int nid, const char *func) {
  int rc = th__obj_check(p7, &TH_TYPE_PKCS7, func, "p7");
  if (rc != TH_OK) return rc;
  return OBJ_obj2nid(p7->p7->type) == nid;
}

int th_pkcs7_type_is_signed(const th_pkcs7 *p7) { return type_is(p7, NID_pkcs7_signed, __func__); }

int th_pkcs7_type_is_enveloped(const th_pkcs7 *p7) {
  return type_is(p7, NID_pkcs7_enveloped, __func__);
}

int th_pkcs7_type_is_signedAndEnveloped(const th_pkcs7 *p7) {
  return type_is(p7, NID_pkcs7_signedAndEnveloped, __func__);
}

int th_pkcs7_type_is_data(const th_pkcs7 *p7) { return type_is(p7, NID_pkcs7_data, __func__); }

th_bytes *th_pkcs7_get_type_name(const th_pkcs7 *p7) {
  TH_CHECK_NULL(p7, &TH_TYPE_PKCS7);
  /* OBJ_obj2nid gives a known NID or NID_undef, and OBJ_nid2sn names
   * both (NID_undef is "UNDEF", as pyOpenSSL shows an unknown type). */
  const char *sn = OBJ_nid2sn(OBJ_obj2nid(p7->p7->type));
  return th_bytes_new(sn, strlen(sn));
}
