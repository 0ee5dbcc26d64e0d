/* tlsharness/common.h — byte strings, lists and the library version. */
#ifndef TLSHARNESS_COMMON_H
#define TLSHARNESS_COMMON_H

#include <stddef.h>

#include "tlsharness/error.h"
#include "tlsharness/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TH_VERSION_STRING "0.1.0"

/* th_bytes_new copies len bytes of data (data may be NULL only when len is
 * 0) into a new th_bytes, NUL-terminated. Returns NULL with TH_ERR_TYPE for
 * NULL data with len > 0, TH_ERR_NOMEM when out of memory. */
th_bytes *th_bytes_new(const void *data, size_t len);

/* th_bytes_free frees b (NULL-safe). */
void th_bytes_free(th_bytes *b);

/* th_list_free frees every item with the list's item_free, then the list
 * (NULL-safe). */
void th_list_free(th_list *list);

/* th_list_get returns the borrowed item i, or NULL (TH_ERR_INDEX) when i is
 * out of range, (TH_ERR_TYPE) when list is NULL. */
void *th_list_get(const th_list *list, size_t i);

#ifdef __cplusplus
}
#endif
#endif
