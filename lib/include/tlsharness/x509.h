/* tlsharness/x509.h — crypto.X509: an X.509 certificate. */
#ifndef TLSHARNESS_X509_H
#define TLSHARNESS_X509_H

#include <openssl/x509.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_x509_free drops the caller's reference (NULL-safe). */
void th_x509_free(th_x509 *cert);
/* th_x509_up_ref takes another reference; returns cert (NULL if not an X509). */
th_x509 *th_x509_up_ref(th_x509 *cert);

/* th_x509_from_x509 mirrors X509.from_cryptography: wraps x, taking a new
 * reference (the caller keeps its own). NULL with TH_ERR_TYPE for NULL. */
th_x509 *th_x509_from_x509(X509 *x);
/* th_x509_to_x509 mirrors X509.to_cryptography: a new reference to the
 * underlying X509 (caller frees with X509_free); NULL with TH_ERR_TYPE. */
X509 *th_x509_to_x509(const th_x509 *cert);

#ifdef __cplusplus
}
#endif
#endif
