/* bench_floor.c — the crypto floor: the in-process cost of the public-key
 * operations one handshake cannot avoid (X25519 key generation and
 * derivation on both sides, the server's CertificateVerify / ServerKeyExchange
 * signature, the client's verification of it and of the chain), timed one
 * operation at a time in this thread through the EVP calls libssl itself
 * makes. For TLS 1.2 resumptions, which have no public-key work, the floor is
 * the symmetric work instead (ticket decryption, PRF calls).
 * η = floor / measured CPU time per handshake says how close a handshake
 * comes to pure crypto. Both sides of that ratio are thread CPU time. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>

#include "tools/bench/bench.h"

static const char *const op_names[OP_COUNT] = {
    "x25519-keygen", "x25519-derive", "rsa2048-pss-sign", "rsa2048-pss-verify",
    "ecdsa-p256-sign", "ecdsa-p256-verify", "ed25519-sign", "ed25519-verify",
    "ticket-decrypt+hmac", "tls12-prf"};

const char *bench_op_name(int op) { return op >= 0 && op < OP_COUNT ? op_names[op] : "?"; }

typedef struct floor_state {
  bench_keys k[3]; /* RSA, P-256, Ed25519 */
  EVP_PKEY *xa, *xb;
  unsigned char msg[130]; /* the size of a TLS 1.3 CertificateVerify input */
  unsigned char sig[3][512];
  size_t siglen[3];
  unsigned char ticket[256], out[512];
  EVP_CIPHER *aes;
  EVP_MAC *hmac;
  EVP_KDF *prf;
} floor_state;

static EVP_PKEY *x25519_keygen(void) {
  EVP_PKEY *k = NULL;
  EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
  if (c == NULL || EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_keygen(c, &k) <= 0) k = NULL;
  EVP_PKEY_CTX_free(c);
  return k;
}

static int x25519_derive(floor_state *s) {
  unsigned char secret[32];
  size_t len = sizeof secret;
  EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, s->xa, NULL);
  int ok = c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, s->xb) > 0 &&
           EVP_PKEY_derive(c, secret, &len) > 0;
  EVP_PKEY_CTX_free(c);
  return ok;
}

/* Sign (verify == 0) or verify s->msg with key i (0 RSA-PSS, 1 ECDSA, 2 Ed25519). */
static int sign_or_verify(floor_state *s, int i, int verify) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pc = NULL;
  const char *digest = i == 2 ? NULL : "SHA256";
  int ok = md != NULL;
  if (ok && verify)
    ok = EVP_DigestVerifyInit_ex(md, &pc, digest, NULL, NULL, s->k[i].key, NULL) > 0;
  else if (ok)
    ok = EVP_DigestSignInit_ex(md, &pc, digest, NULL, NULL, s->k[i].key, NULL) > 0;
  if (ok && i == 0)
    ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) > 0;
  if (ok && verify) {
    ok = EVP_DigestVerify(md, s->sig[i], s->siglen[i], s->msg, sizeof s->msg) == 1;
  } else if (ok) {
    s->siglen[i] = sizeof s->sig[i];
    ok = EVP_DigestSign(md, s->sig[i], &s->siglen[i], s->msg, sizeof s->msg) > 0;
  }
  EVP_MD_CTX_free(md);
  return ok;
}

static int ticket_crypt(floor_state *s) {
  static const unsigned char key[32], iv[16], mackey[32];
  unsigned char mac[32];
  size_t maclen = 0;
  int outl = 0, fin = 0;
  EVP_MAC_CTX *m = EVP_MAC_CTX_new(s->hmac);
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                    OSSL_PARAM_construct_end()};
  int ok = m && c && EVP_MAC_init(m, mackey, sizeof mackey, p) &&
           EVP_MAC_update(m, s->ticket, sizeof s->ticket) &&
           EVP_MAC_final(m, mac, &maclen, sizeof mac) &&
           EVP_DecryptInit_ex2(c, s->aes, key, iv, NULL) &&
           EVP_CIPHER_CTX_set_padding(c, 0) &&
           EVP_DecryptUpdate(c, s->out, &outl, s->ticket, sizeof s->ticket) &&
           EVP_DecryptFinal_ex(c, s->out + outl, &fin);
  EVP_MAC_CTX_free(m);
  EVP_CIPHER_CTX_free(c);
  return ok;
}

static int tls12_prf(floor_state *s) {
  unsigned char secret[48] = {1}, seed[77] = {2};
  EVP_KDF_CTX *k = EVP_KDF_CTX_new(s->prf);
  OSSL_PARAM p[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret, sizeof secret),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed),
      OSSL_PARAM_construct_end()};
  int ok = k && EVP_KDF_derive(k, s->out, 48, p) > 0;
  EVP_KDF_CTX_free(k);
  return ok;
}

static int run_op(floor_state *s, int op) {
  switch (op) {
    case OP_X25519_KEYGEN: {
      EVP_PKEY *k = x25519_keygen();
      EVP_PKEY_free(k);
      return k != NULL;
    }
    case OP_X25519_DERIVE: return x25519_derive(s);
    case OP_RSA_PSS_SIGN: return sign_or_verify(s, 0, 0);
    case OP_RSA_PSS_VERIFY: return sign_or_verify(s, 0, 1);
    case OP_ECDSA_SIGN: return sign_or_verify(s, 1, 0);
    case OP_ECDSA_VERIFY: return sign_or_verify(s, 1, 1);
    case OP_ED25519_SIGN: return sign_or_verify(s, 2, 0);
    case OP_ED25519_VERIFY: return sign_or_verify(s, 2, 1);
    case OP_TICKET_CRYPT: return ticket_crypt(s);
    case OP_TLS12_PRF: return tls12_prf(s);
    default: return 0;
  }
}

static int state_init(floor_state *s, const bench_material *m) {
  memset(s, 0, sizeof *s);
  memset(s->msg, 0x20, sizeof s->msg);
  s->aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
  s->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  s->prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
  s->xa = x25519_keygen();
  s->xb = x25519_keygen();
  static const bench_keykind kinds[3] = {BK_RSA2048, BK_P256, BK_ED25519};
  for (int i = 0; i < 3; i++)
    if (bench_keys_load(&s->k[i], m, kinds[i], NULL) != 0 || !sign_or_verify(s, i, 0))
      return -1;
  return s->aes && s->hmac && s->prf && s->xa && s->xb ? 0 : -1;
}

static void state_free(floor_state *s) {
  for (int i = 0; i < 3; i++) bench_keys_free(&s->k[i]);
  EVP_PKEY_free(s->xa);
  EVP_PKEY_free(s->xb);
  EVP_CIPHER_free(s->aes);
  EVP_MAC_free(s->hmac);
  EVP_KDF_free(s->prf);
}

int bench_floor_measure(bench_floor *f, const bench_material *m, double budget_s) {
  memset(f, 0, sizeof *f);
  floor_state s;
  int rc = state_init(&s, m);
  double per_op = budget_s / OP_COUNT;
  for (int op = 0; rc == 0 && op < OP_COUNT; op++) {
    for (int i = 0; i < 3; i++) rc |= run_op(&s, op) ? 0 : -1; /* warm caches */
    long n = 0;
    /* Thread CPU time: other processes on the machine do not count. */
    double t0 = bench_cpu_now(), t = t0;
    /* At least 10 operations, then until the op's share of the budget. */
    while (rc == 0 && (n < 10 || t - t0 < per_op)) {
      rc |= run_op(&s, op) ? 0 : -1;
      n++;
      t = bench_cpu_now();
    }
    f->op_us[op] = (t - t0) * 1e6 / (double)n;
  }
  state_free(&s);
  f->measured = rc == 0;
  return rc;
}

double bench_floor_us(const bench_floor *f, const bench_scenario *sc) {
  double us = 0;
  for (int i = 0; i < sc->nops; i++) us += f->op_us[sc->ops[i]];
  return us;
}
