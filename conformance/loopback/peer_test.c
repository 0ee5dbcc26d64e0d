/* peer_test.c — th_peer (tlsharness/peer.h): its documented errors and bad
 * input, the memory pattern driven step by step (progress counted from the
 * application's reads), the adopt pattern, and protocol-positioned faults,
 * SILENCE and STALL_THEN_RESUME on plain pairs. The example suites
 * (examples/) test the patterns against real applications. */
#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(peer);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

Test(peer, new_bad_input) {
  cr_assert_null(th_peer_new(NULL, TH_PEER_SERVER));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  SSL_CTX *ctx = tl_server_ctx(0);
  cr_assert_null(th_peer_new(ctx, 7));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  SSL_CTX_free(ctx);
  cr_assert_null(th_peer_new_from_files(TH_PEER_SERVER, NULL, "k", NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_peer_new_from_files(TH_PEER_CLIENT, "c", NULL, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_peer_new_from_files(TH_PEER_SERVER, "/nonexistent.pem", "/k.pem", NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "/nonexistent.pem") != NULL, "%s", tu_err());
  /* A certificate with a key that is not its own; a CA file that is not there. */
  char cert[1024], key[1024];
  snprintf(cert, sizeof cert, "%s", tu_path("peer_srv.pem"));
  FILE *f = fopen(cert, "w");
  PEM_write_X509(f, tl_server_cert());
  fclose(f);
  snprintf(key, sizeof key, "%s", tu_path("peer_other.key"));
  EVP_PKEY *other = tu_ec_evp();
  f = fopen(key, "w");
  PEM_write_PrivateKey(f, other, NULL, NULL, 0, NULL, NULL);
  fclose(f);
  EVP_PKEY_free(other);
  cr_assert_null(th_peer_new_from_files(TH_PEER_SERVER, cert, key, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "cannot load key") != NULL, "%s", tu_err());
  cr_assert_null(th_peer_new_from_files(TH_PEER_CLIENT, NULL, NULL, "/nonexistent-ca.pem"));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "cannot load CA file /nonexistent-ca.pem") != NULL, "%s", tu_err());
  th_peer_free(NULL);
  cr_assert_null(th_peer_up_ref(NULL));
}

Test(peer, settings_bad_input_and_wrong_object) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_set_versions(p, 0x9999, 0), TH_ERR_VALUE);
  cr_assert_eq(th_peer_set_ciphers(p, "NO-SUCH-CIPHER", NULL), TH_ERR_SSL);
  cr_assert_eq(th_peer_set_ciphers(p, NULL, "TLS_NO_SUCH"), TH_ERR_SSL);
  cr_assert_eq(th_peer_set_groups(p, "nosuchgroup"), TH_ERR_SSL);
  cr_assert_eq(th_peer_set_groups(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_peer_set_sni(p, ""), TH_ERR_VALUE);
  cr_assert_eq(th_peer_set_sni(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_peer_set_deadline(p, 0), TH_ERR_VALUE);
  cr_assert_eq(th_peer_observe(p, TH_LOOPBACK_OBSERVE_KEYLOG), TH_ERR_VALUE);
  cr_assert_eq(th_peer_script(p, 99, NULL, 0), TH_ERR_VALUE);
  cr_assert_eq(th_peer_script(p, TH_PEER_SEND, NULL, 0), TH_ERR_VALUE);
  cr_assert_eq(th_peer_script(p, TH_PEER_CLOSE, "x", 1), TH_ERR_VALUE);
  for (int i = 0; i < TH_PEER_MAX_ACTIONS; i++)
    cr_assert_eq(th_peer_script(p, TH_PEER_RECV, NULL, 0), TH_OK);
  cr_assert_eq(th_peer_script(p, TH_PEER_RECV, NULL, 0), TH_ERR_INDEX);
  cr_assert_eq(th_peer_add_fault(p, NULL), TH_ERR_TYPE);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_INJECT, .from = S};
  cr_assert_eq(th_peer_add_fault(p, &f), TH_ERR_TYPE);
  f.from = 5;
  cr_assert_eq(th_peer_add_fault(p, &f), TH_ERR_VALUE);
  /* Not started: no pattern-only calls. */
  cr_assert_eq(th_peer_step(p), TH_ERR_VALUE);
  cr_assert_eq(th_peer_port(p), TH_ERR_VALUE);
  cr_assert_eq(th_peer_wait(p, 10), TH_ERR_VALUE);
  cr_assert_null(th_peer_pair(p));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_eq(th_peer_faults_fired(p), TH_ERR_VALUE);
  cr_assert_eq(th_peer_result(p), TH_ERR_WANT_READ);
  /* A client peer asks for no client certificate. */
  SSL_CTX *ctx = tl_client_ctx(0);
  th_peer *c = th_peer_new(ctx, TH_PEER_CLIENT);
  SSL_CTX_free(ctx);
  cr_assert_eq(th_peer_request_client_cert(c, 1), TH_ERR_VALUE);
  /* Wrong object: a pair is not a peer. */
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_DIRECT, 0);
  cr_assert_eq(th_peer_step((th_peer *)pair), TH_ERR_TYPE);
  cr_assert_eq(th_peer_set_versions(NULL, 0, 0), TH_ERR_TYPE);
  th_loopback_pair_free(pair);
  th_peer_free(c);
  th_peer_free(p);
}

Test(peer, memory_pattern_step_counts_the_application_reads) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_script(p, TH_PEER_ANSWER, "pong", 4), TH_OK);
  cr_assert_eq(th_peer_script(p, TH_PEER_CLOSE_NOTIFY, NULL, 0), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_ERR_VALUE); /* a pattern already runs */
  cr_assert_eq(th_peer_set_versions(p, 0, 0), TH_ERR_VALUE); /* started */
  cr_assert_null(th_peer_pair(p));                          /* not the adopt pattern */
  /* The application writes its ClientHello; reading, it starves and the
   * peer answers inside that read. A step then counts what the
   * application's own reads moved. */
  ERR_clear_error();
  int rc = SSL_connect(app);
  cr_assert(rc == 1 || SSL_get_error(app, rc) == SSL_ERROR_WANT_READ);
  for (int i = 0; i < 20 && rc != 1; i++) {
    cr_assert_geq(th_peer_step(p), 0, "%s", tu_err());
    rc = SSL_connect(app);
  }
  cr_assert_eq(rc, 1, "the handshake did not finish: %d", SSL_get_error(app, rc));
  cr_assert_eq(SSL_write(app, "ping", 4), 4);
  cr_assert_gt(th_peer_step(p), 0, "the peer read the ping: progress");
  char buf[8];
  cr_assert_eq(SSL_read(app, buf, sizeof buf), 4);
  cr_assert(memcmp(buf, "pong", 4) == 0);
  cr_assert_eq(SSL_read(app, buf, sizeof buf), 0); /* close_notify */
  cr_assert_eq(SSL_get_error(app, 0), SSL_ERROR_ZERO_RETURN);
  cr_assert_eq(th_peer_result(p), TH_OK, "%s", tu_err());
  th_bytes *got = th_peer_received(p);
  cr_assert(got->len == 4 && memcmp(got->data, "ping", 4) == 0);
  th_bytes_free(got);
  cr_assert_eq(th_peer_step(p), 0); /* finished: a stall, not an error */
  th_peer_free(p);
  /* The application's SSL outlives the peer and fails cleanly. */
  cr_assert_leq(SSL_write(app, "x", 1), 0);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer, sni_expected_by_the_server_peer) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_set_sni(p, "localhost"), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  SSL_set_tlsext_host_name(app, "elsewhere");
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK);
  for (int i = 0; i < 20 && SSL_connect(app) != 1; i++) th_peer_step(p);
  char buf[4];
  cr_assert_leq(SSL_read(app, buf, sizeof buf), 0); /* the peer hung up */
  cr_assert_eq(th_peer_result(p), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "expected SNI \"localhost\", got \"elsewhere\"") != NULL, "%s", tu_err());
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer, adopt_pattern_hands_out_the_pair) {
  th_peer *p = tl_server_peer(TLS1_2_VERSION);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_adopt_ssl(p, app), TH_OK, "%s", tu_err());
  th_loopback_pair *pair = th_peer_pair(p);
  cr_assert_not_null(pair, "%s", tu_err());
  tl_assert_rc(pair, th_loopback_handshake(pair), TH_OK);
  cr_assert_eq(SSL_version(app), TLS1_2_VERSION); /* the peer's pin, the app untouched */
  tl_assert_rc(pair, th_loopback_renegotiate(pair, S), TH_OK);
  tl_assert_rc(pair, th_loopback_send(pair, C, (const unsigned char *)"hi", 2), TH_OK);
  tl_assert_rc(pair, th_loopback_expect(pair, S, (const unsigned char *)"hi", 2), TH_OK);
  th_loopback_pair_free(pair);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer, socket_refusals_name_the_fault) {
  th_peer *p = tl_server_peer(0);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_TRUNCATE, .from = C, .at = 10};
  cr_assert_eq(th_peer_add_fault(p, &f), TH_OK);
  cr_assert_eq(th_peer_listen(p), TH_ERR_UNSUPPORTED);
  cr_assert(strstr(tu_err(), "TRUNCATE of the application's direction") != NULL, "%s", tu_err());
  th_peer_free(p);
  p = tl_server_peer(0);
  th_loopback_fault g = {.kind = TH_LOOPBACK_FAULT_FRAGMENT, .from = S, .n = 1};
  cr_assert_eq(th_peer_add_fault(p, &g), TH_OK);
  cr_assert_eq(th_peer_socketpair(p, TH_LOOPBACK_TCP), TH_ERR_UNSUPPORTED);
  cr_assert(strstr(tu_err(), "FRAGMENT toward the application over TCP") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_socketpair(p, TH_LOOPBACK_TCP), TH_ERR_VALUE); /* the failed start counts */
  th_peer_free(p);
}

/* ---- positions on plain pairs --------------------------------------------------- */

Test(peer, position_bad_input) {
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_DIRECT, 0);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_DROP_RECORD, .from = S, .n = 1,
                         .position = TH_LOOPBACK_AT_MESSAGE_END};
  cr_assert_eq(th_loopback_pair_add_fault(pair, &f), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "takes no position") != NULL, "%s", tu_err());
  th_loopback_fault g = {.kind = TH_LOOPBACK_FAULT_TRUNCATE, .from = S, .position = 9};
  cr_assert_eq(th_loopback_pair_add_fault(pair, &g), TH_ERR_VALUE);
  g.position = TH_LOOPBACK_AT_RECORD_END;
  cr_assert_eq(th_loopback_pair_add_fault(pair, &g), TH_ERR_VALUE); /* record 0 */
  th_loopback_fault s = {.kind = TH_LOOPBACK_FAULT_STALL_THEN_RESUME, .from = S};
  cr_assert_eq(th_loopback_pair_add_fault(pair, &s), TH_ERR_VALUE); /* n == 0 ms */
  cr_assert_eq(th_loopback_pair_faults_fired(pair), 0);
  th_loopback_pair_free(pair);
}

/* After the ServerHello = after the server's first record, by message and
 * by record number alike; the transcript says where. */
Test(peer, truncate_after_server_hello_by_message_and_by_record) {
  for (int by_record = 0; by_record < 2; by_record++) {
    th_loopback_pair *pair = tl_pair_observed(TH_LOOPBACK_DIRECT, TLS1_3_VERSION, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
    th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_TRUNCATE, .from = S,
                           .position = by_record ? TH_LOOPBACK_AT_RECORD_END : TH_LOOPBACK_AT_MESSAGE_END,
                           .at = by_record ? 1 : TH_LOOPBACK_HS_SERVER_HELLO};
    tl_assert_rc(pair, th_loopback_pair_add_fault(pair, &f), TH_OK);
    cr_assert_neq(th_loopback_handshake(pair), TH_OK);
    cr_assert_eq(th_loopback_pair_faults_fired(pair), 1);
    th_loopback_record r;
    int n = th_loopback_record_count(pair);
    int i = 0;
    while (i < n && (th_loopback_record_get(pair, (size_t)i, &r), r.from != S)) i++;
    cr_assert_lt(i, n);
    cr_assert_eq(r.msg_types[0], TH_LOOPBACK_HS_SERVER_HELLO);
    char want[64];
    snprintf(want, sizeof want, "truncated the stream at byte %zu", r.length + 5);
    cr_assert(strstr(tl_transcript(pair), want) != NULL, "want \"%s\":\n%s", want, tl_transcript(pair));
    th_loopback_pair_free(pair);
  }
}

Test(peer, truncate_inside_the_first_application_data_record) {
  th_loopback_pair *pair = tl_pair_observed(TH_LOOPBACK_DIRECT, 0, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_TRUNCATE, .from = S,
                         .position = TH_LOOPBACK_AT_FIRST_APPDATA, .at = 5 + 3};
  tl_assert_rc(pair, th_loopback_pair_add_fault(pair, &f), TH_OK);
  tl_assert_rc(pair, th_loopback_handshake(pair), TH_OK);
  cr_assert_eq(th_loopback_pair_faults_fired(pair), 0); /* the tickets are not application data */
  tl_assert_rc(pair, th_loopback_send(pair, S, (const unsigned char *)"0123456789", 10), TH_OK);
  cr_assert_eq(th_loopback_pair_faults_fired(pair), 1);
  cr_assert_neq(th_loopback_expect(pair, C, (const unsigned char *)"0123456789", 10), TH_OK);
  th_loopback_pair_free(pair);
}

Test(peer, silence_stalls_and_stall_then_resume_completes) {
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_DIRECT, 0);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_SILENCE, .from = S,
                         .position = TH_LOOPBACK_AT_MESSAGE_END, .at = TH_LOOPBACK_HS_SERVER_HELLO};
  tl_assert_rc(pair, th_loopback_pair_add_fault(pair, &f), TH_OK);
  cr_assert_eq(th_loopback_handshake(pair), TH_ERR_STALLED);
  th_loopback_pair_free(pair);
  pair = tl_pair_observed(TH_LOOPBACK_PUMP, 0, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  th_loopback_fault s = {.kind = TH_LOOPBACK_FAULT_STALL_THEN_RESUME, .from = S, .n = 60000,
                         .position = TH_LOOPBACK_AT_MESSAGE_END, .at = TH_LOOPBACK_HS_SERVER_HELLO};
  tl_assert_rc(pair, th_loopback_pair_add_fault(pair, &s), TH_OK);
  /* No clock under the harness's driver: the stall ends when nothing else moves. */
  tl_assert_rc(pair, th_loopback_handshake(pair), TH_OK);
  cr_assert(strstr(tl_transcript(pair), "the stall ended") != NULL, "%s", tl_transcript(pair));
  th_loopback_pair_free(pair);
}

Test(peer, pump_refills_the_fragment_budget) {
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_PUMP, 0);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_FRAGMENT, .from = S, .n = 7};
  tl_assert_rc(pair, th_loopback_pair_add_fault(pair, &f), TH_OK);
  /* Raw SSL calls and the pump only, never th_loopback_step: a client
   * that retries its reads still completes, 7 bytes per read call. */
  SSL *c = th_loopback_pair_ssl(pair, C), *s = th_loopback_pair_ssl(pair, S);
  int done = 0;
  for (int i = 0; i < 2000 && done != 3; i++) {
    if (!(done & 1) && SSL_do_handshake(c) == 1) done |= 1;
    if (!(done & 2) && SSL_do_handshake(s) == 1) done |= 2;
    th_loopback_pump(pair);
  }
  cr_assert_eq(done, 3, "the handshake needs the budget refilled by the reader's retries");
  SSL_free(c);
  SSL_free(s);
  th_loopback_pair_free(pair);
}

/* ---- settings, script actions and results in the memory pattern -------------- */

Test(peer, settings_take_effect) {
  /* TLS 1.2: one cipher, one group, an optional client certificate. */
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_set_versions(p, TLS1_2_VERSION, TLS1_2_VERSION), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_set_ciphers(p, "ECDHE-ECDSA-AES128-GCM-SHA256", NULL), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_set_groups(p, "P-384"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_request_client_cert(p, 0), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_set_deadline(p, 5000), TH_OK);
  cr_assert_eq(th_peer_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_eq(SSL_version(app), TLS1_2_VERSION);
  cr_assert_str_eq(SSL_get_cipher_name(app), "ECDHE-ECDSA-AES128-GCM-SHA256");
  cr_assert_eq(SSL_get_negotiated_group(app), NID_secp384r1);
  th_bytes *t = th_peer_transcript(p);
  cr_assert_not_null(t, "%s", tu_err());
  cr_assert(strstr((const char *)t->data, "S->C handshake 0x0303 len") != NULL);
  cr_assert(strstr((const char *)t->data, ": CertificateRequest\n") != NULL, "%s", t->data);
  th_bytes_free(t);
  cr_assert_eq(th_peer_handshakes(p), 1);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
  /* TLS 1.3: one suite. */
  p = tl_server_peer(TLS1_3_VERSION);
  cr_assert_eq(th_peer_set_ciphers(p, NULL, "TLS_CHACHA20_POLY1305_SHA256"), TH_OK, "%s", tu_err());
  app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_str_eq(SSL_get_cipher_name(app), "TLS_CHACHA20_POLY1305_SHA256");
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer, client_peer_sends_its_sni) {
  SSL_CTX *cctx = tl_client_ctx(0);
  th_peer *p = th_peer_new(cctx, TH_PEER_CLIENT);
  SSL_CTX_free(cctx);
  cr_assert_eq(th_peer_set_sni(p, "example.test"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_set_sni(p, "service.example.test"), TH_OK); /* the last one counts */
  cr_assert_eq(th_peer_script(p, TH_PEER_SEND, "hello", 5), TH_OK);
  SSL_CTX *sctx = tl_server_ctx(0);
  SSL *app = SSL_new(sctx);
  SSL_set_accept_state(app);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_str_eq(SSL_get_servername(app, TLSEXT_NAMETYPE_host_name), "service.example.test");
  char buf[8];
  int n = SSL_read(app, buf, sizeof buf);
  for (int i = 0; i < 5 && n <= 0; i++) {
    th_peer_step(p);
    n = SSL_read(app, buf, sizeof buf);
  }
  cr_assert_eq(n, 5);
  cr_assert(memcmp(buf, "hello", 5) == 0);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(sctx);
}

Test(peer, sni_expected_but_none_sent) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_set_sni(p, "localhost"), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK);
  tl_app_handshake(p, app);
  char buf[4];
  cr_assert_leq(SSL_read(app, buf, sizeof buf), 0); /* the peer hung up */
  cr_assert_eq(th_peer_result(p), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "server: expected SNI \"localhost\", got none") != NULL, "%s", tu_err());
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

/* An action the negotiated version cannot do stops the peer with
 * TH_ERR_UNSUPPORTED saying what to use instead; the application reads
 * end-of-file. */
Test(peer, version_bound_actions_fail_clearly) {
  static const struct {
    int version, action;
    const char *msg;
  } cases[] = {
      {TLS1_3_VERSION, TH_PEER_RENEGOTIATE, "server: renegotiation needs TLS 1.2 or older"},
      {TLS1_2_VERSION, TH_PEER_KEY_UPDATE, "server: a key update needs TLS 1.3"},
  };
  for (size_t i = 0; i < 2; i++) {
    th_peer *p = tl_server_peer(cases[i].version);
    cr_assert_eq(th_peer_script(p, cases[i].action, NULL, 0), TH_OK);
    SSL_CTX *ctx;
    SSL *app = tl_app_client(&ctx);
    cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK);
    cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
    char buf[4];
    int n = SSL_read(app, buf, sizeof buf);
    cr_assert_leq(n, 0);
    cr_assert_eq(SSL_get_error(app, n), SSL_ERROR_SSL); /* unexpected EOF */
    cr_assert_eq(th_peer_result(p), TH_ERR_UNSUPPORTED, "case %zu: %s", i, tu_err());
    cr_assert(strstr(tu_err(), cases[i].msg) != NULL, "%s", tu_err());
    cr_assert_eq(th_peer_step(p), TH_ERR_UNSUPPORTED); /* stopped, the error kept */
    th_peer_free(p);
    SSL_free(app);
    SSL_CTX_free(ctx);
  }
}

Test(peer, silence_keeps_the_connection_open) {
  th_peer *p = tl_server_peer(TLS1_3_VERSION);
  cr_assert_eq(th_peer_script(p, TH_PEER_SILENCE, NULL, 0), TH_OK);
  cr_assert_eq(th_peer_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK);
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_eq(SSL_write(app, "anyone?", 7), 7);
  char buf[8];
  int n = SSL_read(app, buf, sizeof buf);
  cr_assert_eq(SSL_get_error(app, n), SSL_ERROR_WANT_READ); /* no answer, no end-of-file */
  cr_assert_eq(th_peer_step(p), 0);
  cr_assert_eq(th_peer_result(p), TH_OK); /* its script ran */
  th_bytes *got = th_peer_received(p);
  cr_assert_eq(got->len, 0); /* a silent peer reads nothing */
  th_bytes_free(got);
  th_bytes *t = th_peer_transcript(p);
  cr_assert(strstr((const char *)t->data, "S->C peer: silent from here, connection kept open\n") != NULL,
            "%s", t->data);
  th_bytes_free(t);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer, fault_list_bounds) {
  th_peer *p = tl_server_peer(0);
  th_loopback_fault bad = {.kind = 0, .from = S};
  cr_assert_eq(th_peer_add_fault(p, &bad), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "unknown fault kind 0") != NULL, "%s", tu_err());
  bad.kind = TH_LOOPBACK_FAULT_STALL_THEN_RESUME + 1;
  cr_assert_eq(th_peer_add_fault(p, &bad), TH_ERR_VALUE);
  th_loopback_fault r = {.kind = TH_LOOPBACK_FAULT_RETRY, .from = S, .n = 1};
  for (int i = 0; i < 2 * TH_LOOPBACK_MAX_FAULTS; i++) cr_assert_eq(th_peer_add_fault(p, &r), TH_OK);
  cr_assert_eq(th_peer_add_fault(p, &r), TH_ERR_INDEX);
  th_peer_free(p);
}

Test(peer, pcap_of_a_memory_peer) {
  th_peer *p = tl_server_peer(TLS1_3_VERSION);
  cr_assert_eq(th_peer_write_pcap(p, tu_path("early.pcap")), TH_ERR_VALUE); /* not started */
  cr_assert(strstr(tu_err(), "has not started") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_observe(p, TH_LOOPBACK_OBSERVE_PCAP), TH_OK);
  cr_assert_eq(th_peer_script(p, TH_PEER_ANSWER, "pong", 4), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK);
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_eq(SSL_write(app, "ping", 4), 4);
  char buf[8];
  cr_assert_eq(SSL_read(app, buf, sizeof buf), 4);
  cr_assert_eq(th_peer_write_pcap(p, NULL), TH_ERR_TYPE);
  char path[1024];
  snprintf(path, sizeof path, "%s", tu_path("peer.pcap"));
  cr_assert_eq(th_peer_write_pcap(p, path), TH_OK, "%s", tu_err());
  size_t len;
  unsigned char *f = (unsigned char *)tu_read_file(path, &len);
  cr_assert_not_null(f);
  /* The pcap header (Ethernet), the SYN handshake, then the records. */
  cr_assert_gt(len, 24u + 3 * (16 + 54));
  static const unsigned char magic[4] = {0xd4, 0xc3, 0xb2, 0xa1};
  cr_assert(memcmp(f, magic, 4) == 0);
  cr_assert_eq(f[20], 1);
  free(f);
  cr_assert_null(th_peer_transcript(p)); /* not asked for */
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

/* ---- the socket pattern's life cycle ------------------------------------------- */

Test(peer, socket_peer_refuses_calls_while_its_thread_runs) {
  th_peer *p = tl_server_peer(0);
  int fd = th_peer_socketpair(p, TH_LOOPBACK_UNIX);
  cr_assert_geq(fd, 0, "%s", tu_err());
  cr_assert_eq(th_peer_result(p), TH_ERR_WANT_READ);
  cr_assert_null(th_peer_received(p));
  cr_assert(strstr(tu_err(), "th_peer_wait first") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_handshakes(p), TH_ERR_VALUE);
  cr_assert_eq(th_peer_faults_fired(p), TH_ERR_VALUE);
  cr_assert_null(th_peer_transcript(p));
  cr_assert_eq(th_peer_write_pcap(p, tu_path("x.pcap")), TH_ERR_VALUE);
  cr_assert_eq(th_peer_step(p), TH_ERR_VALUE);
  cr_assert_eq(th_peer_wait(p, 1), TH_ERR_STALLED); /* waits for a ClientHello */
  /* Freed while running: the thread stops, the application reads EOF. */
  th_peer_free(p);
  char c;
  cr_assert_eq(read(fd, &c, 1), 0);
  close(fd);
}

Test(peer, listening_peer_without_a_client) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_set_deadline(p, 100), TH_OK);
  cr_assert_eq(th_peer_listen(p), TH_OK, "%s", tu_err());
  cr_assert_gt(th_peer_port(p), 0);
  cr_assert_eq(th_peer_wait(p, 0), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "th_peer: no connection within 100 ms") != NULL, "%s", tu_err());
  /* The thread ended: waiting again gives the same result. */
  cr_assert_eq(th_peer_wait(p, 0), TH_ERR_STALLED);
  cr_assert_eq(th_peer_listen(p), TH_ERR_VALUE);
  th_peer_free(p);
  /* Freed while listening: the port closes. */
  p = tl_server_peer(0);
  cr_assert_eq(th_peer_listen(p), TH_OK, "%s", tu_err());
  int port = th_peer_port(p);
  th_peer_free(p);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  cr_assert_eq(connect(s, (struct sockaddr *)&a, sizeof a), -1);
  cr_assert_eq(errno, ECONNREFUSED);
  close(s);
}

/* A blocking TLS client on the application's end of a socket pair. */
static SSL *app_on_fd(SSL_CTX **ctx, int fd) {
  SSL *ssl = tl_app_client(ctx);
  SSL_set_fd(ssl, fd);
  cr_assert_eq(SSL_connect(ssl), 1);
  return ssl;
}

Test(peer, silent_socket_peer_ends_with_the_application_or_the_deadline) {
  for (int hang_up = 1; hang_up >= 0; hang_up--) {
    th_peer *p = tl_server_peer(TLS1_3_VERSION);
    cr_assert_eq(th_peer_script(p, TH_PEER_SILENCE, NULL, 0), TH_OK);
    cr_assert_eq(th_peer_set_deadline(p, hang_up ? 10000 : 200), TH_OK);
    int fd = th_peer_socketpair(p, TH_LOOPBACK_UNIX);
    cr_assert_geq(fd, 0, "%s", tu_err());
    SSL_CTX *ctx;
    SSL *app = app_on_fd(&ctx, fd);
    if (hang_up) {
      cr_assert_eq(shutdown(fd, SHUT_WR), 0);
      cr_assert_eq(th_peer_wait(p, 0), TH_OK, "%s", tu_err());
    } else {
      cr_assert_eq(th_peer_wait(p, 0), TH_ERR_STALLED);
      cr_assert(strstr(tu_err(), "server: the peer's deadline (200 ms) passed (silent, the application "
                                 "did not hang up)") != NULL, "%s", tu_err());
    }
    cr_assert_eq(th_peer_handshakes(p), 1);
    th_peer_free(p);
    SSL_free(app);
    SSL_CTX_free(ctx);
    close(fd);
  }
}

/* A message written after the handshake (no buffering BIO then): on 3.0 its
 * record is on the wire before the message callback names it, and the
 * position resolves to that record's end at once; OpenSSL 3.2+ names the
 * KeyUpdate first, and the position is the next record to go out. */
Test(peer, message_end_of_a_key_update) {
  th_loopback_pair *pair = tl_pair_observed(TH_LOOPBACK_PUMP, TLS1_3_VERSION, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  tl_assert_rc(pair, th_loopback_handshake(pair), TH_OK);
  cr_assert_geq(th_loopback_flush_tickets(pair), 1);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_TRUNCATE, .from = S,
                         .position = TH_LOOPBACK_AT_MESSAGE_END, .at = 24 /* KeyUpdate */};
  tl_assert_rc(pair, th_loopback_pair_add_fault(pair, &f), TH_OK);
  SSL *s = th_loopback_pair_ssl(pair, S);
  cr_assert_eq(SSL_key_update(s, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  SSL_free(s);
  tl_assert_rc(pair, th_loopback_send(pair, S, (const unsigned char *)"after", 5), TH_OK);
  cr_assert_eq(th_loopback_pair_faults_fired(pair), 1);
  tl_assert_rc(pair, th_loopback_expect(pair, C, (const unsigned char *)"after", 5), TH_ERR_SYSCALL);
  /* The cut is the end of the server's last record: the KeyUpdate. */
  size_t end = 0;
  int n = th_loopback_record_count(pair);
  th_loopback_record r;
  for (int i = 0; i < n; i++) {
    cr_assert_eq(th_loopback_record_get(pair, (size_t)i, &r), TH_OK);
    if (r.from == S) end += 5 + r.length;
  }
  char want[64];
  snprintf(want, sizeof want, "S->C fault: truncated the stream at byte %zu\n", end);
  cr_assert(strstr(tl_transcript(pair), want) != NULL, "want %s\n%s", want, tl_transcript(pair));
  th_loopback_pair_free(pair);
}

Test(peer, message_positions_refused_on_the_applications_ssl) {
  th_peer *p = tl_server_peer(0);
  th_loopback_fault f = {.kind = TH_LOOPBACK_FAULT_TRUNCATE, .from = C,
                         .position = TH_LOOPBACK_AT_MESSAGE_END, .at = TH_LOOPBACK_HS_CLIENT_HELLO};
  cr_assert_eq(th_peer_add_fault(p, &f), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_ERR_UNSUPPORTED);
  cr_assert(strstr(tu_err(), "the client's SSL belongs to the application") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_result(p), TH_ERR_UNSUPPORTED); /* the failed start, kept */
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}
