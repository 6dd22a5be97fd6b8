"""Image data through the production app: codes, headers and who may.

In-process (the Paste app from loadapp, noauth, SQLite, a temporary
filesystem store); the failure modes that need a real server and real
connections are in db/test_image_data_server.py.
"""

import hashlib
import os
import uuid

import testtools

from glance_sharing.conf import CONF
from glance_sharing.tests import fixtures

DATA = bytes(range(256)) * 20  # 5120 bytes
OCTETS = 'application/octet-stream'


class ImageDataTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(fixtures.ConfFixture(CONF))
        self.store_dir = self.conf_fixture.store_dir
        self.useFixture(fixtures.Database(CONF))
        self.owner = uuid.uuid4().hex
        self.consumer = uuid.uuid4().hex
        self.call = self.useFixture(
            fixtures.APIClient(CONF, project=self.owner)).request

    def create_image(self, **values):
        values.setdefault('name', 'cirros')
        # Data can be uploaded only once both formats are set.
        values.setdefault('disk_format', 'raw')
        values.setdefault('container_format', 'bare')
        response = self.call('POST', '/v2/images', body=values)
        self.assertEqual(201, response.status_int, response.text)
        return response.json

    def upload(self, image_id, data=DATA, project=None, **kwargs):
        kwargs.setdefault('content_type', OCTETS)
        return self.call('PUT', '/v2/images/%s/file' % image_id,
                         project=project, body=data, **kwargs)

    def download(self, image_id, project=None, **kwargs):
        return self.call('GET', '/v2/images/%s/file' % image_id,
                         project=project, **kwargs)

    def show(self, image_id, project=None):
        return self.call('GET', '/v2/images/%s' % image_id, project=project)

    def share(self, image_id, member, status=None):
        response = self.call('POST', '/v2/images/%s/members' % image_id,
                             body={'member': member})
        self.assertEqual(200, response.status_int, response.text)
        if status:
            response = self.call(
                'PUT', '/v2/images/%s/members/%s' % (image_id, member),
                project=member, body={'status': status})
            self.assertEqual(200, response.status_int, response.text)

    def assert_error(self, status, response, words=None):
        self.assertEqual(status, response.status_int, response.text)
        self.assertEqual('application/json', response.content_type)
        error = response.json['error']
        self.assertEqual(status, error['code'])
        if words:
            self.assertIn(words, error['message'])
        return error

    def stored_files(self):
        return sorted(os.listdir(self.store_dir))


class TestUpload(ImageDataTestCase):

    def test_upload_makes_the_image_active_with_its_hashes(self):
        image = self.create_image(disk_format='raw', container_format='bare')
        self.assertEqual('queued', image['status'])
        self.assertEqual('/v2/images/%s/file' % image['id'], image['file'])
        response = self.upload(image['id'])
        self.assertEqual(204, response.status_int, response.text)
        self.assertEqual(b'', response.body)
        shown = self.show(image['id']).json
        self.assertEqual('active', shown['status'])
        self.assertEqual(len(DATA), shown['size'])
        self.assertEqual(len(DATA), shown['virtual_size'])
        self.assertEqual(hashlib.md5(DATA).hexdigest(), shown['checksum'])
        self.assertEqual('sha512', shown['os_hash_algo'])
        self.assertEqual(hashlib.sha512(DATA).hexdigest(),
                         shown['os_hash_value'])
        self.assertEqual([image['id']], self.stored_files())
        with open(os.path.join(self.store_dir, image['id']), 'rb') as f:
            self.assertEqual(DATA, f.read())

    def test_virtual_size_is_known_only_for_raw(self):
        image = self.create_image(disk_format='qcow2')
        self.upload(image['id'])
        self.assertIsNone(self.show(image['id']).json['virtual_size'])

    def test_hashing_algorithm_is_configurable(self):
        self.conf_fixture.config(hashing_algorithm='sha256')
        image = self.create_image()
        self.upload(image['id'])
        shown = self.show(image['id']).json
        self.assertEqual('sha256', shown['os_hash_algo'])
        self.assertEqual(hashlib.sha256(DATA).hexdigest(),
                         shown['os_hash_value'])

    def test_an_empty_upload_gives_an_empty_active_image(self):
        image = self.create_image()
        self.assertEqual(204, self.upload(image['id'], b'').status_int)
        shown = self.show(image['id']).json
        self.assertEqual(('active', 0), (shown['status'], shown['size']))
        self.assertEqual(hashlib.md5(b'').hexdigest(), shown['checksum'])

    def test_an_active_image_refuses_a_second_upload(self):
        image = self.create_image()
        self.upload(image['id'])
        self.assert_error(409, self.upload(image['id'], b'other'),
                          'from active to saving is not allowed')
        self.assertEqual(DATA, self.download(image['id']).body)

    def test_data_needs_both_formats_as_in_glance(self):
        cases = [
            ({'disk_format': None, 'container_format': None},
             'Properties disk_format, container_format must be set prior '
             'to saving data.'),
            ({'container_format': None},
             'Property container_format must be set prior to saving data.'),
            ({'disk_format': None},
             'Property disk_format must be set prior to saving data.'),
        ]
        for unset, message in cases:
            image = self.create_image(**unset)
            self.assert_error(400, self.upload(image['id']), message)
            self.assertEqual('queued', self.show(image['id']).json['status'])
            self.assertEqual([], self.stored_files())
        # Once set, the same image takes its data.
        self.call('PATCH', '/v2/images/%s' % image['id'], body=[
            {'op': 'add', 'path': '/disk_format', 'value': 'raw'}],
            content_type='application/openstack-images-v2.1-json-patch')
        self.assertEqual(204, self.upload(image['id']).status_int)
        self.assertEqual(DATA, self.download(image['id']).body)

    def test_another_content_type_is_415_and_changes_nothing(self):
        image = self.create_image()
        for content_type in ('application/json', 'text/plain'):
            self.assert_error(415, self.upload(
                image['id'], content_type=content_type),
                'application/octet-stream')
        self.assertEqual('queued', self.show(image['id']).json['status'])
        self.assertEqual([], self.stored_files())

    def test_no_content_type_is_415(self):
        image = self.create_image()
        self.assert_error(415, self.call(
            'PUT', '/v2/images/%s/file' % image['id'], body=DATA,
            content_type=None))

    def test_bodies_above_the_json_size_limit_are_image_data(self):
        # [oslo_middleware] max_request_body_size is 112 KiB: it limits
        # JSON bodies, not image data.
        data = os.urandom(300 * 1024)
        image = self.create_image()
        self.assertEqual(204, self.upload(image['id'], data).status_int)
        self.assertEqual(data, self.download(image['id']).body)
        self.assert_error(413, self.call(
            'POST', '/v2/images', body=b'{"name": "%s"}' % (b'x' * len(data))))

    def test_content_length_over_the_cap_is_refused_before_reading(self):
        self.conf_fixture.config(image_size_cap=len(DATA) - 1)
        image = self.create_image()
        self.assert_error(413, self.upload(image['id']), 'image_size_cap')
        self.assertEqual('queued', self.show(image['id']).json['status'])
        self.assertEqual([], self.stored_files())
        self.conf_fixture.config(image_size_cap=len(DATA))
        self.assertEqual(204, self.upload(image['id']).status_int)

    def test_status_and_formats_are_checked_before_the_size(self):
        # As in Glance: an image that cannot take data says why first.
        self.conf_fixture.config(image_size_cap=len(DATA) - 1)
        unformatted = self.create_image(disk_format=None)
        self.assert_error(400, self.upload(unformatted['id']),
                          'Property disk_format must be set')
        self.conf_fixture.config(image_size_cap=len(DATA))
        active = self.create_image()
        self.assertEqual(204, self.upload(active['id']).status_int)
        self.conf_fixture.config(image_size_cap=len(DATA) - 1)
        self.assert_error(409, self.upload(active['id']),
                          'from active to saving is not allowed')
        self.assertEqual('active', self.show(active['id']).json['status'])

    def test_upload_goes_to_an_alias_of_v2_too(self):
        image = self.create_image()
        response = self.call('PUT', '/v2.1/images/%s/file' % image['id'],
                             body=os.urandom(200 * 1024),
                             content_type=OCTETS)
        self.assertEqual(204, response.status_int, response.text)


class TestDownload(ImageDataTestCase):

    def setUp(self):
        super().setUp()
        self.image = self.create_image()
        self.image_id = self.image['id']
        self.assertEqual(204, self.upload(self.image_id).status_int)

    def test_download_sends_the_data_with_glances_headers(self):
        response = self.download(self.image_id)
        self.assertEqual(200, response.status_int)
        self.assertEqual(DATA, response.body)
        self.assertEqual(OCTETS, response.headers['Content-Type'])
        self.assertEqual(str(len(DATA)), response.headers['Content-Length'])
        self.assertEqual(hashlib.md5(DATA).hexdigest(),
                         response.headers['Content-MD5'])

    def test_an_image_without_data_is_204(self):
        image = self.create_image()
        response = self.download(image['id'])
        self.assertEqual(204, response.status_int)
        self.assertEqual(b'', response.body)

    def test_ranges(self):
        size = len(DATA)
        cases = {
            'bytes=10-': (10, size),
            'bytes=100-1123': (100, 1124),
            'bytes=0-0': (0, 1),
            'bytes=-16': (size - 16, size),
            'bytes=5000-999999': (5000, size),
            'bytes=-999999': (0, size),
        }
        for header, (start, stop) in cases.items():
            response = self.download(self.image_id,
                                     headers={'Range': header})
            self.assertEqual(206, response.status_int, header)
            self.assertEqual(DATA[start:stop], response.body, header)
            self.assertEqual('bytes %d-%d/%d' % (start, stop - 1, size),
                             response.headers['Content-Range'], header)
            self.assertEqual(str(stop - start),
                             response.headers['Content-Length'], header)
            self.assertEqual(hashlib.md5(DATA).hexdigest(),
                             response.headers['Content-MD5'], header)

    def test_unsatisfiable_and_malformed_ranges_are_416(self):
        for header in ('bytes=%d-' % len(DATA), 'bytes=9999-10000',
                       'bytes=5-2', 'bytes=abc', 'items=0-1'):
            response = self.download(self.image_id,
                                     headers={'Range': header})
            self.assert_error(416, response)
            self.assertEqual('bytes */%d' % len(DATA),
                             response.headers['Content-Range'], header)

    def test_several_ranges_are_400(self):
        self.assert_error(400, self.download(
            self.image_id, headers={'Range': 'bytes=0-1,5-6'}),
            'multiple ranges')

    def test_deleting_the_image_deletes_its_data(self):
        self.assertEqual([self.image_id], self.stored_files())
        self.assertEqual(204, self.call(
            'DELETE', '/v2/images/%s' % self.image_id).status_int)
        self.assertEqual([], self.stored_files())
        self.assert_error(404, self.download(self.image_id))

    def test_data_missing_from_the_store_is_204_as_in_glance(self):
        os.unlink(os.path.join(self.store_dir, self.image_id))
        self.assertEqual(204, self.download(self.image_id).status_int)


class TestWhoMay(ImageDataTestCase):
    """upload_image and download_image with the default policy."""

    def setUp(self):
        super().setUp()
        self.image_id = self.create_image()['id']

    def test_members_of_any_status_download_the_owners_bytes(self):
        self.upload(self.image_id)
        for status in (None, 'accepted', 'rejected', 'pending'):
            member = uuid.uuid4().hex
            self.share(self.image_id, member, status)
            response = self.download(self.image_id, project=member)
            self.assertEqual(200, response.status_int, status)
            self.assertEqual(DATA, response.body)

    def test_members_and_readers_may_not_upload(self):
        member = uuid.uuid4().hex
        self.share(self.image_id, member, 'accepted')
        self.assert_error(403, self.upload(self.image_id, project=member),
                          'upload_image')
        self.assert_error(403, self.upload(self.image_id, roles='reader'),
                          'upload_image')
        self.assertEqual('queued', self.show(self.image_id).json['status'])

    def test_a_reader_may_not_download_as_in_glance(self):
        self.upload(self.image_id)
        self.assert_error(403, self.download(self.image_id, roles='reader'),
                          'download_image')

    def test_strangers_get_404_for_both(self):
        self.upload(self.image_id)
        stranger = uuid.uuid4().hex
        self.assert_error(404, self.download(self.image_id, stranger))
        self.assert_error(404, self.upload(self.image_id, project=stranger))

    def test_a_former_member_gets_404(self):
        self.upload(self.image_id)
        member = uuid.uuid4().hex
        self.share(self.image_id, member, 'accepted')
        self.call('DELETE', '/v2/images/%s/members/%s'
                  % (self.image_id, member))
        self.assert_error(404, self.download(self.image_id, member))

    def test_members_lose_the_data_when_the_image_goes_private(self):
        self.upload(self.image_id)
        member = uuid.uuid4().hex
        self.share(self.image_id, member, 'accepted')
        response = self.call(
            'PATCH', '/v2/images/%s' % self.image_id,
            body=b'[{"op": "replace", "path": "/visibility", '
                 b'"value": "private"}]',
            content_type='application/openstack-images-v2.1-json-patch')
        self.assertEqual(200, response.status_int, response.text)
        self.assert_error(404, self.download(self.image_id, member))

    def test_anyone_downloads_a_community_image(self):
        image_id = self.create_image(visibility='community')['id']
        self.upload(image_id)
        self.assertEqual(DATA, self.download(image_id,
                                             uuid.uuid4().hex).body)

    def test_an_admin_uploads_and_downloads_anything(self):
        admin = uuid.uuid4().hex
        self.assertEqual(204, self.upload(
            self.image_id, project=admin,
            roles='admin,member,reader').status_int)
        image_id = self.create_image(visibility='private')['id']
        self.upload(image_id)
        self.assertEqual(DATA, self.download(
            image_id, admin, roles='admin,member,reader').body)


class TestDeactivate(ImageDataTestCase):
    """Deactivated data is for administrators only, as in Glance."""

    ADMIN = 'admin,member,reader'

    def setUp(self):
        super().setUp()
        self.image_id = self.create_image()['id']
        self.member = uuid.uuid4().hex
        self.share(self.image_id, self.member, 'accepted')

    def action(self, name, project=None, roles='reader,member'):
        return self.call('POST', '/v2/images/%s/actions/%s'
                         % (self.image_id, name), project=project,
                         roles=roles)

    def test_deactivated_data_is_for_admins_until_reactivated(self):
        self.upload(self.image_id)
        self.assertEqual(204, self.action('deactivate').status_int)
        self.assertEqual('deactivated',
                         self.show(self.image_id).json['status'])
        for project, roles in ((self.owner, 'reader,member'),
                               (self.member, 'reader,member')):
            self.assert_error(403, self.download(self.image_id, project,
                                                 roles=roles),
                              'deactivated')
        self.assertEqual(DATA, self.download(
            self.image_id, uuid.uuid4().hex, roles=self.ADMIN).body)
        # Deactivating twice changes nothing, and is no error.
        self.assertEqual(204, self.action('deactivate').status_int)
        self.assertEqual(204, self.action('reactivate').status_int)
        self.assertEqual('active', self.show(self.image_id).json['status'])
        self.assertEqual(DATA, self.download(self.image_id,
                                             self.member).body)
        self.assertEqual(204, self.action('reactivate').status_int)

    def test_only_active_images_deactivate(self):
        self.assert_error(403, self.action('deactivate'),
                          "Not allowed to deactivate image in status "
                          "'queued'")
        self.assert_error(403, self.action('reactivate'),
                          "Not allowed to reactivate image in status "
                          "'queued'")
        self.assertEqual('queued', self.show(self.image_id).json['status'])

    def test_members_readers_and_strangers_may_not(self):
        self.upload(self.image_id)
        self.assert_error(403, self.action('deactivate', self.member),
                          'deactivate')
        self.assert_error(403, self.action('deactivate', roles='reader'))
        self.assert_error(404, self.action('deactivate', uuid.uuid4().hex))
        self.assertEqual(204, self.action('deactivate', uuid.uuid4().hex,
                                          roles=self.ADMIN).status_int)
        self.assert_error(403, self.action('reactivate', self.member))
        self.assertEqual('deactivated',
                         self.show(self.image_id).json['status'])

    def test_a_deactivated_image_takes_no_new_data(self):
        self.upload(self.image_id)
        self.action('deactivate')
        self.assert_error(409, self.upload(self.image_id),
                          'from deactivated to saving')

    def test_a_body_is_refused(self):
        self.upload(self.image_id)
        response = self.call('POST', '/v2/images/%s/actions/deactivate'
                             % self.image_id, body={'now': True})
        self.assert_error(400, response, 'body is not expected')
        self.assertEqual('active', self.show(self.image_id).json['status'])
