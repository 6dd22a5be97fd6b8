"""The servers the benchmark runs both services under (--server).

``Gunicorn`` (the default): ``workers`` gunicorn worker processes of the
gthread class with one thread each and keep-alive (BENCH_OPTIONS);
glance-sharing under the bench's own venv (harness.server.Server),
Glance under its venv's gunicorn (harness.glance.GlanceServer).

``Apache``: each service under a private Apache httpd of its own
(harness.apache.Instance) in ``workers`` mod_wsgi daemon processes of one
thread each, with the mod_wsgi settings of the sample site
etc/apache2/glance-sharing.conf: glance-sharing from the venv of
tools/apache/install.sh (this checkout's code, copied there at each
run), Glance from a venv of the same Python (harness.glance.install).

Either serves the bare WSGI app (noop_app.py) in the same way, as the
floor, and says what it is for the report.
"""

import os
import shutil
import subprocess

from benchmarks import filters
from harness import apache
from harness import glance as glance_harness
from harness import server

BARE_APP = 'benchmarks.noop_app:application'
# noauth's readiness check of /bench/noop.
NOAUTH_HEADERS = {'X-Project-Id': 'x'}
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))

# gthread with one thread per worker: one request at a time per process,
# as with the sync worker, but HTTP keep-alive works (the sync worker
# closes every connection), as behind any load balancer or proxy.
WORKER_CLASS = 'gthread'
THREADS = 1
BENCH_OPTIONS = ('--worker-class', WORKER_CLASS, '--threads', str(THREADS),
                 '--keep-alive', '30', '--backlog', '256', '--timeout', '120')


class Gunicorn:
    """gunicorn with BENCH_OPTIONS for both services."""

    name = label = 'gunicorn'
    suffix = ''
    workers_label = 'gunicorn workers'

    def install(self):
        """Nothing to install: the bench's own venv runs glance-sharing."""

    def install_glance(self):
        return glance_harness.install()

    def describe(self, workers):
        return 'gunicorn %s, %d workers (%s, %d thread)' % (
            gunicorn_version(), workers, WORKER_CLASS, THREADS)

    def describe_glance(self, venv):
        return 'gunicorn %s with the same options' % gunicorn_version(
            os.path.join(venv, 'bin'))

    def service_options(self, config_dir):
        """glance-sharing.conf sections this server needs: none."""
        return {}

    def service(self, config_dir, workers, ready_headers=None, app=None):
        """glance-sharing on ``config_dir``, ready at /bench/noop.

        ``ready_headers`` default to noauth's; ``app`` to the service's.
        """
        return server.Server(config_dir, workers=workers,
                             app=app or server.APP, options=BENCH_OPTIONS,
                             ready_path=filters.NOOP_PATH,
                             ready_headers=ready_headers or NOAUTH_HEADERS)

    def glance(self, venv, config_dir, workers):
        return glance_harness.GlanceServer(venv, config_dir, workers=workers,
                                           options=BENCH_OPTIONS)

    def bare(self, config_dir, workers, glance_venv=None):
        """The bare app under our gunicorn, or that of ``glance_venv``."""
        if glance_venv:
            return glance_harness.GlanceServer(
                glance_venv, config_dir, workers=workers,
                options=BENCH_OPTIONS, app=BARE_APP, ready_path='/')
        return self.service(config_dir, workers, app=BARE_APP)


def gunicorn_version(bin_dir=server.BIN_DIR):
    out = subprocess.run([os.path.join(bin_dir, 'gunicorn'),
                          '--version'], capture_output=True, text=True)
    return (out.stdout or out.stderr).split()[-1].strip(')')


class Apache:
    """A private Apache + mod_wsgi (daemon mode) for each service."""

    name = 'apache'
    label = 'Apache + mod_wsgi'
    suffix = '-apache'
    workers_label = 'mod_wsgi daemon processes'

    def __init__(self):
        self.venv = None

    def install(self):
        """Apache, mod_wsgi, and this checkout's glance-sharing in a venv.

        Raises harness.apache.PrerequisiteMissing where that cannot be.
        """
        self.venv = apache.install()
        apache.check_access(os.path.join(self.venv, 'pyvenv.cfg'))

    def install_glance(self):
        venv = glance_harness.install(for_apache=True)
        apache.check_access(os.path.join(venv, 'pyvenv.cfg'))
        return venv

    def describe(self, workers):
        return ('%s, event MPM, daemon mode: %d processes x %d thread, '
                'keep-alive 30 s, no access log' % (apache.versions(),
                                                    workers, THREADS))

    def describe_glance(self, venv):
        return 'the same Apache and mod_wsgi settings'

    def service_options(self, config_dir):
        """A log file in ``config_dir``, as Glance's (gunicorn: stderr)."""
        return {'DEFAULT': {'log_file': os.path.join(
            config_dir, 'glance-sharing-api.log')}}

    def service(self, config_dir, workers, ready_headers=None):
        return DaemonSite(
            'glance-sharing', self.venv, server.APP, workers, config_dir,
            {'OS_GLANCE_SHARING_CONFIG_DIR': config_dir},
            ready_path=filters.NOOP_PATH,
            ready_headers=ready_headers or NOAUTH_HEADERS)

    def glance(self, venv, config_dir, workers):
        return DaemonSite('glance', venv, glance_harness.APP, workers,
                          config_dir,
                          glance_harness.config_environ(config_dir),
                          ready_path='/versions')

    def bare(self, config_dir, workers, glance_venv=None):
        """The bare app in our venv, or in ``glance_venv``."""
        return DaemonSite('bare', glance_venv or self.venv, BARE_APP,
                          workers, config_dir, {}, ready_path='/')


KINDS = {'gunicorn': Gunicorn, 'apache': Apache}

# The sample site's mod_wsgi settings (test_benchmark checks that they
# agree), without its access log, as gunicorn runs without one; keep-alive
# as in BENCH_OPTIONS; and the application loaded as each daemon process
# starts (process-group and application-group on WSGIScriptAlias), as
# gunicorn's workers load it, so that no measured request pays for it.
SITE = """\
KeepAlive On
KeepAliveTimeout 30
MaxKeepAliveRequests 0
Listen 127.0.0.1:{port}
<VirtualHost 127.0.0.1:{port}>
    WSGIDaemonProcess {group} processes={processes} threads={threads} \
user={user} group={user} display-name=%{{GROUP}} python-home={venv} \
python-path={python_path}
    WSGIProcessGroup {group}
    WSGIApplicationGroup %{{GLOBAL}}
    WSGIPassAuthorization On
    WSGIChunkedRequest On
    LimitRequestBody 0
    WSGIScriptAlias / {script} process-group={group} \
application-group=%{{GLOBAL}}
    <Directory {wsgi_dir}>
        Require all granted
    </Directory>
    ErrorLog {logs}/{group}_error.log
</VirtualHost>
"""


class DaemonSite(apache.Instance):
    """``app`` ('module:name') in mod_wsgi daemon processes of ``venv``.

    ``env`` is added to Apache's environment (the daemon processes read
    their config dir from it). ``config_dir`` becomes RUN_USER's, since
    the daemon processes write its database, store and log, and keeps
    Apache's logs in apache/. The WSGI script and a copy of this package
    (the bench filters and the bare app, which the daemon processes
    import) go into the instance's folder: RUN_USER reads it wherever
    the checkout is.
    """

    def __init__(self, group, venv, app, processes, config_dir, env,
                 **kwargs):
        super().__init__(log_dir=os.path.join(config_dir, 'apache'),
                         **kwargs)
        self.group = group
        self.venv = venv
        self.app = app
        self.processes = processes
        self.config_dir = config_dir
        self.extra_env = env

    def start(self):
        os.makedirs(self.log_dir, exist_ok=True)
        apache.give_to_run_user(self.config_dir)
        apache.check_access(self.config_dir, write=True)
        return super().start()

    def environ(self):
        return dict(super().environ(), **self.extra_env)

    def site(self):
        wsgi_dir = os.path.join(self.root, 'wsgi')
        python_path = os.path.join(self.root, 'python')
        os.mkdir(wsgi_dir, 0o755)
        shutil.copytree(BENCH_DIR, os.path.join(python_path, 'benchmarks'),
                        ignore=lambda folder, names: [
                            n for n in names if not n.endswith('.py')])
        module, name = self.app.split(':')
        script = os.path.join(wsgi_dir, self.group + '.wsgi')
        with open(script, 'w') as wsgi:
            wsgi.write('from %s import %s as application  # noqa: F401\n'
                       % (module, name))
        return SITE.format(
            port=self.port, group=self.group, processes=self.processes,
            threads=THREADS, user=apache.RUN_USER, venv=self.venv,
            python_path=python_path, script=script, wsgi_dir=wsgi_dir,
            logs=self.log_dir)

    def log(self):
        """Apache's and the site's error logs."""
        return self.error_log()
