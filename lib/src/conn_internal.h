/* conn_internal.h — private declarations shared by connection*.c and the
 * loopback helpers. Nothing here is public API. */
#ifndef TLSHARNESS_CONN_INTERNAL_H
#define TLSHARNESS_CONN_INTERNAL_H

#include "ssl_internal.h"
#include "tlsharness/connection.h"

/* th_connection.transport */
enum {
  TH__CONN_MEMORY = 1,  /* two memory BIOs: bio_read / bio_write */
  TH__CONN_SOCKET = 2,  /* a socket fd: the socket methods */
  TH__CONN_FOREIGN = 3, /* th_connection_from_ssl of an SSL with its own BIOs */
};

/* th__conn_io_begin prepares an OpenSSL I/O call on c: clears OpenSSL's
 * error queue and errno, as SSL_get_error() needs. */
void th__conn_io_begin(th_connection *c);

/* th__conn_map_error turns the result ret of an SSL I/O call on c
 * (SSL_do_handshake, SSL_read, SSL_write, SSL_shutdown, ...) into a status,
 * as pyOpenSSL's _raise_ssl_error does: a callback's failure first (its
 * own status and record), then SSL_get_error(): TH_OK for SSL_ERROR_NONE,
 * TH_ERR_WANT_READ / _WANT_WRITE / _WANT_X509_LOOKUP / _ZERO_RETURN,
 * TH_ERR_SYSCALL (errno, or -1 "Unexpected EOF", which OpenSSL 3's
 * SSL_R_UNEXPECTED_EOF_WHILE_READING also maps to), TH_ERR_SSL with the
 * copied error queue, TH_ERR_WANT_ASYNC for the async/client-hello waits.
 * what names the operation in the message. Call it right after the
 * OpenSSL call (errno is read). */
int th__conn_map_error(th_connection *c, int ret, const char *what);

/* th__conn_need_memory / th__conn_need_socket return TH_OK or set
 * TH_ERR_TYPE naming func, for the bio_* and socket methods. */
int th__conn_need_memory(const th_connection *c, const char *func);
int th__conn_need_socket(const th_connection *c, const char *func);

/* th__conn_wrap_fd makes a connection on ctx over fd, owning fd when
 * owns_fd (used by accept). NULL on failure (fd is not closed). */
th_connection *th__conn_wrap_fd(th_context *ctx, int fd, int owns_fd);

#endif
