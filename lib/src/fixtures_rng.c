/* fixtures_rng.c — deterministic randomness for the fixture generator.
 *
 * Why a provider: OpenSSL 3.0 has no way to hand a library context a seeded
 * generator. Its CTR/HASH/HMAC-DRBGs take entropy from a seed source, but
 * they mix a nonce built from the time, the pid and a counter into every
 * instantiation (ossl_prov_get_nonce), and the public/private DRBGs are
 * re-instantiated per thread, so no choice of seed source makes them
 * repeat. TEST-RAND (default provider) only replays a fixed buffer and fails
 * when it runs dry. So each generator loads a tiny built-in provider
 * ("th-fixtures-rng") into its private OSSL_LIB_CTX offering one RAND,
 * "TH-FIXTURES-DRBG", and RAND_set_DRBG_type makes the context's primary,
 * public and private DRBGs all instances of it. They share one stream kept
 * in the provider context: block i = SHA-256(key || i) with key =
 * SHA-256("tlsharness-fixtures-v1" || seed as 8 little-endian bytes). Every
 * random byte OpenSSL draws in that context — key generation, ECDSA and DSA
 * nonces k, RSA/EC blinding, PKCS#8/PKCS#12 salts and IVs — comes from it,
 * so a single-threaded run repeats byte for byte. This is for test fixtures
 * only: the stream is public given the seed. */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "fixtures_internal.h"

typedef struct fx_stream {
  CRYPTO_RWLOCK *lock;
  unsigned char key[32];
  uint64_t counter;
  unsigned char block[32];
  size_t pos; /* bytes of block already used; 32 = empty */
} fx_stream;

typedef struct fx_drbg {
  fx_stream *stream;
  int state; /* EVP_RAND_STATE_* */
} fx_drbg;

static int stream_fill(fx_stream *s, unsigned char *out, size_t len) {
  int ok = 1;
  if (!CRYPTO_THREAD_write_lock(s->lock)) return 0;
  while (len > 0 && ok) {
    if (s->pos == sizeof s->block) {
      unsigned char in[40];
      memcpy(in, s->key, 32);
      for (int i = 0; i < 8; i++) in[32 + i] = (unsigned char)(s->counter >> (8 * i));
      s->counter++;
      ok = EVP_Digest(in, sizeof in, s->block, NULL, EVP_sha256(), NULL);
      s->pos = 0;
    }
    size_t take = sizeof s->block - s->pos;
    if (take > len) take = len;
    memcpy(out, s->block + s->pos, take);
    s->pos += take;
    out += take;
    len -= take;
  }
  CRYPTO_THREAD_unlock(s->lock);
  return ok;
}

/* ---- the RAND implementation ---- */
static void *drbg_new(void *provctx, void *parent, const OSSL_DISPATCH *parent_calls) {
  fx_drbg *d = OPENSSL_zalloc(sizeof *d);
  if (d != NULL) d->stream = provctx;
  return d;
}
static void drbg_free(void *vd) { OPENSSL_free(vd); }
static int drbg_instantiate(void *vd, unsigned int strength, int pr, const unsigned char *pstr,
                            size_t pstr_len, const OSSL_PARAM params[]) {
  ((fx_drbg *)vd)->state = EVP_RAND_STATE_READY;
  return 1;
}
static int drbg_uninstantiate(void *vd) {
  ((fx_drbg *)vd)->state = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}
static int drbg_generate(void *vd, unsigned char *out, size_t outlen, unsigned int strength,
                         int pr, const unsigned char *adin, size_t adin_len) {
  fx_drbg *d = vd;
  return d->state == EVP_RAND_STATE_READY && stream_fill(d->stream, out, outlen);
}
static int drbg_reseed(void *vd, int pr, const unsigned char *ent, size_t ent_len,
                       const unsigned char *adin, size_t adin_len) {
  return 1; /* reseeding would break determinism: nothing to mix in */
}
static size_t drbg_nonce(void *vd, unsigned char *out, unsigned int strength, size_t min_len,
                         size_t max_len) {
  if (out == NULL) return min_len;
  return stream_fill(((fx_drbg *)vd)->stream, out, min_len) ? min_len : 0;
}
/* The stream has its own lock; the DRBG framework's lock calls are no-ops. */
static int drbg_enable_locking(void *vd) { return 1; }
static int drbg_lock(void *vd) { return 1; }
static void drbg_unlock(void *vd) {}
static const OSSL_PARAM *drbg_gettable(void *vd, void *provctx) {
  static const OSSL_PARAM p[] = {OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, NULL),
                                 OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, NULL),
                                 OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, NULL),
                                 OSSL_PARAM_END};
  return p;
}
static int drbg_get_params(void *vd, OSSL_PARAM params[]) {
  OSSL_PARAM *p;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE)) != NULL &&
      !OSSL_PARAM_set_int(p, ((fx_drbg *)vd)->state))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH)) != NULL &&
      !OSSL_PARAM_set_uint(p, 256))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST)) != NULL &&
      !OSSL_PARAM_set_size_t(p, 1 << 16))
    return 0;
  return 1;
}
static int drbg_verify_zeroization(void *vd) { return 1; }

static const OSSL_DISPATCH drbg_functions[] = {
    {OSSL_FUNC_RAND_NEWCTX, (void (*)(void))drbg_new},
    {OSSL_FUNC_RAND_FREECTX, (void (*)(void))drbg_free},
    {OSSL_FUNC_RAND_INSTANTIATE, (void (*)(void))drbg_instantiate},
    {OSSL_FUNC_RAND_UNINSTANTIATE, (void (*)(void))drbg_uninstantiate},
    {OSSL_FUNC_RAND_GENERATE, (void (*)(void))drbg_generate},
    {OSSL_FUNC_RAND_RESEED, (void (*)(void))drbg_reseed},
    {OSSL_FUNC_RAND_NONCE, (void (*)(void))drbg_nonce},
    {OSSL_FUNC_RAND_ENABLE_LOCKING, (void (*)(void))drbg_enable_locking},
    {OSSL_FUNC_RAND_LOCK, (void (*)(void))drbg_lock},
    {OSSL_FUNC_RAND_UNLOCK, (void (*)(void))drbg_unlock},
    {OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, (void (*)(void))drbg_gettable},
    {OSSL_FUNC_RAND_GET_CTX_PARAMS, (void (*)(void))drbg_get_params},
    {OSSL_FUNC_RAND_VERIFY_ZEROIZATION, (void (*)(void))drbg_verify_zeroization},
    {0, NULL}};

static const OSSL_ALGORITHM fx_rands[] = {
    {"TH-FIXTURES-DRBG", "provider=th-fixtures-rng", drbg_functions, "deterministic test DRBG"},
    {NULL, NULL, NULL, NULL}};

/* ---- the provider ---- */
static const OSSL_ALGORITHM *prov_query(void *provctx, int op, int *no_cache) {
  *no_cache = 0;
  return op == OSSL_OP_RAND ? fx_rands : NULL;
}
static void prov_teardown(void *provctx) {
  fx_stream *s = provctx;
  CRYPTO_THREAD_lock_free(s->lock);
  OPENSSL_clear_free(s, sizeof *s);
}
static const OSSL_DISPATCH prov_functions[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))prov_query},
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))prov_teardown},
    {0, NULL}};
static int prov_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                     const OSSL_DISPATCH **out, void **provctx) {
  fx_stream *s = OPENSSL_zalloc(sizeof *s);
  if (s == NULL || (s->lock = CRYPTO_THREAD_lock_new()) == NULL) {
    OPENSSL_free(s);
    return 0;
  }
  s->pos = sizeof s->block;
  *out = prov_functions;
  *provctx = s;
  return 1;
}

static int key_stream(fx_stream *s, unsigned long long seed) {
  static const char label[] = "tlsharness-fixtures-v1";
  unsigned char in[sizeof label - 1 + 8];
  memcpy(in, label, sizeof label - 1);
  for (int i = 0; i < 8; i++) in[sizeof label - 1 + i] = (unsigned char)(seed >> (8 * i));
  s->counter = 0;
  s->pos = sizeof s->block;
  return EVP_Digest(in, sizeof in, s->key, NULL, EVP_sha256(), NULL);
}

int th__fx_libctx_init(th_fixtures *fx) {
  fx->libctx = OSSL_LIB_CTX_new();
  if (fx->libctx == NULL) return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_new: OSSL_LIB_CTX_new");
  /* The DRBG type must be set before anything draws from the context. */
  if (!OSSL_PROVIDER_add_builtin(fx->libctx, "th-fixtures-rng", prov_init) ||
      (fx->rng = OSSL_PROVIDER_load(fx->libctx, "th-fixtures-rng")) == NULL ||
      (fx->deflt = OSSL_PROVIDER_load(fx->libctx, "default")) == NULL ||
      !key_stream(OSSL_PROVIDER_get0_provider_ctx(fx->rng), fx->seed) ||
      !RAND_set_DRBG_type(fx->libctx, "TH-FIXTURES-DRBG", "provider=th-fixtures-rng", NULL,
                          NULL))
    return th__err_ossl(TH_ERR_CRYPTO, "th_fixtures_new: cannot set up the deterministic DRBG");
  return TH_OK;
}

void th__fx_libctx_done(th_fixtures *fx) {
  EVP_PKEY_free(fx->dsa_params);
  OSSL_PROVIDER_unload(fx->deflt);
  OSSL_PROVIDER_unload(fx->rng);
  OSSL_LIB_CTX_free(fx->libctx);
}

int th__fx_random(th_fixtures *fx, unsigned char *buf, size_t len) {
  if (RAND_bytes_ex(fx->libctx, buf, len, 0) != 1)
    return th__err_ossl(TH_ERR_CRYPTO, "fixtures: RAND_bytes_ex failed");
  return TH_OK;
}

/* DSA domain parameters: the RFC 5114 2048-bit group with a 256-bit q,
 * taken from OpenSSL's named DH group "dh_2048_256" (FIPS 186 paramgen
 * would cost seconds per seed and gain nothing for a test fixture). */
static EVP_PKEY *dsa_params(th_fixtures *fx) {
  if (fx->dsa_params != NULL) return fx->dsa_params;
  EVP_PKEY *dh = NULL;
  BIGNUM *p = NULL, *q = NULL, *g = NULL;
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(fx->libctx, "DH", NULL);
  OSSL_PARAM grp[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "dh_2048_256", 0),
                      OSSL_PARAM_END};
  if (pc != NULL && EVP_PKEY_paramgen_init(pc) > 0 && EVP_PKEY_CTX_set_params(pc, grp) > 0 &&
      EVP_PKEY_paramgen(pc, &dh) > 0 && EVP_PKEY_get_bn_param(dh, OSSL_PKEY_PARAM_FFC_P, &p) &&
      EVP_PKEY_get_bn_param(dh, OSSL_PKEY_PARAM_FFC_Q, &q) &&
      EVP_PKEY_get_bn_param(dh, OSSL_PKEY_PARAM_FFC_G, &g) &&
      (bld = OSSL_PARAM_BLD_new()) != NULL &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, q) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != NULL) {
    EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new_from_name(fx->libctx, "DSA", NULL);
    if (dc == NULL || EVP_PKEY_fromdata_init(dc) <= 0 ||
        EVP_PKEY_fromdata(dc, &fx->dsa_params, EVP_PKEY_KEY_PARAMETERS, params) <= 0)
      fx->dsa_params = NULL;
    EVP_PKEY_CTX_free(dc);
  }
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(p);
  BN_free(q);
  BN_free(g);
  EVP_PKEY_free(dh);
  EVP_PKEY_CTX_free(pc);
  return fx->dsa_params;
}

EVP_PKEY *th__fx_keygen(th_fixtures *fx, int key_type) {
  static const int rsa_bits[] = {[TH_FIXTURES_KEY_RSA1024] = 1024,
                                 [TH_FIXTURES_KEY_RSA2048] = 2048,
                                 [TH_FIXTURES_KEY_RSA3072] = 3072,
                                 [TH_FIXTURES_KEY_RSA4096] = 4096};
  EVP_PKEY *key = NULL;
  OSSL_LIB_CTX *lc = fx->libctx;
  switch (key_type) {
  case TH_FIXTURES_KEY_RSA1024: case TH_FIXTURES_KEY_RSA2048:
  case TH_FIXTURES_KEY_RSA3072: case TH_FIXTURES_KEY_RSA4096:
    key = EVP_PKEY_Q_keygen(lc, NULL, "RSA", (size_t)rsa_bits[key_type]);
    break;
  case TH_FIXTURES_KEY_DEFAULT: case TH_FIXTURES_KEY_P256:
    key = EVP_PKEY_Q_keygen(lc, NULL, "EC", "P-256");
    break;
  case TH_FIXTURES_KEY_P384: key = EVP_PKEY_Q_keygen(lc, NULL, "EC", "P-384"); break;
  case TH_FIXTURES_KEY_P521: key = EVP_PKEY_Q_keygen(lc, NULL, "EC", "P-521"); break;
  case TH_FIXTURES_KEY_ED25519: key = EVP_PKEY_Q_keygen(lc, NULL, "ED25519"); break;
  case TH_FIXTURES_KEY_ED448: key = EVP_PKEY_Q_keygen(lc, NULL, "ED448"); break;
  case TH_FIXTURES_KEY_DSA: {
    EVP_PKEY *params = dsa_params(fx);
    EVP_PKEY_CTX *kc = params ? EVP_PKEY_CTX_new_from_pkey(lc, params, NULL) : NULL;
    if (kc != NULL && EVP_PKEY_keygen_init(kc) > 0 && EVP_PKEY_keygen(kc, &key) <= 0) key = NULL;
    EVP_PKEY_CTX_free(kc);
    break;
  }
  default:
    th__err(TH_ERR_VALUE, "fixtures: unknown key type %d", key_type);
    return NULL;
  }
  if (key == NULL) th__err_ossl(TH_ERR_CRYPTO, "fixtures: cannot make a %s key",
                                th_fixtures_key_name(key_type));
  return key;
}

static const char *const key_names[TH_FIXTURES_KEY_COUNT] = {
    [TH_FIXTURES_KEY_RSA1024] = "rsa1024", [TH_FIXTURES_KEY_RSA2048] = "rsa2048",
    [TH_FIXTURES_KEY_RSA3072] = "rsa3072", [TH_FIXTURES_KEY_RSA4096] = "rsa4096",
    [TH_FIXTURES_KEY_P256] = "p256",       [TH_FIXTURES_KEY_P384] = "p384",
    [TH_FIXTURES_KEY_P521] = "p521",       [TH_FIXTURES_KEY_ED25519] = "ed25519",
    [TH_FIXTURES_KEY_ED448] = "ed448",     [TH_FIXTURES_KEY_DSA] = "dsa"};

const char *th_fixtures_key_name(int key) {
  if (key == TH_FIXTURES_KEY_DEFAULT) return "p256";
  if (key < 0 || key >= TH_FIXTURES_KEY_COUNT) {
    th__err(TH_ERR_VALUE, "th_fixtures_key_name: unknown key type %d", key);
    return NULL;
  }
  return key_names[key];
}

int th_fixtures_key_from_name(const char *name) {
  TH_CHECK_ARG(name);
  for (int i = 1; i < TH_FIXTURES_KEY_COUNT; i++)
    if (strcmp(name, key_names[i]) == 0) return i;
  return th__err(TH_ERR_VALUE, "th_fixtures_key_from_name: unknown key type \"%.64s\"", name);
}
