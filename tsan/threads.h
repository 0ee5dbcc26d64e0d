/* threads.h — the threaded test driver (tsan/): plain main(), pthreads, no
 * Criterion (whose 2.4 runner cannot start under ThreadSanitizer). Each
 * scenario runs the library from several threads at once and checks the
 * results; under --config=tsan, ThreadSanitizer checks the memory
 * accesses (halt_on_error: any report fails the run). */
#ifndef TLSHARNESS_TSAN_THREADS_H
#define TLSHARNESS_TSAN_THREADS_H

#include <pthread.h>
#include <stdio.h>

#include "tlsharness/fixtures.h"
#include "tlsharness/tlsharness.h"

/* Threads per scenario, handshakes per thread. */
#define TT_THREADS 4
#define TT_ROUNDS 6

/* tt_check: count a failure and say where (never aborts the scenario, so
 * every failure of a run is printed). Thread-safe. */
void tt_fail(const char *file, int line, const char *what);
#define tt_check(cond, what)                                   \
  do {                                                         \
    if (!(cond)) tt_fail(__FILE__, __LINE__, (what));          \
  } while (0)

/* tt_run_threads runs fn(i, arg) in n threads (i = 0..n-1) and joins them. */
void tt_run_threads(int n, void (*fn)(int i, void *arg), void *arg);

/* The shared PKI (made once, before any thread starts): root, P-256 server
 * "localhost", P-256 client. */
typedef struct tt_pki {
  th_fixtures *fx;
  th_fixtures_cert *root, *server, *client;
} tt_pki;
extern tt_pki tt;

/* tt_server_ctx / tt_client_ctx: Contexts presenting the server / trusting
 * the root and verifying (client), pinned to version (0 = any). */
th_context *tt_server_ctx(int version);
th_context *tt_client_ctx(int version);

/* tt_converse: handshake, a request and a response, close_notify both
 * ways; returns 1 when everything succeeded (failures are reported). */
int tt_converse(th_loopback_pair *p);

/* The scenarios (scenarios_*.c). */
void tt_shared_context(void);
void tt_libctx_per_thread(void);
void tt_observed_pairs(void);
void tt_sessions_across_threads(void);
void tt_error_record(void);
void tt_fixtures_threads(void);
void tt_bench_engines(void);

#endif
