/* client_th.c — the library's own client for --check tlsharness: a correct
 * client as catalogue.c defines it, written with th_context /
 * th_connection over a blocking socket (10 s receive/send timeouts).
 *
 * Host names and IP addresses are checked with the library's own name API
 * (th_connection_set_host / set_ip, TH_X509_CHECK_FLAG_NEVER_CHECK_SUBJECT:
 * no CN fallback). One check goes through the escape hatch because the API
 * does not express it: reading a stapled OCSP response (OCSP_* on the DER
 * bytes the OCSP client callback receives, verified against the peer's chain
 * and the context's trust store). */
#include <errno.h>
#include <netinet/in.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tools/badssl/badssl.h"

static int connect_to(const char *addr, int port) {
  struct sockaddr_storage ss;
  socklen_t len = bs_sockaddr(addr, port, &ss);
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct timeval tv = {10, 0};
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Stapled OCSP: no response is fine (revocation then rests on CRLs); a
 * response must verify and must not say "revoked". */
static int ocsp_check(th_connection *conn, const unsigned char *resp, size_t len, void *user) {
  if (len == 0) return 1;
  SSL *ssl = th_connection_to_ssl(conn);
  const unsigned char *p = resp;
  OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
  OCSP_BASICRESP *b = r ? OCSP_response_get1_basic(r) : NULL;
  STACK_OF(X509) *chain = ssl ? SSL_get0_verified_chain(ssl) : NULL; /* leaf .. root */
  X509 *leaf = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
  X509_STORE *store = ssl ? SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)) : NULL;
  int ok = 0, status = -1, reason;
  if (b != NULL && chain != NULL && leaf != NULL && OCSP_basic_verify(b, chain, store, 0) == 1) {
    for (int i = 1; i < sk_X509_num(chain) && status < 0; i++) {
      OCSP_CERTID *id = OCSP_cert_to_id(NULL, leaf, sk_X509_value(chain, i));
      ASN1_GENERALIZEDTIME *rev, *thisupd, *nextupd;
      if (id && OCSP_resp_find_status(b, id, &status, &reason, &rev, &thisupd, &nextupd) &&
          !OCSP_check_validity(thisupd, nextupd, 300, -1))
        status = -1;
      OCSP_CERTID_free(id);
    }
    ok = status == V_OCSP_CERTSTATUS_GOOD;
  }
  OCSP_BASICRESP_free(b);
  OCSP_RESPONSE_free(r);
  SSL_free(ssl);
  return ok;
}

static int setup_ctx(th_context *ctx, const bs_cat *cat, const bs_endpoint *ep) {
  static const char *const alpn[] = {"http/1.1"};
  char path[PATH_MAX + 80];
  snprintf(path, sizeof path, "%s/ca.pem", cat->dir);
  int rc = th_context_load_verify_locations(ctx, path, NULL);
  if (rc == TH_OK) rc = th_context_set_verify(ctx, TH_VERIFY_PEER, NULL, NULL);
  if (rc == TH_OK) rc = th_context_set_min_proto_version(ctx, TH_TLS1_2_VERSION);
  /* A correct client's policy whatever the build's default: security level
   * 2 refuses RSA-1024 and DH-1024 (an upstream build defaults to level 1,
   * which accepts both; Debian's defaults to 2). */
  if (rc == TH_OK) rc = th_context_set_security_level(ctx, 2);
  if (rc == TH_OK) rc = th_context_set_alpn_protos(ctx, alpn, 1);
  if (rc == TH_OK) rc = th_context_set_ocsp_client_callback(ctx, ocsp_check, NULL);
  if (rc == TH_OK && ep->crl[0]) {
    snprintf(path, sizeof path, "%s/%s", cat->dir, ep->crl);
    FILE *f = fopen(path, "rb");
    unsigned char buf[65536];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    th_crl *crl = th_crypto_load_crl(TH_FILETYPE_PEM, buf, n);
    th_x509_store *store = th_context_get_cert_store(ctx);
    rc = crl && store ? th_x509_store_add_crl(store, crl) : th_error_kind();
    if (rc == TH_OK) rc = th_x509_store_set_flags(store, X509_V_FLAG_CRL_CHECK);
    th_crl_free(crl);
    th_x509_store_free(store);
  }
  return rc;
}

/* SNI (for a name) and the host check (name or IP), with no CN fallback. */
static int set_host(th_connection *conn, const char *host) {
  int is_ip = strchr(host, ':') != NULL || strspn(host, "0123456789.") == strlen(host);
  if (!is_ip &&
      th_connection_set_tlsext_host_name(conn, (const unsigned char *)host, strlen(host)) != TH_OK)
    return -1;
  if (th_connection_set_host_flags(conn, TH_X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) != TH_OK)
    return -1;
  int rc = is_ip ? th_connection_set_ip(conn, host) : th_connection_set_host(conn, host, strlen(host));
  return rc == TH_OK ? 0 : -1;
}

/* Reads the reply: complete when close_notify ends it, or when a
 * Content-Length body has fully arrived. */
static int read_reply(th_connection *conn, char *detail, size_t dn) {
  char buf[8192] = "";
  size_t got = 0;
  for (;;) {
    int n = th_connection_recv_into(conn, buf + got, sizeof buf - 1 - got, 0, 0);
    if (n > 0) {
      got += (size_t)n;
      buf[got] = '\0';
      if (got < sizeof buf - 1) continue;
    }
    char *body = strstr(buf, "\r\n\r\n");
    char *cl = strstr(buf, "Content-Length: ");
    if (n == TH_ERR_ZERO_RETURN && body) return BS_OK;
    if (body && cl && got - (size_t)(body + 4 - buf) >= strtoul(cl + 16, NULL, 10)) return BS_OK;
    char err[200];
    th_error_format(err, sizeof err);
    snprintf(detail, dn, "reply incomplete (%zu bytes): %s", got, n >= 0 ? "too long" : err);
    return BS_FAIL;
  }
}

int bs_client_th(const bs_cat *cat, const bs_endpoint *ep, char *detail, size_t dn) {
  static const char req[] = "GET / HTTP/1.1\r\nHost: badssl\r\nConnection: close\r\n\r\n";
  th_context *ctx = th_context_new(TH_TLS_CLIENT_METHOD);
  int fd = connect_to(bs_addr(ep), ep->port);
  th_connection *conn = NULL;
  int verdict = BS_FAIL;
  char err[240] = "";
  if (ctx == NULL || fd < 0) {
    snprintf(detail, dn, "cannot connect: %s", ctx ? strerror(errno) : "no context");
  } else if (setup_ctx(ctx, cat, ep) != TH_OK || (conn = th_connection_new(ctx, fd)) == NULL ||
             set_host(conn, bs_host(ep)) != 0 || th_connection_set_connect_state(conn) != TH_OK) {
    th_error_format(err, sizeof err);
    snprintf(detail, dn, "client setup failed: %s", err);
  } else if (th_connection_do_handshake(conn) != TH_OK ||
             th_connection_sendall(conn, req, sizeof req - 1, 0, NULL) != TH_OK) {
    long v = th_connection_get_verify_result(conn);
    th_error_format(err, sizeof err);
    if (v != X509_V_OK)
      snprintf(detail, dn, "verify error %ld (%s)", v, X509_verify_cert_error_string(v));
    else
      snprintf(detail, dn, "%s", err);
  } else {
    verdict = read_reply(conn, detail, dn);
    if (verdict == BS_OK) snprintf(detail, dn, "complete reply");
  }
  th_connection_free(conn);
  if (fd >= 0) close(fd);
  th_context_free(ctx);
  return verdict;
}
