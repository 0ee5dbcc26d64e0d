/* loopback_peer.c — th_peer: a scripted one-sided TLS peer for an
 * application under test (tlsharness/peer.h, docs/testing-apps.md).
 *
 * A peer is a loopback pair with one side the harness's (the peer's SSL)
 * and the other the application's: its SSL in the memory and adopt
 * patterns, nothing in the socket pattern (the application reads and writes
 * its own socket, the pair holds the peer's end). The pair's end BIOs apply
 * faults and record the wire as for any pair. One of the conveniences on
 * top of the module's layers (docs/design.md). This file: the object and
 * the settings of the peer's side (set before a pattern starts). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopback_internal.h"

static void peer_destroy(void *self);
const th_type TH_TYPE_PEER = {"Peer", peer_destroy};

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
  if (th__ssl_set_role(p->ssl, role == TH_PEER_SERVER, "th_peer_new") != TH_OK) {
    th__obj_free(p);
    return NULL;
  }
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
    /* The object is freed when this returns, so the thread must have
     * ended: told to stop, it does within one of its bounded waits (100
     * ms), so a join that timed out is tried again. Any other failure
     * (EINVAL, ESRCH) means there is no joinable thread left. */
    while (th_loopback_thread_join(p->thread, p->deadline_ms + 1000, NULL) == TH_ERR_STALLED) {
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
                   func, th__peer_pattern_name(p->pattern));
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
    /* OpenSSL drops the SSL's old name before it checks (or copies) the
     * new one: put the old one back, so that a refused name changes nothing. */
    th__free(copy);
    int rc = th__err_ossl(TH_ERR_VALUE, "%s: OpenSSL refuses the name \"%.300s\"", __func__, name);
    if (peer->sni != NULL && SSL_set_tlsext_host_name(peer->ssl, peer->sni) != 1) {
      th__free(peer->sni); /* out of memory: no name is sent now, and the peer says so */
      peer->sni = NULL;
      return th__err_ossl(TH_ERR_NOMEM, "%s: OpenSSL refused the name \"%.300s\" and the old name "
                          "could not be put back: the peer sends no name now", __func__, name);
    }
    return rc;
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
