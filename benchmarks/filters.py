"""Bench-only Paste filters; never part of the production pipeline.

``sqlcount`` (outermost) counts the SQL statements and new DB connections
of each request with SQLAlchemy events and reports them in response
headers. ``noop`` (just before the router) answers ``/bench/noop`` with an
empty JSON object, so the floor request crosses the whole pipeline
(request id, fault wrapper, CORS, proxy, size limit, healthcheck,
versions, noauth, context) and no handler. ``write_paste_ini`` puts
both into a copy of the production Paste file.
"""

import configparser
import threading

import sqlalchemy as sa

from glance_sharing.api.middleware import base

STATEMENTS_HEADER = 'X-Bench-SQL-Statements'
CONNECTS_HEADER = 'X-Bench-DB-Connects'
NOOP_PATH = '/bench/noop'

_state = threading.local()


def _counts():
    if not hasattr(_state, 'statements'):
        _state.statements = 0
        _state.connects = 0
    return _state


def _on_execute(conn, cursor, statement, parameters, context, executemany):
    _counts().statements += 1


def _on_connect(dbapi_connection, connection_record):
    _counts().connects += 1


_installed = False


def install_listeners():
    """Count every statement and connection of every engine, once."""
    global _installed
    if not _installed:
        sa.event.listen(sa.engine.Engine, 'before_cursor_execute',
                        _on_execute)
        sa.event.listen(sa.pool.Pool, 'connect', _on_connect)
        _installed = True


class SQLCount:

    def __init__(self, application):
        self.application = application
        install_listeners()

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls

    def __call__(self, environ, start_response):
        counts = _counts()
        counts.statements = counts.connects = 0

        def counting_start_response(status, headers, exc_info=None):
            headers = list(headers) + [
                (STATEMENTS_HEADER, str(counts.statements)),
                (CONNECTS_HEADER, str(counts.connects))]
            return start_response(status, headers, exc_info)

        # The handlers build whole responses (webob), so every statement
        # has run by the time start_response is called.
        return self.application(environ, counting_start_response)


class NoOp(base.Middleware):
    """Answer NOOP_PATH at once: the floor of the pipeline's own cost."""

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') == NOOP_PATH:
            start_response('200 OK', [('Content-Type', 'application/json'),
                                      ('Content-Length', '2')])
            return [b'{}']
        return self.application(environ, start_response)


def write_paste_ini(path, source=None):
    """The production Paste file (``source``) with the bench filters added.

    ``source`` defaults to the repository's etc/glance-sharing/api-paste.ini.
    """
    # Imported here: the server imports this module for its filters, and
    # under Apache its venv holds the service's requirements alone, not
    # the test fixtures that harness.server needs.
    from harness import server
    source = source or server.PASTE_INI
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(source)
    composite = parser['composite:glance-sharing']
    for strategy in ('noauth', 'keystone'):
        names = composite[strategy].split()
        names.insert(names.index('router'), 'noop')
        composite[strategy] = ' '.join(['sqlcount'] + names)
    parser['filter:sqlcount'] = {
        'paste.filter_factory': 'benchmarks.filters:SQLCount.factory'}
    parser['filter:noop'] = {
        'paste.filter_factory': 'benchmarks.filters:NoOp.factory'}
    with open(path, 'w') as ini:
        parser.write(ini)
