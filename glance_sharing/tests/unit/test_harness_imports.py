"""benchmarks/ and harness/ stand outside the test package.

harness/ runs the service and its neighbours (Keystone, Swift, memcached)
for the tests and the benchmark alike; benchmarks/ uses it. Neither may
import glance_sharing.tests, and harness/ may not import benchmarks/, so
a change to a test's scaffolding cannot break the benchmark and the
harness serves both sides the same. This walks the sources' imports,
those inside functions and ``try`` blocks included.
"""

import ast
import os

import testtools

from glance_sharing.tests import fixtures

# Top-level folder -> packages its modules must not import.
FORBIDDEN = {
    'benchmarks': ('glance_sharing.tests',),
    'harness': ('glance_sharing.tests', 'benchmarks'),
}


def python_files(top):
    for folder, dirs, files in os.walk(os.path.join(fixtures.REPO_ROOT, top)):
        dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
        for name in files:
            if name.endswith('.py'):
                yield os.path.join(folder, name)


def imported_modules(tree):
    """Every module an ``import`` or ``from ... import`` names.

    ``from a import b`` yields both ``a`` and ``a.b``: b may be a module.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, '%s.%s' % (node.module, alias.name)


def is_within(module, package):
    return module == package or module.startswith(package + '.')


def forbidden_imports(top, sources):
    """'path:line module' for each import under ``top`` it must not make."""
    found = []
    for path, text in sources:
        for lineno, module in imported_modules(ast.parse(text, path)):
            if any(is_within(module, package) for package in FORBIDDEN[top]):
                found.append('%s:%d %s' % (
                    os.path.relpath(path, fixtures.REPO_ROOT), lineno,
                    module))
    return found


def read_sources(top):
    for path in python_files(top):
        with open(path, encoding='utf-8') as source:
            yield path, source.read()


class TestHarnessImports(testtools.TestCase):

    def test_benchmarks_and_harness_do_not_import_the_tests(self):
        for top in FORBIDDEN:
            self.assertEqual([], forbidden_imports(top, read_sources(top)),
                             '%s/ must not import these' % top)

    def test_the_walk_sees_the_sources(self):
        for top, module in (('benchmarks', 'run.py'),
                            ('harness', 'keystone.py')):
            paths = [os.path.relpath(p, fixtures.REPO_ROOT)
                     for p in python_files(top)]
            self.assertIn(os.path.join(top, module), paths)

    def test_a_forbidden_import_is_found(self):
        path = os.path.join(fixtures.REPO_ROOT, 'harness', 'example.py')
        sources = [(path, 'import os\n'
                          'from glance_sharing.tests import fixtures\n'
                          'def f():\n'
                          '    import glance_sharing.tests.base\n'
                          '    from glance_sharing import tests\n'
                          '    from benchmarks import seed\n')]
        self.assertEqual(
            ['harness/example.py:2 glance_sharing.tests',
             'harness/example.py:2 glance_sharing.tests.fixtures',
             'harness/example.py:4 glance_sharing.tests.base',
             'harness/example.py:5 glance_sharing.tests',
             'harness/example.py:6 benchmarks',
             'harness/example.py:6 benchmarks.seed'],
            sorted(forbidden_imports('harness', sources)))
