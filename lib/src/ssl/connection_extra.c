/* connection_extra.c — SSL.Connection methods beyond pyOpenSSL 16.1 that
 * later pyOpenSSL versions (or TLS 1.3) added: exported keying material,
 * session reuse, the negotiated group, the OCSP staple, the verify result. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

th_bytes *th_connection_export_keying_material(const th_connection *conn, const char *label,
                                               size_t olen, const unsigned char *context,
                                               size_t context_len) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  TH_CHECK_ARG_NULL(label);
  if (olen == 0 || olen > (1u << 20)) {
    th__err(TH_ERR_VALUE, "%s: olen must be 1 to 1 MiB, not %zu", __func__, olen);
    return NULL;
  }
  if (!SSL_is_init_finished(conn->ssl)) {
    th__err(TH_ERR_SSL, "%s: the handshake is not complete", __func__);
    return NULL;
  }
  unsigned char *buf = OPENSSL_malloc(olen);
  if (buf == NULL) {
    th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
    return NULL;
  }
  ERR_clear_error();
  th_bytes *out = NULL;
  if (SSL_export_keying_material(conn->ssl, buf, olen, label, strlen(label),
                                 context, context_len, context != NULL) == 1)
    out = th_bytes_new(buf, olen);
  else
    th__err_ossl(TH_ERR_SSL, "%s: SSL_export_keying_material failed", __func__);
  OPENSSL_clear_free(buf, olen);
  return out;
}

int th_connection_session_reused(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_session_reused(conn->ssl) ? 1 : 0;
}

int th_connection_get_group_name(const th_connection *conn, th_bytes **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  /* OpenSSL 3.0's SSL_get_negotiated_group reads the session: without one
   * (before the handshake) it crashes, so that is None here. */
  if (SSL_get_session(conn->ssl) == NULL) return TH_OK;
  int nid = SSL_get_negotiated_group(conn->ssl);
  if (nid == 0 || nid == NID_undef) return TH_OK;
  const char *name = SSL_group_to_name(conn->ssl, nid);
  if (name == NULL) name = OBJ_nid2sn(nid);
  if (name == NULL) return TH_OK;
  *out = th_bytes_new(name, strlen(name));
  return *out ? TH_OK : th_error_kind();
}

int th_connection_request_ocsp(th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  ERR_clear_error();
  if (SSL_set_tlsext_status_type(conn->ssl, TLSEXT_STATUSTYPE_ocsp) != 1)
    return th__err_ossl(TH_ERR_SSL, "%s: SSL_set_tlsext_status_type failed", __func__);
  return TH_OK;
}

int th_connection_get_ocsp_response(const th_connection *conn, th_bytes **out) {
  TH_CHECK_ARG(out);
  *out = NULL;
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  const unsigned char *p = NULL;
  long n = SSL_get_tlsext_status_ocsp_resp(conn->ssl, &p);
  if (p == NULL || n <= 0) return TH_OK;
  *out = th_bytes_new(p, (size_t)n);
  return *out ? TH_OK : th_error_kind();
}

long th_connection_get_verify_result(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_get_verify_result(conn->ssl);
}
