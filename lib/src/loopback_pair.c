/* loopback_pair.c — making and freeing loopback pairs, their transports,
 * and the small accessors. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "loopback_internal.h"
#include "tlsharness/connection.h"
#include "tlsharness/session.h"

/* ---- buffers -------------------------------------------------------------- */

int th__lb_buf_add(lb_buf *b, const void *p, size_t n) {
  if (n == 0) return TH_OK;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    unsigned char *d = realloc(b->data, cap);
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
  free(b->data);
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
  if (pair->fail_rec[side] == NULL) pair->fail_rec[side] = malloc(sizeof *pair->fail_rec[side]);
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

/* ---- making and freeing ------------------------------------------------------ */

static void pair_destroy(void *self) {
  th_loopback_pair *p = self;
  for (int i = 0; i < 2; i++) th_connection_free(p->conn[i]);
  th__lb_observe_free(p); /* before the contexts go: it may restore their key log callback */
  for (int i = 0; i < 2; i++) {
    /* An SSL a caller still holds keeps its BIOs: cut them off the pair. */
    if (p->end[i] != NULL) BIO_set_data(p->end[i], NULL);
    if (p->fd[i] < 0 && p->in[i] != NULL) BIO_set_callback_arg(p->in[i], NULL);
    SSL_free(p->ssl[i]); /* frees the end BIO */
    BIO_free(p->in[i]);
    BIO_free(p->out[i]);
    if (p->fd[i] >= 0) close(p->fd[i]);
    SSL_CTX_free(p->sctx[i]);
    th__lb_faults_free(&p->dir[i]);
    th__lb_buf_free(&p->rx[i]);
    free(p->fail_rec[i]);
  }
}

const th_type TH_TYPE_LOOPBACK_PAIR = {"LoopbackPair", pair_destroy};

void th_loopback_pair_free(th_loopback_pair *pair) { th__obj_free(pair); }

/* Each in[]/out[] slot owns one reference, so destroy frees them alike
 * whether they are distinct memory BIOs or one BIO-pair end or socket. */
static int make_transport(th_loopback_pair *p) {
  if (p->transport == TH_LOOPBACK_PUMP) {
    for (int i = 0; i < 2; i++) {
      p->in[i] = BIO_new(BIO_s_mem());
      p->out[i] = BIO_new(BIO_s_mem());
      if (p->in[i] == NULL || p->out[i] == NULL)
        return th__err_ossl(TH_ERR_NOMEM, "loopback: cannot make memory BIOs");
    }
    return TH_OK;
  }
  if (p->transport == TH_LOOPBACK_DIRECT) {
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
  BIO *end[2] = {NULL, NULL};
  {
    int rc = th__lb_socketpair(p->transport, p->fd, 1);
    if (rc != TH_OK) return rc;
    for (int i = 0; i < 2; i++) end[i] = BIO_new_socket(p->fd[i], BIO_NOCLOSE);
    if (end[0] == NULL || end[1] == NULL) {
      BIO_free(end[0]);
      BIO_free(end[1]);
      return th__err_ossl(TH_ERR_NOMEM, "loopback: cannot make socket BIOs");
    }
  }
  for (int i = 0; i < 2; i++) {
    BIO_up_ref(end[i]);
    p->in[i] = p->out[i] = end[i];
  }
  return TH_OK;
}

static int make_side(th_loopback_pair *p, int side) {
  p->ssl[side] = SSL_new(p->sctx[side]);
  if (p->ssl[side] == NULL)
    return th__err_ossl(TH_ERR_SSL, "loopback: SSL_new failed for the %s", th__lb_side_name(side));
  if (side == TH_LOOPBACK_CLIENT)
    SSL_set_connect_state(p->ssl[side]);
  else
    SSL_set_accept_state(p->ssl[side]);
  p->kind[side] = TH_ERR_WANT_READ;
  if (p->fd[side] >= 0) return TH_OK; /* sockets: th__lb_engage gives the end BIOs */
  /* A memory transport starts lean: the SSL reads and writes the memory
   * BIOs themselves (each holds its own reference), as raw OpenSSL code
   * would; the end BIOs come when a fault or the wire log needs them. The
   * read BIO's callback argument leads back to the pair (th__lb_end_of). */
  p->end_data[side].pair = p;
  p->end_data[side].side = side;
  p->end_data[side].magic = LB_END_MAGIC;
  BIO_set_callback_arg(p->in[side], (char *)&p->end_data[side]);
  BIO_up_ref(p->in[side]);
  BIO_up_ref(p->out[side]);
  SSL_set_bio(p->ssl[side], p->in[side], p->out[side]);
  return TH_OK;
}

th_loopback_pair *th_loopback_pair_new_raw(SSL_CTX *server, SSL_CTX *client, int transport) {
  TH_CHECK_ARG_NULL(server);
  TH_CHECK_ARG_NULL(client);
  if (transport < TH_LOOPBACK_PUMP || transport > TH_LOOPBACK_TCP) {
    th__err(TH_ERR_VALUE, "%s: unknown transport %d", __func__, transport);
    return NULL;
  }
  th__lb_clear_errors();
  th_loopback_pair *p = th__obj_new(&TH_TYPE_LOOPBACK_PAIR, sizeof *p);
  if (p == NULL) return NULL;
  p->transport = transport;
  for (int i = 0; i < 2; i++) p->fd[i] = -1;
  SSL_CTX_up_ref(client);
  SSL_CTX_up_ref(server);
  p->sctx[TH_LOOPBACK_CLIENT] = client;
  p->sctx[TH_LOOPBACK_SERVER] = server;
  int rc = make_transport(p);
  if (rc == TH_OK) rc = make_side(p, TH_LOOPBACK_CLIENT);
  if (rc == TH_OK) rc = make_side(p, TH_LOOPBACK_SERVER);
  if (rc == TH_OK && p->fd[0] >= 0) rc = th__lb_engage(p);
  if (rc != TH_OK) {
    th__obj_free(p);
    return NULL;
  }
  th__lb_info_install(p);
  th__lb_refill(p);
  return p;
}

static SSL_CTX *ctx_from_files(const char *cert, const char *key, const char *ca, int server) {
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  if (c == NULL) return NULL;
  int ok = 1;
  if (server) {
    ok = SSL_CTX_use_certificate_chain_file(c, cert) == 1 &&
         SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) == 1 &&
         SSL_CTX_check_private_key(c) == 1;
  } else if (ca != NULL) {
    ok = SSL_CTX_load_verify_locations(c, ca, NULL) == 1;
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
  }
  if (!ok) {
    SSL_CTX_free(c);
    return NULL;
  }
  return c;
}

th_loopback_pair *th_loopback_pair_new_from_files(const char *cert_file, const char *key_file,
                                                  const char *ca_file, int transport) {
  TH_CHECK_ARG_NULL(cert_file);
  TH_CHECK_ARG_NULL(key_file);
  th__lb_clear_errors();
  SSL_CTX *s = ctx_from_files(cert_file, key_file, ca_file, 1);
  if (s == NULL) {
    th__err_ossl(TH_ERR_SSL, "%s: cannot load the server's certificate %s and key %s", __func__,
                 cert_file, key_file);
    return NULL;
  }
  SSL_CTX *c = ctx_from_files(cert_file, key_file, ca_file, 0);
  if (c == NULL) {
    th__err_ossl(TH_ERR_SSL, "%s: cannot load the CA file %s", __func__, ca_file);
    SSL_CTX_free(s);
    return NULL;
  }
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, transport);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  return p;
}

/* ---- accessors -------------------------------------------------------------- */

SSL *th_loopback_pair_ssl(th_loopback_pair *pair, int side) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_check_side(side, __func__) != TH_OK) return NULL;
  SSL_up_ref(pair->ssl[side]);
  return pair->ssl[side];
}

int th_loopback_pair_set_session(th_loopback_pair *pair, th_session *session) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK(session, &TH_TYPE_SESSION);
  SSL *c = pair->ssl[TH_LOOPBACK_CLIENT];
  if (th__lb_started(pair))
    return th__err(TH_ERR_VALUE, "%s: the handshake has started", __func__);
  SSL_SESSION *s = th_session_to_ssl_session(session);
  th__lb_clear_errors();
  int ok = SSL_set_session(c, s);
  SSL_SESSION_free(s);
  if (!ok) return th__err_ossl(TH_ERR_SSL, "%s: SSL_set_session failed", __func__);
  return TH_OK;
}

th_session *th_loopback_pair_get_session(th_loopback_pair *pair) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  SSL_SESSION *s = SSL_get_session(pair->ssl[TH_LOOPBACK_CLIENT]);
  if (s == NULL) {
    th__err(TH_ERR_VALUE, "%s: the client has no session yet", __func__);
    return NULL;
  }
  return th_session_from_ssl_session(s);
}

int th_loopback_pair_set_versions(th_loopback_pair *pair, int min, int max) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  th__lb_clear_errors();
  for (int i = 0; i < 2; i++) {
    if (!SSL_set_min_proto_version(pair->ssl[i], min) ||
        !SSL_set_max_proto_version(pair->ssl[i], max))
      return th__err_ossl(TH_ERR_VALUE, "%s: version range 0x%x..0x%x is not supported", __func__,
                          (unsigned)min, (unsigned)max);
  }
  return TH_OK;
}

int th_loopback_pair_fd(th_loopback_pair *pair, int side) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  if (pair->fd[side] < 0)
    return th__err(TH_ERR_VALUE, "%s: this pair has a memory transport, no file descriptor",
                   __func__);
  int fd = fcntl(pair->fd[side], F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return th__err_sys(errno, "%s: dup", __func__);
  return fd;
}

int th_loopback_pair_half_close(th_loopback_pair *pair, int side) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  /* The end BIOs drop what the side writes once it closed. */
  if ((rc = th__lb_engage(pair)) != TH_OK) return rc;
  pair->dir[side].closing = 1;
  th__lb_apply_eof(pair, side);
  return TH_OK;
}

int th__lb_started(const th_loopback_pair *pair) {
  for (int i = 0; i < 2; i++)
    if (!SSL_in_before(pair->ssl[i]) || pair->dir[i].written > 0 ||
        BIO_number_written(pair->out[i]) > 0)
      return 1;
  return 0;
}

int th_loopback_pair_reused(th_loopback_pair *pair, int side) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  return SSL_session_reused(pair->ssl[side]) ? 1 : 0;
}

/* ---- end-of-file and bytes in flight ------------------------------------------ */

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
