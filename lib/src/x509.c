/* x509.c — crypto.X509. */
#include <openssl/x509.h>

#include "internal.h"
#include "tlsharness/x509.h"

static void x509_destroy(void *self) { X509_free(((th_x509 *)self)->x509); }

const th_type TH_TYPE_X509 = {"X509", x509_destroy};

TH_DEFINE_REFCOUNT(x509, th_x509, TH_TYPE_X509)

th_x509 *th__x509_wrap(X509 *x) {
  if (x == NULL) {
    th__err(TH_ERR_NOMEM, "th__x509_wrap: no certificate");
    return NULL;
  }
  th_x509 *c = th__obj_new(&TH_TYPE_X509, sizeof *c);
  if (c == NULL) {
    X509_free(x);
    return NULL;
  }
  c->x509 = x;
  return c;
}

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
