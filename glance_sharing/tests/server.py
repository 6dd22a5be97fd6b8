"""Run glance-sharing as a real multi-process server for tests.

The server is the benchmark's (benchmarks/server.py): gunicorn with
several worker processes serving glance_sharing.wsgi.api:application,
configured through a temporary OS_GLANCE_SHARING_CONFIG_DIR, so tests
exercise exactly what an operator deploys: the Paste file, config loading,
and processes that share only the database.
"""

import os
import shutil

import fixtures
import testtools.content

from benchmarks import server as gunicorn_server
from glance_sharing.tests import fixtures as gs_fixtures

# The process helpers the tests' other servers (Keystone, Swift, Apache,
# memcached, ...) use, from their one home.
BIN_DIR = gunicorn_server.BIN_DIR
free_port = gunicorn_server.free_port
service_conf = gunicorn_server.service_conf
stop_process_group = gunicorn_server.stop_process_group
write_ini = gunicorn_server.write_ini


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
        gunicorn_server.write_conf(self.conf_path, self.db_url, store,
                                   self.options)
        shutil.copy(gs_fixtures.PASTE_INI, self.config_dir)
        # The keystone+audit pipeline finds its map beside the Paste file.
        shutil.copy(gs_fixtures.AUDIT_MAP, self.config_dir)
        gunicorn_server.migrate(self.conf_path)
        # gunicorn's sync workers, readiness from /versions.
        self.server = gunicorn_server.Server(
            self.config_dir, workers=self.workers, options=['--timeout', '60'],
            ready_path='/versions', ready_headers={}, start_timeout=90)
        self.addCleanup(self.server.stop)
        self.server.start()
        self.process = self.server.process
        self.port = self.server.port
        self.url = self.server.url
        self.log_path = self.server.log_path

    def log(self):
        return self.server.log()
