/* object.c — the reference-counted object header shared by every class. */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* is_ours reads the magic word alone (memcpy: a foreign pointer need not
 * be aligned for th_obj), before anything else of the header. */
static int is_ours(const void *obj) {
  uint64_t magic;
  memcpy(&magic, obj, sizeof magic);
  return magic == TH__OBJ_MAGIC;
}

void *th__obj_new(const th_type *type, size_t size) {
  th_obj *o = th__calloc(1, size);
  if (o == NULL) {
    th__err(TH_ERR_NOMEM, "out of memory allocating a %s", type->name);
    return NULL;
  }
  o->magic = TH__OBJ_MAGIC;
  o->type = type;
  atomic_init(&o->refs, 1);
  return o;
}

void th__obj_free(void *obj) {
  th_obj *o = obj;
  /* A foreign pointer is left alone: it is not ours to free. */
  if (o == NULL || !is_ours(o)) return;
  /* acq_rel: the thread that frees must see every write made by the
   * threads that dropped their references before it. */
  if (atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) != 1) return;
  if (o->type->destroy != NULL) o->type->destroy(o);
  o->magic = TH__OBJ_DEAD;
  th__free(o);
}

void *th__obj_up_ref(void *obj) {
  th_obj *o = obj;
  if (o != NULL) atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
  return obj;
}

int th__obj_is(const void *obj, const th_type *t) {
  return obj != NULL && is_ours(obj) && ((const th_obj *)obj)->type == t;
}

int th__obj_check(const void *obj, const th_type *t, const char *func, const char *arg) {
  if (obj == NULL) return th__err(TH_ERR_TYPE, "%s: %s is NULL, expected a %s", func, arg, t->name);
  if (!is_ours(obj))
    return th__err(TH_ERR_TYPE, "%s: %s is not a tlsharness object, expected a %s", func, arg,
                   t->name);
  const th_type *got = ((const th_obj *)obj)->type;
  if (got != t)
    return th__err(TH_ERR_TYPE, "%s: %s is a %s, expected a %s", func, arg,
                   got != NULL && got->name != NULL ? got->name : "foreign object", t->name);
  return TH_OK;
}

void *th__obj_wrap(const th_type *type, size_t size, size_t offset, void *raw,
                   void (*raw_free)(void *), const char *func) {
  if (raw == NULL) {
    th__err(TH_ERR_NOMEM, "%s: no %s to wrap", func, type->name);
    return NULL;
  }
  th_obj *o = th__obj_new(type, size);
  if (o == NULL) {
    raw_free(raw);
    return NULL;
  }
  *(void **)((char *)o + offset) = raw;
  return o;
}
