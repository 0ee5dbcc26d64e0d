/* alpn_npn_test.c — ALPN and NPN on real in-memory handshakes: success on
 * both sides, no overlap, select callbacks answering nothing or failing,
 * a server without a callback, protocols set on the context and on the
 * connection, NPN only up to TLS 1.2. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testutil.h"
#include "testutil_ssl.h"
#include "testutil_table.h"

TestSuite(alpn_npn);

static const char *const offer[] = {"h2", "http/1.1"};

struct sel {
  const char *answer; /* NULL: no protocol */
  int fail;           /* nonzero: fail with TH_ERR_VALUE (with a record) */
  int calls;
  size_t count;
  char seen[4][32];
  th_connection *conn;
};

static int select_cb(th_connection *conn, const char *const *offered, size_t count,
                     const char **selected, void *user) {
  struct sel *s = user;
  s->calls++;
  s->conn = conn;
  s->count = count;
  for (size_t i = 0; i < count && i < 4; i++) snprintf(s->seen[i], sizeof s->seen[i], "%s", offered[i]);
  if (s->fail) {
    th_ssl_SSLeay_version(-7); /* sets a TH_ERR_VALUE record */
    return th_error_kind();
  }
  *selected = s->answer;
  return TH_OK;
}

static void assert_alpn(th_connection *c, const char *want) {
  th_bytes *b = th_connection_get_alpn_proto_negotiated(c);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((char *)b->data, want);
  th_bytes_free(b);
}

static void assert_npn(th_connection *c, const char *want) {
  th_bytes *b = th_connection_get_next_proto_negotiated(c);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((char *)b->data, want);
  th_bytes_free(b);
}

/* A pair on fresh contexts; the caller configures *cctx / *sctx first. */
static void contexts(int version, th_context **c, th_context **s) {
  *s = ts_server_ctx(version, 0);
  *c = ts_client_ctx(version, 0);
}

static void done(ts_pair *p, th_context *c, th_context *s) {
  ts_pair_free(p);
  th_context_free(c);
  th_context_free(s);
}

/* ALPN handshakes that complete: the client offers {"h2", "http/1.1"};
 * the server has a select callback answering `answer` (NULL: nothing), no
 * callback, or one set and then removed. */
enum { CB_NONE, CB_SET, CB_REMOVED };
static const struct alpn_ok_case {
  const char *what;
  int version, callback;
  const char *answer;
  int calls;        /* how often the callback runs */
  const char *want; /* the protocol both sides report ("": none) */
} alpn_ok_cases[] = {
    {"success", 0, CB_SET, "http/1.1", 1, "http/1.1"},
    {"success at TLS 1.2", TH_TLS1_2_VERSION, CB_SET, "h2", 1, "h2"},
    {"no selection continues without", 0, CB_SET, NULL, 1, ""},
    {"a server without a callback", 0, CB_NONE, NULL, 0, ""},
    {"a callback removed", 0, CB_REMOVED, "h2", 0, ""},
};

TU_INDEX_PARAMS(alpn_npn, alpn_completes, sizeof alpn_ok_cases / sizeof alpn_ok_cases[0])
ParameterizedTest(int *i, alpn_npn, alpn_completes) {
  const struct alpn_ok_case *k = &alpn_ok_cases[*i];
  th_context *c, *s;
  contexts(k->version, &c, &s);
  struct sel sel = {.answer = k->answer};
  cr_assert_eq(th_context_set_alpn_protos(c, offer, 2), TH_OK);
  if (k->callback != CB_NONE)
    cr_assert_eq(th_context_set_alpn_select_callback(s, select_cb, &sel), TH_OK);
  if (k->callback == CB_REMOVED)
    cr_assert_eq(th_context_set_alpn_select_callback(s, NULL, NULL), TH_OK);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  cr_assert_eq(sel.calls, k->calls, "%s", k->what);
  if (k->calls > 0) {
    cr_assert_eq(sel.conn, p.server, "%s", k->what);
    cr_assert_eq(sel.count, 2u, "%s", k->what);
    cr_assert_str_eq(sel.seen[0], "h2");
    cr_assert_str_eq(sel.seen[1], "http/1.1");
  }
  assert_alpn(p.client, k->want);
  assert_alpn(p.server, k->want);
  done(&p, c, s);
}

/* ALPN handshakes that fail: the status and the side that stops. Issue 12
 * item 5: an empty selection fails as an SSL error (16.1: SSL.Error), not
 * TH_ERR_VALUE, on the server, which selected it. */
/* 256 bytes: one more than an ALPN protocol name can hold. */
#define A16 "aaaaaaaaaaaaaaaa"
#define A256 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16 A16

static const struct alpn_fail_case {
  const char *what;
  const char *answer;
  int fail; /* the callback fails with TH_ERR_VALUE */
  int rc;
  char side;
  const char *msg; /* NULL, or a part of the error message */
} alpn_fail_cases[] = {
    {"a select error propagates", NULL, 1, TH_ERR_VALUE, 's', "unknown type"},
    {"a selection not offered is refused by the client", "spdy/2", 0, TH_ERR_SSL, 'c', NULL},
    {"a selection not offered, as long as an offered one, is refused", "h3", 0, TH_ERR_SSL, 'c',
     NULL},
    {"an empty selection is an SSL error", "", 0, TH_ERR_SSL, 's', "empty protocol"},
    {"a selection of 256 bytes cannot be sent", A256, 0, TH_ERR_VALUE, 's',
     "selected protocol has length 256"},
};

TU_INDEX_PARAMS(alpn_npn, alpn_fails, sizeof alpn_fail_cases / sizeof alpn_fail_cases[0])
ParameterizedTest(int *i, alpn_npn, alpn_fails) {
  const struct alpn_fail_case *k = &alpn_fail_cases[*i];
  th_context *c, *s;
  contexts(0, &c, &s);
  struct sel sel = {.answer = k->answer, .fail = k->fail};
  th_context_set_alpn_protos(c, offer, 2);
  th_context_set_alpn_select_callback(s, select_cb, &sel);
  ts_pair p;
  ts_pair_new(&p, c, s);
  char side = '?';
  cr_assert_eq(ts_handshake(&p, &side, NULL, 0), k->rc, "%s: %s", k->what, tu_err());
  cr_assert_eq(side, k->side, "%s", k->what);
  if (k->msg != NULL)
    cr_assert(strstr(th_error_last()->message, k->msg) != NULL, "%s: %s", k->what, tu_err());
  done(&p, c, s);
}

/* Issue 12 item 16: an offered name with a NUL byte inside is left out of
 * the callback's list (cut short, "ab\0c" would read "ab", which the client
 * never offered). The client's list is set through the raw SSL_CTX, the
 * only way to put a NUL into it. */
Test(alpn_npn, alpn_offer_with_nul_is_left_out) {
  th_context *c, *s;
  contexts(0, &c, &s);
  static const unsigned char wire[] = "\x04" "ab\0c" "\x02" "h2";
  SSL_CTX *raw = th_context_to_ssl_ctx(c);
  cr_assert_not_null(raw, "%s", tu_err());
  cr_assert_eq(SSL_CTX_set_alpn_protos(raw, wire, sizeof wire - 1), 0);
  SSL_CTX_free(raw);
  struct sel sel = {.answer = "h2"};
  th_context_set_alpn_select_callback(s, select_cb, &sel);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  cr_assert_eq(sel.calls, 1);
  cr_assert_eq(sel.count, 1u, "the name with a NUL reached the callback as \"%s\"", sel.seen[0]);
  cr_assert_str_eq(sel.seen[0], "h2");
  assert_alpn(p.client, "h2");
  done(&p, c, s);
}

Test(alpn_npn, alpn_protos_on_connection) {
  th_context *c, *s;
  contexts(0, &c, &s);
  struct sel sel = {.answer = "b"};
  th_context_set_alpn_select_callback(s, select_cb, &sel);
  ts_pair p;
  ts_pair_new(&p, c, s);
  const char *const mine[] = {"a", "b", "c"};
  cr_assert_eq(th_connection_set_alpn_protos(p.client, mine, 3), TH_OK, "%s", tu_err());
  ts_connect(&p);
  cr_assert_eq(sel.count, 3u);
  assert_alpn(p.client, "b");
  assert_alpn(p.server, "b");
  done(&p, c, s);
}

Test(alpn_npn, alpn_protos_bad_input) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  char long_name[300];
  memset(long_name, 'x', 256);
  long_name[256] = '\0';
  const char *const with_null[] = {"h2", NULL};
  const char *const with_empty[] = {"h2", ""};
  const char *const with_long[] = {long_name};
  cr_assert_eq(th_context_set_alpn_protos(ctx, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_alpn_protos(ctx, with_null, 2), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_alpn_protos(ctx, with_empty, 2), TH_ERR_VALUE);
  cr_assert_eq(th_context_set_alpn_protos(ctx, with_long, 1), TH_ERR_VALUE);
  long_name[255] = '\0'; /* 255 bytes: the maximum */
  cr_assert_eq(th_context_set_alpn_protos(ctx, with_long, 1), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_alpn_protos(ctx, NULL, 0), TH_OK);
  cr_assert_eq(th_context_set_alpn_protos(NULL, offer, 2), TH_ERR_TYPE);
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_context_set_alpn_protos((th_context *)k, offer, 2), TH_ERR_TYPE);
  th_pkey_free(k);
  cr_assert_eq(th_context_set_alpn_select_callback(NULL, select_cb, NULL), TH_ERR_TYPE);
  th_context_free(ctx);
}

/* ---- NPN ------------------------------------------------------------------------- */

struct adv {
  const char *const *protos;
  size_t count;
  int fail, calls;
};

static int advertise_cb(th_connection *conn, const char *const **protos, size_t *count, void *u) {
  struct adv *a = u;
  a->calls++;
  if (a->fail) return TH_ERR_CALLBACK;
  *protos = a->protos;
  *count = a->count;
  return TH_OK;
}

static const char *const npn_offer[] = {"spdy/2", "http/1.1"};

/* NPN handshakes that complete: the server advertises {"spdy/2",
 * "http/1.1"}, the client picks "http/1.1"; NPN exists up to TLS 1.2 only,
 * so at TLS 1.3 neither callback runs and nothing is negotiated. */
static const struct npn_ok_case {
  int version, calls;
  const char *want;
} npn_ok_cases[] = {
    {TH_TLS1_2_VERSION, 1, "http/1.1"},
    {TH_TLS1_3_VERSION, 0, ""},
};

TU_INDEX_PARAMS(alpn_npn, npn_completes, sizeof npn_ok_cases / sizeof npn_ok_cases[0])
ParameterizedTest(int *i, alpn_npn, npn_completes) {
  ts_need_npn();
  const struct npn_ok_case *k = &npn_ok_cases[*i];
  th_context *c, *s;
  contexts(k->version, &c, &s);
  struct adv adv = {npn_offer, 2, 0, 0};
  struct sel sel = {.answer = "http/1.1"};
  cr_assert_eq(th_context_set_npn_advertise_callback(s, advertise_cb, &adv), TH_OK);
  cr_assert_eq(th_context_set_npn_select_callback(c, select_cb, &sel), TH_OK);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  cr_assert_eq(adv.calls, k->calls);
  cr_assert_eq(sel.calls, k->calls);
  if (k->calls > 0) {
    cr_assert_eq(sel.conn, p.client);
    cr_assert_eq(sel.count, 2u);
    cr_assert_str_eq(sel.seen[0], "spdy/2");
  }
  assert_npn(p.client, k->want);
  assert_npn(p.server, k->want);
  done(&p, c, s);
}

/* An advertise callback that offers nothing: the server sends no NPN
 * extension, so the client's select callback never runs (NPN's "the
 * client must pick one" does not arise) and nothing is negotiated. */
Test(alpn_npn, npn_advertise_nothing) {
  ts_need_npn();
  th_context *c, *s;
  contexts(TH_TLS1_2_VERSION, &c, &s);
  struct adv adv = {npn_offer, 0, 0, 0};
  struct sel sel = {.answer = "http/1.1"};
  cr_assert_eq(th_context_set_npn_advertise_callback(s, advertise_cb, &adv), TH_OK);
  cr_assert_eq(th_context_set_npn_select_callback(c, select_cb, &sel), TH_OK);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  cr_assert_eq(adv.calls, 1);
  cr_assert_eq(sel.calls, 0);
  assert_npn(p.client, "");
  assert_npn(p.server, "");
  done(&p, c, s);
}

/* NPN handshakes (TLS 1.2) that fail: an advertise or select error
 * propagates; "nothing" is not an NPN answer (TH_ERR_SSL); an empty
 * advertised protocol is refused on the server. */
static const char *const npn_empty[] = {""};
static const struct npn_fail_case {
  const char *what;
  const char *const *protos;
  size_t count;
  int adv_fail;
  const char *answer;
  int sel_fail;
  int rc;
  char side;
} npn_fail_cases[] = {
    {"an advertise error propagates", npn_offer, 2, 1, "http/1.1", 0, TH_ERR_CALLBACK, 's'},
    {"a select error propagates", npn_offer, 2, 0, NULL, 1, TH_ERR_VALUE, 'c'},
    {"selecting nothing", npn_offer, 2, 0, NULL, 0, TH_ERR_SSL, 'c'},
    {"an empty advertised protocol", npn_empty, 1, 0, "x", 0, TH_ERR_VALUE, 's'},
};

TU_INDEX_PARAMS(alpn_npn, npn_fails, sizeof npn_fail_cases / sizeof npn_fail_cases[0])
ParameterizedTest(int *i, alpn_npn, npn_fails) {
  ts_need_npn();
  const struct npn_fail_case *k = &npn_fail_cases[*i];
  th_context *c, *s;
  contexts(TH_TLS1_2_VERSION, &c, &s);
  struct adv adv = {k->protos, k->count, k->adv_fail, 0};
  struct sel sel = {.answer = k->answer, .fail = k->sel_fail};
  th_context_set_npn_advertise_callback(s, advertise_cb, &adv);
  th_context_set_npn_select_callback(c, select_cb, &sel);
  ts_pair p;
  ts_pair_new(&p, c, s);
  char side = '?';
  cr_assert_eq(ts_handshake(&p, &side, NULL, 0), k->rc, "%s: %s", k->what, tu_err());
  cr_assert_eq(side, k->side, "%s", k->what);
  done(&p, c, s);
}

Test(alpn_npn, npn_bad_input) {
  cr_assert_eq(th_context_set_npn_advertise_callback(NULL, advertise_cb, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_set_npn_select_callback(NULL, select_cb, NULL), TH_ERR_TYPE);
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_context_set_npn_select_callback((th_context *)k, select_cb, NULL), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  ts_need_npn();
  cr_assert_eq(th_context_set_npn_advertise_callback(ctx, NULL, NULL), TH_OK);
  cr_assert_eq(th_context_set_npn_select_callback(ctx, NULL, NULL), TH_OK);
  th_context_free(ctx);
}
