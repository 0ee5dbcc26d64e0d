/* verify_names_args_test.c — the name and policy setters of X509Store,
 * Context and Connection (beyond the spec; the verdicts they give are in
 * conformance/features/verify_names_test.c): each accepts what it
 * documents and refuses NULL, wrong types, NUL bytes, over-long names,
 * bad IP text, unknown flags, purposes and levels with its error kind,
 * leaving the object's X509_VERIFY_PARAM as it was. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "testutil.h"
#include "tlsharness/tlsharness.h"

TestSuite(verify_names_args);

/* What a param holds, to compare before and after a refused call. */
typedef struct snap {
  char host[300], email[300], ip[64];
  unsigned int hostflags;
  int auth_level;
  unsigned long flags;
} snap;

static void take(X509_VERIFY_PARAM *p, snap *s) {
  memset(s, 0, sizeof *s);
  const char *h = X509_VERIFY_PARAM_get0_host(p, 0), *e = X509_VERIFY_PARAM_get0_email(p);
  char *ip = X509_VERIFY_PARAM_get1_ip_asc(p);
  snprintf(s->host, sizeof s->host, "%s", h ? h : "");
  snprintf(s->email, sizeof s->email, "%s", e ? e : "");
  snprintf(s->ip, sizeof s->ip, "%s", ip ? ip : "");
  OPENSSL_free(ip);
  s->hostflags = X509_VERIFY_PARAM_get_hostflags(p);
  s->auth_level = X509_VERIFY_PARAM_get_auth_level(p);
  s->flags = X509_VERIFY_PARAM_get_flags(p);
}

static void same(const snap *a, const snap *b, const char *what) {
  cr_expect_str_eq(a->host, b->host, "%s changed the host", what);
  cr_expect_str_eq(a->email, b->email, "%s changed the email", what);
  cr_expect_str_eq(a->ip, b->ip, "%s changed the ip", what);
  cr_expect_eq(a->hostflags, b->hostflags, "%s changed the host flags", what);
  cr_expect_eq(a->auth_level, b->auth_level, "%s changed the auth level", what);
  cr_expect_eq(a->flags, b->flags, "%s changed the flags", what);
}

/* One body for the three families: O is the object, P the prefix, PARAM
 * an expression giving its X509_VERIFY_PARAM, FLAGS its flags setter. */
#define BAD(call, kind)                                                              \
  do {                                                                               \
    snap before_, after_;                                                            \
    take(PARAM, &before_);                                                           \
    cr_expect_eq((call), (kind), "%s: %s", #call, tu_err());                         \
    take(PARAM, &after_);                                                            \
    same(&before_, &after_, #call);                                                  \
  } while (0)
#define OK(call) cr_expect_eq((call), TH_OK, "%s: %s", #call, tu_err())

#define SETTER_TESTS(P, FLAGS)                                                                       \
  {                                                                                                   \
    char longname[300];                                                                               \
    memset(longname, 'a', sizeof longname);                                                           \
    /* a state to keep: each refused call below must leave it as it is */                             \
    OK(P##set_host(O, "keep.example.test", 17));                                                      \
    OK(P##set_email(O, "keep@example.test", 17));                                                     \
    OK(P##set_ip(O, "192.0.2.7"));                                                                    \
    OK(P##set_host_flags(O, TH_X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS));                                \
    OK(P##set_auth_level(O, 1));                                                                      \
    OK(FLAGS(O, TH_X509_STORE_FLAGS_X509_STRICT));                                                    \
    BAD(P##set_host(O, NULL, 3), TH_ERR_TYPE);                                                        \
    BAD(P##set_host(O, "a\0b.test", 8), TH_ERR_TYPE);                                                 \
    BAD(P##set_host(O, "", 0), TH_ERR_VALUE);                                                         \
    BAD(P##set_host(O, longname, 256), TH_ERR_VALUE);                                                 \
    BAD(P##set_host(O, longname, SIZE_MAX), TH_ERR_VALUE); /* checked before any byte is read */      \
    BAD(P##add_host(O, NULL, 1), TH_ERR_TYPE);                                                        \
    BAD(P##add_host(O, "x\0", 2), TH_ERR_TYPE);                                                       \
    BAD(P##add_host(O, longname, 300), TH_ERR_VALUE);                                                 \
    BAD(P##set_ip(O, NULL), TH_ERR_TYPE);                                                             \
    const char *bad_ips[] = {"", "1.2.3", "256.1.1.1", "192.0.2.1 ", "::g", "1:2:3:4:5:6:7:8:9",     \
                             "example.test", "192.0.2.1/24", "[::1]"};                                \
    for (size_t i = 0; i < sizeof bad_ips / sizeof bad_ips[0]; i++)                                   \
      BAD(P##set_ip(O, bad_ips[i]), TH_ERR_VALUE);                                                    \
    BAD(P##set_email(O, NULL, 1), TH_ERR_TYPE);                                                       \
    BAD(P##set_email(O, "a\0@b.test", 9), TH_ERR_TYPE);                                               \
    BAD(P##set_email(O, "", 0), TH_ERR_VALUE);                                                        \
    BAD(P##set_email(O, "no-at.example.test", 18), TH_ERR_VALUE);                                     \
    BAD(P##set_email(O, longname, 256), TH_ERR_VALUE);                                                \
    BAD(P##set_host_flags(O, 0x40), TH_ERR_VALUE);                                                    \
    BAD(P##set_host_flags(O, 0x80000000u), TH_ERR_VALUE);                                             \
    BAD(P##set_purpose(O, 0), TH_ERR_VALUE);                                                          \
    BAD(P##set_purpose(O, -1), TH_ERR_VALUE);                                                         \
    BAD(P##set_purpose(O, 99), TH_ERR_VALUE);                                                         \
    BAD(P##set_purpose(O, INT_MIN), TH_ERR_VALUE);                                                    \
    BAD(P##set_auth_level(O, -1), TH_ERR_VALUE);                                                      \
    BAD(P##set_auth_level(O, 6), TH_ERR_VALUE);                                                       \
    BAD(P##set_auth_level(O, INT_MAX), TH_ERR_VALUE);                                                 \
    BAD(FLAGS(O, 0x1), TH_ERR_VALUE);                                                                 \
    BAD(FLAGS(O, 0x40000), TH_ERR_VALUE);                                                             \
    BAD(FLAGS(O, ~0UL), TH_ERR_VALUE);                                                                \
    /* what each accepts */                                                                           \
    OK(P##set_host(O, longname, 255));                                                                \
    OK(P##add_host(O, "www.example.test.", 17));                                                      \
    OK(P##set_ip(O, "2001:db8::1"));                                                                  \
    OK(P##set_ip(O, "::ffff:192.0.2.1"));                                                             \
    OK(P##set_email(O, "user@example.test", 17));                                                     \
    OK(P##set_host_flags(O, TH_X509_CHECK_FLAGS_ALL));                                                \
    OK(P##set_host_flags(O, 0));                                                                      \
    for (int pp = TH_X509_PURPOSE_SSL_CLIENT; pp <= TH_X509_PURPOSE_TIMESTAMP_SIGN; pp++)             \
      OK(P##set_purpose(O, pp));                                                                      \
    for (int l = 0; l <= 5; l++) OK(P##set_auth_level(O, l));                                         \
    OK(FLAGS(O, TH_X509_STORE_FLAGS_ALL));                                                            \
    snap s;                                                                                           \
    take(PARAM, &s);                                                                                  \
    cr_expect_str_eq(s.host, longname_255());                                                         \
    cr_expect_str_eq(s.ip, "0:0:0:0:0:FFFF:C000:201");                                                \
    cr_expect_str_eq(s.email, "user@example.test");                                                   \
    cr_expect_eq(s.auth_level, 5);                                                                    \
    cr_expect_eq(s.flags & TH_X509_STORE_FLAGS_ALL, (unsigned long)TH_X509_STORE_FLAGS_ALL);          \
    /* NULL and wrong-type objects */                                                                 \
    th_pkey *k = tu_ec_key();                                                                         \
    cr_expect_eq(P##set_host(NULL, "a", 1), TH_ERR_TYPE);                                             \
    cr_expect_eq(P##set_host((void *)k, "a", 1), TH_ERR_TYPE);                                        \
    cr_expect_eq(P##add_host(NULL, "a", 1), TH_ERR_TYPE);                                             \
    cr_expect_eq(P##set_ip((void *)k, "::1"), TH_ERR_TYPE);                                           \
    cr_expect_eq(P##set_email(NULL, "a@b", 3), TH_ERR_TYPE);                                          \
    cr_expect_eq(P##set_host_flags((void *)k, 0), TH_ERR_TYPE);                                       \
    cr_expect_eq(P##set_purpose(NULL, 1), TH_ERR_TYPE);                                               \
    cr_expect_eq(P##set_auth_level((void *)k, 1), TH_ERR_TYPE);                                       \
    cr_expect_eq(FLAGS(NULL, 0), TH_ERR_TYPE);                                                        \
    th_pkey_free(k);                                                                                  \
  }

static const char *longname_255(void) {
  static char s[256];
  memset(s, 'a', 255);
  return s;
}

Test(verify_names_args, x509_store_setters) {
  th_x509_store *O = th_x509_store_new();
  X509_STORE *raw = th_x509_store_to_x509_store(O);
#define PARAM X509_STORE_get0_param(raw)
  SETTER_TESTS(th_x509_store_, th_x509_store_set_flags)
#undef PARAM
  X509_STORE_free(raw);
  th_x509_store_free(O);
}

Test(verify_names_args, context_setters) {
  th_context *O = th_context_new(TH_TLS_METHOD);
  SSL_CTX *raw = th_context_to_ssl_ctx(O);
#define PARAM SSL_CTX_get0_param(raw)
  SETTER_TESTS(th_context_, th_context_set_verify_flags)
#undef PARAM
  SSL_CTX_free(raw);
  th_context_free(O);
}

Test(verify_names_args, connection_setters_and_their_own_copy) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  cr_assert_eq(th_context_set_host(ctx, "from.context.test", 17), TH_OK);
  th_connection *O = th_connection_new(ctx, -1);
  cr_assert_not_null(O, "%s", tu_err());
  SSL *raw = th_connection_to_ssl(O);
  /* The connection starts from its context's names ... */
  cr_expect_str_eq(X509_VERIFY_PARAM_get0_host(SSL_get0_param(raw), 0), "from.context.test");
#define PARAM SSL_get0_param(raw)
  SETTER_TESTS(th_connection_, th_connection_set_verify_flags)
#undef PARAM
  /* ... and changes only its own copy. */
  SSL_CTX *rctx = th_context_to_ssl_ctx(ctx);
  cr_expect_str_eq(X509_VERIFY_PARAM_get0_host(SSL_CTX_get0_param(rctx), 0), "from.context.test");
  SSL_CTX_free(rctx);
  SSL_free(raw);
  th_connection_free(O);
  th_context_free(ctx);
}

Test(verify_names_args, add_host_keeps_the_earlier_names) {
  th_x509_store *st = th_x509_store_new();
  X509_STORE *raw = th_x509_store_to_x509_store(st);
  X509_VERIFY_PARAM *p = X509_STORE_get0_param(raw);
  cr_assert_eq(th_x509_store_set_host(st, "one.test", 8), TH_OK);
  cr_assert_eq(th_x509_store_add_host(st, "two.test", 8), TH_OK);
  cr_expect_str_eq(X509_VERIFY_PARAM_get0_host(p, 0), "one.test");
  cr_expect_str_eq(X509_VERIFY_PARAM_get0_host(p, 1), "two.test");
  cr_assert_eq(th_x509_store_set_host(st, "three.test", 10), TH_OK); /* replaces both */
  cr_expect_str_eq(X509_VERIFY_PARAM_get0_host(p, 0), "three.test");
  cr_expect_null(X509_VERIFY_PARAM_get0_host(p, 1));
  X509_STORE_free(raw);
  th_x509_store_free(st);
}

Test(verify_names_args, peer_name_bad_input_and_before_a_handshake) {
  th_context *ctx = th_context_new(TH_TLS_METHOD);
  th_connection *c = th_connection_new(ctx, -1);
  th_bytes *out = (th_bytes *)1;
  cr_expect_eq(th_connection_get_peer_name(NULL, &out), TH_ERR_TYPE);
  cr_expect_eq(th_connection_get_peer_name((void *)ctx, &out), TH_ERR_TYPE);
  cr_expect_eq(th_connection_get_peer_name(c, NULL), TH_ERR_TYPE);
  cr_expect_eq(th_connection_get_peer_name(c, &out), TH_OK);
  cr_expect_null(out, "no handshake, no peer name");
  th_connection_free(c);
  th_context_free(ctx);
}
