/* context.c — SSL.Context: life cycle, escape hatches, options, modes,
 * protocol bounds, ciphers, session settings and app data. Certificates
 * and keys are in context_certs.c (the passphrase trampoline is here),
 * verification in context_verify.c,
 * callbacks in context_callbacks.c and context_alpn.c. */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

/* ---- passphrase ------------------------------------------------------------- */

/* OpenSSL's pem_password_cb: ask the user's callback; truncate as the spec
 * says; carry a negative status out through the failed load. Without a
 * callback, answer "no passphrase" rather than prompting on a terminal. */
static int passwd_trampoline(char *buf, int size, int rwflag, void *u) {
  th_context *ctx = u;
  if (ctx == NULL || ctx->passphrase.fn == NULL || size <= 0) return 0;
  th_passwd_cb fn = (th_passwd_cb)ctx->passphrase.fn;
  th_error_clear(); /* an earlier, unrelated record is not the callback's */
  int r = fn(buf, size, rwflag, ctx->passphrase.user);
  if (r < 0) {
    th__cb_fail(NULL, ctx, r);
    return 0;
  }
  return r > size ? size : r;
}

void th__ctx_install_passwd(th_context *ctx, int force) {
  /* A wrapped SSL_CTX that has its own passphrase callback keeps it until
   * set_passwd_cb is called (force). */
  if (!force && SSL_CTX_get_default_passwd_cb(ctx->ctx) != NULL) return;
  SSL_CTX_set_default_passwd_cb(ctx->ctx, passwd_trampoline);
  SSL_CTX_set_default_passwd_cb_userdata(ctx->ctx, ctx);
}

/* An SSL_CTX that outlives its th_context (th_context_to_ssl_ctx) must not
 * call trampolines that would read the freed context: remove the ones we
 * installed (and only those: a wrapped SSL_CTX keeps its own). */
static void ctx_drop_callbacks(th_context *ctx) {
  SSL_CTX *c = ctx->ctx;
  if (SSL_CTX_get_default_passwd_cb_userdata(c) == ctx) {
    SSL_CTX_set_default_passwd_cb(c, NULL);
    SSL_CTX_set_default_passwd_cb_userdata(c, NULL);
  }
  if (ctx->verify.fn) SSL_CTX_set_verify(c, SSL_CTX_get_verify_mode(c), NULL);
  if (ctx->info.fn) SSL_CTX_set_info_callback(c, NULL);
  if (ctx->keylog.fn) SSL_CTX_set_keylog_callback(c, NULL);
  if (ctx->servername.fn) SSL_CTX_callback_ctrl(c, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, NULL);
  if (ctx->ocsp_server.fn || ctx->ocsp_client.fn)
    SSL_CTX_callback_ctrl(c, SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB, NULL);
  if (ctx->alpn_select.fn) SSL_CTX_set_alpn_select_cb(c, NULL, NULL);
#ifndef OPENSSL_NO_NEXTPROTONEG
  if (ctx->npn_advertise.fn) SSL_CTX_set_next_protos_advertised_cb(c, NULL, NULL);
  if (ctx->npn_select.fn) SSL_CTX_set_next_proto_select_cb(c, NULL, NULL);
#endif
}

static void context_destroy(void *self) {
  th_context *ctx = self;
  if (ctx->ctx != NULL) {
    th__ctx_detach(ctx);
    ctx_drop_callbacks(ctx);
    SSL_CTX_free(ctx->ctx);
  }
  OPENSSL_free(ctx->npn_protos);
}

const th_type TH_TYPE_CONTEXT = {"Context", context_destroy};

TH_DEFINE_REFCOUNT(context, th_context, TH_TYPE_CONTEXT)

/* The OpenSSL method and version bounds for a TH_*_METHOD. Version-specific
 * methods are TLS_method() pinned to one version: OpenSSL 3 deprecates
 * TLSv1_method() and friends, and pinning behaves the same. */
static int method_params(int method, const SSL_METHOD **m, int *version) {
  *version = 0;
  *m = TLS_method();
  switch (method) {
    case TH_SSLv2_METHOD:
      return th__err(TH_ERR_UNSUPPORTED,
                     "th_context_new: SSLv2_METHOD is not supported by this OpenSSL build "
                     "(OpenSSL 1.1.0 removed SSLv2)");
    case TH_SSLv3_METHOD:
#ifdef OPENSSL_NO_SSL3_METHOD
      return th__err(TH_ERR_UNSUPPORTED,
                     "th_context_new: SSLv3_METHOD is not supported by this OpenSSL build "
                     "(built with no-ssl3)");
#else
      *version = SSL3_VERSION;
      return TH_OK;
#endif
    case TH_SSLv23_METHOD:
    case TH_TLS_METHOD: return TH_OK;
    case TH_TLSv1_METHOD:
#ifdef OPENSSL_NO_TLS1
      return th__err(TH_ERR_UNSUPPORTED,
                     "th_context_new: TLSv1_METHOD is not supported by this OpenSSL build "
                     "(built with no-tls1)");
#else
      *version = TLS1_VERSION;
      return TH_OK;
#endif
    case TH_TLSv1_1_METHOD:
#ifdef OPENSSL_NO_TLS1_1
      return th__err(TH_ERR_UNSUPPORTED,
                     "th_context_new: TLSv1_1_METHOD is not supported by this OpenSSL build "
                     "(built with no-tls1_1)");
#else
      *version = TLS1_1_VERSION;
      return TH_OK;
#endif
    case TH_TLSv1_2_METHOD: *version = TLS1_2_VERSION; return TH_OK;
    case TH_TLS_SERVER_METHOD: *m = TLS_server_method(); return TH_OK;
    case TH_TLS_CLIENT_METHOD: *m = TLS_client_method(); return TH_OK;
    default:
      return th__err(TH_ERR_VALUE, "th_context_new: unknown method %d (expected a TH_*_METHOD)",
                     method);
  }
}

static th_context *context_wrap(SSL_CTX *sslctx, OSSL_LIB_CTX *libctx, int method) {
  th_context *ctx = th__obj_new(&TH_TYPE_CONTEXT, sizeof *ctx);
  if (ctx == NULL) {
    SSL_CTX_free(sslctx);
    return NULL;
  }
  ctx->ctx = sslctx;
  ctx->libctx = libctx;
  ctx->method = method;
  if (th__ctx_attach(ctx) != TH_OK) {
    th__err(TH_ERR_NOMEM, "th_context_new: cannot attach the context to its SSL_CTX");
    th_context_free(ctx);
    return NULL;
  }
  th__ctx_install_passwd(ctx, 0);
  return ctx;
}

th_context *th_context_new_ex(int method, OSSL_LIB_CTX *libctx, const char *propq) {
  const SSL_METHOD *m;
  int version;
  if (method_params(method, &m, &version) != TH_OK) return NULL;
  th__ctx_clear_errors();
  SSL_CTX *sslctx = SSL_CTX_new_ex(libctx, propq, m);
  if (sslctx == NULL) {
    th__err_ossl(TH_ERR_SSL, "th_context_new: SSL_CTX_new_ex failed");
    return NULL;
  }
  if (version != 0 && (!SSL_CTX_set_min_proto_version(sslctx, version) ||
                       !SSL_CTX_set_max_proto_version(sslctx, version))) {
    th__err_ossl(TH_ERR_UNSUPPORTED, "th_context_new: this OpenSSL build cannot pin version 0x%04x",
                 version);
    SSL_CTX_free(sslctx);
    return NULL;
  }
  return context_wrap(sslctx, libctx, method);
}

th_context *th_context_new(int method) { return th_context_new_ex(method, NULL, NULL); }

th_context *th_context_from_ssl_ctx(SSL_CTX *sslctx) {
  TH_CHECK_ARG_NULL(sslctx);
  th_context *owner = th__ctx_from_sslctx(sslctx);
  if (owner != NULL) return th__obj_up_ref(owner);
  if (!SSL_CTX_up_ref(sslctx)) {
    th__err_ossl(TH_ERR_SSL, "th_context_from_ssl_ctx: SSL_CTX_up_ref failed");
    return NULL;
  }
  return context_wrap(sslctx, NULL, TH_TLS_METHOD);
}

SSL_CTX *th_context_to_ssl_ctx(const th_context *ctx) {
  TH_CHECK_NULL(ctx, &TH_TYPE_CONTEXT);
  SSL_CTX_up_ref(ctx->ctx);
  return ctx->ctx;
}

/* ---- options and modes ------------------------------------------------------ */

int64_t th_context_set_options(th_context *ctx, uint64_t options) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return (int64_t)SSL_CTX_set_options(ctx->ctx, options);
}

int64_t th_context_clear_options(th_context *ctx, uint64_t options) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return (int64_t)SSL_CTX_clear_options(ctx->ctx, options);
}

int64_t th_context_get_options(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return (int64_t)SSL_CTX_get_options(ctx->ctx);
}

long th_context_set_mode(th_context *ctx, long mode) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (mode < 0) return th__err(TH_ERR_VALUE, "th_context_set_mode: negative mode %ld", mode);
  return SSL_CTX_set_mode(ctx->ctx, mode);
}

long th_context_get_mode(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return SSL_CTX_get_mode(ctx->ctx);
}

/* ---- protocol versions, ciphers, groups ------------------------------------------- */

static int valid_version(int v) {
  return v == 0 || v == SSL3_VERSION || v == TLS1_VERSION || v == TLS1_1_VERSION ||
         v == TLS1_2_VERSION || v == TLS1_3_VERSION;
}

int th_context_set_min_proto_version(th_context *ctx, int version) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (!valid_version(version) || !SSL_CTX_set_min_proto_version(ctx->ctx, version))
    return th__err(TH_ERR_VALUE, "th_context_set_min_proto_version: invalid version 0x%x",
                   (unsigned)version);
  return TH_OK;
}

int th_context_set_max_proto_version(th_context *ctx, int version) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (!valid_version(version) || !SSL_CTX_set_max_proto_version(ctx->ctx, version))
    return th__err(TH_ERR_VALUE, "th_context_set_max_proto_version: invalid version 0x%x",
                   (unsigned)version);
  return TH_OK;
}

int th_context_get_min_proto_version(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return (int)SSL_CTX_get_min_proto_version(ctx->ctx);
}

int th_context_get_max_proto_version(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return (int)SSL_CTX_get_max_proto_version(ctx->ctx);
}

SSL_CTX *th__ctx_scratch(const th_context *ctx, const char *func) {
  SSL_CTX *c = SSL_CTX_new_ex(ctx->libctx, NULL, SSL_CTX_get_ssl_method(ctx->ctx));
  if (c == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "%s: cannot make a scratch SSL_CTX", func);
    return NULL;
  }
  SSL_CTX_set_security_level(c, SSL_CTX_get_security_level(ctx->ctx));
  return c;
}

/* set_cipher_list, set_ciphersuites and set_groups share one shape: a
 * string OpenSSL parses, rejected as a whole (the context unchanged).
 * With scratch set, the string is tried on a scratch SSL_CTX first:
 * OpenSSL 3's SSL_CTX_set_cipher_list installs the new list (and any
 * "@SECLEVEL=n") before it finds that no TLS 1.2 cipher matched and fails,
 * and the strict ciphersuites check sets one name at a time. The groups
 * list is parsed whole before anything is installed, so it skips the
 * scratch context (which costs a whole SSL_CTX: the benchmark's
 * new-context-per-handshake scenario sets groups twice per handshake). */
static int set_string(th_context *ctx, const char *s, int (*set)(SSL_CTX *, const char *),
                      int scratch, const char *func, const char *what) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (s == NULL) return th__err(TH_ERR_TYPE, "%s: %s is NULL", func, what);
  th__ctx_clear_errors();
  int ok = 1;
  if (scratch) {
    SSL_CTX *c = th__ctx_scratch(ctx, func);
    if (c == NULL) return TH_ERR_NOMEM;
    ok = set(c, s) == 1;
    SSL_CTX_free(c);
  }
  if (!ok || set(ctx->ctx, s) != 1)
    return th__err_ossl(TH_ERR_SSL, "%s: invalid %s \"%s\"", func, what, s);
  return TH_OK;
}

int th_context_set_cipher_list(th_context *ctx, const char *cipher_list) {
  return set_string(ctx, cipher_list, SSL_CTX_set_cipher_list, 1, __func__, "cipher list");
}

/* OpenSSL 3 skips unknown TLS 1.3 names in a list that has a known one
 * ("TLS_AES_128_GCM_SHA256:typo" succeeds): check each name alone, so that
 * a typo is an error, as the header documents. "" (no suites) is valid. */
static int set_suites_strict(SSL_CTX *c, const char *s) {
  /* One name at a time, copied into a small buffer: a list of any length
   * (repeats included) is checked; a single name longer than any suite's
   * cannot be valid. */
  char name[128];
  for (const char *p = s; *p != '\0';) {
    size_t n = strcspn(p, ":");
    if (n >= sizeof name) return 0;
    if (n > 0) {
      memcpy(name, p, n);
      name[n] = '\0';
      if (SSL_CTX_set_ciphersuites(c, name) != 1) return 0;
    }
    p += n;
    if (*p == ':') p++;
  }
  return SSL_CTX_set_ciphersuites(c, s);
}

int th_context_set_ciphersuites(th_context *ctx, const char *ciphersuites) {
  return set_string(ctx, ciphersuites, set_suites_strict, 1, __func__, "ciphersuites");
}

static int set_groups_list(SSL_CTX *c, const char *s) { return (int)SSL_CTX_set1_groups_list(c, s); }

int th_context_set_groups(th_context *ctx, const char *groups) {
  return set_string(ctx, groups, set_groups_list, 0, __func__, "group list");
}

/* ---- sessions ------------------------------------------------------------------ */

#define SESS_CACHE_KNOWN                                                              \
  (SSL_SESS_CACHE_BOTH | SSL_SESS_CACHE_NO_AUTO_CLEAR | SSL_SESS_CACHE_NO_INTERNAL | \
   SSL_SESS_CACHE_UPDATE_TIME)

long th_context_set_session_cache_mode(th_context *ctx, long mode) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (mode < 0 || (mode & ~(long)SESS_CACHE_KNOWN) != 0)
    return th__err(TH_ERR_VALUE, "th_context_set_session_cache_mode: unknown mode bits 0x%lx",
                   (unsigned long)mode);
  return SSL_CTX_set_session_cache_mode(ctx->ctx, mode);
}

long th_context_get_session_cache_mode(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return SSL_CTX_get_session_cache_mode(ctx->ctx);
}

int th_context_set_session_id(th_context *ctx, const unsigned char *buf, size_t len) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (buf == NULL && len > 0) return th__err(TH_ERR_TYPE, "th_context_set_session_id: buf is NULL");
  if (len > UINT_MAX) len = UINT_MAX; /* still too long: OpenSSL says so below */
  th__ctx_clear_errors();
  if (SSL_CTX_set_session_id_context(ctx->ctx, buf, (unsigned int)len) != 1)
    return th__err_ossl(TH_ERR_SSL, "th_context_set_session_id: %zu bytes (at most %d)", len,
                        SSL_MAX_SID_CTX_LENGTH);
  return TH_OK;
}

long th_context_set_timeout(th_context *ctx, long timeout) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  if (timeout < 0)
    return th__err(TH_ERR_VALUE, "th_context_set_timeout: negative timeout %ld", timeout);
  return SSL_CTX_set_timeout(ctx->ctx, timeout);
}

long th_context_get_timeout(const th_context *ctx) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  return SSL_CTX_get_timeout(ctx->ctx);
}

/* ---- app data ---------------------------------------------------------------------- */

int th_context_set_app_data(th_context *ctx, void *data) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->app_data = data;
  return TH_OK;
}

void *th_context_get_app_data(const th_context *ctx) {
  TH_CHECK_NULL(ctx, &TH_TYPE_CONTEXT);
  return ctx->app_data;
}
