/* testutil_x509.c — see testutil_x509.h. */
#include "testutil_x509.h"

#include <criterion/criterion.h>

const char *tx_write(const char *name, const th_bytes *b) {
  const char *p = tu_path(name);
  cr_assert_eq(tu_write_file(p, b->data, b->len), 0, "cannot write %s", p);
  return p;
}

th_bytes *tx_pem(const th_x509 *cert) {
  th_bytes *b = th_crypto_dump_certificate(TH_FILETYPE_PEM, cert);
  cr_assert_not_null(b, "%s", tu_err());
  return b;
}

static void add_ext(th_x509 *cert, const char *name, int crit, const char *value, th_x509 *subj,
                    th_x509 *iss) {
  th_x509_extension *e = th_x509_extension_new(name, crit, value, subj, iss);
  cr_assert_not_null(e, "%s", tu_err());
  cr_assert_eq(th_x509_add_extensions(cert, &e, 1), TH_OK, "%s", tu_err());
  th_x509_extension_free(e);
}

th_x509 *tx_cert(th_pkey *key, const char *cn, th_x509 *issuer, th_pkey *issuer_key, int is_ca,
                 long serial) {
  th_x509 *c = th_x509_new();
  cr_assert_not_null(c);
  cr_assert_eq(th_x509_set_version(c, 2), TH_OK);
  cr_assert_eq(th_x509_set_serial_number_long(c, serial), TH_OK);
  cr_assert_eq(th_x509_gmtime_adj_notBefore(c, -60), TH_OK);
  cr_assert_eq(th_x509_gmtime_adj_notAfter(c, 365L * 86400), TH_OK);
  cr_assert_eq(th_x509_set_pubkey(c, key), TH_OK, "%s", tu_err());
  th_x509_name *subj = th_x509_get_subject(c);
  cr_assert_eq(th_x509_name_set_commonName(subj, cn), TH_OK, "%s", tu_err());
  th_x509_name *iss = issuer != NULL ? th_x509_get_subject(issuer) : th_x509_name_up_ref(subj);
  cr_assert_eq(th_x509_set_issuer(c, iss), TH_OK);
  th_x509_name_free(iss);
  th_x509_name_free(subj);
  add_ext(c, "basicConstraints", 1, is_ca ? "CA:TRUE" : "CA:FALSE", NULL, NULL);
  add_ext(c, "subjectKeyIdentifier", 0, "hash", c, NULL);
  if (is_ca) add_ext(c, "keyUsage", 1, "keyCertSign,cRLSign,digitalSignature", NULL, NULL);
  cr_assert_eq(th_x509_sign(c, issuer_key != NULL ? issuer_key : key, "sha256"), TH_OK, "%s",
               tu_err());
  return c;
}

