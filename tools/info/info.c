/* th-info — print the OpenSSL build that tlsharness runs against, for the
 * validation report: runtime version (th_ssl_SSLeay_version), the version
 * the headers declared at compile time, build flags, platform, directory,
 * the prefix Bazel was pointed at, tlsharness's own version, and whether
 * the prefix's openssl tool (the cross-checks' second opinion) reports the
 * same version as the library. */
#include <stdio.h>
#include <string.h>

#include "tlsharness/tlsharness.h"

#ifndef TH_OPENSSL_BIN
#define TH_OPENSSL_BIN "openssl"
#endif
#ifndef TH_OPENSSL_PREFIX
#define TH_OPENSSL_PREFIX "system"
#endif

static void line(const char *key, int type) {
  th_bytes *b = th_ssl_SSLeay_version(type);
  printf("%s: %s\n", key, b != NULL ? (const char *)b->data : "(unavailable)");
  th_bytes_free(b);
}

/* The CLI's `version` line ("OpenSSL 3.5.7 ... (Library: OpenSSL 3.5.7 ...)")
 * must name the library's version twice: as built and as loaded. */
static void cli(void) {
  char out[512] = "";
  FILE *p = popen("'" TH_OPENSSL_BIN "' version 2>&1 </dev/null", "r");
  size_t n = p != NULL ? fread(out, 1, sizeof out - 1, p) : 0;
  int st = p != NULL ? pclose(p) : -1;
  out[n] = '\0';
  out[strcspn(out, "\n")] = '\0';
  th_bytes *lib = th_ssl_SSLeay_version(TH_SSLEAY_VERSION);
  const char *want = lib != NULL ? (const char *)lib->data : "?";
  char loaded[300];
  snprintf(loaded, sizeof loaded, "(Library: %s)", want);
  int same = st == 0 && strncmp(out, want, strlen(want)) == 0 && strstr(out, loaded) != NULL;
  printf("openssl_cli: %s\n", TH_OPENSSL_BIN);
  printf("openssl_cli_version: %s\n", st == 0 ? out : "(does not start)");
  printf("openssl_cli_matches_library: %s\n", same ? "yes" : "no");
  th_bytes_free(lib);
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
  cli();
  return 0;
}
