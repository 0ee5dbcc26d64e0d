/* testutil_crypto1.h — helpers for the crypto1 tests (PKey, X509, X509Name,
 * X509Extension, X509Req, load/dump, sign/verify). */
#ifndef TLSHARNESS_TESTUTIL_CRYPTO1_H
#define TLSHARNESS_TESTUTIL_CRYPTO1_H

#include "testutil.h"

/* c1_assert_err asserts that the last error has kind (with a readable
 * failure message naming the call). */
#define c1_assert_err(kind)                                                          \
  cr_assert_eq(th_error_kind(), (kind), "expected %s, got: %s", th_err_name(kind), tu_err())

/* c1_write writes b to tu_path(name) and returns that path (static). */
const char *c1_write(const char *name, const th_bytes *b);

/* c1_pem dumps cert as PEM (asserting success). Caller frees. */
th_bytes *c1_pem(const th_x509 *cert);

/* c1_cert builds a certificate through the API: subject CN cn, key, signed
 * by issuer_key as issuer (self-signed when issuer is NULL), valid from
 * now-60s for a year, serial serial, v3, with basicConstraints CA:TRUE when
 * is_ca. Asserts success. Caller frees. */
th_x509 *c1_cert(th_pkey *key, const char *cn, th_x509 *issuer, th_pkey *issuer_key, int is_ca,
                 long serial);

#endif
