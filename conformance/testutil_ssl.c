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
    pki.root = tu_make_cert(pki.root_key, "ts root CA", NULL, NULL, 1, -1, 365);
    pki.inter = tu_make_cert(pki.inter_key, "ts intermediate CA", pki.root, pki.root_key, 1, -1, 365);
    pki.server = tu_make_cert(pki.server_key, "localhost", pki.inter, pki.inter_key, 0, -1, 365);
    pki.client = tu_make_cert(pki.client_key, "ts client", pki.root, pki.root_key, 0, -1, 365);
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

static void trust_root(th_context *ctx) {
  th_x509_store *st = th_context_get_cert_store(ctx);
  cr_assert_not_null(st, "%s", tu_err());
  th_x509 *root = ts_x509(ts_pki_get()->root);
  cr_assert_eq(th_x509_store_add_cert(st, root), TH_OK, "%s", tu_err());
  th_x509_free(root);
  th_x509_store_free(st);
}

th_context *ts_server_ctx(int version, int opts) {
  const ts_pki *p = ts_pki_get();
  th_context *ctx = make_ctx(version);
  use_pair(ctx, p->server, p->server_key);
  if (opts & TS_CHAIN) {
    th_x509 *inter = ts_x509(p->inter);
    cr_assert_eq(th_context_add_extra_chain_cert(ctx, inter), TH_OK, "%s", tu_err());
    th_x509_free(inter);
  }
  if (opts & TS_TRUST) trust_root(ctx);
  cr_assert_eq(th_context_set_session_id(ctx, (const unsigned char *)"ts", 2), TH_OK);
  return ctx;
}

th_context *ts_client_ctx(int version, int opts) {
  const ts_pki *p = ts_pki_get();
  th_context *ctx = make_ctx(version);
  if (opts & TS_CERT) use_pair(ctx, p->client, p->client_key);
  if (opts & TS_TRUST) trust_root(ctx);
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
  for (int i = 0; i < 64; i++) {
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

int ts_handshake(ts_pair *p, char *side, char *why, size_t whysz) {
  int cdone = 0, sdone = 0, crc = TH_OK, src = TH_OK;
  for (int round = 0; round < 50; round++) {
    if (!cdone) {
      crc = th_connection_do_handshake(p->client);
      if (crc == TH_OK) cdone = 1;
      else if (!want(crc)) {
        if (side) *side = 'c';
        return crc;
      }
    }
    if (!sdone) {
      src = th_connection_do_handshake(p->server);
      if (src == TH_OK) sdone = 1;
      else if (!want(src)) {
        if (side) *side = 's';
        return src;
      }
    }
    size_t moved = ts_pump(p);
    if (cdone && sdone) return TH_OK;
    if (moved == 0) {
      if (why)
        snprintf(why, whysz, "stalled: client %s, server %s", cdone ? "done" : th_err_name(crc),
                 sdone ? "done" : th_err_name(src));
      return TH_ERR_STALLED;
    }
  }
  if (why) snprintf(why, whysz, "no result after 50 rounds");
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
  char side = '?', why[128] = "";
  int rc = ts_handshake(p, &side, why, sizeof why);
  cr_assert_eq(rc, TH_OK, "handshake failed on %c: %s %s", side, why, tu_err());
  ts_read_tickets(p);
}
