/* bench_stats.c — the few statistics the benchmark reports: medians over
 * repetitions, latency percentiles, scaling efficiency. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench/bench.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n) {
  if (v != NULL && n > 1) qsort(v, n, sizeof *v, cmp_double);
}

double bench_percentile_sorted(const double *s, size_t n, double p) {
  if (s == NULL || n == 0 || !(p >= 0 && p <= 100)) return NAN;
  /* rank h = (n - 1) p / 100, interpolate between floor(h), ceil(h). */
  double h = (double)(n - 1) * p / 100.0;
  size_t lo = (size_t)floor(h);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  return s[lo] + (h - (double)lo) * (s[hi] - s[lo]);
}

double bench_percentile(const double *v, size_t n, double p) {
  if (v == NULL || n == 0 || !(p >= 0 && p <= 100)) return NAN;
  double *copy = malloc(n * sizeof *copy);
  if (copy == NULL) return NAN;
  memcpy(copy, v, n * sizeof *copy);
  bench_sort(copy, n);
  double r = bench_percentile_sorted(copy, n, p);
  free(copy);
  return r;
}

double bench_median(const double *v, size_t n) { return bench_percentile(v, n, 50); }

double bench_efficiency(double hs_n, int n, double hs_1) {
  if (n < 1 || !(hs_1 > 0) || !(hs_n >= 0)) return NAN;
  return hs_n / ((double)n * hs_1);
}

void bench_minmax(const double *v, size_t n, double *min, double *max) {
  double lo = NAN, hi = NAN;
  for (size_t i = 0; v != NULL && i < n; i++) {
    if (i == 0 || v[i] < lo) lo = v[i];
    if (i == 0 || v[i] > hi) hi = v[i];
  }
  if (min) *min = lo;
  if (max) *max = hi;
}

/* (max - min) / median of n values; NaN when undefined. */
static double rel_spread(const double *v, size_t n) {
  double lo, hi, med = bench_median(v, n);
  bench_minmax(v, n, &lo, &hi);
  return n > 0 && med > 0 ? (hi - lo) / med : NAN;
}

void bench_ratio_of(const double *num, const double *den, size_t n, bench_ratio *out) {
  double r[BENCH_MAX_REPEAT];
  size_t k = 0;
  for (size_t i = 0; i < n && k < BENCH_MAX_REPEAT; i++)
    if (num[i] > 0 && den[i] > 0) r[k++] = num[i] / den[i];
  out->n = (int)k;
  out->med = k > 0 ? bench_median(r, k) : NAN;
  out->min = out->max = NAN;
  if (k > 0) bench_minmax(r, k, &out->min, &out->max);
  out->noise = NAN;
  out->within_noise = 0;
  if (k < 2) return;
  double a = rel_spread(num, n), b = rel_spread(den, n);
  out->noise = a > b ? a : b;
  out->within_noise = fabs(out->med - 1) <= out->noise || (out->min <= 1 && out->max >= 1);
}
