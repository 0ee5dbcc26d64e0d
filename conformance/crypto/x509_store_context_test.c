/* x509_store_context_test.c — crypto.X509StoreContext and
 * crypto.X509StoreContextError (TH_ERR_VERIFY with the failing certificate). */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil_chain.h"

static tc_chain ch;
static th_x509_store *store;

static void setup(void) {
  tc_chain_make(&ch);
  store = th_x509_store_new();
  th_x509_store_add_cert(store, ch.t_root);
  th_x509_store_set_time(store, (int64_t)tc_now());
}
static void teardown(void) {
  th_x509_store_free(store);
  tc_chain_free(&ch);
}

TestSuite(x509_store_context, .init = setup, .fini = teardown);

Test(x509_store_context, verifies_a_certificate_issued_by_a_trusted_root) {
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_inter);
  cr_assert_not_null(ctx, "%s", tu_err());
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  /* A context can be used again. */
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_context_free(NULL);
}

Test(x509_store_context, error_carries_message_and_certificate) {
  /* The leaf without its intermediate: the spec's X509StoreContextError,
   * whose certificate is the leaf. */
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_leaf);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_ERR_VERIFY);
  const th_error *e = th_error_last();
  cr_assert_eq(e->kind, TH_ERR_VERIFY);
  cr_assert_eq(e->verify_code, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  cr_assert_str_eq(e->message, "unable to get local issuer certificate");
  cr_assert_str_eq(e->verify_text, "unable to get local issuer certificate");
  cr_assert_eq(e->verify_depth, 0);
  th_x509 *bad = th_error_certificate();
  cr_assert(tc_same_cert(bad, ch.leaf));
  th_x509_free(bad);
  char line[512];
  th_error_format(line, sizeof line);
  cr_assert(strstr(line, "TH_ERR_VERIFY") != NULL, "%s", line);
  th_x509_store_context_free(ctx);
}

Test(x509_store_context, untrusted_chain_completes_the_path) {
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_leaf);
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, &ch.t_inter, 1), TH_OK);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  /* Clearing it brings the failure back. */
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, NULL, 0), TH_OK);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_ERR_VERIFY);
  th_x509_store_context_free(ctx);
}

Test(x509_store_context, set_untrusted_bad_input_leaves_ctx_unchanged) {
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_leaf);
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, &ch.t_inter, 1), TH_OK);
  th_x509 *bad[2] = {ch.t_inter, (th_x509 *)ch.tk_inter};
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, bad, 2), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_set_untrusted(ctx, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_set_untrusted(NULL, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
}

Test(x509_store_context, verified_chain_runs_leaf_to_root) {
  th_x509_store_context *ctx = th_x509_store_context_new(store, ch.t_leaf);
  th_x509_store_context_set_untrusted(ctx, &ch.t_inter, 1);
  th_list *chain = th_x509_store_context_get_verified_chain(ctx);
  cr_assert_not_null(chain, "%s", tu_err());
  cr_assert_eq(chain->count, 3u);
  cr_assert(tc_same_cert(th_list_get(chain, 0), ch.leaf));
  cr_assert(tc_same_cert(th_list_get(chain, 1), ch.inter));
  cr_assert(tc_same_cert(th_list_get(chain, 2), ch.root));
  th_list_free(chain);
  th_x509_store_context_set_untrusted(ctx, NULL, 0);
  cr_assert_null(th_x509_store_context_get_verified_chain(ctx));
  cr_assert_eq(th_error_kind(), TH_ERR_VERIFY);
  cr_assert_null(th_x509_store_context_get_verified_chain(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_x509_store_context_free(ctx);
}

Test(x509_store_context, set_store_switches_trust) {
  th_x509_store *empty = th_x509_store_new();
  th_x509_store_context *ctx = th_x509_store_context_new(empty, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_ERR_VERIFY);
  cr_assert_eq(th_x509_store_context_set_store(ctx, store), TH_OK);
  th_x509_store_free(empty); /* the context no longer needs it */
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_store_context_set_store(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_set_store(ctx, (th_x509_store *)ch.t_root), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_set_store(NULL, store), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "unchanged after errors");
  th_x509_store_context_free(ctx);
}

Test(x509_store_context, store_changes_after_creation_are_seen) {
  th_x509_store *st = th_x509_store_new();
  th_x509_store_context *ctx = th_x509_store_context_new(st, ch.t_inter);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_ERR_VERIFY);
  th_x509_store_add_cert(st, ch.t_root);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  th_x509_store_context_free(ctx);
  th_x509_store_free(st);
}

Test(x509_store_context, context_keeps_store_and_cert_alive) {
  th_x509_store *st = th_x509_store_new();
  th_x509_store_add_cert(st, ch.t_root);
  th_x509 *c = th_x509_up_ref(ch.t_inter);
  th_x509_store_context *ctx = th_x509_store_context_new(st, c);
  th_x509_store_free(st);
  th_x509_free(c);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_store_context_up_ref(ctx), ctx);
  th_x509_store_context_free(ctx);
  th_x509_store_context_free(ctx);
}

Test(x509_store_context, new_bad_input) {
  cr_assert_null(th_x509_store_context_new(NULL, ch.t_leaf));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_x509_store_context_new(store, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_x509_store_context_new((th_x509_store *)ch.t_root, ch.t_leaf));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_x509_store_context_new(store, (th_x509 *)store));
  cr_assert(strstr(th_error_last()->message, "X509Store") != NULL, "%s", tu_err());
  cr_assert_eq(th_x509_store_context_verify_certificate(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_store_context_verify_certificate((th_x509_store_context *)store),
               TH_ERR_TYPE);
  cr_assert_null(th_x509_store_context_up_ref((th_x509_store_context *)store));
}

Test(x509_store_context, self_signed_leaf_error_names_it) {
  th_x509_store *empty = th_x509_store_new();
  th_x509_store_context *ctx = th_x509_store_context_new(empty, ch.t_root);
  cr_assert_eq(th_x509_store_context_verify_certificate(ctx), TH_ERR_VERIFY);
  cr_assert_eq(th_error_last()->verify_code, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  th_x509 *bad = th_error_certificate();
  cr_assert(tc_same_cert(bad, ch.root));
  th_x509_free(bad);
  th_x509_store_context_free(ctx);
  th_x509_store_free(empty);
}
