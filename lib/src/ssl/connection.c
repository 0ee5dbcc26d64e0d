/* connection.c — SSL.Connection: construction, destruction, the Context it
 * uses, application data and the escape hatches to raw SSL. The I/O
 * methods are in connection_io.c, the getters in connection_info.c, the
 * socket methods in connection_sock.c. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"
#include "tlsharness/context.h"

static void connection_destroy(void *self) {
  th_connection *c = self;
  if (c->ssl != NULL) {
    /* The SSL may outlive us (th_connection_to_ssl handed out references):
     * it must not point back at freed memory. */
    SSL_set_ex_data(c->ssl, th__ssl_conn_index(), NULL);
    SSL_free(c->ssl); /* frees the memory BIOs too */
  }
  if (c->owns_fd && c->fd >= 0) close(c->fd);
  th__obj_free(c->context);
}

const th_type TH_TYPE_CONNECTION = {"Connection", connection_destroy};

TH_DEFINE_REFCOUNT(connection, th_connection, TH_TYPE_CONNECTION)

/* Like pyOpenSSL's Context (SSL_MODE_ENABLE_PARTIAL_WRITE), so that send()
 * may take part of a large buffer and report how much, and a retried write
 * may come from a moved buffer. Set per SSL so it holds whatever context
 * (ours or a foreign SSL_CTX) the connection uses. */
#define CONN_MODES (SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)

static th_connection *conn_alloc(th_context *ctx, SSL *ssl, int fd, int transport) {
  th_connection *c = th__obj_new(&TH_TYPE_CONNECTION, sizeof *c);
  if (c == NULL) return NULL;
  c->ssl = ssl;
  c->fd = fd;
  c->transport = transport;
  c->context = th__obj_up_ref(ctx);
  if (!SSL_set_ex_data(ssl, th__ssl_conn_index(), c)) {
    c->ssl = NULL; /* the caller still owns ssl */
    th__obj_free(c);
    th__err_ossl(TH_ERR_NOMEM, "Connection: SSL_set_ex_data failed");
    return NULL;
  }
  return c;
}

th_connection *th__conn_wrap_fd(th_context *ctx, int fd, int owns_fd) {
  ERR_clear_error();
  SSL *ssl = SSL_new(ctx->ctx);
  if (ssl == NULL) {
    th__err_ossl(TH_ERR_SSL, "th_connection_new: SSL_new failed");
    return NULL;
  }
  SSL_set_mode(ssl, CONN_MODES);
  int transport = TH__CONN_SOCKET;
  BIO *into = NULL, *from = NULL;
  if (fd < 0) {
    transport = TH__CONN_MEMORY;
    into = BIO_new(BIO_s_mem());
    from = BIO_new(BIO_s_mem());
    if (into == NULL || from == NULL) {
      BIO_free(into);
      BIO_free(from);
      SSL_free(ssl);
      th__err_ossl(TH_ERR_NOMEM, "th_connection_new: cannot make memory BIOs");
      return NULL;
    }
    SSL_set_bio(ssl, into, from); /* ssl owns both now */
  } else if (!SSL_set_fd(ssl, fd)) {
    SSL_free(ssl);
    th__err_ossl(TH_ERR_SSL, "th_connection_new: SSL_set_fd failed");
    return NULL;
  }
  th_connection *c = conn_alloc(ctx, ssl, fd, transport);
  if (c == NULL) {
    SSL_free(ssl);
    return NULL;
  }
  c->into_ssl = into;
  c->from_ssl = from;
  c->owns_fd = owns_fd;
  return c;
}

th_connection *th_connection_new(th_context *ctx, int fd) {
  TH_CHECK_NULL(ctx, &TH_TYPE_CONTEXT);
  if (fd < -1) {
    th__err(TH_ERR_VALUE, "th_connection_new: fd %d is not a descriptor (use -1 for memory BIOs)",
            fd);
    return NULL;
  }
  if (fd >= 0 && fcntl(fd, F_GETFD) < 0) {
    if (errno == EBADF)
      th__err(TH_ERR_VALUE, "th_connection_new: fd %d is not open", fd);
    else
      th__err_sys(errno, "th_connection_new: fcntl(F_GETFD) on fd %d", fd);
    return NULL;
  }
  return th__conn_wrap_fd(ctx, fd, 0);
}

th_connection *th_connection_from_ssl(SSL *ssl) {
  TH_CHECK_ARG_NULL(ssl);
  th_connection *c = th__conn_from_ssl(ssl);
  if (c != NULL) return th__obj_up_ref(c);
  /* A new reference to the SSL_CTX's Context (wrapping it if needed). */
  th_context *ctx = th_context_from_ssl_ctx(SSL_get_SSL_CTX(ssl));
  if (ctx == NULL) return NULL;
  if (!SSL_up_ref(ssl)) {
    th_context_free(ctx);
    th__err_ossl(TH_ERR_SSL, "th_connection_from_ssl: SSL_up_ref failed");
    return NULL;
  }
  c = conn_alloc(ctx, ssl, -1, TH__CONN_FOREIGN);
  th_context_free(ctx); /* conn_alloc took its own reference */
  if (c == NULL) {
    SSL_free(ssl);
    return NULL;
  }
  SSL_set_mode(ssl, CONN_MODES);
  return c;
}

SSL *th_connection_to_ssl(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  SSL_up_ref(conn->ssl);
  return conn->ssl;
}

th_context *th_connection_get_context(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  return th__obj_up_ref(conn->context);
}

int th_connection_set_context(th_connection *conn, th_context *ctx) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ERR_clear_error();
  if (SSL_set_SSL_CTX(conn->ssl, ctx->ctx) == NULL)
    return th__err_ossl(TH_ERR_SSL, "th_connection_set_context: SSL_set_SSL_CTX failed");
  th__obj_up_ref(ctx);
  th__obj_free(conn->context);
  conn->context = ctx;
  return TH_OK;
}

void *th_connection_get_app_data(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  return conn->app_data;
}

int th_connection_set_app_data(th_connection *conn, void *data) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  conn->app_data = data;
  return TH_OK;
}

/* ---- shared by connection_*.c ---------------------------------------------- */

void th__conn_io_begin(th_connection *c) {
  ERR_clear_error();
  errno = 0;
}

int th__conn_map_error(th_connection *c, int ret, const char *what) {
  int saved = errno;
  int cb = th__cb_take(c, NULL);
  if (cb != TH_OK) return cb; /* the callback's exception wins, as in pyOpenSSL */
  return th__ssl_error_kind(SSL_get_error(c->ssl, ret), ret, saved, 0, "", what);
}

int th__conn_need_memory(const th_connection *c, const char *func) {
  if (c->transport != TH__CONN_MEMORY)
    return th__err(TH_ERR_TYPE, "%s: Connection sock was not None (not a memory-BIO connection)",
                   func);
  return TH_OK;
}

int th__conn_need_socket(const th_connection *c, const char *func) {
  if (c->transport != TH__CONN_SOCKET)
    return th__err(TH_ERR_TYPE, "%s: the Connection has no socket (made with fd -1)", func);
  return TH_OK;
}
