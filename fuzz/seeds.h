/* seeds.h — the seed corpus generator (fuzz_seeds OUTDIR): every seed is
 * made by the library itself, none is a hand-edited blob. */
#ifndef TLSHARNESS_FUZZ_SEEDS_H
#define TLSHARNESS_FUZZ_SEEDS_H

#include <stddef.h>

/* seed_write writes data as OUTDIR/target/name, creating the folder.
 * Exits the program on failure (a generator that half-works is useless). */
void seed_write(const char *target, const char *name, const void *data, size_t len);

/* seeds_tls records handshakes of loopback pairs (seeds_tls.c): the client
 * flights as server_handshake seeds, the server flights as
 * client_handshake seeds, the sessions as session_der seeds. */
void seeds_tls(void);

#endif
