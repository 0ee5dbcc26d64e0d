/* fixtures_test.c — the in-memory fixture API: generators, issuing every
 * key type, spec options and their errors, chains, PEM, revocation and
 * CRLs, configuring contexts, key names, and write_set's errors. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "testutil_fixtures.h"

TestSuite(fixtures);

static th_fixtures *fx;
static void setup(void) { cr_assert_not_null(fx = th_fixtures_new(1), "%s", tu_err()); }
static void teardown(void) { th_fixtures_free(fx); }
TestSuite(fixtures_api, .init = setup, .fini = teardown);

static X509 *raw(const th_fixtures_cert *c) {
  th_x509 *x = th_fixtures_cert_x509(c);
  cr_assert_not_null(x, "%s", tu_err());
  X509 *r = th_x509_to_x509(x);
  th_x509_free(x);
  return r;
}

/* verify_with checks leaf against root (+ chain) at the set's time. */
static int verify_with(const th_fixtures_cert *root, const th_fixtures_cert *leaf,
                       const th_fixtures_cert *inter, X509_CRL *crl, unsigned long flags) {
  X509_STORE *st = X509_STORE_new();
  X509 *r = raw(root), *l = raw(leaf), *i = inter ? raw(inter) : NULL;
  STACK_OF(X509) *chain = sk_X509_new_null();
  if (i) sk_X509_push(chain, i);
  X509_STORE_add_cert(st, r);
  if (crl) X509_STORE_add_crl(st, crl);
  X509_STORE_set_flags(st, flags);
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, st, l, chain);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), TH_FIXTURES_VERIFY_TIME);
  int rc = X509_verify_cert(ctx) == 1 ? 0 : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  sk_X509_pop_free(chain, X509_free);
  X509_free(r);
  X509_free(l);
  X509_STORE_free(st);
  return rc;
}

Test(fixtures, new_free_seed_and_types) {
  th_fixtures *g = th_fixtures_new(42);
  cr_assert_not_null(g);
  cr_assert_eq(th_fixtures_seed(g), 42ull);
  cr_assert_eq(th_fixtures_up_ref(g), g);
  th_fixtures_free(g);
  th_fixtures_free(g);
  th_fixtures_free(NULL);
  th_fixtures_cert_free(NULL);
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_fixtures_up_ref((th_fixtures *)k));
  cr_assert_eq(th_fixtures_seed((th_fixtures *)k), 0ull);
  cr_assert_null(th_fixtures_cert_up_ref((th_fixtures_cert *)k));
  cr_assert_null(th_fixtures_issue((th_fixtures *)k, NULL, TH_FIXTURES_ROLE_ROOT, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_fixtures_issue(NULL, NULL, TH_FIXTURES_ROLE_ROOT, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey_free(k);
}

Test(fixtures_api, root_and_server_defaults) {
  th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_fixtures_cert *srv = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_SERVER, NULL);
  cr_assert_not_null(srv, "%s", tu_err());
  X509 *x = raw(srv);
  cr_assert_eq(X509_check_host(x, "localhost", 0, 0, NULL), 1);
  cr_assert_eq(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
  cr_assert_eq(X509_check_ip_asc(x, "::1", 0), 1);
  cr_assert_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
  cr_assert_eq(X509_check_ca(x), 0);
  cr_assert_eq(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), TH_FIXTURES_VERIFY_TIME), 1);
  cr_assert_eq(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), TH_FIXTURES_VERIFY_TIME), -1);
  X509 *r = raw(ca);
  cr_assert_eq(X509_check_ca(r), 1);
  cr_assert_eq(X509_check_issued(r, x), X509_V_OK);
  cr_assert_eq(verify_with(ca, srv, NULL, NULL, 0), 0);
  X509_free(x);
  X509_free(r);
  th_fixtures_cert_free(srv);
  th_fixtures_cert_free(ca);
}

ParameterizedTestParameters(fixtures_api, every_key_type) {
  static int keys[] = {TH_FIXTURES_KEY_RSA2048, TH_FIXTURES_KEY_P256, TH_FIXTURES_KEY_P384,
                       TH_FIXTURES_KEY_P521,    TH_FIXTURES_KEY_ED25519, TH_FIXTURES_KEY_ED448,
                       TH_FIXTURES_KEY_DSA,     TH_FIXTURES_KEY_RSA1024};
  return cr_make_param_array(int, keys, sizeof keys / sizeof keys[0]);
}

ParameterizedTest(int *key, fixtures_api, every_key_type) {
  static const char *const types[] = {[TH_FIXTURES_KEY_RSA1024] = "RSA", [TH_FIXTURES_KEY_RSA2048] = "RSA",
      [TH_FIXTURES_KEY_P256] = "EC", [TH_FIXTURES_KEY_P384] = "EC", [TH_FIXTURES_KEY_P521] = "EC",
      [TH_FIXTURES_KEY_ED25519] = "ED25519", [TH_FIXTURES_KEY_ED448] = "ED448",
      [TH_FIXTURES_KEY_DSA] = "DSA"};
  th_fixtures_spec spec = {.key = *key};
  th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, &spec);
  th_fixtures_cert *cli = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_CLIENT, &spec);
  cr_assert_not_null(cli, "%s", tu_err());
  th_pkey *k = th_fixtures_cert_pkey(cli);
  EVP_PKEY *e = th_pkey_to_evp(k);
  cr_assert(EVP_PKEY_is_a(e, types[*key]), "%s", th_fixtures_key_name(*key));
  X509 *x = raw(cli);
  cr_assert_eq(X509_check_private_key(x, e), 1);
  cr_assert_eq(X509_check_email(x, "client@example.test", 0, 0), 1);
  cr_assert_eq(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
  cr_assert_eq(verify_with(ca, cli, NULL, NULL, 0), 0);
  X509_free(x);
  EVP_PKEY_free(e);
  th_pkey_free(k);
  th_fixtures_cert_free(cli);
  th_fixtures_cert_free(ca);
}

/* server_pem: the PEM of a server certificate and its key from a fresh
 * generator of seed (malloc'd, *len set). */
static char *server_pem(unsigned long long seed, int key, size_t *len) {
  th_fixtures *g = th_fixtures_new(seed);
  th_fixtures_spec spec = {.key = key};
  th_fixtures_cert *ca = th_fixtures_issue(g, NULL, TH_FIXTURES_ROLE_ROOT, &spec);
  th_fixtures_cert *s = th_fixtures_issue(g, ca, TH_FIXTURES_ROLE_SERVER, &spec);
  th_bytes *a = th_fixtures_cert_pem(s), *b = th_fixtures_key_pem(s);
  cr_assert(a && b, "%s", tu_err());
  char *both = malloc(a->len + b->len);
  memcpy(both, a->data, a->len);
  memcpy(both + a->len, b->data, b->len);
  *len = a->len + b->len;
  th_bytes_free(a);
  th_bytes_free(b);
  th_fixtures_cert_free(s);
  th_fixtures_cert_free(ca);
  th_fixtures_free(g);
  return both;
}

Test(fixtures, deterministic_keys_and_signatures) {
  /* ECDSA and DSA signatures draw a random k: they repeat too. */
  int keys[] = {TH_FIXTURES_KEY_P256, TH_FIXTURES_KEY_DSA, TH_FIXTURES_KEY_ED25519};
  for (size_t i = 0; i < 3; i++) {
    size_t la, lb, lc;
    char *a = server_pem(5, keys[i], &la), *b = server_pem(5, keys[i], &lb);
    char *c = server_pem(6, keys[i], &lc);
    cr_assert_eq(la, lb);
    cr_assert_eq(memcmp(a, b, la), 0, "key type %d", keys[i]);
    cr_assert(lc != la || memcmp(a, c, la) != 0);
    free(a);
    free(b);
    free(c);
  }
}

Test(fixtures_api, spec_options) {
  const char *names[] = {"a.example", "10.1.2.3", "2001:db8::1", "me@example.test", NULL};
  const char *exts[] = {"extendedKeyUsage=serverAuth,clientAuth", "subjectKeyIdentifier=", NULL};
  th_fixtures_spec spec = {.key = TH_FIXTURES_KEY_P384, .digest = "SHA384", .common_name = "named",
                           .not_before = "20300101000000Z", .not_after = "20600101000000Z",
                           .serial = 77, .names = names, .extensions = exts};
  th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_fixtures_cert *c = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_SERVER, &spec);
  cr_assert_not_null(c, "%s", tu_err());
  X509 *x = raw(c);
  cr_assert_eq(ASN1_INTEGER_get(X509_get0_serialNumber(x)), 77);
  cr_assert_eq(X509_check_host(x, "a.example", 0, 0, NULL), 1);
  cr_assert_eq(X509_check_ip_asc(x, "10.1.2.3", 0), 1);
  cr_assert_eq(X509_check_ip_asc(x, "2001:db8::1", 0), 1);
  cr_assert_eq(X509_check_email(x, "me@example.test", 0, 0), 1);
  cr_assert_eq(X509_check_host(x, "localhost", 0, 0, NULL), 0);
  cr_assert_eq(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
  cr_assert_lt(X509_get_ext_by_NID(x, NID_subject_key_identifier, -1), 0);
  cr_assert_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA384);
  char cn[64];
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
  cr_assert_str_eq(cn, "named");
  ASN1_TIME *t = ASN1_TIME_new();
  ASN1_TIME_set_string_X509(t, "20600101000000Z");
  cr_assert_eq(ASN1_TIME_compare(t, X509_get0_notAfter(x)), 0);
  ASN1_TIME_free(t);
  cr_assert_eq(verify_with(ca, c, NULL, NULL, 0), X509_V_ERR_CERT_NOT_YET_VALID);
  X509_free(x);
  th_fixtures_cert_free(c);
  th_fixtures_cert_free(ca);
}

typedef struct bad_spec {
  int role, kind;
  th_fixtures_spec spec;
} bad_spec;

/* The parameter is an index: Criterion runs each case in a fresh process
 * image, where pointers inside parameters would dangle. */
static const char *const bad_ext[] = {"basicConstraints=nonsense", NULL};
static const char *const no_eq[] = {"keyUsage", NULL};
static const char *const unknown_ext[] = {"noSuchExtension=x", NULL};
static const bad_spec bad_cases[] = {
    {0, TH_ERR_VALUE, {0}},
    {9, TH_ERR_VALUE, {0}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.key = 99}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.key = -1}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.digest = "NOPE"}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.not_before = "yesterday"}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.not_after = "20201301000000Z"}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.serial = -5}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.extensions = bad_ext}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.extensions = no_eq}},
    {TH_FIXTURES_ROLE_ROOT, TH_ERR_VALUE, {.extensions = unknown_ext}},
};

ParameterizedTestParameters(fixtures_api, bad_specs) {
  static int idx[sizeof bad_cases / sizeof bad_cases[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, fixtures_api, bad_specs) {
  const bad_spec *c = &bad_cases[*i];
  cr_assert_null(th_fixtures_issue(fx, NULL, c->role, &c->spec), "case %d", *i);
  cr_assert_eq(th_error_kind(), c->kind, "case %d: %s", *i, tu_err());
}

Test(fixtures_api, bad_issuers_and_reuse_key) {
  th_fixtures *other = th_fixtures_new(2);
  th_fixtures_cert *foreign = th_fixtures_issue(other, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  cr_assert_null(th_fixtures_issue(fx, foreign, TH_FIXTURES_ROLE_SERVER, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_fixtures_issue(fx, (th_fixtures_cert *)k, TH_FIXTURES_ROLE_SERVER, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_fixtures_spec wrong = {.reuse_key = (th_pkey *)foreign};
  cr_assert_null(th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, &wrong));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  /* A key the caller made is certified as is. */
  th_fixtures_spec reuse = {.reuse_key = k};
  th_fixtures_cert *c = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, &reuse);
  cr_assert_not_null(c, "%s", tu_err());
  X509 *x = raw(c);
  EVP_PKEY *e = th_pkey_to_evp(k);
  cr_assert_eq(X509_check_private_key(x, e), 1);
  /* A public-only key cannot be reused. */
  EVP_PKEY *pub = X509_get_pubkey(x);
  th_pkey *pk = th_pkey_from_evp(pub);
  th_fixtures_spec pubspec = {.reuse_key = pk};
  cr_assert_null(th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, &pubspec));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_pkey_free(pk);
  EVP_PKEY_free(pub);
  EVP_PKEY_free(e);
  X509_free(x);
  th_fixtures_cert_free(c);
  th_pkey_free(k);
  th_fixtures_cert_free(foreign);
  th_fixtures_free(other);
}

Test(fixtures_api, chain_and_pem) {
  th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_fixtures_cert *i1 = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_INTERMEDIATE, NULL);
  th_fixtures_cert *i2 = th_fixtures_issue(fx, i1, TH_FIXTURES_ROLE_INTERMEDIATE, NULL);
  th_fixtures_cert *leaf = th_fixtures_issue(fx, i2, TH_FIXTURES_ROLE_SERVER, NULL);
  th_list *l = th_fixtures_cert_chain(leaf);
  cr_assert_eq(l->count, 2u);
  X509 *first = th_x509_to_x509(th_list_get(l, 0)), *want = raw(i2);
  cr_assert_eq(X509_cmp(first, want), 0);
  X509_free(first);
  X509_free(want);
  th_list_free(l);
  l = th_fixtures_cert_chain(ca);
  cr_assert_eq(l->count, 0u);
  th_list_free(l);
  th_bytes *chain = th_fixtures_chain_pem(leaf);
  BIO *b = BIO_new_mem_buf(chain->data, (int)chain->len);
  int n = 0;
  X509 *x;
  while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) { n++; X509_free(x); }
  cr_assert_eq(n, 3);
  BIO_free(b);
  th_bytes_free(chain);
  th_bytes *kp = th_fixtures_key_pem(leaf);
  cr_assert(strstr((char *)kp->data, "BEGIN PRIVATE KEY") != NULL);
  th_bytes_free(kp);
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_fixtures_cert_chain((th_fixtures_cert *)k));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_fixtures_cert_pem(NULL));
  cr_assert_null(th_fixtures_key_pem((th_fixtures_cert *)k));
  cr_assert_null(th_fixtures_chain_pem(NULL));
  cr_assert_null(th_fixtures_cert_x509(NULL));
  cr_assert_null(th_fixtures_cert_pkey((th_fixtures_cert *)k));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey_free(k);
  th_fixtures_cert_free(leaf);
  th_fixtures_cert_free(i2);
  th_fixtures_cert_free(i1);
  th_fixtures_cert_free(ca);
}

Test(fixtures_api, objects_outlive_the_generator) {
  th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_x509 *x = th_fixtures_cert_x509(ca);
  th_pkey *k = th_fixtures_cert_pkey(ca);
  th_fixtures_cert_free(ca);
  th_fixtures_free(fx);
  fx = NULL;
  X509 *r = th_x509_to_x509(x);
  EVP_PKEY *e = th_pkey_to_evp(k);
  cr_assert_eq(X509_verify(r, e), 1);
  X509_free(r);
  EVP_PKEY_free(e);
  th_x509_free(x);
  th_pkey_free(k);
}
