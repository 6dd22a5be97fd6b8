"""One Glance and one glance-sharing per database backend and test process.

The differential tests all run in one stestr worker (.stestr.conf groups
them), so each backend's pair of servers starts once. Every request of
every test goes to both servers, so their states stay the same; each test
uses fresh project ids and deletes its images, so one test's images do not
crowd another's lists.
"""

import atexit
import threading
import uuid

import fixtures
import requests
import testtools

from glance_sharing.tests import base
from glance_sharing.tests.differential import glance
from glance_sharing.tests.differential import harness
from glance_sharing.tests import fixtures as gs_fixtures
from harness import keystone
from harness import server

_LOCK = threading.Lock()
_PAIRS = {}


class _Servers(fixtures.Fixture):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend

    def _setUp(self):
        venv = glance.install()
        self.glance = self.useFixture(glance.Glance(venv))
        db_url = None
        if self.backend != 'sqlite':
            db_url = self.useFixture(
                gs_fixtures.ProvisionedDatabase(self.backend)).url
        self.ours = self.useFixture(server.ServiceProcess(
            db_url=db_url, workers=1))


def shared_servers(backend):
    with _LOCK:
        if backend not in _PAIRS:
            try:
                servers = _Servers(backend)
                servers.setUp()
            except Exception as exc:
                _PAIRS[backend] = exc
                raise
            atexit.register(servers.cleanUp)
            _PAIRS[backend] = servers
        if isinstance(_PAIRS[backend], Exception):
            raise _PAIRS[backend]
        return _PAIRS[backend]


class TestCase(testtools.TestCase):
    """``self.pair`` drives both servers; ``self.p`` holds the personas."""

    scenarios = [('sqlite', {'db_backend': 'sqlite'}),
                 ('postgresql', {'db_backend': 'postgresql'})]
    db_backend = 'sqlite'

    def setUp(self):
        super().setUp()
        reason = gs_fixtures.backend_unavailable(self.db_backend)
        if reason:
            base.skip_or_fail(self, reason)
        try:
            servers = shared_servers(self.db_backend)
        except keystone.Unavailable as exc:
            base.skip_or_fail(self, str(exc))
        self.pair = harness.Pair(servers.glance.url, servers.ours.url)
        self.p = harness.personas()
        self.addCleanup(self.pair.assert_same, self)

    def create(self, persona='owner', expect=201, **properties):
        """Create the same image (same id) on both servers; return Glance's.

        The image is deleted on both after the test (not compared).
        """
        body = {'id': str(uuid.uuid4()), 'name': 'img-%s' % uuid.uuid4().hex[
            :6], 'disk_format': 'raw', 'container_format': 'bare'}
        body.update(properties)
        response = self.pair.call(self.p[persona], 'POST', '/v2/images',
                                  body)
        self.assertEqual(expect, response.status_code, response.text)
        if expect == 201:
            self.addCleanup(self._purge, body['id'])
        return response.json() if expect == 201 else None

    def _purge(self, image_id):
        admin = self.p['admin'].headers()
        for url in self.pair.urls.values():
            path = '%s/v2/images/%s' % (url, image_id)
            requests.patch(path, data='[{"op": "replace", "path": '
                           '"/protected", "value": false}]', headers=dict(
                               admin, **{'Content-Type': 'application/'
                                         'openstack-images-v2.1-json-patch'}),
                           timeout=60)
            requests.delete(path, headers=admin, timeout=60)

    def call(self, persona, method, path, body=None, content_type=None):
        return self.pair.call(self.p[persona], method, path, body,
                              content_type)

    def patch(self, persona, image_id, ops, v20=False):
        kind = 'v2.0' if v20 else 'v2.1'
        return self.call(persona, 'PATCH', '/v2/images/' + image_id, ops,
                         'application/openstack-images-%s-json-patch' % kind)
