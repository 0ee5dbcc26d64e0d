/* report_probe.c — a Criterion binary whose tests pass, fail, skip and crash
 * with messages made to break a naive report (quotes, backslashes, newlines,
 * control bytes, markup, invalid UTF-8), and a parameterized test whose
 * parameters end differently. th_results_test.py runs it and checks that
 * every test comes back with its verdict and its message intact. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdlib.h>

Test(probe, passes) { cr_assert(1); }

Test(probe, fails_with_quotes) {
  cr_assert(0, "say \"hi\" \\ then\nnext line\t<b>&amp;</b> ]]> \x01 caf\xc3\xa9 \xff");
}

Test(probe, skips_with_quotes) { cr_skip_test("UNSUPPORTED: no \"x\" here\\\nsecond line"); }

Test(probe, crashes) { abort(); }

ParameterizedTestParameters(probe, params) {
  static int v[] = {0, 1, 2, 3};
  return cr_make_param_array(int, v, sizeof v / sizeof v[0]);
}

/* Parameter 1 fails, 2 is unsupported, 0 and 3 pass. */
ParameterizedTest(int *v, probe, params) {
  if (*v == 2) cr_skip_test("UNSUPPORTED: parameter \"%d\"", *v);
  cr_assert(*v != 1, "parameter %d fails", *v);
}
