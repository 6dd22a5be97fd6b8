"""Build the RequestContext from what auth_token (or noauth) established."""

from oslo_serialization import jsonutils
import webob.exc

from glance_sharing.api.middleware import base
from glance_sharing.api import util
from glance_sharing import context
from glance_sharing import deploy
from glance_sharing.i18n import _
from glance_sharing import policy


class ContextMiddleware(base.Middleware):
    """Refuse requests without an identity; attach a RequestContext."""

    def __init__(self, application):
        super().__init__(application)
        self.conf = deploy.building_conf()

    def process(self, req):
        if req.headers.get('X-Identity-Status') != 'Confirmed':
            return util.error_response(req, webob.exc.HTTPUnauthorized(
                _('Authentication required.')))
        ctx = context.RequestContext.from_environ(
            req.environ, service_catalog=_service_catalog(req),
            config=self.conf)
        ctx.is_admin = policy.check(ctx, 'context_is_admin', {})
        req.environ[util.CONTEXT_KEY] = ctx
        return None


def _service_catalog(req):
    """The catalog auth_token put in X-Service-Catalog, if any.

    auth_token replaces whatever a client sent in that header; under
    noauth a header that is not a JSON list is ignored.
    """
    try:
        catalog = jsonutils.loads(req.headers.get('X-Service-Catalog', ''))
    except ValueError:
        return None
    return catalog if isinstance(catalog, list) else None
