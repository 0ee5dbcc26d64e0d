/* scenarios_tls.c — handshakes from many threads: over one shared pair of
 * Contexts (with callbacks), over per-thread library contexts, with pairs
 * that observe (key log, transcript, states) over shared Contexts, and
 * sessions made in one thread and resumed in others. */
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "threads.h"

/* ---- one shared pair of Contexts, callbacks installed ------------------ */

typedef struct shared_env {
  th_context *server[2], *client[2]; /* [0] TLS 1.3, [1] TLS 1.2 */
  long verified, alpn, servername;   /* callback counts (atomics) */
} shared_env;

static int verify_cb(th_connection *conn, th_x509 *cert, int errnum, int depth, int ok, void *u) {
  __atomic_fetch_add(&((shared_env *)u)->verified, 1, __ATOMIC_RELAXED);
  return ok;
}

static int alpn_cb(th_connection *conn, const char *const *offered, size_t count,
                   const char **selected, void *u) {
  __atomic_fetch_add(&((shared_env *)u)->alpn, 1, __ATOMIC_RELAXED);
  *selected = count > 0 ? offered[0] : NULL;
  return TH_OK;
}

static void servername_cb(th_connection *conn, void *u) {
  __atomic_fetch_add(&((shared_env *)u)->servername, 1, __ATOMIC_RELAXED);
}

static void shared_worker(int i, void *arg) {
  shared_env *e = arg;
  static const char *const alpn[] = {"h2"};
  for (int r = 0; r < TT_ROUNDS; r++) {
    int v = (i + r) % 2;
    th_loopback_pair *p = th_loopback_pair_new(e->server[v], e->client[v],
                                               r % 2 ? TH_LOOPBACK_DIRECT : TH_LOOPBACK_PUMP);
    th_connection *c = p ? th_loopback_pair_connection(p, TH_LOOPBACK_CLIENT) : NULL;
    tt_check(c != NULL, "client connection of the pair");
    tt_check(th_connection_set_tlsext_host_name(c, (const unsigned char *)"localhost", 9) == TH_OK,
             "SNI");
    tt_check(th_connection_set_alpn_protos(c, alpn, 1) == TH_OK, "ALPN");
    if (tt_converse(p)) {
      th_bytes *proto = th_connection_get_alpn_proto_negotiated(c);
      tt_check(proto != NULL && strcmp((char *)proto->data, "h2") == 0, "ALPN negotiated h2");
      th_bytes_free(proto);
    }
    th_connection_free(c);
    th_loopback_pair_free(p);
  }
}

void tt_shared_context(void) {
  shared_env e = {0};
  for (int v = 0; v < 2; v++) {
    int version = v == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;
    e.server[v] = tt_server_ctx(version);
    e.client[v] = tt_client_ctx(version);
    tt_check(th_context_set_verify(e.client[v], TH_VERIFY_PEER, verify_cb, &e) == TH_OK, "verify");
    tt_check(th_context_set_alpn_select_callback(e.server[v], alpn_cb, &e) == TH_OK, "alpn cb");
    tt_check(th_context_set_tlsext_servername_callback(e.server[v], servername_cb, &e) == TH_OK,
             "servername cb");
  }
  tt_run_threads(TT_THREADS, shared_worker, &e);
  long n = TT_THREADS * TT_ROUNDS;
  tt_check(e.alpn == n && e.servername == n, "every handshake ran the ALPN and SNI callbacks");
  tt_check(e.verified >= 2 * n, "every handshake verified root and leaf");
  for (int v = 0; v < 2; v++) {
    th_context_free(e.server[v]);
    th_context_free(e.client[v]);
  }
}

/* ---- a library context per thread ------------------------------------------ */

typedef struct libctx_env {
  th_bytes *cert, *key, *root; /* PEM, read-only to the threads */
} libctx_env;

static void libctx_worker(int i, void *arg) {
  libctx_env *e = arg;
  OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
  tt_check(lib != NULL, "OSSL_LIB_CTX_new");
  th_x509 *cert = th_crypto_load_certificate_ex(lib, NULL, TH_FILETYPE_PEM, e->cert->data, e->cert->len);
  th_x509 *root = th_crypto_load_certificate_ex(lib, NULL, TH_FILETYPE_PEM, e->root->data, e->root->len);
  th_pkey *key = th_crypto_load_privatekey_ex(lib, NULL, TH_FILETYPE_PEM, e->key->data, e->key->len,
                                              NULL, 0, NULL, NULL);
  tt_check(cert && root && key, "loading into the thread's library context");
  th_context *s = th_context_new_ex(TH_TLS_METHOD, lib, NULL);
  th_context *c = th_context_new_ex(TH_TLS_METHOD, lib, NULL);
  tt_check(s && c, "th_context_new_ex");
  tt_check(th_context_use_certificate(s, cert) == TH_OK && th_context_use_privatekey(s, key) == TH_OK,
           "server identity");
  th_x509_store *store = th_context_get_cert_store(c);
  tt_check(store && th_x509_store_add_cert(store, root) == TH_OK, "client trust");
  th_x509_store_free(store);
  tt_check(th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL) == TH_OK, "verify");
  for (int r = 0; r < TT_ROUNDS; r++) {
    th_loopback_pair *p = th_loopback_pair_new(s, c, TH_LOOPBACK_DIRECT);
    tt_converse(p);
    th_loopback_pair_free(p);
  }
  th_context_free(s);
  th_context_free(c);
  th_x509_free(cert);
  th_x509_free(root);
  th_pkey_free(key);
  OSSL_LIB_CTX_free(lib);
}

void tt_libctx_per_thread(void) {
  libctx_env e = {th_fixtures_cert_pem(tt.server), th_fixtures_key_pem(tt.server),
                  th_fixtures_cert_pem(tt.root)};
  tt_check(e.cert && e.key && e.root, "PEM of the PKI");
  tt_run_threads(TT_THREADS, libctx_worker, &e);
  th_bytes_free(e.cert);
  th_bytes_free(e.key);
  th_bytes_free(e.root);
}

/* ---- observing pairs over shared Contexts -------------------------------------- */

typedef struct observe_env {
  th_context *server, *client;
} observe_env;

static void observe_worker(int i, void *arg) {
  observe_env *e = arg;
  for (int r = 0; r < TT_ROUNDS; r++) {
    th_loopback_pair *p = th_loopback_pair_new(e->server, e->client, TH_LOOPBACK_PUMP);
    /* Thread 0 runs lean pairs meanwhile: the key-log callback others put
     * on the shared Contexts must not disturb it. */
    int what = i == 0 ? 0 : TH_LOOPBACK_OBSERVE_KEYLOG | TH_LOOPBACK_OBSERVE_TRANSCRIPT |
                                TH_LOOPBACK_OBSERVE_STATES;
    if (p != NULL && what) tt_check(th_loopback_pair_observe(p, what) == TH_OK, "observe");
    if (tt_converse(p) && what) {
      th_bytes *kl = th_loopback_keylog(p), *tr = th_loopback_transcript(p);
      tt_check(kl && strstr((char *)kl->data, "CLIENT_HANDSHAKE_TRAFFIC_SECRET "), "key log lines");
      tt_check(tr && strstr((char *)tr->data, "ClientHello"), "transcript");
      th_list *st = th_loopback_info_states(p, TH_LOOPBACK_SERVER);
      tt_check(st && st->count > 0, "info states");
      th_list_free(st);
      th_bytes_free(kl);
      th_bytes_free(tr);
    }
    th_loopback_pair_free(p);
  }
}

void tt_observed_pairs(void) {
  observe_env e = {tt_server_ctx(TLS1_3_VERSION), tt_client_ctx(TLS1_3_VERSION)};
  tt_run_threads(TT_THREADS, observe_worker, &e);
  th_context_free(e.server);
  th_context_free(e.client);
}

/* ---- sessions resumed across threads --------------------------------------------- */

typedef struct session_env {
  th_context *server, *client;
  th_session *sess[TT_THREADS];
  int phase; /* 0: make sessions, 1: resume another thread's, 2: all resume sess[0] */
} session_env;

static void session_worker(int i, void *arg) {
  session_env *e = arg;
  th_loopback_pair *p = th_loopback_pair_new(e->server, e->client, TH_LOOPBACK_DIRECT);
  if (e->phase > 0) {
    th_session *s = e->phase == 1 ? e->sess[(i + 1) % TT_THREADS] : e->sess[0];
    tt_check(p && th_loopback_pair_set_session(p, s) == TH_OK, "set_session");
  }
  if (tt_converse(p)) {
    if (e->phase == 0) {
      e->sess[i] = th_loopback_pair_get_session(p);
      tt_check(e->sess[i] && th_session_is_resumable(e->sess[i]) == 1, "resumable session");
    } else {
      tt_check(th_loopback_pair_reused(p, TH_LOOPBACK_CLIENT) == 1 &&
                   th_loopback_pair_reused(p, TH_LOOPBACK_SERVER) == 1,
               "the session made in another thread was resumed");
    }
  }
  th_loopback_pair_free(p);
}

void tt_sessions_across_threads(void) {
  for (int v = 0; v < 2; v++) {
    int version = v == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;
    session_env e = {tt_server_ctx(version), tt_client_ctx(version), {NULL}, 0};
    /* TLS 1.2 resumes by session id: the server's cache is shared. */
    if (v == 1) th_context_set_options(e.server, TH_OP_NO_TICKET);
    for (e.phase = 0; e.phase < 3; e.phase++) tt_run_threads(TT_THREADS, session_worker, &e);
    for (int i = 0; i < TT_THREADS; i++) th_session_free(e.sess[i]);
    th_context_free(e.server);
    th_context_free(e.client);
  }
}
