"""Every cell of the policy matrix, through the real application.

One test per route of the route table; each runs every persona against
an image of every visibility and reports all the cells that differ from
glance_sharing/tests/policy_matrix.py at once.
"""

import os

import fixtures as base_fixtures
import testtools

from glance_sharing.conf import CONF
from glance_sharing.tests import fixtures
from glance_sharing.tests import personas
from glance_sharing.tests import policy_matrix as matrix
from glance_sharing.tests import route_tests


class PolicyMatrixTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.ConfFixture(CONF))
        # About 3,000 small writes per run: in memory-backed /dev/shm
        # where there is one, as they test policy, not durability.
        shm = '/dev/shm' if os.access('/dev/shm', os.W_OK) else None
        folder = self.useFixture(base_fixtures.TempDir(rootdir=shm)).path
        self.useFixture(fixtures.Database(
            CONF, url='sqlite:///' + os.path.join(folder, 'matrix.sqlite')))
        self.api = self.useFixture(fixtures.APIClient(CONF))
        self.projects = personas.Projects()
        self.admin = self.projects.headers(personas.BY_NAME['admin'])
        self.images = {}

    def _call(self, method, path, headers, body=None, content_type=None):
        # The persona's headers carry its identity.
        return self.api.request(
            method, path, body, project=False, headers=headers,
            content_type=content_type or 'application/json')

    def _as_admin(self, method, path, body, content_type, status):
        response = self._call(method, path, self.admin, body, content_type)
        self.assertEqual(status, response.status_int, response.body)
        return response.json_body if response.body else None

    def _image(self, visibility, persona, steps):
        """The image a cell acts on, fresh after any successful write.

        ``steps`` (matrix.STEPS) are applied to it first.
        """
        key = (visibility, persona.image, steps)
        if key not in self.images:
            image_id = self.projects.image_for(self._as_admin, visibility,
                                               persona, matrix.TAG)
            for step in steps:
                method, suffix, body, content_type, status = (
                    matrix.STEPS[step])
                self._as_admin(method, '/v2/images/%s%s' % (
                    image_id, suffix), body, content_type, status)
            self.images[key] = image_id
        return self.images[key]

    def _cell(self, method, path, persona, visibility):
        body, content_type = matrix.request_body(method, path, visibility,
                                                 self.projects)
        concrete = path
        steps = matrix.PREPARE.get((method, path), ())
        if '{image_id}' in path:
            concrete = concrete.replace(
                '{image_id}', self._image(visibility, persona, steps))
        concrete = concrete.replace(
            '{member_id}', self.projects.own_member_id(persona)).replace(
            '{tag_value}', matrix.TAG)
        response = self._call(method, concrete,
                              self.projects.headers(persona), body,
                              content_type)
        if response.status_int >= 400:
            self.assertEqual(response.status_int,
                             response.json_body['error']['code'])
        elif method != 'GET':
            # The next cell needs the image as image_for makes it.
            self.images.pop((visibility, persona.image, steps), None)
        return response.status_int

    def check_route(self, method, path):
        self.assertIn((method, path), matrix.EXPECTED,
                      'no policy matrix rows for %s %s' % (method, path))
        wrong = {}
        for persona in personas.PERSONAS:
            for visibility in matrix.VISIBILITIES:
                want = matrix.expected(method, path, persona.name,
                                       visibility)
                got = self._cell(method, path, persona, visibility)
                if got != want:
                    wrong['%s on %s' % (persona.name, visibility)] = (
                        'expected %d, got %d' % (want, got))
        self.assertEqual({}, wrong, '%s %s' % (method, path))


route_tests.add(PolicyMatrixTest, route_tests.served(), 'check_route',
                'Policy matrix')


class PolicyMatrixTableTest(testtools.TestCase):
    """The table itself: complete, and rendered into the docs."""

    def test_every_route_has_rows_and_every_row_a_route(self):
        self.assertEqual(sorted(route_tests.served()),
                         sorted(matrix.EXPECTED))

    def test_every_persona_has_a_code_per_visibility(self):
        names = [persona.name for persona in personas.PERSONAS]
        for key, rows in matrix.EXPECTED.items():
            self.assertEqual(sorted(names), sorted(rows), key)
            for name in names:
                for visibility in matrix.VISIBILITIES:
                    code = matrix.expected(key[0], key[1], name, visibility)
                    self.assertTrue(200 <= code < 500, (key, name))
