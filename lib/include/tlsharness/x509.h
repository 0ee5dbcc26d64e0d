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
/* th_x509_up_ref (beyond the spec) takes another reference the caller
 * frees; returns cert, or NULL (no error recorded) if not an X509. */
th_x509 *th_x509_up_ref(th_x509 *cert);

/* th_x509_from_x509 mirrors X509.from_cryptography: wraps x, taking a new
 * reference (the caller keeps its own and frees the result with
 * th_x509_free). NULL with TH_ERR_TYPE (NULL x), TH_ERR_CRYPTO (up-ref
 * failed), TH_ERR_NOMEM. */
th_x509 *th_x509_from_x509(X509 *x);
/* th_x509_to_x509 mirrors X509.to_cryptography: a new reference to the
 * underlying X509 (caller frees with X509_free); NULL with TH_ERR_TYPE. */
X509 *th_x509_to_x509(const th_x509 *cert);

/* th_x509_new mirrors X509(): an empty certificate (version 1, serial 0,
 * no names, no validity times: get_notBefore gives None). Caller frees.
 * NULL with TH_ERR_NOMEM. */
th_x509 *th_x509_new(void);

/* th_x509_add_extensions mirrors X509.add_extensions(extensions): appends
 * the n extensions of exts (copied). TH_OK; TH_ERR_TYPE (NULL cert, NULL
 * exts with n > 0, an item that is NULL or not an X509Extension: nothing is
 * added then), TH_ERR_NOMEM. */
int th_x509_add_extensions(th_x509 *cert, th_x509_extension *const *exts, size_t n);

/* th_x509_digest mirrors X509.digest(digest_name): the digest of the DER
 * certificate as colon-separated upper-case hex pairs ("AB:CD:..."), the
 * `openssl x509 -fingerprint` form. Caller frees. NULL with TH_ERR_TYPE
 * (NULL/wrong object, NULL name), TH_ERR_VALUE ("No such digest method"),
 * TH_ERR_CRYPTO. */
th_bytes *th_x509_digest(const th_x509 *cert, const char *digest_name);

/* th_x509_get_extension mirrors X509.get_extension(index): a copy of
 * extension index. Caller frees. NULL with TH_ERR_TYPE, TH_ERR_INDEX (index
 * < 0 or >= the count), TH_ERR_NOMEM. */
th_x509_extension *th_x509_get_extension(const th_x509 *cert, int index);

/* th_x509_get_extension_count mirrors get_extension_count(): >= 0, or
 * TH_ERR_TYPE. */
int th_x509_get_extension_count(const th_x509 *cert);

/* th_x509_get_issuer / th_x509_get_subject mirror get_issuer() /
 * get_subject(): an X509Name that wraps the certificate's own name (changes
 * through it change the certificate; it keeps the certificate alive).
 * Caller frees. NULL with TH_ERR_TYPE, TH_ERR_NOMEM. */
th_x509_name *th_x509_get_issuer(th_x509 *cert);
th_x509_name *th_x509_get_subject(th_x509 *cert);

/* th_x509_set_issuer / th_x509_set_subject mirror set_issuer(issuer) /
 * set_subject(subject): copy name into the certificate. TH_OK;
 * TH_ERR_TYPE (NULL/wrong objects), TH_ERR_NOMEM. */
int th_x509_set_issuer(th_x509 *cert, const th_x509_name *issuer);
int th_x509_set_subject(th_x509 *cert, const th_x509_name *subject);

/* th_x509_get_notBefore / th_x509_get_notAfter mirror get_notBefore() /
 * get_notAfter(): *out gets the time as ASN.1 GENERALIZEDTIME text
 * ("YYYYMMDDhhmmssZ", or with a +hhmm / -hhmm offset as it was set), or
 * NULL (None) when the certificate has none. Caller frees *out. TH_OK;
 * TH_ERR_TYPE (NULL/wrong object, NULL out), TH_ERR_CRYPTO, TH_ERR_NOMEM. */
int th_x509_get_notBefore(const th_x509 *cert, th_bytes **out);
int th_x509_get_notAfter(const th_x509 *cert, th_bytes **out);

/* th_x509_set_notBefore / th_x509_set_notAfter mirror set_notBefore(when)
 * / set_notAfter(when): when is GENERALIZEDTIME text (YYYYMMDDhhmmssZ,
 * YYYYMMDDhhmmss+hhmm, YYYYMMDDhhmmss-hhmm), stored as given. TH_OK;
 * TH_ERR_TYPE (NULL/wrong object, NULL when), TH_ERR_VALUE ("Invalid string"),
 * TH_ERR_NOMEM; the certificate is unchanged on error. */
int th_x509_set_notBefore(th_x509 *cert, const char *when);
int th_x509_set_notAfter(th_x509 *cert, const char *when);

/* th_x509_gmtime_adj_notBefore / _notAfter mirror gmtime_adj_notBefore /
 * gmtime_adj_notAfter(amount): set the time to now + amount seconds (as
 * pyOpenSSL, relative to now, not to the old value). TH_OK; TH_ERR_TYPE;
 * TH_ERR_VALUE when the result is out of ASN.1 time range (e.g. LONG_MAX),
 * TH_ERR_NOMEM; the certificate is unchanged on error. */
int th_x509_gmtime_adj_notBefore(th_x509 *cert, long amount);
int th_x509_gmtime_adj_notAfter(th_x509 *cert, long amount);

/* th_x509_has_expired mirrors has_expired(): 1 when notAfter is in the
 * past, 0 otherwise. TH_ERR_TYPE; TH_ERR_VALUE when notAfter is absent or
 * unreadable. */
int th_x509_has_expired(const th_x509 *cert);

/* th_x509_get_pubkey mirrors get_pubkey(): the certificate's public key as
 * a new public-only PKey. Caller frees. NULL with TH_ERR_TYPE,
 * TH_ERR_CRYPTO (no or unreadable key). */
th_pkey *th_x509_get_pubkey(const th_x509 *cert);

/* th_x509_set_pubkey mirrors set_pubkey(pkey): stores pkey's public part.
 * TH_OK; TH_ERR_TYPE (NULL/wrong objects), TH_ERR_VALUE (uninitialized
 * key), TH_ERR_CRYPTO; the certificate is unchanged on error. */
int th_x509_set_pubkey(th_x509 *cert, const th_pkey *pkey);

/* th_x509_get_serial_number mirrors get_serial_number(): Python's int has
 * no C equivalent, so the serial comes back as decimal text ("-" for a
 * negative serial). Caller frees. NULL with TH_ERR_TYPE, TH_ERR_CRYPTO. */
th_bytes *th_x509_get_serial_number(const th_x509 *cert);
/* th_x509_set_serial_number mirrors set_serial_number(serial) with serial
 * as text: decimal ("12345678901234567890"), or hex with a 0x prefix
 * ("0x1F"), optionally with a leading "-". TH_OK; TH_ERR_TYPE (NULL/wrong
 * object, NULL serial), TH_ERR_VALUE (empty, not a number, or more than 4096
 * digits), TH_ERR_CRYPTO; unchanged on error. */
int th_x509_set_serial_number(th_x509 *cert, const char *serial);
/* Beyond the spec, for serials that fit a long: th_x509_set_serial_number_long
 * sets it (TH_OK; TH_ERR_TYPE, TH_ERR_NOMEM, TH_ERR_CRYPTO);
 * th_x509_get_serial_number_long stores it in *out (TH_OK; TH_ERR_TYPE for
 * NULL/wrong object or NULL out, TH_ERR_VALUE when it does not fit). */
int th_x509_set_serial_number_long(th_x509 *cert, long serial);
int th_x509_get_serial_number_long(const th_x509 *cert, long *out);

/* th_x509_get_version mirrors get_version(): the version field (0 for v1,
 * 2 for v3), or TH_ERR_TYPE. */
long th_x509_get_version(const th_x509 *cert);
/* th_x509_set_version mirrors set_version(version). TH_OK; TH_ERR_TYPE;
 * TH_ERR_VALUE for a negative version or one OpenSSL rejects; unchanged on
 * error. */
int th_x509_set_version(th_x509 *cert, long version);

/* th_x509_get_signature_algorithm mirrors get_signature_algorithm(): the
 * long name, e.g. "sha256WithRSAEncryption", of the algorithm inside the
 * signed part (TBSCertificate.signature, as pyOpenSSL reads it; the outer
 * copy may differ in a malformed certificate). Caller frees. NULL with
 * TH_ERR_TYPE, TH_ERR_VALUE ("Undefined signature algorithm", e.g. an
 * unsigned certificate or an OID OpenSSL does not know). */
th_bytes *th_x509_get_signature_algorithm(const th_x509 *cert);

/* th_x509_sign mirrors sign(pkey, digest): signs the certificate with
 * pkey's private key and digest (e.g. "sha256"; ignored and may be NULL for
 * Ed25519/Ed448 keys). TH_OK; TH_ERR_TYPE (NULL/wrong objects, NULL
 * digest), TH_ERR_VALUE ("Key only has public part", "Key is
 * uninitialized", "No such digest method"), TH_ERR_CRYPTO (OpenSSL
 * failed, e.g. a digest the key cannot use); the certificate, signature
 * included, is unchanged on error. */
int th_x509_sign(th_x509 *cert, const th_pkey *pkey, const char *digest);

/* th_x509_subject_name_hash mirrors subject_name_hash(): X509_subject_name_hash
 * (what `openssl x509 -subject_hash` prints) into *hash. TH_OK;
 * TH_ERR_TYPE (NULL/wrong object, NULL hash), TH_ERR_CRYPTO. */
int th_x509_subject_name_hash(const th_x509 *cert, unsigned long *hash);

#ifdef __cplusplus
}
#endif
#endif
