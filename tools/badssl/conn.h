/* conn.h — one client connection of the event loop (server.c drives the
 * socket, behave.c what the server says). The TLS side runs over memory
 * BIOs (th_connection with fd -1, bio_write / bio_read), so the loop owns
 * every byte on the wire and can drip, cut or reset it. */
#ifndef TLSHARNESS_TOOLS_BADSSL_CONN_H
#define TLSHARNESS_TOOLS_BADSSL_CONN_H

#include "tools/badssl/badssl.h"

enum bs_phase {
  BS_P_HANDSHAKE, /* TLS handshake (or waiting for the ClientHello record) */
  BS_P_REQUEST,   /* reading the HTTP request */
  BS_P_RENEG,     /* renegotiate-request: waiting for the client's new handshake */
  BS_P_STALL,     /* stall-after-hello: saying nothing until `wake` */
  BS_P_FLUSH,     /* writing what is queued, then closing as close_mode says */
  BS_P_LINGER,    /* our FIN sent: reading until the client's EOF or `deadline` */
  BS_P_DONE,      /* to be freed */
};

enum bs_close { BS_CLOSE_FIN = 0, BS_CLOSE_RST };

#define BS_REQ_MAX 8192
#define BS_HELLO_MAX (16384 + 5 + 2048)

typedef struct bs_conn {
  int fd;
  bs_endpoint *ep;
  th_connection *tls;
  int phase;
  int close_mode;
  long long deadline; /* the phase's bound (ms, monotonic) */
  long long hard;     /* the connection's lifetime bound */
  long long wake;     /* next timed step (drip byte, end of stall), 0: none */
  unsigned char *out; /* bytes queued for the socket */
  size_t out_len, out_off, out_cap;
  char req[BS_REQ_MAX];
  size_t req_len;
  unsigned char hello[BS_HELLO_MAX]; /* the raw first record, for hello behaviours */
  size_t hello_len;
} bs_conn;

/* behave.c */
void bs_conn_start(bs_conn *c, long long now); /* after accept */
void bs_conn_input(bs_conn *c, const unsigned char *buf, size_t n, long long now);
void bs_conn_eof(bs_conn *c, long long now);               /* the client's FIN */
void bs_conn_timer(bs_conn *c, long long now);             /* wake or deadline reached */
int bs_conn_queue(bs_conn *c, const void *data, size_t n); /* append to out */
void bs_conn_flushed(bs_conn *c, long long now);           /* out is empty in BS_P_FLUSH */

#endif
