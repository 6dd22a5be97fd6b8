"""glance-sharing-manage: database schema commands for operators."""

import sys

from oslo_config import cfg
from oslo_log import log as logging

from glance_sharing import conf as gs_conf
from glance_sharing.db import migration
from glance_sharing import deploy


def db_sync():
    """Upgrade the schema to the newest revision."""
    migration.upgrade()
    print('Database is at revision %s.' % migration.version())
    return 0


def db_version():
    """Print the current schema revision."""
    print(migration.version() or 'None (empty database)')
    return 0


def db_check():
    """Exit 0 when the schema is at the newest revision, 1 otherwise."""
    current, head = migration.version(), migration.head()
    if current == head:
        print('Database is up to date (revision %s).' % current)
        return 0
    print('Database is at revision %s; run "glance-sharing-manage db sync" '
          'to reach %s.' % (current, head))
    return 1


COMMANDS = {'sync': db_sync, 'version': db_version, 'check': db_check}


def _add_parsers(subparsers):
    db = subparsers.add_parser('db', help='Database schema commands.')
    db_actions = db.add_subparsers(dest='action', required=True)
    for name, function in COMMANDS.items():
        db_actions.add_parser(name, help=function.__doc__)


def main(argv=None):
    gs_conf.CONF.register_cli_opt(cfg.SubCommandOpt(
        'category', title='Commands', handler=_add_parsers))
    # Without a log file, log lines go to stderr rather than oslo.log's
    # stdout, so stdout carries only the answer (scripts read "db version").
    logging.register_options(gs_conf.CONF)
    gs_conf.CONF.set_default('use_stderr', True)
    deploy.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        deploy.require_database()
    except deploy.ConfigurationRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    return COMMANDS[gs_conf.CONF.category.action]()


if __name__ == '__main__':
    sys.exit(main())
