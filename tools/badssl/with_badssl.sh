#!/usr/bin/env bash
# with_badssl.sh BADSSL COMMAND [ARGS...] — runs COMMAND while a badssl
# catalogue serves (docs/badssl.md): starts `BADSSL --serve` in a private
# folder, waits (bounded) for its ready line, exports
#   BADSSL_DIR           the folder (ca.pem, CRLs, manifests)
#   BADSSL_MANIFEST      $BADSSL_DIR/manifest.json
#   BADSSL_MANIFEST_TSV  $BADSSL_DIR/manifest.tsv (served endpoints, one a line)
#   BADSSL_CA            $BADSSL_DIR/ca.pem
# runs COMMAND, stops the server with SIGTERM, and exits with COMMAND's
# status (or 1 when the server did not stop cleanly, e.g. a leak under ASan).
# Used by badssl_cc_test (badssl.bzl); works by hand too.
set -uo pipefail
badssl=$1
shift
dir=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/badssl.XXXXXX") || exit 1
mkfifo "$dir/ready.fifo" || exit 1
"$badssl" --serve --out "$dir" >"$dir/ready.fifo" 2>"$dir/server.log" &
pid=$!
exec 3<"$dir/ready.fifo"
line=
if ! read -r -t 120 line <&3 || [ "${line#badssl: ready:}" = "$line" ]; then
  echo "with_badssl: no ready line from $badssl within 120 s" >&2
  cat "$dir/server.log" >&2
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  exit 1
fi
echo "with_badssl: $line" >&2
export BADSSL_DIR="$dir" BADSSL_MANIFEST="$dir/manifest.json" \
  BADSSL_MANIFEST_TSV="$dir/manifest.tsv" BADSSL_CA="$dir/ca.pem"
"$@"
rc=$?
kill -TERM "$pid"
wait "$pid"
server_rc=$?
exec 3<&-
if [ "$server_rc" -ne 0 ]; then
  echo "with_badssl: the server exited with status $server_rc" >&2
  cat "$dir/server.log" >&2
  [ "$rc" -eq 0 ] && rc=1
fi
rm -rf "$dir"
exit "$rc"
