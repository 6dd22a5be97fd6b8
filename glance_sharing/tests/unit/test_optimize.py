"""The code must work the same under ``python -O`` (PYTHONOPTIMIZE=1).

-O drops every ``assert`` statement and makes ``__debug__`` false, so
neither may carry a check that matters, in the service or in its tests
and tools (a test whose checks are asserts would pass without checking).
Docstrings stay (only -OO drops them). This walks the sources instead of
running the suite twice.
"""

import ast
import os

import testtools

from glance_sharing.tests import fixtures

SOURCE_DIRS = ('glance_sharing', 'benchmarks', 'harness', 'tools')


def python_files():
    for top in SOURCE_DIRS:
        for folder, dirs, files in os.walk(
                os.path.join(fixtures.REPO_ROOT, top)):
            dirs[:] = [d for d in dirs if not d.startswith('.')]
            for name in files:
                if name.endswith('.py'):
                    yield os.path.join(folder, name)


class TestOptimizeSafe(testtools.TestCase):

    def test_no_assert_statements_or_debug_checks(self):
        found = []
        for path in python_files():
            with open(path, encoding='utf-8') as source:
                tree = ast.parse(source.read(), path)
            for node in ast.walk(tree):
                if (isinstance(node, ast.Assert)
                        or (isinstance(node, ast.Name)
                            and node.id == '__debug__')):
                    found.append('%s:%d' % (
                        os.path.relpath(path, fixtures.REPO_ROOT),
                        node.lineno))
        self.assertEqual([], found, 'these do nothing under python -O')

    def test_the_walk_sees_the_sources(self):
        paths = [os.path.relpath(p, fixtures.REPO_ROOT)
                 for p in python_files()]
        self.assertIn(os.path.join('glance_sharing', 'db', 'images.py'), paths)
