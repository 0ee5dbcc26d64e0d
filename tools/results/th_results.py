"""Read the results of one `bazel test` run, never an older one's.

Every conformance binary writes its own report (conformance/testutil/testutil_report.c):
strict JSON, every message escaped, stamped with the run id the runner passed
as TH_RUN_ID. A target's results are taken from that report only when its run
id is this run's; Bazel's test.xml (JUnit, written by Bazel itself) says
whether the target as a whole failed, and is only believed when it was
written during this run. So a message with quotes, backslashes or newlines
cannot make tests vanish, and a log left by an earlier run or another build
cannot be read as this one's.

A test record: {"id": "suite/test[/param]", "suite", "name", "param",
"target", "verdict": "PASS|FAIL|UNSUPPORTED", "reason"}.
"""
import json
import os
import uuid
import time
import xml.etree.ElementTree as ET
import zipfile

REPORT = "th-report.json"
VERDICT = {"PASSED": "PASS", "FAILED": "FAIL", "ERRORED": "FAIL", "SKIPPED": "UNSUPPORTED"}


def new_run_id():
    return "%s-%s" % (time.strftime("%Y%m%dT%H%M%S"), uuid.uuid4().hex[:12])


def target_dir(testlogs, label):
    """bazel-testlogs/<package>/<name> for //package:name."""
    pkg, _, name = label.lstrip("/").partition(":")
    return os.path.join(testlogs, pkg, name)


def load_report(tdir):
    """The target's th-report.json (zipped or not), parsed; None if absent.
    Raises ValueError on a report that is not valid JSON."""
    z = os.path.join(tdir, "test.outputs", "outputs.zip")
    if os.path.exists(z):
        try:
            with zipfile.ZipFile(z) as zf:
                if REPORT in zf.namelist():
                    return json.loads(zf.read(REPORT).decode("utf-8"))
        except zipfile.BadZipFile as e:
            raise ValueError("%s: %s" % (z, e))
    p = os.path.join(tdir, "test.outputs", REPORT)
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            return json.load(f)
    return None


def junit_status(tdir, since):
    """(failed, message) from Bazel's test.xml, or None when there is none
    written at or after `since` (epoch seconds)."""
    x = os.path.join(tdir, "test.xml")
    if not os.path.exists(x) or os.path.getmtime(x) < since:
        return None
    try:
        root = ET.parse(x).getroot()
    except ET.ParseError as e:
        return True, "test.xml unreadable: %s" % e
    bad = root.findall(".//failure") + root.findall(".//error")
    if not bad:
        return False, ""
    return True, (bad[0].get("message") or bad[0].text or "failed").strip()[:300]


def test_id(t):
    base = "%s/%s" % (t["suite"], t["name"])
    return base if t.get("param") is None else "%s/%s" % (base, t["param"])


def reason_of(t):
    msgs = t.get("messages") or []
    text = "; ".join(m.strip() for m in msgs if m.strip())
    if t["status"] == "SKIPPED" and text.startswith("UNSUPPORTED:"):
        text = text[len("UNSUPPORTED:"):].strip()
    return text[:500]


def read_target(testlogs, label, run_id, since):
    """The records of one test target for run `run_id` started at `since`."""
    tdir = target_dir(testlogs, label)
    junit = junit_status(tdir, since)
    records = []
    problem = None
    try:
        rep = load_report(tdir)
    except ValueError as e:
        rep, problem = None, "report is not valid JSON: %s" % e
    if rep is not None and rep.get("run_id") != run_id:
        rep, problem = None, "report is from another run (%s)" % rep.get("run_id")
    if rep is not None:
        for t in rep.get("tests", []):
            verdict = VERDICT.get(t.get("status"), "FAIL")
            records.append({"id": test_id(t), "suite": t["suite"], "name": t["name"],
                            "param": t.get("param"), "target": label, "verdict": verdict,
                            "reason": reason_of(t) if verdict != "PASS" else ""})
    tgt = label.lstrip("/").replace(":", "/")
    whole = {"id": tgt + "/(target)", "suite": tgt, "name": "(target)", "param": None,
             "target": label, "verdict": "FAIL"}
    if rep is None:
        if problem is None and junit is not None and not junit[0]:
            # A test without a report of its own (not a Criterion binary).
            records.append(dict(whole, verdict="PASS", reason=""))
        elif problem is None and junit is not None:
            records.append(dict(whole, reason="no report (crash or timeout): " + junit[1]))
        else:
            records.append(dict(whole, reason=problem or "no result written by this run"))
    elif junit is not None and junit[0] and not any(r["verdict"] == "FAIL" for r in records):
        records.append(dict(whole, reason="failed after its tests (sanitizer, leak or exit "
                                          "status): " + junit[1]))
    return records


def read_run(testlogs, labels, run_id, since):
    """All records of the run. Ids are unique: a duplicate (two binaries
    defining the same suite and test) raises ValueError."""
    out, seen = [], {}
    for label in labels:
        for r in read_target(testlogs, label, run_id, since):
            if r["id"] in seen:
                raise ValueError("test id %s is defined by both %s and %s" %
                                 (r["id"], seen[r["id"]], r["target"]))
            seen[r["id"]] = r["target"]
            out.append(r)
    return out


def counts(records):
    c = {"pass": 0, "fail": 0, "unsupported": 0}
    for r in records:
        c[{"PASS": "pass", "FAIL": "fail", "UNSUPPORTED": "unsupported"}[r["verdict"]]] += 1
    return c
