"""Notifications of API calls: exact events and payloads, and none for a
call that fails or is refused.

The app is the production Paste pipeline (noauth) on SQLite; messages go
to oslo.messaging's in-memory "test" driver.
"""

import os
from unittest import mock
import uuid

from oslo_serialization import jsonutils
from oslo_utils import timeutils
import webob

from glance_sharing.conf import CONF
from glance_sharing import context
from glance_sharing.db import members as db_members
from glance_sharing import notifier
from glance_sharing.tests import base
from glance_sharing.tests import fixtures

ISO_UTC = '%Y-%m-%dT%H:%M:%SZ'


class NotificationTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.notifications = self.useFixture(fixtures.Notifications(CONF))
        self.owner = uuid.uuid4().hex
        self.consumer = uuid.uuid4().hex
        self.api = self.useFixture(
            fixtures.APIClient(CONF, project=self.owner))
        self.app = self.api.app

    def call(self, method, path, project, body=None, roles='reader,member',
             status=None, content_type='application/json', user=None,
             headers=None):
        headers = dict({'X-OpenStack-Request-ID': 'req-%s' % uuid.uuid4()},
                       **(headers or {}))
        return self.api.request(method, path, body, project=project,
                                roles=roles, user=user or 'u-' + project,
                                content_type=content_type, headers=headers,
                                status=status)

    def create_image(self, **values):
        values.setdefault('visibility', 'shared')
        values.setdefault('disk_format', 'raw')
        values.setdefault('container_format', 'bare')
        image = self.call('POST', '/v2/images', self.owner, values,
                          status=201).json_body
        return image

    def share(self, image_id, member, status=200):
        return self.call('POST', '/v2/images/%s/members' % image_id,
                         self.owner, {'member': member}, status=status)

    def assertNoEvents(self):
        self.assertEqual([], self.notifications.events)


class MemberEventsTest(NotificationTestCase):

    def setUp(self):
        super().setUp()
        self.image = self.create_image()
        self.members = '/v2/images/%s/members' % self.image['id']
        self.notifications.clear()

    def member_payload(self, member, **changes):
        payload = {'image_id': self.image['id'],
                   'member_id': member['member_id'],
                   'status': member['status'],
                   'created_at': member['created_at'],
                   'updated_at': member['updated_at'],
                   'deleted': False, 'deleted_at': None}
        payload.update(changes)
        return payload

    def test_create_update_delete(self):
        created = self.share(self.image['id'], self.consumer).json_body
        updated = self.call('PUT', '%s/%s' % (self.members, self.consumer),
                            self.consumer, {'status': 'accepted'},
                            status=200).json_body
        before = timeutils.utcnow().replace(microsecond=0)
        self.call('DELETE', '%s/%s' % (self.members, self.consumer),
                  self.owner, status=204)

        events = self.notifications.events
        self.assertEqual(
            ['image.member.create', 'image.member.update',
             'image.member.delete'], [event for event, _p in events])
        self.assertEqual(self.member_payload(created), events[0][1])
        self.assertEqual(self.member_payload(updated), events[1][1])
        deleted_at = events[2][1]['deleted_at']
        self.assertGreaterEqual(
            timeutils.parse_strtime(deleted_at, ISO_UTC), before)
        self.assertEqual(
            self.member_payload(updated, deleted=True,
                                deleted_at=deleted_at),
            events[2][1])
        for message in self.notifications.messages:
            self.assertEqual('INFO', message['priority'])
            self.assertEqual('image.localhost', message['publisher_id'])

    def test_message_context_names_the_actor(self):
        global_id = 'req-%s' % uuid.uuid4()
        response = self.call(
            'POST', self.members, self.owner, {'member': self.consumer},
            user='owner-user', status=200,
            headers={'X-Auth-Token': 'secret-token',
                     'X-OpenStack-Request-ID': global_id})

        [message] = self.notifications.messages
        ctxt = message['ctxt']
        self.assertEqual('owner-user', ctxt['user'])
        self.assertEqual(self.owner, ctxt['project_id'])
        self.assertEqual(response.headers['X-OpenStack-Request-ID'],
                         ctxt['request_id'])
        self.assertEqual(global_id, ctxt['global_request_id'])
        self.assertEqual(['reader', 'member'], ctxt['roles'])
        self.assertIsNone(ctxt['auth_token'])
        self.assertNotIn('secret-token', jsonutils.dumps(message))

    def test_refused_and_failed_calls_send_nothing(self):
        self.share(self.image['id'], self.consumer)
        self.notifications.clear()
        member = '%s/%s' % (self.members, self.consumer)
        other = uuid.uuid4().hex
        calls = [
            # A duplicate fails in the writer (unique member): 409.
            ('POST', self.members, self.owner, {'member': self.consumer},
             409),
            # Bad bodies: 400 before anything is written.
            ('POST', self.members, self.owner, {'member': ''}, 400),
            ('PUT', member, self.consumer, {'status': 'maybe'}, 400),
            # Sharing with oneself, 400.
            ('POST', self.members, self.owner, {'member': self.owner}, 400),
            # The owner may not set the member's status; others may not
            # share or unshare: 403.
            ('PUT', member, self.owner, {'status': 'accepted'}, 403),
            ('DELETE', member, self.consumer, None, 403),
            # Outsiders do not see the image: 404.
            ('POST', self.members, other, {'member': other}, 404),
            ('DELETE', '%s/%s' % (self.members, other), self.owner, None,
             404),
        ]
        for method, path, project, body, status in calls:
            self.call(method, path, project, body, status=status)
        self.assertNoEvents()

    def test_quota_refusal_in_the_writer_sends_nothing(self):
        self.conf_fixture.config(image_member_quota=1)
        self.share(self.image['id'], self.consumer)
        self.notifications.clear()
        self.share(self.image['id'], uuid.uuid4().hex, status=413)
        self.assertNoEvents()

    def test_sent_after_the_change_is_committed(self):
        # Another transaction sees the membership when the message leaves.
        seen = []
        real_notifier = notifier.get_notifier()
        send = real_notifier.info

        def info(ctxt, event_type, payload):
            image = {'id': self.image['id'], 'owner': self.owner}
            seen.append([m['member_id'] for m in db_members.member_list(
                context.get_admin_context(), image['id'])])
            send(ctxt, event_type, payload)

        with mock.patch.object(real_notifier, 'info', info):
            self.share(self.image['id'], self.consumer)
        self.assertEqual([[self.consumer]], seen)
        self.assertEqual(['image.member.create'],
                         [e for e, _p in self.notifications.events])


class ImageEventsTest(NotificationTestCase):

    @staticmethod
    def image_payload(image, properties=None, **changes):
        """Glance's image payload, built from the API's image body."""
        core = ('id', 'name', 'status', 'created_at', 'updated_at',
                'min_disk', 'min_ram', 'protected', 'checksum', 'owner',
                'disk_format', 'container_format', 'size', 'virtual_size',
                'visibility', 'tags')
        payload = {key: image[key] for key in core}
        payload.update(is_public=image['visibility'] == 'public',
                       properties=properties or {}, deleted=False,
                       deleted_at=None)
        payload.update(changes)
        return payload

    def test_create_update_tags_delete(self):
        image = self.create_image(name='cirros', disk_format='qcow2',
                                  container_format='bare', tags=['a'],
                                  flavour='mint')
        patched = self.call(
            'PATCH', '/v2/images/%s' % image['id'], self.owner,
            [{'op': 'replace', 'path': '/name', 'value': 'cirros-2'},
             {'op': 'add', 'path': '/colour', 'value': 'blue'}],
            content_type='application/openstack-images-v2.1-json-patch',
            status=200).json_body
        self.call('PUT', '/v2/images/%s/tags/b' % image['id'], self.owner,
                  status=204)
        tagged = self.call('GET', '/v2/images/%s' % image['id'],
                           self.owner, status=200).json_body
        self.call('DELETE', '/v2/images/%s/tags/a' % image['id'],
                  self.owner, status=204)
        untagged = self.call('GET', '/v2/images/%s' % image['id'],
                             self.owner, status=200).json_body
        self.call('DELETE', '/v2/images/%s' % image['id'], self.owner,
                  status=204)

        events = self.notifications.events
        self.assertEqual(['image.create', 'image.update', 'image.update',
                          'image.update', 'image.delete'],
                         [event for event, _p in events])
        both = {'flavour': 'mint', 'colour': 'blue'}
        self.assertEqual(
            self.image_payload(image, {'flavour': 'mint'}), events[0][1])
        self.assertEqual('queued', events[0][1]['status'])
        self.assertEqual(self.image_payload(patched, both), events[1][1])
        self.assertEqual(['a', 'b'], events[2][1]['tags'])
        self.assertEqual(self.image_payload(tagged, both), events[2][1])
        self.assertEqual(self.image_payload(untagged, both), events[3][1])
        deleted_at = events[4][1]['deleted_at']
        self.assertIsNotNone(timeutils.parse_strtime(deleted_at, ISO_UTC))
        self.assertEqual(
            self.image_payload(untagged, both, deleted=True,
                               deleted_at=deleted_at), events[4][1])

    def test_delete_sends_a_member_delete_for_each_membership(self):
        image = self.create_image()
        second = uuid.uuid4().hex
        members = [self.share(image['id'], m).json_body
                   for m in (self.consumer, second)]
        self.call('PUT', '/v2/images/%s/members/%s' % (image['id'], second),
                  second, {'status': 'rejected'}, status=200)
        self.notifications.clear()

        self.call('DELETE', '/v2/images/%s' % image['id'], self.owner,
                  user='deleting-user', status=204)
        events = self.notifications.events
        self.assertEqual(['image.member.delete', 'image.member.delete',
                          'image.delete'], [e for e, _p in events])
        removed = sorted((p for e, p in events[:2]),
                         key=lambda p: p['member_id'])
        expected = sorted(members, key=lambda m: m['member_id'])
        for payload, member in zip(removed, expected):
            self.assertEqual(
                {'image_id': image['id'], 'member_id': member['member_id'],
                 'status': ('rejected' if member['member_id'] == second
                            else 'pending'),
                 'created_at': member['created_at'],
                 'updated_at': payload['updated_at'], 'deleted': True,
                 'deleted_at': payload['deleted_at']}, payload)
            self.assertIsNotNone(payload['deleted_at'])
        for message in self.notifications.messages:
            self.assertEqual('deleting-user', message['ctxt']['user'])

    def test_refused_and_failed_calls_send_nothing(self):
        image = self.create_image(tags=['a'])
        protected = self.create_image(protected=True)
        self.conf_fixture.config(image_tag_quota=1)
        self.notifications.clear()
        path = '/v2/images/%s' % image['id']
        patch_type = 'application/openstack-images-v2.1-json-patch'
        other = uuid.uuid4().hex
        # A duplicate id fails in the writer: 409.
        self.call('POST', '/v2/images', self.owner, {'id': image['id']},
                  status=409)
        self.call('POST', '/v2/images', self.owner, {'visibility': 'x'},
                  status=400)
        self.call('POST', '/v2/images', self.owner,
                  {'visibility': 'public'}, status=403)
        self.call('PATCH', path, self.owner,
                  [{'op': 'remove', 'path': '/nothing'}],
                  content_type=patch_type, status=409)
        self.call('PATCH', path, other,
                  [{'op': 'replace', 'path': '/name', 'value': 'x'}],
                  content_type=patch_type, status=404)
        # Over the tag quota, checked in the writer: 413.
        self.call('PUT', path + '/tags/b', self.owner, status=413)
        self.call('DELETE', path + '/tags/nothing', self.owner, status=404)
        self.call('DELETE', '/v2/images/%s' % protected['id'], self.owner,
                  status=403)
        self.call('DELETE', path, other, status=404)
        self.assertNoEvents()


class DataEventsTest(NotificationTestCase):

    DATA = bytes(range(256)) * 8

    def setUp(self):
        super().setUp()
        self.image = self.create_image(disk_format='raw',
                                       container_format='bare')
        self.file = '/v2/images/%s/file' % self.image['id']
        self.notifications.clear()

    def upload(self, data=DATA, status=204, content_type=None):
        self.api.request('PUT', self.file, data,
                         content_type=content_type or
                         'application/octet-stream', status=status)

    def download_request(self, project, **headers):
        req = webob.Request.blank(self.file, method='GET',
                                  remote_addr='192.0.2.7')
        req.headers.update({'X-Project-Id': project,
                            'X-User-Id': 'user-' + project,
                            'X-Roles': 'reader,member'}, **headers)
        return req

    def test_upload_sends_upload_then_activate(self):
        self.upload()
        image = self.call('GET', '/v2/images/%s' % self.image['id'],
                          self.owner, status=200).json_body
        self.assertEqual('active', image['status'])
        expected = ImageEventsTest.image_payload(image)
        self.assertEqual(
            [('image.upload', dict(expected,
                                   os_glance_importing_to_stores=[],
                                   os_glance_failed_import=[])),
             ('image.activate', expected)],
            self.notifications.events)
        self.assertEqual(len(self.DATA), expected['size'])

    def test_failed_uploads_send_nothing(self):
        self.upload(status=415, content_type='text/plain')
        self.conf_fixture.config(image_size_cap=16)
        self.upload(status=413)
        self.conf_fixture.config(image_size_cap=1 << 30)
        self.upload()
        self.notifications.clear()
        # The image is active: a second upload is refused (409).
        self.upload(status=409)
        self.assertNoEvents()

    def test_download_sends_image_send_with_the_receiver(self):
        self.upload()
        self.call('POST', '/v2/images/%s/members' % self.image['id'],
                  self.owner, {'member': self.consumer}, status=200)
        self.call('PUT', '/v2/images/%s/members/%s' % (self.image['id'],
                                                       self.consumer),
                  self.consumer, {'status': 'accepted'}, status=200)
        self.notifications.clear()

        whole = self.download_request(self.consumer).get_response(self.app)
        self.assertEqual(self.DATA, whole.body)
        part = self.download_request(self.consumer,
                                     Range='bytes=10-19').get_response(
                                         self.app)
        self.assertEqual((206, self.DATA[10:20]),
                         (part.status_int, part.body))
        expected = {'image_id': self.image['id'], 'owner_id': self.owner,
                    'receiver_tenant_id': self.consumer,
                    'receiver_user_id': 'user-' + self.consumer,
                    'destination_ip': '192.0.2.7'}
        self.assertEqual(
            [('image.send', dict(expected, bytes_sent=len(self.DATA))),
             ('image.send', dict(expected, bytes_sent=10))],
            self.notifications.events)
        self.assertEqual(['INFO', 'INFO'],
                         [m['priority'] for m in self.notifications.messages])

    def test_download_cut_short_sends_nothing(self):
        self.conf_fixture.config(filesystem_store_chunk_size=64,
                                 group='glance_store')
        self.upload()
        self.notifications.clear()
        req = self.download_request(self.owner)
        body = req.call_application(self.app)[2]
        next(iter(body))
        body.close()
        self.assertNoEvents()
        # An image without data: 204 and nothing sent.
        self.notifications.clear()
        empty = self.create_image()
        self.notifications.clear()
        req = self.download_request(self.owner)
        req.path_info = '/v2/images/%s/file' % empty['id']
        self.assertEqual(204, req.get_response(self.app).status_int)
        self.assertNoEvents()

    def test_data_short_in_the_store_is_sent_at_error_priority(self):
        self.upload()
        path = os.path.join(self.conf_fixture.store_dir, self.image['id'])
        with open(path, 'r+b') as data_file:
            data_file.truncate(100)
        self.notifications.clear()
        # The headers promised the whole image; the body ends short.
        body = self.download_request(self.owner).call_application(
            self.app)[2]
        self.assertEqual(self.DATA[:100], b''.join(body))
        [message] = self.notifications.messages
        self.assertEqual(('image.send', 'ERROR', 100),
                         (message['event_type'], message['priority'],
                          message['payload']['bytes_sent']))

    def test_deactivate_and_reactivate_send_image_update(self):
        self.upload()
        self.notifications.clear()
        actions = '/v2/images/%s/actions/' % self.image['id']
        admin = uuid.uuid4().hex
        self.call('POST', actions + 'deactivate', admin, roles='admin',
                  status=204)
        deactivated = self.call('GET', '/v2/images/%s' % self.image['id'],
                                self.owner, status=200).json_body
        self.call('POST', actions + 'reactivate', admin, roles='admin',
                  status=204)
        # Refused: others do not see the image, readers may not change it.
        self.call('POST', actions + 'deactivate', uuid.uuid4().hex,
                  status=404)
        self.call('POST', actions + 'deactivate', self.owner,
                  roles='reader', status=403)
        events = self.notifications.events
        self.assertEqual(['image.update', 'image.update'],
                         [e for e, _p in events])
        self.assertEqual(ImageEventsTest.image_payload(deactivated),
                         events[0][1])
        self.assertEqual('active', events[1][1]['status'])
