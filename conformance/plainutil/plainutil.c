/* plainutil.c — see plainutil.h. */
#include "plainutil.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

const char *pu_current = "";
int pu_checks, pu_failures;

SSL_CTX *pu_server_ctx(const char *cn) {
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *cert = X509_new();
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  X509_NAME *name = cert != NULL ? X509_get_subject_name(cert) : NULL;
  int ok = key != NULL && cert != NULL && ctx != NULL &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) &&
           X509_set_issuer_name(cert, name) && ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) &&
           X509_gmtime_adj(X509_getm_notBefore(cert), -60) != NULL &&
           X509_gmtime_adj(X509_getm_notAfter(cert), 3600) != NULL && X509_set_pubkey(cert, key) &&
           X509_sign(cert, key, EVP_sha256()) > 0 && SSL_CTX_use_certificate(ctx, cert) == 1 &&
           SSL_CTX_use_PrivateKey(ctx, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}
