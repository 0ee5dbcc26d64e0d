/* loopback_peer_attach.c — th_peer's pair: the peer's SSL on one side and
 * the application's SSL (memory, adopt) or nothing (socket: the
 * application holds its own end) on the other; the faults a socket cannot
 * apply; the memory and adopt patterns. */
#include <unistd.h>

#include "loopback_internal.h"

/* k is a known kind (th_peer_add_fault checks). */
static const char *fault_name(int k) {
  static const char *const n[] = {"?", "FRAGMENT", "CAP", "RETRY", "TRUNCATE", "FLIP_BIT",
                                  "DROP_RECORD", "DUP_RECORD", "REORDER_RECORD", "INJECT",
                                  "CLOSE", "SILENCE", "STALL_THEN_RESUME"};
  return n[k];
}

/* What a socket cannot do: the application reads and writes its socket
 * itself, so nothing can stand between its SSL and its writes, and its
 * reads can be paced only where the kernel says what it has read. */
int th__peer_socket_refuses(th_peer *p, const th_loopback_fault *f, int transport) {
  int k = f->kind;
  if (f->from == th__peer_app_side(p) && k != TH_LOOPBACK_FAULT_FRAGMENT && k != TH_LOOPBACK_FAULT_RETRY)
    return th__err(TH_ERR_UNSUPPORTED,
                   "th_peer: %s of the application's direction cannot apply over a socket: the "
                   "application writes straight to its socket (only FRAGMENT and RETRY, which "
                   "act on the peer's reads, do); use the memory or adopt pattern",
                   fault_name(k));
  if (f->from == p->role && k == TH_LOOPBACK_FAULT_FRAGMENT && transport != TH_LOOPBACK_UNIX)
    return th__err(TH_ERR_UNSUPPORTED,
                   "th_peer: FRAGMENT toward the application over TCP: the peer cannot see when "
                   "the application has read a piece (AF_UNIX can: th_peer_socketpair(peer, "
                   "TH_LOOPBACK_UNIX)), or use the memory pattern");
  return TH_OK;
}

static int add_faults(th_peer *p) {
  for (size_t i = 0; i < p->nfaults; i++) {
    const th_loopback_fault *f = &p->faults[i];
    if (p->pattern == PAT_SOCKET) {
      int rc = th__peer_socket_refuses(p, f, p->pair->transport);
      if (rc != TH_OK) return rc;
    }
    int rc = th_loopback_pair_add_fault(p->pair, f);
    if (rc != TH_OK) return rc;
  }
  return TH_OK;
}

static void on_starve(void *arg) { th__peer_run(arg); }

/* A pair of the peer's SSL and, on the other side, app_ssl (memory,
 * adopt) or a socket end fd (socket: the peer's end, taken over: closed
 * here or by the pair; the application's side has nothing in the pair). */
static int make_pair(th_peer *p, SSL *app_ssl, int fd, int transport) {
  th_loopback_pair *pair = th__obj_new(&TH_TYPE_LOOPBACK_PAIR, sizeof *pair);
  if (pair == NULL) {
    if (fd >= 0) close(fd);
    return TH_ERR_NOMEM;
  }
  int me = p->role, app = th__peer_app_side(p);
  pair->app_side = app;
  pair->app_foreign = p->pattern == PAT_MEMORY;
  pair->count_server = 1;
  pair->transport = transport;
  pair->fd[0] = pair->fd[1] = -1;
  p->pair = pair;
  SSL_CTX_up_ref(p->ctx);
  pair->sctx[me] = p->ctx;
  if (fd >= 0) {
    BIO *b = BIO_new_socket(fd, BIO_NOCLOSE);
    if (b == NULL) {
      close(fd);
      return th__err_ossl(TH_ERR_NOMEM, "th_peer: cannot make a socket BIO");
    }
    pair->fd[me] = fd;
    BIO_up_ref(b);
    pair->in[me] = pair->out[me] = b;
  } else {
    int rc = th__lb_crossed_mem(pair);
    if (rc != TH_OK) return rc;
    SSL_up_ref(app_ssl);
    pair->ssl[app] = app_ssl;
  }
  pair->ssl[me] = p->ssl; /* the pair frees it from now on */
  p->ssl = NULL;
  pair->kind[0] = pair->kind[1] = TH_ERR_WANT_READ;
  int rc = th__lb_engage(pair);
  if (rc == TH_OK && p->observe) rc = th_loopback_pair_observe(pair, p->observe);
  if (rc == TH_OK) rc = add_faults(p);
  if (rc != TH_OK) return rc;
  th__lb_info_install(pair);
  th__lb_refill(pair);
  if (p->pattern == PAT_MEMORY) {
    pair->starve = on_starve;
    pair->starve_arg = p;
  }
  return TH_OK;
}

/* A pattern that fails to start leaves the peer unusable but freeable. */
int th__peer_start(th_peer *p, int pattern, SSL *app_ssl, int fd, int transport) {
  p->pattern = pattern;
  p->started_ms = th__lb_now_ms();
  int rc = make_pair(p, app_ssl, fd, transport);
  return rc != TH_OK ? th__peer_stopped(p) : TH_OK;
}

int th_peer_attach_ssl(th_peer *peer, SSL *ssl) {
  PEER_START(peer);
  TH_CHECK_ARG(ssl);
  return th__peer_start(peer, PAT_MEMORY, ssl, -1, TH_LOOPBACK_DIRECT);
}

int th_peer_adopt_ssl(th_peer *peer, SSL *app_ssl) {
  PEER_START(peer);
  TH_CHECK_ARG(app_ssl);
  return th__peer_start(peer, PAT_ADOPT, app_ssl, -1, TH_LOOPBACK_DIRECT);
}

th_loopback_pair *th_peer_pair(th_peer *peer) {
  TH_CHECK_NULL(peer, &TH_TYPE_PEER);
  if (peer->pattern != PAT_ADOPT) {
    th__err(TH_ERR_VALUE,
            "%s: only the adopt pattern hands out its pair (in the %s pattern the application "
            "drives its own side, and a pair call would run it)", __func__,
            th__peer_pattern_name(peer->pattern));
    return NULL;
  }
  return th__obj_up_ref(peer->pair);
}
