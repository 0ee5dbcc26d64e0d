/* x509.c — crypto.X509. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto_internal.h"
#include "tlsharness/crypto.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509.h"
#include "tlsharness/x509_extension.h"
#include "tlsharness/x509_name.h"

th_x509 *th_x509_from_x509(X509 *x) {
  TH_CHECK_ARG_NULL(x);
  if (!X509_up_ref(x)) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_from_x509: X509_up_ref failed");
    return NULL;
  }
  return th__x509_wrap(x);
}

X509 *th_x509_to_x509(const th_x509 *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  X509_up_ref(cert->x509);
  return cert->x509;
}

th_x509 *th_x509_new(void) {
  X509 *x = X509_new();
  if (x == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_x509_new: X509_new failed");
    return NULL;
  }
  return th__x509_wrap(x);
}

int th_x509_add_extensions(th_x509 *cert, th_x509_extension *const *exts, size_t n) {
  TH_CHECK(cert, &TH_TYPE_X509);
  if (n > 0) TH_CHECK_ARG(exts);
  /* Check every item before adding any, so a bad list changes nothing. */
  for (size_t i = 0; i < n; i++) {
    int rc = th__obj_check(exts[i], &TH_TYPE_X509_EXTENSION, __func__, "exts[i]");
    if (rc != TH_OK) return rc;
  }
  int count = X509_get_ext_count(cert->x509);
  for (size_t i = 0; i < n; i++) {
    if (!X509_add_ext(cert->x509, exts[i]->ext, -1)) {
      while (X509_get_ext_count(cert->x509) > count)
        X509_EXTENSION_free(X509_delete_ext(cert->x509, count));
      th__x509_touch(cert->x509);
      return th__err_ossl(TH_ERR_NOMEM, "%s: X509_add_ext failed", __func__);
    }
  }
  th__x509_touch(cert->x509);
  return TH_OK;
}

th_bytes *th__hex_colon(const unsigned char *p, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  char buf[EVP_MAX_MD_SIZE * 3 + 1];
  size_t k = 0;
  for (size_t i = 0; i < n && i < EVP_MAX_MD_SIZE; i++) {
    if (i > 0) buf[k++] = ':';
    buf[k++] = hex[p[i] >> 4];
    buf[k++] = hex[p[i] & 15];
  }
  return th_bytes_new(buf, k);
}

th_bytes *th_x509_digest(const th_x509 *cert, const char *digest_name) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  const EVP_MD *md = th__digest_by_name(digest_name, __func__);
  if (md == NULL) return NULL;
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!X509_digest(cert->x509, md, buf, &n)) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_digest: X509_digest(%s) failed", digest_name);
    return NULL;
  }
  return th__hex_colon(buf, n);
}

th_x509_extension *th_x509_get_extension(const th_x509 *cert, int index) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  int count = X509_get_ext_count(cert->x509);
  if (index < 0 || index >= count) {
    th__err(TH_ERR_INDEX, "th_x509_get_extension: extension index %d out of bounds (count %d)",
            index, count);
    return NULL;
  }
  return th_x509_extension_from_x509_extension(X509_get_ext(cert->x509, index));
}

int th_x509_get_extension_count(const th_x509 *cert) {
  TH_CHECK(cert, &TH_TYPE_X509);
  return X509_get_ext_count(cert->x509);
}

th_x509_name *th_x509_get_issuer(th_x509 *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  return th__x509_name_wrap_child(X509_get_issuer_name(cert->x509), cert);
}

th_x509_name *th_x509_get_subject(th_x509 *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  return th__x509_name_wrap_child(X509_get_subject_name(cert->x509), cert);
}

/* set_name copies name into the subject (subject != 0) or issuer. Copying
 * a certificate's own child name onto itself is a no-op in OpenSSL. */
static int set_name(th_x509 *cert, const th_x509_name *name, int subject, const char *func) {
  int rc = th__obj_check(cert, &TH_TYPE_X509, func, "cert");
  if (rc == TH_OK) rc = th__obj_check(name, &TH_TYPE_X509_NAME, func, "name");
  if (rc != TH_OK) return rc;
  int ok = subject ? X509_set_subject_name(cert->x509, name->name)
                   : X509_set_issuer_name(cert->x509, name->name);
  if (!ok) return th__err_ossl(TH_ERR_NOMEM, "%s: cannot copy the name", func);
  th__x509_touch(cert->x509);
  return TH_OK;
}

int th_x509_set_issuer(th_x509 *cert, const th_x509_name *issuer) {
  return set_name(cert, issuer, 0, __func__);
}

int th_x509_set_subject(th_x509 *cert, const th_x509_name *subject) {
  return set_name(cert, subject, 1, __func__);
}

/* get_time renders t as pyOpenSSL's _get_asn1_time: None when empty, a
 * GeneralizedTime as stored, a UTCTime converted to GeneralizedTime. */
static int get_time(const th_x509 *cert, th_bytes **out, int after, const char *func) {
  int rc = th__obj_check(cert, &TH_TYPE_X509, func, "cert");
  if (rc != TH_OK) return rc;
  const ASN1_TIME *t = after ? X509_get0_notAfter(cert->x509) : X509_get0_notBefore(cert->x509);
  return th__time_text(t, 1, out, func);
}

int th_x509_get_notBefore(const th_x509 *cert, th_bytes **out) {
  return get_time(cert, out, 0, __func__);
}

int th_x509_get_notAfter(const th_x509 *cert, th_bytes **out) {
  return get_time(cert, out, 1, __func__);
}

static int set_time(th_x509 *cert, const char *when, int after, const char *func) {
  int rc = th__obj_check(cert, &TH_TYPE_X509, func, "cert");
  if (rc != TH_OK) return rc;
  ASN1_TIME *g = th__time_parse(when, func);
  if (g == NULL) return th_error_kind();
  int ok = after ? X509_set1_notAfter(cert->x509, g) : X509_set1_notBefore(cert->x509, g);
  ASN1_TIME_free(g);
  if (!ok) return th__err_ossl(TH_ERR_NOMEM, "%s: cannot set the time", func);
  th__x509_touch(cert->x509);
  return TH_OK;
}

int th_x509_set_notBefore(th_x509 *cert, const char *when) { return set_time(cert, when, 0, __func__); }

int th_x509_set_notAfter(th_x509 *cert, const char *when) { return set_time(cert, when, 1, __func__); }

static int adj_time(th_x509 *cert, long amount, int after, const char *func) {
  int rc = th__obj_check(cert, &TH_TYPE_X509, func, "cert");
  if (rc != TH_OK) return rc;
  /* Adjust a fresh time, so an out-of-range result changes nothing. */
  ASN1_TIME *t = X509_gmtime_adj(NULL, amount);
  if (t == NULL) return th__err_ossl(TH_ERR_VALUE, "%s: now%+ld s is out of range", func, amount);
  int ok = after ? X509_set1_notAfter(cert->x509, t) : X509_set1_notBefore(cert->x509, t);
  ASN1_TIME_free(t);
  if (!ok) return th__err_ossl(TH_ERR_NOMEM, "%s: cannot set the time", func);
  th__x509_touch(cert->x509);
  return TH_OK;
}

int th_x509_gmtime_adj_notBefore(th_x509 *cert, long amount) {
  return adj_time(cert, amount, 0, __func__);
}

int th_x509_gmtime_adj_notAfter(th_x509 *cert, long amount) {
  return adj_time(cert, amount, 1, __func__);
}

int th_x509_has_expired(const th_x509 *cert) {
  TH_CHECK(cert, &TH_TYPE_X509);
  const ASN1_TIME *t = X509_get0_notAfter(cert->x509);
  if (t == NULL || ASN1_STRING_length(t) == 0)
    return th__err(TH_ERR_VALUE, "th_x509_has_expired: the certificate has no notAfter");
  /* ASN1_TIME_diff (unlike X509_cmp_current_time) accepts the +hhmm / -hhmm
   * offsets the spec lets set_notAfter store. */
  int days = 0, secs = 0;
  if (!ASN1_TIME_diff(&days, &secs, NULL, t))
    return th__err_ossl(TH_ERR_VALUE, "th_x509_has_expired: notAfter is unreadable");
  return days < 0 || secs < 0;
}

th_pkey *th_x509_get_pubkey(const th_x509 *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  EVP_PKEY *k = X509_get_pubkey(cert->x509);
  if (k == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_get_pubkey: the certificate has no usable public key");
    return NULL;
  }
  return th__pkey_wrap(k, 1);
}

int th_x509_set_pubkey(th_x509 *cert, const th_pkey *pkey) {
  TH_CHECK(cert, &TH_TYPE_X509);
  int rc = th__pkey_usable(pkey, 0, __func__);
  if (rc != TH_OK) return rc;
  if (!X509_set_pubkey(cert->x509, pkey->pkey))
    return th__err_ossl(TH_ERR_CRYPTO, "th_x509_set_pubkey: X509_set_pubkey failed");
  th__x509_touch(cert->x509);
  return TH_OK;
}
