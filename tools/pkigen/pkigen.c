/* pkigen — write the tlsharness fixture set (docs/fixtures.md).
 *
 *   pkigen --out DIR [--seed N] [--keys rsa2048,p256,...] [--extended] [--quiet]
 *
 * The same seed on the same OpenSSL version writes byte-identical files.
 * Exit status: 0 on success, 2 for bad usage, 1 when generation failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsharness/fixtures.h"

static int usage(const char *msg) {
  if (msg) fprintf(stderr, "pkigen: %s\n", msg);
  fprintf(stderr,
          "usage: pkigen --out DIR [--seed N] [--keys LIST] [--extended] [--quiet]\n"
          "  --keys LIST  comma-separated: rsa2048,rsa3072,rsa4096,p256,p384,p521,\n"
          "               ed25519,ed448,dsa (default: rsa2048,p256,p384,ed25519,ed448,dsa)\n"
          "  --extended   also rsa3072, rsa4096 and p521\n"
          "  --quiet      no progress line\n");
  return 2;
}

static int parse_keys(char *list, int *keys, size_t cap) {
  size_t n = 0;
  for (char *tok = strtok(list, ","); tok != NULL; tok = strtok(NULL, ",")) {
    int k = th_fixtures_key_from_name(tok);
    if (k < 0 || k == TH_FIXTURES_KEY_RSA1024 || n + 1 >= cap) {
      fprintf(stderr, "pkigen: unknown key type \"%s\"\n", tok);
      return -1;
    }
    keys[n++] = k;
  }
  keys[n] = 0;
  return n > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  const char *out = NULL;
  unsigned long long seed = 1;
  int keys[TH_FIXTURES_KEY_COUNT + 1];
  th_fixtures_set_opts opts = {.progress = 1};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has_val = i + 1 < argc;
    if (strcmp(a, "--out") == 0 && has_val) {
      out = argv[++i];
    } else if (strcmp(a, "--seed") == 0 && has_val) {
      char *end;
      seed = strtoull(argv[++i], &end, 0);
      if (*end != '\0' || argv[i][0] == '-') return usage("--seed wants a non-negative number");
    } else if (strcmp(a, "--keys") == 0 && has_val) {
      if (parse_keys(argv[++i], keys, sizeof keys / sizeof keys[0]) != 0) return usage(NULL);
      opts.keys = keys;
    } else if (strcmp(a, "--extended") == 0) {
      opts.extended = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      opts.progress = 0;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(NULL);
      return 0;
    } else {
      fprintf(stderr, "pkigen: bad argument \"%s\"\n", a);
      return usage(NULL);
    }
  }
  if (out == NULL) return usage("--out is required");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int n = th_fixtures_write_set(out, seed, &opts);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (n < 0) {
    char buf[1024];
    th_error_format(buf, sizeof buf);
    fprintf(stderr, "pkigen: %s\n", buf);
    return 1;
  }
  if (opts.progress)
    fprintf(stderr, "pkigen: %d files in %s (seed %llu) in %.2f s\n", n, out, seed,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
