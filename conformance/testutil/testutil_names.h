/* testutil_names.h — the name and policy catalogue (names/ of the fixture
 * set) run through the library: a manifest row's `openssl verify`
 * arguments turned into X509Store settings, or into a handshake whose
 * client verifies the server with Context or Connection settings. Prefix
 * tun_. */
#ifndef TLSHARNESS_TESTUTIL_NAMES_H
#define TLSHARNESS_TESTUTIL_NAMES_H

#include <stddef.h>

/* What a row asks for (paths joined with the set's folder). */
typedef struct tun_args {
  char cafile[1200], target[1200], key[1200];
  char untrusted[4][1200];
  int nuntrusted;
  char host[300], ip[64], email[300];
  int purpose;        /* 0: none given */
  int auth_level;     /* -1: none given */
  unsigned long flags; /* TH_X509_STORE_FLAGS_* */
  long attime;        /* 0: none given */
  unsigned int host_flags; /* TH_X509_CHECK_FLAG_* (no openssl verify option) */
} tun_args;

/* tun_parse reads "verify -attime T -CAfile F ... FILE" into a. Returns 0,
 * or -1 (why says which argument it cannot use). */
int tun_parse(const char *dir, const char *args, tun_args *a, char *why, size_t whysz);

/* tun_verify_store verifies a->target with th_x509_store_* settings and an
 * X509StoreContext; returns the X509_V_* result (0 = OK), or -1 when the
 * setup failed (why says what). */
int tun_verify_store(const tun_args *a, char *why, size_t whysz);

/* How tun_verify_handshake sets the names on the client. */
enum { TUN_VIA_CONTEXT, TUN_VIA_CONNECTION };
/* tun_verify_handshake serves a->target (+ key, + untrusted as its chain)
 * from a server whose security level is 0, to a client that trusts cafile,
 * verifies the peer (VERIFY_PEER) and has the row's settings set via the
 * Context or the Connection; -attime is not applied (the set is valid
 * 2020..2099). Returns the client's get_verify_result, or -1 when the
 * setup failed or the handshake's outcome contradicts the result (a
 * failure with X509_V_OK, a success with an error). peer receives the
 * client's get_peer_name ("" when none). */
int tun_verify_handshake(const tun_args *a, int via, char *peer, size_t peersz, char *why,
                         size_t whysz);

#endif
