/* bench_th.c — the engine under test: the benchmark's work done through
 * tlsharness's public API, as a user of the library writes it. Contexts are
 * th_context objects (th_context_new_ex in the run's library context, keys
 * and certificates handed over as th_pkey / th_x509); pairs are loopback
 * pairs over the DIRECT transport (two memory BIOs crossed, no copies by
 * the harness) that observe nothing (observation is opt-in); the handshake
 * is th_loopback_handshake (bounded, stall-detecting), tickets are read
 * with th_loopback_flush_tickets, and a resumed client gets its th_session
 * through th_loopback_pair_set_session. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/ssl.h>

#include "tlsharness/tlsharness.h"
#include "tools/bench/bench.h"

typedef struct th_ctx_pair {
  th_context *server, *client;
} th_ctx_pair;

static _Thread_local char last_err[320];

/* Record the library's last error, prefixed by what failed. */
static void fail(const char *what) {
  char line[256];
  th_error_format(line, sizeof line);
  snprintf(last_err, sizeof last_err, "tlsharness: %s: %s", what, line);
}

static const char *th_last_error(void) { return last_err; }

static int setup_common(th_context *c, const bench_scenario *sc) {
  return th_context_set_min_proto_version(c, sc->version) == TH_OK &&
         th_context_set_max_proto_version(c, sc->version) == TH_OK &&
         th_context_set_groups(c, BENCH_SCENARIO_GROUPS(sc)) == TH_OK &&
         (sc->cipher12 == NULL || th_context_set_cipher_list(c, sc->cipher12) == TH_OK);
}

static void th_ctx_free(void *p) {
  th_ctx_pair *c = p;
  if (c == NULL) return;
  th_context_free(c->server);
  th_context_free(c->client);
  free(c);
}

/* The server's certificate, key and chain. */
static int setup_server(th_context *s, const bench_keys *k) {
  th_x509 *leaf = th_x509_from_x509(k->leaf);
  th_pkey *key = th_pkey_from_evp(k->key);
  th_x509 *inter = k->inter ? th_x509_from_x509(k->inter) : NULL;
  int ok = leaf && key && (k->inter == NULL || inter) &&
           th_context_use_certificate(s, leaf) == TH_OK &&
           th_context_use_privatekey(s, key) == TH_OK &&
           th_context_check_privatekey(s) == TH_OK &&
           (inter == NULL || th_context_add_extra_chain_cert(s, inter) == TH_OK);
  th_x509_free(leaf);
  th_x509_free(inter);
  th_pkey_free(key);
  return ok;
}

/* The client trusts the root and verifies the server. */
static int setup_verify(th_context *c, const bench_keys *k) {
  th_x509_store *store = th_context_get_cert_store(c);
  th_x509 *root = th_x509_from_x509(k->root);
  int ok = store && root && th_x509_store_add_cert(store, root) == TH_OK &&
           th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL) == TH_OK;
  th_x509_free(root);
  th_x509_store_free(store);
  return ok;
}

static void *th_ctx_new(const bench_scenario *sc, const bench_keys *k, OSSL_LIB_CTX *libctx) {
  th_ctx_pair *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->server = th_context_new_ex(TH_TLS_SERVER_METHOD, libctx, NULL);
  c->client = th_context_new_ex(TH_TLS_CLIENT_METHOD, libctx, NULL);
  int ok = c->server && c->client && setup_common(c->server, sc) &&
           setup_common(c->client, sc) && setup_server(c->server, k) &&
           (!sc->verify_chain || setup_verify(c->client, k));
  if (ok && sc->resume == BR_SESSION_ID)
    ok = th_context_set_options(c->server, TH_OP_NO_TICKET) >= 0 &&
         th_context_set_session_id(c->server, (const unsigned char *)"bench", 5) == TH_OK;
  if (!ok) {
    fail("context setup");
    th_ctx_free(c);
    return NULL;
  }
  return c;
}

static void th_pair_free(void *p) {
  th_loopback_pair *pair = p;
  if (pair == NULL) return;
  /* A clean close both ways (the client starts); a pair stopped
   * mid-handshake (memory measurement) or a failed one just fails here. */
  th_loopback_shutdown(pair, TH_LOOPBACK_CLIENT);
  th_loopback_pair_free(pair);
}

static void *th_pair_new(void *ctx, void *session) {
  th_ctx_pair *c = ctx;
  th_loopback_pair *pair = th_loopback_pair_new(c->server, c->client, TH_LOOPBACK_DIRECT);
  if (pair == NULL) {
    fail("pair setup");
    return NULL;
  }
  if (session != NULL && th_loopback_pair_set_session(pair, session) != TH_OK) {
    fail("set_session");
    th_loopback_pair_free(pair);
    return NULL;
  }
  return pair;
}

static int th_pair_step(void *p) {
  int rc = th_loopback_step(p);
  if (rc < 0) {
    fail("step");
    return -1;
  }
  return 0;
}

/* What the client saw, read through the escape hatch (checks only). */
static int client_info(th_loopback_pair *pair, bench_hs_info *info, void **session_out) {
  SSL *ssl = th_loopback_pair_ssl(pair, TH_LOOPBACK_CLIENT);
  if (ssl == NULL) return -1;
  info->resumed = th_loopback_pair_reused(pair, TH_LOOPBACK_CLIENT) == 1;
  info->verified = SSL_get_verify_result(ssl) == X509_V_OK;
  info->version = SSL_version(ssl);
  int rc = 0;
  if (session_out != NULL) {
    th_session *sess = th_loopback_pair_get_session(pair);
    if (sess == NULL) {
      fail("get_session");
      rc = -1;
    }
    *session_out = sess;
  }
  SSL_free(ssl);
  return rc;
}

static int th_pair_complete(void *p, bench_hs_info *info, void **session_out) {
  th_loopback_pair *pair = p;
  if (th_loopback_handshake(pair) != TH_OK) {
    fail("handshake");
    return -1;
  }
  int tickets = th_loopback_flush_tickets(pair);
  if (tickets < 0) {
    fail("flush_tickets");
    return -1;
  }
  info->tickets = tickets;
  return client_info(pair, info, session_out);
}

static void th_session_release(void *s) { th_session_free(s); }

const bench_engine bench_engine_th = {
    "tlsharness",     th_ctx_new,       th_ctx_free,        th_pair_new,
    th_pair_step,     th_pair_complete, th_pair_free,       th_session_release,
    th_last_error,
};
