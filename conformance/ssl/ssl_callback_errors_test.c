/* ssl_callback_errors_test.c — "exceptions propagate": every callback that
 * can fail (ALPN select, NPN advertise and select, OCSP server and client,
 * verify, passphrase) makes the operation that ran it fail with the
 * callback's own status and error record (its message, not OpenSSL's
 * queue), or — when it returned an error without setting a record — with
 * that status and "a callback returned an error". One table, each case run
 * with and without a record. The informational callbacks (info,
 * servername, keylog) return nothing: an error they cause is ignored, as
 * pyOpenSSL ignores their result. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(ssl_callback_errors);

struct ctl {
  int marker;      /* th_ssl_SSLeay_version(marker) sets a unique record */
  int with_record; /* 0: return TH_ERR_CALLBACK with no record */
  int calls;
};

static int fail(struct ctl *k) {
  k->calls++;
  if (k->with_record) {
    cr_assert_null(th_ssl_SSLeay_version(k->marker));
    return th_error_kind();
  }
  th_error_clear();
  return TH_ERR_CALLBACK;
}

static int select_cb(th_connection *conn, const char *const *offered, size_t count,
                     const char **selected, void *user) {
  return fail(user);
}
static int advertise_cb(th_connection *conn, const char *const **protos, size_t *count,
                        void *user) {
  return fail(user);
}
static const char *const npn[] = {"h2", "http/1.1"};
static int advertise_ok(th_connection *conn, const char *const **protos, size_t *count,
                        void *user) {
  *protos = npn;
  *count = 2;
  return TH_OK;
}
static int select_first(th_connection *conn, const char *const *offered, size_t count,
                        const char **selected, void *user) {
  *selected = offered[0];
  return TH_OK;
}
static int ocsp_server_fail(th_connection *conn, const unsigned char **resp, size_t *len,
                            void *user) {
  return fail(user);
}
static int ocsp_server_ok(th_connection *conn, const unsigned char **resp, size_t *len,
                          void *user) {
  *resp = (const unsigned char *)TS_OCSP_TRY_LATER;
  *len = TS_OCSP_TRY_LATER_LEN;
  return TH_OK;
}
static int ocsp_client_fail(th_connection *conn, const unsigned char *resp, size_t len, void *user) {
  return fail(user);
}
static int ocsp_client_ok(th_connection *conn, const unsigned char *resp, size_t len, void *user) {
  return 1;
}
static int verify_fail(th_connection *conn, th_x509 *cert, int errnum, int depth, int ok,
                       void *user) {
  return fail(user);
}

static void alpn_select(th_context *c, th_context *s, struct ctl *k) {
  cr_assert_eq(th_context_set_alpn_protos(c, npn, 2), TH_OK);
  cr_assert_eq(th_context_set_alpn_select_callback(s, select_cb, k), TH_OK);
}
static void npn_advertise(th_context *c, th_context *s, struct ctl *k) {
  ts_need_npn();
  cr_assert_eq(th_context_set_npn_advertise_callback(s, advertise_cb, k), TH_OK);
  cr_assert_eq(th_context_set_npn_select_callback(c, select_first, NULL), TH_OK);
}
static void npn_select(th_context *c, th_context *s, struct ctl *k) {
  ts_need_npn();
  cr_assert_eq(th_context_set_npn_advertise_callback(s, advertise_ok, NULL), TH_OK);
  cr_assert_eq(th_context_set_npn_select_callback(c, select_cb, k), TH_OK);
}
static void ocsp_server(th_context *c, th_context *s, struct ctl *k) {
  cr_assert_eq(th_context_set_ocsp_server_callback(s, ocsp_server_fail, k), TH_OK);
  cr_assert_eq(th_context_set_ocsp_client_callback(c, ocsp_client_ok, NULL), TH_OK);
}
static void ocsp_client(th_context *c, th_context *s, struct ctl *k) {
  cr_assert_eq(th_context_set_ocsp_server_callback(s, ocsp_server_ok, NULL), TH_OK);
  cr_assert_eq(th_context_set_ocsp_client_callback(c, ocsp_client_fail, k), TH_OK);
}
static void verify_client(th_context *c, th_context *s, struct ctl *k) {
  cr_assert_eq(th_context_set_verify(c, TH_VERIFY_PEER, verify_fail, k), TH_OK);
}
static void verify_server(th_context *c, th_context *s, struct ctl *k) {
  cr_assert_eq(th_context_set_verify(s, TH_VERIFY_PEER, verify_fail, k), TH_OK);
}

struct hs_case {
  const char *name;
  int version; /* 0: any (TLS 1.3) */
  char side;   /* who fails */
  void (*install)(th_context *c, th_context *s, struct ctl *k);
  int client_opts;
};

static const struct hs_case cases[] = {
    {"alpn_select_tls13", 0, 's', alpn_select, 0},
    {"alpn_select_tls12", TH_TLS1_2_VERSION, 's', alpn_select, 0},
    {"npn_advertise", TH_TLS1_2_VERSION, 's', npn_advertise, 0},
    {"npn_select", TH_TLS1_2_VERSION, 'c', npn_select, 0},
    {"ocsp_server", 0, 's', ocsp_server, 0},
    {"ocsp_client_tls13", 0, 'c', ocsp_client, 0},
    {"ocsp_client_tls12", TH_TLS1_2_VERSION, 'c', ocsp_client, 0},
    {"verify_client", 0, 'c', verify_client, 0},
    {"verify_server", TH_TLS1_2_VERSION, 's', verify_server, TS_CERT},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void assert_record(struct ctl *k, int rc, const char *name) {
  cr_assert_eq(k->calls, 1, "%s: the callback ran %d times", name, k->calls);
  if (k->with_record) {
    char want[64];
    snprintf(want, sizeof want, "unknown type %d", k->marker);
    cr_assert_eq(rc, TH_ERR_VALUE, "%s: %d %s", name, rc, tu_err());
    cr_assert(strstr(th_error_last()->message, want) != NULL, "%s: %s", name, tu_err());
    cr_assert_eq(th_error_last()->queue_len, 0u, "%s: OpenSSL's queue leaked in: %s", name,
                 tu_err());
  } else {
    cr_assert_eq(rc, TH_ERR_CALLBACK, "%s: %d %s", name, rc, tu_err());
    cr_assert(strstr(th_error_last()->message, "callback returned an error") != NULL, "%s: %s",
              name, tu_err());
  }
}

ParameterizedTestParameters(ssl_callback_errors, handshake_callback_error_propagates) {
  static int idx[NCASES * 2];
  for (size_t i = 0; i < NCASES * 2; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, NCASES * 2);
}

ParameterizedTest(int *i, ssl_callback_errors, handshake_callback_error_propagates) {
  const struct hs_case *c = &cases[*i / 2];
  struct ctl k = {.marker = -1000 - *i, .with_record = *i % 2};
  th_context *s = ts_server_ctx(c->version, TS_TRUST);
  th_context *cl = ts_client_ctx(c->version, c->client_opts | TS_TRUST);
  c->install(cl, s, &k);
  ts_pair p;
  ts_pair_new(&p, cl, s);
  char side = '?';
  int rc = ts_handshake(&p, &side, NULL, 0);
  assert_record(&k, rc, c->name);
  cr_assert_eq(side, c->side, "%s: failed on %c", c->name, side);
  ts_pair_free(&p);
  th_context_free(cl);
  th_context_free(s);
}

/* The passphrase callback fails use_privatekey_file (no handshake). */
static int passwd_fail(char *buf, int maxlen, int verify, void *user) { return fail(user); }

Test(ssl_callback_errors, passphrase_error_propagates) {
  const char *file = ts_write_key("enc.pem", ts_pki_get()->server_key, "secret");
  for (int rec = 0; rec < 2; rec++) {
    struct ctl k = {.marker = -77, .with_record = rec};
    th_context *ctx = th_context_new(TH_TLS_METHOD);
    cr_assert_eq(th_context_set_passwd_cb(ctx, passwd_fail, &k), TH_OK);
    assert_record(&k, th_context_use_privatekey_file(ctx, file, TH_FILETYPE_PEM), "passphrase");
    th_context_free(ctx);
  }
}

/* ---- results ignored: info, servername, keylog ------------------------------------- */

static void info_noisy(th_connection *conn, int where, int ret, void *user) {
  (*(int *)user)++;
  th_ssl_SSLeay_version(-1); /* leaves an error record behind */
}
static void servername_noisy(th_connection *conn, void *user) {
  (*(int *)user)++;
  th_ssl_SSLeay_version(-2);
}
static void keylog_noisy(th_connection *conn, const char *line, void *user) {
  (*(int *)user)++;
  th_ssl_SSLeay_version(-3);
}

Test(ssl_callback_errors, informational_callback_errors_are_ignored) {
  int versions[] = {TH_TLS1_2_VERSION, 0};
  for (int v = 0; v < 2; v++) {
    int info = 0, sni = 0, keylog = 0;
    th_context *s = ts_server_ctx(versions[v], 0), *c = ts_client_ctx(versions[v], 0);
    cr_assert_eq(th_context_set_info_callback(s, info_noisy, &info), TH_OK);
    cr_assert_eq(th_context_set_info_callback(c, info_noisy, &info), TH_OK);
    cr_assert_eq(th_context_set_tlsext_servername_callback(s, servername_noisy, &sni), TH_OK);
    cr_assert_eq(th_context_set_keylog_callback(c, keylog_noisy, &keylog), TH_OK);
    ts_pair p;
    ts_pair_new(&p, c, s);
    cr_assert_eq(th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"x.test", 6),
                 TH_OK);
    ts_connect(&p);
    cr_assert_gt(info, 0);
    cr_assert_eq(sni, 1);
    cr_assert_gt(keylog, 0);
    /* and data still flows */
    cr_assert_eq(th_connection_send(p.client, "ok", 2, 0), 2, "%s", tu_err());
    ts_pump(&p);
    th_bytes *b = th_connection_recv(p.server, 8, 0);
    cr_assert_not_null(b, "%s", tu_err());
    cr_assert_eq(b->len, 2u);
    th_bytes_free(b);
    ts_pair_free(&p);
    th_context_free(c);
    th_context_free(s);
  }
}

/* Issue 12 item 11: an I/O call on a Connection from inside one of its own
 * callbacks is refused with TH_ERR_VALUE (a verify callback calling
 * do_handshake recursed until the stack overflowed; I/O from a servername
 * callback double-freed inside libssl); the handshake itself goes on. */
struct reenter {
  int calls;
  int rc[4]; /* do_handshake, send, recv, shutdown */
  char msg[256];
};

static void reenter_io(th_connection *conn, struct reenter *r) {
  if (r->calls++ > 0) return;
  r->rc[0] = th_connection_do_handshake(conn);
  snprintf(r->msg, sizeof r->msg, "%s", th_error_last()->message);
  r->rc[1] = th_connection_send(conn, "x", 1, 0);
  th_bytes *b = th_connection_recv(conn, 16, 0);
  r->rc[2] = b != NULL ? TH_OK : th_error_kind();
  th_bytes_free(b);
  r->rc[3] = th_connection_shutdown(conn);
}

static void assert_refused(const struct reenter *r, const char *who) {
  cr_assert_geq(r->calls, 1, "%s: the callback never ran", who);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(r->rc[i], TH_ERR_VALUE, "%s: call %d gave %d", who, i, r->rc[i]);
  cr_assert(strstr(r->msg, "own callbacks") != NULL, "%s: %s", who, r->msg);
}

static int verify_reenter(th_connection *conn, th_x509 *cert, int errnum, int depth, int ok,
                          void *user) {
  reenter_io(conn, user);
  return 1; /* accept: the test is about the calls, not the chain */
}

static void servername_reenter(th_connection *conn, void *user) { reenter_io(conn, user); }

Test(ssl_callback_errors, verify_callback_io_is_refused) {
  struct reenter r = {0};
  th_context *s = ts_server_ctx(0, TS_TRUST);
  th_context *cl = ts_client_ctx(0, TS_TRUST);
  cr_assert_eq(th_context_set_verify(cl, TH_VERIFY_PEER, verify_reenter, &r), TH_OK);
  ts_pair p;
  ts_pair_new(&p, cl, s);
  ts_connect(&p);
  assert_refused(&r, "verify");
  ts_send_recv(p.client, p.server, &p, "after");
  ts_pair_free(&p);
  th_context_free(cl);
  th_context_free(s);
}

Test(ssl_callback_errors, servername_callback_io_is_refused) {
  struct reenter r = {0};
  th_context *s = ts_server_ctx(0, 0);
  th_context *cl = ts_client_ctx(0, 0);
  cr_assert_eq(th_context_set_tlsext_servername_callback(s, servername_reenter, &r), TH_OK);
  ts_pair p;
  ts_pair_new(&p, cl, s);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"a.example", 9),
               TH_OK);
  ts_connect(&p);
  assert_refused(&r, "servername");
  ts_send_recv(p.server, p.client, &p, "after");
  ts_pair_free(&p);
  th_context_free(cl);
  th_context_free(s);
}
