"""Hostile and careless input through the whole WSGI app, on every backend.

Each test runs once per backend (SQLite, MariaDB, PostgreSQL) against a
new database, through the same Paste pipeline as production (noauth).
Bad input must give a 4xx with the JSON error shape, never a 5xx, and a
refused request must leave every table as it was (issue 9).
"""

import io
import json
import logging
from urllib import parse

import fixtures
import sqlalchemy as sa
import testscenarios
import webob

from glance_sharing.api.middleware import cors
from glance_sharing.conf import CONF
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures

load_tests = testscenarios.load_tests_apply_scenarios

PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'
TABLES = ('images', 'image_properties', 'image_tags', 'image_members',
          'image_member_history')


def nested(depth):
    """JSON text of ``depth`` nested lists, built without recursion."""
    return '[' * depth + ']' * depth


# JSON values a careless or hostile client may put anywhere a value goes;
# raw JSON text, so lone surrogates and deep nesting can be sent at all.
BODY_VALUES = {
    'nul': json.dumps('a\x00b'),
    'lone_surrogate': '"\\ud800"',
    'lone_low_surrogate': '"x\\udfff"',
    'int_2_31': str(2 ** 31),
    'int_2_63': str(2 ** 63),
    'int_huge': '9' * 400,
    'negative': '-1',
    'float': '1.5',
    'float_huge': '1e308',
    'float_overflow': '1e400',
    'nan': 'NaN',
    'deep': nested(1000),
    'nested_object': '{"a": {"b": {"c": "d"}}}',
    'string_64k': json.dumps('x' * 65536),
    'empty': '""',
    'whitespace': '" \\t\\n"',
    'null': 'null',
    'true': 'true',
    'list': '["a"]',
}
# Strings a client may use as names: property keys, tags, member ids.
NAME_VALUES = {
    'nul': 'a\x00b',
    'lone_surrogate': '\ud800',
    'string_300': 'k' * 300,
    'string_64k': 'x' * 65536,
    'empty': '',
    'whitespace': ' \t',
    'tilde': '~',
    'slash': 'a/b',
    'unicode': '\u00e9\U0001f600',
}
# Raw (already percent-encoded) path segments and query values.
RAW_VALUES = {
    'nul': '%00',
    'not_utf8': '%FF',
    'overlong_utf8': '%C0%AF',
    'encoded_surrogate': '%ED%A0%80',
    'empty': '',
    'whitespace': '%20%09',
    'underscore_int': '5_0',
    'spaced_int': '%205',
    'huge_int': '9' * 40,
    'negative': '-1',
    'float': '1.5',
    'string_64k': 'x' * 65536,
    'unicode_digits': parse.quote('\u0665\u0660'),
}

IMAGE_FIELDS = ('name', 'visibility', 'protected', 'os_hidden', 'owner',
                'container_format', 'disk_format', 'min_disk', 'min_ram',
                'tags', 'id', 'custom_property')
IMAGE_QUERY = ('limit', 'marker', 'sort_key', 'sort_dir', 'sort',
               'visibility', 'member_status', 'tag', 'name', 'owner',
               'protected', 'os_hidden', 'status', 'custom_property')
MEMBER_QUERY = ('limit', 'marker')


class APITestCase(base.TestCase):
    """The Paste app on a new ``db_backend`` database, with request helpers.

    Requests go through the in-process client (fixtures.APIClient): the
    routes, middleware and handlers are those of production, only the
    socket is missing.
    """

    scenarios = gs_fixtures.BACKEND_SCENARIOS

    def setUp(self):
        super().setUp()
        self.owner = base.project_id()
        self.api = self.useFixture(
            gs_fixtures.APIClient(CONF, project=self.owner))
        self.engine = self.db.manager.writer.get_engine()

    def call(self, method, path, project=None, body=None, raw_body=None,
             content_type=None, roles='reader,member', headers=None):
        """Send one request; ``path`` is sent as is (percent-encoded).

        ``raw_body``: JSON text, sent as it is; ``body``: a value, sent as
        JSON. ``project=False`` sends no identity headers.
        """
        if body is not None:
            raw_body = json.dumps(body)
        return self.api.request(
            method, path, raw_body, project=project, roles=roles,
            content_type=content_type or (
                PATCH_TYPE if method == 'PATCH' else 'application/json'),
            headers=headers)

    def create_image(self, project=None, **values):
        values.setdefault('visibility', 'shared')
        response = self.call('POST', '/v2/images', project, values)
        self.assertEqual(201, response.status_int, response.text)
        return response.json['id']

    def snapshot(self):
        """Every row of every table, for "nothing half-written" checks."""
        with self.engine.connect() as connection:
            return {table: sorted(
                (tuple(str(v) for v in row) for row in connection.execute(
                    sa.text('SELECT * FROM %s' % table))))
                for table in TABLES}

    def assert_error(self, status, response, what=''):
        self.assertEqual(status, response.status_int,
                         '%s: %s' % (what, response.text[:500]))
        self.assert_error_shape(response, what)

    def assert_error_shape(self, response, what=''):
        self.assertEqual('application/json', response.content_type, what)
        error = response.json['error']
        self.assertEqual(response.status_int, error['code'], what)
        self.assertTrue(error['message'], what)

    def assert_clean_refusal(self, method, path, what, **kwargs):
        """No 5xx; a refusal has the JSON error shape and writes nothing.

        Returns the response.
        """
        before = self.snapshot()
        response = self.call(method, path, **kwargs)
        status = response.status_int
        self.assertLess(status, 500, '%s: %s' % (what, response.text[:500]))
        if status >= 400:
            self.assert_error_shape(response, what)
            self.assertEqual(before, self.snapshot(), what)
        return response


class TestBadValueMatrix(APITestCase):
    """Every input place x a catalogue of hostile values (issue 9, item 4)."""

    def setUp(self):
        super().setUp()
        self.image_id = self.create_image(name='target', tags=['t'],
                                          custom_property='v')
        self.consumer = base.project_id()
        self.assertEqual(200, self.call(
            'POST', '/v2/images/%s/members' % self.image_id,
            body={'member': self.consumer}).status_int)

    def test_image_create_bodies(self):
        for field in IMAGE_FIELDS:
            for name, value in BODY_VALUES.items():
                self.assert_clean_refusal(
                    'POST', '/v2/images', '%s=%s' % (field, name),
                    raw_body='{"%s": %s}' % (field, value))

    def test_image_create_property_names(self):
        for name, key in NAME_VALUES.items():
            raw = '{%s: "v"}' % json.dumps(key)
            self.assert_clean_refusal('POST', '/v2/images', 'key=%s' % name,
                                      raw_body=raw)

    def test_image_patch_values(self):
        url = '/v2/images/%s' % self.image_id
        for field in IMAGE_FIELDS:
            for op in ('add', 'replace'):
                for name, value in BODY_VALUES.items():
                    self.assert_clean_refusal(
                        'PATCH', url, '%s %s=%s' % (op, field, name),
                        raw_body='[{"op": "%s", "path": "/%s", "value": %s}]'
                        % (op, field, value))

    def test_image_patch_paths(self):
        url = '/v2/images/%s' % self.image_id
        paths = dict(('/' + k, v) for k, v in NAME_VALUES.items())
        paths.update({'bad_tilde': '/a~2b', 'lone_tilde': '/~',
                      'two_levels': '/a/b', 'root': '/', 'no_slash': 'a'})
        for name, path in paths.items():
            for op in ('add', 'replace', 'remove'):
                operation = {'op': op, 'path': path, 'value': 'v'}
                self.assert_clean_refusal('PATCH', url, '%s %s' % (op, name),
                                          body=[operation])
        for name, value in BODY_VALUES.items():
            self.assert_clean_refusal(
                'PATCH', url, 'path=%s' % name,
                raw_body='[{"op": "add", "path": %s, "value": "v"}]' % value)
            self.assert_clean_refusal(
                'PATCH', url, 'op=%s' % name,
                raw_body='[{"op": %s, "path": "/x", "value": "v"}]' % value)
            self.assert_clean_refusal('PATCH', url, 'body=%s' % name,
                                      raw_body=value)

    def test_member_bodies(self):
        members = '/v2/images/%s/members' % self.image_id
        for name, value in BODY_VALUES.items():
            self.assert_clean_refusal('POST', members, 'member=%s' % name,
                                      raw_body='{"member": %s}' % value)
            self.assert_clean_refusal(
                'PUT', members + '/' + self.consumer, 'status=%s' % name,
                project=self.consumer, raw_body='{"status": %s}' % value)

    def test_path_segments(self):
        image = '/v2/images/%s' % self.image_id
        for name, raw in RAW_VALUES.items():
            for method, path in (
                    ('GET', '/v2/images/' + raw),
                    ('DELETE', '/v2/images/' + raw),
                    ('GET', '/v2/images/%s/members' % raw),
                    ('PUT', image + '/tags/' + raw),
                    ('DELETE', image + '/tags/' + raw),
                    ('GET', image + '/members/' + raw),
                    ('DELETE', image + '/members/' + raw)):
                self.assert_clean_refusal(method, path,
                                          '%s %s' % (method, name))
        for name, tag in NAME_VALUES.items():
            quoted = parse.quote(tag.encode('utf-8', 'surrogatepass'))
            for method in ('PUT', 'DELETE'):
                self.assert_clean_refusal(method, image + '/tags/' + quoted,
                                          'tag %s %s' % (method, name))

    def test_query_parameters(self):
        members = '/v2/images/%s/members' % self.image_id
        for name, raw in RAW_VALUES.items():
            for param in IMAGE_QUERY:
                self.assert_clean_refusal(
                    'GET', '/v2/images?%s=%s' % (param, raw),
                    'images %s=%s' % (param, name))
            for param in MEMBER_QUERY:
                self.assert_clean_refusal(
                    'GET', '%s?%s=%s' % (members, param, raw),
                    'members %s=%s' % (param, name))
            self.assert_clean_refusal('GET', '/v2/images?%s=1' % raw,
                                      'parameter name %s' % name)


class TestInputLimits(APITestCase):
    """One test per input defect of issue 9 (D2-D7, D12, D14)."""

    def test_query_string_not_utf8_is_400(self):
        # D2
        image_id = self.create_image()
        for path in ('/v2/images?x=%FF', '/v2/images?%FF=1',
                     '/v2/images/%s/members?marker=%%FF' % image_id):
            self.assert_error(400, self.call('GET', path), path)

    def test_lone_surrogates_are_400_everywhere(self):
        # D3
        image_id = self.create_image()
        for raw in ('{"name": "\\ud800"}', '{"tags": ["\\ud800"]}',
                    '{"\\ud800": "v"}', '{"p": "\\udfff"}',
                    '{"owner": "\\ud800"}'):
            self.assert_error(400, self.call('POST', '/v2/images',
                                             raw_body=raw), raw)
        self.assert_error(400, self.call(
            'PATCH', '/v2/images/%s' % image_id,
            raw_body='[{"op": "add", "path": "/p", "value": "\\ud800"}]'))
        self.assert_error(400, self.call(
            'POST', '/v2/images/%s/members' % image_id,
            raw_body='{"member": "\\ud800"}'))

    def test_integers_beyond_the_columns_are_400(self):
        # D4
        image_id = self.create_image()
        for field in ('min_disk', 'min_ram'):
            for value in (2 ** 31, 2 ** 63):
                self.assert_error(400, self.call(
                    'POST', '/v2/images', body={field: value}))
                self.assert_error(400, self.call(
                    'PATCH', '/v2/images/%s' % image_id,
                    body=[{'op': 'replace', 'path': '/' + field,
                           'value': value}]))
            self.assertEqual(201, self.call(
                'POST', '/v2/images', body={field: 2 ** 31 - 1}).status_int)

    def test_nul_is_400_in_bodies_paths_and_queries(self):
        # D5
        image_id = self.create_image()
        self.assert_error(400, self.call('POST', '/v2/images',
                                         body={'name': 'a\x00'}))
        self.assert_error(400, self.call('POST', '/v2/images',
                                         body={'p\x00': 'v'}))
        self.assert_error(400, self.call(
            'PATCH', '/v2/images/%s' % image_id,
            body=[{'op': 'add', 'path': '/p', 'value': '\x00'}]))
        for path in ('/v2/images/%00/members', '/v2/images/%00',
                     '/v2/images?marker=%00', '/v2/images?name=%00',
                     '/v2/images/%s/members?marker=%%00' % image_id,
                     '/v2/images/%s/members/%%00' % image_id):
            self.assert_error(400, self.call('GET', path), path)
        self.assert_error(400, self.call(
            'PUT', '/v2/images/%s/tags/a%%00' % image_id))

    def test_property_names_over_255_characters_are_400(self):
        # D6
        image_id = self.create_image()
        self.assert_error(400, self.call('POST', '/v2/images',
                                         body={'k' * 256: 'v'}))
        self.assert_error(400, self.call(
            'PATCH', '/v2/images/%s' % image_id,
            body=[{'op': 'add', 'path': '/' + 'k' * 256, 'value': 'v'}]))
        self.assertEqual(201, self.call('POST', '/v2/images',
                                        body={'k' * 255: 'v'}).status_int)

    def test_deep_nesting_is_400(self):
        # D7
        for depth in (40, 1000, 20000):
            self.assert_error(400, self.call(
                'POST', '/v2/images',
                raw_body='{"name": %s}' % nested(depth)), depth)
        self.assertEqual(201, self.call(
            'POST', '/v2/images', raw_body='{"p": "%s"}' % nested(5)
        ).status_int)

    def test_body_shorter_than_content_length_is_a_quiet_400(self):
        # D12
        log = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        req = webob.Request.blank('/v2/images', method='POST')
        req.headers['X-Project-Id'] = self.owner
        req.content_type = 'application/json'
        req.environ['wsgi.input'] = io.BytesIO(b'{"name": "sho')
        req.environ['CONTENT_LENGTH'] = '100'
        response = req.get_response(self.api.app)
        self.assert_error(400, response)
        self.assertNotIn('Traceback', log.output)
        self.assertNotIn('Unexpected', log.output)

    def test_json_pointers_follow_rfc_6901(self):
        # D14
        image_id = self.create_image()
        url = '/v2/images/%s' % image_id
        for path in ('/a~2b', '/~', '/a~', '/~~'):
            self.assert_error(400, self.call(
                'PATCH', url, body=[{'op': 'add', 'path': path,
                                     'value': 'v'}]), path)
        response = self.call('PATCH', url, body=[
            {'op': 'add', 'path': '/a~1b', 'value': 'slash'},
            {'op': 'add', 'path': '/c~0d', 'value': 'tilde'}])
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual('slash', response.json['a/b'])
        self.assertEqual('tilde', response.json['c~d'])

    def test_limit_takes_plain_digits_only(self):
        # D14
        image_id = self.create_image()
        for value in ('5_0', '%205', '5%20', '%2B5', '%D9%A5', '0x5'):
            for path in ('/v2/images?limit=' + value,
                         '/v2/images/%s/members?limit=%s' % (image_id,
                                                             value)):
                self.assert_error(400, self.call('GET', path), path)
        self.assertEqual(200, self.call('GET', '/v2/images?limit=50')
                         .status_int)


class TestPolicyTargets(APITestCase):

    def test_owner_who_is_a_member_cannot_set_another_members_status(self):
        # D8: an admin gives the image to one of its members; that
        # project may then manage the image but not answer for others.
        first, second = base.project_id(), base.project_id()
        image_id = self.create_image()
        members = '/v2/images/%s/members' % image_id
        for member in (first, second):
            self.assertEqual(200, self.call('POST', members,
                                            body={'member': member})
                             .status_int)
        response = self.call(
            'PATCH', '/v2/images/%s' % image_id, roles='admin',
            body=[{'op': 'replace', 'path': '/owner', 'value': first}])
        self.assertEqual(200, response.status_int, response.text)
        for status in ('accepted', 'rejected'):
            self.assert_error(403, self.call(
                'PUT', members + '/' + second, first, {'status': status}))
        self.assertEqual('pending', self.call(
            'GET', members + '/' + second, second).json['status'])
        # Its own membership it still answers, and the real member too.
        self.assertEqual(200, self.call('PUT', members + '/' + first, first,
                                        {'status': 'accepted'}).status_int)
        self.assertEqual(200, self.call('PUT', members + '/' + second,
                                        second, {'status': 'accepted'})
                         .status_int)

    def test_project_named_none_gets_no_rights_on_ownerless_images(self):
        # D10: oslo.policy renders a None target value as 'None'.
        response = self.call('POST', '/v2/images', roles='admin',
                             body={'owner': None, 'visibility': 'public'})
        self.assertEqual(201, response.status_int, response.text)
        image_id = response.json['id']
        url = '/v2/images/%s' % image_id
        none = 'None'
        self.assertEqual(200, self.call('GET', url, none).status_int)
        self.assert_error(403, self.call(
            'PATCH', url, none,
            [{'op': 'replace', 'path': '/name', 'value': 'mine'}]))
        self.assert_error(403, self.call('PUT', url + '/tags/x', none))
        self.assert_error(403, self.call('DELETE', url, none))
        self.assertIsNone(self.call('GET', url).json['name'])

    def test_creating_with_the_id_of_a_private_image_is_409(self):
        # D9, decided: 409 as from Glance; ids are random UUIDs, so the
        # answer tells nothing about images one could not already name.
        image_id = self.create_image(visibility='private')
        response = self.call('POST', '/v2/images', base.project_id(),
                             {'id': image_id})
        self.assert_error(409, response)
        self.assertEqual(404, self.call('GET', '/v2/images/%s' % image_id,
                                        base.project_id()).status_int)


class TestMethods(APITestCase):
    """D13: 405 with Allow everywhere; HEAD wherever GET; real preflights."""

    def test_options_is_not_answered_before_authentication(self):
        image_id = self.create_image()
        for path in ('/v2/images', '/v2/images/%s' % image_id,
                     '/v2/images/%s/members' % image_id, '/v2/schemas/image'):
            self.assert_error(401, self.call('OPTIONS', path, project=False),
                              path)
            response = self.call('OPTIONS', path)
            self.assert_error(405, response, path)
            self.assertIn('HEAD', response.headers['Allow'])

    def test_cors_preflight_still_works(self):
        # The Paste filter reads [cors] from the project's own files; the
        # same filter with an allowed origin given directly stands in.
        self.api.app = cors.CORS(self.api.app, {
            'allowed_origin': 'https://dashboard.example'})
        response = self.call('OPTIONS', '/v2/images', project=False, headers={
            'Origin': 'https://dashboard.example',
            'Access-Control-Request-Method': 'GET'})
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual('https://dashboard.example',
                         response.headers['Access-Control-Allow-Origin'])
        # A preflight from an origin not configured gets no CORS headers.
        response = self.call('OPTIONS', '/v2/images', project=False, headers={
            'Origin': 'https://evil.example',
            'Access-Control-Request-Method': 'GET'})
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)

    def test_healthcheck_answers_get_and_head_only(self):
        self.assertEqual(200, self.call('GET', '/healthcheck',
                                        project=False).status_int)
        # oslo.middleware answers HEAD with 204.
        self.assertEqual(204, self.call('HEAD', '/healthcheck',
                                        project=False).status_int)
        for method in ('TRACE', 'PROPFIND', 'POST', 'PUT', 'DELETE',
                       'OPTIONS', 'PATCH'):
            response = self.call(method, '/healthcheck', project=False)
            self.assert_error(405, response, method)
            self.assertEqual('GET, HEAD', response.headers['Allow'])

    def test_head_is_answered_like_get_without_a_body(self):
        image_id = self.create_image()
        self.assertEqual(200, self.call(
            'POST', '/v2/images/%s/members' % image_id,
            body={'member': 'm'}).status_int)
        for path in ('/v2/images', '/v2/images/%s' % image_id,
                     '/v2/images/%s/members' % image_id,
                     '/v2/images/%s/members/m' % image_id,
                     '/v2/schemas/image', '/versions'):
            get = self.call('GET', path)
            head = self.call('HEAD', path)
            self.assertEqual(get.status_int, head.status_int, path)
            self.assertEqual(b'', head.body, path)
            self.assertEqual(get.content_type, head.content_type, path)
        self.assertEqual(404, self.call('HEAD', '/v2/images/nope')
                         .status_int)
