/* pkcs7_test.c — crypto.load_pkcs7_data and crypto.PKCS7, with structures
 * made by the openssl tool (crl2pkcs7, smime -sign, smime -encrypt) and by
 * raw OpenSSL for the content types the tool does not make. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "testutil_chain.h"

static tc_chain ch;
static char cert[1024], key[1024], msg[1024], rsa_cert[1024];

static void setup(void) {
  tc_chain_make(&ch);
  snprintf(cert, sizeof cert, "%s", tc_write_cert("leaf.pem", ch.leaf));
  snprintf(key, sizeof key, "%s", tu_path("leaf.key"));
  FILE *f = fopen(key, "w");
  PEM_write_PrivateKey(f, ch.leaf_key, NULL, NULL, 0, NULL, NULL);
  fclose(f);
  snprintf(msg, sizeof msg, "%s", tu_path("msg.txt"));
  tu_write_file(msg, "hello\n", 6);
  /* PKCS#7 encryption needs an RSA recipient. */
  EVP_PKEY *rsa = tu_rsa_evp();
  X509 *rc = tc_cert(rsa, "recipient", NULL, NULL, tc_leaf_exts);
  snprintf(rsa_cert, sizeof rsa_cert, "%s", tc_write_cert("rsa.pem", rc));
  X509_free(rc);
  EVP_PKEY_free(rsa);
}
static void teardown(void) { tc_chain_free(&ch); }
TestSuite(pkcs7, .init = setup, .fini = teardown);

/* load_tool_output runs the openssl command (its output goes to out.p7)
 * and loads the file as type. */
static th_pkcs7 *load_tool_output(int type, const char *fmt, const char *a, const char *b) {
  char cmd[4096], out[4096];
  snprintf(cmd, sizeof cmd, fmt, tu_openssl(), a, b, tu_path("out.p7"));
  cr_assert_eq(tu_sh(out, sizeof out, "%s", cmd), 0, "%s: %s", cmd, out);
  size_t len = 0;
  char *data = tu_read_file(tu_path("out.p7"), &len);
  cr_assert_not_null(data);
  th_pkcs7 *p = th_crypto_load_pkcs7_data(type, (unsigned char *)data, len);
  free(data);
  cr_assert_not_null(p, "%s", tu_err());
  return p;
}

static void expect_type(th_pkcs7 *p, int sig, int env, int both, int data, const char *name) {
  cr_assert_eq(th_pkcs7_type_is_signed(p), sig);
  cr_assert_eq(th_pkcs7_type_is_enveloped(p), env);
  cr_assert_eq(th_pkcs7_type_is_signedAndEnveloped(p), both);
  cr_assert_eq(th_pkcs7_type_is_data(p), data);
  th_bytes *n = th_pkcs7_get_type_name(p);
  cr_assert_str_eq((char *)n->data, name);
  th_bytes_free(n);
}

Test(pkcs7, crl2pkcs7_pem_is_signed) {
  th_pkcs7 *p =
      load_tool_output(TH_FILETYPE_PEM, "%s crl2pkcs7 -nocrl -certfile %s%s -out %s", cert, "");
  expect_type(p, 1, 0, 0, 0, "pkcs7-signedData");
  th_pkcs7_free(p);
}

Test(pkcs7, crl2pkcs7_der_is_signed) {
  th_pkcs7 *p = load_tool_output(
      TH_FILETYPE_ASN1, "%s crl2pkcs7 -nocrl -certfile %s%s -outform DER -out %s", cert, "");
  expect_type(p, 1, 0, 0, 0, "pkcs7-signedData");
  th_pkcs7_free(p);
}

Test(pkcs7, smime_sign_is_signed) {
  char args[3000];
  snprintf(args, sizeof args, "-signer %s -inkey %s", cert, key);
  th_pkcs7 *p =
      load_tool_output(TH_FILETYPE_PEM, "%s smime -sign %s -in %s -outform PEM -out %s", args, msg);
  expect_type(p, 1, 0, 0, 0, "pkcs7-signedData");
  th_pkcs7_free(p);
}

Test(pkcs7, smime_encrypt_is_enveloped) {
  th_pkcs7 *p = load_tool_output(TH_FILETYPE_ASN1,
                                 "%1$s smime -encrypt -aes256 -in %2$s -outform DER -out %4$s %3$s",
                                 msg, rsa_cert);
  expect_type(p, 0, 1, 0, 0, "pkcs7-envelopedData");
  th_pkcs7_free(p);
}

/* raw_p7 encodes an otherwise empty PKCS7 of content type nid as DER. */
static th_pkcs7 *raw_p7(int nid) {
  PKCS7 *p7 = PKCS7_new();
  cr_assert_eq(PKCS7_set_type(p7, nid), 1);
  /* Just enough content for the structure to encode. */
  if (nid == NID_pkcs7_data) ASN1_OCTET_STRING_set(p7->d.data, (const unsigned char *)"hi", 2);
  if (nid == NID_pkcs7_signedAndEnveloped)
    X509_ALGOR_set0(p7->d.signed_and_enveloped->enc_data->algorithm, OBJ_nid2obj(NID_aes_128_cbc),
                    V_ASN1_UNDEF, NULL);
  unsigned char *der = NULL;
  int n = i2d_PKCS7(p7, &der);
  cr_assert_gt(n, 0);
  th_pkcs7 *p = th_crypto_load_pkcs7_data(TH_FILETYPE_ASN1, der, (size_t)n);
  cr_assert_not_null(p, "%s", tu_err());
  OPENSSL_free(der);
  PKCS7_free(p7);
  return p;
}

Test(pkcs7, data_and_signed_and_enveloped_types) {
  th_pkcs7 *p = raw_p7(NID_pkcs7_data);
  expect_type(p, 0, 0, 0, 1, "pkcs7-data");
  th_pkcs7_free(p);
  p = raw_p7(NID_pkcs7_signedAndEnveloped);
  expect_type(p, 0, 0, 1, 0, "pkcs7-signedAndEnvelopedData");
  cr_assert_eq(th_pkcs7_up_ref(p), p);
  th_pkcs7_free(p);
  th_pkcs7_free(p);
  th_pkcs7_free(NULL);
}

/* A content type OpenSSL does not know parses (PKCS7's "other" content)
 * and is none of the four types; its name is "UNDEF", OBJ_nid2sn of
 * NID_undef, as pyOpenSSL (checked with 23.0 on this libcrypto) says. */
Test(pkcs7, unknown_content_type) {
  /* SEQUENCE { OID 1.3.6.1.4.1.55555.7, [0] EXPLICIT OCTET STRING 00 } */
  static const unsigned char der[] = {0x30, 0x10, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01,
                                      0x83, 0xb2, 0x03, 0x07, 0xa0, 0x03, 0x04, 0x01, 0x00};
  th_pkcs7 *p = th_crypto_load_pkcs7_data(TH_FILETYPE_ASN1, der, sizeof der);
  cr_assert_not_null(p, "%s", tu_err());
  expect_type(p, 0, 0, 0, 0, "UNDEF");
  th_pkcs7_free(p);
}

Test(pkcs7, bad_input) {
  const unsigned char junk[] = "-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n";
  cr_assert_null(th_crypto_load_pkcs7_data(TH_FILETYPE_PEM, junk, sizeof junk - 1));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_pkcs7_data(TH_FILETYPE_ASN1, junk, sizeof junk - 1));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_pkcs7_data(TH_FILETYPE_TEXT, junk, sizeof junk - 1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_pkcs7_data(TH_FILETYPE_PEM, NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_pkcs7_data(TH_FILETYPE_PEM, junk, (size_t)-1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_pkcs7 *wrong = (th_pkcs7 *)ch.t_leaf;
  cr_assert_eq(th_pkcs7_type_is_signed(wrong), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs7_type_is_enveloped(wrong), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs7_type_is_signedAndEnveloped(wrong), TH_ERR_TYPE);
  cr_assert_eq(th_pkcs7_type_is_data(NULL), TH_ERR_TYPE);
  cr_assert_null(th_pkcs7_get_type_name(wrong));
  cr_assert_null(th_pkcs7_up_ref(wrong));
}

Test(pkcs7, legacy_type_name) {
  th_pkcs7 *p = raw_p7(NID_pkcs7_data);
  th_PKCS7Type *alias = p;
  cr_assert_eq(th_pkcs7_type_is_data(alias), 1);
  th_pkcs7_free(p);
}
