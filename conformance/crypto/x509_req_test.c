/* x509_req_test.c — crypto.X509Req. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

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

/* A request holding attr_nid (extensionRequest or Microsoft's msExtReq)
 * with value (taken), wrapped. */
static th_x509_req *req_with_attr(int attr_nid, ASN1_TYPE *value) {
  X509_REQ *raw = X509_REQ_new();
  X509_ATTRIBUTE *a = X509_ATTRIBUTE_create(attr_nid, value->type, value->value.ptr);
  value->value.ptr = NULL;
  ASN1_TYPE_free(value);
  cr_assert(a != NULL && X509_REQ_add1_attr(raw, a));
  X509_ATTRIBUTE_free(a);
  /* Signed, so that it encodes: the copy goes through DER. */
  EVP_PKEY *key = tu_ec_evp();
  cr_assert(X509_REQ_set_pubkey(raw, key) && X509_REQ_sign(raw, key, EVP_sha256()) > 0);
  EVP_PKEY_free(key);
  th_x509_req *r = th_x509_req_from_x509_req(raw);
  cr_assert_not_null(r, "%s", tu_err());
  X509_REQ_free(raw);
  return r;
}

static th_bytes *req_der(const th_x509_req *r) {
  th_bytes *b = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, r);
  cr_assert_not_null(b, "%s", tu_err());
  return b;
}

static void assert_ext_names(const th_x509_req *r, const char *const *want, size_t n) {
  th_list *l = th_x509_req_get_extensions(r);
  cr_assert_not_null(l, "%s", tu_err());
  cr_assert_eq(l->count, n);
  for (size_t i = 0; i < n; i++) {
    th_bytes *sn = th_x509_extension_get_short_name(th_list_get(l, i));
    cr_assert_str_eq((char *)sn->data, want[i]);
    th_bytes_free(sn);
  }
  th_list_free(l);
}

/* Microsoft's msExtReq attribute (1.3.6.1.4.1.311.2.1.14) is read as
 * OpenSSL reads it, and adding extensions merges into one standard
 * extensionRequest attribute. */
Test(x509_req, ms_extension_request_is_read_and_merged) {
  STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "CA:FALSE"));
  unsigned char *der = NULL;
  int n = ASN1_item_i2d((ASN1_VALUE *)exts, &der, ASN1_ITEM_rptr(X509_EXTENSIONS));
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  cr_assert_gt(n, 0);
  ASN1_STRING *seq = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
  ASN1_STRING_set(seq, der, n);
  OPENSSL_free(der);
  ASN1_TYPE *v = ASN1_TYPE_new();
  ASN1_TYPE_set(v, V_ASN1_SEQUENCE, seq);
  th_x509_req *r = req_with_attr(NID_ms_ext_req, v);
  static const char *const before[] = {"basicConstraints"};
  assert_ext_names(r, before, 1);
  th_x509_extension *ku = th_x509_extension_new("keyUsage", 0, "digitalSignature", NULL, NULL);
  cr_assert_eq(th_x509_req_add_extensions(r, &ku, 1), TH_OK, "%s", tu_err());
  static const char *const after[] = {"basicConstraints", "keyUsage"};
  assert_ext_names(r, after, 2);
  X509_REQ *raw = th_x509_req_to_x509_req(r);
  cr_assert_eq(X509_REQ_get_attr_count(raw), 1);
  cr_assert_eq(X509_REQ_get_attr_by_NID(raw, NID_ext_req, -1), 0);
  cr_assert_eq(X509_REQ_get_attr_by_NID(raw, NID_ms_ext_req, -1), -1);
  X509_REQ_free(raw);
  th_x509_extension_free(ku);
  th_x509_req_free(r);
}

/* An extension request attribute whose value is not a list of extensions
 * (an INTEGER): reading is TH_ERR_CRYPTO (pyOpenSSL 16.1 left the NULL
 * unchecked and listed none), and adding is TH_ERR_CRYPTO with the request
 * unchanged. */
Test(x509_req, undecodable_extension_request) {
  static const int attrs[] = {NID_ext_req, NID_ms_ext_req};
  for (size_t i = 0; i < 2; i++) {
    ASN1_TYPE *v = ASN1_TYPE_new();
    ASN1_INTEGER *five = ASN1_INTEGER_new();
    ASN1_INTEGER_set(five, 5);
    ASN1_TYPE_set(v, V_ASN1_INTEGER, five);
    th_x509_req *r = req_with_attr(attrs[i], v);
    cr_assert_null(th_x509_req_get_extensions(r));
    cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO, "%s", tu_err());
    th_bytes *before = req_der(r);
    th_x509_extension *ku = th_x509_extension_new("keyUsage", 0, "digitalSignature", NULL, NULL);
    cr_assert_eq(th_x509_req_add_extensions(r, &ku, 1), TH_ERR_CRYPTO, "attr %zu: %s", i, tu_err());
    th_bytes *after = req_der(r);
    cr_assert(before->len == after->len && memcmp(before->data, after->data, before->len) == 0,
              "attr %zu: the request changed", i);
    th_bytes_free(after);
    th_bytes_free(before);
    th_x509_extension_free(ku);
    th_x509_req_free(r);
  }
}

/* The escape hatches copy through the encoding: a request not signed yet
 * cannot be copied, TH_ERR_CRYPTO (OpenSSL itself calls it a malloc
 * failure), not TH_ERR_NOMEM. */
Test(x509_req, unencodable_request_copies_are_crypto_errors) {
  th_x509_req *fresh = th_x509_req_new();
  cr_assert_null(th_x509_req_to_x509_req(fresh));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO, "%s", tu_err());
  cr_assert(strstr(th_error_last()->message, "cannot be encoded") != NULL, "%s", tu_err());
  X509_REQ *raw = X509_REQ_new();
  cr_assert_null(th_x509_req_from_x509_req(raw));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO, "%s", tu_err());
  /* Signed, both work. */
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_x509_req_set_pubkey(fresh, k), TH_OK);
  cr_assert_eq(th_x509_req_sign(fresh, k, "sha256"), TH_OK, "%s", tu_err());
  X509_REQ *copy = th_x509_req_to_x509_req(fresh);
  cr_assert_not_null(copy, "%s", tu_err());
  th_x509_req *back = th_x509_req_from_x509_req(copy);
  cr_assert_not_null(back, "%s", tu_err());
  th_x509_req_free(back);
  X509_REQ_free(copy);
  X509_REQ_free(raw);
  th_pkey_free(k);
  th_x509_req_free(fresh);
}
