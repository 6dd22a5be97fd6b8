#!/usr/bin/env bash
# Install Keystone from PyPI, with gunicorn to serve it, into a virtualenv
# of its own (.cache/keystone/venv unless KEYSTONE_VENV says otherwise),
# constrained by tools/upper-constraints.txt. Reruns are free once the
# stamp exists; concurrent runs wait for each other.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${KEYSTONE_VENV:-.cache/keystone/venv}
version=${KEYSTONE_VERSION:-30.0.0}
stamp="$venv/.installed-keystone-$version"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -f "$stamp" ]; then
    exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -c tools/upper-constraints.txt \
    "keystone==$version" gunicorn
touch "$stamp"
