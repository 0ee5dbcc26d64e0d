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

/* ---- making and freeing ------------------------------------------------------ */

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
  if (p->transport == TH_LOOPBACK_DIRECT) return th__lb_crossed_mem(p);
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
  int rc = th__ssl_set_role(p->ssl[side], side == TH_LOOPBACK_SERVER, "th_loopback_pair_new");
  if (rc != TH_OK) return rc;
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
  p->app_side = -1;
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
  if (fd < 0) return th__err_sys(errno, "%s: fcntl(F_DUPFD_CLOEXEC)", __func__);
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

int th_loopback_pair_reused(th_loopback_pair *pair, int side) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_check_side(side, __func__);
  if (rc != TH_OK) return rc;
  return SSL_session_reused(pair->ssl[side]) ? 1 : 0;
}

