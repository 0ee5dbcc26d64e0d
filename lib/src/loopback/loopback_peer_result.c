/* loopback_peer_result.c — what a th_peer reports once it ran: result,
 * received data, handshakes, faults fired, transcript and pcap. */

#include "loopback_internal.h"

static int running(th_peer *p, const char *func) {
  if (p->thread != NULL)
    return th__err(TH_ERR_VALUE, "%s: the peer's thread still runs; th_peer_wait first", func);
  if (p->pair == NULL) return th__err(TH_ERR_VALUE, "%s: the peer has not started", func);
  return TH_OK;
}

int th_peer_result(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->thread != NULL) return TH_ERR_WANT_READ;
  if (peer->pattern == PAT_ADOPT) return TH_OK;
  if (!peer->done) return peer->pc >= peer->nscript && peer->hs ? TH_OK : TH_ERR_WANT_READ;
  if (peer->status == TH_OK) return TH_OK;
  int k = peer->pair != NULL ? th__lb_failed(peer->pair, peer->role) : TH_OK;
  if (k != TH_OK) return k;
  th__err_set_record(&peer->start_err);
  return peer->status;
}

th_bytes *th_peer_received(th_peer *peer) {
  TH_CHECK_NULL(peer, &TH_TYPE_PEER);
  if (peer->thread != NULL) {
    running(peer, __func__);
    return NULL;
  }
  return th_bytes_new(peer->rx.data, peer->rx.len);
}

int th_peer_handshakes(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  if (peer->thread != NULL) return running(peer, __func__);
  return peer->pair != NULL ? peer->pair->hs_done[peer->role] : 0;
}

int th_peer_faults_fired(th_peer *peer) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  int rc = running(peer, __func__);
  return rc != TH_OK ? rc : th_loopback_pair_faults_fired(peer->pair);
}

th_bytes *th_peer_transcript(th_peer *peer) {
  TH_CHECK_NULL(peer, &TH_TYPE_PEER);
  if (running(peer, __func__) != TH_OK) return NULL;
  return th_loopback_transcript(peer->pair);
}

int th_peer_write_pcap(th_peer *peer, const char *path) {
  TH_CHECK(peer, &TH_TYPE_PEER);
  int rc = running(peer, __func__);
  return rc != TH_OK ? rc : th_loopback_write_pcap(peer->pair, path);
}
