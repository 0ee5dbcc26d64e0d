/* loopback_socket.c — connected socket pairs (AF_UNIX, TCP on 127.0.0.1)
 * for application code that needs a file descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback_internal.h"

int th__lb_listen_local(int s, struct sockaddr_in *a, const char *func) {
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof *a;
  if (bind(s, (struct sockaddr *)a, sizeof *a) != 0)
    return th__err_sys(errno, "%s: bind to 127.0.0.1", func);
  if (listen(s, 1) != 0) return th__err_sys(errno, "%s: listen", func);
  if (getsockname(s, (struct sockaddr *)a, &alen) != 0)
    return th__err_sys(errno, "%s: getsockname", func);
  return TH_OK;
}

/* The error names the call that failed; the listening socket is always
 * closed, the connecting one on failure. */
static int tcp_pair(int fds[2]) {
  static const char f[] = "th_loopback_socketpair";
  int lis = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lis < 0) return th__err_sys(errno, "%s: socket", f);
  struct sockaddr_in a;
  int c = -1, s = -1;
  int rc = th__lb_listen_local(lis, &a, f);
  if (rc == TH_OK && (c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
    rc = th__err_sys(errno, "%s: socket", f);
  if (rc == TH_OK && connect(c, (struct sockaddr *)&a, sizeof a) != 0)
    rc = th__err_sys(errno, "%s: connect to 127.0.0.1:%u", f, (unsigned)ntohs(a.sin_port));
  if (rc == TH_OK && (s = accept4(lis, NULL, NULL, SOCK_CLOEXEC)) < 0)
    rc = th__err_sys(errno, "%s: accept", f);
  close(lis);
  if (rc != TH_OK) {
    if (c >= 0) close(c);
    return rc;
  }
  /* Small TLS records go out at once; without it they only go out later
   * (Nagle), so a failure here is no reason to fail. */
  int one = 1;
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fds[0] = c;
  fds[1] = s;
  return TH_OK;
}

int th__lb_socketpair(int transport, int fds[2], int nonblocking) {
  int rc;
  if (transport == TH_LOOPBACK_UNIX) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      return th__err_sys(errno, "th_loopback_socketpair: socketpair(AF_UNIX)");
  } else if (transport == TH_LOOPBACK_TCP) {
    if ((rc = tcp_pair(fds)) != TH_OK) return rc;
  } else {
    return th__err(TH_ERR_VALUE, "th_loopback_socketpair: transport %d is not UNIX or TCP", transport);
  }
  for (int i = 0; nonblocking && i < 2; i++) {
    int fl = fcntl(fds[i], F_GETFL);
    if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) != 0) {
      rc = th__err_sys(errno, "th_loopback_socketpair: fcntl(O_NONBLOCK)");
      close(fds[0]);
      close(fds[1]);
      fds[0] = fds[1] = -1;
      return rc;
    }
  }
  return TH_OK;
}

int th_loopback_socketpair(int transport, int fds[2]) {
  TH_CHECK_ARG(fds);
  return th__lb_socketpair(transport, fds, 0);
}
