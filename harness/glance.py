"""Upstream Glance on 127.0.0.1, for comparison with glance-sharing.

tools/glance/install-venv.sh installs Glance 33.0.0 from PyPI into a
virtualenv of its own (GLANCE_VENV, else .cache/glance/venv). Glance is
configured on a database of its own (``glance-manage db sync``) with one
filesystem store (no multi-store), and ``glance.wsgi.api`` is served
under that venv's gunicorn (``install(for_apache=True)`` makes a second
venv, of the Python mod_wsgi embeds, for the benchmark's --server
apache: benchmarks/servers.py). Two Paste pipelines, both Glance's own
filters and apps:

* ``headers``: Glance's ``context`` middleware without auth_token in
  front, so the X-Project-Id, X-User-Id and X-Roles headers are taken as
  sent (with X-Identity-Status: Confirmed), as glance-sharing's noauth
  does. The differential tests and the benchmark's noauth mode use it.
* ``keystone``: Glance's production pipeline without its optional
  filters (no image cache, no CORS): auth_token, then ``context``.

``GlanceServer`` is harness.server.Server for Glance: the same gunicorn
options, worker CPU from /proc and readiness check. Glance parses the
command line with oslo.config, so gunicorn gets its settings from
GUNICORN_CMD_ARGS and its app from gunicorn.conf.py, never argv.
"""

import os
import shlex
import subprocess

from harness import apache
from harness import keystone
from harness import server

INSTALL_SCRIPT = os.path.join(server.REPO_ROOT, 'tools', 'glance',
                              'install-venv.sh')
DEFAULT_VENV = os.path.join(server.REPO_ROOT, '.cache', 'glance', 'venv')
APACHE_VENV_ENV = 'GLANCE_APACHE_VENV'
# Outside the checkout, as tools/apache/install.sh's venv: the Apache
# user reads it wherever the checkout is.
DEFAULT_APACHE_VENV = '/opt/glance-sharing/upstream-glance-venv'
VERSION = '33.0.0'
APP = 'glance.wsgi.api:application'

PASTE_INI = """\
[pipeline:glance-api-headers]
pipeline = versionnegotiation context rootapp

[pipeline:glance-api-keystone]
pipeline = versionnegotiation authtoken context rootapp

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

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
"""  # noqa: E501


def install(for_apache=False):
    """Install Glance into its virtualenv unless it is there already.

    ``for_apache``: into a virtualenv of the Python that mod_wsgi embeds
    ($GLANCE_APACHE_VENV, else DEFAULT_APACHE_VENV), the only kind its
    daemon processes run. Returns the venv's path; raises
    keystone.Unavailable when it cannot be installed.
    """
    if not for_apache:
        return keystone.run_installer(INSTALL_SCRIPT, 'GLANCE_VENV',
                                      DEFAULT_VENV, 'Glance')
    return keystone.run_installer(
        INSTALL_SCRIPT, 'GLANCE_VENV', None, 'Glance for Apache',
        venv=keystone.venv_path(APACHE_VENV_ENV, DEFAULT_APACHE_VENV),
        python=apache.PYTHON)


def write_config(config_dir, db_url, flavor='headers', *overrides,
                 image_member_quota=128):
    """glance-api.conf and its Paste file in ``config_dir``; the conf path.

    ``flavor`` is the pipeline (headers or keystone); ``overrides`` are
    more sections ({section: {option: value}}), e.g. keystone_authtoken.
    """
    paste_path = os.path.join(config_dir, 'glance-api-paste.ini')
    with open(paste_path, 'w') as paste:
        paste.write(PASTE_INI)
    sections = {
        'DEFAULT': {
            'log_file': os.path.join(config_dir, 'glance-api.log'),
            'image_member_quota': str(image_member_quota),
        },
        'database': {'connection': db_url},
        'paste_deploy': {'flavor': flavor, 'config_file': paste_path},
        # One filesystem store, not enabled_backends: like glance-sharing,
        # no multi-store "stores" field on images.
        'glance_store': {'stores': 'file', 'default_store': 'file',
                         'filesystem_store_datadir': os.path.join(
                             os.path.abspath(config_dir), 'images')},
    }
    for override in overrides:
        for section, values in override.items():
            sections.setdefault(section, {}).update(values)
    conf_path = os.path.join(config_dir, 'glance-api.conf')
    server.write_ini(conf_path, sections)
    return conf_path


def db_sync(venv, conf_path):
    """``glance-manage db sync``: Glance's schema on its database."""
    result = subprocess.run(
        [os.path.join(venv, 'bin', 'glance-manage'), '--config-file',
         conf_path, 'db', 'sync'], capture_output=True, text=True,
        stdin=subprocess.DEVNULL)
    if result.returncode:
        raise RuntimeError('glance-manage db sync failed:\n%s%s' % (
            result.stdout, result.stderr))


def config_environ(config_dir):
    """The environment that points Glance's WSGI app at ``config_dir``."""
    return {'OS_GLANCE_CONFIG_DIR': config_dir,
            'OS_GLANCE_CONFIG_FILES': 'glance-api.conf'}


class GlanceServer(server.Server):
    """Glance's gunicorn on the glance-api.conf of ``config_dir``.

    Takes server.Server's arguments (workers, gunicorn ``options``,
    readiness) and the Glance ``venv``; ``app`` other than Glance's runs
    that WSGI app under the venv's gunicorn (the bench's no-op app).
    """

    def __init__(self, venv, config_dir, app=APP, **kwargs):
        kwargs.setdefault('ready_path', '/versions')
        super().__init__(config_dir, app=app, **kwargs)
        self.venv = venv

    def command(self):
        return [os.path.join(self.venv, 'bin', 'gunicorn')]

    def gunicorn_args(self):
        return (['--workers', str(self.workers),
                 '--bind', '127.0.0.1:%d' % self.port,
                 '--graceful-timeout', '5'] + self.options)

    def environ(self):
        env = dict(super().environ(), **config_environ(self.config_dir))
        env['GUNICORN_CMD_ARGS'] = ' '.join(
            shlex.quote(a) for a in self.gunicorn_args())
        env.pop('OS_GLANCE_SHARING_CONFIG_DIR', None)
        return env

    def working_dir(self):
        run_dir = os.path.join(self.config_dir, 'gunicorn')
        os.makedirs(run_dir, exist_ok=True)
        with open(os.path.join(run_dir, 'gunicorn.conf.py'), 'w') as conf:
            conf.write('wsgi_app = %r\ncontrol_socket_disable = True\n' %
                       self.app)
        return run_dir

    def version(self):
        """The venv's gunicorn version."""
        out = subprocess.run(self.command() + ['--version'],
                             capture_output=True, text=True,
                             cwd=self.config_dir)
        return (out.stdout or out.stderr).split()[-1].strip(')')
