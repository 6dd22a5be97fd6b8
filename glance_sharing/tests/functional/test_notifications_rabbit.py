"""Notifications over the wire: a multi-process server, a real RabbitMQ.

glance-sharing runs under gunicorn with the messagingv2 driver and a
topic of its own; this test listens on that topic with oslo.messaging's
notification listener, as a billing or search service would, and
removes the queue afterwards. RabbitMQ: rabbit://guest:guest@127.0.0.1
:5672/ unless GLANCE_SHARING_TEST_RABBIT_URL says otherwise.
"""

import os
import queue
import socket
import urllib.parse
import uuid

import fixtures
import kombu
from oslo_config import cfg
import testtools

from glance_sharing.conf import notifications as notification_conf
from glance_sharing.tests import base
from glance_sharing.tests.functional.db import test_concurrency

RABBIT_URL = os.environ.get('GLANCE_SHARING_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')
WAIT = 30


def rabbit_unavailable(url=RABBIT_URL):
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 5672),
                                 timeout=5).close()
    except OSError as exc:
        return 'RabbitMQ at %s:%s: %s' % (parts.hostname, parts.port, exc)
    return None


class _Endpoint:
    """Every notification received at priority info.

    Only info: the listener then declares the one queue <topic>.info.
    """

    def __init__(self):
        self.received = queue.Queue()

    def _keep(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put({'ctxt': ctxt, 'publisher_id': publisher_id,
                           'event_type': event_type, 'payload': payload})

    info = _keep


class Listener(fixtures.Fixture):
    """An oslo.messaging notification listener on exchange "glance".

    It listens on ``topic`` and deletes its queue on cleanup.
    """

    def __init__(self, conf, topic):
        super().__init__()
        self.conf = conf
        self.topic = topic

    def _setUp(self):
        oslo_messaging = notification_conf.messaging(self.conf)
        transport = oslo_messaging.get_notification_transport(
            self.conf, url=RABBIT_URL)
        self.addCleanup(transport.cleanup)
        self.endpoint = _Endpoint()
        target = oslo_messaging.Target(
            topic=self.topic, exchange=notification_conf.CONTROL_EXCHANGE)
        listener = oslo_messaging.get_notification_listener(
            transport, [target], [self.endpoint], executor='threading')
        # Starting declares the queue, so nothing sent afterwards is lost.
        listener.start()
        self.addCleanup(self._delete_queue)
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)

    def _delete_queue(self):
        with kombu.Connection(RABBIT_URL.replace('rabbit://', 'amqp://'),
                              connect_timeout=10) as connection:
            channel = connection.channel()
            channel.queue_delete('%s.info' % self.topic)

    def next(self):
        try:
            return self.endpoint.received.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError('no notification within %ds' % WAIT)

    def assert_nothing_more(self, settle=2):
        """Nothing arrives within ``settle`` seconds."""
        try:
            extra = self.endpoint.received.get(timeout=settle)
        except queue.Empty:
            return
        raise AssertionError('unexpected notification: %s' % extra)


class RabbitNotificationsTest(test_concurrency.ServerTestCase):
    # One backend suffices: the broker is what is tested here.
    scenarios = []
    db_backend = 'sqlite'
    WORKERS = 3

    def setUp(self):
        self.topic = 'gs-test-%s' % uuid.uuid4().hex
        self.OPTIONS = {
            'DEFAULT': {'transport_url': RABBIT_URL,
                        'default_publisher_id': 'image.test-host'},
            'oslo_messaging_notifications': {'driver': 'messagingv2',
                                             'topics': self.topic},
        }
        reason = rabbit_unavailable()
        if reason:
            testtools.TestCase.setUp(self)
            base.skip_or_fail(self, reason)
        super().setUp()
        # The server sends nothing before the first API call, and the
        # listener's queue exists once it started.
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[], default_config_dirs=[])
        self.listener = self.useFixture(Listener(conf, self.topic))

    def call(self, method, path, project=None, body=None, status=200):
        response = self.request(method, path, project, body)
        self.assertEqual(status, response.status_code, response.text)
        return response

    def test_member_events_arrive_with_the_actor(self):
        image_id = self.create_image()
        created = self.listener.next()
        self.assertEqual('image.create', created['event_type'])
        self.assertEqual(image_id, created['payload']['id'])
        self.assertEqual('image.test-host', created['publisher_id'])

        members = '/v2/images/%s/members' % image_id
        consumer = uuid.uuid4().hex
        member = self.call('POST', members, body={'member': consumer}).json()
        message = self.listener.next()
        self.assertEqual('image.member.create', message['event_type'])
        self.assertEqual(
            {'image_id': image_id, 'member_id': consumer,
             'status': 'pending', 'created_at': member['created_at'],
             'updated_at': member['updated_at'], 'deleted': False,
             'deleted_at': None}, message['payload'])
        self.assertEqual(self.owner, message['ctxt']['project_id'])
        self.assertTrue(message['ctxt']['request_id'].startswith('req-'))
        self.assertIsNone(message['ctxt']['auth_token'])

        # Refused and failed calls send nothing: the next message is the
        # one of the next successful call.
        self.call('POST', members, body={'member': consumer}, status=409)
        self.call('PUT', '%s/%s' % (members, consumer),
                  body={'status': 'accepted'}, status=403)
        self.call('PUT', '%s/%s' % (members, consumer), project=consumer,
                  body={'status': 'accepted'})
        message = self.listener.next()
        self.assertEqual('image.member.update', message['event_type'])
        self.assertEqual('accepted', message['payload']['status'])
        self.assertEqual(consumer, message['ctxt']['project_id'])

        self.call('DELETE', '/v2/images/%s' % image_id, status=204)
        events = [self.listener.next() for _ in range(2)]
        self.assertEqual(['image.member.delete', 'image.delete'],
                         [m['event_type'] for m in events])
        self.assertEqual((consumer, True),
                         (events[0]['payload']['member_id'],
                          events[0]['payload']['deleted']))
        self.assertTrue(events[1]['payload']['deleted'])
        self.listener.assert_nothing_more()
