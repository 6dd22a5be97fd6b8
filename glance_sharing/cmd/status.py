"""glance-sharing-status: is this deployment ready to serve the new code?

``glance-sharing-status upgrade check`` runs after installing new code and
before (re)starting the API: exit 0 when every check succeeds, 1 when one
warns, 2 when one fails (oslo.upgradecheck's codes), with a table that
tells the operator what to do.
"""

import re
import sys

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_policy import policy as oslo_policy
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
import sqlalchemy.exc

from glance_sharing import conf as gs_conf
from glance_sharing.db import migration
from glance_sharing import deploy
from glance_sharing.i18n import _
from glance_sharing import policy

CONF = gs_conf.CONF

# Rule names of Glance's policy (image, member, task, cache, discovery and
# metadef rules): an operator may point glance-sharing at the policy.yaml
# of their Glance, whose rules this service does not all have.
GLANCE_RULES = frozenset("""
    context_is_admin default admin_or_owner
    add_image delete_image get_image get_images modify_image
    publicize_image communitize_image download_image upload_image
    delete_image_location get_image_location set_image_location
    add_image_location fetch_image_location
    add_member delete_member get_member get_members modify_member
    manage_image_cache deactivate reactivate copy_image
    cache_image cache_list cache_delete
    get_task get_tasks add_task modify_task tasks_api_access
    stores_info_detail
    metadef_default metadef_admin
    get_metadef_namespace get_metadef_namespaces modify_metadef_namespace
    add_metadef_namespace delete_metadef_namespace
    get_metadef_object get_metadef_objects modify_metadef_object
    add_metadef_object delete_metadef_object
    list_metadef_resource_types get_metadef_resource_type
    add_metadef_resource_type_association
    remove_metadef_resource_type_association
    get_metadef_property get_metadef_properties modify_metadef_property
    add_metadef_property remove_metadef_property
    get_metadef_tag get_metadef_tags modify_metadef_tag add_metadef_tag
    add_metadef_tags delete_metadef_tag delete_metadef_tags
""".split())
# "rule:<name>" inside a check string: a rule other rules are built from.
_RULE_REFERENCE = re.compile(r'\brule:([\w.-]+)')


class Checks(upgradecheck.UpgradeCommands):
    """The checks of ``glance-sharing-status upgrade check``."""

    def _check_database(self):
        """The database answers and its schema is at this code's head."""
        try:
            deploy.require_database(CONF)
        except deploy.ConfigurationRefused as exc:
            return upgradecheck.Result(upgradecheck.Code.FAILURE, str(exc))
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
        """The policy file parses and its rules are sound for oslo.policy.

        oslo.policy's own checks decide (as oslopolicy-validator does): a
        rule that does not parse, refers to a rule that does not exist or
        refers to itself through others fails. Rule names that are
        Glance's (an operator's Glance policy.yaml, reused) pass; other
        names that nothing refers to warn, as likely typos.
        """
        policy.set_defaults(CONF)
        name = CONF.oslo_policy.policy_file
        path = CONF.find_file(name)
        if path is None:
            if name == policy.DEFAULT_POLICY_FILE:
                return upgradecheck.Result(
                    upgradecheck.Code.SUCCESS,
                    _('No policy file; the defaults in code apply.'))
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('[oslo_policy] policy_file %s was not found.') % name)
        enforcer = policy.new_enforcer(CONF)
        enforcer.suppress_deprecation_warnings = True
        try:
            with open(path) as policy_file:
                raw = oslo_policy.parse_file_contents(policy_file.read())
            if not isinstance(raw, dict) or not all(
                    isinstance(check, str) for check in raw.values()):
                raise ValueError(_('it must map rule names to check '
                                   'strings'))
            enforcer.load_rules()
            enforcer.check_rules(raise_on_violation=True)
        except oslo_policy.InvalidDefinitionError as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Policy file %(path)s has rules that refer to undefined '
                  'rules or to themselves: %(error)s') % {
                    'path': path, 'error': exc})
        except (OSError, ValueError) as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Policy file %(path)s cannot be read: %(error)s') % {
                    'path': path, 'error': exc})
        # oslo.policy turns a rule it cannot parse into "!" (deny).
        unparsed = sorted(rule for rule in raw
                          if str(enforcer.rules.get(rule)) == '!'
                          and raw[rule].strip() != '!')
        if unparsed:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Policy file %(path)s has rules that do not parse: '
                  '%(names)s') % {'path': path, 'names': ', '.join(unparsed)})
        referred = {match for check in raw.values()
                    for match in _RULE_REFERENCE.findall(check)}
        unknown = sorted(set(raw) - set(enforcer.registered_rules)
                         - GLANCE_RULES - referred)
        if unknown:
            # A typo leaves the default in force without anyone noticing.
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('Policy file %(path)s sets rules that neither '
                  'glance-sharing nor Glance has (misspelt?): %(names)s') % {
                    'path': path, 'names': ', '.join(unknown)})
        return upgradecheck.Result(
            upgradecheck.Code.SUCCESS,
            _('Policy file %(path)s overrides %(count)d rule(s).') % {
                'path': path, 'count': len(raw)})

    _upgrade_checks = (
        (_('Database'), _check_database),
        (_('Policy File'), _check_policy_file),
        (_('Policy File JSON to YAML Migration'),
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main(argv=None):
    upgradecheck.register_cli_options(CONF, Checks())
    try:
        # The files every other command reads (deploy.parse_args), not
        # oslo.config's search of ~/.glance-sharing and /etc.
        deploy.parse_args(sys.argv[1:] if argv is None else argv)
        return upgradecheck.run(CONF)
    except cfg.Error as exc:
        print(exc, file=sys.stderr)
        return 255


if __name__ == '__main__':
    sys.exit(main())
