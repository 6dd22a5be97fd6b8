"""Member calls through the API leave history rows naming the actor.

The history is not served by the API; this checks that what the request
carried (user, project, the caller's global request id and this
service's own request id) is what the database recorded.
"""

import uuid

from glance_sharing.conf import CONF
from glance_sharing import context
from glance_sharing.db import members as db_members
from glance_sharing.tests import base
from glance_sharing.tests import fixtures


class MemberHistoryTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.owner = uuid.uuid4().hex
        self.consumer = uuid.uuid4().hex
        self.api = self.useFixture(
            fixtures.APIClient(CONF, project=self.owner))

    def _call(self, method, path, project, user, body=None, roles=None):
        """The call's (global request id sent, local request id answered)."""
        global_id = 'req-%s' % uuid.uuid4()
        response = self.api.request(
            method, path, body, project=project, user=user, roles=roles,
            headers={'X-OpenStack-Request-ID': global_id})
        self.assertLess(response.status_int, 300, response.body)
        # oslo.middleware's convention: the caller's id is the global one,
        # and each request gets a new local id of its own.
        local_id = response.headers['X-OpenStack-Request-ID']
        self.assertNotEqual(global_id, local_id)
        return (global_id, local_id), response

    def test_history_names_user_project_and_request(self):
        _rid, response = self._call('POST', '/v2/images', self.owner,
                                    'owner-user', {})
        image_id = response.json_body['id']
        members = '/v2/images/%s/members' % image_id
        admin_project = uuid.uuid4().hex
        calls = [
            ('POST', members, self.owner, 'owner-user',
             {'member': self.consumer}, None),
            ('PUT', '%s/%s' % (members, self.consumer), self.consumer,
             'consumer-user', {'status': 'accepted'}, None),
            ('PUT', '%s/%s' % (members, self.consumer), admin_project,
             'admin-user', {'status': 'rejected'}, 'admin,reader,member'),
            ('DELETE', '%s/%s' % (members, self.consumer), self.owner,
             'owner-user', None, None),
        ]
        expected = []
        for method, path, project, user, body, roles in calls:
            (global_id, local_id), _r = self._call(
                method, path, project, user, body, roles)
            expected.append((project, user, local_id, global_id))

        history = db_members.member_history(
            context.get_admin_context(), image_id)
        self.assertEqual(
            [('create', 'pending'), ('update', 'accepted'),
             ('update', 'rejected'), ('delete', 'rejected')],
            [(h['action'], h['status']) for h in history])
        self.assertEqual(
            expected,
            [(h['project_id'], h['user_id'], h['request_id'],
              h['global_request_id']) for h in history])
        self.assertTrue(all(h['member_id'] == self.consumer
                            for h in history))

    def test_image_delete_records_each_member_removed(self):
        _rid, response = self._call('POST', '/v2/images', self.owner,
                                    'owner-user', {})
        image_id = response.json_body['id']
        for member in (self.consumer, 'second'):
            self._call('POST', '/v2/images/%s/members' % image_id,
                       self.owner, 'owner-user', {'member': member})
        (global_id, local_id), _r = self._call(
            'DELETE', '/v2/images/%s' % image_id, self.owner,
            'deleting-user')
        deletes = [h for h in db_members.member_history(
            context.get_admin_context(), image_id)
            if h['action'] == 'delete']
        self.assertEqual({self.consumer, 'second'},
                         {h['member_id'] for h in deletes})
        for entry in deletes:
            self.assertEqual(
                (self.owner, 'deleting-user', local_id, global_id),
                (entry['project_id'], entry['user_id'],
                 entry['request_id'], entry['global_request_id']))

    def test_malformed_inbound_id_is_no_global_id(self):
        chosen = {'X-OpenStack-Request-ID': 'chosen-by-caller'}
        image_id = self.api.request('POST', '/v2/images', {}, headers=chosen,
                                    status=201).json_body['id']
        response = self.api.request(
            'POST', '/v2/images/%s/members' % image_id,
            {'member': self.consumer}, headers=chosen, status=200)
        [entry] = db_members.member_history(context.get_admin_context(),
                                            image_id)
        self.assertEqual(
            (response.headers['X-OpenStack-Request-ID'], None),
            (entry['request_id'], entry['global_request_id']))
