"""Image data in a real Swift, through the API of two glance-sharing nodes.

One deployment as an operator scales it out: two API nodes (each a
gunicorn with its workers) on one PostgreSQL database and one Swift, with
Keystone in front. Uploads and downloads through either node, segments
in Swift, what is left after a client hangs up, and Swift going away and
coming back under a running server.
"""

import hashlib
import os
import socket
import time

import fixtures
from testtools import content

from glance_sharing.tests import base as tests_base
from glance_sharing.tests import fixtures as gs_fixtures
from glance_sharing.tests.integration import base
from harness import keystone
from harness import swift

MIB = 1024 * 1024
SEGMENT = 1000 * 1024
# A container per first two characters of the image id, as Glance's
# swift_store_multiple_containers_seed does at scale.
SEED = 2


class Deployment(fixtures.Fixture):
    """Two API nodes on one PostgreSQL database and one Swift."""

    def __init__(self, cloud, swift_fixture):
        super().__init__()
        self.cloud = cloud
        self.swift = swift_fixture

    def _setUp(self):
        db_url = self.useFixture(
            gs_fixtures.ProvisionedDatabase('postgresql')).url
        config_dir = self.useFixture(fixtures.TempDir()).path
        store = self.swift.store_options(
            config_dir, swift_store_multiple_containers_seed=str(SEED))
        self.nodes = [
            self.useFixture(self.cloud.service_process(
                workers=2, db_url=db_url, glance_store=store))
            for _ in range(2)]


# Started by the first test that needs it, stopped when the process exits.
_DEPLOYMENT = keystone.SharedFixture(
    lambda: Deployment(keystone.shared_cloud(), swift.shared_swift()))


class SwiftDataTestCase(base.SwiftTestCase):

    def setUp(self):
        super().setUp()
        unavailable = gs_fixtures.backend_unavailable('postgresql')
        if unavailable:
            tests_base.skip_or_fail(self, unavailable)
        nodes = _DEPLOYMENT.get().nodes
        self.nodes = [node.url for node in nodes]
        self.addOnException(lambda _exc_info: [
            self.addDetail('node-%d-log' % n, content.text_content(
                node.log()[-8000:])) for n, node in enumerate(nodes)])

    def container(self, image_id):
        return '%s_%s' % (swift.CONTAINER, image_id[:SEED])

    def stored(self, image_id):
        """The names Swift holds for ``image_id``: object and segments."""
        return self.swift.list_container(
            self.swift.service_token(), self.container(image_id),
            self.swift.service_project(), prefix=image_id)

    def upload(self, image_id, data, url=None, user='alpha', **kwargs):
        return self.request(
            'PUT', '/v2/images/%s/file' % image_id, user=user,
            url=url or self.nodes[0], data=data,
            headers={'Content-Type': 'application/octet-stream'}, **kwargs)

    def fetch(self, image_id, url=None, user='alpha', timeout=30,
              **headers):
        return self.request('GET', '/v2/images/%s/file' % image_id,
                            user=user, url=url or self.nodes[0],
                            headers=headers, timeout=timeout)

    def show(self, image_id, url=None):
        response = self.request('GET', '/v2/images/' + image_id,
                                user='alpha', url=url or self.nodes[0])
        self.assertEqual(200, response.status_code, response.text)
        return response.json()


class TestSwiftData(SwiftDataTestCase):

    def test_upload_on_one_node_download_on_the_other(self):
        data = os.urandom(int(2.5 * MIB))
        image = self.create_image(url=self.nodes[0])
        response = self.upload(image['id'], data, url=self.nodes[0])
        self.assertEqual(204, response.status_code, response.text)
        # Segmented: the manifest and three 1000 KiB segments.
        self.assertEqual(
            [image['id']] + ['%s-%05d' % (image['id'], n)
                             for n in (1, 2, 3)],
            self.stored(image['id']))
        shown = self.show(image['id'], url=self.nodes[1])
        self.assertEqual('active', shown['status'])
        self.assertEqual(len(data), shown['size'])
        self.assertEqual(hashlib.md5(data).hexdigest(), shown['checksum'])
        response = self.fetch(image['id'], url=self.nodes[1])
        self.assertEqual(200, response.status_code)
        self.assertEqual(data, response.content)
        self.assertEqual(shown['checksum'], response.headers['Content-MD5'])

    def test_range_across_segments(self):
        data = os.urandom(int(2.5 * MIB))
        image = self.create_image(url=self.nodes[1])
        self.assertEqual(204, self.upload(image['id'], data,
                                          url=self.nodes[1]).status_code)
        start, end = SEGMENT - 100, 2 * SEGMENT + 100
        response = self.fetch(image['id'], url=self.nodes[0],
                              Range='bytes=%d-%d' % (start, end))
        self.assertEqual(206, response.status_code, response.text)
        self.assertEqual(data[start:end + 1], response.content)
        self.assertEqual('bytes %d-%d/%d' % (start, end, len(data)),
                         response.headers['Content-Range'])
        response = self.fetch(image['id'], Range='bytes=-10')
        self.assertEqual(206, response.status_code)
        self.assertEqual(data[-10:], response.content)

    def test_member_downloads_small_image(self):
        data = b'a small image, one object in Swift'
        image = self.create_image(url=self.nodes[0])
        self.assertEqual(204, self.upload(image['id'], data).status_code)
        self.assertEqual([image['id']], self.stored(image['id']))
        response = self.request(
            'POST', '/v2/images/%s/members' % image['id'], user='alpha',
            url=self.nodes[0], json={'member': self.project('beta')})
        self.assertEqual(200, response.status_code, response.text)
        response = self.fetch(image['id'], url=self.nodes[1],
                              user='beta')
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(data, response.content)
        self.assertEqual(404, self.fetch(image['id'], url=self.nodes[1],
                                         user='gamma').status_code)

    def test_chunked_upload(self):
        data = os.urandom(1000)
        image = self.create_image(url=self.nodes[0])
        response = self.upload(image['id'], iter([data[:500], data[500:]]))
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual(data, self.fetch(image['id'],
                                          url=self.nodes[1]).content)

    def test_image_delete_removes_every_segment(self):
        image = self.create_image(url=self.nodes[0])
        self.assertEqual(204, self.upload(
            image['id'], os.urandom(int(2.2 * MIB))).status_code)
        self.assertEqual(4, len(self.stored(image['id'])))
        response = self.request('DELETE', '/v2/images/' + image['id'],
                                user='alpha', url=self.nodes[1])
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual([], self.stored(image['id']))

    def wait_for_status(self, image_id, status, timeout=60):
        deadline = time.monotonic() + timeout
        while self.show(image_id)['status'] != status:
            self.assertLess(time.monotonic(), deadline,
                            'the image did not become %s' % status)
            time.sleep(0.2)

    def test_interrupted_upload_leaves_nothing_and_can_be_retried(self):
        image = self.create_image(url=self.nodes[0])
        host, port = self.nodes[0].rsplit('/', 1)[1].split(':')
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall((
                'PUT /v2/images/%s/file HTTP/1.1\r\nHost: %s:%s\r\n'
                'X-Auth-Token: %s\r\n'
                'Content-Type: application/octet-stream\r\n'
                'Content-Length: %d\r\n\r\n' % (
                    image['id'], host, port, self.cloud.token('alpha'),
                    3 * MIB)).encode())
            # More than a segment, so one is complete in Swift when the
            # client goes away.
            s.sendall(os.urandom(int(1.5 * MIB)))
            self.wait_for_status(image['id'], 'saving')
            deadline = time.monotonic() + 30
            while not self.stored(image['id']):
                self.assertLess(time.monotonic(), deadline,
                                'no segment reached Swift')
                time.sleep(0.2)
        self.wait_for_status(image['id'], 'queued')
        # The whole first segment is gone, and the second never completed.
        self.assertEqual([], self.stored(image['id']))
        data = os.urandom(int(1.2 * MIB))
        self.assertEqual(204, self.upload(image['id'], data).status_code)
        self.assertEqual(data, self.fetch(image['id']).content)


class TestSwiftOutage(SwiftDataTestCase):

    def stop_swift(self):
        self.swift.stop_proxy()
        self.addCleanup(self.restart_swift)

    def restart_swift(self):
        if not self.swift.proxy_running:
            self.swift.start_proxy()

    def assert_unavailable(self, response):
        self.assertEqual(503, response.status_code, response.text)
        self.assertIn('Retry-After', response.headers)
        error = response.json()['error']
        self.assertEqual(503, error['code'])
        self.assertIn('image store', error['message'])

    def test_swift_down_then_back(self):
        data = os.urandom(1000)
        stored = self.create_image(url=self.nodes[0])
        self.assertEqual(204, self.upload(stored['id'], data).status_code)
        waiting = self.create_image(url=self.nodes[0])
        self.stop_swift()
        # swiftclient retries five times, backing off 1, 2, 4, 8 and 16 s,
        # before glance_store gives up: about half a minute per call.
        started = time.monotonic()
        self.assert_unavailable(self.fetch(stored['id'], timeout=120))
        self.assert_unavailable(self.upload(waiting['id'], b'x' * 100,
                                            timeout=120))
        self.addDetail('outage-seconds', content.text_content(
            '%.1f' % (time.monotonic() - started)))
        # A failed upload leaves the image ready for the next one.
        self.assertEqual('queued', self.show(waiting['id'])['status'])
        # Metadata and members do not need Swift.
        response = self.request(
            'PATCH', '/v2/images/' + stored['id'], user='alpha',
            url=self.nodes[0],
            headers={'Content-Type':
                     'application/openstack-images-v2.1-json-patch'},
            json=[{'op': 'replace', 'path': '/name', 'value': 'renamed'}])
        self.assertEqual(200, response.status_code, response.text)
        response = self.request(
            'POST', '/v2/images/%s/members' % stored['id'], user='alpha',
            url=self.nodes[0], json={'member': self.project('gamma')})
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(200, self.request(
            'GET', '/v2/images/%s/members' % stored['id'], user='gamma',
            url=self.nodes[0]).status_code)
        # The same servers recover, without a restart.
        self.swift.start_proxy()
        response = self.fetch(stored['id'])
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(data, response.content)
        self.assertEqual(204, self.upload(waiting['id'], data).status_code)
        self.assertEqual(data, self.fetch(waiting['id']).content)
