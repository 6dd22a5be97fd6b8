"""The api-ref samples are what the service really accepts and returns.

Every JSON file in api-ref/source/samples/ is either sent to the real
application (request samples) or compared with what it answers (response
samples). Ids, project ids, request ids and timestamps are replaced by
placeholders before comparing; a placeholder is numbered by first
appearance, so a sample that uses one id in two places must match a
response that does too. Everything else (keys, value types, statuses,
schema paths, messages, links) must be identical.
"""

import os
import re
import uuid

from oslo_serialization import jsonutils
import testtools

from glance_sharing.api import router
from glance_sharing.conf import CONF
from glance_sharing.tests import fixtures

API_REF = os.path.join(fixtures.REPO_ROOT, 'api-ref', 'source')
SAMPLES = os.path.join(API_REF, 'samples')
HOST = 'http://images.example.com:9292'
JSON_PATCH = 'application/openstack-images-v2.1-json-patch'

# Sample file -> the test that checks it. A sample file not listed here,
# or listed but left unchecked by its test, fails the suite.
COVERAGE = {
    'error-response.json': 'test_error_body',
    'image-create-request.json': 'test_create_image',
    'image-create-response.json': 'test_create_image',
    'image-member-create-request.json': 'test_create_member',
    'image-member-create-response.json': 'test_create_member',
    'image-member-details-response.json': 'test_show_member',
    'image-member-update-request.json': 'test_update_member',
    'image-member-update-response.json': 'test_update_member',
    'image-members-list-paged-response.json': 'test_list_members_paged',
    'image-members-list-response.json': 'test_list_members',
    'image-show-response.json': 'test_show_image',
    'image-update-request.json': 'test_update_image',
    'image-update-response.json': 'test_update_image',
    'images-list-response.json': 'test_list_images',
    'schemas-image-show-response.json': 'test_image_schemas',
    'schemas-image-member-show-response.json': 'test_member_schemas',
    'schemas-image-members-list-response.json': 'test_member_schemas',
    'schemas-images-list-response.json': 'test_image_schemas',
    'versions-response.json': 'test_versions',
}

_REQUEST_ID = re.compile(r'req-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}')
_UUID = re.compile(r'\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b')
_PROJECT_ID = re.compile(r'\b[0-9a-f]{32}\b')
_ISOTIME = re.compile(r'\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')


def normalise(document):
    """``document`` with ids and times replaced by placeholders.

    UUIDs and project ids become ``<uuid-N>`` and ``<project-N>``, N
    counting distinct values in the order met (keys sorted), so equal ids
    stay equal and different ids stay different. Request ids become
    ``<request-id>`` and second-resolution UTC times ``<isotime>``; any
    other time format is left alone and so fails the comparison.
    """
    seen = {}

    def number(kind):
        def replace(match):
            key = (kind, match.group(0))
            if key not in seen:
                seen[key] = '<%s-%d>' % (
                    kind, sum(1 for k in seen if k[0] == kind) + 1)
            return seen[key]
        return replace

    def walk(value):
        if isinstance(value, dict):
            return {key: walk(value[key]) for key in sorted(value)}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str):
            value = _REQUEST_ID.sub('<request-id>', value)
            value = _UUID.sub(number('uuid'), value)
            value = _PROJECT_ID.sub(number('project'), value)
            return _ISOTIME.sub('<isotime>', value)
        return value

    return walk(document)


def sample_files():
    return sorted(name for name in os.listdir(SAMPLES)
                  if name.endswith('.json'))


class TestNormalise(testtools.TestCase):
    """The comparison is only as good as the placeholders."""

    def test_same_shape_different_ids_match(self):
        a = {'id': str(uuid.uuid4()), 'owner': uuid.uuid4().hex,
             'at': '2026-11-30T09:12:07Z', 'n': 1}
        b = {'id': str(uuid.uuid4()), 'owner': uuid.uuid4().hex,
             'at': '2001-01-01T00:00:00Z', 'n': 1}
        self.assertEqual(normalise(a), normalise(b))

    def test_reused_id_must_stay_reused(self):
        one, two = uuid.uuid4().hex, uuid.uuid4().hex
        self.assertNotEqual(normalise({'a': one, 'b': one}),
                            normalise({'a': one, 'b': two}))

    def test_types_and_formats_still_count(self):
        self.assertNotEqual(normalise({'size': None}),
                            normalise({'size': 0}))
        self.assertNotEqual(normalise({'at': '2026-11-30T09:12:07Z'}),
                            normalise({'at': '2026-11-30T09:12:07.000Z'}))
        self.assertNotEqual(normalise({'at': '2026-11-30T09:12:07Z'}),
                            normalise({'at': '2026-11-30T09:12:07'}))


class TestApiSamples(testtools.TestCase):
    """Drive each documented call and hold its samples against it."""

    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(fixtures.ConfFixture(CONF))
        self.useFixture(fixtures.Database(CONF))
        self.owner = uuid.uuid4().hex
        self.call = self.useFixture(fixtures.APIClient(
            CONF, project=self.owner, url=HOST)).request
        self.checked = set()
        self.addCleanup(self._check_coverage)

    def _check_coverage(self):
        mine = {name for name, test in COVERAGE.items()
                if test == self._testMethodName}
        self.assertEqual(mine, self.checked,
                         'samples assigned to this test != samples checked')

    # --- helpers ---

    def _sample(self, name):
        self.assertEqual(self._testMethodName, COVERAGE.get(name),
                         '%s is not assigned to this test' % name)
        self.checked.add(name)
        with open(os.path.join(SAMPLES, name), 'rb') as f:
            return f.read()

    def request_sample(self, name):
        """The raw bytes of a request sample, to send as they are."""
        return self._sample(name)

    def assert_sample(self, name, response, status=200):
        self.assertEqual(status, response.status_int, response.text)
        self.assertEqual('application/json', response.content_type)
        expected = jsonutils.loads(self._sample(name))
        self.assertEqual(normalise(expected), normalise(response.json),
                         'the service no longer answers like %s' % name)

    def create_shared_image(self):
        image_id = str(uuid.uuid4())
        response = self.call('POST', '/v2/images',
                             {'id': image_id, 'name': 'cirros'})
        self.assertEqual(201, response.status_int, response.text)
        self.assertEqual('shared', response.json['visibility'])
        return image_id

    def add_member(self, image_id, member_id):
        response = self.call('POST', '/v2/images/%s/members' % image_id,
                             {'member': member_id})
        self.assertEqual(200, response.status_int, response.text)
        return response

    # --- coverage ---

    def test_every_sample_is_assigned_to_a_test(self):
        self.assertEqual(sample_files(), sorted(COVERAGE))
        for test in set(COVERAGE.values()):
            self.assertTrue(callable(getattr(self, test, None)), test)

    def test_every_sample_is_in_the_api_ref(self):
        included = set()
        for name in os.listdir(API_REF):
            if name.endswith(('.inc', '.rst')):
                with open(os.path.join(API_REF, name)) as f:
                    included.update(re.findall(
                        r'literalinclude::\s+samples/(\S+)', f.read()))
        self.assertEqual(sorted(COVERAGE), sorted(included))

    def test_every_route_is_in_the_api_ref(self):
        documented = set()
        for name in os.listdir(API_REF):
            if name.endswith(('.inc', '.rst')):
                with open(os.path.join(API_REF, name)) as f:
                    documented.update(re.findall(
                        r'rest_method::\s+([A-Z]+)\s+(\S+)', f.read()))
        served = {(method, path) for path, methods in router.ROUTES.items()
                  for method in methods}
        served.add(('GET', '/versions'))
        self.assertEqual(sorted(served), sorted(documented))

    # --- member calls ---

    def test_create_member(self):
        image_id = self.create_shared_image()
        response = self.call(
            'POST', '/v2/images/%s/members' % image_id,
            self.request_sample('image-member-create-request.json'))
        self.assert_sample('image-member-create-response.json', response)

    def _shared_with_sample_member(self):
        """An image shared with the member of the create request sample."""
        image_id = self.create_shared_image()
        member_id = jsonutils.loads(self._read_unassigned(
            'image-member-create-request.json'))['member']
        self.add_member(image_id, member_id)
        return image_id, member_id

    @staticmethod
    def _read_unassigned(name):
        # Reused as input only; its own check is test_create_member's.
        with open(os.path.join(SAMPLES, name), 'rb') as f:
            return f.read()

    def test_show_member(self):
        image_id, member_id = self._shared_with_sample_member()
        response = self.call(
            'GET', '/v2/images/%s/members/%s' % (image_id, member_id),
            project=member_id)
        self.assert_sample('image-member-details-response.json', response)

    def test_update_member(self):
        image_id, member_id = self._shared_with_sample_member()
        response = self.call(
            'PUT', '/v2/images/%s/members/%s' % (image_id, member_id),
            self.request_sample('image-member-update-request.json'),
            project=member_id)
        self.assert_sample('image-member-update-response.json', response)

    def _two_members(self):
        """Shared with two projects, the first of which has accepted."""
        image_id, first = self._shared_with_sample_member()
        response = self.call(
            'PUT', '/v2/images/%s/members/%s' % (image_id, first),
            {'status': 'accepted'}, project=first)
        self.assertEqual(200, response.status_int, response.text)
        # Members created in the same second are ordered by member_id;
        # make the second one sort last whatever the clock does.
        self.add_member(image_id, 'f' + uuid.uuid4().hex[1:])
        return image_id

    def test_list_members(self):
        image_id = self._two_members()
        response = self.call('GET', '/v2/images/%s/members' % image_id)
        self.assert_sample('image-members-list-response.json', response)

    def test_list_members_paged(self):
        image_id = self._two_members()
        response = self.call('GET',
                             '/v2/images/%s/members?limit=1' % image_id)
        self.assert_sample('image-members-list-paged-response.json',
                           response)
        # The documented next link leads to the rest of the list.
        response = self.call('GET', response.json['next'])
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual(['pending'],
                         [m['status'] for m in response.json['members']])

    def test_delete_member(self):
        # Documented without samples: 204 and an empty body.
        image_id, member_id = self._shared_with_sample_member()
        path = '/v2/images/%s/members/%s' % (image_id, member_id)
        response = self.call('DELETE', path)
        self.assertEqual(204, response.status_int, response.text)
        self.assertEqual(b'', response.body)
        self.assertEqual(404, self.call('GET', path).status_int)

    def test_member_schemas(self):
        self.assert_sample('schemas-image-member-show-response.json',
                           self.call('GET', '/v2/schemas/member'))
        self.assert_sample('schemas-image-members-list-response.json',
                           self.call('GET', '/v2/schemas/members'))

    # --- image calls ---

    def _sample_image(self):
        """Create the image of the create request sample; its id."""
        body = self._read_unassigned('image-create-request.json')
        response = self.call('POST', '/v2/images', body)
        self.assertEqual(201, response.status_int, response.text)
        return response.json['id']

    def _update_sample_image(self, image_id, body):
        response = self.call('PATCH', '/v2/images/%s' % image_id, body,
                             content_type=JSON_PATCH)
        self.assertEqual(200, response.status_int, response.text)
        return response

    def test_create_image(self):
        response = self.call(
            'POST', '/v2/images',
            self.request_sample('image-create-request.json'))
        self.assert_sample('image-create-response.json', response,
                           status=201)
        self.assertEqual(HOST + response.json['self'], response.location)

    def test_show_image(self):
        image_id = self._sample_image()
        response = self.call('GET', '/v2/images/%s' % image_id)
        self.assert_sample('image-show-response.json', response)

    def test_update_image(self):
        image_id = self._sample_image()
        response = self._update_sample_image(
            image_id, self.request_sample('image-update-request.json'))
        self.assert_sample('image-update-response.json', response)

    def test_list_images(self):
        # As documented: a project that accepted one shared image and owns
        # none lists exactly that image.
        image_id = self._sample_image()
        self._update_sample_image(
            image_id, self._read_unassigned('image-update-request.json'))
        consumer = uuid.uuid4().hex
        self.add_member(image_id, consumer)
        response = self.call(
            'PUT', '/v2/images/%s/members/%s' % (image_id, consumer),
            {'status': 'accepted'}, project=consumer)
        self.assertEqual(200, response.status_int, response.text)
        response = self.call('GET', '/v2/images', project=consumer)
        self.assert_sample('images-list-response.json', response)

    def test_delete_image_and_tags(self):
        # Documented without samples: 204 and an empty body each time.
        image_id = self.create_shared_image()
        self.add_member(image_id, uuid.uuid4().hex)
        tag = '/v2/images/%s/tags/beefy' % image_id
        for method in ('PUT', 'PUT', 'DELETE'):
            response = self.call(method, tag)
            self.assertEqual(204, response.status_int, response.text)
            self.assertEqual(b'', response.body)
        self.assertEqual(404, self.call('DELETE', tag).status_int)
        response = self.call('DELETE', '/v2/images/%s' % image_id)
        self.assertEqual(204, response.status_int, response.text)
        self.assertEqual(b'', response.body)
        self.assertEqual(
            404, self.call('GET', '/v2/images/%s' % image_id).status_int)

    def test_image_schemas(self):
        self.assert_sample('schemas-image-show-response.json',
                           self.call('GET', '/v2/schemas/image'))
        self.assert_sample('schemas-images-list-response.json',
                           self.call('GET', '/v2/schemas/images'))

    # --- versions ---

    def test_versions(self):
        # Answered before authentication: no project header needed.
        for path, status in (('/versions', 200), ('/', 300)):
            self.assert_sample('versions-response.json',
                               self.call('GET', path, project=False),
                               status=status)

    # --- errors ---

    def test_error_body(self):
        image_id, member_id = self._shared_with_sample_member()
        response = self.call('POST', '/v2/images/%s/members' % image_id,
                             {'member': member_id})
        self.assert_sample('error-response.json', response, status=409)
        self.assertEqual(response.headers['x-openstack-request-id'],
                         response.json['error']['request_id'])
