/* bench_output.c — medians of a cell and the report as a table, JSON or
 * CSV. Undefined values (no 1-thread cell for E(N), no floor) print as "-"
 * in the table, null in JSON and empty in CSV. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tools/bench/bench.h"

static double med_of(const bench_run_result *r, int n, size_t off) {
  double v[BENCH_MAX_REPEAT];
  for (int i = 0; i < n; i++) v[i] = *(const double *)((const char *)&r[i] + off);
  return n > 0 ? bench_median(v, (size_t)n) : NAN;
}

#define MED(arr, n, field) med_of(arr, n, offsetof(bench_run_result, field))

/* Index of the repetition whose throughput is closest to the median. */
static int median_rep(const bench_run_result *r, int n, double med) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (fabs(r[i].hs_per_s - med) < fabs(r[best].hs_per_s - med)) best = i;
  return best;
}

static const bench_cell *one_thread_cell(const bench_report *r, const bench_cell *c) {
  for (size_t i = 0; i < r->ncells; i++)
    if (r->cells[i].sc == c->sc && r->cells[i].mode == c->mode && r->cells[i].threads == 1)
      return &r->cells[i];
  return NULL;
}

void bench_summarize(const bench_report *r, size_t i, bench_summary *s) {
  const bench_cell *c = &r->cells[i];
  int n = c->nrep;
  s->hs = r->opt->ours ? MED(c->ours, n, hs_per_s) : NAN;
  s->base_hs = r->opt->baseline ? MED(c->base, n, hs_per_s) : NAN;
  s->us_per_hs = s->hs > 0 ? c->threads * 1e6 / s->hs : NAN;
  s->base_us = s->base_hs > 0 ? c->threads * 1e6 / s->base_hs : NAN;
  /* Latency and per-thread spread: ours, or the baseline when run alone. */
  const bench_run_result *lat = r->opt->ours ? c->ours : c->base;
  s->p50_us = MED(lat, n, p50_us);
  s->p99_us = MED(lat, n, p99_us);
  int m = n > 0 ? median_rep(lat, n, r->opt->ours ? s->hs : s->base_hs) : 0;
  s->thr_min = n > 0 ? lat[m].thr_min : NAN;
  s->thr_max = n > 0 ? lat[m].thr_max : NAN;
  const bench_cell *one = one_thread_cell(r, c);
  s->eff = one && r->opt->ours ? bench_efficiency(s->hs, c->threads, MED(one->ours, one->nrep, hs_per_s)) : NAN;
  s->base_eff = one && r->opt->baseline
                    ? bench_efficiency(s->base_hs, c->threads, MED(one->base, one->nrep, hs_per_s))
                    : NAN;
  s->ratio = s->base_hs > 0 ? s->hs / s->base_hs : NAN;
  s->cpu_us = r->opt->ours ? MED(c->ours, n, cpu_us_per_hs) : NAN;
  s->base_cpu_us = r->opt->baseline ? MED(c->base, n, cpu_us_per_hs) : NAN;
  s->cpu_ratio = s->cpu_us > 0 ? s->base_cpu_us / s->cpu_us : NAN;
  double ours_cpu[BENCH_MAX_REPEAT], base_cpu[BENCH_MAX_REPEAT];
  for (int k = 0; k < n; k++) {
    ours_cpu[k] = r->opt->ours ? c->ours[k].cpu_us_per_hs : NAN;
    base_cpu[k] = r->opt->baseline ? c->base[k].cpu_us_per_hs : NAN;
  }
  bench_ratio_of(base_cpu, ours_cpu, (size_t)n, &s->cpu_r);
  s->floor_us = r->floor.measured ? bench_floor_us(&r->floor, c->sc) : NAN;
  /* Against CPU time, so that other load on the machine does not count. */
  double cpu = r->opt->ours ? s->cpu_us : s->base_cpu_us;
  s->eta = cpu > 0 ? s->floor_us / cpu : NAN;
}

static void header(FILE *f, const bench_report *r) {
  const bench_options *o = r->opt;
  fprintf(f, "tlsharness handshake benchmark — %s, %d cores\n", OpenSSL_version(OPENSSL_VERSION),
          r->ncores);
  fprintf(f, "runs: %.2f s measured after %.2f s warm-up, median of %d, engines alternated; "
             "total %.1f s\n", o->duration_s, o->warmup_s, o->repeat, r->total_s);
  fprintf(f, "load average before %.2f, after %.2f (1 min)\n", r->load_before[0], r->load_after[0]);
}

/* "%*.*f" or "-" for an undefined value. */
static void num(FILE *f, int width, int prec, double v) {
  if (isnan(v) || isinf(v))
    fprintf(f, " %*s", width, "-");
  else
    fprintf(f, " %*.*f", width, prec, v);
}

static void print_floor(FILE *f, const bench_report *r) {
  if (!r->floor.measured) return;
  fprintf(f, "\ncrypto floor (one thread, in-process EVP calls), us per operation:\n");
  for (int op = 0; op < OP_COUNT; op++) fprintf(f, "  %-22s %9.2f\n", bench_op_name(op), r->floor.op_us[op]);
}

static void print_memory(FILE *f, const bench_report *r) {
  const bench_options *o = r->opt;
  if (!o->memory) return;
  fprintf(f, "\nheap per live connection pair, bytes (%d pairs, mallinfo2):\n", o->mem_pairs);
  fprintf(f, "  %-16s %12s %12s %12s %12s %10s\n", "scenario", "ours mid", "ours done", "base mid",
          "base done", "diff done");
  for (int i = 0; i < o->nscen; i++) {
    const bench_mem_result *a = &r->mem_ours[i], *b = &r->mem_base[i];
    fprintf(f, "  %-16s", o->scenarios[i]->name);
    num(f, 12, 0, a->ok ? a->mid_bytes : NAN);
    num(f, 12, 0, a->ok ? a->done_bytes : NAN);
    num(f, 12, 0, b->ok ? b->mid_bytes : NAN);
    num(f, 12, 0, b->ok ? b->done_bytes : NAN);
    num(f, 10, 0, a->ok && b->ok ? a->done_bytes - b->done_bytes : NAN);
    fputc('\n', f);
  }
}

void bench_print_table(FILE *f, const bench_report *r) {
  header(f, r);
  fprintf(f, "\n%-16s %-6s %3s %8s %7s %7s %8s %15s %5s %7s | %8s %5s %7s | %6s %6s %5s\n",
          "scenario", "mode", "N", "hs/s", "us/hs", "p50 us", "p99 us", "per-thread", "E(N)",
          "cpu us", "base/s", "E(N)", "cpu us", "ratio", "cpu-r", "eta");
  for (size_t i = 0; i < r->ncells; i++) {
    const bench_cell *c = &r->cells[i];
    bench_summary s;
    bench_summarize(r, i, &s);
    fprintf(f, "%-16s %-6s %3d", c->sc->name, bench_mode_name(c->mode), c->threads);
    num(f, 8, 0, s.hs);
    num(f, 7, 0, s.us_per_hs);
    num(f, 7, 0, s.p50_us);
    num(f, 8, 0, s.p99_us);
    fprintf(f, " %7.0f-%-7.0f", s.thr_min, s.thr_max);
    num(f, 5, 2, s.eff);
    num(f, 7, 0, s.cpu_us);
    fprintf(f, " |");
    num(f, 8, 0, s.base_hs);
    num(f, 5, 2, s.base_eff);
    num(f, 7, 0, s.base_cpu_us);
    fprintf(f, " |");
    num(f, 6, 3, s.ratio);
    num(f, 6, 3, s.cpu_ratio);
    num(f, 5, 2, s.eta);
    fputc('\n', f);
  }
  print_floor(f, r);
  print_memory(f, r);
  fprintf(f, "\npeak RSS %ld KiB\n", r->peak_rss_kib);
}

/* A CPU-time ratio as the summary shows it: "≈ 1" within the run's noise,
 * otherwise the median; then the range over the paired repetitions. */
static void print_ratio(FILE *f, const bench_ratio *q) {
  char range[48];
  if (q->n == 0) {
    fprintf(f, " %9s %-22s %6s", "-", "", "-");
    return;
  }
  snprintf(range, sizeof range, "(%.2f-%.2f, n=%d)", q->min, q->max, q->n);
  if (q->within_noise)
    fprintf(f, " %9s %-22s", "\u2248 1  ", range); /* the UTF-8 sign counts 3 bytes */
  else
    fprintf(f, " %7.2f %-22s", q->med, range);
  if (isnan(q->noise))
    fprintf(f, " %6s", "?");
  else
    fprintf(f, " %5.0f%%", 100 * q->noise);
}

void bench_print_summary(FILE *f, const bench_report *r) {
  for (int i = 0; i < r->nskipped; i++)
    fprintf(f, "%-16s UNSUPPORTED: %s\n", r->skipped[i]->name, r->skipped_why[i]);
  fprintf(f, "%-16s %-6s %3s %12s %12s %7s %-22s %6s\n", "scenario", "mode", "N", "tlsharness/s",
          "openssl/s", "cpu-r", "(range over runs)", "noise");
  for (size_t i = 0; i < r->ncells; i++) {
    const bench_cell *c = &r->cells[i];
    bench_summary s;
    bench_summarize(r, i, &s);
    fprintf(f, "%-16s %-6s %3d", c->sc->name, bench_mode_name(c->mode), c->threads);
    num(f, 12, 0, s.hs);
    num(f, 12, 0, s.base_hs);
    print_ratio(f, &s.cpu_r);
    fputc('\n', f);
  }
  fprintf(f, "(cpu-r: median over paired runs of openssl's CPU time per handshake divided by\n"
             " tlsharness's: above 1 tlsharness needs less CPU, below 1 more. \u2248 1: the runs\n"
             " cannot tell them apart, the ratio is within this run's noise, the larger\n"
             " relative spread of either engine's own runs. handshakes/s are medians too.)\n");
  fprintf(f, "(%d cores, load %.2f; %.1f s; full run: bazel run -c opt //tools/bench)\n", r->ncores,
          r->load_after[0], r->total_s);
}

static void jnum(FILE *f, const char *key, double v, const char *sep) {
  if (isnan(v) || isinf(v))
    fprintf(f, "\"%s\": null%s", key, sep);
  else
    fprintf(f, "\"%s\": %.6g%s", key, v, sep);
}

static void json_cells(FILE *f, const bench_report *r) {
  fprintf(f, "  \"results\": [\n");
  for (size_t i = 0; i < r->ncells; i++) {
    const bench_cell *c = &r->cells[i];
    bench_summary s;
    bench_summarize(r, i, &s);
    fprintf(f, "    {\"scenario\": \"%s\", \"mode\": \"%s\", \"threads\": %d, ", c->sc->name,
            bench_mode_name(c->mode), c->threads);
    jnum(f, "hs_per_s", s.hs, ", ");
    jnum(f, "us_per_hs", s.us_per_hs, ", ");
    jnum(f, "p50_us", s.p50_us, ", ");
    jnum(f, "p99_us", s.p99_us, ", ");
    jnum(f, "thread_min", s.thr_min, ", ");
    jnum(f, "thread_max", s.thr_max, ", ");
    jnum(f, "efficiency", s.eff, ", ");
    jnum(f, "baseline_hs_per_s", s.base_hs, ", ");
    jnum(f, "baseline_efficiency", s.base_eff, ", ");
    jnum(f, "ratio", s.ratio, ", ");
    jnum(f, "cpu_us_per_hs", s.cpu_us, ", ");
    jnum(f, "baseline_cpu_us_per_hs", s.base_cpu_us, ", ");
    jnum(f, "cpu_ratio", s.cpu_ratio, ", ");
    jnum(f, "cpu_ratio_paired_median", s.cpu_r.med, ", ");
    jnum(f, "cpu_ratio_min", s.cpu_r.min, ", ");
    jnum(f, "cpu_ratio_max", s.cpu_r.max, ", ");
    jnum(f, "noise", s.cpu_r.noise, ", ");
    fprintf(f, "\"cpu_ratio_within_noise\": %s, ", s.cpu_r.within_noise ? "true" : "false");
    jnum(f, "floor_us", s.floor_us, ", ");
    jnum(f, "eta", s.eta, ", ");
    fprintf(f, "\"reps\": [");
    for (int k = 0; k < c->nrep; k++)
      fprintf(f, "[%.6g, %.6g]%s", c->ours[k].hs_per_s, c->base[k].hs_per_s,
              k + 1 < c->nrep ? ", " : "");
    fprintf(f, "]}%s\n", i + 1 < r->ncells ? "," : "");
  }
  fprintf(f, "  ],\n");
}

void bench_print_json(FILE *f, const bench_report *r) {
  const bench_options *o = r->opt;
  fprintf(f, "{\n  \"openssl\": \"%s\",\n  \"cores\": %d,\n", OpenSSL_version(OPENSSL_VERSION), r->ncores);
  fprintf(f, "  \"duration_s\": %g, \"warmup_s\": %g, \"repeat\": %d,\n", o->duration_s, o->warmup_s,
          o->repeat);
  fprintf(f, "  \"loadavg_before\": %.2f, \"loadavg_after\": %.2f, \"total_s\": %.2f,\n",
          r->load_before[0], r->load_after[0], r->total_s);
  json_cells(f, r);
  fprintf(f, "  \"floor_us\": {");
  for (int op = 0; r->floor.measured && op < OP_COUNT; op++)
    fprintf(f, "\"%s\": %.4g%s", bench_op_name(op), r->floor.op_us[op], op + 1 < OP_COUNT ? ", " : "");
  fprintf(f, "},\n  \"memory\": [");
  for (int i = 0; o->memory && i < o->nscen; i++) {
    fprintf(f, "%s\n    {\"scenario\": \"%s\", ", i ? "," : "", o->scenarios[i]->name);
    jnum(f, "ours_mid", r->mem_ours[i].ok ? r->mem_ours[i].mid_bytes : NAN, ", ");
    jnum(f, "ours_done", r->mem_ours[i].ok ? r->mem_ours[i].done_bytes : NAN, ", ");
    jnum(f, "base_mid", r->mem_base[i].ok ? r->mem_base[i].mid_bytes : NAN, ", ");
    jnum(f, "base_done", r->mem_base[i].ok ? r->mem_base[i].done_bytes : NAN, "}");
  }
  fprintf(f, "],\n  \"peak_rss_kib\": %ld\n}\n", r->peak_rss_kib);
}

static void cnum(FILE *f, double v, const char *sep) {
  if (isnan(v) || isinf(v))
    fprintf(f, "%s", sep);
  else
    fprintf(f, "%.6g%s", v, sep);
}

void bench_print_csv(FILE *f, const bench_report *r) {
  fprintf(f, "scenario,mode,threads,hs_per_s,us_per_hs,p50_us,p99_us,thread_min,thread_max,"
             "efficiency,baseline_hs_per_s,baseline_efficiency,ratio,cpu_us_per_hs,"
             "baseline_cpu_us_per_hs,cpu_ratio,floor_us,eta\n");
  for (size_t i = 0; i < r->ncells; i++) {
    const bench_cell *c = &r->cells[i];
    bench_summary s;
    bench_summarize(r, i, &s);
    fprintf(f, "%s,%s,%d,", c->sc->name, bench_mode_name(c->mode), c->threads);
    const double v[] = {s.hs, s.us_per_hs, s.p50_us, s.p99_us, s.thr_min, s.thr_max, s.eff,
                        s.base_hs, s.base_eff, s.ratio, s.cpu_us, s.base_cpu_us, s.cpu_ratio,
                        s.floor_us, s.eta};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) cnum(f, v[k], k + 1 < sizeof v / sizeof v[0] ? "," : "\n");
  }
}
