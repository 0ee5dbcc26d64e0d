/* alloc.c — the library's one allocation wrapper.
 *
 * Every allocation tlsharness makes for itself goes through these five
 * functions (tools/check_alloc fails the build's checks when a raw
 * malloc/calloc/realloc/strdup/free appears anywhere else in lib/src), and
 * they go through OpenSSL's allocator (OPENSSL_malloc and friends). So one
 * CRYPTO_set_mem_functions() — an application's, or the allocation-failure
 * sweep's counting allocator (tools/failsweep) — sees and can fail every
 * allocation the library and OpenSSL make, in one sequence. Memory from
 * these functions is released with th__free, never free(). */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core_internal.h"

void *th__malloc(size_t n) {
  /* malloc(0) may return a unique pointer; OPENSSL_malloc(0) returns NULL,
   * which callers would read as out of memory. */
  return OPENSSL_malloc(n != 0 ? n : 1);
}

void *th__calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return NULL;
  size_t n = count * size;
  return OPENSSL_zalloc(n != 0 ? n : 1);
}

void *th__realloc(void *p, size_t n) { return OPENSSL_realloc(p, n != 0 ? n : 1); }

char *th__strdup(const char *s) { return OPENSSL_strdup(s); }

void th__free(void *p) { OPENSSL_free(p); }
