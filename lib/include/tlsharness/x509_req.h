/* tlsharness/x509_req.h — crypto.X509Req: a certificate signing request. */
#ifndef TLSHARNESS_X509_REQ_H
#define TLSHARNESS_X509_REQ_H

#include <openssl/x509.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_x509_req_free drops the caller's reference (NULL-safe). */
void th_x509_req_free(th_x509_req *req);
/* th_x509_req_up_ref (beyond the spec) takes another reference the caller
 * frees; NULL (no error recorded) if not an X509Req. */
th_x509_req *th_x509_req_up_ref(th_x509_req *req);

/* th_x509_req_new mirrors X509Req(): an empty request (version 0, empty
 * subject, no key). Caller frees. NULL with TH_ERR_NOMEM. */
th_x509_req *th_x509_req_new(void);

/* th_x509_req_add_extensions mirrors add_extensions(extensions): adds the
 * n extensions of exts (copied) to the request's extensionRequest
 * attribute. Beyond pyOpenSSL, a second call adds to the extensions of the
 * first instead of making a second attribute get_extensions cannot see.
 * TH_OK; TH_ERR_TYPE (NULL req, NULL exts with n > 0, an item that is NULL
 * or not an X509Extension: nothing is added then), TH_ERR_CRYPTO. */
int th_x509_req_add_extensions(th_x509_req *req, th_x509_extension *const *exts, size_t n);

/* th_x509_req_get_extensions mirrors get_extensions(): a th_list of
 * th_x509_extension copies (caller frees with th_list_free; empty when the
 * request has none). NULL with TH_ERR_TYPE, TH_ERR_CRYPTO. */
th_list *th_x509_req_get_extensions(const th_x509_req *req);

/* th_x509_req_get_pubkey mirrors get_pubkey(): a new public-only PKey the
 * caller frees. NULL with TH_ERR_TYPE, TH_ERR_CRYPTO (the request has no
 * key), TH_ERR_NOMEM. */
th_pkey *th_x509_req_get_pubkey(const th_x509_req *req);

/* th_x509_req_set_pubkey mirrors set_pubkey(pkey). TH_OK; TH_ERR_TYPE;
 * TH_ERR_VALUE (uninitialized key); TH_ERR_CRYPTO; unchanged on error. */
int th_x509_req_set_pubkey(th_x509_req *req, const th_pkey *pkey);

/* th_x509_req_get_subject mirrors get_subject(): an X509Name wrapping the
 * request's own subject (changes through it change the request; it keeps
 * the request alive). Caller frees. NULL with TH_ERR_TYPE, TH_ERR_NOMEM. */
th_x509_name *th_x509_req_get_subject(th_x509_req *req);

/* th_x509_req_get_version mirrors get_version(): >= 0, or TH_ERR_TYPE. */
long th_x509_req_get_version(const th_x509_req *req);
/* th_x509_req_set_version mirrors set_version(version). TH_OK;
 * TH_ERR_TYPE; TH_ERR_VALUE for a negative version or one OpenSSL rejects;
 * unchanged on error. */
int th_x509_req_set_version(th_x509_req *req, long version);

/* th_x509_req_sign mirrors sign(pkey, digest): TH_OK, or the errors of
 * th_x509_sign (TH_ERR_TYPE, TH_ERR_VALUE, TH_ERR_CRYPTO), the request
 * unchanged. */
int th_x509_req_sign(th_x509_req *req, const th_pkey *pkey, const char *digest);

/* th_x509_req_verify mirrors verify(pkey): 1 (True) when the request's
 * signature verifies with pkey's public key. TH_ERR_CRYPTO (crypto.Error)
 * when it does not, or when pkey holds no key (pyOpenSSL's PKey() without
 * generate_key: OpenSSL cannot verify with it); TH_ERR_TYPE for NULL/wrong
 * objects. */
int th_x509_req_verify(const th_x509_req *req, const th_pkey *pkey);

/* Escape hatches, beyond the spec (OpenSSL has no X509_REQ_up_ref, so both
 * copy through the encoding): th_x509_req_from_x509_req wraps a copy of
 * req (caller frees with th_x509_req_free; NULL with TH_ERR_TYPE for NULL,
 * TH_ERR_NOMEM); th_x509_req_to_x509_req returns a copy of the underlying
 * X509_REQ (caller frees with X509_REQ_free; NULL with TH_ERR_TYPE,
 * TH_ERR_NOMEM). Both: TH_ERR_CRYPTO for a request OpenSSL cannot encode
 * (one not signed yet, as a new request). */
th_x509_req *th_x509_req_from_x509_req(const X509_REQ *req);
X509_REQ *th_x509_req_to_x509_req(const th_x509_req *req);

#ifdef __cplusplus
}
#endif
#endif
