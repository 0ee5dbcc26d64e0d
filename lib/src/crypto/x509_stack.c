/* crypto2_util.c — certificate-list helpers shared by the store, store
 * context and PKCS12 files (the checks both crypto halves use are in
 * crypto_common.c). */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto_internal.h"

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
