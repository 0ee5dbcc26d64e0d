/* bytes.c — th_bytes and th_list. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>

#include "core_internal.h"

th_bytes *th_bytes_new(const void *data, size_t len) {
  if (data == NULL && len > 0) {
    th__err(TH_ERR_TYPE, "th_bytes_new: data is NULL with len %zu", len);
    return NULL;
  }
  if (len > SIZE_MAX - sizeof(th_bytes) - 1) {
    th__err(TH_ERR_VALUE, "th_bytes_new: len %zu is too large", len);
    return NULL;
  }
  /* One allocation: the struct, then the bytes, then a NUL. */
  th_bytes *b = th__malloc(sizeof *b + len + 1);
  if (b == NULL) {
    th__err(TH_ERR_NOMEM, "th_bytes_new: out of memory for %zu bytes", len);
    return NULL;
  }
  b->data = (unsigned char *)(b + 1);
  b->len = len;
  if (len > 0) memcpy(b->data, data, len);
  b->data[len] = '\0';
  return b;
}

void th_bytes_free(th_bytes *b) { th__free(b); }

th_bytes *th__bytes_from_bio(BIO *bio) {
  char *p = NULL;
  long n = BIO_get_mem_data(bio, &p);
  if (n < 0) n = 0;
  return th_bytes_new(p, (size_t)n);
}

th_list *th__list_new(void (*item_free)(void *)) {
  th_list *l = th__calloc(1, sizeof *l);
  if (l == NULL) {
    th__err(TH_ERR_NOMEM, "out of memory allocating a list");
    return NULL;
  }
  l->item_free = item_free;
  return l;
}

int th__list_push(th_list *l, void *item) {
  /* Lists are short (certificates of a chain, components of a name), so a
   * realloc per item keeps this simple without a hidden capacity field. */
  void **p = th__realloc(l->items, (l->count + 1) * sizeof(void *));
  if (p == NULL) {
    if (l->item_free != NULL) l->item_free(item);
    return th__err(TH_ERR_NOMEM, "out of memory growing a list");
  }
  l->items = p;
  l->items[l->count++] = item;
  return TH_OK;
}

void th_list_free(th_list *l) {
  if (l == NULL) return;
  for (size_t i = 0; i < l->count; i++)
    if (l->item_free != NULL) l->item_free(l->items[i]);
  th__free(l->items);
  th__free(l);
}

void *th_list_get(const th_list *l, size_t i) {
  if (l == NULL) {
    th__err(TH_ERR_TYPE, "th_list_get: list is NULL");
    return NULL;
  }
  if (i >= l->count) {
    th__err(TH_ERR_INDEX, "th_list_get: index %zu out of range (count %zu)", i, l->count);
    return NULL;
  }
  return l->items[i];
}

int th__check_buf(const void *buf, long len, const char *func) {
  if (len < 0) return th__err(TH_ERR_VALUE, "%s: negative length %ld", func, len);
  if (buf == NULL && len > 0) return th__err(TH_ERR_TYPE, "%s: buffer is NULL", func);
  if (len > INT_MAX) return th__err(TH_ERR_VALUE, "%s: length %ld is too large", func, len);
  return TH_OK;
}
