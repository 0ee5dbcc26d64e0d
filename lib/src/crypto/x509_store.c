/* x509_store.c — crypto.X509Store. */
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "crypto_internal.h"
#include "tlsharness/x509_store.h"

static void store_destroy(void *self) { X509_STORE_free(((th_x509_store *)self)->store); }

const th_type TH_TYPE_X509_STORE = {"X509Store", store_destroy};

TH_DEFINE_REFCOUNT(x509_store, th_x509_store, TH_TYPE_X509_STORE)

TH_DEFINE_WRAP(th__x509_store_wrap, th_x509_store, TH_TYPE_X509_STORE, store, X509_STORE, X509_STORE_free)

th_x509_store *th_x509_store_new(void) {
  X509_STORE *s = X509_STORE_new();
  if (s == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_x509_store_new: X509_STORE_new failed");
    return NULL;
  }
  return th__x509_store_wrap(s);
}

th_x509_store *th_x509_store_from_x509_store(X509_STORE *s) {
  TH_CHECK_ARG_NULL(s);
  if (!X509_STORE_up_ref(s)) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_store_from_x509_store: X509_STORE_up_ref failed");
    return NULL;
  }
  return th__x509_store_wrap(s);
}

X509_STORE *th_x509_store_to_x509_store(const th_x509_store *store) {
  TH_CHECK_NULL(store, &TH_TYPE_X509_STORE);
  X509_STORE_up_ref(store->store);
  return store->store;
}

int th_x509_store_add_cert(th_x509_store *store, const th_x509 *cert) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  TH_CHECK(cert, &TH_TYPE_X509);
  ERR_clear_error();
  /* OpenSSL 3 returns 1 for a certificate already in the store (1.0 failed
   * with "cert already in hash table"); we keep OpenSSL 3's answer. */
  if (!X509_STORE_add_cert(store->store, cert->x509))
    return th__err_ossl(TH_ERR_CRYPTO, "th_x509_store_add_cert: OpenSSL refused the certificate");
  return TH_OK;
}

int th_x509_store_add_crl(th_x509_store *store, const th_crl *crl) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  TH_CHECK(crl, &TH_TYPE_CRL);
  ERR_clear_error();
  if (!X509_STORE_add_crl(store->store, crl->crl))
    return th__err_ossl(TH_ERR_CRYPTO, "th_x509_store_add_crl: OpenSSL refused the CRL");
  return TH_OK;
}

int th_x509_store_set_flags(th_x509_store *store, unsigned long flags) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  ERR_clear_error();
  return th__vp_flags(X509_STORE_get0_param(store->store), flags, __func__);
}

int th_x509_store_set_time(th_x509_store *store, int64_t when) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store->store), (time_t)when);
  return TH_OK;
}

int th_x509_store_set_depth(th_x509_store *store, int depth) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  if (depth < 0) return th__err(TH_ERR_VALUE, "th_x509_store_set_depth: negative depth %d", depth);
  X509_VERIFY_PARAM_set_depth(X509_STORE_get0_param(store->store), depth);
  return TH_OK;
}

int th_x509_store_add_policy(th_x509_store *store, const char *oid) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  TH_CHECK_ARG(oid);
  ASN1_OBJECT *obj = OBJ_txt2obj(oid, 0);
  if (obj == NULL)
    return th__err(TH_ERR_VALUE, "th_x509_store_add_policy: '%s' is not an OID", oid);
  X509_VERIFY_PARAM *param = X509_STORE_get0_param(store->store);
  if (!X509_VERIFY_PARAM_add0_policy(param, obj)) {
    ASN1_OBJECT_free(obj);
    return th__err_ossl(TH_ERR_NOMEM, "th_x509_store_add_policy: failed");
  }
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_POLICY_CHECK);
  return TH_OK;
}

int th_x509_store_load_locations(th_x509_store *store, const char *cafile, const char *capath) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  if (cafile == NULL && capath == NULL)
    return th__err(TH_ERR_TYPE, "th_x509_store_load_locations: cafile and capath are both NULL");
  ERR_clear_error();
  if (!X509_STORE_load_locations(store->store, cafile, capath))
    return th__err_ossl(TH_ERR_CRYPTO, "th_x509_store_load_locations: cannot load %s%s%s",
                        cafile ? cafile : "", cafile && capath ? " / " : "", capath ? capath : "");
  return TH_OK;
}

/* ---- verifying names: the store's X509_VERIFY_PARAM (verify_param.c) ---- */
#define STORE_PARAM(store) X509_STORE_get0_param((store)->store)

int th_x509_store_set_host(th_x509_store *store, const char *name, size_t len) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_host(STORE_PARAM(store), name, len, 0, __func__);
}

int th_x509_store_add_host(th_x509_store *store, const char *name, size_t len) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_host(STORE_PARAM(store), name, len, 1, __func__);
}

int th_x509_store_set_ip(th_x509_store *store, const char *text) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_ip(STORE_PARAM(store), text, __func__);
}

int th_x509_store_set_email(th_x509_store *store, const char *addr, size_t len) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_email(STORE_PARAM(store), addr, len, __func__);
}

int th_x509_store_set_host_flags(th_x509_store *store, unsigned int flags) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_host_flags(STORE_PARAM(store), flags, __func__);
}

int th_x509_store_set_purpose(th_x509_store *store, int purpose) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_purpose(STORE_PARAM(store), purpose, __func__);
}

int th_x509_store_set_auth_level(th_x509_store *store, int level) {
  TH_CHECK(store, &TH_TYPE_X509_STORE);
  return th__vp_auth_level(STORE_PARAM(store), level, __func__);
}
