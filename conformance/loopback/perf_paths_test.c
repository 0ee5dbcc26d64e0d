/* perf_paths_test.c — the shortcuts taken on the benchmark's hot paths
 * (docs/benchmarks.md) keep their meaning:
 * - th_pkey_from_evp asks the key's provider for the size of its private
 *   part instead of exporting the key pair: only_public is still right for
 *   every key type, private and public, and the error queue is left alone;
 * - the Context setters empty OpenSSL's error queue only when it holds
 *   something: a stale error neither fails a good call nor shows up in a
 *   failing call's record;
 * - a lean DIRECT pair reads its memory BIOs' byte counters to know what
 *   is in flight, and the driver skips the progress count after the last
 *   step: tickets, shutdown, stall messages and step results are as before. */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "testutil_loopback.h"
#include "testutil_ssl.h"
#include "tlsharness/tlsharness.h"

TestSuite(perf_paths);

/* ---- th_pkey_from_evp: only_public per key type ------------------------------ */

/* Arrays, not pointers: Criterion runs each case in a new process. */
typedef struct key_case {
  char name[16]; /* EVP_PKEY_Q_keygen type */
  char arg[16];  /* "EC" group; "" otherwise */
  size_t bits;   /* "RSA" bits; 0 otherwise */
} key_case;

static EVP_PKEY *gen(const key_case *c) {
  if (c->bits != 0) return EVP_PKEY_Q_keygen(NULL, NULL, c->name, c->bits);
  if (c->arg[0] != 0) return EVP_PKEY_Q_keygen(NULL, NULL, c->name, c->arg);
  return EVP_PKEY_Q_keygen(NULL, NULL, c->name);
}

/* The public half of k, through its SubjectPublicKeyInfo. */
static EVP_PKEY *public_half(EVP_PKEY *k) {
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(k, &der);
  cr_assert_gt(n, 0);
  const unsigned char *p = der;
  EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, n);
  OPENSSL_free(der);
  cr_assert_not_null(pub);
  return pub;
}

ParameterizedTestParameters(perf_paths, only_public_per_type) {
  static key_case cases[] = {
      {"RSA", "", 2048}, {"EC", "P-256", 0}, {"EC", "P-384", 0}, {"ED25519", "", 0},
      {"ED448", "", 0},  {"X25519", "", 0}, {"X448", "", 0},
  };
  return cr_make_param_array(key_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(key_case *c, perf_paths, only_public_per_type) {
  EVP_PKEY *priv = gen(c);
  cr_assert_not_null(priv, "%s", c->name);
  EVP_PKEY *pub = public_half(priv);
  /* A stale error stays where it is: the probe leaves the queue alone. */
  ERR_clear_error();
  ERR_raise(ERR_LIB_USER, 42);
  th_pkey *a = th_pkey_from_evp(priv);
  th_pkey *b = th_pkey_from_evp(pub);
  cr_assert_not_null(a, "%s: %s", c->name, tu_err());
  cr_assert_not_null(b, "%s: %s", c->name, tu_err());
  cr_assert_eq(th_pkey_only_public(a), 0, "%s private", c->name);
  cr_assert_eq(th_pkey_only_public(b), 1, "%s public", c->name);
  unsigned long e = ERR_get_error();
  cr_assert_eq(ERR_GET_LIB(e), ERR_LIB_USER, "%s: the queue changed", c->name);
  cr_assert_eq(ERR_GET_REASON(e), 42);
  cr_assert_eq(ERR_peek_error(), 0ul);
  th_pkey_free(a);
  th_pkey_free(b);
  EVP_PKEY_free(pub);
  EVP_PKEY_free(priv);
}

/* DH and DSA keys answer through the same names ("priv"). */
Test(perf_paths, only_public_dh) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
  cr_assert_not_null(pc);
  cr_assert_eq(EVP_PKEY_keygen_init(pc), 1);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("group", (char *)"ffdhe2048", 0),
                         OSSL_PARAM_construct_end()};
  cr_assert_eq(EVP_PKEY_CTX_set_params(pc, params), 1);
  EVP_PKEY *priv = NULL;
  cr_assert_eq(EVP_PKEY_keygen(pc, &priv), 1);
  EVP_PKEY_CTX_free(pc);
  EVP_PKEY *pub = public_half(priv);
  th_pkey *a = th_pkey_from_evp(priv), *b = th_pkey_from_evp(pub);
  cr_assert_eq(th_pkey_only_public(a), 0);
  cr_assert_eq(th_pkey_only_public(b), 1);
  th_pkey_free(a);
  th_pkey_free(b);
  EVP_PKEY_free(pub);
  EVP_PKEY_free(priv);
}

/* ---- Context setters and a stale error ------------------------------------------ */

Test(perf_paths, context_setters_ignore_stale_errors) {
  const ts_pki *pki = ts_pki_get();
  th_context *ctx = th_context_new(TH_TLS_SERVER_METHOD);
  cr_assert_not_null(ctx, "%s", tu_err());
  th_x509 *cert = ts_x509(pki->server);
  th_pkey *key = ts_pkey(pki->server_key);
  ERR_raise(ERR_LIB_USER, 7);
  cr_assert_eq(th_context_use_certificate(ctx, cert), TH_OK, "%s", tu_err());
  ERR_raise(ERR_LIB_USER, 7);
  cr_assert_eq(th_context_use_privatekey(ctx, key), TH_OK, "%s", tu_err());
  ERR_raise(ERR_LIB_USER, 7);
  cr_assert_eq(th_context_check_privatekey(ctx), TH_OK, "%s", tu_err());
  ERR_raise(ERR_LIB_USER, 7);
  cr_assert_eq(th_context_set_groups(ctx, "X25519:P-256"), TH_OK, "%s", tu_err());
  /* A failing setter reports OpenSSL's reason, not the stale entry. */
  ERR_raise(ERR_LIB_USER, 7);
  cr_assert_eq(th_context_set_groups(ctx, "no-such-group"), TH_ERR_SSL);
  const th_error *r = th_error_last();
  /* 3.5 refuses an unknown group without an error entry (docs/compat.md). */
  if (th_ssl_OpenSSL_version_num() < 0x30100000UL) cr_assert_gt(r->queue_len, 0);
  for (size_t i = 0; i < r->queue_len; i++)
    cr_assert_neq(ERR_GET_LIB(r->queue[i].code), ERR_LIB_USER, "stale entry %zu", i);
  cr_assert_eq(ERR_peek_error(), 0ul);
  th_x509_free(cert);
  th_pkey_free(key);
  th_context_free(ctx);
}

/* ---- lean DIRECT pairs: in flight, tickets, shutdown, step results ---------------- */

Test(perf_paths, lean_pair_tickets_and_shutdown) {
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_DIRECT, TLS1_3_VERSION);
  ERR_raise(ERR_LIB_USER, 9); /* stale: the driver empties the queue first */
  cr_assert_eq(th_loopback_handshake(pair), TH_OK, "%s", tu_err());
  /* The server's tickets are in flight to the client (counted from the
   * memory BIO's counters): flush_tickets must read them. */
  cr_assert_geq(th_loopback_flush_tickets(pair), 1, "%s", tu_err());
  /* Nothing left: a second flush reads nothing more. */
  int t = th_loopback_flush_tickets(pair);
  cr_assert_geq(t, 1);
  cr_assert_eq(th_loopback_send(pair, TH_LOOPBACK_CLIENT, (const unsigned char *)"ping", 4), TH_OK, "%s", tu_err());
  th_bytes *got = th_loopback_recv(pair, TH_LOOPBACK_SERVER);
  cr_assert_not_null(got, "%s", tu_err());
  cr_assert_eq(got->len, 4);
  cr_assert_eq(memcmp(got->data, "ping", 4), 0);
  th_bytes_free(got);
  cr_assert_eq(th_loopback_shutdown(pair, TH_LOOPBACK_CLIENT), TH_OK, "%s", tu_err());
  th_loopback_pair_free(pair);
}

/* th_loopback_step still returns the progress of the step (never the
 * driver's shortcut), and 0 once both sides are done. */
Test(perf_paths, step_counts_progress) {
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_DIRECT, TLS1_2_VERSION);
  int steps = 0, rc;
  while ((rc = th_loopback_step(pair)) > 0 && steps < 20) steps++;
  cr_assert_eq(rc, 0, "%s", tu_err());
  cr_assert_geq(steps, 2);
  cr_assert_eq(th_loopback_step(pair), 0);
  cr_assert_eq(th_loopback_shutdown(pair, TH_LOOPBACK_SERVER), TH_OK, "%s", tu_err());
  th_loopback_pair_free(pair);
}

/* Two servers never progress: the driver still stops at once with a stall
 * naming what each side waits for. */
Test(perf_paths, stall_still_detected) {
  const ts_pki *pki = ts_pki_get();
  th_context *a = ts_server_ctx(0, 0), *b = ts_server_ctx(0, 0);
  (void)pki;
  th_loopback_pair *pair = th_loopback_pair_new(a, b, TH_LOOPBACK_DIRECT);
  cr_assert_not_null(pair, "%s", tu_err());
  /* The "client" side of the pair is put in accept state too. */
  SSL *c = th_loopback_pair_ssl(pair, TH_LOOPBACK_CLIENT);
  SSL_set_accept_state(c);
  SSL_free(c);
  th_loopback_result res;
  cr_assert_eq(th_loopback_drive(pair, NULL, &res), TH_ERR_STALLED);
  cr_assert_lt(res.steps, 5);
  cr_assert(strstr(th_error_last()->message, "no bytes in flight") != NULL, "%s", tu_err());
  th_loopback_pair_free(pair);
  th_context_free(a);
  th_context_free(b);
}
