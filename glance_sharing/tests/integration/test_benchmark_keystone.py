"""The benchmark's keystone mode (benchmarks/keystone.py), at a tiny scale.

Seeds the Keystone projects' ids, serves the keystone pipeline under the
benchmark's gunicorn and sends every call with a real token; asserts only
that every call answers as expected and runs the same SQL statements as
in noauth mode (auth_token never touches the service's database).
"""

import fixtures

from glance_sharing.tests import base as test_base
from glance_sharing.tests.integration import base

try:
    from benchmarks import keystone as bench_keystone
    from benchmarks import load
    from benchmarks import run
    from benchmarks import seed
except ImportError:  # not run from a source tree
    run = None


class TestBenchmarkKeystoneMode(base.TestCase):

    def setUp(self):
        super().setUp()
        if run is None:
            test_base.skip_or_fail(
                self, 'benchmarks/ is not importable (run the tests from '
                'the repository root)')
        self.workdir = self.useFixture(fixtures.TempDir()).path

    def _run(self, auth, use_wrk=False, only=None):
        return run.run_scale('sqlite', seed.SCALES['tiny'], self.workdir,
                             workers=2, duration=1, use_wrk=use_wrk,
                             only=only, samples=2, log=lambda *a: None,
                             auth=auth)

    def test_calls_with_real_tokens(self):
        auth = bench_keystone.KeystoneAuth(self.cloud)
        results, manifest = self._run(auth)
        self.assertEqual(self.project('alpha'), manifest['owner'])
        self.assertEqual(self.project('beta'), manifest['consumer'])
        self.assertEqual(self.project('gamma'), manifest['updater'])
        noauth, _manifest = self._run(None)

        def statements(results):
            return {name: {s['statements'] for s in call['samples']}
                    for name, call in results['calls'].items()}

        self.assertEqual(statements(noauth), statements(results))
        self.assertEqual({0}, statements(results)['floor'])

    def test_wrk_sends_tokens(self):
        if not load.wrk_available():
            test_base.skip_or_fail(self, 'wrk is not installed '
                                   '(tools/install-test-tools.sh '
                                   'installs it)')
        only = {'floor', 'member-show', 'member-update'}
        results, _manifest = self._run(
            bench_keystone.KeystoneAuth(self.cloud), use_wrk=True, only=only)
        for name, call in results['calls'].items():
            self.assertGreater(call['requests'], 0, name)
            self.assertEqual(0, call['errors'], name)
