/* seeds.c — fuzz_seeds OUTDIR: writes OUTDIR/<target>/ seed corpora.
 *
 * The parsers' seeds come from the fixtures generator's default set
 * (th_fixtures_write_set, seed 1: certificates, keys in every encoding,
 * CRLs, CSRs, PKCS#12 files of every key type and the edge cases), sorted
 * by the format column of its manifest.tsv, plus what the library derives
 * from them (public keys, DER requests, SPKIs) and PKCS#7 structures made
 * with OpenSSL from the same certificates. The handshake and session seeds
 * are recorded from loopback pairs (seeds_tls.c). Certificates and keys
 * are byte-identical for a given OpenSSL version; handshake randoms are
 * not (OpenSSL draws them from the default DRBG). */
#include "seeds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "fuzz_use.h"
#include "tlsharness/fixtures.h"
#include "tlsharness/tlsharness.h"

static const char *outdir;
static size_t nseeds;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_seeds: %s: %s\n", what, detail);
  exit(1);
}

static void mkdir_p(const char *dir) {
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) die(dir, strerror(errno));
}

void seed_write(const char *target, const char *name, const void *data, size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", outdir, target);
  mkdir_p(path);
  snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) die(path, strerror(errno));
  nseeds++;
}

static th_bytes *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) die(path, strerror(errno));
  static unsigned char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return th_bytes_new(buf, n);
}

/* "rsa2048/server.key.pem" -> "rsa2048_server.key.pem" */
static const char *flat(const char *file) {
  static char name[512];
  snprintf(name, sizeof name, "%s", file);
  for (char *p = name; *p; p++)
    if (*p == '/') *p = '_';
  return name;
}

static void seed_bytes(const char *target, const char *name, th_bytes *b) {
  if (b == NULL) die(name, th_error_last()->message);
  seed_write(target, name, b->data, b->len);
  th_bytes_free(b);
}

/* ---- derived seeds -------------------------------------------------------- */

static void derive_from_key(const char *file, const th_bytes *pem) {
  th_pkey *k = th_crypto_load_privatekey(TH_FILETYPE_PEM, pem->data, pem->len, NULL, 0);
  if (k == NULL) die(file, th_error_last()->message);
  char name[600];
  snprintf(name, sizeof name, "%s.pub.pem", flat(file));
  seed_bytes("load_publickey", name, th_crypto_dump_publickey(TH_FILETYPE_PEM, k));
  snprintf(name, sizeof name, "%s.pub.der", flat(file));
  seed_bytes("load_publickey", name, th_crypto_dump_publickey(TH_FILETYPE_ASN1, k));
  /* A traditional (ASN1) dump, and a PKCS#8 PEM encrypted with the
   * passphrase the target tries. */
  snprintf(name, sizeof name, "%s.trad.der", flat(file));
  seed_bytes("load_privatekey", name, th_crypto_dump_privatekey(TH_FILETYPE_ASN1, k, NULL, NULL, 0));
  /* An SPKI signed by the key. EdDSA keys are left out: th_netscape_spki_sign
   * refuses them (it passes the digest on, which EdDSA must not get). */
  int type = th_pkey_type(k);
  if (type == TH_TYPE_ED25519 || type == TH_TYPE_ED448) {
    th_pkey_free(k);
    return;
  }
  th_netscape_spki *spki = th_netscape_spki_new();
  if (spki == NULL || th_netscape_spki_set_pubkey(spki, k) != TH_OK ||
      th_netscape_spki_sign(spki, k, "sha256") != TH_OK)
    die(file, th_error_last()->message);
  snprintf(name, sizeof name, "%s.spki.b64", flat(file));
  seed_bytes("netscape_spki", name, th_netscape_spki_b64_encode(spki));
  th_netscape_spki_free(spki);
  th_pkey_free(k);
}

static void derive_from_csr(const char *file, const th_bytes *pem) {
  th_x509_req *r = th_crypto_load_certificate_request(TH_FILETYPE_PEM, pem->data, pem->len);
  if (r == NULL) die(file, th_error_last()->message);
  char name[600];
  snprintf(name, sizeof name, "%s.der", flat(file));
  seed_bytes("load_certificate_request", name, th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, r));
  th_x509_req_free(r);
}

/* PKCS#7: signed (with the chain), degenerate certs-and-CRL (what
 * `openssl crl2pkcs7` makes), data, and enveloped to an RSA certificate;
 * PEM and DER each. Made with OpenSSL: the library only reads PKCS#7. */
static void seed_p7(const char *name, PKCS7 *p7) {
  if (p7 == NULL) die(name, "PKCS7 creation failed");
  unsigned char *der = NULL;
  int n = i2d_PKCS7(p7, &der);
  if (n <= 0) die(name, "i2d_PKCS7 failed");
  char nm[256];
  snprintf(nm, sizeof nm, "%s.der", name);
  seed_write("load_pkcs7_data", nm, der, (size_t)n);
  OPENSSL_free(der);
  BIO *b = BIO_new(BIO_s_mem());
  PEM_write_bio_PKCS7(b, p7);
  char *pem;
  long len = BIO_get_mem_data(b, &pem);
  snprintf(nm, sizeof nm, "%s.pem", name);
  seed_write("load_pkcs7_data", nm, pem, (size_t)len);
  BIO_free(b);
  PKCS7_free(p7);
}

static void seeds_pkcs7(const char *setdir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/rsa2048/server.pem", setdir);
  th_bytes *cpem = read_file(path);
  snprintf(path, sizeof path, "%s/rsa2048/server.key.pem", setdir);
  th_bytes *kpem = read_file(path);
  snprintf(path, sizeof path, "%s/edge/inter.crl.pem", setdir);
  th_bytes *crlpem = read_file(path);
  BIO *cb = BIO_new_mem_buf(cpem->data, (int)cpem->len);
  BIO *kb = BIO_new_mem_buf(kpem->data, (int)kpem->len);
  BIO *lb = BIO_new_mem_buf(crlpem->data, (int)crlpem->len);
  X509 *cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
  EVP_PKEY *key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
  X509_CRL *crl = PEM_read_bio_X509_CRL(lb, NULL, NULL, NULL);
  if (cert == NULL || key == NULL || crl == NULL) die("pkcs7", "cannot read the rsa2048 server");
  static const char msg[] = "tlsharness fuzz seed\n";
  BIO *data = BIO_new_mem_buf(msg, sizeof msg - 1);
  seed_p7("signed", PKCS7_sign(cert, key, NULL, data, PKCS7_BINARY));
  BIO_free(data);
  data = BIO_new_mem_buf(msg, sizeof msg - 1);
  seed_p7("signed-detached", PKCS7_sign(cert, key, NULL, data, PKCS7_BINARY | PKCS7_DETACHED));
  BIO_free(data);
  PKCS7 *deg = PKCS7_new();
  if (deg == NULL || !PKCS7_set_type(deg, NID_pkcs7_signed) || !PKCS7_content_new(deg, NID_pkcs7_data) ||
      !PKCS7_add_certificate(deg, cert) || !PKCS7_add_crl(deg, crl))
    die("pkcs7", "degenerate PKCS7");
  seed_p7("certs-and-crl", deg);
  PKCS7 *d = PKCS7_new();
  ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
  if (d == NULL || os == NULL || !PKCS7_set_type(d, NID_pkcs7_data) ||
      !ASN1_OCTET_STRING_set(os, (const unsigned char *)msg, sizeof msg - 1))
    die("pkcs7", "data PKCS7");
  ASN1_OCTET_STRING_free(d->d.data);
  d->d.data = os;
  seed_p7("data", d);
  STACK_OF(X509) *to = sk_X509_new_null();
  sk_X509_push(to, cert);
  data = BIO_new_mem_buf(msg, sizeof msg - 1);
  seed_p7("enveloped", PKCS7_encrypt(to, data, EVP_aes_128_cbc(), PKCS7_BINARY));
  BIO_free(data);
  sk_X509_free(to);
  BIO_free(cb);
  BIO_free(kb);
  BIO_free(lb);
  X509_free(cert);
  EVP_PKEY_free(key);
  X509_CRL_free(crl);
  th_bytes_free(cpem);
  th_bytes_free(kpem);
  th_bytes_free(crlpem);
}

/* ---- the fixture set ------------------------------------------------------- */

/* The manifest's format column -> the target whose seed the file is. */
static const struct {
  const char *format, *target;
} by_format[] = {
    {"cert-pem", "load_certificate"},        {"cert-der", "load_certificate"},
    {"chain-pem", "load_certificate"},       {"bundle-pem", "load_certificate"},
    {"key-pem", "load_privatekey"},          {"key-der", "load_privatekey"},
    {"key-pem-encrypted", "load_privatekey"}, {"key-pkcs8-encrypted-pem", "load_privatekey"},
    {"key-pkcs8-encrypted-der", "load_privatekey"}, {"csr-pem", "load_certificate_request"},
    {"crl-pem", "load_crl"},                 {"crl-der", "load_crl"},
    {"pkcs12", "load_pkcs12"},               {"pkcs12-nopass", "load_pkcs12"},
};

static void seeds_from_set(const char *setdir) {
  char path[4096], line[8192], last[1024] = "";
  snprintf(path, sizeof path, "%s/manifest.tsv", setdir);
  FILE *m = fopen(path, "r");
  if (m == NULL) die(path, strerror(errno));
  while (fgets(line, sizeof line, m) != NULL) {
    char *save = NULL, *file = strtok_r(line, "\t", &save);
    strtok_r(NULL, "\t", &save); /* role */
    strtok_r(NULL, "\t", &save); /* key */
    char *format = strtok_r(NULL, "\t", &save);
    if (file == NULL || format == NULL || strcmp(file, "file") == 0) continue;
    if (strcmp(file, last) == 0) continue; /* one row per check: one seed per file */
    snprintf(last, sizeof last, "%s", file);
    for (size_t i = 0; i < sizeof by_format / sizeof by_format[0]; i++) {
      if (strcmp(format, by_format[i].format) != 0) continue;
      snprintf(path, sizeof path, "%s/%s", setdir, file);
      th_bytes *b = read_file(path);
      seed_write(by_format[i].target, flat(file), b->data, b->len);
      if (strcmp(format, "key-pem") == 0) derive_from_key(file, b);
      if (strcmp(format, "csr-pem") == 0) derive_from_csr(file, b);
      th_bytes_free(b);
    }
  }
  fclose(m);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fuzz_seeds OUTDIR\n");
    return 2;
  }
  outdir = argv[1];
  mkdir_p(outdir);
  char setdir[4096];
  snprintf(setdir, sizeof setdir, "%s/fixture-set", outdir);
  int n = th_fixtures_write_set(setdir, 1, NULL);
  if (n < 0) die("th_fixtures_write_set", th_error_last()->message);
  seeds_from_set(setdir);
  seeds_pkcs7(setdir);
  seeds_tls();
  printf("fuzz_seeds: %zu seeds from %d fixture files and recorded handshakes in %s\n", nseeds, n,
         outdir);
  return 0;
}
