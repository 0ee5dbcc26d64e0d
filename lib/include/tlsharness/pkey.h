/* tlsharness/pkey.h — crypto.PKey: a public/private key pair. */
#ifndef TLSHARNESS_PKEY_H
#define TLSHARNESS_PKEY_H

#include <openssl/evp.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_pkey_free drops the caller's reference (NULL-safe). */
void th_pkey_free(th_pkey *pkey);
/* th_pkey_up_ref takes another reference; returns pkey (NULL if not a PKey). */
th_pkey *th_pkey_up_ref(th_pkey *pkey);

/* th_pkey_from_evp mirrors PKey.from_cryptography_key: wraps evp, taking a
 * new reference to it (the caller keeps its own). NULL with TH_ERR_TYPE for
 * NULL. The key counts as public-only when it has no private part. */
th_pkey *th_pkey_from_evp(EVP_PKEY *evp);
/* th_pkey_to_evp mirrors PKey.to_cryptography_key: returns a new reference
 * to the underlying EVP_PKEY (caller frees with EVP_PKEY_free). NULL with
 * TH_ERR_TYPE for NULL/wrong type, TH_ERR_VALUE for an uninitialized key. */
EVP_PKEY *th_pkey_to_evp(const th_pkey *pkey);

#ifdef __cplusplus
}
#endif
#endif
