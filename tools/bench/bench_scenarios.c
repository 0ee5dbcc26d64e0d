/* bench_scenarios.c — the handshake scenarios, each with the public-key
 * operations (its floor) one handshake needs on the client and the server
 * together. Every scenario pins its key exchange through the groups list
 * (X25519 unless it names another) and the protocol version with min = max. */
#include <string.h>

#include <stdio.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tools/bench/bench.h"

#define TLS13_FULL(sign, verify) \
  {OP_X25519_KEYGEN, OP_X25519_KEYGEN, OP_X25519_DERIVE, OP_X25519_DERIVE, sign, verify}

const bench_scenario bench_scenarios[] = {
    {"tls13-rsa2048", "TLS 1.3 full handshake, RSA-2048 certificate (RSA-PSS), X25519",
     TLS1_3_VERSION, BK_RSA2048, BR_NONE, 0, 0, NULL,
     TLS13_FULL(OP_RSA_PSS_SIGN, OP_RSA_PSS_VERIFY), 6, NULL},
    {"tls13-p256", "TLS 1.3 full handshake, ECDSA P-256 certificate, X25519",
     TLS1_3_VERSION, BK_P256, BR_NONE, 0, 0, NULL,
     TLS13_FULL(OP_ECDSA_SIGN, OP_ECDSA_VERIFY), 6, NULL},
    {"tls13-ed25519", "TLS 1.3 full handshake, Ed25519 certificate, X25519",
     TLS1_3_VERSION, BK_ED25519, BR_NONE, 0, 0, NULL,
     TLS13_FULL(OP_ED25519_SIGN, OP_ED25519_VERIFY), 6, NULL},
    {"tls12-ecdhe-rsa", "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, RSA-2048 (RSA-PSS), X25519",
     TLS1_2_VERSION, BK_RSA2048, BR_NONE, 0, 0, "ECDHE-RSA-AES128-GCM-SHA256",
     TLS13_FULL(OP_RSA_PSS_SIGN, OP_RSA_PSS_VERIFY), 6, NULL},
    {"tls13-resume", "TLS 1.3 resumption with a ticket (psk_dhe_ke, X25519), P-256",
     TLS1_3_VERSION, BK_P256, BR_TICKET, 0, 0, NULL,
     {OP_X25519_KEYGEN, OP_X25519_KEYGEN, OP_X25519_DERIVE, OP_X25519_DERIVE}, 4, NULL},
    {"tls12-ticket", "TLS 1.2 resumption with a session ticket, ECDHE-RSA",
     TLS1_2_VERSION, BK_RSA2048, BR_TICKET, 0, 0, "ECDHE-RSA-AES128-GCM-SHA256",
     {OP_TICKET_CRYPT, OP_TLS12_PRF, OP_TLS12_PRF, OP_TLS12_PRF}, 4, NULL},
    {"tls12-sessid", "TLS 1.2 resumption by session id (server cache), ECDHE-RSA",
     TLS1_2_VERSION, BK_RSA2048, BR_SESSION_ID, 0, 0, "ECDHE-RSA-AES128-GCM-SHA256",
     {OP_TLS12_PRF, OP_TLS12_PRF, OP_TLS12_PRF}, 3, NULL},
    {"tls13-chain", "TLS 1.3, P-256 leaf+intermediate sent, client verifies to its root",
     TLS1_3_VERSION, BK_CHAIN_P256, BR_NONE, 1, 0, NULL,
     {OP_X25519_KEYGEN, OP_X25519_KEYGEN, OP_X25519_DERIVE, OP_X25519_DERIVE, OP_ECDSA_SIGN,
      OP_ECDSA_VERIFY, OP_ECDSA_VERIFY, OP_ECDSA_VERIFY},
     8, NULL},
    {"tls13-newctx", "TLS 1.3, P-256: new server and client contexts for every handshake",
     TLS1_3_VERSION, BK_P256, BR_NONE, 0, 1, NULL,
     TLS13_FULL(OP_ECDSA_SIGN, OP_ECDSA_VERIFY), 6, NULL},
    /* OpenSSL 3.5's default key exchange. Its floor counts the X25519 half
     * and the signature only (ML-KEM is not in the floor's operations), so
     * eta is an upper bound here. */
    {"tls13-mlkem", "TLS 1.3 full handshake, P-256, hybrid X25519MLKEM768 (3.5's default group)",
     TLS1_3_VERSION, BK_P256, BR_NONE, 0, 0, NULL,
     TLS13_FULL(OP_ECDSA_SIGN, OP_ECDSA_VERIFY), 6, "X25519MLKEM768"},
};

const size_t bench_nscenarios = sizeof bench_scenarios / sizeof bench_scenarios[0];

const bench_scenario *bench_scenario_find(const char *name) {
  for (size_t i = 0; i < bench_nscenarios; i++)
    if (strcmp(bench_scenarios[i].name, name) == 0) return &bench_scenarios[i];
  return NULL;
}

int bench_scenario_supported(const bench_scenario *sc, char *why, size_t whylen) {
  if (sc->groups == NULL) return 1;
  /* Ask the build itself: a groups list it does not know is refused. */
  SSL_CTX *c = SSL_CTX_new(TLS_method());
  int ok = c != NULL && SSL_CTX_set1_groups_list(c, sc->groups) == 1;
  SSL_CTX_free(c);
  ERR_clear_error();
  if (!ok && why != NULL && whylen > 0)
    snprintf(why, whylen, "this OpenSSL build has no %s group (%s)", sc->groups,
             OpenSSL_version(OPENSSL_VERSION));
  return ok;
}

static const char *const mode_names[BM_COUNT] = {"shared", "thread", "libctx"};

const char *bench_mode_name(int mode) {
  return mode >= 0 && mode < BM_COUNT ? mode_names[mode] : "?";
}

int bench_mode_parse(const char *name) {
  for (int i = 0; i < BM_COUNT; i++)
    if (strcmp(mode_names[i], name) == 0) return i;
  return -1;
}

int bench_check_info(const bench_scenario *sc, const bench_hs_info *info, int primed,
                     char *why, size_t whylen) {
  const char *bad = NULL;
  if (info->version != sc->version)
    bad = "negotiated another protocol version";
  else if (sc->resume != BR_NONE && primed && !info->resumed)
    bad = "the session was not resumed";
  else if ((sc->resume == BR_NONE || !primed) && info->resumed)
    bad = "a full handshake resumed";
  else if (sc->verify_chain && !info->verified)
    bad = "the client did not verify the chain";
  else if (sc->version == TLS1_3_VERSION && info->tickets < 1)
    bad = "the client received no TLS 1.3 ticket";
  if (bad == NULL) return 1;
  if (why != NULL && whylen > 0) {
    strncpy(why, bad, whylen - 1);
    why[whylen - 1] = '\0';
  }
  return 0;
}
