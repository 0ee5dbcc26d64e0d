/* testutil_peer.h — the real `openssl s_server` / `s_client` as a TLS peer
 * for interoperation tests: started on 127.0.0.1 with bounded waits, its
 * output captured, and always stopped and reaped (tp_stop_all from a
 * suite's .fini catches what a failed assertion left running). Also
 * poll-driven helpers for a th_connection over a non-blocking socket. */
#ifndef TLSHARNESS_TESTUTIL_PEER_H
#define TLSHARNESS_TESTUTIL_PEER_H

#include <stddef.h>
#include <sys/types.h>

#include "tlsharness/tlsharness.h"

#define TP_OUT_MAX 65536
#define TP_WAIT_MS 10000 /* the longest any single wait may take */

typedef struct tp_peer {
  pid_t pid;            /* 0 when not running */
  int in_fd;            /* its stdin (write end), -1 once closed */
  int out_fd;           /* its stdout + stderr (read end), -1 at EOF */
  char out[TP_OUT_MAX]; /* everything it printed so far, NUL-terminated */
  size_t out_len;
  int port;             /* s_server: the port from its "ACCEPT" line */
  int status;           /* exit status once reaped (-1 if killed) */
} tp_peer;

/* tp_start runs `openssl argv...` (argv NULL-terminated, without
 * "openssl"); returns 0 or -1. */
int tp_start(tp_peer *p, const char *const *argv);
/* tp_s_server starts s_server on 127.0.0.1:0 with the extra arguments
 * (NULL-terminated) and waits (bounded) for its ACCEPT line; returns the
 * port, or -1 (the output says why). */
int tp_s_server(tp_peer *p, const char *const *extra);
/* tp_read_some reads what is available within timeout_ms; returns the
 * bytes read, 0 at EOF or timeout. */
size_t tp_read_some(tp_peer *p, int timeout_ms);
/* tp_wait_for waits (at most TP_WAIT_MS) until text appears in the output;
 * returns 1 when it did, 0 otherwise. */
int tp_wait_for(tp_peer *p, const char *text);
/* tp_send writes s to its stdin; tp_close_stdin closes it. */
void tp_send(tp_peer *p, const char *s);
void tp_close_stdin(tp_peer *p);
/* tp_wait_exit waits (bounded) for it to exit by itself, reading its
 * output; returns its exit status, or -1 when it had to be killed. */
int tp_wait_exit(tp_peer *p);
/* tp_stop kills (SIGKILL) and reaps it if still running, closes pipes.
 * Idempotent. */
void tp_stop(tp_peer *p);
/* tp_stop_all stops every peer still running in this process. */
void tp_stop_all(void);

/* Poll-driven I/O on a th_connection over a non-blocking socket; each wait
 * at most TP_WAIT_MS. They return the library status (TH_OK / count). */
int tp_handshake(th_connection *c);
th_bytes *tp_recv(th_connection *c, int n);
int tp_sendall(th_connection *c, const char *s);
/* tp_recv_until reads until text was received (or an error); returns the
 * status and appends what came into buf (NUL-terminated). */
int tp_recv_until(th_connection *c, const char *text, char *buf, size_t bufsz);
/* tp_connect_tcp returns a connected blocking TCP socket to 127.0.0.1:port,
 * or -1. */
int tp_connect_tcp(int port);

#endif
