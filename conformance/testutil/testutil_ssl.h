/* testutil_ssl.h — what every SSL test suite (Context, Session,
 * Connection, ALPN, sessions, verify, callbacks, renegotiation, interop)
 * shares: a small PKI (root CA -> intermediate CA -> server leaf; root ->
 * client leaf), contexts built with the Context API itself, and an
 * in-memory pair of th_connection pumped with bio_read/bio_write by a
 * bounded handshake driver that reports which side stalled and on what.
 * Independent of the public loopback library. Prefix ts_. */
#ifndef TLSHARNESS_TESTUTIL_SSL_H
#define TLSHARNESS_TESTUTIL_SSL_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tlsharness/tlsharness.h"

/* The smallest OCSPResponse (RFC 6960): status tryLater, no body, DER
 * (30 03 0a 01 03). A server staples what it is given up to OpenSSL 3.5;
 * from 3.6 only bytes that parse as an OCSPResponse are stapled (compat.md). */
#define TS_OCSP_TRY_LATER "\x30\x03\x0a\x01\x03"
#define TS_OCSP_TRY_LATER_LEN 5u

/* Subjects' common names. */
#define TS_ROOT_CN "ts root CA"
#define TS_CLIENT_CN "ts client"

typedef struct ts_pki {
  EVP_PKEY *root_key, *inter_key, *server_key, *client_key;
  X509 *root, *inter, *server, *client;
} ts_pki;
/* The per-process PKI (EC P-256, made on first use; never freed). The
 * server leaf (CN=localhost) is issued by the intermediate, the client
 * leaf (CN=TS_CLIENT_CN) by the root. */
const ts_pki *ts_pki_get(void);

/* ts_write_cert / ts_write_key write PEM files under tu_tmpdir() and return
 * the path (a static buffer per call site is not kept: copy it). pass
 * non-NULL encrypts the key with AES-256-CBC. cr_asserts. */
const char *ts_write_cert(const char *name, X509 *const *certs, size_t n);
const char *ts_write_key(const char *name, EVP_PKEY *key, const char *pass);
/* DER files. */
const char *ts_write_cert_der(const char *name, X509 *cert);
const char *ts_write_key_der(const char *name, EVP_PKEY *key);
/* ts_pki_files writes, under tu_tmpdir(), for the openssl tool: ca.pem
 * (root and intermediate: enough to verify either leaf without a sent
 * chain), server.pem, server.key, client.pem, client.key. cr_asserts. */
void ts_pki_files(void);

/* th_ wrappers of the raw objects (caller frees). */
th_x509 *ts_x509(X509 *x);
th_pkey *ts_pkey(EVP_PKEY *k);

/* Context options for ts_server_ctx / ts_client_ctx. */
enum {
  TS_CHAIN = 1,               /* server: send the intermediate as extra chain cert */
  TS_CERT = 2,                /* client: present the client certificate */
  TS_TRUST = 4,               /* trust the root (verify mode unchanged) */
  TS_VERIFY = 8,              /* trust the root and verify the peer (VERIFY_PEER) */
  TS_REQUIRE = 16,            /* with TS_VERIFY: also FAIL_IF_NO_PEER_CERT */
  TS_CLIENT_CA = 32,          /* server: send the root as client CA name */
  TS_ALLOW_CLIENT_RENEG = 64, /* TH_OP_ALLOW_CLIENT_RENEGOTIATION */
};
/* ts_need_version ends the calling test as UNSUPPORTED when this build was
 * configured without the protocol version (no-ssl3, no-tls1, no-tls1_1);
 * version 0 (any) is always there. */
void ts_need_version(int version);
/* ts_need_method: the same for a TH_*_METHOD pinned to one version. */
void ts_need_method(int method);
/* ts_need_npn: the same for a build configured with no-nextprotoneg (after
 * checking that the library answers TH_ERR_UNSUPPORTED there). */
void ts_need_npn(void);

/* Contexts made with th_context_new + the Context API; version 0 = any,
 * else min = max = version (ts_need_version first: a version the build was
 * configured without ends the test as UNSUPPORTED). The server always has its certificate and key.
 * The caller frees them. cr_asserts. */
th_context *ts_server_ctx(int version, int opts);
th_context *ts_client_ctx(int version, int opts);

typedef struct ts_pair {
  th_connection *client, *server;
} ts_pair;
/* ts_pair_new: memory-BIO connections on the contexts, client in connect
 * state, server in accept state (cr_asserts). */
void ts_pair_new(ts_pair *p, th_context *cctx, th_context *sctx);
/* ts_pair_new_v: a pair on fresh contexts (client copts, server sopts). */
void ts_pair_new_v(ts_pair *p, int version, int copts, int sopts);
/* ts_pair_free marks both ends as cleanly shut down (so that their
 * sessions stay resumable, as after a real close_notify exchange), then
 * frees them. To test an unclean end, free the connections directly. */
void ts_pair_free(ts_pair *p);
/* ts_pump moves every pending byte both ways; returns the count moved. */
size_t ts_pump(ts_pair *p);
/* ts_handshake drives both sides' do_handshake, at most 64 rounds.
 * Returns TH_OK; the first hard error of either side (*side = 'c' or 's',
 * why = "client failed: <error>"; the error record is that call's); or
 * TH_ERR_STALLED when nothing moved while a side still waits (*side is the
 * first waiting side, why says what each side waits for). side and why may
 * be NULL. */
int ts_handshake(ts_pair *p, char *side, char *why, size_t whysz);
/* ts_connect: a handshake that must succeed, then the client reads what
 * the server sent after it (TLS 1.3 tickets). */
void ts_connect(ts_pair *p);
/* ts_read_tickets: pump, and let the client process pending records. */
void ts_read_tickets(ts_pair *p);
/* ts_close exchanges close_notify both ways (client first). */
void ts_close(ts_pair *p);
/* ts_send_recv sends msg from -> to (both in p) and asserts it arrives
 * intact (at most 4096 bytes). */
void ts_send_recv(th_connection *from, th_connection *to, ts_pair *p, const char *msg);

#endif
