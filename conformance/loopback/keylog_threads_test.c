/* keylog_threads_test.c — issue 12 item 18: loopback pairs observing the
 * key log over contexts shared between threads. Each thread makes, drives
 * and frees observing pairs over the same two SSL_CTX; the contexts' own
 * key-log callback counts every line. Checks: no line lost (the contexts'
 * callback saw exactly the lines the pairs recorded), every pair logged
 * its handshake's ten TLS 1.3 secrets, and the contexts' own callback is
 * back when the last pair is gone. A plain main (not Criterion, whose
 * runner does not start under ThreadSanitizer); run it under
 * `--config=tsan` to check the attach/detach bookkeeping for races:
 *   tools/dev NAME test --config=tsan //conformance:keylog_threads_test */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "plainutil.h"
#include "tlsharness/tlsharness.h"

#define THREADS 4
#define PAIRS_PER_THREAD 8
#define LINES_PER_PAIR 10 /* TLS 1.3: five secrets on each side */

static atomic_long ctx_lines;
static SSL_CTX *sctx, *cctx;

static void ctx_keylog(const SSL *ssl, const char *line) {
  (void)ssl, (void)line;
  atomic_fetch_add(&ctx_lines, 1);
}

static int fail(const char *what) {
  char buf[1024];
  th_error_format(buf, sizeof buf);
  fprintf(stderr, "FAIL: %s: %s\n", what, buf);
  return 1;
}

/* One pair: observe the key log, handshake, count the lines it recorded. */
static long one_pair(void) {
  th_loopback_pair *p = th_loopback_pair_new_raw(sctx, cctx, TH_LOOPBACK_PUMP);
  if (p == NULL) return -fail("pair_new_raw");
  long lines = -1;
  if (th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_KEYLOG) != TH_OK) {
    fail("observe");
  } else if (th_loopback_handshake(p) != TH_OK) {
    fail("handshake");
  } else {
    th_bytes *k = th_loopback_keylog(p);
    if (k == NULL) {
      fail("keylog");
    } else {
      lines = 0;
      for (size_t i = 0; i < k->len; i++) lines += k->data[i] == '\n';
      th_bytes_free(k);
    }
  }
  th_loopback_pair_free(p);
  return lines;
}

static void *worker(void *arg) {
  long *total = arg;
  for (int i = 0; i < PAIRS_PER_THREAD; i++) {
    long n = one_pair();
    if (n != LINES_PER_PAIR) {
      fprintf(stderr, "FAIL: a pair recorded %ld key-log lines, not %d\n", n, LINES_PER_PAIR);
      *total = -1;
      return NULL;
    }
    *total += n;
  }
  return NULL;
}

int main(void) {
  sctx = pu_server_ctx("keylog");
  cctx = SSL_CTX_new(TLS_client_method());
  if (sctx == NULL || cctx == NULL) return fail("contexts");
  SSL_CTX_set_min_proto_version(sctx, TLS1_3_VERSION);
  SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION);
  SSL_CTX_set_keylog_callback(sctx, ctx_keylog);
  SSL_CTX_set_keylog_callback(cctx, ctx_keylog);
  pthread_t t[THREADS];
  long totals[THREADS] = {0};
  for (int i = 0; i < THREADS; i++)
    if (pthread_create(&t[i], NULL, worker, &totals[i]) != 0) return fail("pthread_create");
  long recorded = 0;
  int rc = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    if (totals[i] < 0) rc = 1;
    recorded += totals[i];
  }
  long want = (long)THREADS * PAIRS_PER_THREAD * LINES_PER_PAIR;
  if (rc == 0 && recorded != want) rc = fprintf(stderr, "FAIL: %ld lines, not %ld\n", recorded, want) > 0;
  if (atomic_load(&ctx_lines) != recorded) {
    fprintf(stderr, "FAIL: the contexts' callback saw %ld lines, the pairs %ld\n",
            atomic_load(&ctx_lines), recorded);
    rc = 1;
  }
  if (SSL_CTX_get_keylog_callback(sctx) != ctx_keylog ||
      SSL_CTX_get_keylog_callback(cctx) != ctx_keylog) {
    fprintf(stderr, "FAIL: the contexts' own key-log callback was not restored\n");
    rc = 1;
  }
  SSL_CTX_free(sctx);
  SSL_CTX_free(cctx);
  if (rc == 0) printf("PASS: %d threads x %d pairs, %ld key-log lines, none lost\n", THREADS,
                      PAIRS_PER_THREAD, recorded);
  printf("tests: %d passed, %d failed\n", rc == 0, rc != 0); /* for tools/test_summary.py */
  return rc;
}
