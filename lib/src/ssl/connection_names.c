/* connection_names.c — SSL.Connection, beyond the spec: the names and policy
 * the peer's certificate must meet for this connection (the SSL's own
 * X509_VERIFY_PARAM, copied from its Context when it was made), and the name
 * that matched. The checks and the refusals are crypto's (verify_param.c),
 * the same as X509Store's. */
#include <openssl/ssl.h>

#include "ssl_internal.h"

#define CONN_PARAM(conn) SSL_get0_param((conn)->ssl)

int th_connection_set_host(th_connection *conn, const char *name, size_t len) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_host(CONN_PARAM(conn), name, len, 0, __func__);
}

int th_connection_add_host(th_connection *conn, const char *name, size_t len) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_host(CONN_PARAM(conn), name, len, 1, __func__);
}

int th_connection_set_ip(th_connection *conn, const char *text) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_ip(CONN_PARAM(conn), text, __func__);
}

int th_connection_set_email(th_connection *conn, const char *addr, size_t len) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_email(CONN_PARAM(conn), addr, len, __func__);
}

int th_connection_set_host_flags(th_connection *conn, unsigned int flags) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_host_flags(CONN_PARAM(conn), flags, __func__);
}

int th_connection_set_purpose(th_connection *conn, int purpose) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_purpose(CONN_PARAM(conn), purpose, __func__);
}

int th_connection_set_auth_level(th_connection *conn, int level) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_auth_level(CONN_PARAM(conn), level, __func__);
}

int th_connection_set_verify_flags(th_connection *conn, unsigned long flags) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return th__vp_flags(CONN_PARAM(conn), flags, __func__);
}

int th_connection_get_peer_name(const th_connection *conn, th_bytes **out) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  /* SSL_get0_peername: the certificate's name that matched one of the
   * param's names, stored by the host check even when a later check of
   * the chain fails: only a verified chain makes it the verified name. */
  const char *name = SSL_get0_peername(conn->ssl);
  if (SSL_get_verify_result(conn->ssl) != X509_V_OK) name = NULL;
  return th__vp_peer_name(name, out, __func__);
}
