/* plainutil.h — helpers for the plain-main tests (no Criterion:
 * alloc_failure_test, syscall_failure_test, keylog_threads_test). Nothing
 * here allocates before it is called, so a test can still replace
 * OpenSSL's allocator first. */
#ifndef TH_PLAINUTIL_H
#define TH_PLAINUTIL_H

#include <stdio.h>

#include <openssl/ssl.h>

/* The running test's name (set by main before each test), the checks made
 * and the checks failed so far. */
extern const char *pu_current;
extern int pu_checks, pu_failures;

/* pu_check(cond, printf-args...): counts a check; when cond is false
 * prints "FAIL: <test>: line N: <cond>: <message>", counts the failure and
 * returns from the calling (void) test function. */
#define pu_check(cond, ...)                                                        \
  do {                                                                             \
    pu_checks++;                                                                   \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAIL: %s: line %d: %s: ", pu_current, __LINE__, #cond);     \
      fprintf(stderr, " " __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                       \
      pu_failures++;                                                               \
      return;                                                                      \
    }                                                                              \
  } while (0)

/* pu_server_ctx: a new TLS server SSL_CTX with a fresh self-signed P-256
 * certificate (subject and issuer CN=cn, valid from a minute ago for an
 * hour, serial 1) and its key. Caller frees with SSL_CTX_free. NULL when
 * OpenSSL fails (out of memory included). */
SSL_CTX *pu_server_ctx(const char *cn);

#endif
