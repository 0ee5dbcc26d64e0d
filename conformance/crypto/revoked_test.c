/* revoked_test.c — crypto.Revoked. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "testutil_chain.h"

TestSuite(revoked);

static const char *const spec_reasons[] = {
    "unspecified", "keyCompromise",        "CACompromise",   "affiliationChanged",
    "superseded",  "cessationOfOperation", "certificateHold"};

Test(revoked, all_reasons_lists_the_spec_reasons) {
  th_list *l = th_revoked_all_reasons();
  cr_assert_not_null(l);
  cr_assert_eq(l->count, 7u);
  for (size_t i = 0; i < l->count; i++)
    cr_assert_str_eq((char *)((th_bytes *)th_list_get(l, i))->data, spec_reasons[i]);
  /* A copy: changing it changes nothing. */
  ((th_bytes *)th_list_get(l, 0))->data[0] = 'X';
  th_list *again = th_revoked_all_reasons();
  cr_assert_str_eq((char *)((th_bytes *)th_list_get(again, 0))->data, "unspecified");
  th_list_free(again);
  th_list_free(l);
}

/* squash: lower case without spaces, as pyOpenSSL compares reasons. */
static void squash(const char *in, char *out) {
  for (; *in; in++)
    if (*in != ' ') *out++ = (char)tolower((unsigned char)*in);
  *out = '\0';
}

/* Parameters are copied into the test process by value: no pointers. */
typedef struct reason_param {
  char name[32];
} reason_param;

ParameterizedTestParameters(revoked, set_reason_round_trips) {
  static reason_param params[7];
  for (size_t i = 0; i < 7; i++)
    snprintf(params[i].name, sizeof params[i].name, "%s", spec_reasons[i]);
  return cr_make_param_array(reason_param, params, 7);
}

ParameterizedTest(reason_param *p, revoked, set_reason_round_trips) {
  const char *const *reason = &(const char *){p->name};
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_reason(r, *reason), TH_OK, "%s", tu_err());
  th_bytes *got = NULL;
  cr_assert_eq(th_revoked_get_reason(r, &got), TH_OK);
  cr_assert_not_null(got);
  char a[64], b[64];
  squash((char *)got->data, a);
  squash(*reason, b);
  cr_assert_str_eq(a, b, "%s vs %s", got->data, *reason);
  th_bytes_free(got);
  th_revoked_free(r);
}

Test(revoked, reason_text_is_openssls_and_matching_ignores_case_and_spaces) {
  th_revoked *r = th_revoked_new();
  th_bytes *got = NULL;
  cr_assert_eq(th_revoked_get_reason(r, &got), TH_OK);
  cr_assert_null(got, "no reason yet: None");
  cr_assert_eq(th_revoked_set_reason(r, "Key Compromise"), TH_OK);
  cr_assert_eq(th_revoked_get_reason(r, &got), TH_OK);
  cr_assert_str_eq((char *)got->data, "Key Compromise");
  th_bytes_free(got);
  cr_assert_eq(th_revoked_set_reason(r, "CESSATIONOFOPERATION"), TH_OK);
  cr_assert_eq(th_revoked_get_reason(r, &got), TH_OK);
  cr_assert_str_eq((char *)got->data, "Cessation Of Operation");
  th_bytes_free(got);
  th_revoked_free(r);
}

Test(revoked, set_reason_none_deletes) {
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_reason(r, NULL), TH_OK, "deleting nothing is fine");
  cr_assert_eq(th_revoked_set_reason(r, "superseded"), TH_OK);
  cr_assert_eq(th_revoked_set_reason(r, NULL), TH_OK);
  th_bytes *got = (th_bytes *)1;
  cr_assert_eq(th_revoked_get_reason(r, &got), TH_OK);
  cr_assert_null(got);
  th_revoked_free(r);
}

Test(revoked, set_reason_unknown_is_value_error_and_keeps_the_old_one) {
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_reason(r, "superseded"), TH_OK);
  cr_assert_eq(th_revoked_set_reason(r, "because"), TH_ERR_VALUE);
  cr_assert_eq(th_revoked_set_reason(r, "removeFromCRL"), TH_ERR_VALUE);
  cr_assert_eq(th_revoked_set_reason(r, ""), TH_ERR_VALUE);
  char longtext[300];
  memset(longtext, 'a', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = '\0';
  cr_assert_eq(th_revoked_set_reason(r, longtext), TH_ERR_VALUE);
  th_bytes *got = NULL;
  cr_assert_eq(th_revoked_get_reason(r, &got), TH_OK);
  cr_assert_str_eq((char *)got->data, "Superseded");
  th_bytes_free(got);
  th_revoked_free(r);
}

Test(revoked, rev_date_round_trips) {
  th_revoked *r = th_revoked_new();
  th_bytes *got = (th_bytes *)1;
  cr_assert_eq(th_revoked_get_rev_date(r, &got), TH_OK);
  cr_assert_null(got, "unset date: None");
  cr_assert_eq(th_revoked_set_rev_date(r, "20200229120000Z"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_revoked_get_rev_date(r, &got), TH_OK);
  cr_assert_str_eq((char *)got->data, "20200229120000Z");
  th_bytes_free(got);
  /* An offset form is accepted and comes back in UTC. */
  cr_assert_eq(th_revoked_set_rev_date(r, "20200101000000+0100"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_revoked_get_rev_date(r, &got), TH_OK);
  cr_assert_str_eq((char *)got->data, "20191231230000Z");
  th_bytes_free(got);
  th_revoked_free(r);
}

Test(revoked, rev_date_bad_input_keeps_the_old_date) {
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_rev_date(r, "20200229120000Z"), TH_OK);
  const char *bad[] = {"", "yesterday", "20201301000000Z", "20200230000000Z", "2020"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(th_revoked_set_rev_date(r, bad[i]), TH_ERR_VALUE, "%s", bad[i]);
  cr_assert_eq(th_revoked_set_rev_date(r, NULL), TH_ERR_TYPE);
  th_bytes *got = NULL;
  cr_assert_eq(th_revoked_get_rev_date(r, &got), TH_OK);
  cr_assert_str_eq((char *)got->data, "20200229120000Z");
  th_bytes_free(got);
  th_revoked_free(r);
}

Test(revoked, serial_is_hex_text) {
  th_revoked *r = th_revoked_new();
  th_bytes *s = th_revoked_get_serial(r);
  cr_assert_str_eq((char *)s->data, "00");
  th_bytes_free(s);
  cr_assert_eq(th_revoked_set_serial(r, "10b"), TH_OK);
  s = th_revoked_get_serial(r);
  cr_assert_str_eq((char *)s->data, "010B"); /* as pyOpenSSL's own test */
  th_bytes_free(s);
  cr_assert_eq(th_revoked_set_serial(r, "DEADBEEFcafe0123456789"), TH_OK);
  s = th_revoked_get_serial(r);
  cr_assert_str_eq((char *)s->data, "DEADBEEFCAFE0123456789");
  th_bytes_free(s);
  th_revoked_free(r);
}

Test(revoked, serial_bad_input_keeps_the_old_serial) {
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_serial(r, "abc"), TH_OK);
  const char *bad[] = {"", "12xy", "0x12", "-5", " 12", "g"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(th_revoked_set_serial(r, bad[i]), TH_ERR_VALUE, "%s", bad[i]);
  cr_assert_eq(th_revoked_set_serial(r, NULL), TH_ERR_TYPE);
  th_bytes *s = th_revoked_get_serial(r);
  cr_assert_str_eq((char *)s->data, "0ABC");
  th_bytes_free(s);
  th_revoked_free(r);
}

Test(revoked, wrong_type_and_null) {
  th_crl *crl = th_crl_new();
  th_revoked *wrong = (th_revoked *)crl;
  th_bytes *b = NULL;
  cr_assert_eq(th_revoked_set_reason(wrong, "superseded"), TH_ERR_TYPE);
  cr_assert_eq(th_revoked_get_reason(wrong, &b), TH_ERR_TYPE);
  cr_assert_eq(th_revoked_set_rev_date(wrong, "20200101000000Z"), TH_ERR_TYPE);
  cr_assert_eq(th_revoked_get_rev_date(wrong, &b), TH_ERR_TYPE);
  cr_assert_eq(th_revoked_set_serial(wrong, "1"), TH_ERR_TYPE);
  cr_assert_null(th_revoked_get_serial(wrong));
  cr_assert_eq(th_revoked_get_reason(NULL, &b), TH_ERR_TYPE);
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_get_reason(r, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_revoked_get_rev_date(r, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_revoked_up_ref(r), r);
  th_revoked_free(r);
  th_revoked_free(r);
  th_revoked_free(NULL);
  cr_assert_null(th_revoked_up_ref(wrong));
  th_crl_free(crl);
}

/* A revoked serial is bounded to 4096 hex digits: at the bound it is
 * taken, one more is TH_ERR_VALUE and the serial stays. */
Test(revoked, serial_digit_limit) {
  static char hex[4098];
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_serial(r, "abc"), TH_OK);
  memset(hex, 'f', 4097);
  cr_assert_eq(th_revoked_set_serial(r, hex), TH_ERR_VALUE);
  th_bytes *s = th_revoked_get_serial(r);
  cr_assert_str_eq((char *)s->data, "0ABC");
  th_bytes_free(s);
  hex[4096] = '\0';
  cr_assert_eq(th_revoked_set_serial(r, hex), TH_OK, "%s", tu_err());
  s = th_revoked_get_serial(r);
  /* i2a_ASN1_INTEGER's text: the digits, split by "\\\n" every 70. */
  size_t fs = 0;
  for (size_t i = 0; i < s->len; i++) fs += s->data[i] == 'F';
  cr_assert_eq(fs, 4096u, "%zu F digits", fs);
  cr_assert(strncmp((char *)s->data, "FFFF", 4) == 0, "%.8s", s->data);
  cr_assert_not_null(strstr((char *)s->data, "\\\n"), "split into lines");
  th_bytes_free(s);
  th_revoked_free(r);
}

/* A reason extension whose value does not decode: get_reason prints the
 * raw value as pyOpenSSL 16.1 does (ASN1_STRING_print when OpenSSL's
 * printer fails: printable bytes as they are, others as '.'). */
Test(revoked, undecodable_reason_prints_the_raw_value) {
  X509_CRL *raw = X509_CRL_new();
  X509_REVOKED *rv = X509_REVOKED_new();
  ASN1_INTEGER *serial = ASN1_INTEGER_new();
  ASN1_TIME *when = ASN1_TIME_new();
  ASN1_OCTET_STRING *garbage = ASN1_OCTET_STRING_new();
  cr_assert(ASN1_INTEGER_set(serial, 5) && X509_REVOKED_set_serialNumber(rv, serial));
  cr_assert(ASN1_TIME_set_string(when, "20200101000000Z") && X509_REVOKED_set_revocationDate(rv, when));
  cr_assert(ASN1_OCTET_STRING_set(garbage, (const unsigned char *)"\x04\x02zz", 4));
  X509_EXTENSION *ext = X509_EXTENSION_create_by_NID(NULL, NID_crl_reason, 0, garbage);
  cr_assert(ext != NULL && X509_REVOKED_add_ext(rv, ext, -1));
  cr_assert(X509_CRL_add0_revoked(raw, rv));
  th_crl *crl = th_crl_from_x509_crl(raw);
  cr_assert_not_null(crl, "%s", tu_err());
  th_list *l = NULL;
  cr_assert_eq(th_crl_get_revoked(crl, &l), TH_OK, "%s", tu_err());
  cr_assert_eq(l->count, 1u);
  th_bytes *reason = NULL;
  cr_assert_eq(th_revoked_get_reason(th_list_get(l, 0), &reason), TH_OK, "%s", tu_err());
  cr_assert_not_null(reason);
  cr_assert_str_eq((char *)reason->data, "..zz");
  th_bytes_free(reason);
  th_list_free(l);
  th_crl_free(crl);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(garbage);
  ASN1_TIME_free(when);
  ASN1_INTEGER_free(serial);
  X509_CRL_free(raw);
}
