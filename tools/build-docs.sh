#!/usr/bin/env bash
# Build the documentation, the API reference and the release notes (after
# "reno lint") with Sphinx, warnings as errors. The one home of these
# builds: tools/run-tests.sh runs it for CI, and tox's docs, api-ref and
# releasenotes environments run it with their own tools.
#
# Usage: tools/build-docs.sh [doc] [api-ref] [releasenotes]  (default: all)
# The tools (sphinx-build, reno) come from $GS_DOCS_BIN when set (tox sets
# its environment's bin directory), otherwise from the project virtualenv,
# installed first if need be (they are in test-requirements.txt). HTML goes
# to $GS_DOCS_BUILD_DIR/<name>/html (.cache/docs-build by default).
# Exits non-zero if any build warns or fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${GS_DOCS_BIN:-}
if [ -z "$bin" ]; then
    tools/install-venv.sh || exit 1
    bin=.venv/bin
fi
out=${GS_DOCS_BUILD_DIR:-.cache/docs-build}
rc=0
build() {
    local name=$1 source=$2
    rm -rf "${out:?}/$name"
    if "$bin/sphinx-build" -q -W --keep-going -b html \
            -d "$out/$name/doctrees" "$source" "$out/$name/html"; then
        echo "docs: $name built ($out/$name/html)"
    else
        echo "docs: $name FAILED (sphinx-build -W $source)" >&2
        rc=1
    fi
}
[ $# -gt 0 ] || set -- doc api-ref releasenotes
for name in "$@"; do
    case $name in
        doc) build doc doc/source ;;
        api-ref) build api-ref api-ref/source ;;
        releasenotes)
            if ! lint=$("$bin/reno" lint 2>&1); then
                echo "$lint" >&2
                echo "docs: reno lint FAILED" >&2
                rc=1
            fi
            build releasenotes releasenotes/source ;;
        *) echo "docs: unknown build $name" >&2; exit 2 ;;
    esac
done
exit "$rc"
