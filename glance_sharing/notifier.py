"""Notifications of image and membership changes, through oslo.messaging.

Event types and payloads are Glance's, so its consumers parse ours; the
message context carries the caller (user, project, request ids), which
Glance leaves empty.

The rule "a notification leaves only after its change committed" lives
here: handlers call :func:`notify` with what a writer function returned,
after it returned, and :func:`notify` refuses to run while a database
transaction is open on the context. A write that fails or rolls back
raises before any :func:`notify` call, so it sends nothing.
"""

from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_utils import timeutils

from glance_sharing.api import util
from glance_sharing.conf import CONF
from glance_sharing.conf import notifications as notification_conf

LOG = logging.getLogger(__name__)

# The configuration deploy.loadapp set up ('conf', for contexts that do
# not name one), and a notifier per configuration ('by_conf'), each built
# on first use, so that every API worker process gets its own broker
# connections after the fork.
_NOTIFIER = {'by_conf': {}}


class _ContextSerializer:
    """The request context as a dict in each message, payloads as given.

    Consumers get the actor, never a credential: the token is dropped
    here, because only newer oslo.messaging releases hand over a redacted
    copy themselves.
    """

    def serialize_entity(self, ctxt, entity):
        return entity

    def deserialize_entity(self, ctxt, entity):
        return entity

    def serialize_context(self, ctxt):
        values = ctxt.to_dict()
        values['auth_token'] = None
        return values

    def deserialize_context(self, ctxt):
        return ctxt


def setup(conf):
    """Send notifications as ``conf`` says (deploy.loadapp's).

    Requests send by the configuration of the application that served
    them (their context's ``config``); this one is for contexts that name
    none.
    """
    _NOTIFIER['conf'] = conf


def _conf(context=None):
    return (getattr(context, 'config', None) or _NOTIFIER.get('conf')
            or CONF)


def get_notifier(conf=None):
    conf = conf or _conf()
    notifiers = _NOTIFIER['by_conf']
    if id(conf) not in notifiers:
        oslo_messaging = notification_conf.messaging(conf)
        transport = oslo_messaging.get_notification_transport(conf)
        notifiers[id(conf)] = (conf, oslo_messaging.Notifier(
            transport, publisher_id=conf.default_publisher_id,
            serializer=_ContextSerializer()))
    return notifiers[id(conf)][1]


def reset():
    """Forget the notifiers and the set-up configuration (tests)."""
    _NOTIFIER.pop('conf', None)
    for _conf_kept, notifier in _NOTIFIER['by_conf'].values():
        notifier.transport.cleanup()
    _NOTIFIER['by_conf'].clear()


def is_enabled(event_type, conf=None):
    """Whether ``event_type`` is to be sent.

    Not if [DEFAULT] disabled_notifications names it, or a group of it: a
    prefix that ends at a dot ("image", "image.member").
    """
    for disabled in (conf or _conf()).disabled_notifications:
        if event_type == disabled or event_type.startswith(disabled + '.'):
            return False
    return True


def _in_transaction(context):
    try:
        context.transaction_ctx
    except db_exc.NoEngineContextEstablished:
        return False
    return True


def notify(context, event_type, payload, priority='info'):
    """Send ``event_type`` with ``payload`` on behalf of ``context``.

    Call it after the writer function that made the change returned,
    i.e. after its commit. A failure to send is logged, never raised:
    the change is made, and the caller's request must not fail.
    """
    if _in_transaction(context):
        raise RuntimeError('%s sent inside a database transaction; send it '
                           'after the transaction commits.' % event_type)
    conf = _conf(context)
    if not is_enabled(event_type, conf):
        return
    try:
        notifier = get_notifier(conf)
    except Exception:
        # A bad transport_url, say: the change stands, the operator learns
        # from the log.
        LOG.exception('Cannot send the notification %s', event_type)
        return
    getattr(notifier, priority)(context, event_type, payload)


# Copied as they are into Glance's image and member payloads; the times
# are formatted, and the rest computed.
_IMAGE_FIELDS = ('id', 'name', 'status', 'min_disk', 'min_ram', 'protected',
                 'checksum', 'owner', 'disk_format', 'container_format',
                 'size', 'virtual_size', 'visibility')
_MEMBER_FIELDS = ('image_id', 'member_id', 'status')


def _payload(row, fields, deleted):
    payload = {field: row[field] for field in fields}
    payload['created_at'] = util.isotime(row['created_at'])
    payload['updated_at'] = util.isotime(row['updated_at'])
    payload['deleted'] = deleted
    payload['deleted_at'] = (util.isotime(timeutils.utcnow()) if deleted
                             else None)
    return payload


def format_image(image, deleted=False):
    """Glance's image payload (the image's location is never in it)."""
    payload = _payload(image, _IMAGE_FIELDS, deleted)
    payload.update(is_public=image['visibility'] == 'public',
                   properties=dict(image['properties']),
                   tags=list(image['tags']))
    return payload


def format_member(member, deleted=False):
    """Glance's image member payload."""
    return _payload(member, _MEMBER_FIELDS, deleted)


def format_image_upload(image):
    """Glance's image.upload payload.

    The image, and its import progress: none, for data sent with PUT.
    """
    return dict(format_image(image), os_glance_importing_to_stores=[],
                os_glance_failed_import=[])


def format_image_send(context, image, bytes_sent, destination_ip):
    """Glance's image.send payload: who downloaded how much of what."""
    return {
        'bytes_sent': bytes_sent,
        'image_id': image['id'],
        'owner_id': image['owner'],
        'receiver_tenant_id': context.project_id,
        'receiver_user_id': context.user_id,
        'destination_ip': destination_ip,
    }


def notify_when_sent(context, image, data, expected, destination_ip):
    """``data``, passed through; image.send once the last byte went out.

    As Glance: at info priority if ``expected`` bytes went out, at error
    priority if the store gave fewer; nothing if the client hung up
    before the end (the WSGI server then closes the iterator early).
    """
    sent = 0
    try:
        for chunk in data:
            sent += len(chunk)
            yield chunk
    finally:
        close = getattr(data, 'close', None)
        if close is not None:
            close()
    notify(context, 'image.send',
           format_image_send(context, image, sent, destination_ip),
           priority='info' if sent == expected else 'error')
