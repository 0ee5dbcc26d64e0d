/* bench_mem.c — memory per live connection pair and peak RSS.
 *
 * glibc's mallinfo2() sums every malloc arena (uordblks) plus mmapped
 * chunks (hblkhd), so "heap in use" counts OpenSSL's allocations and ours
 * alike without interposing an allocator on the timed runs. K pairs are kept
 * alive at once, first stopped mid-handshake (after the server's first
 * flight), then after the handshake and tickets; the growth divided by K is
 * the cost of one pair. Single-threaded, shared contexts, default library
 * context. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tools/bench/bench.h"

size_t bench_heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

long bench_peak_rss_kib(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* Create n pairs (finished ones when full); *per = heap growth per pair.
 * 0 on success. */
static int grow(const bench_engine *eng, void *ctx, void *session, void **pairs, int n,
                int full, double *per) {
  size_t before = bench_heap_in_use();
  int made = 0, ok = 1;
  for (; ok && made < n; made++) {
    pairs[made] = eng->pair_new(ctx, session);
    if (pairs[made] == NULL) break;
    if (full) {
      bench_hs_info info;
      ok = eng->pair_complete(pairs[made], &info, NULL) == 0;
    } else {
      ok = eng->pair_step(pairs[made]) >= 0;
    }
  }
  size_t after = bench_heap_in_use();
  for (int i = 0; i < made; i++) eng->pair_free(pairs[i]);
  *per = ((double)after - (double)before) / n;
  return made < n || !ok ? -1 : 0;
}

int bench_mem_measure(const bench_engine *eng, const bench_scenario *sc,
                      const bench_material *m, int npairs, bench_mem_result *out) {
  memset(out, 0, sizeof *out);
  bench_keys k;
  if (npairs < 1 || bench_keys_load(&k, m, sc->key, NULL) != 0) return -1;
  void *ctx = eng->ctx_new(sc, &k, NULL);
  void *session = NULL;
  void **pairs = calloc((size_t)npairs, sizeof *pairs);
  int rc = -1;
  if (ctx != NULL && pairs != NULL) {
    bench_hs_info info;
    rc = 0;
    if (sc->resume != BR_NONE)
      rc = bench_handshake_once(eng, ctx, NULL, &info, &session);
    /* Settle what OpenSSL allocates once per context or thread. */
    for (int i = 0; rc == 0 && i < 3; i++) rc = bench_handshake_once(eng, ctx, session, &info, NULL);
    if (rc == 0) {
      rc = grow(eng, ctx, session, pairs, npairs, 0, &out->mid_bytes);
      if (rc == 0) rc = grow(eng, ctx, session, pairs, npairs, 1, &out->done_bytes);
      out->ok = rc == 0;
    }
  }
  if (session) eng->session_free(session);
  if (ctx) eng->ctx_free(ctx);
  free(pairs);
  bench_keys_free(&k);
  return rc;
}
