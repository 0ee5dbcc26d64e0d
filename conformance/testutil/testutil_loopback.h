/* testutil_loopback.h — what the loopback tests share: raw contexts with a
 * small EC PKI (CA -> server "localhost"), pairs made from them, and an
 * assertion that prints the pair's transcript when it fails. Prefix tl_. */
#ifndef TLSHARNESS_TESTUTIL_LOOPBACK_H
#define TLSHARNESS_TESTUTIL_LOOPBACK_H

#include <criterion/criterion.h>
#include <openssl/ssl.h>

#include "tlsharness/tlsharness.h"

/* The per-process PKI: CA and server certificate and key (never freed). */
X509 *tl_ca(void);
X509 *tl_server_cert(void);
EVP_PKEY *tl_server_key(void);

/* tl_server_ctx / tl_client_ctx: raw TLS_method contexts (caller frees); version 0 =
 * any, else min = max = version. The client verifies the server. */
SSL_CTX *tl_server_ctx(int version);
SSL_CTX *tl_client_ctx(int version);

/* For th_peer tests (the memory pattern). tl_server_peer: a server peer on
 * tl_server_ctx(version) (caller frees; cr_asserts). tl_app_client: the
 * "application", a raw client SSL in connect state on a new
 * tl_client_ctx(0) returned in *ctx (caller frees both). tl_app_handshake:
 * runs the application's handshake, stepping the peer while it waits
 * (at most 50 steps); SSL_do_handshake's last result. */
th_peer *tl_server_peer(int version);
SSL *tl_app_client(SSL_CTX **ctx);
int tl_app_handshake(th_peer *p, SSL *app);

/* tl_pair: a pair of raw contexts on transport and version (cr_asserts).
 * It observes nothing (the lean pair); tl_pair_observed asks for `what`
 * (TH_LOOPBACK_OBSERVE_* bits) right away. */
th_loopback_pair *tl_pair(int transport, int version);
th_loopback_pair *tl_pair_observed(int transport, int version, int what);

/* tl_transcript: the pair's transcript as a static C string, for messages
 * ("(not observed)" for a pair without OBSERVE_TRANSCRIPT; the thread's
 * error record is left alone either way). */
const char *tl_transcript(th_loopback_pair *pair);

/* tl_assert_rc: assert rc == want, printing the error and the transcript. */
#define tl_assert_rc(pair, rc, want)                                                          \
  do {                                                                                        \
    int tl_rc_ = (rc), tl_want_ = (want);                                                     \
    cr_assert_eq(tl_rc_, tl_want_, "got %s, want %s: %s\ntranscript:\n%s", th_err_name(tl_rc_), \
                 th_err_name(tl_want_), tu_err(), tl_transcript(pair));                      \
  } while (0)

/* tl_version_name: "TLSv1.2" / "TLSv1.3". */
const char *tl_version_name(int version);

#endif
