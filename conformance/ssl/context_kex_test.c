/* context_kex_test.c — Context settings proved on real in-memory
 * handshakes: methods and version pinning (TLS 1.0 needs @SECLEVEL=0 on
 * OpenSSL 3), cipher lists, TLS 1.3 ciphersuites, groups, set_tmp_ecdh and
 * load_tmp_dh. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"
#include "testutil_table.h"

TestSuite(context_kex);

static th_bytes *cipher_of(th_connection *c) {
  th_bytes *b = NULL;
  cr_assert_eq(th_connection_get_cipher_name(c, &b), TH_OK, "%s", tu_err());
  cr_assert_not_null(b);
  return b;
}

static void assert_group(th_connection *c, const char *a, const char *b) {
  th_bytes *g = NULL;
  cr_assert_eq(th_connection_get_group_name(c, &g), TH_OK, "%s", tu_err());
  cr_assert_not_null(g);
  cr_assert(strcasecmp((char *)g->data, a) == 0 || (b != NULL && strcasecmp((char *)g->data, b) == 0),
            "%s", g->data);
  th_bytes_free(g);
}

static int run(th_context *cctx, th_context *sctx, char *side) {
  ts_pair p;
  ts_pair_new(&p, cctx, sctx);
  char why[128] = "";
  int rc = ts_handshake(&p, side, why, sizeof why);
  ts_pair_free(&p);
  return rc;
}

static th_context *method_ctx(int method, int server) {
  ts_need_method(method);
  const ts_pki *pk = ts_pki_get();
  th_context *ctx = th_context_new(method);
  cr_assert_not_null(ctx, "%s", tu_err());
  if (server) {
    th_x509 *c = ts_x509(pk->server);
    th_pkey *k = ts_pkey(pk->server_key);
    cr_assert_eq(th_context_use_certificate(ctx, c), TH_OK);
    cr_assert_eq(th_context_use_privatekey(ctx, k), TH_OK);
    th_x509_free(c);
    th_pkey_free(k);
  }
  return ctx;
}

/* Methods: a version-pinned server method against a flexible or another
 * pinned client. TLS 1.0 needs @SECLEVEL=0 on OpenSSL 3 (the default
 * security level 1 forbids its SHA-1 MAC): without it no handshake. */
static const struct method_case {
  const char *what;
  int server, client;
  const char *ciphers; /* NULL, or both sides' cipher list */
  int rc, version;     /* the handshake's status; on success, the version */
} method_cases[] = {
    {"TLSv1_2_METHOD against SSLv23_METHOD", TH_TLSv1_2_METHOD, TH_SSLv23_METHOD, NULL, TH_OK,
     TH_TLS1_2_VERSION},
    {"TLSv1_METHOD at the default security level", TH_TLSv1_METHOD, TH_TLSv1_METHOD, NULL,
     TH_ERR_SSL, 0},
    {"TLSv1_METHOD at @SECLEVEL=0", TH_TLSv1_METHOD, TH_TLSv1_METHOD, "DEFAULT:@SECLEVEL=0", TH_OK,
     TH_TLS1_VERSION},
    {"TLSv1_1_METHOD against TLSv1_2_METHOD", TH_TLSv1_1_METHOD, TH_TLSv1_2_METHOD, NULL,
     TH_ERR_SSL, 0},
};

TU_INDEX_PARAMS(context_kex, methods, sizeof method_cases / sizeof method_cases[0])
ParameterizedTest(int *i, context_kex, methods) {
  const struct method_case *k = &method_cases[*i];
  th_context *s = method_ctx(k->server, 1), *c = method_ctx(k->client, 0);
  if (k->ciphers != NULL) {
    cr_assert_eq(th_context_set_cipher_list(s, k->ciphers), TH_OK, "%s", tu_err());
    cr_assert_eq(th_context_set_cipher_list(c, k->ciphers), TH_OK, "%s", tu_err());
  }
  ts_pair p;
  ts_pair_new(&p, c, s);
  char side = '?', why[128] = "";
  cr_assert_eq(ts_handshake(&p, &side, why, sizeof why), k->rc, "%s: %s %s", k->what, why,
               tu_err());
  if (k->rc == TH_OK) {
    cr_assert_eq(th_connection_get_protocol_version(p.client), k->version, "%s", k->what);
    cr_assert_eq(th_connection_get_protocol_version(p.server), k->version, "%s", k->what);
  }
  ts_pair_free(&p);
  th_context_free(s);
  th_context_free(c);
}

/* A setting on one side's context decides what the handshake negotiates:
 * the cipher (TLS 1.2 cipher list, TLS 1.3 ciphersuites) or the group
 * (set_groups, set_tmp_ecdh), read on either side. Where `other` is given,
 * the other side is then set to a disjoint value: no handshake. */
enum { SET_CIPHER_LIST, SET_CIPHERSUITES, SET_GROUPS, SET_TMP_ECDH };
static const struct kex_case {
  const char *what;
  int version, setter;
  char side; /* whose context is set: 's' or 'c' */
  const char *value;
  char read_side;
  int read_group;         /* 0: the cipher's name, 1: the group's */
  const char *want, *alt; /* the name read (alt: OpenSSL's other spelling) */
  const char *other;      /* NULL, or a disjoint value for the other side */
} kex_cases[] = {
    {"cipher list", TH_TLS1_2_VERSION, SET_CIPHER_LIST, 's', "ECDHE-ECDSA-CHACHA20-POLY1305", 'c',
     0, "ECDHE-ECDSA-CHACHA20-POLY1305", NULL, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS 1.3 ciphersuites", TH_TLS1_3_VERSION, SET_CIPHERSUITES, 's',
     "TLS_CHACHA20_POLY1305_SHA256", 's', 0, "TLS_CHACHA20_POLY1305_SHA256", NULL,
     "TLS_AES_256_GCM_SHA384"},
    {"groups", 0, SET_GROUPS, 'c', "X25519", 'c', 1, "X25519", "x25519", "P-256"},
    {"set_tmp_ecdh", 0, SET_TMP_ECDH, 's', "secp384r1", 's', 1, "secp384r1", "P-384", NULL},
};

static int kex_set(th_context *ctx, int setter, const char *value) {
  switch (setter) {
    case SET_CIPHER_LIST: return th_context_set_cipher_list(ctx, value);
    case SET_CIPHERSUITES: return th_context_set_ciphersuites(ctx, value);
    case SET_GROUPS: return th_context_set_groups(ctx, value);
    default: {
      th_elliptic_curve *curve = th_crypto_get_elliptic_curve(value);
      cr_assert_not_null(curve, "%s", tu_err());
      int rc = th_context_set_tmp_ecdh(ctx, curve);
      th_elliptic_curve_free(curve);
      return rc;
    }
  }
}

TU_INDEX_PARAMS(context_kex, settings_decide_the_handshake, sizeof kex_cases / sizeof kex_cases[0])
ParameterizedTest(int *i, context_kex, settings_decide_the_handshake) {
  const struct kex_case *k = &kex_cases[*i];
  th_context *s = ts_server_ctx(k->version, 0), *c = ts_client_ctx(k->version, 0);
  cr_assert_eq(kex_set(k->side == 's' ? s : c, k->setter, k->value), TH_OK, "%s: %s", k->what,
               tu_err());
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  th_connection *reader = k->read_side == 's' ? p.server : p.client;
  if (k->read_group) {
    assert_group(reader, k->want, k->alt);
  } else {
    th_bytes *name = cipher_of(reader);
    cr_assert_str_eq((char *)name->data, k->want, "%s", k->what);
    th_bytes_free(name);
  }
  ts_pair_free(&p);
  if (k->other != NULL) {
    cr_assert_eq(kex_set(k->side == 's' ? c : s, k->setter, k->other), TH_OK, "%s", tu_err());
    char side = '?';
    cr_assert_eq(run(c, s, &side), TH_ERR_SSL, "%s: disjoint settings", k->what);
  }
  th_context_free(s);
  th_context_free(c);
}

/* A PEM file of the named DH group's parameters. */
static const char *dh_group_file(const char *group, const char *name) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
  EVP_PKEY_paramgen_init(pc);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("group", (char *)group, 0),
                         OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX_set_params(pc, params);
  EVP_PKEY *pk = NULL;
  cr_assert_eq(EVP_PKEY_paramgen(pc, &pk), 1, "%s", group);
  const char *path = tu_path(name);
  BIO *b = BIO_new_file(path, "w");
  PEM_write_bio_Parameters(b, pk);
  BIO_free(b);
  EVP_PKEY_free(pk);
  EVP_PKEY_CTX_free(pc);
  return path;
}

static const char *dh_file(void) { return dh_group_file("ffdhe2048", "dh.pem"); }

Test(context_kex, load_tmp_dh_enables_dhe) {
  /* DHE needs an RSA server certificate. */
  th_context *s = th_context_new(TH_TLSv1_2_METHOD), *c = th_context_new(TH_TLSv1_2_METHOD);
  th_pkey *key = tu_rsa_key();
  th_x509 *cert = tu_self_signed(key, "localhost");
  cr_assert_eq(th_context_use_certificate(s, cert), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_use_privatekey(s, key), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_cipher_list(s, "DHE-RSA-AES128-GCM-SHA256"), TH_OK);
  cr_assert_eq(th_context_set_cipher_list(c, "DHE-RSA-AES128-GCM-SHA256"), TH_OK);
  /* Without DH parameters the server has no usable cipher. */
  char side = '?';
  cr_assert_eq(run(c, s, &side), TH_ERR_SSL);
  cr_assert_eq(th_context_load_tmp_dh(s, dh_file()), TH_OK, "%s", tu_err());
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  th_bytes *name = cipher_of(p.client);
  cr_assert_str_eq((char *)name->data, "DHE-RSA-AES128-GCM-SHA256");
  th_bytes_free(name);
  ts_pair_free(&p);
  th_x509_free(cert);
  th_pkey_free(key);
  th_context_free(s);
  th_context_free(c);
}

/* Parameters weaker than the context's security level are refused
 * (OpenSSL's "dh key too small": 1536-bit MODP gives 80 bits, level 2 asks
 * for 112), and the context keeps the parameters it had: a DHE handshake
 * at that level still runs on them. */
Test(context_kex, load_tmp_dh_below_the_security_level) {
  th_context *s = th_context_new(TH_TLSv1_2_METHOD), *c = th_context_new(TH_TLSv1_2_METHOD);
  th_pkey *key = tu_rsa_key();
  th_x509 *cert = tu_self_signed(key, "localhost");
  cr_assert_eq(th_context_use_certificate(s, cert), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_use_privatekey(s, key), TH_OK, "%s", tu_err());
  for (int i = 0; i < 2; i++) {
    th_context *x = i ? c : s;
    cr_assert_eq(th_context_set_security_level(x, 2), TH_OK, "%s", tu_err());
    cr_assert_eq(th_context_set_cipher_list(x, "DHE-RSA-AES128-GCM-SHA256"), TH_OK, "%s", tu_err());
  }
  cr_assert_eq(th_context_load_tmp_dh(s, dh_file()), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_load_tmp_dh(s, dh_group_file("modp_1536", "dh1536.pem")), TH_ERR_SSL);
  const th_error *e = th_error_last();
  cr_assert(strstr(e->message, "refused") != NULL, "%s", tu_err());
  cr_assert_gt(e->queue_len, 0u);
  cr_assert_eq(ERR_GET_REASON(e->queue[e->queue_len - 1].code), SSL_R_DH_KEY_TOO_SMALL, "%s",
               tu_err());
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  th_bytes *name = cipher_of(p.client);
  cr_assert_str_eq((char *)name->data, "DHE-RSA-AES128-GCM-SHA256");
  th_bytes_free(name);
  ts_pair_free(&p);
  th_x509_free(cert);
  th_pkey_free(key);
  th_context_free(s);
  th_context_free(c);
}
