/* loopback_fault.c — the BIO each SSL of a pair reads and writes through,
 * and the faults it applies.
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

static lb_fault *find(lb_dir *d, int kind) {
  for (size_t i = 0; i < d->nfaults; i++)
    if (d->faults[i].f.kind == kind) return &d->faults[i];
  return NULL;
}

/* A RETRY fault: fail n times, then let one I/O through and re-arm. */
static int retry_now(lb_dir *d) {
  lb_fault *f = find(d, TH_LOOPBACK_FAULT_RETRY);
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
  lb_fault *c = find(d, TH_LOOPBACK_FAULT_CLOSE);
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
static void bytes_in(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_dir *d = &pair->dir[from];
  unsigned long long off = d->written;
  unsigned char *copy = NULL;
  for (size_t i = 0; i < d->nfaults; i++) {
    lb_fault *f = &d->faults[i];
    if (f->fired || f->f.at < off || f->f.at >= off + n) continue;
    size_t k = (size_t)(f->f.at - off);
    if (f->f.kind == TH_LOOPBACK_FAULT_FLIP_BIT) {
      if (copy == NULL && (copy = malloc(n)) != NULL) memcpy(copy, p, n);
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
  free(copy);
}

/* ---- the BIO ------------------------------------------------------------------ */

static int end_write(BIO *b, const char *buf, int len) {
  lb_end *e = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (e == NULL) return -1; /* the pair is gone */
  th_loopback_pair *pair = e->pair;
  lb_dir *d = &pair->dir[e->side];
  if (len <= 0) return 0;
  if (d->nfaults == 0 && d->queue.len == 0 && !d->closing && pair->obs == NULL &&
      pair->fd[e->side] < 0) {
    /* The lean path: a memory transport (it takes everything), no fault,
     * nothing queued or observed. */
    int w = BIO_write(pair->out[e->side], buf, len);
    if (w <= 0) {
      if (BIO_should_retry(pair->out[e->side])) BIO_set_retry_write(b);
      return w;
    }
    d->written += (size_t)w;
    d->wired += (size_t)w;
    d->progress += (size_t)w;
    return w;
  }
  th__lb_flush_queue(pair, e->side);
  size_t n = (size_t)len;
  /* Back-pressure: a transport that stopped taking bytes stops the writer. */
  if (d->queue.len >= 65536 || retry_now(d)) {
    BIO_set_retry_write(b);
    return -1;
  }
  if (find(d, TH_LOOPBACK_FAULT_CAP) != NULL) {
    if (d->write_budget == 0) {
      BIO_set_retry_write(b);
      return -1;
    }
    if (n > d->write_budget) n = d->write_budget;
    d->write_budget -= n;
  }
  if (!d->closing) bytes_in(pair, e->side, (const unsigned char *)buf, n);
  d->written += n;
  d->progress += n;
  th__lb_apply_eof(pair, e->side);
  return (int)n;
}

static size_t readable(th_loopback_pair *pair, int side) {
  if (pair->fd[side] >= 0) {
    int avail = 0;
    return ioctl(pair->fd[side], FIONREAD, &avail) == 0 && avail > 0 ? (size_t)avail : 0;
  }
  return BIO_ctrl_pending(pair->in[side]);
}

static int end_read(BIO *b, char *buf, int len) {
  lb_end *e = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (e == NULL) return -1; /* the pair is gone */
  th_loopback_pair *pair = e->pair;
  lb_dir *d = &pair->dir[!e->side]; /* the peer's direction brings our bytes */
  if (len <= 0) return 0;
  if (d->nfaults > 0 || d->queue.len > 0 || (d->closing && !d->closed))
    th__lb_flush_queue(pair, !e->side);
  if (d->nfaults > 0) {
    if (readable(pair, e->side) > 0 && retry_now(d)) {
      BIO_set_retry_read(b);
      return -1;
    }
    if (find(d, TH_LOOPBACK_FAULT_FRAGMENT) != NULL) {
      if (d->read_budget == 0) {
        BIO_set_retry_read(b);
        return -1;
      }
      if ((size_t)len > d->read_budget) len = (int)d->read_budget;
    }
  }
  int r = BIO_read(pair->in[e->side], buf, len);
  if (r > 0) {
    if (d->read_budget >= (size_t)r) d->read_budget -= (size_t)r;
    d->progress += (size_t)r;
  } else if (BIO_should_retry(pair->in[e->side])) {
    BIO_set_retry_read(b);
  }
  return r;
}

static long end_ctrl(BIO *b, int cmd, long num, void *ptr) {
  lb_end *e = BIO_get_data(b);
  if (e == NULL) return 0;
  th_loopback_pair *pair = e->pair;
  switch (cmd) {
  case BIO_CTRL_FLUSH: /* memory BIOs and sockets need no flush themselves */
    if (pair->dir[e->side].queue.len > 0 || pair->dir[e->side].closing)
      th__lb_flush_queue(pair, e->side);
    return 1;
  case BIO_CTRL_PENDING:
    return (long)readable(pair, e->side);
  case BIO_CTRL_WPENDING:
    return (long)(pair->dir[e->side].queue.len + BIO_ctrl_wpending(pair->out[e->side]));
  case BIO_CTRL_EOF:
    return BIO_eof(pair->in[e->side]);
  default:
    return 0;
  }
}

static int end_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

static int end_destroy(BIO *b) {
  BIO_set_data(b, NULL); /* the data lives in the pair */
  return 1;
}

static CRYPTO_ONCE method_once = CRYPTO_ONCE_STATIC_INIT;
static BIO_METHOD *end_method;
static int end_type = -1;

static void make_method(void) {
  int type = BIO_get_new_index();
  if (type == -1) return;
  end_type = type | BIO_TYPE_SOURCE_SINK;
  end_method = BIO_meth_new(end_type, "tlsharness loopback end");
  if (end_method == NULL) return;
  BIO_meth_set_write(end_method, end_write);
  BIO_meth_set_read(end_method, end_read);
  BIO_meth_set_ctrl(end_method, end_ctrl);
  BIO_meth_set_create(end_method, end_create);
  BIO_meth_set_destroy(end_method, end_destroy);
}

BIO *th__lb_end_bio_new(th_loopback_pair *pair, int side) {
  CRYPTO_THREAD_run_once(&method_once, make_method);
  if (end_method == NULL) return NULL;
  BIO *b = BIO_new(end_method);
  if (b == NULL) return NULL;
  lb_end *e = &pair->end_data[side];
  e->pair = pair;
  e->side = side;
  e->magic = LB_END_MAGIC;
  BIO_set_data(b, e);
  return b;
}

const lb_end *th__lb_end_of(const SSL *ssl) {
  BIO *b = ssl != NULL ? SSL_get_rbio(ssl) : NULL;
  if (b == NULL) return NULL;
  const lb_end *e = NULL;
  if (end_method != NULL && BIO_method_type(b) == end_type)
    e = BIO_get_data(b);
  else if (BIO_method_type(b) == BIO_TYPE_MEM &&
           BIO_get_callback_ex(b) == NULL)
    e = (const lb_end *)BIO_get_callback_arg(b); /* a lean pair's memory BIO */
  if (e == NULL || e->magic != LB_END_MAGIC || e->pair->ssl[e->side] != ssl) return NULL;
  return e;
}

int th__lb_engage(th_loopback_pair *pair) {
  if (pair->end[0] != NULL) return TH_OK;
  BIO *e[2] = {th__lb_end_bio_new(pair, 0), th__lb_end_bio_new(pair, 1)};
  if (e[0] == NULL || e[1] == NULL) {
    BIO_free(e[0]);
    BIO_free(e[1]);
    return th__err_ossl(TH_ERR_NOMEM, "loopback: cannot make the end BIOs");
  }
  for (int i = 0; i < 2; i++) {
    lb_dir *d = &pair->dir[i];
    /* What the side wrote while lean went straight onto the transport. */
    d->written = d->wired = BIO_number_written(pair->out[i]);
    d->records_unknown = d->written > 0;
    SSL_set_bio(pair->ssl[i], e[i], e[i]); /* drops the SSL's references to in/out */
    pair->end[i] = e[i];
  }
  return TH_OK;
}

/* ---- budgets and the fault list --------------------------------------------------- */

void th__lb_refill(th_loopback_pair *pair) {
  for (int i = 0; i < 2; i++) {
    lb_fault *c = find(&pair->dir[i], TH_LOOPBACK_FAULT_CAP);
    lb_fault *f = find(&pair->dir[i], TH_LOOPBACK_FAULT_FRAGMENT);
    pair->dir[i].write_budget = c ? c->f.n : 0;
    pair->dir[i].read_budget = f ? f->f.n : 0;
  }
}

void th__lb_faults_free(lb_dir *d) {
  for (size_t i = 0; i < d->nfaults; i++) free(d->faults[i].data);
  d->nfaults = 0;
  free(d->faults);
  d->faults = NULL;
  th__lb_buf_free(&d->rec);
  th__lb_buf_free(&d->held);
  th__lb_buf_free(&d->queue);
}

static int check_fault(const th_loopback_fault *f) {
  if (f->kind < TH_LOOPBACK_FAULT_FRAGMENT || f->kind > TH_LOOPBACK_FAULT_CLOSE)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: unknown fault kind %d", f->kind);
  int rc = th__lb_check_side(f->from, "th_loopback_pair_add_fault");
  if (rc != TH_OK) return rc;
  int k = f->kind;
  if (f->n == 0 && (k == TH_LOOPBACK_FAULT_FRAGMENT || k == TH_LOOPBACK_FAULT_CAP ||
                    (k >= TH_LOOPBACK_FAULT_DROP_RECORD && k <= TH_LOOPBACK_FAULT_REORDER_RECORD)))
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: n must be at least 1 for this kind");
  if (k == TH_LOOPBACK_FAULT_FLIP_BIT && f->n > 7)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: bit %zu is not 0..7", f->n);
  if (k == TH_LOOPBACK_FAULT_INJECT && f->data == NULL)
    return th__err(TH_ERR_TYPE, "th_loopback_pair_add_fault: INJECT data is NULL");
  if (k == TH_LOOPBACK_FAULT_INJECT && f->len == 0)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: INJECT len is 0");
  return TH_OK;
}

int th_loopback_pair_add_fault(th_loopback_pair *pair, const th_loopback_fault *fault) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(fault);
  int rc = check_fault(fault);
  if (rc != TH_OK) return rc;
  lb_dir *d = &pair->dir[fault->from];
  if (d->nfaults >= TH_LOOPBACK_MAX_FAULTS)
    return th__err(TH_ERR_INDEX, "th_loopback_pair_add_fault: already %d faults in this direction",
                   TH_LOOPBACK_MAX_FAULTS);
  int k = fault->kind;
  int by_record = (k >= TH_LOOPBACK_FAULT_DROP_RECORD && k <= TH_LOOPBACK_FAULT_REORDER_RECORD) ||
                  (k == TH_LOOPBACK_FAULT_CLOSE && fault->n > 0);
  if (by_record && (d->records_unknown ||
                    (pair->end[0] == NULL && BIO_number_written(pair->out[fault->from]) > 0)))
    return th__err(TH_ERR_VALUE,
                   "th_loopback_pair_add_fault: this pair observed nothing while the %s sent "
                   "records, so record numbers are unknown; add record faults before the "
                   "conversation or observe TH_LOOPBACK_OBSERVE_TRANSCRIPT",
                   th__lb_side_name(fault->from));
  if ((rc = th__lb_engage(pair)) != TH_OK) return rc;
  if (d->faults == NULL && (d->faults = calloc(TH_LOOPBACK_MAX_FAULTS, sizeof *d->faults)) == NULL)
    return th__err(TH_ERR_NOMEM, "th_loopback_pair_add_fault: out of memory");
  lb_fault *f = &d->faults[d->nfaults];
  memset(f, 0, sizeof *f);
  f->f = *fault;
  if (fault->kind == TH_LOOPBACK_FAULT_INJECT) {
    if ((f->data = malloc(fault->len)) == NULL)
      return th__err(TH_ERR_NOMEM, "th_loopback_pair_add_fault: out of memory");
    memcpy(f->data, fault->data, fault->len);
  }
  f->f.data = NULL;
  f->left = fault->n;
  d->nfaults++;
  if (fault->kind == TH_LOOPBACK_FAULT_CLOSE && fault->n == 0) {
    f->fired = 1;
    th__lb_note(pair, fault->from, "fault: closed before any record");
    d->closing = 1;
    th__lb_apply_eof(pair, fault->from);
  }
  th__lb_refill(pair);
  return TH_OK;
}

int th_loopback_pair_clear_faults(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  for (int i = 0; i < 2; i++) {
    lb_dir *d = &pair->dir[i];
    /* Release what record faults held, in order, before forgetting them. */
    if (d->held.len > 0) emit(pair, i, d->held.data, d->held.len);
    if (d->rec.len > 0) emit(pair, i, d->rec.data, d->rec.len);
    d->held.len = d->rec.len = 0;
    for (size_t k = 0; k < d->nfaults; k++) free(d->faults[k].data);
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
