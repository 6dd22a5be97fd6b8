#!/usr/bin/env bash
# Install the Debian packages the tests drive as real programs (memcached
# for Keystone token caching, chromium for the cross-origin browser test)
# unless they are there already. Arguments: package names. Root runs
# apt-get; anyone else gets a message naming the missing packages. Runs
# are serialised with flock (.cache/debs.lock unless GS_DEBS_LOCK says
# otherwise), and a rerun with everything installed costs one dpkg-query.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
            | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
    echo "Install these Debian packages first: ${missing[*]}" >&2
    exit 1
fi
lock=${GS_DEBS_LOCK:-.cache/debs.lock}
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
flock 9
# dpkg's own lock guards against other installers on the machine.
apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
