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
tools/install-service-venv.sh "$venv" "swift-$version" \
    "swift==$version" keystonemiddleware
# The object server keeps metadata in extended attributes: fail here, with
# a clear reason, on a filesystem without them (where the tests keep
# Swift's data: the temporary directory).
"$venv/bin/python" - <<'PY'
import tempfile
import xattr
with tempfile.NamedTemporaryFile() as probe:
    xattr.setxattr(probe.fileno(), 'user.swift.probe', b'x' * 255)
PY
