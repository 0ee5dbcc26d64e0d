/* failsweep.h — the allocation-failure sweep (docs/reliability.md).
 *
 * Each scenario is a function that makes objects, uses them and frees them,
 * returning TH_OK or the negative status of the first call that failed. The
 * driver (failsweep_main.c) runs it without failures for a reference, then
 * again failing one allocation per run (any allocation of the library and
 * of OpenSSL: CRYPTO_set_mem_functions): the first of each distinct call
 * stack (per-site mode, failsweep_sites.c) or every S-th (stride mode),
 * and checks each run: a failure is
 * a negative status (or NULL) with a matching error record, a success gives
 * the right result, nothing crashes, nothing leaks (LeakSanitizer, under
 * --config=asan), and a failed setter leaves its object unchanged. */
#ifndef TH_FAILSWEEP_H
#define TH_FAILSWEEP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509_vfy.h>

#include "tlsharness/tlsharness.h"

typedef struct fs_scenario {
  const char *name;
  int (*run)(void);
  long cap; /* at most this many failure points in any mode (0: no cap of its own) */
} fs_scenario;

/* The inputs every scenario shares, made once before the sweep (with no
 * failures): a root CA, an intermediate, a server and a client leaf (P-256,
 * from the fixtures generator), their encodings, a CRL, a PKCS#12, a
 * PKCS#7, a CSR. */
typedef struct fs_inputs {
  th_x509 *root, *inter, *server, *client;
  th_pkey *root_key, *inter_key, *server_key, *client_key;
  th_bytes *cert_pem, *cert_der, *key_pem, *key_der, *key_enc_pem, *pub_pem, *pub_der;
  th_bytes *req_pem, *req_der, *crl_pem, *crl_der, *p12, *p7_pem, *p7_der, *chain_pem;
} fs_inputs;
extern fs_inputs fs_in;
int fs_inputs_make(void);
void fs_inputs_free(void);

/* Scenario tables, one per file, each ended by {NULL, NULL}; fs_tables
 * lists them (NULL-terminated), in the order the sweep runs them. */
extern const fs_scenario fs_crypto_scenarios[];
extern const fs_scenario fs_ssl_scenarios[];
extern const fs_scenario fs_more_scenarios[];
extern const fs_scenario fs_tls_scenarios[];
extern const fs_scenario fs_conn_scenarios[];
extern const fs_scenario fs_loopback_scenarios[];
extern const fs_scenario *const fs_tables[];

/* fs_make_contexts makes a server and a client Context for `version`
 * (certificates, chain, trust, client certificate required, ALPN, SNI
 * callback) for the loopback scenarios (failsweep_ssl.c). */
int fs_make_contexts(int version, th_context **server, th_context **client);

/* fs_tmpdir: a temporary directory for the scenarios that write or read
 * files (made on first use; "" when it cannot be made). */
const char *fs_tmpdir(void);

/* fs_dump_param: the name and policy settings of verification parameters
 * as text (host names, e-mail, IP, host flags, depth, auth level, flags),
 * for the setters' unchanged checks (failsweep_more.c). */
th_bytes *fs_dump_param(X509_VERIFY_PARAM *p);

/* fs_pause / fs_resume stop and restart counting (and failing)
 * allocations: scenarios pause around their checks. */
void fs_pause(void);
void fs_resume(void);

/* fs_status checks a failed call's status against the error record and
 * returns it. fs_null does the same for a call that returned NULL and
 * returns the recorded kind. fs_finding reports a defect (a wrong result,
 * a changed object) and returns TH_ERR_VALUE. */
int fs_status(int rc, const char *what);
int fs_null(const char *what);
int fs_finding(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fs_tolerated counts a known OpenSSL behaviour under a failed allocation
 * that the library cannot see (docs/reliability.md), by its text. */
void fs_tolerated(const char *what);

/* Per-site mode (failsweep_sites.c): fs_stack_key hashes the current call
 * stack up to the depth-th frame outside OpenSSL (0: the whole stack);
 * fs_sites_record keeps the first allocation index of each distinct key of
 * a reference run, in order, in fs_sites[0..fs_n_sites); with
 * fs_sites_repeats set (--repeats) also the second of each key that
 * allocates more than once (the second pass of a loop: a failure there
 * finds a partial change the first pass made and did not undo). */
typedef struct fs_site {
  long index;
  uint64_t key;
} fs_site;
extern fs_site *fs_sites;
extern void *fs_stack_top; /* the return address of the scenario's call (keys end there) */
/* fs_key_lib_only: keys hash only the frames outside OpenSSL, so there is
 * one site per path through the library and this tool (failed at the
 * first allocation OpenSSL makes under it): for a scenario whose paths
 * inside OpenSSL are too many to sweep, the library's own error paths in
 * a few runs. A scenario sets it as its first statement; the driver
 * clears it before each scenario. */
extern int fs_key_lib_only;
extern size_t fs_n_sites;
extern int fs_sites_repeats;
void fs_sites_init(void);
uint64_t fs_stack_key(int depth);
void fs_sites_reset(void);
void fs_sites_record(long index, uint64_t key);
void fs_sites_free(void);
/* fs_known_hang: the current allocation is one whose failure makes OpenSSL
 * hang (a known defect, failsweep_sites.c): never failed. */
int fs_known_hang(void);

/* In a scenario with `int rc = TH_OK;` and an `out:` label that frees. */
#define FS_TRY(expr)                                  \
  do {                                                \
    int fs_r_ = (expr);                               \
    if (fs_r_ < 0) {                                  \
      rc = fs_status(fs_r_, #expr);                   \
      goto out;                                       \
    }                                                 \
  } while (0)
#define FS_GET(var, expr)                             \
  do {                                                \
    if (((var) = (expr)) == NULL) {                   \
      rc = fs_null(#expr);                            \
      goto out;                                       \
    }                                                 \
  } while (0)
/* FS_SAME(bytes, expected): a successful result must be the expected one. */
#define FS_SAME(b, e)                                                              \
  do {                                                                             \
    if (!fs_same((b), (e))) {                                                      \
      rc = fs_finding("%s differs from the expected result (%zu bytes, expected %zu)", #b, \
                      (b) ? (b)->len : 0, (e)->len);                                  \
      goto out;                                                                    \
    }                                                                              \
  } while (0)
int fs_same(const th_bytes *a, const th_bytes *b);

/* Setters: FS_SNAP(obj, dump) takes the object's state (dump: uncounted),
 * FS_SET(obj, dump, setter) runs a setter and checks that a failure left
 * the state as it was (a success moves the snapshot on). In a scenario
 * with `th_bytes *snap = NULL;` (freed at out:). */
typedef th_bytes *(*fs_dump)(const void *obj);
int fs_set_check(int r, const char *what, th_bytes **snap, fs_dump dump, const void *obj);
#define FS_SET(obj, dump, expr)                                           \
  do {                                                                    \
    int fs_s_ = fs_set_check((expr), #expr, &snap, (dump), (obj));           \
    if (fs_s_ < 0) {                                                      \
      rc = fs_s_;                                                         \
      goto out;                                                           \
    }                                                                     \
  } while (0)
#define FS_SNAP(obj, dump)                                                \
  do {                                                                    \
    fs_pause();                                                           \
    snap = (dump)(obj);                                                   \
    fs_resume();                                                          \
    if (snap == NULL) {                                                   \
      rc = fs_finding("cannot read the object");                          \
      goto out;                                                           \
    }                                                                     \
  } while (0)


#endif
