/* interop_test.c — our Connection against the real `openssl s_server` and
 * `openssl s_client` on 127.0.0.1 (started and stopped by each test, with
 * bounded waits): ALPN, SNI, a client certificate, data both ways, a TLS
 * 1.2 renegotiation and a resumed session, for TLS 1.2 and TLS 1.3. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_ssl.h"
#include "testutil_peer.h"

static tp_peer peer;
static void setup(void) { ts_pki_files(); }
static void teardown(void) { tp_stop_all(); }
TestSuite(interop, .init = setup, .fini = teardown, .timeout = 120);

static int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};

static char path_buf[6][512];
static const char *pki(int i, const char *name) {
  snprintf(path_buf[i], sizeof path_buf[i], "%s", tu_path(name));
  return path_buf[i];
}

/* ---- our client against s_server ------------------------------------------- */

/* client_session connects one of our clients to s_server; it resumes
 * `resume` when not NULL; returns the connection (handshake done). */
static th_connection *our_client(th_context *ctx, int port, th_session *resume) {
  int fd = tp_connect_tcp(port);
  cr_assert_geq(fd, 0, "connect to s_server: %s", peer.out);
  th_connection *c = th_connection_new(ctx, fd);
  cr_assert_not_null(c, "%s", tu_err());
  cr_assert_eq(th_connection_setblocking(c, 0), TH_OK);
  th_connection_set_connect_state(c);
  cr_assert_eq(th_connection_set_tlsext_host_name(c, (const unsigned char *)"localhost", 9), TH_OK);
  const char *protos[] = {"h2", "http/1.1"};
  cr_assert_eq(th_connection_set_alpn_protos(c, protos, 2), TH_OK);
  if (resume) cr_assert_eq(th_connection_set_session(c, resume), TH_OK, "%s", tu_err());
  int rc = tp_handshake(c);
  cr_assert_eq(rc, TH_OK, "handshake: %s\n--- s_server said:\n%s", tu_err(), peer.out);
  return c;
}

static void close_client(th_connection *c) {
  /* close_notify, so the session stays resumable; the fd is ours. */
  th_connection_shutdown(c);
  int fd = th_connection_fileno(c);
  th_connection_free(c);
  close(fd);
}

static void echo(th_connection *c, const char *line, const char *reversed) {
  cr_assert_eq(tp_sendall(c, line), TH_OK, "%s", tu_err());
  char buf[512] = "";
  cr_assert_eq(tp_recv_until(c, reversed, buf, sizeof buf), TH_OK, "got '%s': %s\n%s", buf,
               tu_err(), peer.out);
}

ParameterizedTestParameters(interop, our_client_vs_s_server) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, interop, our_client_vs_s_server) {
  const char *v = *version == TLS1_3_VERSION ? "-tls1_3" : "-tls1_2";
  const char *extra[] = {"-cert", pki(0, "server.pem"), "-key", pki(1, "server.key"),
                         "-CAfile", pki(2, "ca.pem"), "-Verify", "2", "-tlsextdebug",
                         "-alpn", "h2,http/1.1",
                         "-client_renegotiation", "-rev", "-naccept", "2", v, NULL};
  cr_assert_gt(tp_s_server(&peer, extra), 0, "s_server did not start: %s", peer.out);
  th_context *ctx = ts_client_ctx(*version, TS_CERT | TS_VERIFY);
  th_connection *c = our_client(ctx, peer.port, NULL);
  /* ALPN, SNI (s_server switched to its -cert2 context), client cert. */
  th_bytes *alpn = th_connection_get_alpn_proto_negotiated(c);
  cr_assert_str_eq((char *)alpn->data, "h2");
  th_bytes_free(alpn);
  /* s_server -tlsextdebug dumps the server_name extension it got. */
  cr_assert(tp_wait_for(&peer, "TLS client extension \"server name\""), "%s", peer.out);
  cr_assert(tp_wait_for(&peer, "localhost"), "%s", peer.out);
  th_x509 *srv = NULL;
  cr_assert_eq(th_connection_get_peer_certificate(c, &srv), TH_OK);
  cr_assert_not_null(srv);
  th_x509_free(srv);
  cr_assert_eq(th_connection_get_protocol_version(c), *version);
  echo(c, "hello\n", "olleh");
  if (*version == TLS1_2_VERSION) {
    /* Client-initiated renegotiation (s_server -client_renegotiation). */
    cr_assert_eq(th_connection_renegotiate(c), 1, "%s", tu_err());
    cr_assert_eq(tp_handshake(c), TH_OK, "%s\n%s", tu_err(), peer.out);
    echo(c, "after renegotiation\n", "noitaitogener retfa");
    cr_assert_eq(th_connection_renegotiate_pending(c), 0);
    cr_assert_eq(th_connection_total_renegotiations(c), 1);
  } else {
    cr_assert_eq(th_connection_renegotiate(c), TH_ERR_SSL);
  }
  /* The tickets (TLS 1.3) came before the echo: the session resumes. */
  th_session *s = NULL;
  cr_assert_eq(th_connection_get_session(c, &s), TH_OK);
  cr_assert_not_null(s);
  close_client(c);
  c = our_client(ctx, peer.port, s);
  cr_assert_eq(th_connection_session_reused(c), 1, "%s", peer.out);
  echo(c, "resumed\n", "demuser");
  close_client(c);
  th_session_free(s);
  th_context_free(ctx);
  tp_stop(&peer);
}

Test(interop, s_server_requiring_cert_rejects_client_without_one) {
  const char *extra[] = {"-cert", pki(0, "server.pem"), "-key", pki(1, "server.key"),
                         "-CAfile", pki(2, "ca.pem"), "-Verify", "2", "-rev", "-naccept", "1",
                         "-tls1_2", NULL};
  cr_assert_gt(tp_s_server(&peer, extra), 0, "%s", peer.out);
  th_context *ctx = ts_client_ctx(TLS1_2_VERSION, TS_VERIFY);
  int fd = tp_connect_tcp(peer.port);
  th_connection *c = th_connection_new(ctx, fd);
  th_connection_setblocking(c, 0);
  th_connection_set_connect_state(c);
  int rc = tp_handshake(c);
  cr_assert_eq(rc, TH_ERR_SSL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "alert") != NULL, "%s", tu_err());
  th_connection_free(c);
  close(fd);
  th_context_free(ctx);
  tp_stop(&peer);
}

/* ---- our server against s_client -------------------------------------------- */

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
  static const unsigned char ours[] = "\x02h2";
  return SSL_select_next_proto((unsigned char **)out, outlen, ours, sizeof ours - 1, in, inlen) ==
                 OPENSSL_NPN_NEGOTIATED
             ? SSL_TLSEXT_ERR_OK
             : SSL_TLSEXT_ERR_NOACK;
}

/* listener_on makes a listening connection on 127.0.0.1:0; *port gets it. */
static th_connection *listener_on(th_context *ctx, int *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  th_connection *l = th_connection_new(ctx, fd);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(th_connection_bind(l, (struct sockaddr *)&a, sizeof a), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_listen(l, 2), TH_OK);
  socklen_t len = sizeof a;
  th_connection_getsockname(l, (struct sockaddr *)&a, &len);
  *port = ntohs(a.sin_port);
  return l;
}

/* accept_one waits (bounded) for s_client and handshakes as the server. */
static th_connection *accept_one(th_connection *l) {
  struct pollfd fd = {th_connection_fileno(l), POLLIN, 0};
  cr_assert_gt(poll(&fd, 1, TP_WAIT_MS), 0, "s_client never connected: %s", peer.out);
  th_connection *s = NULL;
  cr_assert_eq(th_connection_accept(l, &s, NULL, NULL), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_setblocking(s, 0), TH_OK);
  int rc = tp_handshake(s);
  cr_assert_eq(rc, TH_OK, "handshake: %s\n--- s_client said:\n%s", tu_err(), peer.out);
  return s;
}

static void start_s_client(int port, const char *v, const char *sess_arg, const char *sess_file) {
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", port);
  const char *argv[] = {"s_client", "-connect", target, "-servername", "localhost",
                        "-alpn", "h2,http/1.1", "-cert", pki(0, "client.pem"),
                        "-key", pki(1, "client.key"), "-CAfile", pki(2, "ca.pem"),
                        "-verify_return_error", v, sess_arg, sess_file, NULL};
  cr_assert_eq(tp_start(&peer, argv), 0);
}

/* server_session runs one s_client connection against our listener and
 * checks SNI, ALPN, the client certificate and data both ways; returns the
 * accepted connection. */
static th_connection *server_session(th_connection *l, int port, int version, const char *sess_arg) {
  const char *v = version == TLS1_3_VERSION ? "-tls1_3" : "-tls1_2";
  start_s_client(port, v, sess_arg, pki(5, "sess.pem"));
  th_connection *s = accept_one(l);
  th_bytes *b = NULL;
  cr_assert_eq(th_connection_get_servername(s, &b), TH_OK);
  /* OpenSSL 3.0 answers None on a server resuming a TLS 1.2 session (see
   * docs compat); otherwise the name s_client sent. */
  int resumed12 = version == TLS1_2_VERSION && th_connection_session_reused(s);
  if (!resumed12 || b != NULL) {
    cr_assert_not_null(b, "no SNI (version %x, %s)", version, sess_arg);
    cr_assert_str_eq((char *)b->data, "localhost");
  }
  th_bytes_free(b);
  b = th_connection_get_alpn_proto_negotiated(s);
  cr_assert_str_eq((char *)b->data, "h2");
  th_bytes_free(b);
  th_x509 *cert = NULL;
  cr_assert_eq(th_connection_get_peer_certificate(s, &cert), TH_OK);
  cr_assert_not_null(cert, "the client certificate");
  th_x509_free(cert);
  cr_assert_eq(th_connection_get_protocol_version(s), version);
  tp_send(&peer, "hello from s_client\n");
  char buf[512] = "";
  cr_assert_eq(tp_recv_until(s, "hello from s_client\n", buf, sizeof buf), TH_OK, "%s", peer.out);
  cr_assert_eq(tp_sendall(s, "hello from us\n"), TH_OK);
  cr_assert(tp_wait_for(&peer, "hello from us"), "%s", peer.out);
  return s;
}

static void finish(th_connection *s) {
  /* s_client ends on stdin EOF with a close_notify: read it, answer. */
  tp_close_stdin(&peer);
  th_bytes *b = tp_recv(s, 100);
  cr_assert_null(b);
  int kind = th_error_kind();
  cr_assert(kind == TH_ERR_ZERO_RETURN || kind == TH_ERR_SYSCALL, "%s", tu_err());
  th_connection_shutdown(s);
  tp_wait_exit(&peer);
  th_connection_free(s);
}

ParameterizedTestParameters(interop, our_server_vs_s_client) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, interop, our_server_vs_s_client) {
  th_context *ctx = ts_server_ctx(*version, TS_VERIFY | TS_REQUIRE);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  SSL_CTX_set_alpn_select_cb(raw, alpn_select, NULL);
  SSL_CTX_free(raw);
  int port = 0;
  th_connection *l = listener_on(ctx, &port);
  th_connection *s = server_session(l, port, *version, "-sess_out");
  cr_assert_eq(th_connection_session_reused(s), 0);
  if (*version == TLS1_2_VERSION) {
    /* Server-initiated renegotiation: s_client answers our HelloRequest
     * while it reads; we read until the new handshake is done. */
    cr_assert_eq(th_connection_renegotiate(s), 1, "%s", tu_err());
    cr_assert_eq(tp_handshake(s), TH_OK, "%s", tu_err());
    /* The HelloRequest is out; s_client answers with a ClientHello, which
     * our reads take in until the new handshake completes. */
    cr_assert_eq(th_connection_renegotiate_pending(s), 1);
    for (int i = 0; i < 50 && th_connection_renegotiate_pending(s); i++) {
      th_bytes *b = th_connection_recv(s, 100, 0);
      cr_assert_null(b, "no data expected during the renegotiation");
      cr_assert_eq(th_error_kind(), TH_ERR_WANT_READ, "%s", tu_err());
      struct pollfd fd = {th_connection_fileno(s), POLLIN, 0};
      if (th_connection_renegotiate_pending(s)) cr_assert_gt(poll(&fd, 1, TP_WAIT_MS), 0, "%s", peer.out);
    }
    cr_assert_eq(th_connection_renegotiate_pending(s), 0, "%s", peer.out);
    tp_send(&peer, "after renegotiation\n");
    char buf[512] = "";
    cr_assert_eq(tp_recv_until(s, "after renegotiation\n", buf, sizeof buf), TH_OK, "%s\n%s",
                 tu_err(), peer.out);
    cr_assert_eq(th_connection_total_renegotiations(s), 1);
    cr_assert_eq(tp_sendall(s, "renegotiated\n"), TH_OK);
    cr_assert(tp_wait_for(&peer, "renegotiated"), "%s", peer.out);
  } else {
    cr_assert_eq(th_connection_renegotiate(s), TH_ERR_SSL);
  }
  finish(s);
  /* s_client resumes the session it saved. */
  s = server_session(l, port, *version, "-sess_in");
  cr_assert_eq(th_connection_session_reused(s), 1, "%s", peer.out);
  cr_assert(strstr(peer.out, "Reused, ") != NULL, "%s", peer.out);
  finish(s);
  th_connection_close(l);
  th_connection_free(l);
  th_context_free(ctx);
}
