#!/usr/bin/env python3
"""test_summary.py RUN_ID SINCE TARGETS_FILE TESTLOGS — sum the results of
one `bazel test` run (tools/test) and print one closing line
`tests: N passed, N failed, N skipped`.

Results come from tools/results/th_results.py: each Criterion binary's own
report, taken only when it carries this run's id, and Bazel's test.xml, taken
only when written during this run (SINCE, epoch seconds). A target that failed
without a failing test (a sanitizer report at exit, a crash, a timeout) counts
as one failed test, and so does a target with no result from this run, so the
line can never say 0 failed while Bazel says otherwise or show an older run's
numbers. Exit status 1 when anything failed or when no test ran at all.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
import th_results  # noqa: E402


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: test_summary.py RUN_ID SINCE TARGETS_FILE TESTLOGS")
    run_id, since, targets, testlogs = argv[1], float(argv[2]), argv[3], argv[4]
    with open(targets) as f:
        labels = [l.strip() for l in f if l.strip()]
    try:
        records = th_results.read_run(testlogs, labels, run_id, since)
    except ValueError as e:
        sys.exit("test_summary: the results cannot be read: %s" % e)
    bad = sorted(set(r["target"] for r in records if r["verdict"] == "FAIL"))
    for r in records:
        if r["verdict"] == "FAIL":
            print("FAILED: %s: %s" % (r["id"], r["reason"].replace("\n", " ")[:300]))
    c = th_results.counts(records)
    if bad:
        print("failed targets: " + " ".join(bad))
    print("tests: %d passed, %d failed, %d skipped" % (c["pass"], c["fail"], c["unsupported"]))
    return 1 if c["fail"] or c["pass"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
