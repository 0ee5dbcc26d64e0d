/* rand_test.c — the rand module. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil_chain.h"

TestSuite(rand);

Test(rand, bytes_gives_the_count_asked_and_differs) {
  th_bytes *a = th_rand_bytes(32), *b = th_rand_bytes(32);
  cr_assert(a && b);
  cr_assert_eq(a->len, 32u);
  cr_assert_neq(memcmp(a->data, b->data, 32), 0);
  th_bytes_free(a);
  th_bytes_free(b);
  th_bytes *z = th_rand_bytes(0);
  cr_assert_not_null(z);
  cr_assert_eq(z->len, 0u);
  th_bytes_free(z);
  th_bytes *big = th_rand_bytes(1 << 20);
  cr_assert_eq(big->len, 1u << 20);
  th_bytes_free(big);
}

Test(rand, bytes_negative_is_value_error) {
  cr_assert_null(th_rand_bytes(-1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  /* pyOpenSSL 16.1: ValueError("num_bytes must not be negative") */
  cr_assert_str_eq(th_error_last()->message, "num_bytes must not be negative");
  cr_assert_null(th_rand_bytes(1L << 40));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
}

Test(rand, add_seed_status) {
  const char buf[] = "some extra entropy";
  cr_assert_eq(th_rand_add(buf, sizeof buf, 2.0), TH_OK);
  cr_assert_eq(th_rand_seed(buf, sizeof buf), TH_OK);
  cr_assert_eq(th_rand_add(NULL, 0, 0), TH_OK);
  cr_assert_eq(th_rand_status(), 1);
  cr_assert_eq(th_rand_add(NULL, 5, 1), TH_ERR_TYPE);
  cr_assert_eq(th_rand_seed(NULL, 5), TH_ERR_TYPE);
  cr_assert_eq(th_rand_add(buf, sizeof buf, -1), TH_ERR_VALUE);
  cr_assert_eq(th_rand_add(buf, (size_t)-1, 1), TH_ERR_VALUE);
  cr_assert_eq(th_rand_seed(buf, (size_t)-1), TH_ERR_VALUE);
}

Test(rand, cleanup_keeps_the_generator_working) {
  cr_assert_eq(th_rand_cleanup(), TH_OK);
  th_bytes *b = th_rand_bytes(16);
  cr_assert_not_null(b);
  th_bytes_free(b);
  cr_assert_eq(th_rand_status(), 1);
}

Test(rand, egd_ignores_path_and_returns_bytes) {
  cr_assert_eq(th_rand_egd("/nonexistent/egd-pool", TH_RAND_EGD_DEFAULT_BYTES), 255);
  cr_assert_eq(th_rand_egd("anything", 1000), 1000);
  cr_assert_eq(th_rand_egd("anything", 0), 0);
  cr_assert_eq(th_rand_egd(NULL, 10), TH_ERR_TYPE);
  cr_assert_eq(th_rand_egd("x", -1), TH_ERR_VALUE);
}

Test(rand, write_file_then_load_file) {
  const char *p = tu_path("seed.rnd");
  char path[1024];
  snprintf(path, sizeof path, "%s", p);
  int n = th_rand_write_file(path);
  cr_assert_eq(n, 1024, "%d %s", n, tu_err());
  struct stat st;
  cr_assert_eq(stat(path, &st), 0);
  cr_assert_eq(st.st_size, 1024);
  cr_assert_eq(th_rand_load_file(path, -1), 1024, "%s", tu_err());
  cr_assert_eq(th_rand_load_file(path, 100), 100, "%s", tu_err());
}

Test(rand, file_errors_are_rand_errors) {
  cr_assert_eq(th_rand_load_file(tu_path("missing.rnd"), -1), TH_ERR_RAND);
  cr_assert(strstr(th_error_last()->message, "missing.rnd") != NULL, "%s", tu_err());
  cr_assert_eq(th_rand_write_file(tu_path("no/such/dir/seed.rnd")), TH_ERR_RAND);
  cr_assert_eq(th_rand_write_file(tu_tmpdir()), TH_ERR_RAND, "a directory");
  cr_assert_eq(th_rand_load_file(NULL, -1), TH_ERR_TYPE);
  cr_assert_eq(th_rand_write_file(NULL), TH_ERR_TYPE);
}

Test(rand, screen_is_windows_only) {
  cr_assert_eq(th_rand_screen(), TH_ERR_UNSUPPORTED);
  cr_assert(strstr(th_error_last()->message, "Windows") != NULL);
}

/* Nothing to read is not an error: an empty file, maxbytes 0, and a
 * directory (OpenSSL 3 opens it and reads no bytes) all give 0, as
 * RAND_load_file's count reaches pyOpenSSL 16.1's caller. */
Test(rand, load_file_of_nothing_is_zero) {
  const char *p = tu_path("empty.rnd");
  char path[1024];
  snprintf(path, sizeof path, "%s", p);
  cr_assert_eq(tu_write_file(path, "", 0), 0);
  cr_assert_eq(th_rand_load_file(path, -1), 0, "%s", tu_err());
  cr_assert_eq(th_rand_write_file(path), 1024, "%s", tu_err());
  cr_assert_eq(th_rand_load_file(path, 0), 0, "%s", tu_err());
  cr_assert_eq(th_rand_load_file(tu_tmpdir(), -1), 0, "%s", tu_err());
}
