/* bench_main.c — options and orchestration of the handshake benchmark.
 *
 * For every repetition, every (scenario, mode, threads) cell runs both
 * engines back to back, alternating which goes first, so that the
 * tlsharness/OpenSSL ratio is measured in one process under one machine
 * state; medians over the repetitions are reported. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tools/bench/bench.h"

void bench_usage(FILE *f) {
  fprintf(f,
          "usage: bench [options]\n"
          "  --threads LIST     thread counts, e.g. 1,2,4 (default: 1, 2, 4 ... up to the cores)\n"
          "  --duration SEC     measured seconds per run (default 0.5)\n"
          "  --warmup SEC       unmeasured seconds before each run (default 0.1)\n"
          "  --repeat N         repetitions; medians are reported (default 3)\n"
          "  --scenarios LIST   scenario names or 'all' (see --list)\n"
          "  --modes LIST       shared,thread,libctx or 'all' (default all)\n"
          "  --json | --csv     machine-readable output instead of the table\n"
          "  --summary          a short run: 3 scenarios, 1 and 2 threads, libctx mode\n"
          "  --engines LIST     tlsharness,openssl (default both; one alone for profiling)\n"
          "  --no-baseline      same as --engines tlsharness\n"
          "  --no-floor         skip the crypto floor\n"
          "  --no-memory        skip memory per connection pair\n"
          "  --mem-pairs K      live pairs for the memory measurement (default 100)\n"
          "  --progress | --no-progress   progress line on stderr (default: if a terminal)\n"
          "  --list             list the scenarios\n"
          "  -h, --help         this help\n");
}

int bench_parse_int_list(const char *s, int *out, int max) {
  int n = 0;
  const char *p = s;
  if (s == NULL || *s == '\0') return -1;
  while (*p) {
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (end == p || errno != 0 || v < 1 || v > 1024 || n >= max) return -1;
    out[n++] = (int)v;
    if (*end == ',' && end[1] != '\0')
      p = end + 1;
    else if (*end == '\0')
      p = end;
    else
      return -1;
  }
  return n;
}

static int parse_double(const char *s, double min, double max, double *out) {
  char *end;
  if (s == NULL || *s == '\0') return -1;
  errno = 0;
  double v = strtod(s, &end);
  if (*end != '\0' || errno != 0 || !(v >= min && v <= max)) return -1;
  *out = v;
  return 0;
}

static int parse_names(const char *s, bench_options *o, int scenarios) {
  char buf[512];
  if (s == NULL || strlen(s) >= sizeof buf || *s == '\0') return -1;
  strcpy(buf, s);
  if (scenarios) o->nscen = 0; else o->nmodes = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (strcmp(t, "all") == 0) {
      if (scenarios)
        for (size_t i = 0; i < bench_nscenarios; i++) o->scenarios[o->nscen++] = &bench_scenarios[i];
      else
        for (int i = 0; i < BM_COUNT; i++) o->modes[o->nmodes++] = i;
      continue;
    }
    if (scenarios) {
      const bench_scenario *sc = bench_scenario_find(t);
      if (sc == NULL || o->nscen >= 32) return -1;
      o->scenarios[o->nscen++] = sc;
    } else {
      int m = bench_mode_parse(t);
      if (m < 0 || o->nmodes >= BM_COUNT) return -1;
      o->modes[o->nmodes++] = m;
    }
  }
  return (scenarios ? o->nscen : o->nmodes) > 0 ? 0 : -1;
}

static int parse_engines(const char *s, bench_options *o) {
  char buf[64];
  if (s == NULL || strlen(s) >= sizeof buf) return -1;
  strcpy(buf, s);
  o->ours = o->baseline = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (strcmp(t, "tlsharness") == 0) o->ours = 1;
    else if (strcmp(t, "openssl") == 0) o->baseline = 1;
    else return -1;
  }
  return o->ours || o->baseline ? 0 : -1;
}

static void set_defaults(bench_options *o, int ncores) {
  memset(o, 0, sizeof *o);
  for (int t = 1; t <= ncores && o->nthreads < BENCH_MAX_THREADS_LIST; t *= 2) o->threads[o->nthreads++] = t;
  if (o->nthreads == 0 || (o->threads[o->nthreads - 1] != ncores && ncores > 1 &&
                           o->nthreads < BENCH_MAX_THREADS_LIST))
    o->threads[o->nthreads++] = ncores > 1 ? ncores : 1;
  o->duration_s = 0.5;
  o->warmup_s = 0.1;
  o->repeat = 3;
  for (size_t i = 0; i < bench_nscenarios; i++) o->scenarios[o->nscen++] = &bench_scenarios[i];
  for (int i = 0; i < BM_COUNT; i++) o->modes[o->nmodes++] = i;
  o->floor = o->memory = o->baseline = o->ours = 1;
  o->mem_pairs = 100;
  o->progress = -1;
}

/* The --summary preset: a few seconds on two cores. Later options override. */
static void set_summary(bench_options *o) {
  /* tls13-mlkem runs where the build has the hybrid group (3.5's default). */
  static const char *const names[] = {"tls13-p256", "tls12-ecdhe-rsa", "tls13-resume",
                                      "tls13-mlkem"};
  o->summary = 1;
  o->threads[0] = 1;
  o->threads[1] = 2;
  o->nthreads = 2;
  o->duration_s = 0.15;
  o->warmup_s = 0.05;
  o->repeat = 3; /* three paired runs: a median, a range and the run's noise */
  o->nscen = 0;
  for (int i = 0; i < 4; i++) o->scenarios[o->nscen++] = bench_scenario_find(names[i]);
  o->modes[0] = BM_LIBCTX;
  o->nmodes = 1;
  o->floor = o->memory = 0;
}

/* The value of option argv[*i] ("--x=v" or "--x v"); NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (strcmp(argv[*i], name) == 0 && *i + 1 < argc) return argv[++*i];
  return NULL;
}

static int is_opt(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_one(bench_options *o, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  double d;
  if (is_opt(a, "--threads")) {
    int n = bench_parse_int_list(opt_value(argc, argv, i, "--threads"), o->threads, BENCH_MAX_THREADS_LIST);
    if (n < 0) return -1;
    o->nthreads = n;
  } else if (is_opt(a, "--duration")) {
    if (parse_double(opt_value(argc, argv, i, "--duration"), 0.001, 3600, &o->duration_s)) return -1;
  } else if (is_opt(a, "--warmup")) {
    if (parse_double(opt_value(argc, argv, i, "--warmup"), 0, 3600, &o->warmup_s)) return -1;
  } else if (is_opt(a, "--repeat")) {
    if (parse_double(opt_value(argc, argv, i, "--repeat"), 1, BENCH_MAX_REPEAT, &d) || d != (int)d) return -1;
    o->repeat = (int)d;
  } else if (is_opt(a, "--mem-pairs")) {
    if (parse_double(opt_value(argc, argv, i, "--mem-pairs"), 1, 100000, &d) || d != (int)d) return -1;
    o->mem_pairs = (int)d;
  } else if (is_opt(a, "--engines")) {
    if (parse_engines(opt_value(argc, argv, i, "--engines"), o)) return -1;
  } else if (is_opt(a, "--scenarios")) {
    if (parse_names(opt_value(argc, argv, i, "--scenarios"), o, 1)) return -1;
  } else if (is_opt(a, "--modes")) {
    if (parse_names(opt_value(argc, argv, i, "--modes"), o, 0)) return -1;
  } else if (!strcmp(a, "--json")) { o->format = BF_JSON;
  } else if (!strcmp(a, "--csv")) { o->format = BF_CSV;
  } else if (!strcmp(a, "--summary")) { /* applied first, see bench_options_parse */
  } else if (!strcmp(a, "--no-baseline")) { o->baseline = 0;
  } else if (!strcmp(a, "--no-floor")) { o->floor = 0;
  } else if (!strcmp(a, "--no-memory")) { o->memory = 0;
  } else if (!strcmp(a, "--progress")) { o->progress = 1;
  } else if (!strcmp(a, "--no-progress")) { o->progress = 0;
  } else if (!strcmp(a, "--list")) { o->list = 1;
  } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { o->help = 1;
  } else {
    return -2;
  }
  return 0;
}

int bench_options_parse(bench_options *o, int argc, char **argv, int ncores, char *err,
                        size_t errlen) {
  set_defaults(o, ncores < 1 ? 1 : ncores);
  for (int i = 1; i < argc; i++)
    if (argv[i] && strcmp(argv[i], "--summary") == 0) set_summary(o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int rc = a ? parse_one(o, argc, argv, &i) : -2;
    if (rc == -2) {
      snprintf(err, errlen, "unknown option '%s'", a ? a : "(null)");
      return -1;
    }
    if (rc != 0) {
      snprintf(err, errlen, "bad or missing value for %s", a);
      return -1;
    }
  }
  return 0;
}

/* ---- orchestration ------------------------------------------------------- */

static void read_loadavg(double out[3]) {
  out[0] = out[1] = out[2] = -1;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f == NULL) return;
  if (fscanf(f, "%lf %lf %lf", &out[0], &out[1], &out[2]) != 3) out[0] = out[1] = out[2] = -1;
  fclose(f);
}

static void progress(const bench_options *o, size_t done, size_t total, const bench_cell *c,
                     int rep, const char *eng) {
  if (!o->progress) return;
  fprintf(stderr, "\r\033[K[%zu/%zu] %s %s N=%d %s rep %d/%d", done, total, c->sc->name,
          bench_mode_name(c->mode), c->threads, eng, rep + 1, o->repeat);
  fflush(stderr);
}

static int run_cell(const bench_options *o, const bench_material *m, bench_cell *c, int rep,
                    size_t *done, size_t total) {
  const bench_engine *engs[2] = {&bench_engine_th, &bench_engine_openssl};
  bench_run_result *res[2] = {&c->ours[rep], &c->base[rep]};
  int failed = 0;
  for (int k = 0; k < 2; k++) {
    int e = (rep % 2 == 0) ? k : 1 - k; /* alternate which engine goes first */
    if ((e == 1 && !o->baseline) || (e == 0 && !o->ours)) continue;
    bench_run_cfg cfg = {c->sc, engs[e], m, c->mode, c->threads, o->duration_s, o->warmup_s};
    progress(o, ++*done, total, c, rep, engs[e]->name);
    if (bench_run(&cfg, res[e]) != 0) {
      fprintf(stderr, "%sbench: %s %s N=%d %s: %s\n", o->progress ? "\n" : "", c->sc->name,
              bench_mode_name(c->mode), c->threads, engs[e]->name,
              res[e]->error[0] ? res[e]->error : "failed");
      failed = 1;
    }
  }
  c->nrep = rep + 1;
  return failed;
}

static void print_list(void) {
  for (size_t i = 0; i < bench_nscenarios; i++)
    printf("%-16s %s\n", bench_scenarios[i].name, bench_scenarios[i].desc);
}

static int measure_extras(bench_report *r, const bench_material *m) {
  const bench_options *o = r->opt;
  int failed = 0;
  if (o->floor && bench_floor_measure(&r->floor, m, 1.0) != 0) {
    fprintf(stderr, "bench: the crypto floor could not be measured\n");
    failed = 1;
  }
  for (int i = 0; o->memory && i < o->nscen; i++) {
    if ((o->ours && bench_mem_measure(&bench_engine_th, o->scenarios[i], m, o->mem_pairs,
                                      &r->mem_ours[i])) ||
        (o->baseline && bench_mem_measure(&bench_engine_openssl, o->scenarios[i], m, o->mem_pairs,
                                          &r->mem_base[i]))) {
      fprintf(stderr, "bench: memory measurement failed for %s\n", o->scenarios[i]->name);
      failed = 1;
    }
  }
  return failed;
}

static int run_all(bench_report *r, const bench_material *m) {
  const bench_options *o = r->opt;
  size_t total = r->ncells * (size_t)o->repeat * (size_t)(o->baseline + o->ours), done = 0;
  int failed = 0;
  for (int rep = 0; rep < o->repeat; rep++)
    for (size_t i = 0; i < r->ncells; i++) failed |= run_cell(o, m, &r->cells[i], rep, &done, total);
  if (o->progress) fprintf(stderr, "\r\033[K");
  return failed;
}

/* Scenarios this build cannot run leave the list, with their reason. */
static void drop_unsupported(bench_options *o, bench_report *r) {
  int kept = 0;
  for (int i = 0; i < o->nscen; i++) {
    char why[128];
    if (bench_scenario_supported(o->scenarios[i], why, sizeof why)) {
      o->scenarios[kept++] = o->scenarios[i];
    } else if (r->nskipped < 32) {
      r->skipped[r->nskipped] = o->scenarios[i];
      snprintf(r->skipped_why[r->nskipped++], sizeof r->skipped_why[0], "%s", why);
      if (!o->summary) fprintf(stderr, "bench: %s: UNSUPPORTED: %s\n", o->scenarios[i]->name, why);
    }
  }
  o->nscen = kept;
}

int bench_main(int argc, char **argv) {
  bench_options o;
  char err[160];
  int ncores = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (bench_options_parse(&o, argc, argv, ncores, err, sizeof err) != 0) {
    fprintf(stderr, "bench: %s\n", err);
    bench_usage(stderr);
    return 2;
  }
  if (o.help) { bench_usage(stdout); return 0; }
  if (o.list) { print_list(); return 0; }
  if (o.progress < 0) o.progress = isatty(STDERR_FILENO);
  bench_report r = {.opt = &o, .ncores = ncores};
  drop_unsupported(&o, &r);
  r.ncells = (size_t)o.nscen * (size_t)o.nmodes * (size_t)o.nthreads;
  r.cells = calloc(r.ncells, sizeof *r.cells);
  bench_material m;
  double t0 = bench_now();
  read_loadavg(r.load_before);
  if (r.cells == NULL || bench_material_make(&m) != 0) {
    fprintf(stderr, "bench: cannot make keys and certificates\n");
    free(r.cells);
    return 1;
  }
  size_t n = 0;
  for (int s = 0; s < o.nscen; s++)
    for (int md = 0; md < o.nmodes; md++)
      for (int t = 0; t < o.nthreads; t++)
        r.cells[n++] = (bench_cell){.sc = o.scenarios[s], .mode = o.modes[md], .threads = o.threads[t]};
  int failed = measure_extras(&r, &m);
  failed |= run_all(&r, &m);
  r.total_s = bench_now() - t0;
  read_loadavg(r.load_after);
  r.peak_rss_kib = bench_peak_rss_kib();
  if (o.format == BF_JSON) bench_print_json(stdout, &r);
  else if (o.format == BF_CSV) bench_print_csv(stdout, &r);
  else if (o.summary) bench_print_summary(stdout, &r);
  else bench_print_table(stdout, &r);
  bench_material_free(&m);
  free(r.cells);
  return failed ? 1 : 0;
}
