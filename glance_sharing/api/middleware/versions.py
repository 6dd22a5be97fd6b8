"""Answer version discovery before authentication; route /v2.N to /v2."""

from glance_sharing.api.handlers import versions
from glance_sharing.api.middleware import base
from glance_sharing.api import util
from glance_sharing.api import wsgi_wrapper
from glance_sharing import deploy


def _discovery(req):
    """GET or HEAD / (300) and /versions (200): the versions document."""
    return versions.show_versions(
        req, status=200 if req.path_info == '/versions' else 300)


def _not_allowed(req):
    raise util.method_not_allowed(req, ('GET', 'HEAD'))


class VersionNegotiation(base.Middleware):
    """Serve version discovery; route /v2.N/... to /v2/...."""

    def __init__(self, application):
        super().__init__(application)
        # The document's links use [DEFAULT] public_endpoint.
        self.conf = deploy.building_conf()

    def process(self, req):
        req.environ[util.CONF_KEY] = self.conf
        path = util.decoded_path(req)
        if path is None:
            # Not a version path; the router answers what it is.
            return None
        first = path.strip('/').split('/', 1)[0]
        if path in ('', '/', '/versions'):
            # As in the router, a 405 comes before a refused body.
            readable = req.method in ('GET', 'HEAD')
            return wsgi_wrapper.respond(
                req, _discovery if readable else _not_allowed,
                check_body=readable)
        if first in versions.ALIASES:
            if first != 'v2':
                req.path_info = '/v2' + path[len(first) + 1:]
        elif first.startswith('v') and first[1:2].isdigit():
            # A version we do not serve: tell the client which we do.
            return versions.show_versions(req, status=300)
        return None
