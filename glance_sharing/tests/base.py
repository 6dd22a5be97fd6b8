"""Base test case: configuration, a migrated database and contexts."""

import os
import uuid

import fixtures as fixtures_lib
import testtools

from glance_sharing.conf import CONF
from glance_sharing import context
from glance_sharing.tests import fixtures
from glance_sharing.tests import server


def project_id():
    return uuid.uuid4().hex


def make_context(project=None, roles=('reader', 'member'), admin=False):
    return context.RequestContext(
        project_id=project or project_id(), user_id=uuid.uuid4().hex,
        roles=list(roles) + (['admin'] if admin else []), is_admin=admin)


class ConfTestCase(testtools.TestCase):
    """Our configuration (fixtures.ConfFixture), and no database."""

    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(fixtures.ConfFixture(CONF))


class TestCase(server.ServerLogsOnFailure, ConfTestCase):
    """Configuration and a migrated database on ``db_backend``.

    ``db_backend`` is 'sqlite' unless a subclass or a scenario
    (fixtures.BACKEND_SCENARIOS) says 'mysql' or 'postgresql'.
    """

    db_backend = 'sqlite'

    def setUp(self):
        super().setUp()
        reason = fixtures.backend_unavailable(self.db_backend)
        if reason:
            skip_or_fail(self, reason)
        self.db = self.useFixture(
            fixtures.Database(CONF, backend=self.db_backend))


def skip_or_fail(test, reason):
    """Skip ``test`` for a missing prerequisite, but fail under CI=true.

    Locally a developer may lack a database server or Apache; CI has them
    all, and there a skip would hide a broken set-up.
    """
    if os.environ.get('CI', '').lower() == 'true':
        test.fail('Required in CI: %s' % reason)
    test.skipTest(reason)


def require_wrk(test):
    """Skip ``test`` without wrk (fail under CI=true, which installs it)."""
    from benchmarks import load  # the benchmark's, only where it is used
    if not load.wrk_available():
        skip_or_fail(test, 'wrk is not installed '
                     '(tools/install-test-tools.sh installs it)')


def benchmark_workdir(test, importable):
    """A temporary directory for a benchmark run of ``test``.

    ``importable``: whether benchmarks/ could be imported (it can from the
    repository root only); if not, skip_or_fail.
    """
    if not importable:
        skip_or_fail(test, 'benchmarks/ is not importable (run the tests '
                           'from the repository root)')
    return test.useFixture(fixtures_lib.TempDir()).path


def benchmark_report(results):
    """The benchmark report's text of one SQLite run at the tiny scale."""
    # Imported here: benchmarks/ is importable from the repository root
    # only, and most tests need none of it.
    from benchmarks import report
    return report.table({'meta': {'date': 'now', 'command': 'test',
                                  'machine': 'test', 'server': 'test',
                                  'load': 'samples only', 'data': 'test'},
                         'runs': {'sqlite': {'tiny': results}}})
