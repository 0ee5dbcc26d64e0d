/* crypto_common_internal.h — private helpers that both halves of the crypto
 * module (crypto1: PKey, X509*, load/dump, sign; crypto2: stores, CRL,
 * Revoked, PKCS7/12, SPKI, curves, rand) share, so that one piece of code
 * checks keys, buffers, file types and times everywhere. Not public API. */
#ifndef TLSHARNESS_CRYPTO_COMMON_INTERNAL_H
#define TLSHARNESS_CRYPTO_COMMON_INTERNAL_H

#include <openssl/asn1.h>
#include <openssl/bio.h>

#include "internal.h"

/* The spec's file types, by value (crypto.FILETYPE_PEM/ASN1/TEXT): OpenSSL's
 * X509_FILETYPE_PEM and X509_FILETYPE_ASN1, and pyOpenSSL's 2**16 - 1. The
 * public names live in crypto.h (crypto_common.c asserts they match). */
#define TH__FT_PEM 1
#define TH__FT_ASN1 2
#define TH__FT_TEXT 65535

/* th__pkey_usable checks that pkey is a PKey (TH_ERR_TYPE) holding a key
 * (TH_ERR_VALUE "Key is uninitialized"); with need_private, that the key
 * has a private part (TH_ERR_VALUE "Key only has public part", as
 * pyOpenSSL's X509.sign). Returns TH_OK or the error. */
int th__pkey_usable(const th_pkey *pkey, int need_private, const char *func);

/* th__buf_ok checks a (buf, len) input: TH_ERR_VALUE for a len that came
 * from a negative int (above LONG_MAX) or is above INT_MAX, TH_ERR_TYPE
 * for a NULL buf with len > 0 (or with any len unless null_ok). */
int th__buf_ok(const void *buf, size_t len, int null_ok, const char *func);

/* th__filetype_ok: TH_ERR_VALUE unless type is PEM/ASN1 (or TEXT when
 * allow_text). */
int th__filetype_ok(int type, int allow_text, const char *func);

/* th__load_bio checks a loader's (type, buf, len) — type PEM or ASN1,
 * then th__buf_ok — and returns a read-only memory BIO over buf (an empty
 * one for NULL with len 0), with OpenSSL's error queue cleared. NULL with
 * the error. Caller frees with BIO_free. */
BIO *th__load_bio(int type, const unsigned char *buf, size_t len, int null_ok, const char *func);

/* th__mem_bio returns a new writable memory BIO, or NULL with
 * TH_ERR_NOMEM. th__bio_done frees bio and returns what was written to it
 * when ok > 0, else NULL with TH_ERR_CRYPTO "func: what" and OpenSSL's
 * queue. */
BIO *th__mem_bio(const char *func);
th_bytes *th__bio_done(BIO *bio, int ok, const char *func, const char *what);

/* th__time_parse turns an ASN.1 GENERALIZEDTIME text (YYYYMMDDhhmmssZ,
 * YYYYMMDDhhmmss+hhmm, YYYYMMDDhhmmss-hhmm) into a new ASN1_TIME; NULL with
 * TH_ERR_TYPE (NULL) or TH_ERR_VALUE ("Invalid string", malformed). */
ASN1_TIME *th__time_parse(const char *when, const char *func);

/* th__time_text puts t as GENERALIZEDTIME text in *out (caller frees), or
 * NULL (the spec's None) when t is absent or empty. A UTCTime is always
 * converted; a GeneralizedTime is returned as stored when as_stored (X509,
 * as pyOpenSSL's _get_asn1_time), else normalised to UTC ("...Z").
 * TH_OK; TH_ERR_TYPE (NULL out), TH_ERR_CRYPTO, TH_ERR_NOMEM. */
int th__time_text(const ASN1_TIME *t, int as_stored, th_bytes **out, const char *func);

#endif
