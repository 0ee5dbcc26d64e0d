/* ssl.c — the SSL module's functions (SSL.SSLeay_version). */
#include <string.h>

#include <openssl/crypto.h>

#include "../core/core_internal.h"
#include "tlsharness/ssl.h"

static int known_version_type(int type) {
  switch (type) {
    case TH_SSLEAY_VERSION:
    case TH_SSLEAY_CFLAGS:
    case TH_SSLEAY_BUILT_ON:
    case TH_SSLEAY_PLATFORM:
    case TH_SSLEAY_DIR:
    case TH_SSLEAY_ENGINES_DIR:
    case TH_SSLEAY_VERSION_STRING:
    case TH_SSLEAY_FULL_VERSION_STRING:
    case TH_SSLEAY_MODULES_DIR:
    case TH_SSLEAY_CPU_INFO:
      return 1;
    default:
      return 0;
  }
}

th_bytes *th_ssl_SSLeay_version(int type) {
  /* OpenSSL answers "not available" for a type it does not know; the C API
   * says so explicitly instead. */
  if (!known_version_type(type)) {
    th__err(TH_ERR_VALUE, "th_ssl_SSLeay_version: unknown type %d (expected a TH_SSLEAY_* constant)",
            type);
    return NULL;
  }
  const char *text = OpenSSL_version(type);
  return th_bytes_new(text, strlen(text));
}

unsigned long th_ssl_OpenSSL_version_num(void) { return OpenSSL_version_num(); }
