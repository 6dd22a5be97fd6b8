"""The OpenAPI description covers the route table, and nothing else.

Guard rails: every route is described, with the schema its handler
validates bodies with and the query parameters it declares; a handler
that declares nothing makes the generator fail instead of describing it
vaguely; every schema in the description is a valid JSON Schema.
"""

import re

import jsonschema
import schemathesis
import testtools
import webob

from glance_sharing.api import openapi
from glance_sharing.api import router
from glance_sharing.api import util
from glance_sharing.conf import CONF
from glance_sharing.tests import fixtures


def _routes():
    for path, methods in router.ROUTES.items():
        for method, handler in methods.items():
            yield path, method, handler


def _schemas(value):
    """Every JSON Schema the description holds, wherever it sits."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == 'schema' and isinstance(item, dict):
                yield item
            else:
                yield from _schemas(item)
    elif isinstance(value, list):
        for item in value:
            yield from _schemas(item)


class OpenAPIDocumentTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.document = openapi.document(router.ROUTES)

    def _operation(self, path, method):
        return self.document['paths'][path][method.lower()]

    def test_every_route_appears_and_nothing_else(self):
        served = {(path, method.lower()) for path, method, _h in _routes()}
        served |= {('/', 'get'), ('/versions', 'get')}
        described = {(path, method)
                     for path, methods in self.document['paths'].items()
                     for method in methods}
        self.assertEqual(sorted(served), sorted(described))
        for path, method, handler in _routes():
            self.assertEqual(handler.__name__,
                             self._operation(path, method)['operationId'])

    def test_every_handler_declares_its_answer(self):
        for path, method, handler in _routes():
            declared = getattr(handler, 'api_operation', None)
            self.assertIsInstance(declared, openapi.Operation,
                                  '%s %s' % (method, path))
            for status, body in openapi.successes(declared).items():
                self.assertIn(status, (200, 201, 204, 206))
                self.assertEqual(status == 204, body is None,
                                 '%s %s: a body exactly when not 204'
                                 % (method, path))

    def test_a_route_without_a_declaration_is_refused(self):
        def undeclared(req):
            """GET /v2/nothing: a handler that declares nothing."""

        error = self.assertRaises(ValueError, openapi.document,
                                  {'/v2/nothing': {'GET': undeclared}})
        self.assertIn('GET /v2/nothing', str(error))

    def test_a_path_parameter_without_a_schema_is_refused(self):
        self.assertRaises(KeyError, openapi.document, {
            '/v2/images/{unknown}': {'GET': router.ROUTES[
                '/v2/images/{image_id}']['GET']}})

    def test_bodies_are_the_schemas_the_handlers_validate_with(self):
        for path, method, handler in _routes():
            operation = self._operation(path, method)
            schema = getattr(handler, 'body_schema', None)
            if handler.api_operation.request:
                self.assertIsNone(schema)
                self.assertEqual(
                    handler.api_operation.request,
                    {media_type: content['schema'] for media_type, content
                     in operation['requestBody']['content'].items()})
                continue
            if schema is None:
                self.assertNotIn('requestBody', operation, path)
                continue
            content = operation['requestBody']['content']
            self.assertEqual(sorted(handler.body_schemas), sorted(content))
            for media_type, media in content.items():
                self.assertIs(handler.body_schemas[media_type],
                              media['schema'])
            self.assertIn('415', operation['responses'])

    def test_the_patch_takes_the_json_patch_media_types(self):
        content = self._operation('/v2/images/{image_id}',
                                  'PATCH')['requestBody']['content']
        self.assertEqual(sorted(util.JSON_PATCH_TYPES), sorted(content))

    def test_parameters_are_the_path_and_declared_query(self):
        for path, method, handler in _routes():
            parameters = self._operation(path, method)['parameters']
            by_place = {}
            for parameter in parameters:
                by_place.setdefault(parameter['in'], []).append(
                    parameter['name'])
            self.assertEqual(re.findall(r'\{(\w+)\}', path),
                             by_place.get('path', []))
            self.assertEqual(sorted(handler.api_operation.query),
                             by_place.get('query', []))
            self.assertEqual(
                sorted(handler.api_operation.headers) + [
                    openapi.REQUEST_ID_HEADER], by_place['header'])

    def test_the_image_list_reads_what_it_declares(self):
        declared = router.ROUTES['/v2/images']['GET'].api_operation.query
        for name in ('limit', 'marker', 'sort', 'sort_key', 'sort_dir',
                     'visibility', 'member_status', 'tag', 'owner',
                     'protected', 'os_hidden', 'name'):
            self.assertIn(name, declared)

    def test_every_error_is_the_json_error_body(self):
        for path, method, _handler in _routes():
            responses = self._operation(path, method)['responses']
            for status, response in responses.items():
                if int(status) >= 400:
                    schema = response['content'][util.JSON_TYPE]['schema']
                    self.assertEqual({'$ref': '#/components/schemas/Error'},
                                     schema)
                    self.assertIn(int(status), openapi.ERROR_REASONS)
        error = self.document['components']['schemas']['Error']
        jsonschema.validate(util.error_body(404, 'Not Found', 'gone',
                                            'req-' + '0' * 8 + '-0000-0000-'
                                            '0000-' + '0' * 12), error)

    def test_every_schema_is_valid_json_schema(self):
        validator = jsonschema.Draft202012Validator
        for schema in _schemas(self.document):
            validator.check_schema(schema)

    def test_schemathesis_reads_every_operation(self):
        schema = schemathesis.openapi.from_dict(self.document)
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertEqual(len(list(_routes())) + 2, len(operations))


class OpenAPIServedTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.ConfFixture(CONF))

    def test_served_description_is_the_generated_one(self):
        req = webob.Request.blank(openapi.PATH,
                                  base_url='http://images.example.com')
        response = req.get_response(router.Router())
        self.assertEqual(200, response.status_int)
        self.assertEqual(util.JSON_TYPE, response.content_type)
        self.assertEqual(
            openapi.document(router.ROUTES, 'http://images.example.com'),
            response.json_body)

    def test_a_router_describes_its_own_table(self):
        routes = {openapi.PATH: router.ROUTES[openapi.PATH]}
        req = webob.Request.blank(openapi.PATH)
        response = req.get_response(router.Router(routes))
        self.assertEqual(['/', '/v2/openapi.json', '/versions'],
                         sorted(response.json_body['paths']))
