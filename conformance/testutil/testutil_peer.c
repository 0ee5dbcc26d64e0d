/* testutil_peer.c — see testutil_peer.h. */
#include "testutil_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define TP_MAX_PEERS 8
static tp_peer *running[TP_MAX_PEERS];

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int tp_start(tp_peer *p, const char *const *argv) {
  memset(p, 0, sizeof *p);
  p->in_fd = p->out_fd = -1;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return -1;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return -1;
  }
  const char *args[64];
  int n = 0;
  args[n++] = tu_openssl();
  for (int i = 0; argv[i] != NULL && n < 63; i++) args[n++] = argv[i];
  args[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    execvp(args[0], (char *const *)args);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    return -1;
  }
  signal(SIGPIPE, SIG_IGN); /* a peer that exits must not kill the test */
  p->pid = pid;
  p->in_fd = in[1];
  p->out_fd = out[0];
  p->status = -1;
  for (int i = 0; i < TP_MAX_PEERS; i++)
    if (running[i] == NULL) {
      running[i] = p;
      break;
    }
  return 0;
}

size_t tp_read_some(tp_peer *p, int timeout_ms) {
  if (p->out_fd < 0) return 0;
  struct pollfd fd = {p->out_fd, POLLIN, 0};
  if (poll(&fd, 1, timeout_ms) <= 0) return 0;
  size_t room = sizeof p->out - 1 - p->out_len;
  char scratch[4096];
  ssize_t r = read(p->out_fd, room ? p->out + p->out_len : scratch, room ? room : sizeof scratch);
  if (r <= 0) {
    close(p->out_fd);
    p->out_fd = -1;
    return 0;
  }
  if (room) {
    p->out_len += (size_t)r;
    p->out[p->out_len] = '\0';
  }
  return (size_t)r;
}

int tp_wait_for(tp_peer *p, const char *text) {
  long deadline = now_ms() + TP_WAIT_MS;
  while (strstr(p->out, text) == NULL) {
    long left = deadline - now_ms();
    if (left <= 0 || p->out_fd < 0) return 0;
    tp_read_some(p, (int)left);
  }
  return 1;
}

int tp_s_server(tp_peer *p, const char *const *extra) {
  const char *argv[64] = {"s_server", "-accept", "127.0.0.1:0"};
  int n = 3;
  for (int i = 0; extra[i] != NULL && n < 63; i++) argv[n++] = extra[i];
  argv[n] = NULL;
  if (tp_start(p, argv) != 0) return -1;
  if (!tp_wait_for(p, "ACCEPT")) return -1;
  /* "ACCEPT 127.0.0.1:PORT\n": wait for the whole line. */
  long deadline = now_ms() + TP_WAIT_MS;
  char *line = strstr(p->out, "ACCEPT");
  while (strchr(line, '\n') == NULL && now_ms() < deadline && p->out_fd >= 0)
    tp_read_some(p, 100), line = strstr(p->out, "ACCEPT");
  char *colon = strrchr(line, ':');
  p->port = colon ? atoi(colon + 1) : -1;
  return p->port > 0 ? p->port : -1;
}

void tp_send(tp_peer *p, const char *s) {
  if (p->in_fd < 0) return;
  size_t len = strlen(s);
  if (write(p->in_fd, s, len) != (ssize_t)len) {
    close(p->in_fd);
    p->in_fd = -1;
  }
}

void tp_close_stdin(tp_peer *p) {
  if (p->in_fd >= 0) close(p->in_fd);
  p->in_fd = -1;
}

static void forget(tp_peer *p) {
  for (int i = 0; i < TP_MAX_PEERS; i++)
    if (running[i] == p) running[i] = NULL;
}

static int reap(tp_peer *p, int options) {
  int st;
  pid_t r = waitpid(p->pid, &st, options);
  if (r != p->pid) return 0;
  p->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  p->pid = 0;
  return 1;
}

int tp_wait_exit(tp_peer *p) {
  long deadline = now_ms() + TP_WAIT_MS;
  /* Its output ends when it exits (the pipe closes). */
  while (p->out_fd >= 0 && now_ms() < deadline) tp_read_some(p, (int)(deadline - now_ms()));
  if (p->pid > 0 && p->out_fd < 0) reap(p, 0);
  if (p->pid > 0) {
    tp_stop(p);
    return -1;
  }
  tp_stop(p);
  return p->status;
}

void tp_stop(tp_peer *p) {
  if (p->pid > 0) {
    kill(p->pid, SIGKILL);
    reap(p, 0); /* SIGKILL always ends it: this wait is bounded */
    p->status = -1;
  }
  while (p->out_fd >= 0 && tp_read_some(p, 0) > 0) {
  }
  if (p->out_fd >= 0) close(p->out_fd);
  tp_close_stdin(p);
  p->out_fd = -1;
  forget(p);
}

void tp_stop_all(void) {
  for (int i = 0; i < TP_MAX_PEERS; i++)
    if (running[i] != NULL) tp_stop(running[i]);
}

/* wait_io polls c's fd for what rc says it wants; 0 when ready. */
static int wait_io(th_connection *c, int rc) {
  struct pollfd fd = {th_connection_fileno(c), rc == TH_ERR_WANT_WRITE ? POLLOUT : POLLIN, 0};
  return poll(&fd, 1, TP_WAIT_MS) > 0 ? 0 : -1;
}

int tp_handshake(th_connection *c) {
  for (int i = 0; i < 100; i++) {
    int rc = th_connection_do_handshake(c);
    if (rc != TH_ERR_WANT_READ && rc != TH_ERR_WANT_WRITE) return rc;
    if (wait_io(c, rc) != 0) return TH_ERR_STALLED;
  }
  return TH_ERR_STALLED;
}

th_bytes *tp_recv(th_connection *c, int n) {
  for (int i = 0; i < 100; i++) {
    th_bytes *b = th_connection_recv(c, n, 0);
    int rc = th_error_kind();
    if (b != NULL || (rc != TH_ERR_WANT_READ && rc != TH_ERR_WANT_WRITE)) return b;
    if (wait_io(c, rc) != 0) return NULL;
  }
  return NULL;
}

int tp_sendall(th_connection *c, const char *s) {
  size_t len = strlen(s), done = 0;
  for (int i = 0; i < 100 && done < len; i++) {
    int r = th_connection_send(c, s + done, len - done, 0);
    if (r > 0) {
      done += (size_t)r;
      continue;
    }
    if (r != TH_ERR_WANT_READ && r != TH_ERR_WANT_WRITE) return r;
    if (wait_io(c, r) != 0) return TH_ERR_STALLED;
  }
  return done == len ? TH_OK : TH_ERR_STALLED;
}

int tp_recv_until(th_connection *c, const char *text, char *buf, size_t bufsz) {
  size_t len = strlen(buf);
  for (int i = 0; i < 100 && strstr(buf, text) == NULL; i++) {
    th_bytes *b = tp_recv(c, 4096);
    if (b == NULL) return th_error_kind();
    size_t take = b->len < bufsz - 1 - len ? b->len : bufsz - 1 - len;
    memcpy(buf + len, b->data, take);
    len += take;
    buf[len] = '\0';
    th_bytes_free(b);
  }
  return strstr(buf, text) ? TH_OK : TH_ERR_STALLED;
}

int tp_connect_tcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}
