"""Keystone mode of the benchmark: real tokens, validated by auth_token.

The Keystone is the integration tests' harness
(glance_sharing/tests/integration/keystone.py): Keystone 30 installed into
.cache/keystone/venv by tools/keystone/install-venv.sh, served by gunicorn
on 127.0.0.1, with projects ``alpha``, ``beta`` and ``gamma`` whose users
have the roles member and reader. The benchmark seeds their ids as its
owner, consumer and updater projects, serves glance-sharing with the
harness's ``[api] auth_strategy = keystone`` and ``[keystone_authtoken]``
(with ``memcached_servers``: auth_token caches each validated token in the
harness's memcached, as deployed), and every call sends ``X-Auth-Token``
with a token of its project.
"""

import contextlib

from glance_sharing.tests.integration import keystone as harness

# Bench project -> the harness user (and project) acting as it.
USERS = {'owner': 'alpha', 'consumer': 'beta', 'updater': 'gamma'}


class KeystoneAuth:
    """What the benchmark needs of a harness ``Cloud``."""

    def __init__(self, cloud):
        self.cloud = cloud

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


@contextlib.contextmanager
def keystone(log=print):
    """Keystone up (installed first if need be) for the ``with`` block.

    Yields a KeystoneAuth; Keystone stops when the block ends. Only
    Keystone runs: the benchmark serves glance-sharing itself.
    """
    log('Keystone: installing (once) and starting')
    try:
        venv = harness.install()
    except harness.Unavailable as exc:
        raise SystemExit('--auth keystone needs Keystone: %s' % exc)
    cloud = harness.Cloud(venv, service=False)
    with cloud:
        log('Keystone: %s' % cloud.keystone.url)
        yield KeystoneAuth(cloud)
