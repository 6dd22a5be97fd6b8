"""Upstream Glance on 127.0.0.1, trusting identity headers, for comparison.

tools/glance/install-venv.sh installs Glance from PyPI into a virtualenv
of its own (GLANCE_VENV, else .cache/glance/venv). ``Glance`` configures it
on a SQLite database of its own (glance-manage db sync) with one
filesystem store (no multi-store), and serves glance.wsgi.api under
gunicorn. Its Paste pipeline is Glance's own ``context`` middleware
without auth_token in front, so the X-Project-Id, X-User-Id and X-Roles
headers are taken as sent (with X-Identity-Status: Confirmed), as
glance-sharing's noauth does.
"""

import os
import subprocess

import fixtures

from glance_sharing.tests import fixtures as gs_fixtures
from harness import keystone
from harness import server

INSTALL_SCRIPT = os.path.join(gs_fixtures.REPO_ROOT, 'tools', 'glance',
                              'install-venv.sh')
DEFAULT_VENV = os.path.join(gs_fixtures.REPO_ROOT, '.cache', 'glance',
                            'venv')

# Glance's own filters and apps (glance-api-paste.ini names), with the
# keystone flavor's authtoken left out: the context middleware builds the
# request context from the identity headers.
PASTE_INI = """\
[pipeline:glance-api-headers]
pipeline = versionnegotiation context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
"""  # noqa: E501


def install():
    """Install Glance into its virtualenv unless it is there already.

    Raises keystone.Unavailable when it cannot be installed.
    """
    return keystone.run_installer(INSTALL_SCRIPT, 'GLANCE_VENV', DEFAULT_VENV,
                                  'Glance')


class Glance(fixtures.Fixture):
    """Glance API under gunicorn (one worker: SQLite) on a free port."""

    def __init__(self, venv, image_member_quota=128):
        super().__init__()
        self.venv = venv
        self.image_member_quota = image_member_quota

    def _bin(self, name):
        return os.path.join(self.venv, 'bin', name)

    def _setUp(self):
        self.config_dir = self.useFixture(fixtures.TempDir()).path
        paste_path = os.path.join(self.config_dir, 'glance-api-paste.ini')
        with open(paste_path, 'w') as paste:
            paste.write(PASTE_INI)
        self.conf_path = os.path.join(self.config_dir, 'glance-api.conf')
        server.write_ini(self.conf_path, {
            'DEFAULT': {
                'log_file': os.path.join(self.config_dir, 'glance-api.log'),
                'image_member_quota': str(self.image_member_quota),
            },
            'database': {'connection': 'sqlite:///' + os.path.join(
                self.config_dir, 'glance.sqlite')},
            'paste_deploy': {'flavor': 'headers', 'config_file': paste_path},
            # One filesystem store, not enabled_backends: like
            # glance-sharing, no multi-store "stores" field on images.
            'glance_store': {'stores': 'file', 'default_store': 'file',
                             'filesystem_store_datadir': os.path.join(
                                 self.config_dir, 'images')},
        })
        result = subprocess.run(
            [self._bin('glance-manage'), '--config-file', self.conf_path,
             'db', 'sync'], capture_output=True, text=True,
            stdin=subprocess.DEVNULL)
        if result.returncode:
            raise RuntimeError('glance-manage db sync failed:\n%s%s' % (
                result.stdout, result.stderr))
        self.port = server.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        run_dir = os.path.join(self.config_dir, 'gunicorn')
        os.mkdir(run_dir)
        # Glance parses the command line with oslo.config: gunicorn gets
        # its settings from gunicorn.conf.py in its working directory.
        with open(os.path.join(run_dir, 'gunicorn.conf.py'), 'w') as conf:
            conf.write('wsgi_app = "glance.wsgi.api:application"\n'
                       'bind = "127.0.0.1:%d"\n'
                       'workers = 1\n'
                       'timeout = 120\n'
                       'control_socket_disable = True\n' % self.port)
        self.log_path = os.path.join(self.config_dir, 'gunicorn.log')
        env = dict(os.environ, OS_GLANCE_CONFIG_DIR=self.config_dir,
                   OS_GLANCE_CONFIG_FILES='glance-api.conf')
        env.pop('GUNICORN_CMD_ARGS', None)
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(
                [self._bin('gunicorn')], cwd=run_dir, env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=keystone.die_with_parent)
        self.addCleanup(server.stop_process_group, self.process)
        keystone.wait_for(self.url + '/versions', self.process,
                          self.log_path, 'Glance')
