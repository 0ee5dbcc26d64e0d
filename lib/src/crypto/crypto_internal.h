/* crypto_internal.h — the crypto module's private declarations: the layout
 * of its objects, the wrappers that make them from raw OpenSSL objects, and
 * the helpers every crypto class shares (keys, buffers, file types, times,
 * digests). Used by crypto/ (every .c) and by the modules above (ssl, loopback,
 * fixtures). Not public API. */
#ifndef TLSHARNESS_CRYPTO_INTERNAL_H
#define TLSHARNESS_CRYPTO_INTERNAL_H

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "../core/core_internal.h"

/* ---- the crypto classes (also used by the modules above) ------------------ */
extern const th_type TH_TYPE_PKEY, TH_TYPE_X509, TH_TYPE_X509_NAME, TH_TYPE_X509_REQ,
    TH_TYPE_X509_EXTENSION, TH_TYPE_X509_STORE, TH_TYPE_X509_STORE_CONTEXT, TH_TYPE_CRL,
    TH_TYPE_REVOKED, TH_TYPE_PKCS7, TH_TYPE_PKCS12, TH_TYPE_NETSCAPE_SPKI,
    TH_TYPE_ELLIPTIC_CURVE;

struct th_pkey {
  th_obj hdr;
  EVP_PKEY *pkey;   /* NULL until generate_key / load ("uninitialized") */
  int only_public;  /* loaded from a public key or a certificate */
};

struct th_x509 {
  th_obj hdr;
  X509 *x509;
};

struct th_x509_name {
  th_obj hdr;
  X509_NAME *name; /* owned when owner is NULL, else lives inside owner */
  th_obj *owner;   /* the X509 / X509Req whose name this is, referenced */
};

struct th_x509_req {
  th_obj hdr;
  X509_REQ *req;
};

struct th_x509_extension {
  th_obj hdr;
  X509_EXTENSION *ext;
};

struct th_x509_store {
  th_obj hdr;
  X509_STORE *store;
};

struct th_crl {
  th_obj hdr;
  X509_CRL *crl;
};

struct th_revoked {
  th_obj hdr;
  X509_REVOKED *rev;
};

struct th_elliptic_curve {
  th_obj hdr;
  int nid;
  char name[64];
};

/* Wrap raw objects, taking ownership of the argument (freed on failure).
 * Return NULL with TH_ERR_NOMEM when allocation fails or arg is NULL. */
th_x509 *th__x509_wrap(X509 *x);
th_pkey *th__pkey_wrap(EVP_PKEY *pkey, int only_public);
th_x509_name *th__x509_name_wrap_owned(X509_NAME *name);
th_x509_name *th__x509_name_wrap_child(X509_NAME *name, void *owner);
th_x509_store *th__x509_store_wrap(X509_STORE *store);
th_crl *th__crl_wrap(X509_CRL *crl);

/* Digest lookup by name (ValueError "No such digest method"). */
const EVP_MD *th__digest_by_name(const char *name, const char *func);

/* ---- shared helpers --------------------------------------------------------- */
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
/* Signing changes an object before it can fail (X509_sign sets both
 * signature algorithms, then signs): th__sig_save copies the algorithms
 * and the signature (tbs_alg may be NULL: a request has one algorithm)
 * and th__sig_restore puts them back after a failed sign, so a failed
 * th_x509_sign / th_x509_req_sign / th_crl_sign leaves the object as it
 * was. th__sig_save returns TH_OK or TH_ERR_NOMEM (recorded, naming func);
 * th__sig_restore (swaps the saved parts back in: it cannot fail) and
 * th__sig_drop free the copies. */
typedef struct th__sig_copy {
  X509_ALGOR *alg, *tbs_alg;
  ASN1_BIT_STRING *sig;
} th__sig_copy;
int th__sig_save(th__sig_copy *c, const X509_ALGOR *alg, const X509_ALGOR *tbs_alg,
                 const ASN1_BIT_STRING *sig, const char *func);
void th__sig_restore(th__sig_copy *c, const X509_ALGOR *alg, const X509_ALGOR *tbs_alg,
                     const ASN1_BIT_STRING *sig);
void th__sig_drop(th__sig_copy *c);
/* th__i2d_key_bio writes key to bio with i2d (i2d_PUBKEY, i2d_PrivateKey)
 * and returns 1, or 0 when OpenSSL fails. Used instead of i2d_PUBKEY_bio /
 * i2d_PrivateKey_bio: their ASN1_i2d_bio ignores a failure of the second
 * i2d call and writes an uninitialised buffer as if it were the key (found
 * by the allocation-failure sweep, docs/reliability.md). */
int th__i2d_key_bio(BIO *bio, int (*i2d)(const EVP_PKEY *, unsigned char **), const EVP_PKEY *key);
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
/* th__x509_name_touch_owner marks the certificate or request that name
 * lives in (if any) as modified. */
void th__x509_name_touch_owner(th_x509_name *name);

/* th__x509_extension_wrap wraps ext, taking ownership (freed on failure). */
th_x509_extension *th__x509_extension_wrap(X509_EXTENSION *ext);

/* th__x509_req_wrap wraps req, taking ownership (freed on failure). */
th_x509_req *th__x509_req_wrap(X509_REQ *req);

/* th__hex_colon formats n bytes as "AB:CD:..." (pyOpenSSL's digest form). */
th_bytes *th__hex_colon(const unsigned char *p, size_t n);

struct th_x509_store_context {
  th_obj hdr;
  th_x509_store *store;       /* referenced; replaced by set_store */
  th_x509 *cert;              /* referenced: the certificate to verify */
  STACK_OF(X509) * untrusted; /* owned (up-ref'd certificates) or NULL */
};

struct th_pkcs7 {
  th_obj hdr;
  PKCS7 *p7;
};

/* PKCS12 keeps its parts as objects, as pyOpenSSL does: the DER structure
 * is only built by export(). Every part may be unset (NULL). */
struct th_pkcs12 {
  th_obj hdr;
  th_x509 *cert;
  th_pkey *key;
  STACK_OF(X509) * cacerts; /* owned; NULL when unset */
  th_bytes *friendlyname;
};

struct th_netscape_spki {
  th_obj hdr;
  NETSCAPE_SPKI *spki;
};

/* th__c2_x509_stack copies n th_x509 objects into a new stack of up-ref'd
 * X509 (NULL list and n == 0 give an empty stack). TH_ERR_TYPE when an item
 * is not an X509. */
int th__c2_x509_stack(th_x509 *const *certs, size_t n, STACK_OF(X509) * *out, const char *func);

/* th__c2_x509_list wraps a new reference to every X509 of sk in a th_list. */
th_list *th__c2_x509_list(const STACK_OF(X509) * sk);

/* ---- verify_param.c: name and policy settings of an X509_VERIFY_PARAM,
 * shared with the ssl module (Context, Connection). Each checks its input
 * first (TH_ERR_TYPE for NULL or a NUL byte in a name, TH_ERR_VALUE for a
 * bad value) and leaves p unchanged on error; func names the caller. */
int th__vp_host(X509_VERIFY_PARAM *p, const char *name, size_t len, int add, const char *func);
int th__vp_email(X509_VERIFY_PARAM *p, const char *addr, size_t len, const char *func);
int th__vp_ip(X509_VERIFY_PARAM *p, const char *text, const char *func);
int th__vp_host_flags(X509_VERIFY_PARAM *p, unsigned int flags, const char *func);
int th__vp_purpose(X509_VERIFY_PARAM *p, int purpose, const char *func);
int th__vp_auth_level(X509_VERIFY_PARAM *p, int level, const char *func);
int th__vp_flags(X509_VERIFY_PARAM *p, unsigned long flags, const char *func);
/* th__vp_peer_name: *out = a copy of name as th_bytes, or NULL when name
 * is NULL (TH_OK); TH_ERR_TYPE for NULL out, TH_ERR_NOMEM. */
int th__vp_peer_name(const char *name, th_bytes **out, const char *func);

#endif
