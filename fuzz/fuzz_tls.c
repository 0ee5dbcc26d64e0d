/* fuzz_tls.c — see fuzz_tls.h. */
#include "fuzz_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_use.h"

static fuzz_pki pki;

static th_fixtures_cert *issue(th_fixtures_cert *issuer, int role, int key) {
  th_fixtures_spec spec = {.key = key};
  th_fixtures_cert *c = th_fixtures_issue(pki.fx, issuer, role, &spec);
  if (c == NULL) {
    fprintf(stderr, "fuzz: th_fixtures_issue: %s\n", th_error_last()->message);
    abort();
  }
  return c;
}

const fuzz_pki *fuzz_pki_get(void) {
  if (pki.fx != NULL) return &pki;
  pki.fx = th_fixtures_new(FUZZ_PKI_SEED);
  if (pki.fx == NULL) fuzz_fail("th_fixtures_new failed");
  pki.root = issue(NULL, TH_FIXTURES_ROLE_ROOT, TH_FIXTURES_KEY_P256);
  pki.server_ec = issue(pki.root, TH_FIXTURES_ROLE_SERVER, TH_FIXTURES_KEY_P256);
  pki.server_rsa = issue(pki.root, TH_FIXTURES_ROLE_SERVER, TH_FIXTURES_KEY_RSA2048);
  pki.client = issue(pki.root, TH_FIXTURES_ROLE_CLIENT, TH_FIXTURES_KEY_P256);
  return &pki;
}

/* ---- callbacks: what an application installs, each using its input ---- */

static int verify_cb(th_connection *conn, th_x509 *cert, int errnum, int depth, int ok,
                     void *user) {
  th_x509_name *subject = th_x509_get_subject(cert);
  fuzz_use_bytes(subject ? th_x509_name_oneline(subject) : NULL);
  th_x509_name_free(subject);
  fuzz_use_bytes(th_x509_digest(cert, "sha256"));
  /* Accept: the handshake goes on past verification into the parts a
   * fuzzer could not reach otherwise (CertificateVerify, key exchange). */
  return 1;
}

static void servername_cb(th_connection *conn, void *user) {
  th_bytes *name = NULL;
  if (th_connection_get_servername(conn, &name) == TH_OK) fuzz_use_bytes(name);
}

static int alpn_select_cb(th_connection *conn, const char *const *offered, size_t count,
                          const char **selected, void *user) {
  for (size_t i = 0; i < count; i++) {
    FUZZ_CHECK(offered[i] != NULL, "ALPN offer with a NULL name");
    if (strcmp(offered[i], "h2") == 0 || strcmp(offered[i], "http/1.1") == 0) {
      *selected = offered[i];
      return TH_OK;
    }
  }
  *selected = count > 0 ? offered[count - 1] : NULL;
  return TH_OK;
}

static int ocsp_client_cb(th_connection *conn, const unsigned char *resp, size_t len, void *user) {
  fuzz_use_raw(resp, len);
  return 1;
}

static void info_cb(th_connection *conn, int where, int ret, void *user) {
  if (where & TH_SSL_CB_HANDSHAKE_DONE) fuzz_use_bytes(th_connection_get_state_string(conn));
}

static int must(int rc, const char *what) {
  if (rc < 0) fprintf(stderr, "fuzz: %s: %s\n", what, th_error_last()->message);
  return rc < 0;
}

static int present(th_context *ctx, const th_fixtures_cert *c) {
  return must(th_fixtures_configure_server(ctx, c), "configure_server");
}

th_context *fuzz_server_context(void) {
  const fuzz_pki *p = fuzz_pki_get();
  th_context *ctx = th_context_new(TH_TLS_SERVER_METHOD);
  if (ctx == NULL) return NULL;
  static const unsigned char sid[] = "tlsharness-fuzz";
  /* Both key types: TLS 1.2 RSA key transport, ECDHE-RSA and ECDSA. Every
   * cipher OpenSSL still has (SECLEVEL 0), to reach the most parsers. */
  if (present(ctx, p->server_ec) || present(ctx, p->server_rsa) ||
      must(th_fixtures_configure_client(ctx, p->root), "trust root") ||
      must(th_context_set_cipher_list(ctx, "ALL:@SECLEVEL=0"), "cipher list") ||
      must(th_context_set_verify(ctx, TH_VERIFY_PEER, verify_cb, NULL), "set_verify") ||
      must(th_context_set_session_id(ctx, sid, sizeof sid - 1), "session id") ||
      must(th_context_set_tlsext_servername_callback(ctx, servername_cb, NULL), "servername") ||
      must(th_context_set_alpn_select_callback(ctx, alpn_select_cb, NULL), "alpn") ||
      must(th_context_set_info_callback(ctx, info_cb, NULL), "info")) {
    th_context_free(ctx);
    return NULL;
  }
  return ctx;
}

th_context *fuzz_client_context(void) {
  const fuzz_pki *p = fuzz_pki_get();
  th_context *ctx = th_context_new(TH_TLS_CLIENT_METHOD);
  if (ctx == NULL) return NULL;
  if (present(ctx, p->client) || must(th_fixtures_configure_client(ctx, p->root), "trust root") ||
      must(th_context_set_cipher_list(ctx, "ALL:@SECLEVEL=0"), "cipher list") ||
      must(th_context_set_verify(ctx, TH_VERIFY_PEER, verify_cb, NULL), "set_verify") ||
      must(th_context_set_ocsp_client_callback(ctx, ocsp_client_cb, NULL), "ocsp") ||
      must(th_context_set_info_callback(ctx, info_cb, NULL), "info")) {
    th_context_free(ctx);
    return NULL;
  }
  return ctx;
}

th_connection *fuzz_client_connection(th_context *ctx) {
  static const char *const alpn[] = {"h2", "http/1.1"};
  th_connection *c = th_connection_new(ctx, -1);
  if (c == NULL) fuzz_fail("th_connection_new failed");
  if (th_connection_set_tlsext_host_name(c, (const unsigned char *)"localhost", 9) != TH_OK ||
      th_connection_set_alpn_protos(c, alpn, 2) != TH_OK ||
      th_connection_set_connect_state(c) != TH_OK)
    fuzz_fail("client connection setup failed");
  return c;
}

/* Drain what the connection wrote for its peer. */
static void drain(th_connection *conn) {
  for (int i = 0; i < 64; i++) {
    th_bytes *out = th_connection_bio_read(conn, 16384);
    if (out == NULL) break;
    fuzz_use_bytes(out);
  }
}

/* Run the connection once: the handshake, or after it application data. */
static int run_once(th_connection *conn) {
  int rc = th_connection_do_handshake(conn);
  if (rc == TH_OK) {
    th_bytes *data = th_connection_recv(conn, 16384, 0);
    rc = data != NULL ? TH_OK : th_error_kind();
    fuzz_use_bytes(data);
  }
  drain(conn);
  return rc;
}

size_t fuzz_run_flights(th_connection *conn, const uint8_t *data, size_t len) {
  size_t n = 0;
  if (run_once(conn) != TH_ERR_WANT_READ) return 0; /* before any input it must wait */
  while (len >= 2) {
    size_t flen = (size_t)data[0] << 8 | data[1];
    data += 2;
    len -= 2;
    if (flen > len) flen = len;
    if (flen > 0 && th_connection_bio_write(conn, data, flen) < 0) break;
    data += flen;
    len -= flen;
    n++;
    int rc = run_once(conn);
    if (rc != TH_OK && rc != TH_ERR_WANT_READ) break; /* a fatal error ends the conversation */
  }
  return n;
}

static void use_x509_item(void *item) {
  fuzz_use_bytes(th_x509_digest(item, "sha256"));
}

void fuzz_use_connection(th_connection *conn) {
  th_bytes *b = NULL;
  int (*getters[])(const th_connection *, th_bytes **) = {
      th_connection_client_random,    th_connection_server_random,
      th_connection_master_key,       th_connection_get_finished,
      th_connection_get_peer_finished, th_connection_get_cipher_name,
      th_connection_get_cipher_version, th_connection_get_servername,
      th_connection_get_group_name,   th_connection_get_ocsp_response,
  };
  for (size_t i = 0; i < sizeof getters / sizeof getters[0]; i++) {
    b = NULL;
    if (getters[i](conn, &b) == TH_OK) fuzz_use_bytes(b);
  }
  int bits;
  (void)th_connection_get_cipher_bits(conn, &bits);
  fuzz_use_bytes(th_connection_get_state_string(conn));
  fuzz_use_bytes(th_connection_get_alpn_proto_negotiated(conn));
  fuzz_use_bytes(th_connection_get_protocol_version_name(conn));
  (void)th_connection_get_protocol_version(conn);
  (void)th_connection_get_verify_result(conn);
  (void)th_connection_session_reused(conn);
  th_x509 *peer = NULL;
  if (th_connection_get_peer_certificate(conn, &peer) == TH_OK && peer != NULL) {
    fuzz_use_x509(peer);
    th_x509_free(peer);
  }
  th_list *chain = NULL;
  if (th_connection_get_peer_cert_chain(conn, &chain) == TH_OK) fuzz_use_list(chain, use_x509_item);
  chain = NULL;
  if (th_connection_get_verified_chain(conn, &chain) == TH_OK) fuzz_use_list(chain, use_x509_item);
  th_list_free(th_connection_get_client_ca_list(conn));
  th_session *sess = NULL;
  if (th_connection_get_session(conn, &sess) == TH_OK && sess != NULL) {
    fuzz_use_session(sess);
    th_session_free(sess);
  }
}
