/* Fuzz target: NetscapeSPKI from base64 (th_netscape_spki_from_b64), then
 * the key, a signature check against it, and the base64 encoding, which
 * must parse back to the same encoding. */
#include "../fuzz_use.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  th_netscape_spki *spki = th_netscape_spki_from_b64((const char *)data, size);
  if (spki == NULL) return 0;
  th_pkey *key = th_netscape_spki_get_pubkey(spki);
  fuzz_use_pkey(key);
  if (key != NULL) (void)th_netscape_spki_verify(spki, key);
  th_pkey_free(key);
  th_bytes *b64 = th_netscape_spki_b64_encode(spki);
  if (b64 != NULL) {
    th_netscape_spki *again = th_netscape_spki_from_b64((const char *)b64->data, b64->len);
    FUZZ_CHECK(again != NULL, "b64_encode output does not parse");
    th_bytes *b64b = th_netscape_spki_b64_encode(again);
    FUZZ_CHECK(fuzz_same(b64, b64b), "SPKI base64 round trip differs");
    th_bytes_free(b64b);
    th_netscape_spki_free(again);
    th_bytes_free(b64);
  }
  th_netscape_spki_free(spki);
  return 0;
}
