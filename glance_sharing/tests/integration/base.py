"""Base test case for tests against a real Keystone and glance-sharing."""

import hashlib
import os
import re
import uuid

import fixtures
import requests
import testtools

from glance_sharing.tests import base
from glance_sharing.tests import server
from harness import keystone
from harness import swift


# What the request log writes for each request: method, path, status.
REQUEST_LINE = re.compile(r'"(\w+) ([^"? ]+)[^"]*" status: (\d+)')


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class TestCase(server.ServerLogsOnFailure, testtools.TestCase):
    """Gives ``self.cloud``: Keystone and glance-sharing, once a process.

    Locally a machine that cannot install Keystone skips these tests; under
    CI=true they fail instead.
    """

    def setUp(self):
        super().setUp()
        try:
            self.cloud = keystone.shared_cloud()
        except keystone.Unavailable as exc:
            base.skip_or_fail(self, str(exc))

    def project(self, name):
        return self.cloud.users[name]['project_id']

    def request(self, method, path, user=None, token=None, url=None,
                **kwargs):
        """A plain HTTP call to glance-sharing as ``user`` (or ``token``)."""
        headers = kwargs.pop('headers', {})
        if user:
            token = self.cloud.token(user)
        if token:
            headers['X-Auth-Token'] = token
        kwargs.setdefault('timeout', 30)
        return requests.request(method, (url or self.cloud.url) + path,
                                headers=headers, **kwargs)

    def create_image(self, user='alpha', url=None, **properties):
        """A new shared image owned by ``user``'s project; deleted after."""
        body = {'name': 'integration-%s' % uuid.uuid4().hex[:8],
                'visibility': 'shared', 'disk_format': 'raw',
                'container_format': 'bare'}
        body.update(properties)
        response = self.request('POST', '/v2/images', user=user, url=url,
                                json=body)
        self.assertEqual(201, response.status_code, response.text)
        image = response.json()
        self.addCleanup(self.request, 'DELETE', '/v2/images/' + image['id'],
                        user=user, url=url)
        return image

    def image_file(self, size=300 * 1024 + 7):
        """(path, bytes): random image data in a file of its own.

        The default size is no multiple of any client's or store's chunk,
        so a lost or repeated last chunk shows.
        """
        data = os.urandom(size)
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'disk.raw')
        with open(path, 'wb') as image:
            image.write(data)
        return path, data

    def download(self, image_id, user):
        """The image's data as ``user`` gets it over plain HTTP."""
        response = self.request('GET', '/v2/images/%s/file' % image_id,
                                user=user)
        self.assertEqual(200, response.status_code, response.text)
        return response.content

    def server_calls(self):
        """A function giving the calls the service answered since now.

        Each call is "METHOD path status", read from the service's request
        log, so a test can tell what a client really sent.
        """
        mark = len(self.cloud.service.log())

        def calls():
            return ['%s %s %s' % match.groups() for match in (
                REQUEST_LINE.search(line) for line in
                self.cloud.service.log()[mark:].splitlines()
                if 'request_log' in line) if match]
        return calls


class SwiftTestCase(TestCase):
    """Also gives ``self.swift``: a real Swift behind the same Keystone."""

    def setUp(self):
        super().setUp()
        try:
            self.swift = swift.shared_swift()
        except keystone.Unavailable as exc:
            base.skip_or_fail(self, str(exc))
