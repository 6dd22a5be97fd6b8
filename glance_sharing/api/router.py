"""The one route table of the API, and the dispatcher built from it."""

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
from glance_sharing.api import wsgi_wrapper
from glance_sharing import deploy
from glance_sharing.i18n import _

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


class Router:
    """Dispatch a request to the handler its path and method select.

    The handler runs in wsgi_wrapper.respond, which answers its errors;
    it finds the configuration the application was built with in the
    request (util.conf).
    """

    def __init__(self, declarations=None, conf=None):
        self.conf = conf or deploy.building_conf()
        declarations = self.declarations = declarations or ROUTES
        self.mapper = make_map(declarations)
        self.handlers = {handler for methods in declarations.values()
                         for handler in methods.values()}

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls(conf=deploy.building_conf())

    @webob.dec.wsgify
    def __call__(self, req):
        path = util.decoded_path(req)
        match = {'action': _undecodable_path}
        if path is not None:
            match = self.mapper.match(url=path, environ=req.environ) or {}
        handler = match.pop('action', _not_found)
        match.pop('path_info', None)
        req.urlvars = match
        req.environ[util.ROUTES_KEY] = self.declarations
        req.environ[util.CONF_KEY] = self.conf
        return wsgi_wrapper.respond(req, handler,
                                    check_body=handler in self.handlers)
