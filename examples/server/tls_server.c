/* tls_server.c — see tls_server.h. Plain OpenSSL and POSIX only. */
#include "tls_server.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

SSL_CTX *server_ctx_new(const server_config *cfg) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == NULL) return NULL;
  int ok = SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) == 1 &&
           SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) == 1;
  if (ok && cfg->client_ca_file != NULL) {
    ok = SSL_CTX_load_verify_locations(ctx, cfg->client_ca_file, NULL) == 1;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  }
  if (ok && cfg->min_version) ok = SSL_CTX_set_min_proto_version(ctx, cfg->min_version);
  if (ok && cfg->max_version) ok = SSL_CTX_set_max_proto_version(ctx, cfg->max_version);
  if (!ok) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

SSL *server_ssl_new(SSL_CTX *ctx) {
  SSL *ssl = SSL_new(ctx);
  if (ssl != NULL) SSL_set_accept_state(ssl);
  return ssl;
}

static int wait_io(int fd, int want, long long deadline) {
  long long left = deadline - now_ms();
  if (left <= 0) return SERVER_TIMEOUT;
  if (fd < 0) return SERVER_OK; /* other BIOs: just try again */
  struct pollfd p = {fd, want == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 0};
  int n = poll(&p, 1, (int)left);
  return n > 0 ? SERVER_OK : n == 0 ? SERVER_TIMEOUT : SERVER_IO;
}

/* One OpenSSL call retried until it completes, fails or the deadline;
 * result: > 0, or minus the SSL_get_error code. */
static int retry(SSL *ssl, int fd, long long deadline, int (*op)(SSL *, void *, int), void *buf,
                 int len, int *result) {
  for (;;) {
    ERR_clear_error();
    int r = op(ssl, buf, len);
    if (r > 0) return *result = r, SERVER_OK;
    int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return *result = -e, SERVER_OK;
    int w = wait_io(fd, e, deadline);
    if (w != SERVER_OK) return w;
  }
}

static int op_accept(SSL *s, void *b, int n) { (void)b, (void)n; return SSL_accept(s); }
static int op_read(SSL *s, void *b, int n) { return SSL_read(s, b, n); }
static int op_write(SSL *s, void *b, int n) { return SSL_write(s, b, n); }
static int op_shutdown(SSL *s, void *b, int n) { (void)b, (void)n; return SSL_shutdown(s); }

int server_serve(SSL *ssl, int fd, const server_config *cfg, server_result *out) {
  long long deadline = now_ms() + (cfg->deadline_ms ? cfg->deadline_ms : 5000);
  memset(out, 0, sizeof *out);
  /* accept() gives a blocking socket: the deadline needs a non-blocking one. */
  if (fd >= 0 && (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 || SSL_set_fd(ssl, fd) != 1))
    return SERVER_IO;
  int r, rc = retry(ssl, fd, deadline, op_accept, NULL, 0, &r);
  if (rc != SERVER_OK) return rc;
  if (r < 0) return SERVER_REFUSED;
  out->version = SSL_version(ssl);
  while (memchr(out->request, '\n', out->len) == NULL) { /* one line */
    if (out->len == sizeof out->request) return SERVER_TLS;
    rc = retry(ssl, fd, deadline, op_read, out->request + out->len,
               (int)(sizeof out->request - out->len), &r);
    if (rc != SERVER_OK) return rc;
    if (r > 0) {
      out->len += (size_t)r;
      continue;
    }
    return ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING ? SERVER_TRUNCATED
                                                                                  : SERVER_TLS;
  }
  rc = retry(ssl, fd, deadline, op_write, (void *)cfg->reply, (int)strlen(cfg->reply), &r);
  if (rc != SERVER_OK) return rc;
  if (r < 0) return SERVER_TLS;
  rc = retry(ssl, fd, deadline, op_shutdown, NULL, 0, &r);
  return rc;
}
