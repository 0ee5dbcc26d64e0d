/* testutil_x509.h — helpers for the key and certificate tests (PKey, X509, X509Name,
 * X509Extension, X509Req, load/dump, sign/verify). */
#ifndef TLSHARNESS_TESTUTIL_X509_H
#define TLSHARNESS_TESTUTIL_X509_H

#include "testutil.h"

/* tx_assert_err asserts that the last error has kind (with a readable
 * failure message naming the call). */
#define tx_assert_err(kind)                                                          \
  cr_assert_eq(th_error_kind(), (kind), "expected %s, got: %s", th_err_name(kind), tu_err())

/* tx_write writes b to tu_path(name) and returns that path (static). */
const char *tx_write(const char *name, const th_bytes *b);

/* tx_pem dumps cert as PEM (asserting success). Caller frees. */
th_bytes *tx_pem(const th_x509 *cert);

/* tx_cert builds a certificate through the API: subject CN cn, key, signed
 * by issuer_key as issuer (self-signed when issuer is NULL), valid from
 * now-60s for a year, serial serial, v3, with basicConstraints CA:TRUE when
 * is_ca. Asserts success. Caller frees. */
th_x509 *tx_cert(th_pkey *key, const char *cn, th_x509 *issuer, th_pkey *issuer_key, int is_ca,
                 long serial);

#endif
