/* bench.h — private declarations of the handshake benchmark (tools/bench).
 *
 * The benchmark runs the same TLS handshake work through two engines that
 * share one interface (bench_engine): "tlsharness" (our library, bench_th.c)
 * and "openssl" (the same work written directly against libssl,
 * bench_baseline.c). A run (bench_harness.c) drives one engine in N threads
 * for a measured duration; bench_main.c interleaves the engines per
 * repetition so their ratio comes from one process and one machine state.
 * Nothing here is public API of the library. */
#ifndef TLSHARNESS_BENCH_H
#define TLSHARNESS_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/ssl.h>

/* ---- scenarios (bench_scenarios.c) ------------------------------------ */

typedef enum bench_keykind {
  BK_RSA2048,    /* self-signed RSA-2048 leaf */
  BK_P256,       /* self-signed ECDSA P-256 leaf */
  BK_ED25519,    /* self-signed Ed25519 leaf */
  BK_CHAIN_P256, /* P-256 leaf <- P-256 intermediate <- P-256 root */
  BK_COUNT
} bench_keykind;

typedef enum bench_resume {
  BR_NONE,       /* full handshake every time */
  BR_TICKET,     /* resume with a session ticket */
  BR_SESSION_ID, /* TLS 1.2: resume from the server's session cache */
} bench_resume;

/* Public-key (and, for sessions without any, symmetric) operations whose
 * in-process cost makes up a scenario's floor (bench_floor.c). */
typedef enum bench_op {
  OP_X25519_KEYGEN,
  OP_X25519_DERIVE,
  OP_RSA_PSS_SIGN,
  OP_RSA_PSS_VERIFY,
  OP_ECDSA_SIGN,
  OP_ECDSA_VERIFY,
  OP_ED25519_SIGN,
  OP_ED25519_VERIFY,
  OP_TICKET_CRYPT, /* AES-256-CBC decrypt + HMAC-SHA256 of a 256-byte ticket */
  OP_TLS12_PRF,    /* one TLS 1.2 PRF (SHA-256) call, 48 bytes out */
  OP_COUNT
} bench_op;

#define BENCH_MAX_OPS 8

typedef struct bench_scenario {
  const char *name;  /* "tls13-p256" */
  const char *desc;  /* one line for --list and the docs */
  int version;       /* TLS1_3_VERSION or TLS1_2_VERSION (min = max) */
  bench_keykind key;
  bench_resume resume;
  int verify_chain;      /* the client verifies the chain against the root */
  int ctx_per_handshake; /* new server and client contexts per handshake */
  const char *cipher12;  /* TLS 1.2 cipher list, or NULL */
  bench_op ops[BENCH_MAX_OPS]; /* floor operations; nops entries */
  int nops;
  const char *groups; /* key-exchange groups list, NULL: BENCH_GROUPS */
} bench_scenario;

extern const bench_scenario bench_scenarios[];
extern const size_t bench_nscenarios;

/* The scenario called name, or NULL. */
const bench_scenario *bench_scenario_find(const char *name);

/* The X25519 key exchange is pinned through the groups list, unless the
 * scenario names its own (the hybrid post-quantum one). */
#define BENCH_GROUPS "X25519"
#define BENCH_SCENARIO_GROUPS(sc) ((sc)->groups != NULL ? (sc)->groups : BENCH_GROUPS)

/* bench_scenario_supported says whether the OpenSSL build in use can run sc
 * (probed at run time: a scenario's own group may be absent, e.g.
 * X25519MLKEM768 before OpenSSL 3.5). 1 when it can; 0 with the reason in
 * why otherwise. */
int bench_scenario_supported(const bench_scenario *sc, char *why, size_t whylen);

/* ---- key material (bench_keys.c) -------------------------------------- */

/* DER encodings made once at start-up (not timed) for every key kind; each
 * thread decodes its own copy inside its library context. */
typedef struct bench_der {
  unsigned char *data;
  size_t len;
} bench_der;

typedef struct bench_material {
  bench_der key[BK_COUNT];   /* PKCS#8 private key of the leaf */
  bench_der leaf[BK_COUNT];  /* the leaf certificate */
  bench_der inter;           /* BK_CHAIN_P256: the intermediate */
  bench_der root;            /* BK_CHAIN_P256: the root (client trust) */
} bench_material;

/* Objects decoded in one OSSL_LIB_CTX (NULL: the default one). */
typedef struct bench_keys {
  EVP_PKEY *key;
  X509 *leaf;
  X509 *inter; /* NULL unless the chain kind */
  X509 *root;  /* NULL unless the chain kind */
} bench_keys;

/* bench_material_make fills m with fresh keys and certificates for every
 * kind (RSA-2048 key generation dominates: ~0.1-1 s). 0 on success. */
int bench_material_make(bench_material *m);
void bench_material_free(bench_material *m);
/* bench_keys_load decodes kind's material inside libctx. 0 on success. */
int bench_keys_load(bench_keys *k, const bench_material *m, bench_keykind kind,
                    OSSL_LIB_CTX *libctx);
void bench_keys_free(bench_keys *k);

/* ---- engines (bench_baseline.c, bench_th.c) --------------------------- */

/* What one completed handshake showed. */
typedef struct bench_hs_info {
  int resumed;  /* the client resumed a session */
  int verified; /* the client's chain verification succeeded */
  int version;  /* negotiated protocol version */
  int tickets;  /* TLS 1.3 tickets the client received after the handshake */
} bench_hs_info;

typedef struct bench_engine {
  const char *name; /* "tlsharness" or "openssl" */
  /* Server and client contexts for sc, built from k inside libctx. */
  void *(*ctx_new)(const bench_scenario *sc, const bench_keys *k, OSSL_LIB_CTX *libctx);
  void (*ctx_free)(void *ctx);
  /* A client/server pair over in-memory transport; the client offers
   * session (engine-owned type, may be NULL). */
  void *(*pair_new)(void *ctx, void *session);
  /* One flight each way (client then server). 1: both finished, 0: more to
   * do, -1: failure (message on stderr when verbose). */
  int (*pair_step)(void *pair);
  /* Finish the handshake, read the tickets, fill info; when session_out is
   * not NULL store a new session reference there. 0 on success. */
  int (*pair_complete)(void *pair, bench_hs_info *info, void **session_out);
  /* Send close_notify both ways and free the pair (NULL-safe). */
  void (*pair_free)(void *pair);
  void (*session_free)(void *session);
  /* A description of the last failure in this thread (static/thread-local
   * storage). */
  const char *(*last_error)(void);
} bench_engine;

extern const bench_engine bench_engine_openssl;
extern const bench_engine bench_engine_th;

/* bench_handshake_once runs one complete cycle (pair, handshake, tickets,
 * shutdown, free) through eng. 0 on success. */
int bench_handshake_once(const bench_engine *eng, void *ctx, void *session,
                         bench_hs_info *info, void **session_out);

/* ---- runs (bench_harness.c) ------------------------------------------- */

typedef enum bench_mode {
  BM_SHARED,  /* one context pair shared by all threads */
  BM_THREAD,  /* one context pair per thread, default library context */
  BM_LIBCTX,  /* one OSSL_LIB_CTX per thread holding contexts, keys, certs */
  BM_COUNT
} bench_mode;

const char *bench_mode_name(int mode);
int bench_mode_parse(const char *name); /* -1 when unknown */

typedef struct bench_run_cfg {
  const bench_scenario *sc;
  const bench_engine *eng;
  const bench_material *mat;
  int mode;
  int threads;
  double duration_s; /* measured part */
  double warmup_s;   /* before it, not counted */
} bench_run_cfg;

typedef struct bench_run_result {
  double hs_per_s;      /* sum over threads of count / measured seconds */
  double wall_s;        /* longest thread's measured interval */
  double thr_min, thr_max; /* slowest and fastest thread, handshakes/s */
  double p50_us, p99_us;   /* handshake latency percentiles */
  double cpu_us_per_hs;    /* thread CPU time per handshake (robust to other load) */
  uint64_t handshakes;
  uint64_t failures;
  char error[256]; /* first failure, "" if none */
} bench_run_result;

/* bench_run runs cfg and fills res. 0 when every handshake succeeded (and
 * resumed or verified where the scenario says so). */
int bench_run(const bench_run_cfg *cfg, bench_run_result *res);

/* bench_check_info says whether info is what sc expects (resumption,
 * verification, version); writes why not into why. 1 when it is. */
int bench_check_info(const bench_scenario *sc, const bench_hs_info *info, int primed,
                     char *why, size_t whylen);

/* Monotonic time in seconds. */
double bench_now(void);
/* This thread's CPU time in seconds (CLOCK_THREAD_CPUTIME_ID). */
double bench_cpu_now(void);

/* ---- statistics (bench_stats.c) --------------------------------------- */

/* Median of n values (n > 0); v is not modified. NaN when n == 0. */
double bench_median(const double *v, size_t n);
/* Percentile p in [0,100] with linear interpolation between closest ranks
 * (the "R-7" definition); NaN when n == 0 or p is out of range. */
double bench_percentile(const double *v, size_t n, double p);
/* Percentile of an already sorted array. */
double bench_percentile_sorted(const double *sorted, size_t n, double p);
/* Scaling efficiency E(N) = hs(N) / (N * hs(1)); NaN when undefined. */
double bench_efficiency(double hs_n, int n, double hs_1);
/* min and max of n values. */
void bench_minmax(const double *v, size_t n, double *min, double *max);
/* Sort n doubles ascending in place. */
void bench_sort(double *v, size_t n);

/* A ratio measured over n paired repetitions (num[i] / den[i]): its median
 * and range, and the run's noise: the larger relative spread
 * ((max - min) / median) of num's and den's own repetitions. The ratio is
 * within the noise when n >= 2 and |median - 1| <= noise or the range holds
 * 1: then it says "no measurable difference", and prints as "≈ 1". With
 * n < 2 the noise is unknown (NaN) and within_noise 0. */
typedef struct bench_ratio {
  double med, min, max, noise;
  int n;
  int within_noise;
} bench_ratio;
void bench_ratio_of(const double *num, const double *den, size_t n, bench_ratio *out);

/* ---- the floor (bench_floor.c) ---------------------------------------- */

typedef struct bench_floor {
  double op_us[OP_COUNT]; /* in-process time of each operation */
  int measured;
} bench_floor;

/* bench_floor_measure times every operation for about budget_s each in
 * total, single-threaded. 0 on success. */
int bench_floor_measure(bench_floor *f, const bench_material *m, double budget_s);
/* The floor of one handshake of sc, in microseconds. */
double bench_floor_us(const bench_floor *f, const bench_scenario *sc);
const char *bench_op_name(int op);

/* ---- memory (bench_mem.c) --------------------------------------------- */

typedef struct bench_mem_result {
  double mid_bytes;  /* per live pair, stopped after the server's first flight */
  double done_bytes; /* per live pair, after the handshake and tickets */
  int ok;
} bench_mem_result;

/* Bytes of heap in use (all malloc arenas). */
size_t bench_heap_in_use(void);
/* bench_mem_measure creates npairs pairs of sc through eng and measures the
 * heap growth per pair. 0 on success. */
int bench_mem_measure(const bench_engine *eng, const bench_scenario *sc,
                      const bench_material *m, int npairs, bench_mem_result *out);
/* Peak resident set size of this process, KiB. */
long bench_peak_rss_kib(void);

/* ---- options (bench_main.c) ------------------------------------------- */

#define BENCH_MAX_THREADS_LIST 16
#define BENCH_MAX_REPEAT 99

typedef enum bench_format { BF_TABLE, BF_JSON, BF_CSV } bench_format;

typedef struct bench_options {
  int threads[BENCH_MAX_THREADS_LIST];
  int nthreads;
  double duration_s;
  double warmup_s;
  int repeat;
  const bench_scenario *scenarios[32];
  int nscen;
  int modes[BM_COUNT];
  int nmodes;
  bench_format format;
  int summary;
  int floor;      /* measure the floor */
  int memory;     /* measure memory per pair */
  int mem_pairs;
  int progress;   /* -1: when stderr is a terminal */
  int ours;       /* run the tlsharness engine */
  int baseline;   /* run the raw-OpenSSL baseline */
  int list;
  int help;
} bench_options;

/* bench_options_parse fills o from argv (defaults first; ncores decides the
 * default thread list). 0 on success; on error writes a message into err
 * and returns -1. */
int bench_options_parse(bench_options *o, int argc, char **argv, int ncores, char *err,
                        size_t errlen);
/* Parse "1,2,4" into out (at most max values, each 1..1024). Count or -1. */
int bench_parse_int_list(const char *s, int *out, int max);
void bench_usage(FILE *f);
int bench_main(int argc, char **argv);

/* ---- results and output (bench_output.c) ------------------------------ */

/* One (scenario, mode, threads) cell with both engines. */
typedef struct bench_cell {
  const bench_scenario *sc;
  int mode;
  int threads;
  int nrep;
  bench_run_result ours[BENCH_MAX_REPEAT];
  bench_run_result base[BENCH_MAX_REPEAT];
} bench_cell;

/* Medians over the repetitions and derived ratios of one cell. */
typedef struct bench_summary {
  double hs, base_hs;           /* median handshakes/s */
  double us_per_hs, base_us;    /* threads / hs, microseconds */
  double p50_us, p99_us;        /* median of the repetitions' percentiles */
  double thr_min, thr_max;      /* per-thread range in the median repetition */
  double eff, base_eff;         /* E(N) against the same mode's 1-thread cell */
  double ratio;                 /* hs / base_hs */
  double cpu_us, base_cpu_us;   /* median thread CPU time per handshake */
  double cpu_ratio;             /* base_cpu_us / cpu_us: throughput ratio per CPU second */
  bench_ratio cpu_r;            /* base / ours CPU time per handshake, per paired repetition */
  double eta;                   /* floor / CPU time per handshake */
  double floor_us;
} bench_summary;

typedef struct bench_report {
  const bench_options *opt;
  bench_cell *cells;
  size_t ncells;
  bench_floor floor;
  bench_mem_result mem_ours[32], mem_base[32];
  int ncores;
  double load_before[3], load_after[3];
  double total_s;
  long peak_rss_kib;
  const bench_scenario *skipped[32]; /* asked for, but the build cannot run them */
  char skipped_why[32][128];
  int nskipped;
} bench_report;

/* bench_summarize computes s for cell i of r. */
void bench_summarize(const bench_report *r, size_t i, bench_summary *s);
void bench_print_table(FILE *f, const bench_report *r);
void bench_print_json(FILE *f, const bench_report *r);
void bench_print_csv(FILE *f, const bench_report *r);
void bench_print_summary(FILE *f, const bench_report *r);

#endif
