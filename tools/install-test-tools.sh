#!/usr/bin/env bash
# Install the programs beyond Python that the test suite drives, from
# Debian's packages, when they are missing: tests must not skip in CI for
# want of a tool. Each entry is "command:package". Needs root (as on the
# development and CI machines) only when something is missing.
set -euo pipefail
tools=(
    wrk:wrk
    memcached:memcached
    chromium:chromium
)
missing=()
for entry in "${tools[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing test tools (install them as root): ${missing[*]}" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
