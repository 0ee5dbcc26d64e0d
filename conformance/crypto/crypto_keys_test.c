/* crypto_keys_test.c — crypto.dump_privatekey / load_privatekey (with
 * passphrases and passphrase callbacks) and crypto.sign / crypto.verify. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil_x509.h"

TestSuite(crypto_privatekey);
TestSuite(crypto_sign);

static const unsigned char garbage[] = "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n";
#define PASS ((const unsigned char *)"s3cret")
#define PASS_LEN 6

static void assert_same_key(const th_pkey *a, const th_pkey *b) {
  EVP_PKEY *x = th_pkey_to_evp(a), *y = th_pkey_to_evp(b);
  cr_assert_eq(EVP_PKEY_eq(x, y), 1);
  EVP_PKEY_free(x);
  EVP_PKEY_free(y);
}

Test(crypto_privatekey, roundtrip_pem_asn1_text) {
  th_pkey *k = tu_rsa_key();
  th_bytes *pem = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, NULL, NULL, 0);
  th_bytes *der = th_crypto_dump_privatekey(TH_FILETYPE_ASN1, k, NULL, NULL, 0);
  th_bytes *text = th_crypto_dump_privatekey(TH_FILETYPE_TEXT, k, NULL, NULL, 0);
  cr_assert_not_null(pem, "%s", tu_err());
  cr_assert(strncmp((char *)pem->data, "-----BEGIN PRIVATE KEY-----", 27) == 0, "%s", pem->data);
  cr_assert(strstr((char *)text->data, "Private-Key: (2048 bit") != NULL, "%s", text->data);
  th_pkey *a = th_crypto_load_privatekey(TH_FILETYPE_PEM, pem->data, pem->len, NULL, 0);
  th_pkey *b = th_crypto_load_privatekey(TH_FILETYPE_ASN1, der->data, der->len, NULL, 0);
  cr_assert_not_null(a, "%s", tu_err());
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_eq(th_pkey_only_public(a), 0);
  cr_assert_eq(th_pkey_check(b), 1);
  assert_same_key(a, k);
  assert_same_key(b, k);
  th_pkey_free(a);
  th_pkey_free(b);
  th_bytes_free(text);
  th_bytes_free(der);
  th_bytes_free(pem);
  th_pkey_free(k);
}

Test(crypto_privatekey, text_for_ec_key) {
  th_pkey *k = tu_ec_key();
  th_bytes *text = th_crypto_dump_privatekey(TH_FILETYPE_TEXT, k, NULL, NULL, 0);
  cr_assert_not_null(text, "%s", tu_err());
  cr_assert(strstr((char *)text->data, "P-256") != NULL, "%s", text->data);
  th_bytes_free(text);
  th_pkey_free(k);
}

Test(crypto_privatekey, encrypted_loads_with_openssl_and_back) {
  th_pkey *k = tu_ec_key();
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-256-cbc", PASS, PASS_LEN);
  cr_assert_not_null(enc, "%s", tu_err());
  cr_assert(strstr((char *)enc->data, "ENCRYPTED PRIVATE KEY") != NULL, "%s", enc->data);
  const char *path = tx_write("enc.pem", enc);
  char out[4096];
  cr_assert_eq(tu_sh(out, sizeof out, "%s pkey -in %s -passin pass:s3cret -noout -text", tu_openssl(),
                     path), 0, "%s", out);
  cr_assert(strstr(out, "Private-Key") != NULL, "%s", out);
  cr_assert_neq(tu_sh(out, sizeof out, "%s pkey -in %s -passin pass:wrong -noout", tu_openssl(), path),
                0, "%s", out);
  /* Load back: right, wrong and missing passphrase. */
  th_pkey *a = th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len, PASS, PASS_LEN);
  cr_assert_not_null(a, "%s", tu_err());
  assert_same_key(a, k);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len,
                                           (const unsigned char *)"wrong", 5));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert(strstr(th_error_last()->message, "no passphrase") != NULL, "%s", tu_err());
  th_pkey_free(a);
  th_bytes_free(enc);
  th_pkey_free(k);
}

Test(crypto_privatekey, openssl_encrypted_key_loads) {
  char out[4096];
  const char *path = tu_path("cli.pem");
  cr_assert_eq(tu_sh(out, sizeof out, "%s genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
                     "-aes128 -pass pass:s3cret -out %s", tu_openssl(), path), 0, "%s", out);
  size_t len = 0;
  char *pem = tu_read_file(path, &len);
  th_pkey *k = th_crypto_load_privatekey(TH_FILETYPE_PEM, (unsigned char *)pem, len, PASS, PASS_LEN);
  cr_assert_not_null(k, "%s", tu_err());
  cr_assert_eq(th_pkey_type(k), TH_TYPE_EC);
  th_pkey_free(k);
  free(pem);
}

Test(crypto_privatekey, passphrase_for_unencrypted_key_is_ignored) {
  th_pkey *k = tu_ec_key();
  /* Without a cipher the passphrase is not used (pyOpenSSL). */
  th_bytes *pem = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, NULL, PASS, PASS_LEN);
  cr_assert(strstr((char *)pem->data, "ENCRYPTED") == NULL);
  th_pkey *a = th_crypto_load_privatekey(TH_FILETYPE_PEM, pem->data, pem->len, PASS, PASS_LEN);
  cr_assert_not_null(a, "%s", tu_err());
  th_pkey_free(a);
  th_bytes_free(pem);
  th_pkey_free(k);
}

/* An empty passphrase (pass non-NULL, pass_len 0) is a passphrase of no
 * bytes, as b"" in pyOpenSSL (23.0 on this libcrypto does the same):
 * OpenSSL 3 encrypts with it, the key loads back with it and not with
 * another, and it does not open a key encrypted with another. */
Test(crypto_privatekey, empty_passphrase) {
  th_pkey *k = tu_ec_key();
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-128-cbc", PASS, 0);
  cr_assert_not_null(enc, "%s", tu_err());
  cr_assert(strstr((char *)enc->data, "BEGIN ENCRYPTED PRIVATE KEY") != NULL, "%s", enc->data);
  th_pkey *back = th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len, PASS, 0);
  cr_assert_not_null(back, "%s", tu_err());
  EVP_PKEY *a = th_pkey_to_evp(k), *b = th_pkey_to_evp(back);
  cr_assert_eq(EVP_PKEY_eq(a, b), 1);
  EVP_PKEY_free(a);
  EVP_PKEY_free(b);
  th_pkey_free(back);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len, PASS, PASS_LEN));
  tx_assert_err(TH_ERR_CRYPTO);
  th_bytes_free(enc);
  enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-128-cbc", PASS, PASS_LEN);
  cr_assert_not_null(enc, "%s", tu_err());
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len, PASS, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  th_bytes_free(enc);
  th_pkey_free(k);
}

/* ---- passphrase callbacks ---- */

struct cb_state {
  const char *pass;
  int calls, last_rwflag, fail, report_len;
  int long_pass;   /* write 'a' * 5000 (truncated to size), report 5000 */
  size_t last_size;
};

static int pass_cb(char *buf, size_t size, int rwflag, void *user) {
  struct cb_state *s = user;
  s->calls++;
  s->last_rwflag = rwflag;
  if (s->fail) {
    /* A callback's "exception": any failing call sets the record. */
    th_bytes_new(NULL, 1);
    return TH_ERR_CALLBACK;
  }
  s->last_size = size;
  if (s->long_pass) {
    memset(buf, 'a', size < 5000 ? size : 5000);
    return 5000;
  }
  size_t n = strlen(s->pass);
  memcpy(buf, s->pass, n < size ? n : size);
  return s->report_len ? s->report_len : (int)n;
}

Test(crypto_privatekey, callback_roundtrip) {
  th_pkey *k = tu_ec_key();
  struct cb_state w = {.pass = "cbpass"}, r = {.pass = "cbpass"};
  th_bytes *enc = th_crypto_dump_privatekey_cb(TH_FILETYPE_PEM, k, "aes-128-cbc", pass_cb, &w);
  cr_assert_not_null(enc, "%s", tu_err());
  cr_assert_geq(w.calls, 1);
  cr_assert_eq(w.last_rwflag, 1);
  th_pkey *a = th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, enc->data, enc->len, pass_cb, &r);
  cr_assert_not_null(a, "%s", tu_err());
  cr_assert_geq(r.calls, 1);
  cr_assert_eq(r.last_rwflag, 0);
  assert_same_key(a, k);
  /* The callback is not called for an unencrypted key. */
  th_bytes *plain = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, NULL, NULL, 0);
  struct cb_state unused = {.pass = "x"};
  th_pkey *b = th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, plain->data, plain->len, pass_cb, &unused);
  cr_assert_not_null(b);
  cr_assert_eq(unused.calls, 0);
  /* A wrong passphrase from the callback: crypto.Error. */
  struct cb_state wrong = {.pass = "nope"};
  cr_assert_null(th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, enc->data, enc->len, pass_cb, &wrong));
  tx_assert_err(TH_ERR_CRYPTO);
  th_pkey_free(b);
  th_bytes_free(plain);
  th_pkey_free(a);
  th_bytes_free(enc);
  th_pkey_free(k);
}

Test(crypto_privatekey, callback_error_propagates) {
  th_pkey *k = tu_ec_key();
  struct cb_state fail = {.fail = 1};
  cr_assert_null(th_crypto_dump_privatekey_cb(TH_FILETYPE_PEM, k, "aes-128-cbc", pass_cb, &fail));
  tx_assert_err(TH_ERR_CALLBACK);
  cr_assert(strstr(th_error_last()->message, "data is NULL") != NULL, "%s", tu_err());
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-128-cbc", PASS, PASS_LEN);
  fail.calls = 0;
  cr_assert_null(th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, enc->data, enc->len, pass_cb, &fail));
  tx_assert_err(TH_ERR_CALLBACK);
  cr_assert(strstr(th_error_last()->message, "data is NULL") != NULL, "%s", tu_err());
  cr_assert_geq(fail.calls, 1);
  th_bytes_free(enc);
  th_pkey_free(k);
}

Test(crypto_privatekey, callback_too_long) {
  th_pkey *k = tu_ec_key();
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-128-cbc", PASS, PASS_LEN);
  /* Load: a result longer than the buffer is ValueError (pyOpenSSL). */
  struct cb_state big = {.pass = "s3cret", .report_len = 100000};
  cr_assert_null(th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, enc->data, enc->len, pass_cb, &big));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "too long") != NULL, "%s", tu_err());
  /* Dump: truncated to the buffer (pyOpenSSL), so the key loads with the
   * first `size` bytes of the long passphrase. */
  struct cb_state dump = {.long_pass = 1};
  th_bytes *trunc = th_crypto_dump_privatekey_cb(TH_FILETYPE_PEM, k, "aes-128-cbc", pass_cb, &dump);
  cr_assert_not_null(trunc, "%s", tu_err());
  cr_assert_gt(dump.last_size, 0u);
  cr_assert_lt(dump.last_size, 5000u);
  unsigned char *as = malloc(dump.last_size);
  memset(as, 'a', dump.last_size);
  th_pkey *back = th_crypto_load_privatekey(TH_FILETYPE_PEM, trunc->data, trunc->len, as, dump.last_size);
  cr_assert_not_null(back, "%s", tu_err());
  assert_same_key(back, k);
  th_pkey_free(back);
  free(as);
  th_bytes_free(trunc);
  th_bytes_free(enc);
  th_pkey_free(k);
}

Test(crypto_privatekey, bad_arguments) {
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-256-cbc", NULL, 0));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "no-such-cipher", PASS, PASS_LEN));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "Invalid cipher name") != NULL);
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_ASN1, k, "aes-256-cbc", PASS, PASS_LEN));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "only FILETYPE_PEM") != NULL);
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_ASN1, k, NULL, PASS, PASS_LEN));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_dump_privatekey(42, k, NULL, NULL, 0));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, NULL, NULL, NULL, 0));
  tx_assert_err(TH_ERR_TYPE);
  th_x509 *notkey = th_x509_new();
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, (th_pkey *)notkey, NULL, NULL, 0));
  tx_assert_err(TH_ERR_TYPE);
  th_x509_free(notkey);
  th_pkey *empty = th_pkey_new();
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, empty, NULL, NULL, 0));
  tx_assert_err(TH_ERR_VALUE);
  th_bytes *pub = th_crypto_dump_publickey(TH_FILETYPE_PEM, k);
  th_pkey *pk = th_crypto_load_publickey(TH_FILETYPE_PEM, pub->data, pub->len);
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, pk, NULL, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  /* Loading. */
  th_bytes *der = th_crypto_dump_privatekey(TH_FILETYPE_ASN1, k, NULL, NULL, 0);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_ASN1, der->data, der->len, PASS, PASS_LEN));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_TEXT, der->data, der->len, NULL, 0));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, garbage, sizeof garbage, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_ASN1, garbage, sizeof garbage, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_ASN1, der->data, der->len / 2, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, NULL, 4, NULL, 0));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, der->data, (size_t)-1, NULL, 0));
  tx_assert_err(TH_ERR_VALUE);
  struct cb_state s = {.pass = "x"};
  cr_assert_null(th_crypto_load_privatekey_ex(NULL, NULL, TH_FILETYPE_PEM, der->data, der->len, PASS,
                                              PASS_LEN, pass_cb, &s));
  tx_assert_err(TH_ERR_VALUE);
  /* A callback with ASN1: "only FILETYPE_PEM key format supports
   * encryption", as a passphrase; the callback is not called. */
  cr_assert_null(th_crypto_load_privatekey_cb(TH_FILETYPE_ASN1, der->data, der->len, pass_cb, &s));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "only FILETYPE_PEM") != NULL, "%s", tu_err());
  cr_assert_eq(s.calls, 0);
  /* A public key is not a private key. */
  cr_assert_null(th_crypto_load_privatekey(TH_FILETYPE_PEM, pub->data, pub->len, NULL, 0));
  tx_assert_err(TH_ERR_CRYPTO);
  th_bytes_free(der);
  th_pkey_free(pk);
  th_bytes_free(pub);
  th_pkey_free(empty);
  th_pkey_free(k);
}

/* ---- sign / verify ---- */

static void sign_verify_with(th_pkey *k, const char *digest, const char *dgst_flag) {
  th_x509 *c = tx_cert(k, "signer", NULL, NULL, 0, 1);
  const unsigned char data[] = "the data to sign";
  th_bytes *sig = th_crypto_sign(k, data, sizeof data - 1, digest);
  cr_assert_not_null(sig, "%s", tu_err());
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, data, sizeof data - 1, digest), TH_OK, "%s",
               tu_err());
  /* Other data: crypto.Error. */
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, data, sizeof data - 2, digest), TH_ERR_CRYPTO);
  if (dgst_flag != NULL) {
    /* The openssl tool agrees. */
    th_bytes *pub = th_crypto_dump_publickey(TH_FILETYPE_PEM, k);
    char pub_path[512], sig_path[512], data_path[512], out[1024];
    snprintf(pub_path, sizeof pub_path, "%s", tx_write("pub.pem", pub));
    snprintf(sig_path, sizeof sig_path, "%s", tx_write("sig.bin", sig));
    snprintf(data_path, sizeof data_path, "%s", tu_path("data.bin"));
    tu_write_file(data_path, data, sizeof data - 1);
    cr_assert_eq(tu_sh(out, sizeof out, "%s dgst %s -verify %s -signature %s %s", tu_openssl(),
                       dgst_flag, pub_path, sig_path, data_path), 0, "%s", out);
    cr_assert(strstr(out, "Verified OK") != NULL, "%s", out);
    th_bytes_free(pub);
  }
  th_bytes_free(sig);
  th_x509_free(c);
}

Test(crypto_sign, rsa_sha256) {
  th_pkey *k = tu_rsa_key();
  sign_verify_with(k, "sha256", "-sha256");
  sign_verify_with(k, "SHA1", "-sha1");
  th_pkey_free(k);
}

Test(crypto_sign, ec_sha384) {
  th_pkey *k = tu_ec_key();
  sign_verify_with(k, "sha384", "-sha384");
  th_pkey_free(k);
}

Test(crypto_sign, ed25519_needs_no_digest) {
  th_pkey *k = th_pkey_new();
  th_pkey_generate_key(k, TH_TYPE_ED25519, 0);
  sign_verify_with(k, NULL, NULL);
  sign_verify_with(k, "ignored", NULL);
  th_pkey_free(k);
}

Test(crypto_sign, empty_data) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "e", NULL, NULL, 0, 1);
  th_bytes *sig = th_crypto_sign(k, NULL, 0, "sha256");
  cr_assert_not_null(sig, "%s", tu_err());
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, NULL, 0, "sha256"), TH_OK, "%s", tu_err());
  th_bytes_free(sig);
  th_x509_free(c);
  th_pkey_free(k);
}

Test(crypto_sign, bad_input) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "b", NULL, NULL, 0, 1);
  const unsigned char d[] = "x";
  cr_assert_null(th_crypto_sign(k, d, 1, "no-such-digest"));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "No such digest method") != NULL);
  cr_assert_null(th_crypto_sign(k, d, 1, NULL));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_sign(NULL, d, 1, "sha256"));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_sign((th_pkey *)c, d, 1, "sha256"));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_sign(k, NULL, 1, "sha256"));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_crypto_sign(k, d, (size_t)-1, "sha256"));
  tx_assert_err(TH_ERR_VALUE);
  th_pkey *empty = th_pkey_new();
  cr_assert_null(th_crypto_sign(empty, d, 1, "sha256"));
  tx_assert_err(TH_ERR_VALUE);
  th_pkey *pub = th_x509_get_pubkey(c);
  cr_assert_null(th_crypto_sign(pub, d, 1, "sha256"));
  tx_assert_err(TH_ERR_CRYPTO);
  th_bytes *sig = th_crypto_sign(k, d, 1, "sha256");
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, d, 1, "nope"), TH_ERR_VALUE);
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, d, 1, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_crypto_verify(NULL, sig->data, sig->len, d, 1, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crypto_verify((th_x509 *)k, sig->data, sig->len, d, 1, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crypto_verify(c, NULL, 5, d, 1, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crypto_verify(c, sig->data, (size_t)-2, d, 1, "sha256"), TH_ERR_VALUE);
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, NULL, 1, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crypto_verify(c, garbage, sizeof garbage, d, 1, "sha256"), TH_ERR_CRYPTO);
  cr_assert_eq(th_crypto_verify(c, sig->data, sig->len, d, 1, "sha512"), TH_ERR_CRYPTO);
  /* A certificate without a key. */
  th_x509 *nokey = th_x509_new();
  cr_assert_eq(th_crypto_verify(nokey, sig->data, sig->len, d, 1, "sha256"), TH_ERR_CRYPTO);
  th_x509_free(nokey);
  th_bytes_free(sig);
  th_pkey_free(pub);
  th_pkey_free(empty);
  th_x509_free(c);
  th_pkey_free(k);
}

/* Issue 12 item 17: a passphrase callback that fails without setting a
 * record does not leave the thread's earlier, unrelated message in it. */
static int silent_fail_cb(char *buf, size_t size, int rwflag, void *user) {
  (void)buf, (void)size, (void)rwflag, (void)user;
  return TH_ERR_VALUE;
}

static int not_a_kind_cb(char *buf, size_t size, int rwflag, void *user) {
  (void)buf, (void)size, (void)rwflag, (void)user;
  return INT_MIN;
}

Test(crypto_privatekey, silent_callback_failure_has_its_own_record) {
  th_pkey *k = tu_ec_key();
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-128-cbc", PASS, PASS_LEN);
  cr_assert_null(th_rand_bytes(-1)); /* an unrelated TH_ERR_VALUE record */
  cr_assert_null(th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, enc->data, enc->len,
                                              silent_fail_cb, NULL));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "num_bytes") == NULL, "stale record: %s", tu_err());
  cr_assert(strstr(th_error_last()->message, "passphrase callback") != NULL, "%s", tu_err());
  cr_assert_null(th_rand_bytes(-1));
  cr_assert_null(th_crypto_dump_privatekey_cb(TH_FILETYPE_PEM, k, "aes-128-cbc", silent_fail_cb,
                                              NULL));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "num_bytes") == NULL, "stale record: %s", tu_err());
  /* Issue 12 item 12: a status that is no th_err kind is TH_ERR_CALLBACK. */
  cr_assert_null(th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, enc->data, enc->len,
                                              not_a_kind_cb, NULL));
  tx_assert_err(TH_ERR_CALLBACK);
  cr_assert_str_eq(th_err_name(th_error_kind()), "TH_ERR_CALLBACK");
  th_bytes_free(enc);
  th_pkey_free(k);
}

/* Issue 12 item 6: 16.1's own test cipher, Blowfish, lives in OpenSSL 3's
 * legacy provider: it works when that provider can be loaded, and is a
 * clear TH_ERR_UNSUPPORTED naming it when it cannot. */
Test(crypto_privatekey, legacy_cipher_blowfish) {
  th_pkey *k = tu_ec_key();
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "blowfish", PASS, PASS_LEN);
  if (enc == NULL) {
    cr_assert_eq(th_error_kind(), TH_ERR_UNSUPPORTED, "%s", tu_err());
    cr_assert(strstr(th_error_last()->message, "legacy") != NULL, "%s", tu_err());
    th_pkey_free(k);
    cr_skip_test("UNSUPPORTED: %s", th_error_last()->message);
  }
  cr_assert(strstr((char *)enc->data, "ENCRYPTED PRIVATE KEY") != NULL);
  th_pkey *back = th_crypto_load_privatekey(TH_FILETYPE_PEM, enc->data, enc->len, PASS, PASS_LEN);
  cr_assert_not_null(back, "%s", tu_err());
  assert_same_key(back, k);
  th_pkey_free(back);
  th_bytes_free(enc);
  th_pkey_free(k);
}

/* Module directories where the legacy provider cannot be found: an empty
 * one, one that does not exist, and a name too long for a path. Each case
 * runs in its own process (Criterion forks), before any load. */
static const char *legacy_dir(int i) {
  static char long_dir[5000];
  switch (i) {
    case 0: return tu_tmpdir();
    case 1: return tu_path("no-such-directory");
    default:
      memset(long_dir, 'd', sizeof long_dir - 1);
      long_dir[0] = '/';
      return long_dir;
  }
}

ParameterizedTestParameters(crypto_privatekey, legacy_cipher_without_the_provider_is_unsupported) {
  static int idx[] = {0, 1, 2};
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, crypto_privatekey, legacy_cipher_without_the_provider_is_unsupported) {
  cr_assert_eq(setenv("OPENSSL_MODULES", legacy_dir(*i), 1), 0);
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "blowfish", PASS, PASS_LEN));
  cr_assert_eq(th_error_kind(), TH_ERR_UNSUPPORTED, "case %d: %s", *i, tu_err());
  cr_assert(strstr(th_error_last()->message, "legacy") != NULL, "%s", tu_err());
  /* A cipher of the default provider still works. */
  th_bytes *enc = th_crypto_dump_privatekey(TH_FILETYPE_PEM, k, "aes-128-cbc", PASS, PASS_LEN);
  cr_assert_not_null(enc, "%s", tu_err());
  th_bytes_free(enc);
  th_pkey_free(k);
}
