/* rand.c — the rand module. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "crypto_internal.h"
#include "tlsharness/rand.h"

int th_rand_add(const void *buf, size_t len, double entropy) {
  int rc = th__buf_ok(buf, len, 1, __func__);
  if (rc != TH_OK) return rc;
  if (!(entropy >= 0.0))
    return th__err(TH_ERR_VALUE, "th_rand_add: entropy %g must not be negative", entropy);
  RAND_add(buf, (int)len, entropy);
  return TH_OK;
}

int th_rand_seed(const void *buf, size_t len) {
  int rc = th__buf_ok(buf, len, 1, __func__);
  if (rc != TH_OK) return rc;
  RAND_seed(buf, (int)len);
  return TH_OK;
}

th_bytes *th_rand_bytes(long num_bytes) {
  if (num_bytes < 0) { /* pyOpenSSL 16.1's message */
    th__err(TH_ERR_VALUE, "num_bytes must not be negative");
    return NULL;
  }
  if (num_bytes > INT_MAX) {
    th__err(TH_ERR_VALUE, "th_rand_bytes: num_bytes %ld is above %d", num_bytes, INT_MAX);
    return NULL;
  }
  if (num_bytes == 0) return th_bytes_new(NULL, 0);
  th_bytes *b = NULL;
  unsigned char *tmp = OPENSSL_malloc((size_t)num_bytes);
  if (tmp == NULL) {
    th__err(TH_ERR_NOMEM, "th_rand_bytes: out of memory for %ld bytes", num_bytes);
    return NULL;
  }
  ERR_clear_error();
  if (RAND_bytes(tmp, (int)num_bytes) != 1)
    th__err_ossl(TH_ERR_RAND, "th_rand_bytes: the generator failed");
  else
    b = th_bytes_new(tmp, (size_t)num_bytes);
  OPENSSL_clear_free(tmp, (size_t)num_bytes);
  return b;
}

int th_rand_status(void) { return RAND_status() == 1; }

int th_rand_cleanup(void) { return TH_OK; }

int th_rand_egd(const char *path, int bytes) {
  TH_CHECK_ARG(path);
  if (bytes < 0) return th__err(TH_ERR_VALUE, "th_rand_egd: bytes %d must not be negative", bytes);
  unsigned char buf[256];
  for (int left = bytes; left > 0;) {
    size_t want = left < (int)sizeof buf ? (size_t)left : sizeof buf;
    ssize_t got = getrandom(buf, want, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)
      return th__err(TH_ERR_RAND, "th_rand_egd: the system generator failed: %s", strerror(errno));
    RAND_seed(buf, (int)got);
    left -= (int)got;
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return bytes;
}

int th_rand_load_file(const char *filename, long maxbytes) {
  TH_CHECK_ARG(filename);
  ERR_clear_error();
  errno = 0;
  int n = RAND_load_file(filename, maxbytes < 0 ? -1 : maxbytes);
  if (n < 0 || (n == 0 && ERR_peek_error() != 0)) {
    int e = errno;
    return th__err_ossl(TH_ERR_RAND, "th_rand_load_file: cannot read %s (%s)", filename,
                        e ? strerror(e) : "no data");
  }
  return n;
}

int th_rand_write_file(const char *filename) {
  TH_CHECK_ARG(filename);
  ERR_clear_error();
  errno = 0;
  int n = RAND_write_file(filename);
  if (n <= 0) {
    int e = errno;
    return th__err_ossl(TH_ERR_RAND, "th_rand_write_file: cannot write %s (%s)", filename,
                        e ? strerror(e) : "generator not seeded");
  }
  return n;
}

int th_rand_screen(void) {
  return th__err(TH_ERR_UNSUPPORTED, "th_rand_screen: rand.screen is only available on Windows");
}
