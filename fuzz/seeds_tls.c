/* seeds_tls.c — handshake and session seeds recorded from loopback pairs.
 *
 * Each scenario runs a pair made from the fuzz targets' own Contexts
 * (fuzz_server_context / fuzz_client_context: same PKI, same callbacks;
 * mutual TLS, SNI, ALPN, OCSP stapling), observed with
 * TH_LOOPBACK_OBSERVE_TRANSCRIPT | PCAP: handshake, application data both
 * ways, tickets, close_notify both ways, then a resumption of the session.
 * The pcap export is cut back into flights (the bytes one side sent before
 * the other answered), written in fuzz_tls.h's flight format: the client's
 * flights become server_handshake seeds, the server's client_handshake
 * seeds; the client's session (DER) a session_der seed. The transcript is
 * written next to the seeds (*.transcript.txt) for people reading them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tls.h"
#include "fuzz_use.h"
#include "seeds.h"

typedef struct scenario {
  const char *name;
  int version;               /* min = max */
  const char *cipher12;      /* client cipher list for TLS 1.2, or NULL */
  const char *server_groups; /* NULL: default */
  const char *client_groups;
  int staple;                /* the server staples an OCSP response */
} scenario;

static const scenario scenarios[] = {
    {"tls13-mtls", TLS1_3_VERSION, NULL, NULL, NULL, 0},
    {"tls13-hrr", TLS1_3_VERSION, NULL, "P-256", "X25519:P-256", 0},
    {"tls13-staple", TLS1_3_VERSION, NULL, NULL, NULL, 1},
    {"tls12-ecdhe-ecdsa", TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", NULL, NULL, 1},
    {"tls12-ecdhe-rsa-cbc", TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA", NULL, NULL, 0},
    {"tls12-rsa-kx", TLS1_2_VERSION, "AES128-GCM-SHA256", NULL, NULL, 0},
    {"tls12-chacha", TLS1_2_VERSION, "ECDHE-RSA-CHACHA20-POLY1305", NULL, NULL, 0},
    {"tls13-x448", TLS1_3_VERSION, NULL, "X448", "X448", 0},
};

static void die(const char *where) {
  fprintf(stderr, "fuzz_seeds: %s: %s\n", where, th_error_last()->message);
  exit(1);
}

/* A minimal OCSPResponse (responseStatus unauthorized, no body), DER. */
static const unsigned char ocsp_resp[] = {0x30, 0x03, 0x0a, 0x01, 0x06};

static int staple_cb(th_connection *conn, const unsigned char **resp, size_t *len, void *user) {
  *resp = ocsp_resp;
  *len = sizeof ocsp_resp;
  return TH_OK;
}

/* Flights of one direction, in flight format. */
typedef struct flights {
  unsigned char *data;
  size_t len, cap;
  size_t open; /* offset of the current flight's length field, or (size_t)-1 */
} flights;

static void fl_add(flights *f, const unsigned char *p, size_t n, int new_flight) {
  if (f->len + n + 2 > f->cap) {
    f->cap = (f->len + n + 2) * 2;
    f->data = realloc(f->data, f->cap);
    if (f->data == NULL) exit(1);
  }
  size_t cur = f->open == (size_t)-1 ? 0 : (size_t)f->data[f->open] << 8 | f->data[f->open + 1];
  if (new_flight || f->open == (size_t)-1 || cur + n > 0xffff) {
    f->open = f->len;
    f->len += 2;
    cur = 0;
  }
  memcpy(f->data + f->len, p, n);
  f->len += n;
  cur += n;
  f->data[f->open] = (unsigned char)(cur >> 8);
  f->data[f->open + 1] = (unsigned char)cur;
}

static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le32(const unsigned char *p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

/* Split the pair's pcap (th_loopback_pcap: Ethernet / IPv4 / TCP, client
 * 10.0.0.1) into the two directions' flights. */
static void split_pcap(const th_bytes *pcap, flights out[2]) {
  int last = -1;
  for (size_t pos = 24; pos + 16 <= pcap->len;) {
    size_t caplen = le32(pcap->data + pos + 8);
    const unsigned char *eth = pcap->data + pos + 16, *ip = eth + 14;
    pos += 16 + caplen;
    if (pos > pcap->len || caplen < 14 + 20) break;
    size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = get16(ip + 2);
    const unsigned char *tcp = ip + ihl;
    size_t thl = (size_t)(tcp[12] >> 4) * 4;
    if (total < ihl + thl) continue;
    size_t n = total - ihl - thl;
    if (n == 0) continue; /* SYN, ACK, FIN */
    int from = ip[15] == 1 ? TH_LOOPBACK_CLIENT : TH_LOOPBACK_SERVER;
    fl_add(&out[from], tcp + thl, n, from != last);
    last = from;
  }
}

static void configure(th_context *ctx, const scenario *sc, int server) {
  const char *groups = server ? sc->server_groups : sc->client_groups;
  if (groups != NULL && th_context_set_groups(ctx, groups) != TH_OK) die("set_groups");
  if (!server && sc->cipher12 != NULL && th_context_set_cipher_list(ctx, sc->cipher12) != TH_OK)
    die("set_cipher_list");
  if (server && sc->staple && th_context_set_ocsp_server_callback(ctx, staple_cb, NULL) != TH_OK)
    die("ocsp server callback");
}

static void record(th_loopback_pair *p, const char *name) {
  th_bytes *pcap = th_loopback_pcap(p);
  th_bytes *transcript = th_loopback_transcript(p);
  if (pcap == NULL || transcript == NULL) die("pcap/transcript");
  flights f[2] = {{.open = (size_t)-1}, {.open = (size_t)-1}};
  split_pcap(pcap, f);
  if (f[0].len == 0 || f[1].len == 0) {
    fprintf(stderr, "fuzz_seeds: %s: no flights in the pcap\n", name);
    exit(1);
  }
  char nm[256];
  snprintf(nm, sizeof nm, "%s.flights", name);
  seed_write("server_handshake", nm, f[TH_LOOPBACK_CLIENT].data, f[TH_LOOPBACK_CLIENT].len);
  seed_write("client_handshake", nm, f[TH_LOOPBACK_SERVER].data, f[TH_LOOPBACK_SERVER].len);
  snprintf(nm, sizeof nm, "%s.transcript.txt", name);
  seed_write("transcripts", nm, transcript->data, transcript->len);
  free(f[0].data);
  free(f[1].data);
  th_bytes_free(pcap);
  th_bytes_free(transcript);
}

static void converse(th_loopback_pair *p) {
  static const unsigned char req[] = "GET / HTTP/1.0\r\n\r\n", resp[] = "HTTP/1.0 200 OK\r\n\r\n";
  if (th_loopback_handshake(p) != TH_OK) die("handshake");
  if (th_loopback_send(p, TH_LOOPBACK_CLIENT, req, sizeof req - 1) != TH_OK ||
      th_loopback_expect(p, TH_LOOPBACK_SERVER, req, sizeof req - 1) != TH_OK ||
      th_loopback_send(p, TH_LOOPBACK_SERVER, resp, sizeof resp - 1) != TH_OK ||
      th_loopback_expect(p, TH_LOOPBACK_CLIENT, resp, sizeof resp - 1) != TH_OK)
    die("application data");
  if (th_loopback_flush_tickets(p) < 0) die("flush_tickets");
}

static void set_client_names(th_loopback_pair *p) {
  static const char *const alpn[] = {"h2", "http/1.1"};
  th_connection *c = th_loopback_pair_connection(p, TH_LOOPBACK_CLIENT);
  if (c == NULL || th_connection_set_tlsext_host_name(c, (const unsigned char *)"localhost", 9) != TH_OK ||
      th_connection_set_alpn_protos(c, alpn, 2) != TH_OK)
    die("client SNI/ALPN");
  th_connection_free(c);
}

static void run_scenario(const scenario *sc) {
  th_context *s = fuzz_server_context(), *c = fuzz_client_context();
  if (s == NULL || c == NULL) die("contexts");
  configure(s, sc, 1);
  configure(c, sc, 0);
  th_loopback_pair *p = th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP);
  if (p == NULL ||
      th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT | TH_LOOPBACK_OBSERVE_PCAP) != TH_OK ||
      th_loopback_pair_set_versions(p, sc->version, sc->version) != TH_OK)
    die("pair");
  set_client_names(p);
  converse(p);
  th_session *sess = th_loopback_pair_get_session(p);
  th_bytes *der = sess ? th_session_to_der(sess) : NULL;
  if (der == NULL) die("session");
  char nm[256];
  snprintf(nm, sizeof nm, "%s.session.der", sc->name);
  seed_write("session_der", nm, der->data, der->len);
  th_bytes_free(der);
  th_session_free(sess);
  if (th_loopback_shutdown(p, TH_LOOPBACK_CLIENT) != TH_OK) die("shutdown");
  record(p, sc->name);
  /* The resumed handshake: PSK / ticket / session id paths. */
  th_loopback_pair *p2 = NULL;
  if (th_loopback_resume(p, &p2) != TH_OK) die("resume");
  snprintf(nm, sizeof nm, "%s-resumed", sc->name);
  record(p2, nm);
  th_loopback_pair_free(p2);
  th_loopback_pair_free(p);
  th_context_free(s);
  th_context_free(c);
}

void seeds_tls(void) {
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) run_scenario(&scenarios[i]);
}
