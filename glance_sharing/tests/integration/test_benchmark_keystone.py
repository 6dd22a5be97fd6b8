"""The benchmark's keystone mode (benchmarks/keystone.py), at a tiny scale.

Seeds the Keystone projects' ids, serves the keystone pipeline under the
benchmark's gunicorn and sends every call with a real token; asserts only
that every call answers as expected and runs the same SQL statements as
in noauth mode (auth_token never touches the service's database).
"""

import os
import re

from glance_sharing.tests import base as test_base
from glance_sharing.tests.integration import base
from harness import glance as glance_harness
from harness import keystone
from harness import swift

try:
    from benchmarks import keystone as bench_keystone
    from benchmarks import run
    from benchmarks import seed
except ImportError:  # not run from a source tree
    run = None


class TestBenchmarkKeystoneMode(base.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = test_base.benchmark_workdir(self, run is not None)

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

    def test_glance_beside_it_with_real_tokens(self):
        # --auth keystone --glance: Glance's own auth_token validates the
        # same tokens; both answer every call as expected, with the same
        # items.
        try:
            venv = glance_harness.install()
        except keystone.Unavailable as exc:
            test_base.skip_or_fail(self, str(exc))
        warnings = []
        results, _manifest = run.run_scale(
            'sqlite', seed.SCALES['tiny'], self.workdir, workers=2,
            duration=1, use_wrk=False, samples=2,
            log=lambda line, *a: warnings.append(line)
            if 'WARNING' in line else None,
            auth=bench_keystone.KeystoneAuth(self.cloud), glance_venv=venv)
        self.assertEqual([], warnings)
        self.assertEqual(set(results['calls']) - {'floor'},
                         set(results['glance']['calls']))

    def test_wrk_sends_tokens(self):
        test_base.require_wrk(self)
        only = {'floor', 'member-show', 'member-update'}
        results, _manifest = self._run(
            bench_keystone.KeystoneAuth(self.cloud), use_wrk=True, only=only)
        for name, call in results['calls'].items():
            self.assertGreater(call['requests'], 0, name)
            self.assertEqual(0, call['errors'], name)


class TestBenchmarkSwiftData(base.SwiftTestCase):
    """The image data rows on a real Swift store (``--swift``)."""

    def setUp(self):
        super().setUp()
        self.workdir = test_base.benchmark_workdir(self, run is not None)

    def test_swift_rows_beside_swift_alone(self):
        # 1 MiB and a bit: no multiple of any chunk size.
        size = 1024 * 1024 + 7
        auth = bench_keystone.KeystoneAuth(self.cloud, self.swift)
        proxy_log = os.path.join(self.swift.root, 'proxy-server.log')
        logged_before = os.path.getsize(proxy_log)
        results, _manifest = run.run_scale(
            'sqlite', seed.SCALES['tiny'], self.workdir, workers=2,
            duration=1, use_wrk=False, only={'floor'}, samples=1,
            log=lambda *a: None, auth=auth, data_size=size, data_rounds=2)
        measured = results['data_swift']
        self.assertEqual((size, 'Swift alone'),
                         (measured['size'], measured['floor']))
        for key in ('upload_mbps', 'download_mbps', 'floor_write_mbps',
                    'floor_read_mbps'):
            self.assertGreater(measured[key], 0, key)
        # The data went to Swift, one image per round, and nothing is left
        # there: the images and the floor's objects are deleted.
        token = self.swift.service_token()
        project = self.swift.service_project()
        with open(proxy_log, errors='replace') as log:
            log.seek(logged_before)
            stored = re.findall(r'PUT /v1/AUTH_%s/%s/([-0-9a-f]{36}) ' % (
                project, swift.CONTAINER), log.read())
        self.assertEqual(2, len(set(stored)), stored)
        for container in (swift.CONTAINER, 'bench-floor'):
            self.assertEqual([], self.swift.list_container(
                token, container, project))
        text = test_base.benchmark_report(results)
        self.assertIn('Swift store', text)
        self.assertIn('Swift alone MB/s', text)
