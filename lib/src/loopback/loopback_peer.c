/* loopback_peer.c — th_peer: a scripted one-sided TLS peer for an
 * application under test (tlsharness/peer.h, docs/testing-apps.md).
 *
 * A peer is a loopback pair with one side the harness's (the peer's SSL)
 * and the other the application's: its SSL in the memory and adopt
 * patterns, nothing in the socket pattern (the application reads and writes
 * its own socket, the pair holds the peer's end). The pair's end BIOs apply
 * faults and record the wire as for any pair. One of the conveniences on
 * top of the module's layers (docs/design.md). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "loopback_internal.h"
#include "tlsharness/peer.h"

enum { PAT_NONE, PAT_MEMORY, PAT_SOCKET, PAT_ADOPT };
static const char *const pattern_name[] = {"none", "memory", "socket", "adopt"};

typedef struct peer_action {
  int kind;
  unsigned char *data;
  size_t len;
} peer_action;

struct th_peer {
  th_obj hdr;
  int role;
  int pattern;
  SSL_CTX *ctx;
  SSL *ssl; /* the peer's SSL, until the pair takes it */
  th_loopback_pair *pair;
  th_loopback_fault faults[2 * TH_LOOPBACK_MAX_FAULTS];
  size_t nfaults;
  int observe;
  peer_action script[TH_PEER_MAX_ACTIONS];
  size_t nscript, pc, off; /* the action running and how far its data went */
  int phase;               /* ANSWER: 0 receiving, 1 sending */
  size_t rx_mark;          /* RECV: bytes received when the action began */
  char *sni;
  unsigned deadline_ms;
  int hs;      /* the handshake finished */
  int silent;  /* SILENCE ran */
  int closed;  /* the peer put end-of-file on its direction */
  int done;    /* the peer stopped (status says why) */
  int status;  /* TH_OK, TH_ERR_WANT_READ while running, or the error kept in the pair */
  th_error start_err; /* the error of a pattern that failed to start (no pair to keep it) */
  lb_buf rx;   /* application data the peer read */
  /* socket pattern */
  int lfd, port;
  th_loopback_thread *thread;
  atomic_int stop;
  unsigned long long started_ms;
};

static void peer_destroy(void *self);
extern const th_type TH_TYPE_PEER;
const th_type TH_TYPE_PEER = {"Peer", peer_destroy};

static int app_side(const th_peer *p) { return !p->role; }

/* The pattern could not start (or its thread could not accept): the peer
 * stops with this thread's error, kept for th_peer_result. */
static int start_failed(th_peer *p) {
  p->done = 1;
  p->start_err = *th_error_last();
  return p->status = p->start_err.kind;
}

/* ---- making ------------------------------------------------------------------ */

th_peer *th_peer_new(SSL_CTX *ctx, int role) {
  TH_CHECK_ARG_NULL(ctx);
  if (role != TH_PEER_SERVER && role != TH_PEER_CLIENT) {
    th__err(TH_ERR_VALUE, "%s: role %d is neither TH_PEER_SERVER nor TH_PEER_CLIENT", __func__, role);
    return NULL;
  }
  th__lb_clear_errors();
  th_peer *p = th__obj_new(&TH_TYPE_PEER, sizeof *p);
  if (p == NULL) return NULL;
  p->role = role;
  p->lfd = -1;
  p->deadline_ms = 10000;
  p->status = TH_ERR_WANT_READ;
  SSL_CTX_up_ref(ctx);
  p->ctx = ctx;
  if ((p->ssl = SSL_new(ctx)) == NULL) {
    th__err_ossl(TH_ERR_SSL, "%s: SSL_new failed", __func__);
    th__obj_free(p);
    return NULL;
  }
  if (role == TH_PEER_SERVER)
    SSL_set_accept_state(p->ssl);
  else
    SSL_set_connect_state(p->ssl);
  SSL_set_mode(p->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return p;
}

static int load_files(SSL_CTX *c, const char *cert, const char *key, const char *ca) {
  if (cert != NULL && SSL_CTX_use_certificate_chain_file(c, cert) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_peer_new_from_files: cannot load certificate %s", cert);
  if (key != NULL && (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1 ||
                      SSL_CTX_check_private_key(c) != 1))
    return th__err_ossl(TH_ERR_SSL, "th_peer_new_from_files: cannot load key %s", key);
  if (ca != NULL && SSL_CTX_load_verify_locations(c, ca, NULL) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_peer_new_from_files: cannot load CA file %s", ca);
  return TH_OK;
}

th_peer *th_peer_new_from_files(int role, const char *cert_file, const char *key_file,
                                const char *ca_file) {
  if (role == TH_PEER_SERVER) {
    TH_CHECK_ARG_NULL(cert_file);
    TH_CHECK_ARG_NULL(key_file);
  } else if ((cert_file == NULL) != (key_file == NULL)) {
    th__err(TH_ERR_TYPE, "%s: give both cert_file and key_file, or neither", __func__);
    return NULL;
  }
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  if (c == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "%s: SSL_CTX_new failed", __func__);
    return NULL;
  }
  th_peer *p = NULL;
  if (load_files(c, cert_file, key_file, ca_file) == TH_OK) p = th_peer_new(c, role);
  SSL_CTX_free(c);
  return p;
}

static void peer_destroy(void *self) {
  th_peer *p = self;
  if (p->thread != NULL) {
    atomic_store(&p->stop, 1);
    if (th_loopback_thread_join(p->thread, p->deadline_ms + 1000, NULL) != TH_OK) {
      /* Still running past its deadline: cannot happen with bounded polls;
       * leak the peer rather than free it under the thread. */
      th_loopback_thread_free(p->thread);
      return;
    }
    th_loopback_thread_free(p->thread);
  }
  if (p->lfd >= 0) close(p->lfd);
  th_loopback_pair_free(p->pair);
  SSL_free(p->ssl);
  SSL_CTX_free(p->ctx);
  for (size_t i = 0; i < p->nfaults; i++) th__free((void *)p->faults[i].data);
  for (size_t i = 0; i < p->nscript; i++) th__free(p->script[i].data);
  th__free(p->sni);
  th__lb_buf_free(&p->rx);
}

TH_DEFINE_REFCOUNT(peer, th_peer, TH_TYPE_PEER)

/* ---- settings of the peer's side ------------------------------------------------ */

static int not_started(th_peer *p, const char *func) {
  if (p->pattern != PAT_NONE)
    return th__err(TH_ERR_VALUE, "%s: the peer has started (%s pattern); set it up before",
                   func, pattern_name[p->pattern]);
  return TH_OK;
}

#define PEER_SETUP(p)                                        \
  do {                                                       \
    TH_CHECK(p, &TH_TYPE_PEER);                              \
    int _rc = not_started(p, __func__);                      \
    if (_rc != TH_OK) return _rc;                            \
    th__lb_clear_errors();                                   \
  } while (0)

static int known_version(int v) {
  return v == 0 || v == TLS1_VERSION || v == TLS1_1_VERSION || v == TLS1_2_VERSION ||
         v == TLS1_3_VERSION;
}

int th_peer_set_versions(th_peer *peer, int min_version, int max_version) {
  PEER_SETUP(peer);
  if (!known_version(min_version) || !known_version(max_version))
    return th__err(TH_ERR_VALUE, "%s: unknown version 0x%x / 0x%x", __func__,
                   (unsigned)min_version, (unsigned)max_version);
  if (SSL_set_min_proto_version(peer->ssl, min_version) != 1 ||
      SSL_set_max_proto_version(peer->ssl, max_version) != 1)
    return th__err_ossl(TH_ERR_UNSUPPORTED, "%s: this OpenSSL refuses 0x%x..0x%x", __func__,
                        (unsigned)min_version, (unsigned)max_version);
  return TH_OK;
}

int th_peer_set_ciphers(th_peer *peer, const char *tls12_list, const char *tls13_suites) {
  PEER_SETUP(peer);
  if (tls12_list != NULL && SSL_set_cipher_list(peer->ssl, tls12_list) != 1)
    return th__err_ossl(TH_ERR_SSL, "%s: no usable cipher in \"%s\"", __func__, tls12_list);
  if (tls13_suites != NULL && SSL_set_ciphersuites(peer->ssl, tls13_suites) != 1)
    return th__err_ossl(TH_ERR_SSL, "%s: no usable suite in \"%s\"", __func__, tls13_suites);
  return TH_OK;
}

int th_peer_set_groups(th_peer *peer, const char *groups) {
  PEER_SETUP(peer);
  TH_CHECK_ARG(groups);
  if (SSL_set1_groups_list(peer->ssl, groups) != 1)
    return th__err_ossl(TH_ERR_SSL, "%s: unknown group in \"%s\"", __func__, groups);
  return TH_OK;
}

int th_peer_set_sni(th_peer *peer, const char *name) {
  PEER_SETUP(peer);
  TH_CHECK_ARG(name);
  if (name[0] == '\0') return th__err(TH_ERR_VALUE, "%s: empty name", __func__);
  char *copy = th__strdup(name);
  if (copy == NULL) return th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
  if (peer->role == TH_PEER_CLIENT && SSL_set_tlsext_host_name(peer->ssl, copy) != 1) {
    th__free(copy);
    return th__err_ossl(TH_ERR_VALUE, "%s: OpenSSL refuses the name \"%s\"", __func__, name);
  }
  th__free(peer->sni);
  peer->sni = copy;
  return TH_OK;
}

int th_peer_request_client_cert(th_peer *peer, int require) {
  PEER_SETUP(peer);
  if (peer->role != TH_PEER_SERVER)
    return th__err(TH_ERR_VALUE, "%s: only a server peer asks for a client certificate", __func__);
  SSL_set_verify(peer->ssl, SSL_VERIFY_PEER | (require ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
  return TH_OK;
}

int th_peer_set_deadline(th_peer *peer, unsigned ms) {
  PEER_SETUP(peer);
  if (ms == 0) return th__err(TH_ERR_VALUE, "%s: a deadline of 0 ms", __func__);
  peer->deadline_ms = ms;
  return TH_OK;
}

int th_peer_script(th_peer *peer, int action, const void *data, size_t len) {
  PEER_SETUP(peer);
  if (action < TH_PEER_RECV || action > TH_PEER_GARBAGE)
    return th__err(TH_ERR_VALUE, "%s: unknown action %d", __func__, action);
  int takes = action == TH_PEER_SEND || action == TH_PEER_ANSWER || action == TH_PEER_GARBAGE;
  if (takes && (data == NULL || len == 0))
    return th__err(TH_ERR_VALUE, "%s: action %d needs data", __func__, action);
  if (!takes && len != 0)
    return th__err(TH_ERR_VALUE, "%s: action %d takes no data", __func__, action);
  if (peer->nscript >= TH_PEER_MAX_ACTIONS)
    return th__err(TH_ERR_INDEX, "%s: already %d actions", __func__, TH_PEER_MAX_ACTIONS);
  peer_action *a = &peer->script[peer->nscript];
  a->data = NULL;
  if (takes && (a->data = th__malloc(len)) == NULL)
    return th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
  if (takes) memcpy(a->data, data, len);
  a->kind = action;
  a->len = len;
  peer->nscript++;
  return TH_OK;
}

int th_peer_add_fault(th_peer *peer, const th_loopback_fault *fault) {
  PEER_SETUP(peer);
  TH_CHECK_ARG(fault);
  /* Checked for real on a scratch pair of the same shape when the pattern
   * starts; the obvious mistakes are caught here. */
  if (fault->kind < TH_LOOPBACK_FAULT_FRAGMENT || fault->kind > TH_LOOPBACK_FAULT_STALL_THEN_RESUME)
    return th__err(TH_ERR_VALUE, "%s: unknown fault kind %d", __func__, fault->kind);
  if (fault->from != TH_LOOPBACK_CLIENT && fault->from != TH_LOOPBACK_SERVER)
    return th__err(TH_ERR_VALUE, "%s: side %d is neither client nor server", __func__, fault->from);
  if (fault->kind == TH_LOOPBACK_FAULT_INJECT && fault->data == NULL)
    return th__err(TH_ERR_TYPE, "%s: INJECT data is NULL", __func__);
  if (peer->nfaults >= 2 * TH_LOOPBACK_MAX_FAULTS)
    return th__err(TH_ERR_INDEX, "%s: too many faults", __func__);
  th_loopback_fault f = *fault;
  if (f.data != NULL) {
    unsigned char *d = th__malloc(f.len ? f.len : 1);
    if (d == NULL) return th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
    memcpy(d, fault->data, f.len);
    f.data = d;
  }
  peer->faults[peer->nfaults++] = f;
  return TH_OK;
}

int th_peer_observe(th_peer *peer, int what) {
  PEER_SETUP(peer);
  if (what & ~(TH_LOOPBACK_OBSERVE_TRANSCRIPT | TH_LOOPBACK_OBSERVE_PCAP))
    return th__err(TH_ERR_VALUE,
                   "%s: a peer observes TH_LOOPBACK_OBSERVE_TRANSCRIPT and _PCAP (0x%x asked); "
                   "states and key log would change the application's SSL or context",
                   __func__, (unsigned)what);
  peer->observe |= what;
  return TH_OK;
}

/* ---- the pair ----------------------------------------------------------------- */

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
static int socket_refuses(th_peer *p, const th_loopback_fault *f, int transport) {
  int k = f->kind;
  if (f->from == app_side(p) && k != TH_LOOPBACK_FAULT_FRAGMENT && k != TH_LOOPBACK_FAULT_RETRY)
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
      int rc = socket_refuses(p, f, p->pair->transport);
      if (rc != TH_OK) return rc;
    }
    int rc = th_loopback_pair_add_fault(p->pair, f);
    if (rc != TH_OK) return rc;
  }
  return TH_OK;
}

static void on_starve(void *arg);

/* A pair of the peer's SSL and, on the other side, app_ssl (memory,
 * adopt) or a socket end fd (socket: the peer's end; the application's
 * side has nothing in the pair). */
static int make_pair(th_peer *p, SSL *app_ssl, int fd, int transport) {
  th_loopback_pair *pair = th__obj_new(&TH_TYPE_LOOPBACK_PAIR, sizeof *pair);
  if (pair == NULL) return TH_ERR_NOMEM;
  int me = p->role, app = app_side(p);
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
static int start(th_peer *p, int pattern, SSL *app_ssl, int fd, int transport) {
  p->pattern = pattern;
  p->started_ms = th__lb_now_ms();
  int rc = make_pair(p, app_ssl, fd, transport);
  return rc != TH_OK ? start_failed(p) : TH_OK;
}

/* ---- running -------------------------------------------------------------------- */

static int fail(th_peer *p, int kind) {
  (void)kind;
  p->status = th__lb_fail(p->pair, p->role);
  p->done = 1;
  /* The application reads end-of-file after whatever alert went out. */
  p->pair->dir[p->role].closing = 1;
  th__lb_flush_queue(p->pair, p->role);
  th__lb_apply_eof(p->pair, p->role);
  return -1;
}

static int finish(th_peer *p) {
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
  if (r > 0) return th__lb_buf_add(&p->rx, buf, (size_t)r) == TH_OK ? 1 : fail(p, TH_ERR_NOMEM);
  int k = th__lb_map_error(p->pair, p->role, r, "read");
  if (waiting(k)) return 0;
  if (k == TH_ERR_ZERO_RETURN) { /* close_notify: answer it */
    th__lb_io_begin();
    SSL_shutdown(ssl);
    ERR_clear_error();
    return p->pc >= p->nscript ? finish(p) : fail(p, k);
  }
  if (p->pc >= p->nscript && k == TH_ERR_SYSCALL) return finish(p); /* the application closed */
  return fail(p, k);
}

static int peer_write(th_peer *p, SSL *ssl, const peer_action *a) {
  th__lb_io_begin();
  int w = SSL_write(ssl, a->data + p->off, (int)(a->len - p->off));
  if (w <= 0) {
    int k = th__lb_map_error(p->pair, p->role, w, "write");
    return waiting(k) ? 0 : fail(p, k);
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
  return waiting(k) ? 1 : fail(p, k); /* the request is out; the answer comes later */
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
      return waiting(k) ? 0 : fail(p, k);
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
      return fail(p, th__err(TH_ERR_UNSUPPORTED,
                             "%s: renegotiation needs TLS 1.2 or older (TLS 1.3 has none; "
                             "use TH_PEER_KEY_UPDATE)", th__lb_side_name(p->role)));
    if (SSL_renegotiate(ssl) != 1)
      return fail(p, th__err_ossl(TH_ERR_SSL, "%s: SSL_renegotiate failed", th__lb_side_name(p->role)));
    if (run_handshake_op(p, ssl) < 0) return -1;
    return next_action(p);
  case TH_PEER_KEY_UPDATE:
    if (SSL_version(ssl) < TLS1_3_VERSION)
      return fail(p, th__err(TH_ERR_UNSUPPORTED,
                             "%s: a key update needs TLS 1.3 (use TH_PEER_RENEGOTIATE for 1.2)",
                             th__lb_side_name(p->role)));
    if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1)
      return fail(p, th__err_ossl(TH_ERR_SSL, "%s: SSL_key_update failed", th__lb_side_name(p->role)));
    if (run_handshake_op(p, ssl) < 0) return -1;
    return next_action(p);
  case TH_PEER_SILENCE:
    th__lb_note(p->pair, p->role, "peer: silent from here, connection kept open");
    p->silent = 1;
    return next_action(p);
  case TH_PEER_GARBAGE: {
    lb_dir *d = &p->pair->dir[p->role];
    th__lb_note(p->pair, p->role, "peer: %zu bytes of garbage", a->len);
    th__lb_bytes_in(p->pair, p->role, a->data, a->len);
    d->written += a->len;
    d->progress += a->len;
    return next_action(p);
  }
  default:
    return fail(p, th__err(TH_ERR_VALUE, "th_peer: unknown action %d", a->kind));
  }
}

/* One move of the peer: 1 when it can go on at once, 0 when it waits,
 * -1 when it stopped. */
static int advance(th_peer *p) {
  SSL *ssl = p->pair->ssl[p->role];
  if (p->done) return -1;
  if (!p->hs || (SSL_in_init(ssl) && !SSL_is_init_finished(ssl))) {
    th__lb_io_begin();
    int rc = SSL_do_handshake(ssl);
    if (rc != 1) {
      int k = th__lb_map_error(p->pair, p->role, rc, "handshake");
      return waiting(k) ? 0 : fail(p, k);
    }
    if (!p->hs) {
      p->hs = 1;
      if (check_sni(p, ssl) != TH_OK) return fail(p, TH_ERR_VALUE);
    }
    return 1;
  }
  if (p->silent) return 0;
  if (p->pc < p->nscript) return act(p, ssl, &p->script[p->pc]);
  if (p->closed) return finish(p);
  return peer_read(p, ssl); /* the script ran: read until the application closes */
}

static void run(th_peer *p) {
  for (int i = 0; i < 256 && !p->done; i++) {
    for (int s = 0; s < 2; s++)
      if (p->pair->dir[s].queue.len > 0) th__lb_flush_queue(p->pair, s);
    if (advance(p) <= 0) break;
  }
}

static void on_starve(void *arg) { run(arg); }

int th_peer_step(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->pattern != PAT_MEMORY && peer->pattern != PAT_ADOPT)
    return th__err(TH_ERR_VALUE,
                   "%s: the peer runs in its own thread in the socket pattern (th_peer_wait), "
                   "and needs a pattern first", __func__);
  th__lb_clear_errors();
  unsigned long long before = th__lb_progress(peer->pair);
  if (peer->pattern == PAT_MEMORY) run(peer);
  unsigned long long d = th__lb_progress(peer->pair) - before;
  if (d == 0 && peer->done && peer->status != TH_OK) return th__lb_failed(peer->pair, peer->role);
  return d > 0x7fffffff ? 0x7fffffff : (int)d;
}

/* ---- patterns --------------------------------------------------------------------- */

#define PEER_START(p)                                                                       \
  do {                                                                                      \
    TH_CHECK(p, &TH_TYPE_PEER);                                                             \
    if ((p)->pattern != PAT_NONE)                                                           \
      return th__err(TH_ERR_VALUE, "%s: the peer already runs the %s pattern", __func__,   \
                     pattern_name[(p)->pattern]);                                           \
    th__lb_clear_errors();                                                                  \
  } while (0)

int th_peer_attach_ssl(th_peer *peer, SSL *ssl) {
  PEER_START(peer);
  TH_CHECK_ARG(ssl);
  return start(peer, PAT_MEMORY, ssl, -1, TH_LOOPBACK_DIRECT);
}

int th_peer_adopt_ssl(th_peer *peer, SSL *app_ssl) {
  PEER_START(peer);
  TH_CHECK_ARG(app_ssl);
  return start(peer, PAT_ADOPT, app_ssl, -1, TH_LOOPBACK_DIRECT);
}

th_loopback_pair *th_peer_pair(th_peer *peer) {
  TH_CHECK_NULL(peer, &TH_TYPE_PEER);
  if (peer->pattern != PAT_ADOPT) {
    th__err(TH_ERR_VALUE,
            "%s: only the adopt pattern hands out its pair (in the %s pattern the application "
            "drives its own side, and a pair call would run it)", __func__,
            pattern_name[peer->pattern]);
    return NULL;
  }
  return th__obj_up_ref(peer->pair);
}

static unsigned long long left_ms(th_peer *p) {
  unsigned long long end = p->started_ms + p->deadline_ms, now = th__lb_now_ms();
  return now >= end ? 0 : end - now;
}

static int accept_one(th_peer *p) {
  struct pollfd pf = {p->lfd, POLLIN, 0};
  while (!atomic_load(&p->stop)) {
    unsigned long long left = left_ms(p);
    if (left == 0) return th__err(TH_ERR_STALLED, "th_peer: no connection within %u ms", p->deadline_ms);
    int n = poll(&pf, 1, left > 100 ? 100 : (int)left);
    if (n < 0 && errno != EINTR) return th__err_sys(errno, "th_peer: poll");
    if (n <= 0) continue;
    int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) return fd;
    if (errno != EAGAIN && errno != EINTR) return th__err_sys(errno, "th_peer: accept");
  }
  return th__err(TH_ERR_STALLED, "th_peer: stopped before a connection came");
}

/* How long the socket thread may wait for its socket now (ms). */
static int wait_ms(th_peer *p) {
  unsigned long long left = left_ms(p), w = 100; /* also to look at `stop` */
  for (int s = 0; s < 2; s++) {
    const lb_dir *d = &p->pair->dir[s];
    if (d->stalling) {
      unsigned long long now = th__lb_now_ms();
      unsigned long long until = d->stall_until > now ? d->stall_until - now : 0;
      if (until < w) w = until;
    }
    if (d->queue.len > 0 && th__lb_paced(p->pair, s) > 0) w = 1; /* the kernel says nothing */
  }
  return (int)(w < left ? w : left);
}

/* The silent peer reads nothing: it only waits for the application to
 * hang up (POLLRDHUP) or the deadline. */
static int socket_main(void *arg) {
  th_peer *p = arg;
  if (p->lfd >= 0) {
    int fd = accept_one(p);
    close(p->lfd);
    p->lfd = -1;
    if (fd < 0) return start_failed(p);
    if (start(p, PAT_SOCKET, NULL, fd, TH_LOOPBACK_TCP) != TH_OK) return p->status;
  }
  int fd = p->pair->fd[p->role];
  while (!p->done && !atomic_load(&p->stop)) {
    unsigned long long before = th__lb_progress(p->pair);
    if (!p->silent) run(p);
    if (p->done) break;
    if (left_ms(p) == 0) {
      fail(p, th__err(TH_ERR_STALLED, "%s: the peer's deadline (%u ms) passed (%s)",
                      th__lb_side_name(p->role), p->deadline_ms,
                      p->silent ? "silent, the application did not hang up" : "waiting"));
      break;
    }
    if (th__lb_progress(p->pair) != before) continue;
    short ev = p->silent ? POLLRDHUP : POLLIN;
    if (p->pair->dir[p->role].queue.len > 0) ev |= POLLOUT;
    struct pollfd pf = {fd, ev, 0};
    int n = poll(&pf, 1, wait_ms(p));
    if (n > 0 && p->silent && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR))) finish(p);
  }
  if (!p->done) fail(p, th__err(TH_ERR_STALLED, "th_peer: stopped by th_peer_free"));
  shutdown(fd, SHUT_WR);
  return p->status;
}

static int start_thread(th_peer *p) {
  p->thread = th_loopback_thread_start(socket_main, p);
  if (p->thread == NULL) return start_failed(p);
  return TH_OK;
}

int th_peer_socketpair(th_peer *peer, int transport) {
  PEER_START(peer);
  int fds[2];
  int rc = th__lb_socketpair(transport, fds, 0);
  if (rc != TH_OK) return rc;
  int fl = fcntl(fds[1], F_GETFL);
  if (fl < 0 || fcntl(fds[1], F_SETFL, fl | O_NONBLOCK) != 0) {
    rc = th__err_sys(errno, "%s: O_NONBLOCK", __func__);
    close(fds[0]);
    close(fds[1]);
    return rc;
  }
  if ((rc = start(peer, PAT_SOCKET, NULL, fds[1], transport)) != TH_OK ||
      (rc = start_thread(peer)) != TH_OK) {
    close(fds[0]);
    return rc;
  }
  return fds[0];
}

int th_peer_listen(th_peer *peer) {
  PEER_START(peer);
  for (size_t i = 0; i < peer->nfaults; i++) { /* refused before a client comes */
    int rc = socket_refuses(peer, &peer->faults[i], TH_LOOPBACK_TCP);
    if (rc != TH_OK) return rc;
  }
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return th__err_sys(errno, "%s: socket", __func__);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 1) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
    int rc = th__err_sys(errno, "%s: cannot listen on 127.0.0.1", __func__);
    close(s);
    return rc;
  }
  peer->lfd = s;
  peer->port = ntohs(a.sin_port);
  peer->pattern = PAT_SOCKET;
  peer->started_ms = th__lb_now_ms();
  return start_thread(peer);
}

int th_peer_port(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->port == 0) return th__err(TH_ERR_VALUE, "%s: the peer does not listen", __func__);
  return peer->port;
}

int th_peer_wait(th_peer *peer, unsigned timeout_ms) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->pattern != PAT_SOCKET) return th__err(TH_ERR_VALUE, "%s: not a socket peer", __func__);
  if (peer->thread == NULL) return th_peer_result(peer); /* ended and joined already */
  int rc = th_loopback_thread_join(peer->thread, timeout_ms ? timeout_ms : peer->deadline_ms + 1000,
                                   NULL);
  if (rc != TH_OK) return rc;
  th_loopback_thread_free(peer->thread);
  peer->thread = NULL;
  return th_peer_result(peer);
}

/* ---- results ----------------------------------------------------------------------- */

static int running(th_peer *p, const char *func) {
  if (p->thread != NULL)
    return th__err(TH_ERR_VALUE, "%s: the peer's thread still runs; th_peer_wait first", func);
  if (p->pair == NULL) return th__err(TH_ERR_VALUE, "%s: the peer has not started", func);
  return TH_OK;
}

int th_peer_result(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->thread != NULL) return TH_ERR_WANT_READ;
  if (peer->pattern == PAT_ADOPT) return TH_OK;
  if (!peer->done) return peer->pc >= peer->nscript && peer->hs ? TH_OK : TH_ERR_WANT_READ;
  if (peer->status == TH_OK) return TH_OK;
  int k = peer->pair != NULL ? th__lb_failed(peer->pair, peer->role) : TH_OK;
  if (k != TH_OK) return k;
  th__err_set_record(&peer->start_err);
  return peer->status;
}

th_bytes *th_peer_received(th_peer *peer) {
  TH_CHECK_NULL(peer, &TH_TYPE_PEER);
  if (peer->thread != NULL) {
    running(peer, __func__);
    return NULL;
  }
  return th_bytes_new(peer->rx.data, peer->rx.len);
}

int th_peer_handshakes(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->thread != NULL) return running(peer, __func__);
  return peer->pair != NULL ? peer->pair->hs_done[peer->role] : 0;
}

int th_peer_faults_fired(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  int rc = running(peer, __func__);
  return rc != TH_OK ? rc : th_loopback_pair_faults_fired(peer->pair);
}

th_bytes *th_peer_transcript(th_peer *peer) {
  TH_CHECK_NULL(peer, &TH_TYPE_PEER);
  if (running(peer, __func__) != TH_OK) return NULL;
  return th_loopback_transcript(peer->pair);
}

int th_peer_write_pcap(th_peer *peer, const char *path) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  int rc = running(peer, __func__);
  return rc != TH_OK ? rc : th_loopback_write_pcap(peer->pair, path);
}
