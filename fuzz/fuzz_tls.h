/* fuzz_tls.h — the TLS side of the fuzz targets and of the seed generator:
 * the PKI (from the fixtures generator, fixed seed, so the seeds' peers and
 * the fuzzed peers hold the same keys), the server and client Contexts with
 * every callback a real application installs, and the flight format.
 *
 * Flight format (handshake targets and their seeds): the input is a
 * sequence of flights, each a 2-byte big-endian length and that many bytes
 * (the last one may be short); each flight is given to the Connection with
 * one bio_write, then the Connection runs (do_handshake, or recv once the
 * handshake is done) and its output is drained with bio_read. */
#ifndef TLSHARNESS_FUZZ_TLS_H
#define TLSHARNESS_FUZZ_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "tlsharness/fixtures.h"
#include "tlsharness/tlsharness.h"

#define FUZZ_PKI_SEED 2026

/* The fixed PKI: a root, a P-256 and an RSA-2048 server leaf ("localhost"),
 * a P-256 client leaf. Made once; never freed (reachable, so not a leak). */
typedef struct fuzz_pki {
  th_fixtures *fx;
  th_fixtures_cert *root, *server_ec, *server_rsa, *client;
} fuzz_pki;
const fuzz_pki *fuzz_pki_get(void);

/* Server / client Contexts configured like the fuzzed peers (see
 * fuzz_tls.c). Made once per process by the targets; the seed generator
 * makes its own with the same settings. Caller frees. NULL on failure
 * (message on stderr). */
th_context *fuzz_server_context(void);
th_context *fuzz_client_context(void);

/* A new memory-BIO client Connection on ctx with SNI "localhost" and ALPN
 * {h2, http/1.1} set, in connect state. */
th_connection *fuzz_client_connection(th_context *ctx);

/* fuzz_run_flights feeds data (flight format) to conn, which must be in
 * accept or connect state; returns the number of flights fed. */
size_t fuzz_run_flights(th_connection *conn, const uint8_t *data, size_t len);

/* fuzz_use_connection reads every piece of state a caller may ask for
 * (names, randoms, cipher, peer certificate and chain, session...) whatever
 * point the handshake reached. */
void fuzz_use_connection(th_connection *conn);

#endif
