"""The enforcer reads the policy files once per request, not per check."""

import ast
import os
from unittest import mock

import fixtures
from oslo_policy import _checks
from oslo_policy import opts as policy_opts
from oslo_policy import policy as oslo_policy
import testtools

from glance_sharing.conf import CONF
from glance_sharing.policies import members as member_rules
from glance_sharing import policy
from glance_sharing.tests import base

TARGET = {'project_id': 'owner', 'member_id': None, 'visibility': 'shared'}


class PolicyFileTestCase(base.ConfTestCase):
    """An operator's policy.yaml holding ``POLICY_FILE``."""

    POLICY_FILE = ''

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        policy_opts.set_defaults(CONF)  # registers [oslo_policy]
        self.path = os.path.join(folder, 'policy.yaml')
        self._write(self.POLICY_FILE, 1)
        self.conf_fixture.config(policy_file=self.path, group='oslo_policy')
        policy.reset()

    def _write(self, text, mtime):
        with open(self.path, 'w') as policy_file:
            policy_file.write(text)
        # A clearly different modification time, however fast the test.
        os.utime(self.path, (mtime, mtime))


class TestPolicyFileReload(PolicyFileTestCase):

    POLICY_FILE = '"add_member": "project_id:%(project_id)s"\n'

    def _check(self, context):
        return policy.check(context, member_rules.ADD_MEMBER, TARGET)

    def test_rules_read_once_per_request_context(self):
        clock = self.useFixture(fixtures.MockPatchObject(
            policy, '_clock', return_value=100.0)).mock
        first = base.make_context(project='owner')
        self.assertTrue(self._check(first))
        self._write('"add_member": "!"\n', 2)
        # The same request keeps the rules it started with...
        clock.return_value += 10 * policy.RULES_CHECK_INTERVAL
        self.assertTrue(self._check(first))
        # ...and the next request sees the new file.
        self.assertFalse(self._check(base.make_context(project='owner')))

    def test_rules_looked_at_once_per_interval(self):
        clock = self.useFixture(fixtures.MockPatchObject(
            policy, '_clock', return_value=100.0)).mock
        self.assertTrue(self._check(base.make_context(project='owner')))
        self._write('"add_member": "!"\n', 2)
        # Requests within the interval use the last look's rules...
        clock.return_value += policy.RULES_CHECK_INTERVAL / 2
        self.assertTrue(self._check(base.make_context(project='owner')))
        # ...the first one after it looks again.
        clock.return_value += policy.RULES_CHECK_INTERVAL
        self.assertFalse(self._check(base.make_context(project='owner')))


# An operator's policy.yaml that makes every decision depend on the
# target: owner, visibility and membership.
OVERRIDES = '''\
"get_image": "role:admin or 'public':%(visibility)s or (role:reader and project_id:%(project_id)s)"
"get_member": "project_id:%(member_id)s or 'community':%(visibility)s"
"download_image": "not 'private':%(visibility)s and role:member"
'''  # noqa: E501


class TestOncePerTarget(PolicyFileTestCase):
    """Each rule is evaluated once per target in a request.

    And decided as oslo.policy decides it, whatever the operator's rules.
    """

    POLICY_FILE = OVERRIDES

    def _targets(self):
        for owner in ('owner', 'other', None):
            for visibility in ('public', 'community', 'shared', 'private'):
                for member in (None, 'owner', 'other'):
                    yield policy.target(owner, visibility, member)

    def test_decisions_are_oslo_policys(self):
        rules = ('get_image', 'get_member', 'download_image', 'add_member')
        callers = [base.make_context(project='owner'),
                   base.make_context(project='owner', roles=('reader',)),
                   base.make_context(project='other', admin=True)]
        for context in callers:
            # Plain oslo.policy, with the same files, asked once each.
            reference = policy.new_enforcer(CONF)
            with fixtures.MockPatchObject(_checks, '_check',
                                          policy.UPSTREAM_CHECK), \
                    fixtures.MockPatchObject(_checks, 'ast', ast):
                expected = {
                    (rule, i): reference.authorize(rule, target, context,
                                                   do_raise=False)
                    for rule in rules
                    for i, target in enumerate(self._targets())}
            # Asked twice over in one request, in two orders.
            for _round in range(2):
                for rule in reversed(rules):
                    for i, target in enumerate(self._targets()):
                        self.assertEqual(
                            expected[rule, i],
                            policy.check(context, rule, dict(target)),
                            (rule, target, context.roles))

    def test_each_target_evaluated_once(self):
        context = base.make_context(project='owner')
        with mock.patch.object(policy, '_evaluate',
                               wraps=policy._evaluate) as evaluate:
            for _image in range(25):
                policy.check(context, 'get_image',
                             policy.target('other', 'public'))
                policy.check(context, 'get_image',
                             policy.target('owner', 'private'))
        self.assertEqual(2, evaluate.call_count)
        # The next request asks again.
        policy.check(base.make_context(project='owner'), 'get_image',
                     policy.target('other', 'public'))


class TestCheckSignatures(base.ConfTestCase):
    """Checks read their signature once per class, and still get it right.

    With and without the current rule argument.
    """

    def test_legacy_and_current_checks(self):
        calls = []

        class Legacy(_checks.Check):
            def __call__(self, target, creds, enforcer):
                calls.append(('legacy', self.match))
                return True

        class Current(_checks.Check):
            def __call__(self, target, creds, enforcer, current_rule=None):
                calls.append(('current', current_rule))
                return True

        self.useFixture(fixtures.MockPatchObject(
            _checks, 'registered_checks',
            dict(_checks.registered_checks, legacy=Legacy, current=Current)))
        enforcer = policy.new_enforcer(CONF)  # uses our _check
        enforcer.register_default(oslo_policy.RuleDefault(
            'both', 'legacy:x and current:y'))
        enforcer.load_rules()
        self.assertIs(policy._check_with_known_signature, _checks._check)
        self.assertTrue(enforcer.authorize('both', {}, base.make_context()))
        self.assertEqual([('legacy', 'x'), ('current', 'both')], calls)


class TestLiteralsParsedOnce(testtools.TestCase):

    def test_same_answers_as_ast(self):
        literals = policy._LiteralsOnce()
        for _twice in range(2):
            self.assertEqual('public', literals.literal_eval("'public'"))
            self.assertIs(True, literals.literal_eval('True'))
            for text in ('project_id', 'target.owner'):
                with testtools.ExpectedException(ValueError):
                    literals.literal_eval(text)
        self.assertIs(ast.parse, literals.parse)


class TestShortcutsOnlyWhereExpected(testtools.TestCase):

    def test_another_oslo_policy_keeps_its_own_functions(self):
        def changed_check(rule, target, creds, enforcer, current_rule,
                          extra=None):
            return False

        self.useFixture(fixtures.MockPatchObject(_checks, '_check',
                                                 changed_check))
        self.useFixture(fixtures.MockPatchObject(_checks, 'ast', ast))
        policy._install_shortcuts()
        self.assertIs(changed_check, _checks._check)
        self.assertIs(ast, _checks.ast)
