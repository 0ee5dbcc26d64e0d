/* fault_matrix_test.c — every fault of the catalogue, in each direction,
 * in every pattern (memory, socket over AF_UNIX, socket over TCP, adopt),
 * against the example client: it either takes effect or is refused with
 * TH_ERR_UNSUPPORTED and a reason, never silently ignored. The table of
 * docs/testing-apps.md is this file's `refused` function. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "example_fixtures.h"
#include "tls_client.h"
#include "tlsharness/tlsharness.h"

#define REQUEST "GET /\r\n"
#define REPLY "the reply"

static example_pki pki;
static void setup(void) {
  signal(SIGPIPE, SIG_IGN);
  example_pki_make(&pki);
}
static void teardown(void) { example_pki_free(&pki); }
TestSuite(fault_matrix, .init = setup, .fini = teardown);

enum { MEMORY, SOCKET_UNIX, SOCKET_TCP, ADOPT, NPATTERNS };
static const char *const pattern_name[] = {"memory", "socket (AF_UNIX)", "socket (TCP)", "adopt"};

#define F(k, ...) {.kind = TH_LOOPBACK_FAULT_##k, __VA_ARGS__}
static const th_loopback_fault catalogue[] = {
    F(FRAGMENT, .n = 1),          F(CAP, .n = 16),           F(RETRY, .n = 2),
    F(TRUNCATE, .at = 100),       F(FLIP_BIT, .at = 100, .n = 3), F(DROP_RECORD, .n = 2),
    F(DUP_RECORD, .n = 2),        F(REORDER_RECORD, .n = 2), F(INJECT, .at = 50, .data = (const unsigned char *)"xx", .len = 2),
    F(CLOSE, .n = 1),             F(SILENCE, .at = 100),     F(STALL_THEN_RESUME, .n = 30),
};
#define NFAULTS (sizeof catalogue / sizeof catalogue[0])

static int harmless(int kind) {
  return kind == TH_LOOPBACK_FAULT_FRAGMENT || kind == TH_LOOPBACK_FAULT_CAP ||
         kind == TH_LOOPBACK_FAULT_RETRY || kind == TH_LOOPBACK_FAULT_STALL_THEN_RESUME;
}

/* Where a fault cannot apply: over a socket the application writes its
 * socket itself (only the peer's reads of its bytes can be limited or
 * retried), and over TCP the peer cannot see when the application has
 * read a piece, so it cannot fragment what it sends. */
static int refused(int pattern, int from_app, int kind) {
  if (pattern != SOCKET_UNIX && pattern != SOCKET_TCP) return 0;
  if (from_app) return kind != TH_LOOPBACK_FAULT_FRAGMENT && kind != TH_LOOPBACK_FAULT_RETRY;
  return pattern == SOCKET_TCP && kind == TH_LOOPBACK_FAULT_FRAGMENT;
}

typedef struct param {
  int fault, pattern, from_app;
} param;

ParameterizedTestParameters(fault_matrix, every_fault_every_pattern) {
  static param p[NFAULTS * NPATTERNS * 2];
  size_t n = 0;
  for (int f = 0; f < (int)NFAULTS; f++)
    for (int pat = 0; pat < NPATTERNS; pat++)
      for (int app = 0; app < 2; app++) p[n++] = (param){f, pat, app};
  return cr_make_param_array(param, p, n);
}

/* Starts the pattern; returns the client's result (or the handshake's in
 * the adopt pattern, where the harness drives both sides), or the start's
 * refusal in *start_rc. */
static int run(th_peer *peer, const param *p, const client_config *cfg, int *start_rc) {
  client_reply out;
  if (p->pattern == SOCKET_TCP) {
    if ((*start_rc = th_peer_listen(peer)) != TH_OK) return -100;
    return client_fetch(cfg, "127.0.0.1", th_peer_port(peer), REQUEST, &out);
  }
  SSL_CTX *ctx = client_ctx_new(cfg);
  SSL *ssl = client_ssl_new(ctx, cfg);
  int rc = -100, fd = -1;
  if (p->pattern == MEMORY) {
    if ((*start_rc = th_peer_attach_ssl(peer, ssl)) == TH_OK)
      rc = client_exchange(ssl, -1, cfg, REQUEST, &out);
  } else if (p->pattern == SOCKET_UNIX) {
    fd = th_peer_socketpair(peer, TH_LOOPBACK_UNIX);
    *start_rc = fd >= 0 ? TH_OK : fd;
    if (fd >= 0) rc = client_exchange(ssl, fd, cfg, REQUEST, &out);
  } else if ((*start_rc = th_peer_adopt_ssl(peer, ssl)) == TH_OK) {
    th_loopback_pair *pair = th_peer_pair(peer);
    rc = th_loopback_handshake(pair);
    if (rc == TH_OK) rc = th_loopback_send(pair, TH_LOOPBACK_CLIENT, (const unsigned char *)REQUEST, 7);
    if (rc == TH_OK) rc = th_loopback_expect(pair, TH_LOOPBACK_SERVER, (const unsigned char *)REQUEST, 7);
    th_loopback_pair_free(pair);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  if (fd >= 0) close(fd);
  return rc;
}

ParameterizedTest(param *p, fault_matrix, every_fault_every_pattern) {
  th_loopback_fault f = catalogue[p->fault];
  f.from = p->from_app ? TH_LOOPBACK_CLIENT : TH_LOOPBACK_SERVER;
  static const char *const names[] = {"", "FRAGMENT", "CAP", "RETRY", "TRUNCATE", "FLIP_BIT",
                                      "DROP_RECORD", "DUP_RECORD", "REORDER_RECORD", "INJECT",
                                      "CLOSE", "SILENCE", "STALL_THEN_RESUME"};
  const char *what = names[f.kind];
  cr_log_info("%s from the %s, %s pattern", what, p->from_app ? "application" : "peer",
              pattern_name[p->pattern]);
  const th_fixtures_files *g = &pki.files[EX_GOOD];
  th_peer *peer = th_peer_new_from_files(TH_PEER_SERVER, g->chain, g->key, NULL);
  cr_assert_not_null(peer);
  cr_assert_eq(th_peer_add_fault(peer, &f), TH_OK, "%s", th_error_last()->message);
  cr_assert_eq(th_peer_script(peer, TH_PEER_ANSWER, REPLY, strlen(REPLY)), TH_OK);
  cr_assert_eq(th_peer_script(peer, TH_PEER_CLOSE_NOTIFY, NULL, 0), TH_OK);
  client_config cfg = {.ca_file = g->ca, .host = "localhost",
                       .deadline_ms = harmless(f.kind) ? 5000 : 400};
  int start_rc = TH_OK;
  int rc = run(peer, p, &cfg, &start_rc);
  if (refused(p->pattern, p->from_app, f.kind)) {
    cr_assert_eq(start_rc, TH_ERR_UNSUPPORTED, "%s should be refused: %d", what, start_rc);
    cr_assert(strstr(th_error_last()->message, what) != NULL, "the refusal names the fault: %s",
              th_error_last()->message);
  } else {
    cr_assert_eq(start_rc, TH_OK, "%s: %s", what, th_error_last()->message);
    if (p->pattern == SOCKET_UNIX || p->pattern == SOCKET_TCP) th_peer_wait(peer, 0);
    if (harmless(f.kind))
      cr_assert_eq(rc, 0, "%s must not break the exchange: %d (%s)", what, rc,
                   th_error_last()->message);
    else
      cr_assert_gt(th_peer_faults_fired(peer), 0, "%s never fired (exchange result %d)", what, rc);
  }
  th_peer_free(peer);
}
