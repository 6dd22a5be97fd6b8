"""Keystone mode of the benchmark: real tokens, validated by auth_token.

The Keystone is the one the integration tests use (harness/keystone.py):
Keystone 30 installed into .cache/keystone/venv by
tools/keystone/install-venv.sh, served by gunicorn on 127.0.0.1, with
projects ``alpha``, ``beta`` and ``gamma`` whose users have the roles
member and reader. The benchmark seeds their ids as its owner, consumer
and updater projects, serves glance-sharing with the harness's ``[api]
auth_strategy = keystone`` and ``[keystone_authtoken]`` (with
``memcached_servers``: auth_token caches each validated token in the
harness's memcached, as deployed), and every call sends ``X-Auth-Token``
with a token of its project.
"""

import contextlib
import os

from benchmarks import data
from harness import keystone as harness
from harness import swift as swift_harness

# Bench project -> the harness user (and project) acting as it.
USERS = {'owner': 'alpha', 'consumer': 'beta', 'updater': 'gamma'}


class KeystoneAuth:
    """What the benchmark needs of a harness ``Cloud``."""

    def __init__(self, cloud, swift=None):
        self.cloud = cloud
        # A running harness Swift for the Swift store's data rows, or None.
        self.swift = swift

    def projects(self):
        """owner, consumer and updater -> Keystone project ids."""
        return {role: self.cloud.users[user]['project_id']
                for role, user in USERS.items()}

    def conf_sections(self):
        """glance-sharing.conf sections for the keystone pipeline."""
        return self.cloud.service_options()

    def tokens(self):
        """Keystone project id -> a token of that project's user.

        keystoneauth keeps each user's token and gets a new one only when
        it is about to expire, so every scale can ask again.
        """
        return {self.cloud.users[user]['project_id']: self.cloud.token(user)
                for user in USERS.values()}

    def swift_store_options(self, config_dir):
        """[glance_store] on the Swift store, as operators leave it.

        glance_store's defaults for segmenting: objects of 5 GiB and up,
        in 200 MiB segments.
        """
        return self.swift.store_options(
            config_dir, filesystem_store_datadir=os.path.abspath(
                os.path.join(config_dir, 'images')),
            swift_store_large_object_size='5120',
            swift_store_large_object_chunk_size='200')

    def swift_alone(self):
        """The Swift floor: the account the single-tenant store writes to."""
        return data.SwiftAlone(
            self.swift.account_url(self.swift.service_project()),
            self.swift.service_token())


@contextlib.contextmanager
def keystone(log=print, swift=False):
    """Keystone up (installed first if need be) for the ``with`` block.

    Yields a KeystoneAuth; Keystone stops when the block ends. With
    ``swift``, the integration tests' Swift runs behind it too
    (tools/swift/install.sh installs it once). The benchmark serves
    glance-sharing itself.
    """
    log('Keystone: installing (once) and starting')
    try:
        venv = harness.install()
    except harness.Unavailable as exc:
        raise SystemExit('--auth keystone needs Keystone: %s' % exc)
    cloud = harness.Cloud(venv, service=False)
    with cloud:
        log('Keystone: %s' % cloud.keystone.url)
        if not swift:
            yield KeystoneAuth(cloud)
            return
        log('Swift: installing (once) and starting')
        try:
            swift_venv = swift_harness.install()
        except harness.Unavailable as exc:
            raise SystemExit('--swift needs Swift: %s' % exc)
        with swift_harness.Swift(swift_venv, cloud) as running:
            log('Swift: %s' % running.url)
            yield KeystoneAuth(cloud, running)
