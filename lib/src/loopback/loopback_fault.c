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
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

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

size_t th__lb_flush_queue(th_loopback_pair *pair, int from) {
  lb_dir *d = &pair->dir[from];
  size_t moved = 0;
  while (d->queue.len > 0) {
    int w = BIO_write(pair->out[from], d->queue.data, (int)(d->queue.len > 65536 ? 65536 : d->queue.len));
    if (w <= 0) break;
    th__lb_buf_drop(&d->queue, (size_t)w);
    moved += (size_t)w;
  }
  d->progress += moved;
  th__lb_apply_eof(pair, from);
  return moved;
}

static void emit(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_dir *d = &pair->dir[from];
  if (n == 0 || d->closing) return;
  if (pair->obs != NULL) th__lb_wire_log(pair, from, p, n);
  d->wired += n;
  size_t done = 0;
  if (d->queue.len == 0) { /* the common case writes straight through */
    int w = BIO_write(pair->out[from], p, (int)n);
    if (w > 0) done = (size_t)w;
  }
  th__lb_buf_add(&d->queue, p + done, n - done);
}

static int has_record_faults(lb_dir *d) {
  for (size_t i = 0; i < d->nfaults; i++)
    if (d->faults[i].f.kind >= TH_LOOPBACK_FAULT_DROP_RECORD &&
        d->faults[i].f.kind != TH_LOOPBACK_FAULT_INJECT)
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
      th__lb_buf_add(&d->held, r, n);
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
  th__lb_buf_add(&d->rec, p, n);
  while (d->rec.len >= 5) {
    size_t rl = 5 + (((size_t)d->rec.data[3] << 8) | d->rec.data[4]);
    if (d->rec.len < rl) break;
    record_out(pair, from, d->rec.data, rl);
    th__lb_buf_drop(&d->rec, rl);
  }
}

/* Byte faults over the chunk [off, off + n) of the sender's stream. */
void th__lb_bytes_in(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_dir *d = &pair->dir[from];
  unsigned long long off = d->written;
  unsigned char *copy = NULL;
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (f->fired || f->f.at < off || f->f.at >= off + n) continue;
    size_t k = (size_t)(f->f.at - off);
    if (f->f.kind == TH_LOOPBACK_FAULT_FLIP_BIT) {
      if (copy == NULL && (copy = th__malloc(n)) != NULL) memcpy(copy, p, n);
      if (copy == NULL) continue;
      copy[k] ^= (unsigned char)(1u << f->f.n);
      f->fired = 1;
      th__lb_note(pair, from, "fault: flipped bit %zu of byte %zu", f->f.n, f->f.at);
    }
  }
  const unsigned char *src = copy ? copy : p;
  size_t pos = 0;
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (f->fired || f->f.at < off || f->f.at >= off + n) continue;
    size_t k = (size_t)(f->f.at - off);
    if (f->f.kind == TH_LOOPBACK_FAULT_INJECT && k >= pos) {
      records_in(pair, from, src + pos, k - pos);
      pos = k;
      f->fired = 1;
      th__lb_note(pair, from, "fault: injected %zu bytes before byte %zu", f->f.len, f->f.at);
      records_in(pair, from, f->data, f->f.len);
    } else if (f->f.kind == TH_LOOPBACK_FAULT_TRUNCATE && k >= pos) {
      records_in(pair, from, src + pos, k - pos);
      f->fired = 1;
      th__lb_note(pair, from, "fault: truncated the stream at byte %zu", f->f.at);
      d->closing = 1;
      pos = n;
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
