/* connection_info.c — SSL.Connection's getters and the per-connection
 * settings that do not run the handshake: randoms, keys, Finished
 * messages, cipher and protocol, certificates, SNI, sessions, NPN/ALPN,
 * and the later pyOpenSSL additions (keying material, verified chain...). */
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ssl_internal.h"
#include "tlsharness/x509.h"
#include "tlsharness/x509_name.h"

/* Every None-returning getter starts the same way: check, clear *out. */
#define OUT_BEGIN(conn, out)            \
  do {                                  \
    TH_CHECK_ARG(out);                  \
    *(out) = NULL;                      \
    TH_CHECK(conn, &TH_TYPE_CONNECTION); \
  } while (0)

/* set_bytes stores a copy of data (or None when data is NULL) in *out. */
static int set_bytes(th_bytes **out, const void *data, size_t len) {
  if (data == NULL) return TH_OK;
  *out = th_bytes_new(data, len);
  return *out != NULL ? TH_OK : th_error_kind();
}

static int set_text(th_bytes **out, const char *s) {
  return set_bytes(out, s, s ? strlen(s) : 0);
}

th_bytes *th_connection_get_state_string(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  const char *s = SSL_state_string_long(conn->ssl);
  return th_bytes_new(s, strlen(s));
}

/* With a session, f(ssl, NULL, 0) tells the size; then copy. */
static int random_of(const th_connection *c, th_bytes **out,
                     size_t (*f)(const SSL *, unsigned char *, size_t)) {
  if (SSL_get_session(c->ssl) == NULL) return TH_OK;
  unsigned char buf[SSL3_RANDOM_SIZE];
  size_t n = f(c->ssl, buf, sizeof buf);
  return set_bytes(out, buf, n);
}

int th_connection_client_random(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  return random_of(conn, out, SSL_get_client_random);
}

int th_connection_server_random(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  return random_of(conn, out, SSL_get_server_random);
}

int th_connection_master_key(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  SSL_SESSION *s = SSL_get_session(conn->ssl);
  if (s == NULL) return TH_OK;
  unsigned char key[128]; /* TLS 1.2: 48 bytes; TLS 1.3: the hash size */
  size_t n = SSL_SESSION_get_master_key(s, NULL, 0);
  if (n > sizeof key) return th__err(TH_ERR_SSL, "%s: master key of %zu bytes", __func__, n);
  n = SSL_SESSION_get_master_key(s, key, sizeof key);
  int rc = set_bytes(out, key, n);
  OPENSSL_cleanse(key, sizeof key);
  return rc;
}

static int finished_of(const th_connection *c, th_bytes **out,
                       size_t (*f)(const SSL *, void *, size_t)) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  size_t n = f(c->ssl, buf, sizeof buf);
  if (n == 0) return TH_OK; /* None: no handshake yet */
  return set_bytes(out, buf, n < sizeof buf ? n : sizeof buf);
}

int th_connection_get_finished(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  return finished_of(conn, out, SSL_get_finished);
}

int th_connection_get_peer_finished(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  return finished_of(conn, out, SSL_get_peer_finished);
}

int th_connection_get_cipher_name(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  const SSL_CIPHER *c = SSL_get_current_cipher(conn->ssl);
  return c ? set_text(out, SSL_CIPHER_get_name(c)) : TH_OK;
}

int th_connection_get_cipher_version(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  const SSL_CIPHER *c = SSL_get_current_cipher(conn->ssl);
  return c ? set_text(out, SSL_CIPHER_get_version(c)) : TH_OK;
}

int th_connection_get_cipher_bits(const th_connection *conn, int *out) {
  TH_CHECK_ARG(out);
  *out = -1;
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  const SSL_CIPHER *c = SSL_get_current_cipher(conn->ssl);
  if (c != NULL) *out = SSL_CIPHER_get_bits(c, NULL);
  return TH_OK;
}

int th_connection_get_servername(const th_connection *conn, th_bytes **out) {
  OUT_BEGIN(conn, out);
  return set_text(out, SSL_get_servername(conn->ssl, TLSEXT_NAMETYPE_host_name));
}

int th_connection_get_peer_certificate(const th_connection *conn, th_x509 **out) {
  OUT_BEGIN(conn, out);
  X509 *x = SSL_get1_peer_certificate(conn->ssl);
  if (x == NULL) return TH_OK;
  *out = th__x509_wrap(x);
  return *out ? TH_OK : th_error_kind();
}

/* chain_list copies a STACK_OF(X509) into a th_list of th_x509. */
static int chain_list(STACK_OF(X509) *sk, th_list **out) {
  th_list *l = th__list_new((void (*)(void *))th_x509_free);
  if (l == NULL) return th_error_kind();
  for (int i = 0; i < sk_X509_num(sk); i++) {
    X509 *x = sk_X509_value(sk, i);
    X509_up_ref(x);
    th_x509 *w = th__x509_wrap(x);
    if (w == NULL || th__list_push(l, w) != TH_OK) {
      int kind = th_error_kind();
      th_list_free(l);
      return kind;
    }
  }
  *out = l;
  return TH_OK;
}

int th_connection_get_peer_cert_chain(const th_connection *conn, th_list **out) {
  OUT_BEGIN(conn, out);
  STACK_OF(X509) *sk = SSL_get_peer_cert_chain(conn->ssl);
  return sk ? chain_list(sk, out) : TH_OK;
}

int th_connection_get_verified_chain(const th_connection *conn, th_list **out) {
  OUT_BEGIN(conn, out);
  STACK_OF(X509) *sk = SSL_get0_verified_chain(conn->ssl);
  return sk ? chain_list(sk, out) : TH_OK;
}

int th_connection_get_session(const th_connection *conn, th_session **out) {
  OUT_BEGIN(conn, out);
  SSL_SESSION *s = SSL_get1_session(conn->ssl);
  if (s == NULL) return TH_OK;
  *out = th__session_wrap(s);
  return *out ? TH_OK : th_error_kind();
}

int th_connection_set_session(th_connection *conn, th_session *session) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  TH_CHECK(session, &TH_TYPE_SESSION);
  ERR_clear_error();
  if (!SSL_set_session(conn->ssl, session->sess))
    return th__err_ossl(TH_ERR_SSL, "th_connection_set_session: SSL_set_session failed");
  return TH_OK;
}

th_list *th_connection_get_cipher_list(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  th_list *l = th__list_new((void (*)(void *))th_bytes_free);
  if (l == NULL) return NULL;
  const char *name;
  for (int i = 0; (name = SSL_get_cipher_list(conn->ssl, i)) != NULL; i++) {
    th_bytes *b = th_bytes_new(name, strlen(name));
    if (b == NULL || th__list_push(l, b) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

int th_connection_get_protocol_version(const th_connection *conn) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  return SSL_version(conn->ssl);
}

th_bytes *th_connection_get_protocol_version_name(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  const char *v = SSL_get_version(conn->ssl);
  return th_bytes_new(v, strlen(v));
}

th_list *th_connection_get_client_ca_list(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  th_list *l = th__list_new((void (*)(void *))th_x509_name_free);
  if (l == NULL) return NULL;
  STACK_OF(X509_NAME) *names = SSL_get_client_CA_list(conn->ssl);
  for (int i = 0; i < sk_X509_NAME_num(names); i++) {
    th_x509_name *n = th__x509_name_wrap_owned(X509_NAME_dup(sk_X509_NAME_value(names, i)));
    if (n == NULL || th__list_push(l, n) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

int th_connection_set_tlsext_host_name(th_connection *conn, const unsigned char *name,
                                       size_t len) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  TH_CHECK_ARG(name);
  /* The length first: memchr over an over-long len would read past name. */
  if (len == 0 || len > TLSEXT_MAXLEN_host_name)
    return th__err(TH_ERR_VALUE, "%s: a host name is 1 to 255 bytes, not %zu", __func__, len);
  if (memchr(name, 0, len) != NULL)
    return th__err(TH_ERR_TYPE, "%s: name must not contain NUL byte", __func__);
  char buf[TLSEXT_MAXLEN_host_name + 1];
  memcpy(buf, name, len);
  buf[len] = '\0';
  /* OpenSSL frees the old name before it copies the new one: keep the old
   * one (before the handshake it is the Connection's own) to put back when
   * the copy fails, so that a failure changes nothing. */
  char old[TLSEXT_MAXLEN_host_name + 1];
  const char *cur = SSL_in_before(conn->ssl) ? SSL_get_servername(conn->ssl, TLSEXT_NAMETYPE_host_name) : NULL;
  if (cur != NULL) snprintf(old, sizeof old, "%s", cur);
  ERR_clear_error();
  if (!SSL_set_tlsext_host_name(conn->ssl, buf)) {
    int rc = th__err_ossl(TH_ERR_SSL, "%s: SSL_set_tlsext_host_name failed", __func__);
    if (cur != NULL && !SSL_set_tlsext_host_name(conn->ssl, old))
      return th__err_ossl(TH_ERR_NOMEM, "%s: out of memory, and the old name could not be put back: "
                          "the Connection sends no name now", __func__);
    return rc;
  }
  return TH_OK;
}

static th_bytes *proto_bytes(const unsigned char *p, unsigned len) {
  return th_bytes_new(p, p ? len : 0);
}

th_bytes *th_connection_get_next_proto_negotiated(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
#ifdef OPENSSL_NO_NEXTPROTONEG
  th__err(TH_ERR_UNSUPPORTED, "th_connection_get_next_proto_negotiated: no NPN in this build");
  return NULL;
#else
  const unsigned char *p = NULL;
  unsigned len = 0;
  SSL_get0_next_proto_negotiated(conn->ssl, &p, &len);
  return proto_bytes(p, len);
#endif
}

th_bytes *th_connection_get_alpn_proto_negotiated(const th_connection *conn) {
  TH_CHECK_NULL(conn, &TH_TYPE_CONNECTION);
  const unsigned char *p = NULL;
  unsigned len = 0;
  SSL_get0_alpn_selected(conn->ssl, &p, &len);
  return proto_bytes(p, len);
}

int th_connection_set_alpn_protos(th_connection *conn, const char *const *protos, size_t count) {
  TH_CHECK(conn, &TH_TYPE_CONNECTION);
  TH_CHECK_ARG(protos);
  if (count == 0) return th__err(TH_ERR_VALUE, "%s: no protocols", __func__);
  unsigned char *wire = NULL;
  size_t len = 0;
  int rc = th__protos_to_wire(protos, count, &wire, &len, __func__);
  if (rc != TH_OK) return rc;
  ERR_clear_error();
  int r = SSL_set_alpn_protos(conn->ssl, wire, (unsigned)len);
  OPENSSL_free(wire);
  if (r != 0) return th__err_ossl(TH_ERR_SSL, "%s: SSL_set_alpn_protos failed", __func__);
  return TH_OK;
}
