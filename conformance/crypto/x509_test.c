/* x509_test.c — crypto.X509. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include "testutil_x509.h"

TestSuite(x509);

static void assert_time(const th_x509 *c, int after, const char *want) {
  th_bytes *t = (th_bytes *)1;
  int rc = after ? th_x509_get_notAfter(c, &t) : th_x509_get_notBefore(c, &t);
  cr_assert_eq(rc, TH_OK, "%s", tu_err());
  if (want == NULL) {
    cr_assert_null(t);
    return;
  }
  cr_assert_not_null(t);
  cr_assert_str_eq((char *)t->data, want);
  th_bytes_free(t);
}

Test(x509, new_is_empty) {
  th_x509 *c = th_x509_new();
  cr_assert_not_null(c);
  cr_assert_eq(th_x509_get_version(c), 0);
  cr_assert_eq(th_x509_get_extension_count(c), 0);
  assert_time(c, 0, NULL);
  assert_time(c, 1, NULL);
  th_bytes *serial = th_x509_get_serial_number(c);
  cr_assert_str_eq((char *)serial->data, "0");
  th_bytes_free(serial);
  /* Not signed yet: the spec's ValueError. */
  cr_assert_null(th_x509_get_signature_algorithm(c));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "Undefined signature algorithm") != NULL);
  /* No key yet. */
  cr_assert_null(th_x509_get_pubkey(c));
  tx_assert_err(TH_ERR_CRYPTO);
  /* No notAfter: has_expired cannot answer. */
  cr_assert_eq(th_x509_has_expired(c), TH_ERR_VALUE);
  th_x509_free(c);
  th_x509_free(NULL);
}

Test(x509, built_certificate_passes_openssl) {
  th_pkey *cak = tu_ec_key(), *leafk = tu_rsa_key();
  th_x509 *ca = tx_cert(cak, "Test CA", NULL, NULL, 1, 100);
  th_x509 *leaf = tx_cert(leafk, "leaf.example", ca, cak, 0, 101);
  th_bytes *cap = tx_pem(ca), *leafp = tx_pem(leaf);
  char ca_path[512], out[8192];
  snprintf(ca_path, sizeof ca_path, "%s", tx_write("ca.pem", cap));
  const char *leaf_path = tx_write("leaf.pem", leafp);
  cr_assert_eq(tu_sh(out, sizeof out, "%s x509 -in %s -text -noout", tu_openssl(), leaf_path), 0,
               "%s", out);
  cr_assert(strstr(out, "Subject: ") != NULL && tu_cli_has_dn(out, "CN", "leaf.example"), "%s", out);
  cr_assert(strstr(out, "Issuer: ") != NULL && tu_cli_has_dn(out, "CN", "Test CA"), "%s", out);
  cr_assert(strstr(out, "Serial Number: 101") != NULL, "%s", out);
  cr_assert(strstr(out, "ecdsa-with-SHA256") != NULL, "%s", out);
  cr_assert_eq(tu_sh(out, sizeof out, "%s verify -CAfile %s %s", tu_openssl(), ca_path, leaf_path),
               0, "%s", out);
  cr_assert(strstr(out, "OK") != NULL, "%s", out);
  th_bytes_free(cap);
  th_bytes_free(leafp);
  th_x509_free(leaf);
  th_x509_free(ca);
  th_pkey_free(leafk);
  th_pkey_free(cak);
}

Test(x509, wrong_issuer_fails_openssl_verify) {
  th_pkey *cak = tu_ec_key(), *other = tu_ec_key(), *leafk = tu_ec_key();
  th_x509 *ca = tx_cert(cak, "CA", NULL, NULL, 1, 1);
  th_x509 *leaf = tx_cert(leafk, "leaf", ca, other, 0, 2); /* signed by the wrong key */
  th_bytes *cap = tx_pem(ca), *leafp = tx_pem(leaf);
  char ca_path[512], out[4096];
  snprintf(ca_path, sizeof ca_path, "%s", tx_write("ca.pem", cap));
  const char *leaf_path = tx_write("leaf.pem", leafp);
  cr_assert_neq(tu_sh(out, sizeof out, "%s verify -CAfile %s %s", tu_openssl(), ca_path, leaf_path),
                0, "%s", out);
  th_bytes_free(cap);
  th_bytes_free(leafp);
  th_x509_free(leaf);
  th_x509_free(ca);
  th_pkey_free(leafk);
  th_pkey_free(other);
  th_pkey_free(cak);
}

Test(x509, digest_matches_openssl_fingerprint) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "fp", NULL, NULL, 1, 5);
  th_bytes *pem = tx_pem(c);
  const char *path = tx_write("c.pem", pem);
  const char *mds[] = {"sha1", "sha256", "md5", "SHA512"};
  for (size_t i = 0; i < sizeof mds / sizeof mds[0]; i++) {
    char out[512], want[400];
    cr_assert_eq(tu_sh(out, sizeof out, "%s x509 -in %s -noout -fingerprint -%s", tu_openssl(),
                       path, mds[i]), 0, "%s", out);
    /* "SHA1 Fingerprint=AB:CD:...\n" */
    const char *eq = strchr(out, '=');
    cr_assert_not_null(eq, "%s", out);
    snprintf(want, sizeof want, "%s", eq + 1);
    want[strcspn(want, "\n")] = '\0';
    th_bytes *d = th_x509_digest(c, mds[i]);
    cr_assert_not_null(d, "%s", tu_err());
    cr_assert_str_eq((char *)d->data, want);
    th_bytes_free(d);
  }
  cr_assert_null(th_x509_digest(c, "no-such-digest"));
  tx_assert_err(TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "No such digest method") != NULL);
  cr_assert_null(th_x509_digest(c, NULL));
  tx_assert_err(TH_ERR_TYPE);
  th_bytes_free(pem);
  th_x509_free(c);
  th_pkey_free(k);
}

Test(x509, extensions) {
  th_x509 *c = th_x509_new();
  th_x509_extension *e[2] = {th_x509_extension_new("basicConstraints", 1, "CA:FALSE", NULL, NULL),
                             th_x509_extension_new("subjectAltName", 0, "DNS:a.example", NULL, NULL)};
  cr_assert_eq(th_x509_add_extensions(c, e, 2), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_add_extensions(c, NULL, 0), TH_OK);
  cr_assert_eq(th_x509_get_extension_count(c), 2);
  th_x509_extension *got = th_x509_get_extension(c, 1);
  th_bytes *sn = th_x509_extension_get_short_name(got);
  cr_assert_str_eq((char *)sn->data, "subjectAltName");
  cr_assert_eq(th_x509_extension_get_critical(got), 0);
  th_bytes_free(sn);
  th_x509_extension_free(got);
  got = th_x509_get_extension(c, 0);
  cr_assert_eq(th_x509_extension_get_critical(got), 1);
  th_x509_extension_free(got);
  /* IndexError */
  cr_assert_null(th_x509_get_extension(c, 2));
  tx_assert_err(TH_ERR_INDEX);
  cr_assert_null(th_x509_get_extension(c, -1));
  tx_assert_err(TH_ERR_INDEX);
  /* A bad item adds nothing. */
  th_pkey *notext = th_pkey_new();
  th_x509_extension *bad[2] = {e[0], (th_x509_extension *)notext};
  cr_assert_eq(th_x509_add_extensions(c, bad, 2), TH_ERR_TYPE);
  th_x509_extension *nul[2] = {e[0], NULL};
  cr_assert_eq(th_x509_add_extensions(c, nul, 2), TH_ERR_TYPE);
  cr_assert_eq(th_x509_add_extensions(c, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_x509_get_extension_count(c), 2);
  th_pkey_free(notext);
  th_x509_extension_free(e[0]);
  th_x509_extension_free(e[1]);
  th_x509_free(c);
}

struct time_case {
  const char *when;
  int ok;
};

/* Criterion hands parameters to a fresh process where pointers are stale:
 * tests take an index into these tables. */
static const struct time_case time_cases[] = {
      {"20240101000000Z", 1},     {"20240101000000+0100", 1}, {"20240101000000-0530", 1},
      {"19500101000000Z", 1},     {"99991231235959Z", 1},     {"", 0},
      {"2024", 0},                {"not a time", 0},          {"20241301000000Z", 0},
      {"20240101000000+2500", 0},
};

ParameterizedTestParameters(x509, set_times) {
  static int idx[sizeof time_cases / sizeof time_cases[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, x509, set_times) {
  const struct time_case *tc = &time_cases[*i];
  th_x509 *c = th_x509_new();
  cr_assert_eq(th_x509_set_notBefore(c, "20200101000000Z"), TH_OK);
  cr_assert_eq(th_x509_set_notAfter(c, "20300101000000Z"), TH_OK);
  int rb = th_x509_set_notBefore(c, tc->when);
  int ra = th_x509_set_notAfter(c, tc->when);
  if (tc->ok) {
    cr_assert_eq(rb, TH_OK, "%s: %s", tc->when, tu_err());
    cr_assert_eq(ra, TH_OK);
    assert_time(c, 0, tc->when);
    assert_time(c, 1, tc->when);
  } else {
    cr_assert_eq(rb, TH_ERR_VALUE, "%s accepted", tc->when);
    cr_assert_eq(ra, TH_ERR_VALUE);
    cr_assert(strstr(th_error_last()->message, "Invalid string") != NULL);
    assert_time(c, 0, "20200101000000Z");
    assert_time(c, 1, "20300101000000Z");
  }
  th_x509_free(c);
}

Test(x509, utctime_reads_as_generalizedtime) {
  /* Certificates made by OpenSSL hold UTCTime before 2050. */
  EVP_PKEY *k = tu_ec_evp();
  X509 *raw = tu_make_cert(k, "t", NULL, NULL, 0, 0, 1);
  ASN1_TIME *t = ASN1_TIME_new();
  ASN1_TIME_set_string(t, "240102030405Z");
  cr_assert_eq(ASN1_STRING_type(t), V_ASN1_UTCTIME);
  X509_set1_notBefore(raw, t);
  ASN1_TIME_free(t);
  th_x509 *c = th_x509_from_x509(raw);
  assert_time(c, 0, "20240102030405Z");
  th_x509_free(c);
  X509_free(raw);
  EVP_PKEY_free(k);
}

Test(x509, gmtime_adj_and_has_expired) {
  th_x509 *c = th_x509_new();
  cr_assert_eq(th_x509_gmtime_adj_notAfter(c, -100), TH_OK);
  cr_assert_eq(th_x509_has_expired(c), 1);
  cr_assert_eq(th_x509_gmtime_adj_notAfter(c, 3600), TH_OK);
  cr_assert_eq(th_x509_has_expired(c), 0);
  cr_assert_eq(th_x509_gmtime_adj_notBefore(c, 0), TH_OK);
  th_bytes *nb = NULL;
  cr_assert_eq(th_x509_get_notBefore(c, &nb), TH_OK);
  cr_assert_eq(nb->len, 15u); /* YYYYMMDDhhmmssZ */
  cr_assert_eq(nb->data[14], 'Z');
  th_bytes_free(nb);
  cr_assert_eq(th_x509_set_notAfter(c, "20000101000000+0100"), TH_OK);
  cr_assert_eq(th_x509_has_expired(c), 1);
  cr_assert_eq(th_x509_set_notAfter(c, "99990101000000-0100"), TH_OK);
  cr_assert_eq(th_x509_has_expired(c), 0);
  th_x509_free(c);
}

struct serial_case {
  const char *in, *out;
};

static const struct serial_case serial_cases[] = {
      {"0", "0"},
      {"1", "1"},
      {"123456789012345678901234567890", "123456789012345678901234567890"},
      {"0x1F", "31"},
      {"0XfF", "255"},
      {"-5", "-5"},
      {"-0x10", "-16"},
      {"", NULL},
      {"-", NULL},
      {"0x", NULL},
      {"12a", NULL},
      {" 1", NULL},
      {"1.5", NULL},
      {"0xZZ", NULL},
};

ParameterizedTestParameters(x509, serial_numbers) {
  static int idx[sizeof serial_cases / sizeof serial_cases[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, x509, serial_numbers) {
  const struct serial_case *sc = &serial_cases[*i];
  th_x509 *c = th_x509_new();
  cr_assert_eq(th_x509_set_serial_number_long(c, 77), TH_OK);
  int rc = th_x509_set_serial_number(c, sc->in);
  th_bytes *got = th_x509_get_serial_number(c);
  if (sc->out != NULL) {
    cr_assert_eq(rc, TH_OK, "%s: %s", sc->in, tu_err());
    cr_assert_str_eq((char *)got->data, sc->out);
  } else {
    cr_assert_eq(rc, TH_ERR_VALUE, "'%s' accepted", sc->in);
    cr_assert_str_eq((char *)got->data, "77");
  }
  th_bytes_free(got);
  th_x509_free(c);
}

Test(x509, serial_long) {
  th_x509 *c = th_x509_new();
  long v = 0;
  cr_assert_eq(th_x509_set_serial_number_long(c, -42), TH_OK);
  cr_assert_eq(th_x509_get_serial_number_long(c, &v), TH_OK);
  cr_assert_eq(v, -42);
  cr_assert_eq(th_x509_set_serial_number_long(c, LONG_MIN), TH_OK);
  cr_assert_eq(th_x509_get_serial_number_long(c, &v), TH_OK);
  cr_assert_eq(v, LONG_MIN);
  cr_assert_eq(th_x509_set_serial_number(c, "123456789012345678901234567890"), TH_OK);
  cr_assert_eq(th_x509_get_serial_number_long(c, &v), TH_ERR_VALUE);
  cr_assert_eq(th_x509_get_serial_number_long(c, NULL), TH_ERR_TYPE);
  th_x509_free(c);
}

Test(x509, version) {
  th_x509 *c = th_x509_new();
  cr_assert_eq(th_x509_set_version(c, 2), TH_OK);
  cr_assert_eq(th_x509_get_version(c), 2);
  cr_assert_eq(th_x509_set_version(c, -1), TH_ERR_VALUE);
  cr_assert_eq(th_x509_get_version(c), 2);
  th_x509_free(c);
}

Test(x509, pubkey_roundtrip) {
  th_pkey *k = tu_rsa_key();
  th_x509 *c = th_x509_new();
  cr_assert_eq(th_x509_set_pubkey(c, k), TH_OK);
  th_pkey *p = th_x509_get_pubkey(c);
  cr_assert_not_null(p, "%s", tu_err());
  cr_assert_eq(th_pkey_only_public(p), 1);
  cr_assert_eq(th_pkey_type(p), TH_TYPE_RSA);
  cr_assert_eq(th_pkey_bits(p), 2048);
  EVP_PKEY *a = th_pkey_to_evp(k), *b = th_pkey_to_evp(p);
  cr_assert_eq(EVP_PKEY_eq(a, b), 1);
  EVP_PKEY_free(a);
  EVP_PKEY_free(b);
  /* An uninitialized key: ValueError, the certificate keeps its key. */
  th_pkey *empty = th_pkey_new();
  cr_assert_eq(th_x509_set_pubkey(c, empty), TH_ERR_VALUE);
  th_pkey *still = th_x509_get_pubkey(c);
  cr_assert_not_null(still);
  th_pkey_free(still);
  th_pkey_free(empty);
  th_pkey_free(p);
  th_x509_free(c);
  th_pkey_free(k);
}

Test(x509, issuer_and_subject) {
  th_x509 *c = th_x509_new();
  th_x509 *other = th_x509_new();
  th_x509_name *on = th_x509_get_subject(other);
  th_x509_name_set_commonName(on, "someone");
  cr_assert_eq(th_x509_set_issuer(c, on), TH_OK);
  cr_assert_eq(th_x509_set_subject(c, on), TH_OK);
  /* Copies: changing the source afterwards does not change c. */
  th_x509_name_set_commonName(on, "changed");
  th_x509_name *iss = th_x509_get_issuer(c), *sub = th_x509_get_subject(c);
  th_bytes *v = NULL;
  th_x509_name_get_commonName(iss, &v);
  cr_assert_str_eq((char *)v->data, "someone");
  th_bytes_free(v);
  th_x509_name_get_commonName(sub, &v);
  cr_assert_str_eq((char *)v->data, "someone");
  th_bytes_free(v);
  /* The issuer child wraps the field. */
  th_x509_name_set_organizationName(iss, "org");
  th_x509_name *iss2 = th_x509_get_issuer(c);
  th_x509_name_get_organizationName(iss2, &v);
  cr_assert_str_eq((char *)v->data, "org");
  th_bytes_free(v);
  /* Setting a certificate's own name onto itself is harmless. */
  cr_assert_eq(th_x509_set_subject(c, sub), TH_OK);
  th_x509_name_free(iss2);
  th_x509_name_free(iss);
  th_x509_name_free(sub);
  th_x509_name_free(on);
  th_x509_free(other);
  th_x509_free(c);
}

Test(x509, sign_and_signature_algorithm) {
  th_pkey *rsa = tu_rsa_key(), *ec = tu_ec_key(), *ed = th_pkey_new();
  th_pkey_generate_key(ed, TH_TYPE_ED25519, 0);
  th_x509 *c = th_x509_new();
  th_x509_set_pubkey(c, rsa);
  cr_assert_eq(th_x509_sign(c, rsa, "sha256"), TH_OK, "%s", tu_err());
  th_bytes *alg = th_x509_get_signature_algorithm(c);
  cr_assert_str_eq((char *)alg->data, "sha256WithRSAEncryption");
  th_bytes_free(alg);
  cr_assert_eq(th_x509_sign(c, ec, "sha384"), TH_OK, "%s", tu_err());
  alg = th_x509_get_signature_algorithm(c);
  cr_assert_str_eq((char *)alg->data, "ecdsa-with-SHA384");
  th_bytes_free(alg);
  cr_assert_eq(th_x509_sign(c, ed, NULL), TH_OK, "%s", tu_err());
  alg = th_x509_get_signature_algorithm(c);
  cr_assert_str_eq((char *)alg->data, "ED25519");
  th_bytes_free(alg);
  /* Errors leave the last signature in place. */
  cr_assert_eq(th_x509_sign(c, rsa, "no-such-digest"), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "No such digest method") != NULL);
  cr_assert_eq(th_x509_sign(c, rsa, NULL), TH_ERR_TYPE);
  th_pkey *pub = th_x509_get_pubkey(c);
  cr_assert_eq(th_x509_sign(c, pub, "sha256"), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "Key only has public part") != NULL);
  th_pkey *empty = th_pkey_new();
  cr_assert_eq(th_x509_sign(c, empty, "sha256"), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "uninitialized") != NULL);
  alg = th_x509_get_signature_algorithm(c);
  cr_assert_str_eq((char *)alg->data, "ED25519");
  th_bytes_free(alg);
  th_pkey_free(empty);
  th_pkey_free(pub);
  th_x509_free(c);
  th_pkey_free(ed);
  th_pkey_free(ec);
  th_pkey_free(rsa);
}

Test(x509, changes_to_loaded_certificate_are_written) {
  th_pkey *k = tu_ec_key();
  th_x509 *made = tx_cert(k, "x", NULL, NULL, 1, 9);
  th_bytes *pem = tx_pem(made);
  th_x509 *c = th_crypto_load_certificate(TH_FILETYPE_PEM, pem->data, pem->len);
  cr_assert_eq(th_x509_set_serial_number(c, "4242"), TH_OK);
  cr_assert_eq(th_x509_set_notAfter(c, "20991231000000Z"), TH_OK);
  th_bytes *pem2 = tx_pem(c);
  th_x509 *again = th_crypto_load_certificate(TH_FILETYPE_PEM, pem2->data, pem2->len);
  th_bytes *s = th_x509_get_serial_number(again);
  cr_assert_str_eq((char *)s->data, "4242");
  assert_time(again, 1, "20991231000000Z");
  th_bytes_free(s);
  th_x509_free(again);
  th_bytes_free(pem2);
  th_x509_free(c);
  th_bytes_free(pem);
  th_x509_free(made);
  th_pkey_free(k);
}

Test(x509, escape_hatches) {
  EVP_PKEY *k = tu_ec_evp();
  X509 *raw = tu_make_cert(k, "raw", NULL, NULL, 0, 0, 1);
  th_x509 *c = th_x509_from_x509(raw);
  X509 *back = th_x509_to_x509(c);
  cr_assert_eq(back, raw);
  X509_free(back);
  X509_free(raw);
  th_x509_free(c);
  EVP_PKEY_free(k);
}

Test(x509, bad_objects) {
  th_pkey *wk = th_pkey_new();
  th_x509 *w = (th_x509 *)wk;
  th_x509 *c = th_x509_new();
  th_pkey *k = tu_ec_key();
  th_bytes *b = NULL;
  unsigned long h;
  long l;
  cr_assert_eq(th_x509_add_extensions(w, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_add_extensions(NULL, NULL, 0), TH_ERR_TYPE);
  cr_assert_null(th_x509_digest(w, "sha256"));
  cr_assert_null(th_x509_digest(NULL, "sha256"));
  cr_assert_null(th_x509_get_extension(w, 0));
  cr_assert_eq(th_x509_get_extension_count(w), TH_ERR_TYPE);
  cr_assert_null(th_x509_get_issuer(w));
  cr_assert_null(th_x509_get_subject(NULL));
  cr_assert_eq(th_x509_set_issuer(w, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_issuer(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_subject(c, (th_x509_name *)wk), TH_ERR_TYPE);
  cr_assert_eq(th_x509_get_notBefore(w, &b), TH_ERR_TYPE);
  cr_assert_eq(th_x509_get_notAfter(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_notBefore(w, "20240101000000Z"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_notAfter(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_gmtime_adj_notBefore(w, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_gmtime_adj_notAfter(NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_has_expired(w), TH_ERR_TYPE);
  cr_assert_null(th_x509_get_pubkey(w));
  cr_assert_eq(th_x509_set_pubkey(w, k), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_pubkey(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_pubkey(c, (th_pkey *)c), TH_ERR_TYPE);
  cr_assert_null(th_x509_get_serial_number(w));
  cr_assert_eq(th_x509_set_serial_number(w, "1"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_serial_number(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_serial_number_long(w, 1), TH_ERR_TYPE);
  cr_assert_eq(th_x509_get_serial_number_long(w, &l), TH_ERR_TYPE);
  cr_assert_eq(th_x509_get_version(w), TH_ERR_TYPE);
  cr_assert_eq(th_x509_set_version(w, 1), TH_ERR_TYPE);
  cr_assert_null(th_x509_get_signature_algorithm(w));
  cr_assert_eq(th_x509_sign(w, k, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_sign(c, NULL, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_sign(c, (th_pkey *)c, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_subject_name_hash(w, &h), TH_ERR_TYPE);
  cr_assert_eq(th_x509_subject_name_hash(c, NULL), TH_ERR_TYPE);
  cr_assert_null(th_x509_to_x509(w));
  cr_assert_null(th_x509_up_ref(w));
  th_pkey_free(k);
  th_x509_free(c);
  th_pkey_free(wk);
}

/* Issue 12 item 2: the algorithm inside the signed part (TBSCertificate),
 * as pyOpenSSL reads it, not the outer copy; an unknown OID there is 16.1's
 * ValueError("Undefined signature algorithm"). */
Test(x509, signature_algorithm_is_the_signed_one) {
  th_pkey *k = tu_ec_key();
  EVP_PKEY *evp = th_pkey_to_evp(k);
  X509 *raw = X509_new();
  cr_assert(X509_set_pubkey(raw, evp) && X509_sign(raw, evp, EVP_sha256()) > 0);
  /* Make the outer algorithm differ from the signed one. */
  const X509_ALGOR *outer = NULL;
  X509_get0_signature(NULL, &outer, raw);
  cr_assert(X509_ALGOR_set0((X509_ALGOR *)outer, OBJ_nid2obj(NID_ecdsa_with_SHA384), V_ASN1_UNDEF,
                            NULL));
  th_x509 *c = th_x509_from_x509(raw);
  cr_assert_not_null(c, "%s", tu_err());
  th_bytes *alg = th_x509_get_signature_algorithm(c);
  cr_assert_not_null(alg, "%s", tu_err());
  cr_assert_str_eq((char *)alg->data, "ecdsa-with-SHA256");
  th_bytes_free(alg);
  /* An inner algorithm OpenSSL has no name for. */
  cr_assert(X509_ALGOR_set0((X509_ALGOR *)X509_get0_tbs_sigalg(raw),
                            OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1), V_ASN1_UNDEF, NULL));
  cr_assert_null(th_x509_get_signature_algorithm(c));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "Undefined signature algorithm") != NULL, "%s",
            tu_err());
  th_x509_free(c);
  X509_free(raw);
  EVP_PKEY_free(evp);
  th_pkey_free(k);
}

/* Serials are bounded to 4096 digits (decimal or hex): at the bound the
 * number reads back whole, one digit more is TH_ERR_VALUE and the serial
 * stays. */
Test(x509, serial_digit_limit) {
  static char text[2 + 4097 + 1];
  static const struct {
    const char *prefix;
    size_t digits;
    int ok;
  } cases[] = {{"", 4096, 1}, {"", 4097, 0}, {"0x", 4096, 1}, {"0x", 4097, 0}, {"-", 4097, 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t p = strlen(cases[i].prefix);
    memcpy(text, cases[i].prefix, p);
    memset(text + p, '9', cases[i].digits);
    text[p + cases[i].digits] = '\0';
    th_x509 *c = th_x509_new();
    cr_assert_eq(th_x509_set_serial_number_long(c, 77), TH_OK);
    int rc = th_x509_set_serial_number(c, text);
    th_bytes *got = th_x509_get_serial_number(c);
    cr_assert_not_null(got, "%s", tu_err());
    if (cases[i].ok) {
      cr_assert_eq(rc, TH_OK, "case %zu: %s", i, tu_err());
      if (p == 0) cr_assert_str_eq((char *)got->data, text, "case %zu", i);
      else cr_assert_gt(got->len, 4096u, "case %zu: %zu digits", i, got->len); /* decimal */
    } else {
      cr_assert_eq(rc, TH_ERR_VALUE, "case %zu", i);
      cr_assert_str_eq((char *)got->data, "77");
    }
    th_bytes_free(got);
    th_x509_free(c);
  }
}
