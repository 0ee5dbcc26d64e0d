/* loopback_buf.c — the bottom of the loopback module: byte buffers, side
 * checks, the errors a side keeps, bytes in flight, and finding a pair from
 * one of its SSLs. Everything else in the module calls down into this file;
 * it calls nothing above it (docs/design.md, layers). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <openssl/err.h>

#include "loopback_internal.h"

/* ---- buffers -------------------------------------------------------------- */

int th__lb_buf_add(lb_buf *b, const void *p, size_t n) {
  if (n == 0) return TH_OK;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    unsigned char *d = th__realloc(b->data, cap);
    if (d == NULL) return th__err(TH_ERR_NOMEM, "loopback: out of memory for %zu bytes", cap);
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return TH_OK;
}

void th__lb_buf_drop(lb_buf *b, size_t n) {
  if (n >= b->len) {
    b->len = 0;
    return;
  }
  memmove(b->data, b->data + n, b->len - n);
  b->len -= n;
}

void th__lb_buf_free(lb_buf *b) {
  th__free(b->data);
  memset(b, 0, sizeof *b);
}

/* ---- errors ------------------------------------------------------------------- */

void th__lb_clear_errors(void) {
  /* Clearing an empty queue costs more than looking at it. */
  if (ERR_peek_error() != 0) ERR_clear_error();
}

void th__lb_io_begin(void) { errno = 0; }

int th__lb_fail(th_loopback_pair *pair, int side) {
  const th_error *e = th_error_last();
  pair->failed[side] = 1;
  if (pair->fail_rec[side] == NULL) pair->fail_rec[side] = th__malloc(sizeof *pair->fail_rec[side]);
  if (pair->fail_rec[side] != NULL) *pair->fail_rec[side] = *e;
  return e->kind;
}

int th__lb_failed(th_loopback_pair *pair, int side) {
  if (!pair->failed[side]) return TH_OK;
  if (pair->fail_rec[side] == NULL)
    return th__err(TH_ERR_NOMEM, "%s: failed earlier (its error record was lost: out of memory)",
                   th__lb_side_name(side));
  th__err_set_record(pair->fail_rec[side]);
  return pair->fail_rec[side]->kind;
}

int th__lb_check_side(int side, const char *func) {
  if (side != TH_LOOPBACK_CLIENT && side != TH_LOOPBACK_SERVER)
    return th__err(TH_ERR_VALUE, "%s: side %d is neither TH_LOOPBACK_CLIENT nor TH_LOOPBACK_SERVER",
                   func, side);
  return TH_OK;
}

/* ---- the conversation's state ---------------------------------------------- */

int th__lb_started(const th_loopback_pair *pair) {
  for (int i = 0; i < 2; i++)
    if ((pair->ssl[i] != NULL && !SSL_in_before(pair->ssl[i])) || pair->dir[i].written > 0 ||
        (pair->out[i] != NULL && BIO_number_written(pair->out[i]) > 0))
      return 1;
  return 0;
}

size_t th__lb_in_flight(th_loopback_pair *pair, int from) {
  lb_dir *d = &pair->dir[from];
  size_t n = d->queue.len + d->held.len + d->rec.len;
  int to = !from;
  switch (pair->transport) {
  case TH_LOOPBACK_PUMP:
    n += BIO_ctrl_pending(pair->out[from]) + BIO_ctrl_pending(pair->in[to]);
    break;
  case TH_LOOPBACK_DIRECT:
    /* The sender's out. While the pair is lean only BIO_write and BIO_read
     * touch that memory BIO, so its byte counters tell what it holds
     * without a BIO_ctrl round trip (the shutdown and ticket loops ask
     * this several times per handshake). */
    if (pair->end[to] == NULL)
      n += (size_t)(BIO_number_written(pair->in[to]) - BIO_number_read(pair->in[to]));
    else
      n += BIO_ctrl_pending(pair->in[to]);
    break;
  default: {
    int avail = 0;
    if (ioctl(pair->fd[to], FIONREAD, &avail) == 0 && avail > 0) n += (size_t)avail;
    break;
  }
  }
  return n;
}

int th__lb_crossed_mem(th_loopback_pair *p) {
  /* Two memory BIOs crossed (OpenSSL's own idiom for in-process pairs):
   * c2s is the client's out and the server's in. A memory BIO grows as
   * needed, never refuses a write, and reads "retry" when empty. */
  BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
  if (c2s == NULL || s2c == NULL) {
    BIO_free(c2s);
    BIO_free(s2c);
    return th__err_ossl(TH_ERR_NOMEM, "loopback: cannot make memory BIOs");
  }
  BIO_up_ref(c2s);
  BIO_up_ref(s2c);
  p->out[TH_LOOPBACK_CLIENT] = p->in[TH_LOOPBACK_SERVER] = c2s;
  p->out[TH_LOOPBACK_SERVER] = p->in[TH_LOOPBACK_CLIENT] = s2c;
  return TH_OK;
}

/* ---- the pair of an SSL ------------------------------------------------------ */

int th__lb_end_type = -1;

const lb_end *th__lb_end_of(const SSL *ssl) {
  BIO *b = ssl != NULL ? SSL_get_rbio(ssl) : NULL;
  if (b == NULL) return NULL;
  const lb_end *e = NULL;
  int end_type = __atomic_load_n(&th__lb_end_type, __ATOMIC_ACQUIRE); /* see make_method */
  if (end_type != -1 && BIO_method_type(b) == end_type)
    e = BIO_get_data(b);
  else if (BIO_method_type(b) == BIO_TYPE_MEM &&
           BIO_get_callback_ex(b) == NULL)
    e = (const lb_end *)BIO_get_callback_arg(b); /* a lean pair's memory BIO */
  if (e == NULL || e->magic != LB_END_MAGIC || e->pair->ssl[e->side] != ssl) return NULL;
  return e;
}
