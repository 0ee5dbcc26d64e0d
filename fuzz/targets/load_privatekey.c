/* Fuzz target: crypto.load_privatekey: ASN1; PEM without a passphrase; PEM
 * with the passphrase "fixtures" (the seeds' one); PEM with a passphrase
 * callback whose answer varies with the input (right, wrong, empty, too
 * long, exactly the buffer size, an error). The documented outcomes of the
 * callback are checked: an error propagates with its status, a too long
 * answer is TH_ERR_VALUE. Each loaded key is used (fuzz_use_pkey). */
#include <string.h>

#include "../fuzz_use.h"

enum { ANS_RIGHT, ANS_WRONG, ANS_EMPTY, ANS_TOO_LONG, ANS_FULL, ANS_ERROR, ANS_COUNT };

typedef struct answer {
  int kind;
  int called;
} answer;

static int passphrase_cb(char *buf, size_t size, int rwflag, void *user) {
  answer *a = user;
  a->called++;
  FUZZ_CHECK(rwflag == 0, "load called the passphrase callback for writing");
  switch (a->kind) {
    case ANS_RIGHT:
    case ANS_WRONG: {
      const char *p = a->kind == ANS_RIGHT ? "fixtures" : "wrong";
      size_t n = strlen(p);
      if (n <= size) memcpy(buf, p, n);
      return (int)n;
    }
    case ANS_EMPTY: return 0;
    case ANS_TOO_LONG: return (int)size + 1;
    case ANS_FULL: memset(buf, 'A', size); return (int)size;
    default: return TH_ERR_CALLBACK;
  }
}

/* The first key an input gives is used in full; the same bytes loaded
 * another way give the same key, so later ones only get a light use (RSA
 * checks and signatures dominate the cost otherwise). */
static int used_full;

static void load_and_use(th_pkey *k) {
  if (k == NULL) return;
  if (!used_full) {
    fuzz_use_pkey(k);
    used_full = 1;
  } else {
    FUZZ_CHECK(th_pkey_bits(k) >= 0 && th_pkey_type(k) >= 0 && th_pkey_only_public(k) == 0,
               "a loaded private key fails bits/type/only_public");
  }
  th_pkey_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  used_full = 0;
  /* OpenSSL 3.0's decoders take milliseconds to refuse bytes of the wrong
   * format (every key type is tried), so each input goes through every
   * loader that can accept it, plus the plain PEM one, which sees all. */
  int der = size > 0 && data[0] == 0x30;
  int pem = memmem(data, size, "-----BEGIN", 10) != NULL;
  if (der || !pem) load_and_use(th_crypto_load_privatekey(TH_FILETYPE_ASN1, data, size, NULL, 0));
  load_and_use(th_crypto_load_privatekey(TH_FILETYPE_PEM, data, size, NULL, 0));
  if (!pem) return 0;
  load_and_use(th_crypto_load_privatekey(TH_FILETYPE_PEM, data, size,
                                         (const unsigned char *)"fixtures", 8));
  unsigned sum = 0;
  for (size_t i = 0; i < size; i++) sum += data[i];
  answer a = {.kind = (int)(sum % ANS_COUNT)};
  th_pkey *k = th_crypto_load_privatekey_cb(TH_FILETYPE_PEM, data, size, passphrase_cb, &a);
  if (a.called && a.kind == ANS_ERROR)
    FUZZ_CHECK(k == NULL && th_error_kind() == TH_ERR_CALLBACK,
               "a passphrase callback error did not propagate");
  if (a.called && a.kind == ANS_TOO_LONG)
    FUZZ_CHECK(k == NULL && th_error_kind() == TH_ERR_VALUE,
               "a too long passphrase was not TH_ERR_VALUE");
  load_and_use(k);
  return 0;
}
