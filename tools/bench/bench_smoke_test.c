/* bench_smoke_test.c — one handshake per scenario through both engines
 * (tlsharness and raw OpenSSL), checking that each really completes as the
 * scenario says: resumed scenarios resume, the chain scenario verifies (and
 * fails against another root), TLS 1.3 clients receive tickets. Then a tiny
 * threaded run, the memory and floor measurements and the report writers,
 * each run once for correctness. No timing is asserted anywhere. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench/bench.h"

static bench_material mat;

static void make_material(void) { cr_assert_eq(bench_material_make(&mat), 0, "material"); }
static void free_material(void) { bench_material_free(&mat); }

TestSuite(bench_smoke, .init = make_material, .fini = free_material, .timeout = 120);

static const bench_engine *const engines[2] = {&bench_engine_th, &bench_engine_openssl};

/* One scenario, one engine, in libctx (NULL: default). */
static void one_scenario(const bench_engine *eng, const bench_scenario *sc, OSSL_LIB_CTX *lib) {
  bench_keys k;
  cr_assert_eq(bench_keys_load(&k, &mat, sc->key, lib), 0);
  void *ctx = eng->ctx_new(sc, &k, lib);
  cr_assert_not_null(ctx, "%s %s: %s", eng->name, sc->name, eng->last_error());
  void *sess = NULL;
  bench_hs_info info = {0};
  char why[128] = "";
  int rc = bench_handshake_once(eng, ctx, NULL, &info, sc->resume != BR_NONE ? &sess : NULL);
  cr_assert_eq(rc, 0, "%s %s: %s", eng->name, sc->name, eng->last_error());
  cr_assert(bench_check_info(sc, &info, 0, why, sizeof why), "%s %s: %s", eng->name, sc->name, why);
  cr_assert_eq(info.version, sc->version);
  cr_assert_eq(info.resumed, 0);
  if (sc->verify_chain) cr_assert_eq(info.verified, 1, "%s: chain not verified", eng->name);
  if (sc->version == TLS1_3_VERSION) cr_assert_geq(info.tickets, 1, "%s: no ticket", eng->name);
  if (sc->resume != BR_NONE) {
    cr_assert_not_null(sess);
    bench_hs_info again = {0};
    cr_assert_eq(bench_handshake_once(eng, ctx, sess, &again, NULL), 0, "%s %s resume: %s",
                 eng->name, sc->name, eng->last_error());
    cr_assert_eq(again.resumed, 1, "%s %s: not resumed", eng->name, sc->name);
    cr_assert(bench_check_info(sc, &again, 1, why, sizeof why), "%s", why);
    eng->session_free(sess);
  }
  eng->ctx_free(ctx);
  bench_keys_free(&k);
}

ParameterizedTestParameters(bench_smoke, every_scenario_both_engines) {
  static size_t idx[32];
  for (size_t i = 0; i < bench_nscenarios; i++) idx[i] = i;
  return cr_make_param_array(size_t, idx, bench_nscenarios);
}

ParameterizedTest(size_t *i, bench_smoke, every_scenario_both_engines) {
  const bench_scenario *sc = &bench_scenarios[*i];
  char why[128];
  if (!bench_scenario_supported(sc, why, sizeof why)) cr_skip_test("UNSUPPORTED: %s", why);
  OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
  cr_assert_not_null(lib);
  for (int e = 0; e < 2; e++) {
    one_scenario(engines[e], sc, NULL);
    one_scenario(engines[e], sc, lib);
  }
  OSSL_LIB_CTX_free(lib);
}

Test(bench_smoke, chain_fails_against_another_root) {
  const bench_scenario *sc = bench_scenario_find("tls13-chain");
  for (int e = 0; e < 2; e++) {
    bench_keys k, other;
    cr_assert_eq(bench_keys_load(&k, &mat, BK_CHAIN_P256, NULL), 0);
    cr_assert_eq(bench_keys_load(&other, &mat, BK_P256, NULL), 0);
    /* The client now trusts an unrelated self-signed certificate. */
    X509 *root = k.root;
    k.root = other.leaf;
    void *ctx = engines[e]->ctx_new(sc, &k, NULL);
    k.root = root;
    cr_assert_not_null(ctx, "%s", engines[e]->last_error());
    bench_hs_info info = {0};
    cr_assert_neq(bench_handshake_once(engines[e], ctx, NULL, &info, NULL), 0,
                  "%s: verified against the wrong root", engines[e]->name);
    engines[e]->ctx_free(ctx);
    bench_keys_free(&k);
    bench_keys_free(&other);
  }
}

Test(bench_smoke, check_info_catches_what_is_wrong) {
  const bench_scenario *full = bench_scenario_find("tls13-p256");
  const bench_scenario *res = bench_scenario_find("tls12-ticket");
  const bench_scenario *chain = bench_scenario_find("tls13-chain");
  char why[64];
  bench_hs_info ok13 = {.version = TLS1_3_VERSION, .tickets = 2};
  cr_assert(bench_check_info(full, &ok13, 0, why, sizeof why));
  bench_hs_info v12 = {.version = TLS1_2_VERSION, .tickets = 2};
  cr_assert_not(bench_check_info(full, &v12, 0, why, sizeof why));
  cr_assert(strstr(why, "version"));
  bench_hs_info noticket = {.version = TLS1_3_VERSION};
  cr_assert_not(bench_check_info(full, &noticket, 0, why, sizeof why));
  cr_assert(strstr(why, "ticket"));
  bench_hs_info unverified = {.version = TLS1_3_VERSION, .tickets = 1};
  cr_assert_not(bench_check_info(chain, &unverified, 0, why, sizeof why));
  cr_assert(strstr(why, "verify"));
  bench_hs_info full12 = {.version = TLS1_2_VERSION};
  cr_assert(bench_check_info(res, &full12, 0, why, sizeof why)); /* the priming handshake */
  cr_assert_not(bench_check_info(res, &full12, 1, why, sizeof why));
  cr_assert(strstr(why, "not resumed"));
  bench_hs_info resumed = {.version = TLS1_3_VERSION, .tickets = 1, .resumed = 1};
  cr_assert_not(bench_check_info(full, &resumed, 0, why, sizeof why));
}

Test(bench_smoke, threaded_runs_count_handshakes) {
  const char *names[] = {"tls13-resume", "tls13-newctx"};
  for (int e = 0; e < 2; e++)
    for (int m = 0; m < BM_COUNT; m++)
      for (int s = 0; s < 2; s++) {
        bench_run_cfg cfg = {bench_scenario_find(names[s]), engines[e], &mat, m, 2, 0.005, 0};
        bench_run_result res;
        cr_assert_eq(bench_run(&cfg, &res), 0, "%s %s %s: %s", names[s], engines[e]->name,
                     bench_mode_name(m), res.error);
        cr_assert_geq(res.handshakes, 2u); /* every thread completes at least one */
        cr_assert_eq(res.failures, 0u);
        cr_assert_gt(res.hs_per_s, 0);
        cr_assert_gt(res.wall_s, 0);
        cr_assert_leq(res.thr_min, res.thr_max);
        cr_assert_leq(res.p50_us, res.p99_us);
        cr_assert_gt(res.cpu_us_per_hs, 0);
      }
}

Test(bench_smoke, zero_threads_is_an_error) {
  bench_run_cfg cfg = {&bench_scenarios[0], &bench_engine_openssl, &mat, BM_SHARED, 0, 0.01, 0};
  bench_run_result res;
  cr_assert_neq(bench_run(&cfg, &res), 0);
}

Test(bench_smoke, memory_and_floor_are_measured) {
  const bench_scenario *sc = bench_scenario_find("tls13-resume");
  for (int e = 0; e < 2; e++) {
    bench_mem_result m;
    cr_assert_eq(bench_mem_measure(engines[e], sc, &mat, 4, &m), 0, "%s", engines[e]->last_error());
    cr_assert_eq(m.ok, 1);
    cr_assert_eq(bench_mem_measure(engines[e], sc, &mat, 0, &m), -1);
  }
  bench_floor f;
  cr_assert_eq(bench_floor_measure(&f, &mat, 0.001), 0);
  cr_assert(f.measured);
  for (int op = 0; op < OP_COUNT; op++) cr_assert_gt(f.op_us[op], 0, "%s", bench_op_name(op));
  for (size_t i = 0; i < bench_nscenarios; i++) cr_assert_gt(bench_floor_us(&f, &bench_scenarios[i]), 0);
  cr_assert_gt(bench_peak_rss_kib(), 0);
}

/* Every writer, on a report of two real cells. */
Test(bench_smoke, report_writers) {
  bench_options o;
  char err[64], *argv[] = {"bench", "--threads=1,2", "--scenarios=tls13-p256", "--modes=shared"};
  cr_assert_eq(bench_options_parse(&o, 4, argv, 2, err, sizeof err), 0);
  bench_cell cells[2] = {{.sc = o.scenarios[0], .mode = BM_SHARED, .threads = 1, .nrep = 1},
                         {.sc = o.scenarios[0], .mode = BM_SHARED, .threads = 2, .nrep = 1}};
  for (int c = 0; c < 2; c++) {
    bench_run_cfg a = {cells[c].sc, &bench_engine_th, &mat, BM_SHARED, cells[c].threads, 0.005, 0};
    bench_run_cfg b = {cells[c].sc, &bench_engine_openssl, &mat, BM_SHARED, cells[c].threads, 0.005, 0};
    cr_assert_eq(bench_run(&a, &cells[c].ours[0]), 0);
    cr_assert_eq(bench_run(&b, &cells[c].base[0]), 0);
  }
  bench_report r = {.opt = &o, .cells = cells, .ncells = 2, .ncores = 2};
  bench_summary s;
  bench_summarize(&r, 1, &s);
  cr_assert_gt(s.ratio, 0);
  cr_assert_gt(s.cpu_ratio, 0);
  cr_assert_gt(s.eff, 0);
  char *buf;
  size_t len;
  void (*writers[])(FILE *, const bench_report *) = {bench_print_table, bench_print_json,
                                                     bench_print_csv, bench_print_summary};
  const char *marks[] = {"per-thread", "\"results\": [", "scenario,mode,threads,", "ratio"};
  for (int w = 0; w < 4; w++) {
    FILE *f = open_memstream(&buf, &len);
    writers[w](f, &r);
    fclose(f);
    cr_assert(strstr(buf, marks[w]) != NULL, "writer %d: %s", w, buf);
    cr_assert(strstr(buf, "tls13-p256") != NULL);
    free(buf);
  }
}
