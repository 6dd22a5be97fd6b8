"""Answer version discovery before authentication; route /v2.N to /v2."""

import webob.dec

from glance_sharing.api.handlers import versions
from glance_sharing.api.middleware import base
from glance_sharing.api import util


class VersionNegotiation(base.Middleware):
    """Serve version discovery; route /v2.N/... to /v2/...."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            path = req.path_info
        except UnicodeDecodeError:
            # Not a version path; the router answers what it is.
            return req.get_response(self.application)
        first = path.strip('/').split('/', 1)[0]
        if path in ('', '/', '/versions'):
            if req.method not in ('GET', 'HEAD'):
                return util.error_response(
                    req, util.method_not_allowed(req, ('GET', 'HEAD')))
            refusal = util.unexpected_body(req)
            if refusal is not None:
                return util.error_response(req, refusal)
            return versions.show_versions(
                req, status=200 if path == '/versions' else 300)
        if first in versions.ALIASES:
            if first != 'v2':
                req.path_info = '/v2' + path[len(first) + 1:]
        elif first.startswith('v') and first[1:2].isdigit():
            # A version we do not serve: tell the client which we do.
            return versions.show_versions(req, status=300)
        return req.get_response(self.application)
