/* crypto1_internal.h — private helpers shared by pkey.c, x509*.c,
 * crypto_io.c and crypto_sign.c. Not public API. */
#ifndef TLSHARNESS_CRYPTO1_INTERNAL_H
#define TLSHARNESS_CRYPTO1_INTERNAL_H

#include <openssl/x509.h>

#include "crypto_common_internal.h"
#include "internal.h"

/* th__sign_digest resolves the digest used to sign with pkey: NULL for
 * keys that sign without a digest (Ed25519, Ed448; name ignored), else
 * th__digest_by_name(name). *md gets the result; returns TH_OK or the
 * error (TH_ERR_TYPE for a NULL name, TH_ERR_VALUE for an unknown one). */
int th__sign_digest(const th_pkey *pkey, const char *name, const EVP_MD **md, const char *func);

/* th__x509_touch / th__x509_req_touch mark the to-be-signed part of x as
 * modified, so that a change made in place (a name entry, a time, the
 * serial) is re-encoded instead of the cached DER of a loaded certificate
 * being written out again. */
void th__x509_touch(X509 *x);
void th__x509_req_touch(X509_REQ *req);

/* th__x509_extension_wrap wraps ext, taking ownership (freed on failure). */
th_x509_extension *th__x509_extension_wrap(X509_EXTENSION *ext);

/* th__x509_req_wrap wraps req, taking ownership (freed on failure). */
th_x509_req *th__x509_req_wrap(X509_REQ *req);

/* th__hex_colon formats n bytes as "AB:CD:..." (pyOpenSSL's digest form). */
th_bytes *th__hex_colon(const unsigned char *p, size_t n);

#endif
