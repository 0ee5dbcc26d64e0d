/* example_test.c — a C test of a TLS client against a running badssl
 * catalogue (docs/badssl.md), built with badssl_cc_test (badssl.bzl), which
 * exports BADSSL_MANIFEST_TSV and BADSSL_CA.
 *
 * The "client under test" here is a minimal verifying client written with
 * this library (connect, th_context with the catalogue's CA, host-name check,
 * handshake, GET, read to close_notify). For every served certificate
 * endpoint, its verdict must be the manifest's expected one. A real user
 * puts their own client in place of client_connects(). Prints
 * `tests: N passed, N failed`. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tlsharness/tlsharness.h"

/* 1 when a verified, complete exchange happened with addr:port as host. */
static int client_connects(const char *ca, const char *host, const char *addr, int port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) return 0; /* this example: IPv4 only */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  th_context *ctx = th_context_new(TH_TLS_CLIENT_METHOD);
  th_connection *conn = NULL;
  int ok =
      ctx && th_context_load_verify_locations(ctx, ca, NULL) == TH_OK &&
      th_context_set_verify(ctx, TH_VERIFY_PEER, NULL, NULL) == TH_OK &&
      (conn = th_connection_new(ctx, fd)) != NULL &&
      th_connection_set_tlsext_host_name(conn, (const unsigned char *)host, strlen(host)) == TH_OK &&
      th_connection_set_host(conn, host, strlen(host)) == TH_OK; /* the name check */
  static const char req[] = "GET / HTTP/1.1\r\nHost: badssl\r\nConnection: close\r\n\r\n";
  ok = ok && th_connection_set_connect_state(conn) == TH_OK &&
       th_connection_do_handshake(conn) == TH_OK &&
       th_connection_sendall(conn, req, sizeof req - 1, 0, NULL) == TH_OK;
  char buf[4096];
  int n = 0;
  while (ok && (n = th_connection_recv_into(conn, buf, sizeof buf, 0, 0)) > 0) {
  }
  ok = ok && n == TH_ERR_ZERO_RETURN; /* the reply ended with close_notify */
  th_connection_free(conn);
  th_context_free(ctx);
  close(fd);
  return ok;
}

int main(void) {
  const char *tsv = getenv("BADSSL_MANIFEST_TSV"), *ca = getenv("BADSSL_CA");
  FILE *f = tsv ? fopen(tsv, "r") : NULL;
  if (f == NULL || ca == NULL) {
    fprintf(stderr, "run me under with_badssl.sh (badssl_cc_test): no BADSSL_MANIFEST_TSV\n");
    return 1;
  }
  /* The certificate endpoints this minimal client handles like a correct one. */
  static const char *const ids[] = {
      "good",        "expired",        "not-yet-valid",    "wrong-host",
      "self-signed", "untrusted-root", "incomplete-chain", "ecdsa-p384",
      "ed25519",     "bad-eku",        "long-chain"};
  char id[64], host[256], addr[64], expected[8], crl[64];
  int port, passed = 0, failed = 0;
  while (fscanf(f, "%63s %255s %63s %d %7s %63s", id, host, addr, &port, expected, crl) == 6) {
    int wanted = 0;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) wanted |= strcmp(id, ids[i]) == 0;
    if (!wanted) continue;
    int ok = client_connects(ca, host, addr, port);
    int agree = ok == (strcmp(expected, "ok") == 0);
    printf("%s %-20s expected %-4s got %s\n", agree ? "PASS" : "FAIL", id, expected,
           ok ? "ok" : "fail");
    agree ? passed++ : failed++;
  }
  fclose(f);
  printf("tests: %d passed, %d failed\n", passed, failed);
  return failed == 0 && passed == (int)(sizeof ids / sizeof ids[0]) ? 0 : 1;
}
