/* exceptions_test.c — each of the spec's exception classes, provoked by a
 * real situation and checked for its th_err kind and its error record:
 * crypto.Error, SSL.ZeroReturnError, WantReadError, WantWriteError,
 * WantX509LookupError, SysCallError. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"

static void ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

TestSuite(exceptions, .init = ignore_sigpipe);

Test(exceptions, crypto_error_carries_the_openssl_queue) {
  static const unsigned char garbage[] = "-----BEGIN CERTIFICATE-----\nnot base64 !!\n"
                                         "-----END CERTIFICATE-----\n";
  cr_assert_null(th_crypto_load_certificate(TH_FILETYPE_PEM, garbage, sizeof garbage - 1));
  const th_error *e = th_error_last();
  cr_assert_eq(e->kind, TH_ERR_CRYPTO, "%s", tu_err());
  cr_assert_gt(e->queue_len, 0u, "crypto.Error must carry OpenSSL's queue: %s", tu_err());
  for (size_t i = 0; i < e->queue_len; i++) {
    cr_assert_str_eq(e->queue[i].func, "", "func is empty on OpenSSL 3");
    cr_assert_neq(e->queue[i].reason[0], '\0');
    cr_assert_neq(e->queue[i].lib[0], '\0');
  }
}

Test(exceptions, want_read_before_the_peer_sends) {
  th_context *c = ts_client_ctx(0, 0), *s = ts_server_ctx(0, 0);
  ts_pair p;
  ts_pair_new(&p, c, s);
  /* The client's first step writes its ClientHello and then needs bytes. */
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_WANT_READ, "%s", tu_err());
  cr_assert_eq(th_error_last()->queue_len, 0u);
  ts_connect(&p);
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_WANT_READ, "%s", tu_err());
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}

Test(exceptions, zero_return_after_close_notify) {
  th_context *c = ts_client_ctx(0, 0), *s = ts_server_ctx(0, 0);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  cr_assert_geq(th_connection_shutdown(p.client), 0, "%s", tu_err());
  ts_pump(&p);
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_ZERO_RETURN, "%s", tu_err());
  cr_assert(th_connection_get_shutdown(p.server) & TH_RECEIVED_SHUTDOWN);
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}

Test(exceptions, syscall_unexpected_eof_has_errno_minus_one) {
  th_context *c = ts_client_ctx(0, 0), *s = ts_server_ctx(0, 0);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  /* The peer's transport ends without a close_notify: a truncation. */
  cr_assert_eq(th_connection_bio_shutdown(p.server), TH_OK, "%s", tu_err());
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  const th_error *e = th_error_last();
  cr_assert_eq(e->kind, TH_ERR_SYSCALL, "%s", tu_err());
  cr_assert_eq(e->sys_errno, -1);
  cr_assert_str_eq(e->sys_text, "Unexpected EOF");
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}

/* A client certificate callback that asks to be called again, as an
 * application doing an asynchronous key lookup would. */
static int lookup_later(SSL *ssl, X509 **x509, EVP_PKEY **pkey) { return -1; }

Test(exceptions, want_x509_lookup_from_a_pending_client_cert_callback) {
  th_context *c = ts_client_ctx(TH_TLS1_2_VERSION, 0), *s = ts_server_ctx(TH_TLS1_2_VERSION, 0);
  th_context_set_verify(s, TH_VERIFY_PEER, NULL, NULL);
  SSL_CTX *raw = th_context_to_ssl_ctx(c);
  SSL_CTX_set_client_cert_cb(raw, lookup_later);
  SSL_CTX_free(raw);
  ts_pair p;
  ts_pair_new(&p, c, s);
  int rc = TH_OK;
  for (int i = 0; i < 20; i++) {
    rc = th_connection_do_handshake(p.client);
    if (rc == TH_ERR_WANT_X509_LOOKUP) break;
    th_connection_do_handshake(p.server);
    ts_pump(&p);
  }
  cr_assert_eq(rc, TH_ERR_WANT_X509_LOOKUP, "%s", tu_err());
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}

/* Drives both socket connections until both finish (bounded). */
static void socket_handshake(th_connection *a, th_connection *b) {
  int da = 0, db = 0;
  for (int i = 0; i < 200 && !(da && db); i++) {
    if (!da) {
      int rc = th_connection_do_handshake(a);
      cr_assert(rc == TH_OK || rc == TH_ERR_WANT_READ || rc == TH_ERR_WANT_WRITE, "%s", tu_err());
      da = rc == TH_OK;
    }
    if (!db) {
      int rc = th_connection_do_handshake(b);
      cr_assert(rc == TH_OK || rc == TH_ERR_WANT_READ || rc == TH_ERR_WANT_WRITE, "%s", tu_err());
      db = rc == TH_OK;
    }
  }
  cr_assert(da && db, "socket handshake did not finish");
}

Test(exceptions, want_write_when_the_socket_buffer_is_full) {
  int sv[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  int small = 4096;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  th_context *c = ts_client_ctx(0, 0), *s = ts_server_ctx(0, 0);
  th_connection *client = th_connection_new(c, sv[0]);
  th_connection *server = th_connection_new(s, sv[1]);
  cr_assert_not_null(client, "%s", tu_err());
  cr_assert_not_null(server, "%s", tu_err());
  cr_assert_eq(th_connection_setblocking(client, 0), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_setblocking(server, 0), TH_OK, "%s", tu_err());
  th_connection_set_connect_state(client);
  th_connection_set_accept_state(server);
  socket_handshake(client, server);
  /* The server never reads: the client's writes must eventually block. */
  static unsigned char chunk[16384];
  int rc = 0;
  for (int i = 0; i < 1000 && rc >= 0; i++) rc = th_connection_send(client, chunk, sizeof chunk, 0);
  cr_assert_eq(rc, TH_ERR_WANT_WRITE, "%s", tu_err());
  cr_assert(th_connection_want_write(client) || th_connection_pending(client) >= 0);
  th_connection_free(client);
  th_connection_free(server);
  close(sv[0]);
  close(sv[1]);
  th_context_free(c);
  th_context_free(s);
}
