/* x509_fields.c — crypto.X509: serial number, version, signature and
 * hashes (the rest of the class is in x509.c). */
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509.h"

th_bytes *th_x509_get_serial_number(const th_x509 *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert->x509), NULL);
  char *dec = bn != NULL ? BN_bn2dec(bn) : NULL;
  BN_free(bn);
  if (dec == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_get_serial_number: cannot read the serial");
    return NULL;
  }
  th_bytes *b = th_bytes_new(dec, strlen(dec));
  OPENSSL_free(dec);
  return b;
}

/* parse_serial reads "[-]digits" or "[-]0xhex" completely, or NULL. */
static BIGNUM *parse_serial(const char *s) {
  int neg = s[0] == '-';
  const char *p = s + neg;
  int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
  if (hex) p += 2;
  size_t n = strlen(p);
  if (n == 0 || n > 4096) return NULL;
  for (size_t i = 0; i < n; i++)
    if (hex ? !isxdigit((unsigned char)p[i]) : !isdigit((unsigned char)p[i])) return NULL;
  BIGNUM *bn = NULL;
  int used = hex ? BN_hex2bn(&bn, p) : BN_dec2bn(&bn, p);
  if (used != (int)n) {
    BN_free(bn);
    return NULL;
  }
  BN_set_negative(bn, neg);
  return bn;
}

static int set_serial_bn(th_x509 *cert, const BIGNUM *bn, const char *func) {
  ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
  int ok = ai != NULL && X509_set_serialNumber(cert->x509, ai);
  ASN1_INTEGER_free(ai);
  if (!ok) return th__err_ossl(TH_ERR_CRYPTO, "%s: cannot set the serial", func);
  th__x509_touch(cert->x509);
  return TH_OK;
}

int th_x509_set_serial_number(th_x509 *cert, const char *serial) {
  TH_CHECK(cert, &TH_TYPE_X509);
  TH_CHECK_ARG(serial);
  BIGNUM *bn = parse_serial(serial);
  if (bn == NULL)
    return th__err(TH_ERR_VALUE, "%s: '%.40s' is not a decimal or 0x-hex integer", __func__, serial);
  int rc = set_serial_bn(cert, bn, __func__);
  BN_free(bn);
  return rc;
}

int th_x509_set_serial_number_long(th_x509 *cert, long serial) {
  TH_CHECK(cert, &TH_TYPE_X509);
  BIGNUM *bn = BN_new();
  if (bn == NULL) return th__err_ossl(TH_ERR_NOMEM, "%s: out of memory", __func__);
  /* BN_set_word takes an unsigned magnitude; LONG_MIN's magnitude fits. */
  unsigned long mag = serial < 0 ? 0UL - (unsigned long)serial : (unsigned long)serial;
  int rc = BN_set_word(bn, mag) ? TH_OK : th__err_ossl(TH_ERR_NOMEM, "%s: out of memory", __func__);
  BN_set_negative(bn, serial < 0);
  if (rc == TH_OK) rc = set_serial_bn(cert, bn, __func__);
  BN_free(bn);
  return rc;
}

int th_x509_get_serial_number_long(const th_x509 *cert, long *out) {
  TH_CHECK(cert, &TH_TYPE_X509);
  TH_CHECK_ARG(out);
  int64_t v = 0;
  if (!ASN1_INTEGER_get_int64(&v, X509_get0_serialNumber(cert->x509)) || v > LONG_MAX ||
      v < LONG_MIN)
    return th__err_ossl(TH_ERR_VALUE, "%s: the serial does not fit a long", __func__);
  *out = (long)v;
  return TH_OK;
}

long th_x509_get_version(const th_x509 *cert) {
  TH_CHECK(cert, &TH_TYPE_X509);
  return X509_get_version(cert->x509);
}

int th_x509_set_version(th_x509 *cert, long version) {
  TH_CHECK(cert, &TH_TYPE_X509);
  if (version < 0) return th__err(TH_ERR_VALUE, "%s: negative version %ld", __func__, version);
  if (!X509_set_version(cert->x509, version))
    return th__err_ossl(TH_ERR_VALUE, "%s: OpenSSL rejects version %ld", __func__, version);
  th__x509_touch(cert->x509);
  return TH_OK;
}

th_bytes *th_x509_get_signature_algorithm(const th_x509 *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  /* The algorithm inside the signed part (TBSCertificate), as pyOpenSSL
   * reads cert_info->signature; the outer copy may differ. */
  /* Never NULL: the field is part of the X509 (an unset one has an empty
   * OID, NID_undef). */
  const ASN1_OBJECT *obj = NULL;
  X509_ALGOR_get0(&obj, NULL, NULL, X509_get0_tbs_sigalg(cert->x509));
  int nid = OBJ_obj2nid(obj);
  if (nid == NID_undef) {
    th__err(TH_ERR_VALUE, "th_x509_get_signature_algorithm: Undefined signature algorithm");
    return NULL;
  }
  const char *ln = OBJ_nid2ln(nid);
  return th_bytes_new(ln, strlen(ln));
}

int th_x509_sign(th_x509 *cert, const th_pkey *pkey, const char *digest) {
  TH_CHECK(cert, &TH_TYPE_X509);
  int rc = th__pkey_usable(pkey, 1, __func__);
  const EVP_MD *md = NULL;
  if (rc == TH_OK) rc = th__sign_digest(pkey, digest, &md, __func__);
  if (rc != TH_OK) return rc;
  /* Every argument is checked above, before OpenSSL touches the fields. */
  const ASN1_BIT_STRING *sig;
  const X509_ALGOR *alg, *tbs_alg = X509_get0_tbs_sigalg(cert->x509);
  X509_get0_signature(&sig, &alg, cert->x509);
  th__sig_copy old;
  if ((rc = th__sig_save(&old, alg, tbs_alg, sig, __func__)) != TH_OK) return rc;
  if (X509_sign(cert->x509, pkey->pkey, md) <= 0) {
    rc = th__err_ossl(TH_ERR_CRYPTO, "%s: signing failed", __func__);
    th__sig_restore(&old, alg, tbs_alg, sig);
    return rc;
  }
  th__sig_drop(&old);
  return TH_OK;
}

int th_x509_subject_name_hash(const th_x509 *cert, unsigned long *hash) {
  TH_CHECK(cert, &TH_TYPE_X509);
  TH_CHECK_ARG(hash);
  int ok = 0;
  unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(cert->x509), NULL, NULL, &ok);
  if (!ok) return th__err_ossl(TH_ERR_CRYPTO, "%s: cannot hash the subject", __func__);
  *hash = h;
  return TH_OK;
}
