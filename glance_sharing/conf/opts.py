"""Option listing for oslo-config-generator."""

import collections

from oslo_config import cfg
from oslo_db import options as db_options

from glance_sharing.conf import api
from glance_sharing.conf import database
from glance_sharing.conf import image_data
from glance_sharing.conf import notifications
from glance_sharing.conf import paste
from glance_sharing.conf import sharing


def list_opts():
    """Every option of ours, grouped, for the sample configuration."""
    groups = collections.defaultdict(list)
    for module in (api, database, image_data, notifications, paste,
                   sharing):
        for group, opts in module.list_opts().items():
            groups[group].extend(opts)
    return list(groups.items())


def set_lib_defaults():
    """Our defaults for library options, shown in the generated sample."""
    cfg.set_defaults(db_options.database_opts,
                     connection=database.DEFAULT_CONNECTION)
    notifications.set_lib_defaults()
