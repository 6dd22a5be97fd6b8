"""Gabbi fixtures: the production Paste app (noauth) on a fresh database.

Project ids are random per test file and exported to the YAML through
the environment, e.g. $ENVIRON['OWNER'].
"""

import os
import shutil
import tempfile
import uuid

from gabbi import fixture
from oslo_middleware import sizelimit

from glance_sharing.conf import CONF
from glance_sharing import deploy
from glance_sharing.tests import fixtures

PERSONAS = ('OWNER', 'CONSUMER', 'CONSUMER2', 'OTHER', 'ADMIN_PROJECT')
# SQLite syncs every commit to disk, which on a busy machine was most of
# the wall time of these tests; they test the API, not durability, so the
# database lives in memory-backed /dev/shm where there is one.
_SHM = '/dev/shm'


_APP = {}


def setup_app():
    """The WSGI app for wsgi-intercept.

    gabbi asks for it while building the suite, before any fixture has
    configured anything, so the real app is loaded on the first request
    of each YAML file.
    """
    def app(environ, start_response):
        if 'app' not in _APP:
            _APP['app'] = deploy.loadapp(CONF)
        return _APP['app'](environ, start_response)
    return app


class APIFixture(fixture.GabbiFixture):
    """Configuration and a database for one gabbi YAML file."""

    def start_fixture(self):
        self.conf_fixture = fixtures.ConfFixture(CONF)
        self.conf_fixture.setUp()
        shm = _SHM if os.access(_SHM, os.W_OK) else None
        self.db_dir = tempfile.mkdtemp(prefix='gs-gabbi-', dir=shm)
        self.db = fixtures.Database(
            CONF, url='sqlite:///' + os.path.join(self.db_dir, 'db.sqlite'))
        self.db.setUp()
        for name in PERSONAS:
            os.environ[name] = uuid.uuid4().hex
        for name in ('IMAGE', 'IMAGE2', 'IMAGE3', 'IMAGE4'):
            os.environ[name] = str(uuid.uuid4())

    def stop_fixture(self):
        _APP.clear()
        self.db.cleanUp()
        shutil.rmtree(self.db_dir, ignore_errors=True)
        self.conf_fixture.cleanUp()


class MemberQuotaFixture(APIFixture):
    """A small member quota, so the 413 path is cheap to reach."""

    def start_fixture(self):
        super().start_fixture()
        self.conf_fixture.config(image_member_quota=2)


class BodyLimitFixture(APIFixture):
    """A small [oslo_middleware] max_request_body_size (1024 bytes)."""

    def start_fixture(self):
        super().start_fixture()
        self.conf_fixture.register_opts(sizelimit.OPTS,
                                        group='oslo_middleware')
        self.conf_fixture.config(max_request_body_size=1024,
                                 group='oslo_middleware')
