/* example_fixtures.h — the certificates the example suites use, made with
 * tlsharness's fixtures and written as files (th_fixtures_write_files),
 * because the example applications load paths. */
#ifndef EXAMPLE_FIXTURES_H
#define EXAMPLE_FIXTURES_H

#include "tlsharness/tlsharness.h"

enum {
  EX_GOOD,       /* server, issued by the root; localhost, 127.0.0.1 */
  EX_EXPIRED,    /* server, expired in 2021 */
  EX_WRONG_HOST, /* server for other.example only */
  EX_UNTRUSTED,  /* server issued by a root the clients do not trust */
  EX_REVOKED,    /* server revoked by the root (its .crl lists it) */
  EX_CLIENT,     /* client certificate, issued by the root */
  EX_COUNT
};

typedef struct example_pki {
  char dir[512];
  th_fixtures_files files[EX_COUNT]; /* .ca of each: the root that issued it */
} example_pki;

/* example_pki_make makes them under a new temporary folder (aborts the
 * test on failure); example_pki_free removes the folder. */
void example_pki_make(example_pki *pki);
void example_pki_free(example_pki *pki);

#endif
