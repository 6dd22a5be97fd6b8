"""Database failures become 503 with Retry-After, never 500 (decision 9)."""

import json

import fixtures
from oslo_db import exception as db_exc
import testscenarios
import testtools
import webob

from glance_sharing.api import router
from glance_sharing.db import engine as db_engine

load_tests = testscenarios.load_tests_apply_scenarios


class TestDatabaseErrors(testtools.TestCase):

    scenarios = [
        ('unreachable', {'error': db_exc.DBConnectionError(),
                         'message': 'The database is unreachable'}),
        ('deadlock', {'error': db_exc.DBDeadlock(),
                      'message': 'The database is busy'}),
        ('consistency', {'error': db_exc.DBConsistencyError(),
                         'message': 'The database is busy'}),
        ('sqlite_locked', {'error': db_engine.DatabaseBusy(),
                           'message': 'The database is busy'}),
    ]

    def test_db_error_is_503_with_retry_after(self):
        def handler(req):
            raise self.error

        log = self.useFixture(fixtures.FakeLogger())
        app = router.Router({'/v2/thing': {'GET': handler}})
        response = webob.Request.blank('/v2/thing').get_response(app)
        # The operator gets the cause; the client only the sentence.
        self.assertIn('during GET /v2/thing', log.output)
        self.assertIn(type(self.error).__name__, log.output)
        self.assertEqual(503, response.status_int)
        self.assertEqual('5', response.headers['Retry-After'])
        error = json.loads(response.body)['error']
        self.assertEqual(503, error['code'])
        self.assertIn(self.message, error['message'])
        self.assertNotIn(b'Traceback', response.body)
