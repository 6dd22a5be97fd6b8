"""The policy table of doc/source/admin/keystone.rst matches the code."""

import os
import re

import testtools

from glance_sharing import policies
from glance_sharing.tests import fixtures as gs_fixtures

DOC = os.path.join(gs_fixtures.REPO_ROOT, 'doc', 'source', 'admin',
                   'keystone.rst')
ROW = re.compile(r'^   \* - ``(\w+)``\n     - ``(.*)``$', re.MULTILINE)


class TestPolicyTable(testtools.TestCase):

    def test_documented_defaults_are_the_defaults(self):
        with open(DOC) as doc:
            documented = dict(ROW.findall(doc.read()))
        rules = {rule.name: rule.check_str for rule in policies.list_rules()
                 if rule.name not in ('context_is_admin', 'default')}
        self.assertEqual(rules, documented)
