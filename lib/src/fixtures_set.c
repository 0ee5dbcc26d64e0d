/* fixtures_set.c — the default fixture set: a chain per key type, the edge
 * cases with their expected verdicts, and the shared files. The catalogue
 * is documented in docs/fixtures.md; manifest.tsv is its machine form. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509v3.h>

#include "fixtures_internal.h"

#define MAX_ROOTS 16
#define ATTR(x) ((const char *const[]){x, NULL})

typedef struct set_ctx {
  th_fixtures *fx;
  th__fx_out *out;
  th_fixtures_cert *roots[MAX_ROOTS];
  size_t nroots;
  th_fixtures_cert *hold[64]; /* everything issued, freed at the end */
  size_t nhold;
} set_ctx;

static th_fixtures_cert *issue(set_ctx *s, th_fixtures_cert *issuer, int role,
                               const th_fixtures_spec *spec) {
  if (s->nhold == sizeof s->hold / sizeof s->hold[0]) {
    th__err(TH_ERR_VALUE, "fixtures: too many certificates in one step");
    return NULL;
  }
  th_fixtures_cert *c = th_fixtures_issue(s->fx, issuer, role, spec);
  if (c != NULL) s->hold[s->nhold++] = c;
  return c;
}

static void release(set_ctx *s) {
  for (size_t i = 0; i < s->nhold; i++) th_fixtures_cert_free(s->hold[i]);
  s->nhold = 0;
}

static int put_crl(set_ctx *s, const char *base, th_fixtures_cert *ca, const char *next,
                   th_fixtures_cert *signer, const char *what) {
  X509_CRL *crl = th__fx_crl_raw(ca, NULL, next, signer);
  if (crl == NULL) return th_error_kind();
  int rc = th__fx_put_crl(s->out, base, crl, what);
  X509_CRL_free(crl);
  return rc;
}

/* ---- one chain per key type ---- */
static int key_chain(set_ctx *s, int key) {
  const char *k = th_fixtures_key_name(key);
  th_fixtures_spec spec = {.key = key};
  th_fixtures_cert *root = issue(s, NULL, TH_FIXTURES_ROLE_ROOT, &spec);
  th_fixtures_cert *inter = root ? issue(s, root, TH_FIXTURES_ROLE_INTERMEDIATE, &spec) : NULL;
  th_fixtures_cert *srv = inter ? issue(s, inter, TH_FIXTURES_ROLE_SERVER, &spec) : NULL;
  th_fixtures_cert *cli = srv ? issue(s, inter, TH_FIXTURES_ROLE_CLIENT, &spec) : NULL;
  if (cli == NULL) return th_error_kind();
  s->roots[s->nroots++] = th_fixtures_cert_up_ref(root);
  char b[4][256], f[4][256], args[1024];
  const char *names[4] = {"root", "inter", "server", "client"};
  th_fixtures_cert *certs[4] = {root, inter, srv, cli};
  int rc = TH_OK;
  for (int i = 0; i < 4 && rc == TH_OK; i++) {
    snprintf(b[i], sizeof b[i], "%s/%s", k, names[i]);
    snprintf(f[i], sizeof f[i], "%s/%s.pem", k, names[i]);
    rc = th__fx_put_cert(s->out, b[i], certs[i], names[i], "a valid certificate of the chain");
    if (rc == TH_OK) rc = th__fx_put_key(s->out, b[i], certs[i], names[i], i < 2 ? 1 : 5);
  }
  for (int i = 2; i < 4 && rc == TH_OK; i++) rc = th__fx_put_pkcs12(s->out, b[i], certs[i], names[i]);
  char chain[256], full[256], crl_root[256], crl_inter[256];
  snprintf(chain, sizeof chain, "%s/server.chain.pem", k);
  snprintf(full, sizeof full, "%s/server.fullchain.pem", k);
  if (rc == TH_OK) rc = th__fx_put_chain(s->out, chain, srv, 0, "server");
  if (rc == TH_OK) rc = th__fx_put_chain(s->out, full, srv, 1, "server");
  snprintf(args, sizeof args, "%s/server.csr.pem", k);
  if (rc == TH_OK) rc = th__fx_put_csr(s->out, args, srv);
  snprintf(crl_root, sizeof crl_root, "%s/root", k);
  snprintf(crl_inter, sizeof crl_inter, "%s/inter", k);
  if (rc == TH_OK) rc = put_crl(s, crl_root, root, NULL, NULL, "the root's CRL (empty)");
  if (rc == TH_OK) rc = put_crl(s, crl_inter, inter, NULL, NULL, "the intermediate's CRL (empty)");
  if (rc != TH_OK) return rc;
  /* Verdicts. */
  struct { int i; const char *what, *fmt; } rows[] = {
      {0, "root, trusted", "-CAfile %1$s/root.pem"},
      {1, "intermediate under its root", "-CAfile %1$s/root.pem"},
      {2, "server: TLS server purpose and host name",
       "-CAfile %1$s/root.pem -untrusted %1$s/inter.pem -purpose sslserver -verify_hostname localhost"},
      {2, "server: IPv6 address", "-CAfile %1$s/root.pem -untrusted %1$s/inter.pem -purpose sslserver -verify_ip ::1"},
      {2, "server: CRL checks of the whole chain",
       "-CAfile %1$s/root.pem -untrusted %1$s/inter.pem -crl_check_all -CRLfile %1$s/root.crl.pem -CRLfile %1$s/inter.crl.pem"},
      {2, "server: trusted through the CA bundle", "-CAfile ca-bundle.pem -untrusted %1$s/inter.pem -purpose sslserver"},
      {2, "server: trusted through the hashed CA folder", "-CApath capath -untrusted %1$s/inter.pem -purpose sslserver"},
      {3, "client: TLS client purpose and e-mail",
       "-CAfile %1$s/root.pem -untrusted %1$s/inter.pem -purpose sslclient -verify_email client@example.test"},
  };
  for (size_t i = 0; rc == TH_OK && i < sizeof rows / sizeof rows[0]; i++) {
    snprintf(args, sizeof args, rows[i].fmt, k);
    rc = th__fx_verify_row(s->out, f[rows[i].i], names[rows[i].i], k, X509_V_OK, rows[i].what, args);
  }
  return rc;
}

/* ---- edge cases (EC P-256 unless the case is about the key) ---- */
typedef struct verdict {
  int code;
  const char *args;
} verdict;

typedef struct edge {
  const char *name; /* edge/<name>.pem */
  const char *what;
  int issuer;       /* index into edges[]; -1: self-signed */
  int role, key;
  const char *digest, *not_before, *not_after;
  const char *const *exts;
  verdict v[6];     /* ends at the first empty args */
} edge;

enum { E_ROOT, E_INTER, E_SERVER, E_UNKNOWN_ROOT, E_NOT_CA, E_NO_CERTSIGN, E_NO_KU, E_PATHLEN0,
       E_PATHLEN_SUB, E_NC_PERMIT, E_NC_EXCLUDE, E_REVOKED_INTER, E_POLICY_ROOT, E_POLICY_INTER,
       E_REVOKED, E_FIRST_LEAF = E_REVOKED };

#define R "-CAfile edge/root.pem"
#define RI R " -untrusted edge/inter.pem"
#define POLICY "-CAfile edge/policy-root.pem -untrusted edge/policy-inter.pem"
#define OID "1.3.6.1.4.1.55555.1.1"
#define ROLE_I TH_FIXTURES_ROLE_INTERMEDIATE
#define ROLE_S TH_FIXTURES_ROLE_SERVER
static const edge edges[] = {
    [E_ROOT] = {"root", "root CA of the edge cases", -1, TH_FIXTURES_ROLE_ROOT, .v = {{0, R}}},
    [E_INTER] = {"inter", "intermediate CA of the edge cases", E_ROOT, ROLE_I, .v = {{0, R}}},
    [E_SERVER] = {"server", "valid server leaf (and the CRL, host and chain cases)", E_INTER, ROLE_S,
                  .v = {{0, RI " -purpose sslserver -verify_hostname localhost"},
                        {X509_V_ERR_HOSTNAME_MISMATCH, RI " -verify_hostname wrong.example"},
                        {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, R},
                        {X509_V_ERR_UNABLE_TO_GET_CRL, RI " -crl_check"},
                        {X509_V_ERR_CRL_HAS_EXPIRED, RI " -crl_check -CRLfile edge/inter-expired.crl.pem"},
                        {X509_V_ERR_CRL_SIGNATURE_FAILURE,
                         RI " -crl_check -CRLfile edge/inter-wrongkey.crl.pem"}}},
    [E_UNKNOWN_ROOT] = {"unknown-root", "a root nobody trusts", -1, TH_FIXTURES_ROLE_ROOT,
                        .v = {{X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, R}}},
    [E_NOT_CA] = {"not-ca", "intermediate with CA:FALSE", E_ROOT, ROLE_I,
                  .exts = ATTR("basicConstraints=critical,CA:FALSE"), .v = {{0, R}}},
    [E_NO_CERTSIGN] = {"ca-no-certsign", "intermediate whose keyUsage lacks keyCertSign", E_ROOT, ROLE_I,
                       .exts = ATTR("keyUsage=critical,digitalSignature,cRLSign"), .v = {{0, R}}},
    [E_NO_KU] = {"ca-no-keyusage", "intermediate without a keyUsage extension", E_ROOT, ROLE_I,
                 .exts = ATTR("keyUsage="), .v = {{0, R}}},
    [E_PATHLEN0] = {"pathlen0", "intermediate with pathlen:0", E_ROOT, ROLE_I,
                    .exts = ATTR("basicConstraints=critical,CA:TRUE,pathlen:0"), .v = {{0, R}}},
    [E_PATHLEN_SUB] = {"pathlen0-sub", "intermediate below a pathlen:0 one", E_PATHLEN0, ROLE_I,
                       .v = {{0, R " -untrusted edge/pathlen0.pem"}}},
    [E_NC_PERMIT] = {"nc-permitted", "intermediate permitting only DNS:example.com", E_ROOT, ROLE_I,
                     .exts = ATTR("nameConstraints=critical,permitted;DNS:example.com"), .v = {{0, R}}},
    [E_NC_EXCLUDE] = {"nc-excluded", "intermediate excluding DNS:localhost", E_ROOT, ROLE_I,
                      .exts = ATTR("nameConstraints=critical,excluded;DNS:localhost"), .v = {{0, R}}},
    [E_REVOKED_INTER] = {"revoked-inter", "intermediate revoked by the root", E_ROOT, ROLE_I,
                         .v = {{0, R}, {X509_V_ERR_CERT_REVOKED, R " -crl_check -CRLfile edge/root.crl.pem"}}},
    [E_POLICY_ROOT] = {"policy-root", "root asserting policy " OID, -1, TH_FIXTURES_ROLE_ROOT,
                       .exts = ATTR("certificatePolicies=" OID), .v = {{0, "-CAfile edge/policy-root.pem"}}},
    [E_POLICY_INTER] = {"policy-inter", "intermediate asserting the policy", E_POLICY_ROOT, ROLE_I,
                        .exts = ATTR("certificatePolicies=" OID), .v = {{0, "-CAfile edge/policy-root.pem"}}},
    [E_REVOKED] = {"revoked", "server leaf revoked by the intermediate", E_INTER, ROLE_S,
                   .v = {{X509_V_ERR_CERT_REVOKED, RI " -crl_check -CRLfile edge/inter.crl.pem"}, {0, RI}}},
    {"expired", "server leaf valid 2020-01-01..2021-01-01", E_INTER, ROLE_S,
     .not_before = TH__FX_EXPIRED_FROM, .not_after = TH__FX_EXPIRED_TO,
     .v = {{X509_V_ERR_CERT_HAS_EXPIRED, RI}}},
    {"not-yet-valid", "server leaf valid from 2098-01-01", E_INTER, ROLE_S,
     .not_before = TH__FX_FUTURE_FROM, .v = {{X509_V_ERR_CERT_NOT_YET_VALID, RI}}},
    {"self-signed-leaf", "self-signed server leaf", -1, ROLE_S,
     .v = {{X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, R}}},
    {"unknown-root-leaf", "leaf under a root nobody trusts", E_UNKNOWN_ROOT, ROLE_S,
     .v = {{X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, R " -untrusted edge/unknown-root.pem"},
           {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, R}}},
    {"revoked-inter-leaf", "leaf under a revoked intermediate", E_REVOKED_INTER, ROLE_S,
     .v = {{X509_V_ERR_CERT_REVOKED, R " -untrusted edge/revoked-inter.pem -crl_check_all "
                                     "-CRLfile edge/root.crl.pem -CRLfile edge/revoked-inter.crl.pem"},
           {0, R " -untrusted edge/revoked-inter.pem -crl_check -CRLfile edge/revoked-inter.crl.pem"}}},
    {"not-ca-leaf", "leaf under an intermediate with CA:FALSE", E_NOT_CA, ROLE_S,
     .v = {{X509_V_ERR_INVALID_CA, R " -untrusted edge/not-ca.pem"}}},
    {"wrong-eku", "server leaf whose extendedKeyUsage is clientAuth only", E_INTER, ROLE_S,
     .exts = ATTR("extendedKeyUsage=clientAuth"),
     .v = {{X509_V_ERR_INVALID_PURPOSE, RI " -purpose sslserver"}, {0, RI " -purpose sslclient"}}},
    {"ca-no-certsign-leaf", "leaf under a CA whose keyUsage lacks keyCertSign", E_NO_CERTSIGN, ROLE_S,
     .v = {{X509_V_ERR_INVALID_CA, R " -untrusted edge/ca-no-certsign.pem"}}},
    {"ca-no-keyusage-leaf", "leaf under a CA without keyUsage", E_NO_KU, ROLE_S,
     .v = {{0, R " -untrusted edge/ca-no-keyusage.pem"},
           {X509_V_ERR_CA_CERT_MISSING_KEY_USAGE, R " -untrusted edge/ca-no-keyusage.pem -x509_strict"}}},
    {"pathlen-leaf", "leaf two CAs below a pathlen:0 CA", E_PATHLEN_SUB, ROLE_S,
     .v = {{X509_V_ERR_PATH_LENGTH_EXCEEDED,
            R " -untrusted edge/pathlen0.pem -untrusted edge/pathlen0-sub.pem"}}},
    {"nc-permitted-leaf", "localhost leaf under a CA permitting only example.com", E_NC_PERMIT, ROLE_S,
     .v = {{X509_V_ERR_PERMITTED_VIOLATION, R " -untrusted edge/nc-permitted.pem"}}},
    {"nc-excluded-leaf", "localhost leaf under a CA excluding localhost", E_NC_EXCLUDE, ROLE_S,
     .v = {{X509_V_ERR_EXCLUDED_VIOLATION, R " -untrusted edge/nc-excluded.pem"}}},
    {"sha1", "server leaf signed with SHA-1", E_INTER, ROLE_S, .digest = "SHA1",
     .v = {{0, RI " -auth_level 0"}, {X509_V_ERR_CA_MD_TOO_WEAK, RI " -auth_level 1"}}},
    {"rsa1024", "server leaf with an RSA-1024 key", E_INTER, ROLE_S, .key = TH_FIXTURES_KEY_RSA1024,
     .v = {{0, RI " -auth_level 1"}, {X509_V_ERR_EE_KEY_TOO_SMALL, RI " -auth_level 2"}}},
    {"unknown-critical", "leaf with an unknown critical extension", E_INTER, ROLE_S,
     .exts = ATTR("1.3.6.1.4.1.55555.2.1=critical,DER:05:00"),
     .v = {{X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, RI}, {0, RI " -ignore_critical"}}},
    {"policy-leaf", "leaf asserting the policy", E_POLICY_INTER, ROLE_S,
     .exts = ATTR("certificatePolicies=" OID),
     .v = {{0, POLICY " -policy_check -explicit_policy -policy " OID}}},
    {"no-policy-leaf", "leaf without a policy under policy CAs", E_POLICY_INTER, ROLE_S,
     .v = {{X509_V_ERR_NO_EXPLICIT_POLICY, POLICY " -policy_check -explicit_policy -policy " OID},
           {0, POLICY}}},
};
#define N_EDGES (sizeof edges / sizeof edges[0])

static const char *role_name(int role) {
  static const char *const names[] = {"", "root", "inter", "server", "client"};
  return names[role];
}

static int edge_rows(set_ctx *s, const edge *e, th_fixtures_cert *c) {
  char base[256], file[256];
  snprintf(base, sizeof base, "edge/%s", e->name);
  snprintf(file, sizeof file, "edge/%s.pem", e->name);
  int rc = th__fx_put_cert(s->out, base, c, role_name(e->role), e->what);
  for (size_t i = 0; rc == TH_OK && i < 6 && e->v[i].args != NULL; i++)
    rc = th__fx_verify_row(s->out, file, role_name(e->role), th_fixtures_key_name(c->key_type),
                           e->v[i].code, e->what, e->v[i].args);
  return rc;
}

/* The proxy certificate: issued by the edge server leaf, its subject the
 * server's plus one CN (RFC 3820). */
static int proxy_case(set_ctx *s, th_fixtures_cert *server) {
  const char *exts[] = {"proxyCertInfo=critical,language:id-ppl-anyLanguage,pathlen:0",
                        "subjectAltName=", "extendedKeyUsage=", NULL};
  th_fixtures_spec spec = {.extensions = exts, .proxy = 1, .common_name = "proxy"};
  th_fixtures_cert *p = issue(s, server, TH_FIXTURES_ROLE_CLIENT, &spec);
  if (p == NULL) return th_error_kind();
  const char *args = R " -untrusted edge/proxy-chain.pem";
  edge e = {"proxy", "RFC 3820 proxy certificate issued by the edge server leaf", .role = ROLE_S,
            .v = {{X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED, args}}};
  int rc = th__fx_put_chain(s->out, "edge/proxy-chain.pem", server, 0, "server");
  if (rc == TH_OK) rc = edge_rows(s, &e, p);
  char a2[256];
  snprintf(a2, sizeof a2, "%s -allow_proxy_certs", args);
  if (rc == TH_OK) rc = th__fx_verify_row(s->out, "edge/proxy.pem", "server", "p256", 0, e.what, a2);
  return rc;
}

static int edge_crls(set_ctx *s, th_fixtures_cert **m) {
  int rc = th_fixtures_revoke(m[E_INTER], m[E_REVOKED], 1);
  if (rc == TH_OK) rc = th_fixtures_revoke(m[E_ROOT], m[E_REVOKED_INTER], 2);
  if (rc == TH_OK) rc = put_crl(s, "edge/inter", m[E_INTER], NULL, NULL, "the intermediate's CRL: revokes edge/revoked.pem");
  if (rc == TH_OK) rc = put_crl(s, "edge/root", m[E_ROOT], NULL, NULL, "the root's CRL: revokes edge/revoked-inter.pem");
  if (rc == TH_OK) rc = put_crl(s, "edge/revoked-inter", m[E_REVOKED_INTER], NULL, NULL, "CRL of the revoked intermediate (empty)");
  if (rc == TH_OK) rc = put_crl(s, "edge/inter-expired", m[E_INTER], TH__FX_CRL_EXPIRED_NEXT, NULL, "the intermediate's CRL, expired 2024-06-01");
  if (rc == TH_OK) rc = put_crl(s, "edge/inter-wrongkey", m[E_INTER], NULL, m[E_UNKNOWN_ROOT], "the intermediate's CRL signed by another key");
  return rc;
}

static int edge_cases(set_ctx *s) {
  th_fixtures_cert *m[N_EDGES];
  for (size_t i = 0; i < N_EDGES; i++) {
    const edge *e = &edges[i];
    th_fixtures_spec spec = {.key = e->key, .digest = e->digest, .not_before = e->not_before,
                             .not_after = e->not_after, .extensions = e->exts};
    if ((m[i] = issue(s, e->issuer >= 0 ? m[e->issuer] : NULL, e->role, &spec)) == NULL)
      return th_error_kind();
  }
  s->roots[s->nroots++] = th_fixtures_cert_up_ref(m[E_ROOT]);
  int rc = edge_crls(s, m);
  for (size_t i = 0; rc == TH_OK && i < N_EDGES; i++) rc = edge_rows(s, &edges[i], m[i]);
  if (rc == TH_OK) rc = th__fx_put_key(s->out, "edge/server", m[E_SERVER], "server", 1);
  if (rc == TH_OK) rc = th__fx_put_chain(s->out, "edge/server.chain.pem", m[E_SERVER], 0, "server");
  if (rc == TH_OK) rc = proxy_case(s, m[E_SERVER]);
  return rc;
}

/* ---- the whole set ---- */
static const int default_keys[] = {TH_FIXTURES_KEY_RSA2048, TH_FIXTURES_KEY_P256,
                                   TH_FIXTURES_KEY_P384,    TH_FIXTURES_KEY_ED25519,
                                   TH_FIXTURES_KEY_ED448,   TH_FIXTURES_KEY_DSA, 0};
static const int extended_keys[] = {TH_FIXTURES_KEY_RSA3072, TH_FIXTURES_KEY_RSA4096,
                                    TH_FIXTURES_KEY_P521, 0};

static int pick_keys(const th_fixtures_set_opts *o, int *keys, size_t cap) {
  size_t n = 0;
  const int *lists[2] = {o->keys ? o->keys : default_keys, o->extended ? extended_keys : NULL};
  for (int l = 0; l < 2; l++)
    for (size_t i = 0; lists[l] != NULL && lists[l][i] != 0; i++) {
      int k = lists[l][i];
      if (k <= 0 || k >= TH_FIXTURES_KEY_COUNT || k == TH_FIXTURES_KEY_RSA1024)
        return th__err(TH_ERR_VALUE, "th_fixtures_write_set: bad key type %d", k);
      int dup = 0;
      for (size_t j = 0; j < n; j++) dup |= keys[j] == k;
      if (!dup && n < cap) keys[n++] = k;
    }
  return (int)n;
}

static const char manifest_head[] =
    "# tlsharness fixture manifest: one row per check of a file.\n"
    "# Run `openssl <args>` in this folder: \"readable\" rows must exit 0; \"verify\" rows must\n"
    "# print the verdict (OK, or error NAME:code). Every verify row states -attime.\n"
    "file\trole\tkey\tformat\tverdict\twhat\targs\n";

static int finish(set_ctx *s) {
  int rc = th__fx_put_bundle(s->out, "ca-bundle.pem", s->roots, s->nroots);
  if (rc == TH_OK) rc = th__fx_put_capath(s->out, "capath", s->roots, s->nroots);
  if (rc == TH_OK) rc = th__fx_put_dh(s->out, s->fx, "dh/ffdhe2048.pem");
  char *rows = NULL;
  long n = BIO_get_mem_data(s->out->manifest, &rows);
  BIO *b = BIO_new(BIO_s_mem());
  if (rc == TH_OK && (b == NULL || BIO_write(b, manifest_head, sizeof manifest_head - 1) <= 0 ||
                      BIO_write(b, rows, (int)n) != (int)n))
    rc = th__err(TH_ERR_NOMEM, "th_fixtures_write_set: out of memory");
  char *p = NULL;
  long len = b ? BIO_get_mem_data(b, &p) : 0;
  if (rc == TH_OK) rc = th__fx_write(s->out, "manifest.tsv", p, (size_t)len);
  BIO_free(b);
  return rc;
}

int th_fixtures_write_set(const char *dir, unsigned long long seed, const th_fixtures_set_opts *opts) {
  static const th_fixtures_set_opts dflt;
  TH_CHECK_ARG(dir);
  if (opts == NULL) opts = &dflt;
  int keys[TH_FIXTURES_KEY_COUNT];
  int nkeys = pick_keys(opts, keys, TH_FIXTURES_KEY_COUNT);
  if (nkeys < 0) return nkeys;
  th__fx_out out = {.progress = opts->progress, .progress_total = nkeys + 2};
  if (snprintf(out.dir, sizeof out.dir, "%s", dir) >= (int)sizeof out.dir)
    return th__err(TH_ERR_VALUE, "th_fixtures_write_set: folder name too long");
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return th__err_sys(errno, "th_fixtures_write_set: cannot create %s", dir);
  set_ctx s = {.fx = th_fixtures_new(seed), .out = &out};
  out.manifest = BIO_new(BIO_s_mem());
  int rc = s.fx && out.manifest ? TH_OK : th_error_kind();
  for (int i = 0; rc == TH_OK && i < nkeys; i++) {
    rc = key_chain(&s, keys[i]);
    release(&s);
    th__fx_progress(&out, th_fixtures_key_name(keys[i]));
  }
  if (rc == TH_OK) rc = edge_cases(&s);
  release(&s);
  th__fx_progress(&out, "edge cases");
  if (rc == TH_OK) rc = finish(&s);
  th__fx_progress(&out, "bundle, capath, DH, manifest");
  for (size_t i = 0; i < s.nroots; i++) th_fixtures_cert_free(s.roots[i]);
  BIO_free(out.manifest);
  th_fixtures_free(s.fx);
  return rc == TH_OK ? (int)out.files : rc;
}
