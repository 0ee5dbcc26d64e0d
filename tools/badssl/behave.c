/* behave.c — what a server says on one connection: a plain handshake and
 * HTTP reply, or the endpoint's misbehaviour. Every phase has a deadline
 * (conn.h, badssl.h): a client that stops, floods or sends garbage ends in
 * BS_P_DONE within bounded time, whatever it does. */
#include <stdlib.h>
#include <string.h>

#include "tools/badssl/conn.h"

static int beh(const bs_conn *c) { return c->ep->def->behaviour; }

int bs_conn_queue(bs_conn *c, const void *data, size_t n) {
  if (c->out_off > 0 && c->out_off == c->out_len) c->out_off = c->out_len = 0;
  if (c->out_len + n > c->out_cap) {
    size_t cap = (c->out_len + n) * 2;
    unsigned char *p = realloc(c->out, cap);
    if (p == NULL) {
      c->phase = BS_P_DONE; /* out of memory: drop this connection */
      return TH_ERR_NOMEM;
    }
    c->out = p;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, data, n);
  c->out_len += n;
  return TH_OK;
}

/* Moves what the TLS side wrote into the socket queue. */
static void pump(bs_conn *c) {
  th_bytes *b;
  while ((b = th_connection_bio_read(c->tls, 16384)) != NULL) {
    bs_conn_queue(c, b->data, b->len);
    th_bytes_free(b);
  }
}

static void finish(bs_conn *c, int mode, long long now) {
  if (c->phase == BS_P_DONE) return; /* dropped (out of memory) */
  c->phase = BS_P_FLUSH;
  c->close_mode = mode;
  c->deadline = now + BS_LINGER_MS + (beh(c) == BS_B_DRIP ? 10000 : 0);
}

/* A TLS failure: send what OpenSSL wrote (the alert), then close. */
static void fail(bs_conn *c, long long now) {
  pump(c);
  finish(c, BS_CLOSE_FIN, now);
}

/* A record header announcing 2^14 + 2048 + 1 bytes, then those bytes: larger
 * than any TLS version allows, so a client must reject it from the header. */
static void oversized(bs_conn *c, long long now) {
  static const char note[] = "badssl oversized record ";
  const size_t len = 16384 + 2048 + 1;
  unsigned char hdr[5] = {0x17, 0x03, 0x03, (unsigned char)(len >> 8), (unsigned char)len};
  bs_conn_queue(c, hdr, sizeof hdr);
  for (size_t i = 0; i < len; i += sizeof note - 1)
    bs_conn_queue(c, note, len - i < sizeof note - 1 ? len - i : sizeof note - 1);
  finish(c, BS_CLOSE_FIN, now);
}

static void respond(bs_conn *c, long long now) {
  char body[160], msg[512];
  int b = beh(c);
  if (b == BS_B_OVERSIZED) {
    oversized(c, now);
    return;
  }
  int nb = snprintf(body, sizeof body, "badssl %s: %s\n", c->ep->def->id, c->ep->def->desc);
  int eof_delimited = b == BS_B_NO_CLOSE_NOTIFY || b == BS_B_TRUNCATED;
  int n = eof_delimited ? snprintf(msg, sizeof msg,
                                   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                   "Connection: close\r\n\r\n%s",
                                   body)
                        : snprintf(msg, sizeof msg,
                                   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                   "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                                   nb, body);
  pump(c);
  if (th_connection_sendall(c->tls, msg, (size_t)n, 0, NULL) != TH_OK) {
    fail(c, now);
    return;
  }
  if (b == BS_B_TRUNCATED) {
    /* The reply is one record: send its first half only, then FIN. */
    th_bytes *rec = th_connection_bio_read(c->tls, 65536);
    if (rec != NULL) bs_conn_queue(c, rec->data, rec->len / 2);
    th_bytes_free(rec);
    finish(c, BS_CLOSE_FIN, now);
    return;
  }
  if (b != BS_B_NO_CLOSE_NOTIFY) th_connection_shutdown(c->tls); /* close_notify */
  pump(c);
  finish(c, BS_CLOSE_FIN, now);
}

static void key_update_storm(bs_conn *c, long long now) {
  for (int i = 0; i < BS_KEY_UPDATES; i++) {
    /* Every 8th asks the client to update its own keys too. */
    if (th_connection_key_update(c->tls, i % 8 == 0) != TH_OK ||
        th_connection_do_handshake(c->tls) != TH_OK) {
      fail(c, now);
      return;
    }
    pump(c);
  }
  respond(c, now);
}

static void after_request(bs_conn *c, long long now) {
  if (beh(c) == BS_B_KEY_UPDATE) {
    key_update_storm(c, now);
  } else if (beh(c) == BS_B_RENEGOTIATE) {
    if (th_connection_renegotiate(c->tls) < 0) {
      fail(c, now);
      return;
    }
    int rc = th_connection_do_handshake(c->tls); /* sends HelloRequest */
    pump(c);
    if (rc != TH_OK && rc != TH_ERR_WANT_READ) {
      fail(c, now);
      return;
    }
    c->phase = BS_P_RENEG;
    c->deadline = now + BS_RENEG_MS;
  } else {
    respond(c, now);
  }
}

static void read_request(bs_conn *c, long long now) {
  for (;;) {
    char *dst = c->req + c->req_len;
    size_t room = sizeof c->req - 1 - c->req_len;
    int n = room > 0 ? th_connection_recv_into(c->tls, dst, room, 0, 0) : 0;
    if (n < 0) {
      if (n == TH_ERR_WANT_READ) break;
      fail(c, now); /* the client closed or broke the connection */
      return;
    }
    c->req_len += (size_t)n;
    c->req[c->req_len] = '\0';
    if (room == 0 || strstr(c->req, "\r\n\r\n") != NULL) {
      pump(c);
      after_request(c, now);
      return;
    }
  }
  pump(c);
}

static void handshake(bs_conn *c, long long now) {
  int rc = th_connection_do_handshake(c->tls);
  if (rc == TH_ERR_WANT_READ) {
    pump(c);
    return;
  }
  if (rc != TH_OK) {
    fail(c, now);
    return;
  }
  c->phase = BS_P_REQUEST;
  c->deadline = now + BS_REQUEST_MS;
  read_request(c, now);
}

/* renegotiate-request: SSL_read runs the client's new handshake; the reply
 * goes out once it completed. */
static void renegotiating(bs_conn *c, long long now) {
  char sink[4096];
  int n;
  while ((n = th_connection_recv_into(c->tls, sink, sizeof sink, 0, 0)) > 0) {
  }
  pump(c);
  if (n != TH_ERR_WANT_READ)
    fail(c, now);
  else if (th_connection_renegotiate_pending(c->tls) == 0)
    respond(c, now);
}

/* stall / garbage / reset act on the whole first record (the ClientHello). */
static int hello_behaviour(int b) {
  return b == BS_B_STALL || b == BS_B_GARBAGE || b == BS_B_RESET;
}

static void on_hello(bs_conn *c, long long now) {
  int b = beh(c);
  if (b == BS_B_STALL) {
    c->phase = BS_P_STALL;
    c->wake = now + BS_STALL_MS;
  } else if (b == BS_B_GARBAGE) {
    static const char junk[] = "HTTP/1.0 400 Bad Request\r\n\r\nthis is not a TLS record\r\n";
    for (int i = 0; i < 8; i++) bs_conn_queue(c, junk, sizeof junk - 1);
    finish(c, BS_CLOSE_FIN, now);
  } else { /* reset: half the real server flight, then RST */
    th_connection_bio_write(c->tls, c->hello, c->hello_len);
    th_connection_do_handshake(c->tls);
    th_bytes *b1 = th_connection_bio_read(c->tls, 65536);
    if (b1 != NULL) bs_conn_queue(c, b1->data, b1->len / 2);
    th_bytes_free(b1);
    finish(c, BS_CLOSE_RST, now);
  }
}

static void collect_hello(bs_conn *c, const unsigned char *buf, size_t n, long long now) {
  size_t room = sizeof c->hello - c->hello_len;
  if (n > room) n = room;
  memcpy(c->hello + c->hello_len, buf, n);
  c->hello_len += n;
  size_t need = c->hello_len >= 5 ? 5 + ((size_t)c->hello[3] << 8 | c->hello[4]) : SIZE_MAX;
  if (c->hello_len >= need || c->hello_len == sizeof c->hello) on_hello(c, now);
}

void bs_conn_start(bs_conn *c, long long now) {
  c->phase = BS_P_HANDSHAKE;
  c->hard = now + BS_LIFETIME_MS;
  /* slow-drip's first flight alone takes ~3 s to trickle out */
  c->deadline = now + BS_HANDSHAKE_MS + (beh(c) == BS_B_DRIP ? 10000 : 0);
  if (th_connection_set_accept_state(c->tls) != TH_OK) c->phase = BS_P_DONE;
}

void bs_conn_input(bs_conn *c, const unsigned char *buf, size_t n, long long now) {
  if (c->phase == BS_P_STALL || c->phase == BS_P_LINGER || c->phase == BS_P_FLUSH) return;
  if (c->phase == BS_P_HANDSHAKE && hello_behaviour(beh(c))) {
    collect_hello(c, buf, n, now);
    return;
  }
  if (th_connection_bio_write(c->tls, buf, n) < 0) {
    fail(c, now);
    return;
  }
  if (c->phase == BS_P_HANDSHAKE) {
    handshake(c, now);
  } else if (c->phase == BS_P_REQUEST) {
    read_request(c, now);
  } else if (c->phase == BS_P_RENEG) {
    renegotiating(c, now);
  }
}

void bs_conn_eof(bs_conn *c, long long now) {
  if (c->phase == BS_P_LINGER || c->phase == BS_P_STALL)
    c->phase = BS_P_DONE;
  else if (c->phase != BS_P_FLUSH)
    finish(c, BS_CLOSE_FIN, now); /* flush what is queued, nothing more */
}

void bs_conn_timer(bs_conn *c, long long now) {
  if (now >= c->hard) {
    c->phase = BS_P_DONE;
  } else if (c->phase == BS_P_STALL && now >= c->wake) {
    c->wake = 0;
    finish(c, BS_CLOSE_FIN, now);
  } else if (now >= c->deadline) {
    if (c->phase == BS_P_RENEG)
      respond(c, now); /* the client ignored the HelloRequest: allowed, go on */
    else if (c->phase == BS_P_HANDSHAKE || c->phase == BS_P_REQUEST)
      finish(c, BS_CLOSE_FIN, now);
    else
      c->phase = BS_P_DONE;
  }
}

void bs_conn_flushed(bs_conn *c, long long now) {
  c->phase = BS_P_LINGER;
  c->deadline = now + BS_LINGER_MS;
}
