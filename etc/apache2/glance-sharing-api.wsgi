# WSGI script for Apache mod_wsgi (WSGIScriptAlias in glance-sharing.conf).
# The application reads glance-sharing.conf and api-paste.ini from
# /etc/glance-sharing/, or from $OS_GLANCE_SHARING_CONFIG_DIR when the
# Apache process environment sets it.
from glance_sharing.wsgi.api import application  # noqa: F401
