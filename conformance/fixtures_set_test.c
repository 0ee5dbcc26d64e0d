/* fixtures_set_test.c — the default fixture set: determinism, every
 * manifest row upheld by the real `openssl` and by the library, and a real
 * TLS handshake served from the files. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "testutil_fixtures.h"

TestSuite(fixtures_set);

Test(fixtures_set, same_seed_gives_identical_trees) {
  char a[1024], b[1024], out[4096];
  snprintf(a, sizeof a, "%s", tu_path("a"));
  snprintf(b, sizeof b, "%s", tu_path("b"));
  int na = th_fixtures_write_set(a, 7, NULL);
  cr_assert_gt(na, 200, "%s", tu_err());
  cr_assert_eq(th_fixtures_write_set(b, 7, NULL), na, "%s", tu_err());
  cr_assert_eq(tu_sh(out, sizeof out, "diff -r '%s' '%s'", a, b), 0, "%s", out);
  /* The cached set of seed 1 differs from seed 7 in every key. */
  const char *one = tuf_default_set();
  cr_assert_neq(tu_sh(out, sizeof out, "cmp '%s/p256/server.key.pem' '%s/p256/server.key.pem'", a, one), 0);
  cr_assert_neq(tu_sh(out, sizeof out, "cmp '%s/rsa2048/root.key.pem' '%s/rsa2048/root.key.pem'", a, one), 0);
  cr_assert_neq(tu_sh(out, sizeof out, "cmp '%s/ed25519/client.key.pem' '%s/ed25519/client.key.pem'", a, one), 0);
}

Test(fixtures_set, every_manifest_row_holds_for_openssl) {
  const char *dir = tuf_default_set();
  tuf_row *rows;
  char *text;
  int n = tuf_manifest(dir, &rows, &text);
  cr_assert_gt(n, 300, "manifest rows: %d", n);
  int verify = 0, bad = 0;
  static char out[16384];
  for (int i = 0; i < n; i++) {
    if (rows[i].code >= 0) {
      verify++;
      int got = tuf_openssl_verdict(dir, rows[i].args, out, sizeof out);
      if (got != rows[i].code) {
        cr_log_error("%s: want %s, openssl says %d: %.300s", rows[i].args, rows[i].verdict, got, out);
        bad++;
      }
    } else if (tu_sh(out, sizeof out, "cd '%s' && %s %s", dir, tu_openssl(), rows[i].args) != 0) {
      cr_log_error("openssl %s: %.300s", rows[i].args, out);
      bad++;
    }
  }
  cr_assert_gt(verify, 90);
  cr_assert_eq(bad, 0, "%d of %d rows disagree", bad, n);
  free(rows);
  free(text);
}

Test(fixtures_set, every_verdict_holds_for_the_library) {
  const char *dir = tuf_default_set();
  tuf_row *rows;
  char *text;
  int n = tuf_manifest(dir, &rows, &text);
  cr_assert_gt(n, 0);
  int bad = 0, seen = 0;
  for (int i = 0; i < n; i++) {
    if (rows[i].code < 0) continue;
    char why[256] = "";
    int got = tuf_verify_lib(dir, rows[i].args, why, sizeof why);
    seen++;
    if (got != rows[i].code) {
      cr_log_error("%s: want %s, library says %d (%s)", rows[i].args, rows[i].verdict, got, why);
      bad++;
    }
  }
  cr_assert_gt(seen, 90, "%d verify rows of %d", seen, n);
  cr_assert_eq(bad, 0, "%d verify rows disagree", bad);
  free(rows);
  free(text);
}

Test(fixtures_set, every_file_is_in_the_manifest) {
  const char *dir = tuf_default_set();
  tuf_row *rows;
  char *text;
  int n = tuf_manifest(dir, &rows, &text);
  static char list[65536];
  cr_assert_eq(tu_sh(list, sizeof list, "cd '%s' && find . -type f ! -name manifest.tsv | sed 's|^./||'", dir), 0);
  int files = 0;
  for (char *f = strtok(list, "\n"); f != NULL; f = strtok(NULL, "\n")) {
    int found = 0;
    for (int i = 0; i < n && !found; i++) found = strcmp(rows[i].file, f) == 0;
    cr_expect(found, "%s is not in the manifest", f);
    files++;
  }
  cr_assert_gt(files, 250);
  free(rows);
  free(text);
}

/* The server leaf of each TLS-capable key type serves a handshake that
 * `openssl s_client -verify_return_error` accepts against the root. */
static const char *const tls_keys[] = {"rsa2048", "p256", "p384", "ed25519", "ed448"};

ParameterizedTestParameters(fixtures_set, s_client_accepts_server) {
  static int idx[] = {0, 1, 2, 3, 4};
  return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, fixtures_set, s_client_accepts_server) {
  const char *const *key = &tls_keys[*i];
  const char *dir = tuf_default_set();
  char args[1024], out[16384];
  snprintf(args, sizeof args,
           "-www -cert %1$s/server.pem -key %1$s/server.key.pem -cert_chain %1$s/server.chain.pem "
           "-naccept 1",
           *key);
  tuf_server srv;
  cr_assert_eq(tuf_server_start(&srv, dir, args), 0, "s_server did not start");
  /* s_client checks the chain at the real time: the set is valid 2020..2099. */
  int rc = tu_sh(out, sizeof out,
                 "cd '%s' && echo Q | %s s_client -connect 127.0.0.1:%d -verify_return_error "
                 "-CAfile %s/root.pem -verify_hostname localhost -servername localhost",
                 dir, tu_openssl(), srv.port, *key);
  tuf_server_stop(&srv);
  cr_assert_eq(rc, 0, "%s", out);
  cr_assert(strstr(out, "Verify return code: 0 (ok)") != NULL, "%s", out);
}
