/* fixtures_bad_args_test.c — one table over every public function of the
 * fixture generator (fixtures.h): NULL for each pointer argument and a live
 * object of another class cast to each object argument are TH_ERR_TYPE
 * (pointer results: NULL with TH_ERR_TYPE), holding every other argument
 * valid; plus the argument values each function rejects. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testutil.h"
#include "testutil_table.h"
#include "tlsharness/fixtures.h"

static struct {
  th_fixtures *fx, *other;
  th_fixtures_cert *ca, *leaf, *foreign; /* foreign: issued by other */
  th_context *ctx;
  th_session *wrong; /* a live object of an unrelated class */
} F;

static void setup(void) {
  F.fx = th_fixtures_new(7);
  F.other = th_fixtures_new(8);
  F.ca = th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  F.leaf = th_fixtures_issue(F.fx, F.ca, TH_FIXTURES_ROLE_SERVER, NULL);
  F.foreign = th_fixtures_issue(F.other, NULL, TH_FIXTURES_ROLE_ROOT, NULL);
  F.ctx = th_context_new(TH_TLS_METHOD);
  F.wrong = th_session_new();
  cr_assert(F.fx && F.other && F.ca && F.leaf && F.foreign && F.ctx && F.wrong, "%s", tu_err());
}

static void teardown(void) {
  th_session_free(F.wrong);
  th_context_free(F.ctx);
  th_fixtures_cert_free(F.foreign);
  th_fixtures_cert_free(F.leaf);
  th_fixtures_cert_free(F.ca);
  th_fixtures_free(F.other);
  th_fixtures_free(F.fx);
}

TestSuite(fixtures_bad_args, .init = setup, .fini = teardown);


static int st_bytes(th_bytes *b) {
  th_bytes_free(b);
  return b == NULL ? th_error_kind() : 1;
}
static int st_list(th_list *l) {
  th_list_free(l);
  return l == NULL ? th_error_kind() : 1;
}

#define CASES(X)                                                                          \
  X(I, issue_fx, tu_st_ptr(th_fixtures_issue(o, NULL, TH_FIXTURES_ROLE_ROOT, NULL)), TU_OBJ)    \
  X(I, issue_issuer, tu_st_ptr(th_fixtures_issue(F.fx, o, TH_FIXTURES_ROLE_SERVER, NULL)), TU_WRONG) \
  X(I, cert_x509, tu_st_ptr(th_fixtures_cert_x509(o)), TU_OBJ)                                   \
  X(I, cert_pkey, tu_st_ptr(th_fixtures_cert_pkey(o)), TU_OBJ)                                   \
  X(I, cert_chain, st_list(th_fixtures_cert_chain(o)), TU_OBJ)                                \
  X(I, cert_pem, st_bytes(th_fixtures_cert_pem(o)), TU_OBJ)                                   \
  X(I, key_pem, st_bytes(th_fixtures_key_pem(o)), TU_OBJ)                                     \
  X(I, chain_pem, st_bytes(th_fixtures_chain_pem(o)), TU_OBJ)                                 \
  X(I, revoke_ca, th_fixtures_revoke(o, F.leaf, 1), TU_OBJ)                                   \
  X(I, revoke_cert, th_fixtures_revoke(F.ca, o, 1), TU_OBJ)                                   \
  X(I, crl_ca, tu_st_ptr(th_fixtures_crl(o, NULL, NULL, NULL)), TU_OBJ)                          \
  X(I, crl_signer, tu_st_ptr(th_fixtures_crl(F.ca, NULL, NULL, o)), TU_WRONG)                    \
  X(I, configure_server_ctx, th_fixtures_configure_server(o, F.leaf), TU_OBJ)                 \
  X(I, configure_server_cert, th_fixtures_configure_server(F.ctx, o), TU_OBJ)                 \
  X(I, configure_client_ctx, th_fixtures_configure_client(o, F.ca), TU_OBJ)                   \
  X(I, configure_client_ca, th_fixtures_configure_client(F.ctx, o), TU_OBJ)                   \
  X(I, key_from_name, th_fixtures_key_from_name(o), TU_PTR)                                   \
  X(I, write_set_dir, th_fixtures_write_set(o, 1, NULL), TU_PTR)

TU_BAD_ARGS_TEST(fixtures_bad_args, null_and_wrong_type, CASES, F.wrong, F.wrong)

/* Values each function rejects, with every other argument valid. */
Test(fixtures_bad_args, bad_values) {
  th_fixtures_spec spec = {.key = TH_FIXTURES_KEY_COUNT};
  cr_assert_null(th_fixtures_issue(F.fx, NULL, 0, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_CLIENT + 1, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_ROOT, &spec));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  spec = (th_fixtures_spec){.key = -1};
  cr_assert_null(th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_ROOT, &spec));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  spec = (th_fixtures_spec){.serial = -5};
  cr_assert_null(th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_ROOT, &spec));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  spec = (th_fixtures_spec){.digest = "nosuchdigest"};
  cr_assert_null(th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_ROOT, &spec));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE, "%s", tu_err());
  spec = (th_fixtures_spec){.not_after = "garbage"};
  cr_assert_null(th_fixtures_issue(F.fx, NULL, TH_FIXTURES_ROLE_ROOT, &spec));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE, "%s", tu_err());
  /* An issuer from another generator. */
  cr_assert_null(th_fixtures_issue(F.fx, F.foreign, TH_FIXTURES_ROLE_SERVER, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  /* Revoking: not the issuer, bad reasons (7 is unused in RFC 5280). */
  cr_assert_eq(th_fixtures_revoke(F.foreign, F.leaf, 1), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_revoke(F.ca, F.leaf, 7), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_revoke(F.ca, F.leaf, -1), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_revoke(F.ca, F.leaf, 11), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_crl(F.ca, "yesterday", NULL, NULL));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE, "%s", tu_err());
  cr_assert_null(th_fixtures_key_name(-1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_fixtures_key_name(TH_FIXTURES_KEY_COUNT));
  cr_assert_eq(th_fixtures_key_from_name("rsa1"), TH_ERR_VALUE);
  cr_assert_eq(th_fixtures_key_from_name(""), TH_ERR_VALUE);
  /* up_ref and seed of the wrong class */
  cr_assert_null(th_fixtures_up_ref((th_fixtures *)F.wrong));
  cr_assert_null(th_fixtures_cert_up_ref((th_fixtures_cert *)F.wrong));
  cr_assert_eq(th_fixtures_seed((th_fixtures *)F.wrong), 0ull);
  cr_assert_eq(th_fixtures_seed(NULL), 0ull);
  int bad_keys[] = {99, 0};
  th_fixtures_set_opts opts = {.keys = bad_keys};
  cr_assert_eq(th_fixtures_write_set(tu_path("set"), 1, &opts), TH_ERR_VALUE);
}
