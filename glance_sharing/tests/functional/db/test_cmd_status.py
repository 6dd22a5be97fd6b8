"""glance-sharing-status upgrade check: each check, and the command."""

from importlib import metadata
import os
import subprocess
import sys
from unittest import mock

import fixtures
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import upgradecheck

from glance_sharing.cmd import status
from glance_sharing.conf import CONF
from glance_sharing.db import engine as db_engine
from glance_sharing.tests import base
from harness import server

Code = upgradecheck.Code


class TestDatabaseCheck(base.TestCase):

    def test_at_head(self):
        result = status.Checks()._check_database()
        self.assertEqual(Code.SUCCESS, result.code, result.details)

    def test_behind_head(self):
        with mock.patch('glance_sharing.db.migration.head',
                        return_value='9999'):
            result = status.Checks()._check_database()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('needs 9999', result.details)
        self.assertIn('glance-sharing-manage db sync', result.details)

    def _use_database(self, url):
        manager = db_engine.main_context_manager.make_new_manager()
        manager.configure(connection=url)
        self.addCleanup(db_engine.main_context_manager.patch_factory(manager))
        self.addCleanup(manager.dispose_pool)

    def test_empty_database(self):
        folder = self.useFixture(fixtures.TempDir()).path
        self._use_database('sqlite:///' + os.path.join(folder, 'empty.db'))
        result = status.Checks()._check_database()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('empty', result.details)

    def test_unreachable_database(self):
        self._use_database('mysql+pymysql://nobody@127.0.0.1:%d/none'
                           % server.free_port())
        result = status.Checks()._check_database()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('Cannot read the schema version', result.details)


class TestPolicyFileCheck(base.TestCase):

    def setUp(self):
        super().setUp()
        self.folder = self.useFixture(fixtures.TempDir()).path
        policy_opts.set_defaults(CONF)  # registers [oslo_policy]

    def _policy_file(self, text, name='policy.yaml'):
        path = os.path.join(self.folder, name)
        with open(path, 'w') as policy_file:
            policy_file.write(text)
        self.conf_fixture.config(policy_file=path, group='oslo_policy')
        return path

    def check(self):
        return status.Checks()._check_policy_file()

    def test_no_policy_file(self):
        result = self.check()
        self.assertEqual(Code.SUCCESS, result.code, result.details)
        self.assertIn('defaults in code', result.details)

    def test_configured_file_missing(self):
        self.conf_fixture.config(
            policy_file=os.path.join(self.folder, 'nowhere.yaml'),
            group='oslo_policy')
        self.assertEqual(Code.FAILURE, self.check().code)

    def test_valid_overrides(self):
        self._policy_file('"add_member": "role:admin"\n'
                          '"get_member": "rule:context_is_admin"\n')
        result = self.check()
        self.assertEqual(Code.SUCCESS, result.code, result.details)
        self.assertIn('2 rule(s)', result.details)

    def test_unparseable_file(self):
        self._policy_file('"add_member": [unclosed\n')
        result = self.check()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('cannot be read', result.details)

    def test_not_a_mapping_of_strings(self):
        self._policy_file('- add_member\n- get_member\n')
        self.assertEqual(Code.FAILURE, self.check().code)
        self._policy_file('"add_member": {"nested": 1}\n')
        self.assertEqual(Code.FAILURE, self.check().code)

    def test_rules_oslo_policy_finds_wrong_fail(self):
        for text, reason in (
                ('"get_image": "rule:nonexistent"\n', 'undefined rules'),
                ('"get_image": "rule:alias"\n"alias": "rule:get_image"\n',
                 'themselves'),
                ('"get_image": "role:admin or ("\n', 'do not parse')):
            self._policy_file(text)
            result = self.check()
            self.assertEqual(Code.FAILURE, result.code, text)
            self.assertIn(reason, result.details)
            self.assertIn('get_image', result.details)

    def test_glance_rules_and_aliases_are_accepted(self):
        # An operator's Glance policy.yaml: rules glance-sharing does not
        # have, and an alias rule that others refer to.
        self._policy_file(
            '"owner_or_admin": "project_id:%(project_id)s or role:admin"\n'
            '"download_image": "rule:owner_or_admin"\n'
            '"upload_image": "role:member"\n'
            '"get_metadef_namespaces": "role:reader"\n'
            '"add_member": "rule:owner_or_admin"\n')
        result = self.check()
        self.assertEqual(Code.SUCCESS, result.code, result.details)

    def test_unknown_rule_warns(self):
        self._policy_file('"add_membr": "role:admin"\n')
        result = self.check()
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn('add_membr', result.details)


class TestCommand(base.TestCase):
    """The command as an operator runs it, in a separate process."""

    def run_status(self, *conf_lines, policy_yaml=None):
        folder = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(folder, 'glance-sharing.conf')
        if policy_yaml is not None:
            with open(os.path.join(folder, 'policy.yaml'), 'w') as policy:
                policy.write(policy_yaml)
        with open(path, 'w') as conf_file:
            conf_file.write('[database]\nconnection = %s\n' % CONF.database
                            .connection)
            conf_file.write('\n'.join(conf_lines) + '\n')
        return subprocess.run(
            [sys.executable, '-m', 'glance_sharing.cmd.status',
             '--config-file', path, 'upgrade', 'check'],
            capture_output=True, text=True, timeout=120)

    def test_console_script(self):
        scripts = metadata.entry_points(group='console_scripts',
                                        name='glance-sharing-status')
        self.assertEqual(['glance_sharing.cmd.status:main'],
                         [script.value for script in scripts])

    def test_ready(self):
        result = self.run_status()
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertIn('Check: Database', result.stdout)
        self.assertIn('Check: Policy File', result.stdout)

    def test_policy_yaml_is_the_default_policy_file(self):
        # Beside glance-sharing.conf, found without any [oslo_policy].
        result = self.run_status(policy_yaml='"get_image": "rule:nowhere"\n')
        self.assertEqual(2, result.returncode, result.stdout + result.stderr)
        self.assertIn("['get_image']", result.stdout)

    def run_in_config_dir(self, folder):
        """The command with no options, the way an operator types it."""
        return subprocess.run(
            [sys.executable, '-m', 'glance_sharing.cmd.status', 'upgrade',
             'check'], capture_output=True, text=True, timeout=120,
            cwd=folder, env=dict(os.environ,
                                 OS_GLANCE_SHARING_CONFIG_DIR=folder))

    def test_config_dir_variable_is_honoured(self):
        folder = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(folder, 'glance-sharing.conf'), 'w') as conf:
            conf.write('[database]\nconnection = %s\n'
                       % CONF.database.connection)
        result = self.run_in_config_dir(folder)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)

    def test_no_database_configured_fails(self):
        folder = self.useFixture(fixtures.TempDir()).path
        result = self.run_in_config_dir(folder)
        self.assertEqual(2, result.returncode, result.stdout + result.stderr)
        self.assertIn('No [database] connection', result.stdout)
        self.assertEqual([], os.listdir(folder))

    def test_broken_policy_file_fails(self):
        folder = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(folder, 'policy.yaml')
        with open(path, 'w') as policy_file:
            policy_file.write('"add_member": [\n')
        result = self.run_status('[oslo_policy]', 'policy_file = ' + path)
        self.assertEqual(2, result.returncode, result.stdout + result.stderr)
        self.assertIn('Result: Failure', result.stdout)
