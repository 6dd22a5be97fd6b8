#!/usr/bin/env bash
# Install Keystone from PyPI, with gunicorn to serve it, into a virtualenv
# of its own (.cache/keystone/venv unless KEYSTONE_VENV says otherwise),
# constrained by tools/upper-constraints.txt. Reruns are free once the
# stamp exists; concurrent runs wait for each other.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${KEYSTONE_VERSION:-30.0.0}
exec tools/install-tool-venv.sh "${KEYSTONE_VENV:-.cache/keystone/venv}" \
    "keystone-$version" "keystone==$version" gunicorn
