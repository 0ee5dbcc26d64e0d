/* tlsharness/pkcs12.h — crypto.PKCS12 and crypto.load_pkcs12.
 *
 * A PKCS12 holds four optional parts (certificate, private key, CA
 * certificates, friendly name) as objects; export() builds the DER file.
 * Getters whose spec result may be None take an out-parameter that gets
 * NULL for None. */
#ifndef TLSHARNESS_PKCS12_H
#define TLSHARNESS_PKCS12_H

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The spec's backwards-compatible name crypto.PKCS12Type is th_PKCS12Type
 * (types.h). */

/* th_crypto_load_pkcs12 mirrors crypto.load_pkcs12(buffer[, passphrase]):
 * parses a DER PKCS#12 file; passphrase may be NULL (no passphrase). The
 * MAC is always checked, so a file without one is refused. A new PKCS12 the
 * caller frees with th_pkcs12_free. NULL with TH_ERR_TYPE for a NULL
 * buffer, TH_ERR_VALUE for an oversized len, TH_ERR_CRYPTO for garbage, a
 * missing MAC or a wrong passphrase, TH_ERR_NOMEM. */
th_pkcs12 *th_crypto_load_pkcs12(const unsigned char *buf, size_t len, const char *passphrase);

/* th_pkcs12_new mirrors PKCS12(): every part unset. Caller frees with
 * th_pkcs12_free. NULL with TH_ERR_NOMEM. */
th_pkcs12 *th_pkcs12_new(void);
/* th_pkcs12_free drops the caller's reference (NULL-safe). */
void th_pkcs12_free(th_pkcs12 *p12);
/* th_pkcs12_up_ref (beyond the spec) takes another reference the caller
 * frees; NULL (no error recorded) if not a PKCS12. */
th_pkcs12 *th_pkcs12_up_ref(th_pkcs12 *p12);

/* Getters (PKCS12.get_certificate, get_privatekey, get_ca_certificates,
 * get_friendlyname): *out gets a new reference / a new list of th_x509 /
 * new bytes, which the caller frees, or NULL when the part is unset (None).
 * TH_OK; TH_ERR_TYPE for a NULL or wrong-type p12 or a NULL out,
 * TH_ERR_NOMEM. */
int th_pkcs12_get_certificate(const th_pkcs12 *p12, th_x509 **out);
int th_pkcs12_get_privatekey(const th_pkcs12 *p12, th_pkey **out);
int th_pkcs12_get_ca_certificates(const th_pkcs12 *p12, th_list **out);
int th_pkcs12_get_friendlyname(const th_pkcs12 *p12, th_bytes **out);

/* Setters (PKCS12.set_certificate, set_privatekey, set_ca_certificates,
 * set_friendlyname): the new part is referenced or copied; NULL (or n == 0
 * for the CA certificates) unsets it. TH_OK; TH_ERR_TYPE for a NULL or
 * wrong-type p12, a wrong-type part, a NULL list or name with n/len > 0 or
 * a NULL/wrong-type item; TH_ERR_VALUE for a friendly name with an embedded
 * NUL or longer than 65535 bytes (checked first: name must hold len bytes);
 * TH_ERR_NOMEM; p12 is unchanged on error. */
int th_pkcs12_set_certificate(th_pkcs12 *p12, th_x509 *cert);
int th_pkcs12_set_privatekey(th_pkcs12 *p12, th_pkey *pkey);
int th_pkcs12_set_ca_certificates(th_pkcs12 *p12, th_x509 *const *cacerts, size_t n);
int th_pkcs12_set_friendlyname(th_pkcs12 *p12, const unsigned char *name, size_t len);

/* Default arguments of PKCS12.export. */
#define TH_PKCS12_EXPORT_ITER 2048
#define TH_PKCS12_EXPORT_MACITER 1

/* th_pkcs12_export mirrors PKCS12.export(passphrase=None, iter=2048,
 * maciter=1): the DER PKCS#12 file (AES-256-CBC with PBKDF2 and an
 * HMAC-SHA256 MAC, OpenSSL 3's defaults). passphrase may be NULL (no
 * passphrase). New bytes the caller frees. NULL with TH_ERR_VALUE for iter
 * or maciter < 1 (a MAC is
 * always written, since load_pkcs12 requires one), TH_ERR_TYPE for a bad
 * p12, TH_ERR_CRYPTO when OpenSSL refuses (e.g. a key that does not match
 * the certificate, or nothing to export). */
th_bytes *th_pkcs12_export(const th_pkcs12 *p12, const char *passphrase, int iter, int maciter);

#ifdef __cplusplus
}
#endif
#endif
