/* check.c — badssl --check CLIENT: a real client against every served
 * endpoint, in parallel (--jobs), each run bounded (BS_CLIENT_MS, then
 * SIGKILL). A client's verdict is its exit status (0 = ok), except the
 * built-in tlsharness client, which runs in-process (client_th.c).
 *
 * The built-in command lines are those of an HTTP/1.1 client that connects
 * to the endpoint's address, verifies its host name, trusts ca.pem only,
 * loads the CRL an endpoint lists and asks for a stapled OCSP response where
 * one is stapled. openssl s_client and gnutls-cli get the request on stdin,
 * which stays open until they exit (they exit when the server closes). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/badssl/badssl.h"

extern char **environ;

#define BS_CLIENT_MS 30000
#define TAIL 2048

static const char REQUEST[] = "GET / HTTP/1.1\r\nHost: badssl\r\nConnection: close\r\n\r\n";

typedef struct result {
  int verdict;
  long long ms;
  char detail[TAIL];
} result;

typedef struct check {
  bs_cat *cat;
  const char *client, *template;
  size_t next;
  pthread_mutex_t mu;
  result res[BS_MAX_ENDPOINTS];
} check;

/* ---- running one command --------------------------------------------------- */

static void keep_tail(char *tail, size_t *len, const char *buf, size_t n) {
  if (n >= TAIL - 1) {
    buf += n - (TAIL - 1);
    n = TAIL - 1;
  }
  if (*len + n > TAIL - 1) {
    size_t drop = *len + n - (TAIL - 1);
    memmove(tail, tail + drop, *len - drop);
    *len -= drop;
  }
  memcpy(tail + *len, buf, n);
  *len += n;
  tail[*len] = '\0';
}

/* Runs argv with input on stdin (kept open until the command exits; NULL:
 * /dev/null), stdout+stderr captured (the last TAIL bytes). Returns the
 * exit status, or -1 (killed, timed out, could not start: said in tail). */
static int run_cmd(char *const argv[], const char *input, char *tail) {
  int in[2], out[2];
  size_t tlen = 0;
  tail[0] = '\0';
  if (pipe2(in, O_CLOEXEC) != 0) return -1;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]), close(in[1]);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  pid_t pid;
  int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (e != 0) {
    snprintf(tail, TAIL, "cannot run %s: %s", argv[0], strerror(e));
    close(in[1]), close(out[0]);
    return -1;
  }
  if (input != NULL) {
    ssize_t w = write(in[1], input, strlen(input)); /* small: fits the pipe */
    (void)w;
  } else {
    close(in[1]);
    in[1] = -1;
  }
  long long end = bs_now_ms() + BS_CLIENT_MS;
  int timed_out = 0;
  for (;;) {
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    long long left = end - bs_now_ms();
    if (left <= 0) {
      timed_out = 1;
      kill(pid, SIGKILL);
      break;
    }
    int rc = poll(&p, 1, (int)left);
    if (rc < 0 && errno == EINTR) continue;
    char buf[4096];
    ssize_t n = rc > 0 ? read(out[0], buf, sizeof buf) : 0;
    if (n <= 0 && rc != 0) break; /* EOF: the command closed its output */
    if (n > 0) keep_tail(tail, &tlen, buf, (size_t)n);
  }
  if (in[1] >= 0) close(in[1]);
  close(out[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    keep_tail(tail, &tlen, "\n[killed: no exit within the client time bound]", 47);
    return -1;
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the built-in command lines ----------------------------------------------- */

typedef struct argv_buf {
  char *v[40];
  int n;
  char store[4096];
  size_t used;
} argv_buf;

static void add(argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(argv_buf *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *dst = a->store + a->used;
  int n = vsnprintf(dst, sizeof a->store - a->used, fmt, ap);
  va_end(ap);
  if (n < 0 || a->used + (size_t)n + 1 > sizeof a->store || a->n >= 39) return;
  a->used += (size_t)n + 1;
  a->v[a->n++] = dst;
  a->v[a->n] = NULL;
}

static int is_ip(const char *host) {
  return strchr(host, ':') != NULL || strspn(host, "0123456789.") == strlen(host);
}

static void openssl_argv(argv_buf *a, const bs_cat *cat, const bs_endpoint *ep) {
  const char *prefix = getenv("OPENSSL_PREFIX");
  const char *host = bs_host(ep), *addr = bs_addr(ep);
  if (prefix && *prefix)
    add(a, "%s/bin/openssl", prefix);
  else
    add(a, "openssl");
  add(a, "s_client");
  add(a, "-connect");
  add(a, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr, ep->port);
  add(a, "-verify_return_error");
  add(a, "-brief");
  add(a, "-CAfile");
  add(a, "%s/ca.pem", cat->dir);
  add(a, is_ip(host) ? "-verify_ip" : "-verify_hostname");
  add(a, "%s", host);
  if (!is_ip(host)) add(a, "-servername"), add(a, "%s", host);
  add(a, "-alpn"), add(a, "http/1.1");
  if (ep->crl[0]) add(a, "-CRL"), add(a, "%s/%s", cat->dir, ep->crl), add(a, "-crl_check");
  if (ep->ocsp) add(a, "-status");
}

static void curl_argv(argv_buf *a, const bs_cat *cat, const bs_endpoint *ep) {
  const char *host = bs_host(ep), *addr = bs_addr(ep);
  add(a, "curl"), add(a, "-sS"), add(a, "--http1.1"), add(a, "--max-time"), add(a, "20");
  add(a, "-o"), add(a, "/dev/null");
  add(a, "--cacert"), add(a, "%s/ca.pem", cat->dir);
  if (ep->crl[0]) add(a, "--crlfile"), add(a, "%s/%s", cat->dir, ep->crl);
  if (ep->ocsp) add(a, "--cert-status");
  if (is_ip(host)) {
    add(a, strchr(host, ':') ? "https://[%s]:%d/" : "https://%s:%d/", host, ep->port);
  } else {
    add(a, "--resolve"), add(a, "%s:%d:%s", host, ep->port, addr);
    add(a, "https://%s:%d/", host, ep->port);
  }
}

static void gnutls_argv(argv_buf *a, const bs_cat *cat, const bs_endpoint *ep) {
  const char *host = bs_host(ep);
  add(a, "gnutls-cli"), add(a, "--x509cafile"), add(a, "%s/ca.pem", cat->dir);
  add(a, "--port"), add(a, "%d", ep->port);
  add(a, "--verify-hostname"), add(a, "%s", host);
  if (!is_ip(host)) add(a, "--sni-hostname"), add(a, "%s", host);
  add(a, "--alpn"), add(a, "http/1.1");
  if (ep->crl[0]) add(a, "--x509crlfile"), add(a, "%s/%s", cat->dir, ep->crl);
  add(a, "%s", bs_addr(ep));
}

/* --client-cmd: {host} {addr} {port} {ca} substituted, run by /bin/sh. */
static void template_argv(argv_buf *a, const char *tpl, const bs_cat *cat, const bs_endpoint *ep) {
  char cmd[3000];
  size_t o = 0;
  for (const char *p = tpl; *p && o < sizeof cmd - 1; p++) {
    char val[PATH_MAX + 16] = "";
    size_t skip = 0;
    if (strncmp(p, "{host}", 6) == 0) skip = 6, snprintf(val, sizeof val, "%s", bs_host(ep));
    if (strncmp(p, "{addr}", 6) == 0) skip = 6, snprintf(val, sizeof val, "%s", bs_addr(ep));
    if (strncmp(p, "{port}", 6) == 0) skip = 6, snprintf(val, sizeof val, "%d", ep->port);
    if (strncmp(p, "{ca}", 4) == 0) skip = 4, snprintf(val, sizeof val, "%s/ca.pem", cat->dir);
    if (skip == 0) {
      cmd[o++] = *p;
      continue;
    }
    o += (size_t)snprintf(cmd + o, sizeof cmd - o, "%s", val);
    if (o >= sizeof cmd) o = sizeof cmd - 1;
    p += skip - 1;
  }
  cmd[o] = '\0';
  add(a, "/bin/sh"), add(a, "-c"), add(a, "%s", cmd);
}

/* ---- one endpoint, the pool, the table ----------------------------------------- */

static void run_one(check *ck, size_t i) {
  bs_endpoint *ep = &ck->cat->ep[i];
  result *r = &ck->res[i];
  long long t0 = bs_now_ms();
  if (strcmp(ck->client, "tlsharness") == 0) {
    r->verdict = bs_client_th(ck->cat, ep, r->detail, sizeof r->detail);
  } else {
    argv_buf a = {.n = 0};
    const char *input = REQUEST;
    if (ck->template) {
      template_argv(&a, ck->template, ck->cat, ep);
      input = NULL;
    } else if (strcmp(ck->client, "openssl") == 0) {
      openssl_argv(&a, ck->cat, ep);
    } else if (strcmp(ck->client, "curl") == 0) {
      curl_argv(&a, ck->cat, ep);
      input = NULL;
    } else {
      gnutls_argv(&a, ck->cat, ep);
    }
    r->verdict = run_cmd(a.v, input, r->detail) == 0 ? BS_OK : BS_FAIL;
  }
  r->ms = bs_now_ms() - t0;
}

static void *worker(void *arg) {
  check *ck = arg;
  for (;;) {
    pthread_mutex_lock(&ck->mu);
    size_t i = ck->next++;
    pthread_mutex_unlock(&ck->mu);
    if (i >= ck->cat->n) return NULL;
    if (ck->cat->ep[i].served) run_one(ck, i);
  }
}

/* The most telling line of a client's output: a verify error, curl's or
 * gnutls-cli's error line, else the last line mentioning an error, else the
 * last line; tabs and CRs become spaces, at most 110 characters. */
static const char *summary_line(char *s) {
  static const char *const first[] = {"verify error", "curl: (", "*** Fatal error",
                                      "*** Verifying"};
  char *pick = NULL, *last = NULL, *err = NULL, *save = NULL;
  for (char *line = strtok_r(s, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    for (char *p = line; *p; p++)
      if (*p == '\r' || *p == '\t') *p = ' ';
    if (strspn(line, " ") == strlen(line)) continue;
    for (size_t k = 0; pick == NULL && k < sizeof first / sizeof first[0]; k++)
      if (strstr(line, first[k])) pick = line;
    if (strstr(line, "error") || strstr(line, "Error")) err = line;
    last = line;
  }
  char *line = pick ? pick : err ? err : last ? last : s;
  if (strlen(line) > 110) line[110] = '\0';
  return line;
}

static int print_table(check *ck, int verbose, long long ms) {
  size_t agree = 0, served = 0, quirks = 0;
  printf("%-28s %-8s %-8s %-6s %s\n", "ENDPOINT", "EXPECTED", "OBSERVED", "AGREES", "DETAIL");
  for (size_t i = 0; i < ck->cat->n; i++) {
    bs_endpoint *ep = &ck->cat->ep[i];
    if (!ep->served) {
      printf("%-28s %-8s %-8s %-6s not served: %s\n", ep->def->id, bs_verdict_name(ep->def->expect),
             "-", "-", ep->reason);
      continue;
    }
    const char *why;
    int want = bs_expected_for(ep, ck->template ? NULL : ck->client, &why);
    int quirk = want != ep->def->expect || why != ep->def->why;
    result *r = &ck->res[i];
    served++;
    quirks += quirk;
    agree += r->verdict == want;
    if (verbose && r->verdict != want) printf("    --- output ---\n%s\n    ---\n", r->detail);
    printf("%-28s %-8s %-8s %-6s %s(%lld ms) %s\n", ep->def->id, bs_verdict_name(want),
           bs_verdict_name(r->verdict), r->verdict == want ? "yes" : "NO", quirk ? "[quirk] " : "",
           r->ms, summary_line(r->detail));
  }
  printf(
      "badssl --check %s: %zu/%zu endpoints agree (%zu not served, %zu client quirks "
      "applied) in %.1f s\n",
      ck->template ? "--client-cmd" : ck->client, agree, served, ck->cat->n - served, quirks,
      ms / 1000.0);
  return agree == served ? 0 : 1;
}

int bs_check(bs_cat *cat, const char *client, const char *template, int jobs, int verbose) {
  check *ck = calloc(1, sizeof *ck);
  if (ck == NULL) return 1;
  ck->cat = cat;
  ck->client = client;
  ck->template = template;
  pthread_mutex_init(&ck->mu, NULL);
  pthread_t th[64];
  int nth = jobs < 1 ? 1 : jobs > 64 ? 64 : jobs;
  long long t0 = bs_now_ms();
  int started = 0;
  for (; started < nth; started++)
    if (pthread_create(&th[started], NULL, worker, ck) != 0) break;
  if (started == 0) worker(ck);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  int rc = print_table(ck, verbose, bs_now_ms() - t0);
  pthread_mutex_destroy(&ck->mu);
  free(ck);
  return rc;
}
