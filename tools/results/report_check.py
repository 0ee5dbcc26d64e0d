#!/usr/bin/env python3
"""report_check.py OUTDIR — open OUTDIR/report/index.html in headless Chromium
(Debian's `chromium`, installed by tools/bootstrap) and check it:

  - the page loads with no console message and no uncaught error (the page
    itself never logs, so any console line is a fault);
  - it references nothing outside itself (no URL, no src/href to a file), and
    Chromium runs with every host name unresolvable;
  - the cells the page's script rendered match OUTDIR/matrix.json: every test
    x build once in the module tables, with the same verdict and reason; the
    differences table holds exactly the tests whose verdicts differ;
  - a screenshot is kept as OUTDIR/report/screenshot.png.

Exit status 0 when all hold; the first fault otherwise.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("report_check: chromium not found (tools/bootstrap installs Debian's chromium)")


def run_chromium(extra, url, timeout=120):
    with tempfile.TemporaryDirectory(prefix="th-chromium.") as profile:
        cmd = [chromium()] + FLAGS + ["--user-data-dir=" + profile] + extra + [url]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        sys.exit("report_check: chromium exited %d:\n%s" % (res.returncode, res.stderr[-2000:]))
    return res.stdout, res.stderr


class Cells(html.parser.HTMLParser):
    """Collects rendered cells (data-test/data-build/data-verdict, reason text)
    per section, and the body's data-rendered mark."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.cells = {"modules": [], "differences": []}
        self.rendered = None
        self.stack = []
        self.cur = None
        self.in_why = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.rendered = a.get("data-rendered")
        if a.get("id") in ("modules", "differences"):
            self.section = a["id"]
        if tag == "td" and "data-verdict" in a and self.section:
            self.cur = {"test": a["data-test"], "build": a["data-build"],
                        "verdict": a["data-verdict"], "title": a.get("title", ""), "why": ""}
            self.cells[self.section].append(self.cur)
        if tag == "span" and a.get("class") == "why" and self.cur is not None:
            self.in_why = True

    def handle_endtag(self, tag):
        if tag == "span":
            self.in_why = False
        if tag == "td":
            self.cur = None

    def handle_data(self, data):
        if self.in_why and self.cur is not None:
            self.cur["why"] += data


def check_cells(matrix, cells):
    faults = []
    want = {(t["id"], b): v for t in matrix["tests"] for b, v in t["verdicts"].items()}
    seen = {}
    for c in cells["modules"]:
        key = (c["test"], c["build"])
        seen[key] = seen.get(key, 0) + 1
        v = want.get(key)
        if v is None:
            faults.append("cell %s/%s is not in matrix.json" % key)
        elif c["verdict"] != v["verdict"]:
            faults.append("cell %s/%s shows %s, matrix.json says %s" % (key + (c["verdict"], v["verdict"])))
        elif c["why"] != (v["reason"] or "") or c["title"] != (v["reason"] or v["verdict"]):
            faults.append("cell %s/%s: reason %r, matrix.json %r" % (key + (c["why"], v["reason"])))
    for key in want:
        if seen.get(key, 0) != 1:
            faults.append("cell %s/%s shown %d times" % (key + (seen.get(key, 0),)))
    differ = set(t["id"] for t in matrix["tests"]
                 if len(set(v["verdict"] for v in t["verdicts"].values())) > 1)
    shown = set(c["test"] for c in cells["differences"])
    if shown != differ:
        faults.append("differences table: %d tests shown, %d differ (first odd one: %s)" %
                      (len(shown), len(differ), sorted(shown ^ differ)[:1]))
    for c in cells["differences"]:
        v = want.get((c["test"], c["build"]))
        if v is None or v["verdict"] != c["verdict"]:
            faults.append("differences table: cell %s/%s does not match" % (c["test"], c["build"]))
    return faults


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: report_check.py OUTDIR")
    out = os.path.abspath(argv[1])
    page = os.path.join(out, "report", "index.html")
    with open(os.path.join(out, "matrix.json"), encoding="utf-8") as f:
        matrix = json.load(f)
    with open(page, encoding="utf-8") as f:
        text = f.read()
    outside = re.findall(r"(?:https?:|ftp:|//[a-z]|\b(?:src|href)\s*=)", text.split('id="data"')[0])
    if outside:
        sys.exit("report_check: the page references something outside itself: %s" % outside[:3])
    url = "file://" + page
    dom, log = run_chromium(["--dump-dom"], url)
    console = [l for l in log.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    if console:
        sys.exit("report_check: console output:\n" + "\n".join(console[:10]))
    p = Cells()
    p.feed(dom)
    if p.rendered != str(len(matrix["tests"])):
        sys.exit("report_check: the page's script did not finish (data-rendered=%r)" % p.rendered)
    faults = check_cells(matrix, p.cells)
    if faults:
        sys.exit("report_check: %d faults:\n  %s" % (len(faults), "\n  ".join(faults[:15])))
    shot = os.path.join(out, "report", "screenshot.png")
    if os.path.exists(shot):
        os.unlink(shot)
    run_chromium(["--screenshot=" + shot, "--window-size=1400,2400", "--hide-scrollbars"], url)
    if not os.path.exists(shot) or os.path.getsize(shot) < 1000:
        sys.exit("report_check: no screenshot written")
    print("report_check: OK: %d tests x %d builds rendered and matching matrix.json, "
          "%d differences, no console output; screenshot %s" %
          (len(matrix["tests"]), len(matrix["builds"]), len(p.cells["differences"]) //
           max(1, len(matrix["builds"])), shot))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
