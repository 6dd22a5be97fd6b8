"""Non-ASCII member ids and tags in request paths.

WSGI servers hand PATH_INFO over as the request's bytes decoded as
latin-1 (PEP 3333); the in-process client (fixtures.APIClient) builds it
the same way. gabbi's httpx transport does not (it passes the UTF-8
decoded path), so these tests use that client instead.
"""

import uuid

from glance_sharing.conf import CONF
from glance_sharing.tests import base
from glance_sharing.tests import fixtures


class NonAsciiPathTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.owner = uuid.uuid4().hex
        self.api = self.useFixture(
            fixtures.APIClient(CONF, project=self.owner))
        self.image_id = self.api.request(
            'POST', '/v2/images', {}).json_body['id']
        self.image = '/v2/images/%s' % self.image_id

    def _call(self, method, path, body=None, status=200, **kwargs):
        return self.api.request(method, path, body, status=status, **kwargs)

    def test_a_non_ascii_member_id_names_the_same_member(self):
        created = self._call('POST', self.image + '/members',
                             {'member': 'café'}).json_body
        self.assertEqual('café', created['member_id'])
        path = self.image + '/members/caf%C3%A9'
        self.assertEqual('café', self._call('GET', path).json_body[
            'member_id'])
        updated = self._call('PUT', path, {'status': 'accepted'},
                             project=uuid.uuid4().hex,
                             roles='admin,reader,member').json_body
        self.assertEqual(('café', 'accepted'),
                         (updated['member_id'], updated['status']))
        self._call('GET', self.image + '/members?marker=caf%C3%A9')
        self._call('DELETE', path, status=204)
        self.assertEqual([], self._call(
            'GET', self.image + '/members').json_body['members'])

    def test_a_non_ascii_tag_reads_as_written(self):
        self._call('PUT', self.image + '/tags/%C3%BCber', status=204)
        self.assertEqual(['über'],
                         self._call('GET', self.image).json_body['tags'])
        listed = self._call('GET', '/v2/images?tag=%C3%BCber').json_body
        self.assertEqual([self.image_id],
                         [image['id'] for image in listed['images']])
        self._call('DELETE', self.image + '/tags/%C3%BCber', status=204)
        self.assertEqual([], self._call('GET', self.image).json_body['tags'])

    def test_a_path_that_is_not_utf8_is_a_json_404(self):
        for method, path in (('GET', '/v2/images/%FF'),
                             ('GET', self.image + '/members/%FF%FE'),
                             ('DELETE', '/v2.1/images/%C3'),
                             ('GET', '/%FF')):
            response = self._call(method, path, status=404)
            self.assertEqual('application/json', response.content_type)
            error = response.json_body['error']
            self.assertEqual(404, error['code'])
            self.assertEqual('The resource could not be found: the request '
                             'path is not valid UTF-8.', error['message'])
            self.assertTrue(error['request_id'].startswith('req-'))
