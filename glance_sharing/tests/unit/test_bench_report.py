"""benchmarks.report's summary of several side-by-side runs."""

import testtools

from benchmarks import report


def _run(ours, theirs, errors=0):
    """One run: member show at ``ours`` and ``theirs`` req/s, CPU 1 and 4."""
    label = 'member show (owner)'
    return {'runs': {'sqlite': {'small': {
        'calls': {'member-show': {'label': label, 'rps': ours,
                                  'cpu_ms': 1.0}},
        'glance': {'calls': {'member-show': {
            'label': label, 'rps': theirs, 'cpu_ms': 4.0,
            'errors': errors}}}}}}}


class TestSummary(testtools.TestCase):

    def test_a_column_a_run_with_targets_and_errors(self):
        text = report.summary([('fast', _run(1200.0, 100.0)),
                               ('slow', _run(300.0, 100.0, errors=3))])
        header, _rule, row = text.splitlines()[1:]
        self.assertIn('fast', header)
        self.assertIn('slow', header)
        fast, slow = row.split('|')[2:]
        self.assertIn('12.0x /   4.0x', fast)
        self.assertNotIn('<', fast)
        self.assertIn('<', slow)   # 3x, under the 10x read target
        self.assertIn('E', slow)   # Glance failed some requests

    def test_a_call_missing_from_the_first_run_is_kept(self):
        first = _run(1.0, 1.0)
        second = _run(1.0, 1.0)
        run = second['runs']['sqlite']['small']
        run['calls']['image-create'] = {'label': 'image create', 'rps': 5.0,
                                        'cpu_ms': 1.0}
        run['glance']['calls']['image-create'] = {
            'label': 'image create', 'rps': 1.0, 'cpu_ms': 1.0}
        text = report.summary([('a', first), ('b', second)])
        self.assertIn('image create', text)

    def test_several_runs_of_one_file_are_named(self):
        results = _run(1.0, 1.0)
        results['runs']['postgresql'] = results['runs']['sqlite']
        header = report.summary([('file', results)]).splitlines()[1]
        self.assertIn('file, sqlite small', header)
        self.assertIn('file, postgresql small', header)
