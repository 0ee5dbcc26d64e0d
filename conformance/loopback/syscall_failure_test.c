/* syscall_failure_test.c — issue 17: the system calls of the loopback
 * sockets, th_peer's socket pattern, th_loopback_thread and the
 * Connection's socket methods, failed one at a time (docs/reliability.md).
 *
 * This executable defines the libc functions it fails (socket, bind,
 * accept4, fcntl, pthread_create, ...): its definitions come first for the
 * library's calls whether the library is linked in or shared, and forward
 * to the next definition (libc, or a sanitizer's interceptor) through
 * dlsym(RTLD_NEXT) unless armed to fail the n-th call of one function with
 * a chosen errno. Each scenario runs clean once to count its calls; then
 * for every function F and every call k it runs again failing call k of F,
 * and checks: a negative status with TH_ERR_SYSCALL, the injected errno and
 * a message naming the call (or, where the library may go on without the
 * call, success); no file descriptor left open; the objects freed; a clean
 * run afterwards works. The test's own socket calls go straight to the
 * real functions (REAL), so only the library's calls are counted and
 * failed. A wrapper that never saw a call, or a function whose failures
 * never surfaced, fails the test: it cannot pass vacuously.
 *
 * A plain main (no Criterion): OpenSSL's allocator is replaced before the
 * first OpenSSL call, to fail allocations around the same calls (an
 * accepted socket must be closed when wrapping it fails). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "plainutil.h"
#include "tlsharness/tlsharness.h"


#define cr_assert(cond, ...) pu_check(cond, __VA_ARGS__)

/* ---- the wrapped functions ------------------------------------------------------ */

enum { F_SOCKET, F_SOCKETPAIR, F_BIND, F_LISTEN, F_GETSOCKNAME, F_CONNECT, F_ACCEPT4, F_FCNTL,
       F_SETSOCKOPT, F_POLL, F_PTHREAD_CREATE, F_TIMEDJOIN, F_CLOCK_GETTIME, NFN };

static struct wrapped {
  const char *name;
  int err;          /* what an injected failure gives (errno, or the returned error) */
  const char *says; /* what the error message must name */
  void *real;
  atomic_long calls; /* since the last arm() */
  atomic_long total; /* since the start */
} fns[NFN] = {
    [F_SOCKET] = {"socket", EMFILE, "socket"},
    [F_SOCKETPAIR] = {"socketpair", EMFILE, "socketpair"},
    [F_BIND] = {"bind", EADDRINUSE, "bind"},
    [F_LISTEN] = {"listen", EADDRINUSE, "listen"},
    [F_GETSOCKNAME] = {"getsockname", ENOBUFS, "getsockname"},
    [F_CONNECT] = {"connect", ECONNREFUSED, "connect"},
    [F_ACCEPT4] = {"accept4", EMFILE, "accept"},
    [F_FCNTL] = {"fcntl", EINVAL, "fcntl"},
    [F_SETSOCKOPT] = {"setsockopt", ENOBUFS, "setsockopt"},
    [F_POLL] = {"poll", ENOMEM, "poll"},
    [F_PTHREAD_CREATE] = {"pthread_create", EAGAIN, "pthread_create"},
    [F_TIMEDJOIN] = {"pthread_timedjoin_np", EINVAL, "pthread_timedjoin_np"},
    [F_CLOCK_GETTIME] = {"clock_gettime", 0, NULL}, /* never failed: see skew_clock */
};

static atomic_int armed = -1, armed_err, fired;
static atomic_long armed_at;
static atomic_int skew_clock; /* the next CLOCK_REALTIME reading ends at .999999999 s */

static void *real(int f) {
  if (fns[f].real == NULL) fns[f].real = dlsym(RTLD_NEXT, fns[f].name);
  if (fns[f].real == NULL) {
    fprintf(stderr, "FAIL: dlsym(RTLD_NEXT, %s): %s\n", fns[f].name, dlerror());
    abort();
  }
  return fns[f].real;
}
#define REAL(fn) ((__typeof__(&fn))real(F_##fn))
#define F_pthread_timedjoin_np F_TIMEDJOIN
#define F_socket F_SOCKET
#define F_socketpair F_SOCKETPAIR
#define F_bind F_BIND
#define F_listen F_LISTEN
#define F_getsockname F_GETSOCKNAME
#define F_connect F_CONNECT
#define F_accept4 F_ACCEPT4
#define F_fcntl F_FCNTL
#define F_setsockopt F_SETSOCKOPT
#define F_poll F_POLL
#define F_pthread_create F_PTHREAD_CREATE
#define F_clock_gettime F_CLOCK_GETTIME

/* Counts the call; 1 when it is the one to fail (errno set). */
/* A call OpenSSL itself makes (some builds' socket BIO tries to switch on
 * kernel TLS with setsockopt and goes on without it) is not the library's:
 * passed through, neither counted nor failed. */
static int from_openssl(void *caller) {
  Dl_info info;
  if (caller == NULL || !dladdr(caller, &info) || info.dli_fname == NULL) return 0;
  const char *base = strrchr(info.dli_fname, '/');
  base = base != NULL ? base + 1 : info.dli_fname;
  return strncmp(base, "libssl.so", 9) == 0 || strncmp(base, "libcrypto.so", 12) == 0;
}

/* fails(F), inside a wrapper: whether to fail this call (its caller is the
 * wrapper's return address). */
#define fails(f) fails_from((f), __builtin_return_address(0))
static int fails_from(int f, void *caller) {
  if (from_openssl(caller)) return 0;
  long n = atomic_fetch_add(&fns[f].calls, 1);
  atomic_fetch_add(&fns[f].total, 1);
  if (atomic_load(&armed) != f || n != atomic_load(&armed_at)) return 0;
  atomic_store(&fired, 1);
  errno = atomic_load(&armed_err);
  return 1;
}

static void arm(int f, long at, int err) {
  for (int i = 0; i < NFN; i++) atomic_store(&fns[i].calls, 0);
  atomic_store(&fired, 0);
  atomic_store(&armed_at, at);
  atomic_store(&armed_err, err);
  atomic_store(&armed, f);
}

int socket(int d, int t, int p) { return fails(F_SOCKET) ? -1 : REAL(socket)(d, t, p); }
int socketpair(int d, int t, int p, int fds[2]) {
  return fails(F_SOCKETPAIR) ? -1 : REAL(socketpair)(d, t, p, fds);
}
int bind(int s, const struct sockaddr *a, socklen_t n) {
  return fails(F_BIND) ? -1 : REAL(bind)(s, a, n);
}
int listen(int s, int n) { return fails(F_LISTEN) ? -1 : REAL(listen)(s, n); }
int getsockname(int s, struct sockaddr *a, socklen_t *n) {
  return fails(F_GETSOCKNAME) ? -1 : REAL(getsockname)(s, a, n);
}
int connect(int s, const struct sockaddr *a, socklen_t n) {
  return fails(F_CONNECT) ? -1 : REAL(connect)(s, a, n);
}
int accept4(int s, struct sockaddr *a, socklen_t *n, int fl) {
  return fails(F_ACCEPT4) ? -1 : REAL(accept4)(s, a, n, fl);
}
int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *); /* as glibc reads it: one word, used or not */
  va_end(ap);
  return fails(F_FCNTL) ? -1 : REAL(fcntl)(fd, cmd, arg);
}
int setsockopt(int s, int level, int name, const void *v, socklen_t n) {
  return fails(F_SETSOCKOPT) ? -1 : REAL(setsockopt)(s, level, name, v, n);
}
int poll(struct pollfd *p, nfds_t n, int ms) { return fails(F_POLL) ? -1 : REAL(poll)(p, n, ms); }

/* pthread functions return the error; a start routine can be wrapped to
 * post `ended` after it returned (to know a thread is done, not joined). */
static sem_t ended;
static atomic_int watch_next;
static struct { void *(*fn)(void *); void *arg; } watched;
static void *watcher(void *arg) {
  (void)arg;
  void *r = watched.fn(watched.arg);
  sem_post(&ended);
  return r;
}
int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg) {
  if (fails(F_PTHREAD_CREATE)) return errno;
  if (atomic_exchange(&watch_next, 0)) {
    watched.fn = fn;
    watched.arg = arg;
    fn = watcher;
  }
  return REAL(pthread_create)(t, a, fn, arg);
}
static atomic_long last_abstime_nsec;
int pthread_timedjoin_np(pthread_t t, void **ret, const struct timespec *abstime) {
  atomic_store(&last_abstime_nsec, abstime != NULL ? abstime->tv_nsec : -1);
  if (fails(F_TIMEDJOIN)) return errno;
  return REAL(pthread_timedjoin_np)(t, ret, abstime);
}
int clock_gettime(clockid_t c, struct timespec *ts) {
  atomic_fetch_add(&fns[F_CLOCK_GETTIME].total, 1);
  int rc = REAL(clock_gettime)(c, ts);
  if (rc == 0 && c == CLOCK_REALTIME && atomic_exchange(&skew_clock, 0)) ts->tv_nsec = 999999999L;
  return rc;
}

/* ---- helpers ------------------------------------------------------------------ */

static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  int n = 0;
  while (readdir(d) != NULL) n++;
  closedir(d);
  return n;
}

static SSL_CTX *server_raw, *client_raw;
static th_context *server_ctx, *client_ctx;

static atomic_long alloc_seen, alloc_fail_at = -1;

/* The failure a scenario met, saved before its clean-up. */
static th_error met;
static int failed(int rc) {
  met = *th_error_last();
  return rc;
}

/* A blocking TLS client on fd, as an application would run it, bounded by
 * a receive timeout; 1 when the handshake and a close went through. */
static int app_client(int fd) {
  struct timeval tv = {5, 0};
  REAL(setsockopt)(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL *ssl = SSL_new(client_raw);
  int ok = ssl != NULL && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1;
  if (ok) SSL_shutdown(ssl);
  SSL_free(ssl);
  shutdown(fd, SHUT_WR);
  return ok;
}

/* ---- scenarios: each returns TH_OK or the failing call's status ------------------ */

static int run_socketpair(int transport) {
  int fds[2] = {-1, -1};
  int rc = th_loopback_socketpair(transport, fds);
  if (rc != TH_OK) return failed(rc);
  /* Connected both ways. */
  char c = 0;
  int ok = write(fds[0], "x", 1) == 1 && read(fds[1], &c, 1) == 1 && c == 'x';
  close(fds[0]);
  close(fds[1]);
  return ok ? TH_OK : th_error_kind() == TH_OK ? -1000 : th_error_kind();
}
static int socketpair_unix(void) { return run_socketpair(TH_LOOPBACK_UNIX); }
static int socketpair_tcp(void) { return run_socketpair(TH_LOOPBACK_TCP); }

/* A non-blocking socket pair: a handshake, data, the fd handed out. */
static int run_pair(int transport, int wrapped) {
  th_loopback_pair *p = wrapped ? th_loopback_pair_new(server_ctx, client_ctx, transport)
                                : th_loopback_pair_new_raw(server_raw, client_raw, transport);
  if (p == NULL) return failed(th_error_kind());
  int rc = th_loopback_handshake(p);
  if (rc == TH_OK) rc = th_loopback_send(p, TH_LOOPBACK_CLIENT, (const unsigned char *)"ping", 4);
  if (rc == TH_OK) rc = th_loopback_expect(p, TH_LOOPBACK_SERVER, (const unsigned char *)"ping", 4);
  int fd = rc == TH_OK ? th_loopback_pair_fd(p, TH_LOOPBACK_SERVER) : rc;
  if (fd < 0) {
    rc = failed(fd);
  } else {
    int fl = REAL(fcntl)(fd, F_GETFL);
    if (fl < 0 || !(fl & O_NONBLOCK)) rc = -1000;
    close(fd);
  }
  th_loopback_pair_free(p);
  return rc;
}
static int pair_unix(void) { return run_pair(TH_LOOPBACK_UNIX, 0); }
static int pair_tcp(void) { return run_pair(TH_LOOPBACK_TCP, 0); }
static int pair_conn_tcp(void) { return run_pair(TH_LOOPBACK_TCP, 1); }

/* th_peer's socket pattern: the application's end of a socket pair, or a
 * connection to the listening peer; the application handshakes and
 * closes, th_peer_wait gives the peer's result. */
static int run_peer(int transport) {
  th_peer *p = th_peer_new(server_raw, TH_PEER_SERVER);
  if (p == NULL) return failed(th_error_kind());
  int rc = th_peer_set_deadline(p, 3000), fd = -1;
  if (transport >= 0) {
    fd = th_peer_socketpair(p, transport);
    if (fd < 0) rc = failed(fd);
  } else if ((rc = th_peer_listen(p)) != TH_OK) {
    failed(rc);
  } else {
    int port = th_peer_port(p);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    fd = REAL(socket)(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || REAL(connect)(fd, (struct sockaddr *)&a, sizeof a) != 0) rc = -1001;
  }
  if (fd >= 0) {
    int app_ok = app_client(fd);
    rc = th_peer_wait(p, 0);
    if (rc != TH_OK) failed(rc);
    else if (!app_ok) rc = -1002; /* the peer says yes, the application no */
    close(fd);
  }
  th_peer_free(p);
  return rc;
}
static int peer_socketpair_unix(void) { return run_peer(TH_LOOPBACK_UNIX); }
static int peer_socketpair_tcp(void) { return run_peer(TH_LOOPBACK_TCP); }
static int peer_listen(void) { return run_peer(-1); }

/* A Connection on a socket: bind, listen, getsockname, connect, accept,
 * setsockopt, setblocking, then a non-blocking handshake. */
static int handshake_fds(th_connection *c, th_connection *s) {
  th_connection *side[2] = {c, s};
  int done[2] = {0, 0};
  for (int round = 0; round < 400 && !(done[0] && done[1]); round++) {
    for (int i = 0; i < 2; i++) {
      if (done[i]) continue;
      int rc = th_connection_do_handshake(side[i]);
      if (rc == TH_OK) done[i] = 1;
      else if (rc != TH_ERR_WANT_READ && rc != TH_ERR_WANT_WRITE) return rc;
    }
    struct pollfd pf[2] = {{th_connection_fileno(c), POLLIN, 0}, {th_connection_fileno(s), POLLIN, 0}};
    if (!(done[0] && done[1])) REAL(poll)(pf, 2, 50);
  }
  return done[0] && done[1] ? TH_OK : -1003;
}

static int connection_sockets(void) {
  int lfd = REAL(socket)(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int cfd = REAL(socket)(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  th_connection *l = th_connection_new(server_ctx, lfd), *c = th_connection_new(client_ctx, cfd);
  th_connection *a = NULL;
  int rc = l != NULL && c != NULL ? TH_OK : failed(th_error_kind());
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t n = sizeof sa;
  int one = 1;
  if (rc == TH_OK) rc = th_connection_bind(l, (struct sockaddr *)&sa, sizeof sa);
  if (rc == TH_OK) rc = th_connection_listen(l, 1);
  if (rc == TH_OK) rc = th_connection_getsockname(l, (struct sockaddr *)&sa, &n);
  if (rc == TH_OK) rc = th_connection_connect(c, (struct sockaddr *)&sa, sizeof sa);
  if (rc == TH_OK) rc = th_connection_accept(l, &a, NULL, NULL);
  if (rc == TH_OK) rc = th_connection_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (rc == TH_OK) rc = th_connection_setblocking(c, 0);
  if (rc == TH_OK) rc = th_connection_setblocking(a, 0);
  if (rc != TH_OK) failed(rc);
  if (rc == TH_OK) rc = handshake_fds(c, a);
  th_connection_free(a); /* the accepted socket is the Connection's own */
  th_connection_free(c);
  th_connection_free(l);
  close(lfd);
  close(cfd);
  return rc;
}

static int seven(void *arg) {
  (void)arg;
  return 7;
}
static int thread_start_join(void) {
  th_loopback_thread *t = th_loopback_thread_start(seven, NULL);
  if (t == NULL) return failed(th_error_kind());
  int r = 0, rc = th_loopback_thread_join(t, 0, &r);
  if (rc != TH_OK) failed(rc);
  else if (r != 7) rc = -1005;
  th_loopback_thread_free(t);
  return rc;
}

/* ---- the sweep ------------------------------------------------------------------- */

typedef struct {
  const char *name;
  int (*run)(void);
  unsigned absorbed; /* functions whose failure the library may go on without */
} scenario;

#define BIT(f) (1u << (f))
static const scenario scenarios[] = {
    {"socketpair_unix", socketpair_unix, 0},
    /* TCP_NODELAY only makes small records go out at once. */
    {"socketpair_tcp", socketpair_tcp, BIT(F_SETSOCKOPT)},
    {"pair_unix", pair_unix, 0},
    {"pair_tcp", pair_tcp, BIT(F_SETSOCKOPT)},
    {"pair_conn_tcp", pair_conn_tcp, BIT(F_SETSOCKOPT)},
    /* The socket thread's poll between reads: a failed one is tried again. */
    {"peer_socketpair_unix", peer_socketpair_unix, BIT(F_POLL)},
    {"peer_socketpair_tcp", peer_socketpair_tcp, BIT(F_POLL) | BIT(F_SETSOCKOPT)},
    {"peer_listen", peer_listen, BIT(F_POLL)},
    {"connection_sockets", connection_sockets, 0},
    {"thread_start_join", thread_start_join, 0},
};
#define NSCEN (sizeof scenarios / sizeof scenarios[0])

static long points, surfaced[NFN], absorbed_n;

static void check_failure(const scenario *s, int f, long k, int rc) {
  const th_error *e = &met;
  cr_assert(e->kind == TH_ERR_SYSCALL && rc == TH_ERR_SYSCALL,
            "%s call %ld: status %d, record %s: %s", fns[f].name, k, rc, th_err_name(e->kind),
            e->message);
  cr_assert(e->sys_errno == fns[f].err, "%s call %ld: errno %d (%s), not %d: %s", fns[f].name, k,
            e->sys_errno, e->sys_text, fns[f].err, e->message);
  cr_assert(strstr(e->message, fns[f].says) != NULL, "%s call %ld: the message does not name it: %s",
            fns[f].name, k, e->message);
  cr_assert(strcmp(e->sys_text, strerror(fns[f].err)) == 0, "%s", e->sys_text);
  surfaced[f]++;
  (void)s;
}

static void sweep(const scenario *s) {
  pu_current = s->name;
  long count[NFN];
  arm(-1, 0, 0);
  int fd0 = open_fds();
  int rc = s->run();
  cr_assert(rc == TH_OK, "clean run: %d: %s", rc, met.message);
  cr_assert(open_fds() == fd0, "clean run: %d fds before, %d after", fd0, open_fds());
  for (int f = 0; f < NFN; f++) count[f] = atomic_load(&fns[f].calls);
  int n = 0;
  for (int f = 0; f < F_CLOCK_GETTIME; f++) {
    for (long k = 0; k < count[f]; k++, n++) {
      memset(&met, 0, sizeof met);
      th_error_clear();
      fd0 = open_fds();
      arm(f, k, fns[f].err);
      rc = s->run();
      int hit = atomic_load(&fired);
      arm(-1, 0, 0);
      int fd1 = open_fds();
      points++;
      cr_assert(fd1 == fd0, "%s call %ld failed: %d fds before, %d after (%s)", fns[f].name, k, fd0,
                fd1, met.message);
      if (!hit || rc == TH_OK) {
        /* Threads: that call did not come this time; or absorbed. */
        cr_assert(rc == TH_OK, "%s call %ld not failed (fewer calls this run): %d: %s", fns[f].name,
                  k, rc, met.message);
        cr_assert(!hit || (s->absorbed & BIT(f)), "%s call %ld failed unseen: success", fns[f].name, k);
        absorbed_n += hit;
        continue;
      }
      check_failure(s, f, k, rc);
      if (pu_failures) return;
      /* A clean run works after the failure. */
      rc = s->run();
      cr_assert(rc == TH_OK, "after %s call %ld: clean run: %d: %s", fns[f].name, k, rc, met.message);
    }
  }
  char calls[256] = "";
  for (int f = 0, o = 0; f < F_CLOCK_GETTIME; f++)
    if (count[f] > 0 && o < (int)sizeof calls)
      o += snprintf(calls + o, sizeof calls - (size_t)o, " %s:%ld", fns[f].name, count[f]);
  printf("  %-22s %3d injection points:%s\n", s->name, n, calls);
}

/* ---- single cases ------------------------------------------------------------------ */

static sem_t gate;
static int wait_gate(void *arg) {
  (void)arg;
  sem_wait(&gate);
  return 3;
}

/* A join that times out leaves the thread joinable; the absolute deadline
 * is a valid timespec when the milliseconds carry into the seconds; a
 * thread that ended but was never joined is joined by free. */
static void thread_timeouts(void) {
  pu_current = "thread_timeouts";
  sem_init(&gate, 0, 0);
  th_loopback_thread *t = th_loopback_thread_start(wait_gate, NULL);
  cr_assert(t != NULL, "%s", th_error_last()->message);
  cr_assert(th_loopback_thread_join(t, 1, NULL) == TH_ERR_STALLED, "%s", th_error_last()->message);
  cr_assert(strstr(th_error_last()->message, "still running after 1 ms") != NULL, "%s",
            th_error_last()->message);
  sem_post(&gate);
  /* The clock reads x.999999999 s: 1 ms later is in the next second. */
  atomic_store(&skew_clock, 1);
  int r = 0;
  cr_assert(th_loopback_thread_join(t, 1001, &r) == TH_OK && r == 3, "%s", th_error_last()->message);
  cr_assert(atomic_load(&skew_clock) == 0, "the join did not read the clock");
  long ns = atomic_load(&last_abstime_nsec);
  cr_assert(ns == 999999999L + 1000000L - 1000000000L, "deadline nanoseconds %ld", ns);
  cr_assert(th_loopback_thread_join(t, 1, NULL) == TH_ERR_VALUE, "joined twice");
  th_loopback_thread_free(t);

  /* Ended, not joined: free joins it (no thread left behind, no leak). */
  atomic_store(&watch_next, 1);
  t = th_loopback_thread_start(seven, NULL);
  cr_assert(t != NULL, "%s", th_error_last()->message);
  sem_wait(&ended);
  th_loopback_thread_free(t);

  /* Running, freed: detached, it frees itself when it ends. */
  atomic_store(&watch_next, 1);
  t = th_loopback_thread_start(wait_gate, NULL);
  cr_assert(t != NULL, "%s", th_error_last()->message);
  th_loopback_thread_free(t);
  sem_post(&gate);
  sem_wait(&ended);
  sem_destroy(&gate);
}

/* th_peer_free of a running socket peer whose join times out: the peer
 * must not be freed under its thread (it was: destroy returned early and
 * the object was freed while the thread ran, its socket left open). */
static void peer_free_join_times_out(void) {
  pu_current = "peer_free_join_times_out";
  int fd0 = open_fds();
  th_peer *p = th_peer_new(server_raw, TH_PEER_SERVER);
  cr_assert(p != NULL, "%s", th_error_last()->message);
  int fd = th_peer_socketpair(p, TH_LOOPBACK_UNIX);
  cr_assert(fd >= 0, "%s", th_error_last()->message);
  arm(F_TIMEDJOIN, 0, ETIMEDOUT);
  th_peer_free(p);
  int hit = atomic_load(&fired);
  long joins = atomic_load(&fns[F_TIMEDJOIN].calls);
  arm(-1, 0, 0);
  cr_assert(hit, "th_peer_free did not join");
  cr_assert(joins == 2, "%ld joins: a timed-out join is not tried again", joins);
  char c;
  cr_assert(read(fd, &c, 1) == 0, "the peer's end is still open");
  close(fd);
  cr_assert(open_fds() == fd0, "%d fds before, %d after", fd0, open_fds());
}

/* Wrapping an accepted socket fails (out of memory): the socket is closed,
 * not leaked. Each allocation of th_connection_accept in turn. */
static void *t_malloc(size_t n, const char *file, int line) {
  (void)file, (void)line;
  return atomic_fetch_add(&alloc_seen, 1) == atomic_load(&alloc_fail_at) ? NULL : malloc(n);
}
static void *t_realloc(void *p, size_t n, const char *file, int line) {
  (void)file, (void)line;
  return atomic_fetch_add(&alloc_seen, 1) == atomic_load(&alloc_fail_at) ? NULL : realloc(p, n);
}
static void t_free(void *p, const char *file, int line) {
  (void)file, (void)line;
  free(p);
}

static void accept_out_of_memory(void) {
  pu_current = "accept_out_of_memory";
  int lfd = REAL(socket)(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t n = sizeof sa;
  cr_assert(lfd >= 0 && REAL(bind)(lfd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
                REAL(listen)(lfd, 4) == 0 && REAL(getsockname)(lfd, (struct sockaddr *)&sa, &n) == 0,
            "cannot listen");
  th_connection *l = th_connection_new(server_ctx, lfd);
  cr_assert(l != NULL, "%s", th_error_last()->message);
  int nfailed = 0, k;
  for (k = 0; k < 1000; k++) {
    int cfd = REAL(socket)(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(cfd >= 0 && REAL(connect)(cfd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect");
    int fd0 = open_fds();
    th_connection *a = NULL;
    atomic_store(&alloc_seen, 0);
    atomic_store(&alloc_fail_at, k);
    int rc = th_connection_accept(l, &a, NULL, NULL);
    atomic_store(&alloc_fail_at, -1);
    if (rc == TH_OK) {
      th_connection_free(a);
      close(cfd);
      break;
    }
    nfailed++;
    cr_assert(a == NULL && (rc == TH_ERR_NOMEM || rc == TH_ERR_SSL) && th_error_kind() == rc,
              "allocation %d: %d: %s", k, rc, th_error_last()->message);
    cr_assert(open_fds() == fd0, "allocation %d: the accepted socket is left open", k);
    char c;
    cr_assert(read(cfd, &c, 1) == 0, "allocation %d: the client sees no close", k);
    close(cfd);
  }
  cr_assert(k < 1000 && nfailed > 0, "%d allocations failed", nfailed);
  th_connection_free(l);
  close(lfd);
  printf("  %-22s %3d allocation failures\n", pu_current, nfailed);
}

/* Allocation failures around the same system calls: the sockets already
 * made must be closed (the allocation sweep does not count descriptors).
 * Set-up only (no handshake): every allocation in turn. */
static int pair_setup(int transport) {
  th_loopback_pair *p = th_loopback_pair_new_raw(server_raw, client_raw, transport);
  if (p == NULL) return failed(th_error_kind());
  int fd = th_loopback_pair_fd(p, TH_LOOPBACK_CLIENT);
  if (fd >= 0) close(fd);
  else failed(fd);
  th_loopback_pair_free(p);
  return fd < 0 ? fd : TH_OK;
}
static int pair_setup_unix(void) { return pair_setup(TH_LOOPBACK_UNIX); }
static int pair_setup_tcp(void) { return pair_setup(TH_LOOPBACK_TCP); }
static int peer_setup(void) {
  th_peer *p = th_peer_new(server_raw, TH_PEER_SERVER);
  if (p == NULL) return failed(th_error_kind());
  int fd = th_peer_socketpair(p, TH_LOOPBACK_UNIX);
  if (fd >= 0) close(fd);
  else failed(fd);
  th_peer_free(p); /* running: told to stop */
  return fd < 0 ? fd : TH_OK;
}

static void alloc_sweep(const char *name, int (*run)(void)) {
  pu_current = name;
  atomic_store(&alloc_seen, 0);
  int rc = run();
  long total = atomic_load(&alloc_seen), nfailed = 0;
  cr_assert(rc == TH_OK, "clean run: %d: %s", rc, met.message);
  for (long k = 0; k < total; k++) {
    memset(&met, 0, sizeof met);
    int fd0 = open_fds();
    atomic_store(&alloc_seen, 0);
    atomic_store(&alloc_fail_at, k);
    rc = run();
    atomic_store(&alloc_fail_at, -1);
    int fd1 = open_fds();
    cr_assert(fd1 == fd0, "allocation %ld failed: %d fds before, %d after (%s)", k, fd0, fd1,
              met.message);
    if (rc == TH_OK) continue; /* OpenSSL went on without it, or a thread's */
    nfailed++;
    cr_assert(rc == met.kind && (rc == TH_ERR_NOMEM || rc == TH_ERR_SSL || rc == TH_ERR_CRYPTO),
              "allocation %ld: %d: %s %s", k, rc, th_err_name(met.kind), met.message);
  }
  cr_assert(nfailed > 0, "none of %ld allocations failed it", total);
  printf("  %-22s %3ld allocations, %ld failed it\n", name, total, nfailed);
}
static void alloc_pair_unix(void) { alloc_sweep("alloc_pair_unix", pair_setup_unix); }
static void alloc_pair_tcp(void) { alloc_sweep("alloc_pair_tcp", pair_setup_tcp); }
static void alloc_peer_socketpair(void) { alloc_sweep("alloc_peer_socketpair", peer_setup); }
static void alloc_thread(void) { alloc_sweep("alloc_thread", thread_start_join); }

int main(void) {
  if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) {
    fprintf(stderr, "FAIL: OpenSSL allocated before main\n");
    return 1;
  }
  for (int f = 0; f < NFN; f++) real(f);
  /* A write to a socket the other side closed (a failed peer) is EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);
  sem_init(&ended, 0, 0);
  pu_current = "setup";
  server_raw = pu_server_ctx("sys");
  client_raw = SSL_CTX_new(TLS_client_method());
  server_ctx = server_raw ? th_context_from_ssl_ctx(server_raw) : NULL;
  client_ctx = client_raw ? th_context_from_ssl_ctx(client_raw) : NULL;
  if (server_ctx == NULL || client_ctx == NULL) {
    fprintf(stderr, "FAIL: setup: %s\n", th_error_last()->message);
    return 1;
  }
  int passed = 0, cases = 0;
  void (*single[])(void) = {thread_timeouts,  peer_free_join_times_out, accept_out_of_memory,
                            alloc_pair_unix,  alloc_pair_tcp, alloc_peer_socketpair,
                            alloc_thread};
  size_t nsingle = sizeof single / sizeof single[0];
  for (size_t i = 0; i < NSCEN + nsingle; i++, cases++) {
    int before = pu_failures;
    if (i < NSCEN) sweep(&scenarios[i]);
    else single[i - NSCEN]();
    passed += pu_failures == before;
  }
  /* Not vacuous: every wrapper saw the library's calls, and every failed
   * function surfaced as an error at least once. */
  pu_current = "coverage of the wrappers";
  int before = pu_failures;
  for (int f = 0; f < NFN; f++) {
    if (atomic_load(&fns[f].total) == 0) {
      fprintf(stderr, "FAIL: the %s wrapper was never called: the library's calls do not reach it\n",
              fns[f].name);
      pu_failures++;
    } else if (f != F_CLOCK_GETTIME && surfaced[f] == 0) {
      fprintf(stderr, "FAIL: no failure of %s surfaced as an error\n", fns[f].name);
      pu_failures++;
    }
  }
  cases++;
  passed += pu_failures == before;
  printf("%ld injection points in %zu scenarios (%ld absorbed where allowed), %d checks\n", points,
         NSCEN, absorbed_n, pu_checks);
  th_context_free(server_ctx);
  th_context_free(client_ctx);
  SSL_CTX_free(server_raw);
  SSL_CTX_free(client_raw);
  sem_destroy(&ended);
  if (pu_failures == 0) printf("PASS: %d system-call failure cases\n", cases);
  /* The plain line tools/test_summary.py counts (one per case). */
  printf("tests: %d passed, %d failed\n", passed, cases - passed);
  return pu_failures != 0;
}
