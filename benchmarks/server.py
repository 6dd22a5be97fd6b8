"""Serve glance-sharing with gunicorn: the benchmark's and the tests' server.

The application is the production ``glance_sharing.wsgi.api:application``
with the production Paste pipeline (noauth, or keystone with auth_token),
configured through OS_GLANCE_SHARING_CONFIG_DIR. The benchmark adds two
bench-only filters (benchmarks/filters.py): ``sqlcount`` outermost and
``noop`` just before the router. The tests' ServiceProcess
(glance_sharing/tests/server.py) runs this server, as do the Keystone and
Swift harnesses for their own processes' helpers.
"""

import configparser
import os
import signal
import socket
import subprocess
import sys
import time

import requests

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PASTE_INI = os.path.join(REPO_ROOT, 'etc', 'glance-sharing', 'api-paste.ini')
BIN_DIR = os.path.dirname(sys.executable)
APP = 'glance_sharing.wsgi.api:application'

# gthread with one thread per worker: one request at a time per process,
# as with the sync worker, but HTTP keep-alive works (the sync worker
# closes every connection), as behind any load balancer or proxy.
WORKER_CLASS = 'gthread'
THREADS = 1
BENCH_OPTIONS = ('--worker-class', WORKER_CLASS, '--threads', str(THREADS),
                 '--keep-alive', '30', '--backlog', '256', '--timeout', '120')


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


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def write_paste_ini(path, source=PASTE_INI):
    """The production Paste file with the bench filters added."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(source)
    composite = parser['composite:glance-sharing']
    for strategy in ('noauth', 'keystone'):
        names = composite[strategy].split()
        names.insert(names.index('router'), 'noop')
        composite[strategy] = ' '.join(['sqlcount'] + names)
    parser['filter:sqlcount'] = {
        'paste.filter_factory': 'benchmarks.filters:SQLCount.factory'}
    parser['filter:noop'] = {
        'paste.filter_factory': 'benchmarks.filters:NoOp.factory'}
    with open(path, 'w') as ini:
        parser.write(ini)


def write_config_dir(config_dir, db_url, *overrides):
    """A bench server's Paste file and glance-sharing.conf in config_dir."""
    paste = os.path.join(config_dir, 'api-paste.ini')
    write_paste_ini(paste)
    write_conf(os.path.join(config_dir, 'glance-sharing.conf'), db_url,
               {'paste_deploy': {'config_file': paste}}, *overrides)


class Server:
    """gunicorn serving ``app`` from the config directory ``config_dir``.

    ``options`` are gunicorn's options besides the workers, the address
    and the graceful timeout (default: the benchmark's, BENCH_OPTIONS).
    ``start()`` returns once ``ready_path`` answers with a 2xx, sent with
    ``ready_headers`` (a token in keystone mode).
    """

    def __init__(self, config_dir, workers=2, app=APP,
                 options=BENCH_OPTIONS, ready_path='/bench/noop',
                 ready_headers=None, start_timeout=60):
        self.config_dir = config_dir
        self.workers = workers
        self.app = app
        self.options = list(options)
        self.ready_path = ready_path
        self.ready_headers = ({'X-Project-Id': 'x'} if ready_headers is None
                              else ready_headers)
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

    def _start(self):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        # The bench filters and apps are imported from the repository.
        env = dict(os.environ, OS_GLANCE_SHARING_CONFIG_DIR=self.config_dir,
                   PYTHONPATH=os.pathsep.join(
                       [REPO_ROOT] + os.environ.get(
                           'PYTHONPATH', '').split(os.pathsep)).rstrip(
                               os.pathsep))
        self.log_path = os.path.join(self.config_dir, 'server.log')
        self.log_file = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            self.command(), env=env, stdout=self.log_file,
            stderr=subprocess.STDOUT, start_new_session=True)
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
        """CPU time (user + system) the worker processes used so far.

        Per request, it is what a call costs the server whatever else
        runs on the machine, so it compares well between runs on a busy
        machine, where latency and throughput do not.
        """
        tick = os.sysconf('SC_CLK_TCK')
        total = 0
        for pid in self.pids()[1:]:
            try:
                with open('/proc/%d/stat' % pid) as stat:
                    fields = stat.read().rsplit(')', 1)[1].split()
            except OSError:
                continue  # a worker that just exited
            total += int(fields[11]) + int(fields[12])
        return total / tick

    def stop(self):
        if self.process:
            stop_process_group(self.process)
        if self.log_file and not self.log_file.closed:
            self.log_file.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
