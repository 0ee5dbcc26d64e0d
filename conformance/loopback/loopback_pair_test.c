/* loopback_pair_test.c — making pairs on every transport and version, the
 * accessors, and bad input. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_pair);

typedef struct tp_case {
  int transport;
  int version;
} tp_case;

static tp_case tp_cases[] = {
    {TH_LOOPBACK_PUMP, TLS1_2_VERSION},   {TH_LOOPBACK_PUMP, TLS1_3_VERSION},
    {TH_LOOPBACK_DIRECT, TLS1_2_VERSION}, {TH_LOOPBACK_DIRECT, TLS1_3_VERSION},
    {TH_LOOPBACK_UNIX, TLS1_2_VERSION},   {TH_LOOPBACK_UNIX, TLS1_3_VERSION},
    {TH_LOOPBACK_TCP, TLS1_2_VERSION},    {TH_LOOPBACK_TCP, TLS1_3_VERSION},
};

ParameterizedTestParameters(loopback_pair, handshake_and_data_on_every_transport) {
  return cr_make_param_array(tp_case, tp_cases, sizeof tp_cases / sizeof tp_cases[0]);
}

ParameterizedTest(tp_case *c, loopback_pair, handshake_and_data_on_every_transport) {
  th_loopback_pair *p = tl_pair(c->transport, c->version);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *ssl = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  cr_assert_eq(SSL_version(ssl), c->version);
  SSL_free(ssl);
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_CLIENT, (const unsigned char *)"ping", 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_SERVER, (const unsigned char *)"ping", 4), TH_OK);
  /* 100 KiB: more than a BIO pair or a socket buffer holds at once. */
  size_t big = 100 * 1024;
  unsigned char *buf = malloc(big);
  for (size_t i = 0; i < big; i++) buf[i] = (unsigned char)(i * 7);
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_SERVER, buf, big), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_CLIENT, buf, big), TH_OK);
  free(buf);
  tl_assert_rc(p, th_loopback_shutdown(p, TH_LOOPBACK_CLIENT), TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_pair, new_raw_bad_input) {
  SSL_CTX *s = tl_server_ctx(0), *c = tl_client_ctx(0);
  cr_assert_null(th_loopback_pair_new_raw(NULL, c, TH_LOOPBACK_PUMP));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_loopback_pair_new_raw(s, NULL, TH_LOOPBACK_PUMP));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_loopback_pair_new_raw(s, c, 4));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_loopback_pair_new_raw(s, c, -1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
}

Test(loopback_pair, free_is_null_safe_and_contexts_outlive_the_caller) {
  th_loopback_pair_free(NULL);
  /* The pair keeps its contexts: the caller's are freed in tl_pair. */
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_pair, wrong_type_is_type_error) {
  th_pkey *k = tu_ec_key();
  th_loopback_pair *bad = (th_loopback_pair *)k;
  cr_assert_eq(th_loopback_handshake(bad), TH_ERR_TYPE);
  cr_assert(strstr(th_error_last()->message, "PKey") != NULL, "%s", tu_err());
  cr_assert_null(th_loopback_pair_ssl(bad, 0));
  cr_assert_eq(th_loopback_pump(bad), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_set_versions(bad, 0, 0), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_record_count(bad), TH_ERR_TYPE);
  cr_assert_null(th_loopback_transcript(bad));
  cr_assert_null(th_loopback_pcap(bad));
  cr_assert_null(th_loopback_keylog(bad));
  th_pkey_free(k);
  cr_assert_eq(th_loopback_handshake(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_step(NULL), TH_ERR_TYPE);
}

/* Every call that takes a pair refuses NULL and an object of another class
 * (here a th_peer) with TH_ERR_TYPE, naming the class it got. */
static void refuses(th_loopback_pair *bad, const char *got) {
  static const unsigned char x[1] = {'x'};
  int side = 0;
  th_bytes *data = NULL;
  th_loopback_pair *out = NULL;
  th_loopback_record rec;
  int rcs[] = {
      th_loopback_pair_set_session(bad, NULL), th_loopback_pair_set_versions(bad, 0, 0),
      th_loopback_pair_fd(bad, 0), th_loopback_pair_half_close(bad, 0), th_loopback_pair_reused(bad, 0),
      th_loopback_drive(bad, NULL, NULL), th_loopback_handshake(bad), th_loopback_step(bad),
      (int)th_loopback_pump(bad), th_loopback_interact(bad, &side, &data),
      th_loopback_send(bad, 0, x, 1), th_loopback_expect(bad, 0, x, 1), th_loopback_flush_tickets(bad),
      th_loopback_resume(bad, &out), th_loopback_shutdown(bad, 0), th_loopback_renegotiate(bad, 0),
      th_loopback_pair_add_fault(bad, NULL), th_loopback_pair_clear_faults(bad),
      th_loopback_pair_faults_fired(bad), th_loopback_pair_observe(bad, 0),
      th_loopback_pair_observing(bad), th_loopback_record_count(bad), th_loopback_record_get(bad, 0, &rec),
      th_loopback_write_pcap(bad, "unused"), th_loopback_write_keylog(bad, "unused"),
  };
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++)
    cr_assert_eq(rcs[i], TH_ERR_TYPE, "call %zu with %s: %s", i, got, th_err_name(rcs[i]));
  cr_assert_null(data);
  cr_assert_null(out);
  void *ptrs[] = {th_loopback_pair_connection(bad, 0), th_loopback_pair_get_session(bad),
                  th_loopback_pair_ssl(bad, 0), th_loopback_recv(bad, 0), th_loopback_transcript(bad),
                  th_loopback_info_states(bad, 0), th_loopback_keylog(bad), th_loopback_pcap(bad)};
  for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
    cr_assert_null(ptrs[i], "pointer call %zu with %s", i, got);
    cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  }
  /* The last error names what it got. */
  th_loopback_handshake(bad);
  cr_assert(strstr(th_error_last()->message, got) != NULL, "%s", tu_err());
}

Test(loopback_pair, every_call_refuses_null_and_a_foreign_object) {
  refuses(NULL, "NULL");
  SSL_CTX *ctx = tl_server_ctx(0);
  th_peer *peer = th_peer_new(ctx, TH_PEER_SERVER);
  SSL_CTX_free(ctx);
  refuses((th_loopback_pair *)peer, "Peer");
  th_peer_free(peer);
}

Test(loopback_pair, ssl_escape_hatch_is_a_new_reference) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  SSL *s = th_loopback_pair_ssl(p, TH_LOOPBACK_SERVER);
  cr_assert(c != NULL && s != NULL && c != s);
  cr_assert(!SSL_is_server(c));
  cr_assert(SSL_is_server(s));
  cr_assert_null(th_loopback_pair_ssl(p, 2));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_loopback_pair_free(p);
  /* Still valid after the pair is gone. */
  cr_assert(!SSL_is_init_finished(c));
  SSL_free(c);
  SSL_free(s);
}

Test(loopback_pair, set_versions) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_DIRECT, 0);
  cr_assert_eq(th_loopback_pair_set_versions(p, TLS1_2_VERSION, TLS1_2_VERSION), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *s = th_loopback_pair_ssl(p, TH_LOOPBACK_SERVER);
  cr_assert_eq(SSL_version(s), TLS1_2_VERSION);
  SSL_free(s);
  th_loopback_pair_free(p);
  p = tl_pair(TH_LOOPBACK_PUMP, 0);
  cr_assert_eq(th_loopback_pair_set_versions(p, 0x9999, 0), TH_ERR_VALUE);
  th_loopback_pair_free(p);
}

Test(loopback_pair, fd_only_for_socket_transports) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  cr_assert_eq(th_loopback_pair_fd(p, TH_LOOPBACK_CLIENT), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_fd(p, 7), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_fd(NULL, 0), TH_ERR_TYPE);
  th_loopback_pair_free(p);
  p = tl_pair(TH_LOOPBACK_UNIX, 0);
  int fd = th_loopback_pair_fd(p, TH_LOOPBACK_SERVER);
  cr_assert_geq(fd, 0, "%s", tu_err());
  close(fd);
  th_loopback_pair_free(p);
}

Test(loopback_pair, half_close_gives_the_peer_eof) {
  int transports[] = {TH_LOOPBACK_PUMP, TH_LOOPBACK_DIRECT, TH_LOOPBACK_UNIX, TH_LOOPBACK_TCP};
  for (int i = 0; i < 4; i++) {
    th_loopback_pair *p = tl_pair(transports[i], TLS1_3_VERSION);
    tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
    cr_assert_eq(th_loopback_pair_half_close(p, TH_LOOPBACK_CLIENT), TH_OK);
    cr_assert_eq(th_loopback_pair_half_close(p, TH_LOOPBACK_CLIENT), TH_OK); /* idempotent */
    int rc = th_loopback_expect(p, TH_LOOPBACK_SERVER, (const unsigned char *)"x", 1);
    tl_assert_rc(p, rc, TH_ERR_SYSCALL);
    cr_assert_eq(th_error_last()->sys_errno, -1, "%s", tu_err());
    th_loopback_pair_free(p);
  }
  cr_assert_eq(th_loopback_pair_half_close(NULL, 0), TH_ERR_TYPE);
}

Test(loopback_pair, from_files) {
  X509 *chain[1] = {tl_server_cert()};
  (void)chain;
  FILE *f = fopen(tu_path("srv.pem"), "w");
  PEM_write_X509(f, tl_server_cert());
  fclose(f);
  char cert[1024], key[1024], ca[1024];
  snprintf(cert, sizeof cert, "%s", tu_path("srv.pem"));
  f = fopen(tu_path("srv.key"), "w");
  PEM_write_PrivateKey(f, tl_server_key(), NULL, NULL, 0, NULL, NULL);
  fclose(f);
  snprintf(key, sizeof key, "%s", tu_path("srv.key"));
  f = fopen(tu_path("ca.pem"), "w");
  PEM_write_X509(f, tl_ca());
  fclose(f);
  snprintf(ca, sizeof ca, "%s", tu_path("ca.pem"));
  th_loopback_pair *p = th_loopback_pair_new_from_files(cert, key, ca, TH_LOOPBACK_PUMP);
  cr_assert_not_null(p, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  cr_assert_eq(SSL_get_verify_result(c), X509_V_OK);
  SSL_free(c);
  th_loopback_pair_free(p);
  /* A CA that did not sign the server: the client's verification fails. */
  p = th_loopback_pair_new_from_files(cert, key, cert, TH_LOOPBACK_PUMP);
  cr_assert_not_null(p, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "client") != NULL, "%s", tu_err());
  th_loopback_pair_free(p);
  cr_assert_null(th_loopback_pair_new_from_files(NULL, key, ca, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_loopback_pair_new_from_files(cert, NULL, ca, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_loopback_pair_new_from_files(tu_path("missing.pem"), key, ca, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert_null(th_loopback_pair_new_from_files(cert, key, tu_path("missing.pem"), 0));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert_null(th_loopback_pair_new_from_files(key, key, ca, 0)); /* a key is no certificate */
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  /* A key that does not match the certificate. */
  EVP_PKEY *other = tu_ec_evp();
  f = fopen(tu_path("other.key"), "w");
  PEM_write_PrivateKey(f, other, NULL, NULL, 0, NULL, NULL);
  fclose(f);
  EVP_PKEY_free(other);
  cr_assert_null(th_loopback_pair_new_from_files(cert, tu_path("other.key"), ca, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "cannot load the server's certificate") != NULL, "%s", tu_err());
  /* No CA file: the client does not verify, so any server will do. */
  p = th_loopback_pair_new_from_files(cert, key, NULL, TH_LOOPBACK_DIRECT);
  cr_assert_not_null(p, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  cr_assert_eq(SSL_get_verify_mode(c), SSL_VERIFY_NONE);
  /* Checked all the same (the CA is unknown), but not enforced. */
  cr_assert_eq(SSL_get_verify_result(c), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  SSL_free(c);
  th_loopback_pair_free(p);
}

Test(loopback_pair, bad_version_range_and_side) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  cr_assert_eq(th_loopback_pair_set_versions(p, TLS1_2_VERSION, 0x0399), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "version range 0x303..0x399 is not supported") != NULL, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_half_close(p, 2), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_half_close(NULL, 0), TH_ERR_TYPE);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_pair, from_contexts_with_connections) {
  SSL_CTX *rs = tl_server_ctx(TLS1_3_VERSION), *rc = tl_client_ctx(TLS1_3_VERSION);
  th_context *s = th_context_from_ssl_ctx(rs), *c = th_context_from_ssl_ctx(rc);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  cr_assert(s != NULL && c != NULL, "%s", tu_err());
  th_loopback_pair *p = th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP);
  cr_assert_not_null(p, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_connection *cc = th_loopback_pair_connection(p, TH_LOOPBACK_CLIENT);
  cr_assert_not_null(cc, "%s", tu_err());
  th_connection *cc2 = th_loopback_pair_connection(p, TH_LOOPBACK_CLIENT);
  cr_assert_eq(cc, cc2); /* the same Connection each time */
  th_x509 *peer = NULL;
  cr_assert_eq(th_connection_get_peer_certificate(cc, &peer), TH_OK, "%s", tu_err());
  cr_assert_not_null(peer);
  th_x509_free(peer);
  cr_assert_null(th_loopback_pair_connection(p, -1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_connection_free(cc);
  th_connection_free(cc2);
  th_loopback_pair_free(p);
  /* Wrong types. */
  cr_assert_null(th_loopback_pair_new((th_context *)c, NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_loopback_pair_new(s, (th_context *)k, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context_free(s);
  th_context_free(c);
}

Test(loopback_pair, reused_reports_each_side) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_eq(th_loopback_pair_reused(p, TH_LOOPBACK_CLIENT), 0);
  cr_assert_eq(th_loopback_pair_reused(p, TH_LOOPBACK_SERVER), 0);
  cr_assert_eq(th_loopback_pair_reused(p, 3), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_reused(NULL, 0), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}
