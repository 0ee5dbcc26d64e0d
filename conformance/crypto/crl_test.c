/* crl_test.c — crypto.CRL, crypto.dump_crl, crypto.load_crl, and the CRL's
 * round trip through the openssl tool. */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>

#include "testutil_chain.h"

static tc_chain ch;
static void setup(void) { tc_chain_make(&ch); }
static void teardown(void) { tc_chain_free(&ch); }
TestSuite(crl, .init = setup, .fini = teardown);

static th_revoked *revoked_for(X509 *cert, const char *reason) {
  th_revoked *r = th_revoked_new();
  BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), NULL);
  char *hex = BN_bn2hex(bn);
  cr_assert_eq(th_revoked_set_serial(r, hex), TH_OK);
  OPENSSL_free(hex);
  BN_free(bn);
  cr_assert_eq(th_revoked_set_rev_date(r, "20200101000000Z"), TH_OK);
  if (reason) cr_assert_eq(th_revoked_set_reason(r, reason), TH_OK);
  return r;
}

static th_bytes *serial_of(const th_list *l, size_t i) {
  return th_revoked_get_serial(th_list_get(l, i));
}

Test(crl, new_crl_is_empty) {
  th_crl *c = th_crl_new();
  cr_assert_not_null(c);
  th_list *l = (th_list *)1;
  cr_assert_eq(th_crl_get_revoked(c, &l), TH_OK);
  cr_assert_null(l, "no revocations: None");
  th_x509_name *n = th_crl_get_issuer(c);
  cr_assert_not_null(n, "%s", tu_err());
  th_list *comps = th_x509_name_get_components(n);
  cr_assert_eq(comps->count, 0u);
  th_list_free(comps);
  th_x509_name_free(n);
  th_crl_free(c);
  th_crl_free(NULL);
}

Test(crl, add_revoked_copies_and_get_revoked_returns_copies) {
  th_crl *c = th_crl_new();
  th_revoked *r = revoked_for(ch.leaf, "keyCompromise");
  th_bytes *before = th_revoked_get_serial(r);
  cr_assert_eq(th_crl_add_revoked(c, r), TH_OK, "%s", tu_err());
  cr_assert_eq(th_revoked_set_serial(r, "ff"), TH_OK); /* does not touch the CRL */
  th_list *l = NULL;
  cr_assert_eq(th_crl_get_revoked(c, &l), TH_OK);
  cr_assert_eq(l->count, 1u);
  th_bytes *s = serial_of(l, 0);
  cr_assert_str_eq((char *)s->data, (char *)before->data);
  th_bytes_free(s);
  cr_assert_eq(th_revoked_set_serial(th_list_get(l, 0), "ee"), TH_OK);
  th_list_free(l);
  cr_assert_eq(th_crl_get_revoked(c, &l), TH_OK);
  s = serial_of(l, 0);
  cr_assert_str_eq((char *)s->data, (char *)before->data, "a returned copy was changed");
  th_bytes *reason = NULL;
  cr_assert_eq(th_revoked_get_reason(th_list_get(l, 0), &reason), TH_OK);
  cr_assert_str_eq((char *)reason->data, "Key Compromise");
  th_bytes_free(reason);
  th_bytes_free(s);
  th_list_free(l);
  th_bytes_free(before);
  th_revoked_free(r);
  th_crl_free(c);
}

Test(crl, add_revoked_bad_input) {
  th_crl *c = th_crl_new();
  th_revoked *undated = th_revoked_new();
  cr_assert_eq(th_crl_add_revoked(c, undated), TH_ERR_VALUE);
  cr_assert_eq(th_crl_add_revoked(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_crl_add_revoked(c, (th_revoked *)c), TH_ERR_TYPE);
  cr_assert_eq(th_crl_add_revoked(NULL, undated), TH_ERR_TYPE);
  th_list *l = NULL;
  cr_assert_eq(th_crl_get_revoked(c, &l), TH_OK);
  cr_assert_null(l);
  cr_assert_eq(th_crl_get_revoked(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_crl_get_revoked((th_crl *)undated, &l), TH_ERR_TYPE);
  th_revoked_free(undated);
  th_crl_free(c);
}

static char *time_text(const ASN1_TIME *t) {
  static char buf[64];
  ASN1_GENERALIZEDTIME *g = ASN1_TIME_to_generalizedtime(t, NULL);
  snprintf(buf, sizeof buf, "%s", g ? (const char *)ASN1_STRING_get0_data(g) : "(none)");
  ASN1_GENERALIZEDTIME_free(g);
  return buf;
}

Test(crl, set_update_times) {
  th_crl *c = th_crl_new();
  cr_assert_eq(th_crl_set_lastUpdate(c, "20200101000000Z"), TH_OK);
  cr_assert_eq(th_crl_set_nextUpdate(c, "20200201000000+0100"), TH_OK, "%s", tu_err());
  X509_CRL *raw = th_crl_to_x509_crl(c);
  cr_assert_str_eq(time_text(X509_CRL_get0_lastUpdate(raw)), "20200101000000Z");
  cr_assert_str_eq(time_text(X509_CRL_get0_nextUpdate(raw)), "20200131230000Z");
  const char *bad[] = {"", "tomorrow", "20201301000000Z", "200101000000Z"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_eq(th_crl_set_lastUpdate(c, bad[i]), TH_ERR_VALUE, "%s", bad[i]);
    cr_assert_eq(th_crl_set_nextUpdate(c, bad[i]), TH_ERR_VALUE, "%s", bad[i]);
  }
  cr_assert_str_eq(time_text(X509_CRL_get0_lastUpdate(raw)), "20200101000000Z");
  cr_assert_eq(th_crl_set_lastUpdate(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_crl_set_nextUpdate(NULL, "20200101000000Z"), TH_ERR_TYPE);
  X509_CRL_free(raw);
  th_crl_free(c);
}

Test(crl, set_version) {
  th_crl *c = th_crl_new();
  X509_CRL *raw = th_crl_to_x509_crl(c);
  cr_assert_eq(th_crl_set_version(c, 1), TH_OK);
  cr_assert_eq(X509_CRL_get_version(raw), 1);
  cr_assert_eq(th_crl_set_version(c, 0), TH_OK);
  cr_assert_eq(X509_CRL_get_version(raw), 0);
  cr_assert_eq(th_crl_set_version(c, 2), TH_ERR_VALUE);
  cr_assert_eq(th_crl_set_version(c, -1), TH_ERR_VALUE);
  cr_assert_eq(X509_CRL_get_version(raw), 0);
  cr_assert_eq(th_crl_set_version(NULL, 1), TH_ERR_TYPE);
  X509_CRL_free(raw);
  th_crl_free(c);
}

Test(crl, sign_sets_issuer_and_signature) {
  th_crl *c = th_crl_new();
  th_revoked *r = revoked_for(ch.leaf, NULL);
  th_crl_add_revoked(c, r);
  th_crl_set_lastUpdate(c, "20200101000000Z");
  th_crl_set_nextUpdate(c, "20990101000000Z");
  cr_assert_eq(th_crl_sign(c, ch.t_inter, ch.tk_inter, "sha256"), TH_OK, "%s", tu_err());
  X509_CRL *raw = th_crl_to_x509_crl(c);
  cr_assert_eq(X509_CRL_verify(raw, ch.int_key), 1);
  cr_assert_eq(X509_NAME_cmp(X509_CRL_get_issuer(raw), X509_get_subject_name(ch.inter)), 0);
  X509_CRL_free(raw);
  th_x509_name *n = th_crl_get_issuer(c);
  th_bytes *cn = NULL;
  cr_assert_eq(th_x509_name_get_commonName(n, &cn), TH_OK);
  cr_assert_str_eq((char *)cn->data, "tc intermediate");
  th_bytes_free(cn);
  th_x509_name_free(n);
  th_revoked_free(r);
  th_crl_free(c);
}

Test(crl, sign_bad_input_leaves_crl_unsigned) {
  th_crl *c = th_crl_new();
  cr_assert_eq(th_crl_sign(c, ch.t_inter, ch.tk_inter, "no-such-digest"), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "No such digest method") != NULL, "%s", tu_err());
  cr_assert_eq(th_crl_sign(c, ch.t_inter, ch.tk_inter, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_crl_sign(c, NULL, ch.tk_inter, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crl_sign(c, ch.t_inter, NULL, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crl_sign(c, (th_x509 *)ch.tk_inter, ch.tk_inter, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crl_sign(c, ch.t_inter, (th_pkey *)ch.t_inter, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_crl_sign(NULL, ch.t_inter, ch.tk_inter, "sha256"), TH_ERR_TYPE);
  /* A public-only key cannot sign. */
  /* (Re-encoded: X509_get_pubkey of a certificate made here would hand
   * back the very key it was made from, private part included.) */
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(ch.int_key, &der);
  const unsigned char *p = der;
  EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, n);
  OPENSSL_free(der);
  th_pkey *tpub = th_pkey_from_evp(pub);
  int prc = th_crl_sign(c, ch.t_inter, tpub, "sha256");
  cr_assert_eq(prc, TH_ERR_VALUE, "%d %s", prc, tu_err());
  th_pkey_free(tpub);
  EVP_PKEY_free(pub);
  X509_CRL *raw = th_crl_to_x509_crl(c);
  cr_assert_eq(X509_NAME_entry_count(X509_CRL_get_issuer(raw)), 0);
  X509_CRL_free(raw);
  th_crl_free(c);
}

Test(crl, export_formats_and_days) {
  th_crl *c = th_crl_new();
  th_revoked *r = revoked_for(ch.leaf, "superseded");
  th_crl_add_revoked(c, r);
  th_bytes *pem = th_crl_export(c, ch.t_inter, ch.tk_inter, TH_FILETYPE_PEM, 7, "sha256");
  cr_assert_not_null(pem, "%s", tu_err());
  cr_assert(strncmp((char *)pem->data, "-----BEGIN X509 CRL-----", 24) == 0);
  th_crl *back = th_crypto_load_crl(TH_FILETYPE_PEM, pem->data, pem->len);
  X509_CRL *raw = th_crl_to_x509_crl(back);
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_CRL_get0_lastUpdate(raw), X509_CRL_get0_nextUpdate(raw));
  cr_assert_eq(days, 7);
  cr_assert_eq(secs, 0);
  cr_assert_eq(X509_CRL_verify(raw, ch.int_key), 1);
  X509_CRL_free(raw);
  th_crl_free(back);
  th_bytes *der = th_crl_export(c, ch.t_inter, ch.tk_inter, TH_FILETYPE_ASN1, 100, "sha384");
  cr_assert_not_null(der);
  cr_assert_eq(der->data[0], 0x30);
  th_bytes *text = th_crl_export(c, ch.t_inter, ch.tk_inter, TH_FILETYPE_TEXT, 100, "sha256");
  cr_assert_not_null(text);
  cr_assert(strstr((char *)text->data, "Certificate Revocation List") != NULL);
  cr_assert(strstr((char *)text->data, "Superseded") != NULL, "%s", text->data);
  th_bytes_free(text);
  th_bytes_free(der);
  th_bytes_free(pem);
  th_revoked_free(r);
  th_crl_free(c);
}

Test(crl, export_default_digest_is_md5) {
  /* The spec's default (md5) works with an RSA key... */
  th_pkey *rsa = tu_rsa_key();
  th_x509 *ca = tu_self_signed(rsa, "rsa ca");
  th_crl *c = th_crl_new();
  th_bytes *der = th_crl_export(c, ca, rsa, TH_FILETYPE_ASN1, 100, NULL);
  cr_assert_not_null(der, "%s", tu_err());
  th_crl *back = th_crypto_load_crl(TH_FILETYPE_ASN1, der->data, der->len);
  X509_CRL *raw = th_crl_to_x509_crl(back);
  cr_assert_eq(X509_CRL_get_signature_nid(raw), NID_md5WithRSAEncryption);
  X509_CRL_free(raw);
  /* ...and fails cleanly with an EC key (there is no ECDSA-with-MD5). */
  cr_assert_null(th_crl_export(c, ch.t_root, ch.tk_root, TH_FILETYPE_PEM, 100, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO, "%s", tu_err());
  th_crl_free(back);
  th_bytes_free(der);
  th_crl_free(c);
  th_x509_free(ca);
  th_pkey_free(rsa);
}

Test(crl, export_bad_input) {
  th_crl *c = th_crl_new();
  cr_assert_null(th_crl_export(c, ch.t_root, ch.tk_root, TH_FILETYPE_PEM, 1, "nope"));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_crl_export(c, ch.t_root, ch.tk_root, 3, 1, "sha256"));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_crl_export(c, ch.t_root, ch.tk_root, TH_FILETYPE_PEM, 1000000, "sha256"));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_crl_export(c, NULL, ch.tk_root, TH_FILETYPE_PEM, 1, "sha256"));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_crl_export(c, ch.t_root, NULL, TH_FILETYPE_PEM, 1, "sha256"));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_crl_export(NULL, ch.t_root, ch.tk_root, TH_FILETYPE_PEM, 1, "sha256"));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_crl_free(c);
}

Test(crl, dump_and_load_round_trip) {
  th_crl *c = tc_th_crl(ch.inter, ch.int_key, -1, 30, ch.leaf);
  th_bytes *pem = th_crypto_dump_crl(TH_FILETYPE_PEM, c);
  th_bytes *der = th_crypto_dump_crl(TH_FILETYPE_ASN1, c);
  th_bytes *txt = th_crypto_dump_crl(TH_FILETYPE_TEXT, c);
  cr_assert(pem && der && txt, "%s", tu_err());
  cr_assert(strstr((char *)txt->data, "Revoked Certificates") != NULL);
  th_crl *a = th_crypto_load_crl(TH_FILETYPE_PEM, pem->data, pem->len);
  th_crl *b = th_crypto_load_crl(TH_FILETYPE_ASN1, der->data, der->len);
  cr_assert(a && b, "%s", tu_err());
  th_bytes *der2 = th_crypto_dump_crl(TH_FILETYPE_ASN1, a);
  cr_assert_eq(der2->len, der->len);
  cr_assert_eq(memcmp(der2->data, der->data, der->len), 0);
  th_list *l = NULL;
  cr_assert_eq(th_crl_get_revoked(b, &l), TH_OK);
  cr_assert_eq(l->count, 1u);
  th_list_free(l);
  th_bytes_free(der2);
  th_crl_free(a);
  th_crl_free(b);
  th_bytes_free(pem);
  th_bytes_free(der);
  th_bytes_free(txt);
  th_crl_free(c);
}

Test(crl, dump_and_load_bad_input) {
  th_crl *c = th_crl_new();
  cr_assert_null(th_crypto_dump_crl(7, c));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_crypto_dump_crl(TH_FILETYPE_PEM, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_crypto_dump_crl(TH_FILETYPE_PEM, (th_crl *)ch.t_root));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  const unsigned char junk[] = "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n";
  cr_assert_null(th_crypto_load_crl(TH_FILETYPE_PEM, junk, sizeof junk - 1));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_crl(TH_FILETYPE_ASN1, junk, sizeof junk - 1));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_crl(TH_FILETYPE_ASN1, junk, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO);
  cr_assert_null(th_crypto_load_crl(TH_FILETYPE_TEXT, junk, sizeof junk - 1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_crypto_load_crl(TH_FILETYPE_PEM, NULL, 4));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_crypto_load_crl(TH_FILETYPE_PEM, junk, (size_t)-1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_crl_free(c);
}

Test(crl, openssl_tool_reads_and_enforces_an_api_crl) {
  th_crl *c = th_crl_new();
  th_revoked *r = revoked_for(ch.leaf, "cessationOfOperation");
  th_crl_add_revoked(c, r);
  th_bytes *pem = th_crl_export(c, ch.t_inter, ch.tk_inter, TH_FILETYPE_PEM, 30, "sha256");
  cr_assert_not_null(pem, "%s", tu_err());
  char crl_path[1024], root[1024], inter[1024], leaf[1024], out[8192];
  snprintf(crl_path, sizeof crl_path, "%s", tu_path("api.crl"));
  cr_assert_eq(tu_write_file(crl_path, pem->data, pem->len), 0);
  snprintf(root, sizeof root, "%s", tc_write_cert("root.pem", ch.root));
  snprintf(inter, sizeof inter, "%s", tc_write_cert("inter.pem", ch.inter));
  snprintf(leaf, sizeof leaf, "%s", tc_write_cert("leaf.pem", ch.leaf));
  cr_assert_eq(tu_sh(out, sizeof out, "%s crl -in %s -noout -text", tu_openssl(), crl_path), 0,
               "%s", out);
  cr_assert(tu_cli_has_dn(out, "CN", "tc intermediate"), "%s", out);
  cr_assert(strstr(out, "Cessation Of Operation") != NULL, "%s", out);
  th_bytes *serial = th_revoked_get_serial(r);
  cr_assert(strstr(out, (char *)serial->data) != NULL, "%s not in %s", serial->data, out);
  th_bytes_free(serial);
  /* Without CRL checking the leaf verifies; with it, it is revoked. */
  cr_assert_eq(tu_sh(out, sizeof out, "%s verify -CAfile %s -untrusted %s %s", tu_openssl(), root,
                     inter, leaf),
               0, "%s", out);
  cr_assert_neq(
      tu_sh(out, sizeof out, "%s verify -crl_check -CAfile %s -untrusted %s -CRLfile %s %s",
            tu_openssl(), root, inter, crl_path, leaf),
      0, "%s", out);
  cr_assert(strstr(out, "certificate revoked") != NULL, "%s", out);
  th_bytes_free(pem);
  th_revoked_free(r);
  th_crl_free(c);
}

Test(crl, escape_hatches_and_legacy_name) {
  X509_CRL *raw = tc_crl(ch.root, ch.root_key, -1, 30, NULL);
  th_CRLType *c = th_crl_from_x509_crl(raw);
  cr_assert_not_null(c);
  X509_CRL_free(raw);
  X509_CRL *back = th_crl_to_x509_crl(c);
  cr_assert_eq(X509_CRL_verify(back, ch.root_key), 1);
  X509_CRL_free(back);
  cr_assert_null(th_crl_from_x509_crl(NULL));
  cr_assert_null(th_crl_to_x509_crl((th_crl *)ch.t_root));
  cr_assert_eq(th_crl_up_ref(c), c);
  th_crl_free(c);
  cr_assert_null(th_crl_up_ref((th_crl *)ch.t_root));
  th_crl_free(c);
}

/* Issue 12 item 4: export keeps the revoked entries in the order they were
 * added (pyOpenSSL 16.1 sorts only in sign). */
static void assert_serial_order(th_crl *c, const char *const *want, size_t n) {
  th_list *l = NULL;
  cr_assert_eq(th_crl_get_revoked(c, &l), TH_OK, "%s", tu_err());
  cr_assert_eq(l->count, n);
  for (size_t i = 0; i < n; i++) {
    th_bytes *s = serial_of(l, i);
    cr_assert_str_eq((char *)s->data, want[i], "entry %zu", i);
    th_bytes_free(s);
  }
  th_list_free(l);
}

Test(crl, export_keeps_order_sign_sorts) {
  th_crl *c = th_crl_new();
  const char *const added[] = {"03", "01", "02"}, *const sorted[] = {"01", "02", "03"};
  for (size_t i = 0; i < 3; i++) {
    th_revoked *r = th_revoked_new();
    cr_assert_eq(th_revoked_set_serial(r, added[i]), TH_OK);
    cr_assert_eq(th_revoked_set_rev_date(r, "20200101000000Z"), TH_OK);
    cr_assert_eq(th_crl_add_revoked(c, r), TH_OK);
    th_revoked_free(r);
  }
  th_bytes *der = th_crl_export(c, ch.t_inter, ch.tk_inter, TH_FILETYPE_ASN1, 7, "sha256");
  cr_assert_not_null(der, "%s", tu_err());
  th_crl *back = th_crypto_load_crl(TH_FILETYPE_ASN1, der->data, der->len);
  cr_assert_not_null(back, "%s", tu_err());
  assert_serial_order(back, added, 3);
  assert_serial_order(c, added, 3);
  cr_assert_eq(th_crl_sign(c, ch.t_inter, ch.tk_inter, "sha256"), TH_OK, "%s", tu_err());
  assert_serial_order(c, sorted, 3);
  th_crl_free(back);
  th_bytes_free(der);
  th_crl_free(c);
}

/* days is bounded to +-100 years (36525 days): the bounds themselves work,
 * one more is TH_ERR_VALUE and the CRL keeps its times. */
Test(crl, export_days_bounds) {
  static const struct {
    int days, ok;
  } cases[] = {{36525, 1}, {-36525, 1}, {36526, 0}, {-36526, 0}, {INT_MAX, 0}, {INT_MIN, 0}};
  th_crl *c = th_crl_new();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    th_bytes *before = th_crypto_dump_crl(TH_FILETYPE_ASN1, c);
    th_bytes *der = th_crl_export(c, ch.t_inter, ch.tk_inter, TH_FILETYPE_ASN1, cases[i].days,
                                  "sha256");
    if (cases[i].ok) {
      cr_assert_not_null(der, "days %d: %s", cases[i].days, tu_err());
      th_crl *back = th_crypto_load_crl(TH_FILETYPE_ASN1, der->data, der->len);
      X509_CRL *raw = th_crl_to_x509_crl(back);
      int d = 0, secs = 0;
      ASN1_TIME_diff(&d, &secs, X509_CRL_get0_lastUpdate(raw), X509_CRL_get0_nextUpdate(raw));
      cr_assert_eq(d, cases[i].days);
      cr_assert_eq(secs, 0);
      X509_CRL_free(raw);
      th_crl_free(back);
    } else {
      cr_assert_null(der, "days %d", cases[i].days);
      cr_assert_eq(th_error_kind(), TH_ERR_VALUE, "days %d: %s", cases[i].days, tu_err());
      th_bytes *after = th_crypto_dump_crl(TH_FILETYPE_ASN1, c);
      cr_assert(before != NULL && after != NULL && before->len == after->len &&
                    memcmp(before->data, after->data, after->len) == 0,
                "days %d: the CRL changed", cases[i].days);
      th_bytes_free(after);
    }
    th_bytes_free(before);
    th_bytes_free(der);
  }
  th_crl_free(c);
}
