"""The notifier's rules: which events are disabled, and the defaults.

That it sends nothing from inside a transaction needs a database:
functional/db/test_notifier.py.
"""

import fixtures as fixtures_lib
from oslo_config import cfg
import testtools

from glance_sharing import conf as gs_conf
from glance_sharing.conf import CONF
from glance_sharing.conf import notifications as notification_conf
from glance_sharing import context
from glance_sharing import notifier
from glance_sharing.tests import base
from glance_sharing.tests import fixtures

EVENTS = ('image.create', 'image.update', 'image.delete', 'image.upload',
          'image.activate', 'image.send', 'image.member.create',
          'image.member.update', 'image.member.delete')


class DisabledNotificationsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(fixtures.ConfFixture(CONF))

    def enabled_with(self, disabled):
        self.conf.config(disabled_notifications=disabled)
        return {e for e in EVENTS if notifier.is_enabled(e)}

    def test_groups_end_at_a_dot(self):
        members = {'image.member.create', 'image.member.update',
                   'image.member.delete'}
        self.assertEqual(set(EVENTS), self.enabled_with([]))
        # Glance ignores "image.member"; here it is the group it names.
        self.assertEqual(set(EVENTS) - members,
                         self.enabled_with(['image.member']))
        self.assertEqual(set(), self.enabled_with(['image']))
        # A prefix that stops inside a name is no group.
        self.assertEqual(set(EVENTS), self.enabled_with(['image.mem',
                                                         'imag']))

    def test_exact_event_types(self):
        self.assertEqual(
            set(EVENTS) - {'image.member.update', 'image.send'},
            self.enabled_with(['image.member.update', 'image.send']))

    def test_defaults(self):
        notification_conf.messaging(CONF)
        group = CONF.oslo_messaging_notifications
        self.assertEqual(['noop'], group.driver)
        self.assertEqual(2, group.retry)
        self.assertEqual('image.localhost', CONF.default_publisher_id)
        self.assertEqual([], CONF.disabled_notifications)


class TransactionTest(base.ConfTestCase):
    # Refused inside a transaction: functional/db/test_notifier.py.

    def test_disabled_event_is_not_sent(self):
        notifications = self.useFixture(fixtures.Notifications(CONF))
        self.conf_fixture.config(disabled_notifications=['image.member'])
        ctx = context.get_admin_context()
        notifier.notify(ctx, 'image.member.create', {})
        notifier.notify(ctx, 'image.create', {})
        self.assertEqual(['image.create'],
                         [e for e, _p in notifications.events])

    def test_a_notifier_that_cannot_be_built_is_logged_not_raised(self):
        notification_conf.messaging(CONF)
        self.conf_fixture.config(driver=['messagingv2'],
                                 group='oslo_messaging_notifications')
        self.conf_fixture.config(transport_url='nonsense://',
                                 group='oslo_messaging_notifications')
        notifier.reset()
        self.addCleanup(notifier.reset)
        log = self.useFixture(fixtures_lib.FakeLogger())
        notifier.notify(context.get_admin_context(), 'image.create', {})
        self.assertIn('Cannot send the notification image.create',
                      log.output)


class ContextSerializerTest(testtools.TestCase):

    def test_the_token_never_leaves(self):
        # Whatever oslo.messaging does with the context (14.0.0 passes it
        # on unredacted), our serializer drops the token itself.
        ctxt = context.RequestContext(
            user_id='a-user', project_id='a-project', roles=['member'],
            auth_token='secret-token', request_id='req-1')
        values = notifier._ContextSerializer().serialize_context(ctxt)
        self.assertIsNone(values['auth_token'])
        self.assertNotIn('secret-token', repr(values))
        self.assertEqual(('a-user', 'a-project'),
                         (values['user'], values['project_id']))


class ConfigurationPerApplicationTest(testtools.TestCase):
    """A request notifies by the configuration of the app that served it."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(fixtures.ConfFixture(CONF)).conf
        self.quiet = cfg.ConfigOpts()
        gs_conf.register_opts(self.quiet)
        self.quiet([], project='glance-sharing', default_config_files=[],
                   default_config_dirs=[])
        self.quiet.set_override('disabled_notifications', ['image'])
        self.get_notifier = self.useFixture(fixtures_lib.MockPatchObject(
            notifier, 'get_notifier')).mock

    def _notify(self, config):
        ctx = context.RequestContext(project_id='p', config=config)
        notifier.notify(ctx, 'image.create', {})

    def test_each_context_uses_its_apps_configuration(self):
        self._notify(self.quiet)
        self.get_notifier.assert_not_called()
        self._notify(self.conf)
        self.get_notifier.assert_called_once_with(self.conf)

    def test_a_context_without_one_uses_loadapps(self):
        notifier.setup(self.quiet)
        self.addCleanup(notifier.reset)
        self._notify(None)
        self.get_notifier.assert_not_called()
