/* tlsharness/netscape_spki.h — crypto.NetscapeSPKI: a signed public key and
 * challenge (SPKAC), as made by the old <keygen> element. */
#ifndef TLSHARNESS_NETSCAPE_SPKI_H
#define TLSHARNESS_NETSCAPE_SPKI_H

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The spec's backwards-compatible name crypto.NetscapeSPKIType is
 * th_NetscapeSPKIType (types.h). */

/* th_netscape_spki_new mirrors NetscapeSPKI(): an empty SPKI. Caller frees
 * with th_netscape_spki_free. NULL with TH_ERR_NOMEM. */
th_netscape_spki *th_netscape_spki_new(void);

/* th_netscape_spki_from_b64 mirrors NetscapeSPKI(enc) of older pyOpenSSL:
 * parses the base64 text b64_encode produces (len bytes, no NUL needed).
 * Caller frees. NULL with TH_ERR_TYPE for NULL, TH_ERR_VALUE for an empty or
 * oversized input, TH_ERR_CRYPTO for text that is not a valid SPKI,
 * TH_ERR_NOMEM. */
th_netscape_spki *th_netscape_spki_from_b64(const char *b64, size_t len);

/* th_netscape_spki_free drops the caller's reference (NULL-safe). */
void th_netscape_spki_free(th_netscape_spki *spki);
/* th_netscape_spki_up_ref (beyond the spec) takes another reference the
 * caller frees; NULL (no error recorded) if not a NetscapeSPKI. */
th_netscape_spki *th_netscape_spki_up_ref(th_netscape_spki *spki);

/* th_netscape_spki_b64_encode mirrors NetscapeSPKI.b64_encode: the base64
 * text (no newlines), as new bytes the caller frees. NULL with TH_ERR_TYPE,
 * TH_ERR_CRYPTO (also for an empty SPKI, with no key and no signature:
 * OpenSSL 3 cannot encode it, where 16.1 on OpenSSL 1.0 could),
 * TH_ERR_NOMEM. */
th_bytes *th_netscape_spki_b64_encode(const th_netscape_spki *spki);

/* th_netscape_spki_get_pubkey mirrors NetscapeSPKI.get_pubkey: a new PKey
 * holding only the public key (caller frees). NULL with TH_ERR_TYPE,
 * TH_ERR_CRYPTO when the SPKI has no (valid) key, TH_ERR_NOMEM. */
th_pkey *th_netscape_spki_get_pubkey(const th_netscape_spki *spki);

/* th_netscape_spki_set_pubkey mirrors NetscapeSPKI.set_pubkey (the public
 * part of pkey is copied in). TH_OK; TH_ERR_TYPE for NULL/wrong types,
 * TH_ERR_VALUE for an uninitialized key, TH_ERR_CRYPTO if OpenSSL refuses;
 * unchanged on error. */
int th_netscape_spki_set_pubkey(th_netscape_spki *spki, const th_pkey *pkey);

/* th_netscape_spki_sign mirrors NetscapeSPKI.sign(pkey, digest). TH_OK;
 * TH_ERR_TYPE for NULL/wrong types or a NULL digest, TH_ERR_VALUE for an
 * uninitialized or public-only key or an unknown digest, TH_ERR_CRYPTO when
 * signing fails (e.g. an EC key with md5); the SPKI is unchanged on error. */
int th_netscape_spki_sign(th_netscape_spki *spki, const th_pkey *pkey, const char *digest);

/* th_netscape_spki_verify mirrors NetscapeSPKI.verify(key): 1 (True) when
 * the signature was made by key; TH_ERR_CRYPTO (crypto.Error) when it was
 * not or cannot be checked; TH_ERR_TYPE / TH_ERR_VALUE for bad arguments. */
int th_netscape_spki_verify(const th_netscape_spki *spki, const th_pkey *key);

#ifdef __cplusplus
}
#endif
#endif
