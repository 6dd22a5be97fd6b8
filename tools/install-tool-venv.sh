#!/usr/bin/env bash
# Usage: tools/install-tool-venv.sh VENV STAMP PACKAGE...
# Install PACKAGEs from PyPI, constrained by tools/upper-constraints.txt,
# into the virtualenv VENV (made if missing), once: VENV/.installed-STAMP
# marks it done, so reruns are free; concurrent runs wait for each other
# (flock on VENV.lock). The Keystone and Glance installers call this.
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
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -c tools/upper-constraints.txt "$@"
touch "$stamp"
