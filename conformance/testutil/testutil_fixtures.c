/* testutil_fixtures.c — see testutil_fixtures.h. */
#include "testutil_fixtures.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "testutil.h"

const char *tuf_default_set(void) {
  /* Criterion forks each test from one runner: key the cache on the
   * runner's pid so that one run makes the set once; a racing maker
   * writes its own folder and the first rename wins. */
  static char dir[1024];
  const char *base = getenv("TEST_TMPDIR");
  snprintf(dir, sizeof dir, "%s/tuf-set-%d", base ? base : "/tmp", (int)getppid());
  struct stat st;
  if (stat(dir, &st) == 0) return dir;
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.%d", dir, (int)getpid());
  int n = th_fixtures_write_set(tmp, 1, NULL);
  cr_assert_gt(n, 0, "write_set: %s", tu_err());
  if (rename(tmp, dir) != 0) tu_sh(NULL, 0, "rm -rf '%s'", tmp);
  cr_assert_eq(stat(dir, &st), 0);
  return dir;
}

int tuf_manifest(const char *dir, tuf_row **rows, char **text) {
  char path[1200];
  snprintf(path, sizeof path, "%s/manifest.tsv", dir);
  *text = tu_read_file(path, NULL);
  *rows = NULL;
  if (*text == NULL) return -1;
  size_t n = 0, cap = 0;
  for (char *line = strtok(*text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    if (line[0] == '#' || strncmp(line, "file\t", 5) == 0) continue;
    char *f[7];
    int k = 0;
    for (char *p = line; k < 7; k++) {
      f[k] = p;
      char *tab = strchr(p, '\t');
      if (tab == NULL) break;
      *tab = '\0';
      p = tab + 1;
    }
    if (k != 6) return -1; /* 7 fields: the loop ends on the last without a tab */
    if (n == cap) *rows = realloc(*rows, (cap = cap ? cap * 2 : 64) * sizeof **rows);
    tuf_row *r = &(*rows)[n++];
    *r = (tuf_row){f[0], f[1], f[2], f[3], f[4], f[5], f[6], -1};
    char *colon = strrchr(r->verdict, ':');
    if (strcmp(r->format, "verify") == 0 && colon != NULL) r->code = atoi(colon + 1);
  }
  return (int)n;
}

int tuf_openssl_verdict(const char *dir, const char *args, char *out, size_t outsz) {
  int rc = tu_sh(out, outsz, "cd '%s' && %s %s", dir, tu_openssl(), args);
  const char *e = strstr(out, "error ");
  while (e != NULL && (e != out && e[-1] != '\n')) e = strstr(e + 1, "error ");
  int code;
  if (e != NULL && sscanf(e, "error %d at", &code) == 1) return code;
  return rc == 0 && strstr(out, ": OK") != NULL ? 0 : -1;
}

/* ---- the library's verification ---- */
typedef struct vargs {
  X509_STORE *store;
  STACK_OF(X509) *untrusted;
  STACK_OF(X509_CRL) *crls;
  X509_VERIFY_PARAM *param;
  X509 *target;
} vargs;

static int load_certs(const char *path, STACK_OF(X509) *sk) {
  BIO *b = BIO_new_file(path, "r");
  X509 *x;
  int n = 0;
  while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    sk_X509_push(sk, x);
    n++;
  }
  BIO_free(b);
  ERR_clear_error();
  return n;
}

static int apply_opt(vargs *v, const char *opt, const char *val, const char *path) {
  X509_VERIFY_PARAM *p = v->param;
  if (strcmp(opt, "-attime") == 0) X509_VERIFY_PARAM_set_time(p, (time_t)atol(val));
  else if (strcmp(opt, "-CAfile") == 0) return X509_STORE_load_file(v->store, path) == 1;
  else if (strcmp(opt, "-CApath") == 0) return X509_STORE_load_path(v->store, path) == 1;
  else if (strcmp(opt, "-untrusted") == 0) return load_certs(path, v->untrusted) > 0;
  else if (strcmp(opt, "-CRLfile") == 0) {
    BIO *b = BIO_new_file(path, "r");
    X509_CRL *c = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return c != NULL && sk_X509_CRL_push(v->crls, c) > 0;
  } else if (strcmp(opt, "-purpose") == 0) {
    int idx = X509_PURPOSE_get_by_sname(val);
    return idx >= 0 && X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_get_id(X509_PURPOSE_get0(idx)));
  } else if (strcmp(opt, "-verify_hostname") == 0) return X509_VERIFY_PARAM_set1_host(p, val, 0);
  else if (strcmp(opt, "-verify_ip") == 0) return X509_VERIFY_PARAM_set1_ip_asc(p, val);
  else if (strcmp(opt, "-verify_email") == 0) return X509_VERIFY_PARAM_set1_email(p, val, 0);
  else if (strcmp(opt, "-auth_level") == 0) X509_VERIFY_PARAM_set_auth_level(p, atoi(val));
  else if (strcmp(opt, "-policy") == 0) {
    ASN1_OBJECT *o = OBJ_txt2obj(val, 1);
    X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_POLICY_CHECK);
    return o != NULL && X509_VERIFY_PARAM_add0_policy(p, o);
  } else return 0;
  return 1;
}

static const struct {
  const char *opt;
  unsigned long flags;
} flag_opts[] = {{"-crl_check", X509_V_FLAG_CRL_CHECK},
                 {"-crl_check_all", X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL},
                 {"-x509_strict", X509_V_FLAG_X509_STRICT},
                 {"-ignore_critical", X509_V_FLAG_IGNORE_CRITICAL},
                 {"-allow_proxy_certs", X509_V_FLAG_ALLOW_PROXY_CERTS},
                 {"-policy_check", X509_V_FLAG_POLICY_CHECK},
                 {"-explicit_policy", X509_V_FLAG_EXPLICIT_POLICY},
                 {"-partial_chain", X509_V_FLAG_PARTIAL_CHAIN}};

static int parse_args(vargs *v, const char *dir, char *args, char *why, size_t whysz) {
  char *save = NULL, *tok = strtok_r(args, " ", &save);
  if (tok == NULL || strcmp(tok, "verify") != 0) return snprintf(why, whysz, "not verify"), -1;
  while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
    char path[1200];
    if (tok[0] != '-') { /* the certificate under test */
      snprintf(path, sizeof path, "%s/%s", dir, tok);
      BIO *b = BIO_new_file(path, "r");
      v->target = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
      BIO_free(b);
      if (v->target == NULL) return snprintf(why, whysz, "cannot read %s", tok), -1;
      continue;
    }
    int is_flag = 0;
    for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++)
      if (strcmp(tok, flag_opts[i].opt) == 0) {
        X509_VERIFY_PARAM_set_flags(v->param, flag_opts[i].flags);
        is_flag = 1;
      }
    if (is_flag) continue;
    char *val = strtok_r(NULL, " ", &save);
    if (val == NULL) return snprintf(why, whysz, "%s wants a value", tok), -1;
    snprintf(path, sizeof path, "%s/%s", dir, val);
    if (!apply_opt(v, tok, val, path)) return snprintf(why, whysz, "cannot apply %s %s", tok, val), -1;
  }
  return v->target != NULL ? 0 : (snprintf(why, whysz, "no certificate"), -1);
}

int tuf_verify_lib(const char *dir, const char *args, char *why, size_t whysz) {
  vargs v = {X509_STORE_new(), sk_X509_new_null(), sk_X509_CRL_new_null(),
             X509_VERIFY_PARAM_new(), NULL};
  char *copy = strdup(args);
  int result = parse_args(&v, dir, copy, why, whysz);
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (result == 0) {
    if (ctx == NULL || !X509_STORE_CTX_init(ctx, v.store, v.target, v.untrusted)) {
      result = -1;
    } else {
      X509_STORE_CTX_set0_crls(ctx, v.crls);
      X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(ctx), v.param);
      result = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    }
  }
  X509_STORE_CTX_free(ctx);
  free(copy);
  X509_free(v.target);
  X509_VERIFY_PARAM_free(v.param);
  sk_X509_CRL_pop_free(v.crls, X509_CRL_free);
  sk_X509_pop_free(v.untrusted, X509_free);
  X509_STORE_free(v.store);
  return result;
}

/* ---- openssl s_server ---- */
int tuf_server_start(tuf_server *s, const char *dir, const char *args) {
  int fds[2];
  s->pid = -1;
  s->out_fd = -1;
  s->port = 0;
  if (pipe(fds) != 0) return -1;
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "cd '%s' && exec %s s_server -accept 127.0.0.1:0 %s", dir,
           tu_openssl(), args);
  s->pid = fork();
  if (s->pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    int null = open("/dev/null", 0);
    if (null >= 0) dup2(null, 0);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  s->out_fd = fds[0];
  if (s->pid < 0) return -1;
  char buf[4096] = {0};
  size_t used = 0;
  for (int round = 0; round < 100 && s->port == 0; round++) {
    struct pollfd pfd = {s->out_fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue; /* bounded: 100 x 100 ms */
    ssize_t r = read(s->out_fd, buf + used, sizeof buf - 1 - used);
    if (r <= 0) break;
    used += (size_t)r;
    buf[used] = '\0';
    const char *a = strstr(buf, "ACCEPT 127.0.0.1:");
    if (a != NULL && strchr(a, '\n') != NULL) s->port = atoi(a + strlen("ACCEPT 127.0.0.1:"));
  }
  if (s->port == 0) {
    tuf_server_stop(s);
    return -1;
  }
  return 0;
}

void tuf_server_stop(tuf_server *s) {
  if (s->pid > 0) {
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = -1;
  }
  if (s->out_fd >= 0) close(s->out_fd);
  s->out_fd = -1;
}
