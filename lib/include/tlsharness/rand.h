/* tlsharness/rand.h — the rand module: OpenSSL's random number generator.
 *
 * As the spec warns, applications should read the operating system's
 * generator instead; these exist for pyOpenSSL compatibility. On OpenSSL 3
 * the generator seeds itself from the operating system, so add/seed only
 * mix extra input in. Failures the generator reports are TH_ERR_RAND
 * (rand.Error) with OpenSSL's queue in the error record. */
#ifndef TLSHARNESS_RAND_H
#define TLSHARNESS_RAND_H

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_rand_add mirrors rand.add(buffer, entropy): mixes len bytes in, with
 * entropy (bytes) as the lower bound of their randomness. TH_ERR_TYPE for a
 * NULL buffer with len > 0, TH_ERR_VALUE for a negative entropy or an
 * oversized len. */
int th_rand_add(const void *buf, size_t len, double entropy);

/* th_rand_seed mirrors rand.seed(buffer): add() with entropy = len. TH_OK;
 * TH_ERR_TYPE for a NULL buffer with len > 0, TH_ERR_VALUE for an oversized
 * len. */
int th_rand_seed(const void *buf, size_t len);

/* th_rand_bytes mirrors rand.bytes(num_bytes): num_bytes random bytes, as
 * new bytes the caller frees. NULL with TH_ERR_VALUE for a negative count
 * (message "num_bytes must not be negative", 16.1's) or one above INT_MAX,
 * TH_ERR_RAND when the generator fails. */
th_bytes *th_rand_bytes(long num_bytes);

/* th_rand_status mirrors rand.status(): 1 when the generator is seeded
 * enough, 0 otherwise; it has no error. */
int th_rand_status(void);

/* th_rand_cleanup mirrors rand.cleanup(): RAND_cleanup has done nothing
 * since OpenSSL 1.1 (the library frees its generator at exit), so this only
 * returns TH_OK; the generator keeps working afterwards. */
int th_rand_cleanup(void);

/* The default byte count of rand.egd. */
#define TH_RAND_EGD_DEFAULT_BYTES 255

/* th_rand_egd mirrors rand.egd(path[, bytes]) as pyOpenSSL >= 16 does
 * (deprecated): path is ignored (no EGD is queried); bytes bytes from the
 * operating system's generator are mixed in, and bytes is returned.
 * TH_ERR_TYPE for a NULL path, TH_ERR_VALUE for a negative bytes,
 * TH_ERR_RAND when the system generator fails. */
int th_rand_egd(const char *path, int bytes);

/* th_rand_load_file mirrors rand.load_file(filename[, maxbytes]): mixes in
 * up to maxbytes bytes of the file (the whole file when maxbytes is
 * negative) and returns how many were read. TH_ERR_TYPE for NULL,
 * TH_ERR_RAND when the file cannot be read (errno in the message). */
int th_rand_load_file(const char *filename, long maxbytes);

/* th_rand_write_file mirrors rand.write_file(filename): writes random bytes
 * (1024 on OpenSSL 3) for a later load_file and returns the count.
 * TH_ERR_TYPE for NULL, TH_ERR_RAND when the file cannot be written. */
int th_rand_write_file(const char *filename);

/* th_rand_screen mirrors rand.screen() ("Availability: Windows"): always
 * TH_ERR_UNSUPPORTED here (OpenSSL 3 removed RAND_screen's effect and this
 * library does not build for Windows). */
int th_rand_screen(void);

#ifdef __cplusplus
}
#endif
#endif
