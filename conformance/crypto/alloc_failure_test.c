/* alloc_failure_test.c — issue 12 item 19: allocating calls whose result
 * was not checked. OpenSSL's allocator is replaced, before the first
 * OpenSSL call (so a plain main: Criterion's runner and the shared test
 * helpers allocate first), by one that fails the n-th allocation; each
 * operation is run with n = 0, 1, ... until it succeeds, and every failure
 * must be a clear error that leaves the object as it was. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tlsharness/tlsharness.h"

static int failures;
static const char *current;

static const char *tu_err(void) { return th_error_last()->message; }

#define cr_assert_fmt(cond, ...)                                                        \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "FAIL: %s: line %d: %s: ", current, __LINE__, #cond);             \
      fprintf(stderr, " " __VA_ARGS__);                                                 \
      fprintf(stderr, "\n");                                                            \
      failures++;                                                                       \
      return;                                                                           \
    }                                                                                   \
  } while (0)
#define cr_assert(cond, ...) cr_assert_fmt(cond, __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert_fmt((a) == (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert_fmt((a) < (b), __VA_ARGS__)
#define cr_assert_not_null(a, ...) cr_assert_fmt((a) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) cr_assert_fmt(strcmp((a), (b)) == 0, __VA_ARGS__)
#define Test(suite, name) static void name(void)

static int fail_at = -1, seen;

static int fails(void) { return fail_at >= 0 && seen++ == fail_at; }
static void *t_malloc(size_t n, const char *file, int line) {
  (void)file, (void)line;
  return fails() ? NULL : malloc(n);
}
static void *t_realloc(void *p, size_t n, const char *file, int line) {
  (void)file, (void)line;
  return fails() ? NULL : realloc(p, n);
}
static void t_free(void *p, const char *file, int line) {
  (void)file, (void)line;
  free(p);
}


static void arm(int n) {
  seen = 0;
  fail_at = n;
}

static char *serial_text(const th_x509 *c) {
  th_bytes *b = th_x509_get_serial_number(c);
  char *s = strdup(b != NULL ? (char *)b->data : "(none)");
  th_bytes_free(b);
  return s;
}

/* BN_set_word's allocation was unchecked: a failure set serial 0 and
 * reported success. */
Test(alloc_failure, set_serial_number_long) {
  th_x509 *c = th_x509_new();
  cr_assert_eq(th_x509_set_serial_number_long(c, 7), TH_OK);
  int n;
  for (n = 0; n < 100; n++) {
    arm(n);
    int rc = th_x509_set_serial_number_long(c, 0x123456789abcL);
    arm(-1);
    char *got = serial_text(c);
    if (rc == TH_OK) {
      cr_assert_str_eq(got, "20015998343868", "allocation %d failed unseen", n);
      free(got);
      break;
    }
    /* OpenSSL words some of its allocation failures as its own errors. */
    cr_assert(rc == TH_ERR_NOMEM || rc == TH_ERR_CRYPTO, "allocation %d: %s", n, tu_err());
    cr_assert_str_eq(got, "7", "allocation %d: the serial changed on error", n);
    free(got);
  }
  cr_assert_lt(n, 100);
  th_x509_free(c);
}

static size_t ext_count(const th_x509_req *r) {
  th_list *l = th_x509_req_get_extensions(r);
  size_t k = l != NULL ? l->count : (size_t)-1;
  th_list_free(l);
  return k;
}

/* Taking the old extensionRequest out before adding the merged one: an
 * unchecked push lost it when out of memory. */
Test(alloc_failure, req_add_extensions_keeps_the_old_ones) {
  th_x509_extension *a = th_x509_extension_new("basicConstraints", 1, "CA:false", NULL, NULL);
  th_x509_extension *b = th_x509_extension_new("keyUsage", 0, "digitalSignature", NULL, NULL);
  cr_assert(a != NULL && b != NULL, "%s", tu_err());
  int n;
  for (n = 0; n < 400; n++) {
    th_x509_req *r = th_x509_req_new();
    cr_assert_eq(th_x509_req_add_extensions(r, &a, 1), TH_OK, "%s", tu_err());
    arm(n);
    int rc = th_x509_req_add_extensions(r, &b, 1);
    arm(-1);
    size_t k = ext_count(r);
    th_x509_req_free(r);
    if (rc == TH_OK) {
      cr_assert_eq(k, 2u, "allocation %d failed unseen: %zu extensions", n, k);
      break;
    }
    cr_assert(rc == TH_ERR_NOMEM || rc == TH_ERR_CRYPTO, "allocation %d: %s", n, tu_err());
    cr_assert_eq(k, 1u, "allocation %d: the request has %zu extensions after %s", n, k, tu_err());
  }
  cr_assert_lt(n, 400);
  th_x509_extension_free(b);
  th_x509_extension_free(a);
}

/* A loopback handshake (TLS 1.3, EC certificate) under every allocation
 * failure: a clear error each time, never a stall from bytes lost between
 * the two sides (the pump's BIO_write was unchecked). */
static SSL_CTX *server_ctx(void) {
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *cert = X509_new();
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (key == NULL || cert == NULL || ctx == NULL) return NULL;
  X509_NAME *name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"oom", -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  int ok = X509_set_pubkey(cert, key) && X509_sign(cert, key, EVP_sha256()) > 0 &&
           SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) SSL_CTX_free(ctx);
  return ok ? ctx : NULL;
}

Test(alloc_failure, loopback_handshake) {
  SSL_CTX *s = server_ctx(), *c = SSL_CTX_new(TLS_client_method());
  cr_assert(s != NULL && c != NULL);
  int n, stalls = 0;
  for (n = 0; n < 5000; n++) {
    th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
    cr_assert_not_null(p, "%s", tu_err());
    arm(n);
    int rc = th_loopback_handshake(p);
    arm(-1);
    th_loopback_pair_free(p);
    if (rc == TH_OK) break;
    if (rc == TH_ERR_STALLED && stalls++ < 5)
      fprintf(stderr, "allocation %d: stalled: %s\n", n, tu_err());
  }
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  cr_assert_lt(n, 5000);
  cr_assert_eq(stalls, 0, "%d handshakes stalled instead of failing", stalls);
}

/* Regressions the allocation-failure sweep found (tools/failsweep,
 * docs/reliability.md). X509_VERIFY_PARAM_set1_host drops the old names
 * before it copies the new one: a failed set_host left no name at all. */
Test(alloc_failure, store_set_host_keeps_the_old_names) {
  th_x509_store *st = th_x509_store_new();
  cr_assert_eq(th_x509_store_set_host(st, "old.example", 11), TH_OK);
  cr_assert_eq(th_x509_store_add_host(st, "older.example", 13), TH_OK);
  X509_STORE *raw = th_x509_store_to_x509_store(st);
  X509_VERIFY_PARAM *vp = X509_STORE_get0_param(raw);
  int n, failed = 0;
  for (n = 0; n < 100; n++) {
    arm(n);
    int rc = th_x509_store_set_host(st, "new.example", 11);
    arm(-1);
    const char *h0 = X509_VERIFY_PARAM_get0_host(vp, 0), *h1 = X509_VERIFY_PARAM_get0_host(vp, 1);
    if (rc == TH_OK) {
      cr_assert(h0 != NULL && strcmp(h0, "new.example") == 0 && h1 == NULL, "allocation %d", n);
      break;
    }
    failed++;
    cr_assert_eq(rc, TH_ERR_NOMEM, "allocation %d: %s", n, tu_err());
    cr_assert(h0 != NULL && strcmp(h0, "old.example") == 0 && h1 != NULL &&
                  strcmp(h1, "older.example") == 0,
              "allocation %d: the names changed on error", n);
  }
  cr_assert_lt(n, 100);
  cr_assert(failed > 0, "no allocation was failed");
  X509_STORE_free(raw);
  th_x509_store_free(st);
}

/* PKCS12_create went on when packing the certificate's bag failed and
 * returned a PKCS#12 without the certificate: export reported success. */
Test(alloc_failure, pkcs12_export_has_every_part) {
  EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  X509 *x = X509_new();
  cr_assert(k != NULL && x != NULL);
  X509_set_pubkey(x, k);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             (const unsigned char *)"p12", -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  cr_assert(X509_sign(x, k, EVP_sha256()) > 0);
  th_x509 *cert = th_x509_from_x509(x);
  th_pkey *key = th_pkey_from_evp(k);
  th_pkcs12 *p = th_pkcs12_new();
  cr_assert_eq(th_pkcs12_set_certificate(p, cert), TH_OK);
  cr_assert_eq(th_pkcs12_set_privatekey(p, key), TH_OK);
  cr_assert_eq(th_pkcs12_set_friendlyname(p, (const unsigned char *)"name", 4), TH_OK);
  int n;
  for (n = 0; n < 2000; n++) {
    arm(n);
    th_bytes *der = th_pkcs12_export(p, "pw", 1, 1);
    arm(-1);
    if (der == NULL) {
      cr_assert(th_error_kind() == TH_ERR_CRYPTO || th_error_kind() == TH_ERR_NOMEM,
                "allocation %d: %s", n, tu_err());
      continue;
    }
    th_pkcs12 *back = th_crypto_load_pkcs12(der->data, der->len, "pw");
    th_bytes_free(der);
    cr_assert_not_null(back, "allocation %d: %s", n, tu_err());
    th_x509 *got = NULL;
    cr_assert_eq(th_pkcs12_get_certificate(back, &got), TH_OK);
    th_pkcs12_free(back);
    cr_assert_not_null(got, "allocation %d failed unseen: the export has no certificate", n);
    th_x509_free(got);
    if (seen <= n) break; /* the whole export ran without reaching allocation n */
  }
  cr_assert_lt(n, 2000);
  th_pkcs12_free(p);
  th_pkey_free(key);
  th_x509_free(cert);
  X509_free(x);
  EVP_PKEY_free(k);
}

/* th_fixtures_issue returned NULL with no error recorded when X509_new
 * failed. */
Test(alloc_failure, fixtures_issue_records_its_error) {
  th_fixtures *fx = th_fixtures_new(3);
  cr_assert_not_null(fx);
  int n;
  for (n = 0; n < 5000; n += 7) {
    th_error_clear();
    arm(n);
    th_fixtures_cert *c = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
    arm(-1);
    if (c != NULL) {
      th_fixtures_cert_free(c);
      if (seen <= n) break;
      continue;
    }
    cr_assert(th_error_kind() < 0, "allocation %d: NULL with no error recorded", n);
  }
  cr_assert_lt(n, 5000);
  th_fixtures_free(fx);
}

/* A request loaded from DER whose ECDSA signature is 72 bytes long (the
 * most P-256 gives) holds it in a buffer of exactly 72 bytes. A failed
 * re-sign left the signature's length at -1 and the restore's
 * ASN1_STRING_copy wrote one byte past that buffer (the heap check aborts
 * at the request's free). Every failure must leave the request's bytes as
 * they were. */
static th_x509_req *req_with_long_signature(th_pkey *key) {
  for (int tries = 0; tries < 200; tries++) {
    th_x509_req *r = th_x509_req_new();
    if (r == NULL || th_x509_req_set_pubkey(r, key) != TH_OK || th_x509_req_sign(r, key, "sha256") != TH_OK) {
      th_x509_req_free(r);
      return NULL;
    }
    X509_REQ *raw = th_x509_req_to_x509_req(r);
    const ASN1_BIT_STRING *sig = NULL;
    if (raw != NULL) X509_REQ_get0_signature(raw, &sig, NULL);
    int len = sig != NULL ? ASN1_STRING_length(sig) : 0;
    X509_REQ_free(raw);
    if (len == 72) {
      th_bytes *der = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, r);
      th_x509_req_free(r);
      r = der != NULL ? th_crypto_load_certificate_request(TH_FILETYPE_ASN1, der->data, der->len) : NULL;
      th_bytes_free(der);
      return r;
    }
    th_x509_req_free(r);
  }
  return NULL;
}

Test(alloc_failure, failed_sign_restores_a_full_length_signature) {
  th_pkey *key = th_pkey_new();
  cr_assert(key != NULL && th_pkey_generate_key(key, TH_TYPE_EC, 256) == TH_OK, "%s", tu_err());
  /* How many allocations one sign makes; then fail each in turn (an
   * allocation OpenSSL can do without is no reason to stop early). */
  th_x509_req *r = req_with_long_signature(key);
  cr_assert_not_null(r, "no request with a 72-byte signature: %s", tu_err());
  arm(INT_MAX);
  cr_assert_eq(th_x509_req_sign(r, key, "sha256"), TH_OK, "%s", tu_err());
  int total = seen, failed = 0;
  arm(-1);
  th_x509_req_free(r);
  for (int n = 0; n < total; n++) {
    r = req_with_long_signature(key);
    cr_assert_not_null(r, "no request with a 72-byte signature: %s", tu_err());
    th_bytes *before = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, r);
    cr_assert_not_null(before, "%s", tu_err());
    arm(n);
    int rc = th_x509_req_sign(r, key, "sha256");
    arm(-1);
    th_bytes *after = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, r);
    int same = after != NULL && after->len == before->len && memcmp(after->data, before->data, before->len) == 0;
    int verifies = th_x509_req_verify(r, key) == 1;
    char why[256];
    snprintf(why, sizeof why, "%s", verifies ? "" : tu_err());
    th_bytes_free(after);
    th_bytes_free(before);
    th_x509_req_free(r);
    if (rc == TH_OK) {
      cr_assert(verifies, "allocation %d: signed, but the signature does not verify: %s", n, why);
      continue;
    }
    failed++;
    cr_assert(rc == TH_ERR_NOMEM || rc == TH_ERR_CRYPTO, "allocation %d: %s", n, tu_err());
    cr_assert(same, "allocation %d: the request changed on a failed sign", n);
  }
  cr_assert(failed > 0, "none of %d allocations failed the sign", total);
  th_pkey_free(key);
}

/* Adding three extensions at once: a failure at the second or third must
 * take the ones already added out again (all or none). */
Test(alloc_failure, x509_add_extensions_all_or_none) {
  th_x509_extension *e[3] = {
      th_x509_extension_new("nsComment", 0, "alloc", NULL, NULL),
      th_x509_extension_new("basicConstraints", 1, "CA:FALSE", NULL, NULL),
      th_x509_extension_new("keyUsage", 0, "digitalSignature", NULL, NULL)};
  cr_assert(e[0] != NULL && e[1] != NULL && e[2] != NULL, "%s", tu_err());
  int n, failed = 0;
  for (n = 0; n < 400; n++) {
    th_x509 *c = th_x509_new();
    cr_assert_not_null(c, "%s", tu_err());
    cr_assert_eq(th_x509_add_extensions(c, e, 1), TH_OK, "%s", tu_err());
    arm(n);
    int rc = th_x509_add_extensions(c, e + 1, 2);
    arm(-1);
    int k = th_x509_get_extension_count(c);
    th_x509_free(c);
    if (rc == TH_OK) {
      cr_assert_eq(k, 3, "allocation %d failed unseen: %d extensions", n, k);
      if (seen <= n) break;
      continue;
    }
    failed++;
    cr_assert(rc == TH_ERR_NOMEM || rc == TH_ERR_CRYPTO, "allocation %d: %s", n, tu_err());
    cr_assert_eq(k, 1, "allocation %d: %d extensions after %s", n, k, tu_err());
  }
  cr_assert_lt(n, 400);
  cr_assert(failed > 1, "only %d failures", failed);
  for (int i = 0; i < 3; i++) th_x509_extension_free(e[i]);
}

int main(void) {
  if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) {
    fprintf(stderr, "FAIL: OpenSSL allocated before main\n");
    return 1;
  }
  current = "set_serial_number_long";
  set_serial_number_long();
  current = "req_add_extensions_keeps_the_old_ones";
  req_add_extensions_keeps_the_old_ones();
  current = "loopback_handshake";
  loopback_handshake();
  current = "store_set_host_keeps_the_old_names";
  store_set_host_keeps_the_old_names();
  current = "pkcs12_export_has_every_part";
  pkcs12_export_has_every_part();
  current = "fixtures_issue_records_its_error";
  fixtures_issue_records_its_error();
  current = "failed_sign_restores_a_full_length_signature";
  failed_sign_restores_a_full_length_signature();
  current = "x509_add_extensions_all_or_none";
  x509_add_extensions_all_or_none();
  if (failures == 0) printf("PASS: 8 allocation-failure sweeps\n");
  /* The plain line tools/test_summary.py counts (one per sweep). */
  printf("tests: %d passed, %d failed\n", 8 - failures, failures);
  return failures != 0;
}
