"""The sharing story with python-glanceclient: the library and the CLI."""

import os
import subprocess
import sys

from glanceclient import Client
from glanceclient import exc as glance_exc

from glance_sharing.tests.integration import base

GLANCE = os.path.join(os.path.dirname(sys.executable), 'glance')


def table_rows(output):
    """The cells of each data row of a prettytable, stripped."""
    rows = [line for line in output.splitlines() if line.startswith('|')]
    return [[cell.strip() for cell in row.strip('|').split('|')]
            for row in rows[1:]]


class TestGlanceclientLibrary(base.TestCase):

    def client(self, user):
        # No endpoint: the client finds "image" in Keystone's catalog.
        return Client('2', session=self.cloud.session(user))

    def test_story(self):
        producer = self.client('alpha')
        consumer = self.client('beta')
        beta = self.project('beta')
        image = producer.images.create(
            name='glanceclient-story', visibility='shared',
            disk_format='raw', container_format='bare')
        self.addCleanup(producer.images.delete, image['id'])

        member = producer.image_members.create(image['id'], beta)
        self.assertEqual(beta, member['member_id'])
        self.assertEqual('pending', member['status'])

        def consumer_ids(**filters):
            return [i['id'] for i in consumer.images.list(filters=filters)]

        self.assertNotIn(image['id'], consumer_ids())
        self.assertIn(image['id'], consumer_ids(member_status='pending'))

        member = consumer.image_members.update(image['id'], beta,
                                               'accepted')
        self.assertEqual('accepted', member['status'])
        self.assertIn(image['id'], consumer_ids())
        self.assertEqual(['accepted'], [
            m['status'] for m in consumer.image_members.list(image['id'])])

        self.assertRaises(glance_exc.HTTPForbidden,
                          producer.image_members.update, image['id'], beta,
                          'rejected')
        member = consumer.image_members.update(image['id'], beta,
                                               'rejected')
        self.assertEqual('rejected', member['status'])
        self.assertNotIn(image['id'], consumer_ids())

        producer.image_members.delete(image['id'], beta)
        self.assertEqual([], list(producer.image_members.list(image['id'])))
        self.assertRaises(glance_exc.HTTPNotFound, consumer.images.get,
                          image['id'])

    def test_data_reaches_the_consumer(self):
        producer = self.client('alpha')
        consumer = self.client('beta')
        beta = self.project('beta')
        path, data = self.image_file()
        image = producer.images.create(
            name='glanceclient-data', visibility='shared',
            disk_format='raw', container_format='bare')
        self.addCleanup(producer.images.delete, image['id'])
        with open(path, 'rb') as image_data:
            producer.images.upload(image['id'], image_data)
        image = producer.images.get(image['id'])
        self.assertEqual(('active', len(data)),
                         (image['status'], image['size']))
        producer.image_members.create(image['id'], beta)
        # images.data() checks what it reads against os_hash_value (or
        # the checksum) and raises on a mismatch.
        for status in ('pending', 'accepted'):
            if status == 'accepted':
                consumer.image_members.update(image['id'], beta, status)
            self.assertEqual(base.sha256(data), base.sha256(b''.join(
                consumer.images.data(image['id']))), status)

    def test_reader_is_forbidden_and_told_why(self):
        image = self.create_image('alpha')
        exc = self.assertRaises(
            glance_exc.HTTPForbidden, self.client('rita').image_members.create,
            image['id'], self.project('beta'))
        self.assertIn('not authorized to complete add_member action',
                      str(exc))

    def test_other_project_not_found(self):
        image = self.create_image('alpha')
        members = self.client('gamma').image_members.list(image['id'])
        self.assertRaises(glance_exc.HTTPNotFound, list, members)


class TestGlanceCLI(base.TestCase):

    def glance(self, user, *args, expect_rc=0):
        result = subprocess.run(
            [GLANCE] + list(args), env=self.cloud.cli_env(user),
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=120)
        output = result.stdout + result.stderr
        self.assertEqual(expect_rc, result.returncode,
                         'glance %s:\n%s' % (' '.join(args), output))
        return output

    def test_story(self):
        image_id = self.create_image('alpha', name='cli-story')['id']
        beta = self.project('beta')

        self.assertEqual([[image_id, beta, 'pending']], table_rows(
            self.glance('alpha', 'member-create', image_id, beta)))
        self.assertEqual([[image_id, beta, 'pending']], table_rows(
            self.glance('alpha', 'member-list', '--image-id', image_id)))

        self.assertNotIn([image_id, 'cli-story'],
                         table_rows(self.glance('beta', 'image-list')))
        self.assertIn([image_id, 'cli-story'], table_rows(self.glance(
            'beta', 'image-list', '--member-status', 'pending')))

        self.assertEqual([[image_id, beta, 'accepted']], table_rows(
            self.glance('beta', 'member-update', image_id, beta,
                        'accepted')))
        self.assertIn([image_id, 'cli-story'],
                      table_rows(self.glance('beta', 'image-list')))
        self.assertNotIn([image_id, 'cli-story'], table_rows(self.glance(
            'beta', 'image-list', '--member-status', 'pending')))

        self.assertEqual([[image_id, beta, 'rejected']], table_rows(
            self.glance('beta', 'member-update', image_id, beta,
                        'rejected')))
        self.assertIn([image_id, 'cli-story'], table_rows(self.glance(
            'beta', 'image-list', '--member-status', 'rejected')))

        self.glance('alpha', 'member-delete', image_id, beta)
        self.assertEqual([], table_rows(
            self.glance('alpha', 'member-list', '--image-id', image_id)))
        self.assertIn('Image %s not found.' % image_id, self.glance(
            'beta', 'image-show', image_id, expect_rc=1))

    def test_image_create_with_file_and_download(self):
        path, data = self.image_file()
        beta = self.project('beta')
        calls = self.server_calls()
        created = dict(table_rows(self.glance(
            'alpha', 'image-create', '--name', 'cli-data', '--file', path,
            '--disk-format', 'raw', '--container-format', 'bare',
            '--visibility', 'shared')))
        image_id = created['id']
        self.addCleanup(self.request, 'DELETE', '/v2/images/' + image_id,
                        user='alpha')
        self.assertEqual('active', created['status'])
        self.assertEqual(str(len(data)), created['size'])
        self.assertIn('PUT /v2/images/%s/file 204' % image_id, calls())
        self.glance('alpha', 'member-create', image_id, beta)

        out = os.path.join(os.path.dirname(path), 'copy.raw')
        self.glance('beta', 'image-download', '--file', out, image_id)
        with open(out, 'rb') as copy:
            self.assertEqual(base.sha256(data), base.sha256(copy.read()))
        self.assertIn('GET /v2/images/%s/file 200' % image_id, calls())

        # Without --file, to stdout (a pipe here, never a terminal).
        result = subprocess.run(
            [GLANCE, 'image-download', image_id],
            env=self.cloud.cli_env('beta'), stdin=subprocess.DEVNULL,
            capture_output=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(base.sha256(data), base.sha256(result.stdout))

    def test_image_create_reads_data_from_a_pipe(self):
        _path, data = self.image_file()
        result = subprocess.run(
            [GLANCE, 'image-create', '--name', 'cli-pipe', '--disk-format',
             'raw', '--container-format', 'bare'],
            env=self.cloud.cli_env('alpha'), input=data,
            capture_output=True, timeout=120)
        output = (result.stdout + result.stderr).decode(errors='replace')
        self.assertEqual(0, result.returncode, output)
        created = dict(table_rows(output))
        self.addCleanup(self.request, 'DELETE',
                        '/v2/images/' + created['id'], user='alpha')
        self.assertEqual('active', created['status'])
        self.assertEqual(base.sha256(data), base.sha256(
            self.download(created['id'], 'alpha')))

    def test_errors_are_readable(self):
        image_id = self.create_image('alpha')['id']
        beta = self.project('beta')
        self.assertIn(
            'You are not authorized to complete add_member action.',
            self.glance('rita', 'member-create', image_id, beta,
                        expect_rc=1))
        self.assertIn(
            'Image %s not found.' % image_id,
            self.glance('gamma', 'member-list', '--image-id', image_id,
                        expect_rc=1))
