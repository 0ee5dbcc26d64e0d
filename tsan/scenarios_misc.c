/* scenarios_misc.c — the thread-local error record, the fixtures generator
 * in several threads, and the benchmark's engines in every threading
 * mode. */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "threads.h"
#include "tools/bench/bench.h"

/* ---- the thread-local error record ------------------------------------------ */

typedef struct error_env {
  pthread_barrier_t barrier;
  th_x509 *server; /* read-only here: only its digest is taken, before the threads */
  th_bytes *server_digest;
} error_env;

/* Make this thread's own kind of failure; returns the kind expected. */
static int make_error(int i, th_x509 **cert_out) {
  static const unsigned char garbage[] = "not a certificate";
  th_x509 *x = th_x509_new();
  int kind = 0;
  switch (i % 4) {
    case 0:
      tt_check(th_crypto_load_certificate(TH_FILETYPE_PEM, garbage, sizeof garbage) == NULL, "garbage");
      kind = TH_ERR_CRYPTO;
      break;
    case 1:
      tt_check(th_x509_set_notBefore(x, "not a time") == TH_ERR_VALUE, "bad time");
      kind = TH_ERR_VALUE;
      break;
    case 2:
      tt_check(th_x509_get_extension(x, 99) == NULL, "bad index");
      kind = TH_ERR_INDEX;
      break;
    default: {
      /* A verify error: the server certificate without its root. */
      th_x509_store *store = th_x509_store_new();
      th_x509_store_context *sc = th_x509_store_context_new(store, *cert_out);
      tt_check(sc && th_x509_store_context_verify_certificate(sc) == TH_ERR_VERIFY, "verify error");
      th_x509_store_context_free(sc);
      th_x509_store_free(store);
      kind = TH_ERR_VERIFY;
    }
  }
  th_x509_free(x);
  return kind;
}

static void error_worker(int i, void *arg) {
  error_env *e = arg;
  th_x509 *mine = th_fixtures_cert_x509(tt.server); /* this thread's own reference */
  for (int r = 0; r < TT_ROUNDS * 4; r++) {
    int kind = make_error(i + r, &mine);
    th_error saved = *th_error_last();
    tt_check(saved.kind == kind, "the error just made");
    pthread_barrier_wait(&e->barrier); /* every thread has made its error */
    if (i == 0) th_error_clear();      /* clearing one thread's record... */
    pthread_barrier_wait(&e->barrier);
    if (i != 0) {                      /* ...leaves the others' alone */
      const th_error *now = th_error_last();
      tt_check(now->kind == saved.kind && strcmp(now->message, saved.message) == 0 &&
                   now->queue_len == saved.queue_len,
               "another thread changed this thread's error record");
      if (kind == TH_ERR_VERIFY) {
        th_x509 *bad = th_error_certificate();
        th_bytes *d = bad ? th_x509_digest(bad, "sha256") : NULL;
        tt_check(d && d->len == e->server_digest->len &&
                     memcmp(d->data, e->server_digest->data, d->len) == 0,
                 "the verify error's certificate is this thread's");
        th_bytes_free(d);
        th_x509_free(bad);
      }
    } else {
      tt_check(th_error_kind() == TH_OK, "th_error_clear");
    }
    char line[512];
    tt_check(th_error_format(line, sizeof line) > 0, "th_error_format");
  }
  th_error_clear();
  th_x509_free(mine);
}

void tt_error_record(void) {
  error_env e;
  e.server = th_fixtures_cert_x509(tt.server);
  e.server_digest = th_x509_digest(e.server, "sha256");
  pthread_barrier_init(&e.barrier, NULL, TT_THREADS);
  tt_run_threads(TT_THREADS, error_worker, &e);
  pthread_barrier_destroy(&e.barrier);
  th_bytes_free(e.server_digest);
  th_x509_free(e.server);
}

/* ---- the fixtures generator in several threads ---------------------------------- */

typedef struct fixtures_env {
  th_bytes *chain[TT_THREADS];
  int files[2];
  char dirs[2][4096];
} fixtures_env;

static void fixtures_worker(int i, void *arg) {
  fixtures_env *e = arg;
  /* Each thread its own generator, the same seed: the same bytes. */
  th_fixtures *fx = th_fixtures_new(99);
  th_fixtures_cert *root = fx ? th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL) : NULL;
  th_fixtures_spec spec = {.key = i % 2 ? TH_FIXTURES_KEY_ED25519 : TH_FIXTURES_KEY_P256};
  th_fixtures_cert *inter = root ? th_fixtures_issue(fx, root, TH_FIXTURES_ROLE_INTERMEDIATE, NULL) : NULL;
  th_fixtures_cert *srv = inter ? th_fixtures_issue(fx, inter, TH_FIXTURES_ROLE_SERVER, &spec) : NULL;
  tt_check(srv != NULL, "issue in a thread");
  if (srv != NULL) {
    th_fixtures_revoke(inter, srv, 1);
    th_crl *crl = th_fixtures_crl(inter, NULL, NULL, NULL);
    tt_check(crl != NULL, "CRL in a thread");
    th_crl_free(crl);
    e->chain[i] = th_fixtures_chain_pem(srv);
  }
  th_fixtures_cert_free(srv);
  th_fixtures_cert_free(inter);
  th_fixtures_cert_free(root);
  th_fixtures_free(fx);
  /* Two threads write a (small) set at once. */
  if (i < 2) {
    static const int keys[] = {TH_FIXTURES_KEY_P256, TH_FIXTURES_KEY_ED25519, 0};
    th_fixtures_set_opts opts = {.keys = keys};
    e->files[i] = th_fixtures_write_set(e->dirs[i], 5, &opts);
  }
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  return remove(path);
}

void tt_fixtures_threads(void) {
  fixtures_env e = {{NULL}, {0, 0}, {"", ""}};
  const char *tmp = getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";
  for (int i = 0; i < 2; i++) {
    snprintf(e.dirs[i], sizeof e.dirs[i], "%s/tsan-fixtures-XXXXXX", tmp);
    tt_check(mkdtemp(e.dirs[i]) != NULL, "mkdtemp");
  }
  tt_run_threads(TT_THREADS, fixtures_worker, &e);
  for (int i = 0; i < TT_THREADS; i++) {
    int peer = i % 2; /* same key type: threads 0, 2 and 1, 3 */
    tt_check(e.chain[i] && e.chain[peer] && e.chain[i]->len == e.chain[peer]->len &&
                 memcmp(e.chain[i]->data, e.chain[peer]->data, e.chain[i]->len) == 0,
             "same seed, same key type: byte-identical chains in every thread");
  }
  tt_check(e.files[0] > 0 && e.files[0] == e.files[1], "two sets written at once");
  for (int i = 0; i < TT_THREADS; i++) th_bytes_free(e.chain[i]);
  for (int i = 0; i < 2; i++) nftw(e.dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the benchmark's engines ----------------------------------------------------- */

void tt_bench_engines(void) {
  bench_material mat;
  tt_check(bench_material_make(&mat) == 0, "bench material");
  static const char *const names[] = {"tls13-p256", "tls13-resume", "tls12-sessid", "tls13-chain"};
  const bench_engine *engines[] = {&bench_engine_th, &bench_engine_openssl};
  for (size_t s = 0; s < sizeof names / sizeof names[0]; s++) {
    const bench_scenario *sc = bench_scenario_find(names[s]);
    tt_check(sc != NULL, names[s]);
    for (int mode = 0; sc && mode < BM_COUNT; mode++) {
      for (int en = 0; en < 2; en++) {
        bench_run_cfg cfg = {.sc = sc, .eng = engines[en], .mat = &mat, .mode = mode,
                             .threads = TT_THREADS, .duration_s = 0.2, .warmup_s = 0.02};
        bench_run_result res;
        int rc = bench_run(&cfg, &res);
        if (rc != 0 || res.failures != 0 || res.handshakes == 0) {
          fprintf(stderr, "bench %s %s %s: %s\n", names[s], engines[en]->name,
                  bench_mode_name(mode), res.error);
          tt_check(0, "a benchmark run in threads");
        }
      }
    }
  }
  bench_material_free(&mat);
}
