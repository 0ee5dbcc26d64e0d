/* th-info — print the OpenSSL build that tlsharness runs against, for the
 * validation report: runtime version (th_ssl_SSLeay_version), the version
 * the headers declared at compile time, build flags, platform, directory,
 * the prefix Bazel was pointed at, and tlsharness's own version. */
#include <stdio.h>

#include "tlsharness/tlsharness.h"

#ifndef TH_OPENSSL_PREFIX
#define TH_OPENSSL_PREFIX "system"
#endif

static void line(const char *key, int type) {
  th_bytes *b = th_ssl_SSLeay_version(type);
  printf("%s: %s\n", key, b != NULL ? (const char *)b->data : "(unavailable)");
  th_bytes_free(b);
}

int main(void) {
  line("openssl_version", TH_SSLEAY_VERSION);
  printf("openssl_version_number: 0x%08lx\n", (unsigned long)th_ssl_OpenSSL_version_num());
  printf("compiled_against: 0x%08lx\n", (unsigned long)TH_OPENSSL_VERSION_NUMBER);
  line("built_on", TH_SSLEAY_BUILT_ON);
  line("platform", TH_SSLEAY_PLATFORM);
  line("openssldir", TH_SSLEAY_DIR);
  line("cflags", TH_SSLEAY_CFLAGS);
  printf("openssl_prefix: %s\n", TH_OPENSSL_PREFIX);
  printf("tlsharness_version: %s\n", TH_VERSION_STRING);
  return 0;
}
