/* Fuzz target: crypto.load_publickey, PEM and ASN1, then the key's readers
 * and dumps (fuzz_use_pkey, with its DER round trip). */
#include "../fuzz_use.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int type = TH_FILETYPE_PEM; type <= TH_FILETYPE_ASN1; type++) {
    th_pkey *k = th_crypto_load_publickey(type, data, size);
    if (k != NULL) FUZZ_CHECK(th_pkey_only_public(k) == 1, "load_publickey gave a private key");
    fuzz_use_pkey(k);
    th_pkey_free(k);
  }
  return 0;
}
