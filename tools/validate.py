#!/usr/bin/env python3
"""Validate OpenSSL builds with the conformance suite (called by tools/validate).

    tools/validate                   one build: the system's, or $OPENSSL_PREFIX
    tools/validate --matrix          every build of tools/openssl-builds, side by side
    tools/validate --matrix --builds system,3.5   some of them
    options: --jobs N (builds validated at once), --no-bench

Each build is built and tested by `bazel test` in a Bazel output base of its
own (${TH_CACHE:-~/.cache/tlsharness}/bazel/<checkout>-<build>), so the runs
of two builds never share binaries, test logs or cached results. Every run has
an id, passed to the tests (TH_RUN_ID): that forces Bazel to run every test
again (the OpenSSL libraries under test are outside Bazel's view) and lets the
reader refuse any report not written by this run. A failed build or a Bazel
error stops everything with the step, the build and the log named, and a
non-zero status; nothing older is ever shown in its place.

Writes out/validate/<build>.json (and out/validate.json for a single build),
and for --matrix out/matrix.json, out/report/index.html and a terminal table
(tools/results/matrix_report.py). Logs of the run: out/runs/<run id>/.
Exit status 1 when a test FAILs or a step fails.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "results"))
import matrix_report  # noqa: E402
import th_results  # noqa: E402

OUT = os.path.join(ROOT, "out")
CACHE = os.environ.get("TH_CACHE") or os.path.join(os.environ.get("HOME", "/root"), ".cache",
                                                   "tlsharness")
BUILDS_TOOL = os.path.join(ROOT, "tools", "openssl-builds")
TOOL_TARGETS = ["//tools/info:th-info", "//tools/bench:bench"]

# Which module a test binary of the flat layout exercises (the module folders
# of conformance/<module>/ name it directly).
MODULES = [
    ("features", ("features",)),
    ("loopback", ("loopback",)),
    ("fixtures", ("fixtures",)),
    ("rand", ("rand",)),
    ("ssl", ("ssl", "context", "session", "connection", "alpn", "sessions", "verify", "callbacks",
             "renegotiation", "shutdown", "interop", "exceptions")),
    ("crypto", ("pkey", "x509", "crl", "revoked", "pkcs", "netscape", "elliptic", "crypto")),
    ("core", ("error", "readme", "perf_paths")),
]


class StepFailed(Exception):
    """A step that must succeed did not: its message names the build, the
    step and the log."""


def module_of(label, folders):
    """The module a test target exercises: the folder of its source under
    conformance/ (conformance/<module>/x_test.c), else by its name."""
    if label in folders:
        return folders[label]
    name = label.partition(":")[2]
    for mod, prefixes in MODULES:
        if name.startswith(prefixes):
            return mod
    return "other"


def checkout_key():
    return hashlib.md5(ROOT.encode()).hexdigest()[:8]


class Build:
    """One OpenSSL build under test: id, prefix (None: the system's), the
    metadata tools/openssl-builds recorded, the environment its tests need."""

    def __init__(self, bid, prefix, meta, strict=False):
        self.id, self.prefix, self.meta = bid, prefix, meta or {}
        # strict: a deprecated OpenSSL call fails the build (--config=strict,
        # bazel/copts.bzl); for the matrix's known builds only, so that a newer
        # OpenSSL still builds (with warnings) and is validated.
        self.strict = strict
        self.env = dict(self.meta.get("env") or {})
        self.base = os.path.join(CACHE, "bazel", "%s-%s" % (checkout_key(), bid))

    def bazel_env(self):
        env = dict(os.environ)
        env.pop("OPENSSL_PREFIX", None)
        if self.prefix:
            env["OPENSSL_PREFIX"] = self.prefix
        return env

    def run_env(self):
        env = dict(os.environ)
        env.update(self.env)
        return env


def read_meta(prefix):
    p = os.path.join(prefix, "meta.json")
    if os.path.exists(p):
        with open(p) as f:
            return json.load(f)
    return None


def plain_build():
    prefix = os.environ.get("OPENSSL_PREFIX", "").rstrip("/")
    if not prefix:
        return Build("system", None, None)
    if not os.path.exists(os.path.join(prefix, "include", "openssl", "ssl.h")):
        raise StepFailed("OPENSSL_PREFIX=%s has no include/openssl/ssl.h" % prefix)
    meta = read_meta(prefix)
    bid = (meta or {}).get("id") or "prefix-" + os.path.basename(prefix)
    return Build(bid, prefix, meta)


def matrix_builds(wanted):
    if not os.access(BUILDS_TOOL, os.X_OK):
        raise StepFailed("tools/openssl-builds is missing: it provides the matrix's builds")
    ids = wanted or run_tool(["list"], "list the builds").split()
    builds = []
    for bid in ids:
        t0 = time.time()
        prefix = run_tool(["get", bid], "obtain build %s" % bid).strip().splitlines()[-1]
        meta_path = run_tool(["meta", bid], "read %s's metadata" % bid).strip()
        with open(meta_path) as f:
            meta = json.load(f)
        print("validate: build %s at %s (%s; %.0f s)" % (bid, prefix, meta.get("version"),
                                                        time.time() - t0), flush=True)
        builds.append(Build(bid, prefix, meta, strict=True))
    return builds


def run_tool(args, what):
    res = subprocess.run([BUILDS_TOOL] + args, stdout=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise StepFailed("tools/openssl-builds %s failed (exit %d): could not %s" %
                         (" ".join(args), res.returncode, what))
    return res.stdout


def bazel(build, logdir, step, args, ok=(0,), capture=False):
    """Run one Bazel command for `build`, its output into logdir/<step>.log;
    StepFailed unless its exit status is in `ok`."""
    log = os.path.join(logdir, step + ".log")
    # No bazel-* symlinks in the checkout: they would point at one build's outputs.
    flags = [] if args[0] == "query" else ["--symlink_prefix=/"]
    if build.strict and args[0] in ("build", "test", "info"):
        flags.append("--config=strict")
    # One Bazel server per build: let it go 5 minutes after the run.
    cmd = ["bazel", "--output_base=" + build.base, "--max_idle_secs=300"] + args[:1] + flags + \
        args[1:]
    with open(log, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
        f.flush()
        res = subprocess.run(cmd, cwd=ROOT, env=build.bazel_env(), stderr=f,
                             stdout=subprocess.PIPE if capture else f, text=True)
    if res.returncode not in ok:
        with open(log, errors="replace") as f:
            tail = "".join(f.readlines()[-25:])
        raise StepFailed("build %s: step '%s' failed (bazel exit %d); log: %s\n%s" %
                         (build.id, step, res.returncode, os.path.relpath(log, ROOT), tail))
    return res.stdout if capture else res.returncode


def source_folders(build, logdir):
    """{test label: folder of its source} for conformance/<folder>/x_test.c."""
    out = bazel(build, logdir, "query", ["query", "--output=build", "tests(//conformance/...)"],
                capture=True)
    folders, name = {}, None
    for line in out.splitlines():
        m = re.match(r'\s*name = "([^"]+)"', line)
        if m:
            name = m.group(1)
        m = re.match(r'\s*srcs = \["//conformance:([^/"]+)/[^"]+_test\.c"\]', line)
        if m and name:
            folders["//conformance:" + name] = m.group(1)
    return folders


def th_info(build, bindir):
    exe = os.path.join(bindir, "tools", "info", "th-info")
    res = subprocess.run([exe], capture_output=True, text=True, env=build.run_env())
    if res.returncode != 0:
        raise StepFailed("build %s: th-info failed (exit %d): %s" % (build.id, res.returncode,
                                                                   res.stderr.strip()))
    info = {}
    for line in res.stdout.splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    return info


def validate_build(build, run_id, rundir, cpus):
    """Build, test and read one build; returns its document."""
    logdir = os.path.join(rundir, build.id)
    os.makedirs(logdir, exist_ok=True)
    res = ["--local_cpu_resources=%d" % cpus]
    t0 = time.time()
    labels = bazel(build, logdir, "query", ["query", "tests(//conformance/...)"],
                   capture=True).split()
    if not labels:
        raise StepFailed("build %s: no conformance test targets" % build.id)
    folders = source_folders(build, logdir)
    bazel(build, logdir, "build", ["build"] + res + TOOL_TARGETS + labels)
    t_build = time.time() - t0
    since = time.time()
    test_env = ["--test_env=TH_RUN_ID=" + run_id]
    test_env += ["--test_env=%s=%s" % kv for kv in sorted(build.env.items())]
    # Exit 3: some tests failed, which the results say; anything else but 0
    # is a build or Bazel failure.
    bazel(build, logdir, "test", ["test"] + res + test_env +
          ["--local_test_jobs=%d" % cpus, "--test_output=summary", "--test_summary=terse"] +
          labels, ok=(0, 3))
    testlogs = bazel(build, logdir, "info", ["info", "bazel-testlogs"], capture=True).strip()
    bindir = bazel(build, logdir, "info", ["info", "bazel-bin"], capture=True).strip()
    try:
        records = th_results.read_run(testlogs, labels, run_id, since)
    except ValueError as e:
        raise StepFailed("build %s: the results cannot be read: %s" % (build.id, e))
    for r in records:
        r["module"] = module_of(r["target"], folders)
    info = th_info(build, bindir)
    want = build.meta.get("version")
    if want and want not in info.get("openssl_version", "").split():
        # The tests ran against other libraries than the build's (an rpath
        # or environment problem): their results would be another build's.
        raise StepFailed("build %s: th-info reports %r, the build is %s" %
                         (build.id, info.get("openssl_version"), want))
    version = build.meta.get("version") or info.get("openssl_version", "").replace("OpenSSL ", "")
    doc = {
        "id": build.id,
        "version": version.split()[0] if version else "",
        "prefix": build.prefix or "system",
        "configure": build.meta.get("configure") or info.get("cflags", ""),
        "features": features_of(records),
        "counts": th_results.counts(records),
        "run_id": run_id,
        "info": info,
        "meta": build.meta,
        "seconds": {"build": round(t_build), "test": round(time.time() - since)},
        "tests": records,
        "bindir": bindir,
    }
    path = os.path.join(OUT, "validate", build.id + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    return doc


def features_of(records):
    """{feature: bool} from the features suites (features, features_build, ...):
    true when the probe PASSed, false when the build lacks it (UNSUPPORTED)
    or the probe failed. Keyed by test name (suite/test when two suites
    share a name)."""
    probes = [r for r in records if r["suite"] == "features" or r["suite"].startswith("features_")]
    names = [r["id"].split("/", 1)[1] for r in probes]
    return {(n if names.count(n) == 1 else r["id"]): r["verdict"] == "PASS"
            for n, r in zip(names, probes)}


def print_build(doc):
    """The single-build report: per suite, per module, what is unsupported
    and what failed."""
    for k in ("openssl_version", "platform", "openssldir", "openssl_prefix"):
        if k in doc["info"]:
            print("%-18s %s" % (k + ":", doc["info"][k].split(": ", 1)[-1]))
    suites, modules = {}, {}
    for r in doc["tests"]:
        for key, table in ((r["suite"], suites), (r["module"], modules)):
            c = table.setdefault(key, {"PASS": 0, "FAIL": 0, "UNSUPPORTED": 0, "module": r["module"]})
            c[r["verdict"]] += 1

    def verdict(c):
        return "FAIL" if c["FAIL"] else "UNSUPPORTED" if c["UNSUPPORTED"] and not c["PASS"] else "PASS"
    print("\n%-26s %-10s %6s %6s %12s  %s" % ("suite", "module", "pass", "fail", "unsupported",
                                             "verdict"))
    for name in sorted(suites):
        c = suites[name]
        print("%-26s %-10s %6d %6d %12d  %s" % (name, c["module"], c["PASS"], c["FAIL"],
                                               c["UNSUPPORTED"], verdict(c)))
    print("\n%-10s %6s %6s %12s  %s" % ("module", "pass", "fail", "unsupported", "verdict"))
    for name in sorted(modules):
        c = modules[name]
        print("%-10s %6d %6d %12d  %s" % (name, c["PASS"], c["FAIL"], c["UNSUPPORTED"], verdict(c)))
    for title, v in (("Unsupported by this build:", "UNSUPPORTED"), ("Failures:", "FAIL")):
        rows = [r for r in doc["tests"] if r["verdict"] == v]
        if rows:
            print("\n" + title)
            for r in rows:
                print("  %s: %s" % (r["id"], r["reason"].replace("\n", " ")[:200] or
                                    "(no reason given)"))
    c = doc["counts"]
    print("\nvalidate %s: %d passed, %d failed, %d unsupported" % (doc["id"], c["pass"], c["fail"],
                                                                  c["unsupported"]))


def bench_summary(build, doc):
    exe = os.path.join(doc["bindir"], "tools", "bench", "bench")
    print("\n== handshake benchmark (summary)", flush=True)
    return subprocess.run([exe, "--summary"], env=build.run_env()).returncode


def clean_outputs(builds, matrix):
    """Remove what an earlier run left for these builds, so that nothing stale
    can be read as this run's."""
    stale = [os.path.join(OUT, "validate", b.id + ".json") for b in builds]
    stale.append(os.path.join(OUT, "validate.json"))
    if matrix:
        stale += [os.path.join(OUT, "matrix.json"), os.path.join(OUT, "report")]
    for p in stale:
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.unlink(p)
    runs = os.path.join(OUT, "runs")
    if os.path.isdir(runs):  # keep the logs of the last few runs only
        for old in sorted(os.listdir(runs))[:-4]:
            shutil.rmtree(os.path.join(runs, old), ignore_errors=True)


def parse_args(argv):
    opts = {"matrix": False, "builds": None, "jobs": None, "bench": True}
    it = iter(argv)
    for a in it:
        if a == "--matrix":
            opts["matrix"] = True
        elif a == "--builds" or a.startswith("--builds="):
            opts["builds"] = (a.split("=", 1)[1] if "=" in a else next(it, "")).split(",")
        elif a == "--jobs" or a.startswith("--jobs="):
            opts["jobs"] = int(a.split("=", 1)[1] if "=" in a else next(it, "1"))
        elif a == "--no-bench":
            opts["bench"] = False
        else:
            sys.exit("usage: tools/validate [--matrix [--builds ID,...] [--jobs N]] [--no-bench]")
    if opts["builds"] and not opts["matrix"]:
        sys.exit("validate: --builds needs --matrix")
    return opts


def run(opts):
    t0 = time.time()
    builds = matrix_builds(opts["builds"]) if opts["matrix"] else [plain_build()]
    clean_outputs(builds, opts["matrix"])
    run_id = th_results.new_run_id()
    rundir = os.path.join(OUT, "runs", run_id)
    os.makedirs(rundir)
    os.makedirs(os.path.join(OUT, "validate"), exist_ok=True)
    ncpu = os.cpu_count() or 1
    jobs = max(1, min(len(builds), opts["jobs"] or max(2, ncpu // 2)))
    cpus = max(1, ncpu // jobs)
    if opts["matrix"]:
        print("validate: run %s: %d builds, %d at a time (%d CPUs each); logs in %s" %
              (run_id, len(builds), jobs, cpus, os.path.relpath(rundir, ROOT)), flush=True)
    docs, errors = {}, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(validate_build, b, run_id, rundir, cpus): b for b in builds}
        for fut in concurrent.futures.as_completed(futs):
            b = futs[fut]
            try:
                docs[b.id] = fut.result()
                d = docs[b.id]
                if opts["matrix"]:
                    c = d["counts"]
                    print("validate: %-12s %-8s %4d pass %3d fail %3d unsupported  (build %d s, "
                          "tests %d s)" % (b.id, d["version"], c["pass"], c["fail"],
                                           c["unsupported"], d["seconds"]["build"],
                                           d["seconds"]["test"]), flush=True)
            except StepFailed as e:
                errors.append(str(e))
                for f in futs:
                    f.cancel()
    if errors:
        for e in errors:
            print("validate: FAILED: " + e, file=sys.stderr)
        done = ", ".join("out/validate/%s.json" % b for b in docs) or "none"
        print("validate: stopped: no matrix or report written (builds that completed: %s)" % done,
              file=sys.stderr)
        return 1
    ordered = [docs[b.id] for b in builds]
    rc = 1 if any(d["counts"]["fail"] for d in ordered) else 0
    if opts["matrix"]:
        print()
        print(matrix_report.write(OUT, ordered))
        print("\nvalidate: wrote out/matrix.json, out/report/index.html, out/validate/<build>.json "
              "(%.0f s)" % (time.time() - t0))
    else:
        doc = ordered[0]
        print_build(doc)
        shutil.copyfile(os.path.join(OUT, "validate", doc["id"] + ".json"),
                        os.path.join(OUT, "validate.json"))
        if opts["bench"] and bench_summary(builds[0], doc) != 0:
            rc = 1
    return rc


def main(argv):
    opts = parse_args(argv)
    try:
        return run(opts)
    except StepFailed as e:
        print("validate: FAILED: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
