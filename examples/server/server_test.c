/* server_test.c — the example server (tls_server.c, plain OpenSSL) tested
 * through a client th_peer, in the memory and the socket pattern, with no
 * OpenSSL code of the test's own: one row per case, run in both patterns. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "example_fixtures.h"
#include "tls_server.h"
#include "tlsharness/tlsharness.h"

#define REQUEST "GET /\n"
#define REPLY "200 OK\n"

static example_pki pki;
static void setup(void) {
  signal(SIGPIPE, SIG_IGN);
  example_pki_make(&pki);
}
static void teardown(void) { example_pki_free(&pki); }
TestSuite(example_server, .init = setup, .fini = teardown);

enum { MEMORY, SOCKET };
enum { NO_CERT = -1 };

typedef struct tcase {
  const char *name;
  int client_cert;          /* EX_* the peer presents, or NO_CERT */
  int peer_min, peer_max;   /* the client peer's versions */
  int server_max;           /* the server's highest version (0: any) */
  int require_cert;         /* the server requires client certificates */
  unsigned deadline_ms;     /* the server's deadline (0: 3000) */
  int unix_socket;          /* socket pattern over AF_UNIX (FRAGMENT toward the server) */
  th_loopback_fault fault;
  int script[6];            /* SEND sends REQUEST, GARBAGE junk; 0 ends */
  const char *send;         /* NULL: REQUEST */
  int want;
} tcase;

#define S(...) {__VA_ARGS__}
#define CLIENT_FAULT(k, ...) {.kind = TH_LOOPBACK_FAULT_##k, .from = TH_LOOPBACK_CLIENT, __VA_ARGS__}

static const tcase cases[] = {
    {"happy path", NO_CERT, .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_OK},
    {"client certificate required, none", NO_CERT, .require_cert = 1,
     .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_REFUSED},
    {"client certificate required, given", EX_CLIENT, .require_cert = 1,
     .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_OK},
    {"client certificate from an untrusted root", EX_UNTRUSTED, .require_cert = 1,
     .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_REFUSED},
    {"TLS 1.2-only client", NO_CERT, TLS1_2_VERSION, TLS1_2_VERSION,
     .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_OK},
    {"TLS 1.3-only client", NO_CERT, TLS1_3_VERSION, TLS1_3_VERSION,
     .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_OK},
    {"TLS 1.3-only client, TLS 1.2 server", NO_CERT, TLS1_3_VERSION, TLS1_3_VERSION,
     .server_max = TLS1_2_VERSION, .want = SERVER_REFUSED},
    {"request truncated without close_notify", NO_CERT, .send = "GET",
     .script = S(TH_PEER_SEND, TH_PEER_CLOSE), .want = SERVER_TRUNCATED},
    {"1-byte fragments", NO_CERT, .unix_socket = 1, .fault = CLIENT_FAULT(FRAGMENT, .n = 1),
     .script = S(TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_OK},
    {"garbage after ClientHello", NO_CERT,
     .fault = CLIENT_FAULT(INJECT, .position = TH_LOOPBACK_AT_MESSAGE_END,
                           .at = TH_LOOPBACK_HS_CLIENT_HELLO, .data = (const unsigned char *)"\x16junk",
                           .len = 5),
     .want = SERVER_REFUSED},
    {"silence after ClientHello", NO_CERT, .deadline_ms = 300,
     .fault = CLIENT_FAULT(SILENCE, .position = TH_LOOPBACK_AT_MESSAGE_END,
                           .at = TH_LOOPBACK_HS_CLIENT_HELLO),
     .want = SERVER_TIMEOUT},
    /* OpenSSL 3 servers refuse client-initiated renegotiation by default:
     * the server answers no_renegotiation and the peer's renegotiation
     * cannot complete, so the request never comes. */
    {"client renegotiation request", NO_CERT, TLS1_2_VERSION, TLS1_2_VERSION, .deadline_ms = 500,
     .script = S(TH_PEER_RENEGOTIATE, TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_TLS},
    {"key update", NO_CERT, TLS1_3_VERSION, TLS1_3_VERSION,
     .script = S(TH_PEER_KEY_UPDATE, TH_PEER_SEND, TH_PEER_RECV), .want = SERVER_OK},
    {"garbage after the handshake", NO_CERT, .script = S(TH_PEER_GARBAGE), .want = SERVER_TLS},
};
#define NCASES (sizeof cases / sizeof cases[0])

static th_peer *make_peer(const tcase *c) {
  const th_fixtures_files *f = c->client_cert == NO_CERT ? NULL : &pki.files[c->client_cert];
  th_peer *peer = th_peer_new_from_files(TH_PEER_CLIENT, f ? f->chain : NULL, f ? f->key : NULL, NULL);
  cr_assert_not_null(peer, "%s", th_error_last()->message);
  cr_assert_eq(th_peer_set_versions(peer, c->peer_min, c->peer_max), TH_OK);
  cr_assert_eq(th_peer_observe(peer, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK);
  if (c->fault.kind) cr_assert_eq(th_peer_add_fault(peer, &c->fault), TH_OK);
  for (int i = 0; c->script[i]; i++) {
    int a = c->script[i];
    const char *d = a == TH_PEER_SEND ? (c->send ? c->send : REQUEST) : a == TH_PEER_GARBAGE ? "junk!" : NULL;
    cr_assert_eq(th_peer_script(peer, a, d, d ? strlen(d) : 0), TH_OK, "%s", th_error_last()->message);
  }
  return peer;
}

/* The application's own calls; the peer takes its SSL (memory) or the
 * other end of its socket (socket pattern). */
static int run_server(th_peer *peer, const tcase *c, int pattern, server_result *out) {
  const th_fixtures_files *g = &pki.files[EX_GOOD];
  server_config cfg = {.cert_file = g->chain, .key_file = g->key, .reply = REPLY,
                       .client_ca_file = c->require_cert ? g->ca : NULL,
                       .max_version = c->server_max,
                       .deadline_ms = c->deadline_ms ? c->deadline_ms : 3000};
  SSL_CTX *ctx = server_ctx_new(&cfg);
  SSL *ssl = server_ssl_new(ctx);
  int fd = -1;
  if (pattern == MEMORY)
    cr_assert_eq(th_peer_attach_ssl(peer, ssl), TH_OK, "%s", th_error_last()->message);
  else
    cr_assert_geq(fd = th_peer_socketpair(peer, c->unix_socket ? TH_LOOPBACK_UNIX : TH_LOOPBACK_TCP), 0,
                  "%s", th_error_last()->message);
  int rc = server_serve(ssl, fd, &cfg, out);
  if (pattern == MEMORY) th_peer_step(peer); /* the peer reads what the server sent last */
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  if (fd >= 0) close(fd);
  return rc;
}

typedef struct param {
  size_t i;
  int pattern;
} param;

ParameterizedTestParameters(example_server, cases) {
  static param p[2 * NCASES];
  for (size_t i = 0; i < NCASES; i++) {
    p[2 * i] = (param){i, MEMORY};
    p[2 * i + 1] = (param){i, SOCKET};
  }
  return cr_make_param_array(param, p, 2 * NCASES);
}

ParameterizedTest(param *p, example_server, cases) {
  const tcase *c = &cases[p->i];
  cr_log_info("%s, %s pattern", c->name, p->pattern == MEMORY ? "memory" : "socket");
  th_peer *peer = make_peer(c);
  server_result out;
  int rc = run_server(peer, c, p->pattern, &out);
  if (p->pattern == SOCKET) th_peer_wait(peer, 0);
  th_bytes *t = th_peer_transcript(peer);
  cr_expect_eq(rc, c->want, "%s (%s): server returned %d, expected %d; the wire:\n%s", c->name,
               p->pattern == MEMORY ? "memory" : "socket", rc, c->want, t ? (char *)t->data : "?");
  th_bytes_free(t);
  if (c->want == SERVER_OK) {
    cr_expect(out.len == strlen(REQUEST) && memcmp(out.request, REQUEST, out.len) == 0, "%s: request %.*s",
              c->name, (int)out.len, out.request);
    if (c->peer_min) cr_expect_eq(out.version, c->peer_min, "%s", c->name);
    th_bytes *got = th_peer_received(peer);
    cr_expect(got && got->len == strlen(REPLY) && memcmp(got->data, REPLY, got->len) == 0,
              "%s: the peer did not get the reply", c->name);
    th_bytes_free(got);
  }
  if (c->fault.kind && c->fault.kind != TH_LOOPBACK_FAULT_FRAGMENT)
    cr_expect_gt(th_peer_faults_fired(peer), 0, "%s: the fault never fired", c->name);
  th_peer_free(peer);
}
