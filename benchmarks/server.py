"""Serve glance-sharing for a benchmark: gunicorn, N worker processes.

The application is the production ``glance_sharing.wsgi.api:application``
with the production Paste pipeline (noauth, or keystone with auth_token),
plus two bench-only filters (benchmarks/filters.py): ``sqlcount``
outermost and ``noop`` just before the router.
"""

import configparser
import os
import socket
import subprocess
import sys
import time

import requests

from glance_sharing.tests import server as gs_server

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PASTE_INI = os.path.join(REPO_ROOT, 'etc', 'glance-sharing', 'api-paste.ini')
BIN_DIR = os.path.dirname(sys.executable)

# gthread with one thread per worker: one request at a time per process,
# as with the sync worker, but HTTP keep-alive works (the sync worker
# closes every connection), as behind any load balancer or proxy.
WORKER_CLASS = 'gthread'
THREADS = 1


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


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving ``app`` from the config directory ``config_dir``."""

    def __init__(self, config_dir, workers=2,
                 app='glance_sharing.wsgi.api:application',
                 worker_class=WORKER_CLASS, threads=THREADS,
                 ready_headers=None):
        self.config_dir = config_dir
        # The identity of the readiness request (a token in keystone mode).
        self.ready_headers = ready_headers or {'X-Project-Id': 'x'}
        self.workers = workers
        self.app = app
        self.worker_class = worker_class
        self.threads = threads
        self.process = None

    def command(self):
        return [os.path.join(BIN_DIR, 'gunicorn'),
                '--workers', str(self.workers),
                '--worker-class', self.worker_class,
                '--threads', str(self.threads),
                '--keep-alive', '30', '--backlog', '256',
                '--bind', '127.0.0.1:%d' % self.port,
                '--graceful-timeout', '5', '--timeout', '120', self.app]

    def start(self, ready_path='/bench/noop'):
        try:
            return self._start(ready_path)
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def _start(self, ready_path):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
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
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('gunicorn exited; see %s' % self.log_path)
            try:
                if requests.get(self.url + ready_path, timeout=10,
                                headers=self.ready_headers).ok:
                    return self
            except requests.RequestException:
                pass  # not listening yet, or workers still booting
            time.sleep(0.2)
        raise RuntimeError('gunicorn did not start; see %s' % self.log_path)

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
            gs_server.stop_process_group(self.process)
        if self.process and not self.log_file.closed:
            self.log_file.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
