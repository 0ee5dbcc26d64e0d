/* connection_info_test.c — SSL.Connection's getters: state string,
 * randoms, master key, Finished messages, cipher, protocol version, peer
 * certificate and chain, client CA list, SNI, sessions, ALPN/NPN, and the
 * later additions (keying material, verified chain, group, reuse). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testutil.h"
#include "testutil_ssl.h"

static ts_pair p;
static void teardown(void) { ts_pair_free(&p); }
TestSuite(connection_info, .fini = teardown);

static int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};

/* Each None-able getter of th_bytes: NULL before the handshake, a value
 * after, TH_ERR_TYPE for bad input. */
typedef int (*bytes_getter)(const th_connection *, th_bytes **);
typedef struct getter_case {
  const char *name;
  bytes_getter fn;
  size_t len_tls12, len_tls13; /* expected length after the handshake; 0: any > 0 */
} getter_case;

static getter_case getters[] = {
    {"client_random", th_connection_client_random, 32, 32},
    {"server_random", th_connection_server_random, 32, 32},
    {"master_key", th_connection_master_key, 48, 48},
    {"get_finished", th_connection_get_finished, 12, 48},
    {"get_peer_finished", th_connection_get_peer_finished, 12, 48},
    {"get_cipher_name", th_connection_get_cipher_name, 0, 0},
    {"get_cipher_version", th_connection_get_cipher_version, 7, 7},
    {"get_group_name", th_connection_get_group_name, 0, 0},
};

/* Criterion copies parameters into the test process, where pointers to
 * our statics may move: pass indices into the table. */
ParameterizedTestParameters(connection_info, none_before_value_after) {
  static int idx[sizeof getters / sizeof getters[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *gi, connection_info, none_before_value_after) {
  const getter_case *g = &getters[*gi];
  for (int i = 0; i < 2; i++) {
    ts_pair_new_v(&p, versions[i], 0, 0);
    th_bytes *b = (th_bytes *)1;
    cr_assert_eq(g->fn(p.client, &b), TH_OK, "%s: %s", g->name, tu_err());
    cr_assert_null(b, "%s is None before the handshake", g->name);
    ts_connect(&p);
    for (int side = 0; side < 2; side++) {
      th_connection *c = side ? p.server : p.client;
      cr_assert_eq(g->fn(c, &b), TH_OK, "%s: %s", g->name, tu_err());
      cr_assert_not_null(b, "%s after the handshake", g->name);
      size_t want = i == 0 ? g->len_tls12 : g->len_tls13;
      if (want) cr_assert_eq(b->len, want, "%s: %zu bytes", g->name, b->len);
      cr_assert_gt(b->len, 0u);
      th_bytes_free(b);
    }
    /* Bad input. */
    b = (th_bytes *)1;
    cr_assert_eq(g->fn(NULL, &b), TH_ERR_TYPE);
    cr_assert_null(b);
    th_context *ctx = th_connection_get_context(p.client);
    cr_assert_eq(g->fn((th_connection *)ctx, &b), TH_ERR_TYPE);
    th_context_free(ctx);
    cr_assert_eq(g->fn(p.client, NULL), TH_ERR_TYPE);
    ts_pair_free(&p);
  }
}

ParameterizedTestParameters(connection_info, both_sides_agree) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, connection_info, both_sides_agree) {
  ts_pair_new_v(&p, *version, 0, 0);
  ts_connect(&p);
  th_bytes *a, *b;
  /* Our Finished is what the peer expected, and the randoms are shared. */
  th_connection_get_finished(p.client, &a);
  th_connection_get_peer_finished(p.server, &b);
  cr_assert_eq(a->len, b->len);
  cr_assert_arr_eq(a->data, b->data, a->len);
  th_bytes_free(a);
  th_bytes_free(b);
  th_connection_client_random(p.client, &a);
  th_connection_client_random(p.server, &b);
  cr_assert_arr_eq(a->data, b->data, 32);
  th_bytes_free(a);
  th_bytes_free(b);
  th_connection_master_key(p.client, &a);
  th_connection_master_key(p.server, &b);
  cr_assert_eq(a->len, b->len);
  cr_assert_arr_eq(a->data, b->data, a->len);
  th_bytes_free(a);
  th_bytes_free(b);
  th_connection_get_cipher_version(p.client, &a);
  cr_assert_str_eq((char *)a->data, *version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
  th_bytes_free(a);
  th_connection_get_cipher_name(p.client, &a);
  th_connection_get_cipher_name(p.server, &b);
  cr_assert_str_eq((char *)a->data, (char *)b->data);
  if (*version == TLS1_3_VERSION) cr_assert(strncmp((char *)a->data, "TLS_", 4) == 0);
  th_bytes_free(a);
  th_bytes_free(b);
  int bits = 0;
  cr_assert_eq(th_connection_get_cipher_bits(p.client, &bits), TH_OK);
  cr_assert(bits == 128 || bits == 256, "%d", bits);
  th_bytes *keys = th_connection_export_keying_material(p.client, "EXPERIMENTAL test", 32, NULL, 0);
  th_bytes *keys2 = th_connection_export_keying_material(p.server, "EXPERIMENTAL test", 32, NULL, 0);
  cr_assert_not_null(keys, "%s", tu_err());
  cr_assert_arr_eq(keys->data, keys2->data, 32);
  th_bytes *keys3 = th_connection_export_keying_material(p.server, "EXPERIMENTAL test", 32,
                                                         (const unsigned char *)"ctx", 3);
  cr_assert(memcmp(keys->data, keys3->data, 32) != 0);
  th_bytes_free(keys);
  th_bytes_free(keys2);
  th_bytes_free(keys3);
}

Test(connection_info, cipher_bits_none_and_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  int bits = 7;
  cr_assert_eq(th_connection_get_cipher_bits(p.client, &bits), TH_OK);
  cr_assert_eq(bits, -1);
  cr_assert_eq(th_connection_get_cipher_bits(p.client, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_cipher_bits(NULL, &bits), TH_ERR_TYPE);
}

Test(connection_info, export_keying_material_errors) {
  ts_pair_new_v(&p, 0, 0, 0);
  cr_assert_null(th_connection_export_keying_material(p.client, "x", 16, NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  ts_connect(&p);
  cr_assert_null(th_connection_export_keying_material(p.client, NULL, 16, NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_connection_export_keying_material(p.client, "x", 0, NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_connection_export_keying_material(NULL, "x", 1, NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

Test(connection_info, state_string) {
  ts_pair_new_v(&p, 0, 0, 0);
  th_bytes *s = th_connection_get_state_string(p.client);
  cr_assert_not_null(s);
  cr_assert_str_eq((char *)s->data, "before SSL initialization");
  th_bytes_free(s);
  ts_connect(&p);
  s = th_connection_get_state_string(p.client);
  cr_assert_str_eq((char *)s->data, "SSL negotiation finished successfully");
  th_bytes_free(s);
  cr_assert_null(th_connection_get_state_string(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

ParameterizedTestParameters(connection_info, protocol_version) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, connection_info, protocol_version) {
  ts_pair_new_v(&p, *version, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_get_protocol_version(p.client), *version);
  th_bytes *n = th_connection_get_protocol_version_name(p.server);
  cr_assert_str_eq((char *)n->data, *version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
  th_bytes_free(n);
  cr_assert_eq(th_connection_get_protocol_version(NULL), TH_ERR_TYPE);
  cr_assert_null(th_connection_get_protocol_version_name(NULL));
}

Test(connection_info, cipher_list) {
  ts_pair_new_v(&p, 0, 0, 0);
  th_list *l = th_connection_get_cipher_list(p.client);
  cr_assert_not_null(l);
  cr_assert_gt(l->count, 3u);
  /* TLS 1.3 suites come first in OpenSSL 3's default list. */
  cr_assert_str_eq((char *)((th_bytes *)th_list_get(l, 0))->data, "TLS_AES_256_GCM_SHA384");
  th_list_free(l);
  SSL *ssl = th_connection_to_ssl(p.client);
  cr_assert_eq(SSL_set_cipher_list(ssl, "ECDHE-ECDSA-AES128-GCM-SHA256"), 1);
  SSL_free(ssl);
  l = th_connection_get_cipher_list(p.client);
  int found = 0;
  for (size_t i = 0; i < l->count; i++)
    found |= strcmp((char *)((th_bytes *)l->items[i])->data, "ECDHE-ECDSA-AES128-GCM-SHA256") == 0;
  cr_assert(found);
  th_list_free(l);
  cr_assert_null(th_connection_get_cipher_list(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

static void assert_same_cert(th_x509 *c, X509 *want) {
  X509 *x = th_x509_to_x509(c);
  cr_assert_eq(X509_cmp(x, want), 0);
  X509_free(x);
}

ParameterizedTestParameters(connection_info, peer_certificates) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, connection_info, peer_certificates) {
  const ts_pki *k = ts_pki_get();
  ts_pair_new_v(&p, *version, TS_VERIFY | TS_CERT, TS_VERIFY | TS_REQUIRE | TS_CHAIN);
  th_x509 *c = (th_x509 *)1;
  th_list *chain = (th_list *)1;
  cr_assert_eq(th_connection_get_peer_certificate(p.client, &c), TH_OK);
  cr_assert_null(c);
  cr_assert_eq(th_connection_get_peer_cert_chain(p.client, &chain), TH_OK);
  cr_assert_null(chain);
  cr_assert_eq(th_connection_get_verified_chain(p.client, &chain), TH_OK);
  cr_assert_null(chain);
  ts_connect(&p);
  cr_assert_eq(th_connection_get_peer_certificate(p.client, &c), TH_OK);
  assert_same_cert(c, k->server);
  th_x509_free(c);
  cr_assert_eq(th_connection_get_peer_certificate(p.server, &c), TH_OK);
  assert_same_cert(c, k->client);
  th_x509_free(c);
  cr_assert_eq(th_connection_get_peer_cert_chain(p.client, &chain), TH_OK);
  /* The server's leaf, then the intermediate it sends. */
  cr_assert_eq(chain->count, 2u);
  assert_same_cert(th_list_get(chain, 0), k->server);
  th_list_free(chain);
  /* On a server, OpenSSL's chain leaves out the client's own certificate. */
  cr_assert_eq(th_connection_get_peer_cert_chain(p.server, &chain), TH_OK);
  cr_assert_not_null(chain);
  th_list_free(chain);
  /* The verified chain reaches the root CA. */
  cr_assert_eq(th_connection_get_verified_chain(p.client, &chain), TH_OK);
  cr_assert_eq(chain->count, 3u);
  assert_same_cert(th_list_get(chain, 2), k->root);
  th_list_free(chain);
  cr_assert_eq(th_connection_get_verify_result(p.client), X509_V_OK);
  cr_assert_eq(th_connection_get_peer_certificate(p.client, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_peer_certificate(NULL, &c), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_peer_cert_chain(NULL, &chain), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_peer_cert_chain(p.client, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_verified_chain(NULL, &chain), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_verify_result(NULL), TH_ERR_TYPE);
}

Test(connection_info, no_client_certificate_is_none) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  th_x509 *c = (th_x509 *)1;
  th_list *chain = (th_list *)1;
  cr_assert_eq(th_connection_get_peer_certificate(p.server, &c), TH_OK);
  cr_assert_null(c);
  cr_assert_eq(th_connection_get_peer_cert_chain(p.server, &chain), TH_OK);
  cr_assert_null(chain);
}

ParameterizedTestParameters(connection_info, client_ca_list) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, connection_info, client_ca_list) {
  ts_pair_new_v(&p, *version, TS_CERT | TS_VERIFY, TS_VERIFY | TS_CLIENT_CA | TS_CHAIN);
  th_list *l = th_connection_get_client_ca_list(p.client);
  cr_assert_eq(l->count, 0u, "empty on a client before the handshake");
  th_list_free(l);
  l = th_connection_get_client_ca_list(p.server);
  cr_assert_eq(l->count, 1u, "a server lists what it will send");
  th_list_free(l);
  ts_connect(&p);
  l = th_connection_get_client_ca_list(p.client);
  cr_assert_eq(l->count, 1u);
  th_bytes *cn = NULL;
  cr_assert_eq(th_x509_name_get_commonName(th_list_get(l, 0), &cn), TH_OK, "%s", tu_err());
  cr_assert_str_eq((char *)cn->data, TS_ROOT_CN);
  th_bytes_free(cn);
  th_list_free(l);
  cr_assert_null(th_connection_get_client_ca_list(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

Test(connection_info, servername) {
  ts_pair_new_v(&p, 0, 0, 0);
  th_bytes *n = (th_bytes *)1;
  cr_assert_eq(th_connection_get_servername(p.server, &n), TH_OK);
  cr_assert_null(n);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"example.org", 11), TH_OK);
  ts_connect(&p);
  cr_assert_eq(th_connection_get_servername(p.server, &n), TH_OK);
  cr_assert_str_eq((char *)n->data, "example.org");
  th_bytes_free(n);
  cr_assert_eq(th_connection_get_servername(p.client, &n), TH_OK);
  cr_assert_str_eq((char *)n->data, "example.org");
  th_bytes_free(n);
  cr_assert_eq(th_connection_get_servername(NULL, &n), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_servername(p.client, NULL), TH_ERR_TYPE);
}

Test(connection_info, set_tlsext_host_name_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  /* Issue 12 item 15: the length is checked first: an over-long name
   * holding a NUL is a ValueError, and a len beyond the buffer is refused
   * without reading it (ASan would see the over-read). */
  unsigned char longnul[300];
  memset(longnul, 'a', sizeof longnul);
  longnul[5] = '\0';
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, longnul, sizeof longnul), TH_ERR_VALUE);
  unsigned char *small = malloc(2);
  memcpy(small, "ab", 2);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, small, 100000), TH_ERR_VALUE);
  free(small);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"a\0b", 3), TH_ERR_TYPE);
  cr_assert(strstr(th_error_last()->message, "NUL byte") != NULL);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, NULL, 3), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"", 0), TH_ERR_VALUE);
  unsigned char big[300];
  memset(big, 'a', sizeof big);
  cr_assert_eq(th_connection_set_tlsext_host_name(p.client, big, sizeof big), TH_ERR_VALUE);
  cr_assert_eq(th_connection_set_tlsext_host_name(NULL, big, 3), TH_ERR_TYPE);
  /* Nothing was set. */
  th_bytes *n = (th_bytes *)1;
  th_connection_get_servername(p.client, &n);
  cr_assert_null(n);
}

ParameterizedTestParameters(connection_info, session_resumption) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, connection_info, session_resumption) {
  th_context *cctx = ts_client_ctx(*version, 0), *sctx = ts_server_ctx(*version, 0);
  ts_pair_new(&p, cctx, sctx);
  th_session *s = (th_session *)1;
  cr_assert_eq(th_connection_get_session(p.client, &s), TH_OK);
  cr_assert_null(s);
  ts_connect(&p);
  cr_assert_eq(th_connection_session_reused(p.client), 0);
  cr_assert_eq(th_connection_get_session(p.client, &s), TH_OK);
  cr_assert_not_null(s);
  ts_close(&p);
  ts_pair_free(&p);
  ts_pair_new(&p, cctx, sctx);
  cr_assert_eq(th_connection_set_session(p.client, s), TH_OK, "%s", tu_err());
  ts_connect(&p);
  cr_assert_eq(th_connection_session_reused(p.client), 1);
  cr_assert_eq(th_connection_session_reused(p.server), 1);
  cr_assert_eq(th_connection_set_session(p.client, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_session(p.client, (th_session *)cctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_session(NULL, s), TH_ERR_TYPE);
  th_session *none = (th_session *)1;
  cr_assert_eq(th_connection_get_session(NULL, &none), TH_ERR_TYPE);
  cr_assert_null(none);
  cr_assert_eq(th_connection_get_session(p.client, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_session_reused(NULL), TH_ERR_TYPE);
  th_session_free(s);
  th_context_free(cctx);
  th_context_free(sctx);
}

Test(connection_info, set_session_of_another_method_fails) {
  /* A TLS 1.3 session offered to a TLS 1.2-only client: OpenSSL refuses
   * at set time or the handshake does a full one; either way no reuse. */
  th_context *c13 = ts_client_ctx(TLS1_3_VERSION, 0), *s13 = ts_server_ctx(TLS1_3_VERSION, 0);
  ts_pair_new(&p, c13, s13);
  ts_connect(&p);
  th_session *s = NULL;
  th_connection_get_session(p.client, &s);
  ts_close(&p);
  ts_pair_free(&p);
  ts_pair_new_v(&p, TLS1_2_VERSION, 0, 0);
  int rc = th_connection_set_session(p.client, s);
  if (rc == TH_OK) {
    ts_connect(&p);
    cr_assert_eq(th_connection_session_reused(p.client), 0);
  } else {
    cr_assert_eq(rc, TH_ERR_SSL);
  }
  th_session_free(s);
  th_context_free(c13);
  th_context_free(s13);
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
  static const unsigned char ours[] = "\x08http/1.1\x02h2";
  if (SSL_select_next_proto((unsigned char **)out, outlen, ours, sizeof ours - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  return SSL_TLSEXT_ERR_OK;
}

ParameterizedTestParameters(connection_info, alpn) {
  return cr_make_param_array(int, versions, 2);
}

ParameterizedTest(int *version, connection_info, alpn) {
  th_context *cctx = ts_client_ctx(*version, 0), *sctx = ts_server_ctx(*version, 0);
  SSL_CTX *raw = th_context_to_ssl_ctx(sctx);
  SSL_CTX_set_alpn_select_cb(raw, alpn_select, NULL);
  SSL_CTX_free(raw);
  ts_pair_new(&p, cctx, sctx);
  th_bytes *b = th_connection_get_alpn_proto_negotiated(p.client);
  cr_assert_eq(b->len, 0u);
  th_bytes_free(b);
  const char *protos[] = {"h2", "spdy/2"};
  cr_assert_eq(th_connection_set_alpn_protos(p.client, protos, 2), TH_OK, "%s", tu_err());
  ts_connect(&p);
  b = th_connection_get_alpn_proto_negotiated(p.client);
  cr_assert_str_eq((char *)b->data, "h2");
  th_bytes_free(b);
  b = th_connection_get_alpn_proto_negotiated(p.server);
  cr_assert_str_eq((char *)b->data, "h2");
  th_bytes_free(b);
  cr_assert_null(th_connection_get_alpn_proto_negotiated(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_context_free(cctx);
  th_context_free(sctx);
}

Test(connection_info, set_alpn_protos_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  const char *empty[] = {""};
  const char *nul[] = {"h2", NULL};
  char big[300];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  const char *toolong[] = {big};
  cr_assert_eq(th_connection_set_alpn_protos(p.client, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_alpn_protos(p.client, empty, 0), TH_ERR_VALUE);
  cr_assert_eq(th_connection_set_alpn_protos(p.client, empty, 1), TH_ERR_VALUE);
  cr_assert_eq(th_connection_set_alpn_protos(p.client, nul, 2), TH_ERR_TYPE);
  cr_assert_eq(th_connection_set_alpn_protos(p.client, toolong, 1), TH_ERR_VALUE);
  cr_assert_eq(th_connection_set_alpn_protos(NULL, nul, 1), TH_ERR_TYPE);
}

#ifndef OPENSSL_NO_NEXTPROTONEG
static int npn_advertise(SSL *ssl, const unsigned char **out, unsigned int *outlen, void *arg) {
  static const unsigned char protos[] = "\x08http/1.1\x06spdy/2";
  *out = protos;
  *outlen = sizeof protos - 1;
  return SSL_TLSEXT_ERR_OK;
}

static int npn_select(SSL *ssl, unsigned char **out, unsigned char *outlen, const unsigned char *in,
                      unsigned int inlen, void *arg) {
  static const unsigned char ours[] = "\x06spdy/2";
  SSL_select_next_proto(out, outlen, ours, sizeof ours - 1, in, inlen);
  return SSL_TLSEXT_ERR_OK;
}
#endif

Test(connection_info, npn_tls12_only) {
  cr_assert_null(th_connection_get_next_proto_negotiated(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  ts_need_npn();
#ifndef OPENSSL_NO_NEXTPROTONEG
  for (int i = 0; i < 2; i++) {
    th_context *cctx = ts_client_ctx(versions[i], 0), *sctx = ts_server_ctx(versions[i], 0);
    SSL_CTX *rs = th_context_to_ssl_ctx(sctx), *rc = th_context_to_ssl_ctx(cctx);
    SSL_CTX_set_next_protos_advertised_cb(rs, npn_advertise, NULL);
    SSL_CTX_set_next_proto_select_cb(rc, npn_select, NULL);
    SSL_CTX_free(rs);
    SSL_CTX_free(rc);
    ts_pair_new(&p, cctx, sctx);
    th_bytes *b = th_connection_get_next_proto_negotiated(p.client);
    cr_assert_eq(b->len, 0u);
    th_bytes_free(b);
    ts_connect(&p);
    b = th_connection_get_next_proto_negotiated(p.server);
    /* NPN does not exist in TLS 1.3: nothing is negotiated. */
    cr_assert_str_eq((char *)b->data, versions[i] == TLS1_2_VERSION ? "spdy/2" : "");
    th_bytes_free(b);
    ts_pair_free(&p);
    th_context_free(cctx);
    th_context_free(sctx);
  }
#endif
}

Test(connection_info, group_name) {
  ts_pair_new_v(&p, TLS1_3_VERSION, 0, 0);
  SSL *ssl = th_connection_to_ssl(p.client);
  SSL_set1_groups_list(ssl, "P-256");
  SSL_free(ssl);
  ts_connect(&p);
  th_bytes *g = NULL;
  cr_assert_eq(th_connection_get_group_name(p.server, &g), TH_OK);
  cr_assert_not_null(g);
  cr_assert(strcmp((char *)g->data, "prime256v1") == 0 || strcmp((char *)g->data, "secp256r1") == 0,
            "%s", g->data);
  th_bytes_free(g);
  cr_assert_eq(th_connection_get_group_name(NULL, &g), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_group_name(p.server, NULL), TH_ERR_TYPE);
}

Test(connection_info, ocsp_request_and_no_staple) {
  ts_pair_new_v(&p, 0, 0, 0);
  cr_assert_eq(th_connection_request_ocsp(p.client), TH_OK);
  ts_connect(&p);
  th_bytes *r = (th_bytes *)1;
  cr_assert_eq(th_connection_get_ocsp_response(p.client, &r), TH_OK);
  cr_assert_null(r);
  cr_assert_eq(th_connection_request_ocsp(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_ocsp_response(NULL, &r), TH_ERR_TYPE);
  cr_assert_eq(th_connection_get_ocsp_response(p.client, NULL), TH_ERR_TYPE);
}

static int ocsp_staple(SSL *ssl, void *arg) {
  unsigned char *resp = OPENSSL_malloc(TS_OCSP_TRY_LATER_LEN);
  memcpy(resp, TS_OCSP_TRY_LATER, TS_OCSP_TRY_LATER_LEN);
  SSL_set_tlsext_status_ocsp_resp(ssl, resp, TS_OCSP_TRY_LATER_LEN);
  return SSL_TLSEXT_ERR_OK;
}
static int ocsp_accept(SSL *ssl, void *arg) { return 1; }

Test(connection_info, ocsp_staple_received) {
  th_context *cctx = ts_client_ctx(0, 0), *sctx = ts_server_ctx(0, 0);
  SSL_CTX *rs = th_context_to_ssl_ctx(sctx), *rc = th_context_to_ssl_ctx(cctx);
  SSL_CTX_set_tlsext_status_cb(rs, ocsp_staple);
  SSL_CTX_set_tlsext_status_cb(rc, ocsp_accept);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  ts_pair_new(&p, cctx, sctx);
  th_connection_request_ocsp(p.client);
  ts_connect(&p);
  th_bytes *r = NULL;
  cr_assert_eq(th_connection_get_ocsp_response(p.client, &r), TH_OK);
  cr_assert_not_null(r);
  cr_assert_eq(r->len, TS_OCSP_TRY_LATER_LEN);
  cr_assert_eq(memcmp(r->data, TS_OCSP_TRY_LATER, TS_OCSP_TRY_LATER_LEN), 0);
  th_bytes_free(r);
  th_context_free(cctx);
  th_context_free(sctx);
}

Test(connection_info, protocol_version_before_handshake) {
  /* The spec says "Unknown" before a connection is established; OpenSSL 3
   * names the version the connection would try first (see compat). */
  ts_pair_new_v(&p, 0, 0, 0);
  th_bytes *n = th_connection_get_protocol_version_name(p.client);
  cr_assert_not_null(n);
  cr_assert_str_eq((char *)n->data, "TLSv1.3");
  th_bytes_free(n);
  cr_assert_eq(th_connection_get_protocol_version(p.client), TLS1_3_VERSION);
}

Test(connection_info, tls12_session_freed_without_shutdown_is_not_resumable) {
  /* OpenSSL marks the session of a TLS 1.2 connection freed without a
   * close_notify as not resumable (ssl_clear_bad_session): see compat. */
  th_context *cctx = ts_client_ctx(TLS1_2_VERSION, 0), *sctx = ts_server_ctx(TLS1_2_VERSION, 0);
  ts_pair_new(&p, cctx, sctx);
  ts_connect(&p);
  th_session *s = NULL;
  th_connection_get_session(p.client, &s);
  /* Freed as is (ts_pair_free would mark a clean shutdown). */
  th_connection_free(p.client);
  th_connection_free(p.server);
  ts_pair_new(&p, cctx, sctx);
  cr_assert_eq(th_connection_set_session(p.client, s), TH_OK);
  ts_connect(&p);
  cr_assert_eq(th_connection_session_reused(p.client), 0);
  th_session_free(s);
  th_context_free(cctx);
  th_context_free(sctx);
}

Test(connection_info, tls12_resumed_server_has_no_servername) {
  /* OpenSSL 3.0: a server resuming a TLS 1.2 session answers None. */
  th_context *cctx = ts_client_ctx(TLS1_2_VERSION, 0), *sctx = ts_server_ctx(TLS1_2_VERSION, 0);
  ts_pair_new(&p, cctx, sctx);
  th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"localhost", 9);
  ts_connect(&p);
  th_session *s = NULL;
  th_connection_get_session(p.client, &s);
  ts_close(&p);
  ts_pair_free(&p);
  ts_pair_new(&p, cctx, sctx);
  th_connection_set_tlsext_host_name(p.client, (const unsigned char *)"localhost", 9);
  th_connection_set_session(p.client, s);
  ts_connect(&p);
  cr_assert_eq(th_connection_session_reused(p.server), 1);
  th_bytes *b = (th_bytes *)1;
  cr_assert_eq(th_connection_get_servername(p.server, &b), TH_OK);
  cr_assert_null(b);
  th_session_free(s);
  th_context_free(cctx);
  th_context_free(sctx);
}
