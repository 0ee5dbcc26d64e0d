/* ssl_test.c — the SSL module: constants and SSLeay_version. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "testutil.h"

TestSuite(ssl);

Test(ssl, method_constants_are_distinct) {
  int m[] = {TH_SSLv2_METHOD, TH_SSLv3_METHOD, TH_SSLv23_METHOD, TH_TLSv1_METHOD,
             TH_TLSv1_1_METHOD, TH_TLSv1_2_METHOD, TH_TLS_METHOD, TH_TLS_SERVER_METHOD,
             TH_TLS_CLIENT_METHOD};
  size_t n = sizeof m / sizeof m[0];
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) cr_assert_neq(m[i], m[j], "%zu and %zu", i, j);
  /* pyOpenSSL's values. */
  cr_assert_eq(TH_SSLv2_METHOD, 1);
  cr_assert_eq(TH_TLSv1_2_METHOD, 6);
}

Test(ssl, verify_constants) {
  cr_assert_eq(TH_VERIFY_NONE, 0);
  cr_assert_eq(TH_VERIFY_PEER, 1);
  cr_assert_eq(TH_VERIFY_FAIL_IF_NO_PEER_CERT, 2);
  cr_assert_eq(TH_VERIFY_CLIENT_ONCE, 4);
}

Test(ssl, filetype_constants) {
  cr_assert_eq(TH_FILETYPE_PEM, SSL_FILETYPE_PEM);
  cr_assert_eq(TH_FILETYPE_ASN1, SSL_FILETYPE_ASN1);
}

/* Options that OpenSSL 3 still implements have their own nonzero bit;
 * those it removed keep their names with value 0. */
Test(ssl, op_constants) {
  uint64_t live[] = {TH_OP_NO_TICKET,   TH_OP_NO_COMPRESSION, TH_OP_NO_SSLv3,
                     TH_OP_NO_TLSv1,    TH_OP_NO_TLSv1_1,     TH_OP_NO_TLSv1_2,
                     TH_OP_NO_TLSv1_3,  TH_OP_CIPHER_SERVER_PREFERENCE,
                     TH_OP_ALLOW_CLIENT_RENEGOTIATION, TH_OP_NO_RENEGOTIATION,
                     TH_OP_DONT_INSERT_EMPTY_FRAGMENTS, TH_OP_NO_QUERY_MTU,
                     TH_OP_COOKIE_EXCHANGE, TH_OP_TLS_ROLLBACK_BUG};
  size_t n = sizeof live / sizeof live[0];
  uint64_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    cr_assert_neq(live[i], 0u, "option %zu", i);
    cr_assert_eq(live[i] & (live[i] - 1), 0u, "option %zu is one bit", i);
    cr_assert_eq(seen & live[i], 0u, "option %zu is distinct", i);
    seen |= live[i];
  }
  cr_assert_eq(TH_OP_NO_TICKET, (uint64_t)SSL_OP_NO_TICKET);
  cr_assert_eq(TH_OP_NO_COMPRESSION, (uint64_t)SSL_OP_NO_COMPRESSION);
  cr_assert_eq(TH_OP_SINGLE_DH_USE, 0u);
  cr_assert_eq(TH_OP_SINGLE_ECDH_USE, 0u);
  cr_assert_eq(TH_OP_EPHEMERAL_RSA, 0u);
  cr_assert_eq(TH_OP_NO_SSLv2, 0u);
  cr_assert_eq(TH_OP_MICROSOFT_SESS_ID_BUG, 0u);
  cr_assert_eq(TH_OP_PKCS1_CHECK_1, 0u);
  cr_assert_neq(TH_OP_ALL, 0u);
  cr_assert_eq(TH_OP_ALL, (uint64_t)SSL_OP_ALL);
}

Test(ssl, mode_constants) {
  long m[] = {TH_MODE_ENABLE_PARTIAL_WRITE, TH_MODE_ACCEPT_MOVING_WRITE_BUFFER,
              TH_MODE_AUTO_RETRY, TH_MODE_NO_AUTO_CHAIN, TH_MODE_RELEASE_BUFFERS,
              TH_MODE_SEND_FALLBACK_SCSV, TH_MODE_ASYNC};
  long seen = 0;
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
    cr_assert_gt(m[i], 0);
    cr_assert_eq(seen & m[i], 0);
    seen |= m[i];
  }
  cr_assert_eq(TH_MODE_RELEASE_BUFFERS, (long)SSL_MODE_RELEASE_BUFFERS);
}

Test(ssl, sess_cache_constants) {
  cr_assert_eq(TH_SESS_CACHE_OFF, 0);
  cr_assert_eq(TH_SESS_CACHE_CLIENT, 1);
  cr_assert_eq(TH_SESS_CACHE_SERVER, 2);
  cr_assert_eq(TH_SESS_CACHE_BOTH, TH_SESS_CACHE_CLIENT | TH_SESS_CACHE_SERVER);
  cr_assert_eq(TH_SESS_CACHE_NO_AUTO_CLEAR, 0x80);
  cr_assert_eq(TH_SESS_CACHE_NO_INTERNAL_LOOKUP, 0x100);
  cr_assert_eq(TH_SESS_CACHE_NO_INTERNAL_STORE, 0x200);
  cr_assert_eq(TH_SESS_CACHE_NO_INTERNAL,
               TH_SESS_CACHE_NO_INTERNAL_LOOKUP | TH_SESS_CACHE_NO_INTERNAL_STORE);
}

Test(ssl, shutdown_constants) {
  cr_assert_eq(TH_SENT_SHUTDOWN, 1);
  cr_assert_eq(TH_RECEIVED_SHUTDOWN, 2);
}

Test(ssl, openssl_version_number) {
  /* Compiled against OpenSSL 3 headers. */
  cr_assert_geq(TH_OPENSSL_VERSION_NUMBER, 0x30000000L);
  cr_assert_eq(TH_OPENSSL_VERSION_NUMBER, (long)OPENSSL_VERSION_NUMBER);
  /* The running library is OpenSSL 3 too, with the same major version. */
  cr_assert_eq(th_ssl_OpenSSL_version_num() >> 28, (unsigned long)TH_OPENSSL_VERSION_NUMBER >> 28);
}

struct version_case {
  int type;
  char prefix[32];
};

ParameterizedTestParameters(ssl, SSLeay_version_types) {
  static struct version_case cases[] = {
      {TH_SSLEAY_VERSION, "OpenSSL "},   {TH_SSLEAY_CFLAGS, "compiler: "},
      {TH_SSLEAY_BUILT_ON, "built on: "}, {TH_SSLEAY_PLATFORM, "platform: "},
      {TH_SSLEAY_DIR, "OPENSSLDIR: "},
  };
  return cr_make_param_array(struct version_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct version_case *c, ssl, SSLeay_version_types) {
  th_bytes *b = th_ssl_SSLeay_version(c->type);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_eq(strncmp((char *)b->data, c->prefix, strlen(c->prefix)), 0, "%s", b->data);
  cr_assert_str_eq((char *)b->data, OpenSSL_version(c->type));
  cr_assert_eq(b->len, strlen((char *)b->data));
  th_bytes_free(b);
}

Test(ssl, SSLeay_version_beyond_spec_types) {
  int types[] = {TH_SSLEAY_ENGINES_DIR, TH_SSLEAY_VERSION_STRING, TH_SSLEAY_FULL_VERSION_STRING,
                 TH_SSLEAY_MODULES_DIR, TH_SSLEAY_CPU_INFO};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    th_bytes *b = th_ssl_SSLeay_version(types[i]);
    cr_assert_not_null(b, "%s", tu_err());
    cr_assert_str_eq((char *)b->data, OpenSSL_version(types[i]));
    th_bytes_free(b);
  }
}

Test(ssl, SSLeay_version_unknown_type) {
  int bad[] = {-1, 10, 99, 1 << 20};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_null(th_ssl_SSLeay_version(bad[i]));
    cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
    cr_assert(strstr(th_error_last()->message, "unknown type") != NULL);
  }
}
