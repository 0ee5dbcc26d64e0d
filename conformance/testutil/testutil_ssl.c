/* testutil_ssl.c — see testutil_ssl.h. */
#include "testutil_ssl.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "testutil.h"

static ts_pki pki;

const ts_pki *ts_pki_get(void) {
  if (pki.root == NULL) {
    pki.root_key = tu_ec_evp();
    pki.inter_key = tu_ec_evp();
    pki.server_key = tu_ec_evp();
    pki.client_key = tu_ec_evp();
    pki.root = tu_make_cert(pki.root_key, TS_ROOT_CN, NULL, NULL, 1, -1, 365);
    pki.inter = tu_make_cert(pki.inter_key, "ts intermediate CA", pki.root, pki.root_key, 1, -1, 365);
    pki.server = tu_make_cert(pki.server_key, "localhost", pki.inter, pki.inter_key, 0, -1, 365);
    pki.client = tu_make_cert(pki.client_key, TS_CLIENT_CN, pki.root, pki.root_key, 0, -1, 365);
  }
  return &pki;
}

const char *ts_write_cert(const char *name, X509 *const *certs, size_t n) {
  const char *path = tu_path(name);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  for (size_t i = 0; i < n; i++) cr_assert_eq(PEM_write_X509(f, certs[i]), 1);
  cr_assert_eq(fclose(f), 0);
  return path;
}

const char *ts_write_key(const char *name, EVP_PKEY *key, const char *pass) {
  const char *path = tu_path(name);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  const EVP_CIPHER *enc = pass ? EVP_aes_256_cbc() : NULL;
  cr_assert_eq(PEM_write_PrivateKey(f, key, enc, (unsigned char *)pass, pass ? (int)strlen(pass) : 0,
                                    NULL, NULL),
               1);
  cr_assert_eq(fclose(f), 0);
  return path;
}

const char *ts_write_cert_der(const char *name, X509 *cert) {
  const char *path = tu_path(name);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(i2d_X509_fp(f, cert), 1);
  cr_assert_eq(fclose(f), 0);
  return path;
}

const char *ts_write_key_der(const char *name, EVP_PKEY *key) {
  const char *path = tu_path(name);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(i2d_PrivateKey_fp(f, key), 1);
  cr_assert_eq(fclose(f), 0);
  return path;
}

void ts_pki_files(void) {
  const ts_pki *p = ts_pki_get();
  X509 *cas[] = {p->root, p->inter};
  ts_write_cert("ca.pem", cas, 2);
  ts_write_cert("server.pem", &p->server, 1);
  ts_write_key("server.key", p->server_key, NULL);
  ts_write_cert("client.pem", &p->client, 1);
  ts_write_key("client.key", p->client_key, NULL);
}

th_x509 *ts_x509(X509 *x) {
  th_x509 *c = th_x509_from_x509(x);
  cr_assert_not_null(c, "%s", tu_err());
  return c;
}

th_pkey *ts_pkey(EVP_PKEY *k) {
  th_pkey *p = th_pkey_from_evp(k);
  cr_assert_not_null(p, "%s", tu_err());
  return p;
}

static void use_pair(th_context *ctx, X509 *cert, EVP_PKEY *key) {
  th_x509 *c = ts_x509(cert);
  th_pkey *k = ts_pkey(key);
  cr_assert_eq(th_context_use_certificate(ctx, c), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_use_privatekey(ctx, k), TH_OK, "%s", tu_err());
  th_x509_free(c);
  th_pkey_free(k);
}

static th_context *make_ctx(int version) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_not_null(ctx, "%s", tu_err());
  if (version != 0) {
    cr_assert_eq(th_context_set_min_proto_version(ctx, version), TH_OK);
    cr_assert_eq(th_context_set_max_proto_version(ctx, version), TH_OK);
  }
  return ctx;
}

/* apply_common: what client and server options share. */
static void apply_common(th_context *ctx, int opts) {
  const ts_pki *p = ts_pki_get();
  if (opts & (TS_TRUST | TS_VERIFY)) {
    th_x509_store *st = th_context_get_cert_store(ctx);
    cr_assert_not_null(st, "%s", tu_err());
    th_x509 *root = ts_x509(p->root);
    cr_assert_eq(th_x509_store_add_cert(st, root), TH_OK, "%s", tu_err());
    th_x509_free(root);
    th_x509_store_free(st);
  }
  if (opts & TS_VERIFY) {
    int mode = TH_VERIFY_PEER | ((opts & TS_REQUIRE) ? TH_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    cr_assert_eq(th_context_set_verify(ctx, mode, NULL, NULL), TH_OK, "%s", tu_err());
  }
  if (opts & TS_ALLOW_CLIENT_RENEG) th_context_set_options(ctx, TH_OP_ALLOW_CLIENT_RENEGOTIATION);
}

void ts_need_version(int version) {
  const char *why = NULL;
#ifdef OPENSSL_NO_SSL3
  if (version == TH_SSL3_VERSION) why = "SSL 3.0 (built with no-ssl3)";
#endif
#ifdef OPENSSL_NO_TLS1
  if (version == TH_TLS1_VERSION) why = "TLS 1.0 (built with no-tls1)";
#endif
#ifdef OPENSSL_NO_TLS1_1
  if (version == TH_TLS1_1_VERSION) why = "TLS 1.1 (built with no-tls1_1)";
#endif
  if (why != NULL) cr_skip_test("UNSUPPORTED: %s is configured out of this OpenSSL build", why);
}

void ts_need_method(int method) {
  if (method == TH_TLSv1_METHOD) ts_need_version(TH_TLS1_VERSION);
  if (method == TH_TLSv1_1_METHOD) ts_need_version(TH_TLS1_1_VERSION);
}

void ts_need_npn(void) {
#ifdef OPENSSL_NO_NEXTPROTONEG
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_not_null(ctx, "%s", tu_err());
  int rc = th_context_set_npn_select_callback(ctx, NULL, NULL);
  th_context_free(ctx);
  cr_assert_eq(rc, TH_ERR_UNSUPPORTED, "NPN configured out, yet the library says %d", rc);
  cr_skip_test("UNSUPPORTED: NPN is configured out of this OpenSSL build (no-nextprotoneg)");
#endif
}

th_context *ts_server_ctx(int version, int opts) {
  ts_need_version(version);
  const ts_pki *p = ts_pki_get();
  th_context *ctx = make_ctx(version);
  use_pair(ctx, p->server, p->server_key);
  if (opts & TS_CHAIN) {
    th_x509 *inter = ts_x509(p->inter);
    cr_assert_eq(th_context_add_extra_chain_cert(ctx, inter), TH_OK, "%s", tu_err());
    th_x509_free(inter);
  }
  if (opts & TS_CLIENT_CA) {
    th_x509 *root = ts_x509(p->root);
    cr_assert_eq(th_context_add_client_ca(ctx, root), TH_OK, "%s", tu_err());
    th_x509_free(root);
  }
  apply_common(ctx, opts);
  cr_assert_eq(th_context_set_session_id(ctx, (const unsigned char *)"ts", 2), TH_OK);
  return ctx;
}

th_context *ts_client_ctx(int version, int opts) {
  ts_need_version(version);
  const ts_pki *p = ts_pki_get();
  th_context *ctx = make_ctx(version);
  if (opts & TS_CERT) use_pair(ctx, p->client, p->client_key);
  apply_common(ctx, opts);
  return ctx;
}

void ts_pair_new(ts_pair *p, th_context *cctx, th_context *sctx) {
  p->client = th_connection_new(cctx, -1);
  cr_assert_not_null(p->client, "%s", tu_err());
  p->server = th_connection_new(sctx, -1);
  cr_assert_not_null(p->server, "%s", tu_err());
  cr_assert_eq(th_connection_set_connect_state(p->client), TH_OK);
  cr_assert_eq(th_connection_set_accept_state(p->server), TH_OK);
}

void ts_pair_new_v(ts_pair *p, int version, int copts, int sopts) {
  th_context *c = ts_client_ctx(version, copts);
  th_context *s = ts_server_ctx(version, sopts);
  ts_pair_new(p, c, s);
  th_context_free(c);
  th_context_free(s);
}

void ts_pair_free(ts_pair *p) {
  /* Mark both ends shut down cleanly: OpenSSL makes the session of a
   * connection freed without a shutdown non-resumable. */
  int both = TH_SENT_SHUTDOWN | TH_RECEIVED_SHUTDOWN;
  if (p->client) th_connection_set_shutdown(p->client, both);
  if (p->server) th_connection_set_shutdown(p->server, both);
  th_connection_free(p->client);
  th_connection_free(p->server);
  p->client = p->server = NULL;
}

static size_t move(th_connection *from, th_connection *to) {
  size_t moved = 0;
  for (int i = 0; i < 1000; i++) {
    th_bytes *b = th_connection_bio_read(from, 16384);
    if (b == NULL) break; /* TH_ERR_WANT_READ: nothing pending */
    cr_assert_eq(th_connection_bio_write(to, b->data, b->len), (int)b->len, "%s", tu_err());
    moved += b->len;
    th_bytes_free(b);
  }
  return moved;
}

size_t ts_pump(ts_pair *p) { return move(p->client, p->server) + move(p->server, p->client); }

static int want(int rc) { return rc == TH_ERR_WANT_READ || rc == TH_ERR_WANT_WRITE; }

static const char *state(int rc) { return rc == TH_OK ? "done" : th_err_name(rc); }

int ts_handshake(ts_pair *p, char *side, char *why, size_t whysz) {
  char side_dummy, why_dummy[8];
  if (side == NULL) side = &side_dummy;
  if (why == NULL) why = why_dummy, whysz = sizeof why_dummy;
  why[0] = '\0';
  th_connection *conn[2] = {p->client, p->server};
  int rc[2] = {TH_ERR_WANT_READ, TH_ERR_WANT_READ};
  for (int round = 0; round < 64; round++) {
    for (int i = 0; i < 2; i++) {
      if (rc[i] != TH_OK) rc[i] = th_connection_do_handshake(conn[i]);
      if (rc[i] != TH_OK && !want(rc[i])) {
        *side = "cs"[i];
        snprintf(why, whysz, "%s failed: %s", i ? "server" : "client", tu_err());
        return rc[i];
      }
    }
    size_t moved = ts_pump(p);
    if (rc[0] == TH_OK && rc[1] == TH_OK) return TH_OK;
    if (moved == 0) {
      *side = rc[0] != TH_OK ? 'c' : 's';
      snprintf(why, whysz, "stalled after %d rounds: client %s, server %s", round, state(rc[0]),
               state(rc[1]));
      return TH_ERR_STALLED;
    }
  }
  snprintf(why, whysz, "no result after 64 rounds");
  return TH_ERR_STALLED;
}

void ts_read_tickets(ts_pair *p) {
  for (int i = 0; i < 4; i++) {
    if (ts_pump(p) == 0 && i > 0) break;
    th_bytes *b = th_connection_recv(p->client, 1, 0);
    cr_assert_null(b, "no application data was sent");
    cr_assert(want(th_error_kind()), "%s", tu_err());
  }
}

void ts_connect(ts_pair *p) {
  char side = '?', why[2300] = "";
  int rc = ts_handshake(p, &side, why, sizeof why);
  cr_assert_eq(rc, TH_OK, "handshake failed on %c: %s", side, why);
  ts_read_tickets(p);
}

void ts_close(ts_pair *p) {
  cr_assert_eq(th_connection_shutdown(p->client), 0, "%s", tu_err());
  ts_pump(p);
  cr_assert_null(th_connection_recv(p->server, 1, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_ZERO_RETURN, "%s", tu_err());
  cr_assert_eq(th_connection_shutdown(p->server), 1, "%s", tu_err());
  ts_pump(p);
  cr_assert_eq(th_connection_shutdown(p->client), 1, "%s", tu_err());
}

void ts_send_recv(th_connection *from, th_connection *to, ts_pair *p, const char *msg) {
  size_t len = strlen(msg);
  char buf[4096];
  cr_assert_leq(len, sizeof buf);
  cr_assert_eq(th_connection_sendall(from, msg, len, 0, NULL), TH_OK, "%s", tu_err());
  ts_pump(p);
  size_t got = 0;
  for (int i = 0; i < 64 && got < len; i++) {
    int r = th_connection_recv_into(to, buf + got, sizeof buf - got, 0, 0);
    if (want(r)) {
      cr_assert_gt(ts_pump(p), 0u, "recv stalled after %zu of %zu bytes", got, len);
      continue;
    }
    cr_assert_gt(r, 0, "recv_into: %s", tu_err());
    got += (size_t)r;
  }
  cr_assert_eq(got, len);
  cr_assert_arr_eq(buf, msg, len);
}
