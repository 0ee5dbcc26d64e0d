/* testutil_names.c — see testutil_names.h. */
#include "testutil_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "tlsharness/tlsharness.h"

__attribute__((format(printf, 3, 4))) static int fail(char *why, size_t whysz, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, whysz, fmt, ap);
  va_end(ap);
  return -1;
}
#define FAIL(...) fail(why, whysz, __VA_ARGS__)

static const struct {
  const char *opt;
  unsigned long flag;
} flag_opts[] = {{"-x509_strict", TH_X509_STORE_FLAGS_X509_STRICT},
                 {"-partial_chain", TH_X509_STORE_FLAGS_PARTIAL_CHAIN},
                 {"-ignore_critical", TH_X509_STORE_FLAGS_IGNORE_CRITICAL}};

static int value_opt(tun_args *a, const char *dir, const char *opt, const char *val) {
  char path[1200];
  snprintf(path, sizeof path, "%s/%s", dir, val);
  if (strcmp(opt, "-attime") == 0) a->attime = atol(val);
  else if (strcmp(opt, "-CAfile") == 0) snprintf(a->cafile, sizeof a->cafile, "%s", path);
  else if (strcmp(opt, "-untrusted") == 0 && a->nuntrusted < 4)
    snprintf(a->untrusted[a->nuntrusted++], sizeof a->untrusted[0], "%s", path);
  else if (strcmp(opt, "-verify_hostname") == 0) snprintf(a->host, sizeof a->host, "%s", val);
  else if (strcmp(opt, "-verify_ip") == 0) snprintf(a->ip, sizeof a->ip, "%s", val);
  else if (strcmp(opt, "-verify_email") == 0) snprintf(a->email, sizeof a->email, "%s", val);
  else if (strcmp(opt, "-auth_level") == 0) a->auth_level = atoi(val);
  else if (strcmp(opt, "-purpose") == 0) {
    int idx = X509_PURPOSE_get_by_sname(val);
    if (idx < 0) return -1;
    a->purpose = X509_PURPOSE_get_id(X509_PURPOSE_get0(idx));
  } else return -1;
  return 0;
}

int tun_parse(const char *dir, const char *args, tun_args *a, char *why, size_t whysz) {
  memset(a, 0, sizeof *a);
  a->auth_level = -1;
  char copy[2048], *save = NULL;
  snprintf(copy, sizeof copy, "%s", args);
  char *tok = strtok_r(copy, " ", &save);
  if (tok == NULL || strcmp(tok, "verify") != 0) return FAIL("not verify");
  while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
    if (tok[0] != '-') {
      snprintf(a->target, sizeof a->target, "%s/%s", dir, tok);
      snprintf(a->key, sizeof a->key, "%s/%.*s.key.pem", dir, (int)(strlen(tok) - 4), tok);
      continue;
    }
    int is_flag = 0;
    for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++)
      if (strcmp(tok, flag_opts[i].opt) == 0) a->flags |= flag_opts[i].flag, is_flag = 1;
    if (is_flag) continue;
    char *val = strtok_r(NULL, " ", &save);
    if (val == NULL || value_opt(a, dir, tok, val) != 0) return FAIL("cannot use %s %s", tok, val ? val : "");
  }
  return a->target[0] && a->cafile[0] ? 0 : FAIL("no certificate or no CAfile");
}

static th_x509 *load_pem(const char *path) {
  size_t len = 0;
  char *text = tu_read_file(path, &len);
  th_x509 *x = text ? th_crypto_load_certificate(TH_FILETYPE_PEM, (unsigned char *)text, len) : NULL;
  free(text);
  return x;
}

/* The settings of a row, through one of three families of setters (the
 * same names with another prefix). */
#define DEFINE_APPLY(fn, T, p, flagsfn)                                            \
  static int fn(T *o, const tun_args *a, char *why, size_t whysz) {               \
    int rc = TH_OK;                                                               \
    if (rc == TH_OK && a->flags) rc = flagsfn(o, a->flags);                       \
    if (rc == TH_OK && a->purpose) rc = p##set_purpose(o, a->purpose);            \
    if (rc == TH_OK && a->host_flags) rc = p##set_host_flags(o, a->host_flags);   \
    if (rc == TH_OK && a->host[0]) rc = p##set_host(o, a->host, strlen(a->host)); \
    if (rc == TH_OK && a->ip[0]) rc = p##set_ip(o, a->ip);                        \
    if (rc == TH_OK && a->email[0]) rc = p##set_email(o, a->email, strlen(a->email)); \
    if (rc == TH_OK && a->auth_level >= 0) rc = p##set_auth_level(o, a->auth_level); \
    return rc == TH_OK ? 0 : FAIL("a setter failed: %s", tu_err());              \
  }
DEFINE_APPLY(apply_store, th_x509_store, th_x509_store_, th_x509_store_set_flags)
DEFINE_APPLY(apply_context, th_context, th_context_, th_context_set_verify_flags)
DEFINE_APPLY(apply_connection, th_connection, th_connection_, th_connection_set_verify_flags)

int tun_verify_store(const tun_args *a, char *why, size_t whysz) {
  th_x509_store *st = th_x509_store_new();
  th_x509 *leaf = load_pem(a->target);
  th_x509 *chain[4] = {0};
  int result = -1;
  for (int i = 0; i < a->nuntrusted; i++) chain[i] = load_pem(a->untrusted[i]);
  if (st == NULL || leaf == NULL) FAIL("cannot load %s", a->target);
  else if (th_x509_store_load_locations(st, a->cafile, NULL) != TH_OK) FAIL("cafile: %s", tu_err());
  else if (a->attime && th_x509_store_set_time(st, a->attime) != TH_OK) FAIL("set_time: %s", tu_err());
  else if (apply_store(st, a, why, whysz) == 0) {
    th_x509_store_context *sc = th_x509_store_context_new(st, leaf);
    if (sc != NULL && th_x509_store_context_set_untrusted(sc, chain, (size_t)a->nuntrusted) == TH_OK) {
      int rc = th_x509_store_context_verify_certificate(sc);
      result = rc == TH_OK ? 0 : rc == TH_ERR_VERIFY ? th_error_last()->verify_code : FAIL("%s", tu_err());
    } else {
      FAIL("store context: %s", tu_err());
    }
    th_x509_store_context_free(sc);
  }
  for (int i = 0; i < a->nuntrusted; i++) th_x509_free(chain[i]);
  th_x509_free(leaf);
  th_x509_store_free(st);
  return result;
}

static th_context *server_ctx(const tun_args *a, char *why, size_t whysz) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  SSL_CTX_set_security_level(raw, 0); /* serve RSA-1024 and SHA-1 leaves */
  SSL_CTX_free(raw);
  int rc = th_context_use_certificate_file(ctx, a->target, TH_FILETYPE_PEM);
  if (rc == TH_OK) rc = th_context_use_privatekey_file(ctx, a->key, TH_FILETYPE_PEM);
  for (int i = 0; rc == TH_OK && i < a->nuntrusted; i++) {
    th_x509 *x = load_pem(a->untrusted[i]);
    rc = th_context_add_extra_chain_cert(ctx, x);
    th_x509_free(x);
  }
  if (rc != TH_OK) {
    FAIL("server: %s", tu_err());
    th_context_free(ctx);
    return NULL;
  }
  return ctx;
}

static int finish(th_loopback_pair *pair, th_connection *cli, char *peer, size_t peersz, char *why,
                  size_t whysz) {
  int hs = th_loopback_handshake(pair);
  long vr = th_connection_get_verify_result(cli);
  th_bytes *name = NULL;
  if (th_connection_get_peer_name(cli, &name) != TH_OK) return FAIL("get_peer_name: %s", tu_err());
  snprintf(peer, peersz, "%s", name ? (const char *)name->data : "");
  th_bytes_free(name);
  if ((hs == TH_OK) != (vr == X509_V_OK))
    return FAIL("handshake %s but verify result %ld (%s)", th_err_name(hs), vr, tu_err());
  return (int)vr;
}

int tun_verify_handshake(const tun_args *a, int via, char *peer, size_t peersz, char *why,
                         size_t whysz) {
  peer[0] = '\0';
  th_context *srv = server_ctx(a, why, whysz);
  th_context *cli = srv ? th_context_new(TH_TLS_METHOD) : NULL;
  if (cli == NULL) {
    th_context_free(srv);
    return -1;
  }
  int result = -1;
  th_loopback_pair *pair = NULL;
  th_connection *conn = NULL;
  if (th_context_load_verify_locations(cli, a->cafile, NULL) != TH_OK ||
      th_context_set_verify(cli, TH_VERIFY_PEER, NULL, NULL) != TH_OK)
    FAIL("client: %s", tu_err());
  else if (via == TUN_VIA_CONTEXT && apply_context(cli, a, why, whysz) != 0) {
  } else if ((pair = th_loopback_pair_new(srv, cli, TH_LOOPBACK_PUMP)) == NULL ||
             (conn = th_loopback_pair_connection(pair, TH_LOOPBACK_CLIENT)) == NULL) {
    FAIL("pair: %s", tu_err());
  } else {
    if (via == TUN_VIA_CONTEXT || apply_connection(conn, a, why, whysz) == 0)
      result = finish(pair, conn, peer, peersz, why, whysz);
  }
  th_connection_free(conn);
  th_loopback_pair_free(pair);
  th_context_free(cli);
  th_context_free(srv);
  return result;
}
