/* netscape_spki_test.c — crypto.NetscapeSPKI, cross-checked with
 * `openssl spkac`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "testutil_chain.h"

static th_pkey *key;
static void setup(void) { key = tu_ec_key(); }
static void teardown(void) { th_pkey_free(key); }
TestSuite(netscape_spki, .init = setup, .fini = teardown);

static th_pkey *public_only(th_pkey *k) {
  EVP_PKEY *e = th_pkey_to_evp(k);
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(e, &der);
  const unsigned char *p = der;
  EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, n);
  th_pkey *out = th_pkey_from_evp(pub);
  EVP_PKEY_free(pub);
  EVP_PKEY_free(e);
  OPENSSL_free(der);
  return out;
}

Test(netscape_spki, sign_verify_and_round_trip) {
  th_netscape_spki *s = th_netscape_spki_new();
  cr_assert_not_null(s);
  cr_assert_eq(th_netscape_spki_set_pubkey(s, key), TH_OK, "%s", tu_err());
  cr_assert_eq(th_netscape_spki_sign(s, key, "sha256"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_netscape_spki_verify(s, key), 1, "%s", tu_err());
  th_bytes *b64 = th_netscape_spki_b64_encode(s);
  cr_assert_not_null(b64);
  cr_assert_null(strchr((char *)b64->data, '\n'));
  th_netscape_spki *back = th_netscape_spki_from_b64((char *)b64->data, b64->len);
  cr_assert_not_null(back, "%s", tu_err());
  th_pkey *pub = th_netscape_spki_get_pubkey(back);
  cr_assert_not_null(pub, "%s", tu_err());
  cr_assert_eq(th_netscape_spki_verify(back, pub), 1, "%s", tu_err());
  EVP_PKEY *a = th_pkey_to_evp(pub), *b = th_pkey_to_evp(key);
  cr_assert_eq(EVP_PKEY_eq(a, b), 1);
  EVP_PKEY_free(a);
  EVP_PKEY_free(b);
  /* The public key it returns cannot sign. */
  cr_assert_eq(th_netscape_spki_sign(back, pub, "sha256"), TH_ERR_VALUE);
  th_pkey_free(pub);
  th_netscape_spki_free(back);
  th_bytes_free(b64);
  th_netscape_spki_free(s);
  th_netscape_spki_free(NULL);
}

Test(netscape_spki, verify_with_another_key_is_crypto_error) {
  th_netscape_spki *s = th_netscape_spki_new();
  th_netscape_spki_set_pubkey(s, key);
  th_netscape_spki_sign(s, key, "sha256");
  th_pkey *other = tu_ec_key();
  cr_assert_eq(th_netscape_spki_verify(s, other), TH_ERR_CRYPTO);
  th_pkey *otherpub = public_only(other);
  cr_assert_eq(th_netscape_spki_verify(s, otherpub), TH_ERR_CRYPTO);
  th_pkey_free(otherpub);
  th_pkey_free(other);
  th_netscape_spki_free(s);
}

Test(netscape_spki, unsigned_or_empty_spki) {
  th_netscape_spki *s = th_netscape_spki_new();
  cr_assert_null(th_netscape_spki_get_pubkey(s));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_eq(th_netscape_spki_verify(s, key), TH_ERR_CRYPTO);
  th_netscape_spki_free(s);
}

Test(netscape_spki, openssl_tool_verifies_and_makes_spkac) {
  th_netscape_spki *s = th_netscape_spki_new();
  th_pkey *rsa = tu_rsa_key();
  th_netscape_spki_set_pubkey(s, rsa);
  cr_assert_eq(th_netscape_spki_sign(s, rsa, "sha256"), TH_OK, "%s", tu_err());
  th_bytes *b64 = th_netscape_spki_b64_encode(s);
  char path[1024], out[8192];
  snprintf(path, sizeof path, "%s", tu_path("spkac.cnf"));
  FILE *f = fopen(path, "w");
  fprintf(f, "SPKAC=%s\n", (char *)b64->data);
  fclose(f);
  cr_assert_eq(tu_sh(out, sizeof out, "%s spkac -in %s -verify", tu_openssl(), path), 0, "%s", out);
  cr_assert(strstr(out, "Signature OK") != NULL, "%s", out);
  /* And the other way: an SPKAC made by the tool. */
  char keyp[1024];
  snprintf(keyp, sizeof keyp, "%s", tu_path("k.pem"));
  tu_write_file(keyp, tu_rsa_pem, strlen(tu_rsa_pem));
  cr_assert_eq(tu_sh(out, sizeof out, "%s spkac -key %s -challenge hi", tu_openssl(), keyp), 0,
               "%s", out);
  char *eq = strchr(out, '=');
  cr_assert_not_null(eq);
  char *end = eq + strcspn(eq, "\r\n");
  th_netscape_spki *t = th_netscape_spki_from_b64(eq + 1, (size_t)(end - eq - 1));
  cr_assert_not_null(t, "%s", tu_err());
  cr_assert_eq(th_netscape_spki_verify(t, rsa), 1, "%s", tu_err());
  th_netscape_spki_free(t);
  th_bytes_free(b64);
  th_pkey_free(rsa);
  th_netscape_spki_free(s);
}

Test(netscape_spki, bad_input) {
  th_netscape_spki *s = th_netscape_spki_new();
  th_netscape_spki *wrong = (th_netscape_spki *)key;
  th_pkey *uninit = th_pkey_new();
  cr_assert_eq(th_netscape_spki_sign(s, key, "no-such-digest"), TH_ERR_VALUE);
  cr_assert_eq(th_netscape_spki_sign(s, key, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_sign(s, uninit, "sha256"), TH_ERR_VALUE);
  cr_assert_eq(th_netscape_spki_sign(s, NULL, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_sign(wrong, key, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_set_pubkey(s, uninit), TH_ERR_VALUE);
  cr_assert_eq(th_netscape_spki_set_pubkey(s, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_set_pubkey(s, (th_pkey *)s), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_set_pubkey(NULL, key), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_verify(s, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_netscape_spki_verify(s, uninit), TH_ERR_VALUE);
  cr_assert_eq(th_netscape_spki_verify(wrong, key), TH_ERR_TYPE);
  cr_assert_null(th_netscape_spki_get_pubkey(wrong));
  cr_assert_null(th_netscape_spki_b64_encode(wrong));
  cr_assert_null(th_netscape_spki_b64_encode(NULL));
  cr_assert_null(th_netscape_spki_from_b64(NULL, 3));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_netscape_spki_from_b64("", 0));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_netscape_spki_from_b64("!!!not base64!!!", 16));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_netscape_spki_from_b64("QUJDRA==", 8)); /* base64, not an SPKI */
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_eq(th_netscape_spki_up_ref(s), s);
  th_netscape_spki_free(s);
  cr_assert_null(th_netscape_spki_up_ref(wrong));
  th_pkey_free(uninit);
  th_netscape_spki_free(s);
}

Test(netscape_spki, legacy_type_name) {
  th_NetscapeSPKIType *s = th_netscape_spki_new();
  cr_assert_not_null(s);
  th_netscape_spki_free(s);
}
