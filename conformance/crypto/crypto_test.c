/* crypto_test.c — the crypto module's functions and constants: load/dump of
 * certificates, requests, private and public keys; sign and verify. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <openssl/provider.h>

#include "testutil_x509.h"

TestSuite(crypto);

static const unsigned char garbage[] = "this is not PEM nor DER \x30\x82\xff";

Test(crypto, constants) {
  cr_assert_eq(TH_FILETYPE_PEM, 1);
  cr_assert_eq(TH_FILETYPE_ASN1, 2);
  cr_assert_eq(TH_FILETYPE_TEXT, 65535);
  cr_assert_eq(TH_TYPE_RSA, EVP_PKEY_RSA);
  cr_assert_eq(TH_TYPE_DSA, EVP_PKEY_DSA);
  cr_assert_eq(TH_TYPE_EC, EVP_PKEY_EC);
  cr_assert_eq(TH_TYPE_ED25519, EVP_PKEY_ED25519);
  cr_assert_eq(TH_TYPE_ED448, EVP_PKEY_ED448);
}

/* ---- certificates ---- */

Test(crypto, certificate_roundtrip) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "rt", NULL, NULL, 1, 1);
  th_bytes *pem = th_crypto_dump_certificate(TH_FILETYPE_PEM, c);
  th_bytes *der = th_crypto_dump_certificate(TH_FILETYPE_ASN1, c);
  th_bytes *text = th_crypto_dump_certificate(TH_FILETYPE_TEXT, c);
  cr_assert(strncmp((char *)pem->data, "-----BEGIN CERTIFICATE-----", 27) == 0);
  cr_assert_eq(der->data[0], 0x30);
  cr_assert(strstr((char *)text->data, "Certificate:") != NULL);
  cr_assert(strstr((char *)text->data, "Subject: CN=rt") != NULL, "%s", text->data);
  th_x509 *a = th_crypto_load_certificate(TH_FILETYPE_PEM, pem->data, pem->len);
  th_x509 *b = th_crypto_load_certificate(TH_FILETYPE_ASN1, der->data, der->len);
  cr_assert_not_null(a, "%s", tu_err());
  cr_assert_not_null(b, "%s", tu_err());
  th_bytes *da = th_crypto_dump_certificate(TH_FILETYPE_ASN1, a);
  th_bytes *db = th_crypto_dump_certificate(TH_FILETYPE_ASN1, b);
  cr_assert_eq(da->len, der->len);
  cr_assert_eq(memcmp(da->data, der->data, der->len), 0);
  cr_assert_eq(memcmp(db->data, der->data, der->len), 0);
  th_bytes_free(da);
  th_bytes_free(db);
  th_x509_free(a);
  th_x509_free(b);
  th_bytes_free(text);
  th_bytes_free(der);
  th_bytes_free(pem);
  th_x509_free(c);
  th_pkey_free(k);
}

Test(crypto, certificate_bad_input) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "bad", NULL, NULL, 1, 1);
  cr_assert_null(th_crypto_dump_certificate(3, c));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_dump_certificate(TH_FILETYPE_PEM, NULL));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_dump_certificate(TH_FILETYPE_PEM, (th_x509 *)k));
  tx_assert_err(TH_ERR_TYPE);
  th_bytes *pem = tx_pem(c);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_TEXT, pem->data, pem->len));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_PEM, pem->data, (size_t)-1));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_PEM, NULL, 10));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_PEM, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_PEM, garbage, sizeof garbage));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_ASN1, garbage, sizeof garbage));
  tx_assert_err(TH_ERR_CRYPTO);
  /* PEM bytes given as DER, and a truncated PEM. */
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_ASN1, pem->data, pem->len));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_PEM, pem->data, pem->len / 2));
  tx_assert_err(TH_ERR_CRYPTO);
  th_bytes_free(pem);
  th_x509_free(c);
  th_pkey_free(k);
}

Test(crypto, load_ex_uses_library_context) {
  OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
  OSSL_PROVIDER *prov = OSSL_PROVIDER_load(ctx, "default");
  cr_assert_not_null(prov);
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "ctx", NULL, NULL, 1, 1);
  th_bytes *pem = tx_pem(c);
  th_bytes *kp = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, NULL, NULL, 0);
  th_x509 *lc = th_crypto_load_certificate_ex(ctx, NULL, TH_FILETYPE_PEM, pem->data, pem->len);
  cr_assert_not_null(lc, "%s", tu_err());
  /* The certificate's key is decoded by the provider of ctx. */
  th_pkey *pub = th_x509_get_pubkey(lc);
  EVP_PKEY *e = th_pkey_to_evp(pub);
  cr_assert_eq(EVP_PKEY_get0_provider(e), prov);
  EVP_PKEY_free(e);
  th_pkey *lk = th_crypto_load_privatekey_ex(ctx, NULL, TH_FILETYPE_PEM, kp->data, kp->len, NULL,
                                             0, NULL, NULL);
  cr_assert_not_null(lk, "%s", tu_err());
  e = th_pkey_to_evp(lk);
  cr_assert_eq(EVP_PKEY_get0_provider(e), prov);
  EVP_PKEY_free(e);
  /* The plain loader uses the default context: another provider object. */
  th_pkey *dk = th_crypto_load_privatekey(TH_FILETYPE_PEM, kp->data, kp->len, NULL, 0);
  e = th_pkey_to_evp(dk);
  cr_assert_neq(EVP_PKEY_get0_provider(e), prov);
  EVP_PKEY_free(e);
  th_pkey_free(dk);
  th_pkey_free(lk);
  th_pkey_free(pub);
  th_x509_free(lc);
  th_bytes_free(kp);
  th_bytes_free(pem);
  th_x509_free(c);
  th_pkey_free(k);
  OSSL_PROVIDER_unload(prov);
  OSSL_LIB_CTX_free(ctx);
}

/* ---- certificate requests ---- */

Test(crypto, certificate_request_roundtrip) {
  th_pkey *k = tu_ec_key();
  th_x509_req *r = th_x509_req_new();
  th_x509_req_set_pubkey(r, k);
  th_x509_name *s = th_x509_req_get_subject(r);
  th_x509_name_set_commonName(s, "req");
  th_x509_name_free(s);
  th_x509_req_sign(r, k, "sha256");
  th_bytes *pem = th_crypto_dump_certificate_request(TH_FILETYPE_PEM, r);
  th_bytes *der = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, r);
  th_bytes *text = th_crypto_dump_certificate_request(TH_FILETYPE_TEXT, r);
  cr_assert(strncmp((char *)pem->data, "-----BEGIN CERTIFICATE REQUEST-----", 35) == 0);
  cr_assert(strstr((char *)text->data, "Certificate Request:") != NULL);
  th_x509_req *a = th_crypto_load_certificate_request(TH_FILETYPE_PEM, pem->data, pem->len);
  th_x509_req *b = th_crypto_load_certificate_request_ex(NULL, NULL, TH_FILETYPE_ASN1, der->data, der->len);
  cr_assert_not_null(a, "%s", tu_err());
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_eq(th_x509_req_verify(a, k), 1);
  cr_assert_eq(th_x509_req_verify(b, k), 1);
  /* Bad input. */
  cr_assert_null(th_crypto_dump_certificate_request(7, r));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_dump_certificate_request(TH_FILETYPE_PEM, (th_x509_req *)k));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_certificate_request(TH_FILETYPE_PEM, garbage, sizeof garbage));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_certificate_request(TH_FILETYPE_ASN1, garbage, sizeof garbage));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_certificate_request(TH_FILETYPE_TEXT, pem->data, pem->len));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_certificate_request(TH_FILETYPE_PEM, NULL, 5));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_certificate_request(TH_FILETYPE_PEM, pem->data, (size_t)-5));
  tx_assert_err(TH_ERR_VALUE);
  th_x509_req_free(a);
  th_x509_req_free(b);
  th_bytes_free(text);
  th_bytes_free(der);
  th_bytes_free(pem);
  th_x509_req_free(r);
  th_pkey_free(k);
}

/* ---- public keys ---- */

Test(crypto, publickey_roundtrip_and_openssl) {
  th_pkey *k = tu_rsa_key();
  th_bytes *pem = th_crypto_dump_publickey(TH_FILETYPE_PEM, k);
  th_bytes *der = th_crypto_dump_publickey(TH_FILETYPE_ASN1, k);
  cr_assert(strncmp((char *)pem->data, "-----BEGIN PUBLIC KEY-----", 26) == 0);
  th_pkey *a = th_crypto_load_publickey(TH_FILETYPE_PEM, pem->data, pem->len);
  th_pkey *b = th_crypto_load_publickey(TH_FILETYPE_ASN1, der->data, der->len);
  cr_assert_eq(th_pkey_only_public(a), 1);
  cr_assert_eq(th_pkey_only_public(b), 1);
  cr_assert_eq(th_pkey_bits(b), 2048);
  /* A public key dumps again to the same bytes. */
  th_bytes *again = th_crypto_dump_publickey(TH_FILETYPE_PEM, a);
  cr_assert_str_eq((char *)again->data, (char *)pem->data);
  char out[4096];
  cr_assert_eq(tu_sh(out, sizeof out, "%s pkey -pubin -in %s -noout -text", tu_openssl(),
                     tx_write("pub.pem", pem)), 0, "%s", out);
  cr_assert(strstr(out, "2048 bit") != NULL, "%s", out);
  /* Bad input. */
  cr_assert_null(th_crypto_dump_publickey(TH_FILETYPE_TEXT, k));
  tx_assert_err(TH_ERR_VALUE);
  th_pkey *empty = th_pkey_new();
  cr_assert_null(th_crypto_dump_publickey(TH_FILETYPE_PEM, empty));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_dump_publickey(TH_FILETYPE_PEM, NULL));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_publickey(TH_FILETYPE_PEM, garbage, sizeof garbage));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_publickey(TH_FILETYPE_ASN1, garbage, sizeof garbage));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_publickey(TH_FILETYPE_TEXT, pem->data, pem->len));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_publickey_ex(NULL, NULL, TH_FILETYPE_ASN1, NULL, 3));
  tx_assert_err(TH_ERR_TYPE);
  th_pkey_free(empty);
  th_bytes_free(again);
  th_pkey_free(a);
  th_pkey_free(b);
  th_bytes_free(der);
  th_bytes_free(pem);
  th_pkey_free(k);
}
