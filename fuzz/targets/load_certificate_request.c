/* Fuzz target: crypto.load_certificate_request, PEM and ASN1, then its
 * subject, extensions, key, signature check and dumps (fuzz_use_req). */
#include "../fuzz_use.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int type = TH_FILETYPE_PEM; type <= TH_FILETYPE_ASN1; type++) {
    th_x509_req *req = th_crypto_load_certificate_request(type, data, size);
    fuzz_use_req(req);
    th_x509_req_free(req);
  }
  return 0;
}
