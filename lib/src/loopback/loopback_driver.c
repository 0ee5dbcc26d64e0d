/* loopback_driver.c — the bounded handshake driver, the pump, and the
 * mapping of SSL results to th_err kinds.
 *
 * Why "progress" and not a step count: a pair that cannot complete (both
 * sides servers, a dropped record, a callback that keeps pausing) must fail
 * at once with a message saying who waits for what, not spin until a
 * bound. Every byte the end BIOs move, every retry a fault spends, every
 * state change and every finished handshake counts as progress; a step with
 * none is a stall. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/err.h>

#include "loopback_internal.h"

/* ---- Connection wrappers ------------------------------------------------------ */

/* Callbacks of a Context that receive the Connection (the passphrase
 * callback does not). */
static int has_conn_callbacks(const th_context *c) {
  return c != NULL && (c->verify.fn || c->info.fn || c->servername.fn || c->npn_advertise.fn ||
                       c->npn_select.fn || c->alpn_select.fn || c->ocsp_server.fn ||
                       c->ocsp_client.fn || c->keylog.fn);
}

/* A Connection costs a few KiB, so a side gets one only when its Context's
 * callbacks need it: checked when the pair is made and again at the side's
 * first handshake step. */
static int wrap(th_loopback_pair *pair, int side, const th_context *ctx) {
  if (pair->conn[side] != NULL || !has_conn_callbacks(ctx)) return TH_OK;
  pair->conn[side] = th_connection_from_ssl(pair->ssl[side]);
  return pair->conn[side] != NULL ? TH_OK : th_error_kind();
}

int th__lb_wrap_conn(th_loopback_pair *pair, int side) {
  return wrap(pair, side, th__ctx_from_sslctx(pair->sctx[side]));
}

static int is_waiting(int k) {
  return k == TH_ERR_WANT_READ || k == TH_ERR_WANT_WRITE || k == TH_ERR_WANT_X509_LOOKUP ||
         k == TH_ERR_WANT_ASYNC;
}

int th__lb_map_error(th_loopback_pair *pair, int side, int rc, const char *op) {
  int saved_errno = errno;
  SSL *ssl = pair->ssl[side];
  /* A th_connection's callback that failed: its error propagates. */
  th_connection *conn = th__conn_from_ssl(ssl);
  if (conn != NULL) {
    int cb = th__cb_take(conn, NULL);
    if (cb != TH_OK) return cb;
  }
  int e = SSL_get_error(ssl, rc);
  pair->sslerr[side] = e;
  return th__ssl_error_kind(e, rc, saved_errno, 1,
                            side == TH_LOOPBACK_SERVER ? "server: " : "client: ", op);
}

unsigned long long th__lb_progress(th_loopback_pair *pair) {
  unsigned long long p = 0;
  for (int i = 0; i < 2; i++) {
    if (pair->ssl[i] == NULL) { /* an application's own socket */
      p += pair->dir[i].progress;
      continue;
    }
    p += pair->dir[i].progress + (unsigned long long)SSL_get_state(pair->ssl[i]) * 1000003ull +
         (unsigned long long)pair->hs_done[i] * 7919ull + pair->rx[i].len;
    /* A lean pair's SSLs use the memory BIOs directly: their counters. */
    if (pair->end[i] == NULL) p += BIO_number_read(pair->in[i]) + BIO_number_written(pair->out[i]);
  }
  return p;
}

static const char *wait_text(th_loopback_pair *pair, int side) {
  switch (pair->kind[side]) {
  case TH_OK:
    return "finished the handshake";
  case TH_ERR_WANT_READ:
    return "waits to read (WANT_READ)";
  case TH_ERR_WANT_WRITE:
    return "waits to write (WANT_WRITE)";
  case TH_ERR_WANT_X509_LOOKUP:
    return "waits for the X509 lookup callback (WANT_X509_LOOKUP)";
  case TH_ERR_WANT_ASYNC:
    return pair->sslerr[side] == SSL_ERROR_WANT_CLIENT_HELLO_CB
               ? "waits for the client hello callback (WANT_CLIENT_HELLO_CB)"
               : "waits for an asynchronous operation (WANT_ASYNC)";
  default:
    return "failed";
  }
}

int th__lb_stall(th_loopback_pair *pair, const char *what) {
  char flight[96];
  size_t c2s = th__lb_in_flight(pair, TH_LOOPBACK_CLIENT);
  size_t s2c = th__lb_in_flight(pair, TH_LOOPBACK_SERVER);
  if (c2s == 0 && s2c == 0)
    snprintf(flight, sizeof flight, "no bytes in flight");
  else
    snprintf(flight, sizeof flight, "%zu bytes in flight client->server, %zu server->client", c2s, s2c);
  return th__err(TH_ERR_STALLED, "%s stalled: client %s in \"%s\", server %s in \"%s\"; %s", what,
                 wait_text(pair, TH_LOOPBACK_CLIENT),
                 SSL_state_string_long(pair->ssl[TH_LOOPBACK_CLIENT]),
                 wait_text(pair, TH_LOOPBACK_SERVER),
                 SSL_state_string_long(pair->ssl[TH_LOOPBACK_SERVER]), flight);
}

long th_loopback_pump(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  /* A lean DIRECT pair has nothing to move: no queue, no EOF pending
   * (both need the end BIOs), and the SSLs share the memory BIOs. */
  if (pair->transport == TH_LOOPBACK_DIRECT && pair->end[0] == NULL) return 0;
  long moved = 0;
  unsigned char buf[16384];
  for (int from = 0; from < 2; from++) {
    const lb_dir *d = &pair->dir[from];
    if (d->queue.len > 0 || (d->closing && !d->closed)) moved += (long)th__lb_flush_queue(pair, from);
    if (pair->transport != TH_LOOPBACK_PUMP) continue;
    /* bio_read from the sender, bio_write to the receiver: a memory BIO
     * always takes everything, so nothing is lost between them. */
    int n;
    while ((n = BIO_read(pair->out[from], buf, sizeof buf)) > 0) {
      if (BIO_write(pair->in[!from], buf, n) != n) pair->lost = 1; /* out of memory */
      moved += n;
    }
    pair->dir[from].progress += (unsigned long long)moved;
    th__lb_apply_eof(pair, from);
  }
  return moved;
}

static int run_side(th_loopback_pair *pair, int side) {
  SSL *ssl = pair->ssl[side];
  if (SSL_is_init_finished(ssl) && !SSL_renegotiate_pending(ssl)) return pair->kind[side] = TH_OK;
  if (pair->wrap_conns & (1 << side)) { /* once, at the side's first step */
    pair->wrap_conns &= ~(1 << side);
    int wrc = th__lb_wrap_conn(pair, side);
    if (wrc != TH_OK) return pair->kind[side] = wrc;
  }
  int rc = th__ssl_enter(ssl, "th_loopback_step");
  if (rc != TH_OK) return pair->kind[side] = rc;
  th__lb_io_begin();
  rc = SSL_do_handshake(ssl);
  th__ssl_leave(ssl);
  pair->kind[side] = rc == 1 ? TH_OK : th__lb_map_error(pair, side, rc, "handshake");
  return pair->kind[side];
}

/* A side that failed is not run again (OpenSSL would only report a vaguer
 * error); its peer still runs, e.g. to read the alert. */
static int fail_side(th_loopback_pair *pair, int side) {
  th_loopback_pump(pair); /* deliver the alert */
  return th__lb_failed(pair, side);
}

static int step(th_loopback_pair *pair, int done_is_enough);

/* A STALL_THEN_RESUME holding bytes when nothing else can move ends now:
 * the harness drives both sides and has no clock to wait on, so "stall"
 * means "until everything else has stopped". */
static unsigned long long release_stalls(th_loopback_pair *pair, unsigned long long before) {
  for (int i = 0; i < 2; i++) {
    if (!pair->dir[i].stalling) continue;
    pair->dir[i].stall_until = 0;
    th__lb_flush_queue(pair, i);
  }
  return th__lb_progress(pair) - before;
}

int th__lb_lost(th_loopback_pair *pair) {
  if (!pair->lost) return TH_OK;
  return th__err(TH_ERR_NOMEM, "loopback: out of memory on the data path: bytes, a fault or an "
                               "observation were lost, the pair cannot go on");
}

int th__lb_idle(th_loopback_pair *pair, unsigned long long before) {
  return th__lb_progress(pair) == before && release_stalls(pair, before) == 0;
}

int th_loopback_step(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  th__lb_clear_errors();
  return step(pair, 0);
}

/* One step: run each side, move bytes; returns the progress made (0: a
 * stall) or an error. With done_is_enough (the driver), a step after which
 * both sides have finished returns 1 without counting: the driver stops
 * there whatever the count, so the last step of every handshake skips a
 * progress sum. */
static int step(th_loopback_pair *pair, int done_is_enough) {
  unsigned long long before = th__lb_progress(pair);
  int failed = -1;
  for (int side = 0; side < 2; side++) {
    if (pair->failed[side]) {
      if (failed < 0) failed = side;
      continue;
    }
    int k = run_side(pair, side);
    if (k != TH_OK && !is_waiting(k)) {
      th__lb_fail(pair, side);
      pair->fail_side = side;
      return fail_side(pair, side);
    }
  }
  if (failed >= 0) {
    pair->fail_side = failed;
    return fail_side(pair, failed);
  }
  th_loopback_pump(pair);
  th__lb_refill(pair);
  int lost = th__lb_lost(pair);
  if (lost != TH_OK) return lost;
  if (done_is_enough && pair->kind[0] == TH_OK && pair->kind[1] == TH_OK) return 1;
  unsigned long long d = th__lb_progress(pair) - before;
  if (d == 0) d = release_stalls(pair, before);
  return d > INT_MAX ? INT_MAX : (int)d;
}

static int stop_here(th_loopback_pair *pair, const th_loopback_drive_opts *o, int side) {
  if (o->stop_side >= 0 && o->stop_side != side) return 0;
  if (o->stop_kind != 0 && pair->kind[side] == o->stop_kind) return 1;
  return o->stop_state >= 0 && (int)SSL_get_state(pair->ssl[side]) == o->stop_state;
}

/* The default step bound scales with the bytes the handshake put on the
 * transport: a fault that delivers one byte per step must carry any
 * ClientHello (3.5's X25519MLKEM768 key share makes it ~1.45 KB, beyond a
 * constant 1000), while a pair that keeps moving bytes forever still ends.
 * A stall is caught within one step anyway; the bound only stops runaways. */
#define TH__LB_BASE_STEPS 1000
#define TH__LB_MAX_STEPS (1 << 24)
static int step_bound(th_loopback_pair *pair, const th_loopback_drive_opts *o) {
  if (o->max_steps > 0) return o->max_steps;
  unsigned long long wired = pair->dir[0].wired + pair->dir[1].wired;
  return (int)(TH__LB_BASE_STEPS + (wired < TH__LB_MAX_STEPS ? wired : TH__LB_MAX_STEPS));
}

int th_loopback_drive(th_loopback_pair *pair, const th_loopback_drive_opts *opts,
                      th_loopback_result *res) {
  th_loopback_result local;
  if (res == NULL) res = &local;
  memset(res, 0, sizeof *res);
  res->side = -1;
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  th_loopback_drive_opts o = {0, -1, 0, -1};
  if (opts != NULL) o = *opts;
  int rc = TH_OK;
  th__lb_clear_errors();
  for (res->steps = 1; res->steps <= step_bound(pair, &o); res->steps++) {
    int prog = step(pair, 1);
    res->kind[0] = pair->kind[0];
    res->kind[1] = pair->kind[1];
    if (prog < 0) {
      res->side = pair->fail_side;
      return res->status = prog;
    }
    for (int side = 0; side < 2; side++) {
      if (stop_here(pair, &o, side)) {
        res->stopped = 1;
        res->side = side;
        return res->status = TH_OK;
      }
    }
    if (pair->kind[0] == TH_OK && pair->kind[1] == TH_OK) return res->status = TH_OK;
    if (prog == 0) {
      res->side = pair->kind[TH_LOOPBACK_CLIENT] != TH_OK ? TH_LOOPBACK_CLIENT : TH_LOOPBACK_SERVER;
      return res->status = th__lb_stall(pair, "handshake");
    }
  }
  rc = th__lb_stall(pair, "handshake (step limit)");
  return res->status = rc;
}

int th_loopback_handshake(th_loopback_pair *pair) { return th_loopback_drive(pair, NULL, NULL); }
