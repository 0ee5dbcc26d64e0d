#!/usr/bin/env python3
"""Sum Criterion's results over every test log of the last `bazel test`.

Prints one closing line `tests: N passed, N failed, N skipped`. A target that
failed without Criterion counting a failure (a sanitizer report at exit, a
crash before the runner started, a timeout) counts as one failed test, so the
line can never say 0 failed while Bazel says otherwise. Exit status 1 when
anything failed or when no test ran at all.
"""
import glob
import os
import re
import sys

SYN = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")


def json_report(zpath):
    """The Criterion JSON report conformance/testutil.c asks for, or None."""
    import json
    import zipfile
    try:
        with zipfile.ZipFile(zpath) as z:
            return json.loads(z.read("criterion.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs"
    # Optional: the test targets of this run (one label a line), so that logs
    # of targets that no longer exist are never counted.
    wanted = None
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            wanted = set(l.strip().lstrip("/").replace(":", "/") for l in f if l.strip())
    passed = failed = skipped = 0
    bad_targets = []
    for log in sorted(glob.glob(os.path.join(root, "**", "test.log"), recursive=True)):
        target = os.path.relpath(os.path.dirname(log), root)
        if wanted is not None and target not in wanted:
            continue
        text = open(log, errors="replace").read()
        m = None
        for m in SYN.finditer(text):
            pass
        xml = os.path.join(os.path.dirname(log), "test.xml")
        xml_text = open(xml, errors="replace").read() if os.path.exists(xml) else ""
        target_failed = "<failure" in xml_text or "<error" in xml_text
        report = json_report(os.path.join(os.path.dirname(log), "test.outputs", "outputs.zip"))
        if m:
            tested, ok, fail, crash = map(int, m.groups())
            skip = max(0, tested - ok - fail - crash)
            if report is not None:
                # The JSON report also counts skipped tests (UNSUPPORTED
                # probes), which Criterion's synthesis line leaves out.
                ok, fail, crash, skip = (report["passed"], report["failed"], report["errored"],
                                         report["skipped"])
            passed += ok
            failed += fail + crash
            skipped += skip
            if target_failed and fail + crash == 0:
                failed += 1
                bad_targets.append(target + " (failed after its tests: sanitizer, leak or exit status)")
            elif fail + crash:
                bad_targets.append(target)
        elif target_failed:
            failed += 1
            bad_targets.append(target + " (no Criterion summary: crash or timeout)")
        elif "tests: " in text:
            # A non-Criterion test (e.g. a shell test) that prints the plain line.
            m2 = re.findall(r"(\d+) passed, (\d+) failed", text)
            if m2:
                passed += int(m2[-1][0])
                failed += int(m2[-1][1])
    for t in bad_targets:
        print("FAILED: " + t)
    print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
