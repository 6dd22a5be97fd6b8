"""glance-sharing-status: is this deployment ready to serve the new code?

``glance-sharing-status upgrade check`` runs after installing new code and
before (re)starting the API: exit 0 when every check succeeds, 1 when one
warns, 2 when one fails (oslo.upgradecheck's codes), with a table that
tells the operator what to do.
"""

import sys

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_policy import opts as policy_opts
from oslo_policy import policy as oslo_policy
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
import sqlalchemy.exc

from glance_sharing import conf as gs_conf
from glance_sharing.db import migration
from glance_sharing.i18n import _
from glance_sharing import policies

CONF = gs_conf.CONF
DEFAULT_POLICY_FILE = 'policy.yaml'


class Checks(upgradecheck.UpgradeCommands):
    """The checks of ``glance-sharing-status upgrade check``."""

    def _check_database(self):
        """The database answers and its schema is at this code's head."""
        try:
            current = migration.version()
        except (db_exc.DBError, sqlalchemy.exc.SQLAlchemyError) as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Cannot read the schema version from [database] '
                  'connection: %s') % str(exc).splitlines()[0])
        head = migration.head()
        if current == head:
            return upgradecheck.Result(
                upgradecheck.Code.SUCCESS,
                _('Schema at revision %s.') % head)
        if current is None:
            detail = _('The database is empty; run "glance-sharing-manage '
                       'db sync" to create the schema (revision %s).') % head
        else:
            detail = _('The schema is at revision %(current)s but this code '
                       'needs %(head)s; run "glance-sharing-manage db '
                       'sync".') % {'current': current, 'head': head}
        return upgradecheck.Result(upgradecheck.Code.FAILURE, detail)

    def _check_policy_file(self):
        """A configured policy file exists, parses and names known rules."""
        policy_opts.set_defaults(CONF)
        name = CONF.oslo_policy.policy_file
        path = CONF.find_file(name)
        if path is None:
            if name == DEFAULT_POLICY_FILE:
                return upgradecheck.Result(
                    upgradecheck.Code.SUCCESS,
                    _('No policy file; the defaults in code apply.'))
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('[oslo_policy] policy_file %s was not found.') % name)
        try:
            with open(path) as policy_file:
                rules = oslo_policy.parse_file_contents(policy_file.read())
        except (OSError, ValueError) as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Policy file %(path)s cannot be read: %(error)s') % {
                    'path': path, 'error': exc})
        if not isinstance(rules, dict) or not all(
                isinstance(check, str) for check in rules.values()):
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Policy file %s must map rule names to check '
                  'strings.') % path)
        known = {rule.name for rule in policies.list_rules()}
        unknown = sorted(set(rules) - known)
        if unknown:
            # A typo leaves the default in force without anyone noticing.
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('Policy file %(path)s sets rules that glance-sharing does '
                  'not have (misspelt?): %(names)s') % {
                    'path': path, 'names': ', '.join(unknown)})
        return upgradecheck.Result(
            upgradecheck.Code.SUCCESS,
            _('Policy file %(path)s overrides %(count)d rule(s).') % {
                'path': path, 'count': len(rules)})

    _upgrade_checks = (
        (_('Database'), _check_database),
        (_('Policy File'), _check_policy_file),
        (_('Policy File JSON to YAML Migration'),
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main(argv=None):
    gs_conf.register_opts(CONF)
    try:
        return upgradecheck.main(
            CONF, project='glance-sharing', upgrade_command=Checks(),
            argv=sys.argv[1:] if argv is None else argv)
    except cfg.Error as exc:
        print(exc, file=sys.stderr)
        return 255


if __name__ == '__main__':
    sys.exit(main())
