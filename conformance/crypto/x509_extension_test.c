/* x509_extension_test.c — crypto.X509Extension. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "testutil_x509.h"

TestSuite(x509_extension);

struct ext_case {
  const char *type, *value;
  int critical;
  const char *text, *short_name;
};

/* Indexed: Criterion's parameter copies cannot carry pointers. */
static const struct ext_case ext_cases[] = {
    {"basicConstraints", "CA:true", 1, "CA:TRUE", "basicConstraints"},
    {"basicConstraints", "CA:false", 0, "CA:FALSE", "basicConstraints"},
    {"basicConstraints", "CA:true,pathlen:2", 0, "CA:TRUE, pathlen:2", "basicConstraints"},
    {"keyUsage", "digitalSignature,keyCertSign", 1, "Digital Signature, Certificate Sign", "keyUsage"},
    {"extendedKeyUsage", "serverAuth", 0, "TLS Web Server Authentication", "extendedKeyUsage"},
    {"subjectAltName", "DNS:example.com,IP:127.0.0.1", 0, "DNS:example.com, IP Address:127.0.0.1",
     "subjectAltName"},
    {"nsComment", "hello", 0, "hello", "nsComment"},
};

ParameterizedTestParameters(x509_extension, make_and_read) {
  static int idx[sizeof ext_cases / sizeof ext_cases[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, x509_extension, make_and_read) {
  const struct ext_case *c = &ext_cases[*i];
  th_x509_extension *e = th_x509_extension_new(c->type, c->critical, c->value, NULL, NULL);
  cr_assert_not_null(e, "%s: %s", c->type, tu_err());
  th_bytes *text = th_x509_extension_str(e);
  cr_assert_str_eq((char *)text->data, c->text);
  th_bytes *sn = th_x509_extension_get_short_name(e);
  cr_assert_str_eq((char *)sn->data, c->short_name);
  cr_assert_eq(th_x509_extension_get_critical(e), c->critical);
  /* get_data is the DER inside extnValue. */
  th_bytes *data = th_x509_extension_get_data(e);
  X509_EXTENSION *raw = th_x509_extension_to_x509_extension(e);
  const ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(raw);
  cr_assert_eq(data->len, (size_t)ASN1_STRING_length(os));
  cr_assert_eq(memcmp(data->data, ASN1_STRING_get0_data(os), data->len), 0);
  X509_EXTENSION_free(raw);
  th_bytes_free(data);
  th_bytes_free(sn);
  th_bytes_free(text);
  th_x509_extension_free(e);
}

Test(x509_extension, basic_constraints_der) {
  th_x509_extension *e = th_x509_extension_new("basicConstraints", 1, "CA:true", NULL, NULL);
  th_bytes *d = th_x509_extension_get_data(e);
  /* SEQUENCE { BOOLEAN TRUE } */
  const unsigned char want[] = {0x30, 0x03, 0x01, 0x01, 0xff};
  cr_assert_eq(d->len, sizeof want);
  cr_assert_eq(memcmp(d->data, want, sizeof want), 0);
  th_bytes_free(d);
  th_x509_extension_free(e);
}

Test(x509_extension, subject_and_issuer) {
  th_pkey *k = tu_ec_key();
  th_x509 *ca = tx_cert(k, "ca", NULL, NULL, 1, 1);
  /* "hash" needs a subject; without one OpenSSL refuses: crypto.Error. */
  cr_assert_null(th_x509_extension_new("subjectKeyIdentifier", 0, "hash", NULL, NULL));
  tx_assert_err(TH_ERR_CRYPTO);
  th_x509_extension *ski = th_x509_extension_new("subjectKeyIdentifier", 0, "hash", ca, NULL);
  cr_assert_not_null(ski, "%s", tu_err());
  th_x509_extension *aki = th_x509_extension_new("authorityKeyIdentifier", 0, "keyid:always", NULL, ca);
  cr_assert_not_null(aki, "%s", tu_err());
  th_bytes *s1 = th_x509_extension_str(ski), *s2 = th_x509_extension_str(aki);
  cr_assert(strstr((char *)s2->data, (char *)s1->data) != NULL, "%s vs %s", s1->data, s2->data);
  th_bytes_free(s1);
  th_bytes_free(s2);
  th_x509_extension_free(aki);
  th_x509_extension_free(ski);
  th_x509_free(ca);
  th_pkey_free(k);
}

Test(x509_extension, bad_input) {
  cr_assert_null(th_x509_extension_new("noSuchExtension", 0, "x", NULL, NULL));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_x509_extension_new("basicConstraints", 0, "garbage:::", NULL, NULL));
  tx_assert_err(TH_ERR_CRYPTO);
  cr_assert_null(th_x509_extension_new(NULL, 0, "CA:true", NULL, NULL));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_x509_extension_new("basicConstraints", 0, NULL, NULL, NULL));
  tx_assert_err(TH_ERR_TYPE);
  th_pkey *wk = th_pkey_new();
  cr_assert_null(th_x509_extension_new("basicConstraints", 0, "CA:true", (th_x509 *)wk, NULL));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_x509_extension_new("basicConstraints", 0, "CA:true", NULL, (th_x509 *)wk));
  tx_assert_err(TH_ERR_TYPE);
  th_x509_extension *w = (th_x509_extension *)wk;
  cr_assert_null(th_x509_extension_str(w));
  cr_assert_null(th_x509_extension_str(NULL));
  cr_assert_eq(th_x509_extension_get_critical(w), TH_ERR_TYPE);
  cr_assert_eq(th_x509_extension_get_critical(NULL), TH_ERR_TYPE);
  cr_assert_null(th_x509_extension_get_data(w));
  cr_assert_null(th_x509_extension_get_short_name(w));
  cr_assert_null(th_x509_extension_to_x509_extension(w));
  cr_assert_null(th_x509_extension_from_x509_extension(NULL));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_null(th_x509_extension_up_ref(w));
  th_x509_extension_free(NULL);
  th_pkey_free(wk);
}

Test(x509_extension, unknown_oid_prints_and_names) {
  /* An extension OpenSSL does not know: short name "UNDEF" (as pyOpenSSL's
   * OBJ_nid2sn), text a hex dump. */
  ASN1_OBJECT *obj = OBJ_txt2obj("1.2.3.4.5.6.7", 1);
  ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
  const unsigned char der[] = {0x04, 0x02, 'h', 'i'};
  ASN1_OCTET_STRING_set(os, der, sizeof der);
  X509_EXTENSION *raw = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
  th_x509_extension *e = th_x509_extension_from_x509_extension(raw);
  th_bytes *sn = th_x509_extension_get_short_name(e);
  cr_assert_str_eq((char *)sn->data, "UNDEF");
  th_bytes *text = th_x509_extension_str(e);
  cr_assert_not_null(text, "%s", tu_err());
  cr_assert_gt(text->len, 0u);
  th_bytes_free(text);
  th_bytes_free(sn);
  th_x509_extension_free(e);
  X509_EXTENSION_free(raw);
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
}

/* Issue 12 item 1: subjectAltName text as pyOpenSSL 16.1 builds it. */
static GENERAL_NAME *gn_ia5(int type, const char *s, size_t n) {
  GENERAL_NAME *g = GENERAL_NAME_new();
  ASN1_IA5STRING *v = ASN1_IA5STRING_new();
  cr_assert(g != NULL && v != NULL && ASN1_STRING_set(v, s, (int)n));
  GENERAL_NAME_set0_value(g, type, v);
  return g;
}

static GENERAL_NAME *gn_dirname(void) {
  X509_NAME *n = X509_NAME_new();
  cr_assert(X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0));
  cr_assert(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"example", -1,
                                       -1, 0));
  GENERAL_NAME *g = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(g, GEN_DIRNAME, n);
  return g;
}

/* The text of a SAN holding names (taken). */
static th_bytes *san_text(GENERAL_NAMES *names) {
  X509_EXTENSION *raw = X509V3_EXT_i2d(NID_subject_alt_name, 0, names);
  cr_assert_not_null(raw);
  th_x509_extension *e = th_x509_extension_from_x509_extension(raw);
  th_bytes *text = th_x509_extension_str(e);
  cr_assert_not_null(text, "%s", tu_err());
  th_x509_extension_free(e);
  X509_EXTENSION_free(raw);
  GENERAL_NAMES_free(names);
  return text;
}

Test(x509_extension, san_text_as_pyopenssl_16_1) {
  static const char dns[] = "altnull.python.org\0example.com";
  GENERAL_NAMES *names = GENERAL_NAMES_new();
  sk_GENERAL_NAME_push(names, gn_ia5(GEN_DNS, dns, sizeof dns - 1));
  sk_GENERAL_NAME_push(names, gn_ia5(GEN_EMAIL, "a@b.example", 11));
  sk_GENERAL_NAME_push(names, gn_ia5(GEN_URI, "https://x.example/", 18));
  sk_GENERAL_NAME_push(names, gn_dirname());
  th_bytes *t = san_text(names);
  static const char want[] = "DNS:altnull.python.org\0example.com, email:a@b.example, "
                             "URI:https://x.example/, DirName:C = US, CN = example";
  cr_assert_eq(t->len, sizeof want - 1, "got %zu bytes: %s", t->len, (char *)t->data);
  cr_assert_eq(memcmp(t->data, want, t->len), 0, "%s", (char *)t->data);
  th_bytes_free(t);
  /* An empty SAN is "" (16.1 joins no parts). */
  t = san_text(GENERAL_NAMES_new());
  cr_assert_eq(t->len, 0u, "%s", (char *)t->data);
  th_bytes_free(t);
}

/* An empty DNS/email/URI value is its label alone; a SAN whose value does
 * not decode is TH_ERR_CRYPTO (docs/compat.md: 16.1 printed ""). */
Test(x509_extension, san_empty_and_undecodable) {
  GENERAL_NAMES *names = GENERAL_NAMES_new();
  sk_GENERAL_NAME_push(names, gn_ia5(GEN_DNS, "", 0));
  sk_GENERAL_NAME_push(names, gn_ia5(GEN_EMAIL, "", 0));
  th_bytes *t = san_text(names);
  cr_assert_str_eq((char *)t->data, "DNS:, email:");
  th_bytes_free(t);
  /* OCTET STRING { 04 02 7a 7a }: an OCTET STRING, not GeneralNames. */
  ASN1_OCTET_STRING *garbage = ASN1_OCTET_STRING_new();
  cr_assert(ASN1_OCTET_STRING_set(garbage, (const unsigned char *)"\x04\x02zz", 4));
  X509_EXTENSION *raw = X509_EXTENSION_create_by_NID(NULL, NID_subject_alt_name, 0, garbage);
  cr_assert_not_null(raw);
  th_x509_extension *e = th_x509_extension_from_x509_extension(raw);
  cr_assert_null(th_x509_extension_str(e));
  cr_assert_eq(th_error_kind(), TH_ERR_CRYPTO, "%s", tu_err());
  cr_assert(strstr(th_error_last()->message, "cannot decode the subjectAltName") != NULL, "%s",
            tu_err());
  /* The raw value is still there to read. */
  th_bytes *data = th_x509_extension_get_data(e);
  cr_assert_eq(data->len, 4u);
  cr_assert_eq(memcmp(data->data, "\x04\x02zz", 4), 0);
  th_bytes_free(data);
  th_x509_extension_free(e);
  X509_EXTENSION_free(raw);
  ASN1_OCTET_STRING_free(garbage);
}
