/* connection_sock.c — SSL.Connection's socket methods, which pyOpenSSL
 * forwards to the Python socket it was made with. Here they act on the fd
 * given to th_connection_new; a memory-BIO connection has no socket
 * (TH_ERR_TYPE, pyOpenSSL's AttributeError). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "ssl_internal.h"

/* SOCK_BEGIN: conn is a live socket connection, for int functions. */
#define SOCK_BEGIN(conn)                                   \
  do {                                                     \
    TH_CHECK(conn, &TH_TYPE_CONNECTION);                   \
    int th__s = th__conn_need_socket((conn), __func__);    \
    if (th__s != TH_OK) return th__s;                      \
  } while (0)

static int sys_fail(const char *func, const char *call) {
  int e = errno;
  return th__err_sys(e, "%s: %s failed: %s", func, call, strerror(e));
}

/* A closed connection's fd is -1: calls then fail with EBADF, as Python's
 * closed socket does. */
static int live_fd(const th_connection *c, const char *func) {
  if (c->fd < 0) return th__err_sys(EBADF, "%s: the socket is closed", func);
  return TH_OK;
}

#define LIVE(conn)                                 \
  do {                                             \
    int th__l = live_fd((conn), __func__);         \
    if (th__l != TH_OK) return th__l;              \
  } while (0)

int th_connection_accept(th_connection *conn, th_connection **out, struct sockaddr *addr,
                         socklen_t *addrlen) {
  TH_CHECK_ARG(out);
  *out = NULL;
  SOCK_BEGIN(conn);
  LIVE(conn);
  if (addr != NULL && addrlen == NULL)
    return th__err(TH_ERR_TYPE, "%s: addrlen is NULL with an addr", __func__);
  int fd = accept4(conn->fd, addr, addr ? addrlen : NULL, SOCK_CLOEXEC);
  if (fd < 0) return sys_fail(__func__, "accept");
  th_connection *c = th__conn_wrap_fd(conn->context, fd, 1);
  if (c == NULL) {
    int kind = th_error_kind();
    close(fd);
    return kind;
  }
  int rc = th__ssl_set_role(c->ssl, 1, "th_connection_accept");
  if (rc != TH_OK) {
    th_connection_free(c); /* owns fd */
    return rc;
  }
  *out = c;
  return TH_OK;
}

int th_connection_bind(th_connection *conn, const struct sockaddr *addr, socklen_t addrlen) {
  SOCK_BEGIN(conn);
  TH_CHECK_ARG(addr);
  LIVE(conn);
  return bind(conn->fd, addr, addrlen) == 0 ? TH_OK : sys_fail(__func__, "bind");
}

int th_connection_listen(th_connection *conn, int backlog) {
  SOCK_BEGIN(conn);
  if (backlog < 0) return th__err(TH_ERR_VALUE, "%s: negative backlog %d", __func__, backlog);
  LIVE(conn);
  return listen(conn->fd, backlog) == 0 ? TH_OK : sys_fail(__func__, "listen");
}

int th_connection_close(th_connection *conn) {
  SOCK_BEGIN(conn);
  if (conn->fd < 0) return TH_OK; /* closing twice is harmless, as in Python */
  int fd = conn->fd;
  conn->fd = -1;
  conn->owns_fd = 0;
  /* OpenSSL's socket BIO must not use the number again (it may be reused). */
  SSL_set_fd(conn->ssl, -1);
  return close(fd) == 0 ? TH_OK : sys_fail(__func__, "close");
}

int th_connection_connect(th_connection *conn, const struct sockaddr *addr, socklen_t addrlen) {
  SOCK_BEGIN(conn);
  TH_CHECK_ARG(addr);
  LIVE(conn);
  int rc = th__ssl_set_role(conn->ssl, 0, __func__);
  if (rc != TH_OK) return rc;
  return connect(conn->fd, addr, addrlen) == 0 ? TH_OK : sys_fail(__func__, "connect");
}

int th_connection_connect_ex(th_connection *conn, const struct sockaddr *addr,
                             socklen_t addrlen) {
  SOCK_BEGIN(conn);
  TH_CHECK_ARG(addr);
  LIVE(conn);
  if (th__ssl_set_role(conn->ssl, 0, __func__) != TH_OK) return ENOMEM;
  return connect(conn->fd, addr, addrlen) == 0 ? 0 : errno;
}

int th_connection_fileno(const th_connection *conn) {
  SOCK_BEGIN(conn);
  return conn->fd;
}

typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);

static int sock_name(const th_connection *c, struct sockaddr *addr, socklen_t *addrlen,
                     name_fn f, const char *func, const char *call) {
  if (addr == NULL || addrlen == NULL)
    return th__err(TH_ERR_TYPE, "%s: addr and addrlen must not be NULL", func);
  int rc = live_fd(c, func);
  if (rc != TH_OK) return rc;
  return f(c->fd, addr, addrlen) == 0 ? TH_OK : sys_fail(func, call);
}

int th_connection_getpeername(const th_connection *conn, struct sockaddr *addr,
                              socklen_t *addrlen) {
  SOCK_BEGIN(conn);
  return sock_name(conn, addr, addrlen, getpeername, __func__, "getpeername");
}

int th_connection_getsockname(const th_connection *conn, struct sockaddr *addr,
                              socklen_t *addrlen) {
  SOCK_BEGIN(conn);
  return sock_name(conn, addr, addrlen, getsockname, __func__, "getsockname");
}

int th_connection_getsockopt(const th_connection *conn, int level, int optname, void *value,
                             socklen_t *len) {
  SOCK_BEGIN(conn);
  TH_CHECK_ARG(value);
  TH_CHECK_ARG(len);
  LIVE(conn);
  return getsockopt(conn->fd, level, optname, value, len) == 0
             ? TH_OK
             : sys_fail(__func__, "getsockopt");
}

int th_connection_setsockopt(th_connection *conn, int level, int optname, const void *value,
                             socklen_t len) {
  SOCK_BEGIN(conn);
  TH_CHECK_ARG(value);
  LIVE(conn);
  return setsockopt(conn->fd, level, optname, value, len) == 0
             ? TH_OK
             : sys_fail(__func__, "setsockopt");
}

int th_connection_setblocking(th_connection *conn, int flag) {
  SOCK_BEGIN(conn);
  LIVE(conn);
  int fl = fcntl(conn->fd, F_GETFL);
  if (fl < 0) return sys_fail(__func__, "fcntl(F_GETFL)");
  fl = flag ? (fl & ~O_NONBLOCK) : (fl | O_NONBLOCK);
  return fcntl(conn->fd, F_SETFL, fl) == 0 ? TH_OK : sys_fail(__func__, "fcntl(F_SETFL)");
}

int th_connection_sock_shutdown(th_connection *conn, int how) {
  SOCK_BEGIN(conn);
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return th__err(TH_ERR_VALUE, "%s: how must be SHUT_RD, SHUT_WR or SHUT_RDWR, not %d",
                   __func__, how);
  LIVE(conn);
  return shutdown(conn->fd, how) == 0 ? TH_OK : sys_fail(__func__, "shutdown");
}
