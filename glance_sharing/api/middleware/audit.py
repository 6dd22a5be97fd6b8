"""keystonemiddleware's CADF audit filter, with our oslo.messaging defaults.

The filter sends its events through oslo.messaging; registering its
options through conf.notifications first gives it the defaults of our
own notifications (the noop driver, a bounded retry) rather than
oslo.messaging's (none, and retrying forever while the broker is down).
"""

from keystonemiddleware import audit

from glance_sharing.conf import notifications as notification_conf
from glance_sharing import deploy


def filter_factory(global_conf, **local_conf):
    notification_conf.messaging(deploy.building_conf())
    return audit.filter_factory(global_conf, **local_conf)
