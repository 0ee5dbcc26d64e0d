/* failsweep_sites.c — call-stack keys for the per-site sweep mode.
 *
 * A key names where an allocation comes from: a hash of the return
 * addresses on its call stack (backtrace(): the unwinder reads the DWARF
 * call-frame information, so it works with and without frame pointers, at
 * -O0 and -O1, under ASan and gcov), from the allocation up to and
 * including the `depth`-th frame that is not OpenSSL's (libcrypto,
 * libssl): the library's own code, or this tool's. So one key is "this
 * allocation inside OpenSSL, reached from this line of the library (and
 * its callers up to depth)": a library call site that makes many OpenSSL
 * allocations gives one key per distinct path inside OpenSSL, and one
 * OpenSSL path reached from two library call sites gives two keys. depth
 * 0 hashes the whole stack. A key never goes past the scenario's own
 * function (fs_stack_top: the driver's frames above it differ between the
 * reference run and the failing runs). Addresses are stable within one process, and
 * keys are only ever compared within one process. */
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "failsweep.h"

/* The executable segments of libcrypto and libssl (found once, by name). */
#define FS_MAX_RANGES 16
static uintptr_t ossl_lo[FS_MAX_RANGES], ossl_hi[FS_MAX_RANGES];
static int n_ranges;
static pthread_once_t ranges_once = PTHREAD_ONCE_INIT;

static int add_ranges(struct dl_phdr_info *info, size_t size, void *data) {
  const char *name = info->dlpi_name ? info->dlpi_name : "";
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  if (strncmp(base, "libcrypto", 9) != 0 && strncmp(base, "libssl", 6) != 0) return 0;
  for (int i = 0; i < info->dlpi_phnum && n_ranges < FS_MAX_RANGES; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    ossl_lo[n_ranges] = info->dlpi_addr + ph->p_vaddr;
    ossl_hi[n_ranges] = ossl_lo[n_ranges] + ph->p_memsz;
    n_ranges++;
  }
  return 0;
}
static void find_ranges(void) {
  dl_iterate_phdr(add_ranges, NULL);
  /* The first backtrace() loads the unwinder (dlopen, malloc): done here,
   * outside any counted allocation. */
  void *fr[4];
  (void)backtrace(fr, 4);
}
void fs_sites_init(void) { pthread_once(&ranges_once, find_ranges); }

static int in_openssl(void *pc) {
  uintptr_t a = (uintptr_t)pc;
  for (int i = 0; i < n_ranges; i++)
    if (a >= ossl_lo[i] && a < ossl_hi[i]) return 1;
  return 0;
}

void *fs_stack_top;
int fs_key_lib_only;

uint64_t fs_stack_key(int depth) {
  void *fr[128];
  int n = backtrace(fr, 128);
  /* Skip this tool's allocator frames: this function, fail_now and the
   * hook (at most those three), up to the first OpenSSL frame. CRYPTO_malloc
   * calls the hook as a tail call, so it leaves no frame: an allocation the
   * library makes itself (OPENSSL_malloc, th__malloc) starts at the
   * library's own frame, which must be part of the key. (Skipping to the
   * first OpenSSL frame anywhere gave every such allocation inside an
   * OpenSSL callback the key of the callback's caller: two allocations of
   * one callback were one site, and only the first was ever failed.) */
  int i = 0;
  while (i < n && i < 3 && !in_openssl(fr[i])) i++;
  if (i == n) i = 0;
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over the addresses */
  int ours = 0;
  for (; i < n && fr[i] != fs_stack_top; i++) {
    if (fs_key_lib_only && in_openssl(fr[i])) continue;
    uintptr_t a = (uintptr_t)fr[i];
    for (size_t b = 0; b < sizeof a; b++) {
      h ^= (a >> (8 * b)) & 0xff;
      h *= 0x100000001b3ULL;
    }
    if (depth > 0 && !in_openssl(fr[i]) && ++ours == depth) break;
  }
  return h != 0 ? h : 1; /* 0 means "no key" to the driver */
}

/* OpenSSL defects that a failed allocation turns into a hang, by the two
 * innermost OpenSSL functions of the allocation (their exported names):
 * failing one of these would stop the sweep, so it never fails them and
 * counts them instead (docs/reliability.md).
 *   OPENSSL_LH_insert in SSL_CTX_add_session (OpenSSL 3.0): the session
 *   stays on the cache's timeout list but not in its hash table, and
 *   SSL_CTX_flush_sessions (SSL_CTX_free) then loops for ever, growing a
 *   stack without bound.
 *   CRYPTO_zalloc in OSSL_STORE_open_ex (OpenSSL 3.0; reached by
 *   SSL_CTX_set_default_verify_paths through its store lookup): not a hang
 *   but as fatal: the error path frees the fetched loader once too often,
 *   and OPENSSL_cleanup at exit aborts on a double free in store_meth.c. */
static const char *const hangs[][2] = {
    {"OPENSSL_LH_insert", "SSL_CTX_add_session"},
    {"CRYPTO_zalloc", "OSSL_STORE_open_ex"},
};

static const char *sym(void *pc) {
  Dl_info info;
  return dladdr(pc, &info) && info.dli_sname != NULL ? info.dli_sname : "";
}

int fs_known_hang(void) {
  void *fr[32];
  int n = backtrace(fr, 32), i = 0;
  while (i < n && !in_openssl(fr[i])) i++;
  if (i + 1 >= n) return 0;
  const char *a = sym(fr[i]), *b = sym(fr[i + 1]);
  for (size_t h = 0; h < sizeof hangs / sizeof hangs[0]; h++)
    if (strcmp(a, hangs[h][0]) == 0 && strcmp(b, hangs[h][1]) == 0) return 1;
  return 0;
}

/* ---- the sets of keys seen in a reference run ---------------------------- */
typedef struct keyset {
  uint64_t *slot; /* open addressing; 0 = empty */
  size_t cap, n;
} keyset;
static keyset firsts, seconds; /* keys seen once; keys seen at least twice */

static int keyset_add(keyset *ks, uint64_t key) {
  if (ks->n * 2 >= ks->cap) {
    size_t cap = ks->cap ? ks->cap * 2 : 4096;
    uint64_t *t = calloc(cap, sizeof *t);
    if (t == NULL) abort();
    for (size_t i = 0; i < ks->cap; i++) {
      if (ks->slot[i] == 0) continue;
      size_t j = (size_t)(ks->slot[i] * 0x9e3779b97f4a7c15ULL) & (cap - 1);
      while (t[j] != 0) j = (j + 1) & (cap - 1);
      t[j] = ks->slot[i];
    }
    free(ks->slot);
    ks->slot = t;
    ks->cap = cap;
  }
  size_t j = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (ks->cap - 1);
  while (ks->slot[j] != 0) {
    if (ks->slot[j] == key) return 0;
    j = (j + 1) & (ks->cap - 1);
  }
  ks->slot[j] = key;
  ks->n++;
  return 1;
}

static void keyset_clear(keyset *ks) {
  if (ks->slot != NULL) memset(ks->slot, 0, ks->cap * sizeof *ks->slot);
  ks->n = 0;
}

static void keyset_free(keyset *ks) {
  free(ks->slot);
  *ks = (keyset){0};
}

fs_site *fs_sites;
size_t fs_n_sites;
int fs_sites_repeats;
static size_t sites_cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void fs_sites_reset(void) {
  pthread_mutex_lock(&lock);
  keyset_clear(&firsts);
  keyset_clear(&seconds);
  fs_n_sites = 0;
  pthread_mutex_unlock(&lock);
}

void fs_sites_record(long index, uint64_t key) {
  pthread_mutex_lock(&lock);
  if (keyset_add(&firsts, key) || (fs_sites_repeats && keyset_add(&seconds, key))) {
    if (fs_n_sites == sites_cap) {
      sites_cap = sites_cap ? sites_cap * 2 : 1024;
      fs_sites = realloc(fs_sites, sites_cap * sizeof *fs_sites);
      if (fs_sites == NULL) abort();
    }
    fs_sites[fs_n_sites++] = (fs_site){index, key};
  }
  pthread_mutex_unlock(&lock);
}

void fs_sites_free(void) {
  keyset_free(&firsts);
  keyset_free(&seconds);
  free(fs_sites);
  fs_sites = NULL;
  fs_n_sites = sites_cap = 0;
}
