/* connection_io.c — SSL.Connection's handshake and data methods: the ones
 * that run OpenSSL's state machine (and so callbacks), the memory BIOs,
 * shutdown and renegotiation. Every OpenSSL I/O call goes through
 * th__conn_io_begin / th__conn_map_error (connection.c). */
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

#define SHUTDOWN_BITS (SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)

int th_connection_set_accept_state(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__ssl_set_role(conn->ssl, 1, __func__);
}

int th_connection_set_connect_state(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__ssl_set_role(conn->ssl, 0, __func__);
}

int th_connection_do_handshake(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  int rc = th__conn_enter(conn, __func__);
  if (rc != TH_OK) return rc;
  th__conn_io_begin(conn);
  int r = SSL_do_handshake(conn->ssl);
  th__conn_leave(conn);
  if (r == 1) return th__cb_take(conn, NULL);
  return th__conn_map_error(conn, r, "do_handshake");
}

/* read_some runs SSL_read or SSL_peek for at most n bytes into buf and
 * returns the count or a status. */
static int read_some(th_connection *c, void *buf, int n, int flags, const char *what) {
  int rc = th__conn_enter(c, what);
  if (rc != TH_OK) return rc;
  th__conn_io_begin(c);
  int r = (flags & MSG_PEEK) ? SSL_peek(c->ssl, buf, n) : SSL_read(c->ssl, buf, n);
  th__conn_leave(c);
  if (r > 0) {
    int cb = th__cb_take(c, NULL);
    return cb != TH_OK ? cb : r;
  }
  return th__conn_map_error(c, r, what);
}

th_bytes *th_connection_recv(th_connection *conn, int bufsiz, int flags) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  if (bufsiz < 0) {
    th__err(TH_ERR_VALUE, "th_connection_recv: negative buffer size %d", bufsiz);
    return NULL;
  }
  if (bufsiz == 0) return th_bytes_new(NULL, 0);
  unsigned char *buf = th__malloc((size_t)bufsiz);
  if (buf == NULL) {
    th__err(TH_ERR_NOMEM, "th_connection_recv: out of memory for %d bytes", bufsiz);
    return NULL;
  }
  int r = read_some(conn, buf, bufsiz, flags, "recv");
  th_bytes *out = r >= 0 ? th_bytes_new(buf, (size_t)r) : NULL;
  th__free(buf);
  return out;
}

th_bytes *th_connection_read(th_connection *conn, int bufsiz, int flags) {
  return th_connection_recv(conn, bufsiz, flags);
}

int th_connection_recv_into(th_connection *conn, void *buffer, size_t buflen, int nbytes,
                            int flags) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  TH_CHECK_ARG(buffer);
  if (nbytes < 0)
    return th__err(TH_ERR_VALUE, "th_connection_recv_into: negative nbytes %d", nbytes);
  if (buflen > INT_MAX)
    return th__err(TH_ERR_VALUE, "th_connection_recv_into: buffer of %zu bytes is too large",
                   buflen);
  int n = (nbytes == 0 || (size_t)nbytes > buflen) ? (int)buflen : nbytes;
  if (n == 0) return 0;
  return read_some(conn, buffer, n, flags, "recv_into");
}

static int check_send(const void *buf, size_t len, const char *func) {
  if (buf == NULL && len > 0) return th__err(TH_ERR_TYPE, "%s: buf is NULL", func);
  if (len > INT_MAX)
    return th__err(TH_ERR_VALUE, "%s: Cannot send more than 2**31-1 bytes at once.", func);
  return TH_OK;
}

static int write_some(th_connection *c, const void *buf, int n, const char *what) {
  if (n == 0) return 0; /* nothing to write: OpenSSL is not called */
  int rc = th__conn_enter(c, what);
  if (rc != TH_OK) return rc;
  th__conn_io_begin(c);
  int r = SSL_write(c->ssl, buf, n);
  th__conn_leave(c);
  if (r > 0) {
    int cb = th__cb_take(c, NULL);
    return cb != TH_OK ? cb : r;
  }
  return th__conn_map_error(c, r, what);
}

int th_connection_send(th_connection *conn, const void *buf, size_t len, int flags) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  int rc = check_send(buf, len, "th_connection_send");
  if (rc != TH_OK) return rc;
  return write_some(conn, buf, (int)len, "send");
}

int th_connection_write(th_connection *conn, const void *buf, size_t len, int flags) {
  return th_connection_send(conn, buf, len, flags);
}

int th_connection_sendall(th_connection *conn, const void *buf, size_t len, int flags,
                          size_t *sent) {
  if (sent != NULL) *sent = 0;
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  if (buf == NULL && len > 0) return th__err(TH_ERR_TYPE, "th_connection_sendall: buf is NULL");
  size_t done = 0;
  while (done < len) {
    size_t left = len - done;
    int n = left > INT_MAX ? INT_MAX : (int)left;
    int r = write_some(conn, (const unsigned char *)buf + done, n, "sendall");
    if (r < 0) return r;
    done += (size_t)r;
    if (sent != NULL) *sent = done;
  }
  return TH_OK;
}

int th_connection_pending(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_pending(conn->ssl);
}

/* bio_errors maps a failed call on the Connection's own memory BIOs as
 * pyOpenSSL's _handle_bio_errors does: an empty BIO asks to retry a read
 * (WantReadError). A memory BIO never asks to retry a write or special
 * I/O (pyOpenSSL's other branches), so anything else is OpenSSL failing
 * (out of memory). */
static int bio_errors(BIO *bio, const char *what) {
  if (BIO_should_retry(bio) && BIO_should_read(bio))
    return th__err(TH_ERR_WANT_READ, "%s: no data in the BIO", what);
  return th__err_ossl(TH_ERR_SSL, "%s failed", what);
}

int th_connection_bio_write(th_connection *conn, const void *buf, size_t len) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  int rc = th__conn_need_memory(conn, __func__);
  if (rc != TH_OK) return rc;
  if (buf == NULL && len > 0) return th__err(TH_ERR_TYPE, "%s: buf is NULL", __func__);
  if (len > INT_MAX) return th__err(TH_ERR_VALUE, "%s: %zu bytes is too large", __func__, len);
  if (len == 0) return 0;
  ERR_clear_error();
  int r = BIO_write(conn->into_ssl, buf, (int)len);
  return r > 0 ? r : bio_errors(conn->into_ssl, "bio_write");
}

th_bytes *th_connection_bio_read(th_connection *conn, int bufsiz) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  if (th__conn_need_memory(conn, __func__) != TH_OK) return NULL;
  if (bufsiz < 0) {
    th__err(TH_ERR_VALUE, "%s: negative buffer size %d", __func__, bufsiz);
    return NULL;
  }
  if (bufsiz == 0) return th_bytes_new(NULL, 0);
  unsigned char *buf = th__malloc((size_t)bufsiz);
  if (buf == NULL) {
    th__err(TH_ERR_NOMEM, "%s: out of memory for %d bytes", __func__, bufsiz);
    return NULL;
  }
  ERR_clear_error();
  int r = BIO_read(conn->from_ssl, buf, bufsiz);
  th_bytes *out = NULL;
  if (r > 0)
    out = th_bytes_new(buf, (size_t)r);
  else
    bio_errors(conn->from_ssl, "bio_read");
  th__free(buf);
  return out;
}

int th_connection_bio_shutdown(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  int rc = th__conn_need_memory(conn, __func__);
  if (rc != TH_OK) return rc;
  BIO_set_mem_eof_return(conn->into_ssl, 0);
  return TH_OK;
}

int th_connection_shutdown(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  int rc = th__conn_enter(conn, __func__);
  if (rc != TH_OK) return rc;
  th__conn_io_begin(conn);
  int r = SSL_shutdown(conn->ssl);
  th__conn_leave(conn);
  if (r >= 0) {
    int cb = th__cb_take(conn, NULL);
    if (cb != TH_OK) return cb;
    return r > 0 ? 1 : 0;
  }
  return th__conn_map_error(conn, r, "shutdown");
}

int th_connection_get_shutdown(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_get_shutdown(conn->ssl);
}

int th_connection_set_shutdown(th_connection *conn, int state) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  if (state & ~SHUTDOWN_BITS)
    return th__err(TH_ERR_VALUE,
                   "th_connection_set_shutdown: state 0x%x has bits other than SENT_SHUTDOWN "
                   "and RECEIVED_SHUTDOWN",
                   (unsigned)state);
  SSL_set_shutdown(conn->ssl, state);
  return TH_OK;
}

int th_connection_renegotiate(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  if (SSL_renegotiate_pending(conn->ssl)) return 0;
  /* OpenSSL 3 accepts SSL_renegotiate before the first handshake, which
   * then fails with "internal error": refuse it here, clearly. */
  if (!SSL_is_init_finished(conn->ssl))
    return th__err(TH_ERR_SSL, "th_connection_renegotiate: no completed handshake to renegotiate");
  ERR_clear_error();
  if (SSL_renegotiate(conn->ssl) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_connection_renegotiate: SSL_renegotiate failed%s",
                        SSL_version(conn->ssl) >= TLS1_3_VERSION
                            ? " (TLS 1.3 has no renegotiation)"
                            : "");
  return 1;
}

int th_connection_renegotiate_pending(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_renegotiate_pending(conn->ssl) ? 1 : 0;
}

long th_connection_total_renegotiations(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_total_renegotiations(conn->ssl);
}

int th_connection_want_read(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_want_read(conn->ssl) ? 1 : 0;
}

int th_connection_want_write(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_want_write(conn->ssl) ? 1 : 0;
}

int th_connection_key_update(th_connection *conn, int request_peer) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  ERR_clear_error();
  if (SSL_key_update(conn->ssl, request_peer ? SSL_KEY_UPDATE_REQUESTED
                                             : SSL_KEY_UPDATE_NOT_REQUESTED) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_connection_key_update: SSL_key_update failed");
  return TH_OK;
}
