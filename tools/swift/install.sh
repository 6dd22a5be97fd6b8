#!/usr/bin/env bash
# Install OpenStack Swift from PyPI, with keystonemiddleware for the
# proxy's authtoken filter, into a virtualenv of its own
# (.cache/swift/venv unless SWIFT_VENV says otherwise), constrained by
# tools/upper-constraints.txt. PyECLib, which Swift requires even for
# replication-only policies, ships liberasurecode inside its wheel, so no
# system package is needed. Reruns are free once the stamp exists;
# concurrent runs wait for each other.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${SWIFT_VENV:-.cache/swift/venv}
version=${SWIFT_VERSION:-2.38.3}
stamp="$venv/.installed-swift-$version"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -f "$stamp" ]; then
    exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip setuptools wheel
"$venv/bin/pip" install -q -c tools/upper-constraints.txt \
    "swift==$version" keystonemiddleware
# The object server keeps metadata in extended attributes: fail here,
# with a clear reason, on a filesystem that has none.
"$venv/bin/python" - "$venv" <<'PY'
import os, sys, tempfile, xattr
with tempfile.NamedTemporaryFile(dir=sys.argv[1]) as probe:
    xattr.setxattr(probe.fileno(), 'user.swift.probe', b'x' * 255)
PY
touch "$stamp"
