/* fuzz_use.h — what every fuzz target does with an object it parsed: use
 * it the way a caller would (dump it back in every format, read names,
 * dates, serials, extension strings, digests, keys) and check that what
 * the library promises holds, e.g. that a dump parses back to the same
 * bytes. A broken promise is a finding: fuzz_fail prints it and aborts, so
 * libFuzzer saves the input. The helpers never free their argument. */
#ifndef TLSHARNESS_FUZZ_USE_H
#define TLSHARNESS_FUZZ_USE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsharness/tlsharness.h"

/* fuzz_fail prints "fuzz: <what>" and aborts. */
_Noreturn void fuzz_fail(const char *what);
#define FUZZ_CHECK(cond, what) \
  do {                         \
    if (!(cond)) fuzz_fail(what); \
  } while (0)

void fuzz_use_raw(const void *p, size_t n); /* reads every byte, so ASan checks them */
void fuzz_use_bytes(th_bytes *b); /* fuzz_use_raw, checks the NUL, frees b */
void fuzz_use_x509(th_x509 *cert);
void fuzz_use_name(th_x509_name *name);
void fuzz_use_extension(const th_x509_extension *ext);
void fuzz_use_pkey(const th_pkey *pkey);
void fuzz_use_req(th_x509_req *req);
void fuzz_use_crl(const th_crl *crl);
void fuzz_use_session(const th_session *sess);
void fuzz_use_list(th_list *list, void (*use)(void *item)); /* frees list */

/* fuzz_same: 1 when a and b hold the same bytes (both NULL counts). */
int fuzz_same(const th_bytes *a, const th_bytes *b);

#endif
