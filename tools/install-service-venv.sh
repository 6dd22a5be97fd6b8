#!/usr/bin/env bash
# Install an OpenStack service from PyPI into a virtualenv of its own,
# constrained by tools/upper-constraints.txt:
#   tools/install-service-venv.sh VENV NAME-VERSION PACKAGE...
# Reruns are free once VENV/.installed-NAME-VERSION exists; concurrent runs
# wait for each other (a lock beside the venv).
# PYTHON (default python3) is the interpreter a new venv is made from:
# Apache's mod_wsgi runs only a venv of the Python it embeds
# (/usr/bin/python3 on Debian; harness/apache.py).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1
stamp="$venv/.installed-$2"
shift 2
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -f "$stamp" ]; then
    exit 0
fi
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -c tools/upper-constraints.txt "$@"
touch "$stamp"
