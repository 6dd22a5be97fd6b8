"""Handlers for image data: upload and download, streamed through the store.

Data never sits whole in memory: an upload is read from the request in
the store's chunks, counted and capped as it goes, and a download hands
the store's iterator to the WSGI server.
"""

from oslo_log import log as logging
import webob.byterange
import webob.exc
import webob.request

from glance_sharing.api.handlers import common
from glance_sharing.api import openapi
from glance_sharing.api import util
from glance_sharing import data_access
from glance_sharing.db import images as db_images
from glance_sharing import exception
from glance_sharing.i18n import _
from glance_sharing import image_store
from glance_sharing import notifier
from glance_sharing.policies import images as rules

LOG = logging.getLogger(__name__)

DATA_TYPE = 'application/octet-stream'


class UploadStream:
    """The request body as the store reads it: counted, capped, complete.

    ``expected`` is the Content-Length (None when chunked). Reading past
    ``cap`` bytes, a body that ends short of ``expected``, and a body that
    cannot be read (the client hung up) each raise our error, which makes
    the store discard what it wrote.
    """

    def __init__(self, body_file, expected, cap):
        self.body_file = body_file
        self.expected = expected
        self.cap = cap
        self.received = 0

    def read(self, size):
        try:
            chunk = self.body_file.read(size)
        except (OSError, webob.request.DisconnectionError) as exc:
            LOG.info('Reading an upload failed after %d bytes: %s',
                     self.received, exc)
            raise exception.UploadReadError(received=self.received)
        self.received += len(chunk)
        if self.received > self.cap:
            raise exception.ImageSizeCapExceeded(cap=self.cap)
        if (not chunk and self.expected is not None
                and self.received < self.expected):
            raise exception.IncompleteUpload(received=self.received,
                                             expected=self.expected)
        return chunk


def _require_octet_stream(req):
    if req.content_type != DATA_TYPE:
        raise webob.exc.HTTPUnsupportedMediaType(
            _('Content-Type %(got)s is not supported for image data; send '
              '%(want)s.') % {'got': req.content_type or _('(none)'),
                              'want': DATA_TYPE})


def _require_readable_body(req):
    # A chunked body (no Content-Length) reaches the application only if
    # the server decodes it and says so (wsgi.input_terminated: gunicorn,
    # mod_wsgi with WSGIChunkedRequest On). Elsewhere (wsgiref, the
    # development server) webob reads it as empty, which would store a
    # 0-byte image and lose the data: refuse it, as mod_wsgi does.
    if req.content_length is None and not req.is_body_readable and (
            req.headers.get('Transfer-Encoding')):
        raise webob.exc.HTTPLengthRequired(
            _('This server cannot read a chunked request body; send the '
              'image data with a Content-Length.'))


def _virtual_size(image, stored):
    # A raw disk is its own virtual disk; other formats would need their
    # headers read, which is not done here.
    return stored.size if image['disk_format'] == 'raw' else None


@openapi.operation(204, errors=[400, 403, 409, 410],
                   request={DATA_TYPE: openapi.BINARY})
def upload_image_data(req):
    """PUT /v2/images/{image_id}/file: 204; the image becomes active.

    On any failure the image goes back to queued, the store keeps nothing,
    and the next upload can start afresh.
    """
    context = util.context(req)
    _require_octet_stream(req)
    _require_readable_body(req)
    image = common.visible_image(context, req.urlvars['image_id'])
    common.authorize(context, rules.UPLOAD_IMAGE, image)
    conf = util.conf(req)
    expected = req.content_length
    image_id = image['id']
    # Status and formats first, as Glance checks them before any data.
    db_images.image_upload_start(context, image_id)
    try:
        if expected is not None and expected > conf.image_size_cap:
            raise exception.ImageSizeCapExceeded(cap=conf.image_size_cap)
        stored = image_store.add(
            conf, image_id,
            UploadStream(req.body_file, expected, conf.image_size_cap),
            expected or 0, context=context)
    except BaseException:
        db_images.image_upload_abort(context, image_id)
        raise
    try:
        db_images.image_upload_finish(context, image_id, stored,
                                      _virtual_size(image, stored))
    except BaseException:
        # Deleted meanwhile, or the database failed: the data belongs to
        # no image, so it goes, and a later upload starts afresh.
        image_store.delete(stored.location, context=context)
        db_images.image_upload_abort(context, image_id)
        raise
    _notify_uploaded(context, image_id)
    # Members added before the data came may read it from the store too.
    data_access.sync(context, image_id, stored.location, conf)
    return util.no_content(req)


def _notify_uploaded(context, image_id):
    """image.upload, then image.activate, as Glance sends them."""
    image = common.committed_image(context, image_id)
    if image is None:
        return
    notifier.notify(context, 'image.upload',
                    notifier.format_image_upload(image))
    notifier.notify(context, 'image.activate', notifier.format_image(image))


def _byte_range(req, size):
    """(start, stop) asked for by a Range header, or None for all of it.

    One range only, as Glance; a suffix (bytes=-N) counts from the end,
    and an end past the data is the end of the data.
    """
    header = req.headers.get('Range')
    if header is None:
        return None
    if ',' in header:
        raise exception.BadRange()
    parsed = webob.byterange.Range.parse(header)
    start, stop = (parsed.start, parsed.end) if parsed else (size, size)
    if start < 0:
        start = max(size + start, 0)
    if stop is None or stop > size:
        stop = size
    if start >= stop:
        raise exception.RangeNotSatisfiable(
            range=header, size=size,
            headers={'Content-Range': 'bytes */%d' % size})
    return start, stop


def _check_downloadable(context, image):
    if image['status'] == 'deactivated' and not context.is_admin:
        raise webob.exc.HTTPForbidden(
            _('The requested image has been deactivated. Image data '
              'download is forbidden.'))


@openapi.operation(
    200, openapi.BINARY, errors=[403, 416], media_type=DATA_TYPE,
    also={206: openapi.BINARY, 204: None},
    headers={'Range': {'type': 'string',
                       'description': 'one byte range, such as '
                                      '"bytes=0-1023" or "bytes=-512"'}})
def download_image_data(req):
    """GET /v2/images/{image_id}/file: 200 with the data, 206 for a Range.

    204 for an image without data. Content-MD5 is the whole image's MD5
    in hex, as Glance sends it.
    """
    context = util.context(req)
    image = common.visible_image(context, req.urlvars['image_id'])
    common.authorize(context, rules.DOWNLOAD_IMAGE, image)
    _check_downloadable(context, image)
    if not image['location']:
        return util.no_content(req)
    size = image['size']
    span = _byte_range(req, size)
    start, stop = span or (0, size)
    data = image_store.get(image['location'], offset=start,
                           length=stop - start if span else None,
                           context=context)
    if data is None:
        return util.no_content(req)
    response = req.response
    response.status = 206 if span else 200
    response.content_type = DATA_TYPE
    response.app_iter = notifier.notify_when_sent(
        context, image, data, stop - start, req.remote_addr)
    response.content_length = stop - start
    if span:
        response.headers['Content-Range'] = 'bytes %d-%d/%d' % (
            start, stop - 1, size)
    if image['checksum']:
        response.headers['Content-MD5'] = image['checksum']
    return response
