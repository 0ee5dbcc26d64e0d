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
/* th_pkey_up_ref (beyond the spec: Python's reference counting) takes
 * another reference the caller frees; returns pkey, or NULL (no error
 * recorded) when pkey is NULL or not a PKey. */
th_pkey *th_pkey_up_ref(th_pkey *pkey);

/* th_pkey_from_evp mirrors PKey.from_cryptography_key: wraps evp, taking a
 * new reference to it (the caller keeps its own and frees the result with
 * th_pkey_free). The key counts as public-only when it has no private part.
 * NULL with TH_ERR_TYPE (NULL evp), TH_ERR_CRYPTO (up-ref failed),
 * TH_ERR_NOMEM. */
th_pkey *th_pkey_from_evp(EVP_PKEY *evp);
/* th_pkey_to_evp mirrors PKey.to_cryptography_key: returns a new reference
 * to the underlying EVP_PKEY (caller frees with EVP_PKEY_free). NULL with
 * TH_ERR_TYPE for NULL/wrong type, TH_ERR_VALUE for an uninitialized key. */
EVP_PKEY *th_pkey_to_evp(const th_pkey *pkey);

/* th_pkey_new mirrors PKey(): a new, uninitialized key (no key material
 * until generate_key). Caller frees with th_pkey_free. NULL with
 * TH_ERR_NOMEM. */
th_pkey *th_pkey_new(void);

/* th_pkey_generate_key mirrors PKey.generate_key(type, bits): generates a
 * key pair "into" pkey, replacing what it held.
 *   TH_TYPE_RSA     bits 1..16384 (exponent 65537); OpenSSL 3 generates
 *                   none under 512 bits (TH_ERR_CRYPTO, "key size too
 *                   small"; pyOpenSSL 16.1 on OpenSSL 1.0 made them)
 *   TH_TYPE_DSA     bits 1..10000 (parameters generated too: slow above
 *                   1024); OpenSSL refuses sizes it cannot make (TH_ERR_CRYPTO)
 *   TH_TYPE_EC      beyond the spec: bits 256, 384 or 521 pick P-256,
 *                   P-384, P-521
 *   TH_TYPE_ED25519 / TH_TYPE_ED448  beyond the spec: bits 0 or the key's
 *                   own size (256 / 456)
 * Errors (pkey unchanged): TH_ERR_TYPE (NULL/wrong object), TH_ERR_VALUE
 * (bad bits: "Invalid number of bits"; RSA above 16384 or DSA above 10000
 * bits, OpenSSL's own limits, refused before any work), TH_ERR_CRYPTO ("No such key type",
 * as pyOpenSSL raises crypto.Error for an unknown type; OpenSSL failed). */
int th_pkey_generate_key(th_pkey *pkey, int type, int bits);

/* th_pkey_bits mirrors PKey.bits(): the key size in bits (0 for an
 * uninitialized key, as pyOpenSSL). Negative th_err: TH_ERR_TYPE. */
int th_pkey_bits(const th_pkey *pkey);

/* th_pkey_type mirrors PKey.type(): TH_TYPE_RSA, TH_TYPE_DSA, ... (the
 * EVP_PKEY base id; 0 for an uninitialized key, as pyOpenSSL). Negative
 * th_err: TH_ERR_TYPE. */
int th_pkey_type(const th_pkey *pkey);

/* th_pkey_check mirrors PKey.check(): 1 (True) when the RSA private key is
 * consistent. TH_ERR_CRYPTO when it is not; TH_ERR_TYPE for NULL/wrong
 * object, a public-only key ("public key only"), an uninitialized key or a
 * key that is not RSA ("key type unsupported"), as pyOpenSSL. */
int th_pkey_check(const th_pkey *pkey);

/* th_pkey_only_public: beyond the spec, 1 when pkey has no private part
 * (loaded from a public key or taken from a certificate), 0 when it has,
 * TH_ERR_TYPE for NULL/wrong object, TH_ERR_VALUE when uninitialized. */
int th_pkey_only_public(const th_pkey *pkey);

#ifdef __cplusplus
}
#endif
#endif
