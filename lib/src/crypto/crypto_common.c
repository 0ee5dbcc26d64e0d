/* crypto_common.c — checks and conversions shared by every crypto file
 * (see crypto_common_internal.h). */
#include <limits.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>

#include "crypto_internal.h"
#include "tlsharness/crypto.h"

_Static_assert(TH__FT_PEM == TH_FILETYPE_PEM && TH__FT_ASN1 == TH_FILETYPE_ASN1 &&
                   TH__FT_TEXT == TH_FILETYPE_TEXT,
               "the internal file types must match crypto.h");

int th__pkey_usable(const th_pkey *pkey, int need_private, const char *func) {
  int rc = th__obj_check(pkey, &TH_TYPE_PKEY, func, "pkey");
  if (rc != TH_OK) return rc;
  if (pkey->pkey == NULL) return th__err(TH_ERR_VALUE, "%s: Key is uninitialized", func);
  if (need_private && pkey->only_public)
    return th__err(TH_ERR_VALUE, "%s: Key only has public part", func);
  return TH_OK;
}

int th__buf_ok(const void *buf, size_t len, int null_ok, const char *func) {
  /* A size_t that came from a negative int shows up as above LONG_MAX. */
  int rc = th__check_buf(buf, len > LONG_MAX ? -1 : (long)len, func);
  if (rc == TH_OK && buf == NULL && !null_ok)
    rc = th__err(TH_ERR_TYPE, "%s: buffer is NULL", func);
  return rc;
}

int th__filetype_ok(int type, int allow_text, const char *func) {
  if (type == TH__FT_PEM || type == TH__FT_ASN1 || (allow_text && type == TH__FT_TEXT))
    return TH_OK;
  return th__err(TH_ERR_VALUE, "%s: type argument must be FILETYPE_PEM, FILETYPE_ASN1%s (got %d)",
                 func, allow_text ? " or FILETYPE_TEXT" : "", type);
}

BIO *th__load_bio(int type, const unsigned char *buf, size_t len, int null_ok, const char *func) {
  if (th__filetype_ok(type, 0, func) != TH_OK || th__buf_ok(buf, len, null_ok, func) != TH_OK)
    return NULL;
  static const unsigned char empty[1];
  ERR_clear_error();
  BIO *b = BIO_new_mem_buf(buf != NULL ? buf : empty, (int)len);
  if (b == NULL) th__err_ossl(TH_ERR_NOMEM, "%s: out of memory for a BIO", func);
  return b;
}

BIO *th__mem_bio(const char *func) {
  BIO *b = BIO_new(BIO_s_mem());
  if (b == NULL) th__err_ossl(TH_ERR_NOMEM, "%s: out of memory for a BIO", func);
  return b;
}

static X509_ALGOR *algor_copy(const X509_ALGOR *src) {
  X509_ALGOR *a = X509_ALGOR_new();
  if (a != NULL && !X509_ALGOR_copy(a, src)) {
    X509_ALGOR_free(a);
    a = NULL;
  }
  return a;
}

int th__sig_save(th__sig_copy *c, const X509_ALGOR *alg, const X509_ALGOR *tbs_alg,
                 const ASN1_BIT_STRING *sig, const char *func) {
  c->alg = algor_copy(alg);
  c->tbs_alg = tbs_alg != NULL ? algor_copy(tbs_alg) : NULL;
  c->sig = ASN1_STRING_dup(sig);
  if (c->alg == NULL || (tbs_alg != NULL && c->tbs_alg == NULL) || c->sig == NULL) {
    th__sig_drop(c);
    return th__err_ossl(TH_ERR_NOMEM, "%s: out of memory saving the old signature", func);
  }
  return TH_OK;
}

/* Swaps the contents of two algorithm identifiers (two pointers each). */
static void algor_swap(X509_ALGOR *a, X509_ALGOR *b) {
  X509_ALGOR t = *a;
  *a = *b;
  *b = t;
}

/* Swaps the bytes, length and bit flags of two strings; each keeps its own
 * ASN1_STRING_FLAG_EMBED (an X509's signature is embedded in it, the copy
 * is not). */
static void string_swap(ASN1_STRING *a, ASN1_STRING *b) {
  const long embed = ASN1_STRING_FLAG_EMBED;
  ASN1_STRING t = *a;
  a->length = b->length;
  a->data = b->data;
  a->flags = (a->flags & embed) | (b->flags & ~embed);
  b->length = t.length;
  b->data = t.data;
  b->flags = (b->flags & embed) | (t.flags & ~embed);
}

void th__sig_restore(th__sig_copy *c, const X509_ALGOR *alg, const X509_ALGOR *tbs_alg,
                     const ASN1_BIT_STRING *sig) {
  /* The get0 accessors return the object's own fields; writing them back
   * is the only way OpenSSL offers to undo X509_sign's changes. Swapped,
   * not copied: a restore cannot fail, and it does not read what a failed
   * sign left behind (OpenSSL 3.0 can leave the signature's length at -1;
   * ASN1_STRING_copy into it then skips its realloc and writes a byte past
   * the buffer: found by the allocation-failure sweep). The failed state
   * goes to the copies, freed here. */
  algor_swap((X509_ALGOR *)alg, c->alg);
  if (tbs_alg != NULL) algor_swap((X509_ALGOR *)tbs_alg, c->tbs_alg);
  string_swap((ASN1_BIT_STRING *)sig, c->sig);
  th__sig_drop(c);
}

void th__sig_drop(th__sig_copy *c) {
  X509_ALGOR_free(c->alg);
  X509_ALGOR_free(c->tbs_alg);
  ASN1_BIT_STRING_free(c->sig);
  c->alg = c->tbs_alg = NULL;
  c->sig = NULL;
}

int th__i2d_key_bio(BIO *bio, int (*i2d)(const EVP_PKEY *, unsigned char **), const EVP_PKEY *key) {
  unsigned char *der = NULL;
  int n = i2d(key, &der); /* OpenSSL allocates der, or fails as a whole */
  int ok = n > 0 && BIO_write(bio, der, n) == n;
  OPENSSL_free(der);
  return ok;
}

th_bytes *th__bio_done(BIO *bio, int ok, const char *func, const char *what) {
  th_bytes *out = NULL;
  if (ok > 0)
    out = th__bytes_from_bio(bio);
  else
    th__err_ossl(TH_ERR_CRYPTO, "%s: %s", func, what);
  BIO_free(bio);
  return out;
}

/* pyOpenSSL hands the text to ASN1_GENERALIZEDTIME_set_string, so only the
 * GENERALIZEDTIME forms are accepted; OpenSSL checks the calendar fields. */
ASN1_TIME *th__time_parse(const char *when, const char *func) {
  if (when == NULL) {
    th__err(TH_ERR_TYPE, "%s: when is NULL", func);
    return NULL;
  }
  ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
  if (t == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "%s: out of memory", func);
    return NULL;
  }
  if (!ASN1_GENERALIZEDTIME_set_string(t, when)) {
    ASN1_GENERALIZEDTIME_free(t);
    th__err(TH_ERR_VALUE, "%s: Invalid string '%.40s': not an ASN.1 GENERALIZEDTIME", func, when);
    return NULL;
  }
  return t;
}

int th__time_text(const ASN1_TIME *t, int as_stored, th_bytes **out, const char *func) {
  TH_CHECK_ARG(out);
  *out = NULL;
  if (t == NULL || ASN1_STRING_length(t) == 0) return TH_OK;
  if (as_stored && ASN1_STRING_type(t) == V_ASN1_GENERALIZEDTIME) {
    *out = th_bytes_new(ASN1_STRING_get0_data(t), (size_t)ASN1_STRING_length(t));
    return *out != NULL ? TH_OK : th_error_kind();
  }
  ASN1_GENERALIZEDTIME *g = ASN1_TIME_to_generalizedtime(t, NULL);
  if (g == NULL) return th__err_ossl(TH_ERR_CRYPTO, "%s: the time cannot be read", func);
  *out = th_bytes_new(ASN1_STRING_get0_data(g), (size_t)ASN1_STRING_length(g));
  ASN1_GENERALIZEDTIME_free(g);
  return *out != NULL ? TH_OK : th_error_kind();
}

/* ---- digests -------------------------------------------------------------- */

const EVP_MD *th__digest_by_name(const char *name, const char *func) {
  if (name == NULL) {
    th__err(TH_ERR_TYPE, "%s: digest name is NULL", func);
    return NULL;
  }
  const EVP_MD *md = EVP_get_digestbyname(name);
  if (md == NULL) th__err(TH_ERR_VALUE, "%s: No such digest method '%.40s'", func, name);
  return md;
}

int th__sign_digest(const th_pkey *pkey, const char *name, const EVP_MD **md, const char *func) {
  int id = EVP_PKEY_get_base_id(pkey->pkey);
  if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) {
    *md = NULL; /* EdDSA hashes internally and takes no digest */
    return TH_OK;
  }
  *md = th__digest_by_name(name, func);
  return *md != NULL ? TH_OK : th_error_kind();
}
