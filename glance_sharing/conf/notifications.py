"""Notification options: which events are sent, as whom, and how.

oslo.messaging owns the [oslo_messaging_notifications] group (driver,
transport_url, topics, retry) and [DEFAULT] transport_url; ``messaging``
registers them with our defaults, so the sample shows what the service
runs with.
"""

import warnings

from oslo_config import cfg

# Glance's exchange: consumers of Glance's notifications find ours there.
CONTROL_EXCHANGE = 'glance'

# Names, defaults and meaning as in glance-api.conf, except where the
# help says otherwise.
NOTIFICATION_OPTS = [
    cfg.StrOpt(
        'default_publisher_id',
        default='image.localhost',
        help='Publisher id of the notifications this service sends, '
             'usually "image.<host name>".'),
    cfg.ListOpt(
        'disabled_notifications',
        default=[],
        help='Notifications not to send. Each entry is an event type '
             '(image.member.create) or a group: a prefix ending at a '
             'dot, which disables every event under it. "image.member" '
             'disables image.member.create, image.member.update and '
             'image.member.delete; "image" disables every event. (Glance '
             'matches a group only on the text before the first dot, so '
             'there "image.member" disables nothing.)'),
]

MESSAGING_GROUP = 'oslo_messaging_notifications'


_LIBRARY = {}


def _import_messaging():
    if 'oslo_messaging' not in _LIBRARY:
        with warnings.catch_warnings():
            # oslo.messaging imports oslo.service, whose default backend
            # imports eventlet and warns that eventlet is deprecated. We
            # only send notifications, with no eventlet anywhere; the
            # warning would only alarm whoever reads the logs.
            warnings.filterwarnings('ignore', message='(?is).*eventlet')
            import oslo_messaging
            from oslo_messaging.notify import notifier
        _LIBRARY.update(oslo_messaging=oslo_messaging, notifier=notifier)
    return _LIBRARY['oslo_messaging'], _LIBRARY['notifier']


def messaging(conf):
    """oslo.messaging, with its notification options registered on ``conf``.

    Imported on first use: with oslo.service and eventlet it takes as
    long to import as the rest of the service, so a process that never
    sends a notification (the command line tools, an API process before
    its first write) never waits for it.
    """
    oslo_messaging, notifier = _import_messaging()
    set_lib_defaults()
    conf.register_opts(notifier._notifier_opts, group=MESSAGING_GROUP)
    return oslo_messaging


def set_lib_defaults():
    """oslo.messaging's defaults as this service runs with them.

    The noop driver sends nothing until an operator chooses a driver
    ("messagingv2" for a broker). A bounded retry: oslo.messaging's
    default (-1) retries forever, and the notification is sent in the
    request that caused it, so a broker that is down would hold every
    write request; with 2 retries a write waits a few seconds, succeeds,
    and the lost notification is logged.
    """
    oslo_messaging, notifier = _import_messaging()
    # oslo.messaging offers no public setter for these two; its listing
    # for the sample generator copies these very options.
    cfg.set_defaults(notifier._notifier_opts, driver=['noop'], retry=2)
    oslo_messaging.set_transport_defaults(CONTROL_EXCHANGE)


def register_opts(conf):
    conf.register_opts(NOTIFICATION_OPTS)


def list_opts():
    return {'DEFAULT': NOTIFICATION_OPTS}
