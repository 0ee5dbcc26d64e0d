/* bench_options_test.c — option parsing of tools/bench: defaults, the
 * --summary preset, lists, and every kind of bad input. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "tools/bench/bench.h"

TestSuite(bench_options);

static int parse(bench_options *o, int ncores, const char *const *args, char *err, size_t errlen) {
  char *argv[32] = {"bench"};
  int argc = 1;
  for (; args && args[argc - 1] && argc < 31; argc++) argv[argc] = (char *)args[argc - 1];
  return bench_options_parse(o, argc, argv, ncores, err, errlen);
}

static void assert_threads(const bench_options *o, const int *want, int n) {
  cr_assert_eq(o->nthreads, n, "nthreads %d, want %d", o->nthreads, n);
  for (int i = 0; i < n; i++) cr_assert_eq(o->threads[i], want[i], "threads[%d]", i);
}

Test(bench_options, defaults_double_up_to_the_cores) {
  bench_options o;
  char err[128];
  cr_assert_eq(parse(&o, 2, NULL, err, sizeof err), 0);
  assert_threads(&o, (int[]){1, 2}, 2);
  cr_assert_eq(parse(&o, 6, NULL, err, sizeof err), 0);
  assert_threads(&o, (int[]){1, 2, 4, 6}, 4);
  cr_assert_eq(parse(&o, 16, NULL, err, sizeof err), 0);
  assert_threads(&o, (int[]){1, 2, 4, 8, 16}, 5);
  cr_assert_eq(parse(&o, 1, NULL, err, sizeof err), 0);
  assert_threads(&o, (int[]){1}, 1);
  cr_assert_eq(parse(&o, 0, NULL, err, sizeof err), 0); /* unknown core count */
  assert_threads(&o, (int[]){1}, 1);
}

Test(bench_options, defaults_cover_everything) {
  bench_options o;
  char err[128];
  cr_assert_eq(parse(&o, 2, NULL, err, sizeof err), 0);
  cr_assert_eq((size_t)o.nscen, bench_nscenarios);
  cr_assert_eq(o.nmodes, BM_COUNT);
  cr_assert_eq(o.repeat, 3);
  cr_assert_float_eq(o.duration_s, 0.5, 0);
  cr_assert_float_eq(o.warmup_s, 0.1, 0);
  cr_assert(o.floor && o.memory && o.baseline && o.ours);
  cr_assert_eq(o.progress, -1);
  cr_assert_eq(o.format, BF_TABLE);
  cr_assert_eq(o.summary, 0);
}

Test(bench_options, explicit_values_both_spellings) {
  bench_options o;
  char err[128];
  const char *args[] = {"--threads", "1,2,4", "--duration=2.5", "--warmup", "0",
                        "--repeat=5", "--scenarios", "tls13-p256,tls12-sessid",
                        "--modes=libctx,shared", "--csv", "--no-floor", "--no-memory",
                        "--no-baseline", "--mem-pairs", "7", "--no-progress", NULL};
  cr_assert_eq(parse(&o, 2, args, err, sizeof err), 0, "%s", err);
  assert_threads(&o, (int[]){1, 2, 4}, 3);
  cr_assert_float_eq(o.duration_s, 2.5, 0);
  cr_assert_float_eq(o.warmup_s, 0.0, 0);
  cr_assert_eq(o.repeat, 5);
  cr_assert_eq(o.nscen, 2);
  cr_assert_str_eq(o.scenarios[0]->name, "tls13-p256");
  cr_assert_str_eq(o.scenarios[1]->name, "tls12-sessid");
  cr_assert_eq(o.nmodes, 2);
  cr_assert_eq(o.modes[0], BM_LIBCTX);
  cr_assert_eq(o.modes[1], BM_SHARED);
  cr_assert_eq(o.format, BF_CSV);
  cr_assert(!o.floor && !o.memory && !o.baseline);
  cr_assert_eq(o.mem_pairs, 7);
  cr_assert_eq(o.progress, 0);
}

Test(bench_options, summary_preset_and_override) {
  bench_options o;
  char err[128];
  cr_assert_eq(parse(&o, 16, (const char *[]){"--summary", NULL}, err, sizeof err), 0);
  cr_assert_eq(o.summary, 1);
  assert_threads(&o, (int[]){1, 2}, 2);
  cr_assert_eq(o.nscen, 4); /* tls13-mlkem leaves at run time where unsupported */
  cr_assert_eq(o.repeat, 3);
  cr_assert_eq(o.nmodes, 1);
  cr_assert_eq(o.modes[0], BM_LIBCTX);
  cr_assert(!o.floor && !o.memory && o.baseline);
  /* later options win, whatever their position */
  cr_assert_eq(parse(&o, 2, (const char *[]){"--threads=1", "--summary", "--json", NULL}, err,
                     sizeof err), 0);
  assert_threads(&o, (int[]){1}, 1);
  cr_assert_eq(o.format, BF_JSON);
}

Test(bench_options, engines_list) {
  bench_options o;
  char err[128];
  cr_assert_eq(parse(&o, 2, (const char *[]){"--engines=openssl", NULL}, err, sizeof err), 0);
  cr_assert(!o.ours && o.baseline);
  cr_assert_eq(parse(&o, 2, (const char *[]){"--engines", "tlsharness", NULL}, err, sizeof err), 0);
  cr_assert(o.ours && !o.baseline);
  cr_assert_eq(parse(&o, 2, (const char *[]){"--engines=openssl,tlsharness", NULL}, err, sizeof err), 0);
  cr_assert(o.ours && o.baseline);
}

Test(bench_options, all_keyword_and_flags) {
  bench_options o;
  char err[128];
  const char *args[] = {"--scenarios=all", "--modes", "all", "--list", "-h", "--progress", NULL};
  cr_assert_eq(parse(&o, 2, args, err, sizeof err), 0);
  cr_assert_eq((size_t)o.nscen, bench_nscenarios);
  cr_assert_eq(o.nmodes, BM_COUNT);
  cr_assert(o.list && o.help);
  cr_assert_eq(o.progress, 1);
}

typedef struct bad_case {
  const char *args[4];
  const char *msg; /* expected in the error text */
} bad_case;

/* The table lives at file scope and the parameter is an index into it:
 * Criterion may run each parameter in a fresh process image, where
 * pointers copied from the parameter array would not be valid. */
static const bad_case bad_cases[] = {
      {{"--threads", "0"}, "--threads"},      {{"--threads", "-1"}, "--threads"},
      {{"--threads", "1,,2"}, "--threads"},   {{"--threads", "1,"}, "--threads"},
      {{"--threads", "abc"}, "--threads"},    {{"--threads", "2x"}, "--threads"},
      {{"--threads", "1025"}, "--threads"},   {{"--threads"}, "--threads"},
      {{"--threads="}, "--threads"},          {{"--duration", "0"}, "--duration"},
      {{"--duration", "-2"}, "--duration"},   {{"--duration", "fast"}, "--duration"},
      {{"--duration", "nan"}, "--duration"},  {{"--warmup", "-0.5"}, "--warmup"},
      {{"--repeat", "0"}, "--repeat"},        {{"--repeat", "100"}, "--repeat"},
      {{"--repeat", "1.5"}, "--repeat"},      {{"--mem-pairs", "0"}, "--mem-pairs"},
      {{"--scenarios", "nope"}, "--scenarios"}, {{"--scenarios", ""}, "--scenarios"},
      {{"--scenarios", ","}, "--scenarios"},  {{"--modes", "global"}, "--modes"},
      {{"--engines", "boringssl"}, "--engines"}, {{"--engines", ""}, "--engines"},
      {{"--bogus"}, "unknown option '--bogus'"}, {{"threads"}, "unknown option 'threads'"},
  };

ParameterizedTestParameters(bench_options, bad_input_is_rejected) {
  static int idx[sizeof bad_cases / sizeof bad_cases[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, bench_options, bad_input_is_rejected) {
  const bad_case *c = &bad_cases[*i];
  bench_options o;
  char err[128] = "";
  cr_assert_eq(parse(&o, 2, c->args, err, sizeof err), -1, "%s %s accepted",
               c->args[0], c->args[1] ? c->args[1] : "");
  cr_assert(strstr(err, c->msg) != NULL, "error '%s' lacks '%s'", err, c->msg);
}

Test(bench_options, too_many_threads_values) {
  int out[BENCH_MAX_THREADS_LIST];
  cr_assert_eq(bench_parse_int_list("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", out, 16), 16);
  cr_assert_eq(bench_parse_int_list("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", out, 16), -1);
  cr_assert_eq(bench_parse_int_list(NULL, out, 16), -1);
}

Test(bench_options, every_scenario_is_found_and_modes_round_trip) {
  for (size_t i = 0; i < bench_nscenarios; i++)
    cr_assert_eq(bench_scenario_find(bench_scenarios[i].name), &bench_scenarios[i]);
  cr_assert_null(bench_scenario_find("tls13"));
  for (int m = 0; m < BM_COUNT; m++) cr_assert_eq(bench_mode_parse(bench_mode_name(m)), m);
  cr_assert_eq(bench_mode_parse("nope"), -1);
  cr_assert_str_eq(bench_mode_name(99), "?");
}
