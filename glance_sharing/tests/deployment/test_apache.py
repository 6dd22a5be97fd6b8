"""glance-sharing under real Apache httpd + mod_wsgi, on a real database.

Installs Apache and mod_wsgi with tools/apache/install.sh (root and
apt-get needed; skipped elsewhere, except under CI=true), then drives the
sharing story, image data (sized and chunked uploads, downloads) and a
graceful restart through the sample site.
"""

import hashlib
import os
import re
import threading
import time
import uuid

import fixtures
import requests
import sqlalchemy as sa
import testtools
from testtools import content

from glance_sharing.tests import base
from glance_sharing.tests.deployment import apache
from harness import apache as harness_apache

# Servers every development and CI machine runs on 127.0.0.1.
ADMIN_URLS = (
    'postgresql+psycopg2://root@127.0.0.1:5432/test',
    'mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4',
)
REQUEST_ID = re.compile(
    r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


class ServerDatabase(fixtures.Fixture):
    """A new database on the first reachable server, dropped on cleanup."""

    def _setUp(self):
        errors = []
        for admin_url in ADMIN_URLS:
            admin_url = sa.engine.make_url(admin_url)
            engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
            self.addCleanup(engine.dispose)
            name = 'gs_apache_' + uuid.uuid4().hex[:12]
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql('CREATE DATABASE %s' % name)
            except sa.exc.OperationalError as exc:
                errors.append(str(exc).splitlines()[0])
                continue
            self.addCleanup(self._drop, engine, name)
            self.url = admin_url.set(database=name).render_as_string(
                hide_password=False)
            return
        raise harness_apache.PrerequisiteMissing(
            'no database server: %s' % '; '.join(errors))

    @staticmethod
    def _drop(engine, name):
        with engine.connect() as connection:
            if engine.dialect.name == 'postgresql':
                connection.exec_driver_sql(
                    'DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)
            else:
                connection.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)


class ApacheTestCase(testtools.TestCase):

    options = {}

    def setUp(self):
        super().setUp()
        try:
            db_url = self.useFixture(ServerDatabase()).url
            self.service = self.useFixture(apache.ApacheService(
                db_url, processes=2, threads=4, options=self.options))
        except harness_apache.PrerequisiteMissing as exc:
            base.skip_or_fail(self, str(exc))
        self.token = 'gAAAAAB' + uuid.uuid4().hex + uuid.uuid4().hex
        self.addDetail('install-seconds', content.text_content(
            '%.1f' % harness_apache._installed.get('seconds', 0)))
        self.addOnException(self._attach_logs)

    def _attach_logs(self, exc_info):
        for name, text in (('service-log', self.service.log()),
                           ('apache-error-log', self.service.error_log()),
                           ('apache-access-log', self.service.access_log())):
            self.addDetail(name, content.text_content(
                text[-20000:]))

    def call(self, method, path, project, user=None, json=None,
             expect=None):
        """One request on a new connection, as an identity, with a token."""
        response = self.send(method, path, project, user=user, json=json)
        if expect is not None:
            self.assertEqual(expect, response.status_code, response.text)
        return response

    def send(self, method, path, project, user=None, headers=None,
             **kwargs):
        """``call`` with any arguments of requests (data, stream...)."""
        headers = dict({'X-Project-Id': project,
                        'X-User-Id': user or 'user-of-' + project,
                        'X-Roles': 'reader,member',
                        'X-Auth-Token': self.token,
                        'Connection': 'close'}, **(headers or {}))
        return requests.request(method, self.service.url + path,
                                headers=headers, timeout=60, **kwargs)


class TestSharingUnderApache(ApacheTestCase):

    def test_two_daemon_processes_serve(self):
        self.assertEqual(2, len(self.service.daemon_pids()))

    def test_sharing_story(self):
        owner, consumer = 'owner-' + uuid.uuid4().hex, uuid.uuid4().hex
        calls = []

        def call(method, path, project, expect, json=None):
            response = self.call(method, path, project, json=json,
                                 expect=expect)
            calls.append((response, project))
            return response

        image = call('POST', '/v2/images', owner, 201,
                     json={'name': 'apache-story'}).json()
        self.assertEqual('shared', image['visibility'])
        members = '/v2/images/%s/members' % image['id']
        member = call('POST', members, owner, 200,
                      json={'member': consumer}).json()
        self.assertEqual('pending', member['status'])
        call('GET', members + '/' + consumer, consumer, 200)
        self.assertEqual([], [i['id'] for i in call(
            'GET', '/v2/images', consumer, 200).json()['images']])
        accepted = call('PUT', members + '/' + consumer, consumer, 200,
                        json={'status': 'accepted'}).json()
        self.assertEqual('accepted', accepted['status'])
        self.assertEqual([image['id']], [i['id'] for i in call(
            'GET', '/v2/images', consumer, 200).json()['images']])
        listed = call('GET', members, owner, 200).json()['members']
        self.assertEqual([consumer], [m['member_id'] for m in listed])
        call('DELETE', members + '/' + consumer, owner, 204)
        call('GET', '/v2/images/%s' % image['id'], consumer, 404)
        self.assertEqual([], call('GET', members, owner, 200).json()[
            'members'])

        log = self.service.log()
        request_ids = set()
        for response, project in calls:
            request_id = response.headers.get('x-openstack-request-id')
            self.assertIsNotNone(request_id, response.request.url)
            self.assertRegex(request_id, REQUEST_ID)
            request_ids.add(request_id)
            lines = [line for line in log.splitlines()
                     if request_id in line and 'request_log' in line]
            self.assertEqual(1, len(lines), request_id)
            # Request id, user and project lead the request's log line.
            self.assertIn('%s user-of-%s %s' % (request_id, project, project),
                          lines[0])
            self.assertIn('status: %d' % response.status_code, lines[0])
        self.assertEqual(len(calls), len(request_ids))
        # Apache logs a request after sending its response: allow a moment.
        deadline = time.monotonic() + 10
        while (time.monotonic() < deadline
               and not request_ids <= self._access_log_ids()):
            time.sleep(0.1)
        self.assertEqual(set(), request_ids - self._access_log_ids())
        # The token sent with every request is logged nowhere.
        for name, text in (('service log', log),
                           ('access log', self.service.access_log()),
                           ('error log', self.service.error_log())):
            self.assertNotIn(self.token, text, name)
            self.assertNotIn(self.token[:20], text, name)

    def test_image_data_streams_through_apache(self):
        """Upload with Content-Length and chunked, then download, via Apache.

        A chunked body (no Content-Length: a pipe, ``curl -T -``) needs
        ``WSGIChunkedRequest On`` in the site; mod_wsgi refuses it with
        411 otherwise.
        """
        owner, consumer = 'owner-' + uuid.uuid4().hex, uuid.uuid4().hex
        data = os.urandom(3 * 1024 * 1024 + 17)
        for name, body in (('sized', data),
                           ('chunked', _chunks(data, 256 * 1024))):
            image = self.call('POST', '/v2/images', owner, expect=201, json={
                'name': 'apache-' + name, 'disk_format': 'raw',
                'container_format': 'bare'}).json()
            self.call('POST', '/v2/images/%s/members' % image['id'], owner,
                      json={'member': consumer}, expect=200)
            response = self.send('PUT', '/v2/images/%s/file' % image['id'],
                                 owner, data=body, headers={
                                     'Content-Type':
                                         'application/octet-stream'})
            self.assertEqual(204, response.status_code, response.text)
            shown = self.call('GET', '/v2/images/' + image['id'], owner,
                              expect=200).json()
            self.assertEqual(('active', len(data),
                              hashlib.md5(data,
                                          usedforsecurity=False).hexdigest()),
                             (shown['status'], shown['size'],
                              shown['checksum']), name)
            # The member (pending) streams the owner's exact bytes back.
            response = self.send('GET', '/v2/images/%s/file' % image['id'],
                                 consumer, stream=True)
            self.assertEqual(200, response.status_code, response.text)
            self.assertEqual(str(len(data)),
                             response.headers['Content-Length'])
            self.assertEqual(shown['checksum'],
                             response.headers['Content-MD5'])
            got = hashlib.sha256()
            for chunk in response.iter_content(64 * 1024):
                got.update(chunk)
            self.assertEqual(hashlib.sha256(data).hexdigest(),
                             got.hexdigest(), name)
            response = self.send('GET', '/v2/images/%s/file' % image['id'],
                                 consumer, headers={'Range': 'bytes=10-19'})
            self.assertEqual(206, response.status_code, response.text)
            self.assertEqual(data[10:20], response.content)
        self.assertEqual(2, len(os.listdir(self.service.store_dir)))

    def _access_log_ids(self):
        return set(re.findall(r'"(req-[0-9a-f-]{36})"$',
                              self.service.access_log(), re.MULTILINE))


def _chunks(data, size):
    """``data`` as a generator: requests sends it chunked."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


class TestRestartUnderLoad(ApacheTestCase):
    """Restarts while a steady, bounded stream of requests runs.

    Three clients each send ``rounds`` pairs of requests (add a member,
    show the image), each on a new connection; two restarts happen at a
    quarter and at 60% of the stream, each awaited until new daemon
    processes have replaced the old ones.
    """

    options = {'DEFAULT': {'image_member_quota': '-1'}}
    workers = 3
    rounds = 50

    def _run_stream(self, restart):
        owner = 'owner-' + uuid.uuid4().hex
        image = self.call('POST', '/v2/images', owner, expect=201,
                          json={'name': 'restart'}).json()
        members = '/v2/images/%s/members' % image['id']
        done = []
        failures = []
        lock = threading.Lock()

        def record(what, response=None, error=None):
            with lock:
                at = time.monotonic()
                done.append((at, what))
                if error is not None:
                    failures.append((at, what, None, repr(error)))
                elif response.status_code not in (200, 201):
                    failures.append((at, what, response,
                                     response.text[:300]))

        def stream(worker):
            for round_ in range(self.rounds):
                member = 'm-%d-%d' % (worker, round_)
                for what, method, path, body in (
                        (member, 'POST', members, {'member': member}),
                        ('show', 'GET', '/v2/images/' + image['id'],
                         None)):
                    try:
                        record(what, self.call(method, path, owner,
                                               json=body))
                    except requests.RequestException as exc:
                        record(what, error=exc)
                time.sleep(0.02)

        threads = [threading.Thread(target=stream, args=(n,))
                   for n in range(self.workers)]
        for thread in threads:
            thread.start()
        total = self.workers * self.rounds * 2
        restarts = []
        try:
            for fraction in (0.25, 0.6):
                self._wait_for(lambda: len(done) >= total * fraction)
                old = self.service.daemon_pids()
                self.assertEqual(2, len(old))
                started = time.monotonic()
                restart()
                # New daemon processes replace every old one.
                self._wait_for(lambda: len(
                    self.service.daemon_pids() - old) == 2 and not (
                        self.service.daemon_pids() & old))
                restarts.append((started, time.monotonic()))
        finally:
            for thread in threads:
                thread.join(timeout=300)
        self.assertEqual(total, len(done))
        # Requests ran before and after each restart, not only on one side.
        for started, _ in restarts:
            self.assertTrue(any(at > started for at, _ in done))
            self.assertTrue(any(at < started for at, _ in done))
        attempted = {'m-%d-%d' % (w, r) for w in range(self.workers)
                     for r in range(self.rounds)}
        failed = {what for _, what, _, _ in failures}
        listed = [m['member_id'] for m in self.call(
            'GET', members, owner, expect=200).json()['members']]
        # Every acknowledged write is there, exactly once; nothing else.
        self.assertEqual(len(listed), len(set(listed)))
        self.assertEqual(set(), (attempted - failed) - set(listed))
        self.assertEqual(set(), set(listed) - attempted)
        return failures, restarts

    def test_daemon_graceful_reload_loses_no_request(self):
        """SIGUSR1 to the daemon processes loses no request.

        This is how an operator loads new code or configuration into
        the daemon processes without restarting Apache.
        """
        failures, _ = self._run_stream(self.service.reload_daemons)
        self.assertEqual([], [(what, text) for _, what, _, text in failures])

    def test_apache_graceful_restart(self):
        """apachectl -k graceful under load.

        mod_wsgi stops its daemon processes at once on an Apache graceful
        restart and removes their socket, so a request that an Apache
        worker holds at that moment fails with a 5xx made by mod_wsgi
        (mod_wsgi issue 383; WSGISocketRotation does not close the gap).
        What must hold: the service comes back with new daemons, every
        acknowledged write survives exactly once, and the only failures
        are mod_wsgi's own, within seconds of a restart.
        """
        failures, restarts = self._run_stream(self.service.graceful)
        self.addDetail('requests-lost-to-graceful', content.text_content(
            '%d: %r' % (len(failures), [
                (what, text[:120]) for _, what, _, text in failures])))
        for at, what, response, text in failures:
            self.assertIsNotNone(response, '%s: %s' % (what, text))
            self.assertIn(response.status_code, (500, 503), text)
            # Not an answer of glance-sharing: ours are JSON with an id.
            self.assertNotIn('x-openstack-request-id', response.headers)
            self.assertTrue(any(started - 1 <= at <= ended + 10
                                for started, ended in restarts),
                            '%s failed outside a restart' % what)

    @staticmethod
    def _wait_for(predicate, timeout=120):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError('timed out waiting for %s' % predicate)
            time.sleep(0.05)
