/* failsweep.h — the allocation-failure sweep (docs/reliability.md).
 *
 * Each scenario is a function that makes objects, uses them and frees them,
 * returning TH_OK or the negative status of the first call that failed. The
 * driver (failsweep_main.c) runs it once to count its allocations, then
 * again failing allocation 1, 2, ..., N (every allocation of the library and
 * of OpenSSL: CRYPTO_set_mem_functions), and checks each run: a failure is
 * a negative status (or NULL) with a matching error record, a success gives
 * the right result, nothing crashes, nothing leaks (LeakSanitizer, under
 * --config=asan), and a failed setter leaves its object unchanged. */
#ifndef TH_FAILSWEEP_H
#define TH_FAILSWEEP_H

#include <stddef.h>

#include "tlsharness/tlsharness.h"

typedef struct fs_scenario {
  const char *name;
  int (*run)(void);
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

/* Scenario tables of each file. */
extern const fs_scenario fs_crypto_scenarios[];
extern const size_t fs_crypto_count;
extern const fs_scenario fs_ssl_scenarios[];
extern const size_t fs_ssl_count;

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

#endif
