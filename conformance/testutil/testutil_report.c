/* testutil_report.c — the suite's own test report, readable whatever a
 * message says.
 *
 * Criterion 2.4's JSON report copies messages without escaping (a '"' or a
 * newline in a message makes the whole file invalid), its XML report drops
 * skip reasons and leaves text outside CDATA unescaped, and its TAP report
 * breaks lines inside a skip reason. So under `bazel test` (or whenever
 * TH_REPORT names a file) every conformance binary writes its results through
 * this output provider instead: strict JSON, every string escaped, one record
 * per test with the parameter index of parameterized tests.
 *
 *   {"format": "tlsharness-report/1", "run_id": "<$TH_RUN_ID>",
 *    "tests": [{"suite", "name", "param": N|null,
 *               "status": "PASSED|FAILED|ERRORED|SKIPPED", "messages": [...]}]}
 *
 * run_id lets the reader (tools/results/th_results.py) refuse a report left by an
 * older run. Parameter indexes are stable because the report asks Criterion
 * for one worker (CRITERION_JOBS=1): tests, and each test's parameters, then
 * run in declaration order, so the n-th record of a test is parameter n. */
#include <criterion/criterion.h>
#include <criterion/output.h>
#include <criterion/stats.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (2-4 bytes), or 0. */
static int utf8_len(const unsigned char *p) {
  int n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 0 || (n == 2 && *p < 0xc2)) return 0;
  for (int i = 1; i < n; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  return n;
}

/* One JSON string: quotes, backslashes and control bytes escaped, bytes that
 * are not valid UTF-8 written as \u00XX, so the file is valid JSON whatever a
 * message holds. */
static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    int n = *p >= 0x80 ? utf8_len(p) : 0;
    if (n > 0) {
      fwrite(p, 1, (size_t)n, f);
      p += n - 1;
    } else if (*p == '"' || *p == '\\') {
      fprintf(f, "\\%c", *p);
    } else if (*p == '\n') {
      fputs("\\n", f);
    } else if (*p < 0x20 || *p >= 0x7f) {
      fprintf(f, "\\u%04x", *p);
    } else {
      fputc(*p, f);
    }
  }
  fputc('"', f);
}

static const char *status_of(const struct criterion_test_stats *t) {
  const struct criterion_test_extra_data *d = t->test->data;
  if (t->test_status == CR_STATUS_SKIPPED || d->disabled) return "SKIPPED";
  if (t->crashed) return "ERRORED";
  if (t->test_status == CR_STATUS_FAILED || t->failed_asserts > 0 || t->timed_out ||
      t->signal != d->signal || t->exit_code != d->exit_code)
    return "FAILED";
  return "PASSED";
}

/* Criterion keeps lists newest first: walk them oldest first. */
static size_t reversed(void **items, size_t max, void *head, size_t next_off) {
  size_t n = 0;
  for (void *p = head; p != NULL && n < max; p = *(void **)((char *)p + next_off)) items[n++] = p;
  for (size_t i = 0; i < n / 2; i++) {
    void *tmp = items[i];
    items[i] = items[n - 1 - i];
    items[n - 1 - i] = tmp;
  }
  return n;
}

static void sep(FILE *f, int *first) {
  if (!*first) fputs(", ", f);
  *first = 0;
}

static void write_messages(FILE *f, const struct criterion_test_stats *t) {
  void *asserts[256];
  size_t n = reversed(asserts, 256, t->asserts, offsetof(struct criterion_assert_stats, next));
  int first = 1;
  fputs("\"messages\": [", f);
  if (t->message != NULL) {
    sep(f, &first);
    json_str(f, t->message);
  }
  for (size_t i = 0; i < n; i++) {
    const struct criterion_assert_stats *a = asserts[i];
    if (a->passed) continue;
    const char *msg = a->message ? a->message : "";
    size_t len = strlen(msg) + (a->file ? strlen(a->file) : 1) + 32;
    char *line = malloc(len);
    if (line == NULL) continue;
    snprintf(line, len, "%s:%u: %s", a->file ? a->file : "?", a->line, msg);
    sep(f, &first);
    json_str(f, line);
    free(line);
  }
  if (t->crashed) {
    char why[64];
    snprintf(why, sizeof why, "crashed (signal %d)", t->signal);
    sep(f, &first);
    json_str(f, why);
  }
  if (t->timed_out) {
    sep(f, &first);
    json_str(f, "timed out");
  }
  fputc(']', f);
}

/* The parameter index of the n-th record of a parameterized test. */
static int param_index(void **tests, size_t i) {
  const struct criterion_test_stats *t = tests[i];
  if (t->test->data->kind_ != CR_TEST_PARAMETERIZED) return -1;
  int idx = 0;
  for (size_t j = 0; j < i; j++)
    if (((const struct criterion_test_stats *)tests[j])->test == t->test) idx++;
  return idx;
}

static void write_suite(FILE *f, const struct criterion_suite_stats *s, int *first) {
  size_t max = s->nb_tests + 1;
  void **tests = calloc(max, sizeof *tests);
  if (tests == NULL) return;
  size_t n = reversed(tests, max, s->tests, offsetof(struct criterion_test_stats, next));
  for (size_t i = 0; i < n; i++) {
    const struct criterion_test_stats *t = tests[i];
    sep(f, first);
    fputs("\n  {\"suite\": ", f);
    json_str(f, s->suite->name);
    fputs(", \"name\": ", f);
    json_str(f, t->test->name);
    int idx = param_index(tests, i);
    if (idx < 0)
      fputs(", \"param\": null", f);
    else
      fprintf(f, ", \"param\": %d", idx);
    fprintf(f, ", \"status\": \"%s\", ", status_of(t));
    write_messages(f, t);
    fputc('}', f);
  }
  free(tests);
}

static void th_report(FILE *f, struct criterion_global_stats *stats) {
  fputs("{\"format\": \"tlsharness-report/1\", \"run_id\": ", f);
  json_str(f, getenv("TH_RUN_ID"));
  fputs(", \"tests\": [", f);
  int first = 1;
  for (const struct criterion_suite_stats *s = stats->suites; s != NULL; s = s->next)
    write_suite(f, s, &first);
  fputs("\n]}\n", f);
}

/* Runs before main(): register the provider and, under `bazel test` (or
 * with TH_REPORT=path), ask Criterion for it. */
__attribute__((constructor)) static void tu_report_setup(void) {
  criterion_register_output_provider("th", th_report);
  const char *path = getenv("TH_REPORT");
  char spec[1200];
  if (path != NULL) {
    snprintf(spec, sizeof spec, "th:%s", path);
  } else {
    const char *dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
    if (dir == NULL) return;
    snprintf(spec, sizeof spec, "th:%s/th-report.json", dir);
  }
  if (getenv("CRITERION_OUTPUTS") != NULL) return;
  setenv("CRITERION_OUTPUTS", spec, 0);
  setenv("CRITERION_JOBS", "1", 0);
}
