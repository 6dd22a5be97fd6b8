"""WSGI entry point for Apache mod_wsgi, uWSGI or gunicorn.

Reads glance-sharing.conf (and glance-sharing.conf.d/) and api-paste.ini
from /etc/glance-sharing/, or from the directory named by
OS_GLANCE_SHARING_CONFIG_DIR.
"""

from glance_sharing import deploy


def init_application():
    deploy.parse_args([])
    return deploy.loadapp()


application = init_application()
