/* bench_harness.c — one run: N threads, each doing complete handshakes
 * (pair, handshake, tickets, shutdown, free) through one engine. Each thread
 * sets up its contexts before a barrier (not timed), warms up, then counts
 * handshakes until its deadline; the measured interval is read from
 * CLOCK_MONOTONIC at both ends, never assumed, so the last handshake that
 * overruns the deadline is paid for. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "tools/bench/bench.h"

#define SAMPLE_CAP (1u << 18) /* latency samples kept per thread */

double bench_cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bench_handshake_once(const bench_engine *eng, void *ctx, void *session,
                         bench_hs_info *info, void **session_out) {
  void *pair = eng->pair_new(ctx, session);
  if (pair == NULL) return -1;
  int rc = eng->pair_complete(pair, info, session_out);
  eng->pair_free(pair);
  return rc;
}

typedef struct worker {
  const bench_run_cfg *cfg;
  void *shared_ctx;              /* BM_SHARED */
  const bench_keys *shared_keys; /* BM_SHARED */
  pthread_barrier_t *barrier;
  double *samples; /* latency, microseconds */
  size_t nsamples;
  uint64_t count, failures;
  double elapsed;
  double cpu_s; /* this thread's CPU time over the measured interval */
  char error[256];
} worker;

/* Thread-local setup of one worker: library context, keys, contexts. */
typedef struct worker_env {
  OSSL_LIB_CTX *lib;
  bench_keys keys;
  const bench_keys *k;
  void *ctx; /* NULL for ctx_per_handshake */
  void *session;
} worker_env;

static void set_error(worker *w, const char *msg) {
  if (w->error[0] == '\0') snprintf(w->error, sizeof w->error, "%s", msg);
}

/* One complete cycle. 0 on success. */
static int cycle(worker *w, worker_env *e, void **session_out) {
  const bench_run_cfg *cfg = w->cfg;
  const bench_engine *eng = cfg->eng;
  void *ctx = e->ctx;
  if (cfg->sc->ctx_per_handshake) ctx = eng->ctx_new(cfg->sc, e->k, e->lib);
  if (ctx == NULL) {
    set_error(w, eng->last_error());
    return -1;
  }
  bench_hs_info info = {0};
  int offered = e->session != NULL;
  int rc = bench_handshake_once(eng, ctx, e->session, &info, session_out);
  if (cfg->sc->ctx_per_handshake) eng->ctx_free(ctx);
  if (rc != 0) {
    set_error(w, eng->last_error());
    return -1;
  }
  char why[128];
  if (!bench_check_info(cfg->sc, &info, offered, why, sizeof why)) {
    char msg[200];
    snprintf(msg, sizeof msg, "%s: %s", eng->name, why);
    set_error(w, msg);
    return -1;
  }
  return 0;
}

static int env_setup(worker *w, worker_env *e) {
  const bench_run_cfg *cfg = w->cfg;
  memset(e, 0, sizeof *e);
  if (cfg->mode == BM_SHARED) {
    e->k = w->shared_keys;
    e->ctx = w->shared_ctx;
  } else {
    if (cfg->mode == BM_LIBCTX && (e->lib = OSSL_LIB_CTX_new()) == NULL) return -1;
    if (bench_keys_load(&e->keys, cfg->mat, cfg->sc->key, e->lib) != 0) {
      set_error(w, "decoding keys and certificates");
      return -1;
    }
    e->k = &e->keys;
    if (!cfg->sc->ctx_per_handshake && (e->ctx = cfg->eng->ctx_new(cfg->sc, e->k, e->lib)) == NULL) {
      set_error(w, cfg->eng->last_error());
      return -1;
    }
  }
  /* Resumption: one untimed full handshake gives the session to offer. */
  if (cfg->sc->resume != BR_NONE && cycle(w, e, &e->session) != 0) return -1;
  return 0;
}

static void env_cleanup(worker *w, worker_env *e) {
  const bench_engine *eng = w->cfg->eng;
  if (e->session) eng->session_free(e->session);
  if (w->cfg->mode != BM_SHARED) {
    if (e->ctx) eng->ctx_free(e->ctx);
    bench_keys_free(&e->keys);
  }
  OSSL_LIB_CTX_free(e->lib);
}

static void measure(worker *w, worker_env *e) {
  double t = bench_now();
  double warm_end = t + w->cfg->warmup_s;
  while (t < warm_end) {
    if (cycle(w, e, NULL) != 0) {
      w->failures++;
      return;
    }
    t = bench_now();
  }
  double start = t, end = t + w->cfg->duration_s, cpu0 = bench_cpu_now();
  do {
    double t0 = t;
    if (cycle(w, e, NULL) != 0) {
      w->failures++;
      break;
    }
    t = bench_now();
    w->count++;
    if (w->nsamples < SAMPLE_CAP) w->samples[w->nsamples++] = (t - t0) * 1e6;
  } while (t < end);
  w->elapsed = t - start;
  w->cpu_s = bench_cpu_now() - cpu0;
}

static void *worker_main(void *arg) {
  worker *w = arg;
  worker_env e;
  int ok = env_setup(w, &e) == 0;
  if (!ok) w->failures++;
  pthread_barrier_wait(w->barrier);
  if (ok) measure(w, &e);
  env_cleanup(w, &e);
  return NULL;
}

/* Shared mode: contexts and keys made once, in the default library context. */
typedef struct shared_env {
  bench_keys keys;
  void *ctx;
} shared_env;

static int shared_setup(const bench_run_cfg *cfg, shared_env *s, bench_run_result *res) {
  memset(s, 0, sizeof *s);
  if (cfg->mode != BM_SHARED) return 0;
  if (bench_keys_load(&s->keys, cfg->mat, cfg->sc->key, NULL) != 0) {
    snprintf(res->error, sizeof res->error, "decoding keys and certificates");
    return -1;
  }
  if (!cfg->sc->ctx_per_handshake &&
      (s->ctx = cfg->eng->ctx_new(cfg->sc, &s->keys, NULL)) == NULL) {
    snprintf(res->error, sizeof res->error, "%s", cfg->eng->last_error());
    bench_keys_free(&s->keys);
    return -1;
  }
  return 0;
}

static void collect(const bench_run_cfg *cfg, worker *w, bench_run_result *res) {
  size_t total = 0;
  for (int i = 0; i < cfg->threads; i++) total += w[i].nsamples;
  double *all = malloc((total ? total : 1) * sizeof *all);
  double *rates = malloc((size_t)cfg->threads * sizeof *rates);
  size_t n = 0;
  double cpu = 0;
  for (int i = 0; i < cfg->threads; i++) {
    cpu += w[i].cpu_s;
    res->handshakes += w[i].count;
    res->failures += w[i].failures;
    rates[i] = w[i].elapsed > 0 ? (double)w[i].count / w[i].elapsed : 0;
    res->hs_per_s += rates[i];
    if (w[i].elapsed > res->wall_s) res->wall_s = w[i].elapsed;
    if (w[i].error[0] && res->error[0] == '\0')
      snprintf(res->error, sizeof res->error, "%s", w[i].error);
    if (all) memcpy(all + n, w[i].samples, w[i].nsamples * sizeof *all);
    n += w[i].nsamples;
  }
  bench_minmax(rates, (size_t)cfg->threads, &res->thr_min, &res->thr_max);
  res->cpu_us_per_hs = res->handshakes ? cpu * 1e6 / (double)res->handshakes : 0;
  if (all && n) {
    bench_sort(all, n);
    res->p50_us = bench_percentile_sorted(all, n, 50);
    res->p99_us = bench_percentile_sorted(all, n, 99);
  }
  free(all);
  free(rates);
}

int bench_run(const bench_run_cfg *cfg, bench_run_result *res) {
  memset(res, 0, sizeof *res);
  shared_env s;
  if (cfg->threads < 1 || shared_setup(cfg, &s, res) != 0) {
    res->failures = 1;
    return -1;
  }
  worker *w = calloc((size_t)cfg->threads, sizeof *w);
  pthread_t *tid = calloc((size_t)cfg->threads, sizeof *tid);
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, (unsigned)cfg->threads);
  int started = 0;
  for (int i = 0; w && tid && i < cfg->threads; i++) {
    w[i] = (worker){.cfg = cfg, .shared_ctx = s.ctx, .shared_keys = &s.keys,
                    .barrier = &barrier, .samples = malloc(SAMPLE_CAP * sizeof(double))};
    if (w[i].samples == NULL) break;
  }
  /* Every thread must start or none may: the barrier counts them all. */
  for (int i = 0; w && tid && i < cfg->threads && w[i].samples; i++, started++)
    if (pthread_create(&tid[i], NULL, worker_main, &w[i]) != 0) break;
  for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
  if (started == cfg->threads) {
    collect(cfg, w, res);
  } else {
    snprintf(res->error, sizeof res->error, "could not start %d threads", cfg->threads);
    res->failures = 1;
    if (started > 0) abort(); /* threads wait on the barrier forever */
  }
  for (int i = 0; w && i < cfg->threads; i++) free(w[i].samples);
  free(w);
  free(tid);
  pthread_barrier_destroy(&barrier);
  if (cfg->mode == BM_SHARED) {
    if (s.ctx) cfg->eng->ctx_free(s.ctx);
    bench_keys_free(&s.keys);
  }
  return res->failures ? -1 : 0;
}
