"""The one route table of the API, and the dispatcher built from it."""

from oslo_db import exception as db_exc
from oslo_log import log as logging
import routes
import webob.dec
import webob.exc

from glance_sharing.api.handlers import image_actions
from glance_sharing.api.handlers import image_data
from glance_sharing.api.handlers import images
from glance_sharing.api.handlers import members
from glance_sharing.api.handlers import schemas
from glance_sharing.api import openapi
from glance_sharing.api import util
from glance_sharing.db import engine as db_engine
from glance_sharing import exception
from glance_sharing.i18n import _

LOG = logging.getLogger(__name__)

# Path -> method -> handler. The versions document (/ and /versions) is
# answered before authentication by the versions middleware.
ROUTES = {
    '/v2/images': {
        'GET': images.list_images,
        'POST': images.create_image,
    },
    '/v2/images/{image_id}': {
        'GET': images.show_image,
        'PATCH': images.update_image,
        'DELETE': images.delete_image,
    },
    '/v2/images/{image_id}/file': {
        'GET': image_data.download_image_data,
        'PUT': image_data.upload_image_data,
    },
    '/v2/images/{image_id}/actions/deactivate': {
        'POST': image_actions.deactivate_image,
    },
    '/v2/images/{image_id}/actions/reactivate': {
        'POST': image_actions.reactivate_image,
    },
    '/v2/images/{image_id}/tags/{tag_value}': {
        'PUT': images.add_tag,
        'DELETE': images.delete_tag,
    },
    '/v2/images/{image_id}/members': {
        'GET': members.list_members,
        'POST': members.create_member,
    },
    '/v2/images/{image_id}/members/{member_id}': {
        'GET': members.show_member,
        'PUT': members.update_member,
        'DELETE': members.delete_member,
    },
    '/v2/schemas/image': {'GET': schemas.show_image_schema},
    '/v2/schemas/images': {'GET': schemas.show_images_schema},
    '/v2/schemas/member': {'GET': schemas.show_member_schema},
    '/v2/schemas/members': {'GET': schemas.show_members_schema},
    openapi.PATH: {'GET': schemas.show_openapi},
}


def _method_not_allowed(allowed):
    def handler(req):
        raise util.method_not_allowed(req, allowed)
    return handler


def _not_found(req):
    raise webob.exc.HTTPNotFound(
        _('The resource %s could not be found.') % req.path)


def _undecodable_path(req):
    raise webob.exc.HTTPNotFound(
        _('The resource could not be found: the request path is not valid '
          'UTF-8.'))


def with_head(methods):
    """``methods`` plus HEAD wherever there is GET (the same handler).

    A HEAD is answered as the GET would be, without the body (webob drops
    it), so clients may probe any resource they may read.
    """
    if 'GET' in methods:
        methods = dict(methods, HEAD=methods['GET'])
    return methods


def make_map(declarations):
    """A Routes mapper for ``declarations``, with 405 and 404 built in."""
    mapper = routes.Mapper()
    for path, methods in declarations.items():
        methods = with_head(methods)
        for method, handler in methods.items():
            mapper.connect(path, action=handler,
                           conditions={'method': [method]})
        mapper.connect(path, action=_method_not_allowed(sorted(methods)))
    mapper.connect('/{path_info:.*}', action=_not_found)
    return mapper


def _call(handler, req):
    """Run ``handler``; a read runs in one reader transaction throughout.

    The image lookup, the policy checks and the rows a GET returns then
    share one snapshot and one connection instead of taking one each.
    """
    context = req.environ.get(util.CONTEXT_KEY)
    if req.method not in ('GET', 'HEAD') or context is None:
        return handler(req)
    with db_engine.main_context_manager.reader.using(context):
        return handler(req)


class Router:
    """Dispatch a request to the handler its path and method select.

    Handler errors (webob HTTP exceptions, and domain errors with their
    status code) become JSON error responses; a database that cannot be
    reached becomes 503 with Retry-After.
    """

    def __init__(self, declarations=None):
        declarations = self.declarations = declarations or ROUTES
        self.mapper = make_map(declarations)
        self.handlers = {handler for methods in declarations.values()
                         for handler in methods.values()}

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            # WSGI hands PATH_INFO over as latin-1; member ids and tags in
            # the path are UTF-8, as they are in the bodies.
            path = req.path_info
        except UnicodeDecodeError:
            path = None
        match = {'action': _undecodable_path}
        if path is not None:
            match = self.mapper.match(url=path, environ=req.environ) or {}
        handler = match.pop('action', _not_found)
        match.pop('path_info', None)
        req.urlvars = match
        req.environ[util.ROUTES_KEY] = self.declarations
        try:
            if path is not None:
                util.check_query_and_path(req, path)
            refusal = util.unexpected_body(req)
            if refusal is not None and handler in self.handlers:
                raise refusal
            return _call(handler, req)
        except exception.GlanceSharingException as exc:
            return util.error_response(
                req, webob.exc.status_map[exc.code](str(exc),
                                                    headers=exc.headers))
        except webob.exc.WSGIHTTPException as exc:
            if exc.code >= 500:
                LOG.error('%s %s failed: %s', req.method, req.path, exc)
            return util.error_response(req, exc)
        except (db_exc.DBDeadlock, db_engine.DatabaseBusy):
            # Still conflicting after the writer's retries, or SQLite's
            # lock still taken: the next attempt may well succeed.
            LOG.exception('Database busy during %s %s', req.method, req.path)
            return util.error_response(req, webob.exc.HTTPServiceUnavailable(
                _('The database is busy; retry later.'),
                headers={'Retry-After': '5'}))
        except db_exc.DBConnectionError:
            LOG.exception('Database unreachable during %s %s',
                          req.method, req.path)
            return util.error_response(req, webob.exc.HTTPServiceUnavailable(
                _('The database is unreachable; retry later.'),
                headers={'Retry-After': '5'}))
