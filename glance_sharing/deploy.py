"""Load configuration and build the WSGI application from the Paste file."""

import contextvars
import os
import sys

from oslo_config import cfg
from oslo_log import log as logging
from paste import deploy

from glance_sharing import conf as gs_conf
from glance_sharing.i18n import _
from glance_sharing import image_store
from glance_sharing import notifier
from glance_sharing import policy

LOG = logging.getLogger(__name__)

CONF = gs_conf.CONF
PROJECT = 'glance-sharing'
DEFAULT_CONFIG_DIR = '/etc/glance-sharing'
CONFIG_DIR_ENV = 'OS_GLANCE_SHARING_CONFIG_DIR'
# The configuration loadapp is building a pipeline for. Paste offers a
# composite factory no other way in than global_conf, which it also hands
# to every filter, and auth_token warns about each key it does not know.
_BUILDING_FOR = contextvars.ContextVar('building_for', default=None)


class ConfigurationRefused(cfg.Error):
    """The configuration would run the service in a way nobody asked for."""


def config_dir():
    """The deployment's config directory: $OS_GLANCE_SHARING_CONFIG_DIR."""
    return os.environ.get(CONFIG_DIR_ENV) or DEFAULT_CONFIG_DIR


def default_config_locations(directory=None):
    """The files and directories read when the command line names none.

    Only ``glance-sharing.conf`` and the ``glance-sharing.conf.d/``
    directory beside it: never every ``*.conf`` of the directory, where an
    operator may keep a copy of the development configuration, a sample or
    a backup.
    """
    directory = directory or config_dir()
    conf_file = os.path.join(directory, PROJECT + '.conf')
    conf_d = os.path.join(directory, PROJECT + '.conf.d')
    return ([conf_file] if os.path.isfile(conf_file) else [],
            [conf_d] if os.path.isdir(conf_d) else [])


def parse_args(argv, conf=CONF):
    """Register every option, read the configuration and set up logging.

    Every command (glance-sharing-api, -manage, -status, the WSGI module)
    comes through here, so they all read the same files. ``--config-file``
    and ``--config-dir`` on the command line replace the defaults.
    """
    gs_conf.register_opts(conf)
    logging.register_options(conf)
    files, dirs = default_config_locations()
    conf(argv, project=PROJECT, default_config_files=files,
         default_config_dirs=dirs)
    logging.setup(conf, PROJECT)


def require_database(conf=CONF):
    """Refuse to go on without a configured [database] connection.

    oslo.db has no default connection, and the old relative SQLite default
    made a new, empty glance-sharing.sqlite wherever the command happened
    to run, which then reported success.
    """
    if not conf.database.connection:
        raise ConfigurationRefused(_(
            'No [database] connection is configured (read: %(files)s). '
            'Set it in %(dir)s/glance-sharing.conf, or name the file with '
            '--config-file or the directory with %(env)s.') % {
                'files': ', '.join(conf.config_file) or _('no file'),
                'dir': config_dir(), 'env': CONFIG_DIR_ENV})


def check_auth_strategy(conf=CONF):
    """Refuse noauth unless it is explicitly enabled for development."""
    if conf.api.auth_strategy != 'noauth':
        return
    if not conf.api.allow_noauth_for_development:
        raise ConfigurationRefused(_(
            '[api] auth_strategy = noauth trusts identity headers from '
            'anyone, so it is refused unless [api] '
            'allow_noauth_for_development = True is also set. Use '
            'auth_strategy = keystone in production.'))
    LOG.warning('*** [api] auth_strategy = noauth: every caller can claim '
                'any project and role in headers. Development only: never '
                'expose this service to untrusted callers. ***')


def paste_file(conf):
    """Absolute path of the Paste ini named by [paste_deploy]."""
    name = conf.paste_deploy.config_file
    candidates = [
        name,
        conf.find_file(name),
        os.path.join(config_dir(), name),
        # pip installs the data_files of setup.cfg under the prefix.
        os.path.join(sys.prefix, 'etc', PROJECT, name),
    ]
    for candidate in candidates:
        if candidate and os.path.isabs(candidate) and os.path.exists(
                candidate):
            return candidate
    raise cfg.ConfigFilesNotFoundError([name])


def loadapp(conf=CONF):
    """The application for ``[api] auth_strategy``, from the Paste file."""
    check_auth_strategy(conf)
    require_database(conf)
    policy.get_enforcer(conf)
    image_store.setup(conf)
    notifier.setup(conf)
    building = _BUILDING_FOR.set(conf)
    try:
        return deploy.loadapp('config:' + paste_file(conf), name=PROJECT)
    finally:
        _BUILDING_FOR.reset(building)


def building_conf():
    """The configuration the Paste factories build the pipeline for.

    The one loadapp was given; a Paste file loaded some other way (a WSGI
    server's own Paste support) gets the service's configuration.
    """
    return _BUILDING_FOR.get() or CONF


def pipeline_factory(loader, global_conf, **local_conf):
    """A Paste composite choosing the pipeline named by auth_strategy."""
    conf = building_conf()
    names = local_conf[conf.api.auth_strategy].split()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app
