#!/usr/bin/env bash
# Runs the tool's own conformance test (badssl_test.py) on the built binary.
set -euo pipefail
exec python3 tools/badssl/badssl_test.py tools/badssl/badssl
