/* testutil_fixtures.h — helpers for the fixture generator's tests: a cached
 * default set, manifest rows, verification through the library with the
 * manifest's `openssl verify` arguments, and an `openssl s_server` runner.
 * Prefix tuf_ (fixtures). */
#ifndef TLSHARNESS_TESTUTIL_FIXTURES_H
#define TLSHARNESS_TESTUTIL_FIXTURES_H

#include <stddef.h>
#include <sys/types.h>

#include "tlsharness/tlsharness.h"
#include "tlsharness/fixtures.h"

/* tuf_default_set returns the folder of the default set of seed 1, made
 * once per test run (shared by the forked tests of one runner; static
 * storage). cr_asserts on failure. */
const char *tuf_default_set(void);

/* One manifest row; fields point into the loaded text. */
typedef struct tuf_row {
  char *file, *role, *key, *format, *verdict, *what, *args;
  int code; /* verify rows: the expected X509_V_* code; -1 for read rows */
} tuf_row;

/* tuf_manifest loads dir/manifest.tsv; *rows is malloc'd (free it and
 * *text). Returns the row count, or -1. */
int tuf_manifest(const char *dir, tuf_row **rows, char **text);

/* tuf_verify_lib verifies like `openssl <args>` (a manifest "verify ..."
 * command) but with the library's own X509_STORE/X509_STORE_CTX, files
 * relative to dir. Returns the X509_V_* result, or -1 when the arguments or
 * files cannot be used (why says which). */
int tuf_verify_lib(const char *dir, const char *args, char *why, size_t whysz);

/* tuf_openssl_verdict runs `openssl <args>` in dir and returns the first
 * "error N at" code it prints, 0 for OK, -1 when it neither failed with a
 * code nor said OK. out receives the output. */
int tuf_openssl_verdict(const char *dir, const char *args, char *out, size_t outsz);

/* An `openssl s_server` started on 127.0.0.1 with an ephemeral port. */
typedef struct tuf_server {
  pid_t pid;
  int port;
  int out_fd; /* its stdout+stderr */
} tuf_server;

/* tuf_server_start runs `openssl s_server -accept 127.0.0.1:0 <args>` in
 * dir and waits (at most 10 s, on its output, never sleeping) for its
 * ACCEPT line. Returns 0, or -1 (and stops it). */
int tuf_server_start(tuf_server *s, const char *dir, const char *args);
/* tuf_server_stop kills and reaps it (idempotent). */
void tuf_server_stop(tuf_server *s);

#endif
