/* failsweep_ssl.c — TLS scenarios: a full handshake over a loopback pair
 * with ALPN, SNI and a client certificate, data both ways, a resumption and
 * a clean shutdown (TLS 1.3 with tickets, TLS 1.2 with session ids); an
 * observed handshake (transcript, states, key log, pcap); the Context and
 * Connection setters; the fixtures generator making a chain and a CRL. */
#include <string.h>

#include "failsweep.h"

static int alpn_select(th_connection *conn, const char *const *offered, size_t count,
                       const char **selected, void *user) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(offered[i], "h2") == 0) *selected = offered[i];
  return TH_OK;
}

static int servername_seen;
static void on_servername(th_connection *conn, void *user) { servername_seen++; }

int fs_make_contexts(int version, th_context **server, th_context **client) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_x509_store *ss = NULL, *cs = NULL;
  static const char *const protos[] = {"http/1.1", "h2"};
  FS_GET(s, th_context_new(TH_TLS_METHOD));
  FS_GET(c, th_context_new(TH_TLS_METHOD));
  FS_TRY(th_context_set_min_proto_version(s, version));
  FS_TRY(th_context_set_max_proto_version(s, version));
  FS_TRY(th_context_use_certificate(s, fs_in.server));
  FS_TRY(th_context_use_privatekey(s, fs_in.server_key));
  FS_TRY(th_context_add_extra_chain_cert(s, fs_in.inter));
  FS_TRY(th_context_set_verify(s, TH_VERIFY_PEER | TH_VERIFY_FAIL_IF_NO_PEER_CERT, NULL, NULL));
  FS_GET(ss, th_context_get_cert_store(s));
  FS_TRY(th_x509_store_add_cert(ss, fs_in.root));
  FS_TRY(th_context_set_alpn_select_callback(s, alpn_select, NULL));
  FS_TRY(th_context_set_tlsext_servername_callback(s, on_servername, NULL));
  FS_TRY(th_context_set_session_id(s, (const unsigned char *)"failsweep", 9));
  FS_TRY(th_context_use_certificate(c, fs_in.client));
  FS_TRY(th_context_use_privatekey(c, fs_in.client_key));
  FS_TRY(th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL));
  FS_GET(cs, th_context_get_cert_store(c));
  FS_TRY(th_x509_store_add_cert(cs, fs_in.root));
  FS_TRY(th_context_set_alpn_protos(c, protos, 2));
  th_context_set_session_cache_mode(c, TH_SESS_CACHE_CLIENT);
out:
  th_x509_store_free(ss);
  th_x509_store_free(cs);
  if (rc < 0) {
    th_context_free(s);
    th_context_free(c);
  } else {
    *server = s;
    *client = c;
  }
  return rc;
}

static int handshake(int version, int observe) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_loopback_pair *pair = NULL, *again = NULL;
  th_connection *cc = NULL;
  th_bytes *alpn = NULL, *name = NULL, *got = NULL, *transcript = NULL, *pcap = NULL, *keylog = NULL;
  th_list *states = NULL;
  static const unsigned char ping[] = "ping", pong[] = "pong";
  FS_TRY(fs_make_contexts(version, &s, &c));
  FS_GET(pair, th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP));
  if (observe) FS_TRY(th_loopback_pair_observe(pair, TH_LOOPBACK_OBSERVE_ALL));
  FS_GET(cc, th_loopback_pair_connection(pair, TH_LOOPBACK_CLIENT));
  FS_TRY(th_connection_set_tlsext_host_name(cc, (const unsigned char *)"localhost", 9));
  FS_TRY(th_loopback_handshake(pair));
  FS_GET(alpn, th_connection_get_alpn_proto_negotiated(cc));
  if (strcmp((const char *)alpn->data, "h2") != 0) {
    rc = fs_finding("ALPN negotiated '%s'", (const char *)alpn->data);
    goto out;
  }
  FS_TRY(th_loopback_send(pair, TH_LOOPBACK_CLIENT, ping, sizeof ping));
  FS_TRY(th_loopback_expect(pair, TH_LOOPBACK_SERVER, ping, sizeof ping));
  FS_TRY(th_loopback_send(pair, TH_LOOPBACK_SERVER, pong, sizeof pong));
  FS_TRY(th_loopback_expect(pair, TH_LOOPBACK_CLIENT, pong, sizeof pong));
  if (observe) {
    FS_GET(transcript, th_loopback_transcript(pair));
    FS_GET(pcap, th_loopback_pcap(pair));
    FS_GET(keylog, th_loopback_keylog(pair));
    FS_GET(states, th_loopback_info_states(pair, TH_LOOPBACK_SERVER));
    if (th_loopback_record_count(pair) < 4) rc = fs_finding("too few records observed");
  } else {
    FS_TRY(th_loopback_resume(pair, &again));
    FS_TRY(th_loopback_shutdown(again, TH_LOOPBACK_CLIENT));
  }
out:
  th_list_free(states);
  th_bytes_free(keylog);
  th_bytes_free(pcap);
  th_bytes_free(transcript);
  th_bytes_free(got);
  th_bytes_free(name);
  th_bytes_free(alpn);
  th_connection_free(cc);
  th_loopback_pair_free(again);
  th_loopback_pair_free(pair);
  th_context_free(s);
  th_context_free(c);
  return rc;
}
static int handshake_tls13(void) { return handshake(TH_TLS1_3_VERSION, 0); }
static int handshake_tls12(void) { return handshake(TH_TLS1_2_VERSION, 0); }
static int handshake_observed(void) { return handshake(TH_TLS1_3_VERSION, 1); }

/* The Context and Connection setters: a failure leaves the setting as it
 * was (read back through OpenSSL). */
static th_bytes *ctx_ciphers(const th_context *ctx) {
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  STACK_OF(SSL_CIPHER) *sk = raw ? SSL_CTX_get_ciphers(raw) : NULL;
  char buf[4096] = "";
  size_t n = 0;
  for (int i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk) && n < sizeof buf - 64; i++)
    n += (size_t)snprintf(buf + n, sizeof buf - n, "%s:", SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i)));
  SSL_CTX_free(raw);
  return th_bytes_new(buf, n);
}

static int setters_ssl(void) {
  int rc = TH_OK;
  th_context *ctx = NULL;
  th_connection *conn = NULL;
  th_bytes *before = NULL, *after = NULL;
  static const char *const protos[] = {"spdy/3", "http/1.1"};
  fs_pause();
  ctx = th_context_new(TH_TLS_METHOD);
  conn = ctx ? th_connection_new(ctx, -1) : NULL;
  before = ctx ? ctx_ciphers(ctx) : NULL;
  fs_resume();
  if (before == NULL || conn == NULL) {
    rc = fs_finding("setup");
    goto out;
  }
  int r = th_context_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
  fs_pause();
  after = ctx_ciphers(ctx);
  fs_resume();
  if (r < 0) {
    rc = fs_status(r, "th_context_set_cipher_list");
    if (!fs_same(before, after)) fs_finding("set_cipher_list failed but changed the list");
    goto out;
  }
  FS_TRY(th_context_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256"));
  FS_TRY(th_context_set_groups(ctx, "X25519:P-256"));
  FS_TRY(th_context_set_alpn_protos(ctx, protos, 2));
  FS_TRY(th_connection_set_alpn_protos(conn, protos, 2));
  SSL *ssl = th_connection_to_ssl(conn);
  r = th_connection_set_tlsext_host_name(conn, (const unsigned char *)"example.test", 12);
  const char *sni = ssl ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : NULL;
  SSL_free(ssl);
  if (r < 0) {
    rc = fs_status(r, "th_connection_set_tlsext_host_name");
    if (sni != NULL) fs_finding("set_tlsext_host_name failed but set '%s'", sni);
    goto out;
  }
  /* A second name replaces the first; a failure keeps the first. */
  r = th_connection_set_tlsext_host_name(conn, (const unsigned char *)"other.example.test", 18);
  ssl = th_connection_to_ssl(conn);
  sni = ssl ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : NULL;
  int kept = sni != NULL && strcmp(sni, r < 0 ? "example.test" : "other.example.test") == 0;
  SSL_free(ssl);
  if (r < 0) rc = fs_status(r, "th_connection_set_tlsext_host_name (a second name)");
  if (!kept) rc = fs_finding("after a second set_tlsext_host_name (%s) the name is not the %s one",
                             r < 0 ? "failed" : "done", r < 0 ? "first" : "second");
out:
  th_bytes_free(before);
  th_bytes_free(after);
  th_connection_free(conn);
  th_context_free(ctx);
  return rc;
}

/* The fixtures generator: a generator (its own library context), a root, an
 * intermediate and a server leaf, the chain as PEM, a revocation and a CRL. */
static int fixtures_chain(void) {
  int rc = TH_OK;
  th_fixtures *fx = NULL;
  th_fixtures_cert *root = NULL, *inter = NULL, *leaf = NULL;
  th_bytes *pem = NULL;
  th_crl *crl = NULL;
  FS_GET(fx, th_fixtures_new(99));
  FS_GET(root, th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL));
  FS_GET(inter, th_fixtures_issue(fx, root, TH_FIXTURES_ROLE_INTERMEDIATE, NULL));
  FS_GET(leaf, th_fixtures_issue(fx, inter, TH_FIXTURES_ROLE_SERVER, NULL));
  FS_GET(pem, th_fixtures_chain_pem(leaf));
  FS_TRY(th_fixtures_revoke(inter, leaf, 1));
  FS_GET(crl, th_fixtures_crl(inter, NULL, NULL, NULL));
out:
  th_crl_free(crl);
  th_bytes_free(pem);
  th_fixtures_cert_free(leaf);
  th_fixtures_cert_free(inter);
  th_fixtures_cert_free(root);
  th_fixtures_free(fx);
  return rc;
}

const fs_scenario fs_ssl_scenarios[] = {
    {"handshake_tls13", handshake_tls13, 0},
    {"handshake_tls12", handshake_tls12, 0},
    {"handshake_observed", handshake_observed, 0},
    {"setters_ssl", setters_ssl, 0},
    {"fixtures_chain", fixtures_chain, 0},
    {NULL, NULL, 0},
};
