/* tlsharness/pkcs7.h — crypto.PKCS7 and crypto.load_pkcs7_data. */
#ifndef TLSHARNESS_PKCS7_H
#define TLSHARNESS_PKCS7_H

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The spec's backwards-compatible name crypto.PKCS7Type is th_PKCS7Type
 * (types.h). */

/* th_crypto_load_pkcs7_data mirrors crypto.load_pkcs7_data(type, buffer):
 * a PKCS#7 structure in PEM (TH_FILETYPE_PEM) or DER (TH_FILETYPE_ASN1).
 * A new PKCS7 the caller frees with th_pkcs7_free. NULL with TH_ERR_VALUE
 * for another type or an oversized len, TH_ERR_TYPE for a NULL buffer,
 * TH_ERR_CRYPTO for data OpenSSL cannot parse, TH_ERR_NOMEM. */
th_pkcs7 *th_crypto_load_pkcs7_data(int type, const unsigned char *buf, size_t len);

/* th_pkcs7_free drops the caller's reference (NULL-safe). */
void th_pkcs7_free(th_pkcs7 *p7);
/* th_pkcs7_up_ref (beyond the spec) takes another reference the caller
 * frees; NULL (no error recorded) if not a PKCS7. */
th_pkcs7 *th_pkcs7_up_ref(th_pkcs7 *p7);

/* th_pkcs7_type_is_signed, _enveloped, _signedAndEnveloped, _data mirror
 * PKCS7.type_is_*: 1 when the content type is signedData, envelopedData,
 * signedAndEnvelopedData or data, 0 otherwise; TH_ERR_TYPE for a NULL or
 * wrong-type object. */
int th_pkcs7_type_is_signed(const th_pkcs7 *p7);
int th_pkcs7_type_is_enveloped(const th_pkcs7 *p7);
int th_pkcs7_type_is_signedAndEnveloped(const th_pkcs7 *p7);
int th_pkcs7_type_is_data(const th_pkcs7 *p7);

/* th_pkcs7_get_type_name mirrors PKCS7.get_type_name: the short name of the
 * content type, e.g. "pkcs7-signedData", as new bytes the caller frees.
 * NULL with TH_ERR_TYPE, TH_ERR_NOMEM. */
th_bytes *th_pkcs7_get_type_name(const th_pkcs7 *p7);

#ifdef __cplusplus
}
#endif
#endif
