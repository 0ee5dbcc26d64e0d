/* badssl.h — a local, offline badssl: misbehaving TLS servers on 127.0.0.1
 * (docs/badssl.md). Shared types of tools/badssl/.
 *
 *   catalogue.c  the endpoint table: id, description, expected verdict, quirks
 *   pki.c        the certificates (fixtures generator + th_x509), from one seed
 *   ocsp.c       stapled OCSP responses (raw OpenSSL through escape hatches)
 *   setup.c      one th_context per endpoint, probed with a loopback handshake
 *   server.c     the poll(2) event loop serving every endpoint at once
 *   behave.c     the behaviours (stall, drip, truncation, ...) of that loop
 *   manifest.c   --list, --list --json, manifest.json
 *   check.c      --check: runs a client against every endpoint
 *   client_th.c  the library's own client (th_context / th_connection)
 *   main.c       the command line */
#ifndef TLSHARNESS_TOOLS_BADSSL_H
#define TLSHARNESS_TOOLS_BADSSL_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "tlsharness/fixtures.h"
#include "tlsharness/tlsharness.h"

#define BS_MAX_ENDPOINTS 64
#define BS_MAX_QUIRKS 4

/* Verdicts a client reaches: connect + verify + a complete reply, or not. */
enum { BS_OK = 0, BS_FAIL = 1 };

/* What the server does on a connection beyond a plain handshake + reply. */
typedef enum bs_behaviour {
  BS_B_NONE = 0,
  BS_B_NO_CLOSE_NOTIFY, /* reply delimited by EOF, TCP FIN without close_notify */
  BS_B_TRUNCATED,       /* the reply's record cut in half, then FIN */
  BS_B_STALL,           /* ClientHello read, nothing sent, closed after BS_STALL_MS */
  BS_B_GARBAGE,         /* non-TLS bytes answer the ClientHello */
  BS_B_RENEGOTIATE,     /* TLS 1.2 HelloRequest after the request */
  BS_B_KEY_UPDATE,      /* TLS 1.3: BS_KEY_UPDATES KeyUpdate messages before the reply */
  BS_B_RESET,           /* half the server's first flight, then a TCP RST */
  BS_B_DRIP,            /* every byte the server sends, one per BS_DRIP_MS */
  BS_B_OVERSIZED,       /* an application-data record of 2^14+2048+1 bytes */
} bs_behaviour;

/* Time bounds of the server (milliseconds). */
#define BS_HANDSHAKE_MS 5000 /* from accept to handshake done */
#define BS_REQUEST_MS 5000   /* from handshake done to a complete request */
#define BS_LINGER_MS 2000    /* waiting for the client's EOF after ours */
#define BS_LIFETIME_MS 20000 /* any connection, whatever it does */
#define BS_STALL_MS 2000     /* stall-after-hello */
#define BS_DRIP_MS 2         /* slow-drip: one byte per this */
#define BS_RENEG_MS 3000     /* waiting for the client's renegotiation */
#define BS_KEY_UPDATES 64    /* key-update-storm */
#define BS_MAX_CONN_PER_ENDPOINT 64
#define BS_MAX_CONN_TOTAL 1024

/* A client-specific expectation (documented in the manifest). */
typedef struct bs_quirk {
  const char *client; /* "openssl", "curl", "gnutls-cli", "tlsharness" */
  int verdict;
  const char *why;
} bs_quirk;

typedef struct bs_cat bs_cat;
typedef struct bs_endpoint bs_endpoint;

/* A catalogue row (static data, catalogue.c). */
typedef struct bs_def {
  const char *id;
  const char *group; /* "certificate", "protocol", "behaviour" */
  const char *desc;
  int expect;      /* BS_OK / BS_FAIL for a correct client */
  const char *why; /* the reason for that verdict */
  int behaviour;
  const char *host; /* the name a client verifies (NULL: "localhost") */
  const char *addr; /* the address it connects to (NULL: "127.0.0.1") */
  bs_quirk quirks[BS_MAX_QUIRKS];
} bs_def;

/* An endpoint at run time. */
struct bs_endpoint {
  const bs_def *def;
  int served; /* 0: listed as not served, reason in `reason` */
  char reason[320];
  int port;      /* 0 until listening */
  int listen_fd; /* -1 when not listening */
  int nconns;    /* live connections */
  unsigned long accepted, refused;
  th_context *ctx;
  char crl[64];        /* a CRL file (in the output folder) clients should load */
  unsigned char *ocsp; /* a DER OCSP response to staple (owned) */
  size_t ocsp_len;
};

/* The certificates of the catalogue (pki.c). */
typedef struct bs_pki {
  th_fixtures *fx;
  th_fixtures_cert *root, *inter, *rsa_inter, *client;
  th_fixtures_cert *other_root, *other_inter;
  th_fixtures_cert *good, *revoked; /* leaves several endpoints share */
  th_bytes *ca_pem;                 /* the bundle clients trust: the root */
  th_crl *root_crl;                 /* the root's CRL: lists the revoked leaf */
} bs_pki;

struct bs_cat {
  unsigned long long seed;
  bs_pki pki;
  bs_endpoint ep[BS_MAX_ENDPOINTS];
  size_t n;
  char dir[PATH_MAX]; /* output folder: ca.pem, CRLs, DH parameters, manifest.json */
};

/* catalogue.c */
const bs_def *bs_defs(size_t *count);
const char *bs_verdict_name(int v);
/* The verdict client expects at ep (its quirk or the endpoint's), and why. */
int bs_expected_for(const bs_endpoint *ep, const char *client, const char **why);
const char *bs_host(const bs_endpoint *ep);
const char *bs_addr(const bs_endpoint *ep);

/* pki.c */
int bs_pki_init(bs_pki *pki, unsigned long long seed);
void bs_pki_free(bs_pki *pki);
/* A server leaf of the main chain (root -> inter -> leaf) with spec. */
th_fixtures_cert *bs_leaf(bs_pki *pki, th_fixtures_cert *issuer, const th_fixtures_spec *spec);
th_pkey *bs_rsa8192_key(void);

/* ocsp.c: a DER OCSP response for cert from its issuer (revoked or good). */
int bs_ocsp_response(const th_fixtures_cert *cert, th_fixtures_cert *issuer, int revoked,
                     unsigned char **der, size_t *len);

/* setup.c */
int bs_cat_build(bs_cat *cat, unsigned long long seed, const char *dir);
void bs_cat_free(bs_cat *cat);
int bs_write_file(const char *dir, const char *name, const void *data, size_t len);

/* server.c */
typedef struct bs_server bs_server;
bs_server *bs_server_new(bs_cat *cat, int base_port);
int bs_server_run(bs_server *srv);   /* until bs_server_stop; 0 on a clean stop */
void bs_server_stop(bs_server *srv); /* async-signal-safe */
void bs_server_free(bs_server *srv);

/* manifest.c */
void bs_print_list(const bs_cat *cat, FILE *out);
int bs_write_json(const bs_cat *cat, FILE *out);
int bs_write_manifest(const bs_cat *cat);

/* check.c */
int bs_check(bs_cat *cat, const char *client, const char *template, int jobs, int verbose);

/* client_th.c: this library's client; BS_OK / BS_FAIL and why in detail. */
int bs_client_th(const bs_cat *cat, const bs_endpoint *ep, char *detail, size_t n);

/* server.c: addr (an IPv4 or IPv6 literal) and port as a socket address;
 * returns its length. */
struct sockaddr_storage;
socklen_t bs_sockaddr(const char *addr, int port, struct sockaddr_storage *ss);

/* Milliseconds on the monotonic clock. */
long long bs_now_ms(void);

#endif
