/* error_test.c — the error record, th_bytes, th_list and the object model. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "testutil.h"

TestSuite(error);

Test(error, kinds_have_names) {
  cr_assert_str_eq(th_err_name(TH_OK), "TH_OK");
  cr_assert_str_eq(th_err_name(TH_ERR_SSL), "TH_ERR_SSL");
  cr_assert_str_eq(th_err_name(TH_ERR_VERIFY), "TH_ERR_VERIFY");
  cr_assert_str_eq(th_err_name(TH_ERR_STALLED), "TH_ERR_STALLED");
  cr_assert_str_eq(th_err_name(-999), "TH_ERR_?");
  cr_assert_str_eq(th_err_name(5), "TH_ERR_?");
  /* Issue 12 item 12: range-checked, not negated (-INT_MIN is undefined). */
  cr_assert_str_eq(th_err_name(INT_MIN), "TH_ERR_?");
  cr_assert_str_eq(th_err_name(INT_MAX), "TH_ERR_?");
  cr_assert_str_eq(th_err_name(TH_ERR_STALLED - 1), "TH_ERR_?");
}

Test(error, clear_resets_record) {
  cr_assert_null(th_bytes_new(NULL, 3));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_error_clear();
  cr_assert_eq(th_error_kind(), TH_OK);
  cr_assert_str_eq(th_error_last()->message, "");
  cr_assert_null(th_error_certificate());
}

Test(error, format_is_one_line_with_kind_and_message) {
  cr_assert_null(th_bytes_new(NULL, 1));
  char buf[512];
  int n = th_error_format(buf, sizeof buf);
  cr_assert_gt(n, 0);
  cr_assert(strstr(buf, "TH_ERR_TYPE") != NULL, "%s", buf);
  cr_assert(strstr(buf, "data is NULL") != NULL, "%s", buf);
  cr_assert_null(strchr(buf, '\n'));
  /* A tiny buffer is truncated but NUL-terminated, and the full length is
   * still reported, like snprintf. */
  char small[8];
  cr_assert_eq(th_error_format(small, sizeof small), n);
  cr_assert_eq(strlen(small), 7u);
  cr_assert_eq(th_error_format(NULL, 0), n);
}

Test(error, openssl_queue_is_copied_with_empty_func) {
  /* Provoke a real OpenSSL error through the public API: a PKey escape
   * hatch with an uninitialized key does not touch OpenSSL, so use a bad
   * DER parse via OpenSSL and then a library call that copies the queue. */
  const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
  const unsigned char *p = junk;
  cr_assert_null(d2i_X509(NULL, &p, sizeof junk));
  cr_assert_neq(ERR_peek_error(), 0ul);
  /* th_x509_from_x509(NULL) records TH_ERR_TYPE and clears the stale
   * OpenSSL queue so it can never leak into a later error. */
  cr_assert_null(th_x509_from_x509(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(ERR_peek_error(), 0ul);
  cr_assert_eq(th_error_last()->queue_len, 0u);
}

Test(error, record_is_per_thread) {
  cr_assert_null(th_bytes_new(NULL, 1));
  const th_error *mine = th_error_last();
  cr_assert_eq(mine->kind, TH_ERR_TYPE);
  /* Another thread starts with a clean record. */
  pthread_t t;
  int other_kind = 99;
  struct arg { int *out; } a = {&other_kind};
  extern void *tu_thread_kind(void *);
  cr_assert_eq(pthread_create(&t, NULL, tu_thread_kind, &a), 0);
  pthread_join(t, NULL);
  cr_assert_eq(other_kind, TH_OK);
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

void *tu_thread_kind(void *arg) {
  **(int **)arg = th_error_kind();
  return NULL;
}

Test(bytes, new_copies_and_terminates) {
  th_bytes *b = th_bytes_new("abc", 3);
  cr_assert_not_null(b);
  cr_assert_eq(b->len, 3u);
  cr_assert_str_eq((char *)b->data, "abc");
  th_bytes_free(b);
  th_bytes *e = th_bytes_new(NULL, 0);
  cr_assert_not_null(e);
  cr_assert_eq(e->len, 0u);
  cr_assert_eq(e->data[0], 0);
  th_bytes_free(e);
  th_bytes_free(NULL);
}

Test(bytes, bad_input) {
  cr_assert_null(th_bytes_new(NULL, 10));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_bytes_new("x", (size_t)-1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
}

Test(list, get_and_bad_index) {
  cr_assert_null(th_list_get(NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_list_free(NULL);
}

Test(object, wrong_type_is_type_error_not_crash) {
  th_pkey *key = tu_ec_key();
  cr_assert_not_null(key);
  /* A PKey passed where an X509 is expected. */
  cr_assert_null(th_x509_to_x509((th_x509 *)key));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert(strstr(th_error_last()->message, "is a PKey, expected a X509") != NULL, "%s",
            th_error_last()->message);
  th_error_clear();
  cr_assert_null(th_x509_up_ref((th_x509 *)key));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE, "up_ref of the wrong class says so");
  th_pkey_free(key);
}

Test(object, up_ref_keeps_alive) {
  th_pkey *key = tu_ec_key();
  cr_assert_eq(th_pkey_up_ref(key), key);
  th_pkey_free(key);
  EVP_PKEY *evp = th_pkey_to_evp(key);
  cr_assert_not_null(evp);
  EVP_PKEY_free(evp);
  th_pkey_free(key);
  cr_assert_null(th_pkey_up_ref(NULL));
}

/* Issue 12 item 10: a pointer that is not a tlsharness object gives
 * TH_ERR_TYPE without its first word being followed as a type. The check
 * reads the header's first 8 bytes (the magic word) of a foreign object:
 * every object below is at least that big (docs/api.md). */
static void assert_foreign(const void *p, const char *what) {
  th_error_clear();
  cr_assert_null(th_x509_get_subject((th_x509 *)p), "%s", what);
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE, "%s", what);
  cr_assert(strstr(th_error_last()->message, "not a tlsharness object") != NULL, "%s: %s", what,
            th_error_last()->message);
  cr_assert_eq(th_x509_get_version((const th_x509 *)p), TH_ERR_TYPE, "%s", what);
  cr_assert_null(th_x509_up_ref((th_x509 *)p), "%s", what);
  th_x509_free((th_x509 *)p); /* not ours: left alone */
}

Test(object, foreign_pointers_are_type_errors) {
  /* A th_bytes (its first word a data pointer). */
  th_bytes *b = th_bytes_new("abcdefgh", 8);
  assert_foreign(b, "th_bytes");
  cr_assert_str_eq((char *)b->data, "abcdefgh", "the bytes were not touched");
  th_bytes_free(b);
  /* A raw OpenSSL X509. */
  X509 *raw = X509_new();
  assert_foreign(raw, "raw X509");
  X509_free(raw);
  /* Garbage: random words, and words that point at themselves. */
  uint64_t *junk = malloc(4 * sizeof *junk);
  for (int i = 0; i < 4; i++) junk[i] = 0x4141414141414141ull * (uint64_t)(i + 1);
  assert_foreign(junk, "garbage");
  for (int i = 0; i < 4; i++) junk[i] = (uint64_t)(uintptr_t)junk;
  assert_foreign(junk, "self-pointing garbage");
  free(junk);
  /* A freed-and-reused look: a th_list (also not a th_obj). */
  th_list *l = th_x509_name_get_components(NULL);
  cr_assert_null(l);
}
