/* app.c — a consumer that builds without Bazel: compiled against an installed
 * tlsharness through pkg-config by tools/consumer/check (run by CI). */
#include <stdio.h>
#include <tlsharness/tlsharness.h>
int main(void) {
  th_pkey *k = th_pkey_new();
  int rc = th_pkey_generate_key(k, TH_TYPE_EC, 256);
  printf("generate_key: %s bits=%d\n", th_err_name(rc), th_pkey_bits(k));
  th_pkey_free(k);
  return rc != TH_OK;
}
