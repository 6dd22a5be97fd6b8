"""Racing requests against a real multi-process server and a real database.

Each test starts glance-sharing under gunicorn (several worker processes)
on a new database of its backend (an SQLite file, MariaDB or PostgreSQL)
and fires requests from many threads at once, released together by a
barrier. The invariants of decision 2 must hold whatever the interleaving,
no response may be a 5xx, and the server log must hold no traceback.
"""

import collections
import concurrent.futures
import threading
import uuid

import requests
import sqlalchemy as sa
import testscenarios
import testtools

from glance_sharing.tests import base
from glance_sharing.tests import fixtures
from glance_sharing.tests import server

load_tests = testscenarios.load_tests_apply_scenarios

TIMEOUT = 60


def headers(project):
    return {'X-Project-Id': project, 'X-Roles': 'reader,member',
            'Content-Type': 'application/json'}


def race(calls):
    """Run every ``(method, url, project, body)`` at once; the responses.

    The threads wait on one barrier so that the requests leave together.
    """
    barrier = threading.Barrier(len(calls))

    def call(method, url, project, body):
        barrier.wait(TIMEOUT)
        return requests.request(method, url, json=body,
                                headers=headers(project), timeout=TIMEOUT)

    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call, *c) for c in calls]
        return [f.result() for f in futures]


def codes(responses):
    return collections.Counter(r.status_code for r in responses)


class ServerTestCase(testtools.TestCase):
    """A gunicorn server with WORKERS processes on a new ``db_backend``."""

    scenarios = fixtures.BACKEND_SCENARIOS
    WORKERS = 4
    OPTIONS = {}

    def setUp(self):
        super().setUp()
        reason = fixtures.backend_unavailable(self.db_backend)
        if reason:
            base.skip_or_fail(self, reason)
        self.database = self.useFixture(
            fixtures.ProvisionedDatabase(self.db_backend))
        self.engine = sa.create_engine(self.database.url,
                                       poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)
        options = {'DEFAULT': {'use_stderr': 'True'}}
        for section, values in self.OPTIONS.items():
            options.setdefault(section, {}).update(values)
        self.server = self.useFixture(server.ServiceProcess(
            db_url=self.server_db_url(), workers=self.WORKERS,
            options=options))
        self.url = self.server.url
        # Runs before the server stops: its log must be clean.
        self.addCleanup(self.assert_log_clean)
        self.owner = uuid.uuid4().hex

    def server_db_url(self):
        return self.database.url

    def assert_log_clean(self):
        log = self.server.log()
        for marker in ('Traceback', ' 500 ', 'ERROR', 'WORKER TIMEOUT'):
            self.assertNotIn(marker, log, 'server log ends:\n%s' % log[-4000:])

    def request(self, method, path, project=None, body=None):
        return requests.request(method, self.url + path, json=body,
                                headers=headers(project or self.owner),
                                timeout=TIMEOUT)

    def create_image(self):
        response = self.request('POST', '/v2/images',
                                body={'name': 'racy', 'visibility': 'shared'})
        self.assertEqual(201, response.status_code, response.text)
        return response.json()['id']

    def count(self, sql, **params):
        with self.engine.connect() as connection:
            return connection.execute(sa.text(sql), params).scalar()


class TestRaces(ServerTestCase):

    QUOTA = 8
    OPTIONS = {'DEFAULT': {'image_member_quota': str(QUOTA)}}

    def members_url(self, image_id, member=None):
        url = '%s/v2/images/%s/members' % (self.url, image_id)
        return url + '/' + member if member else url

    def test_duplicate_creates_give_one_200_and_409s(self):
        image_id = self.create_image()
        responses = race([('POST', self.members_url(image_id), self.owner,
                           {'member': 'consumer'})] * 20)
        self.assertEqual({200: 1, 409: 19}, codes(responses),
                         [r.text for r in responses])
        self.assertEqual(1, self.count(
            'SELECT count(*) FROM image_members WHERE image_id = :i',
            i=image_id))
        self.assertEqual(1, self.count(
            "SELECT count(*) FROM image_member_history "
            "WHERE image_id = :i AND action = 'create'", i=image_id))
        for response in responses:
            if response.status_code == 409:
                self.assertIn('duplicated', response.json()['error'][
                    'message'])

    def test_racing_creates_never_overshoot_the_quota(self):
        for _ in range(3):
            image_id = self.create_image()
            responses = race([('POST', self.members_url(image_id),
                               self.owner, {'member': 'c%d' % i})
                              for i in range(self.QUOTA + 1)])
            self.assertEqual({200: self.QUOTA, 413: 1}, codes(responses),
                             [r.text for r in responses])
            self.assertEqual(self.QUOTA, self.count(
                'SELECT count(*) FROM image_members WHERE image_id = :i',
                i=image_id))

    def test_status_updates_racing_a_delete_never_resurrect(self):
        consumer = uuid.uuid4().hex
        for _ in range(5):
            image_id = self.create_image()
            created = self.request('POST', '/v2/images/%s/members' % image_id,
                                   body={'member': consumer})
            self.assertEqual(200, created.status_code, created.text)
            url = self.members_url(image_id, consumer)
            calls = [('PUT', url, consumer, {'status': status})
                     for status in ('accepted', 'rejected') * 4]
            calls.insert(4, ('DELETE', url, self.owner, None))
            responses = race(calls)
            delete = responses.pop(4)
            self.assertEqual(204, delete.status_code, delete.text)
            self.assertLessEqual(set(codes(responses)), {200, 404},
                                 [r.text for r in responses])
            self.assertEqual(0, self.count(
                'SELECT count(*) FROM image_members WHERE image_id = :i',
                i=image_id))
            self.assertEqual(404, self.request(
                'GET', '/v2/images/%s/members/%s' % (image_id, consumer)
            ).status_code)
            # The consumer lost the image: it can neither see nor list it.
            self.assertEqual(404, self.request(
                'GET', '/v2/images/%s' % image_id, consumer).status_code)
            listed = self.request('GET', '/v2/images?member_status=all',
                                  consumer).json()['images']
            self.assertNotIn(image_id, [i['id'] for i in listed])

    def test_parallel_accepts_by_many_consumers_all_succeed(self):
        image_id = self.create_image()
        consumers = [uuid.uuid4().hex for _ in range(self.QUOTA)]
        for consumer in consumers:
            created = self.request('POST', '/v2/images/%s/members' % image_id,
                                   body={'member': consumer})
            self.assertEqual(200, created.status_code, created.text)
        responses = race([('PUT', self.members_url(image_id, c), c,
                           {'status': 'accepted'}) for c in consumers])
        self.assertEqual({200: len(consumers)}, codes(responses),
                         [r.text for r in responses])
        members = self.request('GET', '/v2/images/%s/members' % image_id)
        self.assertEqual(['accepted'] * len(consumers),
                         [m['status'] for m in members.json()['members']])
        for consumer in consumers:
            listed = self.request('GET', '/v2/images', consumer)
            self.assertEqual([image_id],
                             [i['id'] for i in listed.json()['images']])
