/* testutil_chain.h — helpers for the X509Store / CRL / PKCS tests: a
 * root -> intermediate -> leaf chain, certificates with chosen extensions,
 * CRLs made with raw OpenSSL (independent of the CRL class under test). */
#ifndef TLSHARNESS_TESTUTIL_CHAIN_H
#define TLSHARNESS_TESTUTIL_CHAIN_H

#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "testutil.h"

/* tc_cert makes a certificate valid from now-30 days to now+365 days,
 * SHA-256, for key, signed by issuer_key as issuer (self-signed when issuer
 * is NULL; issuer_key NULL means key). Subject CN=cn, or the issuer's
 * subject plus CN=cn+1 when cn starts with '+'. exts is NULL or a
 * NULL-terminated list of name, value pairs in openssl.cnf syntax, e.g.
 * {"basicConstraints", "critical,CA:TRUE", NULL}. Caller frees. */
X509 *tc_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
              const char *const *exts);

/* The usual extensions of a CA and of a leaf. */
extern const char *const tc_ca_exts[];
extern const char *const tc_leaf_exts[];

/* A root -> intermediate -> leaf chain with EC keys, raw and wrapped. */
typedef struct tc_chain {
  EVP_PKEY *root_key, *int_key, *leaf_key;
  X509 *root, *inter, *leaf;
  th_x509 *t_root, *t_inter, *t_leaf;
  th_pkey *tk_root, *tk_inter, *tk_leaf;
} tc_chain;
void tc_chain_make(tc_chain *c);
void tc_chain_free(tc_chain *c);

/* tc_crl makes a CRL issued by issuer, signed with sign_key, lastUpdate
 * now+last_days, nextUpdate now+next_days, revoking revoked (or nothing
 * when NULL). Caller frees. */
X509_CRL *tc_crl(X509 *issuer, EVP_PKEY *sign_key, long last_days, long next_days, X509 *revoked);
/* The same wrapped in a th_crl. */
th_crl *tc_th_crl(X509 *issuer, EVP_PKEY *sign_key, long last_days, long next_days, X509 *revoked);

/* tc_same_cert: do a and b have the same DER encoding? */
int tc_same_cert(const th_x509 *a, const X509 *b);

/* tc_now: the time the certificates of this process are relative to. */
time_t tc_now(void);

/* tc_write_pem writes x as PEM to tu_path(name) and returns that path
 * (static buffer, as tu_path). */
const char *tc_write_cert(const char *name, const X509 *x);
const char *tc_write_crl(const char *name, const X509_CRL *c);

#endif
