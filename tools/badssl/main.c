/* badssl — misbehaving TLS servers on 127.0.0.1 for testing any client,
 * offline (docs/badssl.md).
 *
 *   badssl --list [--json]                 the catalogue (and what this build serves)
 *   badssl --serve [--out DIR]             serve until SIGINT/SIGTERM; DIR/manifest.json
 *   badssl --check CLIENT [--jobs N] [-v]  openssl | curl | gnutls-cli | tlsharness
 *   badssl --check --client-cmd 'TEMPLATE' {host} {addr} {port} {ca}; exit 0 = ok
 *   common: [--seed N] [--base-port P]
 *
 * Exit status: 0 success (--check: every verdict agrees), 1 failure or
 * disagreement, 2 bad usage. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/badssl/badssl.h"

typedef struct opts {
  int mode; /* 'l' list, 's' serve, 'c' check */
  int json, jobs, verbose, base_port;
  unsigned long long seed;
  const char *out, *client, *template;
} opts;

static int usage(const char *msg) {
  if (msg) fprintf(stderr, "badssl: %s\n", msg);
  fprintf(stderr,
          "usage: badssl --list [--json]\n"
          "       badssl --serve [--out DIR]\n"
          "       badssl --check openssl|curl|gnutls-cli|tlsharness [--jobs N] [-v]\n"
          "       badssl --check --client-cmd 'CMD {host} {addr} {port} {ca}' [--jobs N]\n"
          "  common: [--seed N] (default 1) [--base-port P] (endpoint i on P+i)\n");
  return 2;
}

static int parse_num(const char *s, unsigned long long max, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*s == '-' || *end != '\0' || errno != 0 || v > max) return -1;
  *out = v;
  return 0;
}

static int parse(int argc, char **argv, opts *o) {
  unsigned long long v;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (strcmp(a, "--list") == 0)
      o->mode = 'l';
    else if (strcmp(a, "--serve") == 0)
      o->mode = 's';
    else if (strcmp(a, "--json") == 0)
      o->json = 1;
    else if (strcmp(a, "-v") == 0)
      o->verbose = 1;
    else if (strcmp(a, "--check") == 0) {
      o->mode = 'c';
      if (more && argv[i + 1][0] != '-') o->client = argv[++i];
    } else if (strcmp(a, "--client-cmd") == 0 && more)
      o->template = argv[++i];
    else if (strcmp(a, "--out") == 0 && more)
      o->out = argv[++i];
    else if (strcmp(a, "--seed") == 0 && more && parse_num(argv[++i], ~0ULL, &o->seed) == 0) {
    } else if (strcmp(a, "--jobs") == 0 && more && parse_num(argv[++i], 64, &v) == 0 && v > 0)
      o->jobs = (int)v;
    else if (strcmp(a, "--base-port") == 0 && more && parse_num(argv[++i], 65535, &v) == 0 && v > 0)
      o->base_port = (int)v;
    else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(NULL);
      exit(0);
    } else {
      fprintf(stderr, "badssl: bad argument \"%s\"\n", a);
      return -1;
    }
  }
  if (o->mode == 0) return -1;
  if (o->mode == 'c' && o->template == NULL) {
    static const char *const known[] = {"openssl", "curl", "gnutls-cli", "tlsharness"};
    int ok = 0;
    for (size_t k = 0; o->client && k < 4; k++) ok |= strcmp(o->client, known[k]) == 0;
    if (!ok) return -1;
  }
  if (o->base_port > 0 && o->base_port + BS_MAX_ENDPOINTS > 65535) return -1;
  return 0;
}

/* ---- the server thread and signals ----------------------------------------------- */

static bs_server *g_srv;

static void on_signal(int sig) {
  (void)sig;
  if (g_srv) bs_server_stop(g_srv);
}

static void *serve_thread(void *arg) { return (void *)(long)bs_server_run(arg); }

/* A private folder for --list and --check (removed afterwards). */
static int temp_dir(char *buf, size_t n) {
  const char *t = getenv("TMPDIR");
  snprintf(buf, n, "%s/badssl.XXXXXX", t && *t ? t : "/tmp");
  return mkdtemp(buf) ? 0 : -1;
}

static void remove_dir(const char *dir) {
  static const char *const files[] = {"ca.pem", "revoked.crl.pem", "dh1024.pem", "manifest.json",
                                      "manifest.tsv"};
  char path[PATH_MAX + 32];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

static int serve(bs_cat *cat, const opts *o) {
  bs_server *srv = bs_server_new(cat, o->base_port);
  if (srv == NULL) return 1;
  if (bs_write_manifest(cat) != TH_OK) {
    fprintf(stderr, "badssl: cannot write %s/manifest.json: %s\n", cat->dir, strerror(errno));
    bs_server_free(srv);
    return 1;
  }
  size_t served = 0;
  for (size_t i = 0; i < cat->n; i++) served += cat->ep[i].served;
  g_srv = srv;
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  printf("badssl: ready: %zu endpoints (%zu served) on 127.0.0.1; manifest %s/manifest.json\n",
         cat->n, served, cat->dir);
  fflush(stdout);
  int rc = bs_server_run(srv);
  g_srv = NULL;
  bs_server_free(srv);
  fprintf(stderr, "badssl: stopped%s\n", rc == 0 ? "" : " (poll failed)");
  return rc == 0 ? 0 : 1;
}

static int check(bs_cat *cat, const opts *o) {
  bs_server *srv = bs_server_new(cat, o->base_port);
  pthread_t th;
  if (srv == NULL || pthread_create(&th, NULL, serve_thread, srv) != 0) {
    bs_server_free(srv);
    return 1;
  }
  int rc = bs_check(cat, o->client ? o->client : "custom", o->template, o->jobs ? o->jobs : 8,
                    o->verbose);
  bs_server_stop(srv);
  pthread_join(th, NULL);
  bs_server_free(srv);
  return rc;
}

int main(int argc, char **argv) {
  opts o = {.seed = 1};
  if (parse(argc, argv, &o) != 0) return usage(NULL);
  signal(SIGPIPE, SIG_IGN); /* sockets and client pipes report EPIPE instead */
  char dir[PATH_MAX];
  int own_dir = o.out == NULL;
  if (own_dir ? temp_dir(dir, sizeof dir) != 0
              : (mkdir(o.out, 0755) != 0 && errno != EEXIST) ||
                    snprintf(dir, sizeof dir, "%s", o.out) >= (int)sizeof dir) {
    fprintf(stderr, "badssl: cannot make the output folder: %s\n", strerror(errno));
    return 1;
  }
  static bs_cat cat;
  if (bs_cat_build(&cat, o.seed, dir) != TH_OK) {
    char err[512];
    th_error_format(err, sizeof err);
    fprintf(stderr, "badssl: cannot build the catalogue: %s\n", err);
    bs_cat_free(&cat);
    if (own_dir) remove_dir(dir);
    return 1;
  }
  int rc = 0;
  if (o.mode == 'l' && o.json)
    rc = bs_write_json(&cat, stdout) == TH_OK ? 0 : 1;
  else if (o.mode == 'l')
    bs_print_list(&cat, stdout);
  else if (o.mode == 's')
    rc = serve(&cat, &o);
  else
    rc = check(&cat, &o);
  bs_cat_free(&cat);
  if (own_dir) remove_dir(dir);
  return rc;
}
