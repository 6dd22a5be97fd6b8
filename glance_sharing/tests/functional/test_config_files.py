"""Which configuration each command reads, as an operator installs it.

Every command (glance-sharing-manage, -status, -api and the WSGI module)
reads glance-sharing.conf and glance-sharing.conf.d/*.conf of
$OS_GLANCE_SHARING_CONFIG_DIR, and nothing else of that directory; none
creates a database nobody configured; noauth needs an explicit opt-in.
"""

import os
import shutil
import subprocess
import sys

import fixtures
import testtools

from glance_sharing.tests import fixtures as gs_fixtures
from harness import server

BIN_DIR = os.path.dirname(sys.executable)
DEV_CONF = os.path.join(gs_fixtures.REPO_ROOT, 'etc', 'glance-sharing',
                        'glance-sharing-dev.conf')


class ConfigDirTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.config_dir = self.useFixture(fixtures.TempDir()).path
        # Commands run elsewhere, so a relative path cannot pass unseen.
        self.cwd = self.useFixture(fixtures.TempDir()).path
        shutil.copy(gs_fixtures.PASTE_INI, self.config_dir)

    def write_conf(self, name, sections):
        path = os.path.join(self.config_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        server.write_ini(path, sections)
        return path

    def sqlite(self, name):
        return 'sqlite:///' + os.path.join(self.config_dir, name)

    def run_command(self, *args):
        env = dict(os.environ, OS_GLANCE_SHARING_CONFIG_DIR=self.config_dir)
        return subprocess.run(list(args), cwd=self.cwd, env=env,
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)

    def manage(self, *args):
        return self.run_command(
            os.path.join(BIN_DIR, 'glance-sharing-manage'), *args)

    def wsgi_settings(self):
        """Import the WSGI module; the settings it runs with, or its error."""
        return self.run_command(sys.executable, '-c', (
            'from glance_sharing.wsgi import api\n'
            'from glance_sharing.conf import CONF\n'
            'print(CONF.api.auth_strategy, CONF.database.connection)\n'))

    def test_only_glance_sharing_conf_and_its_conf_d_are_read(self):
        self.write_conf('glance-sharing.conf', {
            'database': {'connection': self.sqlite('main.sqlite')}})
        # A copy of the development configuration, as an operator might
        # leave it: noauth and another database. It must change nothing.
        shutil.copy(DEV_CONF, self.config_dir)
        self.write_conf('backup.conf', {
            'database': {'connection': self.sqlite('backup.sqlite')}})
        result = self.manage('db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(
            ['api-paste.ini', 'backup.conf', 'glance-sharing-dev.conf',
             'glance-sharing.conf', 'main.sqlite'],
            sorted(name for name in os.listdir(self.config_dir)
                   if not name.endswith(('-wal', '-shm'))))
        result = self.wsgi_settings()
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('keystone %s' % self.sqlite('main.sqlite'),
                         result.stdout.splitlines()[-1])

    def test_conf_d_overrides_glance_sharing_conf(self):
        self.write_conf('glance-sharing.conf', {
            'database': {'connection': self.sqlite('main.sqlite')}})
        self.write_conf('glance-sharing.conf.d/10-database.conf', {
            'database': {'connection': self.sqlite('conf-d.sqlite')}})
        result = self.manage('db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertTrue(os.path.exists(
            os.path.join(self.config_dir, 'conf-d.sqlite')))
        self.assertFalse(os.path.exists(
            os.path.join(self.config_dir, 'main.sqlite')))

    def test_no_database_configured_is_refused(self):
        for result in (self.manage('db', 'sync'), self.wsgi_settings()):
            self.assertNotEqual(0, result.returncode, result.stdout)
            # The WSGI module's error is logged (to stdout by default).
            self.assertIn('No [database] connection is configured',
                          result.stdout + result.stderr)
        self.assertEqual([], os.listdir(self.cwd))

    def test_noauth_is_refused_without_the_development_opt_in(self):
        self.write_conf('glance-sharing.conf', {
            'api': {'auth_strategy': 'noauth'},
            'database': {'connection': self.sqlite('main.sqlite')}})
        api = self.run_command(os.path.join(BIN_DIR, 'glance-sharing-api'),
                               '--bind-port', str(server.free_port()))
        self.assertEqual(1, api.returncode, api.stderr)
        self.assertIn('allow_noauth_for_development', api.stderr)
        wsgi = self.wsgi_settings()
        self.assertNotEqual(0, wsgi.returncode)
        self.assertIn('allow_noauth_for_development',
                      wsgi.stdout + wsgi.stderr)

    def test_noauth_opt_in_starts_with_a_warning(self):
        self.write_conf('glance-sharing.conf', {
            'api': {'auth_strategy': 'noauth',
                    'allow_noauth_for_development': 'True'},
            'database': {'connection': self.sqlite('main.sqlite')}})
        result = self.wsgi_settings()
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('WARNING', result.stdout + result.stderr)
        self.assertIn('auth_strategy = noauth: every caller can claim',
                      result.stdout + result.stderr)
