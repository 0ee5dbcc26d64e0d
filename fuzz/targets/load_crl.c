/* Fuzz target: crypto.load_crl, PEM and ASN1, then the issuer, every
 * Revoked (serial, reason, date) and the dumps (fuzz_use_crl). */
#include "../fuzz_use.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int type = TH_FILETYPE_PEM; type <= TH_FILETYPE_ASN1; type++) {
    th_crl *crl = th_crypto_load_crl(type, data, size);
    fuzz_use_crl(crl);
    th_crl_free(crl);
  }
  return 0;
}
