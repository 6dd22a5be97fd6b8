#!/usr/bin/env bash
# Install upstream Glance from PyPI into a virtualenv of its own
# (.cache/glance/venv unless GLANCE_VENV says otherwise), constrained by
# tools/upper-constraints.txt. The differential tests serve it beside
# glance-sharing and the benchmarks compare against it. Reruns are free once
# the stamp exists; concurrent runs wait for each other. Prints nothing; the
# venv's bin/glance-manage and bin/gunicorn (serving glance.wsgi.api)
# are what callers use.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${GLANCE_VENV:-.cache/glance/venv}
version=${GLANCE_VERSION:-33.0.0}
# The stamp names everything installed, so a venv from an older recipe
# is completed rather than trusted.
stamp="$venv/.installed-glance-$version-gunicorn"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -f "$stamp" ]; then
    exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -c tools/upper-constraints.txt "glance==$version" gunicorn
touch "$stamp"
