/* session.c — SSL.Session. */
#include <limits.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

static void session_destroy(void *self) { SSL_SESSION_free(((th_session *)self)->sess); }

const th_type TH_TYPE_SESSION = {"Session", session_destroy};

TH_DEFINE_REFCOUNT(session, th_session, TH_TYPE_SESSION)

TH_DEFINE_WRAP(th__session_wrap, th_session, TH_TYPE_SESSION, sess, SSL_SESSION, SSL_SESSION_free)

th_session *th_session_new(void) {
  SSL_SESSION *s = SSL_SESSION_new();
  if (s == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_session_new: SSL_SESSION_new failed");
    return NULL;
  }
  return th__session_wrap(s);
}

th_session *th_session_from_ssl_session(SSL_SESSION *s) {
  TH_CHECK_ARG_NULL(s);
  if (!SSL_SESSION_up_ref(s)) {
    th__err_ossl(TH_ERR_SSL, "th_session_from_ssl_session: SSL_SESSION_up_ref failed");
    return NULL;
  }
  return th__session_wrap(s);
}

SSL_SESSION *th_session_to_ssl_session(const th_session *sess) {
  TH_CHECK_NULL(sess, &TH_TYPE_SESSION);
  SSL_SESSION_up_ref(sess->sess);
  return sess->sess;
}

th_bytes *th_session_to_der(const th_session *sess) {
  TH_CHECK_NULL(sess, &TH_TYPE_SESSION);
  ERR_clear_error();
  unsigned char *der = NULL;
  int n = i2d_SSL_SESSION(sess->sess, &der);
  if (n <= 0) {
    th__err_ossl(TH_ERR_SSL, "th_session_to_der: i2d_SSL_SESSION failed");
    return NULL;
  }
  th_bytes *b = th_bytes_new(der, (size_t)n);
  OPENSSL_clear_free(der, (size_t)n); /* it holds the master secret */
  return b;
}

th_session *th_session_from_der(const unsigned char *der, size_t len) {
  if (der == NULL && len > 0) {
    th__err(TH_ERR_TYPE, "th_session_from_der: der is NULL");
    return NULL;
  }
  if (len > LONG_MAX) {
    th__err(TH_ERR_VALUE, "th_session_from_der: len %zu is too large", len);
    return NULL;
  }
  ERR_clear_error();
  const unsigned char *p = der;
  SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)len);
  if (s == NULL) {
    th__err_ossl(TH_ERR_SSL, "th_session_from_der: not a DER SSL session");
    return NULL;
  }
  return th__session_wrap(s);
}

int th_session_is_resumable(const th_session *sess) {
  TH_CHECK(sess, &TH_TYPE_SESSION);
  return SSL_SESSION_is_resumable(sess->sess) ? 1 : 0;
}

int th_session_get_protocol_version(const th_session *sess) {
  TH_CHECK(sess, &TH_TYPE_SESSION);
  return SSL_SESSION_get_protocol_version(sess->sess);
}

th_bytes *th_session_get_id(const th_session *sess) {
  TH_CHECK_NULL(sess, &TH_TYPE_SESSION);
  unsigned int n = 0;
  const unsigned char *id = SSL_SESSION_get_id(sess->sess, &n);
  return th_bytes_new(id, n);
}

long th_session_get_timeout(const th_session *sess) {
  TH_CHECK(sess, &TH_TYPE_SESSION);
  return SSL_SESSION_get_timeout(sess->sess);
}

long th_session_get_time(const th_session *sess) {
  TH_CHECK(sess, &TH_TYPE_SESSION);
  /* SSL_SESSION_get_time is deprecated since 3.4 (its long overflows in
   * 2038); the time_t variant exists since 3.3. */
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
  return (long)SSL_SESSION_get_time_ex(sess->sess);
#else
  return SSL_SESSION_get_time(sess->sess);
#endif
}

int th_session_has_ticket(const th_session *sess) {
  TH_CHECK(sess, &TH_TYPE_SESSION);
  return SSL_SESSION_has_ticket(sess->sess) ? 1 : 0;
}
