/* readme_test.c — the README's example, verbatim, so that it stays true. */
#include <criterion/criterion.h>
#include <stdio.h>

#include <tlsharness/tlsharness.h>

TestSuite(readme);

Test(readme, example_handshakes) {
  int ok = 0;
  /* ---- from README.md ---- */
  /* A CA and a server certificate, deterministic for seed 1. */
  th_fixtures *fx = th_fixtures_new(1);
  th_fixtures_cert *ca = th_fixtures_issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_fixtures_cert *leaf = th_fixtures_issue(fx, ca, TH_FIXTURES_ROLE_SERVER, NULL);

  th_context *server = th_context_new(TH_TLS_METHOD), *client = th_context_new(TH_TLS_METHOD);
  th_fixtures_configure_server(server, leaf);
  th_fixtures_configure_client(client, ca);

  /* A whole TLS conversation in this process: no ports, no sleeps. */
  th_loopback_pair *pair = th_loopback_pair_new(server, client, TH_LOOPBACK_PUMP);
  if (th_loopback_handshake(pair) != TH_OK) {
    char line[512];
    th_error_format(line, sizeof line); /* "TH_ERR_SSL: ... [('SSL routines', '', 'reason')]" */
    fprintf(stderr, "%s\n", line);
  } else {
    ok = 1;
  }
  th_loopback_pair_free(pair);
  th_context_free(server);
  th_context_free(client);
  th_fixtures_cert_free(leaf);
  th_fixtures_cert_free(ca);
  th_fixtures_free(fx);
  /* ---- end ---- */
  cr_assert(ok, "the README example must complete a verified handshake");
}
