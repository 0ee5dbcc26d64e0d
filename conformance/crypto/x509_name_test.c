/* x509_name_test.c — crypto.X509Name. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil_x509.h"

TestSuite(x509_name);

/* A fresh free-standing name (the subject of a new certificate, copied). */
static th_x509_name *fresh_name(void) {
  th_x509 *c = th_x509_new();
  th_x509_name *child = th_x509_get_subject(c);
  th_x509_name *n = th_x509_name_new(child);
  cr_assert_not_null(n, "%s", tu_err());
  th_x509_name_free(child);
  th_x509_free(c);
  return n;
}

static void assert_attr(const th_x509_name *n, const char *attr, const char *want) {
  th_bytes *v = (th_bytes *)1;
  cr_assert_eq(th_x509_name_get(n, attr, &v), TH_OK, "%s", tu_err());
  if (want == NULL) {
    cr_assert_null(v, "%s should be None", attr);
    return;
  }
  cr_assert_not_null(v, "%s is None", attr);
  cr_assert_str_eq((char *)v->data, want);
  th_bytes_free(v);
}

struct attr_case {
  const char *long_name, *short_name, *value;
  int (*get)(const th_x509_name *, th_bytes **);
  int (*set)(th_x509_name *, const char *);
};

/* Criterion passes parameters to a fresh process, where function pointers
 * would be stale: the parameter is an index into this table. */
static const struct attr_case attr_cases[] = {
    {"countryName", "C", "US", th_x509_name_get_countryName, th_x509_name_set_countryName},
    {"stateOrProvinceName", "ST", "New York", th_x509_name_get_stateOrProvinceName,
     th_x509_name_set_stateOrProvinceName},
    {"localityName", "L", "Brooklyn", th_x509_name_get_localityName, th_x509_name_set_localityName},
    {"organizationName", "O", "tlsharness", th_x509_name_get_organizationName,
     th_x509_name_set_organizationName},
    {"organizationalUnitName", "OU", "Testing", th_x509_name_get_organizationalUnitName,
     th_x509_name_set_organizationalUnitName},
    {"commonName", "CN", "example.com", th_x509_name_get_commonName, th_x509_name_set_commonName},
    {"emailAddress", "emailAddress", "a@example.com", th_x509_name_get_emailAddress,
     th_x509_name_set_emailAddress},
};

ParameterizedTestParameters(x509_name, attributes) {
  static int idx[] = {0, 1, 2, 3, 4, 5, 6};
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, x509_name, attributes) {
  const struct attr_case *c = &attr_cases[*i];
  th_x509_name *n = fresh_name();
  /* Absent: None. */
  th_bytes *v = (th_bytes *)1;
  cr_assert_eq(c->get(n, &v), TH_OK);
  cr_assert_null(v);
  /* Set through the typed setter, read by long and short name. */
  cr_assert_eq(c->set(n, c->value), TH_OK, "%s", tu_err());
  assert_attr(n, c->long_name, c->value);
  assert_attr(n, c->short_name, c->value);
  cr_assert_eq(c->get(n, &v), TH_OK);
  cr_assert_str_eq((char *)v->data, c->value);
  th_bytes_free(v);
  /* Set by short name replaces the value. */
  cr_assert_eq(th_x509_name_set(n, c->short_name, "ZZ"), TH_OK, "%s", tu_err());
  assert_attr(n, c->long_name, "ZZ");
  th_list *comps = th_x509_name_get_components(n);
  cr_assert_eq(comps->count, 1u);
  th_list_free(comps);
  th_x509_name_free(n);
}

Test(x509_name, set_replaces_every_entry) {
  th_x509 *c = th_x509_new();
  X509 *raw = th_x509_to_x509(c);
  X509_NAME *rn = X509_get_subject_name(raw);
  X509_NAME_add_entry_by_txt(rn, "CN", MBSTRING_ASC, (const unsigned char *)"one", -1, -1, 0);
  X509_NAME_add_entry_by_txt(rn, "O", MBSTRING_ASC, (const unsigned char *)"org", -1, -1, 0);
  X509_NAME_add_entry_by_txt(rn, "CN", MBSTRING_ASC, (const unsigned char *)"two", -1, -1, 0);
  X509_free(raw);
  th_x509_name *n = th_x509_get_subject(c);
  assert_attr(n, "CN", "one"); /* the first entry, as pyOpenSSL */
  cr_assert_eq(th_x509_name_set(n, "CN", "three"), TH_OK);
  th_list *comps = th_x509_name_get_components(n);
  cr_assert_eq(comps->count, 2u);
  th_x509_name_component *first = th_list_get(comps, 0), *second = th_list_get(comps, 1);
  cr_assert_str_eq((char *)first->name->data, "O");
  cr_assert_str_eq((char *)second->name->data, "CN");
  cr_assert_str_eq((char *)second->value->data, "three");
  th_list_free(comps);
  th_x509_name_free(n);
  th_x509_free(c);
}

Test(x509_name, utf8_values) {
  th_x509_name *n = fresh_name();
  const char *v = "J\xc3\xbcrgen \xe2\x82\xac";
  cr_assert_eq(th_x509_name_set_commonName(n, v), TH_OK);
  assert_attr(n, "commonName", v);
  th_x509_name_free(n);
}

Test(x509_name, rejected_value_leaves_name_unchanged) {
  th_x509_name *n = fresh_name();
  cr_assert_eq(th_x509_name_set_countryName(n, "US"), TH_OK);
  /* countryName must be exactly 2 characters: OpenSSL rejects it. */
  cr_assert_eq(th_x509_name_set_countryName(n, "USA"), TH_ERR_CRYPTO);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  assert_attr(n, "C", "US");
  th_x509_name_free(n);
}

Test(x509_name, unknown_attribute) {
  th_x509_name *n = fresh_name();
  th_bytes *v = NULL;
  cr_assert_eq(th_x509_name_get(n, "nosuchattribute", &v), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "No such attribute") != NULL, "%s", tu_err());
  cr_assert_eq(th_x509_name_set(n, "nosuchattribute", "x"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_name_set(n, "", "x"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_name_get(n, NULL, &v), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_set(n, NULL, "x"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_set(n, "CN", NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_get(n, "CN", NULL), TH_ERR_TYPE);
  /* Other names OpenSSL knows work, as pyOpenSSL's setattr. */
  cr_assert_eq(th_x509_name_set(n, "serialNumber", "42"), TH_OK);
  assert_attr(n, "serialNumber", "42");
  cr_assert_eq(th_x509_name_set(n, "2.5.4.3", "by-oid"), TH_OK);
  assert_attr(n, "CN", "by-oid");
  th_x509_name_free(n);
}

Test(x509_name, new_copies) {
  th_x509_name *a = fresh_name();
  cr_assert_eq(th_x509_name_set_commonName(a, "original"), TH_OK);
  th_x509_name *b = th_x509_name_new(a);
  cr_assert_eq(th_x509_name_set_commonName(b, "copy"), TH_OK);
  assert_attr(a, "CN", "original");
  assert_attr(b, "CN", "copy");
  th_x509_name_free(a);
  th_x509_name_free(b);
}

Test(x509_name, child_wraps_certificate_field) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "before", NULL, NULL, 1, 1);
  th_x509_name *s1 = th_x509_get_subject(c);
  th_x509_name *s2 = th_x509_get_subject(c);
  cr_assert_eq(th_x509_name_set_commonName(s1, "after"), TH_OK);
  assert_attr(s2, "CN", "after"); /* the other wrapper sees it */
  /* The child keeps the certificate alive. */
  th_x509_free(c);
  assert_attr(s1, "CN", "after");
  th_x509_name_free(s1);
  th_x509_name_free(s2);
  th_pkey_free(k);
}

Test(x509_name, change_to_loaded_certificate_is_written) {
  /* A loaded certificate caches its DER; a change through the child name
   * must still reach dump_certificate. */
  th_pkey *k = tu_ec_key();
  th_x509 *made = tx_cert(k, "old", NULL, NULL, 1, 2);
  th_bytes *pem = tx_pem(made);
  th_x509 *c = th_crypto_load_certificate(TH_FILETYPE_PEM, pem->data, pem->len);
  th_x509_name *s = th_x509_get_subject(c);
  cr_assert_eq(th_x509_name_set_commonName(s, "new"), TH_OK);
  th_bytes *pem2 = tx_pem(c);
  th_x509 *again = th_crypto_load_certificate(TH_FILETYPE_PEM, pem2->data, pem2->len);
  th_x509_name *s2 = th_x509_get_subject(again);
  assert_attr(s2, "CN", "new");
  th_x509_name_free(s2);
  th_x509_free(again);
  th_bytes_free(pem2);
  th_x509_name_free(s);
  th_x509_free(c);
  th_bytes_free(pem);
  th_x509_free(made);
  th_pkey_free(k);
}

Test(x509_name, der_and_components) {
  th_x509_name *n = fresh_name();
  th_x509_name_set_countryName(n, "US");
  th_x509_name_set_commonName(n, "example");
  th_bytes *der = th_x509_name_der(n);
  cr_assert_not_null(der);
  X509_NAME *raw = th_x509_name_to_x509_name(n);
  unsigned char *want = NULL;
  int wlen = i2d_X509_NAME(raw, &want);
  cr_assert_eq(der->len, (size_t)wlen);
  cr_assert_eq(memcmp(der->data, want, der->len), 0);
  OPENSSL_free(want);
  th_list *comps = th_x509_name_get_components(n);
  cr_assert_eq(comps->count, 2u);
  th_x509_name_component *c0 = th_list_get(comps, 0), *c1 = th_list_get(comps, 1);
  cr_assert_str_eq((char *)c0->name->data, "C");
  cr_assert_str_eq((char *)c0->value->data, "US");
  cr_assert_str_eq((char *)c1->name->data, "CN");
  cr_assert_str_eq((char *)c1->value->data, "example");
  th_list_free(comps);
  /* from_x509_name copies. */
  th_x509_name *w = th_x509_name_from_x509_name(raw);
  X509_NAME_free(raw);
  int cmp = 9;
  cr_assert_eq(th_x509_name_cmp(n, w, &cmp), TH_OK);
  cr_assert_eq(cmp, 0);
  th_x509_name_free(w);
  th_bytes_free(der);
  th_x509_name_free(n);
}

Test(x509_name, empty_components) {
  th_x509_name *n = fresh_name();
  th_list *comps = th_x509_name_get_components(n);
  cr_assert_eq(comps->count, 0u);
  th_list_free(comps);
  th_x509_name_free(n);
}

Test(x509_name, hash_matches_openssl_subject_hash) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "hash me", NULL, NULL, 1, 3);
  th_bytes *pem = tx_pem(c);
  const char *path = tx_write("c.pem", pem);
  char out[256];
  cr_assert_eq(tu_sh(out, sizeof out, "%s x509 -in %s -noout -subject_hash", tu_openssl(), path), 0,
               "%s", out);
  unsigned long want = strtoul(out, NULL, 16);
  th_x509_name *s = th_x509_get_subject(c);
  unsigned long h = 0, h2 = 0;
  cr_assert_eq(th_x509_name_hash(s, &h), TH_OK);
  cr_assert_eq(h, want, "%08lx vs %s", h, out);
  cr_assert_eq(th_x509_subject_name_hash(c, &h2), TH_OK);
  cr_assert_eq(h2, want);
  th_x509_name_free(s);
  th_bytes_free(pem);
  th_x509_free(c);
  th_pkey_free(k);
}

Test(x509_name, cmp_and_oneline) {
  th_x509_name *a = fresh_name(), *b = fresh_name();
  th_x509_name_set_commonName(a, "aaa");
  th_x509_name_set_commonName(b, "bbb");
  int r = 0;
  cr_assert_eq(th_x509_name_cmp(a, b, &r), TH_OK);
  cr_assert_lt(r, 0);
  cr_assert_eq(th_x509_name_cmp(b, a, &r), TH_OK);
  cr_assert_gt(r, 0);
  th_x509_name_set_countryName(a, "US");
  th_bytes *line = th_x509_name_oneline(a);
  cr_assert_str_eq((char *)line->data, "/CN=aaa/C=US");
  th_bytes_free(line);
  th_x509_name_free(a);
  th_x509_name_free(b);
}

Test(x509_name, bad_objects) {
  th_pkey *wrongk = th_pkey_new();
  th_x509_name *w = (th_x509_name *)wrongk;
  th_x509_name *n = fresh_name();
  th_bytes *v = NULL;
  unsigned long h;
  int r;
  cr_assert_null(th_x509_name_new(NULL));
  cr_assert_null(th_x509_name_new(w));
  tx_assert_err(TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_get(NULL, "CN", &v), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_get(w, "CN", &v), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_set(NULL, "CN", "x"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_set(w, "CN", "x"), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_get_commonName(w, &v), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_set_emailAddress(w, "x"), TH_ERR_TYPE);
  cr_assert_null(th_x509_name_der(NULL));
  cr_assert_null(th_x509_name_der(w));
  cr_assert_null(th_x509_name_get_components(NULL));
  cr_assert_null(th_x509_name_get_components(w));
  cr_assert_eq(th_x509_name_hash(NULL, &h), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_hash(w, &h), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_hash(n, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_cmp(n, w, &r), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_cmp(NULL, n, &r), TH_ERR_TYPE);
  cr_assert_eq(th_x509_name_cmp(n, n, NULL), TH_ERR_TYPE);
  cr_assert_null(th_x509_name_oneline(w));
  cr_assert_null(th_x509_name_to_x509_name(w));
  cr_assert_null(th_x509_name_from_x509_name(NULL));
  cr_assert_null(th_x509_name_up_ref(w));
  th_x509_name_free(NULL);
  th_x509_name_free(n);
  th_pkey_free(wrongk);
}

/* A name CN=x, <oid>=value, built in OpenSSL's terms (an attribute this
 * API cannot set: th_x509_name_set accepts only names OpenSSL knows). */
static th_x509_name *name_with_oid(const char *oid, const char *value) {
  X509_NAME *raw = X509_NAME_new();
  ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
  cr_assert_not_null(obj);
  cr_assert(X509_NAME_add_entry_by_txt(raw, "CN", MBSTRING_ASC, (const unsigned char *)"x", -1,
                                       -1, 0));
  cr_assert(X509_NAME_add_entry_by_OBJ(raw, obj, MBSTRING_ASC, (const unsigned char *)value, -1,
                                       -1, 0));
  th_x509_name *n = th_x509_name_from_x509_name(raw);
  cr_assert_not_null(n, "%s", tu_err());
  ASN1_OBJECT_free(obj);
  X509_NAME_free(raw);
  return n;
}

static void assert_components(const th_x509_name *n, const char *const *want, size_t count) {
  th_list *comps = th_x509_name_get_components(n);
  cr_assert_not_null(comps, "%s", tu_err());
  cr_assert_eq(comps->count, count);
  for (size_t i = 0; i < count; i++) {
    th_x509_name_component *c = th_list_get(comps, i);
    cr_assert_str_eq((char *)c->name->data, want[2 * i], "component %zu", i);
    cr_assert_str_eq((char *)c->value->data, want[2 * i + 1], "component %zu", i);
  }
  th_list_free(comps);
}

static void assert_oneline(const th_x509_name *n, const char *want) {
  th_bytes *line = th_x509_name_oneline(n);
  cr_assert_not_null(line, "%s", tu_err());
  cr_assert_str_eq((char *)line->data, want);
  th_bytes_free(line);
}

static void assert_der_hex(const th_x509_name *n, const char *want) {
  th_bytes *der = th_x509_name_der(n);
  cr_assert_not_null(der, "%s", tu_err());
  char hex[256] = "";
  cr_assert_lt(2 * der->len, sizeof hex);
  for (size_t i = 0; i < der->len; i++) sprintf(hex + 2 * i, "%02x", der->data[i]);
  cr_assert_str_eq(hex, want);
  th_bytes_free(der);
}

#define UNKNOWN_OID "1.3.6.1.4.1.55555.7"

/* Issue 12 item 3 / issue 17: an attribute OpenSSL does not know. The
 * expected values are pyOpenSSL's (23.0 on this libcrypto; 16.1 does the
 * same calls): get_components names it "UNDEF" (OBJ_nid2sn(NID_undef)),
 * not by its dotted OID; str()/oneline shows the dotted OID; getattr and
 * setattr by that OID are AttributeError "No such attribute"; der and hash
 * are those of the encoded name. */
Test(x509_name, unknown_oid_entry) {
  th_x509_name *n = name_with_oid(UNKNOWN_OID, "v");
  static const char *const comps[] = {"CN", "x", "UNDEF", "v"};
  assert_components(n, comps, 2);
  assert_oneline(n, "/CN=x/" UNKNOWN_OID "=v");
  static const char der[] =
      "301e310a300806035504030c01783110300e06092b0601040183b203070c0176";
  assert_der_hex(n, der);
  unsigned long h = 0;
  cr_assert_eq(th_x509_name_hash(n, &h), TH_OK, "%s", tu_err());
  cr_assert_eq(h, 0x64c98d15UL, "%08lx", h);
  /* The known attribute next to it reads as usual. */
  assert_attr(n, "CN", "x");
  /* The unknown one cannot be named, for reading or writing, and the failed
   * set leaves the name as it was. */
  th_bytes *v = NULL;
  cr_assert_eq(th_x509_name_get(n, UNKNOWN_OID, &v), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "No such attribute") != NULL, "%s", tu_err());
  cr_assert_eq(th_x509_name_set(n, UNKNOWN_OID, "w"), TH_ERR_VALUE);
  assert_der_hex(n, der);
  /* Replacing CN keeps the unknown entry and moves CN last, as pyOpenSSL's
   * setattr (delete, then append). */
  cr_assert_eq(th_x509_name_set_commonName(n, "y"), TH_OK, "%s", tu_err());
  static const char *const after[] = {"UNDEF", "v", "CN", "y"};
  assert_components(n, after, 2);
  assert_oneline(n, "/" UNKNOWN_OID "=v/CN=y");
  th_x509_name_free(n);
}

/* Comparisons look at the encoded entries, unknown ones included: the OID
 * and the value both order names (pyOpenSSL: s < s2 and s < s3 are True). */
Test(x509_name, unknown_oid_comparisons) {
  static const struct {
    const char *oid, *value;
    int sign; /* of cmp(CN=x,UNKNOWN_OID=v ; CN=x,oid=value) */
  } cases[] = {
      {UNKNOWN_OID, "v", 0},
      {"1.3.6.1.4.1.55555.8", "v", -1},
      {UNKNOWN_OID, "w", -1},
      {UNKNOWN_OID, "u", 1},
      {"1.3.6.1.4.1.55555.6", "v", 1},
  };
  th_x509_name *a = name_with_oid(UNKNOWN_OID, "v");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    th_x509_name *b = name_with_oid(cases[i].oid, cases[i].value);
    int r = 99, back = 99;
    cr_assert_eq(th_x509_name_cmp(a, b, &r), TH_OK, "%s", tu_err());
    cr_assert_eq(th_x509_name_cmp(b, a, &back), TH_OK, "%s", tu_err());
    int sign = (r > 0) - (r < 0);
    cr_assert_eq(sign, cases[i].sign, "case %zu: cmp %d", i, r);
    cr_assert_eq((back > 0) - (back < 0), -sign, "case %zu: reversed cmp %d", i, back);
    unsigned long ha = 0, hb = 0;
    cr_assert_eq(th_x509_name_hash(a, &ha), TH_OK);
    cr_assert_eq(th_x509_name_hash(b, &hb), TH_OK);
    cr_assert_eq(ha == hb, sign == 0, "case %zu: hashes %08lx %08lx", i, ha, hb);
    th_x509_name_free(b);
  }
  th_x509_name_free(a);
}

/* The unknown entry survives a certificate: set as subject, dumped,
 * loaded again, read back. */
Test(x509_name, unknown_oid_through_certificate) {
  th_pkey *k = tu_ec_key();
  th_x509 *c = tx_cert(k, "placeholder", NULL, NULL, 0, 7);
  th_x509_name *n = name_with_oid(UNKNOWN_OID, "v");
  cr_assert_eq(th_x509_set_subject(c, n), TH_OK, "%s", tu_err());
  cr_assert_eq(th_x509_sign(c, k, "sha256"), TH_OK, "%s", tu_err());
  th_bytes *pem = tx_pem(c);
  th_x509 *again = th_crypto_load_certificate(TH_FILETYPE_PEM, pem->data, pem->len);
  cr_assert_not_null(again, "%s", tu_err());
  th_x509_name *s = th_x509_get_subject(again);
  static const char *const comps[] = {"CN", "x", "UNDEF", "v"};
  assert_components(s, comps, 2);
  int r = 99;
  cr_assert_eq(th_x509_name_cmp(s, n, &r), TH_OK);
  cr_assert_eq(r, 0);
  th_x509_name_free(s);
  th_x509_free(again);
  th_bytes_free(pem);
  th_x509_name_free(n);
  th_x509_free(c);
  th_pkey_free(k);
}
