/* failsweep_loopback.c — the loopback paths the other scenarios do not
 * allocate on: making a pair over a socket transport, a pair whose end BIOs stay
 * after its faults are cleared (their lean write path), an INJECT fault's
 * copy, a FLIP_BIT fault's copy of the chunk it changes (a failure must be
 * reported, never a flip silently skipped), and th_peer's own context and
 * fault copies. */
#include <string.h>

#include <openssl/bio.h>

#include "failsweep.h"
#include "tlsharness/peer.h"

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

/* The bytes the client's SSL has written so far (its end BIO counts them). */
static size_t client_written(th_loopback_pair *pair) {
  fs_pause();
  SSL *ssl = th_loopback_pair_ssl(pair, C);
  size_t n = ssl != NULL ? (size_t)BIO_number_written(SSL_get_wbio(ssl)) : 0;
  SSL_free(ssl);
  fs_resume();
  return n;
}

static int loopback_edges(void) {
  int rc = TH_OK;
  th_context *s = NULL, *c = NULL;
  th_loopback_pair *sock = NULL, *pair = NULL;
  th_peer *peer = NULL;
  static const unsigned char ping[] = "ping";
  fs_pause();
  rc = fs_make_contexts(TH_TLS1_2_VERSION, &s, &c);
  fs_resume();
  if (rc != TH_OK) {
    rc = fs_finding("setup");
    goto out;
  }
  /* Only its making: a handshake over it allocates as the others do. */
  FS_GET(sock, th_loopback_pair_new(s, c, TH_LOOPBACK_UNIX));
  FS_GET(pair, th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP));
  th_loopback_fault inj = {.kind = TH_LOOPBACK_FAULT_INJECT, .from = C, .at = 1u << 30, .data = ping, .len = 4};
  FS_TRY(th_loopback_pair_add_fault(pair, &inj));
  FS_TRY(th_loopback_pair_clear_faults(pair));
  FS_TRY(th_loopback_handshake(pair));
  /* Bit 0 of the client's next record's first body byte: the server must
   * refuse the record (or the sender report the flip it could not make). */
  th_loopback_fault flip = {.kind = TH_LOOPBACK_FAULT_FLIP_BIT, .from = C, .n = 0, .at = client_written(pair) + 5};
  FS_TRY(th_loopback_pair_add_fault(pair, &flip));
  FS_TRY(th_loopback_send(pair, C, ping, 4));
  int e = th_loopback_expect(pair, S, ping, 4);
  if (e == TH_OK) {
    rc = fs_finding("a flipped bit went unnoticed (the flip was skipped?)");
    goto out;
  }
  if (e != TH_ERR_SSL) FS_TRY(e);
  /* th_peer: its context, a copy of a fault's data. */
  FS_GET(peer, th_peer_new_from_files(TH_PEER_CLIENT, NULL, NULL, NULL));
  FS_TRY(th_peer_add_fault(peer, &inj));
out:
  th_peer_free(peer);
  th_loopback_pair_free(pair);
  th_loopback_pair_free(sock);
  th_context_free(s);
  th_context_free(c);
  return rc;
}

const fs_scenario fs_loopback_scenarios[] = {
    {"loopback_edges", loopback_edges, 0},
    {NULL, NULL, 0},
};
