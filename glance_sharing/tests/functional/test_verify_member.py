"""[sharing] verify_member_exists through the API, Keystone's answer mocked.

The check against a real Keystone is in integration/test_verify_member.py.
"""

from unittest import mock
import uuid

import webob.exc

from glance_sharing.conf import CONF
from glance_sharing import identity
from glance_sharing.tests import base
from glance_sharing.tests import fixtures


class TestCreateMemberVerifies(base.TestCase):
    """The member create handler consults Keystone only when configured."""

    def setUp(self):
        super().setUp()
        self.owner = base.project_id()
        self.call = self.useFixture(
            fixtures.APIClient(CONF, project=self.owner)).request
        image = self.call('POST', '/v2/images',
                          {'name': 'img', 'visibility': 'shared'})
        self.assertEqual(201, image.status_int, image.body)
        self.path = '/v2/images/%s/members' % image.json['id']

    def test_off_by_default(self):
        with mock.patch.object(identity, 'verify_project_id') as verify:
            response = self.call('POST', self.path,
                                 {'member': uuid.uuid4().hex})
        self.assertEqual(200, response.status_int, response.body)
        verify.assert_not_called()

    def test_unknown_project_refused_before_write(self):
        self.conf_fixture.config(verify_member_exists=True, group='sharing')
        member = uuid.uuid4().hex
        with mock.patch.object(
                identity, 'verify_project_id',
                side_effect=webob.exc.HTTPBadRequest('no such project')
        ) as verify:
            response = self.call('POST', self.path, {'member': member})
        self.assertEqual(400, response.status_int, response.body)
        self.assertEqual('no such project',
                         response.json['error']['message'])
        verify.assert_called_once_with(member, conf=mock.ANY)
        self.assertEqual([], self.call('GET', self.path).json['members'])

    def test_known_project_shared(self):
        self.conf_fixture.config(verify_member_exists=True, group='sharing')
        member = uuid.uuid4().hex
        with mock.patch.object(identity, 'verify_project_id',
                               return_value=True) as verify:
            response = self.call('POST', self.path, {'member': member})
        self.assertEqual(200, response.status_int, response.body)
        verify.assert_called_once_with(member, conf=mock.ANY)

    def test_policy_before_keystone(self):
        # A caller who may not add members never makes us ask Keystone.
        self.conf_fixture.config(verify_member_exists=True, group='sharing')
        with mock.patch.object(identity, 'verify_project_id') as verify:
            response = self.call('POST', self.path,
                                 {'member': uuid.uuid4().hex},
                                 project=base.project_id())
        self.assertEqual(404, response.status_int, response.body)
        verify.assert_not_called()
