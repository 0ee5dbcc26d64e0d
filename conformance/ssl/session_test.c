/* session_test.c — SSL.Session: construction, reference counting, DER
 * round trips, inspectors, bad input. Sessions from real handshakes are in
 * sessions_test.c. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(session);

Test(session, new_is_empty) {
  th_session *s = th_session_new();
  cr_assert_not_null(s, "%s", tu_err());
  cr_assert_eq(th_session_is_resumable(s), 0);
  cr_assert_eq(th_session_get_protocol_version(s), 0);
  cr_assert_eq(th_session_has_ticket(s), 0);
  th_bytes *id = th_session_get_id(s);
  cr_assert_not_null(id);
  cr_assert_eq(id->len, 0u);
  th_bytes_free(id);
  cr_assert_geq(th_session_get_timeout(s), 0);
  cr_assert_geq(th_session_get_time(s), 0);
  th_session_free(s);
}

Test(session, free_null_and_up_ref) {
  th_session_free(NULL);
  cr_assert_null(th_session_up_ref(NULL));
  th_session *s = th_session_new();
  cr_assert_eq(th_session_up_ref(s), s);
  th_session_free(s);
  cr_assert_eq(th_session_is_resumable(s), 0);
  th_session_free(s);
  th_pkey *k = tu_ec_key();
  cr_assert_null(th_session_up_ref((th_session *)k));
  th_pkey_free(k);
}

/* A session with content, made with raw OpenSSL (so this test does not
 * depend on handshakes). */
static SSL_SESSION *raw_session(void) {
  SSL_SESSION *s = SSL_SESSION_new();
  cr_assert_not_null(s);
  const unsigned char id[] = "0123456789abcdef";
  const unsigned char key[48] = {1, 2, 3};
  cr_assert_eq(SSL_SESSION_set1_id(s, id, 16), 1);
  cr_assert_eq(SSL_SESSION_set1_master_key(s, key, sizeof key), 1);
  cr_assert_eq(SSL_SESSION_set_protocol_version(s, TLS1_2_VERSION), 1);
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  SSL *ssl = SSL_new(c);
  const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, (const unsigned char *)"\xc0\x2b");
  cr_assert_not_null(cipher);
  cr_assert_eq(SSL_SESSION_set_cipher(s, cipher), 1);
  SSL_free(ssl);
  SSL_CTX_free(c);
  SSL_SESSION_set_timeout(s, 777);
  return s;
}

Test(session, escape_hatches_and_inspectors) {
  SSL_SESSION *raw = raw_session();
  th_session *s = th_session_from_ssl_session(raw);
  cr_assert_not_null(s, "%s", tu_err());
  cr_assert_eq(th_session_is_resumable(s), 1);
  cr_assert_eq(th_session_get_protocol_version(s), TH_TLS1_2_VERSION);
  cr_assert_eq(th_session_get_timeout(s), 777);
  th_bytes *id = th_session_get_id(s);
  cr_assert_eq(id->len, 16u);
  cr_assert_eq(memcmp(id->data, "0123456789abcdef", 16), 0);
  th_bytes_free(id);
  SSL_SESSION *back = th_session_to_ssl_session(s);
  cr_assert_eq(back, raw);
  SSL_SESSION_free(back);
  th_session_free(s);
  SSL_SESSION_free(raw);
  cr_assert_null(th_session_from_ssl_session(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_session_to_ssl_session(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
}

Test(session, der_round_trip) {
  SSL_SESSION *raw = raw_session();
  th_session *s = th_session_from_ssl_session(raw);
  SSL_SESSION_free(raw);
  th_bytes *der = th_session_to_der(s);
  cr_assert_not_null(der, "%s", tu_err());
  cr_assert_gt(der->len, 16u);
  th_session *back = th_session_from_der(der->data, der->len);
  cr_assert_not_null(back, "%s", tu_err());
  th_bytes *id1 = th_session_get_id(s), *id2 = th_session_get_id(back);
  cr_assert_eq(id1->len, id2->len);
  cr_assert_eq(memcmp(id1->data, id2->data, id1->len), 0);
  cr_assert_eq(th_session_get_protocol_version(back), TH_TLS1_2_VERSION);
  cr_assert_eq(th_session_get_timeout(back), 777);
  cr_assert_eq(th_session_is_resumable(back), 1);
  th_bytes *der2 = th_session_to_der(back);
  cr_assert_eq(der2->len, der->len);
  cr_assert_eq(memcmp(der2->data, der->data, der->len), 0);
  th_bytes_free(id1);
  th_bytes_free(id2);
  th_bytes_free(der);
  th_bytes_free(der2);
  th_session_free(s);
  th_session_free(back);
}

Test(session, from_der_bad_input) {
  const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  cr_assert_null(th_session_from_der(junk, sizeof junk));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert_null(th_session_from_der((const unsigned char *)"garbage", 7));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert_null(th_session_from_der(NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  cr_assert_null(th_session_from_der(NULL, 5));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_session_from_der(junk, (size_t)-1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  /* A truncated encoding. */
  SSL_SESSION *raw = raw_session();
  th_session *s = th_session_from_ssl_session(raw);
  SSL_SESSION_free(raw);
  th_bytes *der = th_session_to_der(s);
  cr_assert_null(th_session_from_der(der->data, der->len / 2));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  th_bytes_free(der);
  th_session_free(s);
}

Test(session, bad_session_argument) {
  th_pkey *k = tu_ec_key();
  th_session *w = (th_session *)k;
  cr_assert_null(th_session_to_der(NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_null(th_session_to_der(w));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_session_is_resumable(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_session_is_resumable(w), TH_ERR_TYPE);
  cr_assert_eq(th_session_get_protocol_version(w), TH_ERR_TYPE);
  cr_assert_eq(th_session_get_timeout(w), TH_ERR_TYPE);
  cr_assert_eq(th_session_get_time(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_session_has_ticket(w), TH_ERR_TYPE);
  cr_assert_null(th_session_get_id(w));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_pkey_free(k);
}
