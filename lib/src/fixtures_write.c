/* fixtures_write.c — writing fixtures in every format, with a manifest row
 * per file saying how the real `openssl` tool reads or verifies it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "fixtures_internal.h"

static int mkdirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int rc = mkdir(path, 0755);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return -1;
  }
  return 0;
}

int th__fx_write(th__fx_out *out, const char *name, const void *data, size_t len) {
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", out->dir, name);
  if (mkdirs(path) != 0) return th__err_sys(errno, "fixtures: cannot create the folder of %s", path);
  FILE *f = fopen(path, "wb");
  if (f == NULL) return th__err_sys(errno, "fixtures: cannot write %s", path);
  size_t n = fwrite(data, 1, len, f);
  if (fclose(f) != 0 || n != len) return th__err_sys(errno, "fixtures: cannot write %s", path);
  out->files++;
  return TH_OK;
}

/* put_bio writes what was written to a memory BIO, then frees it. */
static int put_bio(th__fx_out *out, const char *name, BIO *b, int ok) {
  char *p = NULL;
  long n = b != NULL ? BIO_get_mem_data(b, &p) : 0;
  int rc = ok && b != NULL && n > 0
               ? th__fx_write(out, name, p, (size_t)n)
               : th__err_ossl(TH_ERR_CRYPTO, "fixtures: cannot encode %s", name);
  BIO_free(b);
  return rc;
}

int th__fx_row(th__fx_out *out, const char *file, const char *role, const char *key,
               const char *format, const char *verdict, const char *what, const char *args) {
  if (BIO_printf(out->manifest, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", file, role, key, format, verdict,
                 what, args) <= 0)
    return th__err(TH_ERR_NOMEM, "fixtures: cannot grow the manifest");
  return TH_OK;
}

/* The names of the verify codes the set expects (OpenSSL has only texts). */
static const struct {
  int code;
  const char *name;
} verify_names[] = {
    {X509_V_OK, "OK"},
    {X509_V_ERR_UNABLE_TO_GET_CRL, "X509_V_ERR_UNABLE_TO_GET_CRL"},
    {X509_V_ERR_CRL_SIGNATURE_FAILURE, "X509_V_ERR_CRL_SIGNATURE_FAILURE"},
    {X509_V_ERR_CERT_NOT_YET_VALID, "X509_V_ERR_CERT_NOT_YET_VALID"},
    {X509_V_ERR_CERT_HAS_EXPIRED, "X509_V_ERR_CERT_HAS_EXPIRED"},
    {X509_V_ERR_CRL_HAS_EXPIRED, "X509_V_ERR_CRL_HAS_EXPIRED"},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT"},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN"},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY"},
    {X509_V_ERR_CERT_REVOKED, "X509_V_ERR_CERT_REVOKED"},
    {X509_V_ERR_INVALID_CA, "X509_V_ERR_INVALID_CA"},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, "X509_V_ERR_PATH_LENGTH_EXCEEDED"},
    {X509_V_ERR_INVALID_PURPOSE, "X509_V_ERR_INVALID_PURPOSE"},
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, "X509_V_ERR_KEYUSAGE_NO_CERTSIGN"},
    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION"},
    {X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED, "X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED"},
    {X509_V_ERR_NO_EXPLICIT_POLICY, "X509_V_ERR_NO_EXPLICIT_POLICY"},
    {X509_V_ERR_PERMITTED_VIOLATION, "X509_V_ERR_PERMITTED_VIOLATION"},
    {X509_V_ERR_EXCLUDED_VIOLATION, "X509_V_ERR_EXCLUDED_VIOLATION"},
    {X509_V_ERR_HOSTNAME_MISMATCH, "X509_V_ERR_HOSTNAME_MISMATCH"},
    {X509_V_ERR_EE_KEY_TOO_SMALL, "X509_V_ERR_EE_KEY_TOO_SMALL"},
    {X509_V_ERR_CA_MD_TOO_WEAK, "X509_V_ERR_CA_MD_TOO_WEAK"},
    {X509_V_ERR_CA_CERT_MISSING_KEY_USAGE, "X509_V_ERR_CA_CERT_MISSING_KEY_USAGE"},
};

int th__fx_verify_row(th__fx_out *out, const char *file, const char *role, const char *key,
                      int verdict, const char *what, const char *args) {
  const char *name = NULL;
  for (size_t i = 0; i < sizeof verify_names / sizeof verify_names[0]; i++)
    if (verify_names[i].code == verdict) name = verify_names[i].name;
  if (name == NULL) return th__err(TH_ERR_VALUE, "fixtures: no name for verify code %d", verdict);
  char v[96], cmd[1024];
  snprintf(v, sizeof v, "%s:%d", name, verdict);
  snprintf(cmd, sizeof cmd, "verify -attime %ld %s %s", TH_FIXTURES_VERIFY_TIME, args, file);
  return th__fx_row(out, file, role, key, "verify", v, what, cmd);
}

static int read_row(th__fx_out *out, const char *file, const char *role, const char *key,
                    const char *format, const char *what, const char *fmt) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, fmt, file);
  return th__fx_row(out, file, role, key, format, "readable", what, cmd);
}

void th__fx_progress(th__fx_out *out, const char *what) {
  out->progress_done++;
  if (!out->progress || !isatty(2)) return;
  fprintf(stderr, "\r[%d/%d] %-40s", out->progress_done, out->progress_total, what);
  if (out->progress_done == out->progress_total) fputc('\n', stderr);
  fflush(stderr);
}

/* ---- certificates ---- */
int th__fx_put_cert(th__fx_out *out, const char *base, th_fixtures_cert *c, const char *role,
                    const char *what) {
  char name[512];
  const char *key = th_fixtures_key_name(c->key_type);
  BIO *b = BIO_new(BIO_s_mem());
  snprintf(name, sizeof name, "%s.pem", base);
  int rc = put_bio(out, name, b, b && PEM_write_bio_X509(b, c->x509));
  if (rc == TH_OK) rc = read_row(out, name, role, key, "cert-pem", what, "x509 -noout -in %s");
  b = BIO_new(BIO_s_mem());
  snprintf(name, sizeof name, "%s.der", base);
  if (rc == TH_OK) rc = put_bio(out, name, b, b && i2d_X509_bio(b, c->x509));
  else BIO_free(b);
  if (rc == TH_OK)
    rc = read_row(out, name, role, key, "cert-der", what, "x509 -inform DER -noout -in %s");
  return rc;
}

/* Traditional encrypted PEM ("Proc-Type: 4,ENCRYPTED" + DEK-Info), written
 * by hand: PEM_write_bio_PrivateKey_traditional draws its IV from the
 * default library context, which is not deterministic. */
static int write_legacy_encrypted(th_fixtures *fx, BIO *b, EVP_PKEY *k) {
  unsigned char iv[16], keybuf[32], *der = NULL, *enc = NULL;
  const char *label = EVP_PKEY_is_a(k, "RSA")  ? "RSA PRIVATE KEY"
                      : EVP_PKEY_is_a(k, "EC") ? "EC PRIVATE KEY"
                      : EVP_PKEY_is_a(k, "DSA") ? "DSA PRIVATE KEY" : "PRIVATE KEY";
  int n = i2d_PrivateKey(k, &der), outl = 0, fin = 0, ok = 0;
  EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
  const char *pass = TH_FIXTURES_PASSWORD;
  if (n > 0 && cc != NULL && th__fx_random(fx, iv, sizeof iv) == TH_OK &&
      EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), iv, (const unsigned char *)pass,
                     (int)strlen(pass), 1, keybuf, NULL) > 0 &&
      (enc = OPENSSL_malloc((size_t)n + 32)) != NULL &&
      EVP_EncryptInit_ex(cc, EVP_aes_256_cbc(), NULL, keybuf, iv) &&
      EVP_EncryptUpdate(cc, enc, &outl, der, n) && EVP_EncryptFinal_ex(cc, enc + outl, &fin)) {
    char header[128] = "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,";
    for (size_t i = 0; i < sizeof iv; i++)
      snprintf(header + strlen(header), 3, "%02X", iv[i]);
    strcat(header, "\n");
    ok = PEM_write_bio(b, label, header, enc, outl + fin) > 0;
  }
  OPENSSL_clear_free(der, n > 0 ? (size_t)n : 0);
  OPENSSL_free(enc);
  EVP_CIPHER_CTX_free(cc);
  return ok;
}

static X509_SIG *encrypt_p8(th_fixtures *fx, EVP_PKEY *k) {
  PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
  EVP_CIPHER *aes = EVP_CIPHER_fetch(fx->libctx, "AES-256-CBC", NULL);
  X509_SIG *sig = p8 && aes ? PKCS8_encrypt_ex(-1, aes, TH_FIXTURES_PASSWORD, -1, NULL, 0, 2048,
                                               p8, fx->libctx, NULL)
                            : NULL;
  PKCS8_PRIV_KEY_INFO_free(p8);
  EVP_CIPHER_free(aes);
  return sig;
}

int th__fx_put_key(th__fx_out *out, const char *base, th_fixtures_cert *c, const char *role,
                   size_t nforms) {
  static const struct {
    const char *ext, *format, *what, *read;
  } forms[] = {
      {"key.pem", "key-pem", "private key, PKCS#8 PEM", "pkey -noout -in %s"},
      {"key.der", "key-der", "private key, PKCS#8 DER", "pkey -inform DER -noout -in %s"},
      {"key.enc.pem", "key-pem-encrypted", "private key, traditional PEM, AES-256-CBC",
       "pkey -noout -passin pass:" TH_FIXTURES_PASSWORD " -in %s"},
      {"key.p8.pem", "key-pkcs8-encrypted-pem", "private key, encrypted PKCS#8 PEM (PBES2)",
       "pkey -noout -passin pass:" TH_FIXTURES_PASSWORD " -in %s"},
      {"key.p8.der", "key-pkcs8-encrypted-der", "private key, encrypted PKCS#8 DER (PBES2)",
       "pkey -inform DER -noout -passin pass:" TH_FIXTURES_PASSWORD " -in %s"},
  };
  int rc = TH_OK;
  for (size_t i = 0; rc == TH_OK && i < nforms && i < sizeof forms / sizeof forms[0]; i++) {
    char name[512];
    snprintf(name, sizeof name, "%s.%s", base, forms[i].ext);
    BIO *b = BIO_new(BIO_s_mem());
    int ok = b != NULL;
    X509_SIG *sig = i >= 3 && ok ? encrypt_p8(c->fx, c->key) : NULL;
    if (ok && i == 0) ok = PEM_write_bio_PrivateKey(b, c->key, NULL, NULL, 0, NULL, NULL);
    if (ok && i == 1) ok = i2d_PKCS8PrivateKey_bio(b, c->key, NULL, NULL, 0, NULL, NULL);
    if (ok && i == 2) ok = write_legacy_encrypted(c->fx, b, c->key);
    if (ok && i == 3) ok = sig && PEM_write_bio_PKCS8(b, sig);
    if (ok && i == 4) ok = sig && i2d_PKCS8_bio(b, sig);
    X509_SIG_free(sig);
    rc = put_bio(out, name, b, ok);
    if (rc == TH_OK)
      rc = read_row(out, name, role, th_fixtures_key_name(c->key_type), forms[i].format,
                    forms[i].what, forms[i].read);
  }
  return rc;
}

static STACK_OF(X509) *chain_of(const th_fixtures_cert *c, int with_root) {
  STACK_OF(X509) *sk = sk_X509_new_null();
  for (const th_fixtures_cert *i = c->issuer; sk && i != NULL; i = i->issuer)
    if ((i->issuer != NULL || with_root) && !sk_X509_push(sk, i->x509)) {
      sk_X509_free(sk);
      return NULL;
    }
  return sk;
}

int th__fx_put_pkcs12(th__fx_out *out, const char *base, th_fixtures_cert *c, const char *role) {
  int rc = TH_OK;
  for (int nopass = 0; rc == TH_OK && nopass < 2; nopass++) {
    char name[512];
    snprintf(name, sizeof name, nopass ? "%s.nopass.p12" : "%s.p12", base);
    STACK_OF(X509) *ca = chain_of(c, 1);
    /* With a password: PBES2/AES-256 and a SHA-256 MAC (OpenSSL 3's
     * defaults). Without: neither encryption nor MAC, as `openssl pkcs12
     * -export -keypbe NONE -certpbe NONE -nomac` makes. */
    PKCS12 *p12 = ca ? PKCS12_create_ex(nopass ? NULL : TH_FIXTURES_PASSWORD, "fixture", c->key,
                                        c->x509, ca, nopass ? -1 : 0, nopass ? -1 : 0, 0,
                                        nopass ? -1 : 0, 0, c->fx->libctx, NULL)
                     : NULL;
    sk_X509_free(ca);
    BIO *b = BIO_new(BIO_s_mem());
    rc = put_bio(out, name, b, b && p12 && i2d_PKCS12_bio(b, p12));
    PKCS12_free(p12);
    if (rc == TH_OK)
      rc = read_row(out, name, role, th_fixtures_key_name(c->key_type),
                    nopass ? "pkcs12-nopass" : "pkcs12",
                    nopass ? "PKCS#12: key, certificate and chain, no password, no MAC"
                           : "PKCS#12: key, certificate and chain, password-protected",
                    nopass ? "pkcs12 -noout -passin pass: -in %s"
                           : "pkcs12 -noout -passin pass:" TH_FIXTURES_PASSWORD " -in %s");
  }
  return rc;
}

int th__fx_put_chain(th__fx_out *out, const char *name, th_fixtures_cert *c, int with_root,
                     const char *role) {
  BIO *b = BIO_new(BIO_s_mem());
  STACK_OF(X509) *sk = chain_of(c, with_root);
  int ok = b && sk && PEM_write_bio_X509(b, c->x509);
  for (int i = 0; ok && i < sk_X509_num(sk); i++) ok = PEM_write_bio_X509(b, sk_X509_value(sk, i));
  sk_X509_free(sk);
  int rc = put_bio(out, name, b, ok);
  return rc != TH_OK ? rc
                     : read_row(out, name, role, th_fixtures_key_name(c->key_type), "chain-pem",
                                with_root ? "certificate, intermediates and root (PEM)"
                                          : "certificate and intermediates (PEM)",
                                "storeutl -noout -certs %s");
}

int th__fx_put_crl(th__fx_out *out, const char *base, X509_CRL *crl, const char *what) {
  char name[512];
  snprintf(name, sizeof name, "%s.crl.pem", base);
  BIO *b = BIO_new(BIO_s_mem());
  int rc = put_bio(out, name, b, b && PEM_write_bio_X509_CRL(b, crl));
  if (rc == TH_OK) rc = read_row(out, name, "crl", "-", "crl-pem", what, "crl -noout -in %s");
  snprintf(name, sizeof name, "%s.crl.der", base);
  b = BIO_new(BIO_s_mem());
  if (rc == TH_OK) rc = put_bio(out, name, b, b && i2d_X509_CRL_bio(b, crl));
  else BIO_free(b);
  if (rc == TH_OK)
    rc = read_row(out, name, "crl", "-", "crl-der", what, "crl -inform DER -noout -in %s");
  return rc;
}

int th__fx_put_csr(th__fx_out *out, const char *name, th_fixtures_cert *c) {
  X509_REQ *req = X509_REQ_new_ex(c->fx->libctx, NULL);
  EVP_MD *md = NULL;
  if (c->key_type != TH_FIXTURES_KEY_ED25519 && c->key_type != TH_FIXTURES_KEY_ED448)
    md = EVP_MD_fetch(c->fx->libctx, "SHA256", NULL);
  STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
  int idx = X509_get_ext_by_NID(c->x509, NID_subject_alt_name, -1);
  int ok = req && exts && X509_REQ_set_version(req, 0) &&
           X509_REQ_set_subject_name(req, X509_get_subject_name(c->x509)) &&
           X509_REQ_set_pubkey(req, c->key) &&
           (idx < 0 || sk_X509_EXTENSION_push(exts, X509_get_ext(c->x509, idx))) &&
           X509_REQ_add_extensions(req, exts) && X509_REQ_sign(req, c->key, md) > 0;
  sk_X509_EXTENSION_free(exts);
  BIO *b = BIO_new(BIO_s_mem());
  int rc = put_bio(out, name, b, ok && b && PEM_write_bio_X509_REQ(b, req));
  X509_REQ_free(req);
  EVP_MD_free(md);
  return rc != TH_OK ? rc
                     : read_row(out, name, "csr", th_fixtures_key_name(c->key_type), "csr-pem",
                                "certificate request for the server key, with its SANs",
                                "req -verify -noout -in %s");
}

int th__fx_put_dh(th__fx_out *out, th_fixtures *fx, const char *name) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(fx->libctx, "DH", NULL);
  EVP_PKEY *dh = NULL;
  OSSL_PARAM grp[] = {OSSL_PARAM_utf8_string("group", "ffdhe2048", 0), OSSL_PARAM_END};
  int ok = pc && EVP_PKEY_paramgen_init(pc) > 0 && EVP_PKEY_CTX_set_params(pc, grp) > 0 &&
           EVP_PKEY_paramgen(pc, &dh) > 0;
  BIO *b = BIO_new(BIO_s_mem());
  int rc = put_bio(out, name, b, ok && b && PEM_write_bio_Parameters(b, dh));
  EVP_PKEY_free(dh);
  EVP_PKEY_CTX_free(pc);
  return rc != TH_OK ? rc
                     : read_row(out, name, "dh", "ffdhe2048", "dhparams-pem",
                                "DH parameters (RFC 7919 ffdhe2048) for Context.load_tmp_dh",
                                "pkeyparam -noout -in %s");
}

int th__fx_put_bundle(th__fx_out *out, const char *name, th_fixtures_cert **cas, size_t n) {
  BIO *b = BIO_new(BIO_s_mem());
  int ok = b != NULL;
  for (size_t i = 0; ok && i < n; i++) ok = PEM_write_bio_X509(b, cas[i]->x509);
  int rc = put_bio(out, name, b, ok);
  return rc != TH_OK ? rc
                     : read_row(out, name, "ca-bundle", "-", "bundle-pem",
                                "every root CA of the set (load_verify_locations cafile)",
                                "storeutl -noout -certs %s");
}

int th__fx_put_capath(th__fx_out *out, const char *dir, th_fixtures_cert **cas, size_t n) {
  int rc = TH_OK;
  for (size_t i = 0; rc == TH_OK && i < n; i++) {
    /* <hash>.<k>: k counts earlier roots with the same subject hash, as
     * `openssl rehash` numbers them. Copies, not links, so the folder
     * survives archives and Bazel outputs. */
    unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(cas[i]->x509), NULL, NULL, NULL);
    int k = 0;
    for (size_t j = 0; j < i; j++)
      if (X509_NAME_hash_ex(X509_get_subject_name(cas[j]->x509), NULL, NULL, NULL) == h) k++;
    char name[512];
    snprintf(name, sizeof name, "%s/%08lx.%d", dir, h, k);
    BIO *b = BIO_new(BIO_s_mem());
    rc = put_bio(out, name, b, b && PEM_write_bio_X509(b, cas[i]->x509));
    if (rc == TH_OK)
      rc = read_row(out, name, "capath", th_fixtures_key_name(cas[i]->key_type), "cert-pem",
                    "hashed CA folder entry (load_verify_locations capath)",
                    "x509 -noout -in %s");
  }
  return rc;
}
