#!/usr/bin/env bash
# Run the benchmark suite (benchmarks/README.rst) and write its table,
# chart and query plans into doc/source/benchmarks/. Installs what it
# needs first: the project venv, the bench-only Python packages, and wrk
# (apt-get, when run as root on Debian/Ubuntu). Arguments go to
# "python -m benchmarks.run" (e.g. --scales small --duration 5); with
# --auth keystone, benchmarks.run also installs Keystone (once, into
# .cache/keystone/venv) and writes results-keystone.* instead. In noauth
# mode it also installs upstream Glance 33 (once, into .cache/glance/venv,
# with tools/glance/install-venv.sh) and measures it beside glance-sharing
# (--no-glance skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-venv.sh
if ! command -v wrk >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
    else
        echo "wrk is needed: install it (e.g. apt-get install wrk)" >&2
        exit 1
    fi
fi
.venv/bin/pip install -q -c tools/upper-constraints.txt \
    -r benchmarks/requirements.txt
exec .venv/bin/python -m benchmarks.run "$@"
