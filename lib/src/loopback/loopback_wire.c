/* loopback_wire.c — the "end" BIO each SSL of a pair reads and writes
 * through once the pair needs it (faults, the wire log, half-close, socket
 * transports), putting it in place (th__lb_engage), and the two public
 * calls that need it: adding a fault and asking for observation. Above
 * loopback_fault.c and loopback_transcript.c, below the driver. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <openssl/err.h>

#include "loopback_internal.h"

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
  if (d->queue.len >= 65536 || th__lb_retry_now(d)) {
    BIO_set_retry_write(b);
    return -1;
  }
  lb_fault *cap = th__lb_fault_find(d, TH_LOOPBACK_FAULT_CAP);
  if (cap != NULL) {
    if (d->write_budget == 0) { /* the writer is told to retry: its next call gets n more */
      d->write_budget = cap->f.n;
      BIO_set_retry_write(b);
      return -1;
    }
    if (n > d->write_budget) n = d->write_budget;
    d->write_budget -= n;
  }
  if (!d->closing) th__lb_bytes_in(pair, e->side, (const unsigned char *)buf, n);
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

/* What an application writes straight to its socket is seen (transcript,
 * pcap) when the peer's SSL reads it. */
static void log_read(th_loopback_pair *pair, int from, const char *buf, int r) {
  if (pair->ssl[from] != NULL || pair->obs == NULL) return;
  if (r > 0) {
    pair->dir[from].written += (size_t)r;
    pair->dir[from].wired += (size_t)r;
    th__lb_wire_log(pair, from, (const unsigned char *)buf, (size_t)r);
  } else if (r == 0 && !pair->dir[from].closed) {
    pair->dir[from].closed = 1;
    th__lb_wire_fin(pair, from);
  }
}

static int end_read_once(BIO *b, lb_end *e, char *buf, int len);

static int end_read(BIO *b, char *buf, int len) {
  lb_end *e = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (e == NULL) return -1; /* the pair is gone */
  if (len <= 0) return 0;
  th_loopback_pair *pair = e->pair;
  int r = end_read_once(b, e, buf, len);
  if (r < 0 && BIO_should_retry(b) && pair->starve != NULL && e->side == pair->app_side &&
      !pair->in_starve) {
    /* The application found nothing to read: its peer runs, then the read
     * is tried again. OpenSSL's error queue and errno are the
     * application's: the peer's calls leave them as they were. */
    int saved = errno;
    pair->in_starve = 1;
    ERR_set_mark();
    pair->starve(pair->starve_arg);
    ERR_pop_to_mark();
    pair->in_starve = 0;
    errno = saved;
    BIO_clear_retry_flags(b);
    r = end_read_once(b, e, buf, len);
  }
  return r;
}

static int end_read_once(BIO *b, lb_end *e, char *buf, int len) {
  th_loopback_pair *pair = e->pair;
  lb_dir *d = &pair->dir[!e->side]; /* the peer's direction brings our bytes */
  if (d->nfaults > 0 || d->queue.len > 0 || (d->closing && !d->closed))
    th__lb_flush_queue(pair, !e->side);
  if (d->nfaults > 0) {
    if (readable(pair, e->side) > 0 && th__lb_retry_now(d)) {
      BIO_set_retry_read(b);
      return -1;
    }
    lb_fault *frag = th__lb_fault_find(d, TH_LOOPBACK_FAULT_FRAGMENT);
    if (frag != NULL) {
      if (d->read_budget == 0) { /* the reader is told to retry: its next call gets n more */
        d->read_budget = frag->f.n;
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
    return r;
  }
  log_read(pair, !e->side, buf, r);
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

static void make_method(void) {
  int type = BIO_get_new_index();
  if (type == -1) return;
  int end_type = type | BIO_TYPE_SOURCE_SINK;
  end_method = BIO_meth_new(end_type, "tlsharness loopback end");
  if (end_method == NULL) return;
  BIO_meth_set_write(end_method, end_write);
  BIO_meth_set_read(end_method, end_read);
  BIO_meth_set_ctrl(end_method, end_ctrl);
  BIO_meth_set_create(end_method, end_create);
  BIO_meth_set_destroy(end_method, end_destroy);
  /* th__lb_end_of tells our BIOs by it. It reads it without the once (a
   * key-log callback chained on a shared Context runs it in threads whose
   * pairs never made an end BIO), hence the atomic store. */
  __atomic_store_n(&th__lb_end_type, end_type, __ATOMIC_RELEASE);
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

int th__lb_engage(th_loopback_pair *pair) {
  if (pair->end[0] != NULL || pair->end[1] != NULL) return TH_OK;
  BIO *e[2] = {th__lb_end_bio_new(pair, 0), th__lb_end_bio_new(pair, 1)};
  if (e[0] == NULL || e[1] == NULL) {
    BIO_free(e[0]);
    BIO_free(e[1]);
    return th__err_ossl(TH_ERR_NOMEM, "loopback: cannot make the end BIOs");
  }
  for (int i = 0; i < 2; i++) {
    lb_dir *d = &pair->dir[i];
    if (pair->ssl[i] == NULL) { /* an application's own socket: no SSL here */
      BIO_free(e[i]);
      continue;
    }
    /* What the side wrote while lean went straight onto the transport. */
    d->written = d->wired = pair->out[i] != NULL ? BIO_number_written(pair->out[i]) : 0;
    d->records_unknown = d->written > 0;
    SSL_set_bio(pair->ssl[i], e[i], e[i]); /* drops the SSL's references to in/out */
    pair->end[i] = e[i];
  }
  return TH_OK;
}

/* ---- adding faults --------------------------------------------------------------- */

static int check_fault(th_loopback_pair *pair, const th_loopback_fault *f) {
  if (f->kind < TH_LOOPBACK_FAULT_FRAGMENT || f->kind > TH_LOOPBACK_FAULT_STALL_THEN_RESUME)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: unknown fault kind %d", f->kind);
  int rc = th__lb_check_side(f->from, "th_loopback_pair_add_fault");
  if (rc != TH_OK) return rc;
  int k = f->kind;
  if (f->n == 0 && (k == TH_LOOPBACK_FAULT_FRAGMENT || k == TH_LOOPBACK_FAULT_CAP ||
                    k == TH_LOOPBACK_FAULT_STALL_THEN_RESUME ||
                    (k >= TH_LOOPBACK_FAULT_DROP_RECORD && k <= TH_LOOPBACK_FAULT_REORDER_RECORD)))
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: n must be at least 1 for this kind");
  if (k == TH_LOOPBACK_FAULT_FLIP_BIT && f->n > 7)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: bit %zu is not 0..7", f->n);
  if (k == TH_LOOPBACK_FAULT_INJECT && f->data == NULL)
    return th__err(TH_ERR_TYPE, "th_loopback_pair_add_fault: INJECT data is NULL");
  if (k == TH_LOOPBACK_FAULT_INJECT && f->len == 0)
    return th__err(TH_ERR_VALUE, "th_loopback_pair_add_fault: INJECT len is 0");
  return th__lb_position_check(pair, f);
}

int th_loopback_pair_add_fault(th_loopback_pair *pair, const th_loopback_fault *fault) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(fault);
  int rc = check_fault(pair, fault);
  if (rc != TH_OK) return rc;
  lb_dir *d = &pair->dir[fault->from];
  if (d->nfaults >= TH_LOOPBACK_MAX_FAULTS)
    return th__err(TH_ERR_INDEX, "th_loopback_pair_add_fault: already %d faults in this direction",
                   TH_LOOPBACK_MAX_FAULTS);
  int k = fault->kind;
  int by_record = (k >= TH_LOOPBACK_FAULT_DROP_RECORD && k <= TH_LOOPBACK_FAULT_REORDER_RECORD) ||
                  (k == TH_LOOPBACK_FAULT_CLOSE && fault->n > 0) ||
                  fault->position != TH_LOOPBACK_AT_BYTE;
  if (by_record && (d->records_unknown ||
                    (pair->end[0] == NULL && pair->end[1] == NULL &&
                     BIO_number_written(pair->out[fault->from]) > 0)))
    return th__err(TH_ERR_VALUE,
                   "th_loopback_pair_add_fault: this pair observed nothing while the %s sent "
                   "records, so record numbers are unknown; add record faults before the "
                   "conversation or observe TH_LOOPBACK_OBSERVE_TRANSCRIPT",
                   th__lb_side_name(fault->from));
  if ((rc = th__lb_engage(pair)) != TH_OK) return rc;
  if (d->faults == NULL && (d->faults = th__calloc(TH_LOOPBACK_MAX_FAULTS, sizeof *d->faults)) == NULL)
    return th__err(TH_ERR_NOMEM, "th_loopback_pair_add_fault: out of memory");
  lb_fault *f = &d->faults[d->nfaults];
  memset(f, 0, sizeof *f);
  f->f = *fault;
  if (fault->kind == TH_LOOPBACK_FAULT_INJECT) {
    if ((f->data = th__malloc(fault->len)) == NULL)
      return th__err(TH_ERR_NOMEM, "th_loopback_pair_add_fault: out of memory");
    memcpy(f->data, fault->data, fault->len);
  }
  f->f.data = NULL;
  f->left = fault->n;
  th__lb_position_arm(pair, f);
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

/* ---- asking for observation ------------------------------------------------------ */

int th_loopback_pair_observe(th_loopback_pair *pair, int what) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (what & ~TH_LOOPBACK_OBSERVE_ALL)
    return th__err(TH_ERR_VALUE, "%s: unknown observation bits 0x%x", __func__,
                   (unsigned)(what & ~TH_LOOPBACK_OBSERVE_ALL));
  int add = what & ~pair->observe;
  if (add == 0) return TH_OK;
  if (th__lb_started(pair))
    return th__err(TH_ERR_VALUE,
                   "%s: the conversation has started; ask for observation right after making "
                   "the pair", __func__);
  if (pair->obs == NULL && (pair->obs = th__calloc(1, sizeof *pair->obs)) == NULL)
    return th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
  lb_observe *o = pair->obs;
  /* The wire log lives in the end BIOs. */
  if ((add & (TH_LOOPBACK_OBSERVE_TRANSCRIPT | TH_LOOPBACK_OBSERVE_PCAP)) &&
      th__lb_engage(pair) != TH_OK)
    return th_error_kind();
  if (add & TH_LOOPBACK_OBSERVE_STATES) {
    for (int i = 0; i < 2; i++)
      if ((o->info[i] = th__list_new((void (*)(void *))th_bytes_free)) == NULL) return TH_ERR_NOMEM;
  }
  if (add & TH_LOOPBACK_OBSERVE_KEYLOG) {
    for (int i = 0; i < 2; i++) {
      if (pair->sctx[i] == NULL) continue; /* an application's context is not ours */
      int rc = th__lb_keylog_attach(pair->sctx[i]);
      if (rc != TH_OK) return rc;
      o->keylog_ctx[i] = 1;
    }
  }
  pair->observe |= add;
  th__lb_info_install(pair);
  return TH_OK;
}
