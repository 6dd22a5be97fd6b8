"""One log line per request, with the request id, user and project."""

import time

from oslo_context import context as oslo_context
from oslo_log import log as logging
from oslo_middleware import request_id

from glance_sharing.api.middleware import base
from glance_sharing.api import util

LOG = logging.getLogger(__name__)


def _bare_context(environ, overwrite):
    """A context with only the request's local and global request ids."""
    return oslo_context.RequestContext(
        request_id=environ.get(request_id.ENV_REQUEST_ID),
        global_request_id=environ.get(request_id.GLOBAL_REQ_ID),
        overwrite=overwrite)


class RequestLog(base.Middleware):
    """Log method, path, status, length and duration of every request.

    The line is logged through the request's context, so oslo.log's
    logging_context_format_string puts the request id, user and project
    in front of it. Requests that never got an identity (version
    discovery, healthcheck, a 401) are logged with the request id alone.
    Only the path and query string are logged: never a header, so never a
    token.

    It also makes a bare context with the request id the thread's current
    one as the request comes in, so that lines logged before the full
    context exists (by auth_token, say) name this request rather than the
    one the thread served before.
    """

    def __call__(self, environ, start_response):
        started = time.monotonic()
        _bare_context(environ, overwrite=True)
        status = []
        length = []

        def recording_start_response(status_line, headers, exc_info=None):
            status.append(status_line.split(' ', 1)[0])
            length.extend(value for name, value in headers
                          if name.lower() == 'content-length')
            return start_response(status_line, headers, exc_info)

        try:
            return self.application(environ, recording_start_response)
        finally:
            self._log(environ, status[0] if status else '-',
                      length[0] if length else '-',
                      time.monotonic() - started)

    @staticmethod
    def _log(environ, status, length, elapsed):
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if environ.get('QUERY_STRING'):
            path += '?' + environ['QUERY_STRING']
        context = environ.get(util.CONTEXT_KEY)
        if context is None:
            context = _bare_context(environ, overwrite=False)
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(length)s time: %(time).6f',
                 {'remote': environ.get('REMOTE_ADDR', '-'),
                  'method': environ.get('REQUEST_METHOD'), 'path': path,
                  'status': status, 'length': length, 'time': elapsed},
                 context=context)
