/* core_internal.h — the core module's private declarations (object model,
 * error record, bytes and lists), shared by every module above it:
 * core <- crypto <- ssl <- loopback, and fixtures (see docs/design.md).
 * Nothing here is public API; the layout of these structs may change. */
#ifndef TLSHARNESS_CORE_INTERNAL_H
#define TLSHARNESS_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tlsharness/common.h"
#include "tlsharness/error.h"
#include "tlsharness/types.h"

/* ---- object model --------------------------------------------------------
 * Every th_ object starts with a th_obj header: a magic word, its type (for
 * the runtime type checks that turn a wrongly cast pointer into TH_ERR_TYPE
 * instead of a crash) and an atomic reference count (children such as an
 * X509Name that "wraps the underlying" name keep their parent alive across
 * threads). The magic word comes first and is read alone: a foreign pointer
 * (a th_bytes *, a raw X509 *, garbage) cast to a th_ type fails the check
 * without the type pointer being read or followed; the check reads only
 * sizeof(uint64_t) bytes of a foreign object. */
#define TH__OBJ_MAGIC UINT64_C(0x74685f6f626a2131) /* "th_objec!1" */
#define TH__OBJ_DEAD UINT64_C(0x74685f6465616421)  /* set when freed */
typedef struct th_type {
  const char *name;            /* the spec's class name, e.g. "X509" */
  void (*destroy)(void *self); /* releases what the object holds, not self */
} th_type;

typedef struct th_obj {
  uint64_t magic; /* TH__OBJ_MAGIC while alive */
  const th_type *type;
  atomic_int refs;
} th_obj;

/* th__obj_new allocates a zeroed object of size bytes with one reference;
 * NULL with TH_ERR_NOMEM. */
void *th__obj_new(const th_type *type, size_t size);
/* th__obj_free drops one reference (NULL-safe); destroys at zero. */
void th__obj_free(void *obj);
/* th__obj_up_ref takes a reference and returns obj (NULL-safe). */
void *th__obj_up_ref(void *obj);
/* th__obj_is tells whether obj is a live object of type t. */
int th__obj_is(const void *obj, const th_type *t);
/* th__obj_check returns TH_OK, or sets TH_ERR_TYPE naming func and arg when
 * obj is NULL or not of type t. */
int th__obj_check(const void *obj, const th_type *t, const char *func, const char *arg);

/* TH_CHECK(obj, TYPE) — return the status from the enclosing int function. */
#define TH_CHECK(obj, t)                                     \
  do {                                                       \
    int th__rc = th__obj_check((obj), (t), __func__, #obj);  \
    if (th__rc != TH_OK) return th__rc;                      \
  } while (0)
/* TH_CHECK_NULL(obj, TYPE) — the same for functions returning a pointer. */
#define TH_CHECK_NULL(obj, t)                                        \
  do {                                                               \
    if (th__obj_check((obj), (t), __func__, #obj) != TH_OK) return NULL; \
  } while (0)
/* TH_CHECK_ARG(p) — a plain pointer argument must not be NULL. */
#define TH_CHECK_ARG(p) \
  do { if ((p) == NULL) return th__err(TH_ERR_TYPE, "%s: %s is NULL", __func__, #p); } while (0)
#define TH_CHECK_ARG_NULL(p) \
  do { if ((p) == NULL) { th__err(TH_ERR_TYPE, "%s: %s is NULL", __func__, #p); return NULL; } } while (0)

/* TH_DEFINE_REFCOUNT(prefix, ctype, typeobj) defines th_<prefix>_free and
 * th_<prefix>_up_ref for one class. */
#define TH_DEFINE_REFCOUNT(prefix, ctype, typeobj)                       \
  void th_##prefix##_free(ctype *obj) { th__obj_free(obj); }             \
  ctype *th_##prefix##_up_ref(ctype *obj) {                              \
    if (obj != NULL && th__obj_check(obj, &(typeobj), __func__, "obj") != TH_OK) return NULL; \
    return (ctype *)th__obj_up_ref(obj);                                 \
  }

/* th__obj_wrap makes an object of type around raw, an OpenSSL object it
 * takes over: stored at offset, freed with raw_free if the allocation
 * fails. NULL raw (a failed OpenSSL constructor) is TH_ERR_NOMEM. */
void *th__obj_wrap(const th_type *type, size_t size, size_t offset, void *raw,
                   void (*raw_free)(void *), const char *func);

/* TH_DEFINE_WRAP(name, ctype, typeobj, field, rawtype, rawfree) defines
 * `ctype *name(rawtype *raw)`, the class's th__<class>_wrap. */
#define TH_DEFINE_WRAP(name, ctype, typeobj, field, rawtype, rawfree)                  \
  static void name##_raw_free(void *raw) { rawfree((rawtype *)raw); }                 \
  ctype *name(rawtype *raw) {                                                         \
    return th__obj_wrap(&(typeobj), sizeof(ctype), offsetof(ctype, field), raw,       \
                        name##_raw_free, #name);                                      \
  }

/* ---- memory ---------------------------------------------------------------
 * The library's only allocation calls (alloc.c): OpenSSL's allocator, so
 * CRYPTO_set_mem_functions sees them too. NULL on failure (no error is
 * recorded: the caller says what it was allocating, with TH_ERR_NOMEM).
 * tools/check_alloc rejects a raw malloc/calloc/realloc/strdup/free in lib/src
 * outside alloc.c. */
void *th__malloc(size_t n);
void *th__calloc(size_t count, size_t size);
void *th__realloc(void *p, size_t n);
char *th__strdup(const char *s);
void th__free(void *p);

/* ---- errors -------------------------------------------------------------
 * Each setter fills this thread's record and returns kind, so that callers
 * can write `return th__err(TH_ERR_VALUE, "...")`. */
int th__err(int kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* th__err_ossl also moves OpenSSL's error queue into the record. */
int th__err_ossl(int kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* th__err_sys records errno value err (or -1: "Unexpected EOF"). */
int th__err_sys(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* th__err_verify records a verification failure; cert may be NULL and is
 * up-ref'd, not taken. Returns TH_ERR_VERIFY. */
int th__err_verify(int code, int depth, X509 *cert, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* th__err_cert returns the certificate of the last verify error (borrowed;
 * NULL if none). th_error_certificate (crypto) wraps it. */
X509 *th__err_cert(void);
/* th__err_copy_queue appends OpenSSL's queue to the current record. */
void th__err_copy_queue(void);
/* th__err_is_kind tells whether kind is one of the th_err failure kinds
 * (TH_ERR_SSL .. the last one); any other int, INT_MIN included, is not. */
int th__err_is_kind(int kind);
/* th__err_callback fills *rec with the failure of a callback (named by
 * what, e.g. "the passphrase callback") that returned status < 0: this
 * thread's record when the callback set one (with cleared: the caller
 * cleared the record before the call, and any record set is the
 * callback's, given status as its kind; without: only a record of kind
 * status counts), else a clear record of its own. A status that is not a
 * th_err kind becomes TH_ERR_CALLBACK with a record of its own. Returns
 * rec->kind. */
int th__err_callback(th_error *rec, int status, const char *what, int cleared);
/* th__err_set_record replaces this thread's record with *rec (used to carry
 * a callback's error out through OpenSSL). */
void th__err_set_record(const th_error *rec);

/* ---- bytes and lists ----------------------------------------------------- */
/* th__bytes_from_bio returns everything written to bio as th_bytes. */
th_bytes *th__bytes_from_bio(BIO *bio);
/* th__list_new makes an empty list whose items item_free releases. */
th_list *th__list_new(void (*item_free)(void *));
/* th__list_push appends item (taking it); on failure frees item. */
int th__list_push(th_list *list, void *item);
/* th__check_len turns a negative/oversized C int length into TH_ERR_VALUE. */
int th__check_buf(const void *buf, long len, const char *func);

#endif
