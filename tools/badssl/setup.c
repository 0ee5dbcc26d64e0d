/* setup.c — one server th_context per endpoint, then a probe: a permissive
 * in-memory client (every version and suite at @SECLEVEL=0, a client
 * certificate, ALPN h2) must complete a loopback handshake with it, or the
 * endpoint is listed as not served with the reason (a build without TLS 1.0,
 * RC4, ...). Nothing is assumed about the build: it is tried. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlsharness/loopback.h"
#include "tools/badssl/badssl.h"

#define WEAK "DEFAULT:@SECLEVEL=0" /* servers of weak endpoints load what level 2 refuses */

/* RFC 2409 group 2 (1024-bit MODP), generator 2: a public constant. */
static const char DH1024[] =
    "-----BEGIN DH PARAMETERS-----\n"
    "MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR\n"
    "Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL\n"
    "/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC\n"
    "-----END DH PARAMETERS-----\n";

int bs_write_file(const char *dir, const char *name, const void *data, size_t len) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return TH_ERR_SYSCALL;
  ssize_t n = write(fd, data, len);
  int rc = close(fd);
  return n == (ssize_t)len && rc == 0 ? TH_OK : TH_ERR_SYSCALL;
}

/* ---- helpers the setups share ---------------------------------------------- */

static int serve(bs_endpoint *ep, const th_fixtures_cert *cert) {
  return th_fixtures_configure_server(ep->ctx, cert);
}

static int serve_leaf(bs_cat *cat, bs_endpoint *ep, th_fixtures_cert *issuer,
                      const th_fixtures_spec *spec) {
  th_fixtures_cert *leaf = bs_leaf(&cat->pki, issuer, spec);
  int rc = leaf ? serve(ep, leaf) : th_error_kind();
  th_fixtures_cert_free(leaf);
  return rc;
}

static int weak(bs_endpoint *ep, const char *ciphers) {
  return th_context_set_cipher_list(ep->ctx, ciphers ? ciphers : WEAK);
}

static int versions(bs_endpoint *ep, int min, int max) {
  int rc = th_context_set_min_proto_version(ep->ctx, min);
  return rc == TH_OK ? th_context_set_max_proto_version(ep->ctx, max) : rc;
}

static int staple_cb(th_connection *conn, const unsigned char **resp, size_t *len, void *user) {
  const bs_endpoint *ep = user;
  *resp = ep->ocsp;
  *len = ep->ocsp_len;
  return TH_OK;
}

static int staple(bs_cat *cat, bs_endpoint *ep, th_fixtures_cert *leaf, int revoked) {
  th_fixtures_cert *issuer = revoked ? cat->pki.root : cat->pki.inter;
  int rc = bs_ocsp_response(leaf, issuer, revoked, &ep->ocsp, &ep->ocsp_len);
  if (rc == TH_OK) rc = th_context_set_ocsp_server_callback(ep->ctx, staple_cb, ep);
  return rc == TH_OK ? serve(ep, leaf) : rc;
}

static int h2_only(th_connection *conn, const char *const *offered, size_t count,
                   const char **selected, void *user) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(offered[i], "h2") == 0) {
      *selected = offered[i];
      return TH_OK;
    }
  return TH_ERR_VALUE; /* fails the handshake: no_application_protocol */
}

static int client_auth(bs_cat *cat, bs_endpoint *ep, int mode) {
  th_x509 *root = th_fixtures_cert_x509(cat->pki.root);
  int rc = root ? th_context_add_client_ca(ep->ctx, root) : th_error_kind();
  th_x509_free(root);
  if (rc == TH_OK) rc = th_fixtures_configure_client(ep->ctx, cat->pki.root);
  if (rc == TH_OK) rc = th_context_set_verify(ep->ctx, mode, NULL, NULL);
  return rc == TH_OK ? serve(ep, cat->pki.good) : rc;
}

/* The leaf alone, without its intermediate. */
static int serve_bare(bs_endpoint *ep, const th_fixtures_cert *leaf) {
  th_x509 *x = th_fixtures_cert_x509(leaf);
  th_pkey *k = th_fixtures_cert_pkey(leaf);
  int rc = x && k ? th_context_use_certificate(ep->ctx, x) : th_error_kind();
  if (rc == TH_OK) rc = th_context_use_privatekey(ep->ctx, k);
  th_x509_free(x);
  th_pkey_free(k);
  return rc;
}

/* root -> inter-1 -> ... -> inter-9 -> leaf: the leaf is at depth 0, the
 * root at depth 10. */
static int long_chain(bs_cat *cat, bs_endpoint *ep) {
  th_fixtures_cert *ca = th_fixtures_cert_up_ref(cat->pki.root);
  for (int i = 1; i <= 9 && ca != NULL; i++) {
    char cn[32];
    snprintf(cn, sizeof cn, "badssl chain CA %d", i);
    th_fixtures_spec spec = {.common_name = cn};
    th_fixtures_cert *next =
        th_fixtures_issue(cat->pki.fx, ca, TH_FIXTURES_ROLE_INTERMEDIATE, &spec);
    th_fixtures_cert_free(ca);
    ca = next;
  }
  int rc = ca ? serve_leaf(cat, ep, ca, NULL) : th_error_kind();
  th_fixtures_cert_free(ca);
  return rc;
}

/* A private, non-critical extension whose value is a 64 KiB OCTET STRING. */
static int huge(bs_cat *cat, bs_endpoint *ep) {
  const size_t n = 65536;
  const char head[] = "1.3.6.1.4.1.55555.64=DER:04:83:01:00:00";
  char *ext = malloc(sizeof head + 3 * n);
  if (ext == NULL) return TH_ERR_NOMEM;
  memcpy(ext, head, sizeof head - 1);
  char *p = ext + sizeof head - 1;
  for (size_t i = 0; i < n; i++, p += 3) memcpy(p, ":42", 3);
  *p = '\0';
  th_fixtures_spec spec = {.extensions = (const char *const[]){ext, NULL}};
  int rc = serve_leaf(cat, ep, NULL, &spec);
  free(ext);
  return rc;
}

static int under(bs_cat *cat, bs_endpoint *ep, const th_fixtures_spec *ca_spec) {
  th_fixtures_cert *ca =
      th_fixtures_issue(cat->pki.fx, cat->pki.root, TH_FIXTURES_ROLE_INTERMEDIATE, ca_spec);
  int rc = ca ? serve_leaf(cat, ep, ca, NULL) : th_error_kind();
  th_fixtures_cert_free(ca);
  return rc;
}

static int dh1024(bs_cat *cat, bs_endpoint *ep) {
  char path[PATH_MAX + 16];
  int rc = bs_write_file(cat->dir, "dh1024.pem", DH1024, sizeof DH1024 - 1);
  snprintf(path, sizeof path, "%s/dh1024.pem", cat->dir);
  if (rc == TH_OK) rc = versions(ep, 0, TH_TLS1_2_VERSION);
  if (rc == TH_OK) rc = weak(ep, "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0");
  if (rc == TH_OK) rc = th_context_load_tmp_dh(ep->ctx, path);
  if (rc != TH_OK) return rc;
  /* DHE-RSA needs an RSA leaf: it certifies the RSA intermediate's key
   * (saves an RSA-2048 key generation). */
  th_pkey *k = th_fixtures_cert_pkey(cat->pki.rsa_inter);
  th_fixtures_spec spec = {.reuse_key = k};
  rc = k ? serve_leaf(cat, ep, NULL, &spec) : th_error_kind();
  th_pkey_free(k);
  return rc;
}

static int rsa8192(bs_cat *cat, bs_endpoint *ep) {
  th_pkey *k = bs_rsa8192_key();
  th_fixtures_spec spec = {.reuse_key = k};
  int rc = k ? serve_leaf(cat, ep, NULL, &spec) : th_error_kind();
  th_pkey_free(k);
  return rc;
}

static int revoked_crl(bs_cat *cat, bs_endpoint *ep) {
  th_bytes *pem = th_crypto_dump_crl(TH_FILETYPE_PEM, cat->pki.root_crl);
  int rc = pem ? bs_write_file(cat->dir, "revoked.crl.pem", pem->data, pem->len) : th_error_kind();
  th_bytes_free(pem);
  snprintf(ep->crl, sizeof ep->crl, "revoked.crl.pem");
  return rc == TH_OK ? serve(ep, cat->pki.revoked) : rc;
}

/* ---- the setup of each endpoint ------------------------------------------------ */

/* Name and extension lists of the specs below (static: a spec keeps pointers). */
static const char *const WRONG_HOST[] = {"wrong.host.badssl.test", NULL};
static const char *const WILDCARD[] = {"*.badssl.test", NULL};
static const char *const IP_ONLY[] = {"127.0.0.1", "::1", NULL};
static const char *const NO_SAN[] = {"subjectAltName=", NULL};
static const char *const CLIENT_EKU[] = {"extendedKeyUsage=clientAuth", NULL};
static const char *const EXAMPLE_ONLY[] = {"nameConstraints=critical,permitted;DNS:example.com",
                                           NULL};

#define NOT_MINE 1 /* a setup_* that does not know the endpoint */
#define IS(x) (strcmp(ep->def->id, x) == 0)

/* Leaves under the main intermediate that differ only by their spec. */
static int setup_spec(bs_cat *cat, bs_endpoint *ep) {
  th_fixtures_spec s = {0};
  if (IS("expired")) s.not_before = "20200101000000Z", s.not_after = "20210101000000Z";
  if (IS("not-yet-valid")) s.not_before = "20980101000000Z";
  if (IS("wrong-host")) s.names = WRONG_HOST;
  if (IS("ecdsa-p256")) s.key = TH_FIXTURES_KEY_P256;
  if (IS("ecdsa-p384")) s.key = TH_FIXTURES_KEY_P384;
  if (IS("ed25519")) s.key = TH_FIXTURES_KEY_ED25519;
  if (IS("no-san-cn-only")) s.common_name = "localhost", s.extensions = NO_SAN;
  if (IS("wildcard") || IS("wildcard-deep")) s.names = WILDCARD;
  if (IS("ip-san") || IS("ip-san-ipv6")) s.names = IP_ONLY;
  if (IS("bad-eku")) s.extensions = CLIENT_EKU;
  if (s.not_before || s.names || s.key || s.common_name || s.extensions)
    return serve_leaf(cat, ep, NULL, &s);
  return NOT_MINE;
}

/* Certificates that need their own issuer, key or security level. */
static int setup_cert(bs_cat *cat, bs_endpoint *ep) {
  bs_pki *pki = &cat->pki;
  th_fixtures_spec leaf = {0}, ca = {0};
  if (IS("rsa1024") || IS("weak-sig-md5") || IS("sha1-intermediate")) {
    int rc = weak(ep, NULL);
    if (rc != TH_OK) return rc;
    if (IS("sha1-intermediate")) {
      ca.digest = "sha1", ca.common_name = "badssl SHA-1 intermediate";
      return under(cat, ep, &ca);
    }
    leaf.key = IS("rsa1024") ? TH_FIXTURES_KEY_RSA1024 : 0;
    leaf.digest = IS("weak-sig-md5") ? "md5" : NULL;
    return serve_leaf(cat, ep, IS("weak-sig-md5") ? pki->rsa_inter : NULL, &leaf);
  }
  if (IS("name-constrained-violation")) {
    ca.common_name = "badssl example.com-only CA", ca.extensions = EXAMPLE_ONLY;
    return under(cat, ep, &ca);
  }
  if (IS("self-signed")) {
    th_fixtures_cert *c = th_fixtures_issue(pki->fx, NULL, TH_FIXTURES_ROLE_SERVER, NULL);
    int rc = c ? serve(ep, c) : th_error_kind();
    th_fixtures_cert_free(c);
    return rc;
  }
  if (IS("untrusted-root")) return serve_leaf(cat, ep, pki->other_inter, NULL);
  if (IS("incomplete-chain")) return serve_bare(ep, pki->good);
  if (IS("revoked")) return revoked_crl(cat, ep);
  if (IS("revoked-ocsp-stapled")) return staple(cat, ep, pki->revoked, 1);
  if (IS("ocsp-stapled-good")) return staple(cat, ep, pki->good, 0);
  if (IS("rsa8192")) return rsa8192(cat, ep);
  if (IS("long-chain")) return long_chain(cat, ep);
  if (IS("huge-certificate")) return huge(cat, ep);
  return NOT_MINE;
}

/* Protocol endpoints: the good leaf with other versions, suites, ALPN or
 * client authentication. */
static int setup_proto(bs_cat *cat, bs_endpoint *ep) {
  int rc = TH_OK;
  if (IS("dh-1024")) return dh1024(cat, ep);
  if (IS("client-cert-required"))
    return client_auth(cat, ep, TH_VERIFY_PEER | TH_VERIFY_FAIL_IF_NO_PEER_CERT);
  if (IS("client-cert-optional")) return client_auth(cat, ep, TH_VERIFY_PEER);
  if (IS("tls1.0") || IS("tls1.1")) {
    int v = IS("tls1.0") ? TH_TLS1_VERSION : TH_TLS1_1_VERSION;
    rc = weak(ep, NULL);
    if (rc == TH_OK) rc = versions(ep, v, v);
  } else if (IS("rc4") || IS("3des") || IS("null")) {
    rc = versions(ep, 0, TH_TLS1_2_VERSION);
    if (rc == TH_OK)
      rc = weak(ep, IS("rc4")    ? "RC4:@SECLEVEL=0"
                    : IS("3des") ? "3DES:@SECLEVEL=0"
                                 : "eNULL:@SECLEVEL=0");
  } else if (IS("tls1.2-only") || IS("renegotiate-request")) {
    rc = versions(ep, 0, TH_TLS1_2_VERSION);
  } else if (IS("tls1.3-only") || IS("key-update-storm")) {
    rc = versions(ep, TH_TLS1_3_VERSION, 0);
  } else if (IS("no-common-cipher")) {
    rc = versions(ep, TH_TLS1_3_VERSION, 0);
    if (rc == TH_OK) rc = th_context_set_ciphersuites(ep->ctx, "TLS_AES_128_CCM_8_SHA256");
  } else if (IS("alpn-h2-only")) {
    rc = th_context_set_alpn_select_callback(ep->ctx, h2_only, NULL);
  }
  /* ... and good and the behaviours: the good leaf as it is. */
  return rc == TH_OK ? serve(ep, cat->pki.good) : rc;
}
#undef IS

static int setup(bs_cat *cat, bs_endpoint *ep) {
  int rc = setup_spec(cat, ep);
  if (rc == NOT_MINE) rc = setup_cert(cat, ep);
  return rc == NOT_MINE ? setup_proto(cat, ep) : rc;
}

/* ---- the probe ------------------------------------------------------------------ */

static th_context *probe_client(bs_cat *cat) {
  static const char *const alpn[] = {"h2", "http/1.1"};
  th_context *c = th_context_new(TH_TLS_CLIENT_METHOD);
  if (c == NULL) return NULL;
  int rc = th_context_set_cipher_list(c, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
  if (rc == TH_OK) rc = th_context_set_min_proto_version(c, TH_TLS1_VERSION);
  if (rc == TH_OK)
    rc = th_context_set_ciphersuites(c,
                                     "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                     "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_8_SHA256");
  if (rc == TH_OK) rc = th_context_set_alpn_protos(c, alpn, 2);
  if (rc == TH_OK) rc = th_fixtures_configure_server(c, cat->pki.client);
  if (rc != TH_OK) {
    th_context_free(c);
    return NULL;
  }
  return c;
}

static void not_served(bs_endpoint *ep, const char *what) {
  char err[256];
  th_error_format(err, sizeof err);
  ep->served = 0;
  snprintf(ep->reason, sizeof ep->reason, "%s: %s", what, err);
}

static void probe(bs_endpoint *ep, th_context *client) {
  th_loopback_pair *p = th_loopback_pair_new(ep->ctx, client, TH_LOOPBACK_PUMP);
  if (p == NULL || th_loopback_handshake(p) != TH_OK)
    not_served(ep, "this OpenSSL build cannot serve it (a permissive in-memory client failed)");
  th_loopback_pair_free(p);
}

int bs_cat_build(bs_cat *cat, unsigned long long seed, const char *dir) {
  memset(cat, 0, sizeof *cat);
  cat->seed = seed;
  snprintf(cat->dir, sizeof cat->dir, "%s", dir);
  int rc = bs_pki_init(&cat->pki, seed);
  if (rc == TH_OK) rc = bs_write_file(dir, "ca.pem", cat->pki.ca_pem->data, cat->pki.ca_pem->len);
  th_context *client = rc == TH_OK ? probe_client(cat) : NULL;
  if (client == NULL) return rc != TH_OK ? rc : th_error_kind();
  size_t n;
  const bs_def *defs = bs_defs(&n);
  for (size_t i = 0; i < n && i < BS_MAX_ENDPOINTS; i++, cat->n++) {
    bs_endpoint *ep = &cat->ep[i];
    ep->def = &defs[i];
    ep->listen_fd = -1;
    ep->served = 1;
    ep->ctx = th_context_new(TH_TLS_SERVER_METHOD);
    if (ep->ctx == NULL || setup(cat, ep) != TH_OK)
      not_served(ep, "this OpenSSL build refuses its configuration");
    else
      probe(ep, client);
  }
  th_context_free(client);
  return TH_OK;
}

void bs_cat_free(bs_cat *cat) {
  for (size_t i = 0; i < cat->n; i++) {
    th_context_free(cat->ep[i].ctx);
    free(cat->ep[i].ocsp);
  }
  bs_pki_free(&cat->pki);
  memset(cat, 0, sizeof *cat);
}
