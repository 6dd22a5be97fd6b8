#!/usr/bin/env bash
# Install upstream Glance from PyPI, with gunicorn to serve
# glance.wsgi.api, into a virtualenv of its own (.cache/glance/venv unless
# GLANCE_VENV says otherwise), constrained by tools/upper-constraints.txt.
# Also what a deployed Glance has beside it: the PostgreSQL and MySQL
# drivers and python-memcached (auth_token's memcached_servers), so the
# benchmark can serve it on every backend and behind Keystone as it
# serves glance-sharing. The differential tests serve it beside
# glance-sharing and the benchmark reuses it. Reruns are free once the
# stamp exists; concurrent runs wait for each other. PYTHON picks the
# interpreter of a new venv: the benchmark's --server apache has one
# made from /usr/bin/python3, the Python mod_wsgi embeds
# (harness/glance.py install(for_apache=True)).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${GLANCE_VERSION:-33.0.0}
# The stamp names everything installed, so a venv from an older recipe
# is completed rather than trusted.
exec tools/install-service-venv.sh "${GLANCE_VENV:-.cache/glance/venv}" \
    "glance-$version-gunicorn-drivers-memcached" "glance==$version" \
    gunicorn psycopg2-binary PyMySQL python-memcached
