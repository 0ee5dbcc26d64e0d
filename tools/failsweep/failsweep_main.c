/* failsweep_main.c — the allocation-failure sweep driver (plain main, not
 * Criterion: the counting allocator must be installed before OpenSSL
 * allocates anything, and Criterion's runner would allocate first).
 *
 *   failsweep [--sites | --stride=S] [--repeats] [--depth=D] [--cap=N] [--only=NAME[,NAME...]]
 *             [--skip=NAME[,NAME...]] [--first=K] [--leak-check=run|scenario]
 *             [--list] [--verbose] [--trace]
 *
 * For each scenario: two runs without failures (the second is the
 * reference), then runs that each fail one allocation:
 *   --sites (the default): the first allocation of each distinct call stack
 *     of the reference run (failsweep_sites.c; --depth=D: the key ends at
 *     the D-th frame outside OpenSSL, default 3, 0 = the whole stack);
 *     --cap=N keeps at most N of a scenario's sites, evenly spread (a
 *     scenario may have a smaller cap of its own: fixtures_set). A run
 *     fails the allocation at the site's index in the reference run when
 *     its stack has the site's key, else the next allocation that has it,
 *     else (rerun) the first that has it (a run whose allocations shifted:
 *     "drifted"; a key no run met: "missed"). --repeats adds, for each
 *     call stack that allocates more than once, its second allocation
 *     (a loop's second pass: the first pass's change must be undone).
 *   --stride=S: allocations k = 1, 1+S, 1+2S, ... until a run makes fewer
 *     than k allocations (--stride=1: every allocation).
 * --first=K skips the allocations before K (to reach one quickly);
 * --verbose prints each failed call, --trace also each run before it starts.
 * Exit status 1 on any finding or leak. See docs/reliability.md for what
 * each run checks. */
#include <execinfo.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

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

#define FS_RUN_LIMIT_S 120 /* seconds one run may take (a hang: on_alarm) */

/* ---- the counting allocator ------------------------------------------------ */
static atomic_long n_allocs;  /* allocations counted in this run */
static atomic_long fail_at;   /* fail this one (0: none) */
static atomic_int counting;   /* count (and fail) only while a scenario runs */
static atomic_int fired;      /* the failure happened in this run */
static atomic_long fired_at;  /* ... at this allocation */
static atomic_long net;       /* allocations minus frees while counting */
/* Per-site mode: record keys (the reference run), or fail the first
 * allocation from fail_at on whose key is want_key. */
static int site_depth = 3;
static int verbose, trace;
static atomic_int recording;
static atomic_long hangs_skipped; /* allocations not failed: a known OpenSSL hang */
static _Atomic uint64_t want_key;

__attribute__((noinline)) static int fail_now(void) {
  if (!atomic_load(&counting)) return 0;
  long n = atomic_fetch_add(&n_allocs, 1) + 1;
  if (atomic_load(&recording)) {
    if (fs_known_hang()) atomic_fetch_add(&hangs_skipped, 1);
    else fs_sites_record(n, fs_stack_key(site_depth));
    return 0;
  }
  long at = atomic_load(&fail_at);
  if (at == 0 || n < at || atomic_load(&fired)) return 0;
  uint64_t want = atomic_load(&want_key);
  if (want != 0 && fs_stack_key(site_depth) != want) return 0;
  if (fs_known_hang()) { /* stride mode: fail the next allocation instead */
    atomic_fetch_add(&hangs_skipped, 1);
    atomic_compare_exchange_strong(&fail_at, &at, n + 1);
    return 0;
  }
  if (atomic_exchange(&fired, 1)) return 0;
  atomic_store(&fired_at, n);
  if (trace) { /* where the failed allocation came from (addr2line reads it) */
    void *fr[32];
    backtrace_symbols_fd(fr, backtrace(fr, 32), 2);
  }
  return 1;
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
static long first_point = 1; /* --first=K: start at allocation K (debugging) */

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
  long points, failed, succeeded, leaks, allocs, sites, drifted, missed;
  long kinds[32]; /* failures by -kind */
} tally;

/* call_scenario runs sc->run from one call site in run_once, and tells
 * fs_stack_key where that is: keys stop there, so that the frames above
 * (which differ between the reference run and the failing runs) are never
 * part of a key. Not a tail call (the barrier), so its frame stays. */
__attribute__((noinline)) static int call_scenario(const fs_scenario *sc) {
  fs_stack_top = __builtin_return_address(0);
  int rc = sc->run();
  __asm__ volatile("" ::: "memory");
  return rc;
}

/* run_once runs sc failing allocation `point` (0: none), or in per-site
 * mode the first allocation from `point` on with stack key `key`; returns
 * its status. */
static int run_once(const fs_scenario *sc, long point, uint64_t key, long *allocs, int *did_fire) {
  th_error_clear();
  ERR_clear_error();
  cur_point = point;
  atomic_store(&n_allocs, 0);
  atomic_store(&fail_at, point);
  atomic_store(&want_key, key);
  atomic_store(&fired, 0);
  atomic_store(&fired_at, 0);
  atomic_store(&net, 0);
  paused_depth = 0;
  atomic_store(&counting, 1);
  alarm(FS_RUN_LIMIT_S);
  int rc = call_scenario(sc);
  alarm(0);
  atomic_store(&counting, 0);
  *allocs = atomic_load(&n_allocs);
  *did_fire = atomic_load(&fired);
  if (*did_fire) cur_point = atomic_load(&fired_at);
  ERR_clear_error();
  th_error_clear();
  return rc;
}

/* leak_check asks LeakSanitizer (when built with it) whether anything is
 * unreachable. A full check scans the heap (tens of milliseconds), so it
 * runs after a run that kept more allocations than it freed (`net` > 0:
 * a leak, or a cache that OpenSSL filled), every 64th run and at the end
 * of each scenario; with --leak-check=scenario only at the start and end
 * of each scenario (a leak is then found for the scenario, not the run:
 * rerun it with --only to find the run). Leaked blocks stay leaked, so
 * after the first leak the process stops checking (it has already
 * failed). */
static int leak_per_scenario;
#ifdef FS_LSAN
static int leaked_once;
static long runs_since_check;
#endif
static int leak_check(int force) {
#ifdef FS_LSAN
  if (leaked_once) return 0;
  if (!force && (leak_per_scenario || (atomic_load(&net) <= 0 && ++runs_since_check < 64))) return 0;
  runs_since_check = 0;
  if (__lsan_do_recoverable_leak_check()) {
    leaked_once = 1;
    return 1;
  }
#endif
  return 0;
}

/* one_point runs sc failing one allocation and checks the run; returns
 * whether the failure fired. */
static int one_point(const fs_scenario *sc, long k, uint64_t key, tally *t) {
  long n;
  int fired_;
  if (trace) fprintf(stderr, "  %s: failing allocation %ld (key %016llx)\n", sc->name, k,
                     (unsigned long long)key);
  int rc = run_once(sc, k, key, &n, &fired_);
  if (!fired_) return 0;
  t->points++;
  if (key != 0 && cur_point != k) t->drifted++;
  if (rc < 0) {
    t->failed++;
    if (-rc < 32) t->kinds[-rc]++;
  } else {
    t->succeeded++;
  }
  if (leak_check(0)) {
    fprintf(stderr, "FINDING %s, allocation %ld failed (or one of the 63 runs before it): leak "
            "(report above; leak checks stop here)\n", sc->name, cur_point);
    findings++;
    t->leaks++;
  }
  return 1;
}

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* stride > 0: stride mode; 0: per-site mode with at most cap points (0: all). */
static int sweep(const fs_scenario *sc, long stride, long cap, tally *t) {
  cur_name = sc->name;
  fs_key_lib_only = 0;
  findings_here = 0;
  double t0 = now_s(), c0 = cpu_s();
  long allocs;
  int fired_;
  /* Twice without failures: the first run also does OpenSSL's one-time
   * initialisations (which, failed, would stay failed for the process);
   * the second is the reference (in per-site mode it records the keys). */
  for (int i = 0; i < 2; i++) {
    if (i == 1 && stride == 0) {
      fs_sites_reset();
      atomic_store(&recording, 1);
    }
    int rc = run_once(sc, 0, 0, &allocs, &fired_);
    atomic_store(&recording, 0);
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
  long before = t->points, sites = 0;
  if (sc->cap > 0 && (cap == 0 || sc->cap < cap)) cap = sc->cap;
  if (stride > 0) {
    for (long k = first_point; (cap == 0 || t->points - before < cap) && one_point(sc, k, 0, t);
         k += stride) {
    }
  } else {
    sites = (long)fs_n_sites;
    long n = cap > 0 && sites > cap ? cap : sites;
    for (long i = 0; i < n; i++) {
      size_t j = (size_t)(n == sites ? i : i * sites / n);
      if (fs_sites[j].index < first_point) continue;
      /* Not at or after its index: the run's allocations shifted the
       * other way; the first allocation with the key anywhere then. */
      if (!one_point(sc, fs_sites[j].index, fs_sites[j].key, t) &&
          !one_point(sc, 1, fs_sites[j].key, t))
        t->missed++;
    }
    t->sites += sites;
  }
  if (leak_check(1)) {
    fprintf(stderr, "FINDING %s leaks in its last runs (report above)\n", sc->name);
    findings++;
    t->leaks++;
  }
  t->allocs += allocs;
  if (stride > 0)
    printf("%-28s %6ld allocations, %6ld failure points swept, %7.2f s (%.2f s CPU)\n", sc->name,
           allocs, t->points - before, now_s() - t0, cpu_s() - c0);
  else
    printf("%-28s %6ld allocations, %5ld sites, %5ld failure points swept, %7.2f s (%.2f s CPU)\n",
           sc->name, allocs, sites, t->points - before, now_s() - t0, cpu_s() - c0);
  fflush(stdout);
  return 0;
}

const fs_scenario *const fs_tables[] = {fs_crypto_scenarios, fs_more_scenarios, fs_ssl_scenarios,
                                        fs_tls_scenarios, fs_conn_scenarios,
                                        fs_loopback_scenarios, NULL};

/* A run that does not end (an OpenSSL hang the table in failsweep_sites.c
 * does not know yet) is a finding, reported with where it is stuck; and
 * without ASan (whose shadow memory needs the address space) a run that
 * grows without bound hits a 4 GiB limit instead of the machine's memory. */
static void on_alarm(int sig) {
  static const char msg[] = "FINDING: a run did not end within the time limit (a hang); stack:\n";
  (void)!write(2, msg, sizeof msg - 1);
  if (cur_name != NULL) {
    (void)!write(2, cur_name, strlen(cur_name));
    (void)!write(2, "\n", 1);
  }
  void *fr[64];
  backtrace_symbols_fd(fr, backtrace(fr, 64), 2);
  _exit(1);
}
static void guard(void) {
  signal(SIGALRM, on_alarm);
#ifndef FS_LSAN
  struct rlimit r = {4UL << 30, 4UL << 30};
  setrlimit(RLIMIT_AS, &r);
#endif
}

/* in_list: name is one of the comma-separated names of list. */
static int in_list(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; (p = strstr(p, name)) != NULL; p++)
    if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ',')) return 1;
  return 0;
}

/* known_names: 1 when every comma-separated name in list is a scenario
 * (a misspelt --only would otherwise sweep nothing and report success). */
static int known_names(const char *list, const char *opt) {
  for (const char *p = list; p != NULL && *p != '\0';) {
    size_t n = strcspn(p, ",");
    int found = 0;
    for (const fs_scenario *const *table = fs_tables; !found && *table != NULL; table++)
      for (const fs_scenario *sc = *table; !found && sc->name != NULL; sc++)
        found = strlen(sc->name) == n && strncmp(sc->name, p, n) == 0;
    if (!found) {
      fprintf(stderr, "failsweep: %s: no scenario named '%.*s' (--list names them)\n", opt, (int)n, p);
      return 0;
    }
    p += n + (p[n] == ',');
  }
  return 1;
}

static long arg_long(const char *v, long min) {
  char *end;
  long n = strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n < min) {
    fprintf(stderr, "failsweep: bad number '%s'\n", v);
    exit(2);
  }
  return n;
}

int main(int argc, char **argv) {
  if (!CRYPTO_set_mem_functions(fs_malloc, fs_realloc, fs_free)) {
    fprintf(stderr, "failsweep: CRYPTO_set_mem_functions refused (OpenSSL allocated already)\n");
    return 2;
  }
  long stride = 0, cap = 0; /* stride 0: per-site mode */
  const char *only = NULL, *skip = NULL;
  int list = 0;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--stride=", 9) == 0) stride = arg_long(argv[i] + 9, 1);
    else if (strcmp(argv[i], "--sites") == 0) stride = 0;
    else if (strcmp(argv[i], "--repeats") == 0) fs_sites_repeats = 1;
    else if (strncmp(argv[i], "--depth=", 8) == 0) site_depth = (int)arg_long(argv[i] + 8, 0);
    else if (strncmp(argv[i], "--cap=", 6) == 0) cap = arg_long(argv[i] + 6, 0);
    else if (strncmp(argv[i], "--only=", 7) == 0) only = argv[i] + 7;
    else if (strncmp(argv[i], "--skip=", 7) == 0) skip = argv[i] + 7;
    else if (strcmp(argv[i], "--leak-check=scenario") == 0) leak_per_scenario = 1;
    else if (strcmp(argv[i], "--leak-check=run") == 0) leak_per_scenario = 0;
    else if (strncmp(argv[i], "--first=", 8) == 0) first_point = arg_long(argv[i] + 8, 1);
    else if (strcmp(argv[i], "--list") == 0) list = 1;
    else if (strcmp(argv[i], "--verbose") == 0) verbose = 1;
    else if (strcmp(argv[i], "--trace") == 0) trace = verbose = 1;
    else {
      fprintf(stderr, "usage: failsweep [--sites | --stride=S] [--repeats] [--depth=D] [--cap=N] "
              "[--only=NAME[,NAME...]] [--skip=NAME[,NAME...]] [--first=K] [--leak-check=run|scenario] "
              "[--list] [--verbose] [--trace]\n");
      return 2;
    }
  }
  if ((only != NULL && !known_names(only, "--only")) || (skip != NULL && !known_names(skip, "--skip")))
    return 2;
  fs_sites_init();
  guard();
  if (fs_inputs_make() != TH_OK) {
    char err[512];
    th_error_format(err, sizeof err);
    fprintf(stderr, "failsweep: cannot make the inputs: %s\n", err);
    return 2;
  }
  tally t = {0};
  long scenarios = 0;
  double t0 = now_s(), c0 = cpu_s();
  for (const fs_scenario *const *table = fs_tables; *table != NULL; table++) {
    for (const fs_scenario *sc = *table; sc->name != NULL; sc++) {
      if (list) {
        printf("%s\n", sc->name);
        continue;
      }
      if (only != NULL && !in_list(only, sc->name)) continue;
      if (skip != NULL && in_list(skip, sc->name)) continue;
      scenarios++;
      sweep(sc, stride, cap, &t);
    }
  }
  fs_inputs_free();
  fs_sites_free();
  if (list) return 0;
  char mode[128], captext[32] = "none";
  if (cap > 0) snprintf(captext, sizeof captext, "%ld", cap);
  if (stride > 0)
    snprintf(mode, sizeof mode, "stride %ld", stride);
  else
    snprintf(mode, sizeof mode, "sites%s (depth %d, cap %s per scenario; %ld %s)",
             fs_sites_repeats ? " + repeats" : "", site_depth, captext, t.sites,
             fs_sites_repeats ? "sites and second allocations" : "distinct sites");
  printf("failsweep: mode %s; %ld scenarios, %ld allocations in their reference runs, "
         "%ld failure points: %ld failed cleanly, %ld succeeded anyway",
         mode, scenarios, t.allocs, t.points, t.failed, t.succeeded);
  if (stride == 0) printf(" (%ld drifted, %ld missed)", t.drifted, t.missed);
  if (atomic_load(&hangs_skipped) > 0)
    printf("; %ld allocations not failed (a known OpenSSL hang)", atomic_load(&hangs_skipped));
  printf("; %ld findings, %ld leaks; %.1f s (%.1f s CPU)\n", findings, t.leaks, now_s() - t0,
         cpu_s() - c0);
  printf("failsweep: failures by kind:");
  for (int k = 1; k < 32; k++)
    if (t.kinds[k] != 0) printf(" %s=%ld", th_err_name(-k), t.kinds[k]);
  printf("\n");
  for (size_t i = 0; i < 8 && tolerated_what[i] != NULL; i++)
    printf("failsweep: known OpenSSL behaviour, %ld times: %s\n", tolerated_n[i], tolerated_what[i]);
  return findings == 0 && t.leaks == 0 ? 0 : 1;
}
