/* pkcs12_test.c — crypto.PKCS12 and crypto.load_pkcs12, cross-checked
 * with `openssl pkcs12` in both directions. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "testutil_chain.h"
#include "testutil_table.h"

static tc_chain ch;
static void setup(void) { tc_chain_make(&ch); }
static void teardown(void) { tc_chain_free(&ch); }
TestSuite(pkcs12, .init = setup, .fini = teardown);

/* full makes a PKCS12 with the leaf, its key, both CAs and a name. */
static th_pkcs12 *full(void) {
  th_pkcs12 *p = th_pkcs12_new();
  cr_assert_eq(th_pkcs12_set_certificate(p, ch.t_leaf), TH_OK);
  cr_assert_eq(th_pkcs12_set_privatekey(p, ch.tk_leaf), TH_OK);
  th_x509 *cas[2] = {ch.t_inter, ch.t_root};
  cr_assert_eq(th_pkcs12_set_ca_certificates(p, cas, 2), TH_OK);
  cr_assert_eq(th_pkcs12_set_friendlyname(p, (const unsigned char *)"my leaf", 7), TH_OK);
  return p;
}

static void expect_full(const th_pkcs12 *p, int with_name) {
  th_x509 *c = NULL;
  th_pkey *k = NULL;
  th_list *cas = NULL;
  th_bytes *name = NULL;
  cr_assert_eq(th_pkcs12_get_certificate(p, &c), TH_OK);
  cr_assert(tc_same_cert(c, ch.leaf));
  cr_assert_eq(th_pkcs12_get_privatekey(p, &k), TH_OK);
  cr_assert_not_null(k);
  EVP_PKEY *ek = th_pkey_to_evp(k);
  cr_assert_eq(EVP_PKEY_eq(ek, ch.leaf_key), 1);
  EVP_PKEY_free(ek);
  cr_assert_eq(th_pkcs12_get_ca_certificates(p, &cas), TH_OK);
  cr_assert_eq(cas->count, 2u);
  int a =
      tc_same_cert(th_list_get(cas, 0), ch.inter) || tc_same_cert(th_list_get(cas, 1), ch.inter);
  int b = tc_same_cert(th_list_get(cas, 0), ch.root) || tc_same_cert(th_list_get(cas, 1), ch.root);
  cr_assert(a && b);
  cr_assert_eq(th_pkcs12_get_friendlyname(p, &name), TH_OK);
  if (with_name)
    cr_assert_str_eq((char *)name->data, "my leaf");
  else
    cr_assert_null(name);
  th_bytes_free(name);
  th_list_free(cas);
  th_pkey_free(k);
  th_x509_free(c);
}

Test(pkcs12, new_has_every_part_unset) {
  th_pkcs12 *p = th_pkcs12_new();
  th_x509 *c = (th_x509 *)1;
  th_pkey *k = (th_pkey *)1;
  th_list *l = (th_list *)1;
  th_bytes *n = (th_bytes *)1;
  cr_assert_eq(th_pkcs12_get_certificate(p, &c), TH_OK);
  cr_assert_eq(th_pkcs12_get_privatekey(p, &k), TH_OK);
  cr_assert_eq(th_pkcs12_get_ca_certificates(p, &l), TH_OK);
  cr_assert_eq(th_pkcs12_get_friendlyname(p, &n), TH_OK);
  cr_assert(c == NULL && k == NULL && l == NULL && n == NULL);
  th_pkcs12_free(p);
  th_pkcs12_free(NULL);
}

Test(pkcs12, setters_and_unsetting) {
  th_pkcs12 *p = full();
  expect_full(p, 1);
  cr_assert_eq(th_pkcs12_set_certificate(p, NULL), TH_OK);
  cr_assert_eq(th_pkcs12_set_privatekey(p, NULL), TH_OK);
  cr_assert_eq(th_pkcs12_set_ca_certificates(p, NULL, 0), TH_OK);
  cr_assert_eq(th_pkcs12_set_friendlyname(p, NULL, 0), TH_OK);
  th_x509 *c = NULL;
  th_list *l = NULL;
  th_bytes *n = NULL;
  th_pkey *k = NULL;
  th_pkcs12_get_certificate(p, &c);
  th_pkcs12_get_privatekey(p, &k);
  th_pkcs12_get_ca_certificates(p, &l);
  th_pkcs12_get_friendlyname(p, &n);
  cr_assert(c == NULL && k == NULL && l == NULL && n == NULL);
  th_pkcs12_free(p);
}

Test(pkcs12, setter_bad_input_leaves_parts_unchanged) {
  th_pkcs12 *p = full();
  cr_assert_eq(th_pkcs12_set_certificate(p, (th_x509 *)ch.tk_leaf), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_set_privatekey(p, (th_pkey *)ch.t_leaf), TH_ERR_TYPE);
  th_x509 *bad[2] = {ch.t_inter, (th_x509 *)ch.tk_root};
  cr_assert_eq(th_pkcs12_set_ca_certificates(p, bad, 2), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_set_ca_certificates(p, NULL, 2), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_set_friendlyname(p, (const unsigned char *)"a\0b", 3), TH_ERR_VALUE);
  cr_assert_eq(th_pkcs12_set_friendlyname(p, NULL, 3), TH_ERR_TYPE);
  /* Issue 12 item 15: an over-long len is refused before the name is read
   * (ASan would see the over-read of the 4-byte block). */
  unsigned char *small = malloc(4);
  memcpy(small, "abcd", 4);
  cr_assert_eq(th_pkcs12_set_friendlyname(p, small, (size_t)1 << 20), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "65535") != NULL, "%s", tu_err());
  free(small);
  expect_full(p, 1);
  th_x509 *c = NULL;
  cr_assert_eq(th_pkcs12_set_certificate(NULL, ch.t_leaf), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_set_privatekey(NULL, ch.tk_leaf), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_set_ca_certificates(NULL, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_set_friendlyname(NULL, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_get_certificate((th_pkcs12 *)ch.t_leaf, &c), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_get_certificate(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_get_privatekey(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_get_ca_certificates(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs12_get_friendlyname(p, NULL), TH_ERR_TYPE);
  th_pkcs12_free(p);
}

Test(pkcs12, export_and_load_with_passphrase) {
  th_pkcs12 *p = full();
  th_bytes *der = th_pkcs12_export(p, "s3cret", TH_PKCS12_EXPORT_ITER, TH_PKCS12_EXPORT_MACITER);
  cr_assert_not_null(der, "%s", tu_err());
  th_pkcs12 *back = th_crypto_load_pkcs12(der->data, der->len, "s3cret");
  cr_assert_not_null(back, "%s", tu_err());
  expect_full(back, 1);
  cr_assert_null(th_crypto_load_pkcs12(der->data, der->len, "wrong"));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_pkcs12(der->data, der->len, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  th_pkcs12_free(back);
  th_bytes_free(der);
  th_pkcs12_free(p);
}

Test(pkcs12, export_and_load_without_passphrase) {
  th_pkcs12 *p = full();
  th_pkcs12_set_friendlyname(p, NULL, 0);
  th_bytes *der = th_pkcs12_export(p, NULL, 1000, 1);
  cr_assert_not_null(der, "%s", tu_err());
  th_pkcs12 *back = th_crypto_load_pkcs12(der->data, der->len, NULL);
  cr_assert_not_null(back, "%s", tu_err());
  expect_full(back, 0);
  th_pkcs12_free(back);
  th_bytes_free(der);
  th_pkcs12_free(p);
}

/* Bundles with some parts missing, exported and loaded again. What comes
 * back is OpenSSL's PKCS12_parse, as in pyOpenSSL (the rows were checked
 * with pyOpenSSL 23.0 on this libcrypto; 16.1's OpenSSL 1.0 parses the same
 * way): a certificate is the bundle's certificate only when the bundle's
 * key matches it, wherever it was put; any other is a CA certificate; the
 * friendly name travels with the key's certificate only. */
enum { P_LEAF = 1, P_ROOT = 2, P_INTER = 3 };
static const struct partial_case {
  const char *what;
  int cert, key, cas[2], name;      /* in: certificate, key?, CA certificates, name? */
  int want_cert, want_key, want_cas[2], want_name; /* out */
} partial_cases[] = {
    {"certificate and name only", P_LEAF, 0, {0}, 1, 0, 0, {P_LEAF}, 0},
    {"key only", 0, 1, {0}, 0, 0, 1, {0}, 0},
    {"CA certificates only", 0, 0, {P_ROOT, P_INTER}, 0, 0, 0, {P_ROOT, P_INTER}, 0},
    {"key and other CAs", 0, 1, {P_ROOT}, 0, 0, 1, {P_ROOT}, 0},
    {"key and its certificate among the CAs", 0, 1, {P_LEAF, P_ROOT}, 0, P_LEAF, 1, {P_ROOT}, 0},
    {"certificate and CAs, no key", P_LEAF, 0, {P_ROOT}, 1, 0, 0, {P_LEAF, P_ROOT}, 0},
    {"certificate and key, no name", P_LEAF, 1, {0}, 0, P_LEAF, 1, {0}, 0},
};

static th_x509 *part_t(int which) {
  return which == P_LEAF ? ch.t_leaf : which == P_ROOT ? ch.t_root : ch.t_inter;
}
static X509 *part_x(int which) {
  return which == P_LEAF ? ch.leaf : which == P_ROOT ? ch.root : ch.inter;
}

TU_INDEX_PARAMS(pkcs12, partial_bundles, sizeof partial_cases / sizeof partial_cases[0])
ParameterizedTest(int *i, pkcs12, partial_bundles) {
  const struct partial_case *c = &partial_cases[*i];
  th_pkcs12 *p = th_pkcs12_new();
  if (c->cert) cr_assert_eq(th_pkcs12_set_certificate(p, part_t(c->cert)), TH_OK);
  if (c->key) cr_assert_eq(th_pkcs12_set_privatekey(p, ch.tk_leaf), TH_OK);
  th_x509 *cas[2];
  size_t ncas = 0;
  while (ncas < 2 && c->cas[ncas]) cas[ncas] = part_t(c->cas[ncas]), ncas++;
  if (ncas) cr_assert_eq(th_pkcs12_set_ca_certificates(p, cas, ncas), TH_OK);
  if (c->name) cr_assert_eq(th_pkcs12_set_friendlyname(p, (const unsigned char *)"n", 1), TH_OK);
  th_bytes *der = th_pkcs12_export(p, "pw", 1, 1);
  cr_assert_not_null(der, "%s: %s", c->what, tu_err());
  th_pkcs12 *back = th_crypto_load_pkcs12(der->data, der->len, "pw");
  cr_assert_not_null(back, "%s: %s", c->what, tu_err());
  th_x509 *cert = NULL;
  th_pkey *key = NULL;
  th_list *got = NULL;
  th_bytes *name = NULL;
  cr_assert_eq(th_pkcs12_get_certificate(back, &cert), TH_OK);
  cr_assert_eq(th_pkcs12_get_privatekey(back, &key), TH_OK);
  cr_assert_eq(th_pkcs12_get_ca_certificates(back, &got), TH_OK);
  cr_assert_eq(th_pkcs12_get_friendlyname(back, &name), TH_OK);
  if (c->want_cert)
    cr_assert(cert != NULL && tc_same_cert(cert, part_x(c->want_cert)), "%s: certificate", c->what);
  else
    cr_assert_null(cert, "%s: no certificate", c->what);
  cr_assert_eq(key != NULL, c->want_key, "%s: key", c->what);
  if (key != NULL) {
    EVP_PKEY *ek = th_pkey_to_evp(key);
    cr_assert_eq(EVP_PKEY_eq(ek, ch.leaf_key), 1, "%s: the leaf's key", c->what);
    EVP_PKEY_free(ek);
  }
  size_t want_n = !c->want_cas[0] ? 0 : !c->want_cas[1] ? 1 : 2;
  if (want_n == 0) {
    cr_assert_null(got, "%s: no CA certificates (None)", c->what);
  } else {
    cr_assert(got != NULL && got->count == want_n, "%s: %zu CA certificates", c->what, want_n);
    for (size_t j = 0; j < want_n; j++)
      cr_assert(tc_same_cert(th_list_get(got, j), part_x(c->want_cas[j])), "%s: CA %zu", c->what,
                j);
  }
  cr_assert_eq(name != NULL, c->want_name, "%s: name", c->what);
  th_bytes_free(name);
  th_list_free(got);
  th_pkey_free(key);
  th_x509_free(cert);
  th_pkcs12_free(back);
  th_bytes_free(der);
  th_pkcs12_free(p);
}

Test(pkcs12, export_bad_input) {
  th_pkcs12 *p = full();
  cr_assert_null(th_pkcs12_export(p, "x", 0, 1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_pkcs12_export(p, "x", 1, -1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_pkcs12_export(NULL, "x", 1, 1));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  /* A key that does not belong to the certificate. */
  th_pkcs12_set_privatekey(p, ch.tk_root);
  cr_assert_null(th_pkcs12_export(p, "x", 1, 1));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO, "%s", tu_err());
  th_pkcs12_free(p);
}

Test(pkcs12, openssl_tool_opens_an_api_export) {
  th_pkcs12 *p = full();
  th_bytes *der = th_pkcs12_export(p, "s3cret", 2048, 1);
  char path[1024], out[16384];
  snprintf(path, sizeof path, "%s", tu_path("api.p12"));
  cr_assert_eq(tu_write_file(path, der->data, der->len), 0);
  cr_assert_eq(tu_sh(out, sizeof out, "%s pkcs12 -in %s -passin pass:s3cret -nodes -info",
                     tu_openssl(), path),
               0, "%s", out);
  cr_assert(strstr(out, "MAC verified OK") != NULL || strstr(out, "MAC: ") != NULL, "%s", out);
  cr_assert(strstr(out, "friendlyName: my leaf") != NULL, "%s", out);
  cr_assert(tu_cli_has_dn(out, "CN", "tc leaf"), "%s", out);
  cr_assert(tu_cli_has_dn(out, "CN", "tc intermediate"), "%s", out);
  cr_assert(strstr(out, "BEGIN PRIVATE KEY") != NULL, "%s", out);
  cr_assert_neq(
      tu_sh(out, sizeof out, "%s pkcs12 -in %s -passin pass:nope -nodes", tu_openssl(), path), 0);
  th_bytes_free(der);
  th_pkcs12_free(p);
}

/* tool_p12 writes the leaf, key and chain and runs `openssl pkcs12 -export`
 * with extra options; returns the file's bytes. */
static char *tool_p12(const char *extra, size_t *len) {
  char leaf[1024], key[1024], chain[1024], out[4096];
  snprintf(leaf, sizeof leaf, "%s", tc_write_cert("leaf.pem", ch.leaf));
  snprintf(chain, sizeof chain, "%s", tc_write_cert("inter.pem", ch.inter));
  snprintf(key, sizeof key, "%s", tu_path("leaf.key"));
  FILE *f = fopen(key, "w");
  PEM_write_PrivateKey(f, ch.leaf_key, NULL, NULL, 0, NULL, NULL);
  fclose(f);
  cr_assert_eq(tu_sh(out, sizeof out, "%s pkcs12 -export -in %s -inkey %s -certfile %s %s -out %s",
                     tu_openssl(), leaf, key, chain, extra, tu_path("tool.p12")),
               0, "%s", out);
  return tu_read_file(tu_path("tool.p12"), len);
}

Test(pkcs12, api_loads_an_openssl_tool_export) {
  size_t len = 0;
  char *data = tool_p12("-name toolname -passout pass:abc", &len);
  th_pkcs12 *p = th_crypto_load_pkcs12((unsigned char *)data, len, "abc");
  cr_assert_not_null(p, "%s", tu_err());
  th_x509 *c = NULL;
  th_list *cas = NULL;
  th_bytes *name = NULL;
  th_pkey *k = NULL;
  th_pkcs12_get_certificate(p, &c);
  th_pkcs12_get_ca_certificates(p, &cas);
  th_pkcs12_get_friendlyname(p, &name);
  th_pkcs12_get_privatekey(p, &k);
  cr_assert(tc_same_cert(c, ch.leaf));
  cr_assert_eq(cas->count, 1u);
  cr_assert(tc_same_cert(th_list_get(cas, 0), ch.inter));
  cr_assert_str_eq((char *)name->data, "toolname");
  cr_assert_not_null(k);
  th_pkey_free(k);
  th_bytes_free(name);
  th_list_free(cas);
  th_x509_free(c);
  th_pkcs12_free(p);
  free(data);
}

Test(pkcs12, mac_is_required) {
  size_t len = 0;
  char *data = tool_p12("-nomac -passout pass:", &len);
  cr_assert_null(th_crypto_load_pkcs12((unsigned char *)data, len, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert(strstr(th_error_last()->message, "no MAC") != NULL, "%s", tu_err());
  free(data);
}

Test(pkcs12, load_bad_input) {
  const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x03};
  cr_assert_null(th_crypto_load_pkcs12(junk, sizeof junk, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_pkcs12(junk, 0, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_pkcs12(NULL, 5, "x"));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_pkcs12(junk, (size_t)-1, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
}

Test(pkcs12, refcount_and_legacy_name) {
  th_PKCS12Type *p = th_pkcs12_new();
  cr_assert_eq(th_pkcs12_up_ref(p), p);
  th_pkcs12_free(p);
  th_pkcs12_free(p);
  cr_assert_null(th_pkcs12_up_ref((th_pkcs12 *)ch.t_leaf));
}
