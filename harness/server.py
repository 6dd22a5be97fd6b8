"""glance-sharing under gunicorn on 127.0.0.1: the tests' and the benchmark's.

The application is the production ``glance_sharing.wsgi.api:application``
with the production Paste pipeline (noauth, or keystone with auth_token),
configured through OS_GLANCE_SHARING_CONFIG_DIR. ``Server`` runs gunicorn
on a config directory someone else wrote (the benchmark writes its own,
with its bench-only filters: benchmarks/run.py); ``ServiceProcess`` is the
fixture that writes one, migrates its database and serves it, as the
tests and the Keystone harness use it. The process helpers here
(``free_port``, ``write_ini``, ``stop_process_group``, ``proc_stat``,
``cpu_seconds``) serve the other harnesses too.
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

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PASTE_INI = os.path.join(REPO_ROOT, 'etc', 'glance-sharing', 'api-paste.ini')
AUDIT_MAP = os.path.join(os.path.dirname(PASTE_INI), 'api_audit_map.conf')
BIN_DIR = os.path.dirname(sys.executable)
APP = 'glance_sharing.wsgi.api:application'


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


def write_conf(path, db_url, *overrides):
    """A glance-sharing.conf for a server and the manage CLI."""
    write_ini(path, service_conf(db_url, *overrides))


def migrate(conf_path):
    """``glance-sharing-manage db sync`` on the database of ``conf_path``."""
    subprocess.run([os.path.join(BIN_DIR, 'glance-sharing-manage'),
                    '--config-file', conf_path, 'db', 'sync'],
                   check=True, capture_output=True)


def stop_process_group(process, timeout=15):
    """SIGTERM a process started in its own session, SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def proc_stat(pid):
    """The fields of /proc/<pid>/stat after the command name; None if gone.

    The command name, in parentheses, may hold spaces and parentheses:
    the fields are those after its last ')'. Field 0 is the state, 1 the
    parent pid, 11 and 12 the user and system CPU time in clock ticks.
    """
    try:
        with open('/proc/%d/stat' % pid) as stat:
            return stat.read().rsplit(')', 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pids):
    """CPU time (user + system) the processes ``pids`` used so far.

    Per request, it is what a call costs the server whatever else runs
    on the machine, so it compares well between runs on a busy machine,
    where latency and throughput do not. A process that has just exited
    counts for nothing.
    """
    ticks = 0
    for pid in pids:
        fields = proc_stat(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf('SC_CLK_TCK')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving ``app`` from the config directory ``config_dir``.

    ``options`` are gunicorn's options besides the workers, the address
    and the graceful timeout (default: none, gunicorn's sync workers).
    ``start()`` returns once ``ready_path`` answers with a 2xx, sent with
    ``ready_headers`` (a token in keystone mode).
    """

    def __init__(self, config_dir, workers=2, app=APP, options=(),
                 ready_path='/versions', ready_headers=None,
                 start_timeout=60):
        self.config_dir = config_dir
        self.workers = workers
        self.app = app
        self.options = list(options)
        self.ready_path = ready_path
        self.ready_headers = ready_headers or {}
        self.start_timeout = start_timeout
        self.process = None
        self.log_file = None

    def command(self):
        return ([os.path.join(BIN_DIR, 'gunicorn'),
                 '--workers', str(self.workers),
                 '--bind', '127.0.0.1:%d' % self.port,
                 '--graceful-timeout', '5'] + self.options + [self.app])

    def start(self):
        try:
            return self._start()
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def environ(self):
        """The server's environment: the config dir, the repository."""
        # Apps and filters outside the package (the benchmark's) are
        # imported from the repository.
        return dict(os.environ,
                    OS_GLANCE_SHARING_CONFIG_DIR=self.config_dir,
                    PYTHONPATH=os.pathsep.join(
                        [REPO_ROOT] + os.environ.get(
                            'PYTHONPATH', '').split(os.pathsep)).rstrip(
                                os.pathsep))

    def working_dir(self):
        """Where gunicorn runs (None: here); called after the port is set."""
        return None

    def _start(self):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log_path = os.path.join(self.config_dir, 'server.log')
        self.log_file = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            self.command(), env=self.environ(), cwd=self.working_dir(),
            stdout=self.log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('gunicorn exited; see %s:\n%s' % (
                    self.log_path, self.log()))
            try:
                if requests.get(self.url + self.ready_path, timeout=10,
                                headers=self.ready_headers).ok:
                    return self
            # A worker still importing on a busy machine is slow, not dead.
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError('gunicorn did not start in %ds; see %s' % (
            self.start_timeout, self.log_path))

    def log(self):
        with open(self.log_path, errors='replace') as log_file:
            return log_file.read()

    def pids(self):
        """The master and worker pids (for a profiler)."""
        out = subprocess.run(['pgrep', '-P', str(self.process.pid)],
                             capture_output=True, text=True).stdout
        return [self.process.pid] + [int(p) for p in out.split()]

    def worker_cpu_seconds(self):
        """CPU time the worker processes used so far (cpu_seconds)."""
        return cpu_seconds(self.pids()[1:])

    def stop(self):
        if self.process:
            stop_process_group(self.process)
        if self.log_file and not self.log_file.closed:
            self.log_file.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class ServedFixture(fixtures.Fixture):
    """A fixture that runs one Server until cleanup.

    Its ``process``, ``port``, ``url``, ``log_path`` and ``log()`` are the
    server's.
    """

    def _serve(self, server):
        self.server = server
        self.addCleanup(server.stop)
        server.start()
        self.process = server.process
        self.port = server.port
        self.url = server.url
        self.log_path = server.log_path

    def log(self):
        return self.server.log()


class ServiceProcess(ServedFixture):
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
        write_conf(self.conf_path, self.db_url, store, self.options)
        shutil.copy(PASTE_INI, self.config_dir)
        # The keystone+audit pipeline finds its map beside the Paste file.
        shutil.copy(AUDIT_MAP, self.config_dir)
        migrate(self.conf_path)
        # gunicorn's sync workers, readiness from /versions.
        self._serve(Server(self.config_dir, workers=self.workers,
                           options=['--timeout', '60'], start_timeout=90))
