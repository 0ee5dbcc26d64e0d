/* callbacks_test.c — Context callbacks on real in-memory handshakes: the
 * info callback's state sequence, the servername callback (result
 * ignored), the keylog callback, and OCSP stapling (server and client
 * callbacks, verdicts and errors). The passphrase callback is in
 * context_certs_test.c, verify in verify_test.c, ALPN/NPN in
 * alpn_npn_test.c. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/crypto.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(callbacks);

static int hs(th_context *c, th_context *s, char *side, ts_pair *keep) {
  ts_pair p;
  ts_pair_new(&p, c, s);
  int rc = ts_handshake(&p, side, NULL, 0);
  if (keep) *keep = p;
  else ts_pair_free(&p);
  return rc;
}

/* ---- info ------------------------------------------------------------------------ */

struct info_log {
  int n;
  int where[256];
  th_connection *conns[256];
};

static void info_cb(th_connection *conn, int where, int ret, void *user) {
  struct info_log *l = user;
  if (l->n < 256) {
    l->conns[l->n] = conn;
    l->where[l->n++] = where;
  }
}

static int index_of(const struct info_log *l, int where, int from) {
  for (int i = from; i < l->n; i++)
    if ((l->where[i] & where) == where) return i;
  return -1;
}

Test(callbacks, info_state_sequence) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  struct info_log cl = {0}, sl = {0};
  cr_assert_eq(th_context_set_info_callback(c, info_cb, &cl), TH_OK);
  cr_assert_eq(th_context_set_info_callback(s, info_cb, &sl), TH_OK);
  ts_pair p;
  char side = '?';
  cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%s", tu_err());
  /* Each side: HANDSHAKE_START first, loops in its role, HANDSHAKE_DONE
   * after the start, every call with its own connection. */
  struct { struct info_log *l; int loop; th_connection *conn; } sides[] = {
      {&cl, TH_SSL_CB_CONNECT_LOOP, p.client}, {&sl, TH_SSL_CB_ACCEPT_LOOP, p.server}};
  for (int k = 0; k < 2; k++) {
    struct info_log *l = sides[k].l;
    cr_assert_gt(l->n, 3);
    cr_assert_eq(l->where[0], TH_SSL_CB_HANDSHAKE_START, "side %d first where 0x%x", k, l->where[0]);
    int loop = index_of(l, sides[k].loop, 1);
    int done = index_of(l, TH_SSL_CB_HANDSHAKE_DONE, 1);
    cr_assert_gt(loop, 0);
    cr_assert_gt(done, loop);
    for (int i = 0; i < l->n; i++) cr_assert_eq(l->conns[i], sides[k].conn);
  }
  ts_pair_free(&p);
  /* Removed: no more calls. */
  int before = cl.n;
  cr_assert_eq(th_context_set_info_callback(c, NULL, NULL), TH_OK);
  cr_assert_eq(hs(c, s, &side, NULL), TH_OK);
  cr_assert_eq(cl.n, before);
  cr_assert_eq(th_context_set_info_callback(NULL, info_cb, NULL), TH_ERR_TYPE);
  th_context_free(s);
  th_context_free(c);
}

Test(callbacks, info_reports_alerts) {
  /* A client that refuses the server sends an alert; the server's info
   * callback sees it as a read alert. */
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL);
  struct info_log sl = {0}, cl = {0};
  th_context_set_info_callback(s, info_cb, &sl);
  th_context_set_info_callback(c, info_cb, &cl);
  ts_pair p;
  char side = '?';
  cr_assert_eq(hs(c, s, &side, &p), TH_ERR_SSL);
  cr_assert_geq(index_of(&cl, TH_SSL_CB_WRITE_ALERT, 0), 0);
  ts_pump(&p);
  th_connection_do_handshake(p.server);
  cr_assert_geq(index_of(&sl, TH_SSL_CB_READ_ALERT, 0), 0);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
}

/* ---- servername --------------------------------------------------------------------- */

struct sni {
  int calls;
  th_connection *conn;
  char name[64];
};

static void sni_cb(th_connection *conn, void *user) {
  struct sni *n = user;
  n->calls++;
  n->conn = conn;
  th_bytes *name = NULL;
  if (th_connection_get_servername(conn, &name) == TH_OK && name != NULL)
    snprintf(n->name, sizeof n->name, "%s", name->data);
  th_bytes_free(name);
  /* A failure inside is ignored, as pyOpenSSL ignores the result. */
  th_ssl_SSLeay_version(-1);
}

Test(callbacks, servername) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  struct sni n = {0};
  cr_assert_eq(th_context_set_tlsext_servername_callback(s, sni_cb, &n), TH_OK);
  ts_pair p;
  ts_pair_new(&p, c, s);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"example.test", 12),
               TH_OK, "%s", tu_err());
  ts_connect(&p);
  cr_assert_eq(n.calls, 1);
  cr_assert_eq(n.conn, p.server);
  cr_assert_str_eq(n.name, "example.test");
  ts_pair_free(&p);
  cr_assert_eq(th_context_set_tlsext_servername_callback(s, NULL, NULL), TH_OK);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_OK);
  cr_assert_eq(n.calls, 1);
  cr_assert_eq(th_context_set_tlsext_servername_callback(NULL, sni_cb, &n), TH_ERR_TYPE);
  th_context_free(s);
  th_context_free(c);
}

/* ---- keylog ------------------------------------------------------------------------- */

struct keylog {
  int lines, tls13, tls12;
  th_connection *conn;
};

static void keylog_cb(th_connection *conn, const char *line, void *user) {
  struct keylog *k = user;
  k->lines++;
  k->conn = conn;
  if (strncmp(line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0) k->tls13++;
  if (strncmp(line, "CLIENT_RANDOM ", 14) == 0) k->tls12++;
  cr_assert_null(strchr(line, '\n'));
}

Test(callbacks, keylog) {
  int versions[] = {TH_TLS1_2_VERSION, TH_TLS1_3_VERSION};
  for (int i = 0; i < 2; i++) {
    th_context *s = ts_server_ctx(versions[i], 0), *c = ts_client_ctx(versions[i], 0);
    struct keylog k = {0};
    cr_assert_eq(th_context_set_keylog_callback(c, keylog_cb, &k), TH_OK);
    ts_pair p;
    char side = '?';
    cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%s", tu_err());
    cr_assert_eq(k.conn, p.client);
    if (i == 0) cr_assert_eq(k.tls12, 1);
    else cr_assert_eq(k.tls13, 1);
    cr_assert_geq(k.lines, 1);
    ts_pair_free(&p);
    th_context_free(s);
    th_context_free(c);
  }
  cr_assert_eq(th_context_set_keylog_callback(NULL, keylog_cb, NULL), TH_ERR_TYPE);
}

/* ---- OCSP --------------------------------------------------------------------------- */

struct ocsp {
  const char *staple; /* server: NULL staples nothing */
  size_t staple_len;  /* 0: strlen(staple) */
  int verdict;        /* client: 1, 0, or a th_err */
  int server_fail;
  int server_calls, client_calls;
  char got[64];
  size_t got_len;
};

static int ocsp_server_cb(th_connection *conn, const unsigned char **resp, size_t *len, void *u) {
  struct ocsp *o = u;
  o->server_calls++;
  if (o->server_fail) return TH_ERR_CALLBACK;
  if (o->staple) {
    *resp = (const unsigned char *)o->staple;
    *len = o->staple_len ? o->staple_len : strlen(o->staple);
  }
  return TH_OK;
}

static int ocsp_client_cb(th_connection *conn, const unsigned char *resp, size_t len, void *u) {
  struct ocsp *o = u;
  o->client_calls++;
  o->got_len = len;
  if (len < sizeof o->got) {
    memcpy(o->got, resp ? (const char *)resp : "", len);
    o->got[len] = '\0';
  }
  return o->verdict;
}

static int ocsp_run(struct ocsp *o, int version, char *side) {
  th_context *s = ts_server_ctx(version, 0), *c = ts_client_ctx(version, 0);
  cr_assert_eq(th_context_set_ocsp_server_callback(s, ocsp_server_cb, o), TH_OK);
  cr_assert_eq(th_context_set_ocsp_client_callback(c, ocsp_client_cb, o), TH_OK);
  int rc = hs(c, s, side, NULL);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

Test(callbacks, ocsp_staple_delivered) {
  int versions[] = {TH_TLS1_2_VERSION, TH_TLS1_3_VERSION};
  for (int i = 0; i < 2; i++) {
    struct ocsp o = {.staple = TS_OCSP_TRY_LATER, .staple_len = TS_OCSP_TRY_LATER_LEN, .verdict = 1};
    char side = '?';
    cr_assert_eq(ocsp_run(&o, versions[i], &side), TH_OK, "%c %s", side, tu_err());
    cr_assert_eq(o.server_calls, 1);
    cr_assert_eq(o.client_calls, 1);
    cr_assert_eq(o.got_len, TS_OCSP_TRY_LATER_LEN);
    cr_assert_eq(memcmp(o.got, TS_OCSP_TRY_LATER, TS_OCSP_TRY_LATER_LEN), 0);
  }
}

/* Bytes that are not an OCSPResponse: OpenSSL up to 3.5 staples them as
 * given; 3.6 parses what the server callback hands over and staples only an
 * OCSPResponse (multi-stapling), so the client is told nothing was stapled.
 * A per-version expectation (docs/compat.md), read from the library loaded. */
Test(callbacks, ocsp_staple_not_a_response_by_version) {
  int versions[] = {TH_TLS1_2_VERSION, TH_TLS1_3_VERSION};
  int parses = OpenSSL_version_num() >= 0x30600000L;
  for (int i = 0; i < 2; i++) {
    struct ocsp o = {.staple = "fake-ocsp-response", .verdict = 1};
    char side = '?';
    cr_assert_eq(ocsp_run(&o, versions[i], &side), TH_OK, "%c %s", side, tu_err());
    cr_assert_eq(o.server_calls, 1);
    cr_assert_eq(o.client_calls, 1);
    if (parses)
      cr_assert_eq(o.got_len, 0u, "OpenSSL %s stapled bytes that are no OCSPResponse",
                   OpenSSL_version(OPENSSL_VERSION));
    else
      cr_assert_str_eq(o.got, "fake-ocsp-response");
  }
}

Test(callbacks, ocsp_nothing_stapled) {
  struct ocsp o = {.staple = NULL, .verdict = 1};
  char side = '?';
  cr_assert_eq(ocsp_run(&o, 0, &side), TH_OK, "%s", tu_err());
  cr_assert_eq(o.client_calls, 1);
  cr_assert_eq(o.got_len, 0u);
}

Test(callbacks, ocsp_client_rejects) {
  struct ocsp o = {.staple = TS_OCSP_TRY_LATER, .verdict = 0};
  char side = '?';
  cr_assert_eq(ocsp_run(&o, 0, &side), TH_ERR_SSL);
  cr_assert_eq(side, 'c');
}

Test(callbacks, ocsp_client_error_propagates) {
  struct ocsp o = {.staple = TS_OCSP_TRY_LATER, .verdict = TH_ERR_VALUE};
  char side = '?';
  cr_assert_eq(ocsp_run(&o, 0, &side), TH_ERR_VALUE, "%s", tu_err());
  cr_assert_eq(side, 'c');
}

Test(callbacks, ocsp_server_error_propagates) {
  struct ocsp o = {.staple = TS_OCSP_TRY_LATER, .verdict = 1, .server_fail = 1};
  char side = '?';
  cr_assert_eq(ocsp_run(&o, 0, &side), TH_ERR_CALLBACK, "%s", tu_err());
  cr_assert_eq(side, 's');
}

Test(callbacks, ocsp_server_not_asked_without_client_callback) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  struct ocsp o = {.staple = TS_OCSP_TRY_LATER, .verdict = 1};
  th_context_set_ocsp_server_callback(s, ocsp_server_cb, &o);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_OK);
  cr_assert_eq(o.server_calls, 0);
  cr_assert_eq(th_context_set_ocsp_server_callback(NULL, ocsp_server_cb, &o), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_ocsp_client_callback(NULL, ocsp_client_cb, &o), TH_ERR_TYPE);
  th_context_free(s);
  th_context_free(c);
}
