"""Option listing for oslo-config-generator."""

import collections

from oslo_config import cfg

from glance_sharing import conf as gs_conf
from glance_sharing.conf import database
from glance_sharing.conf import middleware
from glance_sharing.conf import notifications
from glance_sharing import policy


def list_opts():
    """Every option of ours, grouped, for the sample configuration."""
    groups = collections.defaultdict(list)
    for module in gs_conf.MODULES:
        for group, opts in module.list_opts().items():
            groups[group].extend(opts)
    return list(groups.items())


def set_lib_defaults():
    """Our defaults for library options, shown in the generated sample.

    The same functions set them when the service registers its options,
    so the sample shows what the service runs with.
    """
    database.set_defaults()
    middleware.set_defaults()
    notifications.set_lib_defaults()
    # oslo.policy sets its options' defaults when it registers them.
    policy.set_defaults(cfg.ConfigOpts())
