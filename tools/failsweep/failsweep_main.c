/* failsweep_main.c — the allocation-failure sweep driver (plain main, not
 * Criterion: the counting allocator must be installed before OpenSSL
 * allocates anything, and Criterion's runner would allocate first).
 *
 *   failsweep [--stride=S] [--only=NAME] [--list] [--verbose]
 *
 * For each scenario: one run counts its allocations (N), then runs fail
 * allocation k = 1, 1+S, 1+2S, ... until a run makes fewer than k
 * allocations (the failure never fired). Exit status 1 on any finding or
 * leak. See docs/reliability.md for what each run checks. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "failsweep.h"

#if defined(__SANITIZE_ADDRESS__)
#define FS_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_LSAN 1
#endif
#endif
#ifdef FS_LSAN
#include <sanitizer/lsan_interface.h>
/* The same suppressions as tools/failsweep/lsan.supp (OpenSSL 3.0's
 * name-map leak under a failed allocation), built in so that every run of
 * the binary (bazel test --config=asan included) has them; they need full
 * stacks through libcrypto. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:OBJ_NAME_do_all\nleak:EVP_KEYMGMT_fetch\n";
}
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=0"; }
#endif

/* ---- the counting allocator ------------------------------------------------ */
static atomic_long n_allocs;  /* allocations counted in this run */
static atomic_long fail_at;   /* fail this one (0: none) */
static atomic_int counting;   /* count (and fail) only while a scenario runs */
static atomic_int fired;      /* the failure happened in this run */
static atomic_long net;       /* allocations minus frees while counting */

static int fail_now(void) {
  if (!atomic_load(&counting)) return 0;
  long n = atomic_fetch_add(&n_allocs, 1) + 1;
  if (n == atomic_load(&fail_at)) {
    atomic_store(&fired, 1);
    return 1;
  }
  return 0;
}
static void *fs_malloc(size_t n, const char *file, int line) {
  if (fail_now()) return NULL;
  void *p = malloc(n);
  if (p != NULL && atomic_load(&counting)) atomic_fetch_add(&net, 1);
  return p;
}
static void *fs_realloc(void *p, size_t n, const char *file, int line) {
  if (n == 0) { /* a free, never failed */
    if (p != NULL && atomic_load(&counting)) atomic_fetch_sub(&net, 1);
    free(p);
    return NULL;
  }
  if (fail_now()) return NULL;
  void *q = realloc(p, n);
  if (p == NULL && q != NULL && atomic_load(&counting)) atomic_fetch_add(&net, 1);
  return q;
}
static void fs_free(void *p, const char *file, int line) {
  if (p != NULL && atomic_load(&counting)) atomic_fetch_sub(&net, 1);
  free(p);
}

static int paused_depth;
void fs_pause(void) {
  if (paused_depth++ == 0) atomic_store(&counting, 0);
}
void fs_resume(void) {
  if (--paused_depth == 0) atomic_store(&counting, 1);
}

/* ---- findings ---------------------------------------------------------------- */
static const char *cur_name;
static long cur_point;
static long findings, findings_here;
static int verbose;

int fs_finding(const char *fmt, ...) {
  findings++;
  if (findings_here++ < 5) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char err[512];
    th_error_format(err, sizeof err);
    fprintf(stderr, "FINDING %s, allocation %ld failed: %s (last error: %s)\n", cur_name,
            cur_point, msg, err);
  }
  return TH_ERR_VALUE;
}

static const char *tolerated_what[8];
static long tolerated_n[8];
void fs_tolerated(const char *what) {
  for (size_t i = 0; i < 8; i++) {
    if (tolerated_what[i] == NULL) tolerated_what[i] = what;
    if (strcmp(tolerated_what[i], what) == 0) {
      tolerated_n[i]++;
      return;
    }
  }
}

int fs_status(int rc, const char *what) {
  int kind = th_error_kind();
  if (kind != rc) fs_finding("%s returned %s but the error record says %s", what,
                             th_err_name(rc), th_err_name(kind));
  if (verbose) fprintf(stderr, "  %s #%ld: %s -> %s\n", cur_name, cur_point, what, th_err_name(rc));
  return rc;
}

int fs_null(const char *what) {
  int kind = th_error_kind();
  if (kind >= 0) {
    fs_finding("%s returned NULL with no error recorded", what);
    return TH_ERR_VALUE;
  }
  if (verbose) fprintf(stderr, "  %s #%ld: %s -> NULL %s\n", cur_name, cur_point, what, th_err_name(kind));
  return kind;
}

int fs_same(const th_bytes *a, const th_bytes *b) {
  return a != NULL && b != NULL && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* ---- the sweep ------------------------------------------------------------- */
typedef struct tally {
  long points, failed, succeeded, leaks;
  long kinds[32]; /* failures by -kind */
} tally;

/* run_once runs sc failing allocation `point` (0: none); returns its status. */
static int run_once(const fs_scenario *sc, long point, long *allocs, int *did_fire) {
  th_error_clear();
  ERR_clear_error();
  cur_point = point;
  atomic_store(&n_allocs, 0);
  atomic_store(&fail_at, point);
  atomic_store(&fired, 0);
  atomic_store(&net, 0);
  paused_depth = 0;
  atomic_store(&counting, 1);
  int rc = sc->run();
  atomic_store(&counting, 0);
  *allocs = atomic_load(&n_allocs);
  *did_fire = atomic_load(&fired);
  ERR_clear_error();
  th_error_clear();
  return rc;
}

/* leak_check asks LeakSanitizer (when built with it) whether anything is
 * unreachable. A full check scans the heap (tens of milliseconds), so it
 * runs after a run that kept more allocations than it freed (`net` > 0:
 * a leak, or a cache that OpenSSL filled), every 64th run and at the end
 * of each scenario. Leaked blocks stay leaked, so after the first leak the
 * process stops checking (it has already failed). */
#ifdef FS_LSAN
static int leaked_once;
static long runs_since_check;
#endif
static int leak_check(int force) {
#ifdef FS_LSAN
  if (leaked_once) return 0;
  if (!force && atomic_load(&net) <= 0 && ++runs_since_check < 64) return 0;
  runs_since_check = 0;
  if (__lsan_do_recoverable_leak_check()) {
    leaked_once = 1;
    return 1;
  }
#endif
  return 0;
}

static int sweep(const fs_scenario *sc, long stride, tally *t) {
  cur_name = sc->name;
  findings_here = 0;
  long allocs;
  int fired_;
  /* Twice without failures: the first run also does OpenSSL's one-time
   * initialisations (which, failed, would stay failed for the process). */
  for (int i = 0; i < 2; i++) {
    int rc = run_once(sc, 0, &allocs, &fired_);
    if (rc != TH_OK) {
      fprintf(stderr, "FINDING %s fails without any allocation failure: %s\n", sc->name,
              th_err_name(rc));
      findings++;
      return -1;
    }
  }
  if (leak_check(1)) {
    fprintf(stderr, "FINDING %s leaks without any allocation failure\n", sc->name);
    findings++;
    t->leaks++;
  }
  long total = allocs, points = 0;
  for (long k = 1;; k += stride) {
    long n;
    int rc = run_once(sc, k, &n, &fired_);
    if (!fired_) break; /* this run made fewer than k allocations */
    points++;
    if (rc < 0) {
      t->failed++;
      if (-rc < 32) t->kinds[-rc]++;
    } else {
      t->succeeded++;
    }
    if (leak_check(0)) {
      fprintf(stderr, "FINDING %s, allocation %ld failed (or one of the 63 runs before it): leak "
              "(report above; leak checks stop here)\n", sc->name, k);
      findings++;
      t->leaks++;
    }
  }
  if (leak_check(1)) {
    fprintf(stderr, "FINDING %s leaks in its last runs (report above)\n", sc->name);
    findings++;
    t->leaks++;
  }
  t->points += points;
  printf("%-28s %6ld allocations, %6ld failure points swept\n", sc->name, total, points);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (!CRYPTO_set_mem_functions(fs_malloc, fs_realloc, fs_free)) {
    fprintf(stderr, "failsweep: CRYPTO_set_mem_functions refused (OpenSSL allocated already)\n");
    return 2;
  }
  long stride = 1;
  const char *only = NULL;
  int list = 0;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--stride=", 9) == 0) stride = strtol(argv[i] + 9, NULL, 10);
    else if (strncmp(argv[i], "--only=", 7) == 0) only = argv[i] + 7;
    else if (strcmp(argv[i], "--list") == 0) list = 1;
    else if (strcmp(argv[i], "--verbose") == 0) verbose = 1;
    else {
      fprintf(stderr, "usage: failsweep [--stride=S] [--only=NAME[,NAME...]] [--list] [--verbose]\n");
      return 2;
    }
  }
  if (stride < 1) stride = 1;
  if (fs_inputs_make() != TH_OK) {
    char err[512];
    th_error_format(err, sizeof err);
    fprintf(stderr, "failsweep: cannot make the inputs: %s\n", err);
    return 2;
  }
  const fs_scenario *tables[] = {fs_crypto_scenarios, fs_ssl_scenarios};
  const size_t counts[] = {fs_crypto_count, fs_ssl_count};
  tally t = {0};
  long scenarios = 0;
  for (size_t ti = 0; ti < 2; ti++) {
    for (size_t i = 0; i < counts[ti]; i++) {
      const fs_scenario *sc = &tables[ti][i];
      if (list) {
        printf("%s\n", sc->name);
        continue;
      }
      if (only != NULL) {
        const char *p = strstr(only, sc->name);
        size_t n = strlen(sc->name);
        if (p == NULL || (p != only && p[-1] != ',') || (p[n] != '\0' && p[n] != ',')) continue;
      }
      scenarios++;
      sweep(sc, stride, &t);
    }
  }
  fs_inputs_free();
  if (list) return 0;
  printf("failsweep: %ld scenarios, %ld failure points (stride %ld): %ld failed cleanly, "
         "%ld succeeded anyway; %ld findings, %ld leaks\n",
         scenarios, t.points, stride, t.failed, t.succeeded, findings, t.leaks);
  printf("failsweep: failures by kind:");
  for (int k = 1; k < 32; k++)
    if (t.kinds[k] != 0) printf(" %s=%ld", th_err_name(-k), t.kinds[k]);
  printf("\n");
  for (size_t i = 0; i < 8 && tolerated_what[i] != NULL; i++)
    printf("failsweep: known OpenSSL behaviour, %ld times: %s\n", tolerated_n[i], tolerated_what[i]);
  return findings == 0 && t.leaks == 0 ? 0 : 1;
}
