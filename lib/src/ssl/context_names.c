/* context_names.c — SSL.Context, beyond the spec: the names and policy the
 * peer's certificate must meet (the SSL_CTX's X509_VERIFY_PARAM, which
 * every Connection made afterwards copies). The checks and the refusals
 * are crypto's (verify_param.c), the same as X509Store's. */
#include <openssl/ssl.h>

#include "ssl_internal.h"

#define CTX_PARAM(ctx) SSL_CTX_get0_param((ctx)->ctx)

int th_context_set_host(th_context *ctx, const char *name, size_t len) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_host(CTX_PARAM(ctx), name, len, 0, __func__);
}

int th_context_add_host(th_context *ctx, const char *name, size_t len) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_host(CTX_PARAM(ctx), name, len, 1, __func__);
}

int th_context_set_ip(th_context *ctx, const char *text) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_ip(CTX_PARAM(ctx), text, __func__);
}

int th_context_set_email(th_context *ctx, const char *addr, size_t len) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_email(CTX_PARAM(ctx), addr, len, __func__);
}

int th_context_set_host_flags(th_context *ctx, unsigned int flags) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_host_flags(CTX_PARAM(ctx), flags, __func__);
}

int th_context_set_purpose(th_context *ctx, int purpose) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_purpose(CTX_PARAM(ctx), purpose, __func__);
}

int th_context_set_auth_level(th_context *ctx, int level) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_auth_level(CTX_PARAM(ctx), level, __func__);
}

int th_context_set_verify_flags(th_context *ctx, unsigned long flags) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return th__vp_flags(CTX_PARAM(ctx), flags, __func__);
}
