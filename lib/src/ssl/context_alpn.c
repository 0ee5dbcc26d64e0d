/* context_alpn.c — SSL.Context: ALPN (set_alpn_protos,
 * set_alpn_select_callback) and NPN (set_npn_advertise_callback,
 * set_npn_select_callback; TLS 1.2 and below only). Protocol lists cross
 * the API as NUL-terminated names and OpenSSL as wire format (length-
 * prefixed). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"

int th__protos_to_wire(const char *const *protos, size_t count, unsigned char **out,
                       size_t *outlen, const char *func) {
  *out = NULL;
  *outlen = 0;
  if (protos == NULL && count > 0) return th__err(TH_ERR_TYPE, "%s: protos is NULL", func);
  size_t total = 0;
  for (size_t i = 0; i < count; i++) {
    if (protos[i] == NULL) return th__err(TH_ERR_TYPE, "%s: protocol %zu is NULL", func, i);
    size_t n = strlen(protos[i]);
    if (n == 0 || n > 255)
      return th__err(TH_ERR_VALUE, "%s: protocol %zu has length %zu (must be 1..255)", func, i, n);
    total += n + 1;
  }
  if (count == 0) return TH_OK;
  unsigned char *buf = OPENSSL_malloc(total), *p = buf;
  if (buf == NULL) return th__err(TH_ERR_NOMEM, "%s: out of memory", func);
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(protos[i]);
    *p++ = (unsigned char)n;
    memcpy(p, protos[i], n);
    p += n;
  }
  *out = buf;
  *outlen = total;
  return TH_OK;
}

/* The offered wire list as NUL-terminated names: one allocation holding
 * the pointer array, then the strings. A name holding a NUL byte cannot
 * cross the API whole (the callback would see it cut short and could
 * select a protocol the peer never offered), so it is left out: the
 * callback sees only the names it can select. */
static char **wire_to_names(const unsigned char *in, unsigned int inlen, size_t *count) {
  size_t n = 0;
  for (unsigned int i = 0; i < inlen; i += in[i] + 1u) n++;
  char **names = OPENSSL_malloc((n + 1) * sizeof(char *) + inlen + n + 1);
  if (names == NULL) return NULL;
  char *text = (char *)(names + n + 1);
  size_t k = 0;
  for (unsigned int i = 0; i < inlen && k < n; i += in[i] + 1u) {
    unsigned int len = in[i];
    if (i + 1u + len > inlen) len = inlen - i - 1u; /* malformed: OpenSSL checked already */
    if (memchr(in + i + 1, '\0', len) != NULL) continue;
    names[k++] = text;
    memcpy(text, in + i + 1, len);
    text[len] = '\0';
    text += len + 1;
  }
  names[k] = NULL;
  *count = k;
  return names;
}

/* Point *out at the selection: inside the offer when it is one of them
 * (OpenSSL copies it right away), else in the SSL's scratch memory. */
static int place_selection(SSL *ssl, const char *sel, const unsigned char *in, unsigned int inlen,
                           const unsigned char **out, unsigned char *outlen) {
  size_t n = strlen(sel);
  /* An empty selection fails the handshake (SSL.Error in 16.1, whose
   * OpenSSL sent it and the peer refused it); an over-long one cannot be
   * sent at all. */
  if (n == 0)
    return th__err(TH_ERR_SSL, "protocol select callback: selected an empty protocol");
  if (n > 255)
    return th__err(TH_ERR_VALUE, "protocol select callback: selected protocol has length %zu", n);
  for (unsigned int i = 0; i < inlen; i += in[i] + 1u) {
    if (in[i] == n && i + 1u + n <= inlen && memcmp(in + i + 1, sel, n) == 0) {
      *out = in + i + 1;
      *outlen = (unsigned char)n;
      return TH_OK;
    }
  }
  unsigned char *buf = th__ssl_scratch(ssl, n);
  if (buf == NULL) return th__err(TH_ERR_NOMEM, "protocol select callback: out of memory");
  memcpy(buf, sel, n);
  *out = buf;
  *outlen = (unsigned char)n;
  return TH_OK;
}

int th__proto_select_run(SSL *ssl, th_context *ctx, const th_cb *cb, const unsigned char *in,
                         unsigned int inlen, const unsigned char **out, unsigned char *outlen) {
  th__cb_owner o = th__cb_owner_of(ssl);
  if (o.ctx == NULL) o.ctx = ctx;
  size_t count = 0;
  char **offered = wire_to_names(in, inlen, &count);
  int r;
  if (offered == NULL) {
    r = th__err(TH_ERR_NOMEM, "protocol select callback: out of memory");
  } else {
    const char *selected = NULL;
    r = ((th_proto_select_cb)cb->fn)(o.conn, (const char *const *)offered, count, &selected,
                                     cb->user);
    if (r >= 0) r = selected == NULL ? 0 : place_selection(ssl, selected, in, inlen, out, outlen);
    if (r == TH_OK && selected != NULL) r = 1;
    OPENSSL_free(offered);
  }
  if (r < 0) th__owner_fail(o, r);
  return r;
}

/* ---- ALPN ------------------------------------------------------------------------ */

int th_context_set_alpn_protos(th_context *ctx, const char *const *protos, size_t count) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  unsigned char *wire;
  size_t len;
  int rc = th__protos_to_wire(protos, count, &wire, &len, __func__);
  if (rc != TH_OK) return rc;
  /* SSL_CTX_set_alpn_protos returns 0 on success. */
  rc = SSL_CTX_set_alpn_protos(ctx->ctx, wire, (unsigned int)len);
  OPENSSL_free(wire);
  if (rc != 0) return th__err_ossl(TH_ERR_NOMEM, "th_context_set_alpn_protos: OpenSSL failed");
  return TH_OK;
}

static int alpn_select_trampoline(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                  const unsigned char *in, unsigned int inlen, void *arg) {
  th_context *ctx = arg;
  th_connection *conn = th__conn_from_ssl(ssl);
  /* A per-connection callback (where the Connection offers one) wins. */
  const th_cb *cb = conn != NULL && conn->alpn_select.fn != NULL ? &conn->alpn_select
                                                                 : &ctx->alpn_select;
  if (cb->fn == NULL) return SSL_TLSEXT_ERR_NOACK;
  int r = th__proto_select_run(ssl, ctx, cb, in, inlen, out, outlen);
  return r > 0 ? SSL_TLSEXT_ERR_OK : r == 0 ? SSL_TLSEXT_ERR_NOACK : SSL_TLSEXT_ERR_ALERT_FATAL;
}

int th_context_set_alpn_select_callback(th_context *ctx, th_proto_select_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
  ctx->alpn_select.fn = (void (*)(void))fn;
  ctx->alpn_select.user = user;
  if (fn != NULL)
    SSL_CTX_set_alpn_select_cb(ctx->ctx, alpn_select_trampoline, ctx);
  else
    SSL_CTX_set_alpn_select_cb(ctx->ctx, NULL, NULL);
  return TH_OK;
}

/* ---- NPN (TLS 1.2 and below) --------------------------------------------------------- */

#ifndef OPENSSL_NO_NEXTPROTONEG
static int npn_advertise_trampoline(SSL *ssl, const unsigned char **out, unsigned int *outlen,
                                    void *arg) {
  th_context *ctx = arg;
  th__cb_owner o = th__cb_owner_of(ssl);
  if (o.ctx == NULL) o.ctx = ctx;
  const char *const *protos = NULL;
  size_t count = 0;
  int r = ((th_npn_advertise_cb)ctx->npn_advertise.fn)(o.conn, &protos, &count,
                                                       ctx->npn_advertise.user);
  unsigned char *wire = NULL;
  size_t len = 0;
  if (r >= 0) r = th__protos_to_wire(protos, count, &wire, &len, "NPN advertise callback");
  if (r < 0) {
    th__owner_fail(o, r);
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  if (len == 0) return SSL_TLSEXT_ERR_NOACK;
  unsigned char *buf = th__ssl_scratch(ssl, len);
  if (buf != NULL) memcpy(buf, wire, len);
  OPENSSL_free(wire);
  if (buf == NULL) {
    th__owner_fail(o, th__err(TH_ERR_NOMEM, "NPN advertise callback: out of memory"));
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = buf;
  *outlen = (unsigned int)len;
  return SSL_TLSEXT_ERR_OK;
}

static int npn_select_trampoline(SSL *ssl, unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen, void *arg) {
  th_context *ctx = arg;
  int r = th__proto_select_run(ssl, ctx, &ctx->npn_select, in, inlen,
                               (const unsigned char **)out, outlen);
  if (r == 0) {
    /* NPN has no "no protocol": the client must pick one. */
    th__owner_fail(th__cb_owner_of(ssl),
                   th__err(TH_ERR_SSL, "NPN select callback selected no protocol"));
  }
  return r > 0 ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_ALERT_FATAL;
}
#endif

int th_context_set_npn_advertise_callback(th_context *ctx, th_npn_advertise_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
#ifdef OPENSSL_NO_NEXTPROTONEG
  return th__err(TH_ERR_UNSUPPORTED, "th_context_set_npn_advertise_callback: no NPN in this build");
#else
  ctx->npn_advertise.fn = (void (*)(void))fn;
  ctx->npn_advertise.user = user;
  if (fn != NULL)
    SSL_CTX_set_next_protos_advertised_cb(ctx->ctx, npn_advertise_trampoline, ctx);
  else
    SSL_CTX_set_next_protos_advertised_cb(ctx->ctx, NULL, NULL);
  return TH_OK;
#endif
}

int th_context_set_npn_select_callback(th_context *ctx, th_proto_select_cb fn, void *user) {
  TH_CHECK(ctx, &TH_TYPE_CONTEXT);
#ifdef OPENSSL_NO_NEXTPROTONEG
  return th__err(TH_ERR_UNSUPPORTED, "th_context_set_npn_select_callback: no NPN in this build");
#else
  ctx->npn_select.fn = (void (*)(void))fn;
  ctx->npn_select.user = user;
  if (fn != NULL)
    SSL_CTX_set_next_proto_select_cb(ctx->ctx, npn_select_trampoline, ctx);
  else
    SSL_CTX_set_next_proto_select_cb(ctx->ctx, NULL, NULL);
  return TH_OK;
#endif
}
