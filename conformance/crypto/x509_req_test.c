/* x509_req_test.c — crypto.X509Req. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "testutil_x509.h"

TestSuite(x509_req);

/* A request for key with CN cn, signed with key. */
static th_x509_req *make_req(th_pkey *key, const char *cn) {
  th_x509_req *r = th_x509_req_new();
  cr_assert_not_null(r);
  cr_assert_eq(th_x509_req_set_pubkey(r, key), TH_OK, "%s", tu_err());
  th_x509_name *s = th_x509_req_get_subject(r);
  cr_assert_eq(th_x509_name_set_commonName(s, cn), TH_OK);
  th_x509_name_free(s);
  cr_assert_eq(th_x509_req_sign(r, key, "sha256"), TH_OK, "%s", tu_err());
  return r;
}

Test(x509_req, new_is_empty) {
  th_x509_req *r = th_x509_req_new();
  cr_assert_eq(th_x509_req_get_version(r), 0);
  th_list *exts = th_x509_req_get_extensions(r);
  cr_assert_not_null(exts, "%s", tu_err());
  cr_assert_eq(exts->count, 0u);
  th_list_free(exts);
  cr_assert_null(th_x509_req_get_pubkey(r));
  tx_assert_err(TH_ERR_CRYPTO);
  th_x509_req_free(r);
  th_x509_req_free(NULL);
}

Test(x509_req, sign_verify_and_openssl_req_verify) {
  th_pkey *k = tu_rsa_key();
  th_x509_req *r = make_req(k, "csr.example");
  cr_assert_eq(th_x509_req_verify(r, k), 1, "%s", tu_err());
  th_pkey *pub = th_x509_req_get_pubkey(r);
  cr_assert_eq(th_pkey_only_public(pub), 1);
  cr_assert_eq(th_x509_req_verify(r, pub), 1);
  th_bytes *pem = th_crypto_dump_certificate_request(TH_FILETYPE_PEM, r);
  const char *path = tx_write("req.pem", pem);
  char out[4096];
  cr_assert_eq(tu_sh(out, sizeof out, "%s req -in %s -verify -noout -subject", tu_openssl(), path), 0,
               "%s", out);
  cr_assert(strstr(out, "verify OK") != NULL, "%s", out);
  cr_assert(tu_cli_has_dn(out, "CN", "csr.example"), "%s", out);
  th_bytes_free(pem);
  th_pkey_free(pub);
  th_x509_req_free(r);
  th_pkey_free(k);
}

Test(x509_req, verify_with_wrong_key) {
  th_pkey *k = tu_ec_key(), *other = tu_ec_key();
  th_x509_req *r = make_req(k, "x");
  cr_assert_eq(th_x509_req_verify(r, other), TH_ERR_CRYPTO);
  /* pyOpenSSL's PKey() without a key: OpenSSL cannot verify: Error. */
  th_pkey *empty = th_pkey_new();
  cr_assert_eq(th_x509_req_verify(r, empty), TH_ERR_CRYPTO);
  th_pkey_free(empty);
  /* A changed subject breaks the signature. */
  th_x509_name *s = th_x509_req_get_subject(r);
  th_x509_name_set_commonName(s, "tampered");
  cr_assert_eq(th_x509_req_verify(r, k), TH_ERR_CRYPTO);
  th_x509_name_free(s);
  th_x509_req_free(r);
  th_pkey_free(other);
  th_pkey_free(k);
}

Test(x509_req, extensions) {
  th_x509_req *r = th_x509_req_new();
  th_x509_extension *a = th_x509_extension_new("basicConstraints", 1, "CA:false", NULL, NULL);
  th_x509_extension *b = th_x509_extension_new("subjectAltName", 0, "DNS:x.example", NULL, NULL);
  cr_assert_eq(th_x509_req_add_extensions(r, &a, 1), TH_OK, "%s", tu_err());
  /* A second call adds to the first. */
  cr_assert_eq(th_x509_req_add_extensions(r, &b, 1), TH_OK, "%s", tu_err());
  th_list *l = th_x509_req_get_extensions(r);
  cr_assert_eq(l->count, 2u);
  th_bytes *sn0 = th_x509_extension_get_short_name(th_list_get(l, 0));
  th_bytes *sn1 = th_x509_extension_get_short_name(th_list_get(l, 1));
  cr_assert_str_eq((char *)sn0->data, "basicConstraints");
  cr_assert_str_eq((char *)sn1->data, "subjectAltName");
  cr_assert_eq(th_x509_extension_get_critical(th_list_get(l, 0)), 1);
  th_bytes_free(sn0);
  th_bytes_free(sn1);
  th_list_free(l);
  /* A bad list changes nothing. */
  th_pkey *notext = th_pkey_new();
  th_x509_extension *bad[2] = {a, (th_x509_extension *)notext};
  cr_assert_eq(th_x509_req_add_extensions(r, bad, 2), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_add_extensions(r, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_add_extensions(r, NULL, 0), TH_OK);
  l = th_x509_req_get_extensions(r);
  cr_assert_eq(l->count, 2u);
  th_list_free(l);
  /* They survive dump and load, and openssl sees them. */
  th_pkey *k = tu_ec_key();
  th_x509_req_set_pubkey(r, k);
  th_x509_req_sign(r, k, "sha256");
  th_bytes *pem = th_crypto_dump_certificate_request(TH_FILETYPE_PEM, r);
  th_x509_req *again = th_crypto_load_certificate_request(TH_FILETYPE_PEM, pem->data, pem->len);
  l = th_x509_req_get_extensions(again);
  cr_assert_eq(l->count, 2u);
  th_list_free(l);
  char out[4096];
  cr_assert_eq(tu_sh(out, sizeof out, "%s req -in %s -noout -text", tu_openssl(),
                     tx_write("r.pem", pem)), 0, "%s", out);
  cr_assert(strstr(out, "DNS:x.example") != NULL, "%s", out);
  th_x509_req_free(again);
  th_bytes_free(pem);
  th_pkey_free(k);
  th_pkey_free(notext);
  th_x509_extension_free(a);
  th_x509_extension_free(b);
  th_x509_req_free(r);
}

Test(x509_req, version) {
  th_x509_req *r = th_x509_req_new();
  cr_assert_eq(th_x509_req_set_version(r, 0), TH_OK);
  cr_assert_eq(th_x509_req_get_version(r), 0);
  /* Per version (docs/compat.md): 3.0 stores any version; 3.5 accepts only
   * 0 (the only one RFC 2986 defines) and refuses the rest unchanged. */
  int rc = th_x509_req_set_version(r, 2);
  unsigned long v = th_ssl_OpenSSL_version_num();
  long want = 2;
  if (v >= 0x30500000UL || (v >= 0x30100000UL && rc != TH_OK)) {
    cr_assert_eq(rc, TH_ERR_VALUE, "%s", tu_err());
    want = 0;
  } else {
    cr_assert_eq(rc, TH_OK, "%s", tu_err());
  }
  cr_assert_eq(th_x509_req_get_version(r), want);
  cr_assert_eq(th_x509_req_set_version(r, -3), TH_ERR_VALUE);
  cr_assert_eq(th_x509_req_get_version(r), want);
  th_x509_req_free(r);
}

Test(x509_req, subject_child_keeps_request_alive) {
  th_pkey *k = tu_ec_key();
  th_x509_req *r = make_req(k, "alive");
  th_x509_name *s = th_x509_req_get_subject(r);
  th_x509_req_free(r);
  th_bytes *v = NULL;
  cr_assert_eq(th_x509_name_get_commonName(s, &v), TH_OK);
  cr_assert_str_eq((char *)v->data, "alive");
  th_bytes_free(v);
  th_x509_name_free(s);
  th_pkey_free(k);
}

Test(x509_req, sign_errors) {
  th_pkey *k = tu_ec_key(), *empty = th_pkey_new();
  th_x509_req *r = make_req(k, "s");
  th_pkey *pub = th_x509_req_get_pubkey(r);
  cr_assert_eq(th_x509_req_sign(r, pub, "sha256"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_req_sign(r, empty, "sha256"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_req_sign(r, k, "nope"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_req_sign(r, k, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_set_pubkey(r, empty), TH_ERR_VALUE);
  /* Still signed and verifiable as before. */
  cr_assert_eq(th_x509_req_verify(r, k), 1);
  th_pkey_free(pub);
  th_pkey_free(empty);
  th_x509_req_free(r);
  th_pkey_free(k);
}

Test(x509_req, escape_hatches) {
  th_pkey *k = tu_ec_key();
  th_x509_req *r = make_req(k, "raw");
  X509_REQ *raw = th_x509_req_to_x509_req(r);
  cr_assert_not_null(raw);
  th_x509_req *w = th_x509_req_from_x509_req(raw);
  cr_assert_eq(th_x509_req_verify(w, k), 1);
  X509_REQ_free(raw);
  th_x509_req_free(w);
  th_x509_req_free(r);
  th_pkey_free(k);
  cr_assert_null(th_x509_req_from_x509_req(NULL));
  tx_assert_err(TH_ERR_TYPE);
}

Test(x509_req, bad_objects) {
  th_pkey *k = tu_ec_key();
  th_x509_req *w = (th_x509_req *)k; /* a PKey posing as a request */
  th_x509_req *r = th_x509_req_new();
  cr_assert_eq(th_x509_req_add_extensions(w, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_add_extensions(NULL, NULL, 0), TH_ERR_TYPE);
  cr_assert_null(th_x509_req_get_extensions(w));
  cr_assert_null(th_x509_req_get_pubkey(w));
  cr_assert_eq(th_x509_req_set_pubkey(w, k), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_set_pubkey(r, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_set_pubkey(r, (th_pkey *)r), TH_ERR_TYPE);
  cr_assert_null(th_x509_req_get_subject(w));
  cr_assert_null(th_x509_req_get_subject(NULL));
  cr_assert_eq(th_x509_req_get_version(w), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_set_version(w, 0), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_sign(w, k, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_sign(r, NULL, "sha256"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_verify(w, k), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_verify(r, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_req_verify(r, (th_pkey *)r), TH_ERR_TYPE);
  cr_assert_null(th_x509_req_to_x509_req(w));
  cr_assert_null(th_x509_req_up_ref(w));
  th_x509_req_free(r);
  th_pkey_free(k);
}
