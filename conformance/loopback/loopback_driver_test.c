/* loopback_driver_test.c — the bounded handshake driver (stalls, early
 * stops), step / pump, interact, send / expect / recv, and pyOpenSSL's
 * handshake_in_memory / interact_in_memory. */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_driver);

static const unsigned char PING[] = "ping";

Test(loopback_driver, both_servers_stall_at_once_with_the_reason) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  SSL_set_accept_state(c); /* now both sides wait for a ClientHello */
  SSL_free(c);
  th_loopback_result res;
  int rc = th_loopback_drive(p, NULL, &res);
  tl_assert_rc(p, rc, TH_ERR_STALLED);
  cr_assert_eq(res.steps, 1, "a stall is seen in the first step without progress");
  const char *m = th_error_last()->message;
  cr_assert(strstr(m, "client waits to read (WANT_READ)") != NULL, "%s", m);
  cr_assert(strstr(m, "server waits to read (WANT_READ)") != NULL, "%s", m);
  cr_assert(strstr(m, "no bytes in flight") != NULL, "%s", m);
  th_loopback_pair_free(p);
}

Test(loopback_driver, both_clients_fail_fast_with_an_alert) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  SSL *s = th_loopback_pair_ssl(p, TH_LOOPBACK_SERVER);
  SSL_set_connect_state(s);
  SSL_free(s);
  th_loopback_result res;
  int rc = th_loopback_drive(p, NULL, &res);
  tl_assert_rc(p, rc, TH_ERR_SSL);
  cr_assert_leq(res.steps, 3);
  cr_assert_neq(res.side, -1);
  cr_assert(strstr(tu_err(), "unexpected message") != NULL, "%s", tu_err());
  th_loopback_pair_free(p);
}

Test(loopback_driver, stall_names_bytes_in_flight) {
  /* The server's ServerHelloDone (TLS 1.2 record 4) is dropped: the client
   * waits, with nothing in flight; the drop is in the transcript. */
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_DIRECT, TLS1_2_VERSION, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  th_loopback_fault f = {TH_LOOPBACK_FAULT_DROP_RECORD, TH_LOOPBACK_SERVER, 4, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "client waits to read (WANT_READ)") != NULL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "no bytes in flight") != NULL, "%s", tu_err());
  cr_assert(strstr(tl_transcript(p), "S->C fault: dropped record 4") != NULL, "%s", tl_transcript(p));
  th_loopback_pair_free(p);
  /* A reordered record held back forever is "in flight". */
  p = tl_pair(TH_LOOPBACK_PUMP, TLS1_2_VERSION);
  th_loopback_fault r = {TH_LOOPBACK_FAULT_REORDER_RECORD, TH_LOOPBACK_CLIENT, 1, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &r), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "bytes in flight client->server") != NULL, "%s", tu_err());
  th_loopback_pair_free(p);
}

static int pause_cb(SSL *ssl, void *arg) { return *(int *)arg ? 1 : -1; }

Test(loopback_driver, stop_on_a_paused_callback_then_continue) {
  SSL_CTX *s = tl_server_ctx(0), *c = tl_client_ctx(0);
  int go = 0;
  SSL_CTX_set_cert_cb(s, pause_cb, &go);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  th_loopback_drive_opts o = {0, TH_LOOPBACK_SERVER, TH_ERR_WANT_X509_LOOKUP, -1};
  th_loopback_result res;
  cr_assert_eq(th_loopback_drive(p, &o, &res), TH_OK, "%s", tu_err());
  cr_assert_eq(res.stopped, 1);
  cr_assert_eq(res.side, TH_LOOPBACK_SERVER);
  cr_assert_eq(res.kind[TH_LOOPBACK_SERVER], TH_ERR_WANT_X509_LOOKUP);
  /* Without the stop, a callback that keeps pausing is a stall, named. */
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "server waits for the X509 lookup callback (WANT_X509_LOOKUP)") != NULL,
            "%s", tu_err());
  go = 1;
  tl_assert_rc(p, th_loopback_drive(p, &o, &res), TH_OK);
  cr_assert_eq(res.stopped, 0);
  cr_assert_eq(res.kind[0], TH_OK);
  cr_assert_eq(res.kind[1], TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_driver, stop_on_a_state) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_3_VERSION);
  th_loopback_drive_opts o = {0, TH_LOOPBACK_CLIENT, 0, TLS_ST_CW_CLNT_HELLO};
  th_loopback_result res;
  cr_assert_eq(th_loopback_drive(p, &o, &res), TH_OK, "%s", tu_err());
  cr_assert_eq(res.stopped, 1);
  cr_assert_eq(res.steps, 1);
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  cr_assert_eq(SSL_get_state(c), TLS_ST_CW_CLNT_HELLO);
  SSL_free(c);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_driver, step_limit_is_a_stall_too) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  th_loopback_fault f = {TH_LOOPBACK_FAULT_FRAGMENT, TH_LOOPBACK_SERVER, 1, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_OK);
  th_loopback_drive_opts o = {3, -1, 0, -1};
  th_loopback_result res;
  tl_assert_rc(p, th_loopback_drive(p, &o, &res), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "step limit") != NULL, "%s", tu_err());
  cr_assert_eq(res.status, TH_ERR_STALLED);
  th_loopback_pair_free(p);
}

/* The default bound grows with the bytes moved: one byte per step each way
 * carries a handshake longer than the bound's constant 1000 (3.5's
 * ClientHello alone is ~1.45 KB with its X25519MLKEM768 key share). */
Test(loopback_driver, default_bound_scales_with_bytes) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  th_loopback_fault fs[] = {{.kind = TH_LOOPBACK_FAULT_FRAGMENT, .from = TH_LOOPBACK_SERVER, .n = 1},
                            {.kind = TH_LOOPBACK_FAULT_FRAGMENT, .from = TH_LOOPBACK_CLIENT, .n = 1}};
  for (size_t i = 0; i < 2; i++) cr_assert_eq(th_loopback_pair_add_fault(p, &fs[i]), TH_OK);
  th_loopback_result res;
  tl_assert_rc(p, th_loopback_drive(p, NULL, &res), TH_OK);
  cr_assert_gt(res.steps, 1000, "the handshake took %d steps: not past the constant", res.steps);
  th_loopback_pair_free(p);
}

Test(loopback_driver, step_and_pump_by_hand) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  cr_assert_eq(th_loopback_pump(p), 0); /* nothing written yet */
  int rounds = 0, prog;
  while ((prog = th_loopback_step(p)) > 0 && rounds < 20) rounds++;
  cr_assert_eq(prog, 0, "%s", tu_err());
  cr_assert_gt(rounds, 1);
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  cr_assert(SSL_is_init_finished(c));
  SSL_free(c);
  th_loopback_pair_free(p);
}

Test(loopback_driver, interact_returns_the_side_with_data_or_none) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, 0);
  int side = 7;
  th_bytes *data = (th_bytes *)1;
  /* The handshake happens inside interact; nothing to read: None. */
  tl_assert_rc(p, th_loopback_interact(p, &side, &data), TH_OK);
  cr_assert_eq(side, -1);
  cr_assert_null(data);
  SSL *c = th_loopback_pair_ssl(p, TH_LOOPBACK_CLIENT);
  cr_assert_eq(SSL_write(c, "xy", 2), 2);
  SSL_free(c);
  tl_assert_rc(p, th_loopback_interact(p, &side, &data), TH_OK);
  cr_assert_eq(side, TH_LOOPBACK_SERVER);
  cr_assert_eq(data->len, 2u);
  cr_assert_str_eq((const char *)data->data, "xy");
  th_bytes_free(data);
  cr_assert_eq(th_loopback_interact(p, NULL, &data), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_interact(p, &side, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_interact(NULL, &side, &data), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

Test(loopback_driver, send_expect_recv) {
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_DIRECT, 0);
  /* send before the handshake runs it implicitly */
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_CLIENT, PING, 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_SERVER, PING, 2), TH_OK);
  th_bytes *rest = th_loopback_recv(p, TH_LOOPBACK_SERVER);
  cr_assert_not_null(rest, "%s", tu_err());
  cr_assert_str_eq((const char *)rest->data, "ng");
  th_bytes_free(rest);
  rest = th_loopback_recv(p, TH_LOOPBACK_SERVER);
  cr_assert_eq(rest->len, 0u);
  th_bytes_free(rest);
  /* mismatch */
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_SERVER, (const unsigned char *)"pong", 4), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_CLIENT, (const unsigned char *)"pang", 4), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "differ at offset 1") != NULL, "%s", tu_err());
  /* fewer bytes than expected */
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_SERVER, (const unsigned char *)"abc", 3), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_CLIENT, (const unsigned char *)"abcde", 5), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "client expected 5 bytes, got 3") != NULL, "%s", tu_err());
  /* after close_notify */
  tl_assert_rc(p, th_loopback_shutdown(p, TH_LOOPBACK_SERVER), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_SERVER, PING, 4), TH_ERR_ZERO_RETURN);
  /* bad input */
  cr_assert_eq(th_loopback_send(p, 2, PING, 4), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_send(p, 0, NULL, 4), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_send(p, 0, NULL, 0), TH_OK);
  cr_assert_eq(th_loopback_expect(p, -1, PING, 4), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_expect(p, 0, NULL, 4), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_expect(NULL, 0, PING, 4), TH_ERR_TYPE);
  cr_assert_null(th_loopback_recv(p, 5));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_loopback_recv(NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

static void conn_pair(th_connection **c, th_connection **s, int with_cert) {
  SSL_CTX *rs = with_cert ? tl_server_ctx(0) : SSL_CTX_new(TLS_server_method());
  SSL_CTX *rc = tl_client_ctx(0);
  th_context *cs = th_context_from_ssl_ctx(rs), *cc = th_context_from_ssl_ctx(rc);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  *c = th_connection_new(cc, -1);
  *s = th_connection_new(cs, -1);
  cr_assert(*c != NULL && *s != NULL, "%s", tu_err());
  th_context_free(cs);
  th_context_free(cc);
}

Test(loopback_driver, handshake_and_interact_in_memory_on_connections) {
  th_connection *c, *s;
  conn_pair(&c, &s, 1);
  cr_assert_eq(th_loopback_handshake_in_memory(c, s), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_send(c, "hello", 5, 0), 5, "%s", tu_err());
  int side = -2;
  th_bytes *data = NULL;
  cr_assert_eq(th_loopback_interact_in_memory(c, s, &side, &data), TH_OK, "%s", tu_err());
  cr_assert_eq(side, TH_LOOPBACK_SERVER);
  cr_assert_str_eq((const char *)data->data, "hello");
  th_bytes_free(data);
  cr_assert_eq(th_loopback_interact_in_memory(c, s, &side, &data), TH_OK, "%s", tu_err());
  cr_assert_eq(side, -1);
  cr_assert_null(data);
  cr_assert_eq(th_loopback_interact_in_memory(c, s, NULL, &data), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_handshake_in_memory(NULL, s), TH_ERR_TYPE);
  { th_pkey *k = tu_ec_key(); cr_assert_eq(th_loopback_handshake_in_memory(c, (th_connection *)k), TH_ERR_TYPE); th_pkey_free(k); }
  th_connection_free(c);
  th_connection_free(s);
  /* A server without a certificate: the handshake fails, it does not hang. */
  conn_pair(&c, &s, 0);
  int rc = th_loopback_handshake_in_memory(c, s);
  cr_assert_eq(rc, TH_ERR_SSL, "%s", tu_err());
  th_connection_free(c);
  th_connection_free(s);
}

static int hello_cb(SSL *ssl, int *alert, void *arg) {
  return *(int *)arg ? SSL_CLIENT_HELLO_SUCCESS : SSL_CLIENT_HELLO_RETRY;
}

Test(loopback_driver, client_hello_callback_pause_is_named) {
  SSL_CTX *s = tl_server_ctx(0), *c = tl_client_ctx(0);
  int go = 0;
  SSL_CTX_set_client_hello_cb(s, hello_cb, &go);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_DIRECT);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  th_loopback_drive_opts o = {0, TH_LOOPBACK_SERVER, TH_ERR_WANT_ASYNC, -1};
  th_loopback_result res;
  cr_assert_eq(th_loopback_drive(p, &o, &res), TH_OK, "%s", tu_err());
  cr_assert_eq(res.stopped, 1);
  cr_assert_eq(res.kind[TH_LOOPBACK_SERVER], TH_ERR_WANT_ASYNC);
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "server waits for the client hello callback (WANT_CLIENT_HELLO_CB)") != NULL,
            "%s", tu_err());
  go = 1;
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_loopback_pair_free(p);
}

/* A side that failed is not run again: the next driver call returns its
 * kept error, even when its alert was lost and the peer only waits. */
Test(loopback_driver, a_failed_side_keeps_its_error) {
  SSL_CTX *s = SSL_CTX_new(TLS_method()), *c = tl_client_ctx(TLS1_3_VERSION); /* no certificate */
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  th_loopback_fault drop = {TH_LOOPBACK_FAULT_DROP_RECORD, TH_LOOPBACK_SERVER, 1, 0, NULL, 0, 0};
  cr_assert_eq(th_loopback_pair_add_fault(p, &drop), TH_OK);
  th_loopback_result res;
  tl_assert_rc(p, th_loopback_drive(p, NULL, &res), TH_ERR_SSL);
  cr_assert_eq(res.side, TH_LOOPBACK_SERVER);
  char first[512];
  snprintf(first, sizeof first, "%s", th_error_last()->message);
  cr_assert(strncmp(first, "server: handshake failed", 24) == 0, "%s", first);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 1); /* the alert is gone */
  for (int i = 0; i < 2; i++) {
    th_error_clear();
    tl_assert_rc(p, th_loopback_drive(p, NULL, &res), TH_ERR_SSL);
    cr_assert_eq(res.side, TH_LOOPBACK_SERVER);
    cr_assert_eq(res.kind[TH_LOOPBACK_CLIENT], TH_ERR_WANT_READ);
    cr_assert_str_eq(th_error_last()->message, first);
  }
  th_loopback_pair_free(p);
}

/* A TLS 1.2 pair after its handshake whose client direction then gets a
 * RETRY fault that never runs out: every read and write spends one retry,
 * which is progress, so nothing ever looks like a stall. */
static th_loopback_pair *retrying_forever(const unsigned char *sent, size_t len) {
  th_loopback_fault forever = {TH_LOOPBACK_FAULT_RETRY, TH_LOOPBACK_CLIENT, SIZE_MAX, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
  th_loopback_pair *p = tl_pair(TH_LOOPBACK_PUMP, TLS1_2_VERSION);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  if (len > 0) tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_CLIENT, sent, len), TH_OK);
  cr_assert_eq(th_loopback_pair_add_fault(p, &forever), TH_OK, "%s", tu_err());
  return p;
}

/* Such a pair is stopped by each loop's round limit, as a stall that says
 * which loop. */
Test(loopback_driver, round_limits_stop_a_pair_that_never_stops_moving) {
  th_loopback_pair *p = retrying_forever(PING, 4);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_SERVER, PING, 4), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "expect (round limit) stalled") != NULL, "%s", tu_err());
  int side = 5;
  th_bytes *data = NULL;
  tl_assert_rc(p, th_loopback_interact(p, &side, &data), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "interact (round limit) stalled") != NULL, "%s", tu_err());
  cr_assert_eq(side, -1);
  cr_assert_null(data);
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_CLIENT, PING, 4), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "send (round limit) stalled") != NULL, "%s", tu_err());
  /* Once the fault is gone the data moves again. */
  cr_assert_eq(th_loopback_pair_clear_faults(p), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, TH_LOOPBACK_SERVER, PING, 4), TH_OK);
  th_loopback_pair_free(p);
  /* A close_notify that can never be written. */
  p = retrying_forever(NULL, 0);
  tl_assert_rc(p, th_loopback_shutdown(p, TH_LOOPBACK_CLIENT), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "shutdown (round limit) stalled") != NULL, "%s", tu_err());
  th_loopback_pair_free(p);
  /* A renegotiation whose ClientHello can never be written. */
  p = retrying_forever(NULL, 0);
  tl_assert_rc(p, th_loopback_renegotiate(p, TH_LOOPBACK_CLIENT), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "renegotiation (round limit) stalled: client waits to write (WANT_WRITE)") != NULL,
            "%s", tu_err());
  th_loopback_pair_free(p);
}
