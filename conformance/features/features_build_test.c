/* features_build_test.c — the features a Configure line can remove, each
 * probed twice: at compile time (the build's OPENSSL_NO_* macro) and at run
 * time (the build really does it). A feature the build lacks is reported
 * UNSUPPORTED with which of the two said so; a present one PASSes only after
 * it was exercised end to end (a handshake that negotiated it, a key that
 * signed and verified, a digest the provider computed). "This build
 * refuses" is a refusal at the point where a build without the feature
 * fails (no cipher suite, no method, no key); any later failure is a FAIL:
 * the build claims the feature and it does not work. */
#include <criterion/criterion.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/comp.h>
#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(features_build);

/* A TLS 1.2 handshake on the two contexts; fails the test (the build
 * accepted the configuration, so it must connect) unless it succeeds. The
 * pair is left to the caller (ts_pair_free). */
__attribute__((unused)) /* every use can be configured out (3.0-min) */
static void must_connect(ts_pair *p, th_context *c, th_context *s, const char *what) {
  char side = 0, why[600] = "";
  ts_pair_new(p, c, s);
  int rc = ts_handshake(p, &side, why, sizeof why);
  cr_assert_eq(rc, TH_OK, "%s: the build accepts it but the handshake failed: %s", what, why);
}

__attribute__((unused)) /* its callers can all be configured out */
static SSL_CTX *raw_ctx(th_context *ctx) {
  SSL_CTX *c = th_context_to_ssl_ctx(ctx);
  cr_assert_not_null(c, "%s", tu_err());
  return c;
}

__attribute__((unused)) /* its callers can all be configured out */
static SSL *raw_ssl(th_connection *conn) {
  SSL *s = th_connection_to_ssl(conn);
  cr_assert_not_null(s, "%s", tu_err());
  return s;
}

/* ---- NPN (no-nextprotoneg) ---------------------------------------------------------------- */

static int npn_advertise(th_connection *conn, const char *const **protos, size_t *count,
                         void *user) {
  static const char *const ours[] = {"h2", "http/1.1"};
  (void)conn;
  (void)user;
  *protos = ours;
  *count = 2;
  return TH_OK;
}

static int npn_select(th_connection *conn, const char *const *offered, size_t count,
                      const char **selected, void *user) {
  (void)conn;
  (void)user;
  *selected = count > 1 ? offered[1] : NULL;
  return TH_OK;
}

Test(features_build, npn) {
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  int rs = th_context_set_npn_advertise_callback(s, npn_advertise, NULL);
  int rc = th_context_set_npn_select_callback(c, npn_select, NULL);
#ifdef OPENSSL_NO_NEXTPROTONEG
  cr_assert_eq(rs, TH_ERR_UNSUPPORTED, "a build without NPN: %s", tu_err());
  cr_assert_eq(rc, TH_ERR_UNSUPPORTED, "a build without NPN: %s", tu_err());
  th_context_free(s);
  th_context_free(c);
  cr_skip_test("UNSUPPORTED: NPN: configured out (OPENSSL_NO_NEXTPROTONEG); the library answers "
               "TH_ERR_UNSUPPORTED");
#else
  cr_assert_eq(rs, TH_OK, "%s", tu_err());
  cr_assert_eq(rc, TH_OK, "%s", tu_err());
  ts_pair p;
  must_connect(&p, c, s, "NPN");
  th_bytes *b = th_connection_get_next_proto_negotiated(p.client);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((const char *)b->data, "http/1.1");
  th_bytes_free(b);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
#endif
}

/* ---- PSK (no-psk) ------------------------------------------------------------------------- */

#ifndef OPENSSL_NO_PSK
static const unsigned char psk_key[16] = "tlsharness-psk!";

static unsigned int psk_client(SSL *ssl, const char *hint, char *identity, unsigned int max_id,
                               unsigned char *psk, unsigned int max_psk) {
  (void)ssl;
  (void)hint;
  if (max_id < 3 || max_psk < sizeof psk_key) return 0;
  memcpy(identity, "th", 3);
  memcpy(psk, psk_key, sizeof psk_key);
  return sizeof psk_key;
}

static unsigned int psk_server(SSL *ssl, const char *identity, unsigned char *psk,
                               unsigned int max_psk) {
  (void)ssl;
  if (identity == NULL || strcmp(identity, "th") != 0 || max_psk < sizeof psk_key) return 0;
  memcpy(psk, psk_key, sizeof psk_key);
  return sizeof psk_key;
}
#endif

Test(features_build, psk_tls1_2) {
#ifdef OPENSSL_NO_PSK
  cr_skip_test("UNSUPPORTED: PSK: configured out (OPENSSL_NO_PSK)");
#else
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  if (th_context_set_cipher_list(s, "PSK") != TH_OK || th_context_set_cipher_list(c, "PSK") != TH_OK) {
    char why[600];
    snprintf(why, sizeof why, "%s", tu_err());
    th_context_free(s);
    th_context_free(c);
    cr_skip_test("UNSUPPORTED: PSK: this build has no PSK cipher suite: %s", why);
  }
  SSL_CTX *rs = raw_ctx(s), *rc = raw_ctx(c);
  SSL_CTX_set_psk_server_callback(rs, psk_server);
  SSL_CTX_set_psk_client_callback(rc, psk_client);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  ts_pair p;
  must_connect(&p, c, s, "PSK");
  th_bytes *name = NULL;
  cr_assert_eq(th_connection_get_cipher_name(p.client, &name), TH_OK, "%s", tu_err());
  cr_assert(strstr((const char *)name->data, "PSK") != NULL, "negotiated %s", name->data);
  th_bytes_free(name);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
#endif
}

/* ---- SRP (no-srp) ------------------------------------------------------------------------- */

#ifndef OPENSSL_NO_SRP
/* SRP is deprecated since OpenSSL 3.0 and has no replacement; exercising
 * it needs the deprecated calls, here and nowhere else. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int srp_server(SSL *ssl, int *alert, void *arg) {
  (void)arg;
  const char *user = SSL_get_srp_username(ssl);
  if (user == NULL || strcmp(user, "th") != 0) {
    *alert = SSL_AD_UNKNOWN_PSK_IDENTITY;
    return SSL3_AL_FATAL;
  }
  return SSL_set_srp_server_param_pw(ssl, "th", "s3cret", "2048") == 1 ? SSL_ERROR_NONE
                                                                       : SSL3_AL_FATAL;
}

static void srp_setup(SSL_CTX *s, SSL_CTX *c) {
  SSL_CTX_set_srp_username_callback(s, srp_server);
  cr_assert_eq(SSL_CTX_set_srp_username(c, "th"), 1);
  cr_assert_eq(SSL_CTX_set_srp_password(c, "s3cret"), 1);
}
#pragma GCC diagnostic pop
#endif

Test(features_build, srp_tls1_2) {
#ifdef OPENSSL_NO_SRP
  cr_skip_test("UNSUPPORTED: SRP: configured out (OPENSSL_NO_SRP)");
#else
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  if (th_context_set_cipher_list(s, "SRP") != TH_OK || th_context_set_cipher_list(c, "SRP") != TH_OK) {
    char why[600];
    snprintf(why, sizeof why, "%s", tu_err());
    th_context_free(s);
    th_context_free(c);
    cr_skip_test("UNSUPPORTED: SRP: this build has no SRP cipher suite: %s", why);
  }
  SSL_CTX *rs = raw_ctx(s), *rc = raw_ctx(c);
  srp_setup(rs, rc);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  ts_pair p;
  must_connect(&p, c, s, "SRP");
  th_bytes *name = NULL;
  cr_assert_eq(th_connection_get_cipher_name(p.client, &name), TH_OK, "%s", tu_err());
  cr_assert(strstr((const char *)name->data, "SRP") != NULL, "negotiated %s", name->data);
  th_bytes_free(name);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
#endif
}

/* ---- compression (no-comp; zlib/brotli/zstd) ---------------------------------------------- */

Test(features_build, compression) {
#ifdef OPENSSL_NO_COMP
  cr_skip_test("UNSUPPORTED: TLS compression: configured out (OPENSSL_NO_COMP)");
#else
  STACK_OF(SSL_COMP) *methods = SSL_COMP_get_compression_methods();
  if (methods == NULL || sk_SSL_COMP_num(methods) == 0)
    cr_skip_test("UNSUPPORTED: TLS compression: this build has no compression method (built "
                 "without zlib, brotli or zstd)");
  /* Compression exists up to TLS 1.2, below security level 2. */
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  cr_assert_eq(th_context_set_cipher_list(s, "DEFAULT:@SECLEVEL=1"), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_cipher_list(c, "DEFAULT:@SECLEVEL=1"), TH_OK, "%s", tu_err());
  SSL_CTX *rs = raw_ctx(s), *rc = raw_ctx(c);
  SSL_CTX_clear_options(rs, SSL_OP_NO_COMPRESSION);
  SSL_CTX_clear_options(rc, SSL_OP_NO_COMPRESSION);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  ts_pair p;
  must_connect(&p, c, s, "compression");
  SSL *ssl = raw_ssl(p.client);
  cr_assert_not_null(SSL_get_current_compression(ssl),
                     "the build lists %d compression method(s) but negotiated none",
                     sk_SSL_COMP_num(methods));
  SSL_free(ssl);
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
#endif
}

/* ---- binary curves (no-ec2m) -------------------------------------------------------------- */

Test(features_build, binary_curves) {
#ifdef OPENSSL_NO_EC2M
  cr_skip_test("UNSUPPORTED: binary (GF(2^m)) curves: configured out (OPENSSL_NO_EC2M)");
#else
  EVP_PKEY *k = EVP_EC_gen("sect283k1");
  if (k == NULL) cr_skip_test("UNSUPPORTED: binary curves: sect283k1 key generation refused");
  th_pkey *key = ts_pkey(k);
  th_x509 *cert = tu_self_signed(key, "sect283k1");
  cr_assert_not_null(cert, "%s", tu_err());
  static const unsigned char msg[] = "tlsharness";
  th_bytes *sig = th_crypto_sign(key, msg, sizeof msg - 1, "sha256");
  cr_assert_not_null(sig, "sect283k1: sign: %s", tu_err());
  cr_assert_eq(th_crypto_verify(cert, sig->data, sig->len, msg, sizeof msg - 1, "sha256"), TH_OK,
               "sect283k1: verify: %s", tu_err());
  th_bytes_free(sig);
  th_x509_free(cert);
  th_pkey_free(key);
  EVP_PKEY_free(k);
#endif
}

/* ---- DTLS (no-dtls, no-dtls1_2) ----------------------------------------------------------- */

#if !defined(OPENSSL_NO_DTLS) && !defined(OPENSSL_NO_DTLS1_2)
/* A UDP socket on 127.0.0.1 connected to the other, wrapped in a dgram BIO. */
static int udp_pair(int fds[2]) {
  struct sockaddr_in a[2];
  socklen_t len = sizeof a[0];
  for (int i = 0; i < 2; i++) {
    fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    memset(&a[i], 0, sizeof a[i]);
    a[i].sin_family = AF_INET;
    a[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a[i], sizeof a[i]) != 0 ||
        getsockname(fds[i], (struct sockaddr *)&a[i], &len) != 0)
      return -1;
  }
  for (int i = 0; i < 2; i++)
    if (connect(fds[i], (struct sockaddr *)&a[1 - i], sizeof a[0]) != 0) return -1;
  return 0;
}

static SSL *dtls_end(SSL_CTX *ctx, int fd, int server) {
  SSL *ssl = SSL_new(ctx);
  cr_assert_not_null(ssl);
  BIO *bio = BIO_new_dgram(fd, BIO_NOCLOSE);
  cr_assert_not_null(bio);
  struct sockaddr_storage peer;
  socklen_t len = sizeof peer;
  cr_assert_eq(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
  BIO_ADDR *addr = BIO_ADDR_new();
  const struct sockaddr_in *in = (const struct sockaddr_in *)&peer;
  BIO_ADDR_rawmake(addr, AF_INET, &in->sin_addr, sizeof in->sin_addr, in->sin_port);
  BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, addr);
  BIO_ADDR_free(addr);
  SSL_set_bio(ssl, bio, bio);
  if (server)
    SSL_set_accept_state(ssl);
  else
    SSL_set_connect_state(ssl);
  return ssl;
}
#endif

Test(features_build, dtls1_2) {
#if defined(OPENSSL_NO_DTLS) || defined(OPENSSL_NO_DTLS1_2)
  cr_skip_test("UNSUPPORTED: DTLS 1.2: configured out (OPENSSL_NO_DTLS / OPENSSL_NO_DTLS1_2)");
#else
  SSL_CTX *sc = SSL_CTX_new(DTLS_server_method()), *cc = SSL_CTX_new(DTLS_client_method());
  if (sc == NULL || cc == NULL) {
    SSL_CTX_free(sc);
    SSL_CTX_free(cc);
    cr_skip_test("UNSUPPORTED: DTLS: this build refuses DTLS_method contexts");
  }
  const ts_pki *pki = ts_pki_get();
  cr_assert_eq(SSL_CTX_use_certificate(sc, pki->server), 1);
  cr_assert_eq(SSL_CTX_use_PrivateKey(sc, pki->server_key), 1);
  int fds[2] = {-1, -1};
  cr_assert_eq(udp_pair(fds), 0, "127.0.0.1 UDP sockets");
  SSL *s = dtls_end(sc, fds[0], 1), *c = dtls_end(cc, fds[1], 0);
  /* Loopback UDP loses nothing: each round moves every flight. */
  int done_s = 0, done_c = 0, rounds = 0;
  for (; rounds < 64 && !(done_s && done_c); rounds++) {
    if (!done_c) {
      int r = SSL_do_handshake(c);
      int e = SSL_get_error(c, r);
      cr_assert(r == 1 || e == SSL_ERROR_WANT_READ, "DTLS client failed: error %d", e);
      done_c = r == 1;
    }
    if (!done_s) {
      int r = SSL_do_handshake(s);
      int e = SSL_get_error(s, r);
      cr_assert(r == 1 || e == SSL_ERROR_WANT_READ, "DTLS server failed: error %d", e);
      done_s = r == 1;
    }
  }
  cr_assert(done_s && done_c, "DTLS handshake did not finish in 64 rounds");
  cr_assert_eq(SSL_version(c), DTLS1_2_VERSION, "negotiated 0x%x", SSL_version(c));
  SSL_free(s);
  SSL_free(c);
  SSL_CTX_free(sc);
  SSL_CTX_free(cc);
  close(fds[0]);
  close(fds[1]);
#endif
}
