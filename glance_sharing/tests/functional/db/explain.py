"""Query plans of the member and consumer-list queries, for tests and docs.

``populate`` fills a database with a deployment-like mix of images and
memberships, ``capture`` records the SQL a DB API call really runs, and
``explain`` asks the server for its plan of each statement. Run as a
script to print the plans for doc/source/admin/database.rst::

    python -m glance_sharing.tests.functional.db.explain mysql
    python -m glance_sharing.tests.functional.db.explain postgresql
"""

import contextlib
import datetime
import random
import re
import sys
import textwrap
import uuid

import fixtures
import sqlalchemy as sa

from glance_sharing.conf import CONF
from glance_sharing.db import engine as db_engine
from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members
from glance_sharing.db import models
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures

IMAGES = 10000
OWNERS = 200
CONSUMERS = 2000
MAX_MEMBERS = 10
# Of every 20 images: 12 shared, 5 private, 2 public, 1 community.
VISIBILITIES = ['shared'] * 12 + ['private'] * 5 + ['public'] * 2 + [
    'community']
CONSUMER = 'consumer-0000'
MAX_SIZE = 10 ** 10
START = datetime.datetime(2026, 1, 1)
OWNER = 'owner-000'


def populate(engine, seed=20261130):
    """Insert IMAGES images and about 5 members per shared image.

    The returned image is OWNER's, shared with MAX_MEMBERS projects, of
    which CONSUMER has accepted it; CONSUMER has about 30 accepted shares.
    """
    rng = random.Random(seed)
    start = START
    images, members, properties, tags = [], [], [], []
    statuses = ('accepted', 'pending', 'rejected')
    for n in range(IMAGES):
        image_id = str(uuid.UUID(int=rng.getrandbits(128)))
        visibility = VISIBILITIES[n % len(VISIBILITIES)]
        created = start + datetime.timedelta(minutes=n)
        # Most images have their data, one in a hundred waits for it.
        active = n % 100 != 0
        images.append({
            'id': image_id, 'name': 'image-%d' % n,
            'status': 'active' if active else 'queued',
            'visibility': visibility, 'owner': 'owner-%03d' % (n % OWNERS),
            'min_disk': 0, 'min_ram': 0, 'protected': False,
            'os_hidden': False, 'created_at': created,
            'updated_at': created + datetime.timedelta(
                minutes=rng.randint(0, IMAGES)),
            'size': rng.randint(1, MAX_SIZE) if active else None,
            'checksum': '%032x' % rng.getrandbits(128) if active else None,
            'os_hash_value': ('%0128x' % rng.getrandbits(512)
                              if active else None)})
        if n % 2:
            properties.append({'image_id': image_id, 'name': 'os_distro',
                               'value': rng.choice(('ubuntu', 'fedora'))})
            tags.append({'image_id': image_id, 'value': 'tag-%d' % (n % 7)})
        if visibility != 'shared':
            continue
        chosen = rng.sample(range(1, CONSUMERS), rng.randint(0, MAX_MEMBERS))
        if n % 200 == 0:
            chosen[:1] = [0]
        for c in chosen:
            members.append({
                'image_id': image_id, 'member': 'consumer-%04d' % c,
                'status': 'accepted' if c == 0 else rng.choice(statuses),
                'created_at': created, 'updated_at': created})
    target = dict(images[0], owner=OWNER)
    with engine.begin() as connection:
        connection.execute(sa.insert(models.Image), images)
        connection.execute(sa.insert(models.ImageMember), members)
        connection.execute(sa.insert(models.ImageProperty), properties)
        connection.execute(sa.insert(models.ImageTag), tags)
        members_of_target = [
            m for m in members if m['image_id'] == target['id']]
        if CONSUMER not in {m['member'] for m in members_of_target}:
            raise RuntimeError('the target image must be shared with %s'
                               % CONSUMER)
    analyze(engine)
    return target


def analyze(engine):
    with engine.connect() as connection:
        if engine.dialect.name == 'postgresql':
            connection.execution_options(isolation_level='AUTOCOMMIT')
            connection.exec_driver_sql('ANALYZE')
        else:
            connection.exec_driver_sql(
                'ANALYZE TABLE images, image_members, image_properties, '
                'image_tags')
            connection.commit()


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


def explain(engine, statement, parameters):
    """The server's plan of one statement, as lines of text."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute('EXPLAIN ' + statement, parameters)
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description]
        connection.rollback()
    finally:
        connection.close()
    if engine.dialect.name == 'postgresql':
        return [row[0] for row in rows]
    return [' '.join('%s=%s' % (name, value)
                     for name, value in zip(names, row)
                     if name in ('table', 'type', 'key', 'rows', 'Extra')
                     and value is not None)
            for row in rows]


def index_names(engine, plan):
    """The names of our indexes and keys that a plan mentions."""
    known = {'PRIMARY', 'images_pkey', 'image_properties_pkey',
             'image_tags_pkey', 'image_members_pkey'}
    for table in models.Base.metadata.tables.values():
        known.update(i.name for i in table.indexes)
        known.update(c.name for c in table.constraints if c.name)
    found = set()
    for line in plan:
        for word in line.replace(',', ' ').replace('=', ' ').split():
            if word in known:
                found.add(word)
    return found


def scans_images(engine, plan):
    """Whether a plan reads the whole images table, row by row."""
    if engine.dialect.name == 'postgresql':
        return any('Seq Scan on images' in line for line in plan)
    return any('table=images ' in line + ' ' and 'type=ALL' in line
               for line in plan)


def plans(engine, target):
    """{query label: [(statement, plan lines)]} for the queries served."""
    owner = base.make_context(project=OWNER)
    consumer = base.make_context(project=CONSUMER)
    calls = [
        ('consumer image list (member_status=accepted, limit=25)',
         lambda: db_images.image_get_all(consumer, limit=25)),
        ('image show by a consumer (image and own membership)',
         lambda: db_images.image_get(consumer, target['id'])),
        ('member list by the owner',
         lambda: db_members.member_list(owner, target['id'])),
        ('member show by the consumer',
         lambda: db_members.member_get(consumer, target['id'], CONSUMER)),
        ('member status update by the consumer',
         lambda: db_members.member_update(consumer, target['id'], CONSUMER,
                                          'accepted')),
        ('member create by the owner (lock, duplicate check, quota count)',
         lambda: db_members.member_create(owner, target['id'], 'newcomer',
                                          128)),
    ]
    result = {}
    for label, call in calls:
        with capture(engine) as statements:
            call()
        result[label] = [(s, explain(engine, s, p)) for s, p in statements]
    return result


def filter_conditions(engine):
    """{list filter: its conditions for image_get_all}, each matching few."""
    with engine.connect() as connection:
        some = connection.execute(
            sa.select(models.Image.id, models.Image.checksum,
                      models.Image.os_hash_value)
            .where(models.Image.status == 'active')
            .order_by(models.Image.name).limit(3)).all()
    minutes = datetime.timedelta(minutes=1)
    return {
        'id=in:A,B,C': [('id', 'in', [row.id for row in some])],
        'name=in:x,y': [('name', 'in', ['image-10', 'image-2000'])],
        'status=in:queued': [('status', 'in', ['queued'])],
        'created_at=gt:T': [('created_at', 'gt',
                             START + (IMAGES - 20) * minutes)],
        'updated_at=lte:T': [('updated_at', 'lte', START + 20 * minutes)],
        'size_min=N': [('size', 'gte', MAX_SIZE - MAX_SIZE // 1000)],
        'size_max=N': [('size', 'lte', MAX_SIZE // 1000)],
        'checksum=X': [('checksum', 'eq', some[0].checksum)],
        'os_hash_value=X': [('os_hash_value', 'eq', some[0].os_hash_value)],
    }


def filter_plans(engine):
    """{list filter: (statement, plan)} of the consumer's filtered list."""
    consumer = base.make_context(project=CONSUMER)
    result = {}
    for label, conditions in filter_conditions(engine).items():
        with capture(engine) as statements:
            db_images.image_get_all(consumer, limit=25, conditions=conditions)
        # The first statement finds the page; the others load its details.
        statement, parameters = statements[0]
        result[label] = (statement, explain(engine, statement, parameters))
    return result


def render(engine, result):
    """reStructuredText for the admin guide."""
    lines = []
    for label, entries in result.items():
        lines.extend([label, '^' * len(label), ''])
        for statement, plan in entries:
            lines.extend(['.. code-block:: text', ''])
            sql = ' '.join(statement.split())
            columns = re.match(r'SELECT (.*?) FROM ', sql)
            if columns and columns.group(1).count(',') > 8:
                sql = sql.replace(columns.group(1), '<%d columns>' % (
                    columns.group(1).count(',') + 1), 1)
            for keyword in (' FROM ', ' LEFT OUTER JOIN ', ' WHERE ',
                            ' ORDER BY ', ' LIMIT ', ' FOR UPDATE'):
                sql = sql.replace(keyword, '\n' + keyword.strip() + ' ')
            for sql_line in sql.split('\n'):
                lines.extend(textwrap.wrap(
                    sql_line.strip(), 76, initial_indent='   ',
                    subsequent_indent='       ', break_long_words=False))
            lines.append('')
            lines.extend('   ' + plan_line for plan_line in plan)
            lines.append('')
    return '\n'.join(lines)


def render_filters(result):
    """The filtered lists' plans (their SQL is the consumer list's)."""
    lines = []
    for label, (_statement, plan) in result.items():
        title = 'consumer image list, %s' % label
        lines.extend([title, '^' * len(title), '', '.. code-block:: text',
                      ''])
        lines.extend('   ' + plan_line for plan_line in plan)
        lines.append('')
    return '\n'.join(lines)


def main(argv=None):
    backend = (argv or sys.argv[1:] or ['postgresql'])[0]
    with fixtures.Fixture() as outer:
        outer.useFixture(gs_fixtures.ConfFixture(CONF))
        outer.useFixture(gs_fixtures.Database(CONF, backend=backend))
        engine = db_engine.main_context_manager.writer.get_engine()
        target = populate(engine)
        print(render(engine, plans(engine, target)))
        print(render_filters(filter_plans(engine)))


if __name__ == '__main__':
    main()
