/* pkcs12.c — crypto.PKCS12 and crypto.load_pkcs12. */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "crypto_internal.h"
#include "tlsharness/pkcs12.h"

static void pkcs12_destroy(void *self) {
  th_pkcs12 *p = self;
  th__obj_free(p->cert);
  th__obj_free(p->key);
  sk_X509_pop_free(p->cacerts, X509_free);
  th_bytes_free(p->friendlyname);
}

const th_type TH_TYPE_PKCS12 = {"PKCS12", pkcs12_destroy};

TH_DEFINE_REFCOUNT(pkcs12, th_pkcs12, TH_TYPE_PKCS12)

th_pkcs12 *th_pkcs12_new(void) { return th__obj_new(&TH_TYPE_PKCS12, sizeof(th_pkcs12)); }

/* fill moves what PKCS12_parse returned into p (taking every argument). */
static int fill(th_pkcs12 *p, EVP_PKEY *pkey, X509 *cert, STACK_OF(X509) * ca) {
  int ok = 1;
  if (cert != NULL) {
    int alen = 0;
    const unsigned char *alias = X509_alias_get0(cert, &alen);
    if (alias != NULL) ok &= (p->friendlyname = th_bytes_new(alias, (size_t)alen)) != NULL;
    ok &= (p->cert = th__x509_wrap(cert)) != NULL;
  }
  if (pkey != NULL) ok &= (p->key = th__pkey_wrap(pkey, 0)) != NULL;
  if (sk_X509_num(ca) > 0)
    p->cacerts = ca;
  else
    sk_X509_free(ca);
  return ok ? TH_OK : TH_ERR_NOMEM;
}

/* own_cert returns cert, or when PKCS12_parse gave a key but no
 * certificate, the CA certificate that matches the key (taken out of ca).
 * PKCS12_parse puts the key's own certificate among the CA certificates
 * when its X509_check_private_key fails, e.g. for want of memory (found by
 * the allocation-failure sweep, docs/reliability.md). */
/* same_pubkey compares the encodings (not X509_check_private_key, whose
 * failed lookup of the certificate's key can stay cached in the X509). */
static int same_pubkey(X509 *x, EVP_PKEY *pkey) {
  unsigned char *a = NULL, *b = NULL;
  int na = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &a);
  int nb = i2d_PUBKEY(pkey, &b);
  int same = na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0;
  OPENSSL_free(a);
  OPENSSL_free(b);
  return same;
}

static X509 *own_cert(EVP_PKEY *pkey, X509 *cert, STACK_OF(X509) * ca) {
  if (cert != NULL || pkey == NULL) return cert;
  ERR_set_mark();
  for (int i = 0; i < sk_X509_num(ca); i++) {
    if (same_pubkey(sk_X509_value(ca, i), pkey)) {
      cert = sk_X509_delete(ca, i);
      break;
    }
  }
  ERR_pop_to_mark();
  return cert;
}

th_pkcs12 *th_crypto_load_pkcs12(const unsigned char *buf, size_t len, const char *passphrase) {
  if (th__buf_ok(buf, len, 0, __func__) != TH_OK) return NULL;
  ERR_clear_error();
  const unsigned char *p = buf;
  PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
  if (p12 == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_crypto_load_pkcs12: cannot parse the PKCS#12 data");
    return NULL;
  }
  /* The spec: "The MAC is always checked and thus required." OpenSSL 3's
   * PKCS12_parse skips the check when there is no MAC and no passphrase. */
  if (!PKCS12_mac_present(p12)) {
    PKCS12_free(p12);
    th__err(TH_ERR_CRYPTO, "th_crypto_load_pkcs12: the PKCS#12 data has no MAC");
    return NULL;
  }
  EVP_PKEY *pkey = NULL;
  X509 *cert = NULL;
  STACK_OF(X509) *ca = NULL;
  int ok = PKCS12_parse(p12, passphrase, &pkey, &cert, &ca);
  PKCS12_free(p12);
  if (ok) cert = own_cert(pkey, cert, ca);
  if (!ok) {
    th__err_ossl(TH_ERR_CRYPTO,
                 "th_crypto_load_pkcs12: cannot decrypt the PKCS#12 data "
                 "(wrong passphrase?)");
    return NULL;
  }
  th_pkcs12 *out = th_pkcs12_new();
  if (out == NULL || fill(out, pkey, cert, ca) != TH_OK) {
    if (out == NULL) {
      EVP_PKEY_free(pkey);
      X509_free(cert);
      sk_X509_pop_free(ca, X509_free);
    }
    th__obj_free(out);
    th__err(TH_ERR_NOMEM, "th_crypto_load_pkcs12: out of memory");
    return NULL;
  }
  return out;
}

int th_pkcs12_get_certificate(const th_pkcs12 *p12, th_x509 **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  *out = th__obj_up_ref(p12->cert);
  return TH_OK;
}

int th_pkcs12_get_privatekey(const th_pkcs12 *p12, th_pkey **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  *out = th__obj_up_ref(p12->key);
  return TH_OK;
}

int th_pkcs12_get_ca_certificates(const th_pkcs12 *p12, th_list **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  if (p12->cacerts == NULL) return TH_OK;
  *out = th__c2_x509_list(p12->cacerts);
  return *out == NULL ? TH_ERR_NOMEM : TH_OK;
}

int th_pkcs12_get_friendlyname(const th_pkcs12 *p12, th_bytes **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  if (p12->friendlyname == NULL) return TH_OK;
  *out = th_bytes_new(p12->friendlyname->data, p12->friendlyname->len);
  return *out == NULL ? TH_ERR_NOMEM : TH_OK;
}

int th_pkcs12_set_certificate(th_pkcs12 *p12, th_x509 *cert) {
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  if (cert != NULL) TH_CHECK(cert, &TH_TYPE_X509);
  th__obj_up_ref(cert);
  th__obj_free(p12->cert);
  p12->cert = cert;
  return TH_OK;
}

int th_pkcs12_set_privatekey(th_pkcs12 *p12, th_pkey *pkey) {
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  if (pkey != NULL) TH_CHECK(pkey, &TH_TYPE_PKEY);
  th__obj_up_ref(pkey);
  th__obj_free(p12->key);
  p12->key = pkey;
  return TH_OK;
}

int th_pkcs12_set_ca_certificates(th_pkcs12 *p12, th_x509 *const *cacerts, size_t n) {
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  STACK_OF(X509) *sk = NULL;
  if (n > 0) {
    int rc = th__c2_x509_stack(cacerts, n, &sk, __func__);
    if (rc != TH_OK) return rc;
  }
  sk_X509_pop_free(p12->cacerts, X509_free);
  p12->cacerts = sk;
  return TH_OK;
}

/* The longest friendly name taken: far beyond any real one (a BMPString
 * attribute inside the file), small enough that a wrong len is caught. */
#define TH__P12_NAME_MAX 65535

int th_pkcs12_set_friendlyname(th_pkcs12 *p12, const unsigned char *name, size_t len) {
  TH_CHECK(p12, &TH_TYPE_PKCS12);
  th_bytes *b = NULL;
  if (name != NULL) {
    /* The length first: memchr over an over-long len would read past name. */
    if (len > TH__P12_NAME_MAX)
      return th__err(TH_ERR_VALUE, "th_pkcs12_set_friendlyname: a name of %zu bytes is over %d",
                     len, TH__P12_NAME_MAX);
    if (memchr(name, '\0', len) != NULL)
      return th__err(TH_ERR_VALUE, "th_pkcs12_set_friendlyname: name contains a NUL byte");
    if ((b = th_bytes_new(name, len)) == NULL) return th_error_kind();
  } else if (len > 0) {
    return th__err(TH_ERR_TYPE, "th_pkcs12_set_friendlyname: name is NULL with len %zu", len);
  }
  th_bytes_free(p12->friendlyname);
  p12->friendlyname = b;
  return TH_OK;
}

/* complete reads an exported PKCS#12 back and checks that it holds every
 * part asked for. OpenSSL 3.0's PKCS12_create does not check each step:
 * when packing the certificate's bag fails (out of memory) it goes on and
 * returns a PKCS#12 without the certificate (found by the allocation-
 * failure sweep, docs/reliability.md). Certificates are counted together
 * (PKCS12_parse may file the key's own certificate among the CA ones). */
static int complete(PKCS12 *p, const char *passphrase, const th_pkcs12 *p12) {
  EVP_PKEY *k = NULL;
  X509 *c = NULL;
  STACK_OF(X509) *ca = NULL;
  ERR_set_mark();
  int ok = PKCS12_parse(p, passphrase, &k, &c, &ca);
  ERR_pop_to_mark();
  int want = (p12->cert != NULL) + (p12->cacerts != NULL ? sk_X509_num(p12->cacerts) : 0);
  int got = (c != NULL) + (ca != NULL ? sk_X509_num(ca) : 0);
  ok = ok && (k != NULL) == (p12->key != NULL) && got == want;
  EVP_PKEY_free(k);
  X509_free(c);
  sk_X509_pop_free(ca, X509_free);
  return ok;
}

th_bytes *th_pkcs12_export(const th_pkcs12 *p12, const char *passphrase, int iter, int maciter) {
  TH_CHECK_NULL(p12, &TH_TYPE_PKCS12);
  if (iter < 1 || maciter < 1) {
    th__err(TH_ERR_VALUE, "th_pkcs12_export: iter (%d) and maciter (%d) must be at least 1", iter,
            maciter);
    return NULL;
  }
  ERR_clear_error();
  /* nid_key/nid_cert 0: OpenSSL 3's defaults (PBES2, AES-256-CBC), which
   * every current tool opens; pyOpenSSL 16.1 asked for 3DES. */
  PKCS12 *p = PKCS12_create(passphrase, p12->friendlyname ? (char *)p12->friendlyname->data : NULL,
                            p12->key ? p12->key->pkey : NULL, p12->cert ? p12->cert->x509 : NULL,
                            p12->cacerts, 0, 0, iter, maciter, 0);
  if (p == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_pkcs12_export: PKCS12_create failed");
    return NULL;
  }
  if (!complete(p, passphrase, p12)) {
    PKCS12_free(p);
    th__err_ossl(TH_ERR_CRYPTO, "th_pkcs12_export: PKCS12_create left out a part (out of memory?)");
    return NULL;
  }
  unsigned char *der = NULL;
  int n = i2d_PKCS12(p, &der);
  PKCS12_free(p);
  if (n <= 0) {
    th__err_ossl(TH_ERR_CRYPTO, "th_pkcs12_export: cannot encode the PKCS#12 data");
    return NULL;
  }
  th_bytes *out = th_bytes_new(der, (size_t)n);
  OPENSSL_free(der);
  return out;
}
