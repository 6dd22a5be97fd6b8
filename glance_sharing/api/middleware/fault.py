"""The outermost guard: every error leaves the service as our JSON.

Exceptions nothing else caught become a logged 500. Error responses made
by third-party middleware (auth_token's 401, sizelimit's 413, ...) are
rewritten into the same JSON shape the handlers use.
"""

from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob.dec
import webob.exc

from glance_sharing.api.middleware import base
from glance_sharing.api import util
from glance_sharing.i18n import _

LOG = logging.getLogger(__name__)


def _message(response):
    """The human sentence of a foreign error response, if it has one."""
    if response.content_type == util.JSON_TYPE:
        try:
            body = jsonutils.loads(response.body)
        except ValueError:
            return None
        error = body.get('error', body) if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get('message'), str):
            return error['message']
    return None


class FaultWrapper(base.Middleware):
    """Turn every error, raised or returned, into our JSON error body."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            response = req.get_response(self.application)
        except webob.exc.HTTPException as exc:
            # Raised, not returned, by a filter that is no wsgify layer.
            response = exc
        except Exception:
            # The raw PATH_INFO: req.path fails on a path that is not
            # UTF-8, and this handler must not fail.
            LOG.exception('Unexpected error handling %s %s',
                          req.method, req.environ.get('PATH_INFO'))
            return util.error_response(req, webob.exc.HTTPInternalServerError(
                _('The server failed to handle the request; it has been '
                  'logged with the request id.')))
        if response.status_int < 400 or self._is_ours(response):
            return response
        error_class = webob.exc.status_map.get(
            response.status_int, webob.exc.HTTPInternalServerError)
        error = error_class(_message(response) or error_class.explanation)
        normalised = util.error_response(req, error)
        for name in ('WWW-Authenticate', 'Allow', 'Retry-After'):
            if name in response.headers:
                normalised.headers[name] = response.headers[name]
        return normalised

    @staticmethod
    def _is_ours(response):
        if response.content_type != util.JSON_TYPE:
            return False
        try:
            error = jsonutils.loads(response.body).get('error')
        except (ValueError, AttributeError):
            return False
        return isinstance(error, dict) and 'request_id' in error
