"""glance-sharing installed as a package (not editable) finds its files.

pip puts setup.cfg's data_files under the installation prefix, so
api-paste.ini lands in <prefix>/etc/glance-sharing/, and the service must
look there when neither the config directory nor the files beside
glance-sharing.conf hold one.
"""

import os
import site
import subprocess
import sys
import time
import zipfile

import fixtures
import requests
import testtools

from glance_sharing.tests import fixtures as gs_fixtures
from harness import server

BIN_DIR = os.path.dirname(sys.executable)


class InstalledPackageTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.folder = self.useFixture(fixtures.TempDir()).path

    def run_ok(self, *args, **kwargs):
        result = subprocess.run(list(args), capture_output=True, text=True,
                                timeout=600, stdin=subprocess.DEVNULL,
                                **kwargs)
        self.assertEqual(0, result.returncode,
                         '%s\n%s%s' % (args, result.stdout, result.stderr))
        return result

    def build_wheel(self):
        wheels = os.path.join(self.folder, 'wheels')
        # pbr and setuptools of this venv: no download, and the version
        # pbr computes from this checkout's git history.
        self.run_ok(sys.executable, '-m', 'pip', 'wheel', '--no-deps',
                    '--no-build-isolation', '-q', '-w', wheels,
                    gs_fixtures.REPO_ROOT)
        [wheel] = [os.path.join(wheels, name) for name in os.listdir(wheels)
                   if name.startswith('glance_sharing-')]
        return wheel

    def fresh_venv(self):
        """A new venv whose dependencies come from this one's site-packages.

        Only glance-sharing is installed into it; a .pth file lends it the
        libraries, which saves downloading them again.
        """
        venv = os.path.join(self.folder, 'venv')
        self.run_ok(sys.executable, '-m', 'venv', '--without-pip', venv)
        purelib = self.run_ok(
            os.path.join(venv, 'bin', 'python'), '-c',
            'import sysconfig; print(sysconfig.get_paths()["purelib"])',
        ).stdout.strip()
        with open(os.path.join(purelib, 'zz-project-deps.pth'), 'w') as pth:
            pth.write('\n'.join(site.getsitepackages()) + '\n')
        return venv

    def test_installed_api_finds_its_paste_file(self):
        wheel = self.build_wheel()
        with zipfile.ZipFile(wheel) as archive:
            self.assertIn('etc/glance-sharing/api-paste.ini', {
                name.split('.data/data/', 1)[-1]
                for name in archive.namelist()})
        venv = self.fresh_venv()
        self.run_ok(sys.executable, '-m', 'pip', '--python',
                    os.path.join(venv, 'bin', 'python'), 'install', '-q',
                    '--no-deps', wheel)
        self.assertTrue(os.path.isfile(os.path.join(
            venv, 'etc', 'glance-sharing', 'api-paste.ini')))
        installed = self.run_ok(
            os.path.join(venv, 'bin', 'python'), '-c',
            'import glance_sharing; print(glance_sharing.__file__)',
            cwd=self.folder).stdout
        self.assertTrue(installed.startswith(venv), installed)

        # A configuration directory without api-paste.ini, as a package
        # installation leaves it.
        config_dir = os.path.join(self.folder, 'conf')
        os.mkdir(config_dir)
        server.write_ini(os.path.join(config_dir, 'glance-sharing.conf'),
                         server.service_conf('sqlite:///' + os.path.join(
                             config_dir, 'gs.sqlite')))
        env = dict(os.environ, OS_GLANCE_SHARING_CONFIG_DIR=config_dir)
        self.run_ok(os.path.join(venv, 'bin', 'glance-sharing-manage'),
                    'db', 'sync', env=env, cwd=self.folder)
        port = server.free_port()
        log_path = os.path.join(self.folder, 'api.log')
        with open(log_path, 'wb') as log:
            process = subprocess.Popen(
                [os.path.join(venv, 'bin', 'glance-sharing-api'),
                 '--bind-port', str(port)], env=env, cwd=self.folder,
                stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(server.stop_process_group, process)
        deadline = time.monotonic() + 60
        while True:
            self.assertIsNone(process.poll(), open(log_path).read())
            try:
                response = requests.get('http://127.0.0.1:%d/versions' % port,
                                        timeout=5)
                break
            except requests.ConnectionError:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.2)
        self.assertEqual(200, response.status_code)
