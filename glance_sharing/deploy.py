"""Load configuration and build the WSGI application from the Paste file."""

import os

from oslo_config import cfg
from oslo_log import log as logging
from paste import deploy

from glance_sharing import conf as gs_conf
from glance_sharing import image_store
from glance_sharing import policy

CONF = gs_conf.CONF
PROJECT = 'glance-sharing'
DEFAULT_CONFIG_DIR = '/etc/glance-sharing'
CONFIG_DIR_ENV = 'OS_GLANCE_SHARING_CONFIG_DIR'


def parse_args(argv, default_config_files=None, default_config_dirs=None):
    """Register every option, read the config files and set up logging."""
    gs_conf.register_opts(CONF)
    logging.register_options(CONF)
    CONF(argv, project=PROJECT,
         default_config_files=default_config_files,
         default_config_dirs=default_config_dirs)
    logging.setup(CONF, PROJECT)


def config_dir_files():
    """The glance-sharing.conf of the deployment's config directory."""
    config_dir = os.environ.get(CONFIG_DIR_ENV, DEFAULT_CONFIG_DIR)
    path = os.path.join(config_dir, PROJECT + '.conf')
    return [path] if os.path.exists(path) else [], config_dir


def paste_file(conf):
    """Absolute path of the Paste ini named by [paste_deploy]."""
    name = conf.paste_deploy.config_file
    candidates = [name, conf.find_file(name),
                  os.path.join(os.environ.get(CONFIG_DIR_ENV,
                                              DEFAULT_CONFIG_DIR), name)]
    for candidate in candidates:
        if candidate and os.path.isabs(candidate) and os.path.exists(
                candidate):
            return candidate
    raise cfg.ConfigFilesNotFoundError([name])


def loadapp(conf=CONF):
    """The application for ``[api] auth_strategy``, from the Paste file."""
    policy.get_enforcer(conf)
    image_store.setup(conf)
    return deploy.loadapp('config:' + paste_file(conf), name=PROJECT)


def pipeline_factory(loader, global_conf, **local_conf):
    """A Paste composite choosing the pipeline named by auth_strategy."""
    names = local_conf[CONF.api.auth_strategy].split()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app
