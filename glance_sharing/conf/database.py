"""The [database] group: oslo.db's options with our SQLite default."""

from oslo_config import cfg
from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:///glance-sharing.sqlite'

SQLITE_OPTS = [
    cfg.IntOpt(
        'sqlite_busy_timeout',
        default=30000,
        min=0,
        help='SQLite only: milliseconds a writer waits for another '
             'process\'s write lock before giving up. Writers queue '
             'rather than fail, so several API processes can share one '
             'SQLite file.'),
]


def register_opts(conf):
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    conf.register_opts(SQLITE_OPTS, group='database')


def list_opts():
    return {'database': SQLITE_OPTS}
