/* loopback_conn.c — pairs over SSL.Context / SSL.Connection objects, and
 * pyOpenSSL's own test helpers (handshake_in_memory, interact_in_memory)
 * over two memory-BIO Connections. */
#include <string.h>

#include "loopback_internal.h"
#include "tlsharness/connection.h"

/* What th_connection_from_ssl sets on the SSL of a Connection. */
#define LB_CONN_MODES (SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)

th_loopback_pair *th_loopback_pair_new(th_context *server, th_context *client, int transport) {
  TH_CHECK_NULL(server, &TH_TYPE_CONTEXT);
  TH_CHECK_NULL(client, &TH_TYPE_CONTEXT);
  th_loopback_pair *p = th_loopback_pair_new_raw(server->ctx, client->ctx, transport);
  if (p == NULL) return NULL;
  p->wrap_conns = 3; /* both sides: checked again at their first step */
  for (int i = 0; i < 2; i++) {
    SSL_set_mode(p->ssl[i], LB_CONN_MODES);
    if (th__lb_wrap_conn(p, i) != TH_OK) {
      th_loopback_pair_free(p);
      return NULL;
    }
  }
  return p;
}

th_connection *th_loopback_pair_connection(th_loopback_pair *pair, int side) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_check_side(side, __func__) != TH_OK) return NULL;
  if (pair->conn[side] == NULL && (pair->conn[side] = th_connection_from_ssl(pair->ssl[side])) == NULL)
    return NULL;
  return th_connection_up_ref(pair->conn[side]);
}

/* Moves everything one memory-BIO Connection wrote to the other; returns
 * the bytes moved or a negative status. */
static long move(th_connection *from, th_connection *to) {
  long moved = 0;
  for (;;) {
    th_bytes *b = th_connection_bio_read(from, 65536);
    if (b == NULL) {
      if (th_error_kind() == TH_ERR_WANT_READ) return moved;
      return th_error_kind();
    }
    int rc = b->len > 0 ? th_connection_bio_write(to, b->data, b->len) : 0;
    moved += (long)b->len;
    th_bytes_free(b);
    if (rc < 0) return rc;
    if (moved == 0) return 0;
  }
}

int th_loopback_interact_in_memory(th_connection *client, th_connection *server, int *side,
                                   th_bytes **data) {
  TH_CHECK(client, &TH_TYPE_CONNECTION);
  TH_CHECK(server, &TH_TYPE_CONNECTION);
  TH_CHECK_ARG(side);
  TH_CHECK_ARG(data);
  *side = -1;
  *data = NULL;
  th_connection *c[2] = {client, server};
  for (int round = 0; round < 100000; round++) {
    long moved = 0;
    for (int s = 0; s < 2; s++) {
      /* pyOpenSSL: try read.recv(2 ** 16); WantReadError means "not yet". */
      th_bytes *b = th_connection_recv(c[s], 65536, 0);
      if (b != NULL) {
        *side = s;
        *data = b;
        return TH_OK;
      }
      if (th_error_kind() != TH_ERR_WANT_READ) return th_error_kind();
      long m = move(c[s], c[!s]);
      if (m < 0) return (int)m;
      moved += m;
    }
    if (moved == 0) return TH_OK; /* None */
  }
  return th__err(TH_ERR_STALLED, "%s: no end after 100000 rounds", __func__);
}

int th_loopback_handshake_in_memory(th_connection *client, th_connection *server) {
  TH_CHECK(client, &TH_TYPE_CONNECTION);
  TH_CHECK(server, &TH_TYPE_CONNECTION);
  int rc = th_connection_set_connect_state(client);
  if (rc == TH_OK) rc = th_connection_set_accept_state(server);
  if (rc != TH_OK) return rc;
  th_connection *c[2] = {client, server};
  for (int round = 0; round < 100000; round++) {
    long moved = 0;
    int done = 0;
    for (int s = 0; s < 2; s++) {
      rc = th_connection_do_handshake(c[s]);
      if (rc == TH_OK) done++;
      else if (rc != TH_ERR_WANT_READ) return rc;
      long m = move(c[s], c[!s]);
      if (m < 0) return (int)m;
      moved += m;
    }
    if (done == 2) return TH_OK;
    if (moved == 0)
      return th__err(TH_ERR_STALLED,
                     "%s stalled: client %s, server %s; no bytes in flight", __func__,
                     SSL_is_init_finished(client->ssl) ? "finished" : "waits to read (WANT_READ)",
                     SSL_is_init_finished(server->ssl) ? "finished" : "waits to read (WANT_READ)");
  }
  return th__err(TH_ERR_STALLED, "%s: no end after 100000 rounds", __func__);
}
