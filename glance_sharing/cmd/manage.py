"""glance-sharing-manage: database and membership history commands."""

import argparse
import datetime
import sys

from oslo_config import cfg
from oslo_log import log as logging
from oslo_serialization import jsonutils
from oslo_utils import timeutils

from glance_sharing.api import util
from glance_sharing import conf as gs_conf
from glance_sharing import context
from glance_sharing.db import members as db_members
from glance_sharing.db import migration
from glance_sharing import deploy

CONF = gs_conf.CONF


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


def db_purge():
    """Delete membership history rows older than --age-in-days days."""
    args = CONF.category
    before = (timeutils.utcnow().replace(microsecond=0)
              - datetime.timedelta(days=args.age_in_days))
    purged = db_members.history_purge(context.get_admin_context(), before,
                                      args.batch_size)
    print('Purged %d membership history rows recorded before %s.'
          % (purged, util.isotime(before)))
    return 0


# (heading, key) of each column of the history, in the order shown.
HISTORY_COLUMNS = (
    ('Time', 'created_at'), ('Image', 'image_id'), ('Member', 'member_id'),
    ('Action', 'action'), ('Old status', 'old_status'),
    ('New status', 'new_status'), ('User', 'user_id'),
    ('Project', 'project_id'), ('Request id', 'request_id'))


def _history_rows(entries):
    return [{key: (util.isotime(entry[key]) if key == 'created_at'
                   else entry[key]) for _heading, key in HISTORY_COLUMNS}
            for entry in entries]


def _table(rows):
    """Aligned columns; "-" for what is unknown or does not apply."""
    cells = [[heading for heading, _key in HISTORY_COLUMNS]]
    cells += [['-' if row[key] is None else str(row[key])
               for _heading, key in HISTORY_COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells)
              for i in range(len(HISTORY_COLUMNS))]
    return '\n'.join('  '.join(cell.ljust(width)
                               for cell, width in zip(line, widths)).rstrip()
                     for line in cells)


def members_history():
    """Print who changed which membership when, oldest first."""
    args = CONF.category
    entries = db_members.member_history(
        context.get_admin_context(), image_id=args.image,
        project_id=args.project, since=args.since)
    rows = _history_rows(entries)
    if args.format == 'json':
        print(jsonutils.dumps(rows, indent=2, sort_keys=True))
    else:
        print(_table(rows))
    return 0


def _non_negative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must be 0 or more, not %s' % text)
    return value


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('must be 1 or more, not %s' % text)
    return value


def _utc_time(text):
    """An ISO 8601 time (a date alone is its midnight) as naive UTC."""
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            'not an ISO 8601 time such as 2026-12-01T09:30:00Z: %s' % exc)


def _purge_arguments(parser):
    parser.add_argument('--age-in-days', type=_non_negative, required=True,
                        help='Purge rows recorded more than this many days '
                             'ago.')
    parser.add_argument('--batch-size', type=_positive, default=1000,
                        help='Rows deleted per transaction (default 1000): '
                             'the API\'s writes never wait on more.')


def _history_arguments(parser):
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument('--image', help='The changes of this image\'s '
                                       'memberships.')
    which.add_argument('--project',
                       help='The changes to this project\'s memberships '
                            'and those it made.')
    parser.add_argument('--since', type=_utc_time,
                        help='Only changes from this time on (ISO 8601; '
                             'UTC unless it names a zone).')
    parser.add_argument('--format', choices=('table', 'json'),
                        default='table', help='Output format.')


# {category: (help, {action: (function, adds its arguments or None)})}
COMMANDS = {
    'db': ('Database schema and maintenance commands.', {
        'sync': (db_sync, None), 'version': (db_version, None),
        'check': (db_check, None), 'purge': (db_purge, _purge_arguments)}),
    'members': ('Image membership commands.', {
        'history': (members_history, _history_arguments)}),
}


def _add_parsers(subparsers):
    for category, (category_help, actions) in COMMANDS.items():
        parser = subparsers.add_parser(category, help=category_help)
        action_parsers = parser.add_subparsers(dest='action', required=True)
        for name, (function, add_arguments) in actions.items():
            action_parser = action_parsers.add_parser(
                name, help=function.__doc__)
            if add_arguments:
                add_arguments(action_parser)


def main(argv=None):
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'category', title='Commands', handler=_add_parsers))
    # Without a log file, log lines go to stderr rather than oslo.log's
    # stdout, so stdout carries only the answer (scripts read "db version").
    logging.register_options(CONF)
    CONF.set_default('use_stderr', True)
    deploy.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        deploy.require_database()
    except deploy.ConfigurationRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    function, _arguments = COMMANDS[CONF.category.name][1][
        CONF.category.action]
    return function()


if __name__ == '__main__':
    sys.exit(main())
