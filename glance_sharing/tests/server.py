"""Run glance-sharing as a real multi-process server for tests.

The server is gunicorn with several worker processes serving
glance_sharing.wsgi.api:application, configured through a temporary
OS_GLANCE_SHARING_CONFIG_DIR, so tests exercise exactly what an operator
deploys: the Paste file, config loading, and processes that share only
the database.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import fixtures
import requests
import testtools.content

from glance_sharing.tests import fixtures as gs_fixtures

BIN_DIR = os.path.dirname(sys.executable)


def write_ini(path, sections):
    """Write ``sections`` ({section: {option: value}}) as an ini file."""
    with open(path, 'w') as ini:
        for section, values in sections.items():
            ini.write('[%s]\n' % section)
            for key, value in values.items():
                ini.write('%s = %s\n' % (key, value))
            ini.write('\n')


def service_conf(db_url, *overrides):
    """glance-sharing.conf sections: noauth on ``db_url``, then overrides."""
    sections = {
        'DEFAULT': {'debug': 'False'},
        'api': {'auth_strategy': 'noauth',
                'allow_noauth_for_development': 'True'},
        'database': {'connection': db_url},
    }
    for override in overrides:
        for section, values in override.items():
            sections.setdefault(section, {}).update(values)
    return sections


def stop_process_group(process, timeout=15):
    """SIGTERM a process started in its own session, SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ServerLogsOnFailure:
    """A test case mixin: a failing test's report shows its servers' logs.

    Every ServiceProcess the test uses as a fixture adds its log as a
    detail when the test fails, while the log still exists (the fixture
    removes its directory on cleanup). A 500 then comes with its traceback.
    """

    def useFixture(self, fixture):
        used = super().useFixture(fixture)
        if isinstance(used, ServiceProcess):
            self.addOnException(lambda _exc_info: self.addDetail(
                'server-%d.log' % used.port,
                testtools.content.text_content(used.log())))
        return used


class ServiceProcess(fixtures.Fixture):
    """glance-sharing under gunicorn on 127.0.0.1, stopped on cleanup.

    ``options`` maps "section" to {option: value} and is written into
    glance-sharing.conf after the defaults (noauth, ``db_url``).
    """

    def __init__(self, db_url=None, workers=4, options=None):
        super().__init__()
        self.db_url = db_url
        self.workers = workers
        self.options = options or {}

    def _setUp(self):
        self.config_dir = self.useFixture(fixtures.TempDir()).path
        if self.db_url is None:
            self.db_url = 'sqlite:///' + os.path.join(self.config_dir,
                                                      'glance-sharing.sqlite')
        self.conf_path = os.path.join(self.config_dir, 'glance-sharing.conf')
        self.store_dir = os.path.join(self.config_dir, 'images')
        store = {'glance_store': {'filesystem_store_datadir': self.store_dir}}
        write_ini(self.conf_path,
                  service_conf(self.db_url, store, self.options))
        shutil.copy(gs_fixtures.PASTE_INI, self.config_dir)
        # The keystone+audit pipeline finds its map beside the Paste file.
        shutil.copy(gs_fixtures.AUDIT_MAP, self.config_dir)
        self.log_path = os.path.join(self.config_dir, 'server.log')
        subprocess.run(
            [os.path.join(BIN_DIR, 'glance-sharing-manage'),
             '--config-file', self.conf_path, 'db', 'sync'],
            check=True, capture_output=True)
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        env = dict(os.environ, OS_GLANCE_SHARING_CONFIG_DIR=self.config_dir)
        self.log_file = open(self.log_path, 'ab')
        self.addCleanup(self.log_file.close)
        self.process = subprocess.Popen(
            [os.path.join(BIN_DIR, 'gunicorn'), '--workers',
             str(self.workers), '--bind', '127.0.0.1:%d' % self.port,
             '--graceful-timeout', '5', '--timeout', '60',
             'glance_sharing.wsgi.api:application'],
            env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.addCleanup(stop_process_group, self.process)
        self._wait_until_up()

    def _wait_until_up(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('glance-sharing exited; see %s:\n%s' % (
                    self.log_path, self.log()))
            try:
                if requests.get(self.url + '/versions', timeout=5).ok:
                    return
            # A worker still importing on a busy machine is slow, not dead.
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError('glance-sharing did not start in %ds' % timeout)

    def log(self):
        with open(self.log_path, errors='replace') as log_file:
            return log_file.read()
