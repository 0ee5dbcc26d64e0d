/* tlsharness/x509_extension.h — crypto.X509Extension: one X.509 v3
 * extension. */
#ifndef TLSHARNESS_X509_EXTENSION_H
#define TLSHARNESS_X509_EXTENSION_H

#include <openssl/x509.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_x509_extension_free drops the caller's reference (NULL-safe). */
void th_x509_extension_free(th_x509_extension *ext);
/* th_x509_extension_up_ref (beyond the spec) takes another reference the
 * caller frees; NULL (no error recorded) if not an X509Extension. */
th_x509_extension *th_x509_extension_up_ref(th_x509_extension *ext);

/* th_x509_extension_new mirrors X509Extension(type_name, critical, value,
 * subject=None, issuer=None): the extension type_name (an x509v3_config
 * name such as "basicConstraints", "subjectAltName", "keyUsage") with
 * value in x509v3_config syntax ("CA:true", "DNS:example.com"), critical
 * when critical is non-zero. subject and issuer (may be NULL) are the
 * certificates values such as "hash" and "keyid:always" refer to. Caller
 * frees. NULL with TH_ERR_TYPE (NULL type_name/value, subject or issuer not
 * an X509), TH_ERR_CRYPTO (unknown extension, bad value, a value that needs
 * a missing subject/issuer), TH_ERR_NOMEM. */
th_x509_extension *th_x509_extension_new(const char *type_name, int critical, const char *value,
                                         const th_x509 *subject, const th_x509 *issuer);

/* th_x509_extension_str mirrors str(ext): the extension's text as
 * X509V3_EXT_print writes it ("CA:TRUE"; unknown extensions as a hex dump),
 * except subjectAltName, which pyOpenSSL 16.1 writes itself: "email:",
 * "DNS:" and "URI:" entries followed by their raw bytes (an embedded NUL
 * included: use len), every other entry as GENERAL_NAME_print writes it
 * ("IP Address:10.0.0.1", "DirName:C = US, CN = x", "othername:..."),
 * joined by ", "; an empty SAN gives "". Caller frees. NULL with
 * TH_ERR_TYPE, TH_ERR_CRYPTO (a value that does not decode). */
th_bytes *th_x509_extension_str(const th_x509_extension *ext);

/* th_x509_extension_get_critical mirrors get_critical(): 1 or 0;
 * TH_ERR_TYPE. */
int th_x509_extension_get_critical(const th_x509_extension *ext);

/* th_x509_extension_get_data mirrors get_data(): the DER of the value (the
 * content of extnValue). Caller frees. NULL with TH_ERR_TYPE, TH_ERR_NOMEM. */
th_bytes *th_x509_extension_get_data(const th_x509_extension *ext);

/* th_x509_extension_get_short_name mirrors get_short_name(): e.g.
 * "basicConstraints" ("UNDEF" for an OID OpenSSL does not know, as
 * pyOpenSSL). Caller frees. NULL with TH_ERR_TYPE. */
th_bytes *th_x509_extension_get_short_name(const th_x509_extension *ext);

/* Escape hatches (beyond the spec): th_x509_extension_from_x509_extension
 * wraps a copy of ext (caller frees with th_x509_extension_free; NULL with
 * TH_ERR_TYPE for NULL, TH_ERR_NOMEM); th_x509_extension_to_x509_extension
 * returns a new copy (caller frees with X509_EXTENSION_free; NULL with
 * TH_ERR_TYPE, TH_ERR_NOMEM). */
th_x509_extension *th_x509_extension_from_x509_extension(const X509_EXTENSION *ext);
X509_EXTENSION *th_x509_extension_to_x509_extension(const th_x509_extension *ext);

#ifdef __cplusplus
}
#endif
#endif
