/* connection_sock_test.c — SSL.Connection's socket methods over real
 * 127.0.0.1 TCP sockets: bind / listen / accept / connect / connect_ex /
 * fileno / getpeername / getsockname / getsockopt / setsockopt /
 * setblocking / sock_shutdown / close; and TH_ERR_TYPE for them on a
 * memory connection. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_ssl.h"

static th_context *cctx, *sctx;
static th_connection *listener, *client, *server;

static void setup(void) {
  cctx = ts_client_ctx(0, TS_VERIFY);
  sctx = ts_server_ctx(0, TS_CHAIN);
}
static void teardown(void) {
  /* The test made the listener's and client's fds: close them (the
   * accepted server owns its own). */
  if (listener) th_connection_close(listener);
  if (client) th_connection_close(client);
  th_connection_free(listener);
  th_connection_free(client);
  th_connection_free(server);
  th_context_free(cctx);
  th_context_free(sctx);
}
TestSuite(connection_sock, .init = setup, .fini = teardown);

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/* listen_any makes `listener` on 127.0.0.1 with a kernel-chosen port. */
static struct sockaddr_in listen_any(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  listener = th_connection_new(sctx, fd);
  cr_assert_not_null(listener, "%s", tu_err());
  /* The listening connection owns nothing: hand the fd over by closing it
   * through close() at the end (th_connection_close). */
  struct sockaddr_in a = loopback(0);
  cr_assert_eq(th_connection_bind(listener, (struct sockaddr *)&a, sizeof a), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_listen(listener, 4), TH_OK, "%s", tu_err());
  socklen_t len = sizeof a;
  cr_assert_eq(th_connection_getsockname(listener, (struct sockaddr *)&a, &len), TH_OK);
  cr_assert_neq(a.sin_port, 0);
  return a;
}

/* connect_pair connects client to listener and accepts server. */
static void connect_pair(void) {
  struct sockaddr_in a = listen_any();
  client = th_connection_new(cctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_eq(th_connection_connect(client, (struct sockaddr *)&a, sizeof a), TH_OK, "%s", tu_err());
  struct sockaddr_storage peer;
  socklen_t plen = sizeof peer;
  cr_assert_eq(th_connection_accept(listener, &server, (struct sockaddr *)&peer, &plen), TH_OK, "%s", tu_err());
  /* accept's address is the client's own. */
  struct sockaddr_in mine;
  socklen_t mlen = sizeof mine;
  cr_assert_eq(th_connection_getsockname(client, (struct sockaddr *)&mine, &mlen), TH_OK);
  cr_assert_eq(plen, mlen);
  cr_assert_eq(((struct sockaddr_in *)&peer)->sin_port, mine.sin_port);
}

/* sock_handshake drives both non-blocking sides, waiting with poll (5 s
 * at most per wait, 200 rounds at most). */
static void sock_handshake(void) {
  cr_assert_eq(th_connection_setblocking(client, 0), TH_OK);
  cr_assert_eq(th_connection_setblocking(server, 0), TH_OK);
  int crc = TH_ERR_WANT_READ, src = TH_ERR_WANT_READ;
  for (int i = 0; i < 200 && (crc != TH_OK || src != TH_OK); i++) {
    if (crc != TH_OK) crc = th_connection_do_handshake(client);
    cr_assert(crc == TH_OK || crc == TH_ERR_WANT_READ || crc == TH_ERR_WANT_WRITE, "client: %s", tu_err());
    if (src != TH_OK) src = th_connection_do_handshake(server);
    cr_assert(src == TH_OK || src == TH_ERR_WANT_READ || src == TH_ERR_WANT_WRITE, "server: %s", tu_err());
    if (crc != TH_OK && src != TH_OK) {
      struct pollfd fds[2] = {{th_connection_fileno(client), POLLIN, 0},
                              {th_connection_fileno(server), POLLIN, 0}};
      cr_assert_gt(poll(fds, 2, 5000), 0, "both sides stalled");
    }
  }
  cr_assert_eq(crc, TH_OK);
  cr_assert_eq(src, TH_OK);
}

static th_bytes *recv_wait(th_connection *c, int n) {
  for (int i = 0; i < 50; i++) {
    th_bytes *b = th_connection_recv(c, n, 0);
    if (b != NULL || th_error_kind() != TH_ERR_WANT_READ) return b;
    struct pollfd fd = {th_connection_fileno(c), POLLIN, 0};
    cr_assert_gt(poll(&fd, 1, 5000), 0, "no data within 5 s");
  }
  return NULL;
}

Test(connection_sock, accept_connect_handshake_and_data) {
  connect_pair();
  sock_handshake();
  cr_assert_eq(th_connection_sendall(client, "over tcp", 8, 0, NULL), TH_OK);
  th_bytes *b = recv_wait(server, 100);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((char *)b->data, "over tcp");
  th_bytes_free(b);
  struct sockaddr_in peer, name;
  socklen_t plen = sizeof peer, nlen = sizeof name;
  cr_assert_eq(th_connection_getpeername(server, (struct sockaddr *)&peer, &plen), TH_OK);
  cr_assert_eq(th_connection_getsockname(client, (struct sockaddr *)&name, &nlen), TH_OK);
  cr_assert_eq(peer.sin_port, name.sin_port);
  /* The accepted connection uses the listener's context, in server mode. */
  th_context *ctx = th_connection_get_context(server);
  cr_assert_eq(ctx, sctx);
  th_context_free(ctx);
  SSL *ssl = th_connection_to_ssl(server);
  cr_assert_eq(SSL_is_server(ssl), 1);
  SSL_free(ssl);
}

Test(connection_sock, sock_shutdown_and_close) {
  connect_pair();
  sock_handshake();
  /* The client's TCP write side ends without close_notify: truncation. */
  cr_assert_eq(th_connection_sock_shutdown(client, SHUT_WR), TH_OK);
  th_bytes *b = recv_wait(server, 10);
  cr_assert_null(b);
  cr_assert_eq(th_error_kind(), TH_ERR_SYSCALL, "%s", tu_err());
  cr_assert_eq(th_error_last()->sys_errno, -1);
  int fd = th_connection_fileno(client);
  cr_assert_eq(th_connection_close(client), TH_OK);
  cr_assert_eq(th_connection_fileno(client), -1);
  cr_assert_eq(fcntl(fd, F_GETFD), -1, "close() closed the fd");
  cr_assert_eq(th_connection_close(client), TH_OK, "closing twice is harmless");
  cr_assert_eq(th_connection_sock_shutdown(client, SHUT_RDWR), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, EBADF);
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  cr_assert_eq(th_connection_getpeername(client, (struct sockaddr *)&a, &len), TH_ERR_SYSCALL);
  cr_assert_eq(th_connection_close(listener), TH_OK);
}

Test(connection_sock, connect_ex_returns_errno) {
  struct sockaddr_in a = listen_any();
  /* A port nobody listens on: close the listener first. */
  th_connection_close(listener);
  client = th_connection_new(cctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_eq(th_connection_connect_ex(client, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
  /* connect() reports the same as a SYSCALL error. */
  th_connection *c2 = th_connection_new(cctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_eq(th_connection_connect(c2, (struct sockaddr *)&a, sizeof a), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, ECONNREFUSED);
  th_connection_close(c2);
  th_connection_free(c2);
  th_connection_close(client);
}

Test(connection_sock, connect_ex_success_sets_client_mode) {
  struct sockaddr_in a = listen_any();
  client = th_connection_new(cctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_eq(th_connection_connect_ex(client, (struct sockaddr *)&a, sizeof a), 0);
  cr_assert_eq(th_connection_accept(listener, &server, NULL, NULL), TH_OK, "%s", tu_err());
  sock_handshake();
  th_connection_close(client);
  th_connection_close(listener);
}

Test(connection_sock, sockopts_and_blocking) {
  struct sockaddr_in a = listen_any();
  (void)a;
  int one = 1, v = 0;
  socklen_t len = sizeof v;
  cr_assert_eq(th_connection_setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), TH_OK);
  cr_assert_eq(th_connection_getsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &v, &len), TH_OK);
  cr_assert_eq(v, 1);
  cr_assert_eq(len, sizeof v);
  cr_assert_eq(th_connection_getsockopt(listener, SOL_SOCKET, 12345, &v, &len), TH_ERR_SYSCALL);
  cr_assert_eq(th_connection_setsockopt(listener, SOL_SOCKET, 12345, &one, sizeof one), TH_ERR_SYSCALL);
  cr_assert_eq(th_connection_getsockopt(listener, SOL_SOCKET, SO_REUSEADDR, NULL, &len), TH_ERR_TYPE);
  cr_assert_eq(th_connection_getsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &v, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, NULL, 4), TH_ERR_TYPE);
  int fd = th_connection_fileno(listener);
  cr_assert_eq(th_connection_setblocking(listener, 0), TH_OK);
  cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
  /* Nobody connects: a non-blocking accept fails with EAGAIN. */
  cr_assert_eq(th_connection_accept(listener, &server, NULL, NULL), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, EAGAIN);
  cr_assert_null(server);
  cr_assert_eq(th_connection_setblocking(listener, 1), TH_OK);
  cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  th_connection_close(listener);
}

Test(connection_sock, bind_listen_bad_input) {
  struct sockaddr_in a = listen_any();
  th_connection *other = th_connection_new(sctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_eq(th_connection_bind(other, (struct sockaddr *)&a, sizeof a), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, EADDRINUSE);
  cr_assert_eq(th_connection_bind(other, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_listen(other, -1), TH_ERR_VALUE);
  cr_assert_eq(th_connection_sock_shutdown(other, 42), TH_ERR_VALUE);
  cr_assert_eq(th_connection_connect(other, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_connect_ex(other, NULL, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_accept(other, NULL, NULL, NULL), TH_ERR_TYPE);
  th_connection *out = NULL;
  struct sockaddr_in peer;
  cr_assert_eq(th_connection_accept(listener, &out, (struct sockaddr *)&peer, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_getpeername(other, NULL, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_getsockname(other, NULL, NULL), TH_ERR_TYPE);
  socklen_t len = sizeof peer;
  /* Not connected: ENOTCONN. */
  cr_assert_eq(th_connection_getpeername(other, (struct sockaddr *)&peer, &len), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, ENOTCONN);
  th_connection_close(other);
  th_connection_free(other);
  th_connection_close(listener);
}

/* Every socket method on a memory connection and on NULL: TH_ERR_TYPE. */
Test(connection_sock, memory_connection_has_no_socket) {
  th_connection *m = th_connection_new(cctx, -1);
  th_connection *bad[3] = {m, NULL, (th_connection *)cctx};
  for (int i = 0; i < 3; i++) {
    th_connection *c = bad[i];
    struct sockaddr_in a = loopback(1);
    socklen_t len = sizeof a;
    int v;
    th_connection *out = (th_connection *)1;
    cr_assert_eq(th_connection_accept(c, &out, NULL, NULL), TH_ERR_TYPE);
    cr_assert_null(out);
    cr_assert_eq(th_connection_bind(c, (struct sockaddr *)&a, len), TH_ERR_TYPE);
    cr_assert_eq(th_connection_close(c), TH_ERR_TYPE);
    cr_assert_eq(th_connection_connect(c, (struct sockaddr *)&a, len), TH_ERR_TYPE);
    cr_assert_eq(th_connection_connect_ex(c, (struct sockaddr *)&a, len), TH_ERR_TYPE);
    cr_assert_eq(th_connection_fileno(c), TH_ERR_TYPE);
    cr_assert_eq(th_connection_listen(c, 1), TH_ERR_TYPE);
    cr_assert_eq(th_connection_getpeername(c, (struct sockaddr *)&a, &len), TH_ERR_TYPE);
    cr_assert_eq(th_connection_getsockname(c, (struct sockaddr *)&a, &len), TH_ERR_TYPE);
    len = sizeof v;
    cr_assert_eq(th_connection_getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len), TH_ERR_TYPE);
    cr_assert_eq(th_connection_setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, len), TH_ERR_TYPE);
    cr_assert_eq(th_connection_setblocking(c, 1), TH_ERR_TYPE);
    cr_assert_eq(th_connection_sock_shutdown(c, SHUT_RDWR), TH_ERR_TYPE);
  }
  th_connection_free(m);
}

/* Every socket method of a closed connection fails as Python's closed
 * socket does: TH_ERR_SYSCALL with EBADF, the object unchanged. */
Test(connection_sock, closed_socket_methods_are_ebadf) {
  th_connection *c = th_connection_new(cctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_not_null(c, "%s", tu_err());
  cr_assert_eq(th_connection_close(c), TH_OK);
  struct sockaddr_in a = loopback(1);
  socklen_t len = sizeof a;
  int one = 1;
  th_connection *acc = NULL;
  int rcs[] = {
      th_connection_accept(c, &acc, NULL, NULL),
      th_connection_bind(c, (struct sockaddr *)&a, sizeof a),
      th_connection_listen(c, 1),
      th_connection_connect(c, (struct sockaddr *)&a, sizeof a),
      th_connection_getsockopt(c, SOL_SOCKET, SO_TYPE, &one, &len),
      th_connection_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one),
      th_connection_setblocking(c, 0),
      th_connection_sock_shutdown(c, SHUT_RD),
      th_connection_getsockname(c, (struct sockaddr *)&a, &len),
  };
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++) cr_assert_eq(rcs[i], TH_ERR_SYSCALL, "call %zu", i);
  cr_assert_null(acc);
  cr_assert_eq(th_connection_connect_ex(c, (struct sockaddr *)&a, sizeof a), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, EBADF);
  cr_assert_eq(th_connection_fileno(c), -1);
  th_connection_free(c);
}

/* The system's own refusals come back with their errno. */
Test(connection_sock, listen_and_shutdown_refused_by_the_system) {
  connect_pair();
  /* A connected TCP socket cannot listen (EINVAL). */
  cr_assert_eq(th_connection_listen(client, 1), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, EINVAL, "%s", tu_err());
  /* An unconnected socket cannot be shut down (ENOTCONN). */
  th_connection *lone = th_connection_new(cctx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  cr_assert_eq(th_connection_sock_shutdown(lone, SHUT_RD), TH_ERR_SYSCALL);
  cr_assert_eq(th_error_last()->sys_errno, ENOTCONN, "%s", tu_err());
  cr_assert_eq(th_connection_close(lone), TH_OK);
  th_connection_free(lone);
}
