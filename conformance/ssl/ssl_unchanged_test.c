/* ssl_unchanged_test.c — "no object is left half-changed" for the SSL
 * module: every failing Context and Connection setter returns its error
 * kind and leaves what it would have changed observable as before (cipher
 * list and security level, verify mode/depth, options, modes,
 * protocol bounds, timeout, cache mode, certificate and key, chain, client
 * CA names, trust store; a connection's SNI name, session, context and
 * shutdown state; the ALPN offer, seen by a real handshake). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "testutil.h"
#include "testutil_ssl.h"
#include "testutil_table.h"

static struct {
  th_context *ctx; /* the context under change: server cert+key, settings */
  th_connection *conn; /* a client memory connection on ctx */
  th_session *sess;    /* a real session, set on conn */
  th_pkey *other_key;  /* a key that matches no certificate here */
  th_pkey *uninit;
  th_x509 *cert;
  th_x509_name *name;
  th_elliptic_curve *wrong; /* a live object of an unrelated class */
  const char *garbage;      /* garbage bytes */
  const char *half_chain;   /* a valid certificate, then a corrupt PEM block */
} F;

static th_session *real_session(void) {
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  th_session *sess = NULL;
  cr_assert_eq(th_connection_get_session(p.client, &sess), TH_OK);
  cr_assert_not_null(sess);
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
  return sess;
}

static void setup(void) {
  const ts_pki *pki = ts_pki_get();
  F.ctx = ts_server_ctx(0, TS_CHAIN | TS_TRUST);
  cr_assert_eq(th_context_set_cipher_list(F.ctx, "ECDHE+AESGCM:@SECLEVEL=1"), TH_OK);
  cr_assert_eq(th_context_set_ciphersuites(F.ctx, "TLS_AES_256_GCM_SHA384"), TH_OK);
  cr_assert_eq(th_context_set_groups(F.ctx, "P-256:X25519"), TH_OK);
  cr_assert_eq(th_context_set_verify(F.ctx, TH_VERIFY_PEER, NULL, NULL), TH_OK);
  cr_assert_eq(th_context_set_verify_depth(F.ctx, 3), TH_OK);
  cr_assert_eq(th_context_set_min_proto_version(F.ctx, TH_TLS1_2_VERSION), TH_OK);
  cr_assert_eq(th_context_set_timeout(F.ctx, 77), 7200);
  cr_assert_geq(th_context_set_options(F.ctx, TH_OP_NO_TICKET), 0);
  F.cert = ts_x509(pki->server);
  F.name = th_x509_get_subject(F.cert);
  cr_assert_eq(th_context_set_client_ca_list(F.ctx, &F.name, 1), TH_OK);
  F.conn = th_connection_new(F.ctx, -1);
  cr_assert_not_null(F.conn, "%s", tu_err());
  cr_assert_eq(th_connection_set_connect_state(F.conn), TH_OK);
  cr_assert_eq(th_connection_set_tlsext_host_name(F.conn, (const unsigned char *)"before.test", 11),
               TH_OK);
  F.sess = real_session();
  cr_assert_eq(th_connection_set_session(F.conn, F.sess), TH_OK, "%s", tu_err());
  F.other_key = tu_ec_key();
  F.uninit = th_pkey_new();
  F.wrong = th_crypto_get_elliptic_curve("prime256v1");
  static char garbage[512], half[512];
  snprintf(garbage, sizeof garbage, "%s", tu_path("garbage.pem"));
  cr_assert_eq(tu_write_file(garbage, "garbage\n", 8), 0);
  snprintf(half, sizeof half, "%s", ts_write_cert("half.pem", &pki->client, 1));
  FILE *f = fopen(half, "a");
  cr_assert_not_null(f);
  fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n", f);
  fclose(f);
  F.garbage = garbage;
  F.half_chain = half;
}

static void teardown(void) {
  th_elliptic_curve_free(F.wrong);
  th_pkey_free(F.uninit);
  th_pkey_free(F.other_key);
  th_session_free(F.sess);
  th_connection_free(F.conn);
  th_x509_name_free(F.name);
  th_x509_free(F.cert);
  th_context_free(F.ctx);
}

TestSuite(ssl_unchanged, .init = setup, .fini = teardown);

/* ---- snapshots ---------------------------------------------------------------- */

static size_t put(char *out, size_t size, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t put(char *out, size_t size, size_t at, const char *fmt, ...) {
  if (at >= size) return at;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + at, size - at, fmt, ap);
  va_end(ap);
  return n < 0 ? at : at + (size_t)n;
}

static size_t put_der(char *out, size_t size, size_t at, const char *what, X509 *x) {
  unsigned char md[32];
  unsigned int n = 0;
  if (x == NULL || !X509_digest(x, EVP_sha256(), md, &n)) return put(out, size, at, "%s=none ", what);
  return put(out, size, at, "%s=%02x%02x%02x%02x ", what, md[0], md[1], md[2], md[3]);
}

/* Everything a Context setter of this module can change, as text. */
static void ctx_state(char *out, size_t size) {
  SSL_CTX *c = th_context_to_ssl_ctx(F.ctx);
  cr_assert_not_null(c);
  size_t at = 0;
  STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(c);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); i++)
    at = put(out, size, at, "%s:", SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  at = put(out, size, at, " seclevel=%d verify=%d/%d opts=%llx mode=%lx cache=%lx timeout=%ld "
                          "proto=%lx-%lx ",
           SSL_CTX_get_security_level(c), SSL_CTX_get_verify_mode(c), SSL_CTX_get_verify_depth(c),
           (unsigned long long)SSL_CTX_get_options(c), (unsigned long)SSL_CTX_get_mode(c),
           (unsigned long)SSL_CTX_get_session_cache_mode(c), SSL_CTX_get_timeout(c),
           (unsigned long)SSL_CTX_get_min_proto_version(c),
           (unsigned long)SSL_CTX_get_max_proto_version(c));
  at = put_der(out, size, at, "cert", SSL_CTX_get0_certificate(c));
  EVP_PKEY *key = SSL_CTX_get0_privatekey(c);
  at = put(out, size, at, "key=%s ",
           key == NULL ? "none"
           : X509_check_private_key(SSL_CTX_get0_certificate(c), key) ? "matches"
                                                                       : "MISMATCH");
  STACK_OF(X509) *extra = NULL;
  SSL_CTX_get_extra_chain_certs(c, &extra);
  at = put(out, size, at, "extra=%d ", sk_X509_num(extra));
  STACK_OF(X509_NAME) *cas = SSL_CTX_get_client_CA_list(c);
  at = put(out, size, at, "client_cas=%d ", sk_X509_NAME_num(cas));
  STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(c));
  at = put(out, size, at, "store=%d ", sk_X509_OBJECT_num(objs));
  SSL_CTX_free(c);
}

/* Everything a Connection setter can change, as text. */
static void conn_state(char *out, size_t size) {
  SSL *ssl = th_connection_to_ssl(F.conn);
  cr_assert_not_null(ssl);
  const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  th_context *ctx = th_connection_get_context(F.conn);
  snprintf(out, size, "sni=%s session=%p ctx=%p shutdown=%d verify=%d opts=%llx",
           sni ? sni : "none", (void *)SSL_get_session(ssl), (void *)ctx, SSL_get_shutdown(ssl),
           SSL_get_verify_mode(ssl), (unsigned long long)SSL_get_options(ssl));
  th_context_free(ctx);
  SSL_free(ssl);
}

/* ---- the table ------------------------------------------------------------------ */

enum { CTX, CONN };
#define W(t) ((t *)F.wrong)
static const char *const bad_alpn[] = {"h2", ""};
static unsigned char long_host[300]; /* 300 'a's: a host name over 255 bytes */
__attribute__((constructor)) static void fill_long_host(void) {
  memset(long_host, 'a', sizeof long_host);
}

/* X(id, object, failing call, expected kind) */
#define CASES(X)                                                                              \
  X(cipher_list_nonsense, CTX, th_context_set_cipher_list(F.ctx, "nonsense"), TH_ERR_SSL)     \
  X(cipher_list_seclevel_then_nonsense, CTX,                                                  \
    th_context_set_cipher_list(F.ctx, "@SECLEVEL=0:nonsense"), TH_ERR_SSL)                    \
  X(cipher_list_tls13_name_only, CTX,                                                         \
    th_context_set_cipher_list(F.ctx, "TLS_AES_128_GCM_SHA256"), TH_ERR_SSL)                  \
  X(cipher_list_null, CTX, th_context_set_cipher_list(F.ctx, NULL), TH_ERR_TYPE)              \
  X(ciphersuites_unknown, CTX, th_context_set_ciphersuites(F.ctx, "TLS_AES_128_GCM_SHA256:x"), \
    TH_ERR_SSL)                                                                               \
  X(groups_unknown, CTX, th_context_set_groups(F.ctx, "P-384:nosuchgroup"), TH_ERR_SSL)       \
  X(tmp_ecdh_wrong_type, CTX, th_context_set_tmp_ecdh(F.ctx, (th_elliptic_curve *)F.cert),    \
    TH_ERR_TYPE)                                                                              \
  X(session_id_too_long, CTX,                                                                 \
    th_context_set_session_id(F.ctx, (const unsigned char *)"0123456789012345678901234567890123", \
                              33),                                                            \
    TH_ERR_SSL)                                                                               \
  X(verify_unknown_bits, CTX, th_context_set_verify(F.ctx, 0x80, NULL, NULL), TH_ERR_VALUE)   \
  X(verify_depth_negative, CTX, th_context_set_verify_depth(F.ctx, -1), TH_ERR_VALUE)         \
  X(min_proto_unknown, CTX, th_context_set_min_proto_version(F.ctx, 0x1234), TH_ERR_VALUE)    \
  X(max_proto_unknown, CTX, th_context_set_max_proto_version(F.ctx, -3), TH_ERR_VALUE)        \
  X(mode_negative, CTX, (int)th_context_set_mode(F.ctx, -2), TH_ERR_VALUE)                    \
  X(cache_mode_unknown, CTX, (int)th_context_set_session_cache_mode(F.ctx, 0x40000), TH_ERR_VALUE) \
  X(timeout_negative, CTX, (int)th_context_set_timeout(F.ctx, -1), TH_ERR_VALUE)              \
  X(alpn_protos_bad_list, CTX, th_context_set_alpn_protos(F.ctx, bad_alpn, 2), TH_ERR_VALUE)  \
  X(privatekey_mismatch, CTX, th_context_use_privatekey(F.ctx, F.other_key), TH_ERR_SSL)      \
  X(privatekey_uninitialized, CTX, th_context_use_privatekey(F.ctx, F.uninit), TH_ERR_VALUE)  \
  X(privatekey_wrong_type, CTX, th_context_use_privatekey(F.ctx, W(th_pkey)), TH_ERR_TYPE)    \
  X(privatekey_file_garbage, CTX, th_context_use_privatekey_file(F.ctx, F.garbage, 1),        \
    TH_ERR_SSL)                                                                               \
  X(certificate_wrong_type, CTX, th_context_use_certificate(F.ctx, W(th_x509)), TH_ERR_TYPE)  \
  X(certificate_file_garbage, CTX, th_context_use_certificate_file(F.ctx, F.garbage, 1),      \
    TH_ERR_SSL)                                                                               \
  X(certificate_file_bad_filetype, CTX, th_context_use_certificate_file(F.ctx, F.half_chain, 3), \
    TH_ERR_VALUE)                                                                             \
  X(chain_file_garbage, CTX, th_context_use_certificate_chain_file(F.ctx, F.garbage), TH_ERR_SSL) \
  X(chain_file_corrupt_second_block, CTX,                                                     \
    th_context_use_certificate_chain_file(F.ctx, F.half_chain), TH_ERR_SSL)                   \
  X(extra_chain_cert_wrong_type, CTX, th_context_add_extra_chain_cert(F.ctx, W(th_x509)),     \
    TH_ERR_TYPE)                                                                              \
  X(client_ca_list_wrong_item, CTX,                                                           \
    th_context_set_client_ca_list(F.ctx, (th_x509_name *[]){F.name, W(th_x509_name)}, 2),     \
    TH_ERR_TYPE)                                                                              \
  X(add_client_ca_wrong_type, CTX, th_context_add_client_ca(F.ctx, W(th_x509)), TH_ERR_TYPE)  \
  X(load_client_ca_garbage, CTX, th_context_load_client_ca(F.ctx, F.garbage), TH_ERR_SSL)     \
  X(load_verify_locations_garbage, CTX, th_context_load_verify_locations(F.ctx, F.garbage, NULL), \
    TH_ERR_SSL)                                                                               \
  X(load_verify_locations_corrupt_second_block, CTX,                                          \
    th_context_load_verify_locations(F.ctx, F.half_chain, NULL), TH_ERR_SSL)                  \
  X(load_tmp_dh_garbage, CTX, th_context_load_tmp_dh(F.ctx, F.garbage), TH_ERR_SSL)           \
  X(host_name_with_nul, CONN,                                                                 \
    th_connection_set_tlsext_host_name(F.conn, (const unsigned char *)"a\0b", 3), TH_ERR_TYPE) \
  X(host_name_empty, CONN,                                                                    \
    th_connection_set_tlsext_host_name(F.conn, (const unsigned char *)"", 0), TH_ERR_VALUE)   \
  X(host_name_too_long, CONN,                                                                 \
    th_connection_set_tlsext_host_name(F.conn, long_host, 300),        \
    TH_ERR_VALUE)                                                                             \
  X(set_session_wrong_type, CONN, th_connection_set_session(F.conn, W(th_session)), TH_ERR_TYPE) \
  X(set_session_null, CONN, th_connection_set_session(F.conn, NULL), TH_ERR_TYPE)             \
  X(set_context_wrong_type, CONN, th_connection_set_context(F.conn, W(th_context)), TH_ERR_TYPE) \
  X(set_shutdown_unknown_bits, CONN, th_connection_set_shutdown(F.conn, 8), TH_ERR_VALUE)     \
  X(conn_alpn_bad_list, CONN, th_connection_set_alpn_protos(F.conn, bad_alpn, 2), TH_ERR_VALUE)

static void state(int what, char *out, size_t size) {
  if (what == CTX)
    ctx_state(out, size);
  else
    conn_state(out, size);
}

/* The state as text, for the shared check (which prints it on a change). */
static th_bytes *snapshot(int what) {
  static char buf[8192];
  state(what, buf, sizeof buf);
  return th_bytes_new(buf, strlen(buf));
}

TU_CHANGE_TEST(ssl_unchanged, failed_change_leaves_object_as_it_was, CASES, snapshot, 1)

/* ---- the ALPN offer, seen by the server of a real handshake ---------------------- */

static int record_offer(th_connection *conn, const char *const *offered, size_t count,
                        const char **selected, void *user) {
  char *seen = user;
  seen[0] = '\0';
  for (size_t i = 0; i < count; i++) {
    strncat(seen, offered[i], 63 - strlen(seen));
    strncat(seen, ",", 63 - strlen(seen));
  }
  *selected = offered[0];
  return TH_OK;
}

static void offer_seen(int on_conn, char *seen) {
  th_context *s = ts_server_ctx(0, 0), *c = ts_client_ctx(0, 0);
  cr_assert_eq(th_context_set_alpn_select_callback(s, record_offer, seen), TH_OK);
  cr_assert_eq(th_context_set_alpn_protos(c, (const char *[]){"h2", "x"}, 2), TH_OK);
  if (!on_conn) cr_assert_eq(th_context_set_alpn_protos(c, bad_alpn, 2), TH_ERR_VALUE);
  ts_pair p;
  ts_pair_new(&p, c, s);
  if (on_conn) {
    cr_assert_eq(th_connection_set_alpn_protos(p.client, (const char *[]){"spdy/3"}, 1), TH_OK);
    cr_assert_eq(th_connection_set_alpn_protos(p.client, bad_alpn, 2), TH_ERR_VALUE);
    cr_assert_eq(th_connection_set_alpn_protos(p.client, bad_alpn, 0), TH_ERR_VALUE);
  }
  ts_connect(&p);
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}

Test(ssl_unchanged, failed_alpn_protos_keep_the_offer) {
  char seen[64] = "";
  offer_seen(0, seen);
  cr_assert_str_eq(seen, "h2,x,");
  offer_seen(1, seen);
  cr_assert_str_eq(seen, "spdy/3,");
}

/* A session of another context is accepted by set_session (OpenSSL checks
 * nothing then), and the handshake falls back to a full one: the server's
 * session id context differs. */
Test(ssl_unchanged, session_from_another_context_is_not_resumed) {
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  cr_assert_eq(th_context_set_session_id(s, (const unsigned char *)"other", 5), TH_OK);
  ts_pair p;
  ts_pair_new(&p, c, s);
  cr_assert_eq(th_connection_set_session(p.client, F.sess), TH_OK, "%s", tu_err());
  ts_connect(&p);
  cr_assert_eq(th_connection_session_reused(p.client), 0);
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}
