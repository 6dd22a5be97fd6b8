"""glance-sharing-manage db sync|version|check, run as an operator does."""

import os
import subprocess
import sys

import fixtures
import testtools

from glance_sharing.db import migration


class TestDbCommands(testtools.TestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.conf_path = os.path.join(folder, 'glance-sharing.conf')
        with open(self.conf_path, 'w') as conf_file:
            conf_file.write('[database]\nconnection = sqlite:///%s\n'
                            % os.path.join(folder, 'manage.sqlite'))

    def manage(self, *args):
        return subprocess.run(
            [sys.executable, '-m', 'glance_sharing.cmd.manage',
             '--config-file', self.conf_path] + list(args),
            capture_output=True, text=True, timeout=120)

    def last_line(self, result):
        # Log lines go to stderr: stdout is the answer alone.
        lines = result.stdout.splitlines()
        self.assertEqual(1, len(lines), result.stdout)
        return lines[0]

    def test_sync_version_check(self):
        head = migration.head()
        version = self.manage('db', 'version')
        self.assertEqual(0, version.returncode, version.stderr)
        self.assertEqual('None (empty database)', self.last_line(version))

        check = self.manage('db', 'check')
        self.assertEqual(1, check.returncode, check.stderr)
        self.assertIn('glance-sharing-manage db sync', check.stdout)

        sync = self.manage('db', 'sync')
        self.assertEqual(0, sync.returncode, sync.stderr)
        self.assertEqual('Database is at revision %s.' % head,
                         self.last_line(sync))
        self.assertIn('Running upgrade', sync.stderr)

        version = self.manage('db', 'version')
        self.assertEqual(head, self.last_line(version))
        check = self.manage('db', 'check')
        self.assertEqual(0, check.returncode, check.stdout + check.stderr)

        # Running sync again changes nothing and succeeds.
        again = self.manage('db', 'sync')
        self.assertEqual(0, again.returncode, again.stderr)
        self.assertEqual(head, self.last_line(self.manage('db', 'version')))

    def test_unknown_command_is_refused(self):
        result = self.manage('db', 'drop')
        self.assertNotEqual(0, result.returncode)
        self.assertIn('drop', result.stderr)

    def test_bad_history_and_purge_arguments_are_refused(self):
        for args in (['db', 'purge', '--age-in-days', '-1'],
                     ['db', 'purge', '--age-in-days', 'x'],
                     ['db', 'purge', '--age-in-days', '1',
                      '--batch-size', '0'],
                     ['db', 'purge'],
                     ['members', 'history'],
                     ['members', 'history', '--image', 'i', '--project',
                      'p'],
                     ['members', 'history', '--image', 'i', '--since',
                      'yesterday'],
                     ['members', 'history', '--image', 'i', '--format',
                      'yaml']):
            result = self.manage(*args)
            self.assertEqual(2, result.returncode, args)
            self.assertIn('usage:', result.stderr)
            self.assertEqual('', result.stdout)
