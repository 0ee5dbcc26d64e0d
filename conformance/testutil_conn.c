/* testutil_conn.c — see testutil_conn.h. */
#include "testutil_conn.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "testutil.h"

static tc_pki pki;

const tc_pki *tc_pki_get(void) {
  if (pki.ca == NULL) {
    pki.ca_key = tu_ec_evp();
    pki.server_key = tu_ec_evp();
    pki.client_key = tu_ec_evp();
    pki.ca = tu_make_cert(pki.ca_key, "tlsharness test CA", NULL, NULL, 1, -1, 365);
    pki.server = tu_make_cert(pki.server_key, "localhost", pki.ca, pki.ca_key, 0, -1, 365);
    pki.client = tu_make_cert(pki.client_key, "client", pki.ca, pki.ca_key, 0, -1, 365);
  }
  return &pki;
}

static int write_pem(const char *name, X509 *x, EVP_PKEY *k) {
  FILE *f = fopen(tu_path(name), "w");
  if (f == NULL) return -1;
  int ok = x ? PEM_write_X509(f, x) : PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

int tc_pki_files(void) {
  const tc_pki *p = tc_pki_get();
  return write_pem("ca.pem", p->ca, NULL) | write_pem("server.pem", p->server, NULL) |
         write_pem("server.key", NULL, p->server_key) | write_pem("client.pem", p->client, NULL) |
         write_pem("client.key", NULL, p->client_key);
}

static th_context *make_ctx(int server, int version, int opts) {
  const tc_pki *p = tc_pki_get();
  SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  cr_assert_not_null(c);
  if (version != 0) {
    SSL_CTX_set_min_proto_version(c, version);
    SSL_CTX_set_max_proto_version(c, version);
  }
  if (server || (opts & TC_CERT)) {
    cr_assert_eq(SSL_CTX_use_certificate(c, server ? p->server : p->client), 1);
    cr_assert_eq(SSL_CTX_use_PrivateKey(c, server ? p->server_key : p->client_key), 1);
  }
  if (opts & TC_VERIFY) {
    X509_STORE_add_cert(SSL_CTX_get_cert_store(c), p->ca);
    int mode = SSL_VERIFY_PEER | ((opts & TC_REQUIRE) ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    SSL_CTX_set_verify(c, mode, NULL);
  }
  if (opts & TC_CLIENT_CA) cr_assert_eq(SSL_CTX_add_client_CA(c, p->ca), 1);
  if (opts & TC_NO_TICKET) SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  if (opts & TC_ALLOW_CLIENT_RENEG) SSL_CTX_set_options(c, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  if (server) SSL_CTX_set_session_id_context(c, (const unsigned char *)"tc", 2);
  th_context *ctx = th_context_from_ssl_ctx(c);
  SSL_CTX_free(c);
  cr_assert_not_null(ctx, "%s", tu_err());
  return ctx;
}

th_context *tc_server_ctx(int version, int opts) { return make_ctx(1, version, opts); }
th_context *tc_client_ctx(int version, int opts) { return make_ctx(0, version, opts); }

void tc_pair_new(tc_pair *p, th_context *cctx, th_context *sctx) {
  p->client = th_connection_new(cctx, -1);
  p->server = th_connection_new(sctx, -1);
  cr_assert_not_null(p->client, "%s", tu_err());
  cr_assert_not_null(p->server, "%s", tu_err());
  cr_assert_eq(th_connection_set_connect_state(p->client), TH_OK);
  cr_assert_eq(th_connection_set_accept_state(p->server), TH_OK);
}

void tc_pair_new_v(tc_pair *p, int version, int copts, int sopts) {
  th_context *c = tc_client_ctx(version, copts);
  th_context *s = tc_server_ctx(version, sopts);
  tc_pair_new(p, c, s);
  th_context_free(c);
  th_context_free(s);
}

void tc_pair_free(tc_pair *p) {
  th_connection_free(p->client);
  th_connection_free(p->server);
  p->client = p->server = NULL;
}

static size_t move(th_connection *from, th_connection *to) {
  size_t moved = 0;
  for (int i = 0; i < 1000; i++) {
    th_bytes *b = th_connection_bio_read(from, 16384);
    if (b == NULL) break; /* WANT_READ: nothing left */
    int w = th_connection_bio_write(to, b->data, b->len);
    cr_assert_eq(w, (int)b->len, "bio_write: %s", tu_err());
    moved += b->len;
    th_bytes_free(b);
  }
  return moved;
}

size_t tc_pump(tc_pair *p) { return move(p->client, p->server) + move(p->server, p->client); }

static const char *want_name(int rc) {
  return rc == TH_ERR_WANT_READ ? "WANT_READ" : rc == TH_ERR_WANT_WRITE ? "WANT_WRITE" : th_err_name(rc);
}

int tc_handshake(tc_pair *p, char *why, size_t whysz) {
  char dummy[8];
  if (why == NULL) why = dummy, whysz = sizeof dummy;
  why[0] = '\0';
  int crc = TH_ERR_WANT_READ, src = TH_ERR_WANT_READ;
  for (int round = 0; round < 64; round++) {
    if (crc != TH_OK) crc = th_connection_do_handshake(p->client);
    if (crc != TH_OK && crc != TH_ERR_WANT_READ && crc != TH_ERR_WANT_WRITE) {
      snprintf(why, whysz, "client failed: %s", tu_err());
      return crc;
    }
    if (src != TH_OK) src = th_connection_do_handshake(p->server);
    if (src != TH_OK && src != TH_ERR_WANT_READ && src != TH_ERR_WANT_WRITE) {
      snprintf(why, whysz, "server failed: %s", tu_err());
      return src;
    }
    size_t moved = tc_pump(p);
    if (crc == TH_OK && src == TH_OK) return TH_OK;
    if (moved == 0) {
      snprintf(why, whysz, "stalled after %d rounds: client %s, server %s", round,
               want_name(crc), want_name(src));
      return TH_ERR_STALLED;
    }
  }
  snprintf(why, whysz, "no end after 64 rounds");
  return TH_ERR_STALLED;
}

void tc_connect(tc_pair *p) {
  char why[2300];
  int rc = tc_handshake(p, why, sizeof why);
  cr_assert_eq(rc, TH_OK, "handshake: %s", why);
  /* TLS 1.3: the server's tickets arrive after its Finished; a read
   * attempt on the client takes them in (and finds no data). */
  th_bytes *b = th_connection_recv(p->client, 1, MSG_PEEK);
  cr_assert_null(b);
  cr_assert_eq(th_error_kind(), TH_ERR_WANT_READ, "%s", tu_err());
}

void tc_close(tc_pair *p) {
  cr_assert_eq(th_connection_shutdown(p->client), 0, "%s", tu_err());
  tc_pump(p);
  cr_assert_null(th_connection_recv(p->server, 1, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_ZERO_RETURN, "%s", tu_err());
  cr_assert_eq(th_connection_shutdown(p->server), 1, "%s", tu_err());
  tc_pump(p);
  cr_assert_eq(th_connection_shutdown(p->client), 1, "%s", tu_err());
}

void tc_send_recv(th_connection *from, th_connection *to, tc_pair *p, const char *msg) {
  size_t len = strlen(msg);
  cr_assert_eq(th_connection_sendall(from, msg, len, 0, NULL), TH_OK, "%s", tu_err());
  tc_pump(p);
  char buf[4096];
  size_t got = 0;
  for (int i = 0; i < 64 && got < len; i++) {
    int r = th_connection_recv_into(to, buf + got, sizeof buf - got, 0, 0);
    if (r == TH_ERR_WANT_READ || r == TH_ERR_WANT_WRITE) {
      cr_assert_gt(tc_pump(p), 0u, "recv stalled after %zu of %zu bytes", got, len);
      continue;
    }
    cr_assert_gt(r, 0, "recv_into: %s", tu_err());
    got += (size_t)r;
  }
  cr_assert_eq(got, len);
  cr_assert_arr_eq(buf, msg, len);
}

int tc_drive(tc_pair *p, th_connection *conn, int (*fn)(th_connection *)) {
  int rc = TH_ERR_WANT_READ;
  for (int i = 0; i < 64; i++) {
    rc = fn(conn);
    size_t moved = tc_pump(p);
    if (rc != TH_ERR_WANT_READ && rc != TH_ERR_WANT_WRITE) return rc;
    if (moved == 0) return rc;
  }
  return rc;
}
