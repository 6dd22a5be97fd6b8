#!/usr/bin/env bash
# Create or refresh the project virtualenv (.venv) with the service, its
# test tools, and OpenStack's pinned versions (tools/upper-constraints.txt).
# Needs only python3; reruns are cheap when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
stamp="$venv/.installed"
inputs=(requirements.txt test-requirements.txt setup.cfg tools/upper-constraints.txt)
if [ -f "$stamp" ] && [ -z "$(find "${inputs[@]}" -newer "$stamp")" ]; then
    exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -c tools/upper-constraints.txt \
    -r requirements.txt -r test-requirements.txt
"$venv/bin/pip" install -q -c tools/upper-constraints.txt --no-deps -e .
touch "$stamp"
