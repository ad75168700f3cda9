#!/usr/bin/env bash
# `make test`'s two passes: the suite on SQLite and, with TEST_DATABASE_URL, on PostgreSQL, side
# by side. Each pass writes to its own log, printed whole when the pass ends.
set -uo pipefail
python="$1"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

run_pass() {  # name, then pytest arguments
  local name="$1"; shift
  local started=$SECONDS
  "$python" -m pytest -q -p no:cacheprovider --basetemp="$logs/tmp-$name" "$@" >"$logs/$name.log" 2>&1
  local code=$?
  {
    echo "== tests on $name (exit $code, $((SECONDS - started)) s) =="
    cat "$logs/$name.log"
  }
  return $code
}

run_pass SQLite --backend sqlite &
sqlite=$!
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  run_pass PostgreSQL --backend postgresql &
  postgresql=$!
else
  echo "== PostgreSQL pass skipped: TEST_DATABASE_URL is not set =="
  postgresql=""
fi

failed=0
wait "$sqlite" || failed=1
if [ -n "$postgresql" ]; then
  wait "$postgresql" || failed=1
fi
exit $failed
