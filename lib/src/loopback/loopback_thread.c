/* loopback_thread.c — one side of a conversation in a background thread,
 * for application code that blocks, joined with a bound. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "loopback_internal.h"

enum { RUNNING, DONE, ORPHANED, JOINED };

struct th_loopback_thread {
  pthread_t tid;
  int (*fn)(void *user);
  void *user;
  int result;
  atomic_int state;
};

static void *trampoline(void *arg) {
  th_loopback_thread *t = arg;
  t->result = t->fn(t->user);
  /* A caller that gave up on the thread left it to free itself. */
  if (atomic_exchange(&t->state, DONE) == ORPHANED) th__free(t);
  return NULL;
}

th_loopback_thread *th_loopback_thread_start(int (*fn)(void *user), void *user) {
  if (fn == NULL) {
    th__err(TH_ERR_TYPE, "%s: fn is NULL", __func__);
    return NULL;
  }
  th_loopback_thread *t = th__calloc(1, sizeof *t);
  if (t == NULL) {
    th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
    return NULL;
  }
  t->fn = fn;
  t->user = user;
  atomic_init(&t->state, RUNNING);
  int e = pthread_create(&t->tid, NULL, trampoline, t);
  if (e != 0) {
    th__free(t);
    th__err_sys(e, "%s: pthread_create", __func__);
    return NULL;
  }
  return t;
}

int th_loopback_thread_join(th_loopback_thread *t, unsigned timeout_ms, int *result) {
  TH_CHECK_ARG(t);
  if (atomic_load(&t->state) == JOINED)
    return th__err(TH_ERR_VALUE, "%s: the thread was already joined", __func__);
  if (timeout_ms == 0) timeout_ms = 10000;
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += timeout_ms / 1000;
  until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  int e = pthread_timedjoin_np(t->tid, NULL, &until);
  if (e == ETIMEDOUT)
    return th__err(TH_ERR_STALLED, "%s: the thread is still running after %u ms", __func__, timeout_ms);
  if (e != 0) return th__err_sys(e, "%s: pthread_timedjoin_np", __func__);
  atomic_store(&t->state, JOINED);
  if (result != NULL) *result = t->result;
  return TH_OK;
}

void th_loopback_thread_free(th_loopback_thread *t) {
  if (t == NULL) return;
  int old = atomic_exchange(&t->state, ORPHANED);
  if (old == JOINED) {
    th__free(t);
  } else if (old == DONE) {
    pthread_join(t->tid, NULL);
    th__free(t);
  } else {
    pthread_detach(t->tid); /* trampoline frees t when fn returns */
  }
}
