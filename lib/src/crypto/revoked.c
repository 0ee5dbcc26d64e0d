/* revoked.c — crypto.Revoked: one entry of a certificate revocation list. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto_internal.h"
#include "tlsharness/crl.h"

static void revoked_destroy(void *self) { X509_REVOKED_free(((th_revoked *)self)->rev); }

const th_type TH_TYPE_REVOKED = {"Revoked", revoked_destroy};

TH_DEFINE_REFCOUNT(revoked, th_revoked, TH_TYPE_REVOKED)

/* pyOpenSSL's _crl_reasons: the index is the CRLReason code. removeFromCRL
 * (8) is left out there too: it only belongs in delta CRLs. */
static const char *const reasons[] = {"unspecified",        "keyCompromise", "CACompromise",
                                      "affiliationChanged", "superseded",    "cessationOfOperation",
                                      "certificateHold"};
#define NREASONS (sizeof reasons / sizeof reasons[0])

th_revoked *th_revoked_new(void) {
  X509_REVOKED *r = X509_REVOKED_new();
  if (r == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_revoked_new: X509_REVOKED_new failed");
    return NULL;
  }
  th_revoked *w = th__obj_new(&TH_TYPE_REVOKED, sizeof *w);
  if (w == NULL) {
    X509_REVOKED_free(r);
    return NULL;
  }
  w->rev = r;
  return w;
}

static void bytes_item_free(void *p) { th_bytes_free(p); }

th_list *th_revoked_all_reasons(void) {
  th_list *l = th__list_new(bytes_item_free);
  if (l == NULL) return NULL;
  for (size_t i = 0; i < NREASONS; i++) {
    th_bytes *b = th_bytes_new(reasons[i], strlen(reasons[i]));
    if (b == NULL || th__list_push(l, b) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

/* reason_code compares as pyOpenSSL does: lower case, spaces removed. */
static int reason_code(const char *reason) {
  char norm[64];
  size_t n = 0;
  for (const char *p = reason; *p != '\0'; p++) {
    if (*p == ' ') continue;
    if (n + 1 >= sizeof norm) return -1;
    norm[n++] = *p;
  }
  norm[n] = '\0';
  for (size_t i = 0; i < NREASONS; i++)
    if (strcasecmp(norm, reasons[i]) == 0) return (int)i;
  return -1;
}

int th_revoked_set_reason(th_revoked *rev, const char *reason) {
  TH_CHECK(rev, &TH_TYPE_REVOKED);
  if (reason == NULL) {
    int i = X509_REVOKED_get_ext_by_NID(rev->rev, NID_crl_reason, -1);
    if (i >= 0) X509_EXTENSION_free(X509_REVOKED_delete_ext(rev->rev, i));
    return TH_OK;
  }
  int code = reason_code(reason);
  if (code < 0) return th__err(TH_ERR_VALUE, "th_revoked_set_reason: unknown reason '%s'", reason);
  ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();
  int ok = e != NULL && ASN1_ENUMERATED_set(e, code) &&
           X509_REVOKED_add1_ext_i2d(rev->rev, NID_crl_reason, e, 0, X509V3_ADD_REPLACE) == 1;
  ASN1_ENUMERATED_free(e);
  return ok ? TH_OK : th__err_ossl(TH_ERR_CRYPTO, "th_revoked_set_reason: cannot set the reason");
}

int th_revoked_get_reason(const th_revoked *rev, th_bytes **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(rev, &TH_TYPE_REVOKED);
  int i = X509_REVOKED_get_ext_by_NID(rev->rev, NID_crl_reason, -1);
  if (i < 0) return TH_OK;
  X509_EXTENSION *ext = X509_REVOKED_get_ext(rev->rev, i);
  BIO *bio = th__mem_bio(__func__);
  if (bio == NULL) return TH_ERR_NOMEM;
  /* Like pyOpenSSL: OpenSSL's printed form, or the raw value if it has no
   * printer for it. */
  int ok = X509V3_EXT_print(bio, ext, 0, 0) || ASN1_STRING_print(bio, X509_EXTENSION_get_data(ext));
  *out = th__bio_done(bio, ok, __func__, "cannot print the reason");
  return *out == NULL ? th_error_kind() : TH_OK;
}

int th_revoked_set_rev_date(th_revoked *rev, const char *when) {
  TH_CHECK(rev, &TH_TYPE_REVOKED);
  ASN1_TIME *t = th__time_parse(when, __func__);
  if (t == NULL) return th_error_kind();
  int ok = X509_REVOKED_set_revocationDate(rev->rev, t);
  ASN1_TIME_free(t);
  return ok ? TH_OK : th__err_ossl(TH_ERR_NOMEM, "th_revoked_set_rev_date: failed");
}

int th_revoked_get_rev_date(const th_revoked *rev, th_bytes **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(rev, &TH_TYPE_REVOKED);
  /* Normalised to UTC ("...Z"), unlike X509's times (docs/compat.md, "Other differences from
   * 16.1 worth knowing"). */
  return th__time_text(X509_REVOKED_get0_revocationDate(rev->rev), 0, out, __func__);
}

int th_revoked_set_serial(th_revoked *rev, const char *hex_str) {
  TH_CHECK(rev, &TH_TYPE_REVOKED);
  TH_CHECK_ARG(hex_str);
  size_t n = strlen(hex_str);
  /* BN_hex2bn stops at the first non-hex character; be strict instead, so
   * that "12xy" is an error rather than serial 0x12. */
  if (n == 0 || n > 4096 || strspn(hex_str, "0123456789abcdefABCDEF") != n)
    return th__err(TH_ERR_VALUE, "th_revoked_set_serial: bad hex string '%.64s'", hex_str);
  BIGNUM *bn = NULL;
  if (!BN_hex2bn(&bn, hex_str)) return th__err_ossl(TH_ERR_NOMEM, "th_revoked_set_serial: BN");
  ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
  BN_free(bn);
  int ok = ai != NULL && X509_REVOKED_set_serialNumber(rev->rev, ai);
  ASN1_INTEGER_free(ai);
  return ok ? TH_OK : th__err_ossl(TH_ERR_NOMEM, "th_revoked_set_serial: failed");
}

th_bytes *th_revoked_get_serial(const th_revoked *rev) {
  TH_CHECK_NULL(rev, &TH_TYPE_REVOKED);
  BIO *bio = th__mem_bio(__func__);
  if (bio == NULL) return NULL;
  int ok = i2a_ASN1_INTEGER(bio, X509_REVOKED_get0_serialNumber(rev->rev)) >= 0;
  return th__bio_done(bio, ok, __func__, "cannot print the serial");
}
