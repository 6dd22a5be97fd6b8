#!/usr/bin/env bash
# Run the whole test suite (unit, API, database, concurrency) with stestr
# in the project virtualenv, then restate stestr's totals on the last
# line as "N passed, N failed, N skipped". Extra arguments go to
# "stestr run" (a test filter, --serial, ...). Without arguments it also
# builds the docs, API reference and release notes with -W
# (tools/build-docs.sh) and, under CI=true, runs the unit and functional
# tests at the lowest allowed requirements (tools/lower-constraints.sh);
# either failing makes the run fail.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/install-venv.sh || exit 1
tools/install-test-tools.sh || exit 1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
.venv/bin/stestr run "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
count() { sed -n "s/^ - $1: \([0-9]*\)$/\1/p" "$out" | tail -n 1; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
if [ "$rc" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
    echo "No test ran." >&2
    rc=1
fi
if [ $# -eq 0 ]; then
    tools/build-docs.sh || rc=1
    if [ "${CI:-}" = true ]; then
        tools/lower-constraints.sh || rc=1
    fi
fi
# Last, so that it is the last line: the main suite's totals.
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$rc"
