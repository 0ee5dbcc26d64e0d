/* loopback_socket_test.c — socket pairs for application code that needs a
 * file descriptor, and one side in a background thread (bounded join). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_socket);

/* "Application code": a blocking TLS client over a file descriptor. */
typedef struct app {
  int fd;
  SSL_CTX *ctx;
  char got[32];
} app;

static int app_client(void *arg) {
  app *a = arg;
  SSL *ssl = SSL_new(a->ctx);
  SSL_set_fd(ssl, a->fd);
  int ok = SSL_connect(ssl) == 1 && SSL_write(ssl, "hello", 5) == 5;
  int n = ok ? SSL_read(ssl, a->got, sizeof a->got - 1) : -1;
  if (n > 0) a->got[n] = '\0';
  if (ok) SSL_shutdown(ssl);
  SSL_free(ssl);
  return n > 0 ? 0 : -1;
}

static int socket_transports[] = {TH_LOOPBACK_UNIX, TH_LOOPBACK_TCP};

ParameterizedTestParameters(loopback_socket, blocking_client_in_a_thread) {
  return cr_make_param_array(int, socket_transports, 2);
}

ParameterizedTest(int *transport, loopback_socket, blocking_client_in_a_thread) {
  int fds[2];
  cr_assert_eq(th_loopback_socketpair(*transport, fds), TH_OK, "%s", tu_err());
  app a = {fds[0], tl_client_ctx(TLS1_3_VERSION), ""};
  th_loopback_thread *t = th_loopback_thread_start(app_client, &a);
  cr_assert_not_null(t, "%s", tu_err());
  /* The test's side: a blocking server on the other end. */
  SSL_CTX *sctx = tl_server_ctx(TLS1_3_VERSION);
  SSL *s = SSL_new(sctx);
  SSL_set_fd(s, fds[1]);
  cr_assert_eq(SSL_accept(s), 1);
  char buf[8] = {0};
  cr_assert_eq(SSL_read(s, buf, 5), 5);
  cr_assert_str_eq(buf, "hello");
  cr_assert_eq(SSL_write(s, "world", 5), 5);
  int result = 99;
  cr_assert_eq(th_loopback_thread_join(t, 0, &result), TH_OK, "%s", tu_err());
  cr_assert_eq(result, 0);
  cr_assert_str_eq(a.got, "world");
  cr_assert_eq(th_loopback_thread_join(t, 0, &result), TH_ERR_VALUE); /* joined already */
  th_loopback_thread_free(t);
  SSL_free(s);
  SSL_CTX_free(sctx);
  SSL_CTX_free(a.ctx);
  close(fds[0]);
  close(fds[1]);
}

static int blocked_reader(void *arg) {
  char c;
  return (int)read(*(int *)arg, &c, 1); /* 0 at end-of-file */
}

Test(loopback_socket, bounded_join_then_half_close_unblocks) {
  int fds[2];
  cr_assert_eq(th_loopback_socketpair(TH_LOOPBACK_UNIX, fds), TH_OK, "%s", tu_err());
  th_loopback_thread *t = th_loopback_thread_start(blocked_reader, &fds[0]);
  int result = 99;
  /* Nothing is ever written: the thread cannot finish by itself. */
  cr_assert_eq(th_loopback_thread_join(t, 20, &result), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "still running") != NULL, "%s", tu_err());
  cr_assert_eq(result, 99);
  cr_assert_eq(shutdown(fds[1], SHUT_WR), 0); /* half-close: the reader sees EOF */
  cr_assert_eq(th_loopback_thread_join(t, 0, &result), TH_OK, "%s", tu_err());
  cr_assert_eq(result, 0);
  th_loopback_thread_free(t);
  close(fds[0]);
  close(fds[1]);
}

Test(loopback_socket, freeing_a_running_thread_detaches_it) {
  int fds[2];
  cr_assert_eq(th_loopback_socketpair(TH_LOOPBACK_TCP, fds), TH_OK, "%s", tu_err());
  th_loopback_thread *t = th_loopback_thread_start(blocked_reader, &fds[0]);
  th_loopback_thread_free(t); /* still blocked: detached, frees itself */
  cr_assert_eq(shutdown(fds[1], SHUT_WR), 0);
  /* A second thread joined normally orders this test's end after both. */
  th_loopback_thread *t2 = th_loopback_thread_start(blocked_reader, &fds[0]);
  int r = 99;
  cr_assert_eq(th_loopback_thread_join(t2, 0, &r), TH_OK, "%s", tu_err());
  th_loopback_thread_free(t2);
  close(fds[0]);
  close(fds[1]);
}

Test(loopback_socket, bad_input) {
  int fds[2];
  cr_assert_eq(th_loopback_socketpair(TH_LOOPBACK_PUMP, fds), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_socketpair(TH_LOOPBACK_UNIX, NULL), TH_ERR_TYPE);
  cr_assert_null(th_loopback_thread_start(NULL, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_thread_join(NULL, 0, NULL), TH_ERR_TYPE);
  th_loopback_thread_free(NULL);
}

Test(loopback_socket, pair_over_sockets_gives_descriptors) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_TCP, TLS1_2_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  int fd = th_loopback_pair_fd(p, TH_LOOPBACK_CLIENT);
  cr_assert_geq(fd, 0);
  int type = 0;
  socklen_t len = sizeof type;
  cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
  cr_assert_eq(type, SOCK_STREAM);
  close(fd);
  /* Faults work over sockets too. */
  th_loopback_pair_free(p);
  p = tl_pair(TH_LOOPBACK_UNIX, TLS1_3_VERSION);
  th_loopback_fault f = {TH_LOOPBACK_FAULT_FRAGMENT, TH_LOOPBACK_SERVER, 3, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair_free(p);
}
