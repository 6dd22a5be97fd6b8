"""Base test case: configuration, a migrated database and contexts."""

import uuid

import testtools

from glance_sharing.conf import CONF
from glance_sharing import context
from glance_sharing.tests import fixtures


def project_id():
    return uuid.uuid4().hex


def make_context(project=None, roles=('reader', 'member'), admin=False):
    return context.RequestContext(
        project_id=project or project_id(), user_id=uuid.uuid4().hex,
        roles=list(roles) + (['admin'] if admin else []), is_admin=admin)


class TestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(fixtures.ConfFixture(CONF))
        self.db = self.useFixture(fixtures.Database(CONF))
