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

# The one list of option modules: each registers its groups on a conf and
# lists its own options for the generator (middleware registers
# oslo.middleware's [cors] and [healthcheck] with our defaults, and lists
# none: oslo.middleware's namespaces do).
MODULES = (api, database, image_data, middleware, notifications, paste,
           sharing)


def register_opts(conf):
    """Register every glance-sharing option on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)
