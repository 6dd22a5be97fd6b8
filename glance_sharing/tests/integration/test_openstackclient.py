"""Image data with the openstack CLI, run as a script runs it.

No command here has a terminal: stdin is a pipe, /dev/null or closed,
as under cron, CI or ``ssh host cmd``. The CLI reads image data from a
stdin that is not a terminal, so these are the cases a script meets.
"""

import hashlib
import json
import os
import subprocess
import sys

from glance_sharing.tests.integration import base

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
EMPTY_MD5 = hashlib.md5(b'', usedforsecurity=False).hexdigest()


def _close_stdin():
    os.close(0)


class TestImageDataWithOpenstackCLI(base.TestCase):

    def openstack(self, user, *args, stdin=subprocess.DEVNULL, data=None,
                  expect_rc=0, preexec_fn=None):
        """Run the CLI as ``user``; its stdout as bytes.

        ``data`` goes to the CLI through a pipe on its stdin.
        """
        stdio = {'stdin': stdin} if data is None else {'input': data}
        result = subprocess.run(
            [OPENSTACK] + list(args), env=self.cloud.cli_env(user),
            capture_output=True, timeout=120, preexec_fn=preexec_fn,
            **stdio)
        self.assertEqual(expect_rc, result.returncode, 'openstack %s:\n%s' % (
            ' '.join(args), (result.stdout + result.stderr).decode(
                errors='replace')[-3000:]))
        return result.stdout

    def create(self, user, *args, **kwargs):
        """``image create`` with ``args``; the image it prints."""
        image = json.loads(self.openstack(
            user, 'image', 'create', '--disk-format', 'raw',
            '--container-format', 'bare', '-f', 'json', *args, **kwargs))
        self.addCleanup(self.request, 'DELETE', '/v2/images/' + image['id'],
                        user=user)
        return image

    def assertHoldsData(self, image_id, data):
        image = self.request('GET', '/v2/images/' + image_id,
                             user='alpha').json()
        self.assertEqual('active', image['status'])
        self.assertEqual(len(data), image['size'])
        self.assertEqual(hashlib.md5(data, usedforsecurity=False).hexdigest(),
                         image['checksum'])
        self.assertEqual('sha512', image['os_hash_algo'])
        self.assertEqual(hashlib.sha512(data).hexdigest(),
                         image['os_hash_value'])
        self.assertEqual(base.sha256(data),
                         base.sha256(self.download(image_id, 'alpha')))

    def test_create_with_file_and_save(self):
        path, data = self.image_file()
        calls = self.server_calls()
        image = self.create('alpha', '--file', path, 'osc-file')
        self.assertEqual('active', image['status'])
        self.assertEqual(len(data), image['size'])
        self.assertIn('PUT /v2/images/%s/file 204' % image['id'], calls())
        self.assertHoldsData(image['id'], data)

        out = os.path.join(os.path.dirname(path), 'saved.raw')
        self.assertEqual(b'', self.openstack(
            'alpha', 'image', 'save', '--file', out, image['id']))
        with open(out, 'rb') as saved:
            self.assertEqual(base.sha256(data), base.sha256(saved.read()))
        # Without --file the data goes to stdout (here a pipe).
        self.assertEqual(base.sha256(data), base.sha256(self.openstack(
            'alpha', 'image', 'save', image['id'])))

    def test_create_reads_data_from_a_pipe(self):
        _path, data = self.image_file()
        calls = self.server_calls()
        image = self.create('alpha', 'osc-pipe', data=data)
        self.assertIn('PUT /v2/images/%s/file 204' % image['id'], calls())
        self.assertHoldsData(image['id'], data)

    def test_create_with_dev_null_uploads_nothing_and_succeeds(self):
        # stdin is not a terminal, so the CLI uploads what it holds:
        # nothing. Glance makes that an active image of 0 bytes, and so
        # does glance-sharing (the user guide warns about it).
        image = self.create('alpha', 'osc-devnull')
        self.assertEqual('active', image['status'])
        self.assertEqual(0, image['size'])
        self.assertEqual(EMPTY_MD5, image['checksum'])

    def test_create_with_stdin_closed_makes_a_record_only(self):
        calls = self.server_calls()
        image = self.create('alpha', 'osc-closed', preexec_fn=_close_stdin)
        self.assertEqual('queued', image['status'])
        self.assertFalse([call for call in calls() if '/file' in call])
        # An image without data: 204 to a download.
        response = self.request('GET', '/v2/images/%s/file' % image['id'],
                                user='alpha')
        self.assertEqual(204, response.status_code)
        self.assertEqual(b'', response.content)

    def test_consumer_saves_the_owners_bytes(self):
        path, data = self.image_file()
        beta = self.project('beta')
        image_id = self.create('alpha', '--shared', '--file', path,
                               'osc-shared')['id']
        self.openstack('alpha', 'image', 'add', 'project', image_id, beta)
        out = os.path.join(os.path.dirname(path), 'copy.raw')

        def save():
            self.openstack('beta', 'image', 'save', '--file', out, image_id)
            with open(out, 'rb') as saved:
                return base.sha256(saved.read())

        # A pending member may already download, as in Glance.
        self.assertEqual(base.sha256(data), save())
        self.openstack('beta', 'image', 'set', '--accept', image_id)
        os.unlink(out)
        self.assertEqual(base.sha256(data), save())

        self.openstack('alpha', 'image', 'remove', 'project', image_id,
                       beta)
        self.openstack('beta', 'image', 'save', '--file', out, image_id,
                       expect_rc=1)
