/* sessions_test.c — session resumption on real in-memory handshakes: by
 * session id (server cache modes, NO_INTERNAL variants), by ticket and
 * OP_NO_TICKET, TLS 1.2 and TLS 1.3 (tickets arrive after the handshake),
 * resumption proved on both sides, Context.set_timeout honoured, a
 * session refused by another context, and a DER round trip. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <time.h>

#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(sessions);

/* One full handshake on (c, s); returns the client's session after reading
 * the tickets. With server_sess, also the server's session. */
static th_session *first(th_context *c, th_context *s, th_session **server_sess) {
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  cr_assert_eq(th_connection_session_reused(p.client), 0);
  th_session *sess = NULL;
  cr_assert_eq(th_connection_get_session(p.client, &sess), TH_OK, "%s", tu_err());
  cr_assert_not_null(sess);
  if (server_sess) cr_assert_eq(th_connection_get_session(p.server, server_sess), TH_OK);
  ts_pair_free(&p);
  return sess;
}

/* A second handshake offering sess; returns 1 when both sides resumed,
 * 0 when neither did (asserting they agree). */
static int again(th_context *c, th_context *s, th_session *sess) {
  ts_pair p;
  ts_pair_new(&p, c, s);
  cr_assert_eq(th_connection_set_session(p.client, sess), TH_OK, "%s", tu_err());
  ts_connect(&p);
  int cr = th_connection_session_reused(p.client), sr = th_connection_session_reused(p.server);
  cr_assert_eq(cr, sr, "client reused %d, server reused %d", cr, sr);
  ts_pair_free(&p);
  return cr;
}

struct cache_case {
  int version;
  long cache_mode;
  int no_ticket;
  int resumes;
};

ParameterizedTestParameters(sessions, cache_modes) {
  static struct cache_case cases[] = {
      /* TLS 1.2 by session id: the server cache decides. */
      {TLS1_2_VERSION, SSL_SESS_CACHE_SERVER, 1, 1},
      {TLS1_2_VERSION, SSL_SESS_CACHE_BOTH, 1, 1},
      {TLS1_2_VERSION, SSL_SESS_CACHE_OFF, 1, 0},
      {TLS1_2_VERSION, SSL_SESS_CACHE_CLIENT, 1, 0},
      {TLS1_2_VERSION, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL, 1, 0},
      {TLS1_2_VERSION, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_LOOKUP, 1, 0},
      {TLS1_2_VERSION, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE, 1, 0},
      {TLS1_2_VERSION, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_AUTO_CLEAR, 1, 1},
      /* TLS 1.2 by ticket: needs no server cache. */
      {TLS1_2_VERSION, SSL_SESS_CACHE_OFF, 0, 1},
      {TLS1_2_VERSION, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL, 0, 1},
      /* TLS 1.3: stateless tickets by default; with OP_NO_TICKET OpenSSL
       * issues stateful tickets that need the server cache. */
      {TLS1_3_VERSION, SSL_SESS_CACHE_SERVER, 0, 1},
      {TLS1_3_VERSION, SSL_SESS_CACHE_OFF, 0, 1},
      {TLS1_3_VERSION, SSL_SESS_CACHE_SERVER, 1, 1},
      {TLS1_3_VERSION, SSL_SESS_CACHE_OFF, 1, 0},
  };
  return cr_make_param_array(struct cache_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct cache_case *cc, sessions, cache_modes) {
  th_context *s = ts_server_ctx(cc->version, 0), *c = ts_client_ctx(cc->version, 0);
  cr_assert_geq(th_context_set_session_cache_mode(s, cc->cache_mode), 0);
  if (cc->no_ticket) th_context_set_options(s, TH_OP_NO_TICKET);
  th_session *sess = first(c, s, NULL);
  if (cc->resumes) cr_assert_eq(th_session_is_resumable(sess), 1);
  cr_assert_eq(th_session_get_protocol_version(sess), cc->version);
  cr_assert_eq(again(c, s, sess), cc->resumes, "version 0x%x mode 0x%lx no_ticket %d", cc->version,
               cc->cache_mode, cc->no_ticket);
  th_session_free(sess);
  th_context_free(s);
  th_context_free(c);
}

Test(sessions, tls12_ticket_present_unless_no_ticket) {
  for (int no_ticket = 0; no_ticket < 2; no_ticket++) {
    th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
    if (no_ticket) th_context_set_options(s, TH_OP_NO_TICKET);
    th_session *sess = first(c, s, NULL);
    cr_assert_eq(th_session_has_ticket(sess), !no_ticket);
    th_bytes *id = th_session_get_id(sess);
    cr_assert_eq(id->len, 32u); /* a session id either way */
    th_bytes_free(id);
    th_session_free(sess);
    th_context_free(s);
    th_context_free(c);
  }
}

Test(sessions, tls13_tickets_arrive_after_the_handshake) {
  th_context *s = ts_server_ctx(TH_TLS1_3_VERSION, 0), *c = ts_client_ctx(TH_TLS1_3_VERSION, 0);
  ts_pair p;
  ts_pair_new(&p, c, s);
  char side = '?';
  cr_assert_eq(ts_handshake(&p, &side, NULL, 0), TH_OK, "%s", tu_err());
  /* The handshake is complete but the tickets are still in flight: the
   * client's session cannot be resumed yet. */
  th_session *early = NULL;
  cr_assert_eq(th_connection_get_session(p.client, &early), TH_OK);
  cr_assert_eq(th_session_is_resumable(early), 0);
  /* Reading processes them. */
  ts_read_tickets(&p);
  th_session *late = NULL;
  cr_assert_eq(th_connection_get_session(p.client, &late), TH_OK);
  cr_assert_eq(th_session_is_resumable(late), 1);
  cr_assert_eq(th_session_has_ticket(late), 1);
  ts_pair_free(&p);
  cr_assert_eq(again(c, s, late), 1);
  th_session_free(early);
  th_session_free(late);
  th_context_free(s);
  th_context_free(c);
}

/* Age the server's cached session by `age` seconds (no sleeping). */
static void age_server_session(th_session *server_sess, long age) {
  SSL_SESSION *raw = th_session_to_ssl_session(server_sess);
#if OPENSSL_VERSION_NUMBER >= 0x30300000L /* set_time is deprecated since 3.4 */
  cr_assert_eq(SSL_SESSION_set_time_ex(raw, time(NULL) - age) > 0, 1);
#else
  cr_assert_eq(SSL_SESSION_set_time(raw, (long)time(NULL) - age) > 0, 1);
#endif
  SSL_SESSION_free(raw);
}

/* Stateful resumption (OP_NO_TICKET: the server's cache holds the
 * session) so that the test can age the server's copy. */
static void timeout_case(int version, long timeout, int resumes) {
  th_context *s = ts_server_ctx(version, 0), *c = ts_client_ctx(version, 0);
  th_context_set_options(s, TH_OP_NO_TICKET);
  cr_assert_geq(th_context_set_timeout(s, timeout), 0);
  th_session *ssess = NULL;
  th_session *sess = first(c, s, &ssess);
  cr_assert_eq(th_session_get_timeout(ssess), timeout);
  /* 100 s old: within a 500 s timeout, past a 50 s one. */
  age_server_session(ssess, 100);
  cr_assert_eq(again(c, s, sess), resumes, "version 0x%x timeout %ld", version, timeout);
  th_session_free(ssess);
  th_session_free(sess);
  th_context_free(s);
  th_context_free(c);
}

Test(sessions, set_timeout_is_honoured_tls12) {
  timeout_case(TH_TLS1_2_VERSION, 500, 1);
  timeout_case(TH_TLS1_2_VERSION, 50, 0);
}

Test(sessions, set_timeout_is_honoured_tls13) {
  timeout_case(TH_TLS1_3_VERSION, 500, 1);
  timeout_case(TH_TLS1_3_VERSION, 50, 0);
}

Test(sessions, session_from_another_context_is_refused) {
  for (int no_ticket = 0; no_ticket < 2; no_ticket++) {
    th_context *a = ts_server_ctx(TH_TLS1_2_VERSION, 0), *b = ts_server_ctx(TH_TLS1_2_VERSION, 0);
    th_context *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
    if (no_ticket) {
      th_context_set_options(a, TH_OP_NO_TICKET);
      th_context_set_options(b, TH_OP_NO_TICKET);
    }
    cr_assert_eq(th_context_set_session_id(b, (const unsigned char *)"other", 5), TH_OK);
    th_session *sess = first(c, a, NULL);
    cr_assert_eq(again(c, b, sess), 0, "no_ticket %d", no_ticket);
    cr_assert_eq(again(c, a, sess), 1);
    th_session_free(sess);
    th_context_free(a);
    th_context_free(b);
    th_context_free(c);
  }
}

Test(sessions, der_round_trip_resumes) {
  int versions[] = {TH_TLS1_2_VERSION, TH_TLS1_3_VERSION};
  for (int i = 0; i < 2; i++) {
    th_context *s = ts_server_ctx(versions[i], 0), *c = ts_client_ctx(versions[i], 0);
    th_session *sess = first(c, s, NULL);
    th_bytes *der = th_session_to_der(sess);
    cr_assert_not_null(der, "%s", tu_err());
    th_session_free(sess);
    /* As if read back by another process. */
    th_session *back = th_session_from_der(der->data, der->len);
    cr_assert_not_null(back, "%s", tu_err());
    th_bytes_free(der);
    cr_assert_eq(again(c, s, back), 1, "version 0x%x", versions[i]);
    th_session_free(back);
    th_context_free(s);
    th_context_free(c);
  }
}

Test(sessions, session_outlives_its_connection_and_context) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  th_session *sess = first(c, s, NULL);
  th_context_free(c);
  th_context *c2 = ts_client_ctx(0, 0);
  cr_assert_eq(again(c2, s, sess), 1);
  th_session_free(sess);
  th_context_free(c2);
  th_context_free(s);
}
