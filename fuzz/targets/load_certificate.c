/* Fuzz target: crypto.load_certificate, PEM and ASN1 (the same bytes both
 * ways), then every reader of the certificate (fuzz_use_x509). */
#include "../fuzz_use.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int type = TH_FILETYPE_PEM; type <= TH_FILETYPE_ASN1; type++) {
    th_x509 *cert = th_crypto_load_certificate(type, data, size);
    fuzz_use_x509(cert);
    th_x509_free(cert);
  }
  return 0;
}
