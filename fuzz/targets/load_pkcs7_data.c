/* Fuzz target: crypto.load_pkcs7_data, PEM and ASN1, then the type tests
 * and the type name (exactly one type_is_* holds for the four types). */
#include "../fuzz_use.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int type = TH_FILETYPE_PEM; type <= TH_FILETYPE_ASN1; type++) {
    th_pkcs7 *p7 = th_crypto_load_pkcs7_data(type, data, size);
    if (p7 == NULL) continue;
    int s = th_pkcs7_type_is_signed(p7), e = th_pkcs7_type_is_enveloped(p7);
    int se = th_pkcs7_type_is_signedAndEnveloped(p7), d = th_pkcs7_type_is_data(p7);
    FUZZ_CHECK(s >= 0 && e >= 0 && se >= 0 && d >= 0, "type_is_* failed on a loaded PKCS7");
    FUZZ_CHECK(s + e + se + d <= 1, "PKCS7 of two types at once");
    th_bytes *name = th_pkcs7_get_type_name(p7);
    FUZZ_CHECK(name != NULL, "get_type_name failed on a loaded PKCS7");
    fuzz_use_bytes(name);
    th_pkcs7_free(p7);
  }
  return 0;
}
