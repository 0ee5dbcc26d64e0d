/* failsweep_tls.c — more TLS scenarios: the Connection getters after a
 * handshake, Session to and from DER, the name and policy settings of
 * Context and Connection (a failed setter leaves the parameters), a
 * handshake through loopback faults with every observation read back and
 * written to files, a scripted th_peer in the memory pattern, and the
 * fixtures generator writing files. Each scenario makes its setup with
 * counting paused where the setup is swept elsewhere, so its failure
 * points are the calls it is about. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509_vfy.h>

#include "failsweep.h"
#include "tlsharness/peer.h"

static char tmpdir[64];
const char *fs_tmpdir(void) {
  if (tmpdir[0] == '\0') {
    const char *base = getenv("TEST_TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/failsweepXXXXXX", base && strlen(base) < 40 ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) tmpdir[0] = '\0';
  }
  return tmpdir;
}

/* A finished TLS 1.2 or 1.3 handshake (uncounted), for the getters. */
static int done_pair(int version, th_context **s, th_context **c, th_loopback_pair **pair) {
  fs_pause();
  int rc = fs_make_contexts(version, s, c);
  if (rc == TH_OK && (*pair = th_loopback_pair_new(*s, *c, TH_LOOPBACK_PUMP)) == NULL) rc = th_error_kind();
  th_connection *cc = rc == TH_OK ? th_loopback_pair_connection(*pair, TH_LOOPBACK_CLIENT) : NULL;
  if (rc == TH_OK && cc == NULL) rc = th_error_kind();
  if (rc == TH_OK) rc = th_connection_set_tlsext_host_name(cc, (const unsigned char *)"localhost", 9);
  if (rc == TH_OK) rc = th_loopback_handshake(*pair);
  th_connection_free(cc);
  fs_resume();
  return rc == TH_OK ? TH_OK : fs_finding("setup: %s", th_err_name(rc));
}

static int getters(th_connection *conn, int server) {
  int rc = TH_OK;
  th_bytes *b[12] = {0}, *ekm = NULL, *state = NULL, *vname = NULL;
  th_x509 *peer = NULL;
  th_list *chain = NULL, *verified = NULL, *ciphers = NULL, *cas = NULL;
  th_session *sess = NULL;
  th_context *ctx = NULL;
  int bits = 0;
  FS_TRY(th_connection_client_random(conn, &b[0]));
  FS_TRY(th_connection_server_random(conn, &b[1]));
  FS_TRY(th_connection_master_key(conn, &b[2]));
  FS_TRY(th_connection_get_finished(conn, &b[3]));
  FS_TRY(th_connection_get_peer_finished(conn, &b[4]));
  FS_TRY(th_connection_get_cipher_name(conn, &b[5]));
  FS_TRY(th_connection_get_cipher_version(conn, &b[6]));
  FS_TRY(th_connection_get_cipher_bits(conn, &bits));
  FS_TRY(th_connection_get_servername(conn, &b[7]));
  FS_TRY(th_connection_get_group_name(conn, &b[8]));
  FS_TRY(th_connection_get_peer_name(conn, &b[9]));
  FS_TRY(th_connection_get_peer_certificate(conn, &peer));
  FS_TRY(th_connection_get_peer_cert_chain(conn, &chain));
  FS_TRY(th_connection_get_verified_chain(conn, &verified));
  FS_TRY(th_connection_get_session(conn, &sess));
  FS_GET(ciphers, th_connection_get_cipher_list(conn));
  FS_GET(vname, th_connection_get_protocol_version_name(conn));
  FS_GET(state, th_connection_get_state_string(conn));
  FS_GET(ekm, th_connection_export_keying_material(conn, "EXPERIMENTAL sweep", 32, NULL, 0));
  if (server) FS_GET(cas, th_connection_get_client_ca_list(conn));
  FS_GET(ctx, th_connection_get_context(conn));
  if (peer == NULL || b[5] == NULL || bits < 128 || ekm->len != 32 || verified == NULL ||
      verified->count < 2)
    rc = fs_finding("a getter gave a wrong answer (peer %d, cipher %d, bits %d, verified %zu)",
                    peer != NULL, b[5] != NULL, bits, verified ? verified->count : 0);
out:
  for (size_t i = 0; i < 12; i++) th_bytes_free(b[i]);
  th_bytes_free(ekm);
  th_bytes_free(state);
  th_bytes_free(vname);
  th_x509_free(peer);
  th_list_free(chain);
  th_list_free(verified);
  th_list_free(ciphers);
  th_list_free(cas);
  th_session_free(sess);
  th_context_free(ctx);
  return rc;
}

static int connection_getters(int version) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_loopback_pair *pair = NULL;
  th_connection *cc = NULL, *sc = NULL;
  FS_TRY(done_pair(version, &s, &c, &pair));
  FS_GET(cc, th_loopback_pair_connection(pair, TH_LOOPBACK_CLIENT));
  FS_GET(sc, th_loopback_pair_connection(pair, TH_LOOPBACK_SERVER));
  FS_TRY(getters(cc, 0));
  FS_TRY(getters(sc, 1));
out:
  th_connection_free(sc);
  th_connection_free(cc);
  th_loopback_pair_free(pair);
  th_context_free(s);
  th_context_free(c);
  return rc;
}
static int connection_getters_tls13(void) { return connection_getters(TH_TLS1_3_VERSION); }
static int connection_getters_tls12(void) { return connection_getters(TH_TLS1_2_VERSION); }

/* A TLS 1.2 session: to DER and back, its getters, resumed on a new pair. */
static int session(void) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_loopback_pair *pair = NULL, *again = NULL;
  th_session *sess = NULL, *back = NULL;
  th_bytes *der = NULL, *der2 = NULL, *id = NULL;
  FS_TRY(done_pair(TH_TLS1_2_VERSION, &s, &c, &pair));
  FS_GET(sess, th_loopback_pair_get_session(pair));
  FS_GET(der, th_session_to_der(sess));
  FS_GET(back, th_session_from_der(der->data, der->len));
  FS_GET(der2, th_session_to_der(back));
  FS_SAME(der2, der);
  FS_GET(id, th_session_get_id(back));
  if (th_session_is_resumable(back) != 1 || th_session_get_protocol_version(back) != TH_TLS1_2_VERSION ||
      id->len == 0 || th_session_get_timeout(back) <= 0 || th_session_get_time(back) <= 0) {
    rc = fs_finding("the decoded session reads back wrong");
    goto out;
  }
  FS_GET(again, th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP));
  FS_TRY(th_loopback_pair_set_session(again, back));
  FS_TRY(th_loopback_handshake(again));
  /* Under a failed allocation OpenSSL may make a full handshake instead of
   * resuming (a session it cannot look up or accept): counted, not ours. */
  if (th_loopback_pair_reused(again, TH_LOOPBACK_CLIENT) != 1)
    fs_tolerated("OpenSSL made a full handshake instead of resuming");
out:
  th_bytes_free(id);
  th_bytes_free(der2);
  th_bytes_free(der);
  th_session_free(back);
  th_session_free(sess);
  th_loopback_pair_free(again);
  th_loopback_pair_free(pair);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

/* ---- name and policy settings of Context and Connection ----------------- */
static th_bytes *dump_ctx_vp(const void *o) {
  SSL_CTX *raw = th_context_to_ssl_ctx(o);
  th_bytes *b = raw ? fs_dump_param(SSL_CTX_get0_param(raw)) : NULL;
  SSL_CTX_free(raw);
  return b;
}
static th_bytes *dump_conn_vp(const void *o) {
  SSL *raw = th_connection_to_ssl(o);
  th_bytes *b = raw ? fs_dump_param(SSL_get0_param(raw)) : NULL;
  SSL_free(raw);
  return b;
}

static int name_settings(void) {
  int rc = TH_OK;
  th_context *ctx = NULL;
  th_connection *conn = NULL;
  th_bytes *snap = NULL;
  fs_pause();
  ctx = th_context_new(TH_TLS_METHOD);
  conn = ctx ? th_connection_new(ctx, -1) : NULL;
  fs_resume();
  if (conn == NULL) {
    rc = fs_finding("setup");
    goto out;
  }
  FS_SNAP(ctx, dump_ctx_vp);
  FS_SET(ctx, dump_ctx_vp, th_context_set_host(ctx, "first.example", 13));
  FS_SET(ctx, dump_ctx_vp, th_context_set_host(ctx, "server.example", 14));
  FS_SET(ctx, dump_ctx_vp, th_context_set_ip(ctx, "192.0.2.1"));
  FS_SET(ctx, dump_ctx_vp, th_context_set_email(ctx, "c@example.test", 14));
  FS_SET(ctx, dump_ctx_vp, th_context_set_host_flags(ctx, TH_X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS));
  FS_SET(ctx, dump_ctx_vp, th_context_set_purpose(ctx, X509_PURPOSE_SSL_SERVER));
  FS_SET(ctx, dump_ctx_vp, th_context_set_auth_level(ctx, 1));
  FS_SET(ctx, dump_ctx_vp, th_context_set_verify_flags(ctx, TH_X509_STORE_FLAGS_PARTIAL_CHAIN));
  th_bytes_free(snap);
  snap = NULL;
  FS_SNAP(conn, dump_conn_vp);
  FS_SET(conn, dump_conn_vp, th_connection_set_host(conn, "one.example", 11));
  FS_SET(conn, dump_conn_vp, th_connection_add_host(conn, "two.example", 11));
  FS_SET(conn, dump_conn_vp, th_connection_set_host(conn, "three.example", 13));
  FS_SET(conn, dump_conn_vp, th_connection_set_ip(conn, "::1"));
  FS_SET(conn, dump_conn_vp, th_connection_set_email(conn, "d@example.test", 14));
  FS_SET(conn, dump_conn_vp, th_connection_set_host_flags(conn, TH_X509_CHECK_FLAG_NO_WILDCARDS));
  FS_SET(conn, dump_conn_vp, th_connection_set_purpose(conn, X509_PURPOSE_SSL_CLIENT));
  FS_SET(conn, dump_conn_vp, th_connection_set_auth_level(conn, 2));
  FS_SET(conn, dump_conn_vp, th_connection_set_verify_flags(conn, TH_X509_STORE_FLAGS_X509_STRICT));
out:
  th_bytes_free(snap);
  th_connection_free(conn);
  th_context_free(ctx);
  return rc;
}

/* ---- a handshake through faults, every observation read back ------------ */
static int faults_observed(void) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_loopback_pair *pair = NULL;
  th_bytes *transcript = NULL, *pcap = NULL, *keylog = NULL;
  th_list *states = NULL;
  char path[160];
  static const unsigned char ping[] = "ping over faults";
  fs_pause();
  rc = fs_make_contexts(TH_TLS1_3_VERSION, &s, &c);
  fs_resume();
  if (rc != TH_OK) {
    rc = fs_finding("setup");
    goto out;
  }
  FS_GET(pair, th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP));
  FS_TRY(th_loopback_pair_observe(pair, TH_LOOPBACK_OBSERVE_ALL));
  th_loopback_fault f[] = {
      {.kind = TH_LOOPBACK_FAULT_FRAGMENT, .from = TH_LOOPBACK_SERVER, .n = 97},
      {.kind = TH_LOOPBACK_FAULT_CAP, .from = TH_LOOPBACK_CLIENT, .n = 61},
      {.kind = TH_LOOPBACK_FAULT_RETRY, .from = TH_LOOPBACK_CLIENT, .n = 1},
      {.kind = TH_LOOPBACK_FAULT_STALL_THEN_RESUME, .from = TH_LOOPBACK_SERVER, .n = 1,
       .at = TH_LOOPBACK_HS_SERVER_HELLO, .position = TH_LOOPBACK_AT_MESSAGE_END},
  };
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) FS_TRY(th_loopback_pair_add_fault(pair, &f[i]));
  FS_TRY(th_loopback_handshake(pair));
  FS_TRY(th_loopback_send(pair, TH_LOOPBACK_CLIENT, ping, sizeof ping));
  FS_TRY(th_loopback_expect(pair, TH_LOOPBACK_SERVER, ping, sizeof ping));
  int n = th_loopback_record_count(pair);
  if (n < 0) FS_TRY(n);
  for (int i = 0; i < n; i++) {
    th_loopback_record r;
    FS_TRY(th_loopback_record_get(pair, (size_t)i, &r));
  }
  FS_GET(transcript, th_loopback_transcript(pair));
  FS_GET(pcap, th_loopback_pcap(pair));
  FS_GET(keylog, th_loopback_keylog(pair));
  FS_GET(states, th_loopback_info_states(pair, TH_LOOPBACK_CLIENT));
  snprintf(path, sizeof path, "%s/sweep.pcap", fs_tmpdir());
  FS_TRY(th_loopback_write_pcap(pair, path));
  snprintf(path, sizeof path, "%s/sweep.keylog", fs_tmpdir());
  FS_TRY(th_loopback_write_keylog(pair, path));
  FS_TRY(th_loopback_pair_clear_faults(pair));
  FS_TRY(th_loopback_shutdown(pair, TH_LOOPBACK_SERVER));
  if (n < 6 || keylog->len == 0) rc = fs_finding("observed %d records, key log of %zu bytes", n, keylog->len);
out:
  th_list_free(states);
  th_bytes_free(keylog);
  th_bytes_free(pcap);
  th_bytes_free(transcript);
  th_loopback_pair_free(pair);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

/* ---- th_peer, memory pattern -------------------------------------------- */
/* The application side is a raw SSL; a failure inside it (not the
 * library's) is counted as a failed run when the peer's own result is not
 * an error. */
static int peer_memory(void) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_peer *p = NULL;
  SSL_CTX *app_ctx = NULL, *peer_ctx = NULL;
  SSL *app = NULL;
  th_bytes *got = NULL, *transcript = NULL;
  fs_pause();
  rc = fs_make_contexts(TH_TLS1_3_VERSION, &s, &c);
  if (rc == TH_OK) {
    peer_ctx = th_context_to_ssl_ctx(s);
    app_ctx = th_context_to_ssl_ctx(c);
  }
  fs_resume();
  if (rc != TH_OK || peer_ctx == NULL || app_ctx == NULL) {
    rc = fs_finding("setup");
    goto out;
  }
  FS_GET(p, th_peer_new(peer_ctx, TH_PEER_SERVER));
  FS_TRY(th_peer_set_sni(p, "localhost"));
  FS_TRY(th_peer_request_client_cert(p, 1));
  FS_TRY(th_peer_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT));
  FS_TRY(th_peer_script(p, TH_PEER_ANSWER, "pong", 4));
  FS_TRY(th_peer_script(p, TH_PEER_KEY_UPDATE, NULL, 0));
  FS_TRY(th_peer_script(p, TH_PEER_CLOSE_NOTIFY, NULL, 0));
  th_loopback_fault frag = {.kind = TH_LOOPBACK_FAULT_FRAGMENT, .from = TH_PEER_SERVER, .n = 200};
  FS_TRY(th_peer_add_fault(p, &frag));
  if ((app = SSL_new(app_ctx)) == NULL || !SSL_set_tlsext_host_name(app, "localhost")) {
    rc = TH_ERR_NOMEM; /* the application's own allocation */
    goto out;
  }
  FS_TRY(th_peer_attach_ssl(p, app));
  int r = SSL_connect(app);
  for (int i = 0; i < 50 && r != 1 && SSL_get_error(app, r) == SSL_ERROR_WANT_READ; i++) {
    FS_TRY(th_peer_step(p));
    r = SSL_connect(app);
  }
  char buf[8];
  if (r == 1) r = SSL_write(app, "ping", 4) == 4 && SSL_read(app, buf, sizeof buf) == 4 ? 1 : 0;
  if (r == 1) (void)SSL_read(app, buf, sizeof buf); /* the KeyUpdate, then close_notify */
  int pr = th_peer_result(p);
  if (pr < 0 && pr != TH_ERR_WANT_READ) {
    rc = fs_status(pr, "th_peer_result");
    goto out;
  }
  if (r != 1) {
    rc = TH_ERR_SSL; /* the application's SSL failed (its own allocation) */
    goto out;
  }
  FS_GET(got, th_peer_received(p));
  FS_GET(transcript, th_peer_transcript(p));
  if (got->len != 4 || memcmp(got->data, "ping", 4) != 0) rc = fs_finding("the peer received %zu bytes", got->len);
out:
  th_bytes_free(transcript);
  th_bytes_free(got);
  th_peer_free(p);
  SSL_free(app);
  SSL_CTX_free(app_ctx);
  SSL_CTX_free(peer_ctx);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

/* ---- the fixtures generator writing files -------------------------------- */
static int fixtures_files(void) {
  int rc = TH_OK;
  th_fixtures *fx = NULL;
  th_fixtures_cert *root = NULL, *leaf = NULL;
  th_fixtures_files paths;
  th_context *ctx = NULL;
  FS_GET(fx, th_fixtures_new(5));
  FS_GET(root, th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL));
  FS_GET(leaf, th_fixtures_issue(fx, root, TH_FIXTURES_ROLE_SERVER, NULL));
  FS_TRY(th_fixtures_revoke(root, leaf, 4));
  FS_TRY(th_fixtures_write_files(leaf, fs_tmpdir(), "sweep", &paths));
  FS_GET(ctx, th_context_new(TH_TLS_METHOD));
  FS_TRY(th_fixtures_configure_server(ctx, leaf));
  FS_TRY(th_fixtures_configure_client(ctx, root));
  if (access(paths.p12, R_OK) != 0 || access(paths.crl, R_OK) != 0) rc = fs_finding("files missing");
out:
  th_context_free(ctx);
  th_fixtures_cert_free(leaf);
  th_fixtures_cert_free(root);
  th_fixtures_free(fx);
  return rc;
}

/* The whole default set for one key type (names, edge cases, CRLs, a CSR,
 * a hashed directory, manifest.tsv): 300,000 allocations and 6,700 sites,
 * half a second a run, so a cap of its own (60 sites, evenly spread; the
 * other fixtures scenarios sweep the generator's paths in full). */
static int fixtures_set(void) {
  static const int keys[] = {TH_FIXTURES_KEY_P256, 0};
  th_fixtures_set_opts o = {.keys = keys};
  char dir[160];
  snprintf(dir, sizeof dir, "%s/set", fs_tmpdir());
  int n = th_fixtures_write_set(dir, 7, &o);
  if (n < 0) return fs_status(n, "th_fixtures_write_set");
  return n > 20 ? TH_OK : fs_finding("the set has %d files", n);
}

/* The same set, one site per path through the library (fs_key_lib_only:
 * 249 sites instead of 5,836), at most 40 of them: each writer's and each
 * step's failure handling, which 60 sites spread over OpenSSL's thousands
 * of paths mostly miss. */
static int fixtures_set_lib(void) {
  fs_key_lib_only = 1;
  return fixtures_set();
}

const fs_scenario fs_tls_scenarios[] = {
    {"connection_getters_tls13", connection_getters_tls13, 0},
    {"connection_getters_tls12", connection_getters_tls12, 0},
    {"session", session, 0},
    {"name_settings", name_settings, 0},
    {"faults_observed", faults_observed, 0},
    {"peer_memory", peer_memory, 0},
    {"fixtures_files", fixtures_files, 0},
    {"fixtures_set", fixtures_set, 60},
    {"fixtures_set_lib", fixtures_set_lib, 40},
    {NULL, NULL, 0},
};
