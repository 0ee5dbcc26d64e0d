/* elliptic_curve_test.c — crypto.get_elliptic_curves / get_elliptic_curve. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/objects.h>

#include "testutil_chain.h"

TestSuite(elliptic_curve);

Test(elliptic_curve, list_matches_the_builtin_curves) {
  th_list *l = th_crypto_get_elliptic_curves();
  cr_assert_not_null(l);
  cr_assert_eq(l->count, EC_get_builtin_curves(NULL, 0));
  int p256 = 0;
  for (size_t i = 0; i < l->count; i++) {
    th_bytes *n = th_elliptic_curve_get_name(th_list_get(l, i));
    cr_assert_not_null(n);
    cr_assert_gt(n->len, 0u);
    p256 |= strcmp((char *)n->data, "prime256v1") == 0;
    /* Each name leads back to the same curve. */
    th_elliptic_curve *c = th_crypto_get_elliptic_curve((char *)n->data);
    cr_assert_not_null(c, "%s", n->data);
    cr_assert_eq(th_elliptic_curve_get_nid(c), th_elliptic_curve_get_nid(th_list_get(l, i)));
    th_elliptic_curve_free(c);
    th_bytes_free(n);
  }
  cr_assert(p256);
  th_list_free(l);
}

Test(elliptic_curve, get_by_name) {
  th_elliptic_curve *c = th_crypto_get_elliptic_curve("secp384r1");
  cr_assert_not_null(c);
  cr_assert_eq(th_elliptic_curve_get_nid(c), NID_secp384r1);
  th_bytes *n = th_elliptic_curve_get_name(c);
  cr_assert_str_eq((char *)n->data, "secp384r1");
  th_bytes_free(n);
  cr_assert_eq(th_elliptic_curve_up_ref(c), c);
  th_elliptic_curve_free(c);
  th_elliptic_curve_free(c);
  /* The NIST alias names the same curve under its short name. */
  c = th_crypto_get_elliptic_curve("P-256");
  cr_assert_not_null(c);
  n = th_elliptic_curve_get_name(c);
  cr_assert_str_eq((char *)n->data, "prime256v1");
  th_bytes_free(n);
  th_elliptic_curve_free(c);
  th_elliptic_curve_free(NULL);
}

Test(elliptic_curve, unknown_names_are_value_errors) {
  const char *bad[] = {"", "nosuchcurve", "X25519", "sha256", "rsaEncryption"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_null(th_crypto_get_elliptic_curve(bad[i]), "%s", bad[i]);
    cr_assert_eq(th_error_kind(), TH_ERR_VALUE, "%s", bad[i]);
  }
  cr_assert_null(th_crypto_get_elliptic_curve(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

Test(elliptic_curve, wrong_type) {
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_elliptic_curve_get_name((th_elliptic_curve *)k));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_elliptic_curve_get_nid((th_elliptic_curve *)k), TH_ERR_TYPE);
  cr_assert_null(th_elliptic_curve_up_ref((th_elliptic_curve *)k));
  cr_assert_null(th_elliptic_curve_get_name(NULL));
  th_pkey_free(k);
}
