/* crl.c — crypto.CRL, crypto.dump_crl and crypto.load_crl. */
#include <limits.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/crl.h"

static void crl_destroy(void *self) { X509_CRL_free(((th_crl *)self)->crl); }

const th_type TH_TYPE_CRL = {"CRL", crl_destroy};

TH_DEFINE_REFCOUNT(crl, th_crl, TH_TYPE_CRL)

TH_DEFINE_WRAP(th__crl_wrap, th_crl, TH_TYPE_CRL, crl, X509_CRL, X509_CRL_free)

th_crl *th_crl_new(void) {
  X509_CRL *c = X509_CRL_new();
  if (c == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_crl_new: X509_CRL_new failed");
    return NULL;
  }
  return th__crl_wrap(c);
}

th_crl *th_crl_from_x509_crl(X509_CRL *c) {
  TH_CHECK_ARG_NULL(c);
  if (!X509_CRL_up_ref(c)) {
    th__err_ossl(TH_ERR_CRYPTO, "th_crl_from_x509_crl: X509_CRL_up_ref failed");
    return NULL;
  }
  return th__crl_wrap(c);
}

X509_CRL *th_crl_to_x509_crl(const th_crl *crl) {
  TH_CHECK_NULL(crl, &TH_TYPE_CRL);
  X509_CRL_up_ref(crl->crl);
  return crl->crl;
}

int th_crl_add_revoked(th_crl *crl, const th_revoked *revoked) {
  TH_CHECK(crl, &TH_TYPE_CRL);
  TH_CHECK(revoked, &TH_TYPE_REVOKED);
  const ASN1_TIME *when = X509_REVOKED_get0_revocationDate(revoked->rev);
  if (when == NULL || ASN1_STRING_length(when) == 0)
    return th__err(TH_ERR_VALUE, "th_crl_add_revoked: the revocation has no date (set_rev_date)");
  X509_REVOKED *copy = X509_REVOKED_dup(revoked->rev);
  if (copy == NULL) return th__err_ossl(TH_ERR_NOMEM, "th_crl_add_revoked: copy failed");
  if (!X509_CRL_add0_revoked(crl->crl, copy)) {
    X509_REVOKED_free(copy);
    return th__err_ossl(TH_ERR_NOMEM, "th_crl_add_revoked: OpenSSL refused the entry");
  }
  return TH_OK;
}

static void revoked_item_free(void *p) { th__obj_free(p); }

int th_crl_get_revoked(const th_crl *crl, th_list **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(crl, &TH_TYPE_CRL);
  STACK_OF(X509_REVOKED) *sk = X509_CRL_get_REVOKED(crl->crl);
  if (sk_X509_REVOKED_num(sk) <= 0) return TH_OK;
  th_list *l = th__list_new(revoked_item_free);
  if (l == NULL) return TH_ERR_NOMEM;
  for (int i = 0; i < sk_X509_REVOKED_num(sk); i++) {
    th_revoked *r = th__obj_new(&TH_TYPE_REVOKED, sizeof *r);
    if (r != NULL && (r->rev = X509_REVOKED_dup(sk_X509_REVOKED_value(sk, i))) == NULL) {
      th__obj_free(r);
      r = NULL;
    }
    /* th__list_push frees r itself when it fails. */
    if (r == NULL || th__list_push(l, r) != TH_OK) {
      th_list_free(l);
      return th__err(TH_ERR_NOMEM, "th_crl_get_revoked: out of memory");
    }
  }
  *out = l;
  return TH_OK;
}

th_x509_name *th_crl_get_issuer(const th_crl *crl) {
  TH_CHECK_NULL(crl, &TH_TYPE_CRL);
  X509_NAME *n = X509_NAME_dup(X509_CRL_get_issuer(crl->crl));
  if (n == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_crl_get_issuer: X509_NAME_dup failed");
    return NULL;
  }
  return th__x509_name_wrap_owned(n);
}

static int set_time(th_crl *crl, const char *when, int next, const char *func) {
  TH_CHECK(crl, &TH_TYPE_CRL);
  ASN1_TIME *t = th__time_parse(when, func);
  if (t == NULL) return th_error_kind();
  int ok = next ? X509_CRL_set1_nextUpdate(crl->crl, t) : X509_CRL_set1_lastUpdate(crl->crl, t);
  ASN1_TIME_free(t);
  return ok ? TH_OK : th__err_ossl(TH_ERR_NOMEM, "%s: cannot set the time", func);
}

int th_crl_set_lastUpdate(th_crl *crl, const char *when) {
  return set_time(crl, when, 0, __func__);
}

int th_crl_set_nextUpdate(th_crl *crl, const char *when) {
  return set_time(crl, when, 1, __func__);
}

int th_crl_set_version(th_crl *crl, long version) {
  TH_CHECK(crl, &TH_TYPE_CRL);
  if (version != 0 && version != 1)
    return th__err(TH_ERR_VALUE, "th_crl_set_version: version %ld is not 0 (v1) or 1 (v2)",
                   version);
  if (!X509_CRL_set_version(crl->crl, version))
    return th__err_ossl(TH_ERR_NOMEM, "th_crl_set_version: failed");
  return TH_OK;
}

/* can_sign tells whether key can sign a CRL with md, by signing a scratch
 * CRL: OpenSSL refuses a pair such as (EC key, md5) only inside
 * X509_CRL_sign, after sign_checked has set the issuer (and export the
 * times), so sign and export ask first and fail with the CRL untouched. */
static int can_sign(const th_pkey *key, const EVP_MD *md, const char *func) {
  ERR_clear_error();
  X509_CRL *scratch = X509_CRL_new();
  ASN1_TIME *now = X509_gmtime_adj(NULL, 0);
  int ok = scratch != NULL && now != NULL && X509_CRL_set1_lastUpdate(scratch, now) &&
           X509_CRL_sign(scratch, key->pkey, md) > 0;
  ASN1_TIME_free(now);
  X509_CRL_free(scratch);
  if (!ok) return th__err_ossl(TH_ERR_CRYPTO, "%s: the key cannot sign with this digest", func);
  return TH_OK;
}

/* sign_checked: issuer name, sort (sign only: pyOpenSSL 16.1's export
 * keeps the revoked entries in the order they were added), sign — shared
 * by sign and export once every argument has been checked (can_sign
 * included). */
static int sign_checked(th_crl *crl, const th_x509 *cert, const th_pkey *key, const EVP_MD *md,
                        int sort, const char *func) {
  ERR_clear_error();
  /* A failure puts back the issuer, the outer algorithm and the signature
   * (th__sig_save). OpenSSL 3.0 has no accessor for the CRL's inner
   * algorithm field, so a failed sign can leave that one field set to the
   * new algorithm (docs/reliability.md); X509_CRL_dup cannot copy an
   * unsigned CRL, so signing a copy is no way out. */
  const ASN1_BIT_STRING *sig;
  const X509_ALGOR *alg;
  X509_CRL_get0_signature(crl->crl, &sig, &alg);
  X509_NAME *issuer = X509_NAME_dup(X509_CRL_get_issuer(crl->crl));
  if (issuer == NULL) return th__err_ossl(TH_ERR_NOMEM, "%s: out of memory", func);
  th__sig_copy old;
  int rc = th__sig_save(&old, alg, NULL, sig, func);
  if (rc == TH_OK &&
      (!X509_CRL_set_issuer_name(crl->crl, X509_get_subject_name(cert->x509)) ||
       (sort && !X509_CRL_sort(crl->crl)) || !X509_CRL_sign(crl->crl, key->pkey, md))) {
    rc = th__err_ossl(TH_ERR_CRYPTO, "%s: signing the CRL failed", func);
    X509_CRL_set_issuer_name(crl->crl, issuer);
    th__sig_restore(&old, alg, NULL, sig);
  } else if (rc == TH_OK) {
    th__sig_drop(&old);
  }
  X509_NAME_free(issuer);
  return rc;
}

int th_crl_sign(th_crl *crl, const th_x509 *issuer_cert, const th_pkey *issuer_key,
                const char *digest) {
  TH_CHECK(crl, &TH_TYPE_CRL);
  TH_CHECK(issuer_cert, &TH_TYPE_X509);
  int rc = th__pkey_usable(issuer_key, 1, __func__);
  if (rc != TH_OK) return rc;
  const EVP_MD *md = th__digest_by_name(digest, __func__);
  if (md == NULL) return th_error_kind();
  rc = can_sign(issuer_key, md, __func__);
  if (rc != TH_OK) return rc;
  return sign_checked(crl, issuer_cert, issuer_key, md, 1, __func__);
}

th_bytes *th_crl_export(th_crl *crl, const th_x509 *cert, const th_pkey *key, int type, int days,
                        const char *digest) {
  TH_CHECK_NULL(crl, &TH_TYPE_CRL);
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  if (th__pkey_usable(key, 1, __func__) != TH_OK) return NULL;
  if (th__filetype_ok(type, 1, __func__) != TH_OK) return NULL;
  if (days < -36525 || days > 36525) {
    th__err(TH_ERR_VALUE, "th_crl_export: days %d is beyond +-100 years", days);
    return NULL;
  }
  /* pyOpenSSL 16.1's default digest (with a DeprecationWarning there). */
  const EVP_MD *md = th__digest_by_name(digest != NULL ? digest : "md5", __func__);
  if (md == NULL || can_sign(key, md, __func__) != TH_OK) return NULL;
  ASN1_TIME *t = ASN1_TIME_new();
  int ok = t != NULL && X509_gmtime_adj(t, 0) && X509_CRL_set1_lastUpdate(crl->crl, t) &&
           X509_gmtime_adj(t, (long)days * 86400L) && X509_CRL_set1_nextUpdate(crl->crl, t);
  ASN1_TIME_free(t);
  if (!ok) {
    th__err_ossl(TH_ERR_NOMEM, "th_crl_export: cannot set the update times");
    return NULL;
  }
  if (sign_checked(crl, cert, key, md, 0, __func__) != TH_OK) return NULL;
  return th_crypto_dump_crl(type, crl);
}

th_bytes *th_crypto_dump_crl(int type, const th_crl *crl) {
  TH_CHECK_NULL(crl, &TH_TYPE_CRL);
  if (th__filetype_ok(type, 1, __func__) != TH_OK) return NULL;
  BIO *bio = th__mem_bio(__func__);
  if (bio == NULL) return NULL;
  ERR_clear_error();
  int ok = type == TH__FT_PEM    ? PEM_write_bio_X509_CRL(bio, crl->crl)
           : type == TH__FT_ASN1 ? i2d_X509_CRL_bio(bio, crl->crl)
                                 : X509_CRL_print(bio, crl->crl);
  return th__bio_done(bio, ok, __func__, "OpenSSL cannot encode the CRL");
}

th_crl *th_crypto_load_crl(int type, const unsigned char *buf, size_t len) {
  BIO *bio = th__load_bio(type, buf, len, 0, __func__);
  if (bio == NULL) return NULL;
  X509_CRL *c = type == TH__FT_PEM ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)
                                   : d2i_X509_CRL_bio(bio, NULL);
  BIO_free(bio);
  if (c == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_crypto_load_crl: cannot parse the CRL");
    return NULL;
  }
  return th__crl_wrap(c);
}
