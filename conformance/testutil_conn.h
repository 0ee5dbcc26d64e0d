/* testutil_conn.h — what the Connection tests share: a small PKI (an EC CA
 * with a server and a client certificate), contexts built from it, and an
 * in-memory client/server pair with a bounded handshake driver that says
 * which side stalled. Independent of the public loopback library. */
#ifndef TLSHARNESS_TESTUTIL_CONN_H
#define TLSHARNESS_TESTUTIL_CONN_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "tlsharness/tlsharness.h"

/* The per-process PKI (made on first use, EC P-256, microseconds). */
typedef struct tc_pki {
  EVP_PKEY *ca_key, *server_key, *client_key;
  X509 *ca, *server, *client;
} tc_pki;
const tc_pki *tc_pki_get(void);
/* tc_pki_files writes ca.pem, server.pem, server.key, client.pem,
 * client.key under tu_tmpdir() (for the openssl tool); returns 0 or -1. */
int tc_pki_files(void);

/* Context options. version 0: any; else min = max = version. */
enum {
  TC_CERT = 1,        /* load our certificate and key (server: always) */
  TC_VERIFY = 2,      /* trust the CA and verify the peer */
  TC_REQUIRE = 4,     /* server: require a client certificate */
  TC_CLIENT_CA = 8,   /* server: send the CA as client CA name */
  TC_NO_TICKET = 16,  /* SSL_OP_NO_TICKET */
  TC_ALLOW_CLIENT_RENEG = 32, /* SSL_OP_ALLOW_CLIENT_RENEGOTIATION */
};
/* tc_server_ctx / tc_client_ctx make contexts (raw OpenSSL, wrapped with
 * th_context_from_ssl_ctx); the caller frees them. */
th_context *tc_server_ctx(int version, int opts);
th_context *tc_client_ctx(int version, int opts);

/* A memory-BIO pair: client in connect state, server in accept state. */
typedef struct tc_pair {
  th_connection *client, *server;
} tc_pair;
/* tc_pair_new makes the pair on the given contexts (cr_asserts). */
void tc_pair_new(tc_pair *p, th_context *cctx, th_context *sctx);
/* tc_pair_new_v: a pair on fresh contexts (server opts sopts, client copts). */
void tc_pair_new_v(tc_pair *p, int version, int copts, int sopts);
void tc_pair_free(tc_pair *p);

/* tc_pump moves every pending byte both ways; returns how many moved. */
size_t tc_pump(tc_pair *p);
/* tc_handshake drives both sides' do_handshake until both finish, at most
 * 64 rounds. Returns TH_OK, the first hard error of either side (why says
 * which), or TH_ERR_STALLED when no bytes moved and a side still waits
 * (why names the side and what it waits for). why may be NULL. */
int tc_handshake(tc_pair *p, char *why, size_t whysz);
/* tc_connect: tc_handshake that must succeed, then the client reads what
 * the server sent after its Finished (TLS 1.3 tickets). */
void tc_connect(tc_pair *p);
/* tc_close exchanges close_notify both ways (a TLS 1.2 session freed
 * without it is no longer resumable: OpenSSL's ssl_clear_bad_session). */
void tc_close(tc_pair *p);
/* tc_send_recv sends len bytes from -> to and asserts they arrive intact. */
void tc_send_recv(th_connection *from, th_connection *to, tc_pair *p, const char *msg);
/* tc_drive runs fn(conn) (retrying on WANT_READ/WANT_WRITE, pumping in
 * between) at most 64 rounds; returns fn's last status. */
int tc_drive(tc_pair *p, th_connection *conn, int (*fn)(th_connection *));

#endif
