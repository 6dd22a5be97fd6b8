"""Every image and member we return is valid under the schema we serve.

python-glanceclient builds warlock models from /v2/schemas/image and
/v2/schemas/member and validates responses against them, so a response
the documents do not describe breaks the client.
"""

import uuid

import jsonschema

from glance_sharing.conf import CONF
from glance_sharing.tests import base
from glance_sharing.tests import fixtures

PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


class ResponseSchemaTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.owner = uuid.uuid4().hex
        self.consumer = uuid.uuid4().hex
        self.api = self.useFixture(
            fixtures.APIClient(CONF, project=self.owner))

    def _call(self, method, path, body=None, project=None,
              content_type='application/json', status=200):
        response = self.api.request(method, path, body, project=project,
                                    content_type=content_type,
                                    status=status)
        return response.json_body if response.body else None

    def _validator(self, name):
        document = self._call('GET', '/v2/schemas/' + name)
        return jsonschema.Draft4Validator(document)

    def _assert_valid(self, validator, instance):
        errors = [error.message for error in validator.iter_errors(instance)]
        self.assertEqual([], errors, instance)

    def test_images_match_the_image_schemas(self):
        image_schema = self._validator('image')
        images_schema = self._validator('images')
        bare = self._call('POST', '/v2/images', {}, status=201)
        full = self._call('POST', '/v2/images', {
            'name': 'cirros', 'disk_format': 'qcow2',
            'container_format': 'bare', 'min_disk': 1, 'min_ram': 64,
            'protected': True, 'os_hidden': False, 'visibility': 'private',
            'tags': ['a', 'b'], 'os_distro': 'cirros', 'hw_disk_bus': ''},
            status=201)
        patched = self._call(
            'PATCH', '/v2/images/%s' % bare['id'],
            [{'op': 'add', 'path': '/description', 'value': 'x' * 300},
             {'op': 'replace', 'path': '/name', 'value': None}],
            content_type=PATCH_TYPE)
        for image in (bare, full, patched):
            self._assert_valid(image_schema, image)
            self._assert_valid(image_schema, self._call(
                'GET', '/v2/images/%s' % image['id']))
        listing = self._call('GET', '/v2/images?limit=1')
        self.assertIn('next', listing)
        self._assert_valid(images_schema, listing)
        for image in self._call('GET', '/v2/images')['images']:
            self._assert_valid(image_schema, image)

    def test_members_match_the_member_schemas(self):
        member_schema = self._validator('member')
        members_schema = self._validator('members')
        image = self._call('POST', '/v2/images', {}, status=201)
        members = '/v2/images/%s/members' % image['id']
        created = self._call('POST', members, {'member': self.consumer})
        updated = self._call('PUT', '%s/%s' % (members, self.consumer),
                             {'status': 'accepted'}, project=self.consumer)
        shown = self._call('GET', '%s/%s' % (members, self.consumer))
        for member in (created, updated, shown):
            self._assert_valid(member_schema, member)
        self._call('POST', members, {'member': 'a' * 255})
        self._assert_valid(members_schema, self._call('GET', members))
        self._assert_valid(members_schema,
                           self._call('GET', members + '?limit=1'))
