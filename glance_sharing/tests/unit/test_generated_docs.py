"""The generated documentation files in the repository are current."""

import os

import testtools

from glance_sharing.tests import fixtures
from glance_sharing.tests import generated_docs


class GeneratedDocsTest(testtools.TestCase):

    def test_every_generated_file_is_current(self):
        for path, text in generated_docs.render().items():
            with open(os.path.join(fixtures.REPO_ROOT, path)) as current:
                self.assertEqual(text, current.read(),
                                 '%s is stale: run tools/render-docs.py'
                                 % path)
