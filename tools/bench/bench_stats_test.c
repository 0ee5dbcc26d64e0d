/* bench_stats_test.c — the benchmark's statistics: median, percentiles
 * (R-7 interpolation), scaling efficiency, min/max, sorting. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>

#include "tools/bench/bench.h"

TestSuite(bench_stats);

Test(bench_stats, median_odd_even_and_unsorted) {
  const double odd[] = {5, 1, 3};
  const double even[] = {4, 1, 3, 2};
  const double one[] = {7.5};
  cr_assert_float_eq(bench_median(odd, 3), 3.0, 1e-12);
  cr_assert_float_eq(bench_median(even, 4), 2.5, 1e-12);
  cr_assert_float_eq(bench_median(one, 1), 7.5, 1e-12);
  /* the input is not modified */
  cr_assert_float_eq(odd[0], 5.0, 0);
  cr_assert_float_eq(even[0], 4.0, 0);
}

Test(bench_stats, median_of_nothing_is_nan) {
  const double v[] = {1};
  cr_assert(isnan(bench_median(v, 0)));
  cr_assert(isnan(bench_median(NULL, 3)));
}

typedef struct pcase {
  double p, want;
} pcase;

ParameterizedTestParameters(bench_stats, percentile_r7) {
  /* values 10..100 step 10 (n = 10): rank h = 9p/100 */
  static pcase cases[] = {{0, 10}, {100, 100}, {50, 55}, {99, 99.1}, {90, 91}, {25, 32.5}, {10, 19}};
  return cr_make_param_array(pcase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(pcase *c, bench_stats, percentile_r7) {
  const double v[] = {100, 90, 80, 70, 60, 50, 40, 30, 20, 10};
  cr_assert_float_eq(bench_percentile(v, 10, c->p), c->want, 1e-9, "p%g", c->p);
}

Test(bench_stats, percentile_rejects_bad_p_and_empty_input) {
  const double v[] = {1, 2, 3};
  cr_assert(isnan(bench_percentile(v, 3, -1)));
  cr_assert(isnan(bench_percentile(v, 3, 100.5)));
  cr_assert(isnan(bench_percentile(v, 3, NAN)));
  cr_assert(isnan(bench_percentile(v, 0, 50)));
  cr_assert(isnan(bench_percentile_sorted(NULL, 3, 50)));
}

Test(bench_stats, percentile_of_one_value_is_that_value) {
  const double v[] = {42};
  cr_assert_float_eq(bench_percentile(v, 1, 0), 42.0, 0);
  cr_assert_float_eq(bench_percentile(v, 1, 99), 42.0, 0);
  cr_assert_float_eq(bench_percentile(v, 1, 100), 42.0, 0);
}

Test(bench_stats, efficiency_is_throughput_over_linear) {
  cr_assert_float_eq(bench_efficiency(2000, 2, 1000), 1.0, 1e-12);
  cr_assert_float_eq(bench_efficiency(1900, 2, 1000), 0.95, 1e-12);
  cr_assert_float_eq(bench_efficiency(1000, 4, 1000), 0.25, 1e-12);
  cr_assert_float_eq(bench_efficiency(500, 1, 1000), 0.5, 1e-12);
  cr_assert_float_eq(bench_efficiency(0, 2, 1000), 0.0, 0);
}

Test(bench_stats, efficiency_undefined_cases_are_nan) {
  cr_assert(isnan(bench_efficiency(1000, 0, 1000)));
  cr_assert(isnan(bench_efficiency(1000, -2, 1000)));
  cr_assert(isnan(bench_efficiency(1000, 2, 0)));
  cr_assert(isnan(bench_efficiency(1000, 2, NAN)));
  cr_assert(isnan(bench_efficiency(-1, 2, 1000)));
}

Test(bench_stats, minmax_and_sort) {
  double v[] = {3, -1, 8, 2, 8};
  double lo, hi;
  bench_minmax(v, 5, &lo, &hi);
  cr_assert_float_eq(lo, -1.0, 0);
  cr_assert_float_eq(hi, 8.0, 0);
  bench_minmax(v, 0, &lo, &hi);
  cr_assert(isnan(lo) && isnan(hi));
  bench_sort(v, 5);
  for (int i = 1; i < 5; i++) cr_assert_leq(v[i - 1], v[i]);
  bench_sort(NULL, 3); /* no crash */
}

Test(bench_stats, ratio_within_noise_is_about_one) {
  /* The engines' own runs spread by 10% and more; a 3% difference is noise. */
  const double base[] = {103, 98, 110}, ours[] = {100, 100, 110};
  bench_ratio q;
  bench_ratio_of(base, ours, 3, &q);
  cr_assert_eq(q.n, 3);
  cr_assert_float_eq(q.med, 1.0, 1e-9);
  cr_assert_float_eq(q.min, 0.98, 1e-9);
  cr_assert_float_eq(q.max, 1.03, 1e-9);
  cr_assert_float_eq(q.noise, 12.0 / 103, 1e-9); /* base: (110 - 98) / 103 */
  cr_assert(q.within_noise);
}

Test(bench_stats, ratio_beyond_noise_is_a_difference) {
  const double base[] = {150, 151, 149}, ours[] = {100, 101, 99};
  bench_ratio q;
  bench_ratio_of(base, ours, 3, &q);
  cr_assert_float_eq(q.med, 1.5, 1e-9);
  cr_assert_lt(q.noise, 0.03);
  cr_assert_not(q.within_noise);
  /* The same below 1. */
  bench_ratio_of(ours, base, 3, &q);
  cr_assert_lt(q.med, 0.7);
  cr_assert_not(q.within_noise);
}

Test(bench_stats, ratio_of_one_run_has_unknown_noise) {
  const double a[] = {120}, b[] = {100};
  bench_ratio q;
  bench_ratio_of(a, b, 1, &q);
  cr_assert_eq(q.n, 1);
  cr_assert_float_eq(q.med, 1.2, 1e-9);
  cr_assert(isnan(q.noise));
  cr_assert_not(q.within_noise);
  /* Unusable values (0, negative) are left out. */
  const double c[] = {0, -1}, d[] = {100, 100};
  bench_ratio_of(c, d, 2, &q);
  cr_assert_eq(q.n, 0);
  cr_assert(isnan(q.med));
}
