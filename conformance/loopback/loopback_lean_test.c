/* loopback_lean_test.c — observation is opt-in: a pair that observes
 * nothing records nothing (and says so when asked), still works end to
 * end, and leaves its contexts alone; th_loopback_pair_observe's rules;
 * sessions set and taken through the pair; an SSL outliving its pair. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <openssl/err.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_lean);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER
#define ALL TH_LOOPBACK_OBSERVE_ALL

typedef struct lean_case {
  int transport;
  int version;
} lean_case;

ParameterizedTestParameters(loopback_lean, records_nothing_and_still_works) {
  static lean_case cases[] = {
      {TH_LOOPBACK_PUMP, TLS1_2_VERSION},   {TH_LOOPBACK_PUMP, TLS1_3_VERSION},
      {TH_LOOPBACK_DIRECT, TLS1_2_VERSION}, {TH_LOOPBACK_DIRECT, TLS1_3_VERSION},
      {TH_LOOPBACK_UNIX, TLS1_3_VERSION},
  };
  return cr_make_param_array(lean_case, cases, sizeof cases / sizeof cases[0]);
}

/* Each accessor of a lean pair is a TH_ERR_VALUE naming the call to make. */
static void assert_not_observed(th_loopback_pair *p) {
  th_loopback_record r;
  cr_assert_eq(th_loopback_record_count(p), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "th_loopback_pair_observe") != NULL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "TH_LOOPBACK_OBSERVE_TRANSCRIPT") != NULL, "%s", tu_err());
  cr_assert_eq(th_loopback_record_get(p, 0, &r), TH_ERR_VALUE);
  cr_assert_null(th_loopback_transcript(p));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_loopback_pcap(p));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "TH_LOOPBACK_OBSERVE_PCAP") != NULL, "%s", tu_err());
  cr_assert_null(th_loopback_keylog(p));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_loopback_info_states(p, C));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_write_pcap(p, tu_path("lean.pcap")), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_write_keylog(p, tu_path("lean.keys")), TH_ERR_VALUE);
}

ParameterizedTest(lean_case *c, loopback_lean, records_nothing_and_still_works) {
  SSL_CTX *s = tl_server_ctx(c->version), *cl = tl_client_ctx(c->version);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, cl, c->transport);
  cr_assert_not_null(p, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_observing(p), 0);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  int tickets = th_loopback_flush_tickets(p);
  /* The cheap info callback still counts tickets (TLS 1.3 sends two after
   * the handshake; TLS 1.2 one inside it). */
  cr_assert_eq(tickets, c->version == TLS1_3_VERSION ? 2 : 1, "%d: %s", tickets, tu_err());
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)"ping", 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, (const unsigned char *)"ping", 4), TH_OK);
  tl_assert_rc(p, th_loopback_shutdown(p, C), TH_OK);
  assert_not_observed(p);
  /* The contexts were not touched: no key log callback appeared. */
  cr_assert_null(SSL_CTX_get_keylog_callback(s));
  cr_assert_null(SSL_CTX_get_keylog_callback(cl));
  th_loopback_pair_free(p);
  SSL_CTX_free(s);
  SSL_CTX_free(cl);
}

Test(loopback_lean, observe_rules) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_3_VERSION);
  cr_assert_eq(th_loopback_pair_observe(p, 0), TH_OK);
  cr_assert_eq(th_loopback_pair_observing(p), 0);
  cr_assert_eq(th_loopback_pair_observe(p, 0x10), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_observe(p, -1), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_observing(p), 0); /* unchanged */
  /* Bits add up. */
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_PCAP), TH_OK);
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK);
  cr_assert_eq(th_loopback_pair_observing(p),
               TH_LOOPBACK_OBSERVE_PCAP | TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  /* Not once the conversation has started (a step has run). */
  cr_assert_geq(th_loopback_step(p), 0);
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_KEYLOG), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "started") != NULL, "%s", tu_err());
  /* Asking again for what it already observes is fine. */
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_PCAP), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_gt(th_loopback_record_count(p), 0);
  cr_assert_null(th_loopback_keylog(p)); /* never asked for */
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  /* Bad input. */
  cr_assert_eq(th_loopback_pair_observe(NULL, ALL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_observing(NULL), TH_ERR_TYPE);
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_loopback_pair_observe((th_loopback_pair *)k, ALL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_observing((th_loopback_pair *)k), TH_ERR_TYPE);
  th_pkey_free(k);
  th_loopback_pair_free(p);
}

static int kl_calls;
static void own_keylog(const SSL *ssl, const char *line) { kl_calls++; }

/* The key log callback sits on the contexts only while an observing pair
 * lives; lean pairs on the same contexts meanwhile record nothing. */
Test(loopback_lean, keylog_callback_lives_with_the_observing_pairs) {
  SSL_CTX *s = tl_server_ctx(TLS1_3_VERSION), *c = tl_client_ctx(TLS1_3_VERSION);
  SSL_CTX_set_keylog_callback(c, own_keylog);
  th_loopback_pair *a = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_DIRECT);
  th_loopback_pair *b = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_DIRECT);
  th_loopback_pair *lean = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_DIRECT);
  cr_assert(a && b && lean, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_observe(a, TH_LOOPBACK_OBSERVE_KEYLOG), TH_OK, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_observe(b, TH_LOOPBACK_OBSERVE_KEYLOG), TH_OK, "%s", tu_err());
  cr_assert_not_null(SSL_CTX_get_keylog_callback(s));
  cr_assert(SSL_CTX_get_keylog_callback(c) != own_keylog);
  tl_assert_rc(lean, th_loopback_handshake(lean), TH_OK);
  cr_assert_eq(kl_calls, 5); /* the context's own callback still ran */
  tl_assert_rc(a, th_loopback_handshake(a), TH_OK);
  th_bytes *log = th_loopback_keylog(a);
  cr_assert_not_null(log, "%s", tu_err());
  /* Both sides' five TLS 1.3 secrets, and none of the lean pair's. */
  int lines = 0;
  for (size_t i = 0; i < log->len; i++) lines += log->data[i] == '\n';
  cr_assert_eq(lines, 10, "%.*s", (int)log->len, (const char *)log->data);
  th_bytes_free(log);
  th_loopback_pair_free(a);
  cr_assert(SSL_CTX_get_keylog_callback(c) != own_keylog); /* b still observes */
  th_loopback_pair_free(b);
  cr_assert(SSL_CTX_get_keylog_callback(c) == own_keylog);
  cr_assert_null(SSL_CTX_get_keylog_callback(s));
  th_loopback_pair_free(lean);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
}

Test(loopback_lean, resume_keeps_the_observation) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_PUMP, TLS1_3_VERSION, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair *r = NULL;
  tl_assert_rc(p, th_loopback_resume(p, &r), TH_OK);
  cr_assert_eq(th_loopback_pair_observing(r), TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  cr_assert(strstr(tl_transcript(r), "C->S handshake 0x0301") != NULL, "%s", tl_transcript(r));
  th_loopback_pair_free(r);
  th_loopback_pair_free(p);
  /* A lean pair resumes into a lean pair. */
  p = tl_pair(TH_LOOPBACK_DIRECT, TLS1_2_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  tl_assert_rc(p, th_loopback_resume(p, &r), TH_OK);
  cr_assert_eq(th_loopback_pair_observing(r), 0);
  th_loopback_pair_free(r);
  th_loopback_pair_free(p);
}

Test(loopback_lean, set_and_get_session) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_DIRECT, TLS1_3_VERSION);
  cr_assert_null(th_loopback_pair_get_session(p)); /* no handshake yet */
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_eq(th_loopback_flush_tickets(p), 2);
  th_session *sess = th_loopback_pair_get_session(p);
  cr_assert_not_null(sess, "%s", tu_err());
  /* Too late on a pair whose handshake ran. */
  cr_assert_eq(th_loopback_pair_set_session(p, sess), TH_ERR_VALUE);
  SSL_CTX *rs = NULL, *rc = NULL;
  SSL *ss = th_loopback_pair_ssl(p, S), *cs = th_loopback_pair_ssl(p, C);
  rs = SSL_get_SSL_CTX(ss);
  rc = SSL_get_SSL_CTX(cs);
  th_loopback_pair *q = th_loopback_pair_new_raw(rs, rc, TH_LOOPBACK_DIRECT);
  SSL_free(ss);
  SSL_free(cs);
  cr_assert_eq(th_loopback_pair_set_session(q, sess), TH_OK, "%s", tu_err());
  tl_assert_rc(q, th_loopback_handshake(q), TH_OK);
  cr_assert_eq(th_loopback_pair_reused(q, C), 1);
  cr_assert_eq(th_loopback_pair_reused(q, S), 1);
  /* Bad input. */
  cr_assert_eq(th_loopback_pair_set_session(NULL, sess), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_set_session(q, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_set_session(q, (th_session *)q), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_set_session((th_loopback_pair *)sess, sess), TH_ERR_TYPE);
  cr_assert_null(th_loopback_pair_get_session(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_loopback_pair_get_session((th_loopback_pair *)sess));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_session_free(sess);
  th_loopback_pair_free(q);
  th_loopback_pair_free(p);
}

static int info_calls, info_saw_conn;
static void info_cb(th_connection *conn, int where, int ret, void *user) {
  info_calls++;
  info_saw_conn += conn != NULL;
}

/* Pairs from Contexts: a Connection only where a callback needs one, and
 * a callback set after the pair was made (before its first step) still
 * gets it. */
Test(loopback_lean, connections_only_for_callbacks) {
  SSL_CTX *rs = tl_server_ctx(TLS1_3_VERSION), *rc = tl_client_ctx(TLS1_3_VERSION);
  th_context *s = th_context_from_ssl_ctx(rs), *c = th_context_from_ssl_ctx(rc);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  th_loopback_pair *p = th_loopback_pair_new(s, c, TH_LOOPBACK_DIRECT);
  cr_assert_not_null(p, "%s", tu_err());
  cr_assert_eq(th_context_set_info_callback(c, info_cb, NULL), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_gt(info_calls, 5);
  cr_assert_eq(info_saw_conn, info_calls); /* always with the client's Connection */
  th_connection *cc = th_loopback_pair_connection(p, C);
  cr_assert_not_null(cc, "%s", tu_err());
  th_connection_free(cc);
  /* Both SSLs carry the Connection modes either way. */
  SSL *ss = th_loopback_pair_ssl(p, S);
  cr_assert(SSL_get_mode(ss) & SSL_MODE_ENABLE_PARTIAL_WRITE);
  SSL_free(ss);
  th_loopback_pair_free(p);
  th_context_free(s);
  th_context_free(c);
}

/* An SSL taken through the escape hatch outlives its pair: it keeps its
 * BIOs but no longer reaches the pair (ASan checks that nothing touches
 * the freed pair): a lean pair's SSL writes into a memory BIO nobody reads
 * and waits (WANT_READ); an engaged pair's end BIO fails the I/O. */
Test(loopback_lean, ssl_outliving_its_pair_is_cut_off) {
  for (int obs = 0; obs < 2; obs++) {
    th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_DIRECT, TLS1_3_VERSION, obs ? ALL : 0);
    SSL *cs = th_loopback_pair_ssl(p, C);
    th_loopback_pair_free(p);
    ERR_clear_error();
    int r = SSL_do_handshake(cs);
    cr_assert_leq(r, 0);
    int e = SSL_get_error(cs, r);
    if (obs)
      cr_assert(e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL, "SSL_get_error %d", e);
    else
      cr_assert_eq(e, SSL_ERROR_WANT_READ);
    ERR_clear_error();
    SSL_free(cs);
  }
}

/* A record fault needs record numbers: a lean pair that already sent
 * records cannot give them (byte faults still work: offsets are known). */
Test(loopback_lean, record_fault_after_lean_traffic_is_value_error) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_3_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_fault drop = {TH_LOOPBACK_FAULT_DROP_RECORD, C, 1, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &drop), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "TH_LOOPBACK_OBSERVE_TRANSCRIPT") != NULL, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_faults_fired(p), 0);
  /* The pair is unchanged and still works; a byte fault is fine. */
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)"ping", 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, (const unsigned char *)"ping", 4), TH_OK);
  SSL *cs = th_loopback_pair_ssl(p, C);
  size_t sent = (size_t)BIO_number_written(SSL_get_wbio(cs));
  SSL_free(cs);
  th_loopback_fault cut = {TH_LOOPBACK_FAULT_TRUNCATE, C, 0, sent + 3, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &cut), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)"pong", 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, (const unsigned char *)"pong", 4), TH_ERR_SYSCALL);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 1);
  th_loopback_pair_free(p);
  /* The same fault before any traffic is fine. */
  p = tl_pair(TH_LOOPBACK_DIRECT, TLS1_3_VERSION);
  cr_assert_eq(th_loopback_pair_add_fault(p, &drop), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  th_loopback_pair_free(p);
}
