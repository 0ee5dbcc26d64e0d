/* failsweep_inputs.c — the inputs the scenarios share, made once with no
 * allocation failing: a P-256 chain from the fixtures generator and its
 * encodings. */
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "failsweep.h"

fs_inputs fs_in;

#define NEED(expr) \
  do {             \
    if (!(expr)) return th_error_kind() < 0 ? th_error_kind() : TH_ERR_VALUE; \
  } while (0)

static int take(th_fixtures_cert *fc, th_x509 **x, th_pkey **k) {
  *x = th_fixtures_cert_x509(fc);
  *k = th_fixtures_cert_pkey(fc);
  return *x != NULL && *k != NULL ? TH_OK : TH_ERR_VALUE;
}

/* A certs-only PKCS#7 (degenerate SignedData) of the chain, by OpenSSL. */
static int make_p7(void) {
  STACK_OF(X509) *sk = sk_X509_new_null();
  X509 *a = th_x509_to_x509(fs_in.server), *b = th_x509_to_x509(fs_in.inter);
  PKCS7 *p7 = NULL;
  BIO *pem = BIO_new(BIO_s_mem()), *der = BIO_new(BIO_s_mem());
  BIO *data = BIO_new_mem_buf("", 0);
  int ok = sk != NULL && a != NULL && b != NULL && sk_X509_push(sk, a) && sk_X509_push(sk, b);
  if (!ok) {
    X509_free(a);
    X509_free(b);
  }
  ok = ok && data != NULL && (p7 = PKCS7_sign(NULL, NULL, sk, data, PKCS7_BINARY)) != NULL && pem != NULL && der != NULL &&
       PEM_write_bio_PKCS7(pem, p7) && i2d_PKCS7_bio(der, p7);
  if (ok) {
    char *p;
    long n = BIO_get_mem_data(pem, &p);
    fs_in.p7_pem = th_bytes_new(p, (size_t)n);
    n = BIO_get_mem_data(der, &p);
    fs_in.p7_der = th_bytes_new(p, (size_t)n);
  }
  PKCS7_free(p7);
  sk_X509_pop_free(sk, X509_free);
  BIO_free(pem);
  BIO_free(der);
  BIO_free(data);
  return ok && fs_in.p7_pem != NULL && fs_in.p7_der != NULL ? TH_OK : TH_ERR_CRYPTO;
}

static int make_req(void) {
  th_x509_req *req = th_x509_req_new();
  th_x509_name *subj = req ? th_x509_req_get_subject(req) : NULL;
  int ok = subj != NULL && th_x509_name_set_commonName(subj, "failsweep request") == TH_OK &&
           th_x509_req_set_pubkey(req, fs_in.client_key) == TH_OK &&
           th_x509_req_sign(req, fs_in.client_key, "sha256") == TH_OK &&
           (fs_in.req_pem = th_crypto_dump_certificate_request(TH_FILETYPE_PEM, req)) != NULL &&
           (fs_in.req_der = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, req)) != NULL;
  th_x509_name_free(subj);
  th_x509_req_free(req);
  return ok ? TH_OK : TH_ERR_VALUE;
}

static int make_p12(void) {
  th_pkcs12 *p = th_pkcs12_new();
  th_x509 *cas[] = {fs_in.inter, fs_in.root};
  int ok = p != NULL && th_pkcs12_set_certificate(p, fs_in.server) == TH_OK &&
           th_pkcs12_set_privatekey(p, fs_in.server_key) == TH_OK &&
           th_pkcs12_set_ca_certificates(p, cas, 2) == TH_OK &&
           th_pkcs12_set_friendlyname(p, (const unsigned char *)"server", 6) == TH_OK &&
           (fs_in.p12 = th_pkcs12_export(p, "pw", 16, 16)) != NULL;
  th_pkcs12_free(p);
  return ok ? TH_OK : TH_ERR_VALUE;
}

int fs_inputs_make(void) {
  th_fixtures *fx = th_fixtures_new(17);
  NEED(fx != NULL);
  th_fixtures_cert *root = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_fixtures_cert *inter = root ? th_fixtures_issue(fx, root, TH_FIXTURES_ROLE_INTERMEDIATE, NULL) : NULL;
  th_fixtures_cert *srv = inter ? th_fixtures_issue(fx, inter, TH_FIXTURES_ROLE_SERVER, NULL) : NULL;
  th_fixtures_cert *cli = root ? th_fixtures_issue(fx, root, TH_FIXTURES_ROLE_CLIENT, NULL) : NULL;
  int rc = root && inter && srv && cli ? TH_OK : th_error_kind();
  if (rc == TH_OK) rc = take(root, &fs_in.root, &fs_in.root_key);
  if (rc == TH_OK) rc = take(inter, &fs_in.inter, &fs_in.inter_key);
  if (rc == TH_OK) rc = take(srv, &fs_in.server, &fs_in.server_key);
  if (rc == TH_OK) rc = take(cli, &fs_in.client, &fs_in.client_key);
  if (rc == TH_OK) rc = th_fixtures_revoke(root, cli, 1);
  th_crl *crl = rc == TH_OK ? th_fixtures_crl(root, NULL, NULL, NULL) : NULL;
  if (rc == TH_OK && crl == NULL) rc = th_error_kind();
  if (rc == TH_OK) {
    fs_in.chain_pem = th_fixtures_chain_pem(srv);
    fs_in.cert_pem = th_crypto_dump_certificate(TH_FILETYPE_PEM, fs_in.server);
    fs_in.cert_der = th_crypto_dump_certificate(TH_FILETYPE_ASN1, fs_in.server);
    fs_in.key_pem = th_crypto_dump_privatekey(TH_FILETYPE_PEM, fs_in.server_key, NULL, NULL, 0);
    fs_in.key_der = th_crypto_dump_privatekey(TH_FILETYPE_ASN1, fs_in.server_key, NULL, NULL, 0);
    fs_in.key_enc_pem = th_crypto_dump_privatekey(TH_FILETYPE_PEM, fs_in.server_key, "aes-128-cbc",
                                                  (const unsigned char *)"pw", 2);
    fs_in.pub_pem = th_crypto_dump_publickey(TH_FILETYPE_PEM, fs_in.server_key);
    fs_in.pub_der = th_crypto_dump_publickey(TH_FILETYPE_ASN1, fs_in.server_key);
    fs_in.crl_pem = th_crypto_dump_crl(TH_FILETYPE_PEM, crl);
    fs_in.crl_der = th_crypto_dump_crl(TH_FILETYPE_ASN1, crl);
    if (!fs_in.chain_pem || !fs_in.cert_pem || !fs_in.cert_der || !fs_in.key_pem || !fs_in.key_der ||
        !fs_in.key_enc_pem || !fs_in.pub_pem || !fs_in.pub_der || !fs_in.crl_pem || !fs_in.crl_der)
      rc = th_error_kind() < 0 ? th_error_kind() : TH_ERR_VALUE;
  }
  if (rc == TH_OK && (rc = make_req()) != TH_OK) fprintf(stderr, "failsweep: making the CSR failed\n");
  if (rc == TH_OK && (rc = make_p12()) != TH_OK) fprintf(stderr, "failsweep: making the PKCS#12 failed\n");
  if (rc == TH_OK && (rc = make_p7()) != TH_OK) fprintf(stderr, "failsweep: making the PKCS#7 failed\n");
  th_crl_free(crl);
  th_fixtures_cert_free(root);
  th_fixtures_cert_free(inter);
  th_fixtures_cert_free(srv);
  th_fixtures_cert_free(cli);
  th_fixtures_free(fx);
  return rc;
}

void fs_inputs_free(void) {
  th_x509 *certs[] = {fs_in.root, fs_in.inter, fs_in.server, fs_in.client};
  th_pkey *keys[] = {fs_in.root_key, fs_in.inter_key, fs_in.server_key, fs_in.client_key};
  th_bytes *bytes[] = {fs_in.cert_pem, fs_in.cert_der, fs_in.key_pem,  fs_in.key_der,
                       fs_in.key_enc_pem, fs_in.pub_pem, fs_in.pub_der, fs_in.req_pem,
                       fs_in.req_der,  fs_in.crl_pem,  fs_in.crl_der,  fs_in.p12,
                       fs_in.p7_pem,   fs_in.p7_der,   fs_in.chain_pem};
  for (size_t i = 0; i < 4; i++) {
    th_x509_free(certs[i]);
    th_pkey_free(keys[i]);
  }
  for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) th_bytes_free(bytes[i]);
  memset(&fs_in, 0, sizeof fs_in);
}
