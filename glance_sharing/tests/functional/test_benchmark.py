"""Smoke test of the benchmark suite (benchmarks/), at a tiny scale.

It runs the machinery end to end: seed, serve with gunicorn (and under
Apache httpd + mod_wsgi), send every call, read the SQL statement counts,
render the report. It asserts only
that this completes and that every call runs the same number of SQL
statements at two scales (no N+1). Timings are never asserted.
"""

import collections
import os

import fixtures
import testscenarios
import testtools

from glance_sharing.tests import base
from glance_sharing.tests.deployment import apache as apache_fixtures
from glance_sharing.tests import fixtures as gs_fixtures
from harness import apache
from harness import glance as glance_harness
from harness import keystone

try:
    from benchmarks import explain
    from benchmarks import load
    from benchmarks import report
    from benchmarks import run
    from benchmarks import seed
    from benchmarks import servers
except ImportError:  # not run from a source tree
    run = None

load_tests = testscenarios.load_tests_apply_scenarios


class BenchmarkSmokeTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = base.benchmark_workdir(self, run is not None)

    def _run(self, scale, use_wrk=False, only=None, data_size=0):
        results, manifest = run.run_scale(
            'sqlite', seed.SCALES[scale], self.workdir, workers=2,
            duration=1, use_wrk=use_wrk, only=only, samples=2,
            log=lambda *a: None, data_size=data_size, data_rounds=2)
        return results, manifest

    def test_image_data_rows(self):
        # 1 MiB and a bit: no multiple of any chunk size.
        size = 1024 * 1024 + 7
        results, _manifest = self._run('tiny', only={'floor'},
                                       data_size=size)
        measured = results['data']
        self.assertEqual(size, measured['size'])
        for key in ('upload_mbps', 'download_mbps', 'floor_write_mbps',
                    'floor_read_mbps'):
            self.assertGreater(measured[key], 0, key)
        # Nothing is left in the store: images and disk files deleted.
        self.assertEqual([], os.listdir(run.store_dir(
            os.path.join(self.workdir, 'sqlite-tiny'))))
        text = base.benchmark_report(results)
        self.assertIn('image upload (PUT .../file)', text)
        self.assertIn('image download (GET .../file)', text)
        self.assertIn('(write)', text)
        self.assertIn('(read)', text)

    def test_statement_counts_are_constant_across_scales(self):
        runs = collections.OrderedDict(
            (scale, self._run(scale)[0]) for scale in ('tiny', 'tiny2'))
        counts = {}
        for scale, results in runs.items():
            for name, call in results['calls'].items():
                for sample in call['samples']:
                    counts.setdefault(name, set()).add(sample['statements'])
        self.assertEqual(
            {name: len(values) for name, values in counts.items()},
            {name: 1 for name in counts},
            'statement counts per call: %s' % counts)
        # The floor crosses the pipeline and never the database.
        self.assertEqual({0}, counts['floor'])
        text = report.table({'meta': {'date': 'now', 'command': 'test',
                                      'machine': 'test', 'server': 'test',
                                      'load': 'samples only'},
                             'runs': {'sqlite': runs}})
        self.assertIn('member show', text)

    def test_wrk_drives_reads_and_writes(self):
        base.require_wrk(self)
        only = {'floor', 'member-show', 'member-create', 'member-update',
                'member-delete'}
        results, _manifest = self._run('tiny', use_wrk=True, only=only)
        for name, call in results['calls'].items():
            self.assertGreater(call['requests'], 0, name)
            self.assertEqual(0, call['errors'], name)


class BenchmarkGlanceSideBySideTest(testtools.TestCase):
    """Upstream Glance beside glance-sharing (--glance), at tiny scales.

    Glance comes from the project's own installer
    (tools/glance/install-venv.sh, cached in .cache/glance/venv), so CI
    never skips this. Asserts only that the side-by-side completes, that
    both services answer every call as expected with the same items, and
    that glance-sharing's SQL statement counts per call stay constant.
    """

    def setUp(self):
        super().setUp()
        self.workdir = base.benchmark_workdir(self, run is not None)
        try:
            self.venv = glance_harness.install()
        except keystone.Unavailable as exc:
            base.skip_or_fail(self, str(exc))

    def _run(self, scale, use_wrk=False, only=None):
        warnings = []
        results, _manifest = run.run_scale(
            'sqlite', seed.SCALES[scale], self.workdir, workers=2,
            duration=1, use_wrk=use_wrk, only=only, samples=2,
            log=lambda line, *a: warnings.append(line)
            if 'WARNING' in line else None, glance_venv=self.venv)
        self.assertEqual([], warnings)
        return results

    def test_side_by_side(self):
        runs = {'tiny': self._run('tiny'), 'tiny2': self._run('tiny2')}
        counts = {}
        for scale, results in runs.items():
            # Every call but the bench filters' floor, on Glance too.
            self.assertEqual(set(results['calls']) - {'floor'},
                             set(results['glance']['calls']))
            for name, call in results['calls'].items():
                for sample in call['samples']:
                    counts.setdefault(name, set()).add(sample['statements'])
        self.assertEqual(
            {name: 1 for name in counts},
            {name: len(values) for name, values in counts.items()},
            'statement counts per call: %s' % counts)
        text = report.side_by_side({'meta': {'glance': 'test'},
                                    'runs': {'sqlite': runs}})
        self.assertIn('glance-sharing beside upstream Glance', text)
        self.assertIn('member list, 128 members (quota)', text)

    def test_wrk_drives_both(self):
        base.require_wrk(self)
        only = {'floor', 'member-show', 'image-list-1000', 'member-create',
                'image-create'}
        results = self._run('tiny', use_wrk=True, only=only)
        self.assertEqual(only - {'floor'}, set(results['glance']['calls']))
        for service in (results, results['glance']):
            for name, call in service['calls'].items():
                self.assertGreater(call['requests'], 0, name)
                self.assertGreater(call['cpu_ms'], 0, name)
        text = report.side_by_side({'meta': {'glance': 'test'},
                                    'runs': {'sqlite': {'tiny': results}}})
        self.assertIn('image create', text)
        # The summary across runs, one column a run.
        text = report.summary([
            ('first', {'runs': {'sqlite': {'tiny': results}}}),
            ('second', {'runs': {'sqlite': {'tiny': results}}})])
        lines = text.splitlines()
        self.assertIn('first', lines[1])
        self.assertIn('second', lines[1])
        self.assertEqual(len(only - {'floor'}), len(lines) - 3)
        self.assertIn('image create', text)


class BenchmarkApacheSideBySideTest(testtools.TestCase):
    """The side-by-side under Apache httpd + mod_wsgi (--server apache).

    Apache, mod_wsgi and the two venvs of the Python it embeds come from
    the project's own installers (root and apt-get; skipped elsewhere,
    never under CI=true). Drives a few calls and the bare app on both at
    the tiny scale, through the daemon processes of private instances;
    timings are never asserted.
    """

    def setUp(self):
        super().setUp()
        self.workdir = base.benchmark_workdir(self, run is not None)
        base.require_wrk(self)
        # The daemon processes, as www-data, reach their config dirs here.
        os.chmod(self.workdir, 0o755)
        self.kind = servers.Apache()
        try:
            self.kind.install()
            self.venv = self.kind.install_glance()
        except (apache.PrerequisiteMissing, keystone.Unavailable) as exc:
            base.skip_or_fail(self, str(exc))

    def test_wrk_drives_both(self):
        only = {'floor', 'member-show', 'image-list-1000', 'member-create',
                'image-create'}
        warnings = []
        results, _manifest = run.run_scale(
            'sqlite', seed.SCALES['tiny'], self.workdir, workers=2,
            duration=1, use_wrk=True, only=only, samples=2,
            log=lambda line, *a: warnings.append(line)
            if 'WARNING' in line else None, glance_venv=self.venv,
            kind=self.kind)
        self.assertEqual([], warnings)
        self.assertEqual(only - {'floor'}, set(results['glance']['calls']))
        for service in (results, results['glance']):
            for name, call in service['calls'].items():
                self.assertGreater(call['requests'], 0, name)
                # CPU of the daemon processes, found under Apache.
                self.assertGreater(call['cpu_ms'], 0, name)
        for name, call in results['calls'].items():
            self.assertEqual(0, call['errors'], name)
        for venv in (None, self.venv):
            bare = run.bare_floor(self.workdir, 2, 1, 4, 1, venv, self.kind)
            self.assertGreater(bare['requests'], 0)
            self.assertEqual(0, bare['errors'])
        text = report.side_by_side({'meta': {'glance': 'test',
                                             'server_name': 'Apache'},
                                    'runs': {'sqlite': {'tiny': results}}})
        self.assertIn('under each one\'s Apache', text)
        self.assertIn('image create', text)


class BenchmarkApacheSiteTest(testtools.TestCase):
    """The bench's Apache site keeps the sample site's mod_wsgi settings."""

    # Sample site directives that name a deployment's own paths, names
    # and logs, which the bench sets for each of its instances.
    OWN = ('WSGIDaemonProcess', 'WSGIProcessGroup', 'WSGIScriptAlias',
           '<Directory', '</Directory>', 'ErrorLog', 'LogFormat',
           'CustomLog')

    def setUp(self):
        super().setUp()
        if run is None:
            self.skipTest('benchmarks/ is not importable')

    @staticmethod
    def virtual_host(text):
        """The directive lines inside <VirtualHost>, comments left out."""
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if line and not line.startswith('#')]
        start = next(i for i, line in enumerate(lines)
                     if line.startswith('<VirtualHost'))
        return lines[start + 1:lines.index('</VirtualHost>')]

    def test_same_settings_as_the_sample_site(self):
        with open(apache_fixtures.SITE_CONF) as conf:
            sample = self.virtual_host(conf.read())
        bench = self.virtual_host(
            servers.SITE.replace('{{', '{').replace('}}', '}'))
        self.assertEqual(
            [], [line for line in sample
                 if not line.startswith(self.OWN) and line not in bench])
        # harness.apache finds the daemon processes by their display name.
        for site in (sample, bench):
            daemon = next(line for line in site
                          if line.startswith('WSGIDaemonProcess'))
            self.assertIn(' display-name=%{GROUP} ', daemon)


class BenchmarkKeystoneModeTest(testtools.TestCase):
    """What --auth keystone changes, without a Keystone.

    glance_sharing/tests/integration/test_benchmark_keystone.py runs it
    against the real one.
    """

    def setUp(self):
        super().setUp()
        if run is None:
            self.skipTest('benchmarks/ is not importable')

    def test_projects_and_tokens(self):
        projects = {'owner': 'p-owner', 'consumer': 'p-consumer',
                    'updater': 'p-updater'}
        manifest = seed.Seeder(seed.SCALES['tiny'],
                               projects=projects).build()
        default = seed.Seeder(seed.SCALES['tiny']).build()
        self.assertEqual('p-owner', manifest['owner'])
        self.assertEqual('bench-owner', default['owner'])
        # The same data otherwise.
        self.assertEqual(default['ten_image'], manifest['ten_image'])
        tokens = {p: 'token-of-' + p for p in projects.values()}
        for call in load.calls(manifest, tokens):
            headers = call.headers()
            self.assertEqual('token-of-' + call.project,
                             headers['X-Auth-Token'])
            self.assertNotIn('X-Project-Id', headers)
            script = load.lua_script(call, 2)
            self.assertIn('wrk.headers["X-Auth-Token"] = "token-of-%s"' %
                          call.project, script)
            self.assertNotIn('X-Roles', script)
        for call in load.calls(default):
            self.assertEqual(call.project, call.headers()['X-Project-Id'])
            self.assertNotIn('X-Auth-Token', call.headers())

    def test_compare(self):
        def results(rps, cpu):
            return {'meta': {'date': 'now', 'command': 'test',
                             'load': 'test'},
                    'runs': {'sqlite': {'small': {'calls': {
                        'member-show': {'label': 'member show (owner)',
                                        'rps': rps, 'cpu_ms': cpu}}}}}}

        text = report.compare(results(400.0, 2.5), results(500.0, 2.0))
        self.assertIn('sqlite, scale small', text)
        self.assertIn('member show (owner)', text)
        self.assertIn('+0.50', text)
        self.assertIn('0.80', text)


class BenchmarkSeedTest(testtools.TestCase):
    """Seeding and EXPLAIN on every backend, at the tiny scale."""

    scenarios = gs_fixtures.BACKEND_SCENARIOS

    def setUp(self):
        super().setUp()
        if run is None:
            self.skipTest('benchmarks/ is not importable')
        reason = gs_fixtures.backend_unavailable(self.db_backend)
        if reason:
            base.skip_or_fail(self, reason)
        self.workdir = self.useFixture(fixtures.TempDir()).path

    def test_seed_and_explain(self):
        name = 'gs_bench_test_%s' % os.urandom(6).hex()
        manifest = seed.seed(self.db_backend, seed.SCALES['tiny'],
                             self.workdir, db_name=name,
                             log=lambda *a: None)
        if self.db_backend != 'sqlite':
            self.addCleanup(seed.drop_database, self.db_backend,
                            manifest['url'])
        self.assertEqual(seed.SCALES['tiny'].images,
                         manifest['counts']['images'])
        self.assertEqual(seed.SCALES['tiny'].memberships,
                         manifest['counts']['memberships'])
        plans = explain.list_plans(manifest['url'], manifest)
        for name, statements in plans.items():
            self.assertTrue(statements, name)
            for sql, _parameters, plan in statements:
                self.assertTrue('\n'.join(plan).strip(), sql)
