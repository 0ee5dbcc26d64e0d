/* failsweep_conn.c — the Context and Connection objects themselves: making
 * them (memory BIOs, a socket, a foreign SSL_CTX and SSL wrapped), moving a
 * Connection to another Context, a new Session; the Connection's own
 * memory BIOs and reads, its client CA list and set_session after a
 * handshake; the trust and CA-name settings of a Context (a failed setter
 * leaves the CA names); a TLS 1.2 handshake with OCSP stapling and NPN.
 * The loopback scenarios (failsweep_ssl.c) wrap SSLs the loopback library
 * made itself, so they never reach these paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "failsweep.h"

/* ---- making and wrapping the objects -------------------------------------------- */

static int connection_objects(void) {
  int rc = TH_OK;
  th_context *ctx = NULL, *other = NULL, *wrapped = NULL, *now = NULL;
  th_connection *mem = NULL, *sock = NULL, *foreign = NULL;
  th_session *sess = NULL;
  SSL_CTX *raw = NULL, *raw2 = NULL;
  SSL *ssl = NULL;
  int sv[2] = {-1, -1};
  fs_pause();
  ctx = th_context_new(TH_TLS_METHOD);
  other = th_context_new(TH_TLS_METHOD);
  raw = SSL_CTX_new(TLS_method());
  raw2 = SSL_CTX_new(TLS_method());
  ssl = raw2 ? SSL_new(raw2) : NULL; /* its SSL_CTX not wrapped yet */
  int sp = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  fs_resume();
  if (ctx == NULL || other == NULL || raw == NULL || ssl == NULL || sp != 0) {
    rc = fs_finding("setup");
    goto out;
  }
  FS_GET(mem, th_connection_new(ctx, -1));
  FS_GET(sock, th_connection_new(ctx, sv[0]));
  FS_GET(wrapped, th_context_from_ssl_ctx(raw));
  FS_GET(foreign, th_connection_from_ssl(ssl));
  FS_GET(sess, th_session_new());
  /* A failed set_context leaves the Connection on its Context. */
  int r = th_connection_set_context(mem, other);
  if (r < 0) rc = fs_status(r, "th_connection_set_context");
  th_context *want = r < 0 ? ctx : other;
  fs_pause();
  now = th_connection_get_context(mem);
  SSL *mine = th_connection_to_ssl(mem);
  SSL_CTX *want_raw = th_context_to_ssl_ctx(want);
  int same = mine != NULL && SSL_get_SSL_CTX(mine) == want_raw;
  SSL_free(mine);
  SSL_CTX_free(want_raw);
  fs_resume();
  if (now != want || !same)
    rc = fs_finding("set_context %s but the Connection is on the %s Context (its SSL %s)",
                    r < 0 ? "failed" : "succeeded", now == ctx ? "old" : now == other ? "new" : "wrong",
                    same ? "agrees" : "does not");
out:
  th_session_free(sess);
  th_connection_free(foreign);
  th_connection_free(sock);
  th_connection_free(mem);
  th_context_free(now);
  th_context_free(wrapped);
  th_context_free(other);
  th_context_free(ctx);
  SSL_free(ssl);
  SSL_CTX_free(raw2);
  SSL_CTX_free(raw);
  if (sv[0] >= 0) close(sv[0]);
  if (sv[1] >= 0) close(sv[1]);
  return rc;
}

/* ---- a Connection's own memory BIOs --------------------------------------------- */

/* move copies what from has written to to's input (uncounted callers). */
static int move(th_connection *from, th_connection *to) {
  int n = 0;
  th_bytes *b;
  while ((b = th_connection_bio_read(from, 16384)) != NULL) {
    if (th_connection_bio_write(to, b->data, b->len) < 0) n = -1000;
    n++;
    th_bytes_free(b);
  }
  return n;
}

/* mem_handshake drives two memory-BIO Connections to the end of their
 * handshakes, both ways' bytes moved each round (at most 32 rounds). */
static int mem_handshake(th_connection *c, th_connection *s) {
  for (int round = 0; round < 32; round++) {
    int rc = th_connection_do_handshake(c), rs = th_connection_do_handshake(s);
    int moved = move(c, s) + move(s, c);
    if (moved < 0) return TH_ERR_NOMEM;
    if (rc != TH_OK && rc != TH_ERR_WANT_READ) return rc;
    if (rs != TH_OK && rs != TH_ERR_WANT_READ) return rs;
    if (rc == TH_OK && rs == TH_OK && moved == 0) return TH_OK;
  }
  return TH_ERR_VALUE;
}

static int connection_memory_io(void) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_connection *cc = NULL, *sc = NULL;
  th_bytes *wire = NULL, *got = NULL;
  th_list *cas = NULL;
  th_session *sess = NULL;
  /* Larger than the handshake's flights, so that the server's input BIO
   * must grow (an allocation) to take it. */
  static unsigned char ping[20000];
  memset(ping, 'p', sizeof ping);
  fs_pause();
  int r = fs_make_contexts(TH_TLS1_2_VERSION, &s, &c);
  if (r == TH_OK) r = th_context_add_client_ca(s, fs_in.root);
  if (r == TH_OK) r = th_context_add_client_ca(s, fs_in.inter);
  if (r == TH_OK && ((cc = th_connection_new(c, -1)) == NULL || (sc = th_connection_new(s, -1)) == NULL))
    r = th_error_kind();
  if (r == TH_OK) r = th_connection_set_connect_state(cc);
  if (r == TH_OK) r = th_connection_set_accept_state(sc);
  if (r == TH_OK) r = mem_handshake(cc, sc);
  if (r == TH_OK) r = th_connection_get_session(cc, &sess);
  fs_resume();
  if (r != TH_OK || sess == NULL) {
    rc = fs_finding("setup: %s", th_err_name(r));
    goto out;
  }
  FS_TRY(th_connection_send(cc, ping, sizeof ping, 0));
  FS_GET(wire, th_connection_bio_read(cc, 65536));
  FS_TRY(th_connection_bio_write(sc, wire->data, wire->len));
  FS_GET(got, th_connection_recv(sc, 64, 0));
  if (got->len != 64 || memcmp(got->data, ping, 64) != 0) {
    rc = fs_finding("recv gave %zu bytes, not the first 64 sent", got->len);
    goto out;
  }
  FS_GET(cas, th_connection_get_client_ca_list(sc));
  if (cas->count != 2) {
    rc = fs_finding("the client CA list has %zu names, not 2", cas->count);
    goto out;
  }
  FS_TRY(th_connection_set_session(cc, sess));
out:
  th_session_free(sess);
  th_list_free(cas);
  th_bytes_free(got);
  th_bytes_free(wire);
  th_connection_free(sc);
  th_connection_free(cc);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

/* ---- trust and CA names of a Context -------------------------------------------- */

/* The CA names a server sends, as their DER one after another. */
static th_bytes *dump_ca_names(const void *o) {
  SSL_CTX *raw = th_context_to_ssl_ctx(o);
  STACK_OF(X509_NAME) *sk = raw ? SSL_CTX_get_client_CA_list(raw) : NULL;
  unsigned char buf[4096];
  size_t n = 0;
  int ok = raw != NULL;
  for (int i = 0; ok && i < sk_X509_NAME_num(sk); i++) {
    const unsigned char *der = NULL;
    size_t len = 0;
    ok = X509_NAME_get0_der(sk_X509_NAME_value(sk, i), &der, &len) == 1 && n + len <= sizeof buf;
    if (ok) memcpy(buf + n, der, len);
    n += len;
  }
  SSL_CTX_free(raw);
  return ok ? th_bytes_new(buf, n) : NULL;
}

static int write_file(const char *path, const th_bytes *b) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  size_t n = fwrite(b->data, 1, b->len, f);
  return fclose(f) == 0 && n == b->len ? 0 : -1;
}

static int context_trust(void) {
  int rc = TH_OK;
  th_context *ctx = NULL;
  th_x509_name *names[2] = {NULL, NULL};
  th_x509_store *store = NULL;
  th_bytes *snap = NULL;
  char cafile[128];
  fs_pause();
  snprintf(cafile, sizeof cafile, "%s/client_ca.pem", fs_tmpdir());
  int w = write_file(cafile, fs_in.chain_pem);
  /* The default paths: this small file and an empty directory, not the
   * system's bundle (hundreds of certificates: a minute of sweeping). */
  if (w == 0 && (setenv("SSL_CERT_FILE", cafile, 1) != 0 || setenv("SSL_CERT_DIR", fs_tmpdir(), 1) != 0))
    w = -1;
  ctx = th_context_new(TH_TLS_METHOD);
  names[0] = th_x509_get_subject(fs_in.root);
  names[1] = th_x509_get_subject(fs_in.inter);
  fs_resume();
  if (w != 0 || ctx == NULL || names[0] == NULL || names[1] == NULL) {
    rc = fs_finding("setup");
    goto out;
  }
  FS_TRY(th_context_set_default_verify_paths(ctx));
  FS_GET(store, th_context_get_cert_store(ctx));
  FS_SNAP(ctx, dump_ca_names);
  FS_SET(ctx, dump_ca_names, th_context_set_client_ca_list(ctx, names, 2));
  FS_SET(ctx, dump_ca_names, th_context_add_client_ca(ctx, fs_in.client));
  FS_SET(ctx, dump_ca_names, th_context_load_client_ca(ctx, cafile));
out:
  fs_pause();
  unsetenv("SSL_CERT_FILE");
  unsetenv("SSL_CERT_DIR");
  fs_resume();
  th_bytes_free(snap);
  th_x509_store_free(store);
  th_x509_name_free(names[0]);
  th_x509_name_free(names[1]);
  th_context_free(ctx);
  return rc;
}

/* ---- OCSP stapling and NPN on a TLS 1.2 handshake ------------------------------- */

/* The smallest OCSPResponse (tryLater), which every OpenSSL 3 staples. */
static const unsigned char ocsp_resp[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
static size_t ocsp_seen;

static int staple(th_connection *conn, const unsigned char **resp, size_t *len, void *user) {
  *resp = ocsp_resp;
  *len = sizeof ocsp_resp;
  return TH_OK;
}

static int check_staple(th_connection *conn, const unsigned char *resp, size_t len, void *user) {
  ocsp_seen = len;
  return 1;
}

#ifndef OPENSSL_NO_NEXTPROTONEG
static int advertise(th_connection *conn, const char *const **protos, size_t *count, void *user) {
  static const char *const list[] = {"spdy/2", "h2"};
  *protos = list;
  *count = 2;
  return TH_OK;
}

static int pick(th_connection *conn, const char *const *offered, size_t count, const char **selected,
                void *user) {
  *selected = count > 0 ? offered[count - 1] : NULL;
  return TH_OK;
}
#endif

static int stapling_npn(void) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_loopback_pair *pair = NULL;
  th_connection *cc = NULL;
  th_bytes *proto = NULL;
  fs_pause();
  int r = fs_make_contexts(TH_TLS1_2_VERSION, &s, &c);
  if (r == TH_OK) r = th_context_set_ocsp_server_callback(s, staple, NULL);
  if (r == TH_OK) r = th_context_set_ocsp_client_callback(c, check_staple, NULL);
#ifndef OPENSSL_NO_NEXTPROTONEG
  /* ALPN takes precedence over NPN: without it, NPN runs. */
  if (r == TH_OK) r = th_context_set_alpn_select_callback(s, NULL, NULL);
  if (r == TH_OK) r = th_context_set_npn_advertise_callback(s, advertise, NULL);
  if (r == TH_OK) r = th_context_set_npn_select_callback(c, pick, NULL);
#endif
  fs_resume();
  if (r != TH_OK) {
    rc = fs_finding("setup: %s", th_err_name(r));
    goto out;
  }
  ocsp_seen = 0;
  FS_GET(pair, th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP));
  FS_GET(cc, th_loopback_pair_connection(pair, TH_LOOPBACK_CLIENT));
  FS_TRY(th_loopback_handshake(pair));
  if (ocsp_seen != sizeof ocsp_resp) {
    rc = fs_finding("the client saw a stapled response of %zu bytes", ocsp_seen);
    goto out;
  }
#ifndef OPENSSL_NO_NEXTPROTONEG
  FS_GET(proto, th_connection_get_next_proto_negotiated(cc));
  if (proto->len != 2 || memcmp(proto->data, "h2", 2) != 0)
    rc = fs_finding("NPN negotiated %zu bytes, not h2", proto->len);
#endif
out:
  th_bytes_free(proto);
  th_connection_free(cc);
  th_loopback_pair_free(pair);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

const fs_scenario fs_conn_scenarios[] = {
    {"connection_objects", connection_objects, 0},
    {"connection_memory_io", connection_memory_io, 0},
    {"context_trust", context_trust, 0},
    {"stapling_npn", stapling_npn, 0},
    {NULL, NULL, 0},
};
