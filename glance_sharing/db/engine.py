"""How each backend's engine is set up, and the transaction decorators.

oslo.db's enginefacade does most of the work; this module adds what our
guarantees need on each backend: SQLite writers that queue on the lock
instead of failing, MySQL connections in utf8mb4, PostgreSQL connection
failures recognised as such, and writer transactions that retry on
deadlock.
"""

import contextvars
import functools
import select
import time

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa


main_context_manager = enginefacade.transaction_context()
# thread_checkin=False: oslo.db's default time.sleep(0) at every
# connection check-in only helps eventlet; under gunicorn or mod_wsgi it
# gives the CPU away at the end of every transaction.
main_context_manager.configure(sqlite_fk=True, thread_checkin=False)

# Set while a writer function runs, so SQLite's BEGIN can take the write
# lock at once (BEGIN IMMEDIATE) instead of failing to upgrade later.
_WRITE_INTENT = contextvars.ContextVar('glance_sharing_write_intent',
                                       default=False)


class DatabaseBusy(db_exc.DBConnectionError):
    """SQLite's write lock stayed taken past [database] sqlite_busy_timeout.

    Like a lost connection, the database cannot serve the request now but
    may in a moment: the API answers 503 with Retry-After.
    """


def _on_engine_create(engine):
    if engine.dialect.name in ('mysql', 'mariadb'):
        _setup_mysql(engine)
    elif engine.dialect.name == 'postgresql':
        _setup_postgresql(engine)
    elif engine.dialect.name == 'sqlite':
        _setup_sqlite(engine)


def _database_conf():
    # The enginefacade reads its connection from the global configuration
    # too (oslo.db's own options); ours, registered with them by
    # conf.database (every command does through deploy.parse_args, every
    # test through its ConfFixture), sit beside it.
    from glance_sharing.conf import CONF
    return CONF.database


def _add_connect_args(engine, args):
    """Pass ``args`` to the DB-API connect() of every new connection."""
    @sa.event.listens_for(engine, 'do_connect')
    def _timeouts(dialect, conn_rec, cargs, cparams):
        cparams.update(args)

    # Connections made before the listener (oslo.db may test one) go.
    engine.pool.dispose()


# Raised by _wait_with_timeouts; recognised as a lost connection.
PG_TIMEOUT_MESSAGE = 'glance-sharing: the database did not answer within'


def _wait_with_timeouts(conn):
    """psycopg2 wait callback: libpq's waits, bounded by our timeouts.

    libpq waits for the server for ever once connected; psycopg2 lets a
    callback do the waiting instead (made for coroutine libraries), which
    is the one place a client-side read timeout can go.
    """
    import psycopg2
    from psycopg2 import extensions
    conf = _database_conf()
    timeout = (conf.connect_timeout if conn.status == extensions.STATUS_SETUP
               else conf.query_timeout)
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        state = conn.poll()
        if state == extensions.POLL_OK:
            return
        remaining = None
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise psycopg2.OperationalError(
                    '%s %d s' % (PG_TIMEOUT_MESSAGE, timeout))
        events = {extensions.POLL_READ: select.POLLIN,
                  extensions.POLL_WRITE: select.POLLOUT}.get(state)
        if events is None:
            raise psycopg2.OperationalError('bad poll state: %r' % state)
        # poll(), not select(): file descriptors may exceed 1023.
        poller = select.poll()
        poller.register(conn.fileno(), events)
        poller.poll(None if remaining is None else remaining * 1000)


def _setup_postgresql(engine):
    # Runs before oslo.db's exception filters. libpq 14 and later word a
    # failed connect as 'connection to server at "host", port N failed:
    # ...', which neither oslo.db ("could not connect to server") nor
    # SQLAlchemy's disconnect check (no '"' before the reason) recognise,
    # so a database that is down came out as a bare OperationalError (a
    # 500) instead of DBConnectionError. An OperationalError raised while
    # no connection exists yet is always a failure to connect.
    #
    # A timeout of _wait_with_timeouts leaves the connection mid-query:
    # it is a lost connection too, to be discarded.
    def _connect_failure_is_disconnect(context):
        if not isinstance(context.sqlalchemy_exception,
                          sa.exc.OperationalError):
            return
        if (context.connection is None
                or PG_TIMEOUT_MESSAGE in str(context.original_exception)):
            context.is_disconnect = True

    # insert=True does not put a listener first among these, so take
    # oslo.db's out and put it back after ours.
    oslo_handler = exc_filters.handler
    registered = sa.event.contains(engine, 'handle_error', oslo_handler)
    if registered:
        sa.event.remove(engine, 'handle_error', oslo_handler)
    sa.event.listen(engine, 'handle_error', _connect_failure_is_disconnect)
    if registered:
        sa.event.listen(engine, 'handle_error', oslo_handler, retval=True)

    conf = _database_conf()
    if engine.dialect.driver == 'psycopg2':
        from psycopg2 import extensions
        # Process-wide in psycopg2; this process talks to one database.
        extensions.set_wait_callback(_wait_with_timeouts)
        _add_connect_args(engine, {'connect_timeout': conf.connect_timeout})


def _setup_mysql(engine):
    conf = _database_conf()
    if engine.dialect.driver == 'pymysql':
        # PyMySQL's socket timeouts: the handshake, then every read and
        # write; a timeout drops the connection (error 2013, a
        # disconnect for oslo.db).
        timeouts = {'connect_timeout': conf.connect_timeout}
        if conf.query_timeout:
            timeouts.update(read_timeout=conf.query_timeout,
                            write_timeout=conf.query_timeout)
        _add_connect_args(engine, timeouts)

    @sa.event.listens_for(engine, 'connect')
    def _utf8mb4(dbapi_con, con_record):
        # oslo.db asks for charset "utf8" (3-byte) unless the URL names
        # one; our tables are utf8mb4, and a 4-byte character in a
        # parameter would otherwise fail as an illegal mix of collations.
        if hasattr(dbapi_con, 'set_character_set'):
            dbapi_con.set_character_set('utf8mb4')
        else:
            with dbapi_con.cursor() as cursor:
                cursor.execute('SET NAMES utf8mb4')

    # oslo.db tested a connection before this hook ran; drop it from the
    # pool so that every connection in use went through the listener.
    engine.pool.dispose()


def _setup_sqlite(engine):
    conf = _database_conf()
    busy_timeout = conf.sqlite_busy_timeout
    _keep_sqlite_connections(engine, conf)

    @sa.event.listens_for(engine, 'connect')
    def _sqlite_pragmas(dbapi_con, con_record):
        # WAL lets readers go on while one process writes.
        dbapi_con.execute('PRAGMA journal_mode=WAL')
        dbapi_con.execute('PRAGMA busy_timeout=%d' % busy_timeout)

    # oslo.db emits a plain (deferred) BEGIN from its own 'begin'
    # listener, and SQLAlchemy calls engine 'begin' listeners in the order
    # they were added whatever insert=True asks: take that listener out,
    # so that ours decides between BEGIN and BEGIN IMMEDIATE. oslo.db's
    # commit and rollback listeners still clear the marker.
    for listener in list(engine.dispatch.begin):
        if getattr(listener, '__name__', None) == '_sqlite_emit_begin':
            sa.event.remove(engine, 'begin', listener)

    @sa.event.listens_for(engine, 'begin')
    def _sqlite_begin(conn):
        if 'in_transaction' not in conn.info:
            conn.exec_driver_sql(
                'BEGIN IMMEDIATE' if _WRITE_INTENT.get() else 'BEGIN')
            conn.info['in_transaction'] = True

    @sa.event.listens_for(engine, 'checkin')
    def _sqlite_checkin(dbapi_con, con_record):
        # The pool has rolled back whatever was open: a connection taken
        # again must get its BEGIN, however its last transaction ended.
        if con_record is not None:
            con_record.info.pop('in_transaction', None)


def _keep_sqlite_connections(engine, conf):
    """Pool the connections of an SQLite file instead of reopening it.

    oslo.db gives SQLite files a NullPool, so every transaction opened the
    file and ran the connect pragmas again: most of the time of a small
    request. Connections belong to one process (workers connect after
    they fork) and every transaction ends in COMMIT or ROLLBACK, so
    keeping them open changes nothing else.
    """
    old = engine.pool
    if not isinstance(old, sa.pool.NullPool):
        return  # in-memory databases: oslo.db's StaticPool stays
    engine.pool = sa.pool.QueuePool(
        old._creator, pool_size=conf.max_pool_size or 5,
        max_overflow=conf.max_overflow if conf.max_overflow is not None
        else 10,
        timeout=conf.pool_timeout or 30, recycle=old._recycle,
        echo=old.echo, logging_name=old._orig_logging_name,
        reset_on_return=old._reset_on_return, pre_ping=old._pre_ping,
        _dispatch=old.dispatch, dialect=old._dialect)
    old.dispose()


main_context_manager.append_on_engine_create(_on_engine_create)


def _busy_is_unavailable(fn):
    """Raise DatabaseBusy for SQLite's "database is locked"."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except sa.exc.OperationalError as exc:
            if 'database is locked' in str(exc.orig):
                raise DatabaseBusy(exc) from exc
            raise
    return wrapped


def connection(context):
    """The connection of the context's transaction, for the hot reads.

    A statement run on it returns plain rows and skips the ORM's
    execution path, which costs more than SQLite's own work on a member
    read; the transaction is the session's all the same. What the session
    holds unwritten is flushed first, as the session would before a read.
    """
    session = context.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()


def reader(fn):
    return _busy_is_unavailable(main_context_manager.reader(fn))


def writer(fn):
    """A retried writer transaction that declares its intent to write."""
    transactional = _busy_is_unavailable(main_context_manager.writer(fn))

    @functools.wraps(fn)
    @oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True,
                               inc_retry_interval=True)
    def wrapped(*args, **kwargs):
        token = _WRITE_INTENT.set(True)
        try:
            return transactional(*args, **kwargs)
        finally:
            _WRITE_INTENT.reset(token)
    return wrapped
