/* tls_server.h — a tiny TLS server written in plain OpenSSL, as an
 * application would be: its own SSL_CTX and SSL, a socket it accepted,
 * a poll loop and a deadline; it can require client certificates. It reads
 * one request and answers it. tlsharness tests it (server_test.c) without
 * changing it; see docs/testing-apps.md. */
#ifndef EXAMPLE_TLS_SERVER_H
#define EXAMPLE_TLS_SERVER_H

#include <stddef.h>

#include <openssl/ssl.h>

typedef struct server_config {
  const char *cert_file;     /* our chain (required) */
  const char *key_file;
  const char *client_ca_file; /* NULL, or require client certificates issued by these roots */
  int min_version, max_version;
  unsigned deadline_ms;      /* for the whole exchange; 0: 5000 */
  const char *reply;         /* what to answer */
} server_config;

enum {
  SERVER_OK = 0,
  SERVER_REFUSED = -1,   /* the handshake failed (bad client certificate, version, garbage) */
  SERVER_TIMEOUT = -2,   /* the deadline passed */
  SERVER_TRUNCATED = -3, /* the request ended without close_notify */
  SERVER_TLS = -4,       /* another TLS failure after the handshake */
  SERVER_IO = -5,
};

typedef struct server_result {
  char request[1024];
  size_t len;
  int version;
} server_result;

SSL_CTX *server_ctx_new(const server_config *cfg);
/* server_ssl_new makes an SSL in accept state. */
SSL *server_ssl_new(SSL_CTX *ctx);
/* server_serve: handshake, read a request (up to a blank line or "\n"),
 * answer cfg->reply, close_notify. fd: the accepted socket, or -1 when the
 * SSL already has its BIOs. */
int server_serve(SSL *ssl, int fd, const server_config *cfg, server_result *out);

#endif
