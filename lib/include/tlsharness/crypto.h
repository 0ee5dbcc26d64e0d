/* tlsharness/crypto.h — the crypto module: constants, load/dump of
 * certificates, requests and keys, and sign/verify.
 *
 * Loaders take (const unsigned char *buf, size_t len); a len above INT_MAX
 * (e.g. a negative int passed by mistake) is TH_ERR_VALUE. The `_ex`
 * loaders place the loaded object in a chosen OSSL_LIB_CTX (libctx NULL:
 * the default context; propq may be NULL). */
#ifndef TLSHARNESS_CRYPTO_H
#define TLSHARNESS_CRYPTO_H

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* crypto.FILETYPE_PEM / FILETYPE_ASN1 / FILETYPE_TEXT (OpenSSL's values;
 * TEXT is pyOpenSSL's (1 << 16) - 1). */
#define TH_FILETYPE_PEM 1
#define TH_FILETYPE_ASN1 2
#define TH_FILETYPE_TEXT ((1 << 16) - 1)

/* crypto.TYPE_RSA / TYPE_DSA (EVP_PKEY_RSA, EVP_PKEY_DSA), and beyond the
 * spec the modern key types PKey.generate_key also makes. */
#define TH_TYPE_RSA 6      /* EVP_PKEY_RSA */
#define TH_TYPE_DSA 116    /* EVP_PKEY_DSA */
#define TH_TYPE_EC 408     /* EVP_PKEY_EC, beyond the spec */
#define TH_TYPE_ED25519 1087 /* EVP_PKEY_ED25519, beyond the spec */
#define TH_TYPE_ED448 1088   /* EVP_PKEY_ED448, beyond the spec */

/* th_passphrase_cb — the passphrase callback of load_privatekey and
 * dump_privatekey. It writes the passphrase into buf (size bytes available)
 * and returns its full length, like snprintf; rwflag is 1 when writing
 * (dump), 0 when reading (load). A negative th_err makes the calling
 * function fail with that same status and the error record the callback
 * set ("the callback's exception propagates"). A length above size is
 * TH_ERR_VALUE on load ("too long"), truncated to size on dump, as in
 * pyOpenSSL. */
typedef int (*th_passphrase_cb)(char *buf, size_t size, int rwflag, void *user);

/* ---- certificates -------------------------------------------------------
 * th_crypto_dump_certificate mirrors crypto.dump_certificate: cert in PEM,
 * DER (ASN1) or TEXT (X509_print_ex). Caller frees. NULL with TH_ERR_TYPE
 * (NULL/wrong object), TH_ERR_VALUE (unknown type), TH_ERR_CRYPTO. */
th_bytes *th_crypto_dump_certificate(int type, const th_x509 *cert);
/* th_crypto_load_certificate mirrors crypto.load_certificate (PEM or
 * ASN1). Caller frees with th_x509_free. NULL with TH_ERR_TYPE (NULL buf
 * with len > 0), TH_ERR_VALUE (type not PEM/ASN1, len too large),
 * TH_ERR_CRYPTO (not a certificate, garbage, empty), TH_ERR_NOMEM. */
th_x509 *th_crypto_load_certificate(int type, const unsigned char *buf, size_t len);
th_x509 *th_crypto_load_certificate_ex(OSSL_LIB_CTX *libctx, const char *propq, int type,
                                       const unsigned char *buf, size_t len);

/* ---- certificate requests ----------------------------------------------
 * th_crypto_dump_certificate_request mirrors crypto.dump_certificate_request
 * (PEM, ASN1, TEXT). Caller frees. NULL with the errors of dump_certificate
 * (TH_ERR_TYPE, TH_ERR_VALUE, TH_ERR_CRYPTO). */
th_bytes *th_crypto_dump_certificate_request(int type, const th_x509_req *req);
/* th_crypto_load_certificate_request mirrors crypto.load_certificate_request:
 * a new X509Req the caller frees with th_x509_req_free; NULL with the
 * errors of load_certificate (TH_ERR_TYPE, TH_ERR_VALUE, TH_ERR_CRYPTO,
 * TH_ERR_NOMEM). */
th_x509_req *th_crypto_load_certificate_request(int type, const unsigned char *buf, size_t len);
th_x509_req *th_crypto_load_certificate_request_ex(OSSL_LIB_CTX *libctx, const char *propq,
                                                   int type, const unsigned char *buf, size_t len);

/* ---- private keys -------------------------------------------------------
 * th_crypto_dump_privatekey mirrors crypto.dump_privatekey(type, pkey,
 * cipher, passphrase). PEM is PKCS#8 ("PRIVATE KEY", or "ENCRYPTED PRIVATE
 * KEY" when cipher is given), ASN1 is the traditional DER of
 * i2d_PrivateKey, TEXT is EVP_PKEY_print_private (every key type).
 * cipher (e.g. "aes-256-cbc") may be NULL; passphrase is (pass, pass_len),
 * pass NULL meaning None. Caller frees. NULL with:
 *   TH_ERR_TYPE   pkey NULL/wrong type; cipher given without a passphrase
 *   TH_ERR_VALUE  unknown type; unknown cipher; a passphrase with a type
 *                 other than PEM ("only FILETYPE_PEM key format supports
 *                 encryption"); an uninitialized key; pass_len above
 *                 INT_MAX
 *   TH_ERR_CRYPTO the key has only a public part; OpenSSL failed. */
th_bytes *th_crypto_dump_privatekey(int type, const th_pkey *pkey, const char *cipher,
                                    const unsigned char *pass, size_t pass_len);
/* th_crypto_dump_privatekey_cb: the same with a passphrase callback (cb
 * NULL meaning None); a callback error propagates (its status and error
 * record); otherwise the errors of th_crypto_dump_privatekey. */
th_bytes *th_crypto_dump_privatekey_cb(int type, const th_pkey *pkey, const char *cipher,
                                       th_passphrase_cb cb, void *user);

/* th_crypto_load_privatekey mirrors crypto.load_privatekey(type, buffer,
 * passphrase) with a passphrase of (pass, pass_len) (pass NULL: None). A
 * passphrase given for an unencrypted key is ignored. Caller frees. NULL:
 *   TH_ERR_TYPE   NULL buf with len > 0
 *   TH_ERR_VALUE  type not PEM/ASN1; a passphrase with ASN1; len or
 *                 pass_len too large (above INT_MAX)
 *   TH_ERR_CRYPTO not a key; encrypted without/with a wrong passphrase. */
th_pkey *th_crypto_load_privatekey(int type, const unsigned char *buf, size_t len,
                                   const unsigned char *pass, size_t pass_len);
/* th_crypto_load_privatekey_cb: the same with a passphrase callback (cb
 * NULL: None; a new PKey the caller frees); the callback's error propagates;
 * a too long result is TH_ERR_VALUE; otherwise the errors of
 * th_crypto_load_privatekey. */
th_pkey *th_crypto_load_privatekey_cb(int type, const unsigned char *buf, size_t len,
                                      th_passphrase_cb cb, void *user);
/* th_crypto_load_privatekey_ex (beyond the spec): both forms (give pass or
 * cb, not both: TH_ERR_VALUE) in a chosen library context; ownership and
 * the other errors as th_crypto_load_privatekey. */
th_pkey *th_crypto_load_privatekey_ex(OSSL_LIB_CTX *libctx, const char *propq, int type,
                                      const unsigned char *buf, size_t len,
                                      const unsigned char *pass, size_t pass_len,
                                      th_passphrase_cb cb, void *user);

/* ---- public keys --------------------------------------------------------
 * th_crypto_dump_publickey mirrors crypto.dump_publickey (PEM or ASN1
 * SubjectPublicKeyInfo). Caller frees. NULL with TH_ERR_TYPE, TH_ERR_VALUE
 * (unknown type, uninitialized key), TH_ERR_CRYPTO. */
th_bytes *th_crypto_dump_publickey(int type, const th_pkey *pkey);
/* th_crypto_load_publickey mirrors crypto.load_publickey; the result is a
 * public-only PKey the caller frees. NULL with the errors of
 * load_certificate (TH_ERR_TYPE, TH_ERR_VALUE, TH_ERR_CRYPTO, TH_ERR_NOMEM). */
th_pkey *th_crypto_load_publickey(int type, const unsigned char *buf, size_t len);
th_pkey *th_crypto_load_publickey_ex(OSSL_LIB_CTX *libctx, const char *propq, int type,
                                     const unsigned char *buf, size_t len);

/* ---- sign / verify ------------------------------------------------------
 * th_crypto_sign mirrors crypto.sign(key, data, digest): the signature of
 * (data, len) with digest (e.g. "sha256"; ignored for Ed25519/Ed448 keys,
 * which may pass NULL). Caller frees. NULL with TH_ERR_TYPE (NULL/wrong
 * object, NULL data with len > 0, NULL digest), TH_ERR_VALUE ("No such
 * digest method", uninitialized key, len too large), TH_ERR_CRYPTO (public
 * key only, OpenSSL failed). */
th_bytes *th_crypto_sign(const th_pkey *pkey, const unsigned char *data, size_t len,
                         const char *digest);
/* th_crypto_verify mirrors crypto.verify(certificate, signature, data,
 * digest): TH_OK when sig is a valid signature of data by cert's key;
 * TH_ERR_CRYPTO when it is not (crypto.Error) or cert has no usable key;
 * TH_ERR_TYPE (NULL/wrong cert, NULL sig or data with a length > 0, NULL
 * digest for a key that needs one), TH_ERR_VALUE ("No such digest method",
 * a length too large). */
int th_crypto_verify(const th_x509 *cert, const unsigned char *sig, size_t sig_len,
                     const unsigned char *data, size_t len, const char *digest);

#ifdef __cplusplus
}
#endif
#endif
