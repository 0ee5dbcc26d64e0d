/* shutdown_test.c — TLS closure: shutdown() one side and both, the state
 * bits, ZERO_RETURN after close_notify, a truncated stream (bio_shutdown)
 * as SYSCALL errno -1 "Unexpected EOF", set_shutdown. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_ssl.h"

static ts_pair p;
static void teardown(void) { ts_pair_free(&p); }
TestSuite(shutdown, .fini = teardown);

static int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};

ParameterizedTestParameters(shutdown, one_side_then_both) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, shutdown, one_side_then_both) {
  ts_pair_new_v(&p, *version, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_get_shutdown(p.client), 0);
  /* Our close_notify is sent, the peer's not yet received: not complete. */
  cr_assert_eq(th_connection_shutdown(p.client), 0, "%s", tu_err());
  cr_assert_eq(th_connection_get_shutdown(p.client), TH_SENT_SHUTDOWN);
  ts_pump(&p);
  /* The server reads the close_notify: ZeroReturnError. */
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_ZERO_RETURN, "%s", tu_err());
  cr_assert_eq(th_connection_get_shutdown(p.server), TH_RECEIVED_SHUTDOWN);
  /* Having received one, the server's shutdown completes at once. */
  cr_assert_eq(th_connection_shutdown(p.server), 1);
  cr_assert_eq(th_connection_get_shutdown(p.server), TH_SENT_SHUTDOWN | TH_RECEIVED_SHUTDOWN);
  ts_pump(&p);
  /* The client's second shutdown reads the server's and completes. */
  cr_assert_eq(th_connection_shutdown(p.client), 1, "%s", tu_err());
  cr_assert_eq(th_connection_get_shutdown(p.client), TH_SENT_SHUTDOWN | TH_RECEIVED_SHUTDOWN);
  /* Reading after closure keeps saying ZERO_RETURN. */
  cr_assert_null(th_connection_recv(p.client, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_ZERO_RETURN);
}

Test(shutdown, second_shutdown_without_peer_wants_read) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_shutdown(p.client), 0);
  /* Nothing from the server yet: the second call waits for its alert. */
  cr_assert_eq(th_connection_shutdown(p.client), TH_ERR_WANT_READ);
}

Test(shutdown, data_before_close_notify_is_still_read) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_send(p.client, "last words", 10, 0), 10);
  cr_assert_eq(th_connection_shutdown(p.client), 0);
  ts_pump(&p);
  th_bytes *b = th_connection_recv(p.server, 100, 0);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((char *)b->data, "last words");
  th_bytes_free(b);
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_ZERO_RETURN);
}

ParameterizedTestParameters(shutdown, truncation_is_unexpected_eof) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, shutdown, truncation_is_unexpected_eof) {
  ts_pair_new_v(&p, *version, 0, 0);
  ts_connect(&p);
  /* Before bio_shutdown an empty BIO means "wait". */
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_WANT_READ);
  /* The transport ends without close_notify. */
  cr_assert_eq(th_connection_bio_shutdown(p.server), TH_OK);
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  const th_error *e = th_error_last();
  cr_assert_eq(e->kind, TH_ERR_SYSCALL, "%s", tu_err());
  cr_assert_eq(e->sys_errno, -1);
  cr_assert_str_eq(e->sys_text, "Unexpected EOF");
}

Test(shutdown, eof_during_handshake_is_unexpected_eof) {
  ts_pair_new_v(&p, 0, 0, 0);
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_WANT_READ);
  cr_assert_eq(th_connection_bio_shutdown(p.client), TH_OK);
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_SYSCALL, "%s", tu_err());
  cr_assert_eq(th_error_last()->sys_errno, -1);
}

Test(shutdown, eof_on_socket_is_unexpected_eof) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  th_context *ctx = th_connection_get_context(p.client);
  int sv[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  th_connection *c = th_connection_new(ctx, sv[0]);
  th_connection_set_connect_state(c);
  shutdown(sv[1], SHUT_WR); /* the peer ends its stream without a word */
  cr_assert_eq(th_connection_do_handshake(c), TH_ERR_SYSCALL, "%s", tu_err());
  /* EOF (not an errno) on the socket: -1, as pyOpenSSL. */
  cr_assert_eq(th_error_last()->sys_errno, -1, "%s", tu_err());
  th_connection_free(c);
  close(sv[0]);
  close(sv[1]);
  th_context_free(ctx);
}

Test(shutdown, socket_errno_is_syscall_error) {
  ts_pair_new_v(&p, 0, 0, 0);
  th_context *ctx = th_connection_get_context(p.client);
  int sv[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  th_connection *c = th_connection_new(ctx, sv[0]);
  th_connection_set_connect_state(c);
  close(sv[1]);
  signal(SIGPIPE, SIG_IGN);
  /* Writing the ClientHello to a closed peer: EPIPE. */
  cr_assert_eq(th_connection_do_handshake(c), TH_ERR_SYSCALL, "%s", tu_err());
  cr_assert_eq(th_error_last()->sys_errno, EPIPE, "%s", tu_err());
  cr_assert_str_eq(th_error_last()->sys_text, strerror(EPIPE));
  th_connection_free(c);
  close(sv[0]);
  th_context_free(ctx);
}

Test(shutdown, set_shutdown_quiet_close) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  /* Marking both directions done makes shutdown() complete without
   * sending anything (a "quiet" shutdown). */
  cr_assert_eq(th_connection_set_shutdown(p.client, TH_SENT_SHUTDOWN | TH_RECEIVED_SHUTDOWN), TH_OK);
  cr_assert_eq(th_connection_get_shutdown(p.client), TH_SENT_SHUTDOWN | TH_RECEIVED_SHUTDOWN);
  cr_assert_eq(th_connection_shutdown(p.client), 1);
  cr_assert_eq(ts_pump(&p), 0u);
  cr_assert_eq(th_connection_set_shutdown(p.client, TH_RECEIVED_SHUTDOWN), TH_OK);
  cr_assert_eq(th_connection_get_shutdown(p.client), TH_RECEIVED_SHUTDOWN);
}

Test(shutdown, bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  cr_assert_eq(th_connection_set_shutdown(p.client, 4), TH_ERR_VALUE);
  cr_assert_eq(th_connection_set_shutdown(p.client, -1), TH_ERR_VALUE);
  cr_assert_eq(th_connection_get_shutdown(p.client), 0, "unchanged");
  cr_assert_eq(th_connection_set_shutdown(NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_shutdown(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_shutdown(NULL), TH_ERR_TYPE);
  th_context *ctx = th_connection_get_context(p.client);
  cr_assert_eq(th_connection_shutdown((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_shutdown((th_connection *)ctx), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(shutdown, before_handshake) {
  ts_pair_new_v(&p, 0, 0, 0);
  /* OpenSSL refuses to shut down a connection that never started. */
  int rc = th_connection_shutdown(p.client);
  cr_assert_eq(rc, TH_ERR_SSL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "shutdown while in init") != NULL, "%s", tu_err());
}
