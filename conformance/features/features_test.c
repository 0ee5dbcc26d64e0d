/* features_test.c — what this OpenSSL build can do, probed for real.
 *
 * The validation report (tools/validate) lists a feature that the build
 * lacks as UNSUPPORTED, with the reason, instead of hiding it inside a
 * PASS: each probe skips with "UNSUPPORTED: ..." when the build refuses the
 * feature at the point where a build without it fails, and otherwise
 * asserts that the feature really works end to end (a handshake that
 * negotiates it, a key that signs and verifies). */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "testutil.h"
#include "testutil_ssl.h"

TestSuite(features);

typedef struct probe {
  int version;              /* min = max, or 0 */
  const char *cipher_list;  /* TLS <= 1.2, or NULL */
  const char *ciphersuites; /* TLS 1.3, or NULL */
  const char *groups;       /* or NULL */
} probe;

/* Configures both contexts; a setter the build refuses is the build's
 * answer (UNSUPPORTED), so it is returned, not asserted. */
static int configure(th_context *ctx, const probe *p) {
  int rc = TH_OK;
  if (rc == TH_OK && p->cipher_list) rc = th_context_set_cipher_list(ctx, p->cipher_list);
  if (rc == TH_OK && p->ciphersuites) rc = th_context_set_ciphersuites(ctx, p->ciphersuites);
  if (rc == TH_OK && p->groups) rc = th_context_set_groups(ctx, p->groups);
  return rc;
}

/* Errors with which a build refuses, during the handshake, a version, suite
 * or group it lacks or has disabled. Any other failure of a handshake the
 * build agreed to configure is a FAIL: the build claims it and it breaks. */
static const char *const refusals[] = {
    "no protocols available", "unsupported protocol", "no ciphers available",
    "no shared cipher",       "no suitable key share", "no shared groups",
    "version too low",        "no suitable signature algorithm",
};

static int is_refusal(const char *why) {
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
    if (strstr(why, refusals[i]) != NULL) return 1;
  return 0;
}

/* Runs a handshake with p on both sides. Returns TH_OK, or the status
 * with why filled and *at set to "configuration" or "handshake"; on success
 * *version_out and *cipher_out (caller frees) describe what was negotiated. */
static int handshake(const probe *p, char *why, size_t whysz, const char **at, int *version_out,
                     th_bytes **cipher_out) {
  th_context *s = ts_server_ctx(p->version, TS_CHAIN), *c = ts_client_ctx(p->version, 0);
  int rc = configure(s, p);
  if (rc == TH_OK) rc = configure(c, p);
  *at = "configuration";
  th_loopback_pair *pair = NULL;
  if (rc == TH_OK) {
    pair = th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP);
    cr_assert_not_null(pair, "%s", tu_err());
    rc = th_loopback_handshake(pair);
    *at = "handshake";
  }
  if (rc != TH_OK) {
    snprintf(why, whysz, "%s", tu_err());
  } else {
    th_connection *conn = th_loopback_pair_connection(pair, TH_LOOPBACK_CLIENT);
    cr_assert_not_null(conn, "%s", tu_err());
    *version_out = th_connection_get_protocol_version(conn);
    cr_assert_eq(th_connection_get_cipher_name(conn, cipher_out), TH_OK, "%s", tu_err());
    th_connection_free(conn);
  }
  th_loopback_pair_free(pair);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

/* A probe that did not connect: the build refused (UNSUPPORTED, saying where)
 * or failed for another reason (FAIL). */
static void refused_or_failed(const char *name, const char *at, const char *why) {
  if (strcmp(at, "configuration") == 0 || is_refusal(why))
    cr_skip_test("UNSUPPORTED: %s refused by this build (%s): %s", name, at, why);
  cr_assert_fail("%s: the build accepted it but the handshake failed: %s", name, why);
}

/* A protocol version the build may refuse: the handshake must negotiate
 * exactly that version, or the build does not support it. */
static void version_probe(int version, const char *name, const char *cipher_list) {
  probe p = {version, cipher_list, NULL, NULL};
  char why[600];
  const char *at = "";
  int got = 0;
  th_bytes *cipher = NULL;
  ts_need_version(version); /* configured out: UNSUPPORTED at compile time */
  if (handshake(&p, why, sizeof why, &at, &got, &cipher) != TH_OK) refused_or_failed(name, at, why);
  cr_assert_eq(got, version, "%s: negotiated 0x%x", name, got);
  th_bytes_free(cipher);
}

Test(features, tls1_3) { version_probe(TH_TLS1_3_VERSION, "TLS 1.3", NULL); }
Test(features, tls1_2) { version_probe(TH_TLS1_2_VERSION, "TLS 1.2", NULL); }
/* TLS 1.0 / 1.1 sign with SHA-1: only at security level 0 on OpenSSL 3. */
Test(features, tls1_1_at_seclevel_0) {
  version_probe(TH_TLS1_1_VERSION, "TLS 1.1", "DEFAULT:@SECLEVEL=0");
}
Test(features, tls1_0_at_seclevel_0) {
  version_probe(TH_TLS1_VERSION, "TLS 1.0", "DEFAULT:@SECLEVEL=0");
}

Test(features, sslv3_method) {
  th_context *ctx = th_context_new(TH_SSLv3_METHOD);
  if (ctx == NULL) {
    cr_assert_eq(th_error_kind(), TH_ERR_UNSUPPORTED, "%s", tu_err());
    cr_skip_test("UNSUPPORTED: SSLv3_METHOD: %s", th_error_last()->message);
  }
  th_context_free(ctx);
}

/* A cipher suite or group: the handshake must negotiate it. */
static void suite_probe(const probe *p, const char *want, const char *name) {
  char why[600];
  const char *at = "";
  int got = 0;
  th_bytes *cipher = NULL;
  if (handshake(p, why, sizeof why, &at, &got, &cipher) != TH_OK) refused_or_failed(name, at, why);
  if (want != NULL) cr_assert_str_eq((const char *)cipher->data, want, "%s", name);
  th_bytes_free(cipher);
}

Test(features, chacha20_poly1305_tls1_3) {
  probe p = {TH_TLS1_3_VERSION, NULL, "TLS_CHACHA20_POLY1305_SHA256", NULL};
  suite_probe(&p, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256");
}

Test(features, aes_ccm_tls1_3) {
  probe p = {TH_TLS1_3_VERSION, NULL, "TLS_AES_128_CCM_SHA256", NULL};
  suite_probe(&p, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256");
}

Test(features, group_x25519) {
  probe p = {TH_TLS1_3_VERSION, NULL, NULL, "X25519"};
  suite_probe(&p, NULL, "group X25519");
}

Test(features, group_x448) {
  probe p = {TH_TLS1_3_VERSION, NULL, NULL, "X448"};
  suite_probe(&p, NULL, "group X448");
}

Test(features, group_ffdhe2048) {
  probe p = {TH_TLS1_3_VERSION, NULL, NULL, "ffdhe2048"};
  suite_probe(&p, NULL, "group ffdhe2048");
}

/* A key type: generate, sign, verify. */
static void key_probe(int type, int bits, const char *name) {
  th_pkey *k = th_pkey_new();
  cr_assert_not_null(k, "%s", tu_err());
  if (th_pkey_generate_key(k, type, bits) != TH_OK) {
    char why[512];
    snprintf(why, sizeof why, "%s", tu_err());
    th_pkey_free(k);
    cr_skip_test("UNSUPPORTED: %s keys: %s", name, why);
  }
  th_x509 *cert = tu_self_signed(k, name);
  cr_assert_not_null(cert, "%s", tu_err());
  static const unsigned char msg[] = "tlsharness";
  th_bytes *sig = th_crypto_sign(k, msg, sizeof msg - 1, "sha256");
  cr_assert_not_null(sig, "%s: sign: %s", name, tu_err());
  cr_assert_eq(th_crypto_verify(cert, sig->data, sig->len, msg, sizeof msg - 1, "sha256"), TH_OK,
               "%s: verify: %s", name, tu_err());
  th_bytes_free(sig);
  th_x509_free(cert);
  th_pkey_free(k);
}

Test(features, keys_ed25519) { key_probe(TH_TYPE_ED25519, 0, "Ed25519"); }
Test(features, keys_ed448) { key_probe(TH_TYPE_ED448, 0, "Ed448"); }
Test(features, keys_p521) { key_probe(TH_TYPE_EC, 521, "EC P-521"); }

/* Providers a build may or may not ship (no-legacy; FIPS builds: the fips
 * one). Loaded, a provider must also compute: a digest fetched from it,
 * checked against its known answer. */
static void provider_probe(const char *name, const char *digest, const char *want_hex) {
  OSSL_PROVIDER *prov = OSSL_PROVIDER_try_load(NULL, name, 1);
  if (prov == NULL) cr_skip_test("UNSUPPORTED: the %s provider is not available", name);
  cr_assert(OSSL_PROVIDER_available(NULL, name), "%s loaded but not available", name);
  char props[64];
  snprintf(props, sizeof props, "provider=%s", name);
  EVP_MD *md = EVP_MD_fetch(NULL, digest, props);
  cr_assert_not_null(md, "the %s provider has no %s", name, digest);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  cr_assert_eq(EVP_Digest("abc", 3, out, &len, md, NULL), 1, "%s: %s failed", name, digest);
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  for (unsigned int i = 0; i < len; i++) snprintf(hex + 2 * i, 3, "%02x", out[i]);
  cr_assert_str_eq(hex, want_hex, "%s(\"abc\") from the %s provider", digest, name);
  EVP_MD_free(md);
  OSSL_PROVIDER_unload(prov);
}

Test(features, provider_legacy) {
#ifdef OPENSSL_NO_LEGACY
  cr_skip_test("UNSUPPORTED: the legacy provider is configured out (no-legacy)");
#endif
  provider_probe("legacy", "MD4", "a448017aaf21d8525fc10ae87aa6729d");
}
Test(features, provider_fips) {
  provider_probe("fips", "SHA2-256",
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* The cross-checks' second opinion is the build's own tool: it must report
 * the library's version (as built and as loaded). No tool at all in the
 * prefix: UNSUPPORTED; a tool that starts against other libraries: FAIL (the
 * prefix is inconsistent, and the cross-checks report UNSUPPORTED). */
Test(features, openssl_cli_is_this_build) {
  const char *why = tu_openssl_unusable();
  if (why != NULL && strstr(why, "does not start") != NULL)
    cr_skip_test("UNSUPPORTED: no usable openssl tool in this build: %s", why);
  cr_assert_null(why, "%s", why);
}
