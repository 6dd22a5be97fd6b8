"""The enforcer reads the policy files once per request, not per check."""

import os

import fixtures
from oslo_policy import opts as policy_opts

from glance_sharing.conf import CONF
from glance_sharing.policies import members as member_rules
from glance_sharing import policy
from glance_sharing.tests import base

TARGET = {'project_id': 'owner', 'member_id': None, 'visibility': 'shared'}


class TestPolicyFileReload(base.ConfTestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        policy_opts.set_defaults(CONF)  # registers [oslo_policy]
        self.path = os.path.join(folder, 'policy.yaml')
        self._write('"add_member": "project_id:%(project_id)s"\n', 1)
        self.conf_fixture.config(policy_file=self.path, group='oslo_policy')
        policy.reset()

    def _write(self, text, mtime):
        with open(self.path, 'w') as policy_file:
            policy_file.write(text)
        # A clearly different modification time, however fast the test.
        os.utime(self.path, (mtime, mtime))

    def _check(self, context):
        return policy.check(context, member_rules.ADD_MEMBER, TARGET)

    def test_rules_read_once_per_request_context(self):
        first = base.make_context(project='owner')
        self.assertTrue(self._check(first))
        self._write('"add_member": "!"\n', 2)
        # The same request keeps the rules it started with...
        self.assertTrue(self._check(first))
        # ...and the next request sees the new file.
        self.assertFalse(self._check(base.make_context(project='owner')))
