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

/* A library of our own in OpenSSL's error table, with reason strings of a
 * chosen length (the longest a record entry keeps: 127 characters). */
static int long_reason_lib(void) {
  static int lib;
  static char reason[128];
  static ERR_STRING_DATA strings[3];
  if (lib != 0) return lib;
  lib = ERR_get_next_error_library();
  memset(reason, 'r', sizeof reason - 1);
  strings[0] = (ERR_STRING_DATA){ERR_PACK(lib, 0, 0), "th-test-lib"};
  strings[1] = (ERR_STRING_DATA){ERR_PACK(lib, 0, 1), reason};
  ERR_load_strings(lib, strings);
  return lib;
}

/* A failure inside OpenSSL: countryName "USA" (too long). The record's
 * queue is what OpenSSL's error queue held. */
static void fail_in_openssl(void) {
  th_x509 *c = th_x509_new();
  th_x509_name *n = th_x509_get_subject(c);
  int rc = th_x509_name_set_countryName(n, "USA");
  th_x509_name_free(n);
  th_x509_free(c);
  cr_assert_eq(rc, TH_ERR_CRYPTO);
}

/* Entries already on OpenSSL's queue when a call fails through it are
 * copied before the call's own, oldest first, as pyOpenSSL's
 * _raise_current_error lists them, and the queue is left empty. OpenSSL's
 * queue is a ring that keeps only its newest entries (15 on 3.0, fewer
 * than TH_ERROR_QUEUE_MAX), so the call's own entries, the newest, are
 * always kept. An entry of a library with no strings reads lib "" and
 * "reason(N)". */
Test(error, stale_queue_entries_come_first) {
  ERR_clear_error();
  fail_in_openssl();
  th_error own = *th_error_last();
  cr_assert_gt(own.queue_len, 0u);
  int unnamed = ERR_get_next_error_library();
  enum { STALE = TH_ERROR_QUEUE_MAX + 4 };
  for (int i = 1; i <= STALE; i++) ERR_raise(unnamed, i);
  fail_in_openssl();
  const th_error *e = th_error_last();
  cr_assert_eq(ERR_peek_error(), 0ul, "the queue is drained");
  cr_assert_leq(e->queue_len, (size_t)TH_ERROR_QUEUE_MAX);
  cr_assert_gt(e->queue_len, own.queue_len);
  size_t stale = e->queue_len - own.queue_len;
  for (size_t i = 0; i < stale; i++) {
    char want[32];
    snprintf(want, sizeof want, "reason(%zu)", STALE - stale + 1 + i);
    cr_assert_str_eq(e->queue[i].lib, "", "entry %zu", i);
    cr_assert_str_eq(e->queue[i].func, "", "entry %zu", i);
    cr_assert_str_eq(e->queue[i].reason, want, "entry %zu", i);
    cr_assert_eq(ERR_GET_LIB(e->queue[i].code), unnamed, "entry %zu", i);
  }
  for (size_t i = 0; i < own.queue_len; i++) {
    cr_assert_eq(e->queue[stale + i].code, own.queue[i].code, "entry %zu", stale + i);
    cr_assert_str_eq(e->queue[stale + i].reason, own.queue[i].reason);
  }
  cr_assert_str_eq(e->message, own.message, "the message names the call's own last entry");
}

/* A record longer than any fixed buffer: th_error_format still reports the
 * length it needs, like snprintf, and writes the whole line into a buffer
 * of that size. */
Test(error, format_of_a_long_record_is_not_cut) {
  int lib = long_reason_lib();
  ERR_clear_error();
  for (int i = 0; i < TH_ERROR_QUEUE_MAX; i++) ERR_raise(lib, 1);
  fail_in_openssl();
  const th_error *e = th_error_last();
  cr_assert_str_eq(e->queue[0].lib, "th-test-lib");
  cr_assert_eq(strlen(e->queue[0].reason), 127u);
  /* "TH_ERR_CRYPTO: <message>" then " [('<lib>', '', '<reason>')]" per entry. */
  size_t want = strlen("TH_ERR_CRYPTO: ") + strlen(e->message);
  for (size_t i = 0; i < e->queue_len; i++)
    want += strlen(" [('', '', '')]") + strlen(e->queue[i].lib) + strlen(e->queue[i].reason);
  cr_assert_gt(want, 1500u);
  cr_assert_eq(th_error_format(NULL, 0), (int)want);
  char *buf = malloc(want + 1);
  cr_assert_eq(th_error_format(buf, want + 1), (int)want);
  cr_assert_eq(strlen(buf), want);
  cr_assert(strncmp(buf, "TH_ERR_CRYPTO: ", 15) == 0, "%.60s", buf);
  char last[200];
  snprintf(last, sizeof last, " [('%s', '', '%s')]", e->queue[e->queue_len - 1].lib,
           e->queue[e->queue_len - 1].reason);
  cr_assert_str_eq(buf + want - strlen(last), last);
  /* One byte short: cut, terminated, the same length reported. */
  cr_assert_eq(th_error_format(buf, want), (int)want);
  cr_assert_eq(strlen(buf), want - 1);
  free(buf);
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
  /* A real list (a name's components): in range, then past the end. */
  th_x509 *c = th_x509_new();
  th_x509_name *n = th_x509_get_subject(c);
  cr_assert_eq(th_x509_name_set_commonName(n, "one"), TH_OK);
  th_list *l = th_x509_name_get_components(n);
  cr_assert_eq(l->count, 1u);
  th_x509_name_component *first = th_list_get(l, 0);
  cr_assert_not_null(first);
  cr_assert_str_eq((char *)first->value->data, "one");
  static const size_t past[] = {1, 2, (size_t)-1};
  for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
    th_error_clear();
    cr_assert_null(th_list_get(l, past[i]));
    cr_assert_eq(th_error_kind(), TH_ERR_INDEX, "index %zu", past[i]);
    cr_assert(strstr(th_error_last()->message, "out of range (count 1)") != NULL, "%s",
              th_error_last()->message);
  }
  th_list_free(l);
  th_x509_name_free(n);
  th_x509_free(c);
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
