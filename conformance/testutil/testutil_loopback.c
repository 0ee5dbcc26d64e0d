/* testutil_loopback.c — see testutil_loopback.h. */
#include "testutil_loopback.h"

#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "testutil.h"

static EVP_PKEY *ca_key, *srv_key;
static X509 *ca, *srv;

static void make_pki(void) {
  if (ca != NULL) return;
  ca_key = tu_ec_evp();
  srv_key = tu_ec_evp();
  ca = tu_make_cert(ca_key, "tlsharness loopback CA", NULL, NULL, 1, -1, 365);
  srv = tu_make_cert(srv_key, "localhost", ca, ca_key, 0, -1, 365);
}

X509 *tl_ca(void) { make_pki(); return ca; }
X509 *tl_server_cert(void) { make_pki(); return srv; }
EVP_PKEY *tl_server_key(void) { make_pki(); return srv_key; }

static void pin(SSL_CTX *c, int version) {
  if (version == 0) return;
  SSL_CTX_set_min_proto_version(c, version);
  SSL_CTX_set_max_proto_version(c, version);
}

SSL_CTX *tl_server_ctx(int version) {
  make_pki();
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  cr_assert_not_null(c);
  cr_assert_eq(SSL_CTX_use_certificate(c, srv), 1);
  cr_assert_eq(SSL_CTX_use_PrivateKey(c, srv_key), 1);
  pin(c, version);
  return c;
}

SSL_CTX *tl_client_ctx(int version) {
  make_pki();
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  cr_assert_not_null(c);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(c), ca);
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
  pin(c, version);
  return c;
}

th_loopback_pair *tl_pair(int transport, int version) {
  SSL_CTX *s = tl_server_ctx(version), *c = tl_client_ctx(version);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, transport);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  cr_assert_not_null(p, "%s", tu_err());
  return p;
}

th_loopback_pair *tl_pair_observed(int transport, int version, int what) {
  th_loopback_pair *p = tl_pair(transport, version);
  cr_assert_eq(th_loopback_pair_observe(p, what), TH_OK, "%s", tu_err());
  return p;
}

const char *tl_transcript(th_loopback_pair *pair) {
  static char buf[8192];
  int obs = th_loopback_pair_observing(pair);
  if (obs < 0 || !(obs & TH_LOOPBACK_OBSERVE_TRANSCRIPT)) return "(not observed)";
  th_bytes *t = th_loopback_transcript(pair);
  snprintf(buf, sizeof buf, "%s", t ? (const char *)t->data : "(none)");
  th_bytes_free(t);
  return buf;
}

const char *tl_version_name(int version) {
  return version == TLS1_3_VERSION ? "TLSv1.3" : version == TLS1_2_VERSION ? "TLSv1.2" : "any";
}

th_peer *tl_server_peer(int version) {
  SSL_CTX *ctx = tl_server_ctx(version);
  th_peer *p = th_peer_new(ctx, TH_PEER_SERVER);
  SSL_CTX_free(ctx);
  cr_assert_not_null(p, "%s", tu_err());
  return p;
}

SSL *tl_app_client(SSL_CTX **ctx) {
  *ctx = tl_client_ctx(0);
  SSL *ssl = SSL_new(*ctx);
  cr_assert_not_null(ssl);
  SSL_set_connect_state(ssl);
  return ssl;
}

int tl_app_handshake(th_peer *p, SSL *app) {
  int rc = SSL_do_handshake(app);
  for (int i = 0; i < 50 && rc != 1 && SSL_get_error(app, rc) == SSL_ERROR_WANT_READ; i++) {
    th_peer_step(p);
    rc = SSL_do_handshake(app);
  }
  return rc;
}
