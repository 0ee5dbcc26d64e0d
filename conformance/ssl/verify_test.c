/* verify_test.c — peer verification on real in-memory handshakes:
 * VERIFY_PEER with and without FAIL_IF_NO_PEER_CERT, depth limits, a
 * callback overriding the verdict or failing, client certificates, and the
 * client CA list sent and received. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(verify);

struct vlog {
  int calls, verdict, fail;
  int depths[8], errs[8], oks[8];
  th_connection *conn;
  char cn0[64];
};

static int vcb(th_connection *conn, th_x509 *cert, int err, int depth, int ok, void *user) {
  struct vlog *v = user;
  if (v->calls < 8) {
    v->depths[v->calls] = depth;
    v->errs[v->calls] = err;
    v->oks[v->calls] = ok;
  }
  v->calls++;
  v->conn = conn;
  if (depth == 0 && cert != NULL) {
    X509 *x = th_x509_to_x509(cert);
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, v->cn0, sizeof v->cn0);
    X509_free(x);
  }
  if (v->fail) {
    th_ssl_SSLeay_version(-3);
    return th_error_kind();
  }
  return v->verdict < 0 ? ok : v->verdict;
}

static int hs(th_context *c, th_context *s, char *side, ts_pair *keep) {
  ts_pair p;
  ts_pair_new(&p, c, s);
  int rc = ts_handshake(&p, side, NULL, 0);
  if (rc == TH_OK) ts_read_tickets(&p);
  if (keep) *keep = p;
  else ts_pair_free(&p);
  return rc;
}

static int has_reason(const char *reason) {
  const th_error *e = th_error_last();
  for (size_t i = 0; i < e->queue_len; i++)
    if (strstr(e->queue[i].reason, reason)) return 1;
  return 0;
}

Test(verify, server_chain_verified) {
  th_context *s = ts_server_ctx(0, TS_CHAIN), *c = ts_client_ctx(0, TS_TRUST);
  struct vlog v = {.verdict = -1};
  cr_assert_eq(th_context_set_verify(c, TH_VERIFY_PEER, vcb, &v), TH_OK);
  ts_pair p;
  char side = '?';
  cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%c %s", side, tu_err());
  cr_assert_eq(th_connection_get_verify_result(p.client), X509_V_OK);
  /* Called for root (2), intermediate (1), leaf (0), all fine. */
  cr_assert_eq(v.calls, 3);
  cr_assert_eq(v.depths[0], 2);
  cr_assert_eq(v.depths[2], 0);
  for (int i = 0; i < 3; i++) cr_assert_eq(v.oks[i], 1);
  cr_assert_eq(v.conn, p.client);
  cr_assert_str_eq(v.cn0, "localhost");
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
}

Test(verify, untrusted_server_fails_with_verify_peer) {
  th_context *s = ts_server_ctx(0, TS_CHAIN), *c = ts_client_ctx(0, 0);
  th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_ERR_SSL);
  cr_assert_eq(side, 'c');
  cr_assert(has_reason("certificate verify failed"), "%s", tu_err());
  th_context_free(s);
  th_context_free(c);
}

Test(verify, verify_none_accepts_but_records) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  ts_pair p;
  char side = '?';
  cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%s", tu_err());
  cr_assert_neq(th_connection_get_verify_result(p.client), X509_V_OK);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
}

Test(verify, callback_overrides_failure) {
  th_context *s = ts_server_ctx(0, TS_CHAIN), *c = ts_client_ctx(0, 0);
  struct vlog v = {.verdict = 1};
  th_context_set_verify(c, TH_VERIFY_PEER, vcb, &v);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_OK, "%s", tu_err());
  /* OpenSSL said no at least once (unknown issuer). */
  int saw_failure = 0;
  for (int i = 0; i < v.calls && i < 8; i++)
    if (v.oks[i] == 0 && v.errs[i] != X509_V_OK) saw_failure = 1;
  cr_assert(saw_failure);
  th_context_free(s);
  th_context_free(c);
}

Test(verify, callback_rejects_good_chain) {
  th_context *s = ts_server_ctx(0, TS_CHAIN), *c = ts_client_ctx(0, TS_TRUST);
  struct vlog v = {.verdict = 0};
  th_context_set_verify(c, TH_VERIFY_PEER, vcb, &v);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_ERR_SSL);
  cr_assert_eq(side, 'c');
  cr_assert_eq(v.calls, 1);
  th_context_free(s);
  th_context_free(c);
}

Test(verify, callback_error_propagates) {
  th_context *s = ts_server_ctx(0, TS_CHAIN), *c = ts_client_ctx(0, TS_TRUST);
  struct vlog v = {.fail = 1};
  th_context_set_verify(c, TH_VERIFY_PEER, vcb, &v);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_ERR_VALUE, "%s", tu_err());
  cr_assert_eq(side, 'c');
  cr_assert(strstr(th_error_last()->message, "unknown type") != NULL, "%s", tu_err());
  th_context_free(s);
  th_context_free(c);
}

Test(verify, depth_limits) {
  /* root (trusted) <- intermediate <- leaf: one untrusted CA. */
  int depths[] = {0, 1, 2};
  int ok[] = {0, 1, 1};
  for (int i = 0; i < 3; i++) {
    th_context *s = ts_server_ctx(0, TS_CHAIN), *c = ts_client_ctx(0, TS_TRUST);
    th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL);
    cr_assert_eq(th_context_set_verify_depth(c, depths[i]), TH_OK);
    char side = '?';
    int rc = hs(c, s, &side, NULL);
    cr_assert_eq(rc == TH_OK, ok[i], "depth %d: %s", depths[i], tu_err());
    if (!ok[i]) cr_assert(has_reason("certificate verify failed"), "%s", tu_err());
    th_context_free(s);
    th_context_free(c);
  }
}

Test(verify, client_certificate_required) {
  th_context *s = ts_server_ctx(0, TS_TRUST), *c = ts_client_ctx(0, 0);
  th_context_set_verify(s, TH_VERIFY_PEER | TH_VERIFY_FAIL_IF_NO_PEER_CERT, NULL, NULL);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_ERR_SSL);
  cr_assert_eq(side, 's');
  cr_assert(has_reason("peer did not return a certificate"), "%s", tu_err());
  th_context_free(s);
  th_context_free(c);
}

Test(verify, client_certificate_optional) {
  th_context *s = ts_server_ctx(0, TS_TRUST), *c = ts_client_ctx(0, 0);
  th_context_set_verify(s, TH_VERIFY_PEER, NULL, NULL);
  ts_pair p;
  char side = '?';
  cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%s", tu_err());
  th_x509 *peer = (th_x509 *)1;
  cr_assert_eq(th_connection_get_peer_certificate(p.server, &peer), TH_OK);
  cr_assert_null(peer);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
}

Test(verify, client_certificate_verified) {
  int versions[] = {TH_TLS1_2_VERSION, TH_TLS1_3_VERSION};
  for (int i = 0; i < 2; i++) {
    th_context *s = ts_server_ctx(versions[i], TS_TRUST), *c = ts_client_ctx(versions[i], TS_CERT);
    struct vlog v = {.verdict = -1};
    th_context_set_verify(s, TH_VERIFY_PEER | TH_VERIFY_FAIL_IF_NO_PEER_CERT, vcb, &v);
    ts_pair p;
    char side = '?';
    cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%c %s", side, tu_err());
    cr_assert_eq(v.conn, p.server);
    cr_assert_str_eq(v.cn0, "ts client");
    th_x509 *peer = NULL;
    cr_assert_eq(th_connection_get_peer_certificate(p.server, &peer), TH_OK);
    cr_assert_not_null(peer);
    th_x509_free(peer);
    ts_pair_free(&p);
    th_context_free(s);
    th_context_free(c);
  }
}

Test(verify, untrusted_client_certificate_fails) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, TS_CERT);
  th_context_set_verify(s, TH_VERIFY_PEER, NULL, NULL);
  char side = '?';
  cr_assert_eq(hs(c, s, &side, NULL), TH_ERR_SSL);
  cr_assert_eq(side, 's');
  th_context_free(s);
  th_context_free(c);
}

static void assert_ca_names(th_connection *conn, const char *cn) {
  th_list *names = th_connection_get_client_ca_list(conn);
  cr_assert_not_null(names, "%s", tu_err());
  cr_assert_eq(names->count, 1u);
  th_bytes *got = NULL;
  cr_assert_eq(th_x509_name_get(names->items[0], "CN", &got), TH_OK, "%s", tu_err());
  cr_assert_str_eq((char *)got->data, cn);
  th_bytes_free(got);
  th_list_free(names);
}

Test(verify, client_ca_list_sent_and_received) {
  const ts_pki *pk = ts_pki_get();
  for (int how = 0; how < 3; how++) {
    th_context *s = ts_server_ctx(0, TS_TRUST), *c = ts_client_ctx(0, 0);
    th_x509 *root = ts_x509(pk->root);
    if (how == 0) {
      cr_assert_eq(th_context_add_client_ca(s, root), TH_OK);
    } else if (how == 1) {
      th_x509_name *n = th_x509_get_subject(root);
      cr_assert_eq(th_context_set_client_ca_list(s, &n, 1), TH_OK);
      th_x509_name_free(n);
    } else {
      cr_assert_eq(th_context_load_client_ca(s, ts_write_cert("ca.pem", &pk->root, 1)), TH_OK);
    }
    th_x509_free(root);
    th_context_set_verify(s, TH_VERIFY_PEER, NULL, NULL);
    ts_pair p;
    char side = '?';
    cr_assert_eq(hs(c, s, &side, &p), TH_OK, "%s", tu_err());
    assert_ca_names(p.client, "ts root CA");
    assert_ca_names(p.server, "ts root CA");
    ts_pair_free(&p);
    th_context_free(s);
    th_context_free(c);
  }
}
