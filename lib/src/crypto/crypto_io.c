/* crypto_io.c — crypto.load_* / dump_* for certificates, requests and keys
 * (CRLs, PKCS7 and PKCS12 live with their classes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/crypto.h"

/* Argument checks, memory BIOs and the write-then-collect step are
 * crypto_common.c's th__load_bio / th__filetype_ok / th__mem_bio /
 * th__bio_done, shared with the CRL, PKCS7 and Revoked files. */

/* ---- certificates -------------------------------------------------------- */

th_bytes *th_crypto_dump_certificate(int type, const th_x509 *cert) {
  const char *fn = "th_crypto_dump_certificate";
  TH_CHECK_NULL(cert, &TH_TYPE_X509);
  if (th__filetype_ok(type, 1, fn) != TH_OK) return NULL;
  BIO *bio = th__mem_bio(fn);
  if (bio == NULL) return NULL;
  int ok = type == TH_FILETYPE_PEM    ? PEM_write_bio_X509(bio, cert->x509)
           : type == TH_FILETYPE_ASN1 ? i2d_X509_bio(bio, cert->x509)
                                      : X509_print_ex(bio, cert->x509, 0, 0);
  return th__bio_done(bio, ok, fn, "OpenSSL could not write it");
}

th_x509 *th_crypto_load_certificate_ex(OSSL_LIB_CTX *libctx, const char *propq, int type,
                                       const unsigned char *buf, size_t len) {
  const char *fn = "th_crypto_load_certificate";
  BIO *bio = th__load_bio(type, buf, len, 1, fn);
  if (bio == NULL) return NULL;
  X509 *x = X509_new_ex(libctx, propq);
  X509 *got = NULL;
  /* The readers fill the preallocated x (keeping its library context);
   * on a failed parse they free it and set it to NULL. */
  if (x != NULL)
    got = type == TH_FILETYPE_PEM ? PEM_read_bio_X509(bio, &x, NULL, NULL) : d2i_X509_bio(bio, &x);
  BIO_free(bio);
  if (got == NULL) {
    X509_free(x);
    th__err_ossl(TH_ERR_CRYPTO, "%s: not a certificate", fn);
    return NULL;
  }
  return th__x509_wrap(got);
}

th_x509 *th_crypto_load_certificate(int type, const unsigned char *buf, size_t len) {
  return th_crypto_load_certificate_ex(NULL, NULL, type, buf, len);
}

/* ---- certificate requests ------------------------------------------------ */

th_bytes *th_crypto_dump_certificate_request(int type, const th_x509_req *req) {
  const char *fn = "th_crypto_dump_certificate_request";
  TH_CHECK_NULL(req, &TH_TYPE_X509_REQ);
  if (th__filetype_ok(type, 1, fn) != TH_OK) return NULL;
  BIO *bio = th__mem_bio(fn);
  if (bio == NULL) return NULL;
  int ok = type == TH_FILETYPE_PEM    ? PEM_write_bio_X509_REQ(bio, req->req)
           : type == TH_FILETYPE_ASN1 ? i2d_X509_REQ_bio(bio, req->req)
                                      : X509_REQ_print_ex(bio, req->req, 0, 0);
  return th__bio_done(bio, ok, fn, "OpenSSL could not write it");
}

th_x509_req *th_crypto_load_certificate_request_ex(OSSL_LIB_CTX *libctx, const char *propq,
                                                   int type, const unsigned char *buf, size_t len) {
  const char *fn = "th_crypto_load_certificate_request";
  BIO *bio = th__load_bio(type, buf, len, 1, fn);
  if (bio == NULL) return NULL;
  X509_REQ *r = X509_REQ_new_ex(libctx, propq);
  X509_REQ *got = NULL;
  if (r != NULL)
    got = type == TH_FILETYPE_PEM ? PEM_read_bio_X509_REQ(bio, &r, NULL, NULL)
                                  : d2i_X509_REQ_bio(bio, &r);
  BIO_free(bio);
  if (got == NULL) {
    X509_REQ_free(r);
    th__err_ossl(TH_ERR_CRYPTO, "%s: not a certificate request", fn);
    return NULL;
  }
  return th__x509_req_wrap(got);
}

th_x509_req *th_crypto_load_certificate_request(int type, const unsigned char *buf, size_t len) {
  return th_crypto_load_certificate_request_ex(NULL, NULL, type, buf, len);
}

/* ---- public keys ----------------------------------------------------------- */

th_bytes *th_crypto_dump_publickey(int type, const th_pkey *pkey) {
  const char *fn = "th_crypto_dump_publickey";
  if (th__pkey_usable(pkey, 0, fn) != TH_OK || th__filetype_ok(type, 0, fn) != TH_OK) return NULL;
  BIO *bio = th__mem_bio(fn);
  if (bio == NULL) return NULL;
  int ok = type == TH_FILETYPE_PEM ? PEM_write_bio_PUBKEY(bio, pkey->pkey)
                                   : th__i2d_key_bio(bio, i2d_PUBKEY, pkey->pkey);
  return th__bio_done(bio, ok, fn, "OpenSSL could not write it");
}

th_pkey *th_crypto_load_publickey_ex(OSSL_LIB_CTX *libctx, const char *propq, int type,
                                     const unsigned char *buf, size_t len) {
  const char *fn = "th_crypto_load_publickey";
  if (th__filetype_ok(type, 0, fn) != TH_OK || th__buf_ok(buf, len, 1, fn) != TH_OK) return NULL;
  EVP_PKEY *k = NULL;
  if (type == TH_FILETYPE_PEM) {
    BIO *bio = th__load_bio(type, buf, len, 1, fn);
    if (bio == NULL) return NULL;
    k = PEM_read_bio_PUBKEY_ex(bio, NULL, NULL, NULL, libctx, propq);
    BIO_free(bio);
  } else {
    const unsigned char *p = buf;
    k = p != NULL ? d2i_PUBKEY_ex(NULL, &p, (long)len, libctx, propq) : NULL;
  }
  if (k == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "%s: not a public key", fn);
    return NULL;
  }
  return th__pkey_wrap(k, 1);
}

th_pkey *th_crypto_load_publickey(int type, const unsigned char *buf, size_t len) {
  return th_crypto_load_publickey_ex(NULL, NULL, type, buf, len);
}

/* ---- private keys ---------------------------------------------------------
 * One PEM password callback serves both passphrase forms. It never falls
 * back to OpenSSL's terminal prompt: no passphrase means "fail". */
typedef struct pw_state {
  const unsigned char *pass; /* bytes form (NULL: none) */
  size_t pass_len;
  th_passphrase_cb cb; /* callback form (NULL: none) */
  void *user;
  int writing;         /* dump truncates, load rejects a too long result */
  int cb_failed;       /* the callback returned an error: saved below */
  int too_long;
  int asked;           /* OpenSSL wanted a passphrase */
  th_error saved;
} pw_state;

static int pem_cb(char *buf, int size, int rwflag, void *u) {
  pw_state *pw = u;
  pw->asked = 1;
  if (size <= 0) return -1;
  if (pw->pass != NULL) {
    size_t n = pw->pass_len < (size_t)size ? pw->pass_len : (size_t)size;
    if (n > 0) memcpy(buf, pw->pass, n);
    return (int)n;
  }
  if (pw->cb == NULL) return -1;
  th_error_clear(); /* so that an earlier, unrelated record is not taken for the callback's */
  int r = pw->cb(buf, (size_t)size, rwflag, pw->user);
  if (r < 0) {
    pw->cb_failed = 1;
    th__err_callback(&pw->saved, r, "the passphrase callback", 1); /* "fails with that same status" */
    return -1;
  }
  if (r > size) {
    if (!pw->writing) {
      pw->too_long = 1;
      return -1;
    }
    r = size;
  }
  return r;
}

/* pw_fail reports a failed load/dump, preferring the callback's error. */
static int pw_fail(const pw_state *pw, const char *func, const char *what) {
  if (pw->cb_failed) {
    th__err_set_record(&pw->saved);
    return pw->saved.kind;
  }
  if (pw->too_long) return th__err(TH_ERR_VALUE, "%s: passphrase returned by callback is too long", func);
  if (pw->asked && pw->pass == NULL && pw->cb == NULL)
    return th__err_ossl(TH_ERR_CRYPTO, "%s: the key is encrypted and no passphrase was given", func);
  return th__err_ossl(TH_ERR_CRYPTO, "%s: %s", func, what);
}

th_pkey *th_crypto_load_privatekey_ex(OSSL_LIB_CTX *libctx, const char *propq, int type,
                                      const unsigned char *buf, size_t len,
                                      const unsigned char *pass, size_t pass_len,
                                      th_passphrase_cb cb, void *user) {
  const char *fn = "th_crypto_load_privatekey";
  if (th__filetype_ok(type, 0, fn) != TH_OK || th__buf_ok(buf, len, 1, fn) != TH_OK) return NULL;
  if (pass != NULL && th__buf_ok(pass, pass_len, 1, fn) != TH_OK) return NULL;
  if (pass != NULL && cb != NULL) {
    th__err(TH_ERR_VALUE, "%s: give a passphrase or a callback, not both", fn);
    return NULL;
  }
  if (type != TH_FILETYPE_PEM && (pass != NULL || cb != NULL)) {
    th__err(TH_ERR_VALUE, "%s: only FILETYPE_PEM key format supports encryption", fn);
    return NULL;
  }
  pw_state pw = {.pass = pass, .pass_len = pass_len, .cb = cb, .user = user};
  EVP_PKEY *k = NULL;
  if (type == TH_FILETYPE_PEM) {
    BIO *bio = th__load_bio(type, buf, len, 1, fn);
    if (bio == NULL) return NULL;
    k = PEM_read_bio_PrivateKey_ex(bio, NULL, pem_cb, &pw, libctx, propq);
    BIO_free(bio);
  } else {
    const unsigned char *p = buf;
    k = p != NULL ? d2i_AutoPrivateKey_ex(NULL, &p, (long)len, libctx, propq) : NULL;
  }
  if (k == NULL) {
    pw_fail(&pw, fn, "not a private key, or a wrong passphrase");
    return NULL;
  }
  return th__pkey_wrap(k, 0);
}

th_pkey *th_crypto_load_privatekey(int type, const unsigned char *buf, size_t len,
                                   const unsigned char *pass, size_t pass_len) {
  return th_crypto_load_privatekey_ex(NULL, NULL, type, buf, len, pass, pass_len, NULL, NULL);
}

th_pkey *th_crypto_load_privatekey_cb(int type, const unsigned char *buf, size_t len,
                                      th_passphrase_cb cb, void *user) {
  return th_crypto_load_privatekey_ex(NULL, NULL, type, buf, len, NULL, 0, cb, user);
}

/* ---- ciphers of the legacy provider ----------------------------------------
 * OpenSSL 3 keeps Blowfish (16.1's own test cipher), CAST5, DES, IDEA, RC2,
 * RC4 and SEED in its "legacy" provider, which is not loaded by default:
 * EVP_get_cipherbyname still knows the name, but encrypting with it fails.
 * Such a cipher loads the legacy provider into the default library context
 * once (and "default" with it, which an explicit load would otherwise stop
 * from being loaded implicitly); both stay loaded for the process. */
static CRYPTO_ONCE legacy_once = CRYPTO_ONCE_STATIC_INIT;
static int legacy_loaded;

/* Whether the legacy module can be found where OpenSSL will look for it
 * (OPENSSL_MODULES, else the build's modules directory): a load that fails
 * inside OpenSSL 3.0 leaks the half-made provider, so it is not attempted. */
static int legacy_present(void) {
#ifdef OPENSSL_NO_MODULE
  return 1; /* built into libcrypto */
#else
  const char *dir = getenv("OPENSSL_MODULES");
  if (dir == NULL) dir = OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
  const char *ext = OPENSSL_info(OPENSSL_INFO_DSO_EXTENSION);
  char path[4096];
  if (dir == NULL || ext == NULL ||
      snprintf(path, sizeof path, "%s/legacy%s", dir, ext) >= (int)sizeof path)
    return 0;
  return access(path, R_OK) == 0;
#endif
}

/* The providers stay loaded until the process exits; then they are unloaded
 * by an exit handler, which runs before OpenSSL's own (registered when
 * OpenSSL initialised, earlier): left loaded, OpenSSL's cleanup frees the
 * provider store around them and the providers' own allocations leak. A
 * program that calls OPENSSL_cleanup() itself must not use these ciphers
 * (docs/compat.md). */
static OSSL_PROVIDER *legacy_prov[2];

static void unload_legacy(void) {
  for (int i = 1; i >= 0; i--) {
    OSSL_PROVIDER_unload(legacy_prov[i]);
    legacy_prov[i] = NULL;
  }
}

static void load_legacy(void) {
  if (!legacy_present()) return;
  legacy_prov[0] = OSSL_PROVIDER_load(NULL, "default");
  legacy_prov[1] = legacy_prov[0] != NULL ? OSSL_PROVIDER_load(NULL, "legacy") : NULL;
  legacy_loaded = legacy_prov[1] != NULL;
  if (legacy_prov[0] != NULL && atexit(unload_legacy) != 0) legacy_prov[0] = legacy_prov[1] = NULL;
}

/* cipher_available: TH_OK when enc can be fetched (after loading the legacy
 * provider if needed), else TH_ERR_UNSUPPORTED naming the provider. */
static int cipher_available(const EVP_CIPHER *enc, const char *func) {
  const char *name = EVP_CIPHER_get0_name(enc);
  ERR_set_mark();
  EVP_CIPHER *got = EVP_CIPHER_fetch(NULL, name, NULL);
  if (got == NULL && CRYPTO_THREAD_run_once(&legacy_once, load_legacy) && legacy_loaded)
    got = EVP_CIPHER_fetch(NULL, name, NULL);
  ERR_pop_to_mark();
  if (got == NULL)
    return th__err(TH_ERR_UNSUPPORTED,
                   "%s: cipher %s is in OpenSSL 3's \"legacy\" provider, which cannot be loaded "
                   "here (see OPENSSL_MODULES)",
                   func, name);
  EVP_CIPHER_free(got);
  return TH_OK;
}

/* dump_priv checks the arguments as pyOpenSSL does, then writes. */
static th_bytes *dump_priv(int type, const th_pkey *pkey, const char *cipher, pw_state *pw) {
  const char *fn = "th_crypto_dump_privatekey";
  if (th__pkey_usable(pkey, 0, fn) != TH_OK) return NULL;
  if (pw->pass != NULL && th__buf_ok(pw->pass, pw->pass_len, 1, fn) != TH_OK) return NULL;
  int has_pass = pw->pass != NULL || pw->cb != NULL;
  const EVP_CIPHER *enc = NULL;
  if (cipher != NULL) {
    if (!has_pass) {
      th__err(TH_ERR_TYPE, "%s: if a value is given for cipher one must also be given for passphrase", fn);
      return NULL;
    }
    if ((enc = EVP_get_cipherbyname(cipher)) == NULL) {
      th__err(TH_ERR_VALUE, "%s: Invalid cipher name '%.40s'", fn, cipher);
      return NULL;
    }
  }
  if (th__filetype_ok(type, 1, fn) != TH_OK) return NULL;
  if (type != TH_FILETYPE_PEM && has_pass) {
    th__err(TH_ERR_VALUE, "%s: only FILETYPE_PEM key format supports encryption", fn);
    return NULL;
  }
  if (pkey->only_public) {
    th__err(TH_ERR_CRYPTO, "%s: the key has only a public part", fn);
    return NULL;
  }
  if (enc != NULL && cipher_available(enc, fn) != TH_OK) return NULL;
  BIO *bio = th__mem_bio(fn);
  if (bio == NULL) return NULL;
  int ok;
  if (type == TH_FILETYPE_PEM)
    ok = PEM_write_bio_PrivateKey(bio, pkey->pkey, enc, NULL, 0, enc != NULL ? pem_cb : NULL,
                                  enc != NULL ? pw : NULL);
  else if (type == TH_FILETYPE_ASN1)
    ok = th__i2d_key_bio(bio, i2d_PrivateKey, pkey->pkey);
  else
    ok = EVP_PKEY_print_private(bio, pkey->pkey, 0, NULL);
  if (ok <= 0) {
    BIO_free(bio);
    pw_fail(pw, fn, "OpenSSL could not write the key");
    return NULL;
  }
  return th__bio_done(bio, ok, fn, "OpenSSL could not write it");
}

th_bytes *th_crypto_dump_privatekey(int type, const th_pkey *pkey, const char *cipher,
                                    const unsigned char *pass, size_t pass_len) {
  pw_state pw = {.pass = pass, .pass_len = pass_len, .writing = 1};
  return dump_priv(type, pkey, cipher, &pw);
}

th_bytes *th_crypto_dump_privatekey_cb(int type, const th_pkey *pkey, const char *cipher,
                                       th_passphrase_cb cb, void *user) {
  pw_state pw = {.cb = cb, .user = user, .writing = 1};
  return dump_priv(type, pkey, cipher, &pw);
}
