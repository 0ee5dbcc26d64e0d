/* crl_flags_test.c — the CRL checking feature suite: X509StoreFlags
 * CRL_CHECK and CRL_CHECK_ALL on a root -> intermediate -> leaf chain made
 * here, with valid, missing, expired, not-yet-valid and wrongly signed CRLs.
 * Every store verifies at tc_now() (set_time), so nothing depends on the
 * clock moving during the test. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/bn.h>

#include "testutil_chain.h"

static tc_chain ch;
static th_x509_store *store;

static void setup(void) {
  tc_chain_make(&ch);
  store = th_x509_store_new();
  cr_assert_not_null(store);
  cr_assert_eq(th_x509_store_set_time(store, (int64_t)tc_now()), TH_OK);
  cr_assert_eq(th_x509_store_add_cert(store, ch.t_root), TH_OK);
}

static void teardown(void) {
  th_x509_store_free(store);
  tc_chain_free(&ch);
}

TestSuite(crl_flags, .init = setup, .fini = teardown);

/* verify runs one verification of the leaf with the intermediate as an
 * untrusted certificate. */
static int verify(void) {
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_leaf);
  cr_assert_not_null(ctx, "%s", tu_err());
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, &ch.t_inter, 1), TH_OK);
  int rc = th_x509_store_context_verify_certificate(ctx);
  th_x509_store_context_free(ctx);
  return rc;
}

static void add_crl(X509 *issuer, EVP_PKEY *key, long last, long next, X509 *revoked) {
  th_crl *c = tc_th_crl(issuer, key, last, next, revoked);
  cr_assert_not_null(c);
  cr_assert_eq(th_x509_store_add_crl(store, c), TH_OK, "%s", tu_err());
  th_crl_free(c);
}

/* expect_fail checks kind, code, text and that the failing certificate is
 * the expected one (by DER). */
static void expect_fail(int rc, int code, const char *text, int depth, X509 *who) {
  cr_assert_eq(rc, TH_ERR_VERIFY, "rc %d: %s", rc, tu_err());
  const th_error *e = th_error_last();
  cr_assert_eq(e->verify_code, code, "%s", tu_err());
  cr_assert_str_eq(e->verify_text, text);
  cr_assert_str_eq(e->message, text);
  cr_assert_eq(e->verify_depth, depth, "%s", tu_err());
  th_x509 *failing = th_error_certificate();
  cr_assert_not_null(failing);
  cr_assert(tc_same_cert(failing, who), "wrong failing certificate");
  th_x509_free(failing);
}

Test(crl_flags, no_flags_accepts_a_revoked_leaf) {
  add_crl(ch.inter, ch.int_key, -1, 30, ch.leaf);
  cr_assert_eq(verify(), TH_OK, "%s", tu_err());
}

Test(crl_flags, crl_check_rejects_a_revoked_leaf) {
  add_crl(ch.inter, ch.int_key, -1, 30, ch.leaf);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  expect_fail(verify(), X509_V_ERR_CERT_REVOKED, "certificate revoked", 0, ch.leaf);
}

Test(crl_flags, crl_check_accepts_a_leaf_not_listed) {
  add_crl(ch.inter, ch.int_key, -1, 30, NULL);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  cr_assert_eq(verify(), TH_OK, "%s", tu_err());
}

Test(crl_flags, crl_check_without_a_crl_fails) {
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  expect_fail(verify(), X509_V_ERR_UNABLE_TO_GET_CRL, "unable to get certificate CRL", 0, ch.leaf);
}

Test(crl_flags, crl_check_ignores_a_revoked_intermediate) {
  /* CRL_CHECK looks at the leaf only. */
  add_crl(ch.inter, ch.int_key, -1, 30, NULL);
  add_crl(ch.root, ch.root_key, -1, 30, ch.inter);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  cr_assert_eq(verify(), TH_OK, "%s", tu_err());
}

Test(crl_flags, crl_check_all_names_the_intermediate_when_its_crl_is_missing) {
  add_crl(ch.inter, ch.int_key, -1, 30, NULL); /* covers the leaf only */
  cr_assert_eq(th_x509_store_set_flags(
                   store, TH_X509_STORE_FLAGS_CRL_CHECK | TH_X509_STORE_FLAGS_CRL_CHECK_ALL),
               TH_OK);
  expect_fail(verify(), X509_V_ERR_UNABLE_TO_GET_CRL, "unable to get certificate CRL", 1, ch.inter);
}

Test(crl_flags, crl_check_all_passes_with_every_crl) {
  add_crl(ch.inter, ch.int_key, -1, 30, NULL);
  add_crl(ch.root, ch.root_key, -1, 30, NULL);
  cr_assert_eq(th_x509_store_set_flags(
                   store, TH_X509_STORE_FLAGS_CRL_CHECK | TH_X509_STORE_FLAGS_CRL_CHECK_ALL),
               TH_OK);
  cr_assert_eq(verify(), TH_OK, "%s", tu_err());
}

Test(crl_flags, crl_check_all_without_crl_check_checks_nothing) {
  /* CRL_CHECK_ALL without CRL_CHECK: OpenSSL only looks at CRLs when
   * CRL_CHECK is set too, so this passes with a revoked leaf. */
  add_crl(ch.inter, ch.int_key, -1, 30, ch.leaf);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK_ALL), TH_OK);
  cr_assert_eq(verify(), TH_OK, "%s", tu_err());
}

Test(crl_flags, crl_check_all_rejects_a_revoked_intermediate) {
  add_crl(ch.inter, ch.int_key, -1, 30, NULL);
  add_crl(ch.root, ch.root_key, -1, 30, ch.inter);
  cr_assert_eq(th_x509_store_set_flags(
                   store, TH_X509_STORE_FLAGS_CRL_CHECK | TH_X509_STORE_FLAGS_CRL_CHECK_ALL),
               TH_OK);
  expect_fail(verify(), X509_V_ERR_CERT_REVOKED, "certificate revoked", 1, ch.inter);
}

Test(crl_flags, expired_crl_fails) {
  add_crl(ch.inter, ch.int_key, -10, -1, NULL);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  expect_fail(verify(), X509_V_ERR_CRL_HAS_EXPIRED, "CRL has expired", 0, ch.leaf);
}

Test(crl_flags, crl_becomes_expired_by_the_store_time) {
  add_crl(ch.inter, ch.int_key, -1, 30, NULL);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  cr_assert_eq(verify(), TH_OK, "%s", tu_err());
  /* 60 days later (the certificates are still valid), the CRL is stale. */
  cr_assert_eq(th_x509_store_set_time(store, (int64_t)tc_now() + 60 * 86400), TH_OK);
  expect_fail(verify(), X509_V_ERR_CRL_HAS_EXPIRED, "CRL has expired", 0, ch.leaf);
}

Test(crl_flags, not_yet_valid_crl_fails) {
  add_crl(ch.inter, ch.int_key, 2, 30, NULL);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  expect_fail(verify(), X509_V_ERR_CRL_NOT_YET_VALID, "CRL is not yet valid", 0, ch.leaf);
}

Test(crl_flags, crl_signed_by_the_wrong_key_fails) {
  EVP_PKEY *other = tu_ec_evp();
  add_crl(ch.inter, other, -1, 30, NULL);
  EVP_PKEY_free(other);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  expect_fail(verify(), X509_V_ERR_CRL_SIGNATURE_FAILURE, "CRL signature failure", 0, ch.leaf);
}

Test(crl_flags, trusted_intermediate_in_the_store_works_the_same) {
  /* As pyOpenSSL's own tests do: root and intermediate both in the store. */
  cr_assert_eq(th_x509_store_add_cert(store, ch.t_inter), TH_OK);
  add_crl(ch.inter, ch.int_key, -1, 30, ch.leaf);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_leaf);
  expect_fail(th_x509_store_context_verify_certificate(ctx), X509_V_ERR_CERT_REVOKED,
              "certificate revoked", 0, ch.leaf);
  th_x509_store_context_free(ctx);
}

Test(crl_flags, crl_made_through_the_api_is_enforced) {
  /* The CRL class end to end: Revoked + CRL.sign, then the store. */
  th_revoked *r = th_revoked_new();
  char hex[128];
  BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(ch.leaf), NULL);
  char *h = BN_bn2hex(bn);
  snprintf(hex, sizeof hex, "%s", h);
  OPENSSL_free(h);
  BN_free(bn);
  cr_assert_eq(th_revoked_set_serial(r, hex), TH_OK, "%s", tu_err());
  cr_assert_eq(th_revoked_set_rev_date(r, "20200101000000Z"), TH_OK);
  cr_assert_eq(th_revoked_set_reason(r, "keyCompromise"), TH_OK);
  th_crl *crl = th_crl_new();
  cr_assert_eq(th_crl_add_revoked(crl, r), TH_OK, "%s", tu_err());
  cr_assert_eq(th_crl_set_version(crl, 1), TH_OK);
  cr_assert_eq(th_crl_set_lastUpdate(crl, "20200101000000Z"), TH_OK);
  cr_assert_eq(th_crl_set_nextUpdate(crl, "20991231000000Z"), TH_OK);
  cr_assert_eq(th_crl_sign(crl, ch.t_inter, ch.tk_inter, "sha256"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_store_add_crl(store, crl), TH_OK);
  cr_assert_eq(th_x509_store_set_flags(store, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  expect_fail(verify(), X509_V_ERR_CERT_REVOKED, "certificate revoked", 0, ch.leaf);
  th_crl_free(crl);
  th_revoked_free(r);
}
