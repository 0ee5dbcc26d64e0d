/* testutil_chain.c — see testutil_chain.h. */
#include "testutil_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/conf.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

const char *const tc_ca_exts[] = {"basicConstraints",
                                  "critical,CA:TRUE",
                                  "keyUsage",
                                  "critical,keyCertSign,cRLSign,digitalSignature",
                                  "subjectKeyIdentifier",
                                  "hash",
                                  "authorityKeyIdentifier",
                                  "keyid:always",
                                  NULL};
const char *const tc_leaf_exts[] = {
    "basicConstraints", "CA:FALSE",       "subjectKeyIdentifier", "hash", "authorityKeyIdentifier",
    "keyid:always",     "subjectAltName", "DNS:localhost",        NULL};

time_t tc_now(void) {
  static time_t now;
  if (now == 0) now = time(NULL);
  return now;
}

static void set_days(ASN1_TIME *t, long days) {
  X509_time_adj_ex(t, (int)days, 0, &(time_t){tc_now()});
}

X509 *tc_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
              const char *const *exts) {
  static long serial = 5000;
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), (serial++) * 100000L + getpid() % 100000);
  set_days(X509_getm_notBefore(x), -30);
  set_days(X509_getm_notAfter(x), 365);
  X509_set_pubkey(x, key);
  X509_NAME *name = X509_get_subject_name(x);
  if (cn[0] == '+' && issuer != NULL) {
    X509_set_subject_name(x, X509_get_subject_name(issuer));
    name = X509_get_subject_name(x);
    cn++;
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
  /* An empty config database: certificatePolicies and proxyCertInfo
   * refuse to parse without one. */
  CONF *db = NCONF_new(NULL);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
  X509V3_set_nconf(&ctx, db);
  for (size_t i = 0; exts != NULL && exts[i] != NULL; i += 2) {
    X509_EXTENSION *e = X509V3_EXT_nconf(db, &ctx, exts[i], exts[i + 1]);
    if (e == NULL) {
      fprintf(stderr, "tc_cert: bad extension %s=%s\n", exts[i], exts[i + 1]);
      abort();
    }
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
  }
  NCONF_free(db);
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return x;
}

static th_x509 *wrap_cert(X509 *x) { return th_x509_from_x509(x); }

void tc_chain_make(tc_chain *c) {
  memset(c, 0, sizeof *c);
  c->root_key = tu_ec_evp();
  c->int_key = tu_ec_evp();
  c->leaf_key = tu_ec_evp();
  c->root = tc_cert(c->root_key, "tc root", NULL, NULL, tc_ca_exts);
  c->inter = tc_cert(c->int_key, "tc intermediate", c->root, c->root_key, tc_ca_exts);
  c->leaf = tc_cert(c->leaf_key, "tc leaf", c->inter, c->int_key, tc_leaf_exts);
  c->t_root = wrap_cert(c->root);
  c->t_inter = wrap_cert(c->inter);
  c->t_leaf = wrap_cert(c->leaf);
  c->tk_root = th_pkey_from_evp(c->root_key);
  c->tk_inter = th_pkey_from_evp(c->int_key);
  c->tk_leaf = th_pkey_from_evp(c->leaf_key);
}

void tc_chain_free(tc_chain *c) {
  th_x509_free(c->t_root);
  th_x509_free(c->t_inter);
  th_x509_free(c->t_leaf);
  th_pkey_free(c->tk_root);
  th_pkey_free(c->tk_inter);
  th_pkey_free(c->tk_leaf);
  X509_free(c->root);
  X509_free(c->inter);
  X509_free(c->leaf);
  EVP_PKEY_free(c->root_key);
  EVP_PKEY_free(c->int_key);
  EVP_PKEY_free(c->leaf_key);
  memset(c, 0, sizeof *c);
}

X509_CRL *tc_crl(X509 *issuer, EVP_PKEY *sign_key, long last_days, long next_days, X509 *revoked) {
  X509_CRL *crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
  ASN1_TIME *t = ASN1_TIME_new();
  set_days(t, last_days);
  X509_CRL_set1_lastUpdate(crl, t);
  set_days(t, next_days);
  X509_CRL_set1_nextUpdate(crl, t);
  if (revoked != NULL) {
    X509_REVOKED *r = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked));
    set_days(t, last_days);
    X509_REVOKED_set_revocationDate(r, t);
    X509_CRL_add0_revoked(crl, r);
  }
  ASN1_TIME_free(t);
  X509_CRL_sort(crl);
  X509_CRL_sign(crl, sign_key, EVP_sha256());
  return crl;
}

th_crl *tc_th_crl(X509 *issuer, EVP_PKEY *sign_key, long last_days, long next_days, X509 *revoked) {
  X509_CRL *c = tc_crl(issuer, sign_key, last_days, next_days, revoked);
  th_crl *w = th_crl_from_x509_crl(c);
  X509_CRL_free(c);
  return w;
}

int tc_same_cert(const th_x509 *a, const X509 *b) {
  if (a == NULL || b == NULL) return 0;
  X509 *ax = th_x509_to_x509(a);
  unsigned char *da = NULL, *db = NULL;
  int na = i2d_X509(ax, &da), nb = i2d_X509(b, &db);
  int same = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;
  OPENSSL_free(da);
  OPENSSL_free(db);
  X509_free(ax);
  return same;
}

const char *tc_write_cert(const char *name, const X509 *x) {
  const char *p = tu_path(name);
  FILE *f = fopen(p, "w");
  if (f != NULL) {
    PEM_write_X509(f, x);
    fclose(f);
  }
  return p;
}

const char *tc_write_crl(const char *name, const X509_CRL *c) {
  const char *p = tu_path(name);
  FILE *f = fopen(p, "w");
  if (f != NULL) {
    PEM_write_X509_CRL(f, c);
    fclose(f);
  }
  return p;
}
