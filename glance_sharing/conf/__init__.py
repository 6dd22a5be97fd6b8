"""The configuration object and the registration of every option group."""

from oslo_config import cfg

from glance_sharing.conf import api
from glance_sharing.conf import database
from glance_sharing.conf import image_data
from glance_sharing.conf import middleware
from glance_sharing.conf import notifications
from glance_sharing.conf import paste
from glance_sharing.conf import sharing

CONF = cfg.CONF

# middleware: oslo.middleware's [cors] and [healthcheck], our defaults.
_MODULES = (api, database, image_data, middleware, notifications, paste,
            sharing)


def register_opts(conf):
    """Register every glance-sharing option on ``conf``."""
    for module in _MODULES:
        module.register_opts(conf)
