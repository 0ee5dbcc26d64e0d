/* testutil.h — helpers shared by the conformance tests.
 *
 * Certificates and keys here are made with raw OpenSSL calls, so that a
 * test of one class never depends on the class under test elsewhere. */
#ifndef TLSHARNESS_TESTUTIL_H
#define TLSHARNESS_TESTUTIL_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tlsharness/tlsharness.h"

/* A fresh EC P-256 key (microseconds). Caller frees. */
EVP_PKEY *tu_ec_evp(void);
/* A fixed RSA-2048 key (parsed from PEM, no keygen cost). Caller frees. */
EVP_PKEY *tu_rsa_evp(void);
/* The same PEM text. */
extern const char tu_rsa_pem[];

/* tu_make_cert makes a certificate for key with CN cn, signed by
 * issuer_key as issuer (or self-signed when issuer is NULL), valid from
 * now+not_before_days to now+not_after_days, SHA-256, with
 * basicConstraints CA:TRUE when is_ca. Caller frees. */
X509 *tu_make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int is_ca,
                   long not_before_days, long not_after_days);

/* The same, wrapped as th_ objects. */
th_pkey *tu_ec_key(void);
th_pkey *tu_rsa_key(void);
th_x509 *tu_self_signed(th_pkey *key, const char *cn);

/* tu_openssl returns the build's own openssl tool (the prefix's
 * bin/openssl), for cross-checks. When that tool does not start, or reports
 * another version than the library under test (built or loaded), the
 * calling test ends as "UNSUPPORTED: cross-check needs this build's openssl
 * tool: <why>": a cross-check never runs against another OpenSSL.
 * tu_openssl_unusable returns that why, or NULL when the tool is usable. */
const char *tu_openssl(void);
const char *tu_openssl_unusable(void);
/* tu_cli_has_dn: out (the tool's text) shows the name entry key=value the
 * way this version's tool prints it: "CN = x" on 3.0, "CN=x" on 3.5 (the
 * default -nameopt changed; versions between, not in the matrix, may show
 * either). See docs/compat.md, by version. */
int tu_cli_has_dn(const char *out, const char *key, const char *value);

/* tu_tmpdir returns a per-process scratch directory (static storage). */
const char *tu_tmpdir(void);
/* tu_path joins tu_tmpdir() and name into a static buffer (one at a time). */
const char *tu_path(const char *name);

/* tu_write_file writes len bytes; returns 0 or -1. */
int tu_write_file(const char *path, const void *data, size_t len);
/* tu_read_file reads a whole file into a malloc'd NUL-terminated buffer. */
char *tu_read_file(const char *path, size_t *len);

/* tu_sh runs cmd with /bin/sh, stdout+stderr captured into out (NUL-
 * terminated, truncated to outsz), and returns its exit status (-1 if it
 * could not run). */
int tu_sh(char *out, size_t outsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* tu_err returns the last error as one line (static buffer), for asserts. */
const char *tu_err(void);

#endif
