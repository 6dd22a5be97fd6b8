"""Guard rails that walk the route table.

Every route is under a policy rule, every call that takes a body names
the schema of that body, and every documented policy operation exists.
"""

import re

import testtools
import webob

from glance_sharing.api import openapi
from glance_sharing.api import router
from glance_sharing.api import util
from glance_sharing import policies
from glance_sharing.policies import members as member_policies

METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE')
# Documents served to anyone authenticated, as by Glance: no policy
# applies.
UNPOLICED_PREFIX = '/v2/schemas/'


def _unpoliced(path):
    return path.startswith(UNPOLICED_PREFIX) or path == openapi.PATH


def _routes():
    for path, methods in router.ROUTES.items():
        for method, handler in methods.items():
            yield path, method, handler


def _documented_operations():
    operations = set()
    for rule in policies.list_rules():
        for operation in getattr(rule, 'operations', None) or []:
            operations.add((operation['method'], operation['path']))
    return operations


def _concrete(path):
    return re.sub(r'\{(\w+)\}', r'x-\1', path)


class RouteTableTest(testtools.TestCase):

    def test_every_route_has_a_policy(self):
        documented = _documented_operations()
        missing = [(method, path) for path, method, _h in _routes()
                   if not _unpoliced(path)
                   and (method, path) not in documented]
        self.assertEqual([], missing)

    def test_schema_routes_are_get_only(self):
        for path, method, _handler in _routes():
            if _unpoliced(path):
                self.assertEqual('GET', method, path)

    def test_every_documented_operation_is_a_route(self):
        routes = {(method, path) for path, method, _h in _routes()}
        unknown = sorted(_documented_operations() - routes)
        self.assertEqual([], unknown)

    def test_every_write_has_a_body_schema(self):
        member_put = ('PUT', member_policies.MEMBER)
        missing = [
            (method, path) for path, method, handler in _routes()
            if (method in ('POST', 'PATCH') or (method, path) == member_put)
            and not getattr(handler, 'takes_no_body', False)
            and not isinstance(getattr(handler, 'body_schema', None), dict)]
        self.assertEqual([], missing)

    def test_calls_without_a_body_have_no_body_schema(self):
        # The router refuses a body on these, so a schema there would be
        # dead code hiding a mistake in the route table.
        for path, method, handler in _routes():
            if method not in util.BODY_METHODS:
                self.assertFalse(hasattr(handler, 'body_schema'),
                                 '%s %s' % (method, path))

    def test_body_schemas_describe_objects_or_lists(self):
        for path, method, handler in _routes():
            schema = getattr(handler, 'body_schema', None)
            if schema is not None:
                self.assertIn(schema.get('type'), ('object', 'array'),
                              '%s %s' % (method, path))

    def test_every_handler_states_its_contract(self):
        for path, method, handler in _routes():
            self.assertTrue((handler.__doc__ or '').strip(),
                            '%s %s has no docstring' % (method, path))

    def test_every_other_method_is_405_with_allow(self):
        app = router.Router()
        for path, methods in router.ROUTES.items():
            methods = router.with_head(methods)
            allowed = ', '.join(sorted(methods))
            for method in METHODS:
                if method in methods:
                    continue
                response = webob.Request.blank(
                    _concrete(path), method=method).get_response(app)
                self.assertEqual(405, response.status_int,
                                 '%s %s' % (method, path))
                self.assertEqual(allowed, response.headers['Allow'])
                if method != 'HEAD':
                    self.assertEqual(405,
                                     response.json_body['error']['code'])

    def test_paths_outside_the_table_are_404(self):
        app = router.Router()
        for path in router.ROUTES:
            for bad in (_concrete(path) + '/no/such/thing',
                        '/v3' + path[3:]):
                response = webob.Request.blank(bad).get_response(app)
                self.assertEqual(404, response.status_int, bad)
                self.assertEqual(404, response.json_body['error']['code'])
