/* loopback_session_test.c — tickets after the handshake, resumption checked
 * on both sides (ticket and session id), clean shutdown, renegotiation. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_session);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

static th_loopback_pair *pair_with(int version, long server_opts, int transport) {
  SSL_CTX *s = tl_server_ctx(version), *c = tl_client_ctx(version);
  SSL_CTX_set_options(s, (uint64_t)server_opts);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, transport);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  cr_assert_not_null(p, "%s", tu_err());
  return p;
}

Test(loopback_session, flush_tickets_counts_new_session_tickets) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_3_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  /* TLS 1.3 tickets come after the handshake: none processed yet. */
  cr_assert_eq(th_loopback_flush_tickets(p), 2, "%s", tu_err()); /* OpenSSL sends 2 */
  cr_assert_eq(th_loopback_flush_tickets(p), 2);
  SSL *c = th_loopback_pair_ssl(p, C);
  cr_assert(SSL_SESSION_is_resumable(SSL_get0_session(c)));
  SSL_free(c);
  th_loopback_pair_free(p);
  /* TLS 1.2: the ticket is part of the handshake. */
  p = tl_pair(TH_LOOPBACK_DIRECT, TLS1_2_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_eq(th_loopback_flush_tickets(p), 1, "%s", tu_err());
  th_loopback_pair_free(p);
  cr_assert_eq(th_loopback_flush_tickets(NULL), TH_ERR_TYPE);
}

Test(loopback_session, flush_keeps_application_data) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_3_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *s = th_loopback_pair_ssl(p, S);
  cr_assert_eq(SSL_write(s, "early", 5), 5);
  SSL_free(s);
  cr_assert_geq(th_loopback_flush_tickets(p), 0, "%s", tu_err());
  tl_assert_rc(p, th_loopback_expect(p, C, (const unsigned char *)"early", 5), TH_OK);
  th_loopback_pair_free(p);
}

typedef struct resume_case {
  int version;
  long server_opts;
  int transport;
} resume_case;

static resume_case resume_cases[] = {
    {TLS1_2_VERSION, 0, TH_LOOPBACK_PUMP},               /* ticket */
    {TLS1_3_VERSION, 0, TH_LOOPBACK_DIRECT},             /* ticket (PSK) */
    {TLS1_2_VERSION, SSL_OP_NO_TICKET, TH_LOOPBACK_PUMP}, /* session id, server cache */
    {TLS1_3_VERSION, SSL_OP_NO_TICKET, TH_LOOPBACK_PUMP}, /* stateful ticket, server cache */
};

ParameterizedTestParameters(loopback_session, resume_is_reused_on_both_sides) {
  return cr_make_param_array(resume_case, resume_cases, sizeof resume_cases / sizeof resume_cases[0]);
}

ParameterizedTest(resume_case *rc, loopback_session, resume_is_reused_on_both_sides) {
  th_loopback_pair *p = pair_with(rc->version, rc->server_opts, rc->transport);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair *r = NULL;
  int st = th_loopback_resume(p, &r);
  cr_assert_eq(st, TH_OK, "%s", tu_err());
  cr_assert_not_null(r);
  cr_assert_eq(th_loopback_pair_reused(r, C), 1);
  cr_assert_eq(th_loopback_pair_reused(r, S), 1);
  SSL *c = th_loopback_pair_ssl(r, C);
  cr_assert_eq(SSL_version(c), rc->version);
  SSL_free(c);
  /* The resumed pair carries data like any other. */
  tl_assert_rc(r, th_loopback_send(r, C, (const unsigned char *)"again", 5), TH_OK);
  tl_assert_rc(r, th_loopback_expect(r, S, (const unsigned char *)"again", 5), TH_OK);
  /* And resumes again. */
  th_loopback_pair *r2 = NULL;
  cr_assert_eq(th_loopback_resume(r, &r2), TH_OK, "%s", tu_err());
  th_loopback_pair_free(r2);
  th_loopback_pair_free(r);
  th_loopback_pair_free(p);
}

Test(loopback_session, resume_reports_a_side_that_did_not_reuse) {
  /* No ticket: the client offers a session id that the server has
   * forgotten: a full handshake, reported. */
  th_loopback_pair *p = pair_with(TLS1_2_VERSION, SSL_OP_NO_TICKET, TH_LOOPBACK_PUMP);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *s = th_loopback_pair_ssl(p, S);
  cr_assert_eq(SSL_CTX_remove_session(SSL_get_SSL_CTX(s), SSL_get0_session(s)), 1);
  SSL_free(s);
  th_loopback_pair *r = NULL;
  cr_assert_eq(th_loopback_resume(p, &r), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "the client did not reuse the session, the server did not reuse it") != NULL,
            "%s", tu_err());
  cr_assert_not_null(r);
  cr_assert_eq(th_loopback_pair_reused(r, C), 0);
  th_loopback_pair_free(r);
  th_loopback_pair_free(p);
}

Test(loopback_session, resume_without_a_session_is_value_error) {
  SSL_CTX *s = tl_server_ctx(TLS1_3_VERSION), *c = tl_client_ctx(TLS1_3_VERSION);
  SSL_CTX_set_num_tickets(s, 0);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair *r = (th_loopback_pair *)1;
  cr_assert_eq(th_loopback_resume(p, &r), TH_ERR_VALUE);
  cr_assert_null(r);
  cr_assert(strstr(tu_err(), "no resumable session") != NULL, "%s", tu_err());
  cr_assert_eq(th_loopback_resume(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_resume(NULL, &r), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

typedef struct shut_case {
  int version;
  int first;
  int transport;
} shut_case;

static shut_case shut_cases[] = {
    {TLS1_2_VERSION, C, TH_LOOPBACK_PUMP}, {TLS1_2_VERSION, S, TH_LOOPBACK_DIRECT},
    {TLS1_3_VERSION, C, TH_LOOPBACK_DIRECT}, {TLS1_3_VERSION, S, TH_LOOPBACK_PUMP},
    {TLS1_3_VERSION, C, TH_LOOPBACK_UNIX},
};

ParameterizedTestParameters(loopback_session, shutdown_is_clean_both_ways) {
  return cr_make_param_array(shut_case, shut_cases, sizeof shut_cases / sizeof shut_cases[0]);
}

ParameterizedTest(shut_case *sc, loopback_session, shutdown_is_clean_both_ways) {
  th_loopback_pair *p = tl_pair(sc->transport, sc->version);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  /* Data still in flight when the peer starts closing is kept. */
  tl_assert_rc(p, th_loopback_send(p, !sc->first, (const unsigned char *)"last", 4), TH_OK);
  tl_assert_rc(p, th_loopback_shutdown(p, sc->first), TH_OK);
  for (int i = 0; i < 2; i++) {
    SSL *ssl = th_loopback_pair_ssl(p, i);
    cr_assert_eq(SSL_get_shutdown(ssl), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
  }
  tl_assert_rc(p, th_loopback_expect(p, sc->first, (const unsigned char *)"last", 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, sc->first, (const unsigned char *)"x", 1), TH_ERR_ZERO_RETURN);
  th_loopback_pair_free(p);
}

Test(loopback_session, shutdown_bad_input) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  cr_assert_eq(th_loopback_shutdown(p, 2), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_shutdown(NULL, 0), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

/* A close_notify that never arrives: the shutdown stalls, naming the
 * sides, instead of waiting forever. TLS 1.2 client records: ClientHello,
 * ClientKeyExchange, CCS, Finished, then the close_notify (5). */
Test(loopback_session, shutdown_with_a_lost_close_notify_stalls) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_PUMP, TLS1_2_VERSION, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  th_loopback_fault drop = {TH_LOOPBACK_FAULT_DROP_RECORD, TH_LOOPBACK_CLIENT, 5, 0, NULL, 0, 0};
  cr_assert_eq(th_loopback_pair_add_fault(p, &drop), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  tl_assert_rc(p, th_loopback_shutdown(p, TH_LOOPBACK_CLIENT), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "shutdown stalled: client") != NULL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "no bytes in flight") != NULL, "%s", tu_err());
  cr_assert(strstr(tl_transcript(p), "C->S fault: dropped record 5 (31 bytes)\n") != NULL, "%s",
            tl_transcript(p));
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT), *s = th_loopback_pair_ssl(p, TH_LOOPBACK_SERVER);
  cr_assert_eq(SSL_get_shutdown(c), SSL_SENT_SHUTDOWN);
  cr_assert_eq(SSL_get_shutdown(s), 0);
  SSL_free(c);
  SSL_free(s);
  th_loopback_pair_free(p);
}

static int count_done(th_loopback_pair *p, int side) {
  th_list *l = th_loopback_info_states(p, side);
  int n = 0;
  for (size_t i = 0; i < l->count; i++)
    n += strncmp((const char *)((th_bytes *)l->items[i])->data, "HANDSHAKE_DONE", 14) == 0;
  th_list_free(l);
  return n;
}

#define OBS (TH_LOOPBACK_OBSERVE_STATES | TH_LOOPBACK_OBSERVE_TRANSCRIPT)

Test(loopback_session, renegotiate_started_by_the_server) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_PUMP, TLS1_2_VERSION, OBS);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_eq(count_done(p, C), 1);
  tl_assert_rc(p, th_loopback_renegotiate(p, S), TH_OK);
  cr_assert_eq(count_done(p, C), 2);
  /* OpenSSL reports sending the HelloRequest as a handshake of its own. */
  cr_assert_eq(count_done(p, S), 3);
  cr_assert(strstr(tl_transcript(p), "S->C handshake 0x0303 len 28 (encrypted)") != NULL);
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)"after", 5), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, (const unsigned char *)"after", 5), TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_session, renegotiate_started_by_the_client) {
  /* OpenSSL 3 servers refuse a client's renegotiation by default... */
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_DIRECT, TLS1_2_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  int rc = th_loopback_renegotiate(p, C);
  cr_assert(rc == TH_ERR_SSL || rc == TH_ERR_STALLED, "%s", tu_err());
  th_loopback_pair_free(p);
  /* ...unless allowed. */
  p = pair_with(TLS1_2_VERSION, SSL_OP_ALLOW_CLIENT_RENEGOTIATION, TH_LOOPBACK_DIRECT);
  cr_assert_eq(th_loopback_pair_observe(p, OBS), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  tl_assert_rc(p, th_loopback_renegotiate(p, C), TH_OK);
  cr_assert_eq(count_done(p, S), 2);
  th_loopback_pair_free(p);
}

Test(loopback_session, renegotiate_errors) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_3_VERSION);
  cr_assert_eq(th_loopback_renegotiate(p, S), TH_ERR_VALUE); /* no handshake yet */
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_eq(th_loopback_renegotiate(p, S), TH_ERR_UNSUPPORTED);
  cr_assert(strstr(tu_err(), "TLS 1.3") != NULL, "%s", tu_err());
  cr_assert_eq(th_loopback_renegotiate(p, 9), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_renegotiate(NULL, 0), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

/* A side whose own SSL forbids renegotiation cannot start one: OpenSSL's
 * reason, and the pair goes on unchanged. */
Test(loopback_session, renegotiate_forbidden_on_the_starting_side) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_2_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *c = th_loopback_pair_ssl(p, C);
  SSL_set_options(c, SSL_OP_NO_RENEGOTIATION);
  SSL_free(c);
  tl_assert_rc(p, th_loopback_renegotiate(p, C), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "the client cannot start a renegotiation") != NULL, "%s", tu_err());
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)"still", 5), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, (const unsigned char *)"still", 5), TH_OK);
  th_loopback_pair_free(p);
}

/* The server refuses a client's renegotiation with a no_renegotiation
 * warning, which OpenSSL's client takes as fatal. The warning is held back
 * (STALL_THEN_RESUME at the server's next byte, released once nothing else
 * moves) so that the client meets it inside the renegotiation's own
 * handshake call rather than in a read (the message says which); either way the client has failed,
 * and later calls on it keep returning that error. */
Test(loopback_session, renegotiation_refused_fails_the_client_for_good) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_DIRECT, TLS1_2_VERSION); /* released bytes are readable at once */
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  SSL *s = th_loopback_pair_ssl(p, S);
  SSL_set_options(s, SSL_OP_NO_RENEGOTIATION);
  size_t sent = (size_t)BIO_number_written(SSL_get_wbio(s)); /* a lean pair: the server's bytes */
  SSL_free(s);
  th_loopback_fault hold = {TH_LOOPBACK_FAULT_STALL_THEN_RESUME, S, 600000, sent, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &hold), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_renegotiate(p, C), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "client: renegotiation failed") != NULL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "no renegotiation") != NULL, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_faults_fired(p), 1);
  th_error first = *th_error_last();
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)"x", 1), TH_ERR_SSL);
  cr_assert_str_eq(th_error_last()->message, first.message);
  th_loopback_pair_free(p);
}
