#!/usr/bin/env bash
# Serve the API for development on http://127.0.0.1:9292/ with the
# embedded SQLite database (state/glance-sharing.sqlite) and noauth
# (identity from the X-Project-Id, X-User-Id and X-Roles headers).
# Extra arguments go to glance-sharing-api (e.g. --bind-port 9393).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-venv.sh
mkdir -p state
conf=etc/glance-sharing/glance-sharing-dev.conf
.venv/bin/glance-sharing-manage --config-file "$conf" db sync
exec .venv/bin/glance-sharing-api --config-file "$conf" "$@"
