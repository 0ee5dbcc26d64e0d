/* tlsharness/crl.h — crypto.CRL and crypto.Revoked (certificate revocation
 * lists), crypto.dump_crl and crypto.load_crl.
 *
 * File types are the crypto module's TH_FILETYPE_PEM (1), TH_FILETYPE_ASN1
 * (2) and TH_FILETYPE_TEXT (65535, dump/export only). Timestamps are ASN.1
 * GENERALIZEDTIME text: YYYYMMDDhhmmssZ, YYYYMMDDhhmmss+hhmm or
 * YYYYMMDDhhmmss-hhmm. */
#ifndef TLSHARNESS_CRL_H
#define TLSHARNESS_CRL_H

#include <openssl/x509.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The spec's backwards-compatible name crypto.CRLType. */
typedef th_crl th_CRLType;

/* ---- CRL ----------------------------------------------------------------- */

/* th_crl_new mirrors CRL(): an empty, unsigned CRL. Caller frees with
 * th_crl_free. NULL with TH_ERR_NOMEM. */
th_crl *th_crl_new(void);
/* th_crl_free drops the caller's reference (NULL-safe). */
void th_crl_free(th_crl *crl);
/* th_crl_up_ref (beyond the spec) takes another reference the caller
 * frees; NULL (no error recorded) if not a CRL. */
th_crl *th_crl_up_ref(th_crl *crl);

/* Escape hatches (CRL.from_cryptography / to_cryptography in later
 * pyOpenSSL): wrap a new reference to c; return a new reference to the
 * underlying X509_CRL (caller frees with X509_CRL_free; the th_crl result
 * with th_crl_free). NULL with TH_ERR_TYPE for NULL/wrong type, and for
 * from_x509_crl TH_ERR_CRYPTO (up-ref failed) or TH_ERR_NOMEM. */
th_crl *th_crl_from_x509_crl(X509_CRL *c);
X509_CRL *th_crl_to_x509_crl(const th_crl *crl);

/* th_crl_add_revoked mirrors CRL.add_revoked: adds a copy of revoked (later
 * changes to revoked do not affect the CRL). TH_ERR_TYPE for NULL/wrong
 * types, TH_ERR_VALUE for a revocation without a date (it would make a
 * CRL that no parser accepts), TH_ERR_NOMEM; the CRL is then unchanged. */
int th_crl_add_revoked(th_crl *crl, const th_revoked *revoked);

/* th_crl_get_revoked mirrors CRL.get_revoked: *out gets a new th_list of
 * th_revoked copies (caller frees with th_list_free), or NULL when the CRL
 * has none (the spec's None). TH_OK; TH_ERR_TYPE for NULL/wrong type or
 * NULL out, TH_ERR_NOMEM. */
int th_crl_get_revoked(const th_crl *crl, th_list **out);

/* th_crl_get_issuer mirrors CRL.get_issuer: a copy of the issuer name (a
 * new th_x509_name the caller frees). NULL with TH_ERR_TYPE / TH_ERR_NOMEM. */
th_x509_name *th_crl_get_issuer(const th_crl *crl);

/* th_crl_set_lastUpdate / th_crl_set_nextUpdate mirror CRL.set_lastUpdate
 * and CRL.set_nextUpdate. TH_OK; TH_ERR_TYPE for NULL/wrong crl or NULL
 * when, TH_ERR_VALUE for text that is not a valid GENERALIZEDTIME,
 * TH_ERR_NOMEM (the CRL is unchanged on error). */
int th_crl_set_lastUpdate(th_crl *crl, const char *when);
int th_crl_set_nextUpdate(th_crl *crl, const char *when);

/* th_crl_set_version mirrors CRL.set_version: 0 (v1) or 1 (v2). TH_OK;
 * TH_ERR_VALUE for anything else (no other CRL version exists), TH_ERR_TYPE
 * for a NULL/wrong crl, TH_ERR_NOMEM; unchanged on error. */
int th_crl_set_version(th_crl *crl, long version);

/* th_crl_sign mirrors CRL.sign: sets the issuer name from issuer_cert,
 * sorts the entries and signs with issuer_key and digest ("sha256").
 * TH_OK; TH_ERR_TYPE for NULL/wrong types or a NULL digest, TH_ERR_VALUE
 * for an unknown digest ("No such digest method") or an uninitialized or
 * public-only key, TH_ERR_CRYPTO when OpenSSL cannot sign (e.g. an EC key
 * with md5). The CRL (issuer, order, signature) is unchanged on error. */
int th_crl_sign(th_crl *crl, const th_x509 *issuer_cert, const th_pkey *issuer_key,
                const char *digest);

/* th_crl_export mirrors CRL.export(cert, key, type=FILETYPE_PEM, days=100,
 * digest): sets lastUpdate to now and nextUpdate to now + days, the issuer
 * name from cert, signs with key and digest (without sorting the revoked
 * entries, as 16.1: only sign sorts), and returns the CRL dumped as
 * type (new bytes the caller frees). digest NULL means the spec's default,
 * "md5" (deprecated there, and only usable with RSA keys). NULL with the
 * errors of th_crl_sign, TH_ERR_VALUE for a bad type or a days value beyond
 * +-100 years, TH_ERR_NOMEM; the CRL (times included) is unchanged when a
 * check or the signature fails. */
th_bytes *th_crl_export(th_crl *crl, const th_x509 *cert, const th_pkey *key, int type, int days,
                        const char *digest);

/* th_crypto_dump_crl mirrors crypto.dump_crl(type, crl): PEM, DER or the
 * text form of `openssl crl -text`, as new bytes the caller frees. NULL with
 * TH_ERR_VALUE for another type, TH_ERR_TYPE for a NULL/wrong crl,
 * TH_ERR_CRYPTO when OpenSSL cannot encode it, TH_ERR_NOMEM. */
th_bytes *th_crypto_dump_crl(int type, const th_crl *crl);

/* th_crypto_load_crl mirrors crypto.load_crl(type, buffer): PEM or DER; a
 * new CRL the caller frees. NULL with TH_ERR_VALUE for another type or a
 * negative/oversized len, TH_ERR_TYPE for a NULL buffer, TH_ERR_CRYPTO for
 * data OpenSSL cannot parse, TH_ERR_NOMEM. */
th_crl *th_crypto_load_crl(int type, const unsigned char *buf, size_t len);

/* ---- Revoked ------------------------------------------------------------- */

/* th_revoked_new mirrors Revoked(): no serial, no date, no reason. Caller
 * frees with th_revoked_free. NULL with TH_ERR_NOMEM. */
th_revoked *th_revoked_new(void);
/* th_revoked_free drops the caller's reference (NULL-safe). */
void th_revoked_free(th_revoked *rev);
/* th_revoked_up_ref (beyond the spec) takes another reference the caller
 * frees; NULL (no error recorded) if not a Revoked. */
th_revoked *th_revoked_up_ref(th_revoked *rev);

/* th_revoked_all_reasons mirrors Revoked.all_reasons: a new list of
 * th_bytes, the reasons set_reason accepts ("unspecified", "keyCompromise",
 * "CACompromise", "affiliationChanged", "superseded",
 * "cessationOfOperation", "certificateHold"); caller frees with
 * th_list_free. NULL with TH_ERR_NOMEM. */
th_list *th_revoked_all_reasons(void);

/* th_revoked_set_reason mirrors Revoked.set_reason: one of all_reasons(),
 * compared ignoring case and spaces ("Key Compromise" works); NULL deletes
 * the reason. TH_OK; TH_ERR_TYPE for a NULL/wrong rev, TH_ERR_VALUE for an
 * unknown reason, TH_ERR_CRYPTO; rev unchanged on error. */
int th_revoked_set_reason(th_revoked *rev, const char *reason);

/* th_revoked_get_reason mirrors Revoked.get_reason: *out gets OpenSSL's
 * text for the reason ("Key Compromise", as pyOpenSSL returns it), or NULL
 * when there is none (None); caller frees *out. TH_OK; TH_ERR_TYPE for
 * NULL/wrong rev or NULL out, TH_ERR_CRYPTO, TH_ERR_NOMEM. */
int th_revoked_get_reason(const th_revoked *rev, th_bytes **out);

/* th_revoked_set_rev_date / th_revoked_get_rev_date mirror
 * Revoked.set_rev_date / get_rev_date (GENERALIZEDTIME text; get returns it
 * in UTC, "...Z", in a new *out the caller frees, or NULL when unset).
 * TH_OK; TH_ERR_VALUE for malformed text, TH_ERR_TYPE for NULL/wrong rev or
 * NULL when/out, TH_ERR_CRYPTO, TH_ERR_NOMEM; set leaves rev unchanged on
 * error. */
int th_revoked_set_rev_date(th_revoked *rev, const char *when);
int th_revoked_get_rev_date(const th_revoked *rev, th_bytes **out);

/* th_revoked_set_serial mirrors Revoked.set_serial: hex_str is the serial
 * number in hexadecimal ASCII ("3ab"). TH_OK; TH_ERR_VALUE for empty or
 * non-hex text or more than 4096 digits, TH_ERR_TYPE for NULL/wrong rev or
 * NULL text, TH_ERR_NOMEM; rev unchanged on error. */
int th_revoked_set_serial(th_revoked *rev, const char *hex_str);

/* th_revoked_get_serial mirrors Revoked.get_serial: upper-case hex in whole
 * bytes ("03AB"); "00" for a Revoked whose serial was never set. New bytes
 * the caller frees; NULL with TH_ERR_TYPE, TH_ERR_CRYPTO, TH_ERR_NOMEM. */
th_bytes *th_revoked_get_serial(const th_revoked *rev);

#ifdef __cplusplus
}
#endif
#endif
