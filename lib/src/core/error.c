/* error.c — the thread-local error record (fixed size, never allocates). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "core_internal.h"

static _Thread_local th_error tl_err;
/* The certificate of the last verify failure: a reference, released on the
 * next error or th_error_clear(). Kept outside th_error so the public struct
 * stays plain data. */
static _Thread_local X509 *tl_cert;

static void reset(int kind) {
  X509_free(tl_cert);
  tl_cert = NULL;
  memset(&tl_err, 0, sizeof tl_err);
  tl_err.kind = kind;
}

static void vmessage(const char *fmt, va_list ap) {
  vsnprintf(tl_err.message, sizeof tl_err.message, fmt, ap);
}

void th__err_copy_queue(void) {
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    if (tl_err.queue_len == TH_ERROR_QUEUE_MAX) continue; /* drain the rest */
    th_error_entry *e = &tl_err.queue[tl_err.queue_len++];
    const char *lib = ERR_lib_error_string(code);
    const char *reason = ERR_reason_error_string(code);
    e->code = code;
    snprintf(e->lib, sizeof e->lib, "%s", lib ? lib : "");
    e->func[0] = '\0'; /* OpenSSL 3 has no function codes */
    if (reason != NULL)
      snprintf(e->reason, sizeof e->reason, "%s", reason);
    else
      snprintf(e->reason, sizeof e->reason, "reason(%lu)", (unsigned long)ERR_GET_REASON(code));
  }
}

int th__err(int kind, const char *fmt, ...) {
  reset(kind);
  ERR_clear_error();
  va_list ap;
  va_start(ap, fmt);
  vmessage(fmt, ap);
  va_end(ap);
  return kind;
}

int th__err_ossl(int kind, const char *fmt, ...) {
  reset(kind);
  th__err_copy_queue();
  va_list ap;
  va_start(ap, fmt);
  vmessage(fmt, ap);
  va_end(ap);
  if (tl_err.queue_len > 0) {
    size_t n = strlen(tl_err.message);
    snprintf(tl_err.message + n, sizeof tl_err.message - n, ": %s",
             tl_err.queue[tl_err.queue_len - 1].reason);
  }
  return kind;
}

int th__err_sys(int err, const char *fmt, ...) {
  reset(TH_ERR_SYSCALL);
  th__err_copy_queue();
  tl_err.sys_errno = err;
  if (err == -1)
    snprintf(tl_err.sys_text, sizeof tl_err.sys_text, "Unexpected EOF");
  else
    snprintf(tl_err.sys_text, sizeof tl_err.sys_text, "%s", strerror(err));
  va_list ap;
  va_start(ap, fmt);
  vmessage(fmt, ap);
  va_end(ap);
  return TH_ERR_SYSCALL;
}

int th__err_verify(int code, int depth, X509 *cert, const char *fmt, ...) {
  reset(TH_ERR_VERIFY);
  th__err_copy_queue();
  tl_err.verify_code = code;
  tl_err.verify_depth = depth;
  snprintf(tl_err.verify_text, sizeof tl_err.verify_text, "%s",
           X509_verify_cert_error_string(code));
  if (cert != NULL && X509_up_ref(cert)) tl_cert = cert;
  va_list ap;
  va_start(ap, fmt);
  vmessage(fmt, ap);
  va_end(ap);
  return TH_ERR_VERIFY;
}

void th__err_set_record(const th_error *rec) {
  reset(rec->kind);
  tl_err = *rec;
}

const th_error *th_error_last(void) { return &tl_err; }

int th_error_kind(void) { return tl_err.kind; }

X509 *th__err_cert(void) { return tl_cert; }

void th_error_clear(void) { reset(TH_OK); }

static const char *const kind_names[] = {
    "TH_OK", "TH_ERR_SSL", "TH_ERR_WANT_READ", "TH_ERR_WANT_WRITE", "TH_ERR_WANT_X509_LOOKUP",
    "TH_ERR_ZERO_RETURN", "TH_ERR_SYSCALL", "TH_ERR_CRYPTO", "TH_ERR_RAND", "TH_ERR_VERIFY",
    "TH_ERR_TYPE", "TH_ERR_VALUE", "TH_ERR_INDEX", "TH_ERR_UNSUPPORTED", "TH_ERR_NOMEM",
    "TH_ERR_CALLBACK", "TH_ERR_WANT_ASYNC", "TH_ERR_STALLED"};
#define KIND_COUNT ((int)(sizeof kind_names / sizeof kind_names[0]))

/* Range-checked before negating: -INT_MIN is undefined. */
int th__err_is_kind(int kind) { return kind < 0 && kind > -KIND_COUNT; }

const char *th_err_name(int kind) {
  if (kind != TH_OK && !th__err_is_kind(kind)) return "TH_ERR_?";
  return kind_names[-kind];
}

int th__err_callback(th_error *rec, int status, const char *what, int cleared) {
  *rec = tl_err;
  int kind = th__err_is_kind(status) ? status : TH_ERR_CALLBACK;
  /* A callback that failed without setting a record (of its kind, when
   * the record was not cleared before the call: it may still read an
   * unrelated earlier error) still fails with a clear record of its own. */
  int set = cleared ? rec->kind != TH_OK : rec->kind == status;
  if (set && kind == status) {
    rec->kind = kind; /* "fails with that same status" */
  } else {
    memset(rec, 0, sizeof *rec);
    rec->kind = kind;
    if (kind == status)
      snprintf(rec->message, sizeof rec->message, "%s returned an error", what);
    else
      snprintf(rec->message, sizeof rec->message, "%s returned %d, not a th_err kind", what,
               status);
  }
  return kind;
}

/* put appends to buf like snprintf at offset *n, counting what does not
 * fit: *n ends as the length the whole line needs. */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t size, size_t *n,
                                                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int w = *n < size ? vsnprintf(buf + *n, size - *n, fmt, ap) : vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (w > 0) *n += (size_t)w;
}

int th_error_format(char *buf, size_t size) {
  const th_error *e = &tl_err;
  size_t n = 0;
  if (buf == NULL) size = 0;
  put(buf, size, &n, "%s: %s", th_err_name(e->kind), e->message);
  if (e->kind == TH_ERR_SYSCALL)
    put(buf, size, &n, " (errno %d: %s)", e->sys_errno, e->sys_text);
  if (e->kind == TH_ERR_VERIFY)
    put(buf, size, &n, " (verify error %d at depth %d: %s)", e->verify_code, e->verify_depth,
        e->verify_text);
  for (size_t i = 0; i < e->queue_len; i++)
    put(buf, size, &n, " [('%s', '%s', '%s')]", e->queue[i].lib, e->queue[i].func,
        e->queue[i].reason);
  return (int)n; /* a few KiB at most: every part of the record is bounded */
}
