"""Base test case for tests against a real Keystone and glance-sharing."""

import uuid

import requests
import testtools

from glance_sharing.tests import base
from glance_sharing.tests.integration import keystone


class TestCase(testtools.TestCase):
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
        return requests.request(method, (url or self.cloud.url) + path,
                                headers=headers, timeout=30, **kwargs)

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
