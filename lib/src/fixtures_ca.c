/* fixtures_ca.c — the in-memory CA: generators, issuing, revoking, CRLs. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "fixtures_internal.h"

static void fx_destroy(void *self) { th__fx_libctx_done(self); }
const th_type TH_TYPE_FIXTURES = {"Fixtures", fx_destroy};
TH_DEFINE_REFCOUNT(fixtures, th_fixtures, TH_TYPE_FIXTURES)

static void cert_destroy(void *self) {
  th_fixtures_cert *c = self;
  X509_free(c->x509);
  EVP_PKEY_free(c->key);
  sk_X509_REVOKED_pop_free(c->revoked, X509_REVOKED_free);
  th__obj_free(c->issuer);
  th__obj_free(c->fx);
}
const th_type TH_TYPE_FIXTURES_CERT = {"FixturesCert", cert_destroy};
TH_DEFINE_REFCOUNT(fixtures_cert, th_fixtures_cert, TH_TYPE_FIXTURES_CERT)

th_fixtures *th_fixtures_new(unsigned long long seed) {
  th_fixtures *fx = th__obj_new(&TH_TYPE_FIXTURES, sizeof *fx);
  if (fx == NULL) return NULL;
  fx->seed = seed;
  fx->next_serial = 0x1001;
  if (th__fx_libctx_init(fx) != TH_OK) {
    th__obj_free(fx);
    return NULL;
  }
  return fx;
}

unsigned long long th_fixtures_seed(const th_fixtures *fx) {
  return th__obj_is(fx, &TH_TYPE_FIXTURES) ? fx->seed : 0;
}

int th__fx_set_time(ASN1_TIME *t, const char *text, const char *func) {
  /* RFC 5280: UTCTime up to 2049, GeneralizedTime after. */
  if (strlen(text) != 15 || text[14] != 'Z' || !ASN1_TIME_set_string_X509(t, text))
    return th__err(TH_ERR_VALUE, "%s: bad time \"%.32s\" (want YYYYMMDDHHMMSSZ)", func, text);
  return TH_OK;
}

X509 *th__fx_export_x509(X509 *x) {
  unsigned char *der = NULL;
  int n = i2d_X509(x, &der);
  const unsigned char *p = der;
  X509 *out = n > 0 ? d2i_X509(NULL, &p, n) : NULL;
  OPENSSL_free(der);
  if (out == NULL) th__err_ossl(TH_ERR_CRYPTO, "fixtures: cannot export a certificate");
  return out;
}

EVP_PKEY *th__fx_export_pkey(EVP_PKEY *k) {
  BIO *b = BIO_new(BIO_s_mem());
  EVP_PKEY *out = NULL;
  if (b != NULL && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
    out = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  BIO_free(b);
  if (out == NULL) th__err_ossl(TH_ERR_CRYPTO, "fixtures: cannot export a key");
  return out;
}

/* ---- extensions ---- */
typedef struct ext_item {
  char name[64];
  const char *value; /* points into the caller's text or a static default */
} ext_item;

typedef struct ext_list {
  ext_item items[32];
  size_t n;
} ext_list;

static int ext_set(ext_list *l, const char *name, size_t name_len, const char *value) {
  if (name_len == 0 || name_len >= sizeof l->items[0].name)
    return th__err(TH_ERR_VALUE, "th_fixtures_issue: bad extension name");
  for (size_t i = 0; i < l->n; i++)
    if (strlen(l->items[i].name) == name_len && memcmp(l->items[i].name, name, name_len) == 0) {
      l->items[i].value = value;
      return TH_OK;
    }
  if (l->n == sizeof l->items / sizeof l->items[0])
    return th__err(TH_ERR_VALUE, "th_fixtures_issue: too many extensions");
  memcpy(l->items[l->n].name, name, name_len);
  l->items[l->n].name[name_len] = '\0';
  l->items[l->n++].value = value;
  return TH_OK;
}

/* san_text turns identities into "DNS:a,IP:b,email:c". */
static int san_text(const char *const *names, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; names[i] != NULL; i++) {
    unsigned char tmp[16];
    const char *kind = "DNS";
    if (inet_pton(AF_INET, names[i], tmp) == 1 || inet_pton(AF_INET6, names[i], tmp) == 1)
      kind = "IP";
    else if (strchr(names[i], '@') != NULL)
      kind = "email";
    int n = snprintf(buf + used, size - used, "%s%s:%s", used ? "," : "", kind, names[i]);
    if (n < 0 || (size_t)n >= size - used)
      return th__err(TH_ERR_VALUE, "th_fixtures_issue: too many names");
    used += (size_t)n;
  }
  return TH_OK;
}

static int default_exts(ext_list *l, int role, int key_type, const char *san) {
  int ca = role == TH_FIXTURES_ROLE_ROOT || role == TH_FIXTURES_ROLE_INTERMEDIATE;
  int rsa = key_type >= TH_FIXTURES_KEY_RSA1024 && key_type <= TH_FIXTURES_KEY_RSA4096;
  ext_set(l, "basicConstraints", 16, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  ext_set(l, "keyUsage", 8,
          ca ? "critical,keyCertSign,cRLSign,digitalSignature"
             : (rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"));
  if (!ca)
    ext_set(l, "extendedKeyUsage", 16,
            role == TH_FIXTURES_ROLE_SERVER ? "serverAuth" : "clientAuth");
  if (san[0] != '\0') ext_set(l, "subjectAltName", 14, san);
  ext_set(l, "subjectKeyIdentifier", 20, "hash");
  return ext_set(l, "authorityKeyIdentifier", 22, "keyid:always");
}

static int add_exts(X509 *x, X509 *issuer, const ext_list *l) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
  /* Extensions with a raw parser (certificatePolicies) insist on a config
   * database even when they reference no section: give them an empty one. */
  CONF *conf = NCONF_new(NULL);
  if (conf == NULL) return th__err_ossl(TH_ERR_NOMEM, "th_fixtures_issue: out of memory");
  X509V3_set_nconf(&v3, conf);
  int rc = TH_OK;
  for (size_t i = 0; rc == TH_OK && i < l->n; i++) {
    if (l->items[i].value == NULL || l->items[i].value[0] == '\0') continue; /* removed */
    X509_EXTENSION *e = X509V3_EXT_nconf(conf, &v3, l->items[i].name, l->items[i].value);
    int ok = e != NULL && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    if (!ok)
      rc = th__err_ossl(TH_ERR_VALUE, "th_fixtures_issue: bad extension %s=%.80s",
                        l->items[i].name, l->items[i].value);
  }
  NCONF_free(conf);
  return rc;
}

static int build_exts(ext_list *l, int role, int key_type, const th_fixtures_spec *spec) {
  static const char *const server_names[] = {"localhost", "127.0.0.1", "::1", NULL};
  static const char *const client_names[] = {"client@example.test", NULL};
  static const char *const none[] = {NULL};
  const char *const *names = spec->names;
  if (names == NULL)
    names = role == TH_FIXTURES_ROLE_SERVER ? server_names
            : role == TH_FIXTURES_ROLE_CLIENT ? client_names : none;
  static _Thread_local char san[2048];
  int rc = san_text(names, san, sizeof san);
  if (rc == TH_OK) rc = default_exts(l, role, key_type, san);
  for (size_t i = 0; rc == TH_OK && spec->extensions != NULL && spec->extensions[i]; i++) {
    const char *eq = strchr(spec->extensions[i], '=');
    if (eq == NULL)
      return th__err(TH_ERR_VALUE, "th_fixtures_issue: extension \"%.64s\" has no '='",
                     spec->extensions[i]);
    rc = ext_set(l, spec->extensions[i], (size_t)(eq - spec->extensions[i]), eq + 1);
  }
  return rc;
}

/* ---- issuing ---- */
static int key_type_of(const EVP_PKEY *k) {
  if (EVP_PKEY_is_a(k, "ED25519")) return TH_FIXTURES_KEY_ED25519;
  if (EVP_PKEY_is_a(k, "ED448")) return TH_FIXTURES_KEY_ED448;
  if (EVP_PKEY_is_a(k, "DSA")) return TH_FIXTURES_KEY_DSA;
  if (EVP_PKEY_is_a(k, "RSA")) return TH_FIXTURES_KEY_RSA2048;
  return TH_FIXTURES_KEY_P256;
}

static EVP_PKEY *subject_key(th_fixtures *fx, const th_fixtures_spec *spec) {
  if (spec->reuse_key == NULL) return th__fx_keygen(fx, spec->key);
  if (!th__obj_is(spec->reuse_key, &TH_TYPE_PKEY)) {
    th__obj_check(spec->reuse_key, &TH_TYPE_PKEY, "th_fixtures_issue", "spec->reuse_key");
    return NULL;
  }
  const th_pkey *k = spec->reuse_key;
  if (k->pkey == NULL || k->only_public) {
    th__err(TH_ERR_VALUE, "th_fixtures_issue: reuse_key has no private part");
    return NULL;
  }
  /* Re-import into the generator's context through PKCS#8. */
  BIO *b = BIO_new(BIO_s_mem());
  EVP_PKEY *out = NULL;
  if (b != NULL && PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL))
    out = PEM_read_bio_PrivateKey_ex(b, NULL, NULL, NULL, fx->libctx, NULL);
  BIO_free(b);
  if (out == NULL) th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_issue: cannot import reuse_key");
  return out;
}

static int set_names(X509 *x, const th_fixtures_cert *issuer, int role, int key_type,
                     const th_fixtures_spec *spec, long serial) {
  static const char *const roles[] = {"", "Root CA", "Intermediate CA", "server", "client"};
  char cn[128];
  if (spec->common_name == NULL)
    snprintf(cn, sizeof cn, "tlsharness %s %s %lx", roles[role], th_fixtures_key_name(key_type),
             serial);
  X509_NAME *name = X509_get_subject_name(x);
  if (spec->proxy && issuer != NULL) {
    if (!X509_set_subject_name(x, X509_get_subject_name(issuer->x509)))
      return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_issue: cannot copy the subject");
    name = X509_get_subject_name(x);
  } else if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                         (const unsigned char *)"tlsharness fixtures", -1, -1,
                                         0)) {
    return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_issue: cannot set the names");
  }
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  (const unsigned char *)(spec->common_name ? spec->common_name
                                                                            : cn), -1, -1, 0) ||
      !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x509) : name) ||
      !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) || !X509_set_version(x, 2))
    return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_issue: cannot set the names");
  return TH_OK;
}

static int check_issue_args(th_fixtures *fx, th_fixtures_cert *issuer, int role,
                            const th_fixtures_spec *spec) {
  TH_CHECK(fx, &TH_TYPE_FIXTURES);
  if (issuer != NULL) {
    TH_CHECK(issuer, &TH_TYPE_FIXTURES_CERT);
    if (issuer->fx != fx)
      return th__err(TH_ERR_VALUE, "th_fixtures_issue: issuer comes from another generator");
  }
  if (role < TH_FIXTURES_ROLE_ROOT || role > TH_FIXTURES_ROLE_CLIENT)
    return th__err(TH_ERR_VALUE, "th_fixtures_issue: unknown role %d", role);
  if (spec->key < 0 || spec->key >= TH_FIXTURES_KEY_COUNT)
    return th__err(TH_ERR_VALUE, "th_fixtures_issue: unknown key type %d", spec->key);
  if (spec->serial < 0) return th__err(TH_ERR_VALUE, "th_fixtures_issue: negative serial");
  return TH_OK;
}

th_fixtures_cert *th_fixtures_issue(th_fixtures *fx, th_fixtures_cert *issuer, int role,
                                    const th_fixtures_spec *spec) {
  static const th_fixtures_spec dflt;
  if (spec == NULL) spec = &dflt;
  if (check_issue_args(fx, issuer, role, spec) != TH_OK) return NULL;
  ERR_clear_error();
  th_fixtures_cert *c = th__obj_new(&TH_TYPE_FIXTURES_CERT, sizeof *c);
  if (c == NULL) return NULL;
  c->fx = th__obj_up_ref(fx);
  c->issuer = th__obj_up_ref(issuer);
  c->role = role;
  long serial = spec->serial > 0 ? spec->serial : fx->next_serial++;
  EVP_MD *md = NULL;
  ext_list exts = {.n = 0};
  int rc = TH_ERR_CRYPTO;
  if ((c->key = subject_key(fx, spec)) == NULL) goto fail;
  c->key_type = spec->reuse_key ? key_type_of(c->key) : (spec->key ? spec->key : TH_FIXTURES_KEY_P256);
  EVP_PKEY *signer = issuer != NULL ? issuer->key : c->key;
  int signer_type = issuer != NULL ? issuer->key_type : c->key_type;
  if (signer_type != TH_FIXTURES_KEY_ED25519 && signer_type != TH_FIXTURES_KEY_ED448 &&
      (md = EVP_MD_fetch(fx->libctx, spec->digest ? spec->digest : "SHA256", NULL)) == NULL) {
    rc = th__err(TH_ERR_VALUE, "th_fixtures_issue: unknown digest \"%.32s\"", spec->digest);
    goto fail;
  }
  if ((c->x509 = X509_new_ex(fx->libctx, NULL)) == NULL) goto fail;
  if ((rc = set_names(c->x509, issuer, role, c->key_type, spec, serial)) != TH_OK ||
      (rc = th__fx_set_time(X509_getm_notBefore(c->x509),
                            spec->not_before ? spec->not_before : TH_FIXTURES_NOT_BEFORE,
                            "th_fixtures_issue")) != TH_OK ||
      (rc = th__fx_set_time(X509_getm_notAfter(c->x509),
                            spec->not_after ? spec->not_after : TH_FIXTURES_NOT_AFTER,
                            "th_fixtures_issue")) != TH_OK)
    goto fail;
  if (!X509_set_pubkey(c->x509, c->key)) goto fail_ossl;
  if ((rc = build_exts(&exts, role, c->key_type, spec)) != TH_OK ||
      (rc = add_exts(c->x509, issuer ? issuer->x509 : NULL, &exts)) != TH_OK)
    goto fail;
  if (X509_sign(c->x509, signer, md) <= 0) goto fail_ossl;
  EVP_MD_free(md);
  return c;
fail_ossl:
  th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_issue: cannot make the certificate");
fail:
  EVP_MD_free(md);
  th__obj_free(c);
  return NULL;
}
