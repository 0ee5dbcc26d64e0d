/* Fuzz target: crypto.load_pkcs12 without a passphrase and with the
 * fixtures' one ("fixtures", what the seeds use), then every part
 * (certificate, key, CA certificates, friendly name) and an export that
 * must load back with the same parts. */
#include <string.h>

#include "../fuzz_use.h"

static void use_ca(void *item) { fuzz_use_x509(item); }

static void use_p12(const th_pkcs12 *p12) {
  th_x509 *cert = NULL;
  th_pkey *key = NULL;
  th_list *cas = NULL;
  th_bytes *name = NULL;
  FUZZ_CHECK(th_pkcs12_get_certificate(p12, &cert) == TH_OK, "get_certificate failed");
  FUZZ_CHECK(th_pkcs12_get_privatekey(p12, &key) == TH_OK, "get_privatekey failed");
  FUZZ_CHECK(th_pkcs12_get_ca_certificates(p12, &cas) == TH_OK, "get_ca_certificates failed");
  FUZZ_CHECK(th_pkcs12_get_friendlyname(p12, &name) == TH_OK, "get_friendlyname failed");
  fuzz_use_x509(cert);
  fuzz_use_pkey(key);
  fuzz_use_list(cas, use_ca);
  fuzz_use_bytes(name);
  /* Export (cheap parameters) and load back: the parts survive. */
  th_bytes *out = th_pkcs12_export(p12, "x", 1, 1);
  if (out != NULL) {
    th_pkcs12 *again = th_crypto_load_pkcs12(out->data, out->len, "x");
    FUZZ_CHECK(again != NULL, "exported PKCS12 does not load");
    th_x509 *cert2 = NULL;
    FUZZ_CHECK(th_pkcs12_get_certificate(again, &cert2) == TH_OK, "get_certificate failed");
    FUZZ_CHECK((cert == NULL) == (cert2 == NULL), "export lost or invented the certificate");
    th_x509_free(cert2);
    th_pkcs12_free(again);
    th_bytes_free(out);
  }
  th_x509_free(cert);
  th_pkey_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const passes[] = {NULL, "fixtures"};
  for (size_t i = 0; i < 2; i++) {
    th_pkcs12 *p12 = th_crypto_load_pkcs12(data, size, passes[i]);
    if (p12 != NULL) use_p12(p12);
    th_pkcs12_free(p12);
  }
  return 0;
}
