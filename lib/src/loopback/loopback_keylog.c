/* loopback_keylog.c — the key log of observing pairs: a pair that observes
 * TH_LOOPBACK_OBSERVE_KEYLOG counts as a user of its contexts' key-log
 * callback; the first user installs the harness's callback (chaining to
 * the one already there), the last one restores it. */
#include <stdlib.h>
#include <string.h>

#include "loopback_internal.h"

typedef void (*keylog_fn)(const SSL *, const char *);

typedef struct lb_keylog_ctx {
  keylog_fn prev;
  int users;
} lb_keylog_ctx;

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static int kl_index = -1; /* SSL_CTX ex_data: lb_keylog_ctx */

static void lb_keylog(const SSL *ssl, const char *line) {
  const lb_end *e = th__lb_end_of(ssl);
  if (e != NULL && (e->pair->observe & TH_LOOPBACK_OBSERVE_KEYLOG)) {
    th__lb_buf_add(&e->pair->obs->keylog, line, strlen(line));
    th__lb_buf_add(&e->pair->obs->keylog, "\n", 1);
  }
  lb_keylog_ctx *k = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), kl_index);
  if (k != NULL && k->prev != NULL) k->prev(ssl, line);
}

static void free_kl(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
  th__free(ptr);
}

static void make_index(void) {
  kl_index = SSL_CTX_get_ex_new_index(0, "th_loopback keylog", NULL, NULL, free_kl);
}

int th__lb_keylog_attach(SSL_CTX *ctx) {
  if (!CRYPTO_THREAD_run_once(&once, make_index) || kl_index < 0)
    return th__err(TH_ERR_NOMEM, "th_loopback_pair_observe: no ex_data index");
  lb_keylog_ctx *k = SSL_CTX_get_ex_data(ctx, kl_index);
  if (k == NULL) {
    if ((k = th__calloc(1, sizeof *k)) == NULL || !SSL_CTX_set_ex_data(ctx, kl_index, k)) {
      th__free(k);
      return th__err(TH_ERR_NOMEM, "th_loopback_pair_observe: out of memory");
    }
  }
  if (k->users == 0 || SSL_CTX_get_keylog_callback(ctx) != lb_keylog) {
    keylog_fn cur = SSL_CTX_get_keylog_callback(ctx);
    if (cur != lb_keylog) k->prev = cur; /* chain to the callback already there */
    SSL_CTX_set_keylog_callback(ctx, lb_keylog);
  }
  k->users++;
  return TH_OK;
}

void th__lb_keylog_detach(SSL_CTX *ctx) {
  lb_keylog_ctx *k = SSL_CTX_get_ex_data(ctx, kl_index);
  if (k == NULL || k->users == 0) return;
  if (--k->users > 0) return;
  /* The last observing pair: give the context back its own callback,
   * unless someone replaced ours meanwhile. */
  if (SSL_CTX_get_keylog_callback(ctx) == lb_keylog) SSL_CTX_set_keylog_callback(ctx, k->prev);
  k->prev = NULL;
}
