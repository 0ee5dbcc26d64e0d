/* testutil_table.h — the machinery of the table-driven bad-argument tests
 * (crypto_bad_args, ssl_bad_args, fixtures_bad_args).
 *
 * A file lists its cases as X(kind, id, call, how), where `o` in call
 * stands for the argument under test; kind is I (call returns an int
 * status) or P (call returns a pointer, NULL on failure); how says which
 * bad values apply:
 *   TU_OBJ    NULL and a live object of another class (TH_ERR_TYPE both)
 *   TU_PTR    NULL only (a plain pointer: no class to get wrong)
 *   TU_WRONG  the wrong class only (NULL is valid there)
 *   TU_ALT    like TU_OBJ, with the file's alternative wrong object (for
 *             arguments whose usual wrong object is the right class)
 * TU_BAD_ARGS_TEST(suite, test, CASES, wrong, alt) then defines one
 * Criterion ParameterizedTest over every case (indexed: Criterion's
 * parameter copies cannot carry pointers). */
#ifndef TLSHARNESS_TESTUTIL_TABLE_H
#define TLSHARNESS_TESTUTIL_TABLE_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "tlsharness/tlsharness.h"

enum { TU_OBJ, TU_PTR, TU_WRONG, TU_ALT };

typedef struct tu_bad_case {
  const char *name;
  int (*run)(void *o);
  int how;
} tu_bad_case;

/* tu_st_ptr turns a pointer result into a status: the error kind when it
 * is NULL, 1 otherwise. */
int tu_st_ptr(const void *p);

/* tu_bad_case_check runs one case with NULL and/or the wrong object and
 * asserts TH_ERR_TYPE, naming the case in the failure. */
void tu_bad_case_check(const tu_bad_case *c, void *wrong, void *alt);

/* TU_INDEX_PARAMS makes a ParameterizedTest's parameters the indexes
 * 0..n-1 of a static table (Criterion's parameter copies cannot carry
 * pointers into the table). */
#define TU_INDEX_PARAMS(suite, test, n)                 \
  ParameterizedTestParameters(suite, test) {            \
    static int idx[n];                                  \
    for (int i = 0; i < (int)(n); i++) idx[i] = i;      \
    return cr_make_param_array(int, idx, (int)(n));     \
  }

#define TU_I_BODY(e) return (e);
#define TU_P_BODY(e) return tu_st_ptr((const void *)(e));
#define TU_BAD_DEFINE(kind, id, call, how) \
  static int run_##id(void *o) { TU_##kind##_BODY(call) }
#define TU_BAD_ENTRY(kind, id, call, how) {#id, run_##id, how},

#define TU_BAD_ARGS_TEST(suite, test, CASES, wrong, alt)                           \
  CASES(TU_BAD_DEFINE)                                                             \
  static const tu_bad_case suite##_##test##_cases[] = {CASES(TU_BAD_ENTRY)};       \
  TU_INDEX_PARAMS(suite, test, sizeof suite##_##test##_cases / sizeof(tu_bad_case)) \
  ParameterizedTest(int *i, suite, test) {                                         \
    tu_bad_case_check(&suite##_##test##_cases[*i], (void *)(wrong), (void *)(alt)); \
  }

/* The "a failed change leaves the object as it was" tables
 * (crypto_unchanged, ssl_unchanged): X(id, what, call, kind), where what
 * names the object the file snapshots and kind the error the call must
 * return. TU_CHANGE_TEST defines the ParameterizedTest: snapshot, call,
 * check the kind, snapshot again, compare (text snapshots are printed). */
typedef struct tu_change_case {
  const char *name;
  int what;
  int (*run)(void);
  int kind;
} tu_change_case;

/* tu_change_case_check runs one case between two snapshot(what) calls
 * (each a th_bytes the check frees). */
void tu_change_case_check(const tu_change_case *c, th_bytes *(*snapshot)(int what), int text);

#define TU_CHANGE_DEFINE(id, what, call, kind) \
  static int run_##id(void) { return (call); }
#define TU_CHANGE_ENTRY(id, what, call, kind) {#id, what, run_##id, kind},

#define TU_CHANGE_TEST(suite, test, CASES, snapshot, text)                          \
  CASES(TU_CHANGE_DEFINE)                                                          \
  static const tu_change_case suite##_##test##_cases[] = {CASES(TU_CHANGE_ENTRY)}; \
  TU_INDEX_PARAMS(suite, test, sizeof suite##_##test##_cases / sizeof(tu_change_case)) \
  ParameterizedTest(int *i, suite, test) {                                         \
    tu_change_case_check(&suite##_##test##_cases[*i], snapshot, text);             \
  }

#endif
