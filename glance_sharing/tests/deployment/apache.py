"""Run glance-sharing under a private Apache httpd + mod_wsgi for tests.

tools/apache/install.sh provides Debian's apache2 and mod_wsgi and a
virtualenv made from the Python that mod_wsgi embeds. The fixture then
starts its own Apache instance (own httpd.conf, pid file, logs and
sockets in a temporary folder) on 127.0.0.1 and a free port, serving the
sample site etc/apache2/glance-sharing.conf unchanged: only its Defines
are set. The system-wide Apache, if any, is never touched.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import fixtures
import requests

from glance_sharing.tests import fixtures as gs_fixtures
from harness import server

INSTALL_SCRIPT = os.path.join(gs_fixtures.REPO_ROOT, 'tools', 'apache',
                              'install.sh')
SITE_CONF = os.path.join(gs_fixtures.REPO_ROOT, 'etc', 'apache2',
                         'glance-sharing.conf')
WSGI_SCRIPT = os.path.join(gs_fixtures.REPO_ROOT, 'etc', 'apache2',
                           'glance-sharing-api.wsgi')
APACHE = '/usr/sbin/apache2'
MODULES = '/usr/lib/apache2/modules'
RUN_USER = 'www-data'
# display-name=%{GROUP}, cut to the length of Apache's own argv[0].
DISPLAY_PREFIX = b'(wsgi:'

_installed = {}


class PrerequisiteMissing(Exception):
    """Apache cannot be installed or run here (not root, no apt-get)."""


def install():
    """Run tools/apache/install.sh once per test process; the venv path."""
    if 'venv' not in _installed:
        if os.geteuid() != 0:
            raise PrerequisiteMissing(
                'installing and running Apache needs root')
        if not shutil.which('apt-get'):
            raise PrerequisiteMissing('no apt-get: not a Debian system')
        started = time.monotonic()
        result = subprocess.run(['bash', INSTALL_SCRIPT],
                                capture_output=True, text=True)
        if result.returncode:
            # pip's errors hide among pages of setuptools warnings.
            errors = [line for line in result.stderr.splitlines()
                      if 'error' in line.lower()]
            raise RuntimeError('%s failed:\n%s\n%s\n...\n%s' % (
                INSTALL_SCRIPT, result.stdout, '\n'.join(errors[:50]),
                result.stderr[-3000:]))
        _installed['venv'] = result.stdout.strip().splitlines()[-1]
        _installed['seconds'] = time.monotonic() - started
    return _installed['venv']


HTTPD_CONF = """\
# Private Apache instance of a glance-sharing test.
ServerRoot "{root}"
ServerName 127.0.0.1
PidFile {root}/run/httpd.pid
DefaultRuntimeDir {root}/run
Mutex file:{root}/run default
User {user}
Group {group}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule wsgi_module {modules}/mod_wsgi.so
ErrorLog {root}/logs/httpd_error.log
LogLevel info
WSGISocketPrefix {root}/run/wsgi
# Worker processes that outlive a graceful restart finish their requests.
GracefulShutdownTimeout 30

Define GLANCE_SHARING_BIND 127.0.0.1
Define GLANCE_SHARING_PORT {port}
Define GLANCE_SHARING_VENV {venv}
Define GLANCE_SHARING_WSGI_DIR {root}/wsgi
Define GLANCE_SHARING_USER {user}
Define GLANCE_SHARING_GROUP {group}
Define GLANCE_SHARING_PROCESSES {processes}
Define GLANCE_SHARING_THREADS {threads}
Include {site}
"""


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
        self.venv = install()
        user = pwd.getpwnam(RUN_USER)
        self.root = tempfile.mkdtemp(prefix='glance-sharing-apache-')
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        # The daemon processes run as RUN_USER: they read the config and
        # the script, write the log and reach the sockets.
        os.chmod(self.root, 0o755)
        for name in ('conf', 'logs', 'run', 'wsgi'):
            os.mkdir(os.path.join(self.root, name), 0o755)
        self.config_dir = os.path.join(self.root, 'conf')
        self.log_dir = os.path.join(self.root, 'logs')
        shutil.copy(WSGI_SCRIPT, os.path.join(self.root, 'wsgi'))
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

        self.port = server.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.httpd_conf = os.path.join(self.root, 'httpd.conf')
        with open(self.httpd_conf, 'w') as conf_file:
            conf_file.write(HTTPD_CONF.format(
                root=self.root, user=RUN_USER, group=RUN_USER,
                modules=MODULES, port=self.port, venv=self.venv,
                processes=self.processes, threads=self.threads,
                site=SITE_CONF))
        self.env = dict(os.environ, APACHE_LOG_DIR=self.log_dir,
                        OS_GLANCE_SHARING_CONFIG_DIR=self.config_dir)
        self._apachectl('start')
        self.addCleanup(self._stop)
        self._wait_until_up()

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

    def _apachectl(self, action):
        result = subprocess.run(
            [APACHE, '-f', self.httpd_conf, '-k', action], env=self.env,
            capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError('apache2 -k %s failed:\n%s%s\n%s' % (
                action, result.stdout, result.stderr, self.error_log()))

    def graceful(self):
        """Graceful restart: what `apachectl -k graceful` does."""
        self._apachectl('graceful')

    def reload_daemons(self):
        """Graceful restart of the daemon processes alone (SIGUSR1).

        Each finishes its running requests (within the site's
        graceful-timeout) and exits; Apache starts a fresh one on the
        same listening socket, so waiting connections are kept.
        """
        for pid in self.daemon_pids():
            os.kill(pid, signal.SIGUSR1)

    def parent_pid(self):
        with open(os.path.join(self.root, 'run', 'httpd.pid')) as pid_file:
            return int(pid_file.read())

    def daemon_pids(self):
        """Live mod_wsgi daemon processes of this instance."""
        parent = self.parent_pid()
        pids = set()
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % entry) as stat_file:
                    stat = stat_file.read()
                with open('/proc/%s/cmdline' % entry, 'rb') as cmd_file:
                    cmdline = cmd_file.read()
            except OSError:
                continue
            ppid = int(stat.rsplit(')', 1)[1].split()[1])
            state = stat.rsplit(')', 1)[1].split()[0]
            if (ppid == parent and state != 'Z'
                    and cmdline.startswith(DISPLAY_PREFIX)):
                pids.add(int(entry))
        return pids

    def _wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + '/versions', timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError('Apache did not serve glance-sharing in %ds:\n%s'
                           '\n%s' % (timeout, self.error_log(), self.log()))

    def _stop(self):
        try:
            parent = self.parent_pid()
        except (OSError, ValueError):
            return
        subprocess.run([APACHE, '-f', self.httpd_conf, '-k', 'stop'],
                       env=self.env, capture_output=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(parent):
            time.sleep(0.1)
        if _alive(parent):
            os.kill(parent, signal.SIGKILL)

    def _read(self, name):
        try:
            with open(os.path.join(self.log_dir, name),
                      errors='replace') as log_file:
                return log_file.read()
        except FileNotFoundError:
            return ''

    def log(self):
        """The application's oslo.log file."""
        return self._read('glance-sharing-api.log')

    def error_log(self):
        return '\n'.join(self._read(name) for name in (
            'httpd_error.log', 'glance-sharing_error.log'))

    def access_log(self):
        return self._read('glance-sharing_access.log')


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as stat_file:
            return stat_file.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False
