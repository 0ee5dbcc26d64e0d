#!/usr/bin/env python3
"""Check conformance/manifest.tsv: every documented entry of the spec maps to
C symbols the library really exports (or headers really define) and to
Criterion tests that really exist.

manifest.tsv columns: module, class, name, kind (the spec's api-manifest.tsv,
same rows, same order), symbols (comma-separated C names), tests
(comma-separated `suite/test`). Rows after the spec's rows cover helpers
beyond the spec (loopback, fixtures). Rows not done yet leave 5 and 6 empty.

Fails when: the first four columns drift from the spec; a row names a symbol
that is neither defined by the library's module archives (bazel-bin/lib/lib<module>.a)
nor defined in a public header;
a row names a test that no test binary registers (`<binary> --list`); a
row names a test that did not run and pass in the last `bazel test` (read from
the reports conformance/testutil/testutil_report.c writes in bazel-testlogs; skip with --no-executed).
Prints the coverage per class. Run after `bazel build //lib:tlsharness
//conformance:all` (tools/test does).

Usage: tools/check_manifest.py [--merge]   (--merge first rebuilds
manifest.tsv from the spec rows and the fragments in conformance/manifest.d/)
"""
import collections
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_CANDIDATES = [os.path.join(ROOT, "..", "shared", "spec", "api-manifest.tsv"),
                   os.path.join(ROOT, "conformance", "api-manifest.tsv")]
MANIFEST = os.path.join(ROOT, "conformance", "manifest.tsv")


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


def spec_rows():
    for p in SPEC_CANDIDATES:
        if os.path.exists(p):
            return read_tsv(p)
    sys.exit("check_manifest: no api-manifest.tsv found")


def merge():
    """Rebuild manifest.tsv: spec rows in order, columns 5-6 from fragments."""
    spec = spec_rows()
    header, rows = spec[0], spec[1:]
    filled = {}
    extra = []
    for frag in sorted(glob.glob(os.path.join(ROOT, "conformance", "manifest.d", "*.tsv"))):
        for r in read_tsv(frag):
            r = (r + ["", "", "", "", "", ""])[:6]
            key = tuple(r[:4])
            if key in filled:
                sys.exit("check_manifest: %s: row %s given twice" % (frag, "/".join(key)))
            filled[key] = r
    spec_keys = set(tuple(r[:4]) for r in rows)
    for key, r in filled.items():
        if key not in spec_keys:
            extra.append(r)
    with open(MANIFEST, "w") as out:
        out.write("\t".join(header + ["symbols", "tests"]) + "\n")
        for r in rows:
            f = filled.get(tuple(r[:4]), r + ["", ""])
            out.write("\t".join(r[:4] + f[4:6]) + "\n")
        for r in extra:
            out.write("\t".join(r) + "\n")


def exported_symbols():
    # The library is one Bazel target per module (//lib:core, ...): read the
    # global symbols every module's archive defines.
    syms = set()
    for mod in ("core", "crypto", "ssl", "loopback", "fixtures"):
        lib = os.path.join(ROOT, "bazel-bin", "lib", "lib%s.a" % mod)
        if not os.path.exists(lib):
            sys.exit("check_manifest: %s missing; run bazel build //lib:all" % lib)
        out = subprocess.run(["nm", "-g", "--defined-only", lib], capture_output=True,
                             text=True).stdout
        syms |= set(line.split()[-1] for line in out.splitlines()
                    if len(line.split()) == 3)
    text = ""
    for h in glob.glob(os.path.join(ROOT, "lib", "include", "tlsharness", "*.h")):
        text += open(h).read()
    syms |= set(re.findall(r"#define\s+(TH_\w+)", text))
    for body in re.findall(r"enum\s*\w*\s*\{([^}]*)\}", text):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        syms |= set(re.findall(r"(?:^|,)\s*(TH_\w+)", body))
    syms |= set(re.findall(r"typedef\s+[^;]*?\b(th_\w+)\s*;", text))
    return syms


def test_binaries():
    for sub in ("conformance", "tools", "fixtures"):
        for binary in glob.glob(os.path.join(ROOT, "bazel-bin", sub, "**", "*_test"), recursive=True):
            if os.access(binary, os.X_OK) and not os.path.isdir(binary):
                yield binary


def list_tests(binary):
    res = subprocess.run([binary, "--list"], capture_output=True, text=True, timeout=60)
    tests = set()
    suite = None
    for line in (res.stdout + res.stderr).splitlines():
        m = re.match(r"^(\S+): \d+ tests?$", line)
        if m:
            suite = m.group(1)
            continue
        m = re.match(r"^[├└│─ ]+\s*(\S+)", line)
        if m and suite:
            tests.add(suite + "/" + m.group(1))
    return tests


def registered_tests():
    """(registered, executed): every suite/test the binaries register, and
    those the last `bazel test` run proved PASSED (from the report
    conformance/testutil/testutil_report.c writes; for a binary without one, all its tests when
    its target passed)."""
    registered, executed = set(), set()
    logs = os.path.join(ROOT, "bazel-testlogs")
    for binary in test_binaries():
        tests = list_tests(binary)
        registered |= tests
        rel = os.path.relpath(binary, os.path.join(ROOT, "bazel-bin"))
        tdir = os.path.join(logs, rel)
        report = read_report(tdir)
        if report is not None:
            for t in report.get("tests", []):
                if t.get("status") == "PASSED":
                    executed.add(t["suite"] + "/" + t["name"])
        elif target_passed(tdir):
            executed |= tests
    return registered, executed


def read_report(tdir):
    """The binary's own report (conformance/testutil/testutil_report.c), or None; with
    TH_RUN_ID set (tools/test), only a report of that run counts."""
    sys.path.insert(0, os.path.join(ROOT, "tools", "results"))
    import th_results
    try:
        rep = th_results.load_report(tdir)
    except (OSError, ValueError):
        return None
    run_id = os.environ.get("TH_RUN_ID")
    if rep is not None and run_id and rep.get("run_id") != run_id:
        return None
    return rep


def target_passed(tdir):
    try:
        xml = open(os.path.join(tdir, "test.xml"), errors="replace").read()
    except OSError:
        return False
    return "<failure" not in xml and "<error" not in xml


def main():
    if "--merge" in sys.argv:
        merge()
    check_executed = "--no-executed" not in sys.argv
    spec = spec_rows()[1:]
    rows = read_tsv(MANIFEST)[1:]
    errors = []
    for i, (s, r) in enumerate(zip(spec, rows)):
        if r[:4] != s[:4]:
            errors.append("row %d: %s does not match the spec's %s" % (i + 2, r[:4], s[:4]))
    if len(rows) < len(spec):
        errors.append("manifest.tsv has %d rows, the spec %d" % (len(rows), len(spec)))
    syms = exported_symbols()
    tests, executed = registered_tests()
    per = collections.OrderedDict()
    for i, r in enumerate(rows):
        r = (r + ["", ""])[:6]
        ok = bool(r[4]) and bool(r[5]) and r[5] != "-"
        for sym in filter(None, r[4].split(",")):
            if sym.strip() not in syms:
                errors.append("row %d (%s): symbol %s is not exported nor defined in a header"
                              % (i + 2, "/".join(r[:3]), sym.strip()))
                ok = False
        for t in filter(None, r[5].split(",")):
            if t.strip() != "-" and t.strip() not in tests:
                errors.append("row %d (%s): test %s does not exist" % (i + 2, "/".join(r[:3]), t.strip()))
                ok = False
            elif t.strip() != "-" and check_executed and t.strip() not in executed:
                errors.append("row %d (%s): test %s did not run and pass in the last bazel test"
                              % (i + 2, "/".join(r[:3]), t.strip()))
                ok = False
        if i >= len(spec):
            key = "beyond the spec: " + r[0]
        elif r[1] == "-":
            key = r[0] + " (module)"
        else:
            key = r[0] + "." + r[1]
        total, done = per.get(key, (0, 0))
        per[key] = (total + 1, done + (1 if ok else 0))
    want = len(spec)
    have = sum(1 for r in rows[:want] if len(r) >= 6 and r[4] and r[5] and r[5] != "-")
    print("API coverage manifest (conformance/manifest.tsv):")
    for k, (t, d) in per.items():
        print("  %-40s %3d / %3d" % (k, d, t))
    print("  %-40s %3d / %3d documented entries" % ("TOTAL", have, want))
    for e in errors:
        print("check_manifest: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
