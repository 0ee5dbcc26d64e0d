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

static int tcp_pair(int fds[2]) {
  int lis = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lis < 0) return th__err_sys(errno, "th_loopback_socketpair: socket");
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  int c = -1, s = -1, rc = TH_OK;
  if (bind(lis, (struct sockaddr *)&a, sizeof a) != 0 || listen(lis, 1) != 0 ||
      getsockname(lis, (struct sockaddr *)&a, &alen) != 0) {
    rc = th__err_sys(errno, "th_loopback_socketpair: cannot listen on 127.0.0.1");
  } else if ((c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
             connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
    rc = th__err_sys(errno, "th_loopback_socketpair: cannot connect to 127.0.0.1");
  } else if ((s = accept4(lis, NULL, NULL, SOCK_CLOEXEC)) < 0) {
    rc = th__err_sys(errno, "th_loopback_socketpair: accept");
  }
  close(lis);
  if (rc != TH_OK) {
    if (c >= 0) close(c);
    return rc;
  }
  int one = 1; /* small TLS records go out at once */
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
      rc = th__err_sys(errno, "th_loopback_socketpair: O_NONBLOCK");
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
