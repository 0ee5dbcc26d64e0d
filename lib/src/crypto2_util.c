/* crypto2_util.c — helpers shared by the store, CRL, PKCS and SPKI files. */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto2_internal.h"

int th__c2_signing_key(const th_pkey *key, const char *func) {
  int rc = th__obj_check(key, &TH_TYPE_PKEY, func, "key");
  if (rc != TH_OK) return rc;
  if (key->pkey == NULL) return th__err(TH_ERR_VALUE, "%s: Key is uninitialized", func);
  if (key->only_public) return th__err(TH_ERR_VALUE, "%s: Key has only public part", func);
  return TH_OK;
}

/* pyOpenSSL hands the text to ASN1_GENERALIZEDTIME_set_string, so only the
 * GENERALIZEDTIME forms are accepted; OpenSSL checks the calendar fields. */
ASN1_TIME *th__c2_time_parse(const char *when, const char *func) {
  if (when == NULL) {
    th__err(TH_ERR_TYPE, "%s: when is NULL", func);
    return NULL;
  }
  ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
  if (t == NULL) {
    th__err(TH_ERR_NOMEM, "%s: out of memory", func);
    return NULL;
  }
  if (!ASN1_GENERALIZEDTIME_set_string(t, when)) {
    ASN1_GENERALIZEDTIME_free(t);
    th__err(TH_ERR_VALUE, "%s: Invalid string: '%s' is not an ASN.1 GENERALIZEDTIME", func, when);
    return NULL;
  }
  return t;
}

int th__c2_time_text(const ASN1_TIME *t, th_bytes **out, const char *func) {
  TH_CHECK_ARG(out);
  *out = NULL;
  if (t == NULL || ASN1_STRING_length(t) == 0) return TH_OK;
  ASN1_GENERALIZEDTIME *g = ASN1_TIME_to_generalizedtime(t, NULL);
  if (g == NULL) return th__err_ossl(TH_ERR_CRYPTO, "%s: cannot convert the time", func);
  *out = th_bytes_new(ASN1_STRING_get0_data(g), (size_t)ASN1_STRING_length(g));
  ASN1_GENERALIZEDTIME_free(g);
  return *out == NULL ? TH_ERR_NOMEM : TH_OK;
}

int th__c2_filetype_ok(int type, int allow_text, const char *func) {
  if (type == TH__FT_PEM || type == TH__FT_ASN1 || (allow_text && type == TH__FT_TEXT))
    return TH_OK;
  return th__err(TH_ERR_VALUE, "%s: type argument must be FILETYPE_PEM%s or FILETYPE_ASN1 (got %d)",
                 func, allow_text ? ", FILETYPE_TEXT" : "", type);
}

int th__c2_x509_stack(th_x509 *const *certs, size_t n, STACK_OF(X509) * *out, const char *func) {
  *out = NULL;
  if (certs == NULL && n > 0) return th__err(TH_ERR_TYPE, "%s: certificate array is NULL", func);
  for (size_t i = 0; i < n; i++)
    if (!th__obj_is(certs[i], &TH_TYPE_X509))
      return th__err(TH_ERR_TYPE, "%s: item %zu is not an X509", func, i);
  STACK_OF(X509) *sk = sk_X509_new_null();
  if (sk == NULL) return th__err(TH_ERR_NOMEM, "%s: out of memory", func);
  for (size_t i = 0; i < n; i++) {
    if (!X509_add_cert(sk, certs[i]->x509, X509_ADD_FLAG_UP_REF)) {
      sk_X509_pop_free(sk, X509_free);
      return th__err(TH_ERR_NOMEM, "%s: out of memory", func);
    }
  }
  *out = sk;
  return TH_OK;
}

static void x509_item_free(void *p) { th__obj_free(p); }

th_list *th__c2_x509_list(const STACK_OF(X509) * sk) {
  th_list *l = th__list_new(x509_item_free);
  if (l == NULL) return NULL;
  for (int i = 0; i < sk_X509_num(sk); i++) {
    X509 *x = sk_X509_value(sk, i);
    th_x509 *c = X509_up_ref(x) ? th__x509_wrap(x) : NULL;
    if (c == NULL || th__list_push(l, c) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

#include "tlsharness/crypto.h"
_Static_assert(TH__FT_PEM == TH_FILETYPE_PEM && TH__FT_ASN1 == TH_FILETYPE_ASN1 &&
                   TH__FT_TEXT == TH_FILETYPE_TEXT,
               "crypto2's file types must match crypto.h");
