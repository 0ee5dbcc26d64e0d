/* ocsp.c — stapled OCSP responses for revoked-ocsp-stapled and
 * ocsp-stapled-good.
 *
 * The library has no OCSP response builder (pyOpenSSL has none either: it
 * only staples bytes), so this file uses raw OpenSSL's OCSP_* functions
 * through the escape hatches th_x509_to_x509 / th_pkey_to_evp. The response
 * is signed by the certificate's own issuer (an "authorized responder" by
 * RFC 6960 4.2.2.2) and carries its certificate; thisUpdate 2024-01-01,
 * nextUpdate 2099-12-31, a revocation (keyCompromise) dated 2024-01-01. */
#include <openssl/ocsp.h>
#include <stdlib.h>
#include <string.h>

#include "tools/badssl/badssl.h"

static ASN1_GENERALIZEDTIME *gtime(const char *text) {
  ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
  if (t != NULL && !ASN1_GENERALIZEDTIME_set_string(t, text)) {
    ASN1_GENERALIZEDTIME_free(t);
    return NULL;
  }
  return t;
}

static int encode(OCSP_BASICRESP *basic, unsigned char **der, size_t *len) {
  OCSP_RESPONSE *resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
  unsigned char *p = NULL;
  int n = resp ? i2d_OCSP_RESPONSE(resp, &p) : -1;
  OCSP_RESPONSE_free(resp);
  if (n <= 0) return -1;
  *der = malloc((size_t)n);
  if (*der != NULL) memcpy(*der, p, (size_t)n);
  OPENSSL_free(p);
  *len = (size_t)n;
  return *der ? 0 : -1;
}

int bs_ocsp_response(const th_fixtures_cert *cert, th_fixtures_cert *issuer, int revoked,
                     unsigned char **der, size_t *len) {
  th_x509 *tc = th_fixtures_cert_x509(cert), *ti = th_fixtures_cert_x509(issuer);
  th_pkey *tk = th_fixtures_cert_pkey(issuer);
  X509 *x = tc ? th_x509_to_x509(tc) : NULL, *ix = ti ? th_x509_to_x509(ti) : NULL;
  EVP_PKEY *key = tk ? th_pkey_to_evp(tk) : NULL;
  OCSP_BASICRESP *basic = OCSP_BASICRESP_new();
  OCSP_CERTID *id = x && ix ? OCSP_cert_to_id(EVP_sha1(), x, ix) : NULL;
  ASN1_GENERALIZEDTIME *this_upd = gtime("20240101000000Z"), *next = gtime("20991231235959Z");
  int rc = -1;
  if (key != NULL && basic != NULL && id != NULL && this_upd != NULL && next != NULL &&
      OCSP_basic_add1_status(basic, id,
                             revoked ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD,
                             revoked ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : -1,
                             revoked ? this_upd : NULL, this_upd, next) != NULL &&
      OCSP_basic_sign(basic, ix, key, EVP_sha256(), NULL, 0) == 1)
    rc = encode(basic, der, len);
  ASN1_GENERALIZEDTIME_free(this_upd);
  ASN1_GENERALIZEDTIME_free(next);
  OCSP_CERTID_free(id);
  OCSP_BASICRESP_free(basic);
  EVP_PKEY_free(key);
  X509_free(x);
  X509_free(ix);
  th_pkey_free(tk);
  th_x509_free(tc);
  th_x509_free(ti);
  return rc == 0 ? TH_OK : TH_ERR_CRYPTO;
}
