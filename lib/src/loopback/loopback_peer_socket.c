/* loopback_peer_socket.c — th_peer's socket pattern: a listening socket
 * or one end of a socket pair, and the bounded thread that accepts and
 * runs the peer until its script ends, the application closes, or the
 * deadline passes. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback_internal.h"

static unsigned long long left_ms(th_peer *p) {
  unsigned long long end = p->started_ms + p->deadline_ms, now = th__lb_now_ms();
  return now >= end ? 0 : end - now;
}

static int accept_one(th_peer *p) {
  struct pollfd pf = {p->lfd, POLLIN, 0};
  while (!atomic_load(&p->stop)) {
    unsigned long long left = left_ms(p);
    if (left == 0) return th__err(TH_ERR_STALLED, "th_peer: no connection within %u ms", p->deadline_ms);
    int n = poll(&pf, 1, left > 100 ? 100 : (int)left);
    if (n < 0 && errno != EINTR) return th__err_sys(errno, "th_peer: poll");
    if (n <= 0) continue;
    int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) return fd;
    if (errno != EAGAIN && errno != EINTR) return th__err_sys(errno, "th_peer: accept");
  }
  return th__err(TH_ERR_STALLED, "th_peer: stopped before a connection came");
}

/* How long the socket thread may wait for its socket now (ms). */
static int wait_ms(th_peer *p) {
  unsigned long long left = left_ms(p), w = 100; /* also to look at `stop` */
  for (int s = 0; s < 2; s++) {
    const lb_dir *d = &p->pair->dir[s];
    if (d->stalling) {
      unsigned long long now = th__lb_now_ms();
      unsigned long long until = d->stall_until > now ? d->stall_until - now : 0;
      if (until < w) w = until;
    }
    if (d->queue.len > 0 && th__lb_paced(p->pair, s) > 0) w = 1; /* the kernel says nothing */
  }
  return (int)(w < left ? w : left);
}

/* The silent peer reads nothing: it only waits for the application to
 * hang up (POLLRDHUP) or the deadline. */
static int socket_main(void *arg) {
  th_peer *p = arg;
  if (p->lfd >= 0) {
    int fd = accept_one(p);
    close(p->lfd);
    p->lfd = -1;
    if (fd < 0) return th__peer_stopped(p);
    if (th__peer_start(p, PAT_SOCKET, NULL, fd, TH_LOOPBACK_TCP) != TH_OK) return p->status;
  }
  int fd = p->pair->fd[p->role];
  while (!p->done && !atomic_load(&p->stop)) {
    unsigned long long before = th__lb_progress(p->pair);
    if (!p->silent) th__peer_run(p);
    if (p->done) break;
    if (left_ms(p) == 0) {
      th__peer_fail(p, th__err(TH_ERR_STALLED, "%s: the peer's deadline (%u ms) passed (%s)",
                      th__lb_side_name(p->role), p->deadline_ms,
                      p->silent ? "silent, the application did not hang up" : "waiting"));
      break;
    }
    if (th__lb_progress(p->pair) != before) continue;
    short ev = p->silent ? POLLRDHUP : POLLIN;
    if (p->pair->dir[p->role].queue.len > 0) ev |= POLLOUT;
    struct pollfd pf = {fd, ev, 0};
    int n = poll(&pf, 1, wait_ms(p));
    if (n > 0 && p->silent && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR))) th__peer_finish(p);
  }
  if (!p->done) th__peer_fail(p, th__err(TH_ERR_STALLED, "th_peer: stopped by th_peer_free"));
  shutdown(fd, SHUT_WR);
  return p->status;
}

static int start_thread(th_peer *p) {
  p->thread = th_loopback_thread_start(socket_main, p);
  if (p->thread == NULL) return th__peer_stopped(p);
  return TH_OK;
}

int th_peer_socketpair(th_peer *peer, int transport) {
  PEER_START(peer);
  int fds[2];
  int rc = th__lb_socketpair(transport, fds, 0);
  if (rc != TH_OK) return rc;
  int fl = fcntl(fds[1], F_GETFL);
  if (fl < 0 || fcntl(fds[1], F_SETFL, fl | O_NONBLOCK) != 0) {
    rc = th__err_sys(errno, "%s: fcntl(O_NONBLOCK)", __func__);
    close(fds[0]);
    close(fds[1]);
    return rc;
  }
  if ((rc = th__peer_start(peer, PAT_SOCKET, NULL, fds[1], transport)) != TH_OK ||
      (rc = start_thread(peer)) != TH_OK) {
    close(fds[0]);
    return rc;
  }
  return fds[0];
}

int th_peer_listen(th_peer *peer) {
  PEER_START(peer);
  for (size_t i = 0; i < peer->nfaults; i++) { /* refused before a client comes */
    int rc = th__peer_socket_refuses(peer, &peer->faults[i], TH_LOOPBACK_TCP);
    if (rc != TH_OK) return rc;
  }
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return th__err_sys(errno, "%s: socket", __func__);
  struct sockaddr_in a;
  int rc = th__lb_listen_local(s, &a, __func__);
  if (rc != TH_OK) {
    close(s);
    return rc;
  }
  peer->lfd = s;
  peer->port = ntohs(a.sin_port);
  peer->pattern = PAT_SOCKET;
  peer->started_ms = th__lb_now_ms();
  return start_thread(peer);
}

int th_peer_port(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->port == 0) return th__err(TH_ERR_VALUE, "%s: the peer does not listen", __func__);
  return peer->port;
}

int th_peer_wait(th_peer *peer, unsigned timeout_ms) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->pattern != PAT_SOCKET) return th__err(TH_ERR_VALUE, "%s: not a socket peer", __func__);
  if (peer->thread == NULL) return th_peer_result(peer); /* ended and joined already */
  int rc = th_loopback_thread_join(peer->thread, timeout_ms ? timeout_ms : peer->deadline_ms + 1000,
                                   NULL);
  if (rc != TH_OK) return rc;
  th_loopback_thread_free(peer->thread);
  peer->thread = NULL;
  return th_peer_result(peer);
}
