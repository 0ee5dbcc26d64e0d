/* x509_store_test.c — crypto.X509Store and the effect of every
 * X509StoreFlags constant (CRL_CHECK / CRL_CHECK_ALL: crl_flags_test.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <openssl/pem.h>

#include "testutil_chain.h"

static tc_chain ch;

static void setup(void) { tc_chain_make(&ch); }
static void teardown(void) { tc_chain_free(&ch); }

TestSuite(x509_store, .init = setup, .fini = teardown);
TestSuite(x509_store_flags, .init = setup, .fini = teardown);

/* verify_with: a store trusting root (at tc_now()), flags set, verifying
 * leaf with the untrusted certificates given. */
static int verify_with(X509 *root, unsigned long flags, X509 *leaf, X509 *u1, X509 *u2) {
  th_x509_store *st = th_x509_store_new();
  th_x509 *r = th_x509_from_x509(root), *l = th_x509_from_x509(leaf);
  th_x509 *u[2] = {u1 ? th_x509_from_x509(u1) : NULL, u2 ? th_x509_from_x509(u2) : NULL};
  cr_assert_eq(th_x509_store_add_cert(st, r), TH_OK);
  cr_assert_eq(th_x509_store_set_time(st, (int64_t)tc_now()), TH_OK);
  if (flags) cr_assert_eq(th_x509_store_set_flags(st, flags), TH_OK);
  th_x509_store_context *ctx = th_x509_store_context_new(st, l);
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, u, (size_t)(u1 != NULL) + (u2 != NULL)),
               TH_OK);
  int rc = th_x509_store_context_verify_certificate(ctx);
  th_x509_store_context_free(ctx);
  th_x509_free(u[0]);
  th_x509_free(u[1]);
  th_x509_free(r);
  th_x509_free(l);
  th_x509_store_free(st);
  return rc;
}

static void expect_code(int rc, int code) {
  cr_assert_eq(rc, TH_ERR_VERIFY, "rc %d: %s", rc, tu_err());
  cr_assert_eq(th_error_last()->verify_code, code, "%s", tu_err());
  cr_assert_str_eq(th_error_last()->verify_text, X509_verify_cert_error_string(code));
}

/* ---- X509Store methods ---------------------------------------------------- */

Test(x509_store, new_store_trusts_nothing) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_not_null(st);
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_root);
  expect_code(th_x509_store_context_verify_certificate(ctx),
              X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
  th_x509_store_free(NULL);
}

Test(x509_store, add_cert_makes_it_trusted) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_add_cert(st, ch.t_root), TH_OK);
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
}

Test(x509_store, add_cert_duplicate_is_accepted) {
  /* OpenSSL 3 accepts a certificate already in the store (1.0 raised
   * "cert already in hash table"); the store keeps working. */
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_add_cert(st, ch.t_root), TH_OK);
  cr_assert_eq(th_x509_store_add_cert(st, ch.t_root), TH_OK, "%s", tu_err());
  X509_STORE *raw = th_x509_store_to_x509_store(st);
  STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(raw);
  cr_assert_eq(sk_X509_OBJECT_num(objs), 1);
  X509_STORE_free(raw);
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
}

Test(x509_store, add_cert_accepts_an_empty_certificate) {
  /* OpenSSL 3 never refuses a certificate object here (only allocation
   * failure makes X509_STORE_add_cert fail), so the spec's crypto.Error
   * cannot be provoked; an empty X509 is stored like any other. */
  X509 *empty = X509_new();
  th_x509 *e = th_x509_from_x509(empty);
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_add_cert(st, e), TH_OK, "%s", tu_err());
  th_x509_store_free(st);
  th_x509_free(e);
  X509_free(empty);
}

Test(x509_store, add_cert_bad_input) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_add_cert(NULL, ch.t_root), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_add_cert(st, NULL), TH_ERR_TYPE);
  /* A PKey cast to an X509: TypeError naming both classes. */
  cr_assert_eq(th_x509_store_add_cert(st, (th_x509 *)ch.tk_root), TH_ERR_TYPE);
  cr_assert(strstr(th_error_last()->message, "PKey") != NULL, "%s", tu_err());
  cr_assert_eq(th_x509_store_add_cert((th_x509_store *)ch.t_root, ch.t_root), TH_ERR_TYPE);
  th_x509_store_free(st);
}

Test(x509_store, add_crl_and_bad_input) {
  th_x509_store *st = th_x509_store_new();
  th_crl *crl = tc_th_crl(ch.root, ch.root_key, -1, 30, NULL);
  cr_assert_eq(th_x509_store_add_crl(st, crl), TH_OK);
  cr_assert_eq(th_x509_store_add_crl(st, crl), TH_OK, "a duplicate CRL is accepted");
  cr_assert_eq(th_x509_store_add_crl(NULL, crl), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_add_crl(st, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_add_crl(st, (th_crl *)ch.t_root), TH_ERR_TYPE);
  th_crl_free(crl);
  th_x509_store_free(st);
}

Test(x509_store, set_flags_reaches_openssl_and_ors) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_set_flags(st, TH_X509_STORE_FLAGS_CRL_CHECK), TH_OK);
  cr_assert_eq(th_x509_store_set_flags(st, TH_X509_STORE_FLAGS_X509_STRICT), TH_OK);
  X509_STORE *raw = th_x509_store_to_x509_store(st);
  unsigned long f = X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(raw));
  cr_assert_eq(f & (X509_V_FLAG_CRL_CHECK | X509_V_FLAG_X509_STRICT),
               X509_V_FLAG_CRL_CHECK | X509_V_FLAG_X509_STRICT);
  X509_STORE_free(raw);
  cr_assert_eq(th_x509_store_set_flags(NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_set_flags((th_x509_store *)ch.tk_leaf, 0), TH_ERR_TYPE);
  th_x509_store_free(st);
}

Test(x509_store, set_time_moves_the_verification_time) {
  th_x509_store *st = th_x509_store_new();
  th_x509_store_add_cert(st, ch.t_root);
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_set_time(st, (int64_t)tc_now() + 400L * 86400), TH_OK);
  expect_code(th_x509_store_context_verify_certificate(ctx), X509_V_ERR_CERT_HAS_EXPIRED);
  cr_assert_eq(th_x509_store_set_time(st, (int64_t)tc_now() - 40L * 86400), TH_OK);
  expect_code(th_x509_store_context_verify_certificate(ctx), X509_V_ERR_CERT_NOT_YET_VALID);
  cr_assert_eq(th_x509_store_set_time(st, (int64_t)tc_now()), TH_OK);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_store_set_time(NULL, 0), TH_ERR_TYPE);
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
}

Test(x509_store, set_depth_limits_the_chain) {
  cr_assert_eq(verify_with(ch.root, 0, ch.leaf, ch.inter, NULL), TH_OK, "%s", tu_err());
  th_x509_store *st = th_x509_store_new();
  th_x509_store_add_cert(st, ch.t_root);
  cr_assert_eq(th_x509_store_set_depth(st, 0), TH_OK);
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_leaf);
  th_x509_store_context_set_untrusted(ctx, &ch.t_inter, 1);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_ERR_VERIFY);
  cr_assert_eq(th_x509_store_set_depth(st, -1), TH_ERR_VALUE);
  cr_assert_eq(th_x509_store_set_depth(NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_set_depth(st, 2), TH_OK);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
}

Test(x509_store, load_locations_cafile_and_capath) {
  const char *ca = tc_write_cert("ca.pem", ch.root);
  char cafile[1024];
  snprintf(cafile, sizeof cafile, "%s", ca);
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_load_locations(st, cafile, NULL), TH_OK, "%s", tu_err());
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
  /* A hashed directory made by `openssl rehash`. */
  char out[2048];
  cr_assert_eq(tu_sh(out, sizeof out, "%s rehash %s", tu_openssl(), tu_tmpdir()), 0, "%s", out);
  st = th_x509_store_new();
  cr_assert_eq(th_x509_store_load_locations(st, NULL, tu_tmpdir()), TH_OK, "%s", tu_err());
  ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
}

Test(x509_store, load_locations_bad_input) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_load_locations(st, NULL, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_load_locations(st, tu_path("missing.pem"), NULL), TH_ERR_CRYPTO);
  cr_assert_eq(tu_write_file(tu_path("junk.pem"), "not a pem", 9), 0);
  cr_assert_eq(th_x509_store_load_locations(st, tu_path("junk.pem"), NULL), TH_ERR_CRYPTO);
  cr_assert_eq(th_x509_store_load_locations(NULL, "x", NULL), TH_ERR_TYPE);
  /* Both named, the file missing: the message names both (the record's
   * message is cut at 255 characters: long paths are not whole). */
  cr_assert_eq(th_x509_store_load_locations(st, tu_path("missing.pem"), tu_tmpdir()),
               TH_ERR_CRYPTO);
  cr_assert(strstr(th_error_last()->message, "/missing.pem / /") != NULL, "%s", tu_err());
  /* A directory is only searched at verification time, as in OpenSSL and
   * pyOpenSSL: one that does not exist is accepted. */
  cr_assert_eq(th_x509_store_load_locations(st, NULL, tu_path("no-such-dir")), TH_OK, "%s",
               tu_err());
  th_x509_store_free(st);
}

Test(x509_store, escape_hatches_share_the_store) {
  X509_STORE *raw = X509_STORE_new();
  X509_STORE_add_cert(raw, ch.root);
  th_x509_store *st = th_x509_store_from_x509_store(raw);
  cr_assert_not_null(st);
  X509_STORE_free(raw); /* the wrapper keeps its own reference */
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  X509_STORE *back = th_x509_store_to_x509_store(st);
  cr_assert_not_null(back);
  X509_STORE_free(back);
  cr_assert_null(th_x509_store_from_x509_store(NULL));
  cr_assert_null(th_x509_store_to_x509_store(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_up_ref(st), st);
  th_x509_store_free(st);
  cr_assert_null(th_x509_store_up_ref((th_x509_store *)ch.t_root));
  th_x509_store_free(st);
}

Test(x509_store, legacy_type_name) {
  th_X509StoreType *st = th_x509_store_new();
  cr_assert_not_null(st);
  th_x509_store_free(st);
}

/* ---- X509StoreFlags: each flag changes the outcome ----------------------- */

Test(x509_store_flags, values_are_openssls) {
  cr_assert_eq(TH_X509_STORE_FLAGS_CRL_CHECK, 0x4);
  cr_assert_eq(TH_X509_STORE_FLAGS_CRL_CHECK_ALL, 0x8);
  cr_assert_eq(TH_X509_STORE_FLAGS_IGNORE_CRITICAL, 0x10);
  cr_assert_eq(TH_X509_STORE_FLAGS_X509_STRICT, 0x20);
  cr_assert_eq(TH_X509_STORE_FLAGS_ALLOW_PROXY_CERTS, 0x40);
  cr_assert_eq(TH_X509_STORE_FLAGS_POLICY_CHECK, 0x80);
  cr_assert_eq(TH_X509_STORE_FLAGS_EXPLICIT_POLICY, 0x100);
  cr_assert_eq(TH_X509_STORE_FLAGS_INHIBIT_MAP, 0x400);
  cr_assert_eq(TH_X509_STORE_FLAGS_NOTIFY_POLICY, 0x800);
  cr_assert_eq(TH_X509_STORE_FLAGS_CHECK_SS_SIGNATURE, 0x4000);
  cr_assert_eq(TH_X509_STORE_FLAGS_CB_ISSUER_CHECK, 0x0);
}

Test(x509_store_flags, ignore_critical) {
  const char *exts[] = {"basicConstraints",
                        "CA:FALSE",
                        "authorityKeyIdentifier",
                        "keyid:always",
                        "1.3.6.1.4.1.55555.1",
                        "critical,DER:05:00",
                        NULL};
  X509 *leaf = tc_cert(ch.leaf_key, "critical leaf", ch.root, ch.root_key, exts);
  expect_code(verify_with(ch.root, 0, leaf, NULL, NULL), X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION);
  cr_assert_eq(verify_with(ch.root, TH_X509_STORE_FLAGS_IGNORE_CRITICAL, leaf, NULL, NULL), TH_OK,
               "%s", tu_err());
  X509_free(leaf);
}

Test(x509_store_flags, x509_strict) {
  /* A CA whose basicConstraints is not critical: accepted normally,
   * refused under RFC 5280 strictness. */
  const char *exts[] = {"basicConstraints",
                        "CA:TRUE",
                        "keyUsage",
                        "critical,keyCertSign,cRLSign",
                        "subjectKeyIdentifier",
                        "hash",
                        "authorityKeyIdentifier",
                        "keyid:always",
                        NULL};
  X509 *inter = tc_cert(ch.int_key, "lax intermediate", ch.root, ch.root_key, exts);
  X509 *leaf = tc_cert(ch.leaf_key, "leaf", inter, ch.int_key, tc_leaf_exts);
  cr_assert_eq(verify_with(ch.root, 0, leaf, inter, NULL), TH_OK, "%s", tu_err());
  expect_code(verify_with(ch.root, TH_X509_STORE_FLAGS_X509_STRICT, leaf, inter, NULL),
              X509_V_ERR_CA_BCONS_NOT_CRITICAL);
  X509_free(leaf);
  X509_free(inter);
}

Test(x509_store_flags, allow_proxy_certs) {
  /* A proxy certificate (RFC 3820) issued by the end-entity leaf. */
  const char *exts[] = {"proxyCertInfo", "critical,language:id-ppl-inheritAll", NULL};
  EVP_PKEY *pk = tu_ec_evp();
  X509 *proxy = tc_cert(pk, "+proxy", ch.leaf, ch.leaf_key, exts);
  expect_code(verify_with(ch.root, 0, proxy, ch.leaf, ch.inter),
              X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED);
  cr_assert_eq(
      verify_with(ch.root, TH_X509_STORE_FLAGS_ALLOW_PROXY_CERTS, proxy, ch.leaf, ch.inter), TH_OK,
      "%s", tu_err());
  X509_free(proxy);
  EVP_PKEY_free(pk);
}

/* policy_chain makes intermediate and leaf with the given policy
 * extensions (NULL: none). */
static void policy_chain(const char *int_pol, const char *int_map, const char *leaf_pol,
                         X509 **inter, X509 **leaf) {
  const char *ie[16] = {"basicConstraints",
                        "critical,CA:TRUE",
                        "keyUsage",
                        "critical,keyCertSign,cRLSign",
                        "subjectKeyIdentifier",
                        "hash",
                        "authorityKeyIdentifier",
                        "keyid:always"};
  size_t n = 8;
  if (int_pol) ie[n++] = "certificatePolicies", ie[n++] = int_pol;
  if (int_map) ie[n++] = "policyMappings", ie[n++] = int_map;
  *inter = tc_cert(ch.int_key, "policy intermediate", ch.root, ch.root_key, ie);
  const char *le[8] = {"basicConstraints", "CA:FALSE", "authorityKeyIdentifier", "keyid:always"};
  n = 4;
  if (leaf_pol) le[n++] = "certificatePolicies", le[n++] = leaf_pol;
  *leaf = tc_cert(ch.leaf_key, "policy leaf", *inter, ch.int_key, le);
}

Test(x509_store_flags, policy_check) {
  /* A policy extension naming the same policy twice is invalid (RFC 5280
   * 4.2.1.4); it is only parsed when policy checking is on. */
  X509 *inter, *leaf;
  policy_chain("1.2.3.4", NULL, "1.2.3.4, 1.2.3.4", &inter, &leaf);
  cr_assert_eq(verify_with(ch.root, 0, leaf, inter, NULL), TH_OK, "%s", tu_err());
  expect_code(verify_with(ch.root, TH_X509_STORE_FLAGS_POLICY_CHECK, leaf, inter, NULL),
              X509_V_ERR_INVALID_POLICY_EXTENSION);
  X509_free(leaf);
  X509_free(inter);
}

/* verify_policy: like verify_with, with an initial policy set (NULL:
 * none) for EXPLICIT_POLICY. */
static int verify_policy(unsigned long flags, const char *policy, X509 *leaf, X509 *inter) {
  th_x509_store *st = th_x509_store_new();
  th_x509 *l = th_x509_from_x509(leaf), *u = th_x509_from_x509(inter);
  th_x509_store_add_cert(st, ch.t_root);
  th_x509_store_set_time(st, (int64_t)tc_now());
  if (policy != NULL) cr_assert_eq(th_x509_store_add_policy(st, policy), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_store_set_flags(st, flags), TH_OK);
  th_x509_store_context *ctx = th_x509_store_context_new(st, l);
  th_x509_store_context_set_untrusted(ctx, &u, 1);
  int rc = th_x509_store_context_verify_certificate(ctx);
  th_x509_store_context_free(ctx);
  th_x509_free(l);
  th_x509_free(u);
  th_x509_store_free(st);
  return rc;
}

Test(x509_store_flags, explicit_policy) {
  X509 *inter, *leaf;
  policy_chain("1.2.3.4", NULL, "1.2.3.4", &inter, &leaf);
  cr_assert_eq(verify_policy(TH_X509_STORE_FLAGS_POLICY_CHECK, NULL, leaf, inter), TH_OK, "%s",
               tu_err());
  /* OpenSSL 3 starts from an empty user policy set: EXPLICIT_POLICY alone
   * rejects every chain. */
  expect_code(verify_policy(TH_X509_STORE_FLAGS_EXPLICIT_POLICY, NULL, leaf, inter),
              X509_V_ERR_NO_EXPLICIT_POLICY);
  cr_assert_eq(verify_policy(TH_X509_STORE_FLAGS_EXPLICIT_POLICY, "1.2.3.4", leaf, inter), TH_OK,
               "%s", tu_err());
  expect_code(verify_policy(TH_X509_STORE_FLAGS_EXPLICIT_POLICY, "1.2.3.9", leaf, inter),
              X509_V_ERR_NO_EXPLICIT_POLICY);
  X509_free(leaf);
  X509_free(inter);
  /* A chain without certificatePolicies passes POLICY_CHECK, not
   * EXPLICIT_POLICY. */
  policy_chain(NULL, NULL, NULL, &inter, &leaf);
  cr_assert_eq(verify_policy(TH_X509_STORE_FLAGS_POLICY_CHECK, "1.2.3.4", leaf, inter), TH_OK, "%s",
               tu_err());
  expect_code(verify_policy(TH_X509_STORE_FLAGS_EXPLICIT_POLICY, "1.2.3.4", leaf, inter),
              X509_V_ERR_NO_EXPLICIT_POLICY);
  X509_free(leaf);
  X509_free(inter);
}

Test(x509_store_flags, inhibit_map) {
  /* The intermediate maps its policy 1.2.3.4 to the leaf's 1.2.3.5. */
  X509 *inter, *leaf;
  policy_chain("1.2.3.4", "1.2.3.4:1.2.3.5", "1.2.3.5", &inter, &leaf);
  unsigned long f = TH_X509_STORE_FLAGS_EXPLICIT_POLICY;
  cr_assert_eq(verify_policy(f, "1.2.3.4", leaf, inter), TH_OK, "%s", tu_err());
  expect_code(verify_policy(f | TH_X509_STORE_FLAGS_INHIBIT_MAP, "1.2.3.4", leaf, inter),
              X509_V_ERR_NO_EXPLICIT_POLICY);
  X509_free(leaf);
  X509_free(inter);
}

Test(x509_store, add_policy_bad_input) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_add_policy(st, "not an oid"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_store_add_policy(st, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_add_policy(NULL, "1.2.3"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_add_policy(st, "anyPolicy"), TH_OK, "%s", tu_err());
  th_x509_store_free(st);
}

static int notified;
static int notify_cb(int ok, X509_STORE_CTX *ctx) {
  if (ok == 2) notified++;
  return ok;
}

/* NOTIFY_POLICY only makes OpenSSL call the verify callback once more with
 * ok == 2 after policy checking; X509StoreContext has no callback, so watch
 * it through the escape hatch on the same store. */
static int count_notifications(unsigned long flags) {
  th_x509_store *st = th_x509_store_new();
  th_x509_store_add_cert(st, ch.t_root);
  th_x509_store_set_time(st, (int64_t)tc_now());
  cr_assert_eq(th_x509_store_set_flags(st, flags), TH_OK);
  X509_STORE *raw = th_x509_store_to_x509_store(st);
  X509_STORE_CTX *sc = X509_STORE_CTX_new();
  X509_STORE_CTX_init(sc, raw, ch.inter, NULL);
  X509_STORE_CTX_set_verify_cb(sc, notify_cb);
  notified = 0;
  cr_assert_eq(X509_verify_cert(sc), 1);
  X509_STORE_CTX_free(sc);
  X509_STORE_free(raw);
  th_x509_store_free(st);
  return notified;
}

Test(x509_store_flags, notify_policy) {
  cr_assert_eq(count_notifications(TH_X509_STORE_FLAGS_POLICY_CHECK), 0);
  cr_assert_eq(
      count_notifications(TH_X509_STORE_FLAGS_POLICY_CHECK | TH_X509_STORE_FLAGS_NOTIFY_POLICY), 1);
  /* Verification through the API is unaffected. */
  cr_assert_eq(
      verify_with(ch.root, TH_X509_STORE_FLAGS_POLICY_CHECK | TH_X509_STORE_FLAGS_NOTIFY_POLICY,
                  ch.leaf, ch.inter, NULL),
      TH_OK, "%s", tu_err());
}

Test(x509_store_flags, check_ss_signature) {
  /* A self-issued root whose signature was made by another key: OpenSSL
   * does not check a trust anchor's self-signature unless asked. */
  EVP_PKEY *other = tu_ec_evp();
  X509 *root = tc_cert(ch.root_key, "tc root", NULL, other, tc_ca_exts);
  X509 *inter = tc_cert(ch.int_key, "tc intermediate", root, ch.root_key, tc_ca_exts);
  cr_assert_eq(verify_with(root, 0, inter, NULL, NULL), TH_OK, "%s", tu_err());
  int rc = verify_with(root, TH_X509_STORE_FLAGS_CHECK_SS_SIGNATURE, inter, NULL, NULL);
  expect_code(rc, X509_V_ERR_CERT_SIGNATURE_FAILURE);
  cr_assert_eq(th_error_last()->verify_depth, 1);
  th_x509 *bad = th_error_certificate();
  cr_assert(tc_same_cert(bad, root));
  th_x509_free(bad);
  X509_free(inter);
  X509_free(root);
  EVP_PKEY_free(other);
}

Test(x509_store_flags, cb_issuer_check_is_a_no_op) {
  /* 0 on OpenSSL 3: setting it changes neither the flags nor a result. */
  th_x509_store *st = th_x509_store_new();
  X509_STORE *raw = th_x509_store_to_x509_store(st);
  unsigned long before = X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(raw));
  cr_assert_eq(th_x509_store_set_flags(st, TH_X509_STORE_FLAGS_CB_ISSUER_CHECK), TH_OK);
  cr_assert_eq(X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(raw)), before);
  X509_STORE_free(raw);
  th_x509_store_free(st);
  cr_assert_eq(verify_with(ch.root, TH_X509_STORE_FLAGS_CB_ISSUER_CHECK, ch.leaf, ch.inter, NULL),
               TH_OK, "%s", tu_err());
  expect_code(verify_with(ch.inter, TH_X509_STORE_FLAGS_CB_ISSUER_CHECK, ch.inter, NULL, NULL),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

/* ---- The spec's backwards-compatible type names (crypto.X509Type, ...) --- */

TestSuite(legacy_types);

/* Each alias is the very same type as its class, as in pyOpenSSL where
 * X509Type is X509. */
#define SAME_TYPE(a, b) _Static_assert(__builtin_types_compatible_p(a, b), #a " is " #b)
SAME_TYPE(th_X509Type, th_x509);
SAME_TYPE(th_X509NameType, th_x509_name);
SAME_TYPE(th_X509ReqType, th_x509_req);
SAME_TYPE(th_X509StoreType, th_x509_store);
SAME_TYPE(th_X509ExtensionType, th_x509_extension);
SAME_TYPE(th_PKeyType, th_pkey);
SAME_TYPE(th_PKCS7Type, th_pkcs7);
SAME_TYPE(th_PKCS12Type, th_pkcs12);
SAME_TYPE(th_NetscapeSPKIType, th_netscape_spki);
SAME_TYPE(th_CRLType, th_crl);

Test(legacy_types, aliases_work_with_the_class_functions) {
  tc_chain c;
  tc_chain_make(&c);
  th_X509Type *x = th_x509_up_ref(c.t_leaf);
  th_PKeyType *k = th_pkey_up_ref(c.tk_leaf);
  cr_assert_eq(x, c.t_leaf);
  cr_assert_eq(k, c.tk_leaf);
  th_CRLType *crl = th_crl_new();
  th_X509NameType *n = th_crl_get_issuer(crl);
  cr_assert_not_null(n);
  th_x509_name_free(n);
  th_crl_free(crl);
  th_pkey_free(k);
  th_x509_free(x);
  tc_chain_free(&c);
}
