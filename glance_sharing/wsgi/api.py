"""WSGI entry point for Apache mod_wsgi, uWSGI or gunicorn.

Reads glance-sharing.conf and api-paste.ini from /etc/glance-sharing/, or
from the directory named by OS_GLANCE_SHARING_CONFIG_DIR.
"""

from glance_sharing import deploy


def init_application():
    config_files, config_dir = deploy.config_dir_files()
    deploy.parse_args([], default_config_files=config_files,
                      default_config_dirs=[config_dir])
    return deploy.loadapp()


application = init_application()
