"""Image data through a real multi-process server: races, faults, memory.

Uploads that fail half-way (the client hangs up, the body ends short,
the size cap, a full or failing disk, the image deleted meanwhile) must
leave the image queued, nothing in the store directory, and let the next
upload succeed. Racing uploads run on every database backend; the faults
of the store and of the connection do not depend on the database and run
on SQLite.
"""

import concurrent.futures
import hashlib
import http.client
import os
import socket
import subprocess
import threading
import time
import uuid

import requests
import testscenarios

from glance_sharing.tests import base
from glance_sharing.tests.functional.db import test_concurrency as concurrency

load_tests = testscenarios.load_tests_apply_scenarios

MiB = 1024 * 1024
OCTETS = {'Content-Type': 'application/octet-stream'}


class RawUpload:
    """An upload sent by hand over a socket, to stop it where a test likes.

    ``length`` sends a Content-Length, otherwise the body is chunked.
    """

    def __init__(self, url, image_id, project, length=None):
        host, port = url.split('//', 1)[1].split(':')
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.chunked = length is None
        lines = ['PUT /v2/images/%s/file HTTP/1.1' % image_id,
                 'Host: %s:%s' % (host, port),
                 'X-Project-Id: %s' % project,
                 'X-Roles: reader,member',
                 'Content-Type: application/octet-stream',
                 ('Transfer-Encoding: chunked' if self.chunked
                  else 'Content-Length: %d' % length)]
        self.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())

    def send(self, data):
        if self.chunked:
            data = b'%x\r\n%s\r\n' % (len(data), data)
        self.sock.sendall(data)

    def finish(self):
        """End the body (chunked) and read the answer."""
        if self.chunked:
            self.sock.sendall(b'0\r\n\r\n')
        return self.response()

    def response(self):
        response = http.client.HTTPResponse(self.sock)
        response.begin()
        body = response.read()
        self.sock.close()
        return response.status, body

    def hang_up(self):
        self.sock.close()


class DataServerTestCase(concurrency.ServerTestCase):

    def put_data(self, image_id, data, project=None):
        return requests.put(
            '%s/v2/images/%s/file' % (self.url, image_id), data=data,
            headers=dict(concurrency.headers(project or self.owner),
                         **OCTETS),
            timeout=concurrency.TIMEOUT)

    def status(self, image_id):
        response = self.request('GET', '/v2/images/%s' % image_id)
        return response.json()['status'] if response.ok else None

    def wait_for_status(self, image_id, status, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status(image_id) == status:
                return
            time.sleep(0.05)
        self.fail('image %s never became %s (is %s)' % (
            image_id, status, self.status(image_id)))

    def stored_files(self):
        return sorted(os.listdir(self.server.store_dir))

    def assert_upload_works_again(self, image_id, data=b'second try'):
        response = self.put_data(image_id, data)
        self.assertEqual(204, response.status_code, response.text)
        downloaded = self.request('GET', '/v2/images/%s/file' % image_id)
        self.assertEqual(data, downloaded.content)
        self.assertEqual([image_id], self.stored_files())


class TestUploadRaces(DataServerTestCase):
    """The queued -> saving -> active machine under concurrent requests."""

    scenarios = concurrency.ServerTestCase.scenarios

    def test_racing_uploads_give_one_204_and_409s(self):
        image_id = self.create_image()
        bodies = [os.urandom(256 * 1024) for _ in range(8)]
        responses = self._race_uploads(image_id, bodies)
        codes = [r.status_code for r in responses]
        self.assertEqual(1, codes.count(204), [r.text for r in responses])
        self.assertEqual(7, codes.count(409), [r.text for r in responses])
        winner = bodies[codes.index(204)]
        image = self.request('GET', '/v2/images/%s' % image_id).json()
        self.assertEqual(('active', hashlib.md5(winner).hexdigest()),
                         (image['status'], image['checksum']))
        self.assertEqual(winner, self.request(
            'GET', '/v2/images/%s/file' % image_id).content)
        self.assertEqual([image_id], self.stored_files())

    def _race_uploads(self, image_id, bodies):
        """PUT each of ``bodies`` at once; the responses, in order."""
        barrier = threading.Barrier(len(bodies))

        def upload(body):
            barrier.wait(concurrency.TIMEOUT)
            return self.put_data(image_id, body)

        with concurrent.futures.ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(upload, bodies))

    def test_racing_deactivates_and_reactivates_end_consistent(self):
        image_id = self.create_image()
        self.assertEqual(204, self.put_data(image_id, b'data').status_code)
        url = '%s/v2/images/%s/actions/' % (self.url, image_id)
        calls = [('POST', url + name, self.owner, None)
                 for name in ('deactivate', 'reactivate') * 6]
        responses = concurrency.race(calls)
        self.assertEqual({204: len(calls)}, concurrency.codes(responses),
                         [r.text for r in responses])
        self.assertIn(self.status(image_id), ('active', 'deactivated'))
        # The row was only ever moved between the two statuses: its data
        # and hashes are intact.
        self.request('POST', '/v2/images/%s/actions/reactivate' % image_id)
        self.assertEqual(b'data', self.request(
            'GET', '/v2/images/%s/file' % image_id).content)

    def test_a_delete_during_an_upload_discards_the_data(self):
        image_id = self.create_image()
        upload = RawUpload(self.url, image_id, self.owner)
        upload.send(os.urandom(MiB))
        self.wait_for_status(image_id, 'saving')
        self.assertEqual(204, self.request(
            'DELETE', '/v2/images/%s' % image_id).status_code)
        upload.send(os.urandom(MiB))
        status, body = upload.finish()
        self.assertEqual(410, status, body)
        self.assertIn(b'deleted while its data was being uploaded', body)
        self.assertEqual([], self.stored_files())
        self.assertEqual(0, self.count(
            'SELECT count(*) FROM images WHERE id = :i', i=image_id))

    def test_a_second_upload_while_one_runs_is_409(self):
        image_id = self.create_image()
        first = RawUpload(self.url, image_id, self.owner)
        first.send(b'a' * 1000)
        self.wait_for_status(image_id, 'saving')
        second = self.put_data(image_id, b'b' * 1000)
        self.assertEqual(409, second.status_code, second.text)
        self.assertIn('from saving to saving', second.text)
        status, body = first.finish()
        self.assertEqual(204, status, body)
        self.assertEqual(b'a' * 1000, self.request(
            'GET', '/v2/images/%s/file' % image_id).content)


class TestUploadFaults(DataServerTestCase):
    """Connections that break; each leaves the image queued and no file."""

    scenarios = [('sqlite', {'db_backend': 'sqlite'})]

    def test_a_client_hanging_up_mid_upload_leaves_nothing(self):
        for length in (10 * MiB, None):
            image_id = self.create_image()
            upload = RawUpload(self.url, image_id, self.owner, length)
            upload.send(os.urandom(MiB))
            self.wait_for_status(image_id, 'saving')
            upload.hang_up()
            self.wait_for_status(image_id, 'queued')
            self.assertEqual([], self.stored_files())
            self.assert_upload_works_again(image_id)
            self.request('DELETE', '/v2/images/%s' % image_id)

    def test_a_body_shorter_than_its_content_length_is_400(self):
        image_id = self.create_image()
        upload = RawUpload(self.url, image_id, self.owner, 5000)
        upload.send(b'x' * 1000)
        upload.sock.shutdown(socket.SHUT_WR)
        status, body = upload.response()
        self.assertEqual(400, status, body)
        self.assertIn(b'"code": 400', body)
        self.assertEqual('queued', self.status(image_id))
        self.assertEqual([], self.stored_files())
        self.assert_upload_works_again(image_id)


class TestSizeCap(DataServerTestCase):

    scenarios = [('sqlite', {'db_backend': 'sqlite'})]
    OPTIONS = {'DEFAULT': {'image_size_cap': str(MiB)}}

    def test_the_cap_holds_whatever_content_length_says(self):
        image_id = self.create_image()
        # Announced too large: refused before a byte is read.
        upload = RawUpload(self.url, image_id, self.owner, 2 * MiB)
        status, body = upload.response()
        self.assertEqual(413, status, body)
        # Chunked, so nothing is announced: stopped at the cap.
        response = self.put_data(
            image_id, (b'x' * 65536 for _ in range(40)))
        self.assertEqual(413, response.status_code, response.text)
        self.assertIn('image_size_cap', response.json()['error']['message'])
        self.assertEqual('queued', self.status(image_id))
        self.assertEqual([], self.stored_files())
        self.assert_upload_works_again(image_id, b'y' * MiB)


class TestStoreFaults(DataServerTestCase):
    """The store directory on a small tmpfs: full, then read-only."""

    scenarios = [('sqlite', {'db_backend': 'sqlite'})]

    def setUp(self):
        self.mount_point = self.make_tmpfs(4 * MiB)
        self.OPTIONS = {'glance_store': {
            'filesystem_store_datadir': self.mount_point}}
        super().setUp()

    def make_tmpfs(self, size):
        path = '/tmp/gs-store-%s' % uuid.uuid4().hex[:12]
        os.mkdir(path)
        self.addCleanup(os.rmdir, path)
        result = subprocess.run(
            ['mount', '-t', 'tmpfs', '-o', 'size=%d' % size, 'tmpfs', path],
            capture_output=True, text=True)
        if result.returncode:
            base.skip_or_fail(self, 'cannot mount a tmpfs (root is needed): '
                              + result.stderr.strip())
        self.addCleanup(subprocess.run, ['umount', '-l', path], check=True)
        return path

    def stored_files(self):
        return sorted(os.listdir(self.mount_point))

    def test_a_full_disk_is_413_and_keeps_nothing(self):
        image_id = self.create_image()
        response = self.put_data(image_id, os.urandom(6 * MiB))
        self.assertEqual(413, response.status_code, response.text)
        self.assertIn('not enough room', response.json()['error']['message'])
        self.assertEqual('queued', self.status(image_id))
        self.assertEqual([], self.stored_files())
        self.assert_upload_works_again(image_id, os.urandom(MiB))

    def test_a_disk_error_is_503_and_keeps_nothing(self):
        image_id = self.create_image()
        subprocess.run(['mount', '-o', 'remount,ro', self.mount_point],
                       check=True)
        response = self.put_data(image_id, os.urandom(MiB))
        self.assertEqual(503, response.status_code, response.text)
        self.assertIn('Retry-After', response.headers)
        self.assertEqual('queued', self.status(image_id))
        subprocess.run(['mount', '-o', 'remount,rw', self.mount_point],
                       check=True)
        self.assertEqual([], self.stored_files())
        self.assert_upload_works_again(image_id)

    def assert_log_clean(self):
        # A store failure is logged as an ERROR with its traceback, as
        # any 503 the operator must look at; nothing else may be.
        log = self.server.log()
        self.assertNotIn('status: 500 ', log)
        self.assertNotIn('WORKER TIMEOUT', log)


def _children(pid):
    """The process ids whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as stat:
                    fields = stat.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _peak_rss(pid):
    """The peak resident set size of ``pid`` in bytes (VmHWM)."""
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    raise AssertionError('no VmHWM for %d' % pid)


class TestOneGibibyte(DataServerTestCase):
    """1 GiB up and down through two workers, with flat memory."""

    scenarios = [('sqlite', {'db_backend': 'sqlite'})]
    WORKERS = 2
    SIZE = 1024 * MiB
    MAX_GROWTH = 100 * MiB

    def test_a_gibibyte_streams_both_ways_in_flat_memory(self):
        workers = _children(self.server.process.pid)
        self.assertEqual(self.WORKERS, len(workers))
        image_id = self.create_image()
        self.request('GET', '/v2/images/%s' % image_id)
        before = {pid: _peak_rss(pid) for pid in workers}
        block = os.urandom(MiB)
        sent = hashlib.sha256()

        def body():
            for i in range(self.SIZE // MiB):
                chunk = block[i % 256:] + block[:i % 256]
                sent.update(chunk)
                yield chunk

        response = self.put_data(image_id, body())
        self.assertEqual(204, response.status_code, response.text)
        received = hashlib.sha256()
        count = 0
        with requests.get('%s/v2/images/%s/file' % (self.url, image_id),
                          headers=concurrency.headers(self.owner),
                          stream=True, timeout=concurrency.TIMEOUT) as got:
            self.assertEqual(200, got.status_code)
            self.assertEqual(str(self.SIZE), got.headers['Content-Length'])
            for chunk in got.iter_content(MiB):
                received.update(chunk)
                count += len(chunk)
        self.assertEqual((self.SIZE, sent.hexdigest()),
                         (count, received.hexdigest()))
        image = self.request('GET', '/v2/images/%s' % image_id).json()
        self.assertEqual(self.SIZE, image['size'])
        for pid in workers:
            growth = _peak_rss(pid) - before[pid]
            self.assertLess(growth, self.MAX_GROWTH,
                            'worker %d peak RSS grew by %d MiB' % (
                                pid, growth // MiB))
