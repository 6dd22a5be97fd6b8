"""Run glance-sharing under a private Apache httpd + mod_wsgi for tests.

harness/apache.py installs Debian's apache2 and mod_wsgi with a virtualenv
made from the Python that mod_wsgi embeds, and runs Apache instances of
their own. This fixture serves the sample site
etc/apache2/glance-sharing.conf with one, unchanged: only its Defines are
set. The system-wide Apache, if any, is never touched.
"""

import os
import pwd
import shutil
import subprocess
import tempfile

import fixtures

from glance_sharing.tests import fixtures as gs_fixtures
from harness import apache
from harness import server

SITE_CONF = os.path.join(gs_fixtures.REPO_ROOT, 'etc', 'apache2',
                         'glance-sharing.conf')
WSGI_SCRIPT = os.path.join(gs_fixtures.REPO_ROOT, 'etc', 'apache2',
                           'glance-sharing-api.wsgi')
SITE_DEFINES = """\
Define GLANCE_SHARING_BIND 127.0.0.1
Define GLANCE_SHARING_PORT {port}
Define GLANCE_SHARING_VENV {venv}
Define GLANCE_SHARING_WSGI_DIR {wsgi_dir}
Define GLANCE_SHARING_USER {user}
Define GLANCE_SHARING_GROUP {user}
Define GLANCE_SHARING_PROCESSES {processes}
Define GLANCE_SHARING_THREADS {threads}
Include {site}
"""


class SampleSite(apache.Instance):
    """The sample site on the config dir and WSGI dir of ``service``."""

    def __init__(self, service):
        super().__init__(log_dir=service.log_dir, ready_path='/versions')
        self.service = service

    def site(self):
        return SITE_DEFINES.format(
            port=self.port, venv=self.service.venv,
            wsgi_dir=self.service.wsgi_dir, user=apache.RUN_USER,
            processes=self.service.processes,
            threads=self.service.threads, site=SITE_CONF)

    def environ(self):
        # APACHE_LOG_DIR: the sample site's logs (Debian's envvars sets it).
        return dict(super().environ(), APACHE_LOG_DIR=self.log_dir,
                    OS_GLANCE_SHARING_CONFIG_DIR=self.service.config_dir)

    def diagnostics(self):
        return '%s\n%s' % (self.error_log(), self.service.log())


class ApacheService(fixtures.Fixture):
    """glance-sharing under Apache httpd + mod_wsgi on 127.0.0.1.

    ``db_url`` is the database (migrated here with the virtualenv's
    glance-sharing-manage, then checked by glance-sharing-status);
    ``options`` maps section to {option: value} for glance-sharing.conf,
    after the defaults (noauth, a log file).
    """

    def __init__(self, db_url, processes=2, threads=4, options=None):
        super().__init__()
        self.db_url = db_url
        self.processes = processes
        self.threads = threads
        self.options = options or {}

    def _setUp(self):
        self.venv = apache.install()
        user = pwd.getpwnam(apache.RUN_USER)
        self.root = tempfile.mkdtemp(prefix='glance-sharing-apache-')
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        # The daemon processes run as RUN_USER: they read the config and
        # the script, write the log and reach the sockets.
        os.chmod(self.root, 0o755)
        for name in ('conf', 'logs', 'wsgi'):
            os.mkdir(os.path.join(self.root, name), 0o755)
        self.config_dir = os.path.join(self.root, 'conf')
        self.log_dir = os.path.join(self.root, 'logs')
        self.wsgi_dir = os.path.join(self.root, 'wsgi')
        shutil.copy(WSGI_SCRIPT, self.wsgi_dir)
        shutil.copy(gs_fixtures.PASTE_INI, self.config_dir)
        self.log_path = os.path.join(self.log_dir, 'glance-sharing-api.log')
        open(self.log_path, 'a').close()
        os.chown(self.log_path, user.pw_uid, user.pw_gid)
        # The filesystem store, written by the daemon processes alone.
        self.store_dir = os.path.join(self.root, 'images')
        os.mkdir(self.store_dir, 0o750)
        os.chown(self.store_dir, user.pw_uid, user.pw_gid)
        self.conf_path = os.path.join(self.config_dir, 'glance-sharing.conf')
        self._write_conf()
        self._tool('glance-sharing-manage', 'db', 'sync')
        # The operator's readiness check, from the deployment virtualenv.
        self._tool('glance-sharing-status', 'upgrade', 'check')

        self.instance = SampleSite(self)
        self.addCleanup(self.instance.stop)
        self.instance.start()
        self.port = self.instance.port
        self.url = self.instance.url
        self.httpd_conf = self.instance.httpd_conf

    def _write_conf(self):
        server.write_ini(self.conf_path, server.service_conf(
            self.db_url, {'DEFAULT': {'log_file': self.log_path},
                          'glance_store': {
                              'filesystem_store_datadir': self.store_dir}},
            self.options))

    def _tool(self, name, *args):
        result = subprocess.run(
            [os.path.join(self.venv, 'bin', name),
             '--config-file', self.conf_path] + list(args),
            capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError('%s %s exited %d:\n%s%s' % (
                name, ' '.join(args), result.returncode, result.stdout,
                result.stderr))
        return result

    def graceful(self):
        """Graceful restart: what `apachectl -k graceful` does."""
        self.instance.graceful()

    def reload_daemons(self):
        """SIGUSR1 to the daemon processes (Instance.reload_daemons)."""
        self.instance.reload_daemons()

    def daemon_pids(self):
        """Live mod_wsgi daemon processes of this instance."""
        return self.instance.daemon_pids()

    def log(self):
        """The application's oslo.log file."""
        return self.instance.read_log('glance-sharing-api.log')

    def error_log(self):
        return self.instance.error_log()

    def access_log(self):
        return self.instance.read_log('glance-sharing_access.log')
