/* server.c — every endpoint served at once by one poll(2) loop in one
 * thread: a listening socket per endpoint, non-blocking client sockets, the
 * TLS of each over memory BIOs (behave.c). Bounds: BS_MAX_CONN_PER_ENDPOINT
 * live connections per endpoint and a total derived from RLIMIT_NOFILE
 * (connections beyond are accepted and closed at once, so a flood never
 * fills the backlog or the fd table), and the deadlines of behave.c.
 * bs_server_stop (async-signal-safe) wakes the loop through a pipe; the loop
 * then closes every connection and listener and returns. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tools/badssl/conn.h"

struct bs_server {
  bs_cat *cat;
  bs_conn **conns;
  size_t nconns;
  size_t limit; /* total live connections */
  int wake[2];  /* self-pipe: bs_server_stop writes, the loop polls */
  int reserve;  /* a spare fd, given up to accept-and-close under EMFILE */
  atomic_int stopping; /* lock-free: safe from a signal handler and another thread */
  struct pollfd *pfd;
};

long long bs_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

socklen_t bs_sockaddr(const char *addr, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (strchr(addr, ':') != NULL) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((unsigned short)port);
    inet_pton(AF_INET6, addr, &a->sin6_addr);
    return sizeof *a;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons((unsigned short)port);
  inet_pton(AF_INET, addr, &a->sin_addr);
  return sizeof *a;
}

static int listen_on(bs_endpoint *ep, int port) {
  const char *addr = bs_addr(ep);
  int v6 = strchr(addr, ':') != NULL;
  struct sockaddr_storage ss;
  socklen_t len = bs_sockaddr(addr, port, &ss);
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0) return -errno;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  ep->listen_fd = fd;
  ep->port =
      ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
  return 0;
}

static size_t fd_budget(size_t endpoints) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max; /* take what the hard limit allows */
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  size_t avail = rl.rlim_cur > 64 + endpoints ? (size_t)rl.rlim_cur - 64 - endpoints : 16;
  return avail < BS_MAX_CONN_TOTAL ? avail : BS_MAX_CONN_TOTAL;
}

bs_server *bs_server_new(bs_cat *cat, int base_port) {
  bs_server *srv = calloc(1, sizeof *srv);
  if (srv == NULL) return NULL;
  srv->cat = cat;
  srv->wake[0] = srv->wake[1] = srv->reserve = -1;
  srv->limit = fd_budget(cat->n);
  srv->conns = calloc(srv->limit, sizeof *srv->conns);
  srv->pfd = calloc(1 + cat->n + srv->limit, sizeof *srv->pfd);
  if (srv->conns == NULL || srv->pfd == NULL || pipe2(srv->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
      (srv->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
    bs_server_free(srv);
    return NULL;
  }
  for (size_t i = 0; i < cat->n; i++) {
    bs_endpoint *ep = &cat->ep[i];
    if (!ep->served) continue;
    int e = listen_on(ep, base_port > 0 ? base_port + (int)i : 0);
    if (e == 0) continue;
    if (base_port > 0 || strchr(bs_addr(ep), ':') == NULL) {
      fprintf(stderr, "badssl: cannot listen for %s on %s port %d: %s\n", ep->def->id, bs_addr(ep),
              base_port > 0 ? base_port + (int)i : 0, strerror(-e));
      bs_server_free(srv);
      return NULL;
    }
    ep->served = 0; /* no IPv6 loopback on this machine */
    snprintf(ep->reason, sizeof ep->reason, "cannot listen on [::1]: %s", strerror(-e));
  }
  return srv;
}

void bs_server_stop(bs_server *srv) {
  atomic_store(&srv->stopping, 1);
  ssize_t n = write(srv->wake[1], "x", 1);
  (void)n; /* a full pipe already wakes the loop */
}

static void conn_free(bs_server *srv, size_t i) {
  bs_conn *c = srv->conns[i];
  if (c->close_mode == BS_CLOSE_RST) {
    struct linger lg = {1, 0}; /* close sends RST */
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close(c->fd);
  th_connection_free(c->tls);
  c->ep->nconns--;
  free(c->out);
  free(c);
  srv->conns[i] = srv->conns[--srv->nconns];
}

static void accept_one(bs_server *srv, bs_endpoint *ep, int fd, long long now) {
  bs_conn *c = NULL;
  if (ep->nconns >= BS_MAX_CONN_PER_ENDPOINT || srv->nconns >= srv->limit ||
      (c = calloc(1, sizeof *c)) == NULL || (c->tls = th_connection_new(ep->ctx, -1)) == NULL) {
    ep->refused++;
    free(c);
    close(fd);
    return;
  }
  c->fd = fd;
  c->ep = ep;
  ep->nconns++;
  ep->accepted++;
  if (ep->def->behaviour == BS_B_DRIP) {
    int one = 1; /* one byte, one segment */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  srv->conns[srv->nconns++] = c;
  bs_conn_start(c, now);
}

static void accept_all(bs_server *srv, bs_endpoint *ep, long long now) {
  for (int k = 0; k < 64; k++) {
    int fd = accept4(ep->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      accept_one(srv, ep, fd, now);
    } else if ((errno == EMFILE || errno == ENFILE) && srv->reserve >= 0) {
      close(srv->reserve); /* make room to take the connection off the queue */
      fd = accept(ep->listen_fd, NULL, NULL);
      if (fd >= 0) close(fd);
      ep->refused++;
      srv->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
    } else {
      return; /* EAGAIN, or a transient error (ECONNABORTED): poll again */
    }
  }
}

static int dripping(const bs_conn *c) { return c->ep->def->behaviour == BS_B_DRIP; }

static void write_out(bs_conn *c, long long now) {
  size_t n = c->out_len - c->out_off;
  if (dripping(c)) {
    if (now < c->wake) return;
    n = 1;
    c->wake = now + BS_DRIP_MS;
  }
  ssize_t w = send(c->fd, c->out + c->out_off, n, MSG_NOSIGNAL);
  if (w > 0) {
    c->out_off += (size_t)w;
  } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
    c->phase = BS_P_DONE; /* the client is gone */
  }
}

static void read_in(bs_conn *c, long long now) {
  unsigned char buf[16384];
  ssize_t n = recv(c->fd, buf, sizeof buf, 0);
  if (n > 0)
    bs_conn_input(c, buf, (size_t)n, now);
  else if (n == 0)
    bs_conn_eof(c, now);
  else if (errno != EAGAIN && errno != EINTR)
    c->phase = BS_P_DONE;
}

static int wants_read(const bs_conn *c) { return c->phase != BS_P_FLUSH && c->phase != BS_P_DONE; }

static int wants_write(const bs_conn *c, long long now) {
  return c->out_off < c->out_len && (!dripping(c) || now >= c->wake);
}

/* After I/O: close a flushed connection as its close mode says. */
static void settle(bs_conn *c, long long now) {
  if (c->phase != BS_P_FLUSH || c->out_off < c->out_len) return;
  if (c->close_mode == BS_CLOSE_RST) {
    c->phase = BS_P_DONE;
  } else {
    shutdown(c->fd, SHUT_WR);
    bs_conn_flushed(c, now);
  }
}

static int poll_timeout(bs_server *srv, long long now) {
  long long next = now + 1000;
  for (size_t i = 0; i < srv->nconns; i++) {
    bs_conn *c = srv->conns[i];
    long long t = c->deadline < c->hard ? c->deadline : c->hard;
    if (c->wake > 0 && c->wake < t && (c->phase == BS_P_STALL || wants_write(c, c->wake)))
      t = c->wake;
    if (t < next) next = t;
  }
  return next <= now ? 0 : (int)(next - now);
}

static void step(bs_server *srv, size_t nl, const size_t *lidx, long long now) {
  /* Connections first (their pollfds follow the listeners'), then accept. */
  size_t n0 = srv->nconns;
  for (size_t i = 0; i < n0; i++) {
    bs_conn *c = srv->conns[i];
    short re = srv->pfd[1 + nl + i].revents;
    if (re & (POLLIN | POLLHUP | POLLERR)) read_in(c, now);
    if (c->phase != BS_P_DONE && wants_write(c, now)) write_out(c, now);
    if (c->phase != BS_P_DONE) settle(c, now);
    if (c->phase != BS_P_DONE) bs_conn_timer(c, now);
    if (c->phase != BS_P_DONE) settle(c, now);
  }
  for (size_t i = srv->nconns; i-- > 0;)
    if (srv->conns[i]->phase == BS_P_DONE) conn_free(srv, i);
  for (size_t k = 0; k < nl; k++)
    if (srv->pfd[1 + k].revents & POLLIN) accept_all(srv, &srv->cat->ep[lidx[k]], now);
}

int bs_server_run(bs_server *srv) {
  size_t *lidx = calloc(srv->cat->n + 1, sizeof *lidx);
  if (lidx == NULL) return -1;
  while (!atomic_load(&srv->stopping)) {
    long long now = bs_now_ms();
    size_t nl = 0;
    srv->pfd[0] = (struct pollfd){.fd = srv->wake[0], .events = POLLIN};
    for (size_t i = 0; i < srv->cat->n; i++)
      if (srv->cat->ep[i].listen_fd >= 0) {
        lidx[nl] = i;
        srv->pfd[1 + nl++] = (struct pollfd){.fd = srv->cat->ep[i].listen_fd, .events = POLLIN};
      }
    for (size_t i = 0; i < srv->nconns; i++) {
      bs_conn *c = srv->conns[i];
      short ev = (short)((wants_read(c) ? POLLIN : 0) | (wants_write(c, now) ? POLLOUT : 0));
      srv->pfd[1 + nl + i] = (struct pollfd){.fd = c->fd, .events = ev};
    }
    int rc = poll(srv->pfd, 1 + nl + srv->nconns, poll_timeout(srv, now));
    if (rc < 0 && errno != EINTR) break;
    if (rc < 0) continue;
    step(srv, nl, lidx, bs_now_ms());
  }
  free(lidx);
  while (srv->nconns > 0) conn_free(srv, srv->nconns - 1);
  return atomic_load(&srv->stopping) ? 0 : -1;
}

void bs_server_free(bs_server *srv) {
  if (srv == NULL) return;
  while (srv->nconns > 0) conn_free(srv, srv->nconns - 1);
  for (size_t i = 0; i < srv->cat->n; i++)
    if (srv->cat->ep[i].listen_fd >= 0) {
      close(srv->cat->ep[i].listen_fd);
      srv->cat->ep[i].listen_fd = -1;
    }
  if (srv->wake[0] >= 0) close(srv->wake[0]);
  if (srv->wake[1] >= 0) close(srv->wake[1]);
  if (srv->reserve >= 0) close(srv->reserve);
  free(srv->conns);
  free(srv->pfd);
  free(srv);
}
