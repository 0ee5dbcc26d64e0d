/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <criterion/criterion.h>

#include "testutil_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#ifndef TH_OPENSSL_BIN
#define TH_OPENSSL_BIN "openssl"
#endif

const char tu_rsa_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCk+NPac9gjjveS\n"
    "lLrQF2wKPkcHAO+psSWxw/OSIxhPd8fn2k3di8uD1yPccr8O6IXvG9hE4mYMm9DB\n"
    "B2CgbxxOnl5TekFYUYmbZh5VUz5rh+IykX9uAvAXZJHed1uPhv/IndM4Hk/E63ba\n"
    "XqTgTQDQjrljb6d8ze5+4IqqHOklJF6M4ANfLSbBMi3T37fqG8OBUkHbIB1lQSa0\n"
    "AVtmo4x+0SzyR3p4nUAm6MRVRLJcwaIlLA/MX2PnAI0FEwIbZD7orT58lSJtSywI\n"
    "3ri+rpRRPHAhh4rjqKLYkupngXfnVRzvBslJ2XT+3GxgVFFiRSaykbRZGzRAXhAA\n"
    "NzyEQLgVAgMBAAECggEAAfbq4ls4zPlQubUiRhasvkMOKlUK80umUWgJiFuLfP7G\n"
    "BRPLbwKsu5ueHUc39c2hoGMqWyQ2eXX2sW7oV852WR53rM30Chx9USe1usM+3guE\n"
    "WHxiyRcEuTKXQGI7xQlaFiGlSrHuSGR3JW9r8uz8ZMiMCFU/DOtHce3q4fNt5i6Y\n"
    "yw/Q38ASS4Fubhp6SXM6CsWvtHQ1VcK7+2eBtvSLV7UtOaY+FIPr9Z3bemPzm/bD\n"
    "8SKMpTJlZWlf+pu070qFlswVB6t32XRUj8r5Fnw0P3unRhjyFXovxyVNu+sshqik\n"
    "Kz7t2cbu1maVWchOGVzw7AGIOedbNcefwoQyK1V1oQKBgQDV9tHBYPs+G2JT1qyZ\n"
    "J+yH30Pi5R378KMelS2uAJtIPDUp5xTHI7UxjrEJDNvBLI69TDHlET6a+Q0OtQpq\n"
    "jSgoaaRJcYBrmOANF7wJbWSCYylEYI8oz1fSFA8QkkHAGjnSA72TVEpDDIlJqAie\n"
    "+vu1838k3FxALI622fAyf3ponQKBgQDFYfso4JjMz4OVWaOlLb+vASHBXolAoMjC\n"
    "ZKErWWOAHMNZmwwtD71ODgnq5+Bj4lWCDRDTa0OMZtVH3bPsj8Wd0aoe+KRP/vSy\n"
    "1zvLYJxZ6ru3AwTJ4K4gCmeKJM07ZOFh6vkAHnIslrbvzYrzahXY12KFvOUDiyv0\n"
    "llX/QRzH2QKBgBlRgpKackBwJxt6nKPm6INPdQ4FRJ4KZJL63hPn+Hf8v+G8eWXz\n"
    "IL7DfsluXxaluiJGQOU1PC5EaDokTB49o9HcZldWefbBeUmzVEndSvZu23Q+5NHU\n"
    "bzTpsLqqQ+OCdvMWBDnJ0JvMgPZZTuPZGS33qUToWnYxj5WthlHDae21AoGARpuq\n"
    "UREnF/0TwRVz6N7Yty3ceWPsDWZ26rM8xFkRsv6XEzLXxDbhLU7wVUvlhVWt6Pvr\n"
    "jPXOECepHDA+8NztgGtERBgGD2fQ+Tjtdu90fuXtiKZXzC/Hmkaei1hm4lxQE8sO\n"
    "j/BUP4caoeYRUsocTpmd8OGFuyLJ8pDk6o7MUOECgYAVSv5fCsL6OvfsBR54eCSq\n"
    "+J1FvhRKnAJmYxopFi9VlEozeu/X9eD+6FSGP2ydEA/Skux3gfQW7l6Rz7sc9PvK\n"
    "LjR5pH8f+Iz7if1y2FiSKgtwWEw4bmAqIm+6bWag7NnhwGR8gccvE+W5IgiAYfZB\n"
    "O38dbE3O+C6CuBcnxKov7g==\n"
    "-----END PRIVATE KEY-----\n"
;

EVP_PKEY *tu_ec_evp(void) { return EVP_EC_gen("P-256"); }

EVP_PKEY *tu_rsa_evp(void) {
  BIO *b = BIO_new_mem_buf(tu_rsa_pem, -1);
  EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  BIO_free(b);
  return k;
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (ext != NULL) X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509 *tu_make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int is_ca,
                   long not_before_days, long not_after_days) {
  static long serial = 1000;
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++ + getpid());
  X509_gmtime_adj(X509_getm_notBefore(x), not_before_days * 86400L);
  X509_gmtime_adj(X509_getm_notAfter(x), not_after_days * 86400L);
  X509_set_pubkey(x, key);
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509 *iss = issuer ? issuer : x;
  add_ext(x, iss, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_ext(x, iss, NID_subject_key_identifier, "hash");
  add_ext(x, iss, NID_authority_key_identifier, "keyid:always");
  if (is_ca) add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  if (!is_ca) add_ext(x, iss, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return x;
}

th_pkey *tu_ec_key(void) {
  EVP_PKEY *k = tu_ec_evp();
  th_pkey *p = th_pkey_from_evp(k);
  EVP_PKEY_free(k);
  return p;
}

th_pkey *tu_rsa_key(void) {
  EVP_PKEY *k = tu_rsa_evp();
  th_pkey *p = th_pkey_from_evp(k);
  EVP_PKEY_free(k);
  return p;
}

th_x509 *tu_self_signed(th_pkey *key, const char *cn) {
  EVP_PKEY *k = th_pkey_to_evp(key);
  X509 *x = tu_make_cert(k, cn, NULL, NULL, 1, 0, 365);
  th_x509 *c = th_x509_from_x509(x);
  X509_free(x);
  EVP_PKEY_free(k);
  return c;
}

/* The cross-checks' second opinion must be this build's own tool with this
 * build's own libraries: `openssl version` names the library's version as
 * built and as loaded ("OpenSSL 3.5.7 ... (Library: OpenSSL 3.5.7 ...)").
 * Checked once per test process; NULL when usable, else why not. */
const char *tu_openssl_unusable(void) {
  static char why[1024];
  static pid_t checked;
  if (checked == getpid()) return why[0] != '\0' ? why : NULL;
  checked = getpid();
  why[0] = '\0';
  char out[512];
  int rc = tu_sh(out, sizeof out, "'%s' version", TH_OPENSSL_BIN);
  out[strcspn(out, "\n")] = '\0';
  const char *lib = OpenSSL_version(OPENSSL_VERSION);
  char loaded[300];
  snprintf(loaded, sizeof loaded, "(Library: %s)", lib);
  if (rc != 0)
    snprintf(why, sizeof why, "%s does not start (exit %d): %.300s", TH_OPENSSL_BIN, rc, out);
  else if (strncmp(out, lib, strlen(lib)) != 0 || strstr(out, loaded) == NULL)
    snprintf(why, sizeof why, "%s reports \"%.300s\", the library under test is \"%s\"",
             TH_OPENSSL_BIN, out, lib);
  return why[0] != '\0' ? why : NULL;
}

int tu_cli_has_dn(const char *out, const char *key, const char *value) {
  char spaced[256], tight[256];
  snprintf(spaced, sizeof spaced, "%s = %s", key, value);
  snprintf(tight, sizeof tight, "%s=%s", key, value);
  unsigned long v = OpenSSL_version_num();
  if (v < 0x30100000UL) return strstr(out, spaced) != NULL;
  if (v >= 0x30500000UL) return strstr(out, tight) != NULL;
  return strstr(out, spaced) != NULL || strstr(out, tight) != NULL;
}

const char *tu_openssl(void) {
  const char *why = tu_openssl_unusable();
  if (why != NULL)
    cr_skip_test("UNSUPPORTED: cross-check needs this build's openssl tool: %s", why);
  return TH_OPENSSL_BIN;
}

/* Providers of a prefix unpacked from binary packages live in the prefix
 * (bazel/system_libs.bzl); without this its libcrypto would load the
 * distribution's. Runs before main(). */
__attribute__((constructor)) static void tu_openssl_modules(void) {
#ifdef TH_OPENSSL_MODULES
  if (TH_OPENSSL_MODULES[0] != '\0') setenv("OPENSSL_MODULES", TH_OPENSSL_MODULES, 0);
#endif
}

const char *tu_tmpdir(void) {
  static char dir[512];
  static pid_t owner;
  if (dir[0] == '\0' || owner != getpid()) {
    /* Criterion forks per test: each process gets its own directory. */
    const char *base = getenv("TEST_TMPDIR");
    snprintf(dir, sizeof dir, "%s/th-%d-XXXXXX", base ? base : "/tmp", (int)getpid());
    if (mkdtemp(dir) == NULL) snprintf(dir, sizeof dir, "/tmp");
    owner = getpid();
  }
  return dir;
}

const char *tu_path(const char *name) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
  return path;
}

int tu_write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  size_t n = fwrite(data, 1, len, f);
  return (fclose(f) == 0 && n == len) ? 0 : -1;
}

char *tu_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
  }
  fclose(f);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

int tu_sh(char *out, size_t outsz, const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  char full[4200];
  snprintf(full, sizeof full, "( %s ) 2>&1 </dev/null", cmd);
  FILE *p = popen(full, "r");
  if (p == NULL) return -1;
  size_t n = 0;
  char tmp[4096];
  size_t r;
  while ((r = fread(tmp, 1, sizeof tmp, p)) > 0) {
    if (out != NULL && outsz > 0 && n < outsz - 1) {
      size_t take = r < outsz - 1 - n ? r : outsz - 1 - n;
      memcpy(out + n, tmp, take);
      n += take;
    }
  }
  if (out != NULL && outsz > 0) out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *tu_err(void) {
  static char buf[2048];
  th_error_format(buf, sizeof buf);
  return buf;
}

/* The test report every binary writes under `bazel test` is
 * testutil_report.c's (Criterion's own JSON breaks on quotes in messages). */

/* ---- testutil_table.h ---------------------------------------------------- */

int tu_st_ptr(const void *p) { return p == NULL ? th_error_kind() : 1; }

void tu_bad_case_check(const tu_bad_case *c, void *wrong, void *alt) {
  if (c->how != TU_WRONG) {
    th_error_clear();
    int rc = c->run(NULL);
    cr_assert_eq(rc, TH_ERR_TYPE, "%s(NULL): %d, %s", c->name, rc, tu_err());
  }
  if (c->how != TU_PTR) {
    /* A live object of another class, cast to the expected type. */
    th_error_clear();
    int rc = c->run(c->how == TU_ALT ? alt : wrong);
    cr_assert_eq(rc, TH_ERR_TYPE, "%s(wrong type): %d, %s", c->name, rc, tu_err());
  }
}

void tu_change_case_check(const tu_change_case *c, th_bytes *(*snapshot)(int what), int text) {
  th_bytes *before = snapshot(c->what);
  cr_assert_not_null(before, "%s: snapshot: %s", c->name, tu_err());
  int rc = c->run();
  cr_assert_eq(rc, c->kind, "%s: got %d, want %s: %s", c->name, rc, th_err_name(c->kind),
               tu_err());
  th_bytes *after = snapshot(c->what);
  cr_assert_not_null(after, "%s: snapshot: %s", c->name, tu_err());
  int same = before->len == after->len && memcmp(before->data, after->data, before->len) == 0;
  if (text)
    cr_assert(same, "%s changed the object:\nbefore %s\nafter  %s", c->name,
              (const char *)before->data, (const char *)after->data);
  else
    cr_assert(same, "%s changed the object", c->name);
  th_bytes_free(after);
  th_bytes_free(before);
}
