/* context_test.c — SSL.Context: construction, escape hatches, options,
 * modes, protocol bounds, ciphers, groups, session settings, app data, and
 * bad input for each. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(context);

/* A PKey cast to a Context: every function must say TH_ERR_TYPE. */
static th_context *wrong(th_pkey **keep) {
  *keep = tu_ec_key();
  return (th_context *)*keep;
}

struct method_case {
  int method;
  int kind; /* TH_OK or the expected error */
  int version; /* pinned version, 0 = none */
};

ParameterizedTestParameters(context, new_methods) {
  static struct method_case cases[] = {
      {TH_SSLv2_METHOD, TH_ERR_UNSUPPORTED, 0},
#ifdef OPENSSL_NO_SSL3_METHOD
      {TH_SSLv3_METHOD, TH_ERR_UNSUPPORTED, 0},
#else
      {TH_SSLv3_METHOD, TH_OK, SSL3_VERSION},
#endif
      {TH_SSLv23_METHOD, TH_OK, 0},
#ifdef OPENSSL_NO_TLS1
      {TH_TLSv1_METHOD, TH_ERR_UNSUPPORTED, 0},
#else
      {TH_TLSv1_METHOD, TH_OK, TLS1_VERSION},
#endif
#ifdef OPENSSL_NO_TLS1_1
      {TH_TLSv1_1_METHOD, TH_ERR_UNSUPPORTED, 0},
#else
      {TH_TLSv1_1_METHOD, TH_OK, TLS1_1_VERSION},
#endif
      {TH_TLSv1_2_METHOD, TH_OK, TLS1_2_VERSION},
      {TH_TLS_METHOD, TH_OK, 0},
      {TH_TLS_SERVER_METHOD, TH_OK, 0},
      {TH_TLS_CLIENT_METHOD, TH_OK, 0},
      {0, TH_ERR_VALUE, 0},
      {10, TH_ERR_VALUE, 0},
      {-1, TH_ERR_VALUE, 0},
  };
  return cr_make_param_array(struct method_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct method_case *c, context, new_methods) {
  th_context *ctx = th_context_new(c->method);
  if (c->kind != TH_OK) {
    cr_assert_null(ctx);
    cr_assert_eq(th_error_kind(), c->kind, "%s", tu_err());
    if (c->kind != TH_ERR_UNSUPPORTED) return;
    static const char *const names[] = {[TH_SSLv2_METHOD] = "SSLv2", [TH_SSLv3_METHOD] = "SSLv3",
                                        [TH_TLSv1_METHOD] = "TLSv1_", [TH_TLSv1_1_METHOD] = "TLSv1_1"};
    cr_assert(strstr(th_error_last()->message, names[c->method]), "%s", tu_err());
    /* A version this build was configured without: the library's answer is
     * right, and the version itself is UNSUPPORTED here, not a PASS. */
    if (c->method == TH_TLSv1_METHOD || c->method == TH_TLSv1_1_METHOD) ts_need_method(c->method);
    return;
  }
  cr_assert_not_null(ctx, "%s", tu_err());
  cr_assert_eq(th_context_get_min_proto_version(ctx), c->version);
  cr_assert_eq(th_context_get_max_proto_version(ctx), c->version);
  th_context_free(ctx);
}

Test(context, new_ex_in_own_libctx) {
  OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
  cr_assert_not_null(lib);
  th_context *ctx = th_context_new_ex(TH_TLS_METHOD, lib, NULL);
  cr_assert_not_null(ctx, "%s", tu_err());
  /* Keys and certificates load and match inside that library context. */
  const ts_pki *p = ts_pki_get();
  const char *cert = ts_write_cert("lc.pem", &p->server, 1);
  cr_assert_eq(th_context_use_certificate_file(ctx, cert, TH_FILETYPE_PEM), TH_OK, "%s", tu_err());
  const char *key = ts_write_key("lc.key", p->server_key, NULL);
  cr_assert_eq(th_context_use_privatekey_file(ctx, key, TH_FILETYPE_PEM), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_check_privatekey(ctx), TH_OK, "%s", tu_err());
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  cr_assert_eq(SSL_CTX_get0_param(raw) != NULL, 1);
  SSL_CTX_free(raw);
  th_context_free(ctx);
  OSSL_LIB_CTX_free(lib);
}

Test(context, new_ex_bad_propq_fails) {
  /* A property query no provider satisfies: OpenSSL cannot build the
   * context, and says why. */
  th_context *ctx = th_context_new_ex(TH_TLS_METHOD, NULL, "provider=nonexistent");
  cr_assert_null(ctx);
  cr_assert_eq(th_error_kind(), TH_ERR_SSL, "%s", tu_err());
  cr_assert_gt(th_error_last()->queue_len, 0u);
}

Test(context, free_null_and_up_ref) {
  th_context_free(NULL);
  cr_assert_null(th_context_up_ref(NULL));
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_up_ref(ctx), ctx);
  th_context_free(ctx);
  cr_assert_eq(th_context_get_timeout(ctx) >= 0, 1);
  th_context_free(ctx);
  th_pkey *k;
  cr_assert_null(th_context_up_ref(wrong(&k)));
  th_pkey_free(k);
}

Test(context, escape_hatches) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  cr_assert_not_null(raw);
  /* The same SSL_CTX gives back the same Context. */
  th_context *again = th_context_from_ssl_ctx(raw);
  cr_assert_eq(again, ctx);
  th_context_free(again);
  th_context_free(ctx);
  /* The SSL_CTX outlives its Context; wrapping it again makes a new one
   * that works. */
  th_context *fresh = th_context_from_ssl_ctx(raw);
  cr_assert_not_null(fresh, "%s", tu_err());
  cr_assert_eq(th_context_set_timeout(fresh, 42) >= 0, 1);
  cr_assert_eq(SSL_CTX_get_timeout(raw), 42);
  th_context_free(fresh);
  SSL_CTX_free(raw);
  cr_assert_null(th_context_from_ssl_ctx(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_context_to_ssl_ctx(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey *k;
  cr_assert_null(th_context_to_ssl_ctx(wrong(&k)));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey_free(k);
}

/* ---- options and modes -------------------------------------------------------- */

Test(context, set_options_is_additive) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  int64_t before = th_context_get_options(ctx);
  cr_assert_geq(before, 0);
  int64_t after = th_context_set_options(ctx, TH_OP_NO_TICKET);
  cr_assert_eq(after, before | (int64_t)TH_OP_NO_TICKET);
  after = th_context_set_options(ctx, TH_OP_NO_TLSv1_1);
  cr_assert_eq(after & (int64_t)(TH_OP_NO_TICKET | TH_OP_NO_TLSv1_1),
               (int64_t)(TH_OP_NO_TICKET | TH_OP_NO_TLSv1_1));
  cr_assert_eq(th_context_get_options(ctx), after);
  /* Zero-valued legacy options change nothing. */
  cr_assert_eq(th_context_set_options(ctx, TH_OP_SINGLE_DH_USE | TH_OP_EPHEMERAL_RSA), after);
  /* Clearing (beyond the spec). */
  int64_t cleared = th_context_clear_options(ctx, TH_OP_NO_TICKET);
  cr_assert_eq(cleared & (int64_t)TH_OP_NO_TICKET, 0);
  th_context_free(ctx);
}

Test(context, set_mode_is_additive) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  long before = th_context_get_mode(ctx);
  long after = th_context_set_mode(ctx, TH_MODE_RELEASE_BUFFERS);
  cr_assert_eq(after, before | TH_MODE_RELEASE_BUFFERS);
  after = th_context_set_mode(ctx, TH_MODE_ENABLE_PARTIAL_WRITE);
  cr_assert_eq(after & (TH_MODE_RELEASE_BUFFERS | TH_MODE_ENABLE_PARTIAL_WRITE),
               TH_MODE_RELEASE_BUFFERS | TH_MODE_ENABLE_PARTIAL_WRITE);
  cr_assert_eq(th_context_set_mode(ctx, -1), TH_ERR_VALUE);
  cr_assert_eq(th_context_get_mode(ctx), after);
  th_context_free(ctx);
}

Test(context, options_and_modes_bad_context) {
  th_pkey *k;
  th_context *w = wrong(&k);
  cr_assert_eq(th_context_set_options(NULL, TH_OP_NO_TICKET), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_options(w, TH_OP_NO_TICKET), TH_ERR_TYPE);
  cr_assert_eq(th_context_clear_options(w, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_options(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_mode(NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_mode(w, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_mode(w), TH_ERR_TYPE);
  th_pkey_free(k);
}

/* ---- versions, ciphers, groups ------------------------------------------------------- */

Test(context, proto_versions) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_min_proto_version(ctx, TH_TLS1_2_VERSION), TH_OK);
  cr_assert_eq(th_context_set_max_proto_version(ctx, TH_TLS1_3_VERSION), TH_OK);
  cr_assert_eq(th_context_get_min_proto_version(ctx), TH_TLS1_2_VERSION);
  cr_assert_eq(th_context_get_max_proto_version(ctx), TH_TLS1_3_VERSION);
  cr_assert_eq(th_context_set_max_proto_version(ctx, 0), TH_OK);
  cr_assert_eq(th_context_get_max_proto_version(ctx), 0);
  int bad[] = {1, 0x0305, -1, 0x0200, 0xfeff};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_eq(th_context_set_min_proto_version(ctx, bad[i]), TH_ERR_VALUE, "0x%x", bad[i]);
    cr_assert_eq(th_context_set_max_proto_version(ctx, bad[i]), TH_ERR_VALUE, "0x%x", bad[i]);
  }
  cr_assert_eq(th_context_get_min_proto_version(ctx), TH_TLS1_2_VERSION);
  cr_assert_eq(th_context_set_min_proto_version(NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_max_proto_version(NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(context, set_cipher_list) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_cipher_list(ctx, "HIGH:!aNULL"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256"), TH_OK);
  cr_assert_eq(th_context_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"), TH_OK);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  cr_assert_eq(SSL_CTX_get_security_level(raw), 0);
  SSL_CTX_free(raw);
  th_context_free(ctx);
}

Test(context, set_cipher_list_invalid) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_cipher_list(ctx, "NOT-A-CIPHER"), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  cr_assert_str_eq(th_error_last()->queue[th_error_last()->queue_len - 1].reason, "no cipher match");
  cr_assert_str_eq(th_error_last()->queue[0].func, "");
  cr_assert_eq(th_context_set_cipher_list(ctx, NULL), TH_ERR_TYPE);
  th_pkey *k;
  cr_assert_eq(th_context_set_cipher_list(wrong(&k), "HIGH"), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context_free(ctx);
}

Test(context, set_ciphersuites) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"),
               TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_ciphersuites(ctx, "TLS_NOT_A_SUITE"), TH_ERR_SSL);
  cr_assert_eq(th_context_set_ciphersuites(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_ciphersuites(NULL, "TLS_AES_128_GCM_SHA256"), TH_ERR_TYPE);
  th_context_free(ctx);
}

/* Issue 12 item 14: a valid list of 1024 characters or more (repeats are
 * valid) is accepted; a typo at its end is still found. */
Test(context, set_ciphersuites_long_lists) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  char list[4096] = "";
  while (strlen(list) < 2000) strcat(list, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:");
  strcat(list, "TLS_CHACHA20_POLY1305_SHA256");
  cr_assert_gt(strlen(list), 1024u);
  cr_assert_eq(th_context_set_ciphersuites(ctx, list), TH_OK, "%s", tu_err());
  strcat(list, ":TLS_NOT_A_SUITE");
  cr_assert_eq(th_context_set_ciphersuites(ctx, list), TH_ERR_SSL);
  /* One name longer than any suite's. */
  char one[300];
  memset(one, 'A', sizeof one - 1);
  one[sizeof one - 1] = '\0';
  cr_assert_eq(th_context_set_ciphersuites(ctx, one), TH_ERR_SSL);
  th_context_free(ctx);
}

Test(context, set_groups) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_groups(ctx, "X25519:P-256"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_groups(ctx, "X25519"), TH_OK);
  cr_assert_eq(th_context_set_groups(ctx, "not-a-group"), TH_ERR_SSL);
  cr_assert_eq(th_context_set_groups(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_groups(NULL, "X25519"), TH_ERR_TYPE);
  th_context_free(ctx);
}

/* ---- sessions ---------------------------------------------------------------------- */

Test(context, session_cache_mode) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_get_session_cache_mode(ctx), TH_SESS_CACHE_SERVER);
  cr_assert_eq(th_context_set_session_cache_mode(ctx, TH_SESS_CACHE_OFF), TH_SESS_CACHE_SERVER);
  cr_assert_eq(th_context_get_session_cache_mode(ctx), TH_SESS_CACHE_OFF);
  long all = TH_SESS_CACHE_BOTH | TH_SESS_CACHE_NO_AUTO_CLEAR | TH_SESS_CACHE_NO_INTERNAL;
  cr_assert_eq(th_context_set_session_cache_mode(ctx, all), TH_SESS_CACHE_OFF);
  cr_assert_eq(th_context_get_session_cache_mode(ctx), all);
  cr_assert_eq(th_context_set_session_cache_mode(ctx, 0x8000), TH_ERR_VALUE);
  cr_assert_eq(th_context_set_session_cache_mode(ctx, -1), TH_ERR_VALUE);
  cr_assert_eq(th_context_get_session_cache_mode(ctx), all);
  cr_assert_eq(th_context_set_session_cache_mode(NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_session_cache_mode(NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(context, set_session_id) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_session_id(ctx, (const unsigned char *)"abc", 3), TH_OK);
  unsigned char max[32];
  memset(max, 'x', sizeof max);
  cr_assert_eq(th_context_set_session_id(ctx, max, sizeof max), TH_OK);
  cr_assert_eq(th_context_set_session_id(ctx, NULL, 0), TH_OK);
  th_context_free(ctx);
}

Test(context, set_session_id_too_long) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  unsigned char big[33];
  memset(big, 'y', sizeof big);
  cr_assert_eq(th_context_set_session_id(ctx, big, sizeof big), TH_ERR_SSL);
  const th_error *e = th_error_last();
  cr_assert_gt(e->queue_len, 0u);
  cr_assert_str_eq(e->queue[0].lib, "SSL routines");
  cr_assert_str_eq(e->queue[0].reason, "ssl session id context too long");
  cr_assert_eq(th_context_set_session_id(ctx, big, (size_t)1 << 40), TH_ERR_SSL);
  cr_assert_eq(th_context_set_session_id(ctx, NULL, 3), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_session_id(NULL, big, 3), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(context, timeout) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  long def = th_context_get_timeout(ctx);
  cr_assert_eq(def, 7200); /* OpenSSL 3's TLS default; the spec says 300 */
  cr_assert_eq(th_context_set_timeout(ctx, 1234), def);
  cr_assert_eq(th_context_get_timeout(ctx), 1234);
  cr_assert_eq(th_context_set_timeout(ctx, 0), 1234);
  cr_assert_eq(th_context_set_timeout(ctx, -5), TH_ERR_VALUE);
  cr_assert_eq(th_context_get_timeout(ctx), 0);
  cr_assert_eq(th_context_set_timeout(NULL, 5), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_timeout(NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

/* ---- app data ------------------------------------------------------------------------ */

Test(context, app_data) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_null(th_context_get_app_data(ctx));
  int marker;
  cr_assert_eq(th_context_set_app_data(ctx, &marker), TH_OK);
  cr_assert_eq(th_context_get_app_data(ctx), &marker);
  cr_assert_eq(th_context_set_app_data(ctx, NULL), TH_OK);
  cr_assert_null(th_context_get_app_data(ctx));
  cr_assert_eq(th_context_set_app_data(NULL, &marker), TH_ERR_TYPE);
  th_error_clear();
  cr_assert_null(th_context_get_app_data(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey *k;
  cr_assert_eq(th_context_set_app_data(wrong(&k), &marker), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context_free(ctx);
}

static void count_info(th_connection *conn, int where, int ret, void *user) {
  cr_assert_null(conn); /* a raw SSL, not a th_connection */
  (*(int *)user)++;
}

static int raw_client_start(SSL_CTX *raw) {
  SSL *ssl = SSL_new(raw);
  cr_assert_not_null(ssl);
  SSL_set_bio(ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
  SSL_set_connect_state(ssl);
  int rc = SSL_do_handshake(ssl);
  int err = SSL_get_error(ssl, rc);
  SSL_free(ssl);
  return err;
}

Test(context, ssl_ctx_outlives_context_with_callbacks) {
  th_context *ctx = th_context_new(TH_TLS_CLIENT_METHOD);
  int calls = 0;
  cr_assert_eq(th_context_set_info_callback(ctx, count_info, &calls), TH_OK);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  /* A raw SSL on the context's SSL_CTX runs our callbacks, with no
   * connection. */
  cr_assert_eq(raw_client_start(raw), SSL_ERROR_WANT_READ);
  cr_assert_gt(calls, 0);
  /* Once the Context is gone, its callbacks are too: no dangling call. */
  th_context_free(ctx);
  calls = 0;
  cr_assert_eq(raw_client_start(raw), SSL_ERROR_WANT_READ);
  cr_assert_eq(calls, 0);
  SSL_CTX_free(raw);
}
