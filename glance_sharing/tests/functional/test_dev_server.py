"""glance-sharing-api, the development server, serves the real app."""

import os
import subprocess
import time

import fixtures
import requests
import testtools

from glance_sharing.tests import fixtures as gs_fixtures
from glance_sharing.tests import server


class TestDevServer(testtools.TestCase):

    def test_serves_and_logs_each_request_once(self):
        folder = self.useFixture(fixtures.TempDir()).path
        conf = os.path.join(folder, 'glance-sharing.conf')
        log = os.path.join(folder, 'api.log')
        server.write_ini(conf, server.service_conf(
            'sqlite:///' + os.path.join(folder, 'db.sqlite'),
            {'DEFAULT': {'log_file': log}},
            {'paste_deploy': {'config_file': gs_fixtures.PASTE_INI}}))
        subprocess.run([os.path.join(server.BIN_DIR, 'glance-sharing-manage'),
                        '--config-file', conf, 'db', 'sync'],
                       check=True, capture_output=True)
        port = server.free_port()
        process = subprocess.Popen(
            [os.path.join(server.BIN_DIR, 'glance-sharing-api'),
             '--config-file', conf, '--bind-port', str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.addCleanup(server.stop_process_group, process)
        url = 'http://127.0.0.1:%d' % port
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + '/versions', timeout=1)
                break
            except requests.ConnectionError:
                self.assertLess(time.monotonic(), deadline, 'no server')
                time.sleep(0.2)
        response = requests.get(url + '/v2/images',
                                headers={'X-Project-Id': 'p1'}, timeout=5)
        self.assertEqual(200, response.status_code)
        request_id = response.headers['x-openstack-request-id']
        with open(log) as log_file:
            lines = [line for line in log_file if request_id in line]
        self.assertEqual(1, len(lines), lines)
        self.assertIn('"GET /v2/images" status: 200', lines[0])
