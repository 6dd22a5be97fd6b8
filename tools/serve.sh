#!/usr/bin/env bash
# Serve the API for development on http://127.0.0.1:9292/ with the
# embedded SQLite database (state/glance-sharing.sqlite), image data in
# state/images, and noauth
# (identity from the X-Project-Id, X-User-Id and X-Roles headers).
# Extra arguments go to glance-sharing-api (e.g. --bind-port 9393).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-venv.sh
mkdir -p state
conf=etc/glance-sharing/glance-sharing-dev.conf
# Image data goes to state/images. glance_store needs an absolute path,
# which a file in the repository cannot hold; oslo.config reads
# OS_<GROUP>__<OPTION> from the environment.
export OS_GLANCE_STORE__FILESYSTEM_STORE_DATADIR="$PWD/state/images"
.venv/bin/glance-sharing-manage --config-file "$conf" db sync
exec .venv/bin/glance-sharing-api --config-file "$conf" "$@"
