/* peer_edges_test.c — th_peer's edges (peer_test.c holds the patterns):
 * every call with NULL or another class's object, the settings and the
 * pattern starts refused once a pattern runs, results asked at odd times,
 * settings OpenSSL itself refuses (a host name over 255 bytes, a
 * renegotiation the peer's context forbids), the application closing before
 * the script ran, and a renegotiation that completes. */
#include <criterion/criterion.h>
#include <openssl/pem.h>
#include <string.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(peer_edges);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

/* Reads what the peer sends, stepping it while the application waits. */
static int app_read(th_peer *p, SSL *app, char *buf, int size) {
  int n = SSL_read(app, buf, size);
  for (int i = 0; i < 50 && n <= 0 && SSL_get_error(app, n) == SSL_ERROR_WANT_READ; i++) {
    th_peer_step(p);
    n = SSL_read(app, buf, size);
  }
  return n;
}

static void refuses(th_peer *bad, const char *got) {
  static const th_loopback_fault f = {TH_LOOPBACK_FAULT_RETRY, S, 1, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  int rcs[] = {
      th_peer_set_versions(bad, 0, 0), th_peer_set_ciphers(bad, NULL, NULL),
      th_peer_set_groups(bad, "P-256"), th_peer_set_sni(bad, "a.test"),
      th_peer_request_client_cert(bad, 1), th_peer_set_deadline(bad, 100),
      th_peer_script(bad, TH_PEER_RECV, NULL, 0), th_peer_add_fault(bad, &f),
      th_peer_observe(bad, 0), th_peer_attach_ssl(bad, NULL), th_peer_adopt_ssl(bad, NULL),
      th_peer_step(bad), th_peer_listen(bad), th_peer_socketpair(bad, TH_LOOPBACK_UNIX),
      th_peer_port(bad), th_peer_wait(bad, 1), th_peer_result(bad), th_peer_handshakes(bad),
      th_peer_faults_fired(bad), th_peer_write_pcap(bad, "unused"),
  };
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++)
    cr_assert_eq(rcs[i], TH_ERR_TYPE, "call %zu with %s: %s", i, got, th_err_name(rcs[i]));
  void *ptrs[] = {th_peer_pair(bad), th_peer_received(bad), th_peer_transcript(bad), th_peer_up_ref(bad)};
  for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
    cr_assert_null(ptrs[i], "pointer call %zu with %s", i, got);
    cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  }
  th_peer_result(bad);
  cr_assert(strstr(th_error_last()->message, got) != NULL, "%s", tu_err());
}

Test(peer_edges, every_call_refuses_null_and_a_foreign_object) {
  refuses(NULL, "NULL");
  th_loopback_pair *pair = tl_pair(TH_LOOPBACK_DIRECT, 0);
  refuses((th_peer *)pair, "LoopbackPair");
  th_loopback_pair_free(pair);
}

/* Once a pattern runs, every setting is refused (it would not reach the
 * peer's SSL, which the pair holds) and so is a second pattern; the peer
 * keeps working. */
Test(peer_edges, settings_and_patterns_refused_once_started) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_attach_ssl(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_peer_adopt_ssl(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_peer_handshakes(p), 0); /* no pattern yet: none */
  cr_assert_eq(th_peer_script(p, TH_PEER_ANSWER, "pong", 4), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  static const th_loopback_fault f = {TH_LOOPBACK_FAULT_RETRY, S, 1, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  int setup[] = {
      th_peer_set_ciphers(p, NULL, NULL), th_peer_set_groups(p, "P-256"), th_peer_set_sni(p, "a.test"),
      th_peer_request_client_cert(p, 1), th_peer_set_deadline(p, 100),
      th_peer_script(p, TH_PEER_RECV, NULL, 0), th_peer_add_fault(p, &f), th_peer_observe(p, 0),
  };
  for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
    cr_assert_eq(setup[i], TH_ERR_VALUE, "setting %zu", i);
  }
  cr_assert(strstr(tu_err(), "th_peer_observe: the peer has started (memory pattern)") != NULL, "%s", tu_err());
  int again[] = {th_peer_adopt_ssl(p, app), th_peer_listen(p), th_peer_socketpair(p, TH_LOOPBACK_UNIX)};
  for (size_t i = 0; i < sizeof again / sizeof again[0]; i++) cr_assert_eq(again[i], TH_ERR_VALUE, "start %zu", i);
  cr_assert(strstr(tu_err(), "already runs the memory pattern") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_wait(p, 1), TH_ERR_VALUE); /* not a socket peer */
  /* Before the handshake, and before its script ran: still waiting. */
  cr_assert_eq(th_peer_result(p), TH_ERR_WANT_READ);
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_eq(th_peer_result(p), TH_ERR_WANT_READ); /* the ANSWER waits for a request */
  cr_assert_eq(SSL_write(app, "ping", 4), 4);
  char buf[8];
  cr_assert_eq(app_read(p, app, buf, sizeof buf), 4, "%s", tu_err());
  cr_assert(memcmp(buf, "pong", 4) == 0);
  /* The script ran; the peer reads on until the application closes. */
  cr_assert_eq(th_peer_result(p), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_handshakes(p), 1);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

/* The adopt pattern's result is its pair's business: TH_OK; stepping it
 * moves nothing (the test drives the pair). */
Test(peer_edges, adopt_pattern_result_and_step) {
  th_peer *p = tl_server_peer(0);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_adopt_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(th_peer_step(p), 0);
  cr_assert_eq(th_peer_result(p), TH_OK);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer_edges, every_known_version_bound_is_taken) {
  static const int v[] = {0, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
  th_peer *p = tl_server_peer(0);
  for (size_t i = 0; i < 5; i++) {
    cr_assert_eq(th_peer_set_versions(p, v[i], 0), TH_OK, "%s", tu_err());
    cr_assert_eq(th_peer_set_versions(p, 0, v[i]), TH_OK, "%s", tu_err());
  }
  cr_assert_eq(th_peer_set_versions(p, TLS1_2_VERSION, 0x0305), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "unknown version 0x303 / 0x305") != NULL, "%s", tu_err());
  th_peer_free(p);
}

Test(peer_edges, script_and_fault_input_edges) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_script(p, 0, NULL, 0), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "unknown action 0") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_script(p, TH_PEER_SEND, "x", 0), TH_ERR_VALUE); /* data, no length */
  cr_assert(strstr(tu_err(), "needs data") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_script(p, TH_PEER_GARBAGE, "\x16\x03", 2), TH_OK);
  /* An INJECT with data but no length passes the quick check; the pattern's
   * real check refuses it, and the peer stops with that error. */
  th_loopback_fault f = {TH_LOOPBACK_FAULT_INJECT, S, 0, 0, (const unsigned char *)"x", 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_peer_add_fault(p, &f), TH_OK, "%s", tu_err());
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "INJECT len is 0") != NULL, "%s", tu_err());
  cr_assert_eq(th_peer_result(p), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "INJECT len is 0") != NULL, "%s", tu_err());
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

/* A host name OpenSSL will not send (over 255 bytes) is refused when set,
 * and the name set before stays the one sent. */
Test(peer_edges, client_sni_openssl_refuses_keeps_the_old_name) {
  SSL_CTX *cctx = tl_client_ctx(0);
  th_peer *p = th_peer_new(cctx, TH_PEER_CLIENT);
  SSL_CTX_free(cctx);
  cr_assert_eq(th_peer_set_sni(p, "kept.example.test"), TH_OK, "%s", tu_err());
  char longname[300];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  cr_assert_eq(th_peer_set_sni(p, longname), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "OpenSSL refuses the name") != NULL, "%s", tu_err());
  SSL_CTX *sctx = tl_server_ctx(0);
  SSL *app = SSL_new(sctx);
  SSL_set_accept_state(app);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_str_eq(SSL_get_servername(app, TLSEXT_NAMETYPE_host_name), "kept.example.test");
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(sctx);
}

/* A peer whose own context forbids renegotiation cannot start one: the
 * script's RENEGOTIATE fails with OpenSSL's reason. */
Test(peer_edges, renegotiate_refused_by_the_peers_context) {
  SSL_CTX *sctx = tl_server_ctx(TLS1_2_VERSION);
  SSL_CTX_set_options(sctx, SSL_OP_NO_RENEGOTIATION);
  th_peer *p = th_peer_new(sctx, TH_PEER_SERVER);
  SSL_CTX_free(sctx);
  cr_assert_eq(th_peer_script(p, TH_PEER_RENEGOTIATE, NULL, 0), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  char buf[4];
  cr_assert_leq(app_read(p, app, buf, sizeof buf), 0); /* end-of-file */
  cr_assert_eq(th_peer_result(p), TH_ERR_SSL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "server: SSL_renegotiate failed") != NULL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "no renegotiation") != NULL, "%s", tu_err());
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

/* A TLS 1.2 renegotiation the peer starts completes inside the
 * application's reads: two handshakes, and the data after it arrives. */
Test(peer_edges, renegotiation_by_the_peer_completes) {
  th_peer *p = tl_server_peer(TLS1_2_VERSION);
  cr_assert_eq(th_peer_script(p, TH_PEER_RENEGOTIATE, NULL, 0), TH_OK);
  cr_assert_eq(th_peer_script(p, TH_PEER_SEND, "after", 5), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  char buf[8];
  cr_assert_eq(app_read(p, app, buf, sizeof buf), 5, "%s", tu_err());
  cr_assert(memcmp(buf, "after", 5) == 0);
  cr_assert_eq(th_peer_handshakes(p), 2);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

/* The application's close_notify before the script ran out is its error:
 * the peer answers it and stops with TH_ERR_ZERO_RETURN. */
Test(peer_edges, close_notify_before_the_script_ran) {
  th_peer *p = tl_server_peer(0);
  cr_assert_eq(th_peer_script(p, TH_PEER_RECV, NULL, 0), TH_OK);
  cr_assert_eq(th_peer_script(p, TH_PEER_SEND, "late", 4), TH_OK);
  SSL_CTX *ctx;
  SSL *app = tl_app_client(&ctx);
  cr_assert_eq(th_peer_attach_ssl(p, app), TH_OK, "%s", tu_err());
  cr_assert_eq(tl_app_handshake(p, app), 1, "%s", tu_err());
  cr_assert_eq(SSL_shutdown(app), 0); /* close_notify sent */
  th_peer_step(p);
  cr_assert_eq(th_peer_result(p), TH_ERR_ZERO_RETURN, "%s", tu_err());
  th_bytes *got = th_peer_received(p);
  cr_assert_eq(got->len, 0);
  th_bytes_free(got);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(ctx);
}

Test(peer_edges, from_files_edges) {
  char cert[1024], key[1024], ca[1024];
  snprintf(cert, sizeof cert, "%s", tu_path("edges_srv.pem"));
  FILE *f = fopen(cert, "w");
  PEM_write_X509(f, tl_server_cert());
  fclose(f);
  snprintf(key, sizeof key, "%s", tu_path("edges_srv.key"));
  f = fopen(key, "w");
  PEM_write_PrivateKey(f, tl_server_key(), NULL, NULL, 0, NULL, NULL);
  fclose(f);
  snprintf(ca, sizeof ca, "%s", tu_path("edges_ca.pem"));
  f = fopen(ca, "w");
  PEM_write_X509(f, tl_ca());
  fclose(f);
  cr_assert_null(th_peer_new_from_files(TH_PEER_SERVER, cert, NULL, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_peer_new_from_files(TH_PEER_SERVER, cert, "/nonexistent.key", NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "cannot load key /nonexistent.key") != NULL, "%s", tu_err());
  /* A server with a CA file; a client with neither certificate nor CA. */
  th_peer *s = th_peer_new_from_files(TH_PEER_SERVER, cert, key, ca);
  cr_assert_not_null(s, "%s", tu_err());
  th_peer *c = th_peer_new_from_files(TH_PEER_CLIENT, NULL, NULL, NULL);
  cr_assert_not_null(c, "%s", tu_err());
  th_peer *ref = th_peer_up_ref(c);
  cr_assert_eq(ref, c);
  th_peer_free(ref);
  th_peer_free(c);
  th_peer_free(s);
}
