/* fixtures_cert.c — what callers take out of a fixtures certificate: th_
 * objects, PEM text, CRLs, and ready-configured SSL contexts. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "fixtures_internal.h"
#include "ssl_internal.h"
#include "tlsharness/x509.h"

th_x509 *th_fixtures_cert_x509(const th_fixtures_cert *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_FIXTURES_CERT);
  X509 *x = th__fx_export_x509(cert->x509);
  return x ? th__x509_wrap(x) : NULL;
}

th_pkey *th_fixtures_cert_pkey(const th_fixtures_cert *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_FIXTURES_CERT);
  EVP_PKEY *k = th__fx_export_pkey(cert->key);
  return k ? th__pkey_wrap(k, 0) : NULL;
}

static int is_root(const th_fixtures_cert *c) { return c->issuer == NULL; }

th_list *th_fixtures_cert_chain(const th_fixtures_cert *cert) {
  TH_CHECK_NULL(cert, &TH_TYPE_FIXTURES_CERT);
  th_list *l = th__list_new((void (*)(void *))th_x509_free);
  for (const th_fixtures_cert *c = cert->issuer; l != NULL && c != NULL && !is_root(c);
       c = c->issuer) {
    th_x509 *x = th_fixtures_cert_x509(c);
    if (x == NULL || th__list_push(l, x) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

static th_bytes *pem_of(const th_fixtures_cert *cert, int what) {
  TH_CHECK_NULL(cert, &TH_TYPE_FIXTURES_CERT);
  BIO *b = BIO_new(BIO_s_mem());
  int ok = b != NULL;
  if (ok && what == 1) ok = PEM_write_bio_PrivateKey(b, cert->key, NULL, NULL, 0, NULL, NULL);
  else if (ok) ok = PEM_write_bio_X509(b, cert->x509);
  for (const th_fixtures_cert *c = cert->issuer; ok && what == 2 && c && !is_root(c);
       c = c->issuer)
    ok = PEM_write_bio_X509(b, c->x509);
  th_bytes *out = ok ? th__bytes_from_bio(b) : NULL;
  if (!ok) th__err_ossl(TH_ERR_CRYPTO, "fixtures: cannot write PEM");
  BIO_free(b);
  return out;
}

th_bytes *th_fixtures_cert_pem(const th_fixtures_cert *cert) { return pem_of(cert, 0); }
th_bytes *th_fixtures_key_pem(const th_fixtures_cert *cert) { return pem_of(cert, 1); }
th_bytes *th_fixtures_chain_pem(const th_fixtures_cert *cert) { return pem_of(cert, 2); }

/* ---- revocation ---- */
int th_fixtures_revoke(th_fixtures_cert *ca, th_fixtures_cert *cert, int reason) {
  TH_CHECK(ca, &TH_TYPE_FIXTURES_CERT);
  TH_CHECK(cert, &TH_TYPE_FIXTURES_CERT);
  if (cert->issuer != ca)
    return th__err(TH_ERR_VALUE, "th_fixtures_revoke: ca did not issue cert");
  if (reason < 0 || reason > 10 || reason == 7)
    return th__err(TH_ERR_VALUE, "th_fixtures_revoke: bad CRL reason %d", reason);
  if (ca->revoked == NULL && (ca->revoked = sk_X509_REVOKED_new_null()) == NULL)
    return th__err(TH_ERR_NOMEM, "th_fixtures_revoke: out of memory");
  X509_REVOKED *r = X509_REVOKED_new();
  ASN1_TIME *when = ASN1_TIME_new();
  ASN1_ENUMERATED *code = ASN1_ENUMERATED_new();
  int ok = r != NULL && when != NULL && code != NULL &&
           ASN1_TIME_set_string_X509(when, TH__FX_CRL_LAST) &&
           X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(cert->x509)) &&
           X509_REVOKED_set_revocationDate(r, when) && ASN1_ENUMERATED_set(code, reason) &&
           (reason == 0 || X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, code, 0, 0)) &&
           sk_X509_REVOKED_push(ca->revoked, r);
  ASN1_TIME_free(when);
  ASN1_ENUMERATED_free(code);
  if (!ok) {
    X509_REVOKED_free(r);
    return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_revoke: cannot record the revocation");
  }
  return TH_OK;
}

static int crl_fill(X509_CRL *crl, th_fixtures_cert *ca, const char *last, const char *next) {
  ASN1_TIME *t = ASN1_TIME_new();
  int rc = t == NULL ? th__err(TH_ERR_NOMEM, "th_fixtures_crl: out of memory") : TH_OK;
  if (rc == TH_OK && (rc = th__fx_set_time(t, last, "th_fixtures_crl")) == TH_OK &&
      !X509_CRL_set1_lastUpdate(crl, t))
    rc = TH_ERR_CRYPTO;
  if (rc == TH_OK && (rc = th__fx_set_time(t, next, "th_fixtures_crl")) == TH_OK &&
      !X509_CRL_set1_nextUpdate(crl, t))
    rc = TH_ERR_CRYPTO;
  ASN1_TIME_free(t);
  if (rc != TH_OK) return rc;
  if (!X509_CRL_set_version(crl, 1) ||
      !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->x509)))
    return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_crl: cannot set the issuer");
  for (int i = 0; i < sk_X509_REVOKED_num(ca->revoked); i++) {
    X509_REVOKED *r = X509_REVOKED_dup(sk_X509_REVOKED_value(ca->revoked, i));
    if (r == NULL || !X509_CRL_add0_revoked(crl, r)) {
      X509_REVOKED_free(r);
      return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_crl: cannot add a revoked entry");
    }
  }
  ASN1_INTEGER *num = ASN1_INTEGER_new();
  int ok = num != NULL && ASN1_INTEGER_set(num, 1) &&
           X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) && X509_CRL_sort(crl);
  ASN1_INTEGER_free(num);
  return ok ? TH_OK : th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_crl: cannot add the CRL number");
}

X509_CRL *th__fx_crl_raw(th_fixtures_cert *ca, const char *last_update, const char *next_update,
                         th_fixtures_cert *signer) {
  if (signer == NULL) signer = ca;
  X509_CRL *crl = X509_CRL_new_ex(ca->fx->libctx, NULL);
  if (crl == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_fixtures_crl: out of memory");
    return NULL;
  }
  EVP_MD *md = NULL;
  int ed = signer->key_type == TH_FIXTURES_KEY_ED25519 || signer->key_type == TH_FIXTURES_KEY_ED448;
  if (!ed) md = EVP_MD_fetch(ca->fx->libctx, "SHA256", NULL);
  int rc = crl_fill(crl, ca, last_update ? last_update : TH__FX_CRL_LAST,
                    next_update ? next_update : TH_FIXTURES_NOT_AFTER);
  if (rc == TH_OK && X509_CRL_sign(crl, signer->key, md) <= 0)
    rc = th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_crl: cannot sign the CRL");
  EVP_MD_free(md);
  if (rc != TH_OK) {
    X509_CRL_free(crl);
    return NULL;
  }
  return crl;
}

th_crl *th_fixtures_crl(th_fixtures_cert *ca, const char *last_update, const char *next_update,
                        th_fixtures_cert *signer) {
  TH_CHECK_NULL(ca, &TH_TYPE_FIXTURES_CERT);
  if (signer != NULL) TH_CHECK_NULL(signer, &TH_TYPE_FIXTURES_CERT);
  X509_CRL *raw = th__fx_crl_raw(ca, last_update, next_update, signer);
  if (raw == NULL) return NULL;
  /* Re-import into the default library context, like every output. */
  unsigned char *der = NULL;
  int n = i2d_X509_CRL(raw, &der);
  const unsigned char *p = der;
  X509_CRL *out = n > 0 ? d2i_X509_CRL(NULL, &p, n) : NULL;
  OPENSSL_free(der);
  X509_CRL_free(raw);
  if (out == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_crl: cannot export the CRL");
    return NULL;
  }
  return th__crl_wrap(out);
}

/* ---- SSL contexts ---- */
static SSL_CTX *ssl_ctx_of(th_context *ctx, const char *func) {
  if (th__obj_check(ctx, &TH_TYPE_CONTEXT, func, "ctx") != TH_OK) return NULL;
  return ctx->ctx;
}

int th_fixtures_configure_server(th_context *ctx, const th_fixtures_cert *cert) {
  SSL_CTX *sc = ssl_ctx_of(ctx, __func__);
  if (sc == NULL) return TH_ERR_TYPE;
  TH_CHECK(cert, &TH_TYPE_FIXTURES_CERT);
  ERR_clear_error();
  X509 *x = th__fx_export_x509(cert->x509);
  EVP_PKEY *k = th__fx_export_pkey(cert->key);
  int ok = x != NULL && k != NULL && SSL_CTX_use_certificate(sc, x) == 1 &&
           SSL_CTX_use_PrivateKey(sc, k) == 1 && SSL_CTX_clear_chain_certs(sc);
  for (const th_fixtures_cert *c = cert->issuer; ok && c != NULL && !is_root(c); c = c->issuer) {
    X509 *ix = th__fx_export_x509(c->x509);
    ok = ix != NULL && SSL_CTX_add0_chain_cert(sc, ix);
    if (!ok) X509_free(ix);
  }
  X509_free(x);
  EVP_PKEY_free(k);
  return ok ? TH_OK : th__err_ossl(TH_ERR_SSL, "%s: OpenSSL refused the certificate", __func__);
}

int th_fixtures_configure_client(th_context *ctx, const th_fixtures_cert *ca) {
  SSL_CTX *sc = ssl_ctx_of(ctx, __func__);
  if (sc == NULL) return TH_ERR_TYPE;
  TH_CHECK(ca, &TH_TYPE_FIXTURES_CERT);
  ERR_clear_error();
  X509 *x = th__fx_export_x509(ca->x509);
  int ok = x != NULL && X509_STORE_add_cert(SSL_CTX_get_cert_store(sc), x) == 1;
  X509_free(x);
  return ok ? TH_OK : th__err_ossl(TH_ERR_SSL, "%s: cannot add the CA", __func__);
}
