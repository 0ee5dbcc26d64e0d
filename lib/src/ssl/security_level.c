/* security_level.c — beyond the spec: OpenSSL's security level on a
 * Context and on a Connection, so that 16.1-era material (1024-bit keys,
 * SHA-1 signatures) can be tested at all on a build whose default refuses
 * it (see docs/compat.md, "Security levels"). */
#include <openssl/ssl.h>

#include "ssl_internal.h"

/* OpenSSL 3 defines levels 0 to 5. */
static int level_ok(int level, const char *func) {
  if (level < 0 || level > 5)
    return th__err(TH_ERR_VALUE, "%s: security level %d is not 0 to 5", func, level);
  return TH_OK;
}

int th_context_set_security_level(th_context *ctx, int level) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  int rc = level_ok(level, __func__);
  if (rc == TH_OK) SSL_CTX_set_security_level(ctx->ctx, level);
  return rc;
}

int th_context_get_security_level(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return SSL_CTX_get_security_level(ctx->ctx);
}

int th_connection_set_security_level(th_connection *conn, int level) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  int rc = level_ok(level, __func__);
  if (rc == TH_OK) SSL_set_security_level(conn->ssl, level);
  return rc;
}

int th_connection_get_security_level(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_get_security_level(conn->ssl);
}
