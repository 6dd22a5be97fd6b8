#!/usr/bin/env bash
# Run the unit and functional tests with every requirement at the lowest
# version requirements.txt allows (lower-constraints.txt), in a virtualenv
# of their own: .cache/lc-venv unless GS_LC_VENV says otherwise (what
# "tox -e lower-constraints" does, without tox). Reruns reuse the venv
# until one of its inputs changes; concurrent runs wait for each other.
# Extra arguments go to "stestr run" (a test filter).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${GS_LC_VENV:-.cache/lc-venv}
stamp="$venv/.installed"
inputs=(requirements.txt test-requirements.txt lower-constraints.txt setup.cfg)
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ ! -f "$stamp" ] || [ -n "$(find "${inputs[@]}" -newer "$stamp")" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q -U pip setuptools wheel
    "$venv/bin/pip" install -q -c lower-constraints.txt \
        -r requirements.txt -r test-requirements.txt
    "$venv/bin/pip" install -q --no-deps -e .
    touch "$stamp"
fi
flock -u 9
exec "$venv/bin/stestr" --test-path ./glance_sharing/tests run \
    --exclude-regex '^glance_sharing\.tests\.(integration|deployment)\.' "$@"
