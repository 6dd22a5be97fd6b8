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
from harness import server

load_tests = testscenarios.load_tests_apply_scenarios

TIMEOUT = 60


PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


def headers(project, method=None):
    return {'X-Project-Id': project, 'X-Roles': 'reader,member',
            'Content-Type': PATCH_TYPE if method == 'PATCH'
            else 'application/json'}


def race(calls):
    """Run every ``(method, url, project, body)`` at once; the responses.

    The threads wait on one barrier so that the requests leave together.
    """
    barrier = threading.Barrier(len(calls))

    def call(method, url, project, body):
        barrier.wait(TIMEOUT)
        return requests.request(method, url, json=body,
                                headers=headers(project, method),
                                timeout=TIMEOUT)

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
        for marker in ('Traceback', 'status: 500 ', 'ERROR', 'WORKER TIMEOUT'):
            self.assertNotIn(marker, log, 'server log ends:\n%s' % log[-4000:])

    def request(self, method, path, project=None, body=None):
        return requests.request(method, self.url + path, json=body,
                                headers=headers(project or self.owner,
                                                method),
                                timeout=TIMEOUT)

    def create_image(self):
        response = self.request('POST', '/v2/images',
                                body={'name': 'racy', 'visibility': 'shared',
                                      'disk_format': 'raw',
                                      'container_format': 'bare'})
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


class TestImageRaces(ServerTestCase):
    """Every read-modify-write of an image keeps every change it accepted.

    Each write locks the image row and applies its change to the row read
    under that lock, so racing writes queue instead of undoing each other
    (issue 9, D1). The races share one server per backend, as starting
    gunicorn takes longer than the races themselves.
    """

    ROUNDS = 2

    def test_every_read_modify_write_keeps_every_accepted_change(self):
        for race_kind in (self.parallel_property_adds_are_all_kept,
                          self.racing_tag_adds_and_deletes_are_all_kept,
                          self.making_private_racing_a_rename_stays_private,
                          self.visibility_change_racing_member_creates,
                          self.protecting_racing_a_delete_keeps_protection):
            race_kind()

    def image_url(self, image_id, suffix=''):
        return '%s/v2/images/%s%s' % (self.url, image_id, suffix)

    def image(self, image_id):
        response = self.request('GET', '/v2/images/%s' % image_id)
        self.assertEqual(200, response.status_code, response.text)
        return response.json()

    def patch(self, image_id, op, path, value):
        return ('PATCH', self.image_url(image_id), self.owner,
                [{'op': op, 'path': path, 'value': value}])

    def assert_all(self, code, responses):
        self.assertEqual({code: len(responses)}, codes(responses),
                         [r.text for r in responses])

    def parallel_property_adds_are_all_kept(self):
        for _ in range(self.ROUNDS):
            image_id = self.create_image()
            names = ['p%d' % i for i in range(8)]
            responses = race([self.patch(image_id, 'add', '/' + name, name)
                              for name in names])
            self.assert_all(200, responses)
            image = self.image(image_id)
            self.assertEqual(names, [n for n in names if image.get(n) == n])

    def racing_tag_adds_and_deletes_are_all_kept(self):
        for _ in range(self.ROUNDS):
            image_id = self.create_image()
            old = ['old%d' % i for i in range(4)]
            for tag in old:
                self.assertEqual(204, self.request(
                    'PUT', '/v2/images/%s/tags/%s' % (image_id, tag)
                ).status_code)
            new = ['new%d' % i for i in range(4)]
            calls = [('PUT', self.image_url(image_id, '/tags/' + t),
                      self.owner, None) for t in new]
            calls += [('DELETE', self.image_url(image_id, '/tags/' + t),
                       self.owner, None) for t in old]
            # A PATCH adding a property races the tag writes too.
            calls.append(self.patch(image_id, 'add', '/extra', 'x'))
            responses = race(calls)
            self.assertEqual({204: 8, 200: 1}, codes(responses),
                             [r.text for r in responses])
            image = self.image(image_id)
            self.assertEqual(new, sorted(image['tags']))
            self.assertEqual('x', image['extra'])

    def making_private_racing_a_rename_stays_private(self):
        consumer = uuid.uuid4().hex
        for i in range(self.ROUNDS):
            image_id = self.create_image()
            url = '/v2/images/%s/members' % image_id
            self.assertEqual(200, self.request(
                'POST', url, body={'member': consumer}).status_code)
            self.assertEqual(200, self.request(
                'PUT', url + '/' + consumer, consumer,
                {'status': 'accepted'}).status_code)
            calls = [self.patch(image_id, 'replace', '/name', 'n%d' % j)
                     for j in range(3)]
            calls.insert(1, self.patch(image_id, 'replace', '/visibility',
                                       'private'))
            calls.append(self.patch(image_id, 'replace', '/protected', True))
            self.assert_all(200, race(calls))
            image = self.image(image_id)
            self.assertEqual('private', image['visibility'])
            self.assertTrue(image['protected'])
            self.assertIn(image['name'], ('n0', 'n1', 'n2'))
            # The accepted member lost the image.
            self.assertEqual(404, self.request(
                'GET', '/v2/images/%s' % image_id, consumer).status_code)

    def visibility_change_racing_member_creates(self):
        for _ in range(self.ROUNDS):
            image_id = self.create_image()
            calls = [('POST', self.image_url(image_id, '/members'),
                      self.owner, {'member': 'm%d' % i}) for i in range(6)]
            calls.insert(3, self.patch(image_id, 'replace', '/visibility',
                                       'private'))
            responses = race(calls)
            patch = responses.pop(3)
            self.assertEqual(200, patch.status_code, patch.text)
            self.assertLessEqual(set(codes(responses)), {200, 403},
                                 [r.text for r in responses])
            self.assertEqual('private', self.image(image_id)['visibility'])
            # Every share that was answered 200 exists, no other.
            self.assertEqual(codes(responses)[200], self.count(
                'SELECT count(*) FROM image_members WHERE image_id = :i',
                i=image_id))
            # Made shared again, the image shows exactly those members.
            self.assertEqual(200, self.request(
                'PATCH', '/v2/images/%s' % image_id,
                body=[{'op': 'replace', 'path': '/visibility',
                       'value': 'shared'}]).status_code)
            members = self.request('GET', '/v2/images/%s/members'
                                   % image_id).json()['members']
            self.assertEqual(sorted(r.json()['member_id'] for r in responses
                                    if r.status_code == 200),
                             sorted(m['member_id'] for m in members))

    def protecting_racing_a_delete_keeps_protection(self):
        for _ in range(self.ROUNDS):
            image_id = self.create_image()
            responses = race([
                self.patch(image_id, 'replace', '/protected', True),
                ('DELETE', self.image_url(image_id), self.owner, None)])
            patch, delete = responses
            if patch.status_code == 200:
                # Protected first: the delete must have been refused.
                self.assertEqual(403, delete.status_code, delete.text)
                self.assertTrue(self.image(image_id)['protected'])
            else:
                self.assertEqual(404, patch.status_code, patch.text)
                self.assertEqual(204, delete.status_code, delete.text)
