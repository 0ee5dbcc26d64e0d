#!/usr/bin/env bash
# py_test.sh SCRIPT ARGS... — run a Python unit test with the system's python3.
set -euo pipefail
exec python3 "$@"
