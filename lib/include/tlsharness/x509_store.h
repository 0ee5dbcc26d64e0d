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
 * for a bad store, TH_ERR_CRYPTO if OpenSSL refuses. */
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
