/* connection_test.c — SSL.Connection: construction, context, app data,
 * escape hatches, states, do_handshake and the error mapping. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(connection);

ParameterizedTestParameters(connection, handshake_versions) {
  static int v[] = {TLS1_2_VERSION, TLS1_3_VERSION};
  return cr_make_param_array(int, v, 2);
}

ParameterizedTest(int *version, connection, handshake_versions) {
  ts_pair p;
  ts_pair_new_v(&p, *version, TS_VERIFY, TS_CHAIN);
  ts_connect(&p);
  cr_assert_eq(th_connection_get_protocol_version(p.client), *version);
  cr_assert_eq(th_connection_get_protocol_version(p.server), *version);
  ts_send_recv(p.client, p.server, &p, "ping");
  ts_send_recv(p.server, p.client, &p, "pong");
  ts_pair_free(&p);
}

Test(connection, new_memory_and_socket) {
  th_context *ctx = ts_client_ctx(0, 0);
  th_connection *m = th_connection_new(ctx, -1);
  cr_assert_not_null(m, "%s", tu_err());
  int sv[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  th_connection *s = th_connection_new(ctx, sv[0]);
  cr_assert_not_null(s, "%s", tu_err());
  cr_assert_eq(th_connection_fileno(s), sv[0]);
  /* The fd stays the caller's: freeing the connection leaves it open. */
  th_connection_free(s);
  cr_assert_eq(write(sv[0], "x", 1), 1);
  close(sv[0]);
  close(sv[1]);
  th_connection_free(m);
  th_connection_free(NULL);
  th_context_free(ctx);
}

Test(connection, new_bad_input) {
  th_context *ctx = ts_client_ctx(0, 0);
  cr_assert_null(th_connection_new(NULL, -1));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  /* A wrong object cast to a Context. */
  th_connection *c = th_connection_new(ctx, -1);
  cr_assert_null(th_connection_new((th_context *)c, -1));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert(strstr(th_error_last()->message, "Connection") != NULL, "%s", tu_err());
  cr_assert_null(th_connection_new(ctx, -2));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  /* An fd that is not open. */
  int fds[2];
  cr_assert_eq(pipe(fds), 0);
  close(fds[0]);
  close(fds[1]);
  cr_assert_null(th_connection_new(ctx, fds[0]));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_connection_free(c);
  th_context_free(ctx);
}

Test(connection, up_ref_and_type) {
  th_context *ctx = ts_client_ctx(0, 0);
  th_connection *c = th_connection_new(ctx, -1);
  cr_assert_eq(th_connection_up_ref(c), c);
  th_connection_free(c);
  cr_assert_null(th_connection_up_ref((th_connection *)ctx));
  cr_assert_null(th_connection_up_ref(NULL));
  th_connection_free(c);
  th_context_free(ctx);
}

Test(connection, context_get_set) {
  th_context *a = ts_client_ctx(0, 0), *b = ts_server_ctx(0, 0);
  th_connection *c = th_connection_new(a, -1);
  th_context *got = th_connection_get_context(c);
  cr_assert_eq(got, a);
  th_context_free(got);
  cr_assert_eq(th_connection_set_context(c, b), TH_OK);
  got = th_connection_get_context(c);
  cr_assert_eq(got, b);
  th_context_free(got);
  SSL *ssl = th_connection_to_ssl(c);
  SSL_CTX *raw = th_context_to_ssl_ctx(b);
  cr_assert_eq(SSL_get_SSL_CTX(ssl), raw);
  SSL_CTX_free(raw);
  SSL_free(ssl);
  /* The connection keeps its context alive. */
  th_context_free(b);
  got = th_connection_get_context(c);
  cr_assert_not_null(got);
  th_context_free(got);
  /* Bad input leaves the context as it was. */
  cr_assert_eq(th_connection_set_context(c, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_context(c, (th_context *)c), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_context(NULL, a), TH_ERR_TYPE);
  cr_assert_null(th_connection_get_context(NULL));
  cr_assert_null(th_connection_get_context((th_connection *)a));
  got = th_connection_get_context(c);
  cr_assert_neq(got, a);
  th_context_free(got);
  th_connection_free(c);
  th_context_free(a);
}

Test(connection, app_data) {
  th_context *ctx = ts_client_ctx(0, 0);
  th_connection *c = th_connection_new(ctx, -1);
  cr_assert_null(th_connection_get_app_data(c));
  int x;
  cr_assert_eq(th_connection_set_app_data(c, &x), TH_OK);
  cr_assert_eq(th_connection_get_app_data(c), &x);
  cr_assert_eq(th_connection_set_app_data(NULL, &x), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_app_data((th_connection *)ctx, &x), TH_ERR_TYPE);
  cr_assert_null(th_connection_get_app_data(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_app_data(c), &x);
  th_connection_free(c);
  th_context_free(ctx);
}

Test(connection, escape_hatches) {
  th_context *ctx = ts_client_ctx(0, 0);
  th_connection *c = th_connection_new(ctx, -1);
  SSL *ssl = th_connection_to_ssl(c);
  cr_assert_not_null(ssl);
  /* The same SSL gives back the same connection. */
  th_connection *again = th_connection_from_ssl(ssl);
  cr_assert_eq(again, c);
  th_connection_free(again);
  th_connection_free(c);
  /* The SSL outlives the connection and no longer points back at it. */
  th_connection *fresh = th_connection_from_ssl(ssl);
  cr_assert_not_null(fresh, "%s", tu_err());
  cr_assert_neq(th_connection_get_protocol_version(fresh), TH_ERR_TYPE);
  /* A foreign connection has neither memory BIOs nor a socket. */
  cr_assert_null(th_connection_bio_read(fresh, 10));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_connection_fileno(fresh), TH_ERR_TYPE);
  th_connection_free(fresh);
  SSL_free(ssl);
  cr_assert_null(th_connection_from_ssl(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_connection_to_ssl(NULL));
  cr_assert_null(th_connection_to_ssl((th_connection *)ctx));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_context_free(ctx);
}

/* SSL_dup of a Connection's SSL before its handshake makes another SSL
 * (after it, OpenSSL only takes a reference): the copy is not this
 * Connection, and outlives it safely. */
Test(connection, ssl_dup_is_another_connection) {
  th_context *ctx = ts_client_ctx(0, 0);
  th_connection *c = th_connection_new(ctx, -1);
  SSL *ssl = th_connection_to_ssl(c);
  SSL *copy = SSL_dup(ssl);
  cr_assert_not_null(copy);
  cr_assert_neq(copy, ssl);
  th_connection *other = th_connection_from_ssl(copy);
  cr_assert_not_null(other, "%s", tu_err());
  cr_assert_neq(other, c, "the copy's SSL points back at the original Connection");
  th_connection *again = th_connection_from_ssl(ssl);
  cr_assert_eq(again, c);
  th_connection_free(again);
  th_connection_free(other);
  /* The copy outlives the original; the wrapper made for it is its own. */
  th_connection_free(c);
  SSL_free(ssl);
  other = th_connection_from_ssl(copy);
  cr_assert_not_null(other, "%s", tu_err());
  cr_assert_eq(th_connection_set_connect_state(other), TH_OK);
  th_connection_free(other);
  SSL_free(copy);
  th_context_free(ctx);
}

Test(connection, from_foreign_ssl_runs_a_handshake) {
  /* An SSL made with raw OpenSSL over raw memory BIOs. */
  th_context *sctx = ts_server_ctx(0, 0), *cctx = ts_client_ctx(0, 0);
  SSL_CTX *raw = th_context_to_ssl_ctx(cctx);
  SSL *ssl = SSL_new(raw);
  BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_set_connect_state(ssl);
  th_connection *c = th_connection_from_ssl(ssl);
  cr_assert_not_null(c, "%s", tu_err());
  th_connection *s = th_connection_new(sctx, -1);
  th_connection_set_accept_state(s);
  int crc = TH_ERR_WANT_READ, src = TH_ERR_WANT_READ;
  char buf[16384];
  for (int i = 0; i < 32 && (crc != TH_OK || src != TH_OK); i++) {
    if (crc != TH_OK) crc = th_connection_do_handshake(c);
    int n;
    while ((n = BIO_read(out, buf, sizeof buf)) > 0) th_connection_bio_write(s, buf, (size_t)n);
    if (src != TH_OK) src = th_connection_do_handshake(s);
    th_bytes *b;
    while ((b = th_connection_bio_read(s, sizeof buf)) != NULL) {
      BIO_write(in, b->data, (int)b->len);
      th_bytes_free(b);
    }
  }
  cr_assert_eq(crc, TH_OK, "%s", tu_err());
  cr_assert_eq(src, TH_OK, "%s", tu_err());
  th_connection_free(c);
  th_connection_free(s);
  SSL_free(ssl);
  SSL_CTX_free(raw);
  th_context_free(sctx);
  th_context_free(cctx);
}

Test(connection, states_bad_input) {
  th_context *ctx = ts_client_ctx(0, 0);
  cr_assert_eq(th_connection_set_accept_state(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_connect_state(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_accept_state((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_connect_state((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_do_handshake(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_do_handshake((th_connection *)ctx), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(connection, do_handshake_wants_read_until_peer_answers) {
  ts_pair p;
  ts_pair_new_v(&p, 0, 0, 0);
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_WANT_READ);
  cr_assert_eq(th_connection_want_read(p.client), 1);
  /* The server has nothing yet either. */
  cr_assert_eq(th_connection_do_handshake(p.server), TH_ERR_WANT_READ);
  cr_assert_eq(ts_handshake(&p, NULL, NULL, 0), TH_OK);
  cr_assert_eq(th_connection_do_handshake(p.client), TH_OK);
  ts_pair_free(&p);
}

Test(connection, stalled_pair_says_which_side) {
  /* Two clients never agree: both wait for a ServerHello. */
  th_context *c1 = ts_client_ctx(0, 0);
  ts_pair p;
  ts_pair_new(&p, c1, c1);
  th_connection_set_connect_state(p.server);
  char why[512];
  int rc = ts_handshake(&p, NULL, why, sizeof why);
  cr_assert_neq(rc, TH_OK);
  cr_assert(strlen(why) > 0);
  ts_pair_free(&p);
  th_context_free(c1);
}

Test(connection, handshake_failure_is_ssl_error_with_queue) {
  /* The client verifies against an empty store: certificate verify failed. */
  th_context *cctx = ts_client_ctx(0, 0), *sctx = ts_server_ctx(0, 0);
  SSL_CTX *raw = th_context_to_ssl_ctx(cctx);
  SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, NULL);
  SSL_CTX_free(raw);
  ts_pair p;
  ts_pair_new(&p, cctx, sctx);
  char why[2300];
  cr_assert_eq(ts_handshake(&p, NULL, why, sizeof why), TH_ERR_SSL, "%s", why);
  cr_assert(strstr(why, "client failed") != NULL, "%s", why);
  const th_error *e = th_error_last();
  cr_assert_gt(e->queue_len, 0u);
  cr_assert_str_eq(e->queue[e->queue_len - 1].lib, "SSL routines");
  cr_assert_str_eq(e->queue[e->queue_len - 1].func, "");
  cr_assert(strstr(e->queue[e->queue_len - 1].reason, "certificate verify failed") != NULL);
  cr_assert_eq(th_connection_get_verify_result(p.client), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  /* The error queue was moved into the record, not left behind. */
  cr_assert_eq(ERR_peek_error(), 0ul);
  ts_pair_free(&p);
  th_context_free(cctx);
  th_context_free(sctx);
}

Test(connection, garbage_from_peer_is_ssl_error) {
  ts_pair p;
  ts_pair_new_v(&p, 0, 0, 0);
  static const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  cr_assert_eq(th_connection_bio_write(p.server, junk, sizeof junk - 1), (int)sizeof junk - 1);
  cr_assert_eq(th_connection_do_handshake(p.server), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "http request") != NULL, "%s", tu_err());
  ts_pair_free(&p);
}

Test(connection, stale_error_queue_is_cleared_before_io) {
  ts_pair p;
  ts_pair_new_v(&p, 0, 0, 0);
  ERR_put_error(ERR_LIB_SSL, 0, SSL_R_BAD_LENGTH, __FILE__, __LINE__);
  /* A stale queue entry does not turn WANT_READ into an SSL error. */
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_WANT_READ);
  ts_pair_free(&p);
}

static int client_cert_later(SSL *ssl, X509 **x, EVP_PKEY **k) { return -1; }

Test(connection, want_x509_lookup) {
  /* A client-certificate callback that asks to be called again. */
  th_context *cctx = ts_client_ctx(TLS1_2_VERSION, 0), *sctx = ts_server_ctx(TLS1_2_VERSION, TS_VERIFY);
  SSL_CTX *raw = th_context_to_ssl_ctx(cctx);
  SSL_CTX_set_client_cert_cb(raw, client_cert_later);
  SSL_CTX_free(raw);
  ts_pair p;
  ts_pair_new(&p, cctx, sctx);
  char why[2300];
  cr_assert_eq(ts_handshake(&p, NULL, why, sizeof why), TH_ERR_WANT_X509_LOOKUP, "%s", why);
  ts_pair_free(&p);
  th_context_free(cctx);
  th_context_free(sctx);
}

/* A callback "raises" by returning an error status after a failing call
 * of the public API recorded its error. */
static int raise_type_error(void) { return th_connection_set_shutdown(NULL, 0); }

static int verify_fails(th_connection *conn, th_x509 *cert, int errnum, int depth, int ok,
                        void *user) {
  ++*(int *)user;
  cr_assert_not_null(th_connection_get_app_data(conn), "the callback gets our connection");
  return raise_type_error();
}

Test(connection, callback_error_propagates) {
  th_context *cctx = ts_client_ctx(0, TS_VERIFY), *sctx = ts_server_ctx(0, 0);
  int calls = 0;
  cr_assert_eq(th_context_set_verify(cctx, TH_VERIFY_PEER, verify_fails, &calls), TH_OK, "%s", tu_err());
  ts_pair p;
  ts_pair_new(&p, cctx, sctx);
  th_connection_set_app_data(p.client, &calls);
  char why[2300];
  int rc = ts_handshake(&p, NULL, why, sizeof why);
  /* do_handshake fails with the callback's own status and record. */
  cr_assert_eq(rc, TH_ERR_TYPE, "%s", why);
  cr_assert(strstr(th_error_last()->message, "th_connection_set_shutdown") != NULL, "%s", tu_err());
  cr_assert_geq(calls, 1);
  ts_pair_free(&p);
  th_context_free(cctx);
  th_context_free(sctx);
}
