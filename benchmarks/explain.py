"""The query plans of the list calls, from the SQL the service really runs.

Each list call's DB API function runs in this process against the bench
database while an SQLAlchemy event records its SELECTs; each recorded
statement is then explained with its own parameters: ``EXPLAIN (ANALYZE,
BUFFERS)`` on PostgreSQL, ``ANALYZE`` (MariaDB's EXPLAIN with actual row
counts) on MariaDB, ``EXPLAIN QUERY PLAN`` on SQLite.
"""

import sqlalchemy as sa

from glance_sharing import conf as gs_conf
from glance_sharing import context as gs_context
from glance_sharing.db import engine as db_engine
from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members

_registered = False


def _ensure_conf():
    global _registered
    if not _registered:
        gs_conf.register_opts(gs_conf.CONF)
        gs_conf.CONF([], project='glance-sharing', default_config_files=[],
                     default_config_dirs=[])
        _registered = True


def _ctx(project):
    return gs_context.RequestContext(project_id=project, user_id='bench',
                                     roles=['reader', 'member'])


def _list_calls(manifest):
    """(call name, function of nothing) for every list call."""
    consumer = _ctx(manifest['consumer'])
    owner = _ctx(manifest['owner'])

    def images(ctx, **kwargs):
        args = dict(filters={'os_hidden': False}, properties={}, tags=[],
                    visibility=None, member_status='accepted', limit=25,
                    marker=None, sort_keys=['created_at'],
                    sort_dirs=['desc'])
        args.update(kwargs)
        return lambda: db_images.image_get_all(ctx, **args)

    def members():
        image = db_images.image_get(owner, manifest['ten_image'])
        return db_members.member_list(owner, image['id'])

    return [
        ('image-list-owner', images(owner)),
        ('image-list-consumer', images(consumer)),
        ('image-list-pending', images(consumer, member_status='pending')),
        ('image-list-shared', images(consumer, visibility='shared')),
        ('member-list-10', members),
    ]


def _format_rows(cursor):
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if names == ['QUERY PLAN']:
        return '\n'.join(r[0] for r in rows)
    lines = [' | '.join(names)]
    lines += [' | '.join('' if v is None else str(v) for v in row)
              for row in rows]
    return '\n'.join(lines)


def explain(url, manifest):
    """{call name: [(sql, plan text), ...]} for the list calls."""
    _ensure_conf()
    manager = db_engine.main_context_manager.make_new_manager()
    manager.configure(connection=url)
    restore = db_engine.main_context_manager.patch_factory(manager)
    engine = manager.writer.get_engine()
    dialect = engine.dialect.name
    prefix = {'postgresql': 'EXPLAIN (ANALYZE, BUFFERS) ',
              'mysql': 'ANALYZE ',
              'sqlite': 'EXPLAIN QUERY PLAN '}[dialect]
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith('SELECT'):
            captured.append((statement, parameters))

    results = {}
    try:
        for name, run in _list_calls(manifest):
            del captured[:]
            sa.event.listen(engine, 'before_cursor_execute', capture)
            try:
                run()
            finally:
                sa.event.remove(engine, 'before_cursor_execute', capture)
            plans = []
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in captured:
                    cursor.execute(prefix + statement, parameters)
                    plans.append((_inline(statement, parameters),
                                  _format_rows(cursor)))
                raw.rollback()
            finally:
                raw.close()
            results[name] = plans
    finally:
        restore()
        manager.dispose_pool()
    return results


def _inline(statement, parameters):
    """The statement with its parameters shown, for the reader only."""
    return '%s\n-- parameters: %r' % (statement.strip(), parameters)


def render(results, title):
    out = ['=' * 78, title, '=' * 78]
    for name, plans in results.items():
        out.append('')
        out.append('--- %s: %d SELECT(s)' % (name, len(plans)))
        for sql, plan in plans:
            out.append('')
            out.append(sql)
            out.append('')
            out.append(plan)
    return '\n'.join(out) + '\n'
