"""glance-sharing-api, the development server, serves the real app."""

import os
import subprocess
import time

import fixtures
import requests
import testtools

from glance_sharing.tests import fixtures as gs_fixtures
from harness import server


class TestDevServer(testtools.TestCase):

    def start(self):
        """The development server on a fresh database; (url, log path)."""
        folder = self.useFixture(fixtures.TempDir()).path
        conf = os.path.join(folder, 'glance-sharing.conf')
        log = os.path.join(folder, 'api.log')
        server.write_ini(conf, server.service_conf(
            'sqlite:///' + os.path.join(folder, 'db.sqlite'),
            {'DEFAULT': {'log_file': log}},
            {'paste_deploy': {'config_file': gs_fixtures.PASTE_INI}},
            {'glance_store': {'filesystem_store_datadir':
                              os.path.join(folder, 'images')}}))
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
        return url, log

    def test_serves_and_logs_each_request_once(self):
        url, log = self.start()
        response = requests.get(url + '/v2/images',
                                headers={'X-Project-Id': 'p1'}, timeout=5)
        self.assertEqual(200, response.status_code)
        request_id = response.headers['x-openstack-request-id']
        with open(log) as log_file:
            lines = [line for line in log_file if request_id in line]
        self.assertEqual(1, len(lines), lines)
        self.assertIn('"GET /v2/images" status: 200', lines[0])

    def test_chunked_upload_is_refused_not_lost(self):
        # wsgiref does not decode a chunked body: the upload must fail,
        # not store 0 bytes and answer 204.
        url, _log = self.start()
        headers = {'X-Project-Id': 'p1', 'X-Roles': 'reader,member'}
        image = requests.post(url + '/v2/images', headers=headers, json={
            'disk_format': 'raw', 'container_format': 'bare'},
            timeout=5).json()
        response = requests.put(
            url + '/v2/images/%s/file' % image['id'],
            headers=dict(headers, **{
                'Content-Type': 'application/octet-stream'}),
            data=iter([b'x' * 1000, b'y' * 1000]), timeout=5)
        self.assertEqual(411, response.status_code, response.text)
        self.assertIn('send the image data with a Content-Length',
                      response.json()['error']['message'])
        shown = requests.get(url + '/v2/images/' + image['id'],
                             headers=headers, timeout=5).json()
        self.assertEqual(('queued', None), (shown['status'], shown['size']))
        # The same data with a Content-Length is stored.
        response = requests.put(
            url + '/v2/images/%s/file' % image['id'],
            headers=dict(headers, **{
                'Content-Type': 'application/octet-stream'}),
            data=b'x' * 2000, timeout=5)
        self.assertEqual(204, response.status_code, response.text)
