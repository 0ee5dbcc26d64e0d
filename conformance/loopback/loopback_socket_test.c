/* loopback_socket_test.c — socket pairs for application code that needs a
 * file descriptor, and one side in a background thread (bounded join). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_socket);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

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

/* A socket transport whose buffers fill: the bytes the socket does not
 * take wait in the direction's queue (the end BIO's write-pending count),
 * the reader's end BIO reports what the socket holds (pending), a writer
 * that queued 64 KiB is told to retry (WANT_WRITE), and the receiver
 * drains everything, in order. */

static size_t unread(int fd) {
  int n = 0;
  cr_assert_eq(ioctl(fd, FIONREAD, &n), 0);
  return (size_t)n;
}

Test(loopback_socket, full_socket_buffers_queue_then_drain) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_UNIX, TLS1_3_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  int cfd = th_loopback_pair_fd(p, C), sfd = th_loopback_pair_fd(p, S);
  int small = 4096;
  cr_assert_eq(setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  cr_assert_eq(unread(sfd), 0);
  SSL *c = th_loopback_pair_ssl(p, C), *s = th_loopback_pair_ssl(p, S);
  enum { REC = 16384, WIRE = REC + 22 }; /* a full TLS 1.3 record: header, type, tag */
  static unsigned char data[16 * REC];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7 + i / 251);
  /* Record by record, nobody reading, until the writer is told to wait. */
  size_t sent = 0;
  int w;
  while ((w = SSL_write(c, data + sent, REC)) == REC) {
    sent += REC;
    cr_assert_lt(sent, sizeof data, "never told to wait");
  }
  cr_assert_eq(SSL_get_error(c, w), SSL_ERROR_WANT_WRITE);
  size_t queued = BIO_ctrl_wpending(SSL_get_wbio(c)), in_socket = unread(sfd);
  cr_assert_geq(queued, 65536, "told to wait with %zu bytes queued", queued);
  cr_assert_eq(queued + in_socket, sent / REC * WIRE, "queued %zu + in the socket %zu", queued, in_socket);
  cr_assert_eq(BIO_ctrl_pending(SSL_get_rbio(s)), in_socket);
  /* th_loopback_send retries the same write and drains as it goes; the
   * server reads everything, in order. */
  tl_assert_rc(p, th_loopback_send(p, C, data + sent, REC), TH_OK);
  sent += REC;
  tl_assert_rc(p, th_loopback_send(p, C, data + sent, sizeof data - sent), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, data, sizeof data), TH_OK);
  cr_assert_eq(BIO_ctrl_wpending(SSL_get_wbio(c)), 0);
  cr_assert_eq(unread(sfd), 0);
  tl_assert_rc(p, th_loopback_shutdown(p, C), TH_OK);
  SSL_free(c);
  SSL_free(s);
  close(cfd);
  close(sfd);
  th_loopback_pair_free(p);
}

Test(loopback_socket, megabytes_over_tcp_arrive_in_order) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_TCP, TLS1_2_VERSION);
  th_loopback_fault cap = {TH_LOOPBACK_FAULT_CAP, TH_LOOPBACK_SERVER, 40000, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &cap), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  size_t n = 4u << 20;
  unsigned char *data = malloc(n);
  for (size_t i = 0; i < n; i++) data[i] = (unsigned char)(i ^ (i >> 9));
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_SERVER, data, n), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_CLIENT, data, n), TH_OK);
  free(data);
  th_loopback_pair_free(p);
}
