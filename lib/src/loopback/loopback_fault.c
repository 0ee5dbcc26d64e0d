/* loopback_fault.c — the faults a pair applies to the bytes and records
 * its SSLs write, end-of-file on the transports, and the queues of bytes a
 * transport has not taken yet. The end BIO that calls into this file is in
 * loopback_wire.c.
 *
 * Every SSL of a pair uses one "end" BIO for both directions: writes go,
 * after the sender's direction's faults, to the transport's out BIO (a
 * memory BIO, a BIO-pair end or a socket); reads come from the in BIO,
 * limited by the faults of the peer's direction. Putting faults here, not in
 * the pump, makes them work on every transport, and lets the same BIO count
 * progress for the stall detector. Bytes the transport cannot take yet (a
 * full BIO pair or socket) wait in the direction's queue: they are "in
 * flight" for the stall message. */
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "loopback_internal.h"

lb_fault *th__lb_fault_find(lb_dir *d, int kind) {
  for (size_t i = 0; i < d->nfaults; i++)
    if (d->faults[i].f.kind == kind) return &d->faults[i];
  return NULL;
}

/* A RETRY fault: fail n times, then let one I/O through and re-arm. */
int th__lb_retry_now(lb_dir *d) {
  lb_fault *f = th__lb_fault_find(d, TH_LOOPBACK_FAULT_RETRY);
  if (f == NULL || f->f.n == 0) return 0;
  if (f->left > 0) {
    f->left--;
    d->progress++;
    return 1;
  }
  f->left = f->f.n;
  return 0;
}

/* ---- emitting bytes onto the transport ---------------------------------------- */

void th__lb_apply_eof(th_loopback_pair *pair, int from) {
  lb_dir *d = &pair->dir[from];
  if (!d->closing || d->closed || d->queue.len > 0) return;
  int to = !from;
  switch (pair->transport) {
  case TH_LOOPBACK_PUMP:
    /* Only once everything written has been moved to the receiver. */
    if (BIO_ctrl_pending(pair->out[from]) > 0) return;
    BIO_set_mem_eof_return(pair->in[to], 0);
    break;
  case TH_LOOPBACK_DIRECT:
    /* The receiver reads what is left, then end-of-file. */
    BIO_set_mem_eof_return(pair->out[from], 0);
    break;
  default:
    shutdown(pair->fd[from], SHUT_WR);
    break;
  }
  d->closed = 1;
  th__lb_wire_fin(pair, from);
}

unsigned long long th__lb_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

size_t th__lb_paced(th_loopback_pair *pair, int from) {
  if (pair->fd[from] < 0 || pair->app_side != !from || pair->ssl[!from] != NULL) return 0;
  lb_fault *f = th__lb_fault_find(&pair->dir[from], TH_LOOPBACK_FAULT_FRAGMENT);
  return f != NULL ? f->f.n : 0;
}

size_t th__lb_flush_queue(th_loopback_pair *pair, int from) {
  lb_dir *d = &pair->dir[from];
  size_t moved = 0;
  if (d->stalling) {
    if (th__lb_now_ms() < d->stall_until) return 0;
    d->stalling = 0;
    th__lb_note(pair, from, "fault: the stall ended, %zu bytes resume", d->queue.len);
  }
  size_t pace = th__lb_paced(pair, from);
  while (d->queue.len > 0) {
    size_t chunk = d->queue.len > 65536 ? 65536 : d->queue.len;
    if (pace > 0) {
      /* One piece at a time, once the application has read the last one
       * (SIOCOUTQ: bytes the receiver has not read yet, AF_UNIX). */
      int unread = 0;
      if (ioctl(pair->fd[from], SIOCOUTQ, &unread) != 0 || unread > 0) break;
      if (chunk > pace) chunk = pace;
    }
    int w = BIO_write(pair->out[from], d->queue.data, (int)chunk);
    if (w <= 0) break;
    th__lb_buf_drop(&d->queue, (size_t)w);
    moved += (size_t)w;
    if (pace > 0) break;
  }
  d->progress += moved;
  th__lb_apply_eof(pair, from);
  return moved;
}

static void emit(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_dir *d = &pair->dir[from];
  if (n == 0 || d->closing || d->silent) return;
  if (pair->obs != NULL) th__lb_wire_log(pair, from, p, n);
  d->wired += n;
  size_t done = 0;
  if (d->queue.len == 0 && !d->stalling && th__lb_paced(pair, from) == 0) {
    /* the common case writes straight through */
    int w = BIO_write(pair->out[from], p, (int)n);
    if (w > 0) done = (size_t)w;
  }
  TH__LB_ADD(pair, &d->queue, p + done, n - done);
}

static int has_record_faults(lb_dir *d) {
  for (size_t i = 0; i < d->nfaults; i++)
    if ((d->faults[i].f.kind >= TH_LOOPBACK_FAULT_DROP_RECORD &&
         d->faults[i].f.kind <= TH_LOOPBACK_FAULT_REORDER_RECORD) ||
        d->faults[i].f.kind == TH_LOOPBACK_FAULT_CLOSE)
      return 1;
  return 0;
}

/* One whole record of the direction, after byte faults. */
static void record_out(th_loopback_pair *pair, int from, const unsigned char *r, size_t n) {
  lb_dir *d = &pair->dir[from];
  unsigned long no = ++d->records;
  int hold = 0;
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (f->fired || f->f.n != no) continue;
    switch (f->f.kind) {
    case TH_LOOPBACK_FAULT_DROP_RECORD:
      f->fired = 1;
      th__lb_note(pair, from, "fault: dropped record %lu (%zu bytes)", no, n);
      return;
    case TH_LOOPBACK_FAULT_DUP_RECORD:
      f->fired = 1;
      th__lb_note(pair, from, "fault: duplicated record %lu (%zu bytes)", no, n);
      emit(pair, from, r, n);
      break;
    case TH_LOOPBACK_FAULT_REORDER_RECORD:
      f->fired = 1;
      th__lb_note(pair, from, "fault: holding record %lu (%zu bytes) until the next one", no, n);
      TH__LB_ADD(pair, &d->held, r, n);
      hold = 1;
      break;
    default:
      break;
    }
  }
  if (!hold) {
    emit(pair, from, r, n);
    if (d->held.len > 0) { /* the reordered record goes after this one */
      emit(pair, from, d->held.data, d->held.len);
      d->held.len = 0;
    }
  }
  lb_fault *c = th__lb_fault_find(d, TH_LOOPBACK_FAULT_CLOSE);
  if (c != NULL && !c->fired && c->f.n == no) {
    c->fired = 1;
    th__lb_note(pair, from, "fault: closed after record %lu", no);
    d->closing = 1;
  }
}

static void records_in(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_dir *d = &pair->dir[from];
  if (!has_record_faults(d)) {
    emit(pair, from, p, n);
    return;
  }
  TH__LB_ADD(pair, &d->rec, p, n);
  while (d->rec.len >= 5) {
    size_t rl = 5 + (((size_t)d->rec.data[3] << 8) | d->rec.data[4]);
    if (d->rec.len < rl) break;
    record_out(pair, from, d->rec.data, rl);
    th__lb_buf_drop(&d->rec, rl);
  }
}

/* ---- protocol positions ------------------------------------------------------- */

/* A record of the direction starts at byte `start` (its header included)
 * and is `total` bytes long: resolve the positions that lie in it. */
static void record_starts(lb_dir *d, unsigned long no, unsigned long long start, size_t total,
                          unsigned long long now) {
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (!f->pending || f->rec_no != no) continue;
    unsigned long long at = f->rel_end || f->rel >= total ? start + total : start + f->rel;
    f->f.at = (size_t)(at < now ? now : at);
    f->pending = 0;
  }
}

/* The record tracker: follows record boundaries over the chunk
 * [off, off + n) so that record positions become byte offsets before the
 * byte faults look at the chunk. */
static void track(lb_dir *d, const unsigned char *p, size_t n, unsigned long long off) {
  size_t i = 0;
  while (i < n) {
    if (d->trk_left > 0) {
      size_t k = n - i < d->trk_left ? n - i : d->trk_left;
      d->trk_left -= k;
      i += k;
      if (d->trk_left == 0) d->trk_last_end = off + i;
      continue;
    }
    d->trk_hdr[d->trk_hlen++] = p[i++];
    if (d->trk_hlen < 5) continue;
    size_t body = ((size_t)d->trk_hdr[3] << 8) | d->trk_hdr[4];
    d->trk_hlen = 0;
    d->trk_left = body;
    unsigned long long start = off + i - 5;
    record_starts(d, ++d->trk_count, start, body + 5, off);
    if (body == 0) d->trk_last_end = off + i;
  }
}

/* Whether the message callback names this handshake message before the
 * record that carries it is built: OpenSSL 3.2's record layer does so for a
 * KeyUpdate (seen on 3.5 and 3.6, and it reports no header for that
 * record); 3.0 and 3.1 build the record first. */
static int names_before_building(int msg_type) {
  return OpenSSL_version_num() >= 0x30200000L && msg_type == SSL3_MT_KEY_UPDATE;
}

/* The sending SSL's message callback: counts the records it builds and
 * resolves message and application-data positions to record positions. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg) {
  (void)version;
  const lb_end *e = th__lb_end_of(ssl);
  if (!write_p || e == NULL || len == 0) return;
  (void)arg;
  lb_dir *d = &e->pair->dir[e->side];
  const unsigned char *b = buf;
  int appdata = 0; /* the record being built carries application data */
  if (content_type == SSL3_RT_HEADER) {
    d->built++;
    /* TLS 1.3 protected records say their real type in the next call. */
    appdata = b[0] == SSL3_RT_APPLICATION_DATA && SSL_version(ssl) < TLS1_3_VERSION;
  } else if (content_type == SSL3_RT_INNER_CONTENT_TYPE) {
    appdata = b[0] == SSL3_RT_APPLICATION_DATA;
  }
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (!f->pending || f->rec_no != 0) continue;
    if (f->f.position == TH_LOOPBACK_AT_MESSAGE_END && content_type == SSL3_RT_HANDSHAKE &&
        b[0] == f->f.at && names_before_building(b[0])) {
      /* OpenSSL 3.2+ names a KeyUpdate before its record is built, and
       * reports no header for that record: it is the next record to reach
       * the wire. */
      f->rec_no = d->trk_count + 1;
      f->rel_end = 1;
    } else if (f->f.position == TH_LOOPBACK_AT_MESSAGE_END && content_type == SSL3_RT_HANDSHAKE &&
               b[0] == f->f.at) {
      f->rec_no = d->built;
      f->rel_end = 1;
      if (d->trk_count >= d->built) { /* that record already went out */
        f->f.at = (size_t)d->trk_last_end;
        f->pending = 0;
      }
    } else if (f->f.position == TH_LOOPBACK_AT_FIRST_APPDATA && appdata) {
      f->rec_no = d->built;
    }
  }
}

int th__lb_position_check(th_loopback_pair *pair, const th_loopback_fault *f) {
  int k = f->kind, pos = f->position;
  if (pos < TH_LOOPBACK_AT_BYTE || pos > TH_LOOPBACK_AT_FIRST_APPDATA)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: unknown position %d", pos);
  if (pos == TH_LOOPBACK_AT_BYTE) return TH_OK;
  if (k != TH_LOOPBACK_FAULT_TRUNCATE && k != TH_LOOPBACK_FAULT_FLIP_BIT &&
      k != TH_LOOPBACK_FAULT_INJECT && k != TH_LOOPBACK_FAULT_SILENCE &&
      k != TH_LOOPBACK_FAULT_STALL_THEN_RESUME)
    return th__err(TH_ERR_VALUE,
                   "th_loopback_pair_add_fault: fault kind %d takes no position (only TRUNCATE, "
                   "FLIP_BIT, INJECT, SILENCE and STALL_THEN_RESUME do)", k);
  if (pos == TH_LOOPBACK_AT_RECORD_END && f->at == 0)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: AT_RECORD_END counts records from 1");
  if (pos != TH_LOOPBACK_AT_RECORD_END &&
      (pair->ssl[f->from] == NULL || (pair->app_side == f->from && pair->app_foreign)))
    return th__err(TH_ERR_UNSUPPORTED,
                   "th_loopback_pair_add_fault: AT_MESSAGE_END and AT_FIRST_APPDATA read the "
                   "sending SSL's message callback, and the %s's SSL belongs to the application "
                   "(never touched); position faults of its direction with AT_RECORD_END or a "
                   "byte offset (find it in a transcript)", th__lb_side_name(f->from));
  return TH_OK;
}

void th__lb_position_arm(th_loopback_pair *pair, lb_fault *f) {
  int pos = f->f.position;
  if (pos == TH_LOOPBACK_AT_BYTE) return;
  f->pending = 1;
  f->rel = pos == TH_LOOPBACK_AT_FIRST_APPDATA ? f->f.at : 0;
  f->rel_end = pos != TH_LOOPBACK_AT_FIRST_APPDATA;
  f->rec_no = pos == TH_LOOPBACK_AT_RECORD_END ? (unsigned long)f->f.at : 0;
  if (pos != TH_LOOPBACK_AT_RECORD_END) SSL_set_msg_callback(pair->ssl[f->f.from], msg_cb);
}

/* ---- byte faults ------------------------------------------------------------------- */

static const char *pos_kind_text(int kind) {
  return kind == TH_LOOPBACK_FAULT_SILENCE ? "went silent" : "stalled";
}

/* Byte faults over the chunk [off, off + n) of the sender's stream. */
void th__lb_bytes_in(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_dir *d = &pair->dir[from];
  unsigned long long off = d->written;
  unsigned char *copy = NULL;
  if (d->nfaults > 0) track(d, p, n, off);
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (f->fired || f->pending || f->f.at < off || f->f.at >= off + n) continue;
    size_t k = (size_t)(f->f.at - off);
    if (f->f.kind == TH_LOOPBACK_FAULT_FLIP_BIT) {
      if (copy == NULL && (copy = th__malloc(n)) != NULL) memcpy(copy, p, n);
      if (copy == NULL) { /* the fault cannot fire: the next driving call says so */
        pair->lost = 1;
        continue;
      }
      copy[k] ^= (unsigned char)(1u << f->f.n);
      f->fired = 1;
      th__lb_note(pair, from, "fault: flipped bit %zu of byte %zu", f->f.n, f->f.at);
    }
  }
  /* The faults that cut into the chunk, in offset order whatever order
   * they were added in (ties: the order added). */
  lb_fault *due[TH_LOOPBACK_MAX_FAULTS];
  size_t ndue = 0;
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    int k = f->f.kind;
    if (f->fired || f->pending || f->f.at < off || f->f.at >= off + n ||
        (k != TH_LOOPBACK_FAULT_SILENCE && k != TH_LOOPBACK_FAULT_STALL_THEN_RESUME &&
         k != TH_LOOPBACK_FAULT_INJECT && k != TH_LOOPBACK_FAULT_TRUNCATE))
      continue;
    size_t j = ndue++;
    for (; j > 0 && due[j - 1]->f.at > f->f.at; j--) due[j] = due[j - 1];
    due[j] = f;
  }
  const unsigned char *src = copy ? copy : p;
  size_t pos = 0;
  for (size_t i = 0; i < ndue; i++) {
    lb_fault *f = due[i];
    size_t k = (size_t)(f->f.at - off);
    records_in(pair, from, src + pos, k - pos);
    pos = k;
    f->fired = 1;
    if (f->f.kind == TH_LOOPBACK_FAULT_TRUNCATE) {
      th__lb_note(pair, from, "fault: truncated the stream at byte %zu", f->f.at);
      d->closing = 1;
      pos = n; /* the later faults lie beyond the cut: they never fire */
      break;
    }
    if (f->f.kind == TH_LOOPBACK_FAULT_INJECT) {
      th__lb_note(pair, from, "fault: injected %zu bytes before byte %zu", f->f.len, f->f.at);
      records_in(pair, from, f->data, f->f.len);
      continue;
    }
    th__lb_note(pair, from, "fault: %s at byte %zu", pos_kind_text(f->f.kind), f->f.at);
    if (f->f.kind == TH_LOOPBACK_FAULT_SILENCE) {
      d->silent = 1;
    } else {
      d->stalling = 1;
      d->stall_until = th__lb_now_ms() + f->f.n;
    }
  }
  records_in(pair, from, src + pos, n - pos);
  th__free(copy);
}

/* ---- budgets and the fault list --------------------------------------------------- */

void th__lb_refill(th_loopback_pair *pair) {
  for (int i = 0; i < 2; i++) {
    lb_fault *c = th__lb_fault_find(&pair->dir[i], TH_LOOPBACK_FAULT_CAP);
    lb_fault *f = th__lb_fault_find(&pair->dir[i], TH_LOOPBACK_FAULT_FRAGMENT);
    pair->dir[i].write_budget = c ? c->f.n : 0;
    pair->dir[i].read_budget = f ? f->f.n : 0;
  }
}

int th_loopback_pair_clear_faults(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  for (int i = 0; i < 2; i++) {
    lb_dir *d = &pair->dir[i];
    /* Release what record faults held, in order, before forgetting them. */
    if (d->held.len > 0) emit(pair, i, d->held.data, d->held.len);
    if (d->rec.len > 0) emit(pair, i, d->rec.data, d->rec.len);
    d->held.len = d->rec.len = 0;
    for (size_t k = 0; k < d->nfaults; k++) th__free(d->faults[k].data);
    d->nfaults = 0;
    th__lb_flush_queue(pair, i);
  }
  th__lb_refill(pair);
  return TH_OK;
}

int th_loopback_pair_faults_fired(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int n = 0;
  for (int i = 0; i < 2; i++)
    for (size_t k = 0; k < pair->dir[i].nfaults; k++) n += pair->dir[i].faults[k].fired;
  return n;
}
