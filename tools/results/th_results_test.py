"""th_results_test.py PROBE — the report reader, against a real Criterion
binary (report_probe.c) whose messages hold quotes, backslashes, newlines,
control bytes and invalid UTF-8, and against stale, broken and missing
reports laid out as bazel-testlogs would hold them."""
import os
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import th_results  # noqa: E402

PROBE = None
LABEL = "//tools/results:report_probe"
PASSED_XML = '<?xml version="1.0"?><testsuites><testsuite tests="1"><testcase name="x"/>' \
             '</testsuite></testsuites>'
FAILED_XML = '<?xml version="1.0"?><testsuites><testsuite tests="1"><testcase name="x">' \
             '<error message="exited with error code 1"/></testcase></testsuite></testsuites>'


class Reader(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.logs = self.tmp.name
        self.tdir = th_results.target_dir(self.logs, LABEL)
        os.makedirs(os.path.join(self.tdir, "test.outputs"))
        self.since = time.time() - 1

    def tearDown(self):
        self.tmp.cleanup()

    def run_probe(self, run_id, zipped=True):
        """Run the probe as `bazel test` would and leave its outputs."""
        out = os.path.join(self.tdir, "test.outputs")
        env = dict(os.environ, TH_RUN_ID=run_id, TEST_UNDECLARED_OUTPUTS_DIR=out)
        env.pop("CRITERION_OUTPUTS", None)
        env.pop("TH_REPORT", None)
        res = subprocess.run([PROBE], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, timeout=120)
        self.assertNotEqual(res.returncode, 0, "the probe has failing tests")
        if zipped:
            rep = os.path.join(out, th_results.REPORT)
            with zipfile.ZipFile(os.path.join(out, "outputs.zip"), "w") as z:
                z.write(rep, th_results.REPORT)
            os.unlink(rep)
        self.write_xml(FAILED_XML)

    def write_xml(self, text):
        with open(os.path.join(self.tdir, "test.xml"), "w") as f:
            f.write(text)

    def by_id(self, run_id):
        recs = th_results.read_run(self.logs, [LABEL], run_id, self.since)
        return {r["id"]: r for r in recs}

    def test_hostile_messages_keep_every_test(self):
        self.run_probe("run-1")
        got = self.by_id("run-1")
        want = {"probe/passes": "PASS", "probe/fails_with_quotes": "FAIL",
                "probe/skips_with_quotes": "UNSUPPORTED", "probe/crashes": "FAIL",
                "probe/params/0": "PASS", "probe/params/1": "FAIL",
                "probe/params/2": "UNSUPPORTED", "probe/params/3": "PASS"}
        self.assertEqual({k: v["verdict"] for k, v in got.items()}, want)
        fail = got["probe/fails_with_quotes"]["reason"]
        self.assertIn('say "hi" \\ then\nnext line\t<b>&amp;</b> ]]> \x01 caf\u00e9 \u00ff', fail)
        self.assertEqual(got["probe/skips_with_quotes"]["reason"], 'no "x" here\\\nsecond line')
        self.assertEqual(got["probe/params/2"]["reason"], 'parameter "2"')
        self.assertIn("parameter 1 fails", got["probe/params/1"]["reason"])
        self.assertIn("crashed", got["probe/crashes"]["reason"])

    def test_unzipped_outputs(self):
        self.run_probe("run-2", zipped=False)
        self.assertEqual(len(self.by_id("run-2")), 8)

    def test_report_of_another_run_is_refused(self):
        self.run_probe("run-old")
        got = self.by_id("run-new")
        self.assertEqual(list(got), ["tools/results/report_probe/(target)"])
        rec = got["tools/results/report_probe/(target)"]
        self.assertEqual(rec["verdict"], "FAIL")
        self.assertIn("another run", rec["reason"])

    def test_stale_test_xml_without_report_is_not_a_pass(self):
        self.write_xml(PASSED_XML)
        old = time.time() - 3600
        os.utime(os.path.join(self.tdir, "test.xml"), (old, old))
        rec = self.by_id("run-3")["tools/results/report_probe/(target)"]
        self.assertEqual(rec["verdict"], "FAIL")
        self.assertIn("no result written by this run", rec["reason"])

    def test_broken_report_is_a_failure_not_a_crash(self):
        with open(os.path.join(self.tdir, "test.outputs", th_results.REPORT), "w") as f:
            f.write('{"run_id": "run-4", "tests": [{"name": "a"b"}]}')
        self.write_xml(PASSED_XML)
        rec = self.by_id("run-4")["tools/results/report_probe/(target)"]
        self.assertEqual(rec["verdict"], "FAIL")
        self.assertIn("not valid JSON", rec["reason"])

    def test_target_failing_after_its_tests(self):
        with open(os.path.join(self.tdir, "test.outputs", th_results.REPORT), "w") as f:
            f.write('{"run_id": "run-5", "tests": [{"suite": "s", "name": "t", "param": null,'
                    ' "status": "PASSED", "messages": []}]}')
        self.write_xml(FAILED_XML)
        got = self.by_id("run-5")
        self.assertEqual(got["s/t"]["verdict"], "PASS")
        self.assertEqual(got["tools/results/report_probe/(target)"]["verdict"], "FAIL")
        self.assertIn("after its tests", got["tools/results/report_probe/(target)"]["reason"])
        self.assertEqual(th_results.counts(got.values()), {"pass": 1, "fail": 1, "unsupported": 0})

    def test_duplicate_ids_are_an_error(self):
        with open(os.path.join(self.tdir, "test.outputs", th_results.REPORT), "w") as f:
            f.write('{"run_id": "r", "tests": [{"suite": "s", "name": "t", "param": null,'
                    ' "status": "PASSED"}, {"suite": "s", "name": "t", "param": null,'
                    ' "status": "PASSED"}]}')
        self.write_xml(PASSED_XML)
        with self.assertRaises(ValueError):
            self.by_id("r")


if __name__ == "__main__":
    PROBE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)
