/* example_fixtures.c — see example_fixtures.h. */
#include "example_fixtures.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static th_fixtures_cert *issue(th_fixtures *fx, th_fixtures_cert *ca, int role,
                               const th_fixtures_spec *spec) {
  th_fixtures_cert *c = th_fixtures_issue(fx, ca, role, spec);
  cr_assert_not_null(c, "fixtures: %s", th_error_last()->message);
  return c;
}

void example_pki_make(example_pki *pki) {
  const char *tmp = getenv("TEST_TMPDIR");
  snprintf(pki->dir, sizeof pki->dir, "%s/example-pki-XXXXXX", tmp ? tmp : "/tmp");
  cr_assert_not_null(mkdtemp(pki->dir));
  th_fixtures *fx = th_fixtures_new(16);
  cr_assert_not_null(fx);
  th_fixtures_cert *root = issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  th_fixtures_cert *other = issue(fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  static const char *const other_names[] = {"other.example", NULL};
  th_fixtures_spec expired = {.not_before = "20200101000000Z", .not_after = "20210101000000Z"};
  th_fixtures_spec wrong = {.names = other_names};
  th_fixtures_cert *c[EX_COUNT] = {
      issue(fx, root, TH_FIXTURES_ROLE_SERVER, NULL),      issue(fx, root, TH_FIXTURES_ROLE_SERVER, &expired),
      issue(fx, root, TH_FIXTURES_ROLE_SERVER, &wrong),    issue(fx, other, TH_FIXTURES_ROLE_SERVER, NULL),
      issue(fx, root, TH_FIXTURES_ROLE_SERVER, NULL),      issue(fx, root, TH_FIXTURES_ROLE_CLIENT, NULL)};
  cr_assert_eq(th_fixtures_revoke(root, c[EX_REVOKED], 1), TH_OK);
  static const char *const base[EX_COUNT] = {"good", "expired", "wronghost", "untrusted", "revoked",
                                             "client"};
  for (int i = 0; i < EX_COUNT; i++) {
    cr_assert_eq(th_fixtures_write_files(c[i], pki->dir, base[i], &pki->files[i]), TH_OK, "%s",
                 th_error_last()->message);
    th_fixtures_cert_free(c[i]);
  }
  th_fixtures_cert_free(root);
  th_fixtures_cert_free(other);
  th_fixtures_free(fx);
}

void example_pki_free(example_pki *pki) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", pki->dir);
  if (pki->dir[0] != '\0' && system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", pki->dir);
}
