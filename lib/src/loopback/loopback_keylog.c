/* loopback_keylog.c — the key log of observing pairs: a pair that observes
 * TH_LOOPBACK_OBSERVE_KEYLOG counts as a user of its contexts' key-log
 * callback; the first user installs the harness's callback (chaining to
 * the one already there), the last one restores it.
 *
 * Pairs in different threads may share a context, so the bookkeeping (one
 * entry per SSL_CTX in use: the callback to chain to and the count of
 * users) lives in a list of its own under one mutex, not in the context's
 * ex_data (setting ex_data may grow the context's ex_data array while
 * another thread's handshake reads it). The context's callback is written
 * only under the mutex, by the first attach and the last detach, so a pair
 * that attached before its handshake sees it installed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "loopback_internal.h"

typedef void (*keylog_fn)(const SSL *, const char *);

typedef struct lb_keylog_ctx {
  const SSL_CTX *ctx;
  keylog_fn prev; /* the callback that was there: chained to, then restored */
  int users;
  struct lb_keylog_ctx *next;
} lb_keylog_ctx;

static pthread_mutex_t kl_lock = PTHREAD_MUTEX_INITIALIZER;
static lb_keylog_ctx *kl_list; /* under kl_lock */

/* find returns the link that points at ctx's entry (or at the NULL end). */
static lb_keylog_ctx **find(const SSL_CTX *ctx) {
  lb_keylog_ctx **p = &kl_list;
  while (*p != NULL && (*p)->ctx != ctx) p = &(*p)->next;
  return p;
}

static void lb_keylog(const SSL *ssl, const char *line) {
  const lb_end *e = th__lb_end_of(ssl);
  if (e != NULL && (e->pair->observe & TH_LOOPBACK_OBSERVE_KEYLOG)) {
    TH__LB_ADD(e->pair, &e->pair->obs->keylog, line, strlen(line));
    TH__LB_ADD(e->pair, &e->pair->obs->keylog, "\n", 1);
  }
  pthread_mutex_lock(&kl_lock);
  const lb_keylog_ctx *k = *find(SSL_get_SSL_CTX(ssl));
  keylog_fn prev = k != NULL ? k->prev : NULL;
  pthread_mutex_unlock(&kl_lock);
  if (prev != NULL) prev(ssl, line);
}

int th__lb_keylog_attach(SSL_CTX *ctx) {
  int rc = TH_OK;
  pthread_mutex_lock(&kl_lock);
  lb_keylog_ctx *k = *find(ctx);
  if (k == NULL && (k = th__calloc(1, sizeof *k)) != NULL) {
    k->ctx = ctx;
    k->next = kl_list;
    kl_list = k;
  }
  if (k == NULL) {
    rc = th__err(TH_ERR_NOMEM, "th_loopback_pair_observe: out of memory");
  } else {
    keylog_fn cur = SSL_CTX_get_keylog_callback(ctx);
    if (cur != lb_keylog) { /* first user, or someone replaced ours: chain to theirs */
      k->prev = cur;
      SSL_CTX_set_keylog_callback(ctx, lb_keylog);
    }
    k->users++;
  }
  pthread_mutex_unlock(&kl_lock);
  return rc;
}

void th__lb_keylog_detach(SSL_CTX *ctx) {
  pthread_mutex_lock(&kl_lock);
  lb_keylog_ctx **p = find(ctx), *k = *p;
  if (k != NULL && --k->users == 0) {
    /* The last observing pair: give the context back its own callback,
     * unless someone replaced ours meanwhile. */
    if (SSL_CTX_get_keylog_callback(ctx) == lb_keylog) SSL_CTX_set_keylog_callback(ctx, k->prev);
    *p = k->next;
    th__free(k);
  }
  pthread_mutex_unlock(&kl_lock);
}
