/* x509_extension.c — crypto.X509Extension. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "crypto_internal.h"
#include "tlsharness/x509_extension.h"

th_x509_extension *th_x509_extension_from_x509_extension(const X509_EXTENSION *ext) {
  TH_CHECK_ARG_NULL(ext);
  X509_EXTENSION *copy = X509_EXTENSION_dup(ext);
  if (copy == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_x509_extension_from_x509_extension: dup failed");
    return NULL;
  }
  return th__x509_extension_wrap(copy);
}

X509_EXTENSION *th_x509_extension_to_x509_extension(const th_x509_extension *ext) {
  TH_CHECK_NULL(ext, &TH_TYPE_X509_EXTENSION);
  X509_EXTENSION *copy = X509_EXTENSION_dup(ext->ext);
  if (copy == NULL) th__err_ossl(TH_ERR_NOMEM, "th_x509_extension_to_x509_extension: dup failed");
  return copy;
}

th_x509_extension *th_x509_extension_new(const char *type_name, int critical, const char *value,
                                         const th_x509 *subject, const th_x509 *issuer) {
  TH_CHECK_ARG_NULL(type_name);
  TH_CHECK_ARG_NULL(value);
  if (subject != NULL) TH_CHECK_NULL(subject, &TH_TYPE_X509);
  if (issuer != NULL) TH_CHECK_NULL(issuer, &TH_TYPE_X509);
  /* As pyOpenSSL: criticality is the "critical," prefix of the value. */
  size_t n = strlen(value) + sizeof "critical,";
  char *full = th__malloc(n);
  if (full == NULL) {
    th__err(TH_ERR_NOMEM, "th_x509_extension_new: out of memory");
    return NULL;
  }
  snprintf(full, n, "%s%s", critical ? "critical," : "", value);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != NULL ? issuer->x509 : NULL,
                 subject != NULL ? subject->x509 : NULL, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_nconf(NULL, &ctx, type_name, full);
  th__free(full);
  if (ext == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_extension_new: cannot make extension %s = %s", type_name,
                 value);
    return NULL;
  }
  return th__x509_extension_wrap(ext);
}

/* san_print writes a subjectAltName as pyOpenSSL 16.1's
 * _subjectAltNameString does (it does not use OpenSSL's printer for SAN):
 * email, DNS and URI entries as "label:" and their raw bytes (a NUL byte
 * included), every other entry through GENERAL_NAME_print, joined by ", ";
 * an empty SAN is "". Returns 1, or 0 when the value cannot be decoded. */
static int san_print(BIO *bio, X509_EXTENSION *ext) {
  GENERAL_NAMES *names = X509V3_EXT_d2i(ext);
  if (names == NULL) return 0;
  int ok = 1;
  for (int i = 0; ok && i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
    const char *label = gn->type == GEN_EMAIL ? "email"
                        : gn->type == GEN_DNS ? "DNS"
                        : gn->type == GEN_URI ? "URI"
                                              : NULL;
    if (i > 0) ok = BIO_write(bio, ", ", 2) == 2;
    if (!ok) break;
    if (label == NULL) {
      ok = GENERAL_NAME_print(bio, (GENERAL_NAME *)gn) > 0;
      continue;
    }
    const ASN1_IA5STRING *v = gn->d.ia5;
    int n = ASN1_STRING_length(v);
    ok = BIO_printf(bio, "%s:", label) > 0 &&
         (n == 0 || BIO_write(bio, ASN1_STRING_get0_data(v), n) == n);
  }
  GENERAL_NAMES_free(names);
  return ok;
}

th_bytes *th_x509_extension_str(const th_x509_extension *ext) {
  TH_CHECK_NULL(ext, &TH_TYPE_X509_EXTENSION);
  BIO *bio = th__mem_bio(__func__);
  if (bio == NULL) return NULL;
  if (OBJ_obj2nid(X509_EXTENSION_get_object(ext->ext)) == NID_subject_alt_name)
    return th__bio_done(bio, san_print(bio, ext->ext), __func__,
                        "cannot decode the subjectAltName");
  /* Success is > 0: with X509V3_EXT_DUMP_UNKNOWN, 3.0.19 and earlier return
   * the dump's byte count for an unknown extension, 3.0.20+ return 1. */
  int ok = X509V3_EXT_print(bio, ext->ext, X509V3_EXT_DUMP_UNKNOWN, 0) > 0;
  return th__bio_done(bio, ok, __func__, "X509V3_EXT_print failed");
}

int th_x509_extension_get_critical(const th_x509_extension *ext) {
  TH_CHECK(ext, &TH_TYPE_X509_EXTENSION);
  return X509_EXTENSION_get_critical(ext->ext) > 0;
}

th_bytes *th_x509_extension_get_data(const th_x509_extension *ext) {
  TH_CHECK_NULL(ext, &TH_TYPE_X509_EXTENSION);
  const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(ext->ext);
  return th_bytes_new(ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data));
}

th_bytes *th_x509_extension_get_short_name(const th_x509_extension *ext) {
  TH_CHECK_NULL(ext, &TH_TYPE_X509_EXTENSION);
  const char *sn = OBJ_nid2sn(OBJ_obj2nid(X509_EXTENSION_get_object(ext->ext)));
  return th_bytes_new(sn, strlen(sn));
}
