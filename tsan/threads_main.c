/* threads_main.c — the driver: the shared PKI, helpers, and main(), which
 * runs every scenario (or those named on the command line) and exits 1
 * when any check failed. */
#include <stdlib.h>
#include <string.h>

#include "threads.h"

tt_pki tt;
static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

void tt_fail(const char *file, int line, const char *what) {
  pthread_mutex_lock(&fail_lock);
  failures++;
  fprintf(stderr, "FAIL %s:%d: %s (last error: %s: %s)\n", file, line, what,
          th_err_name(th_error_kind()), th_error_last()->message);
  pthread_mutex_unlock(&fail_lock);
}

typedef struct tt_thread {
  pthread_t t;
  int i;
  void (*fn)(int, void *);
  void *arg;
} tt_thread;

static void *trampoline(void *p) {
  tt_thread *t = p;
  t->fn(t->i, t->arg);
  return NULL;
}

void tt_run_threads(int n, void (*fn)(int i, void *arg), void *arg) {
  tt_thread th[64];
  if (n > 64) n = 64;
  for (int i = 0; i < n; i++) {
    th[i] = (tt_thread){.i = i, .fn = fn, .arg = arg};
    if (pthread_create(&th[i].t, NULL, trampoline, &th[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      exit(2);
    }
  }
  for (int i = 0; i < n; i++) pthread_join(th[i].t, NULL);
}

static th_fixtures_cert *issue(th_fixtures_cert *issuer, int role) {
  th_fixtures_cert *c = th_fixtures_issue(tt.fx, issuer, role, NULL);
  if (c == NULL) {
    fprintf(stderr, "th_fixtures_issue: %s\n", th_error_last()->message);
    exit(2);
  }
  return c;
}

static void pin(th_context *ctx, int version) {
  if (version == 0) return;
  tt_check(th_context_set_min_proto_version(ctx, version) == TH_OK, "min version");
  tt_check(th_context_set_max_proto_version(ctx, version) == TH_OK, "max version");
}

th_context *tt_server_ctx(int version) {
  th_context *c = th_context_new(TH_TLS_METHOD);
  tt_check(c != NULL, "server context");
  tt_check(th_fixtures_configure_server(c, tt.server) == TH_OK, "configure_server");
  static const unsigned char sid[] = "tsan";
  tt_check(th_context_set_session_id(c, sid, 4) == TH_OK, "session id");
  pin(c, version);
  return c;
}

th_context *tt_client_ctx(int version) {
  th_context *c = th_context_new(TH_TLS_METHOD);
  tt_check(c != NULL, "client context");
  tt_check(th_fixtures_configure_client(c, tt.root) == TH_OK, "configure_client");
  tt_check(th_context_set_verify(c, TH_VERIFY_PEER, NULL, NULL) == TH_OK, "set_verify");
  pin(c, version);
  return c;
}

int tt_converse(th_loopback_pair *p) {
  static const unsigned char req[] = "ping", resp[] = "pong";
  int ok = p != NULL;
  tt_check(ok, "pair");
  if (!ok) return 0;
  ok = th_loopback_handshake(p) == TH_OK;
  tt_check(ok, "handshake");
  ok = ok && th_loopback_send(p, TH_LOOPBACK_CLIENT, req, 4) == TH_OK &&
       th_loopback_expect(p, TH_LOOPBACK_SERVER, req, 4) == TH_OK &&
       th_loopback_send(p, TH_LOOPBACK_SERVER, resp, 4) == TH_OK &&
       th_loopback_expect(p, TH_LOOPBACK_CLIENT, resp, 4) == TH_OK;
  tt_check(ok, "application data");
  ok = ok && th_loopback_flush_tickets(p) >= 0 && th_loopback_shutdown(p, TH_LOOPBACK_CLIENT) == TH_OK;
  tt_check(ok, "tickets and shutdown");
  return ok;
}

static const struct {
  const char *name;
  void (*fn)(void);
} scenarios[] = {
    {"shared_context", tt_shared_context},
    {"libctx_per_thread", tt_libctx_per_thread},
    {"observed_pairs", tt_observed_pairs},
    {"sessions_across_threads", tt_sessions_across_threads},
    {"error_record", tt_error_record},
    {"fixtures_threads", tt_fixtures_threads},
    {"bench_engines", tt_bench_engines},
};

int main(int argc, char **argv) {
  tt.fx = th_fixtures_new(7);
  if (tt.fx == NULL) return 2;
  tt.root = issue(NULL, TH_FIXTURES_ROLE_ROOT);
  tt.server = issue(tt.root, TH_FIXTURES_ROLE_SERVER);
  tt.client = issue(tt.root, TH_FIXTURES_ROLE_CLIENT);
  int ran = 0, failed = 0;
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
    int wanted = argc == 1;
    for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], scenarios[i].name) == 0;
    if (!wanted) continue;
    int before = failures;
    scenarios[i].fn();
    printf("%s %s\n", failures == before ? "ok  " : "FAIL", scenarios[i].name);
    failed += failures != before;
    fflush(stdout);
    ran++;
  }
  th_fixtures_cert_free(tt.client);
  th_fixtures_cert_free(tt.server);
  th_fixtures_cert_free(tt.root);
  th_fixtures_free(tt.fx);
  if (ran == 0) {
    fprintf(stderr, "no scenario matched\n");
    return 2;
  }
  /* The plain summary line tools/test_summary.py counts, one test per scenario. */
  printf("threads: %d check(s) failed\ntests: %d passed, %d failed\n", failures, ran - failed, failed);
  return failures == 0 ? 0 : 1;
}
