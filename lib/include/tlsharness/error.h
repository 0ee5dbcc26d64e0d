/* tlsharness/error.h — status codes and the thread-local error record.
 *
 * Functions return an int status (TH_OK, or >= 0 for a count or a value;
 * a negative th_err kind on failure) or a pointer (NULL on failure). After a
 * failure, th_error_last() describes it. The record is per thread, fixed in
 * size and never allocates; it is only meaningful after a failure (a
 * successful call does not clear it). The kinds mirror the exceptions of
 * pyOpenSSL 16.1. */
#ifndef TLSHARNESS_ERROR_H
#define TLSHARNESS_ERROR_H

#include <stddef.h>

#include "tlsharness/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum th_err {
  TH_OK = 0,
  TH_ERR_SSL = -1,              /* SSL.Error (error queue in the record) */
  TH_ERR_WANT_READ = -2,        /* SSL.WantReadError */
  TH_ERR_WANT_WRITE = -3,       /* SSL.WantWriteError */
  TH_ERR_WANT_X509_LOOKUP = -4, /* SSL.WantX509LookupError */
  TH_ERR_ZERO_RETURN = -5,      /* SSL.ZeroReturnError */
  TH_ERR_SYSCALL = -6,          /* SSL.SysCallError (errno, text) */
  TH_ERR_CRYPTO = -7,           /* crypto.Error (error queue in the record) */
  TH_ERR_RAND = -8,             /* rand.Error */
  TH_ERR_VERIFY = -9,           /* crypto.X509StoreContextError */
  TH_ERR_TYPE = -10,            /* TypeError: wrong object type, NULL */
  TH_ERR_VALUE = -11,           /* ValueError: bad value, unknown name */
  TH_ERR_INDEX = -12,           /* IndexError: index out of range */
  TH_ERR_UNSUPPORTED = -13,     /* this OpenSSL build (or OS) lacks it */
  TH_ERR_NOMEM = -14,           /* MemoryError */
  TH_ERR_CALLBACK = -15,        /* a callback failed without its own kind */
  TH_ERR_WANT_ASYNC = -16,      /* beyond the spec: SSL_ERROR_WANT_ASYNC etc. */
  TH_ERR_STALLED = -17,         /* loopback: neither peer can make progress */
} th_err;

#define TH_ERROR_QUEUE_MAX 16

/* One entry of the OpenSSL error queue, as pyOpenSSL's (lib, func, reason). */
typedef struct th_error_entry {
  unsigned long code;
  char lib[48];
  char func[48]; /* always "" on OpenSSL 3, as pyOpenSSL shows it */
  char reason[128];
} th_error_entry;

typedef struct th_error {
  int kind;                  /* a th_err */
  char message[256];         /* a human sentence saying what failed */
  int sys_errno;             /* TH_ERR_SYSCALL: errno, or -1 for unexpected EOF */
  char sys_text[96];         /* strerror(sys_errno) or "Unexpected EOF" */
  size_t queue_len;          /* copied OpenSSL error queue, oldest first */
  th_error_entry queue[TH_ERROR_QUEUE_MAX];
  int verify_code;           /* TH_ERR_VERIFY: X509_V_ERR_* */
  int verify_depth;          /* depth of the failing certificate */
  char verify_text[128];     /* X509_verify_cert_error_string(verify_code) */
} th_error;

/* th_error_last returns this thread's error record (never NULL; borrowed,
 * valid until this thread's next failing call). */
const th_error *th_error_last(void);

/* th_error_kind returns th_error_last()->kind. */
int th_error_kind(void);

/* th_error_certificate returns a new reference to the certificate that
 * caused the last TH_ERR_VERIFY (X509StoreContextError.certificate), or NULL
 * when there is none. The caller frees it with th_x509_free(). */
th_x509 *th_error_certificate(void);

/* th_error_clear resets this thread's record to TH_OK and drops the
 * certificate reference it holds. */
void th_error_clear(void);

/* th_err_name returns the constant's name ("TH_ERR_SSL"), or "TH_ERR_?" for
 * an unknown value. Static storage. */
const char *th_err_name(int kind);

/* th_error_format writes the last error as one readable line into buf
 * (always NUL-terminated when size > 0) and returns the length it needed,
 * like snprintf. */
int th_error_format(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
