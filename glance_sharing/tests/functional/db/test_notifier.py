"""The notifier refuses to send from inside a database transaction."""

from glance_sharing.conf import CONF
from glance_sharing import context
from glance_sharing.db import engine as db_engine
from glance_sharing import notifier
from glance_sharing.tests import base
from glance_sharing.tests import fixtures


class TransactionTest(base.TestCase):

    def test_refused_inside_a_transaction(self):
        notifications = self.useFixture(fixtures.Notifications(CONF))
        ctx = context.get_admin_context()
        with db_engine.main_context_manager.reader.using(ctx):
            self.assertRaises(RuntimeError, notifier.notify, ctx,
                              'image.create', {})
        self.assertEqual([], notifications.events)
        notifier.notify(ctx, 'image.create', {'id': 'x'})
        self.assertEqual([('image.create', {'id': 'x'})],
                         notifications.events)
