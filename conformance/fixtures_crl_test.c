/* fixtures_crl_test.c — revocation and CRLs, configuring contexts, key
 * names, and th_fixtures_write_set's options and errors. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "testutil_fixtures.h"

static th_fixtures *fx;
static th_fixtures_cert *ca, *leaf;
static void setup(void) {
  fx = th_fixtures_new(3);
  ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  leaf = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_SERVER, NULL);
  cr_assert_not_null(leaf, "%s", tu_err());
}
static void teardown(void) {
  th_fixtures_cert_free(leaf);
  th_fixtures_cert_free(ca);
  th_fixtures_free(fx);
}
TestSuite(fixtures_crl, .init = setup, .fini = teardown);

static int verify_crl(th_crl *crl, unsigned long flags) {
  th_x509 *r = th_fixtures_cert_x509(ca), *l = th_fixtures_cert_x509(leaf);
  X509 *rx = th_x509_to_x509(r), *lx = th_x509_to_x509(l);
  X509_CRL *c = th_crl_to_x509_crl(crl);
  X509_STORE *st = X509_STORE_new();
  X509_STORE_add_cert(st, rx);
  X509_STORE_add_crl(st, c);
  X509_STORE_set_flags(st, flags);
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, st, lx, NULL);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), TH_FIXTURES_VERIFY_TIME);
  int rc = X509_verify_cert(ctx) == 1 ? 0 : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(st);
  X509_CRL_free(c);
  X509_free(rx);
  X509_free(lx);
  th_x509_free(r);
  th_x509_free(l);
  return rc;
}

Test(fixtures_crl, revoke_then_crl) {
  th_crl *empty = th_fixtures_crl(ca, NULL, NULL, NULL);
  cr_assert_not_null(empty, "%s", tu_err());
  cr_assert_eq(verify_crl(empty, X509_V_FLAG_CRL_CHECK), 0);
  cr_assert_eq(th_fixtures_revoke(ca, leaf, 1), TH_OK, "%s", tu_err());
  th_crl *crl = th_fixtures_crl(ca, NULL, NULL, NULL);
  cr_assert_not_null(crl);
  X509_CRL *c = th_crl_to_x509_crl(crl);
  cr_assert_eq(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(c)), 1);
  X509_CRL_free(c);
  cr_assert_eq(verify_crl(crl, X509_V_FLAG_CRL_CHECK), X509_V_ERR_CERT_REVOKED);
  cr_assert_eq(verify_crl(crl, 0), 0);
  th_crl *expired = th_fixtures_crl(ca, "20230101000000Z", "20240101000000Z", NULL);
  cr_assert_eq(verify_crl(expired, X509_V_FLAG_CRL_CHECK), X509_V_ERR_CRL_HAS_EXPIRED);
  th_crl *wrong = th_fixtures_crl(ca, NULL, NULL, leaf);
  cr_assert_eq(verify_crl(wrong, X509_V_FLAG_CRL_CHECK), X509_V_ERR_CRL_SIGNATURE_FAILURE);
  th_crl_free(wrong);
  th_crl_free(expired);
  th_crl_free(crl);
  th_crl_free(empty);
}

Test(fixtures_crl, revoke_and_crl_errors) {
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_fixtures_revoke(NULL, leaf, 0), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_revoke(ca, (th_fixtures_cert *)k, 0), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_revoke(leaf, ca, 0), TH_ERR_VALUE); /* not its issuer */
  cr_assert_eq(th_fixtures_revoke(ca, leaf, 7), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_revoke(ca, leaf, -1), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_revoke(ca, leaf, 11), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_crl(NULL, NULL, NULL, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_fixtures_crl(ca, NULL, NULL, (th_fixtures_cert *)k));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_fixtures_crl(ca, "2024", NULL, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_crl(ca, NULL, "garbage-garbage", NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  /* Nothing was revoked by the failed calls. */
  th_crl *crl = th_fixtures_crl(ca, NULL, NULL, NULL);
  X509_CRL *c = th_crl_to_x509_crl(crl);
  cr_assert_null(X509_CRL_get_REVOKED(c)); /* no entries at all */
  X509_CRL_free(c);
  th_crl_free(crl);
  th_pkey_free(k);
}

Test(fixtures_crl, configure_contexts) {
  th_fixtures_cert *inter = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_INTERMEDIATE, NULL);
  th_fixtures_cert *srv = th_fixtures_issue(fx, inter, TH_FIXTURES_ROLE_SERVER, NULL);
  th_context *s = th_context_new(TH_TLS_METHOD), *c = th_context_new(TH_TLS_METHOD);
  cr_assert(s && c, "%s", tu_err());
  cr_assert_eq(th_fixtures_configure_server(s, srv), TH_OK, "%s", tu_err());
  cr_assert_eq(th_fixtures_configure_client(c, ca), TH_OK, "%s", tu_err());
  SSL_CTX *ss = th_context_to_ssl_ctx(s), *cs = th_context_to_ssl_ctx(c);
  cr_assert_eq(SSL_CTX_check_private_key(ss), 1);
  STACK_OF(X509) *chain = NULL;
  SSL_CTX_get0_chain_certs(ss, &chain);
  cr_assert_eq(sk_X509_num(chain), 1);
  cr_assert_eq(sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(cs))), 1);
  /* A real handshake between the two, through the library's connections,
   * is in the sslctx suites; here the client store must accept the chain. */
  X509_STORE_CTX *vc = X509_STORE_CTX_new();
  X509_STORE_CTX_init(vc, SSL_CTX_get_cert_store(cs), SSL_CTX_get0_certificate(ss), chain);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(vc), TH_FIXTURES_VERIFY_TIME);
  cr_assert_eq(X509_verify_cert(vc), 1);
  X509_STORE_CTX_free(vc);
  SSL_CTX_free(ss);
  SSL_CTX_free(cs);
  /* Bad input. */
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_fixtures_configure_server(NULL, srv), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_configure_server((th_context *)k, srv), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_configure_server(s, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_configure_server(s, (th_fixtures_cert *)k), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_configure_client(NULL, ca), TH_ERR_TYPE);
  cr_assert_eq(th_fixtures_configure_client(c, (th_fixtures_cert *)k), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context_free(s);
  th_context_free(c);
  th_fixtures_cert_free(srv);
  th_fixtures_cert_free(inter);
}

Test(fixtures_crl, configure_refused_below_security_level) {
  th_fixtures_spec weak = {.key = TH_FIXTURES_KEY_RSA1024};
  th_fixtures_cert *w = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_SERVER, &weak);
  th_context *s = th_context_new(TH_TLS_METHOD);
  SSL_CTX *ss = th_context_to_ssl_ctx(s);
  SSL_CTX_set_security_level(ss, 2);
  SSL_CTX_free(ss);
  cr_assert_eq(th_fixtures_configure_server(s, w), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  th_context_free(s);
  th_fixtures_cert_free(w);
}

Test(fixtures_crl, key_names) {
  for (int k = 1; k < TH_FIXTURES_KEY_COUNT; k++)
    cr_assert_eq(th_fixtures_key_from_name(th_fixtures_key_name(k)), k);
  cr_assert_str_eq(th_fixtures_key_name(TH_FIXTURES_KEY_DEFAULT), "p256");
  cr_assert_null(th_fixtures_key_name(TH_FIXTURES_KEY_COUNT));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_key_name(-3));
  cr_assert_eq(th_fixtures_key_from_name("rsa512"), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_key_from_name(""), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_key_from_name(NULL), TH_ERR_TYPE);
}

Test(fixtures_crl, write_set_subset_and_errors) {
  int keys[] = {TH_FIXTURES_KEY_ED25519, 0};
  th_fixtures_set_opts o = {.keys = keys};
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", tu_path("small"));
  int n = th_fixtures_write_set(dir, 9, &o);
  cr_assert_gt(n, 50, "%s", tu_err());
  char out[4096];
  cr_assert_eq(tu_sh(out, sizeof out, "test -f '%s/ed25519/server.p12' && ! test -e '%s/p256'", dir, dir), 0);
  cr_assert_eq(th_fixtures_write_set(NULL, 1, NULL), TH_ERR_TYPE);
  int bad[] = {TH_FIXTURES_KEY_RSA1024, 0};
  th_fixtures_set_opts ob = {.keys = bad};
  cr_assert_eq(th_fixtures_write_set(dir, 1, &ob), TH_ERR_VALUE);
  int bad2[] = {77, 0};
  ob.keys = bad2;
  cr_assert_eq(th_fixtures_write_set(dir, 1, &ob), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_write_set("/proc/self/no/such/dir", 1, &o), TH_ERR_SYSCALL);
}

Test(fixtures_crl, write_set_p256_only_manifest) {
  th_fixtures_set_opts o = {.keys = (int[]){TH_FIXTURES_KEY_P256, 0}, .extended = 0};
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", tu_path("p256only"));
  cr_assert_gt(th_fixtures_write_set(dir, 1, &o), 0, "%s", tu_err());
  tuf_row *rows;
  char *text;
  int n = tuf_manifest(dir, &rows, &text);
  cr_assert_gt(n, 100);
  for (int i = 0; i < n; i++)
    cr_assert(strncmp(rows[i].file, "rsa2048/", 8) != 0, "%s", rows[i].file);
  free(rows);
  free(text);
}
