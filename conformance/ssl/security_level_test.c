/* security_level_test.c — beyond 16.1: th_context_set_security_level /
 * get and the same on a Connection (issue 12 item 8): values, bad input,
 * and what the levels refuse (1024-bit RSA from level 2, SHA-1 signatures
 * from level 1). */
#include <criterion/criterion.h>
#include <limits.h>

#include <openssl/ssl.h>

#include "testutil_x509.h"

TestSuite(security_level);

/* The build's own default, read from a bare SSL_CTX. */
static int build_default(void) {
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  cr_assert_not_null(c);
  int level = SSL_CTX_get_security_level(c);
  SSL_CTX_free(c);
  return level;
}

Test(security_level, context_set_get_and_bad_input) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_get_security_level(ctx), build_default());
  for (int level = 0; level <= 5; level++) {
    cr_assert_eq(th_context_set_security_level(ctx, level), TH_OK, "%s", tu_err());
    cr_assert_eq(th_context_get_security_level(ctx), level);
  }
  const int bad[] = {-1, 6, INT_MIN, INT_MAX};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_eq(th_context_set_security_level(ctx, bad[i]), TH_ERR_VALUE);
    cr_assert_eq(th_context_get_security_level(ctx), 5, "unchanged after %d", bad[i]);
  }
  cr_assert_eq(th_context_set_security_level(NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_security_level(NULL), TH_ERR_TYPE);
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_context_set_security_level((th_context *)k, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_security_level((th_context *)k), TH_ERR_TYPE);
  /* "@SECLEVEL=n" in a cipher list sets the same value. */
  cr_assert_eq(th_context_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_get_security_level(ctx), 0);
  th_pkey_free(k);
  th_context_free(ctx);
}

Test(security_level, connection_starts_with_context_level) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_security_level(ctx, 3), TH_OK);
  th_connection *conn = th_connection_new(ctx, -1);
  cr_assert_not_null(conn, "%s", tu_err());
  cr_assert_eq(th_connection_get_security_level(conn), 3);
  cr_assert_eq(th_connection_set_security_level(conn, 0), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_get_security_level(conn), 0);
  cr_assert_eq(th_context_get_security_level(ctx), 3, "the context keeps its own");
  cr_assert_eq(th_connection_set_security_level(conn, 6), TH_ERR_VALUE);
  cr_assert_eq(th_connection_set_security_level(conn, -1), TH_ERR_VALUE);
  cr_assert_eq(th_connection_get_security_level(conn), 0, "unchanged");
  cr_assert_eq(th_connection_set_security_level(NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_security_level(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_security_level((th_connection *)ctx, 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_security_level((th_connection *)ctx), TH_ERR_TYPE);
  th_connection_free(conn);
  th_context_free(ctx);
}

/* A self-signed certificate for key signed with md. */
static th_x509 *signed_with(th_pkey *key, const char *md) {
  th_x509 *c = tu_self_signed(key, "seclevel");
  cr_assert_eq(th_x509_sign(c, key, md), TH_OK, "%s", tu_err());
  return c;
}

static int use_at(int level, const th_x509 *cert) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_security_level(ctx, level), TH_OK);
  int rc = th_context_use_certificate(ctx, cert);
  th_context_free(ctx);
  return rc;
}

Test(security_level, levels_refuse_small_keys_and_sha1) {
  /* RSA-1024 (with SHA-256): refused from level 2, taken at level 1. */
  th_pkey *small = th_pkey_new();
  cr_assert_eq(th_pkey_generate_key(small, TH_TYPE_RSA, 1024), TH_OK, "%s", tu_err());
  th_x509 *c1024 = signed_with(small, "sha256");
  cr_assert_eq(use_at(2, c1024), TH_ERR_SSL);
  cr_assert_eq(use_at(1, c1024), TH_OK, "%s", tu_err());
  /* SHA-1 (RSA-2048 leaf, EC issuer): refused from level 1, taken at level
   * 0. Not self-signed: OpenSSL checks no signature of a self-signed one. */
  th_pkey *rsa = tu_rsa_key(), *ca_key = tu_ec_key();
  th_x509 *ca = tx_cert(ca_key, "seclevel CA", NULL, NULL, 1, 1);
  th_x509 *sha1 = tx_cert(rsa, "seclevel leaf", ca, ca_key, 0, 2);
  cr_assert_eq(th_x509_sign(sha1, ca_key, "sha1"), TH_OK, "%s", tu_err());
  cr_assert_eq(use_at(1, sha1), TH_ERR_SSL);
  cr_assert_eq(use_at(0, sha1), TH_OK, "%s", tu_err());
  th_x509 *good = signed_with(rsa, "sha256");
  cr_assert_eq(use_at(2, good), TH_OK, "%s", tu_err());
  th_x509_free(good);
  th_x509_free(sha1);
  th_x509_free(ca);
  th_pkey_free(ca_key);
  th_pkey_free(rsa);
  th_x509_free(c1024);
  th_pkey_free(small);
}
