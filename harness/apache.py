"""Private Apache httpd + mod_wsgi instances on 127.0.0.1.

tools/apache/install.sh provides Debian's apache2 and mod_wsgi and a
virtualenv holding a copy of this checkout's glance-sharing, made from
the Python that mod_wsgi embeds (``install()``). An ``Instance`` is an
Apache of its own: its httpd.conf, pid file and sockets in a temporary
folder, its logs where it is told, on 127.0.0.1 and a free port, serving
the site its subclass writes (``site()``). Applications run in mod_wsgi
daemon processes as RUN_USER; ``daemon_pids()`` finds them and
``worker_cpu_seconds()`` adds up their CPU time, as harness.server.Server
does for gunicorn's workers. The system-wide Apache, if any, is never
touched.

The deployment tests serve the sample site etc/apache2/glance-sharing.conf
with it (glance_sharing/tests/deployment/apache.py); the benchmark serves
both services and the bare WSGI app (benchmarks/servers.py).
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import requests

from harness import server

INSTALL_SCRIPT = os.path.join(server.REPO_ROOT, 'tools', 'apache',
                              'install.sh')
APACHE = '/usr/sbin/apache2'
MODULES = '/usr/lib/apache2/modules'
RUN_USER = 'www-data'
# The Python Debian's mod_wsgi embeds (tools/apache/install.sh checks):
# a daemon process runs only a venv made from it.
PYTHON = '/usr/bin/python3'
# display-name=%{GROUP}, cut to the length of Apache's own argv[0].
DISPLAY_PREFIX = b'(wsgi:'

_installed = {}


class PrerequisiteMissing(Exception):
    """Apache cannot be installed or run here (not root, no apt-get)."""


def install():
    """Run tools/apache/install.sh once per process; the venv's path.

    The script refreshes the venv's copy of glance-sharing from this
    checkout every time, so what Apache serves is the code here.
    """
    if 'venv' not in _installed:
        if os.geteuid() != 0:
            raise PrerequisiteMissing(
                'installing and running Apache needs root')
        if not shutil.which('apt-get'):
            raise PrerequisiteMissing('no apt-get: not a Debian system')
        started = time.monotonic()
        result = subprocess.run(['bash', INSTALL_SCRIPT],
                                capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
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


def give_to_run_user(path):
    """Make the folder ``path`` and all in it RUN_USER's.

    For what the daemon processes write: a SQLite database (and the
    journal beside it), an image store, a log file.
    """
    user = pwd.getpwnam(RUN_USER)
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, user.pw_uid, user.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid)


def check_access(path, write=False):
    """Raise PrerequisiteMissing unless RUN_USER may read (write) ``path``.

    A folder above ``path`` closed to other users (a checkout in /root)
    keeps the daemon processes out, and they would fail at their first
    import or request, far from the cause.
    """
    test = subprocess.run(['runuser', '-u', RUN_USER, '--', 'test',
                           '-w' if write else '-r', path],
                          capture_output=True)
    if test.returncode:
        raise PrerequisiteMissing('%s, which the Apache daemon processes run '
                                  'as, cannot %s %s: open the folders above '
                                  'it to other users, or choose another' % (
                                      RUN_USER, 'write' if write else 'read',
                                      path))


def versions():
    """'Apache 2.4.x, mod_wsgi 4.x (Python 3.x)', from what is installed."""
    httpd = subprocess.run([APACHE, '-v'], capture_output=True,
                           text=True).stdout.split()[2].split('/')[1]
    mod_wsgi = subprocess.run(
        ['dpkg-query', '-W', '-f=${Version}', 'libapache2-mod-wsgi-py3'],
        capture_output=True, text=True).stdout.split('-')[0]
    python = subprocess.run([PYTHON, '--version'], capture_output=True,
                            text=True).stdout.split()[-1]
    return 'Apache %s, mod_wsgi %s (Python %s)' % (httpd, mod_wsgi, python)


HTTPD_CONF = """\
# A private Apache instance (harness/apache.py).
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
ErrorLog {logs}/httpd_error.log
LogLevel info
WSGISocketPrefix {root}/run/wsgi
# Worker processes that outlive a graceful restart finish their requests.
GracefulShutdownTimeout 30

{site}
"""


class Instance:
    """An Apache httpd of its own on 127.0.0.1, serving ``site()``.

    ``log_dir`` keeps Apache's logs (default: a folder of the instance,
    removed with it). ``start()`` returns once ``ready_path`` answers with
    a 2xx, sent with ``ready_headers``; ``stop()`` stops Apache with its
    daemon processes and removes the instance's folder. Also a context
    manager, like harness.server.Server.
    """

    def __init__(self, log_dir=None, ready_path='/', ready_headers=None,
                 start_timeout=60):
        self.log_dir = self.given_log_dir = log_dir
        self.ready_path = ready_path
        self.ready_headers = ready_headers or {}
        self.start_timeout = start_timeout
        self.root = None

    def site(self):
        """The site's httpd.conf text: Listen, VirtualHost, WSGI directives.

        Called by start() once ``root``, ``port`` and ``log_dir`` are set;
        files the daemon processes read may go into ``root``.
        """
        raise NotImplementedError

    def environ(self):
        """Apache's environment; the daemon processes inherit it.

        Without the caller's PYTHONPATH, PYTHONHOME and the like: the
        daemon processes run their venv's modules and no others.
        """
        return {name: value for name, value in os.environ.items()
                if not name.startswith('PYTHON')}

    def diagnostics(self):
        """What to show when the instance does not start."""
        return self.error_log()

    def start(self):
        try:
            return self._start()
        except BaseException:
            self.stop()  # never leave an Apache behind
            raise

    def _start(self):
        self.root = tempfile.mkdtemp(prefix='apache-')
        # Apache's children and the daemon processes run as RUN_USER: they
        # reach the sockets in run/ and read what the site put here.
        os.chmod(self.root, 0o755)
        os.mkdir(os.path.join(self.root, 'run'), 0o755)
        self.log_dir = self.given_log_dir or os.path.join(self.root, 'logs')
        os.makedirs(self.log_dir, exist_ok=True)
        self.port = server.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.httpd_conf = os.path.join(self.root, 'httpd.conf')
        site = self.site()
        with open(self.httpd_conf, 'w') as conf:
            conf.write(HTTPD_CONF.format(
                root=self.root, user=RUN_USER, group=RUN_USER,
                modules=MODULES, logs=self.log_dir, site=site))
        self.env = self.environ()
        self._apachectl('start')
        self._wait_until_up()
        return self

    def _apachectl(self, action):
        result = subprocess.run(
            [APACHE, '-f', self.httpd_conf, '-k', action], env=self.env,
            capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if result.returncode:
            raise RuntimeError('apache2 -k %s failed:\n%s%s\n%s' % (
                action, result.stdout, result.stderr, self.diagnostics()))

    def _wait_until_up(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            try:
                if not _alive(self.parent_pid()):
                    break
            except (OSError, ValueError):
                pass  # no pid file yet
            try:
                if requests.get(self.url + self.ready_path, timeout=10,
                                headers=self.ready_headers).ok:
                    return
            # A daemon process still importing on a busy machine is slow,
            # not dead.
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            'Apache did not serve %s (it exited, or %ds passed):\n%s' % (
                self.ready_path, self.start_timeout, self.diagnostics()))

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
            fields = server.proc_stat(int(entry))
            if not fields or int(fields[1]) != parent or fields[0] == 'Z':
                continue
            try:
                with open('/proc/%s/cmdline' % entry, 'rb') as cmd_file:
                    if cmd_file.read().startswith(DISPLAY_PREFIX):
                        pids.add(int(entry))
            except OSError:
                continue
        return pids

    def worker_cpu_seconds(self):
        """CPU time the daemon processes used so far (server.cpu_seconds).

        Apache's own children, which parse HTTP and hand each request to
        a daemon process over a socket, are not counted.
        """
        return server.cpu_seconds(self.daemon_pids())

    def stop(self):
        if self.root is None:
            return
        try:
            parent = self.parent_pid()
        except (OSError, ValueError):
            parent = None
        if parent:
            subprocess.run([APACHE, '-f', self.httpd_conf, '-k', 'stop'],
                           env=self.env, capture_output=True,
                           stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _alive(parent):
                time.sleep(0.1)
            if _alive(parent):
                os.kill(parent, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def read_log(self, name):
        """The log file ``name`` of ``log_dir``; '' if there is none."""
        try:
            with open(os.path.join(self.log_dir, name),
                      errors='replace') as log_file:
                return log_file.read()
        except FileNotFoundError:
            return ''

    def error_log(self):
        """Apache's and every site's error log."""
        try:
            names = sorted(name for name in os.listdir(self.log_dir)
                           if name.endswith('error.log'))
        except (OSError, TypeError):  # not started: no folder yet
            return ''
        return '\n'.join(self.read_log(name) for name in names)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _alive(pid):
    fields = server.proc_stat(pid)
    return bool(fields) and fields[0] != 'Z'
