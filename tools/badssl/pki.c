/* pki.c — the catalogue's CAs, made by the fixtures generator from one seed
 * (docs/fixtures.md): a P-256 root (the only certificate in ca.pem), its
 * P-256 intermediate that issues most leaves, an RSA-2048 intermediate (MD5
 * signatures need an RSA issuer: there is no ECDSA-with-MD5), a client
 * certificate, a second root + intermediate nobody trusts, the shared good
 * leaf and the revoked leaf (issued by the root) with the root's CRL listing it. */
#include <string.h>

#include "tools/badssl/badssl.h"

static th_fixtures_cert *issue(th_fixtures *fx, th_fixtures_cert *issuer, int role, int key,
                               const char *cn) {
  th_fixtures_spec spec = {.key = key, .common_name = cn};
  return th_fixtures_issue(fx, issuer, role, &spec);
}

int bs_pki_init(bs_pki *pki, unsigned long long seed) {
  memset(pki, 0, sizeof *pki);
  pki->fx = th_fixtures_new(seed);
  if (pki->fx == NULL) return th_error_kind();
  pki->root = issue(pki->fx, NULL, TH_FIXTURES_ROLE_ROOT, 0, "badssl root CA");
  if (pki->root == NULL) return th_error_kind();
  pki->inter = issue(pki->fx, pki->root, TH_FIXTURES_ROLE_INTERMEDIATE, 0, "badssl intermediate");
  pki->rsa_inter = issue(pki->fx, pki->root, TH_FIXTURES_ROLE_INTERMEDIATE, TH_FIXTURES_KEY_RSA2048,
                         "badssl RSA intermediate");
  pki->client = issue(pki->fx, pki->inter, TH_FIXTURES_ROLE_CLIENT, 0, "badssl client");
  pki->other_root = issue(pki->fx, NULL, TH_FIXTURES_ROLE_ROOT, 0, "badssl untrusted root");
  if (pki->inter == NULL || pki->rsa_inter == NULL || pki->client == NULL ||
      pki->other_root == NULL)
    return th_error_kind();
  pki->other_inter = issue(pki->fx, pki->other_root, TH_FIXTURES_ROLE_INTERMEDIATE, 0,
                           "badssl untrusted intermediate");
  pki->ca_pem = th_fixtures_cert_pem(pki->root);
  pki->good = bs_leaf(pki, NULL, NULL);
  /* Issued by the root: clients that check a CRL against their trust
   * store before loading it (gnutls-cli --x509crlfile) can then load it. */
  pki->revoked = bs_leaf(pki, pki->root, NULL);
  if (pki->other_inter == NULL || pki->ca_pem == NULL || pki->good == NULL || pki->revoked == NULL)
    return th_error_kind();
  int rc = th_fixtures_revoke(pki->root, pki->revoked, 1 /* keyCompromise */);
  if (rc != TH_OK) return rc;
  pki->root_crl = th_fixtures_crl(pki->root, NULL, NULL, NULL);
  return pki->root_crl ? TH_OK : th_error_kind();
}

void bs_pki_free(bs_pki *pki) {
  th_fixtures_cert *certs[] = {pki->root,       pki->inter,       pki->rsa_inter, pki->client,
                               pki->other_root, pki->other_inter, pki->good,      pki->revoked};
  for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++) th_fixtures_cert_free(certs[i]);
  th_bytes_free(pki->ca_pem);
  th_crl_free(pki->root_crl);
  th_fixtures_free(pki->fx);
  memset(pki, 0, sizeof *pki);
}

th_fixtures_cert *bs_leaf(bs_pki *pki, th_fixtures_cert *issuer, const th_fixtures_spec *spec) {
  return th_fixtures_issue(pki->fx, issuer ? issuer : pki->inter, TH_FIXTURES_ROLE_SERVER, spec);
}
