"""Property-based fuzzing of a live server against its OpenAPI description.

schemathesis reads the description the server serves at /v2/openapi.json
and generates requests for every operation from it, valid ones and
invalid ones (bodies, queries, path segments, headers); each is sent as
every persona (owner, reader, member in each status, stranger, admin,
project "None", system scope, no identity) to a multi-process gunicorn
server on SQLite or PostgreSQL. Every answer must be: not a 5xx; a
status code the description lists for the call; a body and headers that
match the description; and, for an error, the JSON error body. Path
parameters are drawn partly from ids that exist (images of every
visibility with a member in each status), so the calls get past 404.

The run is deterministic and bounded: a fixed seed per operation,
persona and mode (GLANCE_SHARING_FUZZ_SEED varies them all), and
GLANCE_SHARING_FUZZ_EXAMPLES examples (default 2) per operation, persona
and mode, about two minutes per database on two cores. A release run
raises it (see doc/source/contributor/testing.rst).
"""

import os
import zlib

import hypothesis
from hypothesis import strategies as st
import jsonschema
import requests
import schemathesis
from schemathesis import checks as base_checks
from schemathesis.core import failures
from schemathesis.specs.openapi import checks as openapi_checks
import testtools
from testtools import content

from glance_sharing.api import openapi
from glance_sharing.api import util
from glance_sharing.tests import base
from glance_sharing.tests import fixtures
from glance_sharing.tests import personas
from glance_sharing.tests import route_tests
from harness import server

EXAMPLES_ENV = 'GLANCE_SHARING_FUZZ_EXAMPLES'
# Another value draws other examples (the default, 0, is what CI draws).
SEED_ENV = 'GLANCE_SHARING_FUZZ_SEED'
DEFAULT_EXAMPLES = 2
TAG = 'fuzz'

for _media_type in util.JSON_PATCH_TYPES:
    schemathesis.serializer.alias(_media_type, util.JSON_TYPE)

CHECKS = [
    base_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]
# No identity at all: 401 from the authentication step.
ANONYMOUS = personas.Persona('anonymous', None, '', False)
FUZZ_PERSONAS = personas.PERSONAS + (ANONYMOUS,)


def examples():
    return int(os.environ.get(EXAMPLES_ENV, DEFAULT_EXAMPLES))


def seed(*names):
    """A fixed seed per operation, persona and mode, and per SEED_ENV.

    hypothesis's own derandomize would seed every persona's run of one
    operation alike, so they would all draw the same examples.
    """
    text = ' '.join([os.environ.get(SEED_ENV, '0')] + list(names))
    return zlib.crc32(text.encode('utf-8'))


def _settings():
    return hypothesis.settings(
        max_examples=examples(), derandomize=False, database=None,
        deadline=None, suppress_health_check=list(hypothesis.HealthCheck),
        # No shrinking: the first failing example is reported as found,
        # with a curl command, and the run stays bounded.
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        report_multiple_bugs=False, print_blob=False)


class _Fuzz:
    """Fuzz every operation of one live server (``db_backend``)."""

    db_backend = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._fixtures = []
        try:
            reason = fixtures.backend_unavailable(cls.db_backend)
            if reason:
                cls._unavailable = reason
                return
            cls._unavailable = None
            database = cls._use(fixtures.ProvisionedDatabase(cls.db_backend))
            cls.server = cls._use(server.ServiceProcess(
                db_url=database.url, workers=2))
            projects = personas.Projects()
            document = requests.get(
                cls.server.url + openapi.PATH, timeout=30,
                headers=projects.headers(personas.BY_NAME['admin'])).json()
            cls.schema = schemathesis.openapi.from_dict(document)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def _use(cls, fixture):
        fixture.setUp()
        cls._fixtures.append(fixture)
        return fixture

    @classmethod
    def tearDownClass(cls):
        while cls._fixtures:
            cls._fixtures.pop().cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        if self._unavailable:
            base.skip_or_fail(self, self._unavailable)
        self.projects = personas.Projects()
        self.admin = self.projects.headers(personas.BY_NAME['admin'])
        # A failure shows what the server logged meanwhile (tracebacks).
        start = len(self.server.log())
        self.addOnException(lambda _exc_info: self.addDetail(
            'server-log', content.text_content(self.server.log()[start:])))

    def _admin_call(self, method, path, body, content_type, status):
        headers = dict(self.admin, **{'Content-Type': content_type})
        response = requests.request(method, self.server.url + path,
                                    headers=headers, json=body, timeout=30)
        self.assertEqual(status, response.status_code, response.text)
        return response.json()

    def _seed(self):
        """Ids of images of every visibility, and of one without owner."""
        images = [(v, self.projects.owner) for v in
                  ('public', 'community', 'shared', 'private')]
        return [self.projects.make_image(self._admin_call, visibility,
                                         owner, TAG)
                for visibility, owner in images + [('shared', None)]]

    def _known_values(self, image_ids):
        """Strategies for path parameters that name things that exist."""
        members = [getattr(self.projects, slot) for slot in
                   personas.MEMBER_STATUSES + ('stranger', 'owner')]
        return {'image_id': st.sampled_from(image_ids),
                'member_id': st.sampled_from(members),
                'tag_value': st.just(TAG)}

    def _assert_error_shape(self, response):
        if response.status_code < 400:
            return
        # schemathesis keeps headers lower-cased, each a list of values.
        content_type = response.headers.get('content-type', [''])[0]
        self.assertEqual(util.JSON_TYPE, content_type.split(';')[0],
                         response.text)
        body = response.json()
        jsonschema.validate(body, util.ERROR_SCHEMA)
        self.assertEqual(response.status_code, body['error']['code'])

    def _fuzz(self, operation, mode, persona, known):
        headers = (self.projects.headers(persona)
                   if persona is not ANONYMOUS else {})
        names = [name for name in known
                 if '{%s}' % name in operation.path]
        # For each path parameter: the generated value, or one that
        # exists.
        picks = st.fixed_dictionaries({
            name: st.one_of(st.none(), known[name]) for name in names})

        @hypothesis.seed(seed(operation.method, operation.path,
                              persona.name, mode.value))
        @_settings()
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode),
                          chosen=picks)
        def run(case, chosen):
            for name, value in chosen.items():
                if value is not None:
                    case.path_parameters[name] = value
            response = case.call(base_url=self.server.url, headers=headers,
                                 timeout=60)
            try:
                case.validate_response(response, checks=CHECKS,
                                       headers=headers)
            except failures.FailureGroup as group:
                # An exception group escapes testtools and ends the
                # whole test worker: report it as a plain failure.
                raise AssertionError('%s as %s\n%s' % (
                    operation.label, persona.name, group)) from None
            self._assert_error_shape(response)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            # Nothing of this call can be made invalid (no parameter or
            # body with a constraint to break): the positive run covers
            # it.
            if mode is not schemathesis.GenerationMode.NEGATIVE:
                raise

    def check_operation(self, method, path):
        operation = self.schema[path][method]
        known = {}
        if '{image_id}' in path:
            known = self._known_values(self._seed())
        for mode in (schemathesis.GenerationMode.POSITIVE,
                     schemathesis.GenerationMode.NEGATIVE):
            for persona in FUZZ_PERSONAS:
                self._fuzz(operation, mode, persona, known)


# The versions document is answered before routing, but described too.
DISCOVERY = [('GET', '/'), ('GET', '/versions')]
route_tests.add(_Fuzz, route_tests.served() + DISCOVERY, 'check_operation',
                'Fuzz')


class FuzzSQLiteTest(_Fuzz, testtools.TestCase):
    db_backend = 'sqlite'


class FuzzPostgreSQLTest(_Fuzz, testtools.TestCase):
    db_backend = 'postgresql'
