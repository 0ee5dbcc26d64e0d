/* context_certs_test.c — SSL.Context: certificates, chains, private keys,
 * check_privatekey and the passphrase callback. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(context_certs);

static th_context *new_ctx(void) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_not_null(ctx, "%s", tu_err());
  return ctx;
}

Test(context_certs, use_certificate_and_privatekey) {
  const ts_pki *p = ts_pki_get();
  th_context *ctx = new_ctx();
  /* No certificate yet: check_privatekey fails. */
  cr_assert_eq(th_context_check_privatekey(ctx), TH_ERR_SSL);
  th_x509 *cert = ts_x509(p->server);
  th_pkey *key = ts_pkey(p->server_key);
  cr_assert_eq(th_context_use_certificate(ctx, cert), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_use_privatekey(ctx, key), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_check_privatekey(ctx), TH_OK, "%s", tu_err());
  th_x509_free(cert);
  th_pkey_free(key);
  th_context_free(ctx);
}

Test(context_certs, check_privatekey_mismatch) {
  const ts_pki *p = ts_pki_get();
  th_context *ctx = new_ctx();
  /* Key first, then a certificate for another key: OpenSSL keeps the
   * newest, so the pair does not match. */
  th_pkey *other = ts_pkey(p->client_key);
  cr_assert_eq(th_context_use_privatekey(ctx, other), TH_OK);
  th_x509 *cert = ts_x509(p->server);
  cr_assert_eq(th_context_use_certificate(ctx, cert), TH_OK);
  cr_assert_eq(th_context_check_privatekey(ctx), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  /* A mismatching key given after the certificate is refused outright. */
  th_context *ctx2 = new_ctx();
  cr_assert_eq(th_context_use_certificate(ctx2, cert), TH_OK);
  cr_assert_eq(th_context_use_privatekey(ctx2, other), TH_ERR_SSL);
  th_x509_free(cert);
  th_pkey_free(other);
  th_context_free(ctx);
  th_context_free(ctx2);
}

Test(context_certs, object_bad_input) {
  th_context *ctx = new_ctx();
  th_pkey *key = tu_ec_key();
  th_x509 *cert = tu_self_signed(key, "x");
  cr_assert_eq(th_context_use_certificate(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_certificate(ctx, (th_x509 *)key), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_certificate(NULL, cert), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_certificate((th_context *)key, cert), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_privatekey(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_privatekey(ctx, (th_pkey *)cert), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_privatekey(NULL, key), TH_ERR_TYPE);
  cr_assert_eq(th_context_add_extra_chain_cert(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_add_extra_chain_cert(ctx, (th_x509 *)key), TH_ERR_TYPE);
  cr_assert_eq(th_context_add_extra_chain_cert(NULL, cert), TH_ERR_TYPE);
  cr_assert_eq(th_context_check_privatekey(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_check_privatekey((th_context *)cert), TH_ERR_TYPE);
  /* Nothing was set by the failures. */
  cr_assert_eq(th_context_check_privatekey(ctx), TH_ERR_SSL);
  th_x509_free(cert);
  th_pkey_free(key);
  th_context_free(ctx);
}

Test(context_certs, use_privatekey_uninitialized) {
  /* th_pkey_new makes an uninitialized PKey (no key yet). */
  th_pkey *empty = th_pkey_new();
  cr_assert_not_null(empty, "%s", tu_err());
  th_context *ctx = new_ctx();
  cr_assert_eq(th_context_use_privatekey(ctx, empty), TH_ERR_VALUE);
  th_pkey_free(empty);
  th_context_free(ctx);
}

Test(context_certs, add_extra_chain_cert_is_sent) {
  const ts_pki *p = ts_pki_get();
  th_context *ctx = new_ctx();
  th_x509 *inter = ts_x509(p->inter);
  cr_assert_eq(th_context_add_extra_chain_cert(ctx, inter), TH_OK, "%s", tu_err());
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  STACK_OF(X509) *chain = NULL;
  SSL_CTX_get_extra_chain_certs(raw, &chain);
  cr_assert_eq(sk_X509_num(chain), 1);
  cr_assert_eq(X509_cmp(sk_X509_value(chain, 0), p->inter), 0);
  /* A copy: not the caller's X509. */
  cr_assert_neq(sk_X509_value(chain, 0), p->inter);
  SSL_CTX_free(raw);
  th_x509_free(inter);
  th_context_free(ctx);
}

/* ---- files ------------------------------------------------------------------------ */

struct file_case {
  char what[16]; /* "pem", "der", "garbage", "missing", "wrongtype" */
  int filetype;
  int kind;
};

static const char *make_file(const char *what, int key) {
  const ts_pki *p = ts_pki_get();
  if (strcmp(what, "pem") == 0)
    return key ? ts_write_key("k.pem", p->server_key, NULL) : ts_write_cert("c.pem", &p->server, 1);
  if (strcmp(what, "der") == 0 || strcmp(what, "wrongtype") == 0)
    return key ? ts_write_key_der("k.der", p->server_key) : ts_write_cert_der("c.der", p->server);
  if (strcmp(what, "garbage") == 0) {
    const char *path = tu_path("garbage");
    cr_assert_eq(tu_write_file(path, "-----BEGIN CERTIFICATE-----\nxx\n", 32), 0);
    return path;
  }
  return tu_path("does-not-exist");
}

ParameterizedTestParameters(context_certs, use_files) {
  static struct file_case cases[] = {
      {"pem", TH_FILETYPE_PEM, TH_OK},         {"der", TH_FILETYPE_ASN1, TH_OK},
      {"garbage", TH_FILETYPE_PEM, TH_ERR_SSL}, {"garbage", TH_FILETYPE_ASN1, TH_ERR_SSL},
      {"missing", TH_FILETYPE_PEM, TH_ERR_SSL}, {"wrongtype", TH_FILETYPE_PEM, TH_ERR_SSL},
      {"pem", 3, TH_ERR_VALUE},                 {"pem", -1, TH_ERR_VALUE},
  };
  return cr_make_param_array(struct file_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct file_case *c, context_certs, use_files) {
  th_context *ctx = new_ctx();
  const char *cert = make_file(c->what, 0);
  char certpath[1024];
  snprintf(certpath, sizeof certpath, "%s", cert);
  cr_assert_eq(th_context_use_certificate_file(ctx, certpath, c->filetype), c->kind, "%s: %s",
               c->what, tu_err());
  const char *key = make_file(c->what, 1);
  cr_assert_eq(th_context_use_privatekey_file(ctx, key, c->filetype), c->kind, "%s: %s", c->what,
               tu_err());
  if (c->kind == TH_OK)
    cr_assert_eq(th_context_check_privatekey(ctx), TH_OK, "%s", tu_err());
  else if (c->kind == TH_ERR_SSL)
    cr_assert_gt(th_error_last()->queue_len, 0u, "OpenSSL's reason is kept");
  th_context_free(ctx);
}

Test(context_certs, files_bad_input) {
  th_context *ctx = new_ctx();
  th_pkey *k = tu_ec_key();
  cr_assert_eq(th_context_use_certificate_file(ctx, NULL, TH_FILETYPE_PEM), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_privatekey_file(ctx, NULL, TH_FILETYPE_PEM), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_certificate_chain_file(ctx, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_certificate_file(NULL, "x", TH_FILETYPE_PEM), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_privatekey_file((th_context *)k, "x", TH_FILETYPE_PEM), TH_ERR_TYPE);
  cr_assert_eq(th_context_use_certificate_chain_file((th_context *)k, "x"), TH_ERR_TYPE);
  th_pkey_free(k);
  th_context_free(ctx);
}

Test(context_certs, use_certificate_chain_file) {
  const ts_pki *p = ts_pki_get();
  X509 *chain[] = {p->server, p->inter};
  const char *path = ts_write_cert("chain.pem", chain, 2);
  th_context *ctx = new_ctx();
  cr_assert_eq(th_context_use_certificate_chain_file(ctx, path), TH_OK, "%s", tu_err());
  th_pkey *key = ts_pkey(p->server_key);
  cr_assert_eq(th_context_use_privatekey(ctx, key), TH_OK);
  cr_assert_eq(th_context_check_privatekey(ctx), TH_OK);
  SSL_CTX *raw = th_context_to_ssl_ctx(ctx);
  STACK_OF(X509) *extra = NULL;
  cr_assert_eq(SSL_CTX_get0_chain_certs(raw, &extra), 1);
  cr_assert_eq(sk_X509_num(extra), 1);
  cr_assert_eq(X509_cmp(sk_X509_value(extra, 0), p->inter), 0);
  SSL_CTX_free(raw);
  cr_assert_eq(th_context_use_certificate_chain_file(ctx, tu_path("missing.pem")), TH_ERR_SSL);
  const char *junk = tu_path("junk.pem");
  cr_assert_eq(tu_write_file(junk, "junk", 4), 0);
  cr_assert_eq(th_context_use_certificate_chain_file(ctx, junk), TH_ERR_SSL);
  th_pkey_free(key);
  th_context_free(ctx);
}

/* ---- passphrase callback ------------------------------------------------------------ */

struct pw {
  const char *pass; /* what to answer */
  int ret;          /* < 0: return this status instead */
  int report_len;   /* > 0: report this length instead of strlen */
  int calls, maxlen, verify;
  void *user_seen;
};

static int pw_cb(char *buf, int maxlen, int verify, void *user) {
  struct pw *w = user;
  w->calls++;
  w->maxlen = maxlen;
  w->verify = verify;
  w->user_seen = user;
  if (w->ret == TH_ERR_VALUE) {
    /* Fail the way a real callback does: a library call that fails sets
     * the error record, and the callback returns its status. */
    cr_assert_null(th_ssl_SSLeay_version(-42));
    return th_error_kind();
  }
  if (w->ret < 0) return w->ret; /* an error without a record */
  size_t n = strlen(w->pass);
  if ((int)n > maxlen) n = (size_t)maxlen;
  memcpy(buf, w->pass, n);
  return w->report_len > 0 ? w->report_len : (int)strlen(w->pass);
}

static const char *enc_key(const char *pass) {
  return ts_write_key("enc.pem", ts_pki_get()->server_key, pass);
}

Test(context_certs, passwd_cb_unlocks_key) {
  th_context *ctx = new_ctx();
  struct pw w = {.pass = "secret"};
  cr_assert_eq(th_context_set_passwd_cb(ctx, pw_cb, &w), TH_OK);
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM), TH_OK,
               "%s", tu_err());
  cr_assert_eq(w.calls, 1);
  cr_assert_geq(w.maxlen, 1023); /* PEM_BUFSIZE */
  cr_assert_eq(w.verify, 0);
  cr_assert_eq(w.user_seen, &w);
  th_x509 *cert = ts_x509(ts_pki_get()->server);
  cr_assert_eq(th_context_use_certificate(ctx, cert), TH_OK);
  cr_assert_eq(th_context_check_privatekey(ctx), TH_OK);
  th_x509_free(cert);
  th_context_free(ctx);
}

Test(context_certs, passwd_cb_wrong_passphrase) {
  th_context *ctx = new_ctx();
  struct pw w = {.pass = "wrong"};
  th_context_set_passwd_cb(ctx, pw_cb, &w);
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u);
  cr_assert_eq(w.calls, 1);
  th_context_free(ctx);
}

Test(context_certs, passwd_cb_empty_answer) {
  th_context *ctx = new_ctx();
  struct pw w = {.pass = ""};
  th_context_set_passwd_cb(ctx, pw_cb, &w);
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM), TH_ERR_SSL);
  th_context_free(ctx);
}

Test(context_certs, passwd_cb_error_propagates) {
  th_context *ctx = new_ctx();
  struct pw w = {.pass = "secret", .ret = TH_ERR_VALUE};
  th_context_set_passwd_cb(ctx, pw_cb, &w);
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM),
               TH_ERR_VALUE);
  /* The callback's own record, not OpenSSL's "bad decrypt". */
  cr_assert(strstr(th_error_last()->message, "unknown type") != NULL, "%s", tu_err());
  cr_assert_eq(th_error_last()->queue_len, 0u);
  /* An error status without a record still propagates, with a message. */
  w.ret = TH_ERR_CALLBACK;
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM),
               TH_ERR_CALLBACK);
  cr_assert(strstr(th_error_last()->message, "callback") != NULL, "%s", tu_err());
  /* A later load works: no stale error. */
  w.ret = 0;
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM), TH_OK,
               "%s", tu_err());
  th_context_free(ctx);
}

Test(context_certs, passwd_cb_long_answer_is_truncated) {
  /* The spec: a passphrase longer than maxlen is truncated. A key whose
   * passphrase is exactly maxlen (1024) bytes opens with a callback that
   * reports a longer one. */
  static char pass[1025];
  memset(pass, 'p', 1024);
  pass[1024] = '\0';
  th_context *ctx = new_ctx();
  struct pw w = {.pass = pass, .report_len = 5000};
  th_context_set_passwd_cb(ctx, pw_cb, &w);
  const char *path = enc_key(pass);
  cr_assert_eq(th_context_use_privatekey_file(ctx, path, TH_FILETYPE_PEM), TH_OK, "%s", tu_err());
  cr_assert_eq(w.maxlen, 1024);
  th_context_free(ctx);
}

Test(context_certs, no_passwd_cb_never_prompts) {
  th_context *ctx = new_ctx();
  /* No callback: the load fails instead of prompting on a terminal. */
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM), TH_ERR_SSL);
  /* Removing a callback restores that. */
  struct pw w = {.pass = "secret"};
  th_context_set_passwd_cb(ctx, pw_cb, &w);
  th_context_set_passwd_cb(ctx, NULL, NULL);
  cr_assert_eq(th_context_use_privatekey_file(ctx, enc_key("secret"), TH_FILETYPE_PEM), TH_ERR_SSL);
  cr_assert_eq(w.calls, 0);
  cr_assert_eq(th_context_set_passwd_cb(NULL, pw_cb, &w), TH_ERR_TYPE);
  th_context_free(ctx);
}
