"""The [database] group: oslo.db's options with our defaults.

There is no default connection: a command without one refuses to start
(deploy.require_database) rather than create a database somewhere.
"""

from oslo_config import cfg
from oslo_db import options as db_options

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


TIMEOUT_OPTS = [
    cfg.IntOpt(
        'connect_timeout',
        default=5,
        min=1,
        help='MySQL/MariaDB and PostgreSQL: seconds to wait for a new '
             'database connection, handshake and login included. A '
             'database that accepts connections but does not answer '
             'then fails the request with 503 (and /healthcheck with '
             '503) after this long, instead of holding it until the '
             'server kills its worker.'),
    cfg.IntOpt(
        'query_timeout',
        default=10,
        min=0,
        help='MySQL/MariaDB and PostgreSQL: seconds to wait for the '
             'database to answer one statement (waiting for a row lock '
             'included) before the connection is dropped and the request '
             'fails with 503 and Retry-After. 0 waits for ever. Keep it '
             'below the timeouts of the WSGI server and of any proxy in '
             'front. SQLite uses sqlite_busy_timeout instead.'),
]


def set_defaults():
    # oslo.db tests a new engine's first connection up to max_retries
    # times, retry_interval (10 s) apart. Engines start lazily, at a
    # worker's first request, so with oslo.db's default of 10 a worker
    # that starts while the database is down held that request for 100 s
    # (past gunicorn's and most proxies' timeouts). Without the test, the
    # request fails at once with 503 and the next one connects again.
    cfg.set_defaults(db_options.database_opts, max_retries=0)


def register_opts(conf):
    set_defaults()
    conf.register_opts(db_options.database_opts, group='database')
    conf.register_opts(SQLITE_OPTS + TIMEOUT_OPTS, group='database')


def list_opts():
    return {'database': SQLITE_OPTS + TIMEOUT_OPTS}
