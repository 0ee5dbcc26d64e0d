/* bench_keys.c — the benchmark's keys and certificates, made once at
 * start-up (never timed) and kept as DER, so that every thread can decode
 * its own objects inside its own library context. They come from the
 * fixtures generator (deterministic: the same seed gives the same keys and
 * certificates on every machine); should it fail, raw OpenSSL makes
 * equivalent random ones and a note goes to stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlsharness/tlsharness.h"
#include "tools/bench/bench.h"

#define BENCH_FIXTURES_SEED 20240601ULL

static EVP_PKEY *make_key(bench_keykind kind) {
  switch (kind) {
    case BK_RSA2048: return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    case BK_ED25519: return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    default: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  }
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
  if (ext == NULL) return 0;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

/* A certificate for key's public half called cn, issued by issuer (NULL:
 * self-signed) and signed with signer. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *signer, int ca,
                       long serial) {
  X509 *x = X509_new();
  X509_NAME *name = X509_NAME_new();
  int ok = x != NULL && name != NULL && X509_set_version(x, X509_VERSION_3) &&
           ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                      -1, 0) &&
           X509_set_subject_name(x, name) &&
           X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
           X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
           X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365) && X509_set_pubkey(x, key);
  X509_NAME_free(name);
  X509 *iss = issuer ? issuer : x;
  ok = ok && add_ext(x, iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE") &&
       add_ext(x, iss, NID_key_usage,
               ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
       add_ext(x, iss, NID_subject_key_identifier, "hash") &&
       (issuer == NULL || add_ext(x, iss, NID_authority_key_identifier, "keyid:always"));
  /* Ed25519 signs without a separate digest. */
  const EVP_MD *md = EVP_PKEY_is_a(signer, "ED25519") ? NULL : EVP_sha256();
  if (!ok || X509_sign(x, signer, md) <= 0) {
    X509_free(x);
    return NULL;
  }
  return x;
}

static int der_key(bench_der *d, EVP_PKEY *k) {
  unsigned char *p = NULL;
  int n = k ? i2d_PrivateKey(k, &p) : -1;
  if (n <= 0) return -1;
  d->data = p;
  d->len = (size_t)n;
  return 0;
}

static int der_cert(bench_der *d, X509 *x) {
  unsigned char *p = NULL;
  int n = x ? i2d_X509(x, &p) : -1;
  if (n <= 0) return -1;
  d->data = p;
  d->len = (size_t)n;
  return 0;
}

static int make_chain(bench_material *m) {
  EVP_PKEY *rk = make_key(BK_P256), *ik = make_key(BK_P256), *lk = make_key(BK_P256);
  X509 *root = NULL, *inter = NULL, *leaf = NULL;
  int rc = -1;
  if (rk && ik && lk) {
    root = make_cert(rk, "tlsharness bench root", NULL, rk, 1, 1);
    inter = root ? make_cert(ik, "tlsharness bench intermediate", root, rk, 1, 2) : NULL;
    leaf = inter ? make_cert(lk, "localhost", inter, ik, 0, 3) : NULL;
  }
  if (leaf && der_key(&m->key[BK_CHAIN_P256], lk) == 0 &&
      der_cert(&m->leaf[BK_CHAIN_P256], leaf) == 0 && der_cert(&m->inter, inter) == 0 &&
      der_cert(&m->root, root) == 0)
    rc = 0;
  X509_free(root);
  X509_free(inter);
  X509_free(leaf);
  EVP_PKEY_free(rk);
  EVP_PKEY_free(ik);
  EVP_PKEY_free(lk);
  return rc;
}

/* ---- from the fixtures generator ---- */

static int fx_der(bench_der *key, bench_der *cert, const th_fixtures_cert *c) {
  th_x509 *x = th_fixtures_cert_x509(c);
  th_pkey *k = key ? th_fixtures_cert_pkey(c) : NULL;
  X509 *rx = x ? th_x509_to_x509(x) : NULL;
  EVP_PKEY *rk = k ? th_pkey_to_evp(k) : NULL;
  int rc = rx && der_cert(cert, rx) == 0 && (key == NULL || (rk && der_key(key, rk) == 0)) ? 0 : -1;
  X509_free(rx);
  EVP_PKEY_free(rk);
  th_x509_free(x);
  th_pkey_free(k);
  return rc;
}

static th_fixtures_cert *fx_issue(th_fixtures *fx, th_fixtures_cert *issuer, int role, int key) {
  th_fixtures_spec spec = {.key = key};
  return th_fixtures_issue(fx, issuer, role, &spec);
}

static int from_fixtures(bench_material *m) {
  static const int keys[BK_CHAIN_P256] = {TH_FIXTURES_KEY_RSA2048, TH_FIXTURES_KEY_P256,
                                          TH_FIXTURES_KEY_ED25519};
  th_fixtures *fx = th_fixtures_new(BENCH_FIXTURES_SEED);
  int rc = fx ? 0 : -1;
  for (int kind = 0; rc == 0 && kind < BK_CHAIN_P256; kind++) {
    th_fixtures_cert *c = fx_issue(fx, NULL, TH_FIXTURES_ROLE_SERVER, keys[kind]);
    rc = c ? fx_der(&m->key[kind], &m->leaf[kind], c) : -1;
    th_fixtures_cert_free(c);
  }
  th_fixtures_cert *root = rc == 0 ? fx_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, TH_FIXTURES_KEY_P256) : NULL;
  th_fixtures_cert *inter = root ? fx_issue(fx, root, TH_FIXTURES_ROLE_INTERMEDIATE, TH_FIXTURES_KEY_P256) : NULL;
  th_fixtures_cert *leaf = inter ? fx_issue(fx, inter, TH_FIXTURES_ROLE_SERVER, TH_FIXTURES_KEY_P256) : NULL;
  rc = leaf && fx_der(&m->key[BK_CHAIN_P256], &m->leaf[BK_CHAIN_P256], leaf) == 0 &&
               fx_der(NULL, &m->inter, inter) == 0 && fx_der(NULL, &m->root, root) == 0
           ? 0
           : -1;
  th_fixtures_cert_free(leaf);
  th_fixtures_cert_free(inter);
  th_fixtures_cert_free(root);
  th_fixtures_free(fx);
  return rc;
}

int bench_material_make(bench_material *m) {
  memset(m, 0, sizeof *m);
  if (from_fixtures(m) == 0) return 0;
  char line[256];
  th_error_format(line, sizeof line);
  fprintf(stderr, "bench: fixtures generator failed (%s); using random keys\n", line);
  bench_material_free(m);
  for (int kind = 0; kind < BK_CHAIN_P256; kind++) {
    EVP_PKEY *k = make_key((bench_keykind)kind);
    X509 *x = k ? make_cert(k, "localhost", NULL, k, 0, 10 + kind) : NULL;
    int rc = x ? der_key(&m->key[kind], k) | der_cert(&m->leaf[kind], x) : -1;
    X509_free(x);
    EVP_PKEY_free(k);
    if (rc != 0) goto fail;
  }
  if (make_chain(m) == 0) return 0;
fail:
  bench_material_free(m);
  return -1;
}

static void der_free(bench_der *d) {
  OPENSSL_free(d->data);
  d->data = NULL;
  d->len = 0;
}

void bench_material_free(bench_material *m) {
  for (int k = 0; k < BK_COUNT; k++) {
    der_free(&m->key[k]);
    der_free(&m->leaf[k]);
  }
  der_free(&m->inter);
  der_free(&m->root);
}

static X509 *decode_cert(const bench_der *d, OSSL_LIB_CTX *libctx) {
  X509 *x = X509_new_ex(libctx, NULL);
  const unsigned char *p = d->data;
  if (x == NULL || d2i_X509(&x, &p, (long)d->len) == NULL) {
    X509_free(x);
    return NULL;
  }
  /* Fill the extension cache now, on one thread: OpenSSL 3.0 fills it on
   * first use, and the workers' first handshakes over shared contexts race
   * there (docs/reliability.md, ThreadSanitizer). */
  ERR_set_mark();
  (void)X509_check_purpose(x, -1, 0);
  ERR_pop_to_mark();
  return x;
}

int bench_keys_load(bench_keys *k, const bench_material *m, bench_keykind kind,
                    OSSL_LIB_CTX *libctx) {
  memset(k, 0, sizeof *k);
  const unsigned char *p = m->key[kind].data;
  k->key = d2i_AutoPrivateKey_ex(NULL, &p, (long)m->key[kind].len, libctx, NULL);
  k->leaf = decode_cert(&m->leaf[kind], libctx);
  if (kind == BK_CHAIN_P256) {
    k->inter = decode_cert(&m->inter, libctx);
    k->root = decode_cert(&m->root, libctx);
  }
  if (k->key && k->leaf && (kind != BK_CHAIN_P256 || (k->inter && k->root))) return 0;
  bench_keys_free(k);
  return -1;
}

void bench_keys_free(bench_keys *k) {
  EVP_PKEY_free(k->key);
  X509_free(k->leaf);
  X509_free(k->inter);
  X509_free(k->root);
  memset(k, 0, sizeof *k);
}
