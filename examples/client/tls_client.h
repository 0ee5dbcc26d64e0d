/* tls_client.h — a tiny TLS client written in plain OpenSSL, as an
 * application would be: its own SSL_CTX, SSL, socket, poll loop, deadline
 * and host-name check. tlsharness tests it (client_test.c) without
 * changing it; see docs/testing-apps.md. */
#ifndef EXAMPLE_TLS_CLIENT_H
#define EXAMPLE_TLS_CLIENT_H

#include <stddef.h>

#include <openssl/ssl.h>

typedef struct client_config {
  const char *ca_file;    /* roots to trust (required) */
  const char *crl_file;   /* NULL, or a CRL to check the server's certificate against */
  const char *host;       /* the name the server's certificate must carry (and SNI) */
  const char *cert_file;  /* NULL, or our certificate chain for client authentication */
  const char *key_file;
  int min_version, max_version; /* 0: OpenSSL's defaults */
  unsigned deadline_ms;   /* for the whole exchange; 0: 5000 */
  int no_renegotiation;   /* refuse a server's renegotiation request */
} client_config;

/* Results. */
enum {
  CLIENT_OK = 0,
  CLIENT_VERIFY = -1,    /* the server's certificate was refused (verify_result says why) */
  CLIENT_TIMEOUT = -2,   /* the deadline passed */
  CLIENT_TRUNCATED = -3, /* the reply ended without close_notify */
  CLIENT_TLS = -4,       /* any other TLS failure (an alert, garbage) */
  CLIENT_IO = -5,        /* socket or setup failure */
};

typedef struct client_reply {
  char data[4096];
  size_t len;
  long verify_result;    /* SSL_get_verify_result after the handshake */
  int version;           /* the negotiated protocol version */
} client_reply;

/* client_ctx_new makes the client's context from cfg (NULL on failure). */
SSL_CTX *client_ctx_new(const client_config *cfg);
/* client_ssl_new makes an SSL for one exchange: host-name check and SNI. */
SSL *client_ssl_new(SSL_CTX *ctx, const client_config *cfg);
/* client_exchange runs the handshake, sends request, reads the reply up
 * to the server's close_notify. fd: the connected socket (SSL_set_fd is
 * done here), or -1 when the SSL already has its BIOs. */
int client_exchange(SSL *ssl, int fd, const client_config *cfg, const char *request,
                    client_reply *out);
/* client_fetch does it all over TCP: connect to ip:port within the
 * deadline, make the context and SSL, exchange, close. */
int client_fetch(const client_config *cfg, const char *ip, int port, const char *request,
                 client_reply *out);

#endif
