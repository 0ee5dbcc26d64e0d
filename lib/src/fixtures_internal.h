/* fixtures_internal.h — private declarations shared by fixtures_*.c.
 * Nothing here is public API. */
#ifndef TLSHARNESS_FIXTURES_INTERNAL_H
#define TLSHARNESS_FIXTURES_INTERNAL_H

#include <stdint.h>

#include <openssl/provider.h>
#include <openssl/x509.h>

#include "internal.h"
#include "tlsharness/fixtures.h"

extern const th_type TH_TYPE_FIXTURES, TH_TYPE_FIXTURES_CERT;

/* A generator: a private library context whose DRBGs all draw from one
 * deterministic stream keyed by the seed (fixtures_rng.c). Everything it
 * makes lives in that context; what is handed to callers is re-imported
 * into the default context, so it outlives the generator. */
struct th_fixtures {
  th_obj hdr;
  OSSL_LIB_CTX *libctx;
  OSSL_PROVIDER *deflt; /* the default provider, loaded into libctx */
  OSSL_PROVIDER *rng;   /* our deterministic RAND provider */
  unsigned long long seed;
  long next_serial;
  EVP_PKEY *dsa_params; /* cached DSA-2048/256 domain parameters */
};

/* One issued certificate with its private key and its issuer. */
struct th_fixtures_cert {
  th_obj hdr;
  th_fixtures *fx;          /* referenced */
  X509 *x509;               /* in fx->libctx */
  EVP_PKEY *key;            /* in fx->libctx */
  th_fixtures_cert *issuer; /* referenced; NULL when self-signed */
  int role;                 /* a TH_FIXTURES_ROLE_* */
  int key_type;             /* a TH_FIXTURES_KEY_* */
  STACK_OF(X509_REVOKED) *revoked; /* what this CA revoked (th_fixtures_revoke) */
};

/* ---- fixtures_rng.c ---- */
/* th__fx_libctx_init makes fx->libctx with the default provider and the
 * deterministic DRBGs keyed by fx->seed. TH_ERR_CRYPTO on failure. */
int th__fx_libctx_init(th_fixtures *fx);
/* th__fx_libctx_done releases what th__fx_libctx_init made. */
void th__fx_libctx_done(th_fixtures *fx);
/* th__fx_random fills buf from fx's deterministic stream. */
int th__fx_random(th_fixtures *fx, unsigned char *buf, size_t len);
/* th__fx_keygen makes a key of type key_type in fx->libctx (NULL with
 * TH_ERR_VALUE for an unknown type, TH_ERR_CRYPTO on failure). */
EVP_PKEY *th__fx_keygen(th_fixtures *fx, int key_type);

/* ---- fixtures_ca.c ---- */
/* th__fx_set_time parses "YYYYMMDDHHMMSSZ" into t (TH_ERR_VALUE). */
int th__fx_set_time(ASN1_TIME *t, const char *text, const char *func);
/* th__fx_export_x509 / _pkey re-import into the default library context
 * (new objects the caller frees). */
X509 *th__fx_export_x509(X509 *x);
EVP_PKEY *th__fx_export_pkey(EVP_PKEY *k);
/* th__fx_crl_raw signs ca's CRL (raw, in fx->libctx); signer NULL = ca. */
X509_CRL *th__fx_crl_raw(th_fixtures_cert *ca, const char *last_update, const char *next_update,
                         th_fixtures_cert *signer);

/* ---- fixtures_write.c ---- */
/* A fixture set being written: files under dir plus the manifest rows. */
typedef struct th__fx_out {
  char dir[1024];
  BIO *manifest;    /* manifest rows, written to manifest.tsv at the end */
  size_t files;     /* files written */
  int progress;     /* print a progress line on stderr */
  int progress_total;
  int progress_done;
} th__fx_out;

/* th__fx_write writes len bytes to dir/name (TH_ERR_SYSCALL). */
int th__fx_write(th__fx_out *out, const char *name, const void *data, size_t len);
/* th__fx_row appends one manifest row (fields tab-separated). */
int th__fx_row(th__fx_out *out, const char *file, const char *role, const char *key,
               const char *format, const char *verdict, const char *what, const char *args);
/* Writers for one object in one format; each also adds its manifest row
 * (a read-back check) unless noted. */
int th__fx_put_cert(th__fx_out *out, const char *base, th_fixtures_cert *c, const char *role,
                    const char *what);
/* th__fx_put_key writes the first nforms of: key.pem, key.der, key.enc.pem,
 * key.p8.pem, key.p8.der. */
int th__fx_put_key(th__fx_out *out, const char *base, th_fixtures_cert *c, const char *role,
                   size_t nforms);
int th__fx_put_pkcs12(th__fx_out *out, const char *base, th_fixtures_cert *c, const char *role);
int th__fx_put_chain(th__fx_out *out, const char *name, th_fixtures_cert *c, int with_root,
                     const char *role);
int th__fx_put_crl(th__fx_out *out, const char *base, X509_CRL *crl, const char *what);
int th__fx_put_csr(th__fx_out *out, const char *name, th_fixtures_cert *c);
int th__fx_put_dh(th__fx_out *out, th_fixtures *fx, const char *name);
int th__fx_put_bundle(th__fx_out *out, const char *name, th_fixtures_cert **cas, size_t n);
int th__fx_put_capath(th__fx_out *out, const char *dir, th_fixtures_cert **cas, size_t n);
/* th__fx_verify_row adds a certificate verification row: file, expected
 * verdict (an X509_V_* code) and the `openssl verify` arguments. */
int th__fx_verify_row(th__fx_out *out, const char *file, const char *role, const char *key,
                      int verdict, const char *what, const char *args);
/* th__fx_progress advances the progress line. */
void th__fx_progress(th__fx_out *out, const char *what);

/* ---- fixtures_set.c ---- */
/* The fixed dates and verification time of the default set. */
#define TH__FX_EXPIRED_FROM "20200101000000Z"
#define TH__FX_EXPIRED_TO "20210101000000Z"
#define TH__FX_FUTURE_FROM "20980101000000Z"
#define TH__FX_CRL_LAST "20240101000000Z"
#define TH__FX_CRL_EXPIRED_NEXT "20240601000000Z"

#endif
