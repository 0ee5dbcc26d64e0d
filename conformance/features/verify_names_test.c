/* verify_names_test.c — the name and policy catalogue (names/ of the
 * default fixture set: host names, IP and e-mail addresses, name
 * constraints, EKU and keyUsage, auth levels, basicConstraints, path
 * length, strict mode, partial chains). Every row's verdict is upheld by
 * the real `openssl verify`, by X509Store (th_x509_store_set_host ...), and
 * by a loopback handshake whose client sets the same checks on its Context
 * or on its Connection; host-check flags (which `openssl verify` cannot
 * set) by a table checked against X509_check_host; and `openssl s_client
 * -verify_hostname` agrees with our client on one real `openssl s_server`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "testutil_fixtures.h"
#include "testutil_names.h"
#include "testutil_peer.h"

static void teardown(void) { tp_stop_all(); }
TestSuite(verify_names, .fini = teardown, .timeout = 240);

/* The names/ verify rows of the default set (static; rows point into text). */
static int name_rows(tuf_row **out, const char **dir) {
  static tuf_row *rows;
  static char *text;
  static int n = -1;
  *dir = tuf_default_set();
  if (n < 0) {
    tuf_row *all;
    int total = tuf_manifest(*dir, &all, &text);
    cr_assert_gt(total, 0);
    rows = calloc((size_t)total, sizeof *rows);
    n = 0;
    for (int i = 0; i < total; i++)
      if (all[i].code >= 0 && strncmp(all[i].file, "names/", 6) == 0) rows[n++] = all[i];
    free(all);
  }
  *out = rows;
  return n;
}

/* The check a row is about, for the per-check counts. */
static const char *check_of(const char *args) {
  static const char *const checks[] = {"-verify_hostname", "-verify_ip", "-verify_email", "-auth_level",
                                       "-x509_strict", "-partial_chain"};
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
    if (strstr(args, checks[i]) != NULL) return checks[i];
  return "-purpose";
}

Test(verify_names, catalogue_covers_every_check) {
  tuf_row *rows;
  const char *dir;
  int n = name_rows(&rows, &dir);
  cr_assert_geq(n, 90, "names/ rows: %d", n);
  const char *checks[] = {"-verify_hostname", "-verify_ip", "-verify_email", "-auth_level",
                          "-x509_strict", "-partial_chain", "-purpose"};
  for (size_t c = 0; c < 7; c++) {
    int count = 0, fail = 0;
    for (int i = 0; i < n; i++)
      if (strcmp(check_of(rows[i].args), checks[c]) == 0) count++, fail += rows[i].code != 0;
    cr_log_info("%-16s %2d rows (%d expect an error)", checks[c], count, fail);
    cr_expect_gt(count, 0, "%s has no row", checks[c]);
    cr_expect_gt(fail, 0, "%s has no failing row", checks[c]);
  }
}

Test(verify_names, openssl_verify_agrees_with_every_row) {
  tuf_row *rows;
  const char *dir;
  int n = name_rows(&rows, &dir), bad = 0;
  static char out[16384];
  for (int i = 0; i < n; i++) {
    int got = tuf_openssl_verdict(dir, rows[i].args, out, sizeof out);
    if (got != rows[i].code)
      bad++, cr_log_error("%s: want %s, openssl says %d: %.300s", rows[i].args, rows[i].verdict, got, out);
  }
  cr_assert_eq(bad, 0, "%d of %d rows disagree", bad, n);
}

Test(verify_names, x509_store_gives_every_verdict) {
  tuf_row *rows;
  const char *dir;
  int n = name_rows(&rows, &dir), bad = 0;
  for (int i = 0; i < n; i++) {
    tun_args a;
    char why[512] = "";
    int got = tun_parse(dir, rows[i].args, &a, why, sizeof why) == 0 ? tun_verify_store(&a, why, sizeof why) : -1;
    if (got != rows[i].code)
      bad++, cr_log_error("%s: want %s, X509Store says %d (%s)", rows[i].args, rows[i].verdict, got, why);
  }
  cr_assert_eq(bad, 0, "%d of %d rows disagree", bad, n);
}

/* X509_check_host itself, on the file: the independent answer (and the
 * certificate's name that matched, into peer when not NULL). */
static int raw_peername(const char *path, const char *host, unsigned int flags, char *peer, size_t peersz) {
  FILE *f = fopen(path, "r");
  X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
  if (f) fclose(f);
  cr_assert_not_null(x, "%s", path);
  char *name = NULL;
  int r = X509_check_host(x, host, 0, flags, &name);
  if (peer != NULL) snprintf(peer, peersz, "%s", name ? name : "");
  OPENSSL_free(name);
  X509_free(x);
  return r == 1 ? 0 : X509_V_ERR_HOSTNAME_MISMATCH;
}
#define raw_check(path, host, flags) raw_peername(path, host, flags, NULL, 0)

/* Every leaf row (role server or client: the server presents the leaf);
 * the CA rows ("this CA verifies under the root") have no key to serve and
 * are upheld by the openssl and X509Store tests above. */
static void handshakes(int via) {
  tuf_row *rows;
  const char *dir;
  int n = name_rows(&rows, &dir), bad = 0, named = 0;
  for (int i = 0; i < n; i++) {
    tun_args a;
    char why[512] = "", peer[300];
    if (strcmp(rows[i].role, "server") != 0 && strcmp(rows[i].role, "client") != 0) continue;
    int got = tun_parse(dir, rows[i].args, &a, why, sizeof why) == 0
                  ? tun_verify_handshake(&a, via, peer, sizeof peer, why, sizeof why) : -1;
    if (got != rows[i].code)
      bad++, cr_log_error("%s: want %s, handshake says %d (%s)", rows[i].args, rows[i].verdict, got, why);
    /* The verified peer name: the certificate's name that matched. */
    char want_peer[300] = "";
    if (got == 0 && a.host[0]) raw_peername(a.target, a.host, a.host_flags, want_peer, sizeof want_peer);
    if (strcmp(peer, want_peer) != 0)
      bad++, cr_log_error("%s: peer name '%s', want '%s'", rows[i].args, peer, want_peer);
    named += want_peer[0] != '\0';
  }
  cr_assert_gt(named, 10);
  cr_assert_eq(bad, 0, "%d disagreements in %d rows", bad, n);
}

Test(verify_names, handshake_with_context_settings_gives_every_verdict) { handshakes(TUN_VIA_CONTEXT); }
Test(verify_names, handshake_with_connection_settings_gives_every_verdict) { handshakes(TUN_VIA_CONNECTION); }

/* ---- host-check flags: no `openssl verify` option sets them ---- */
typedef struct flag_case {
  const char *file, *host;
  unsigned int flags;
  int code;
} flag_case;

static const flag_case flag_cases[] = {
    {"wildcard-partial", "foo.example.test", 0, 0},
    {"wildcard-partial", "foo.example.test", TH_X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, X509_V_ERR_HOSTNAME_MISMATCH},
    {"wildcard", "a.example.test", TH_X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, 0},
    {"wildcard", "a.example.test", TH_X509_CHECK_FLAG_NO_WILDCARDS, X509_V_ERR_HOSTNAME_MISMATCH},
    {"wildcard", "a.b.example.test", 0, X509_V_ERR_HOSTNAME_MISMATCH},
    {"wildcard", "a.b.example.test", TH_X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS, 0},
    {"cn-only", "cn-only.example.test", TH_X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, X509_V_ERR_HOSTNAME_MISMATCH},
    {"san-not-cn", "cn.example.test", TH_X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT, 0},
    {"exact", ".example.test", 0, 0},
    {"exact", ".test", 0, 0},
    {"exact", ".example.test", TH_X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS, 0},
    {"exact", ".test", TH_X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS, X509_V_ERR_HOSTNAME_MISMATCH},
};

Test(verify_names, host_flags_through_store_context_and_connection) {
  const char *dir = tuf_default_set();
  for (size_t i = 0; i < sizeof flag_cases / sizeof flag_cases[0]; i++) {
    const flag_case *c = &flag_cases[i];
    char args[1024], why[512] = "", peer[300];
    snprintf(args, sizeof args, "verify -CAfile names/root.pem -untrusted names/inter.pem "
             "-purpose sslserver -verify_hostname %s names/%s.pem", c->host, c->file);
    tun_args a;
    cr_assert_eq(tun_parse(dir, args, &a, why, sizeof why), 0, "%s", why);
    cr_expect_eq(raw_check(a.target, c->host, c->flags), c->code, "X509_check_host %s %s 0x%x", c->file, c->host, c->flags);
    /* The store path, spelled out (host flags first, then the name). */
    th_x509_store *st = th_x509_store_new();
    cr_assert_eq(th_x509_store_load_locations(st, a.cafile, NULL), TH_OK);
    cr_assert_eq(th_x509_store_set_host_flags(st, c->flags), TH_OK);
    cr_assert_eq(th_x509_store_set_host(st, c->host, strlen(c->host)), TH_OK);
    cr_assert_eq(th_x509_store_set_purpose(st, TH_X509_PURPOSE_SSL_SERVER), TH_OK);
    size_t len;
    char *pem = tu_read_file(a.target, &len), *ipem = tu_read_file(a.untrusted[0], NULL);
    th_x509 *leaf = th_crypto_load_certificate(TH_FILETYPE_PEM, (unsigned char *)pem, len);
    th_x509 *inter = th_crypto_load_certificate(TH_FILETYPE_PEM, (unsigned char *)ipem, strlen(ipem));
    th_x509_store_context *sc = th_x509_store_context_new(st, leaf);
    cr_assert_eq(th_x509_store_context_set_untrusted(sc, &inter, 1), TH_OK);
    int rc = th_x509_store_context_verify_certificate(sc);
    int got = rc == TH_OK ? 0 : th_error_last()->verify_code;
    cr_expect_eq(got, c->code, "store: %s %s 0x%x: %d", c->file, c->host, c->flags, got);
    th_x509_store_context_free(sc);
    th_x509_free(leaf);
    th_x509_free(inter);
    th_x509_store_free(st);
    free(pem);
    free(ipem);
    /* Handshakes: the flags as the Context's / the Connection's. */
    a.host_flags = c->flags;
    for (int via = TUN_VIA_CONTEXT; via <= TUN_VIA_CONNECTION; via++) {
      got = tun_verify_handshake(&a, via, peer, sizeof peer, why, sizeof why);
      cr_expect_eq(got, c->code, "handshake(%d): %s %s 0x%x: %d (%s)", via, c->file, c->host, c->flags, got, why);
    }
  }
}

/* ---- `openssl s_client -verify_hostname` and our client, one s_server ---- */
static int s_client_code(int port, const char *ca, const char *host) {
  char out[16384];
  tu_sh(out, sizeof out, "echo Q | %s s_client -connect 127.0.0.1:%d -CAfile '%s' -verify_hostname %s "
        "-servername %s 2>&1", tu_openssl(), port, ca, host, host);
  const char *v = strstr(out, "Verify return code: ");
  cr_assert_not_null(v, "s_client printed no verify code: %.2000s", out);
  return atoi(v + strlen("Verify return code: "));
}

static int our_code(int port, const char *ca, const char *host, char *peer, size_t peersz) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_load_verify_locations(ctx, ca, NULL), TH_OK, "%s", tu_err());
  cr_assert_eq(th_context_set_verify(ctx, TH_VERIFY_PEER, NULL, NULL), TH_OK);
  cr_assert_eq(th_context_set_host(ctx, host, strlen(host)), TH_OK, "%s", tu_err());
  int fd = tp_connect_tcp(port);
  cr_assert_geq(fd, 0);
  th_connection *c = th_connection_new(ctx, fd);
  cr_assert_eq(th_connection_setblocking(c, 0), TH_OK);
  th_connection_set_connect_state(c);
  cr_assert_eq(th_connection_set_tlsext_host_name(c, (const unsigned char *)host, strlen(host)), TH_OK);
  int rc = tp_handshake(c);
  long code = th_connection_get_verify_result(c);
  cr_assert_eq(rc == TH_OK, code == 0, "handshake %s with verify result %ld: %s", th_err_name(rc), code, tu_err());
  th_bytes *name = NULL;
  cr_assert_eq(th_connection_get_peer_name(c, &name), TH_OK);
  snprintf(peer, peersz, "%s", name ? (char *)name->data : "");
  th_bytes_free(name);
  th_connection_free(c);
  close(fd);
  th_context_free(ctx);
  return (int)code;
}

Test(verify_names, s_client_and_our_client_agree_on_one_server) {
  const char *dir = tuf_default_set();
  char cert[1200], key[1200], chain[1200], ca[1200];
  snprintf(cert, sizeof cert, "%s/names/wildcard.pem", dir);
  snprintf(key, sizeof key, "%s/names/wildcard.key.pem", dir);
  snprintf(chain, sizeof chain, "%s/names/inter.pem", dir);
  snprintf(ca, sizeof ca, "%s/names/root.pem", dir);
  static const struct { const char *host; int code; } hosts[] = {
      {"www.example.test", 0}, {"WWW.EXAMPLE.TEST", 0},
      {"a.b.example.test", X509_V_ERR_HOSTNAME_MISMATCH}, {"example.test", X509_V_ERR_HOSTNAME_MISMATCH}};
  const size_t nh = sizeof hosts / sizeof hosts[0];
  tp_peer peer;
  char naccept[16];
  snprintf(naccept, sizeof naccept, "%zu", 2 * nh);
  const char *extra[] = {"-www", "-cert", cert, "-key", key, "-cert_chain", chain, "-naccept", naccept, NULL};
  cr_assert_gt(tp_s_server(&peer, extra), 0, "s_server did not start: %s", peer.out);
  for (size_t i = 0; i < nh; i++) {
    char name[300];
    int theirs = s_client_code(peer.port, ca, hosts[i].host);
    int ours = our_code(peer.port, ca, hosts[i].host, name, sizeof name);
    cr_expect_eq(theirs, hosts[i].code, "s_client %s: %d", hosts[i].host, theirs);
    cr_expect_eq(ours, theirs, "%s: ours %d, s_client %d", hosts[i].host, ours, theirs);
    cr_expect_str_eq(name, hosts[i].code == 0 ? "*.example.test" : "", "peer name for %s", hosts[i].host);
  }
  tp_stop(&peer);
}
