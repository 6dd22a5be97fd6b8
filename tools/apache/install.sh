#!/usr/bin/env bash
# Install what serving glance-sharing under Apache httpd + mod_wsgi needs,
# idempotently: Debian's apache2 and libapache2-mod-wsgi-py3, and a
# virtualenv made from /usr/bin/python3 (the interpreter Debian's mod_wsgi
# embeds) holding glance-sharing, its requirements and the database
# drivers. Used by harness/apache.py, for the deployment tests
# (glance_sharing/tests/deployment/) and the benchmark's --server apache;
# an operator can run it too (doc/source/admin/apache.rst).
#
# The virtualenv goes to $GLANCE_SHARING_APACHE_VENV (default
# /opt/glance-sharing/venv). The project is installed as a copy, not in
# editable mode, so the Apache user can read it wherever the checkout is.
# Must run as root. Prints the virtualenv path on its last line.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${GLANCE_SHARING_APACHE_VENV:-/opt/glance-sharing/venv}

# One install at a time: parallel test workers may all call this script.
exec 9>/var/lock/glance-sharing-apache-install.lock
flock 9

cleanup=()
trap 'rm -rf "${cleanup[@]}"' EXIT

packages=(apache2 libapache2-mod-wsgi-py3 python3-venv)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
            grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    # Installing apache2 would start the system-wide Apache on port 80
    # where no init system stops it; forbid service starts meanwhile.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        cleanup+=(/usr/sbin/policy-rc.d)
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# mod_wsgi runs the interpreter it was linked with; the virtualenv must
# come from the same Python minor version or its packages will not load.
module=/usr/lib/apache2/modules/mod_wsgi.so
linked=$(ldd "$module" | sed -n 's/.*libpython\([0-9]*\.[0-9]*\).*/\1/p' |
         head -n 1)
system=$(/usr/bin/python3 -c \
    'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$linked" != "$system" ]; then
    echo "mod_wsgi is linked with Python $linked but /usr/bin/python3 is" \
         "$system" >&2
    exit 1
fi

stamp="$venv/.glance-sharing-requirements"
wanted=$(cat requirements.txt tools/upper-constraints.txt | sha256sum)
if [ ! -x "$venv/bin/python" ] ||
        [ "$("$venv/bin/python" -c \
            'import sys; print("%d.%d" % sys.version_info[:2])')" \
            != "$system" ]; then
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    /usr/bin/python3 -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    "$venv/bin/pip" install -q -U pip setuptools wheel >&2
    "$venv/bin/pip" install -q -c tools/upper-constraints.txt \
        -r requirements.txt psycopg2-binary PyMySQL >&2
    echo "$wanted" > "$stamp"
fi
# Refresh the project itself whenever the work tree's files (names and
# contents, kept in a stamp) differ from those of the installed copy:
# Apache must serve this checkout's code. An unchanged tree is left
# alone, so that a test process does not rewrite the files under the
# daemon processes of another one running from the same venv.
# Build it from a snapshot of the work tree (tracked and untracked files,
# as a throw-away git repository for pbr), never in the tree itself:
# an in-tree build rewrites the egg-info, AUTHORS and ChangeLog that
# other builds of the same checkout (tools/install-venv.sh) use too.
code_stamp="$venv/.glance-sharing-code"
code=
source_dir=.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(mktemp)
    cleanup+=("$files")
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' path; do
            [ -e "$path" ] && printf '%s\0' "$path"
        done > "$files"
    code=$(sort -z "$files" | xargs -0 sha256sum | sha256sum)
    source_dir=$(mktemp -d)
    cleanup+=("$source_dir")
fi
if [ -z "$code" ] || [ "$(cat "$code_stamp" 2>/dev/null)" != "$code" ]; then
    if [ -n "$code" ]; then
        tar --null -T "$files" -cf - | tar -xf - -C "$source_dir"
        git -C "$source_dir" init -q
        git -C "$source_dir" add -A
        git -C "$source_dir" -c user.name=install.sh \
            -c user.email=install.sh@localhost commit -q -m snapshot
    fi
    "$venv/bin/pip" install -q --no-deps --force-reinstall "$source_dir" >&2
    echo "$code" > "$code_stamp"
fi
chmod -R a+rX "$venv"
echo "$venv"
