#!/usr/bin/env bash
# Build the documentation, the API reference and the release notes with
# Sphinx, warnings as errors, in the project virtualenv (sphinx, reno,
# os-api-ref and openstackdocstheme come from test-requirements.txt).
# Exits non-zero if any build warns or fails. tools/run-tests.sh runs it.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/install-venv.sh || exit 1
out=${GS_DOCS_BUILD_DIR:-.cache/docs-build}
rc=0
build() {
    local name=$1 source=$2
    rm -rf "$out/$name"
    if .venv/bin/sphinx-build -q -W --keep-going -b html \
            -d "$out/$name/doctrees" "$source" "$out/$name/html"; then
        echo "docs: $name built"
    else
        echo "docs: $name FAILED (sphinx-build -W $source)" >&2
        rc=1
    fi
}
build doc doc/source
build api-ref api-ref/source
build releasenotes releasenotes/source
exit "$rc"
