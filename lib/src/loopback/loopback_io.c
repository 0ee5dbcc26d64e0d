/* loopback_io.c — application data over a pair: interact, send / expect,
 * tickets, resumption, shutdown and renegotiation. Every loop here is
 * bounded by progress (see loopback_driver.c), never by time. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "loopback_internal.h"

#define LB_MAX_ROUNDS 100000

static int is_want_io(int k) { return k == TH_ERR_WANT_READ || k == TH_ERR_WANT_WRITE; }

/* A side whose connection broke keeps returning why (after the data it
 * read before the damage), rather than OpenSSL's later, vaguer errors. */
static int failed(th_loopback_pair *pair, int side) { return th__lb_failed(pair, side); }

/* Reads what side can read now into pair->rx[side]. quiet_eof: the
 * peer's close_notify is expected (shutdown), so TH_ERR_ZERO_RETURN comes
 * back without an error record (formatting one costs more than the read). */
static int read_rx_loop(th_loopback_pair *pair, int side, int quiet_eof) {
  unsigned char buf[16384];
  SSL *ssl = pair->ssl[side];
  for (;;) {
    th__lb_io_begin();
    int r = SSL_read(ssl, buf, sizeof buf);
    if (r > 0) {
      int rc = th__lb_buf_add(&pair->rx[side], buf, (size_t)r);
      if (rc != TH_OK) return rc;
      continue;
    }
    const th_connection *conn;
    if (quiet_eof && SSL_get_error(ssl, r) == SSL_ERROR_ZERO_RETURN &&
        ((conn = th__conn_from_ssl(ssl)) == NULL || !conn->cb_failed)) {
      pair->sslerr[side] = SSL_ERROR_ZERO_RETURN;
      return TH_ERR_ZERO_RETURN;
    }
    int k = th__lb_map_error(pair, side, r, "read");
    if (is_want_io(k)) return TH_OK;
    if (k != TH_ERR_ZERO_RETURN) th__lb_fail(pair, side);
    return k;
  }
}

/* read_rx: the reads, refused from inside a callback of the side's own
 * Connection (OpenSSL is not re-entrant), and once the pair lost bytes on
 * its data path (every loop below reads each round, so that one check
 * reports the loss; the paths that may skip a read check themselves). */
static int read_rx(th_loopback_pair *pair, int side, int quiet_eof) {
  int rc = failed(pair, side);
  if (rc == TH_OK) rc = th__lb_lost(pair); /* what it would read may be incomplete */
  if (rc != TH_OK) return rc;
  if ((rc = th__ssl_enter(pair->ssl[side], "loopback read")) != TH_OK) return rc;
  rc = read_rx_loop(pair, side, quiet_eof);
  th__ssl_leave(pair->ssl[side]);
  return rc;
}

int th__lb_read_into_rx(th_loopback_pair *pair, int side) { return read_rx(pair, side, 0); }

/* Whether a read on side can do anything: bytes (or end-of-file) on the
 * way to it, a record already buffered, or a handshake still running.
 * Skipping the others saves an SSL_read that could only say WANT_READ. */
static int worth_reading(th_loopback_pair *pair, int side) {
  SSL *ssl = pair->ssl[side];
  const lb_dir *in = &pair->dir[!side];
  return pair->failed[side] || in->closing || in->closed || th__lb_in_flight(pair, !side) > 0 ||
         SSL_has_pending(ssl) || !SSL_is_init_finished(ssl) || SSL_renegotiate_pending(ssl);
}

static th_bytes *take_rx(th_loopback_pair *pair, int side, size_t max) {
  lb_buf *b = &pair->rx[side];
  size_t n = b->len < max ? b->len : max;
  th_bytes *out = th_bytes_new(b->data, n);
  if (out != NULL) th__lb_buf_drop(b, n);
  return out;
}

int th_loopback_interact(th_loopback_pair *pair, int *side, th_bytes **data) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(side);
  TH_CHECK_ARG(data);
  *side = -1;
  *data = NULL;
  th__lb_clear_errors();
  for (int round = 0; round < LB_MAX_ROUNDS; round++) {
    unsigned long long before = th__lb_progress(pair);
    /* As pyOpenSSL: try to read on each side (which also runs the
     * handshake), then move bytes; stop when one side has data. */
    for (int s = 0; s < 2; s++) {
      if (pair->rx[s].len == 0) {
        int rc = th__lb_read_into_rx(pair, s);
        if (rc != TH_OK) return rc;
      }
      if (pair->rx[s].len > 0) {
        if ((*data = take_rx(pair, s, 65536)) == NULL) return th_error_kind();
        *side = s;
        return TH_OK;
      }
    }
    th_loopback_pump(pair);
    th__lb_refill(pair);
    if (th__lb_idle(pair, before)) return TH_OK; /* None */
  }
  return th__lb_stall(pair, "interact (round limit)");
}

int th_loopback_send(th_loopback_pair *pair, int side, const unsigned char *data, size_t len) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  if (data == NULL && len > 0) return th__err(TH_ERR_TYPE, "%s: data is NULL", __func__);
  if ((rc = failed(pair, side)) != TH_OK) return rc;
  th__lb_clear_errors();
  size_t off = 0;
  for (int round = 0; off < len && round < LB_MAX_ROUNDS; round++) {
    unsigned long long before = th__lb_progress(pair);
    size_t chunk = len - off > INT_MAX ? INT_MAX : len - off;
    th__lb_io_begin();
    int w = SSL_write(pair->ssl[side], data + off, (int)chunk);
    if (w > 0) {
      off += (size_t)w;
      continue;
    }
    int k = th__lb_map_error(pair, side, w, "write");
    if (!is_want_io(k)) return k;
    th_loopback_pump(pair);
    /* The peer buffers what arrives, so a full transport drains. */
    if ((rc = th__lb_read_into_rx(pair, !side)) != TH_OK) return rc;
    th_loopback_pump(pair);
    th__lb_refill(pair);
    if (th__lb_idle(pair, before)) return th__lb_stall(pair, "send");
  }
  th_loopback_pump(pair);
  if ((rc = th__lb_lost(pair)) != TH_OK) return rc;
  return off == len ? TH_OK : th__lb_stall(pair, "send (round limit)");
}

static int compare(th_loopback_pair *pair, int side, const unsigned char *data, size_t len) {
  lb_buf *b = &pair->rx[side];
  for (size_t i = 0; i < len; i++) {
    if (b->data[i] != data[i]) {
      int rc = th__err(TH_ERR_VALUE, "%s: expected %zu bytes; they differ at offset %zu (got 0x%02x, expected 0x%02x)",
                       th__lb_side_name(side), len, i, b->data[i], data[i]);
      th__lb_buf_drop(b, len);
      return rc;
    }
  }
  th__lb_buf_drop(b, len);
  return TH_OK;
}

int th_loopback_expect(th_loopback_pair *pair, int side, const unsigned char *data, size_t len) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  if (data == NULL && len > 0) return th__err(TH_ERR_TYPE, "%s: data is NULL", __func__);
  th__lb_clear_errors();
  for (int round = 0; round < LB_MAX_ROUNDS; round++) {
    if (pair->rx[side].len >= len) return compare(pair, side, data, len);
    unsigned long long before = th__lb_progress(pair);
    if ((rc = th__lb_read_into_rx(pair, side)) != TH_OK) {
      if (pair->rx[side].len >= len) return compare(pair, side, data, len);
      th_error rec = *th_error_last();
      snprintf(rec.message, sizeof rec.message, "%s expected %zu bytes, got %zu: %.180s",
               th__lb_side_name(side), len, pair->rx[side].len, th_error_last()->message);
      th__err_set_record(&rec);
      return rc;
    }
    th_loopback_pump(pair);
    th__lb_refill(pair);
    if (pair->rx[side].len < len && th__lb_idle(pair, before)) {
      char what[96];
      snprintf(what, sizeof what, "%s expected %zu bytes, got %zu:", th__lb_side_name(side), len,
               pair->rx[side].len);
      return th__lb_stall(pair, what);
    }
  }
  return th__lb_stall(pair, "expect (round limit)");
}

th_bytes *th_loopback_recv(th_loopback_pair *pair, int side) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_check_side(side, __func__) != TH_OK) return NULL;
  th__lb_clear_errors();
  th_loopback_pump(pair);
  if (th__lb_read_into_rx(pair, side) != TH_OK) return NULL;
  return take_rx(pair, side, SIZE_MAX);
}

int th_loopback_flush_tickets(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  /* Client, server, client: the server's tickets, then anything the
   * client answered (e.g. a KeyUpdate), then the server's reply. */
  static const int order[3] = {TH_LOOPBACK_CLIENT, TH_LOOPBACK_SERVER, TH_LOOPBACK_CLIENT};
  th__lb_clear_errors();
  for (int i = 0; i < 3; i++) {
    th_loopback_pump(pair);
    if (!worth_reading(pair, order[i])) continue;
    int rc = th__lb_read_into_rx(pair, order[i]);
    if (rc != TH_OK) return rc;
  }
  th_loopback_pump(pair);
  int lost = th__lb_lost(pair);
  return lost != TH_OK ? lost : pair->tickets;
}

int th_loopback_resume(th_loopback_pair *pair, th_loopback_pair **out) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(out);
  *out = NULL;
  int rc = th_loopback_flush_tickets(pair);
  if (rc < 0) return rc;
  SSL *c = pair->ssl[TH_LOOPBACK_CLIENT];
  SSL_SESSION *sess = SSL_get1_session(c);
  if (sess == NULL || !SSL_SESSION_is_resumable(sess)) {
    SSL_SESSION_free(sess);
    return th__err(TH_ERR_VALUE, "%s: the client holds no resumable session (no ticket, no session id?)", __func__);
  }
  th_loopback_pair *np = th_loopback_pair_new_raw(pair->sctx[TH_LOOPBACK_SERVER],
                                                  pair->sctx[TH_LOOPBACK_CLIENT], pair->transport);
  if (np == NULL) {
    SSL_SESSION_free(sess);
    return th_error_kind();
  }
  for (int i = 0; i < 2; i++) {
    SSL_set_min_proto_version(np->ssl[i], SSL_get_min_proto_version(pair->ssl[i]));
    SSL_set_max_proto_version(np->ssl[i], SSL_get_max_proto_version(pair->ssl[i]));
  }
  if (pair->observe != 0 && (rc = th_loopback_pair_observe(np, pair->observe)) != TH_OK) {
    SSL_SESSION_free(sess);
    th_loopback_pair_free(np);
    return rc;
  }
  int set = SSL_set_session(np->ssl[TH_LOOPBACK_CLIENT], sess);
  SSL_SESSION_free(sess);
  if (!set) {
    th_loopback_pair_free(np);
    return th__err_ossl(TH_ERR_SSL, "%s: SSL_set_session failed", __func__);
  }
  if ((rc = th_loopback_handshake(np)) != TH_OK) {
    th_loopback_pair_free(np);
    return rc;
  }
  *out = np;
  int cr = SSL_session_reused(np->ssl[TH_LOOPBACK_CLIENT]);
  int sr = SSL_session_reused(np->ssl[TH_LOOPBACK_SERVER]);
  if (!cr || !sr)
    return th__err(TH_ERR_VALUE, "%s: the client %s the session, the server %s it", __func__,
                   cr ? "reused" : "did not reuse", sr ? "reused" : "did not reuse");
  return TH_OK;
}

#define BOTH (SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)

/* OpenSSL marks close_notify as sent before the transport took it, so a
 * shutdown that wanted to write (a CAP fault) is called again: *again. */
static int shutdown_side(th_loopback_pair *pair, int s, int first, int *again) {
  SSL *ssl = pair->ssl[s];
  int st = SSL_get_shutdown(ssl);
  if ((!(st & SSL_SENT_SHUTDOWN) && (s == first || (st & SSL_RECEIVED_SHUTDOWN))) || *again) {
    th__lb_io_begin();
    int r = SSL_shutdown(ssl);
    *again = 0;
    if (r < 0) {
      int k = th__lb_map_error(pair, s, r, "shutdown");
      if (!is_want_io(k)) return k;
      *again = k == TH_ERR_WANT_WRITE;
    }
  }
  if (!(SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) && worth_reading(pair, s)) {
    int k = read_rx(pair, s, 1);
    if (k != TH_OK && k != TH_ERR_ZERO_RETURN) return k;
  }
  return TH_OK;
}

int th_loopback_shutdown(th_loopback_pair *pair, int first_side) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(first_side, __func__);
  if (rc != TH_OK) return rc;
  int again[2] = {0, 0};
  th__lb_clear_errors();
  for (int round = 0; round < LB_MAX_ROUNDS; round++) {
    unsigned long long before = th__lb_progress(pair);
    int st_before = SSL_get_shutdown(pair->ssl[0]) * 4 + SSL_get_shutdown(pair->ssl[1]);
    if ((rc = shutdown_side(pair, first_side, first_side, &again[first_side])) != TH_OK) return rc;
    if ((rc = shutdown_side(pair, !first_side, first_side, &again[!first_side])) != TH_OK) return rc;
    th_loopback_pump(pair);
    th__lb_refill(pair);
    if ((rc = th__lb_lost(pair)) != TH_OK) return rc;
    int st0 = SSL_get_shutdown(pair->ssl[0]), st1 = SSL_get_shutdown(pair->ssl[1]);
    if (st0 == BOTH && st1 == BOTH) return TH_OK;
    /* A changed shutdown state is progress enough: no counting then. */
    if (st0 * 4 + st1 == st_before && th__lb_idle(pair, before))
      return th__lb_stall(pair, "shutdown");
  }
  return th__lb_stall(pair, "shutdown (round limit)");
}

int th_loopback_renegotiate(th_loopback_pair *pair, int side) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  SSL *ssl = pair->ssl[side];
  if (!SSL_is_init_finished(pair->ssl[0]) || !SSL_is_init_finished(pair->ssl[1]))
    return th__err(TH_ERR_VALUE, "%s: the handshake has not finished yet", __func__);
  if (SSL_version(ssl) >= TLS1_3_VERSION)
    return th__err(TH_ERR_UNSUPPORTED, "%s: TLS 1.3 has no renegotiation", __func__);
  if (!pair->count_server) {
    pair->count_server = 1;
    th__lb_info_install(pair);
  }
  int done0 = pair->hs_done[0], done1 = pair->hs_done[1];
  ERR_clear_error();
  if (!SSL_renegotiate(ssl))
    return th__err_ossl(TH_ERR_SSL, "%s: the %s cannot start a renegotiation", __func__,
                        th__lb_side_name(side));
  for (int round = 0; round < LB_MAX_ROUNDS; round++) {
    unsigned long long before = th__lb_progress(pair);
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(ssl);
    pair->kind[side] = r == 1 ? TH_OK : th__lb_map_error(pair, side, r, "renegotiation");
    if (pair->kind[side] != TH_OK && !is_want_io(pair->kind[side])) {
      th__lb_fail(pair, side); /* as a failed read: later calls keep this error */
      th_loopback_pump(pair);  /* deliver the alert */
      return pair->kind[side];
    }
    th_loopback_pump(pair);
    /* The peer meets the HelloRequest / ClientHello in its read; a server
     * that sent a HelloRequest meets the client's ClientHello in its. */
    if ((rc = th__lb_read_into_rx(pair, !side)) != TH_OK) return rc;
    th_loopback_pump(pair);
    if ((rc = th__lb_read_into_rx(pair, side)) != TH_OK) return rc;
    th_loopback_pump(pair);
    if (pair->hs_done[0] > done0 && pair->hs_done[1] > done1 && !SSL_renegotiate_pending(ssl) &&
        SSL_is_init_finished(pair->ssl[0]) && SSL_is_init_finished(pair->ssl[1]))
      return TH_OK;
    if (th__lb_idle(pair, before)) return th__lb_stall(pair, "renegotiation");
  }
  return th__lb_stall(pair, "renegotiation (round limit)");
}
