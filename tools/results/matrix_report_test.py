"""matrix_report_test.py [--write OUTDIR] — the matrix generator on synthetic
builds: matrix.json's exact shape, the classes of differences, the terminal
table (differences first) and the HTML page (self-contained, data intact
whatever the reasons hold). With --write, only writes the synthetic report
into OUTDIR (for report_check.py's Chromium test without OpenSSL builds)."""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matrix_report  # noqa: E402

HOSTILE = 'has "quotes", \\backslashes\\,\nnewlines, </script><b>tags</b> & caf\u00e9'
COMPAT = """# compat
## SSL
### X509Req versions
**Test:** x509_req/version_is_zero
"""


def rec(tid, verdict, reason="", module="crypto"):
    return {"id": tid, "suite": tid.split("/")[0], "name": tid.split("/")[1],
            "param": None, "target": "//conformance:x", "verdict": verdict, "reason": reason,
            "module": module}


def build(bid, version, tests, features):
    counts = {"pass": 0, "fail": 0, "unsupported": 0}
    for t in tests:
        counts[{"PASS": "pass", "FAIL": "fail", "UNSUPPORTED": "unsupported"}[t["verdict"]]] += 1
    return {"id": bid, "version": version, "prefix": "/p/" + bid, "configure": "./Configure x",
            "features": features, "counts": counts, "run_id": "r", "tests": tests}


def synthetic():
    a = build("3.0", "3.0.19", [
        rec("features/tls1_0", "PASS", module="features"),
        rec("x509/ok", "PASS"),
        rec("x509_req/version_is_zero", "PASS"),
        rec("ssl/hostile", "UNSUPPORTED", HOSTILE, module="ssl"),
        rec("ssl/broken", "PASS", module="ssl"),
        rec("ssl/only_here", "PASS", module="ssl"),
    ], {"tls1_0": True})
    b = build("3.0-min", "3.0.19", [
        rec("features/tls1_0", "UNSUPPORTED", "TLS 1.0 configured out", module="features"),
        rec("x509/ok", "PASS"),
        rec("x509_req/version_is_zero", "UNSUPPORTED", "3.5 refuses version 1"),
        rec("ssl/hostile", "UNSUPPORTED", HOSTILE, module="ssl"),
        rec("ssl/broken", "FAIL", "boom", module="ssl"),
    ], {"tls1_0": False})
    return [a, b]


class Matrix(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.table = matrix_report.write(self.tmp.name, synthetic(), self.compat_file())
        with open(os.path.join(self.tmp.name, "matrix.json")) as f:
            self.m = json.load(f)

    def compat_file(self):
        p = os.path.join(self.tmp.name, "compat.md")
        with open(p, "w") as f:
            f.write(COMPAT)
        return p

    def tearDown(self):
        self.tmp.cleanup()

    def test_shape_is_exact(self):
        self.assertEqual(set(self.m), {"builds", "tests"})
        for b in self.m["builds"]:
            self.assertEqual(set(b), {"id", "version", "prefix", "configure", "features", "counts"})
            self.assertEqual(set(b["counts"]), {"pass", "fail", "unsupported"})
            self.assertTrue(all(isinstance(v, bool) for v in b["features"].values()))
        ids = [t["id"] for t in self.m["tests"]]
        self.assertEqual(len(ids), len(set(ids)))
        for t in self.m["tests"]:
            self.assertEqual(set(t), {"id", "verdicts"})
            self.assertEqual(set(t["verdicts"]), {"3.0", "3.0-min"})
            for v in t["verdicts"].values():
                self.assertEqual(set(v), {"verdict", "reason"})
                self.assertIn(v["verdict"], ("PASS", "FAIL", "UNSUPPORTED"))

    def test_reasons_survive(self):
        t = [t for t in self.m["tests"] if t["id"] == "ssl/hostile"][0]
        self.assertEqual(t["verdicts"]["3.0-min"]["reason"], HOSTILE)

    def test_absent_test_is_a_failure_of_that_build(self):
        t = [t for t in self.m["tests"] if t["id"] == "ssl/only_here"][0]
        self.assertEqual(t["verdicts"]["3.0-min"]["verdict"], "FAIL")
        counts = {b["id"]: b["counts"] for b in self.m["builds"]}
        self.assertEqual(counts["3.0-min"], {"pass": 1, "fail": 2, "unsupported": 3})
        self.assertEqual(counts["3.0"], {"pass": 5, "fail": 0, "unsupported": 1})

    def test_differences_classified_and_first(self):
        lines = self.table.splitlines()
        self.assertEqual(lines[0], "differences between builds: 4")
        rows = {l.split()[0]: l for l in lines[2:6]}
        self.assertTrue(rows["ssl/broken"].endswith("failure"))
        self.assertTrue(rows["ssl/only_here"].endswith("failure"))
        self.assertTrue(rows["features/tls1_0"].endswith("missing feature"))
        self.assertTrue(rows["x509_req/version_is_zero"].endswith("version change (docs/compat.md)"))
        self.assertTrue(lines[2].startswith("ssl/") and lines[3].startswith("ssl/"),
                        "failures come first")
        self.assertIn("total", lines[-1])
        self.assertIn("5/0/1", lines[-1].split()[1])

    def test_page_is_self_contained_and_carries_the_data(self):
        with open(os.path.join(self.tmp.name, "report", "index.html")) as f:
            text = f.read()
        self.assertNotRegex(text, r"https?:|\b(src|href)\s*=")
        blob = re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S)
        data = json.loads(blob.group(1))
        self.assertEqual(data["matrix"], self.m)
        self.assertEqual(len(data["differences"]), 4)
        self.assertEqual(data["modules"]["ssl/hostile"], "ssl")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        print(matrix_report.write(sys.argv[2], synthetic()))
        sys.exit(0)
    unittest.main(verbosity=1)
