#!/usr/bin/env python3
"""Validate this machine's OpenSSL build: run every conformance binary with
Criterion's JSON report and print PASS / FAIL / UNSUPPORTED per module and
feature suite. Tests that find a feature missing from the build skip with a
message starting "UNSUPPORTED"; they are listed, not hidden.

Writes the merged report to out/validate.json. Exit status 1 on any failure.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Which module of the library each test file exercises, for the rollup.
MODULES = [
    ("features", ("features",)),
    ("loopback", ("loopback",)),
    ("fixtures", ("fixtures",)),
    ("rand", ("rand",)),
    ("SSL", ("ssl", "context", "session", "connection", "alpn", "sessions", "verify", "callbacks",
             "renegotiation", "shutdown", "interop", "exceptions")),
    ("crypto", ("pkey", "x509", "crl", "revoked", "pkcs", "netscape", "elliptic", "crypto")),
    ("core", ("error", "readme", "perf_paths")),
]


def module_of(fileroot):
    for name, prefixes in MODULES:
        if fileroot.startswith(prefixes):
            return name
    return "other"


def run_binary(binary, outdir):
    report = os.path.join(outdir, os.path.basename(binary) + ".json")
    subprocess.run([binary, "--json=" + report], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600, cwd=outdir)
    try:
        with open(report) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"test_suites": [{"name": os.path.basename(binary), "passed": 0, "failed": 1,
                                 "errored": 0, "skipped": 0,
                                 "tests": [{"name": "(binary crashed)", "status": "ERRORED"}]}]}


def main():
    binaries = sorted(b for b in glob.glob(os.path.join(ROOT, "bazel-bin", "conformance", "*_test"))
                      if os.access(b, os.X_OK) and not os.path.isdir(b))
    if len(sys.argv) > 1:
        # Only the test targets that exist now (`bazel query`), never a stale
        # binary left in bazel-bin by a removed test.
        with open(sys.argv[1]) as f:
            wanted = set(l.strip().split(":")[-1] for l in f if l.strip())
        binaries = [b for b in binaries if os.path.basename(b) in wanted]
    if not binaries:
        sys.exit("validate: no conformance binaries; run bazel build //conformance:all")
    # What the library really runs against (not the openssl tool on PATH).
    info = subprocess.run([os.path.join(ROOT, "bazel-bin", "tools", "info", "th-info")],
                          capture_output=True, text=True).stdout.splitlines()
    version = info
    for line in info:
        if line.split(":")[0] in ("openssl_version", "platform", "openssldir", "openssl_prefix"):
            print("%-18s %s" % (line.split(":")[0] + ":", line.split(":", 1)[1].strip()))
    suites = {}
    with tempfile.TemporaryDirectory() as outdir:
        for b in binaries:
            rep = run_binary(b, outdir)
            module = os.path.basename(b)[:-len("_test")]
            for s in rep.get("test_suites", []):
                entry = suites.setdefault(s["name"], {"module": module, "tests": []})
                entry["tests"].extend(s.get("tests", []))
    total = {"PASSED": 0, "FAILED": 0, "SKIPPED": 0}
    print("\n%-22s %-22s %6s %6s %12s  %s" % ("suite", "file", "pass", "fail", "unsupported", "verdict"))
    failures, unsupported = [], []
    for name in sorted(suites):
        tests = suites[name]["tests"]
        p = sum(1 for t in tests if t["status"] == "PASSED")
        f = sum(1 for t in tests if t["status"] in ("FAILED", "ERRORED"))
        s = sum(1 for t in tests if t["status"] == "SKIPPED")
        total["PASSED"] += p
        total["FAILED"] += f
        total["SKIPPED"] += s
        verdict = "FAIL" if f else ("UNSUPPORTED" if s and not p else "PASS")
        print("%-22s %-22s %6d %6d %12d  %s" % (name, suites[name]["module"], p, f, s, verdict))
        for t in tests:
            msgs = "; ".join(t.get("messages", []))[:200]
            if t["status"] in ("FAILED", "ERRORED"):
                failures.append("%s/%s: %s" % (name, t["name"], msgs))
            elif t["status"] == "SKIPPED":
                unsupported.append("%s/%s: %s" % (name, t["name"], msgs))
    print("\n%-10s %6s %6s %12s  %s" % ("module", "pass", "fail", "unsupported", "verdict"))
    roll = {}
    for name in suites:
        m = module_of(suites[name]["module"])
        r = roll.setdefault(m, [0, 0, 0])
        for t in suites[name]["tests"]:
            r[0 if t["status"] == "PASSED" else 1 if t["status"] in ("FAILED", "ERRORED") else 2] += 1
    for m, _ in MODULES + [("other", ())]:
        if m in roll:
            p, f, sk = roll[m]
            print("%-10s %6d %6d %12d  %s" % (m, p, f, sk, "FAIL" if f else "UNSUPPORTED" if sk and not p else "PASS"))
    if unsupported:
        print("\nUnsupported by this build:")
        for u in unsupported:
            print("  " + u)
    if failures:
        print("\nFailures:")
        for f in failures:
            print("  " + f)
    print("\nvalidate: %d passed, %d failed, %d unsupported" % (total["PASSED"], total["FAILED"], total["SKIPPED"]))
    os.makedirs(os.path.join(ROOT, "out"), exist_ok=True)
    with open(os.path.join(ROOT, "out", "validate.json"), "w") as f:
        json.dump({"openssl": version, "suites": suites, "totals": total}, f, indent=1)
    return 1 if total["FAILED"] else 0


if __name__ == "__main__":
    sys.exit(main())
