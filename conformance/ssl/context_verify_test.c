/* context_verify_test.c — SSL.Context: verify mode and depth, the trust
 * store, CA names for clients, DH parameters and the ECDH curve (settings
 * only; handshakes are in verify_test.c). */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(context_verify);

static int accept_all(th_connection *c, th_x509 *x, int e, int d, int ok, void *u) { return 1; }

Test(context_verify, set_verify_and_get_verify_mode) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_get_verify_mode(ctx), TH_VERIFY_NONE);
  int mode = TH_VERIFY_PEER | TH_VERIFY_FAIL_IF_NO_PEER_CERT | TH_VERIFY_CLIENT_ONCE;
  cr_assert_eq(th_context_set_verify(ctx, mode, accept_all, NULL), TH_OK);
  cr_assert_eq(th_context_get_verify_mode(ctx), mode);
  cr_assert_eq(th_context_set_verify(ctx, TH_VERIFY_PEER, NULL, NULL), TH_OK);
  cr_assert_eq(th_context_get_verify_mode(ctx), TH_VERIFY_PEER);
  cr_assert_eq(th_context_set_verify(ctx, TH_VERIFY_PEER | TH_VERIFY_POST_HANDSHAKE, NULL, NULL),
               TH_OK);
  /* Unknown bits: refused, mode unchanged. */
  cr_assert_eq(th_context_set_verify(ctx, 0x100, accept_all, NULL), TH_ERR_VALUE);
  cr_assert_eq(th_context_set_verify(ctx, -1, accept_all, NULL), TH_ERR_VALUE);
  cr_assert_eq(th_context_get_verify_mode(ctx), TH_VERIFY_PEER | TH_VERIFY_POST_HANDSHAKE);
  cr_assert_eq(th_context_set_verify(NULL, TH_VERIFY_PEER, NULL, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_verify_mode(NULL), TH_ERR_TYPE);
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_context_get_verify_mode((th_context *)k), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context_free(ctx);
}

Test(context_verify, verify_depth) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  /* Unset: OpenSSL's effective default, 100 (pyOpenSSL shows -1). */
  cr_assert_eq(th_context_get_verify_depth(ctx), 100);
  cr_assert_eq(th_context_set_verify_depth(ctx, 3), TH_OK);
  cr_assert_eq(th_context_get_verify_depth(ctx), 3);
  cr_assert_eq(th_context_set_verify_depth(ctx, 0), TH_OK);
  cr_assert_eq(th_context_get_verify_depth(ctx), 0);
  cr_assert_eq(th_context_set_verify_depth(ctx, -2), TH_ERR_VALUE);
  cr_assert_eq(th_context_get_verify_depth(ctx), 0);
  cr_assert_eq(th_context_set_verify_depth(NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_get_verify_depth(NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(context_verify, get_cert_store_shares_the_store) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  th_x509_store *st = th_context_get_cert_store(ctx);
  cr_assert_not_null(st, "%s", tu_err());
  th_x509 *root = ts_x509(ts_pki_get()->root);
  cr_assert_eq(th_x509_store_add_cert(st, root), TH_OK);
  /* The context's own store now holds it. */
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(raw));
  cr_assert_eq(sk_X509_OBJECT_num(objs), 1);
  SSL_CTX_free(raw);
  /* The store outlives the context. */
  th_context_free(ctx);
  cr_assert_eq(th_x509_store_add_cert(st, root), TH_OK);
  th_x509_free(root);
  th_x509_store_free(st);
  cr_assert_null(th_context_get_cert_store(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

/* A context whose SSL_CTX lost its store (SSL_CTX_set_cert_store(raw,
 * NULL) through the escape hatch) has none to share: TH_ERR_SSL (pyOpenSSL
 * returns None), and a store set again is shared as before. */
Test(context_verify, get_cert_store_without_a_store) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  SSL_CTX_set_cert_store(raw, NULL);
  cr_assert_null(th_context_get_cert_store(ctx));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert(strstr(th_error_last()->message, "no store") != NULL, "%s", tu_err());
  cr_assert_null(SSL_CTX_get_cert_store(raw));
  X509_STORE *fresh = X509_STORE_new();
  SSL_CTX_set_cert_store(raw, fresh); /* takes it over */
  th_x509_store *st = th_context_get_cert_store(ctx);
  cr_assert_not_null(st, "%s", tu_err());
  th_x509 *root = ts_x509(ts_pki_get()->root);
  cr_assert_eq(th_x509_store_add_cert(st, root), TH_OK, "%s", tu_err());
  cr_assert_eq(sk_X509_OBJECT_num(X509_STORE_get0_objects(fresh)), 1);
  th_x509_free(root);
  th_x509_store_free(st);
  SSL_CTX_free(raw);
  th_context_free(ctx);
}

static size_t store_count(th_context *ctx) {
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  size_t n = (size_t)sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(raw)));
  SSL_CTX_free(raw);
  return n;
}

Test(context_verify, load_verify_locations_file) {
  const ts_pki *p = ts_pki_get();
  X509 *cas[] = {p->root, p->inter};
  const char *path = ts_write_cert("cas.pem", cas, 2);
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_load_verify_locations(ctx, path, NULL), TH_OK, "%s", tu_err());
  cr_assert_eq(store_count(ctx), 2u);
  th_context_free(ctx);
}

Test(context_verify, load_verify_locations_dir) {
  const ts_pki *p = ts_pki_get();
  /* A c_rehash'ed directory: <subject hash>.0 */
  char name[64];
  snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(p->root));
  ts_write_cert(name, &p->root, 1);
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_load_verify_locations(ctx, NULL, tu_tmpdir()), TH_OK, "%s", tu_err());
  /* Directory lookups are lazy: the hashed file is found by subject. */
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  X509_STORE_CTX *sctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(raw), NULL, NULL);
  X509_OBJECT *obj = X509_STORE_CTX_get_obj_by_subject(sctx, X509_LU_X509, X509_get_subject_name(p->root));
  cr_assert_not_null(obj);
  X509_OBJECT_free(obj);
  X509_STORE_CTX_free(sctx);
  SSL_CTX_free(raw);
  th_context_free(ctx);
}

Test(context_verify, load_verify_locations_errors) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_load_verify_locations(ctx, NULL, NULL), TH_ERR_SSL);
  cr_assert_eq(th_context_load_verify_locations(ctx, tu_path("missing.pem"), NULL), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  const char *junk = tu_path("junk.pem");
  cr_assert_eq(tu_write_file(junk, "not a certificate\n", 18), 0);
  cr_assert_eq(th_context_load_verify_locations(ctx, junk, NULL), TH_ERR_SSL);
  cr_assert_eq(store_count(ctx), 0u);
  cr_assert_eq(th_context_load_verify_locations(NULL, junk, NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(context_verify, set_default_verify_paths) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  /* Point OpenSSL's defaults at our CA so the test does not depend on the
   * machine's store. */
  const char *path = ts_write_cert("default-ca.pem", &ts_pki_get()->root, 1);
  setenv("SSL_CERT_FILE", path, 1);
  cr_assert_eq(th_context_set_default_verify_paths(ctx), TH_OK, "%s", tu_err());
  cr_assert_eq(store_count(ctx), 1u);
  cr_assert_eq(th_context_set_default_verify_paths(NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

static int ca_list_count(th_context *ctx) {
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  int n = sk_X509_NAME_num(SSL_CTX_get_client_CA_list(raw));
  SSL_CTX_free(raw);
  return n;
}

Test(context_verify, set_client_ca_list) {
  const ts_pki *p = ts_pki_get();
  th_x509 *root = ts_x509(p->root), *inter = ts_x509(p->inter);
  th_x509_name *names[2] = {th_x509_get_subject(root), th_x509_get_subject(inter)};
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_client_ca_list(ctx, names, 2), TH_OK, "%s", tu_err());
  cr_assert_eq(ca_list_count(ctx), 2);
  /* Replaces, not appends. */
  cr_assert_eq(th_context_set_client_ca_list(ctx, names, 1), TH_OK);
  cr_assert_eq(ca_list_count(ctx), 1);
  /* A wrong item: refused, list unchanged. */
  th_x509_name *bad[2] = {names[0], (th_x509_name *)root};
  cr_assert_eq(th_context_set_client_ca_list(ctx, bad, 2), TH_ERR_TYPE);
  th_x509_name *nul[1] = {NULL};
  cr_assert_eq(th_context_set_client_ca_list(ctx, nul, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_client_ca_list(ctx, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(ca_list_count(ctx), 1);
  cr_assert_eq(th_context_set_client_ca_list(ctx, NULL, 0), TH_OK);
  cr_assert_eq(ca_list_count(ctx), 0);
  cr_assert_eq(th_context_set_client_ca_list(NULL, names, 1), TH_ERR_TYPE);
  th_x509_name_free(names[0]);
  th_x509_name_free(names[1]);
  th_x509_free(root);
  th_x509_free(inter);
  th_context_free(ctx);
}

Test(context_verify, add_client_ca) {
  const ts_pki *p = ts_pki_get();
  th_x509 *root = ts_x509(p->root), *inter = ts_x509(p->inter);
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_add_client_ca(ctx, root), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_add_client_ca(ctx, inter), TH_OK);
  cr_assert_eq(ca_list_count(ctx), 2);
  cr_assert_eq(th_context_add_client_ca(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_add_client_ca(ctx, (th_x509 *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_context_add_client_ca(NULL, root), TH_ERR_TYPE);
  cr_assert_eq(ca_list_count(ctx), 2);
  th_x509_free(root);
  th_x509_free(inter);
  th_context_free(ctx);
}

Test(context_verify, load_client_ca) {
  const ts_pki *p = ts_pki_get();
  X509 *cas[] = {p->root, p->inter};
  const char *path = ts_write_cert("client-cas.pem", cas, 2);
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_load_client_ca(ctx, path), TH_OK, "%s", tu_err());
  cr_assert_eq(ca_list_count(ctx), 2);
  cr_assert_eq(th_context_load_client_ca(ctx, tu_path("missing.pem")), TH_ERR_SSL);
  const char *junk = tu_path("junk.pem");
  cr_assert_eq(tu_write_file(junk, "junk\n", 5), 0);
  cr_assert_eq(th_context_load_client_ca(ctx, junk), TH_ERR_SSL);
  cr_assert_eq(ca_list_count(ctx), 2);
  cr_assert_eq(th_context_load_client_ca(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_load_client_ca(NULL, path), TH_ERR_TYPE);
  th_context_free(ctx);
}

/* ---- DH and ECDH -------------------------------------------------------------------- */

static const char *write_params(const char *name, const char *alg, const char *group) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
  cr_assert_not_null(pc);
  cr_assert_eq(EVP_PKEY_paramgen_init(pc), 1);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("group", (char *)group, 0),
                         OSSL_PARAM_construct_end()};
  cr_assert_eq(EVP_PKEY_CTX_set_params(pc, params), 1);
  EVP_PKEY *pk = NULL;
  cr_assert_eq(EVP_PKEY_paramgen(pc, &pk), 1);
  const char *path = tu_path(name);
  BIO *b = BIO_new_file(path, "w");
  cr_assert_eq(PEM_write_bio_Parameters(b, pk), 1);
  BIO_free(b);
  EVP_PKEY_free(pk);
  EVP_PKEY_CTX_free(pc);
  return path;
}

Test(context_verify, load_tmp_dh) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  const char *dh = write_params("dh.pem", "DH", "ffdhe2048");
  cr_assert_eq(th_context_load_tmp_dh(ctx, dh), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_load_tmp_dh(ctx, tu_path("missing.pem")), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  const char *junk = tu_path("junk.pem");
  cr_assert_eq(tu_write_file(junk, "junk\n", 5), 0);
  cr_assert_eq(th_context_load_tmp_dh(ctx, junk), TH_ERR_SSL);
  const char *ec = write_params("ec.pem", "EC", "P-256");
  cr_assert_eq(th_context_load_tmp_dh(ctx, ec), TH_ERR_SSL);
  cr_assert(strstr(th_error_last()->message, "not DH") != NULL, "%s", tu_err());
  cr_assert_eq(th_context_load_tmp_dh(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_load_tmp_dh(NULL, dh), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(context_verify, set_tmp_ecdh) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  th_elliptic_curve *c = th_crypto_get_elliptic_curve("prime256v1");
  cr_assert_not_null(c, "%s", tu_err());
  cr_assert_eq(th_context_set_tmp_ecdh(ctx, c), TH_OK, "%s", tu_err());
  /* That it becomes the only group is shown on a handshake in
   * context_kex_test.c. */
  /* A curve TLS cannot use. */
  th_elliptic_curve *odd = th_crypto_get_elliptic_curve("secp112r1");
  if (odd != NULL) {
    cr_assert_eq(th_context_set_tmp_ecdh(ctx, odd), TH_ERR_SSL);
    th_elliptic_curve_free(odd);
  }
  cr_assert_eq(th_context_set_tmp_ecdh(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_tmp_ecdh(ctx, (th_elliptic_curve *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_tmp_ecdh(NULL, c), TH_ERR_TYPE);
  th_elliptic_curve_free(c);
  th_context_free(ctx);
}
