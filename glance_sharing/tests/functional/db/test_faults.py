"""The database failing under a running multi-process server (decision 9).

The shared MariaDB and PostgreSQL servers are never stopped: the service
reaches its database through a TCP proxy in the test process, which the
test cuts and restores. For SQLite, another process holds the write lock.
"""

import sqlite3
import threading
import time

from oslo_db.sqlalchemy import utils as db_utils
import testscenarios

from glance_sharing.tests.functional.db import test_concurrency
from glance_sharing.tests import tcp_proxy

load_tests = testscenarios.load_tests_apply_scenarios


class ProxiedServerTestCase(test_concurrency.ServerTestCase):
    """A server that reaches its MariaDB or PostgreSQL through a TCPProxy."""

    scenarios = [s for s in test_concurrency.ServerTestCase.scenarios
                 if s[0] != 'sqlite']

    def server_db_url(self):
        url = db_utils.make_url(self.database.url)
        self.proxy = self.useFixture(tcp_proxy.TCPProxy(url.host, url.port))
        return url.set(host='127.0.0.1', port=self.proxy.port
                       ).render_as_string(hide_password=False)

    def assert_log_clean(self):
        # Each 503 is logged with its traceback, on purpose; nothing else
        # may have failed.
        log = self.server.log()
        for marker in ('status: 500 ', 'Unexpected error', 'WORKER TIMEOUT'):
            self.assertNotIn(marker, log, 'server log ends:\n%s' % log[-4000:])

    def calls(self, image_id):
        """One of each kind of request, several times over the workers."""
        members = '/v2/images/%s/members' % image_id
        return [
            ('GET', '/v2/images/%s' % image_id, None),
            ('GET', '/v2/images', None),
            ('GET', members, None),
            ('POST', members, {'member': 'someone'}),
            ('PUT', members + '/consumer', {'status': 'accepted'}),
            ('DELETE', members + '/consumer', None),
            ('POST', '/v2/images', {'name': 'new'}),
        ] * 2


class TestDatabaseUnreachable(ProxiedServerTestCase):

    def test_unreachable_database_is_503_and_the_server_recovers(self):
        image_id = self.create_image()
        consumer_put = 'consumer'
        self.assertEqual(200, self.request(
            'POST', '/v2/images/%s/members' % image_id,
            body={'member': consumer_put}).status_code)
        self.assertEqual(200, self.request('GET', '/healthcheck').status_code)

        self.proxy.cut()
        for method, path, body in self.calls(image_id):
            project = consumer_put if method == 'PUT' else None
            response = self.request(method, path, project, body)
            self.assertEqual(503, response.status_code,
                             '%s %s: %s' % (method, path, response.text))
            self.assertTrue(response.headers['Retry-After'].isdigit())
            self.assertEqual('application/json',
                             response.headers['Content-Type'].split(';')[0])
            error = response.json()['error']
            self.assertEqual(503, error['code'])
            self.assertIn('database', error['message'].lower())
            self.assertNotIn('Traceback', response.text)
            self.assertNotIn('sqlalchemy', response.text.lower())
        for _ in range(2 * self.WORKERS):
            self.assertEqual(503, self.request('GET',
                                               '/healthcheck').status_code)

        self.proxy.restore()
        # The same processes serve again at once, without a restart.
        pid = self.server.process.pid
        for _ in range(2 * self.WORKERS):
            self.assertEqual(200, self.request('GET', '/healthcheck')
                             .status_code)
            response = self.request('GET', '/v2/images/%s/members' % image_id)
            self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(200, self.request(
            'PUT', '/v2/images/%s/members/consumer' % image_id, 'consumer',
            {'status': 'accepted'}).status_code)
        self.assertIsNone(self.server.process.poll())
        self.assertEqual(pid, self.server.process.pid)
        self.assertIn('Database unreachable', self.server.log())


class TestDatabaseSilent(ProxiedServerTestCase):
    """A database that accepts connections and never answers (D11).

    [database] connect_timeout and query_timeout bound every wait, so
    requests and /healthcheck fail with 503 in seconds instead of hanging
    until the WSGI server kills its workers.
    """

    OPTIONS = {'database': {'connect_timeout': '2', 'query_timeout': '3'}}
    # connect_timeout + query_timeout, and slack for a loaded machine.
    PROMPT = 15

    def timed(self, method, path, project=None, body=None):
        start = time.monotonic()
        response = self.request(method, path, project, body)
        return response, time.monotonic() - start

    def test_silent_database_is_a_prompt_503(self):
        image_id = self.create_image()
        self.assertEqual(200, self.request(
            'POST', '/v2/images/%s/members' % image_id,
            body={'member': 'consumer'}).status_code)
        self.proxy.hang()
        for method, path, body in self.calls(image_id)[:5]:
            project = 'consumer' if method == 'PUT' else None
            response, elapsed = self.timed(method, path, project, body)
            self.assertEqual(503, response.status_code,
                             '%s %s: %s' % (method, path, response.text))
            self.assertTrue(response.headers['Retry-After'].isdigit())
            self.assertLess(elapsed, self.PROMPT, '%s %s' % (method, path))
        for _ in range(2):
            response, elapsed = self.timed('GET', '/healthcheck')
            self.assertEqual(503, response.status_code, response.text)
            self.assertLess(elapsed, self.PROMPT)
        self.proxy.resume()
        # Connections that timed out were dropped; new ones work.
        for _ in range(2 * self.WORKERS):
            self.assertEqual(200, self.request('GET', '/healthcheck')
                             .status_code)
            self.assertEqual(200, self.request(
                'GET', '/v2/images/%s' % image_id).status_code)


class TestSQLiteLocked(test_concurrency.ServerTestCase):
    """Another process holding SQLite's write lock (decision 8)."""

    scenarios = [('sqlite', {'db_backend': 'sqlite'})]
    OPTIONS = {'database': {'sqlite_busy_timeout': '1000'}}

    def hold_write_lock(self):
        path = db_utils.make_url(self.database.url).database
        connection = sqlite3.connect(path, isolation_level=None,
                                     check_same_thread=False)
        self.addCleanup(connection.close)
        connection.execute('BEGIN IMMEDIATE')
        return connection

    def test_writer_waits_for_a_lock_released_in_time(self):
        image_id = self.create_image()
        holder = self.hold_write_lock()
        members = '/v2/images/%s/members' % image_id
        # Reads go on while another process writes (WAL).
        self.assertEqual(200, self.request('GET', members).status_code)
        # A write queues behind the lock; release it well within the
        # busy timeout, from another thread, once the write is waiting.
        release = threading.Timer(0.3, holder.execute, ('COMMIT',))
        release.start()
        self.addCleanup(release.cancel)
        response = self.request('POST', members, body={'member': 'late'})
        self.assertEqual(200, response.status_code, response.text)

    def test_lock_held_past_busy_timeout_is_503_not_500(self):
        image_id = self.create_image()
        holder = self.hold_write_lock()
        members = '/v2/images/%s/members' % image_id
        response = self.request('POST', members, body={'member': 'blocked'})
        self.assertEqual(503, response.status_code, response.text)
        self.assertTrue(response.headers['Retry-After'].isdigit())
        self.assertNotIn('Traceback', response.text)
        holder.execute('COMMIT')
        response = self.request('POST', members, body={'member': 'blocked'})
        self.assertEqual(200, response.status_code, response.text)

    def assert_log_clean(self):
        log = self.server.log()
        for marker in ('status: 500 ', 'WORKER TIMEOUT'):
            self.assertNotIn(marker, log, 'server log ends:\n%s' % log[-4000:])
