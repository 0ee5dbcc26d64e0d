/* bench_baseline.c — the reference engine: the benchmark's work written
 * directly against libssl, the way a careful user would without tlsharness.
 * The transport is OpenSSL's own idiom for in-process pairs (ssltestlib,
 * perftools): two memory BIOs shared crosswise, so that no byte is copied
 * between the peers. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tools/bench/bench.h"

typedef struct base_ctx {
  SSL_CTX *server, *client;
  const bench_scenario *sc;
} base_ctx;

typedef struct base_pair {
  SSL *server, *client;
  base_ctx *ctx;
} base_pair;

static _Thread_local char last_err[256];

static void fail(const char *what) {
  unsigned long e = ERR_peek_last_error();
  char buf[160] = "";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  snprintf(last_err, sizeof last_err, "openssl: %s%s%s", what, e ? ": " : "", buf);
  ERR_clear_error();
}

static const char *base_last_error(void) { return last_err; }

static int setup_common(SSL_CTX *c, const bench_scenario *sc) {
  return SSL_CTX_set_min_proto_version(c, sc->version) &&
         SSL_CTX_set_max_proto_version(c, sc->version) &&
         SSL_CTX_set1_groups_list(c, BENCH_SCENARIO_GROUPS(sc)) &&
         (sc->cipher12 == NULL || SSL_CTX_set_cipher_list(c, sc->cipher12));
}

static void base_ctx_free(void *p) {
  base_ctx *c = p;
  if (c == NULL) return;
  SSL_CTX_free(c->server);
  SSL_CTX_free(c->client);
  free(c);
}

static void *base_ctx_new(const bench_scenario *sc, const bench_keys *k, OSSL_LIB_CTX *libctx) {
  base_ctx *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->sc = sc;
  c->server = SSL_CTX_new_ex(libctx, NULL, TLS_server_method());
  c->client = SSL_CTX_new_ex(libctx, NULL, TLS_client_method());
  int ok = c->server && c->client && setup_common(c->server, sc) &&
           setup_common(c->client, sc) && SSL_CTX_use_certificate(c->server, k->leaf) &&
           SSL_CTX_use_PrivateKey(c->server, k->key) && SSL_CTX_check_private_key(c->server);
  if (ok && k->inter != NULL) ok = SSL_CTX_add1_chain_cert(c->server, k->inter);
  if (ok && sc->verify_chain) {
    ok = X509_STORE_add_cert(SSL_CTX_get_cert_store(c->client), k->root);
    SSL_CTX_set_verify(c->client, SSL_VERIFY_PEER, NULL);
  }
  if (ok && sc->resume == BR_SESSION_ID) SSL_CTX_set_options(c->server, SSL_OP_NO_TICKET);
  if (ok && sc->resume == BR_SESSION_ID)
    ok = SSL_CTX_set_session_id_context(c->server, (const unsigned char *)"bench", 5);
  if (!ok) {
    fail("context setup");
    base_ctx_free(c);
    return NULL;
  }
  return c;
}

/* A clean close both ways, the client first: each side sends close_notify
 * and reads the peer's (SSL_shutdown returns 1 once both happened). */
static void close_both(base_pair *pr) {
  int c = 0, s = 0;
  for (int i = 0; i < 3 && (c != 1 || s != 1); i++) {
    if (c != 1) c = SSL_shutdown(pr->client);
    if (s != 1) s = SSL_shutdown(pr->server);
  }
}

static void base_pair_free(void *p) {
  base_pair *pr = p;
  if (pr == NULL) return;
  if (pr->client && pr->server && SSL_is_init_finished(pr->client) &&
      SSL_is_init_finished(pr->server))
    close_both(pr);
  SSL_free(pr->client);
  SSL_free(pr->server);
  ERR_clear_error();
  free(pr);
}

static void *base_pair_new(void *ctx, void *session) {
  base_ctx *c = ctx;
  base_pair *pr = calloc(1, sizeof *pr);
  BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
  if (pr == NULL || c2s == NULL || s2c == NULL) goto err;
  pr->ctx = c;
  pr->server = SSL_new(c->server);
  pr->client = SSL_new(c->client);
  if (pr->server == NULL || pr->client == NULL) goto err;
  /* An empty memory BIO means "retry", not EOF. */
  BIO_set_mem_eof_return(c2s, -1);
  BIO_set_mem_eof_return(s2c, -1);
  /* Each SSL owns one reference to each BIO. */
  BIO_up_ref(c2s);
  BIO_up_ref(s2c);
  SSL_set_bio(pr->server, c2s, s2c);
  SSL_set_bio(pr->client, s2c, c2s);
  c2s = s2c = NULL;
  SSL_set_accept_state(pr->server);
  SSL_set_connect_state(pr->client);
  if (session != NULL && !SSL_set_session(pr->client, session)) goto err;
  return pr;
err:
  fail("pair setup");
  BIO_free(c2s);
  BIO_free(s2c);
  base_pair_free(pr);
  return NULL;
}

/* 1: finished, 0: wants the peer, -1: failed. */
static int hs_step(SSL *s, const char *who) {
  int rc = SSL_do_handshake(s);
  if (rc == 1) return 1;
  int e = SSL_get_error(s, rc);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
  fail(who);
  return -1;
}

static int base_pair_step(void *p) {
  base_pair *pr = p;
  int c = hs_step(pr->client, "client handshake");
  if (c < 0) return -1;
  int s = hs_step(pr->server, "server handshake");
  if (s < 0) return -1;
  return c == 1 && s == 1 ? 1 : 0;
}

/* Reading on the client processes the TLS 1.3 tickets; nothing else may
 * arrive, so the read must end in WANT_READ. */
static int read_tickets(SSL *client) {
  unsigned char b;
  int rc = SSL_read(client, &b, 1);
  if (rc <= 0 && SSL_get_error(client, rc) == SSL_ERROR_WANT_READ) return 0;
  fail("reading tickets");
  return -1;
}

static int base_pair_complete(void *p, bench_hs_info *info, void **session_out) {
  base_pair *pr = p;
  int rc = 0;
  /* A full handshake needs 3 rounds; 16 bounds a stalled pair. */
  for (int i = 0; i < 16 && (rc = base_pair_step(pr)) == 0; i++) {
  }
  if (rc != 1) {
    if (rc == 0) snprintf(last_err, sizeof last_err, "openssl: handshake stalled");
    return -1;
  }
  if (read_tickets(pr->client) != 0) return -1;
  SSL_SESSION *sess = SSL_get_session(pr->client);
  info->resumed = SSL_session_reused(pr->client);
  info->verified = SSL_get_verify_result(pr->client) == X509_V_OK;
  info->version = SSL_version(pr->client);
  info->tickets = sess != NULL && SSL_SESSION_has_ticket(sess);
  if (session_out != NULL) {
    *session_out = SSL_get1_session(pr->client);
    if (*session_out == NULL) {
      fail("no session");
      return -1;
    }
  }
  return 0;
}

static void base_session_free(void *s) { SSL_SESSION_free(s); }

const bench_engine bench_engine_openssl = {
    "openssl",          base_ctx_new,       base_ctx_free,     base_pair_new,
    base_pair_step,     base_pair_complete, base_pair_free,    base_session_free,
    base_last_error,
};
