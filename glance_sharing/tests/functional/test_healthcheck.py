"""/healthcheck reads [healthcheck] from glance-sharing.conf and drains.

Touching [healthcheck] disable_by_file_path makes /healthcheck answer 503,
so a load balancer takes the node out of rotation
while it goes on serving; removing the file puts it back.
"""

import os

import fixtures
import requests

from glance_sharing.conf import CONF
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures
from harness import server


class HealthcheckConfTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.drain_file = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'healthcheck_disable')
        self.conf_fixture.config(disable_by_file_path=self.drain_file,
                                 group='healthcheck')

    def get(self, accept='text/plain'):
        # The app of the configuration at the time of the call.
        api = self.useFixture(gs_fixtures.APIClient(CONF))
        return api.request('GET', '/healthcheck', project=False,
                           headers={'Accept': accept})

    def test_disable_by_file_drains(self):
        self.assertEqual(200, self.get().status_int)
        open(self.drain_file, 'w').close()
        self.assertEqual(503, self.get().status_int)
        os.unlink(self.drain_file)
        self.assertEqual(200, self.get().status_int)

    def test_detailed_from_the_configuration(self):
        # api-paste.ini used to set detailed = False, overriding this.
        self.conf_fixture.config(detailed=True, group='healthcheck')
        body = self.get('application/json').json_body
        self.assertIn('detailed', body)
        self.assertEqual(
            {'database reachable', 'OK'},
            {check['reason'] for check in body['reasons']})

    def test_backends_from_the_configuration(self):
        self.conf_fixture.config(backends=['disable_by_file'],
                                 group='healthcheck')
        open(self.drain_file, 'w').close()
        self.assertEqual(503, self.get().status_int)
        self.conf_fixture.config(backends=['database'], group='healthcheck')
        self.assertEqual(200, self.get().status_int)


class DrainServerTest(base.TestCase):
    """Draining a running multi-process server, as an operator does."""

    def test_touch_drains_every_worker_and_requests_still_work(self):
        folder = self.useFixture(fixtures.TempDir()).path
        drain_file = os.path.join(folder, 'healthcheck_disable')
        service = self.useFixture(server.ServiceProcess(
            workers=2, options={'healthcheck': {
                'disable_by_file_path': drain_file}}))
        url = service.url + '/healthcheck'
        self.assertEqual(200, requests.get(url, timeout=30).status_code)
        open(drain_file, 'w').close()
        for _ in range(4):
            self.assertEqual(503, requests.get(url, timeout=30).status_code)
        # Draining only answers the load balancer: the API still serves.
        response = requests.get(service.url + '/v2/images', timeout=30,
                                headers={'X-Project-Id': 'p1'})
        self.assertEqual(200, response.status_code, response.text)
        os.unlink(drain_file)
        for _ in range(4):
            self.assertEqual(200, requests.get(url, timeout=30).status_code)
