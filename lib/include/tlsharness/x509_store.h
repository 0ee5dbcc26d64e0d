/* tlsharness/x509_store.h — crypto.X509Store, crypto.X509StoreContext and
 * crypto.X509StoreFlags: describing a verification context and running it.
 *
 * A verification failure is TH_ERR_VERIFY (crypto.X509StoreContextError):
 * th_error_last()->message and ->verify_text hold OpenSSL's text ("certificate
 * revoked"), ->verify_code the X509_V_ERR_* value, ->verify_depth the depth
 * of the failing certificate, and th_error_certificate() returns that
 * certificate (X509StoreContextError.certificate). */
#ifndef TLSHARNESS_X509_STORE_H
#define TLSHARNESS_X509_STORE_H

#include <stdint.h>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* crypto.X509StoreFlags: verification flags, or'ed together for
 * th_x509_store_set_flags. The values are OpenSSL's X509_V_FLAG_*. */
#define TH_X509_STORE_FLAGS_CRL_CHECK X509_V_FLAG_CRL_CHECK
#define TH_X509_STORE_FLAGS_CRL_CHECK_ALL X509_V_FLAG_CRL_CHECK_ALL
#define TH_X509_STORE_FLAGS_IGNORE_CRITICAL X509_V_FLAG_IGNORE_CRITICAL
#define TH_X509_STORE_FLAGS_X509_STRICT X509_V_FLAG_X509_STRICT
#define TH_X509_STORE_FLAGS_ALLOW_PROXY_CERTS X509_V_FLAG_ALLOW_PROXY_CERTS
#define TH_X509_STORE_FLAGS_POLICY_CHECK X509_V_FLAG_POLICY_CHECK
#define TH_X509_STORE_FLAGS_EXPLICIT_POLICY X509_V_FLAG_EXPLICIT_POLICY
#define TH_X509_STORE_FLAGS_INHIBIT_MAP X509_V_FLAG_INHIBIT_MAP
#define TH_X509_STORE_FLAGS_NOTIFY_POLICY X509_V_FLAG_NOTIFY_POLICY
#define TH_X509_STORE_FLAGS_CHECK_SS_SIGNATURE X509_V_FLAG_CHECK_SS_SIGNATURE
/* 0 on OpenSSL 3: the issuer-check callback no longer exists, so this flag
 * changes nothing (docs/compat.md). */
#define TH_X509_STORE_FLAGS_CB_ISSUER_CHECK X509_V_FLAG_CB_ISSUER_CHECK

/* Beyond the spec: the X509_V_FLAG_* of OpenSSL 3 that the 16.1 set lacks
 * (docs/compat.md). PARTIAL_CHAIN accepts a chain that ends at any trusted
 * certificate (not only a self-signed root; pyOpenSSL >= 17.5 has it);
 * TRUSTED_FIRST prefers trusted issuers (OpenSSL 3's default);
 * NO_ALT_CHAINS stops at the first chain that fails; NO_CHECK_TIME skips
 * validity dates; USE_CHECK_TIME is what th_x509_store_set_time sets;
 * INHIBIT_ANY sets inhibitAnyPolicy; EXTENDED_CRL_SUPPORT and USE_DELTAS
 * enable indirect and delta CRLs; SUITEB_* enforce RFC 6460 Suite B. */
#define TH_X509_STORE_FLAGS_USE_CHECK_TIME X509_V_FLAG_USE_CHECK_TIME
#define TH_X509_STORE_FLAGS_INHIBIT_ANY X509_V_FLAG_INHIBIT_ANY
#define TH_X509_STORE_FLAGS_EXTENDED_CRL_SUPPORT X509_V_FLAG_EXTENDED_CRL_SUPPORT
#define TH_X509_STORE_FLAGS_USE_DELTAS X509_V_FLAG_USE_DELTAS
#define TH_X509_STORE_FLAGS_TRUSTED_FIRST X509_V_FLAG_TRUSTED_FIRST
#define TH_X509_STORE_FLAGS_SUITEB_128_LOS_ONLY X509_V_FLAG_SUITEB_128_LOS_ONLY
#define TH_X509_STORE_FLAGS_SUITEB_192_LOS X509_V_FLAG_SUITEB_192_LOS
#define TH_X509_STORE_FLAGS_SUITEB_128_LOS X509_V_FLAG_SUITEB_128_LOS
#define TH_X509_STORE_FLAGS_PARTIAL_CHAIN X509_V_FLAG_PARTIAL_CHAIN
#define TH_X509_STORE_FLAGS_NO_ALT_CHAINS X509_V_FLAG_NO_ALT_CHAINS
#define TH_X509_STORE_FLAGS_NO_CHECK_TIME X509_V_FLAG_NO_CHECK_TIME
/* Every flag above or'ed: any other bit is TH_ERR_VALUE. */
#define TH_X509_STORE_FLAGS_ALL                                                                  \
  (TH_X509_STORE_FLAGS_CRL_CHECK | TH_X509_STORE_FLAGS_CRL_CHECK_ALL |                            \
   TH_X509_STORE_FLAGS_IGNORE_CRITICAL | TH_X509_STORE_FLAGS_X509_STRICT |                        \
   TH_X509_STORE_FLAGS_ALLOW_PROXY_CERTS | TH_X509_STORE_FLAGS_POLICY_CHECK |                     \
   TH_X509_STORE_FLAGS_EXPLICIT_POLICY | TH_X509_STORE_FLAGS_INHIBIT_MAP |                        \
   TH_X509_STORE_FLAGS_NOTIFY_POLICY | TH_X509_STORE_FLAGS_CHECK_SS_SIGNATURE |                   \
   TH_X509_STORE_FLAGS_USE_CHECK_TIME | TH_X509_STORE_FLAGS_INHIBIT_ANY |                         \
   TH_X509_STORE_FLAGS_EXTENDED_CRL_SUPPORT | TH_X509_STORE_FLAGS_USE_DELTAS |                    \
   TH_X509_STORE_FLAGS_TRUSTED_FIRST | TH_X509_STORE_FLAGS_SUITEB_128_LOS |                       \
   TH_X509_STORE_FLAGS_PARTIAL_CHAIN | TH_X509_STORE_FLAGS_NO_ALT_CHAINS |                        \
   TH_X509_STORE_FLAGS_NO_CHECK_TIME)

/* Beyond the spec: how host names are matched (th_x509_store_set_host_flags,
 * th_context_set_host_flags, th_connection_set_host_flags); OpenSSL's
 * X509_CHECK_FLAG_* (X509_check_host(3)), or'ed. 0 (the default): a
 * wildcard may stand for the whole left-most label or part of it
 * ("f*.example.com"), never over a label that holds an IDNA A-label, and
 * the subject CN is checked only when the certificate has no DNS SAN. */
#define TH_X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT
#define TH_X509_CHECK_FLAG_NO_WILDCARDS X509_CHECK_FLAG_NO_WILDCARDS
#define TH_X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
#define TH_X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS
#define TH_X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS
#define TH_X509_CHECK_FLAG_NEVER_CHECK_SUBJECT X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
#define TH_X509_CHECK_FLAGS_ALL                                                                  \
  (TH_X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT | TH_X509_CHECK_FLAG_NO_WILDCARDS |                    \
   TH_X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | TH_X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS |           \
   TH_X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS | TH_X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)

/* Beyond the spec: what the chain must be good for (th_*_set_purpose);
 * OpenSSL's X509_PURPOSE_* (`openssl verify -purpose sslclient` is
 * SSL_CLIENT, sslserver SSL_SERVER, nssslserver NS_SSL_SERVER, smimesign,
 * smimeencrypt, crlsign, any, ocsphelper, timestampsign). */
#define TH_X509_PURPOSE_SSL_CLIENT X509_PURPOSE_SSL_CLIENT
#define TH_X509_PURPOSE_SSL_SERVER X509_PURPOSE_SSL_SERVER
#define TH_X509_PURPOSE_NS_SSL_SERVER X509_PURPOSE_NS_SSL_SERVER
#define TH_X509_PURPOSE_SMIME_SIGN X509_PURPOSE_SMIME_SIGN
#define TH_X509_PURPOSE_SMIME_ENCRYPT X509_PURPOSE_SMIME_ENCRYPT
#define TH_X509_PURPOSE_CRL_SIGN X509_PURPOSE_CRL_SIGN
#define TH_X509_PURPOSE_ANY X509_PURPOSE_ANY
#define TH_X509_PURPOSE_OCSP_HELPER X509_PURPOSE_OCSP_HELPER
#define TH_X509_PURPOSE_TIMESTAMP_SIGN X509_PURPOSE_TIMESTAMP_SIGN

/* ---- X509Store ----------------------------------------------------------- */

/* th_x509_store_new mirrors X509Store(): an empty store (no trusted
 * certificates, no CRLs, no flags). Caller frees with th_x509_store_free.
 * NULL with TH_ERR_NOMEM. */
th_x509_store *th_x509_store_new(void);
/* th_x509_store_free drops the caller's reference (NULL-safe). */
void th_x509_store_free(th_x509_store *store);
/* th_x509_store_up_ref (beyond the spec) takes another reference the
 * caller frees; NULL (no error recorded) if not an X509Store. */
th_x509_store *th_x509_store_up_ref(th_x509_store *store);

/* th_x509_store_add_cert mirrors X509Store.add_cert: cert becomes a trusted
 * certificate (the store up-refs it). Adding the same certificate twice is
 * accepted and changes nothing (OpenSSL 3 behaviour). TH_ERR_TYPE for a
 * NULL/wrong-type store or cert, TH_ERR_CRYPTO when OpenSSL refuses it. */
int th_x509_store_add_cert(th_x509_store *store, const th_x509 *cert);

/* th_x509_store_add_crl mirrors X509Store.add_crl: the CRL (up-ref'd) is
 * used when CRL checking flags are set. A duplicate is accepted.
 * TH_ERR_TYPE for NULL/wrong types, TH_ERR_CRYPTO when OpenSSL refuses. */
int th_x509_store_add_crl(th_x509_store *store, const th_crl *crl);

/* th_x509_store_set_flags mirrors X509Store.set_flags: ors flags
 * (TH_X509_STORE_FLAGS_*) into the store's verification flags (as OpenSSL's
 * X509_STORE_set_flags does: flags are added, never cleared). TH_ERR_TYPE
 * for a bad store, TH_ERR_VALUE for a bit outside TH_X509_STORE_FLAGS_ALL
 * (store unchanged), TH_ERR_CRYPTO if OpenSSL refuses. */
int th_x509_store_set_flags(th_x509_store *store, unsigned long flags);

/* Beyond the spec (pyOpenSSL >= 17.1's X509Store.set_time): verify as if
 * the time were when (seconds since the Unix epoch) instead of now.
 * TH_ERR_TYPE for a bad store. */
int th_x509_store_set_time(th_x509_store *store, int64_t when);

/* Beyond the spec: the maximum chain depth (X509_VERIFY_PARAM_set_depth).
 * TH_ERR_VALUE for a negative depth, TH_ERR_TYPE for a bad store. */
int th_x509_store_set_depth(th_x509_store *store, int depth);

/* Beyond the spec (`openssl verify -policy`): adds oid (dotted text such
 * as "1.2.3.4", or a known name) to the user-initial-policy-set and turns
 * on policy checking. OpenSSL 3 needs this set for EXPLICIT_POLICY: with an
 * empty set every chain fails "no explicit policy" (docs/compat.md).
 * TH_OK; TH_ERR_TYPE for NULL/wrong store or NULL oid, TH_ERR_VALUE for text
 * that is not an OID, TH_ERR_NOMEM; the store is unchanged on error. */
int th_x509_store_add_policy(th_x509_store *store, const char *oid);

/* Beyond the spec (pyOpenSSL >= 20's X509Store.load_locations): trust the
 * PEM certificates (and CRLs) of cafile and/or the hashed directory capath
 * (c_rehash layout); either may be NULL but not both (TH_ERR_TYPE).
 * TH_ERR_CRYPTO when a file cannot be read or parsed. */
int th_x509_store_load_locations(th_x509_store *store, const char *cafile, const char *capath);

/* ---- Verifying names (beyond the spec; docs/api.md "Verifying names") ----
 * What the certificate must be issued for, checked by every later
 * X509StoreContext verification of this store (OpenSSL's X509_VERIFY_PARAM
 * of the store, `openssl verify -verify_hostname / -verify_ip /
 * -verify_email / -purpose / -auth_level`). A mismatch is TH_ERR_VERIFY with
 * verify_code X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH,
 * _EMAIL_MISMATCH, _INVALID_PURPOSE, _EE_KEY_TOO_SMALL, _CA_MD_TOO_WEAK ...
 * Every setter returns TH_OK, or TH_ERR_TYPE for a NULL/wrong-type store or
 * a NULL text, TH_ERR_VALUE for bad input as said, TH_ERR_NOMEM; on error
 * the store is unchanged. Text is copied. */

/* th_x509_store_set_host: the leaf must match the DNS name (len bytes, no
 * NUL byte: TH_ERR_TYPE; 1..255 bytes: else TH_ERR_VALUE), replacing any
 * names set before. Matching follows th_x509_store_set_host_flags;
 * comparison ignores ASCII case; a trailing dot is not ignored
 * ("www.example.test." does not match www.example.test); a leading dot
 * (".example.test") stands for any name below it; IDNA names are compared
 * as A-labels ("xn--..."), never converted. */
int th_x509_store_set_host(th_x509_store *store, const char *name, size_t len);
/* th_x509_store_add_host: one more acceptable name (any one may match). */
int th_x509_store_add_host(th_x509_store *store, const char *name, size_t len);
/* th_x509_store_set_ip: the leaf must carry this IP address as an
 * iPAddress SAN; text is IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1",
 * "::ffff:192.0.2.1" — 16 bytes, which do not match a 4-byte IPv4 SAN).
 * TH_ERR_VALUE for text that is neither. */
int th_x509_store_set_ip(th_x509_store *store, const char *text);
/* th_x509_store_set_email: the leaf must carry this address (len bytes, with
 * an '@'; TH_ERR_VALUE otherwise) as an rfc822Name SAN (or, without one, as
 * the subject's emailAddress unless NEVER_CHECK_SUBJECT). The local part is
 * compared exactly, the domain ignoring case. */
int th_x509_store_set_email(th_x509_store *store, const char *addr, size_t len);
/* th_x509_store_set_host_flags: how names are matched, TH_X509_CHECK_FLAG_*
 * or'ed (replacing the flags before; 0 restores the default). TH_ERR_VALUE
 * for other bits. */
int th_x509_store_set_host_flags(th_x509_store *store, unsigned int flags);
/* th_x509_store_set_purpose: the chain must be good for purpose
 * (TH_X509_PURPOSE_*: extendedKeyUsage, keyUsage and the old Netscape type
 * of the leaf, and of the CAs as OpenSSL checks them). TH_ERR_VALUE for an
 * unknown purpose. */
int th_x509_store_set_purpose(th_x509_store *store, int purpose);
/* th_x509_store_set_auth_level: the security level (0..5, SSL_CTX_set_
 * security_level(3)) keys and signature digests of the chain must meet:
 * level 1 refuses SHA-1 and RSA/DSA/DH keys under 1024 bits, level 2 keys
 * under 2048 bits... Without it a store checks nothing of the kind (level
 * -1), whatever the system's default TLS level is. TH_ERR_VALUE outside
 * 0..5. */
int th_x509_store_set_auth_level(th_x509_store *store, int level);

/* Escape hatches (beyond the spec): a new th_x509_store sharing s (up-ref'd;
 * the caller keeps its reference and frees the result with
 * th_x509_store_free; NULL with TH_ERR_TYPE for NULL, TH_ERR_CRYPTO,
 * TH_ERR_NOMEM), and a new reference to the underlying X509_STORE (caller
 * frees with X509_STORE_free; NULL with TH_ERR_TYPE for NULL/wrong type). */
th_x509_store *th_x509_store_from_x509_store(X509_STORE *s);
X509_STORE *th_x509_store_to_x509_store(const th_x509_store *store);

/* ---- X509StoreContext ---------------------------------------------------- */

/* th_x509_store_context_new mirrors X509StoreContext(store, certificate):
 * references both (later changes to the store are seen by later
 * verifications, as in pyOpenSSL). Caller frees with
 * th_x509_store_context_free. NULL with TH_ERR_TYPE for NULL or wrong-type
 * arguments, TH_ERR_NOMEM. */
th_x509_store_context *th_x509_store_context_new(th_x509_store *store, th_x509 *cert);
/* th_x509_store_context_free drops the caller's reference (NULL-safe). */
void th_x509_store_context_free(th_x509_store_context *ctx);
/* th_x509_store_context_up_ref (beyond the spec) takes another reference
 * the caller frees; NULL (no error recorded) if not an X509StoreContext. */
th_x509_store_context *th_x509_store_context_up_ref(th_x509_store_context *ctx);

/* th_x509_store_context_set_store mirrors X509StoreContext.set_store: later
 * verifications use store (referenced; the old one is released).
 * TH_ERR_TYPE for NULL/wrong types (ctx unchanged). */
int th_x509_store_context_set_store(th_x509_store_context *ctx, th_x509_store *store);

/* th_x509_store_context_verify_certificate mirrors
 * X509StoreContext.verify_certificate: TH_OK when the certificate verifies
 * against the store; TH_ERR_VERIFY (X509StoreContextError) otherwise, with
 * the code, depth, text and failing certificate in the error record;
 * TH_ERR_TYPE for a bad ctx; TH_ERR_CRYPTO if OpenSSL cannot start. */
int th_x509_store_context_verify_certificate(th_x509_store_context *ctx);

/* Beyond the spec (pyOpenSSL >= 20's chain argument): untrusted
 * intermediates (n certificates, up-ref'd) that verification may use to
 * build the chain; n == 0 clears them. TH_OK; TH_ERR_TYPE for a NULL/wrong
 * ctx, a NULL chain with n > 0 or NULL/wrong-type items, TH_ERR_NOMEM (ctx
 * unchanged on error). */
int th_x509_store_context_set_untrusted(th_x509_store_context *ctx, th_x509 *const *chain,
                                        size_t n);

/* Beyond the spec (pyOpenSSL >= 20's get_verified_chain): verifies and
 * returns the chain from the certificate (item 0) to the trust anchor, as a
 * new th_list of th_x509 (caller frees with th_list_free). NULL with the
 * errors of verify_certificate (TH_ERR_VERIFY, TH_ERR_TYPE, TH_ERR_CRYPTO)
 * or TH_ERR_NOMEM. */
th_list *th_x509_store_context_get_verified_chain(th_x509_store_context *ctx);

#ifdef __cplusplus
}
#endif
#endif
