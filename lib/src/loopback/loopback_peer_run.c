/* loopback_peer_run.c — th_peer's script running: the handshake, the
 * actions one by one, reading until the application closes, and how the
 * peer stops (fail, finish). Called from the application's starved reads
 * (memory pattern), th_peer_step, and the socket thread. */
#include <string.h>

#include <openssl/err.h>

#include "loopback_internal.h"

/* The pattern could not start (or its thread could not accept): the peer
 * stops with this thread's error, kept for th_peer_result. */
int th__peer_stopped(th_peer *p) {
  p->done = 1;
  p->start_err = *th_error_last();
  return p->status = p->start_err.kind;
}

int th__peer_fail(th_peer *p, int kind) {
  (void)kind;
  p->status = th__lb_fail(p->pair, p->role);
  p->done = 1;
  /* The application reads end-of-file after whatever alert went out. */
  p->pair->dir[p->role].closing = 1;
  th__lb_flush_queue(p->pair, p->role);
  th__lb_apply_eof(p->pair, p->role);
  return -1;
}

int th__peer_finish(th_peer *p) {
  p->status = TH_OK;
  p->done = 1;
  p->pair->dir[p->role].closing = 1;
  th__lb_flush_queue(p->pair, p->role);
  th__lb_apply_eof(p->pair, p->role);
  return 0;
}

static int waiting(int k) { return k == TH_ERR_WANT_READ || k == TH_ERR_WANT_WRITE; }

static int check_sni(th_peer *p, SSL *ssl) {
  if (p->role != TH_PEER_SERVER || p->sni == NULL) return TH_OK;
  const char *got = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (got != NULL && strcmp(got, p->sni) == 0) return TH_OK;
  return th__err(TH_ERR_VALUE, "server: expected SNI \"%s\", got %s%s%s", p->sni,
                 got ? "\"" : "", got ? got : "none", got ? "\"" : "");
}

/* Reads what the application sent; 1 when bytes came, 0 when it would
 * wait, -1 when the peer stopped (end-of-file ends it well once the script
 * ran; before, it is the application's doing and an error). */
static int peer_read(th_peer *p, SSL *ssl) {
  unsigned char buf[16384];
  th__lb_io_begin();
  int r = SSL_read(ssl, buf, sizeof buf);
  if (r > 0) return th__lb_buf_add(&p->rx, buf, (size_t)r) == TH_OK ? 1 : th__peer_fail(p, TH_ERR_NOMEM);
  int k = th__lb_map_error(p->pair, p->role, r, "read");
  if (waiting(k)) return 0;
  if (k == TH_ERR_ZERO_RETURN) { /* close_notify: answer it */
    th__lb_io_begin();
    SSL_shutdown(ssl);
    ERR_clear_error();
    return p->pc >= p->nscript ? th__peer_finish(p) : th__peer_fail(p, k);
  }
  if (p->pc >= p->nscript && k == TH_ERR_SYSCALL) return th__peer_finish(p); /* the application closed */
  return th__peer_fail(p, k);
}

static int peer_write(th_peer *p, SSL *ssl, const peer_action *a) {
  th__lb_io_begin();
  int w = SSL_write(ssl, a->data + p->off, (int)(a->len - p->off));
  if (w <= 0) {
    int k = th__lb_map_error(p->pair, p->role, w, "write");
    return waiting(k) ? 0 : th__peer_fail(p, k);
  }
  p->off += (size_t)w;
  return 1;
}

static int next_action(th_peer *p) {
  p->pc++;
  p->off = 0;
  p->phase = 0;
  p->rx_mark = p->rx.len;
  return 1;
}

static int run_handshake_op(th_peer *p, SSL *ssl) {
  th__lb_io_begin();
  int rc = SSL_do_handshake(ssl);
  if (rc == 1) return 1;
  int k = th__lb_map_error(p->pair, p->role, rc, "handshake");
  return waiting(k) ? 1 : th__peer_fail(p, k); /* the request is out; the answer comes later */
}

static int act(th_peer *p, SSL *ssl, const peer_action *a) {
  switch (a->kind) {
  case TH_PEER_RECV:
    if (p->rx.len > p->rx_mark) return next_action(p);
    return peer_read(p, ssl);
  case TH_PEER_ANSWER:
    if (p->phase == 0) {
      if (p->rx.len == p->rx_mark) return peer_read(p, ssl);
      p->phase = 1;
    }
    /* fall through */
  case TH_PEER_SEND:
    if (p->off == a->len) return next_action(p);
    return peer_write(p, ssl, a);
  case TH_PEER_CLOSE_NOTIFY: {
    th__lb_io_begin();
    int r = SSL_shutdown(ssl);
    if (r < 0) {
      int k = th__lb_map_error(p->pair, p->role, r, "shutdown");
      return waiting(k) ? 0 : th__peer_fail(p, k);
    }
    return next_action(p);
  }
  case TH_PEER_CLOSE:
    th__lb_note(p->pair, p->role, "peer: end-of-file without close_notify");
    p->closed = 1;
    p->pair->dir[p->role].closing = 1;
    th__lb_flush_queue(p->pair, p->role);
    th__lb_apply_eof(p->pair, p->role);
    return next_action(p);
  case TH_PEER_RENEGOTIATE:
    if (SSL_version(ssl) >= TLS1_3_VERSION)
      return th__peer_fail(p, th__err(TH_ERR_UNSUPPORTED,
                             "%s: renegotiation needs TLS 1.2 or older (TLS 1.3 has none; "
                             "use TH_PEER_KEY_UPDATE)", th__lb_side_name(p->role)));
    if (SSL_renegotiate(ssl) != 1)
      return th__peer_fail(p, th__err_ossl(TH_ERR_SSL, "%s: SSL_renegotiate failed", th__lb_side_name(p->role)));
    if (run_handshake_op(p, ssl) < 0) return -1;
    return next_action(p);
  case TH_PEER_KEY_UPDATE:
    if (SSL_version(ssl) < TLS1_3_VERSION)
      return th__peer_fail(p, th__err(TH_ERR_UNSUPPORTED,
                             "%s: a key update needs TLS 1.3 (use TH_PEER_RENEGOTIATE for 1.2)",
                             th__lb_side_name(p->role)));
    if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1)
      return th__peer_fail(p, th__err_ossl(TH_ERR_SSL, "%s: SSL_key_update failed", th__lb_side_name(p->role)));
    if (run_handshake_op(p, ssl) < 0) return -1;
    return next_action(p);
  case TH_PEER_SILENCE:
    th__lb_note(p->pair, p->role, "peer: silent from here, connection kept open");
    p->silent = 1;
    return next_action(p);
  default: { /* TH_PEER_GARBAGE: th_peer_script took no other kind */
    lb_dir *d = &p->pair->dir[p->role];
    th__lb_note(p->pair, p->role, "peer: %zu bytes of garbage", a->len);
    th__lb_bytes_in(p->pair, p->role, a->data, a->len);
    d->written += a->len;
    d->progress += a->len;
    return next_action(p);
  }
  }
}

/* One move of the peer: 1 when it can go on at once, 0 when it waits,
 * -1 when it stopped. Called only while the peer is not done. */
static int advance(th_peer *p) {
  SSL *ssl = p->pair->ssl[p->role];
  if (!p->hs || (SSL_in_init(ssl) && !SSL_is_init_finished(ssl))) {
    th__lb_io_begin();
    int rc = SSL_do_handshake(ssl);
    if (rc != 1) {
      int k = th__lb_map_error(p->pair, p->role, rc, "handshake");
      return waiting(k) ? 0 : th__peer_fail(p, k);
    }
    if (!p->hs) {
      p->hs = 1;
      if (check_sni(p, ssl) != TH_OK) return th__peer_fail(p, TH_ERR_VALUE);
    }
    return 1;
  }
  if (p->silent) return 0;
  if (p->pc < p->nscript) return act(p, ssl, &p->script[p->pc]);
  if (p->closed) return th__peer_finish(p);
  return peer_read(p, ssl); /* the script ran: read until the application closes */
}

void th__peer_run(th_peer *p) {
  for (int i = 0; i < 256 && !p->done; i++) {
    for (int s = 0; s < 2; s++)
      if (p->pair->dir[s].queue.len > 0) th__lb_flush_queue(p->pair, s);
    if (advance(p) <= 0) break;
  }
}

int th_peer_step(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->pattern != PAT_MEMORY && peer->pattern != PAT_ADOPT)
    return th__err(TH_ERR_VALUE,
                   "%s: the peer runs in its own thread in the socket pattern (th_peer_wait), "
                   "and needs a pattern first", __func__);
  th__lb_clear_errors();
  unsigned long long before = th__lb_progress(peer->pair);
  if (peer->pattern == PAT_MEMORY) th__peer_run(peer);
  unsigned long long d = th__lb_progress(peer->pair) - before;
  if (d == 0 && peer->done && peer->status != TH_OK) return th__lb_failed(peer->pair, peer->role);
  return d > 0x7fffffff ? 0x7fffffff : (int)d;
}
