/* client_test.c — the example client (tls_client.c, plain OpenSSL) tested
 * through th_peer, in the memory and the socket pattern, with no OpenSSL
 * code of the test's own: each case is one row of the table below, run in
 * both patterns (docs/testing-apps.md). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "example_fixtures.h"
#include "tls_client.h"
#include "tlsharness/tlsharness.h"

#define REQUEST "GET /\r\n"
#define REPLY "200 OK: the reply of the example server, long enough to cut in two.\n"
#define AFTER "after"

static example_pki pki;

static void setup(void) {
  signal(SIGPIPE, SIG_IGN); /* the client writes to sockets a peer may have closed */
  example_pki_make(&pki);
}
static void teardown(void) { example_pki_free(&pki); }

TestSuite(example_client, .init = setup, .fini = teardown);

enum { MEMORY, SOCKET };

typedef struct tcase {
  const char *name;
  int server;                 /* EX_* certificate the peer presents */
  int peer_min, peer_max;     /* the peer's versions (0: any) */
  int client_max;             /* the client's highest version (0: any) */
  int require_cert;           /* the peer requires a client certificate */
  int client_cert;            /* the client has one */
  int crl;                    /* the client checks the CRL */
  int no_reneg;               /* the client refuses renegotiation */
  unsigned deadline_ms;       /* the client's deadline (0: 3000) */
  int unix_socket;            /* socket pattern: a UNIX socketpair instead of TCP */
  th_loopback_fault fault;    /* kind 0: none */
  int script[6];              /* the peer's actions; ANSWER sends REPLY, SEND sends AFTER */
  int want;                   /* the client's result */
  long want_verify;           /* with CLIENT_VERIFY: the verify error */
  int want_handshakes;        /* > 0: the peer finished this many handshakes */
  int want_hs_records;        /* > 0: handshake records the client sent (the wire says) */
} tcase;

#define S(...) {__VA_ARGS__}
#define SERVER_FAULT(k, ...) {.kind = TH_LOOPBACK_FAULT_##k, .from = TH_LOOPBACK_SERVER, __VA_ARGS__}

static const tcase cases[] = {
    {"happy path", EX_GOOD, .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY), .want = CLIENT_OK},
    {"expired", EX_EXPIRED, .want = CLIENT_VERIFY, .want_verify = X509_V_ERR_CERT_HAS_EXPIRED},
    {"wrong host", EX_WRONG_HOST, .want = CLIENT_VERIFY, .want_verify = X509_V_ERR_HOSTNAME_MISMATCH},
    {"untrusted root", EX_UNTRUSTED, .want = CLIENT_VERIFY,
     .want_verify = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    {"revoked (CRL)", EX_REVOKED, .crl = 1, .want = CLIENT_VERIFY,
     .want_verify = X509_V_ERR_CERT_REVOKED},
    {"truncated mid-reply", EX_GOOD, .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY),
     .fault = SERVER_FAULT(TRUNCATE, .position = TH_LOOPBACK_AT_FIRST_APPDATA, .at = 5 + 20),
     .want = CLIENT_TRUNCATED},
    {"closed without close_notify", EX_GOOD, .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE),
     .want = CLIENT_TRUNCATED},
    {"1-byte fragments", EX_GOOD, .unix_socket = 1, .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY),
     .fault = SERVER_FAULT(FRAGMENT, .n = 1), .want = CLIENT_OK},
    {"TLS 1.2-only peer", EX_GOOD, TLS1_2_VERSION, TLS1_2_VERSION,
     .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY), .want = CLIENT_OK},
    {"TLS 1.3-only peer", EX_GOOD, TLS1_3_VERSION, TLS1_3_VERSION,
     .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY), .want = CLIENT_OK},
    {"TLS 1.3-only peer, TLS 1.2 client", EX_GOOD, TLS1_3_VERSION, TLS1_3_VERSION,
     .client_max = TLS1_2_VERSION, .want = CLIENT_TLS},
    {"client certificate required, none", EX_GOOD, .require_cert = 1,
     .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY), .want = CLIENT_TLS},
    {"client certificate required, given", EX_GOOD, .require_cert = 1, .client_cert = 1,
     .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY), .want = CLIENT_OK},
    {"garbage after ServerHello", EX_GOOD,
     .fault = SERVER_FAULT(INJECT, .position = TH_LOOPBACK_AT_MESSAGE_END,
                           .at = TH_LOOPBACK_HS_SERVER_HELLO, .data = (const unsigned char *)"\x17garbage",
                           .len = 8),
     .want = CLIENT_TLS},
    {"silence after ServerHello", EX_GOOD, .deadline_ms = 300,
     .fault = SERVER_FAULT(SILENCE, .position = TH_LOOPBACK_AT_MESSAGE_END,
                           .at = TH_LOOPBACK_HS_SERVER_HELLO),
     .want = CLIENT_TIMEOUT},
    {"renegotiation request", EX_GOOD, TLS1_2_VERSION, TLS1_2_VERSION,
     .script = S(TH_PEER_RECV, TH_PEER_RENEGOTIATE, TH_PEER_SEND, TH_PEER_CLOSE_NOTIFY),
     /* the client answers the HelloRequest with a new ClientHello: one more record */
     .want = CLIENT_OK, .want_handshakes = 2, .want_hs_records = 4},
    {"renegotiation refused", EX_GOOD, TLS1_2_VERSION, TLS1_2_VERSION, .no_reneg = 1,
     .script = S(TH_PEER_RECV, TH_PEER_RENEGOTIATE, TH_PEER_SEND, TH_PEER_CLOSE_NOTIFY),
     .want = CLIENT_OK, .want_hs_records = 3}, /* no_renegotiation; OpenSSL's server goes on */
    {"key update", EX_GOOD, TLS1_3_VERSION, TLS1_3_VERSION,
     .script = S(TH_PEER_RECV, TH_PEER_KEY_UPDATE, TH_PEER_SEND, TH_PEER_CLOSE_NOTIFY),
     .want = CLIENT_OK},
    {"stall, then the reply", EX_GOOD,
     .fault = SERVER_FAULT(STALL_THEN_RESUME, .position = TH_LOOPBACK_AT_FIRST_APPDATA, .n = 50),
     .script = S(TH_PEER_ANSWER, TH_PEER_CLOSE_NOTIFY), .want = CLIENT_OK},
};
#define NCASES (sizeof cases / sizeof cases[0])

static th_peer *make_peer(const tcase *c) {
  const th_fixtures_files *f = &pki.files[c->server];
  th_peer *peer = th_peer_new_from_files(TH_PEER_SERVER, f->chain, f->key, pki.files[EX_GOOD].ca);
  cr_assert_not_null(peer, "%s", th_error_last()->message);
  cr_assert_eq(th_peer_set_versions(peer, c->peer_min, c->peer_max), TH_OK);
  cr_assert_eq(th_peer_observe(peer, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK);
  if (c->require_cert) cr_assert_eq(th_peer_request_client_cert(peer, 1), TH_OK);
  if (c->fault.kind) cr_assert_eq(th_peer_add_fault(peer, &c->fault), TH_OK);
  for (int i = 0; c->script[i]; i++) {
    int a = c->script[i];
    const char *d = a == TH_PEER_ANSWER ? REPLY : a == TH_PEER_SEND ? AFTER : NULL;
    cr_assert_eq(th_peer_script(peer, a, d, d ? strlen(d) : 0), TH_OK, "%s", th_error_last()->message);
  }
  return peer;
}

static client_config config_for(const tcase *c) {
  client_config cfg = {.ca_file = pki.files[EX_GOOD].ca, .host = "localhost",
                       .deadline_ms = c->deadline_ms ? c->deadline_ms : 3000,
                       .max_version = c->client_max, .no_renegotiation = c->no_reneg};
  if (c->crl) cfg.crl_file = pki.files[EX_REVOKED].crl;
  if (c->client_cert) {
    cfg.cert_file = pki.files[EX_CLIENT].chain;
    cfg.key_file = pki.files[EX_CLIENT].key;
  }
  return cfg;
}

/* The application's own calls, as its main() would make them; the peer
 * takes its SSL (memory) or its socket (UNIX socketpair), or it connects
 * to the peer's port by itself (TCP). */
static int run_client(th_peer *peer, const client_config *cfg, int pattern, int unix_socket,
                      client_reply *out) {
  if (pattern == SOCKET && !unix_socket) {
    cr_assert_eq(th_peer_listen(peer), TH_OK, "%s", th_error_last()->message);
    return client_fetch(cfg, "127.0.0.1", th_peer_port(peer), REQUEST, out);
  }
  SSL_CTX *ctx = client_ctx_new(cfg);
  SSL *ssl = client_ssl_new(ctx, cfg);
  int fd = -1;
  if (pattern == MEMORY)
    cr_assert_eq(th_peer_attach_ssl(peer, ssl), TH_OK, "%s", th_error_last()->message);
  else
    cr_assert_geq(fd = th_peer_socketpair(peer, TH_LOOPBACK_UNIX), 0, "%s", th_error_last()->message);
  int rc = client_exchange(ssl, fd, cfg, REQUEST, out);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  if (fd >= 0) close(fd);
  return rc;
}

static void run_case(const tcase *c, int pattern) {
  th_peer *peer = make_peer(c);
  client_config cfg = config_for(c);
  client_reply out;
  int rc = run_client(peer, &cfg, pattern, c->unix_socket, &out);
  if (pattern == SOCKET) th_peer_wait(peer, 0); /* the peer's result is not the claim */
  th_bytes *t = th_peer_transcript(peer);
  int hs_records = 0; /* what the wire says the client sent */
  for (const char *s = t ? (const char *)t->data : ""; (s = strstr(s, "C->S handshake")) != NULL; s++)
    hs_records++;
  if (c->want_hs_records)
    cr_expect_eq(hs_records, c->want_hs_records, "%s: %d handshake records from the client", c->name,
                 hs_records);
  cr_expect_eq(rc, c->want, "%s (%s): client returned %d, expected %d; the wire:\n%s", c->name,
               pattern == MEMORY ? "memory" : "socket", rc, c->want, t ? (char *)t->data : "?");
  th_bytes_free(t);
  if (c->want == CLIENT_VERIFY)
    cr_expect_eq(out.verify_result, c->want_verify, "%s: verify %ld (%s)", c->name, out.verify_result,
                 X509_verify_cert_error_string(out.verify_result));
  if (c->want == CLIENT_OK) {
    const char *want = c->script[0] == TH_PEER_ANSWER ? REPLY : AFTER;
    cr_expect(out.len == strlen(want) && memcmp(out.data, want, out.len) == 0, "%s: reply %.*s",
              c->name, (int)out.len, out.data);
    if (c->peer_min) cr_expect_eq(out.version, c->peer_min, "%s", c->name);
    th_bytes *got = th_peer_received(peer);
    cr_expect(got && got->len >= strlen(REQUEST) && memcmp(got->data, REQUEST, strlen(REQUEST)) == 0,
              "%s: the peer did not get the request", c->name);
    th_bytes_free(got);
  }
  if (c->want_handshakes)
    cr_expect_eq(th_peer_handshakes(peer), c->want_handshakes, "%s: %d handshakes", c->name,
                 th_peer_handshakes(peer));
  if (c->fault.kind && c->fault.kind != TH_LOOPBACK_FAULT_FRAGMENT)
    cr_expect_gt(th_peer_faults_fired(peer), 0, "%s: the fault never fired", c->name);
  th_peer_free(peer);
}

typedef struct param {
  size_t i;
  int pattern;
} param;

ParameterizedTestParameters(example_client, cases) {
  static param p[2 * NCASES];
  for (size_t i = 0; i < NCASES; i++) {
    p[2 * i] = (param){i, MEMORY};
    p[2 * i + 1] = (param){i, SOCKET};
  }
  return cr_make_param_array(param, p, 2 * NCASES);
}

ParameterizedTest(param *p, example_client, cases) {
  cr_log_info("%s, %s pattern", cases[p->i].name, p->pattern == MEMORY ? "memory" : "socket");
  run_case(&cases[p->i], p->pattern);
}
