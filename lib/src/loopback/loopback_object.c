/* loopback_object.c — the LoopbackPair object: its type, and freeing what
 * every layer of the module put on it (faults, observation, the key-log
 * use of its contexts, Connection wrappers, transports). Made in
 * loopback_pair.c, the top of the module. */
#include <stdlib.h>
#include <unistd.h>

#include "loopback_internal.h"

void th__lb_faults_free(lb_dir *d) {
  for (size_t i = 0; i < d->nfaults; i++) th__free(d->faults[i].data);
  d->nfaults = 0;
  th__free(d->faults);
  d->faults = NULL;
  th__lb_buf_free(&d->rec);
  th__lb_buf_free(&d->held);
  th__lb_buf_free(&d->queue);
}

void th__lb_observe_free(th_loopback_pair *pair) {
  lb_observe *o = pair->obs;
  if (o == NULL) return;
  for (int i = 0; i < 2; i++) {
    if (o->keylog_ctx[i]) th__lb_keylog_detach(pair->sctx[i]);
    th_list_free(o->info[i]);
    th__lb_buf_free(&o->dir[i].parse);
  }
  th__free(o->entries);
  th__lb_buf_free(&o->keylog);
  th__lb_buf_free(&o->wire);
  th__free(o);
  pair->obs = NULL;
}

static void pair_destroy(void *self) {
  th_loopback_pair *p = self;
  for (int i = 0; i < 2; i++) th_connection_free(p->conn[i]);
  th__lb_observe_free(p); /* before the contexts go: it may restore their key log callback */
  for (int i = 0; i < 2; i++) {
    /* An SSL a caller still holds keeps its BIOs: cut them off the pair. */
    if (p->end[i] != NULL) BIO_set_data(p->end[i], NULL);
    if (p->fd[i] < 0 && p->in[i] != NULL) BIO_set_callback_arg(p->in[i], NULL);
    SSL_free(p->ssl[i]); /* frees the end BIO */
    BIO_free(p->in[i]);
    BIO_free(p->out[i]);
    if (p->fd[i] >= 0) close(p->fd[i]);
    SSL_CTX_free(p->sctx[i]);
    th__lb_faults_free(&p->dir[i]);
    th__lb_buf_free(&p->rx[i]);
    th__free(p->fail_rec[i]);
  }
}

const th_type TH_TYPE_LOOPBACK_PAIR = {"LoopbackPair", pair_destroy};

void th_loopback_pair_free(th_loopback_pair *pair) { th__obj_free(pair); }
