/* tls_client.c — see tls_client.h. Plain OpenSSL and POSIX only. */
#include "tls_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

SSL_CTX *client_ctx_new(const client_config *cfg) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == NULL) return NULL;
  int ok = SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) == 1;
  if (ok && cfg->crl_file != NULL) {
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    ok = X509_STORE_load_file(store, cfg->crl_file) == 1 &&
         X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK) == 1;
  }
  if (ok && cfg->cert_file != NULL)
    ok = SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) == 1 &&
         SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) == 1;
  if (ok && cfg->min_version) ok = SSL_CTX_set_min_proto_version(ctx, cfg->min_version);
  if (ok && cfg->max_version) ok = SSL_CTX_set_max_proto_version(ctx, cfg->max_version);
  if (ok && cfg->no_renegotiation) SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  if (!ok) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

SSL *client_ssl_new(SSL_CTX *ctx, const client_config *cfg) {
  SSL *ssl = SSL_new(ctx);
  if (ssl == NULL) return NULL;
  if (SSL_set1_host(ssl, cfg->host) != 1 || SSL_set_tlsext_host_name(ssl, cfg->host) != 1) {
    SSL_free(ssl);
    return NULL;
  }
  SSL_set_connect_state(ssl);
  return ssl;
}

/* Waits until the socket is ready for what OpenSSL asked, or the deadline.
 * Without a socket (the SSL has other BIOs) there is nothing to wait on:
 * the caller simply tries again until the deadline. */
static int wait_io(int fd, int want, long long deadline) {
  long long left = deadline - now_ms();
  if (left <= 0) return CLIENT_TIMEOUT;
  if (fd < 0) return CLIENT_OK;
  struct pollfd p = {fd, want == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 0};
  int n = poll(&p, 1, (int)left);
  return n > 0 ? CLIENT_OK : n == 0 ? CLIENT_TIMEOUT : CLIENT_IO;
}

/* One OpenSSL call retried until it completes, fails or the deadline. */
#define RETRY(call, result)                                                       \
  for (;;) {                                                                      \
    ERR_clear_error();                                                            \
    int r_ = (call);                                                              \
    if (r_ > 0) { result = r_; break; }                                           \
    int e_ = SSL_get_error(ssl, r_);                                              \
    if (e_ == SSL_ERROR_WANT_READ || e_ == SSL_ERROR_WANT_WRITE) {                \
      int w_ = wait_io(fd, e_, deadline);                                         \
      if (w_ != CLIENT_OK) return w_;                                             \
      continue;                                                                   \
    }                                                                             \
    result = -e_;                                                                 \
    break;                                                                        \
  }

int client_exchange(SSL *ssl, int fd, const client_config *cfg, const char *request,
                    client_reply *out) {
  long long deadline = now_ms() + (cfg->deadline_ms ? cfg->deadline_ms : 5000);
  memset(out, 0, sizeof *out);
  /* The deadline needs a non-blocking socket, whoever connected it. */
  if (fd >= 0 && (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 || SSL_set_fd(ssl, fd) != 1))
    return CLIENT_IO;
  int rc;
  RETRY(SSL_connect(ssl), rc);
  out->verify_result = SSL_get_verify_result(ssl);
  if (rc < 0) return out->verify_result != X509_V_OK ? CLIENT_VERIFY : CLIENT_TLS;
  out->version = SSL_version(ssl);
  RETRY(SSL_write(ssl, request, (int)strlen(request)), rc);
  if (rc < 0) return CLIENT_TLS;
  for (;;) {
    if (out->len == sizeof out->data) return CLIENT_TLS; /* a reply too long */
    RETRY(SSL_read(ssl, out->data + out->len, (int)(sizeof out->data - out->len)), rc);
    if (rc > 0) {
      out->len += (size_t)rc;
      continue;
    }
    if (rc == -SSL_ERROR_ZERO_RETURN) break; /* close_notify: the whole reply */
    /* End-of-file without close_notify is a truncation attack. */
    return ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING
               ? CLIENT_TRUNCATED : CLIENT_TLS;
  }
  RETRY(SSL_shutdown(ssl), rc);
  return CLIENT_OK;
}

static int connect_tcp(const char *ip, int port, long long deadline) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) goto fail;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    if (errno != EINPROGRESS || wait_io(fd, SSL_ERROR_WANT_WRITE, deadline) != CLIENT_OK) goto fail;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) goto fail;
  }
  return fd;
fail:
  close(fd);
  return -1;
}

int client_fetch(const client_config *cfg, const char *ip, int port, const char *request,
                 client_reply *out) {
  long long deadline = now_ms() + (cfg->deadline_ms ? cfg->deadline_ms : 5000);
  SSL_CTX *ctx = client_ctx_new(cfg);
  SSL *ssl = ctx ? client_ssl_new(ctx, cfg) : NULL;
  int fd = ssl ? connect_tcp(ip, port, deadline) : -1;
  int rc = fd >= 0 ? client_exchange(ssl, fd, cfg, request, out) : CLIENT_IO;
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  if (fd >= 0) close(fd);
  return rc;
}
