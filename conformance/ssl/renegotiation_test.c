/* renegotiation_test.c — TLS 1.2 renegotiation through renegotiate /
 * renegotiate_pending / total_renegotiations: server-initiated,
 * client-initiated with and without OP_ALLOW_CLIENT_RENEGOTIATION, data
 * before and after; TLS 1.3 refuses it (and has key_update instead). */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"
#include "testutil_ssl.h"

static ts_pair p;
static void teardown(void) { ts_pair_free(&p); }
TestSuite(renegotiation, .fini = teardown);

/* settle lets both sides read (which runs a pending renegotiation) until
 * neither has a renegotiation pending and no bytes move; returns the first
 * hard error or TH_OK. At most 64 rounds. */
static int settle(void) {
  for (int i = 0; i < 64; i++) {
    th_connection *sides[2] = {p.client, p.server};
    for (int s = 0; s < 2; s++) {
      int rc = th_connection_do_handshake(sides[s]);
      if (rc != TH_OK && rc != TH_ERR_WANT_READ && rc != TH_ERR_WANT_WRITE) return rc;
      th_bytes *b = th_connection_recv(sides[s], 1, MSG_PEEK);
      if (b == NULL && th_error_kind() != TH_ERR_WANT_READ) return th_error_kind();
      th_bytes_free(b);
    }
    size_t moved = ts_pump(&p);
    if (moved == 0 && !th_connection_renegotiate_pending(p.client) &&
        !th_connection_renegotiate_pending(p.server))
      return TH_OK;
  }
  return TH_ERR_STALLED;
}

Test(renegotiation, server_initiated) {
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, 0);
  ts_connect(&p);
  ts_send_recv(p.client, p.server, &p, "before");
  th_bytes *f1 = NULL;
  th_connection_get_finished(p.server, &f1);
  cr_assert_eq(th_connection_renegotiate_pending(p.server), 0);
  cr_assert_eq(th_connection_total_renegotiations(p.server), 0);
  cr_assert_eq(th_connection_renegotiate(p.server), 1, "%s", tu_err());
  cr_assert_eq(th_connection_renegotiate_pending(p.server), 1);
  /* Already pending: false, as pyOpenSSL. */
  cr_assert_eq(th_connection_renegotiate(p.server), 0);
  /* OpenSSL counts a renegotiation when it starts (the next
   * do_handshake/read/write), not when it is scheduled. */
  cr_assert_eq(th_connection_total_renegotiations(p.server), 0);
  cr_assert_eq(settle(), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_total_renegotiations(p.server), 1);
  cr_assert_eq(th_connection_renegotiate_pending(p.server), 0);
  cr_assert_eq(th_connection_renegotiate_pending(p.client), 0);
  /* A new handshake ran: new Finished messages. */
  th_bytes *f2 = NULL;
  th_connection_get_finished(p.server, &f2);
  cr_assert(memcmp(f1->data, f2->data, f1->len) != 0);
  th_bytes_free(f1);
  th_bytes_free(f2);
  ts_send_recv(p.client, p.server, &p, "after");
  ts_send_recv(p.server, p.client, &p, "after, back");
}

Test(renegotiation, client_initiated_allowed) {
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, TS_ALLOW_CLIENT_RENEG);
  ts_connect(&p);
  ts_send_recv(p.server, p.client, &p, "before");
  cr_assert_eq(th_connection_renegotiate(p.client), 1, "%s", tu_err());
  cr_assert_eq(th_connection_renegotiate_pending(p.client), 1);
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_WANT_READ);
  cr_assert_eq(settle(), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_renegotiate_pending(p.client), 0);
  cr_assert_eq(th_connection_total_renegotiations(p.client), 1);
  /* A second one counts on. */
  cr_assert_eq(th_connection_renegotiate(p.client), 1);
  cr_assert_eq(settle(), TH_OK, "%s", tu_err());
  cr_assert_eq(th_connection_total_renegotiations(p.client), 2);
  ts_send_recv(p.client, p.server, &p, "after");
  ts_send_recv(p.server, p.client, &p, "after, back");
}

Test(renegotiation, client_initiated_refused_by_default) {
  /* OpenSSL 3 servers refuse client renegotiation unless
   * SSL_OP_ALLOW_CLIENT_RENEGOTIATION: the client's handshake fails. */
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_renegotiate(p.client), 1);
  int rc = settle();
  cr_assert_eq(rc, TH_ERR_SSL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "no renegotiation") != NULL, "%s", tu_err());
}

Test(renegotiation, data_during_renegotiation) {
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_renegotiate(p.server), 1);
  /* Application data sent while the renegotiation runs still arrives. */
  cr_assert_eq(th_connection_send(p.server, "mid", 3, 0), 3, "%s", tu_err());
  ts_pump(&p);
  th_bytes *b = th_connection_recv(p.client, 10, 0);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((char *)b->data, "mid");
  th_bytes_free(b);
  cr_assert_eq(settle(), TH_OK, "%s", tu_err());
  ts_send_recv(p.client, p.server, &p, "done");
}

Test(renegotiation, tls13_refuses) {
  ts_pair_new_v(&p, TLS1_3_VERSION, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_renegotiate(p.client), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "TLS 1.3") != NULL, "%s", tu_err());
  cr_assert(strstr(tu_err(), "wrong ssl version") != NULL, "%s", tu_err());
  cr_assert_eq(th_connection_renegotiate(p.server), TH_ERR_SSL);
  cr_assert_eq(th_connection_renegotiate_pending(p.client), 0);
  cr_assert_eq(th_connection_total_renegotiations(p.client), 0);
  ts_send_recv(p.client, p.server, &p, "still fine");
}

Test(renegotiation, tls13_key_update_instead) {
  ts_pair_new_v(&p, TLS1_3_VERSION, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_key_update(p.client, 1), TH_OK, "%s", tu_err());
  ts_send_recv(p.client, p.server, &p, "after key update");
  ts_send_recv(p.server, p.client, &p, "and back");
  cr_assert_eq(th_connection_key_update(NULL, 0), TH_ERR_TYPE);
}

Test(renegotiation, key_update_on_tls12_fails) {
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_key_update(p.client, 0), TH_ERR_SSL);
}

Test(renegotiation, no_renegotiation_option) {
  th_context *cctx = ts_client_ctx(TLS1_2_VERSION, 0), *sctx = ts_server_ctx(TLS1_2_VERSION, 0);
  SSL_CTX *raw = th_context_to_ssl_ctx(sctx);
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_free(raw);
  ts_pair_new(&p, cctx, sctx);
  ts_connect(&p);
  /* OpenSSL lets the server schedule it but the HelloRequest is not sent:
   * either refusal or a renegotiation that never completes is fine, but
   * the connection keeps working. */
  int rc = th_connection_renegotiate(p.server);
  cr_assert(rc == 1 || rc == TH_ERR_SSL, "%d %s", rc, tu_err());
  th_context_free(cctx);
  th_context_free(sctx);
}

Test(renegotiation, bad_input) {
  th_context *ctx = ts_client_ctx(0, 0);
  cr_assert_eq(th_connection_renegotiate(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_renegotiate_pending(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_total_renegotiations(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_renegotiate((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_renegotiate_pending((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_total_renegotiations((th_connection *)ctx), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(renegotiation, before_handshake) {
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, 0);
  /* OpenSSL 3 would accept it and then fail the first handshake with
   * "internal error": we refuse it and the handshake is unharmed. */
  cr_assert_eq(th_connection_renegotiate(p.client), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "no completed handshake") != NULL, "%s", tu_err());
  cr_assert_eq(th_connection_renegotiate_pending(p.client), 0);
  ts_connect(&p);
  ts_send_recv(p.client, p.server, &p, "fine");
}
