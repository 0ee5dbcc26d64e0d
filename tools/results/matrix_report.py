#!/usr/bin/env python3
"""The matrix report: one validate result per OpenSSL build side by side.

    matrix_report.py OUTDIR BUILD.json...     (the out/validate/<build>.json files)

writes OUTDIR/matrix.json:

    {"builds": [{"id", "version", "prefix", "configure", "features": {name: bool},
                 "counts": {"pass", "fail", "unsupported"}}],
     "tests": [{"id": "suite/test[/param]",
                "verdicts": {build_id: {"verdict": "PASS|FAIL|UNSUPPORTED", "reason"}}}]}

and OUTDIR/report/index.html (one self-contained page: the data is embedded
and rendered by the page's own script, nothing is fetched), and prints a
terminal table, a column per build, the differences between builds first.

A difference is classed as
  - "failure": a build FAILs the test;
  - "version change (docs/compat.md)": PASS/UNSUPPORTED differ and
    docs/compat.md names the test;
  - "missing feature": PASS/UNSUPPORTED differ otherwise (the UNSUPPORTED
    build lacks what the test needs; its reason says what).
"""
import html
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD_KEYS = ("id", "version", "prefix", "configure", "features", "counts")
MISSING = {"verdict": "FAIL", "reason": "not reported by this build (test absent or not run)"}


def build_matrix(docs):
    """matrix.json's content, and {test id: module} for grouping."""
    builds = [{k: d.get(k) for k in BUILD_KEYS} for d in docs]
    order, modules, verdicts = [], {}, {}
    for d in docs:
        for t in d["tests"]:
            if t["id"] not in verdicts:
                order.append(t["id"])
                verdicts[t["id"]] = {}
                modules[t["id"]] = t.get("module", "other")
            verdicts[t["id"]][d["id"]] = {"verdict": t["verdict"], "reason": t.get("reason", "")}
    order.sort(key=lambda i: (modules[i], i))
    tests = []
    for tid in order:
        v = verdicts[tid]
        tests.append({"id": tid, "verdicts": {b["id"]: v.get(b["id"], dict(MISSING)) for b in builds}})
    # Counted from the matrix itself, so that a test missing from a build
    # counts as the FAIL its column shows.
    for b in builds:
        b["counts"] = {"pass": 0, "fail": 0, "unsupported": 0}
        for t in tests:
            b["counts"][t["verdicts"][b["id"]]["verdict"].lower()] += 1
    return {"builds": builds, "tests": tests}, modules


def compat_sections(text):
    """{suite/test: heading} for every test docs/compat.md names."""
    found, heading = {}, ""
    for line in text.splitlines():
        m = re.match(r"^#+\s+(.*)", line)
        if m:
            heading = m.group(1).strip()
            continue
        for tid in re.findall(r"\b([A-Za-z0-9_]+/[A-Za-z0-9_]+)\b", line):
            found.setdefault(tid, heading)
    return found


def classify(test, compat):
    vs = set(v["verdict"] for v in test["verdicts"].values())
    if len(vs) == 1:
        return None
    if "FAIL" in vs:
        return "failure", ""
    base = "/".join(test["id"].split("/")[:2])
    if base in compat:
        return "version change (docs/compat.md)", compat[base]
    return "missing feature", ""


def differences(matrix, compat):
    out = []
    for t in matrix["tests"]:
        c = classify(t, compat)
        if c:
            out.append({"id": t["id"], "class": c[0], "section": c[1]})
    rank = {"failure": 0, "missing feature": 1}
    out.sort(key=lambda d: (rank.get(d["class"], 2), d["id"]))
    return out


def short(v):
    return {"PASS": "PASS", "FAIL": "FAIL", "UNSUPPORTED": "UNSUP"}.get(v, v)


def terminal_table(matrix, diffs, modules):
    ids = [b["id"] for b in matrix["builds"]]
    w = max([12] + [len(i) + 1 for i in ids])
    byid = {t["id"]: t for t in matrix["tests"]}
    lines = []
    tw = max([40] + [len(d["id"]) for d in diffs])
    lines.append("differences between builds: %d" % len(diffs))
    if diffs:
        lines.append("%-*s %s  %s" % (tw, "test", "".join("%-*s" % (w, i) for i in ids), "class"))
        for d in diffs:
            v = byid[d["id"]]["verdicts"]
            lines.append("%-*s %s  %s" % (tw, d["id"], "".join("%-*s" % (w, short(v[i]["verdict"]))
                                                            for i in ids), d["class"]))
    lines.append("")
    lines.append("%-10s %s" % ("module", "".join("%-*s" % (w + 8, i) for i in ids)))
    lines.append("%-10s %s" % ("", "".join("%-*s" % (w + 8, "pass/fail/unsup") for _ in ids)))
    mods = sorted(set(modules.values()))
    for m in mods + ["total"]:
        cells = []
        for i in ids:
            c = [0, 0, 0]
            for t in matrix["tests"]:
                if m != "total" and modules[t["id"]] != m:
                    continue
                c[["PASS", "FAIL", "UNSUPPORTED"].index(t["verdicts"][i]["verdict"])] += 1
            cells.append("%-*s" % (w + 8, "%d/%d/%d" % tuple(c)))
        lines.append("%-10s %s" % (m, "".join(cells)))
    return "\n".join(lines)


def page(matrix, diffs, modules):
    """The report as one HTML page with no external reference."""
    data = {"matrix": matrix, "modules": modules, "differences": diffs}
    blob = json.dumps(data, sort_keys=True).replace("</", "<\\/")
    with open(os.path.join(HERE, "report.html")) as f:
        template = f.read()
    title = "tlsharness: %d OpenSSL builds side by side" % len(matrix["builds"])
    return template.replace("@TITLE@", html.escape(title)).replace("@DATA@", blob)


def write(outdir, docs, compat_path=os.path.join(ROOT, "docs", "compat.md")):
    """Write matrix.json and report/index.html; return the terminal table."""
    matrix, modules = build_matrix(docs)
    compat = {}
    if os.path.exists(compat_path):
        with open(compat_path, encoding="utf-8") as f:
            compat = compat_sections(f.read())
    diffs = differences(matrix, compat)
    os.makedirs(os.path.join(outdir, "report"), exist_ok=True)
    with open(os.path.join(outdir, "matrix.json"), "w", encoding="utf-8") as f:
        json.dump(matrix, f, indent=1, ensure_ascii=False)
    with open(os.path.join(outdir, "report", "index.html"), "w", encoding="utf-8") as f:
        f.write(page(matrix, diffs, modules))
    return terminal_table(matrix, diffs, modules)


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: matrix_report.py OUTDIR BUILD.json...")
    docs = []
    for p in argv[2:]:
        with open(p, encoding="utf-8") as f:
            docs.append(json.load(f))
    print(write(argv[1], docs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
