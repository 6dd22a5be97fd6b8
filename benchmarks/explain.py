"""The SQL the DB API really runs, and the servers' plans of it.

``capture`` records the statements a DB API call runs (an SQLAlchemy
event), ``plan`` asks the server for its plan of one statement with its
own parameters, and ``plans`` does both for a table of calls. They serve
the benchmark (``list_plans``: the list calls at each scale, written to
doc/source/benchmarks/explain-*.txt, with ``EXPLAIN (ANALYZE, BUFFERS)``
on PostgreSQL, MariaDB's ``ANALYZE`` and SQLite's ``EXPLAIN QUERY PLAN``)
and the query-plan tests (glance_sharing/tests/functional/db/
test_query_plans.py: ``member_calls`` and ``filter_plans`` on
seed.deployment_mix). Run as a script to print the latter's plans for
doc/source/admin/database.rst::

    python -m benchmarks.explain postgresql
    python -m benchmarks.explain mysql
"""

import contextlib
import datetime
import re
import sys
import tempfile
import textwrap

import sqlalchemy as sa

from benchmarks import seed
from glance_sharing import conf as gs_conf
from glance_sharing import context as gs_context
from glance_sharing.db import engine as db_engine
from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members
from glance_sharing.db import models

# MariaDB's plan columns that say how a table is read; the others
# (possible_keys above all) name indexes that the plan does not use.
ACCESS_COLUMNS = ('table', 'type', 'key', 'rows', 'Extra')

_registered = False


def _ensure_conf():
    global _registered
    if not _registered:
        gs_conf.register_opts(gs_conf.CONF)
        gs_conf.CONF([], project='glance-sharing', default_config_files=[],
                     default_config_dirs=[])
        _registered = True


@contextlib.contextmanager
def database(url):
    """The DB API on the database at ``url`` for the block; its engine."""
    _ensure_conf()
    manager = db_engine.main_context_manager.make_new_manager()
    manager.configure(connection=url)
    restore = db_engine.main_context_manager.patch_factory(manager)
    try:
        yield manager.writer.get_engine()
    finally:
        restore()
        manager.dispose_pool()


def context(project):
    return gs_context.RequestContext(project_id=project, user_id='bench',
                                     roles=['reader', 'member'])


@contextlib.contextmanager
def capture(engine):
    """Collect (statement, parameters) of every SELECT/UPDATE/DELETE."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ('SELECT', 'UPDATE', 'DELETE') and not executemany:
            statements.append((statement, parameters))

    sa.event.listen(engine, 'before_cursor_execute', record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, 'before_cursor_execute', record)


def plan(engine, statement, parameters, analyze=False, columns=None):
    """The server's plan of one statement, as lines of text.

    ``analyze``: run the statement (rolled back) for actual row counts
    and timings. A MariaDB or SQLite plan row is one line of ``name=value``
    for its non-empty ``columns`` (default: all).
    """
    dialect = engine.dialect.name
    if dialect == 'sqlite':
        prefix = 'EXPLAIN QUERY PLAN '
    elif analyze:
        prefix = {'postgresql': 'EXPLAIN (ANALYZE, BUFFERS) ',
                  'mysql': 'ANALYZE '}[dialect]
    else:
        prefix = 'EXPLAIN '
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description]
        connection.rollback()
    finally:
        connection.close()
    if names == ['QUERY PLAN']:
        return [row[0] for row in rows]
    return [' '.join('%s=%s' % (name, value)
                     for name, value in zip(names, row)
                     if value is not None
                     and (columns is None or name in columns))
            for row in rows]


def plans(engine, calls, analyze=False, columns=None):
    """{label: [(statement, parameters, plan lines)]} of (label, call)s."""
    result = {}
    for label, call in calls:
        with capture(engine) as statements:
            call()
        result[label] = [(s, p, plan(engine, s, p, analyze, columns))
                         for s, p in statements]
    return result


def list_calls(manifest):
    """(call name, function of nothing) for every bench list call."""
    consumer = context(manifest['consumer'])
    owner = context(manifest['owner'])

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


def list_plans(url, manifest):
    """{call name: [(statement, parameters, plan)]} of the bench lists."""
    with database(url) as engine:
        return plans(engine, list_calls(manifest), analyze=True)


def render(results, title):
    """The bench's plans as text: each statement, its parameters, plan."""
    out = ['=' * 78, title, '=' * 78]
    for name, statements in results.items():
        out.append('')
        out.append('--- %s: %d SELECT(s)' % (name, len(statements)))
        for statement, parameters, lines in statements:
            out.extend(['', statement.strip(),
                        '-- parameters: %r' % (parameters,), ''])
            out.extend(lines)
    return '\n'.join(out) + '\n'


def member_calls(target):
    """(label, call) of the member calls and the consumer's list.

    ``target`` is seed.deployment_mix's image; the calls act as its owner
    and as seed.MIX_CONSUMER, one of its members.
    """
    owner = context(seed.MIX_OWNER)
    consumer = context(seed.MIX_CONSUMER)
    return [
        ('consumer image list (member_status=accepted, limit=25)',
         lambda: db_images.image_get_all(consumer, limit=25)),
        ('image show by a consumer (image and own membership)',
         lambda: db_images.image_get(consumer, target['id'])),
        ('member list by the owner',
         lambda: db_members.member_list(owner, target['id'])),
        ('member show by the consumer',
         lambda: db_members.member_get(consumer, target['id'],
                                       seed.MIX_CONSUMER)),
        ('member status update by the consumer',
         lambda: db_members.member_update(consumer, target['id'],
                                          seed.MIX_CONSUMER, 'accepted')),
        ('member create by the owner (lock, duplicate check, quota count)',
         lambda: db_members.member_create(owner, target['id'], 'newcomer',
                                          128)),
    ]


def member_plans(engine, target):
    """member_calls' plans, MariaDB's reduced to ACCESS_COLUMNS."""
    return plans(engine, member_calls(target), columns=ACCESS_COLUMNS)


def filter_conditions(engine):
    """{list filter: its conditions for image_get_all}, each matching few."""
    with engine.connect() as connection:
        some = connection.execute(
            sa.select(models.Image.id, models.Image.checksum,
                      models.Image.os_hash_value)
            .where(models.Image.status == 'active')
            .order_by(models.Image.name).limit(3)).all()
    minutes = datetime.timedelta(minutes=1)
    start, images, max_size = (seed.MIX_START, seed.MIX_IMAGES,
                               seed.MIX_MAX_SIZE)
    return {
        'id=in:A,B,C': [('id', 'in', [row.id for row in some])],
        'name=in:x,y': [('name', 'in', ['image-10', 'image-2000'])],
        'status=in:queued': [('status', 'in', ['queued'])],
        'created_at=gt:T': [('created_at', 'gt',
                             start + (images - 20) * minutes)],
        'updated_at=lte:T': [('updated_at', 'lte', start + 20 * minutes)],
        'size_min=N': [('size', 'gte', max_size - max_size // 1000)],
        'size_max=N': [('size', 'lte', max_size // 1000)],
        'checksum=X': [('checksum', 'eq', some[0].checksum)],
        'os_hash_value=X': [('os_hash_value', 'eq', some[0].os_hash_value)],
    }


def filter_plans(engine):
    """{list filter: (statement, plan)} of the consumer's filtered list."""
    consumer = context(seed.MIX_CONSUMER)
    calls = [(label, lambda c=conditions: db_images.image_get_all(
        consumer, limit=25, conditions=c))
        for label, conditions in filter_conditions(engine).items()]
    result = {}
    for label, statements in plans(engine, calls,
                                   columns=ACCESS_COLUMNS).items():
        # The first statement finds the page; the others load its details.
        statement, _parameters, plan_lines = statements[0]
        result[label] = (statement, plan_lines)
    return result


def index_names(plan_lines):
    """The names of our indexes and keys that a plan mentions."""
    known = {'PRIMARY', 'images_pkey', 'image_properties_pkey',
             'image_tags_pkey', 'image_members_pkey'}
    for table in models.Base.metadata.tables.values():
        known.update(i.name for i in table.indexes)
        known.update(c.name for c in table.constraints if c.name)
    found = set()
    for line in plan_lines:
        for word in line.replace(',', ' ').replace('=', ' ').split():
            if word in known:
                found.add(word)
    return found


def scans_images(engine, plan_lines):
    """Whether a plan reads the whole images table, row by row."""
    if engine.dialect.name == 'postgresql':
        return any('Seq Scan on images' in line for line in plan_lines)
    return any('table=images ' in line + ' ' and 'type=ALL' in line
               for line in plan_lines)


def render_rst(result):
    """member_plans' result as reStructuredText for the admin guide."""
    lines = []
    for label, entries in result.items():
        lines.extend([label, '^' * len(label), ''])
        for statement, _parameters, plan_lines in entries:
            lines.extend(['.. code-block:: text', ''])
            sql = ' '.join(statement.split())
            columns = re.match(r'SELECT (.*?) FROM ', sql)
            if columns and columns.group(1).count(',') > 8:
                sql = sql.replace(columns.group(1), '<%d columns>' % (
                    columns.group(1).count(',') + 1), 1)
            # The column lists of the list's parts, too.
            sql = re.sub(r'(?:\w+\.\w+ AS \w+, ){8,}\w+\.\w+ AS \w+',
                         lambda m: '<%d columns>' % (m.group(0).count(',')
                                                     + 1), sql)
            for keyword in (' FROM ', ' LEFT OUTER JOIN ', ' INNER JOIN ',
                            ' WHERE ', ' ORDER BY ', ' LIMIT ', ' UNION ALL ',
                            ' FOR UPDATE'):
                sql = sql.replace(keyword, '\n' + keyword.strip() + ' ')
            for sql_line in sql.split('\n'):
                lines.extend(textwrap.wrap(
                    sql_line.strip(), 76, initial_indent='   ',
                    subsequent_indent='       ', break_long_words=False))
            lines.append('')
            lines.extend('   ' + plan_line for plan_line in plan_lines)
            lines.append('')
    return '\n'.join(lines)


def render_filters_rst(result):
    """The filtered lists' plans (their SQL is the consumer list's)."""
    lines = []
    for label, (_statement, plan_lines) in result.items():
        title = 'consumer image list, %s' % label
        lines.extend([title, '^' * len(title), '', '.. code-block:: text',
                      ''])
        lines.extend('   ' + plan_line for plan_line in plan_lines)
        lines.append('')
    return '\n'.join(lines)


def main(argv=None):
    """Print the admin guide's plans, from a database made and dropped."""
    backend = (argv or sys.argv[1:] or ['postgresql'])[0]
    with tempfile.TemporaryDirectory() as workdir:
        url = seed.database_url(backend, 'gs_query_plans', workdir)
        seed.create_database(backend, url, workdir)
        try:
            with database(url) as engine:
                target = seed.deployment_mix(engine)
                print(render_rst(member_plans(engine, target)))
                print(render_filters_rst(filter_plans(engine)))
        finally:
            if backend != 'sqlite':
                seed.drop_database(backend, url)


if __name__ == '__main__':
    main()
