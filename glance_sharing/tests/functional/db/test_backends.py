"""The DB API on SQLite, MySQL and PostgreSQL: what must not vary by backend.

Each test runs once per backend (testscenarios) on a new database made by
oslo.db provisioning and migrated to head.
"""

import datetime
import random
import threading
from unittest import mock
import uuid

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import utils as db_utils
import sqlalchemy as sa
import testscenarios

from glance_sharing import context as gs_context
from glance_sharing.db import engine as db_engine
from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members
from glance_sharing.db import models
from glance_sharing import exception
from glance_sharing.tests import base
from glance_sharing.tests import fixtures
from harness import server

load_tests = testscenarios.load_tests_apply_scenarios

QUOTA = 128


def new_image(context, image_id=None, visibility='shared', owner=None):
    values = {
        'id': image_id or str(uuid.uuid4()), 'name': 'image',
        'status': 'queued', 'visibility': visibility,
        'owner': owner or context.project_id, 'container_format': None,
        'disk_format': None, 'size': None, 'virtual_size': None,
        'checksum': None, 'os_hash_algo': None, 'os_hash_value': None,
        'min_disk': 0, 'min_ram': 0, 'protected': False, 'os_hidden': False,
    }
    return db_images.image_create(context, values, {}, [])


class BackendTestCase(base.TestCase):
    """An owner and an image on the scenario's backend."""

    def setUp(self):
        super().setUp()
        self.owner = base.make_context()
        self.image = new_image(self.owner)

    def _members(self, image=None):
        return [m['member_id'] for m in
                db_members.member_list(self.owner,
                                       (image or self.image)['id'])]


class TestBackends(BackendTestCase):

    scenarios = fixtures.BACKEND_SCENARIOS

    def test_backend_is_the_one_asked_for(self):
        engine = db_engine.main_context_manager.writer.get_engine()
        self.assertEqual(self.db_backend, engine.dialect.name.replace(
            'mariadb', 'mysql'))

    def test_member_ids_differing_in_case_never_collide(self):
        for member in ('ABC', 'abc', 'Abc'):
            db_members.member_create(self.owner, self.image['id'], member,
                                     QUOTA)
        self.assertEqual(['ABC', 'Abc', 'abc'], sorted(self._members()))
        self.assertEqual('abc', db_members.member_get(
            self.owner, self.image['id'], 'abc')['member_id'])
        db_members.member_delete(self.owner, self.image['id'], 'ABC')
        self.assertEqual(['Abc', 'abc'], sorted(self._members()))
        self.assertRaises(exception.MemberNotFound, db_members.member_get,
                          self.owner, self.image['id'], 'ABC')
        self.assertRaises(exception.MemberNotFound, db_members.member_update,
                          self.owner, self.image['id'], 'ABC', 'accepted')

    def test_accented_member_ids_are_distinct(self):
        for member in ('proj-e', 'proj-\xe9', 'proj-E'):
            db_members.member_create(self.owner, self.image['id'], member,
                                     QUOTA)
        self.assertEqual(3, len(self._members()))

    def test_image_ids_differing_in_case_never_collide(self):
        lower = new_image(self.owner, image_id='abcdef')
        upper = new_image(self.owner, image_id='ABCDEF')
        db_members.member_create(self.owner, lower['id'], 'p1', QUOTA)
        self.assertEqual(['p1'], self._members(lower))
        self.assertEqual([], self._members(upper))
        self.assertRaises(exception.ImageExists, new_image, self.owner,
                          image_id='ABCDEF')

    def test_consumer_differing_in_case_does_not_see_the_share(self):
        db_members.member_create(self.owner, self.image['id'], 'consumer',
                                 QUOTA)
        other = base.make_context(project='CONSUMER')
        self.assertRaises(exception.ImageNotFound, db_images.image_get, other,
                          self.image['id'])
        self.assertRaises(exception.MemberNotFound, db_members.member_update,
                          other, self.image['id'], 'CONSUMER', 'accepted')

    def test_owner_differing_in_case_is_another_project(self):
        private = new_image(base.make_context(project='Owner'),
                            visibility='private')
        self.assertRaises(exception.ImageNotFound, db_images.image_get,
                          base.make_context(project='owner'), private['id'])

    def test_trailing_spaces_make_different_ids(self):
        # MySQL's PAD SPACE collations (utf8mb4_bin among them) compare
        # 'x' and 'x ' equal; ids must compare exactly on every backend.
        image = new_image(self.owner, image_id='img-spaces')
        for tag in ('x', 'x '):
            db_images.image_update(
                self.owner, image['id'],
                lambda i, t=tag: dict(i, tags=i['tags'] + [t]))
        db_images.image_update(self.owner, image['id'], lambda i: dict(
            i, properties={'p': '1', 'p ': '2'}))
        image = db_images.image_get(self.owner, image['id'], details=True)
        self.assertEqual(['x', 'x '], image['tags'])
        self.assertEqual({'p': '1', 'p ': '2'}, image['properties'])
        db_images.image_update(self.owner, image['id'],
                               lambda i: dict(i, tags=['x']))
        self.assertEqual(['x'], db_images.image_get(
            self.owner, image['id'], details=True)['tags'])
        # An owner with a trailing space is another project.
        padded = new_image(base.make_context(project='Owner '),
                           visibility='private')
        self.assertRaises(exception.ImageNotFound, db_images.image_get,
                          base.make_context(project='Owner'), padded['id'])

    def test_four_byte_and_long_member_ids_round_trip(self):
        for member in ('proj-\U0001F600', 'x' * 255, '\u00e9' * 255):
            created = db_members.member_create(self.owner, self.image['id'],
                                               member, QUOTA)
            self.assertEqual(member, created['member_id'])
            self.assertEqual(member, db_members.member_get(
                self.owner, self.image['id'], member)['member_id'])

    def test_duplicate_member_is_member_exists(self):
        db_members.member_create(self.owner, self.image['id'], 'p1', QUOTA)
        self.assertRaises(exception.MemberExists, db_members.member_create,
                          self.owner, self.image['id'], 'p1', QUOTA)

    def test_unique_constraint_refuses_a_second_row(self):
        # The last word on duplicates, whatever the code above it does.
        db_members.member_create(self.owner, self.image['id'], 'p1', QUOTA)

        @db_engine.writer
        def insert(context):
            now = models.now()
            context.session.add(models.ImageMember(
                image_id=self.image['id'], member='p1', status='pending',
                image_created_at=self.image['created_at'],
                created_at=now, updated_at=now))
            context.session.flush()

        self.assertRaises(db_exc.DBDuplicateEntry, insert, self.owner)

    def test_status_check_constraint(self):
        db_members.member_create(self.owner, self.image['id'], 'p1', QUOTA)
        # MariaDB reports it as an OperationalError, which oslo.db passes
        # through; the API never gets that far (the body schema has enum).
        self.assertRaises((db_exc.DBError, sa.exc.DBAPIError),
                          db_members.member_update,
                          self.owner, self.image['id'], 'p1', 'bogus')
        self.assertEqual('pending', db_members.member_get(
            self.owner, self.image['id'], 'p1')['status'])

    def test_image_delete_cascades_and_keeps_history(self):
        db_members.member_create(self.owner, self.image['id'], 'p1', QUOTA)
        removed = db_images.image_delete(self.owner,
                                         self.image['id'])['members']
        self.assertEqual(['p1'], [m['member_id'] for m in removed])
        history = db_members.member_history(self.owner, self.image['id'])
        self.assertEqual(['create', 'delete'],
                         [h['action'] for h in history])

    def test_pages_are_oslo_dbs_for_every_kind_of_sort_key(self):
        # Booleans (compared as integers) and NULLs (skipped in the
        # marker's conditions) included: each page is the one oslo.db's
        # paginate_query gives for the same marker.
        values = [(True, None, 'b'), (False, 5, None), (True, 5, 'a'),
                  (False, None, 'a'), (True, 7, None), (False, 7, 'b')]
        ids = [self.image['id']]
        for protected, size, name in values:
            image = new_image(self.owner)
            ids.append(image['id'])
            db_images.image_update(self.owner, image['id'], lambda i: dict(
                i, protected=protected, size=size, name=name))
        engine = db_engine.main_context_manager.writer.get_engine()
        Image = models.Image
        for keys, dirs in ((['protected', 'size'], ['desc', 'asc']),
                           (['os_hidden', 'name'], ['asc', 'desc']),
                           (['size'], ['asc']), (['name'], ['desc'])):
            marker = None
            for _page in range(len(values)):
                page = [image['id'] for image in db_images.image_get_all(
                    self.owner, limit=2, marker=marker, sort_keys=keys,
                    sort_dirs=dirs, filters={'owner': self.owner.project_id})]
                with sa.orm.Session(engine) as session:
                    query = session.query(Image).where(Image.id.in_(ids))
                    marker_row = marker and session.get(Image, marker)
                    expected = [row.id for row in db_utils.paginate_query(
                        query, Image, 2, keys + ['id'], marker=marker_row,
                        sort_dirs=dirs + dirs[-1:])]
                self.assertEqual(expected, page, (keys, dirs, marker))
                if len(page) < 2:
                    break
                marker = page[-1]

    def test_a_projects_pages_in_the_default_order_are_the_admins(self):
        # A project's list in the default order is a merge of parts, each
        # paged in its own index (db/images.py, _list_parts); its pages
        # must follow the admin's single walk of the same images.
        consumer = base.make_context()
        admin = base.make_context(admin=True, roles=('reader', 'member'))
        kinds = ([(consumer, 'private', None)] * 2
                 + [(self.owner, 'public', None)] * 2
                 + [(self.owner, 'community', None)]
                 + [(self.owner, 'shared', 'accepted')] * 3
                 + [(self.owner, 'shared', 'pending'),
                    (self.owner, 'shared', 'rejected'),
                    (self.owner, 'private', None)])
        images = [new_image(ctx, visibility=visibility)
                  for ctx, visibility, _status in kinds]
        # Creation times a minute apart, newest first, and shares made
        # later in another order: neither the ids' order nor the shares'
        # own times give the images' order.
        engine = db_engine.main_context_manager.writer.get_engine()
        with engine.begin() as connection:
            for minutes, image in enumerate(images):
                connection.execute(sa.update(models.Image).where(
                    models.Image.id == image['id']).values(
                    created_at=datetime.datetime(2026, 1, 1, 12)
                    - datetime.timedelta(minutes=minutes)))
        for image, (_ctx, _visibility, status) in reversed(
                list(zip(images, kinds))):
            if status:
                db_members.member_create(self.owner, image['id'],
                                         consumer.project_id, QUOTA)
            if status not in (None, 'pending'):
                db_members.member_update(consumer, image['id'],
                                         consumer.project_id, status)
        sizes = {('accepted', None): 7, ('accepted', 'all'): 8,
                 ('pending', None): 5, ('pending', 'all'): 6,
                 ('all', None): 9, ('all', 'all'): 10}
        for (member_status, visibility), size in sizes.items():
            for direction in ('desc', 'asc'):
                kwargs = {'visibility': visibility,
                          'member_status': member_status,
                          'sort_keys': ['created_at'],
                          'sort_dirs': [direction]}
                listed = {image['id'] for image in
                          db_images.image_get_all(consumer, **kwargs)}
                self.assertEqual(size, len(listed), kwargs)
                expected = [image['id'] for image in db_images.image_get_all(
                    admin, visibility='all', sort_keys=['created_at'],
                    sort_dirs=[direction]) if image['id'] in listed]
                pages, marker = [], None
                while len(pages) < size:
                    page = [image['id'] for image in db_images.image_get_all(
                        consumer, limit=2, marker=marker, **kwargs)]
                    pages += page
                    marker = page[-1]
                self.assertEqual(expected, pages, kwargs)

    def test_a_list_in_parts_is_the_single_walk(self):
        # _list_parts is a second form of visible_to + _narrowing: on
        # random images (owners with or without a project, every
        # visibility, shares of every status on images of any visibility,
        # the owner a member of its own image, ties on created_at), every
        # page of the parts is the page of the one-statement walk.
        rnd = random.Random(20261205)
        projects = [base.project_id() for _i in range(3)]
        images, members = [], []
        start = datetime.datetime(2026, 1, 1)
        for _i in range(40):
            image_id = str(uuid.UUID(int=rnd.getrandbits(128)))
            created = start + datetime.timedelta(minutes=rnd.randrange(12))
            images.append(dict(
                id=image_id, name='image', visibility=rnd.choice(
                    ('public', 'community', 'shared', 'private')),
                owner=rnd.choice(projects + [None]),
                status=rnd.choice(('active', 'queued')),
                size=rnd.choice((None, 1, 5)), min_disk=0, min_ram=0,
                protected=False, os_hidden=False, created_at=created,
                updated_at=created))
            members += [dict(image_id=image_id, member=project,
                             status=rnd.choice(('pending', 'accepted',
                                                'rejected')),
                             image_created_at=created, created_at=start,
                             updated_at=start)
                        for project in projects if rnd.random() < 0.4]
        engine = db_engine.main_context_manager.writer.get_engine()
        with engine.begin() as connection:
            connection.execute(sa.insert(models.Image), images)
            connection.execute(sa.insert(models.ImageMember), members)
        for _case in range(16):
            caller = gs_context.RequestContext(
                project_id=rnd.choice(projects + [None]), user_id='u',
                roles=['reader', 'member'], is_admin=False)
            kwargs = {'visibility': rnd.choice((None, 'all', 'public',
                                                'community', 'shared',
                                                'private')),
                      'member_status': rnd.choice(('accepted', 'pending',
                                                   'rejected', 'all')),
                      'sort_keys': ['created_at'],
                      'sort_dirs': [rnd.choice(('asc', 'desc'))],
                      'conditions': rnd.choice(
                          ((), [('status', 'eq', 'active')],
                           [('size', 'eq', None)]))}
            walked = db_images.image_get_all(caller, **kwargs)
            for marker in [None] + [image['id'] for image in walked]:
                pages = []
                for single_walk in (True, False):
                    with mock.patch.object(
                            db_images, '_walks_default_order',
                            return_value=not single_walk):
                        pages.append(db_images.image_get_all(
                            caller, limit=3, marker=marker, **kwargs))
                self.assertEqual(pages[0], pages[1], (kwargs, marker))

    def test_deadlock_in_a_writer_is_retried(self):
        real_now = models.now
        calls = []

        def now_deadlocking_once():
            calls.append(1)
            if len(calls) == 1:
                raise db_exc.DBDeadlock()
            return real_now()

        with mock.patch.object(models, 'now', now_deadlocking_once):
            created = db_members.member_create(self.owner, self.image['id'],
                                               'p1', QUOTA)
        self.assertEqual('p1', created['member_id'])
        self.assertGreaterEqual(len(calls), 2)
        self.assertEqual(['p1'], self._members())
        # The first attempt was rolled back: one history row, not two.
        self.assertEqual(['create'], [h['action'] for h in
                                      db_members.member_history(
                                          self.owner, self.image['id'])])

    def test_deadlock_every_time_gives_up(self):
        with mock.patch.object(models, 'now',
                               side_effect=db_exc.DBDeadlock()), \
                mock.patch('time.sleep'):
            self.assertRaises(db_exc.DBDeadlock, db_members.member_create,
                              self.owner, self.image['id'], 'p1', QUOTA)
        self.assertEqual([], self._members())


class TestServerBackends(BackendTestCase):
    """What only a database server does: go away, and detect deadlocks.

    (SQLite has no server to lose and one writer at a time.)
    """

    scenarios = fixtures.SERVER_BACKEND_SCENARIOS

    def test_unreachable_server_is_db_connection_error(self):
        # What the API turns into 503: nothing listens at this address.
        url = db_utils.make_url(self.db.url).set(host='127.0.0.1',
                                                 port=server.free_port())
        manager = db_engine.main_context_manager.make_new_manager()
        manager.configure(connection=url.render_as_string(
            hide_password=False))
        self.addCleanup(db_engine.main_context_manager.patch_factory(manager))
        self.addCleanup(manager.dispose_pool)
        for _ in range(2):
            self.assertRaises(db_exc.DBConnectionError, db_images.image_get,
                              self.owner, self.image['id'])
            self.assertRaises(db_exc.DBConnectionError,
                              db_members.member_create, self.owner,
                              self.image['id'], 'p1', QUOTA)

    def test_real_deadlock_is_translated(self):
        # A real lock conflict (not an injected exception) reaches the
        # retry decorator as DBDeadlock on servers that detect it.
        engine = db_engine.main_context_manager.writer.get_engine()
        other = new_image(self.owner)
        images = sa.table('images', sa.column('id'), sa.column('name'))

        def lock(connection, image_id):
            connection.execute(sa.update(images).where(
                images.c.id == image_id).values(name='x'))

        first = engine.connect()
        second = engine.connect()
        self.addCleanup(second.close)
        self.addCleanup(first.close)
        first.begin()
        second.begin()
        lock(first, self.image['id'])
        lock(second, other['id'])
        errors = []

        def cross():
            try:
                lock(first, other['id'])
            except db_exc.DBError as exc:
                errors.append(exc)

        thread = threading.Thread(target=cross)
        thread.start()
        try:
            lock(second, self.image['id'])
        except db_exc.DBError as exc:
            errors.append(exc)
        thread.join(60)
        self.assertEqual(1, len(errors), errors)
        self.assertIsInstance(errors[0], db_exc.DBDeadlock)


class TestSQLiteWriters(base.TestCase):
    """Decision 8: SQLite writers queue for the lock instead of failing."""

    def test_writer_holds_the_write_lock_from_begin(self):
        # A writer that reads first must already hold the write lock:
        # with a deferred BEGIN, a second writer commits meanwhile and the
        # first one's write then fails at once with "database is locked"
        # (SQLite cannot upgrade a stale read snapshot, busy timeout or
        # not). With BEGIN IMMEDIATE the second writer waits instead.
        owner = base.make_context()
        image = new_image(owner)
        first_read = threading.Event()
        second_done = threading.Event()
        seen = {}

        @db_engine.writer
        def read_then_write(context):
            seen['count'] = context.session.scalar(
                sa.select(sa.func.count()).select_from(models.ImageMember))
            first_read.set()
            # Give the second writer every chance to commit in between.
            seen['second_done_before_write'] = second_done.wait(1)
            now = models.now()
            context.session.add(models.ImageMember(
                image_id=image['id'], member='first', status='pending',
                image_created_at=image['created_at'],
                created_at=now, updated_at=now))

        def second_writer():
            first_read.wait(10)
            try:
                db_members.member_create(
                    base.make_context(project=owner.project_id),
                    image['id'], 'second', QUOTA)
            except Exception as exc:
                seen['second_error'] = exc
            second_done.set()

        thread = threading.Thread(target=second_writer)
        thread.start()
        try:
            read_then_write(base.make_context(project=owner.project_id))
        finally:
            thread.join(30)
        self.assertNotIn('second_error', seen)
        self.assertFalse(seen['second_done_before_write'])
        self.assertEqual(0, seen['count'])
        self.assertEqual(['first', 'second'], sorted(
            m['member_id']
            for m in db_members.member_list(owner, image['id'])))


class TestImageUpdate(base.TestCase):
    """image_update: one locked read-modify-write that writes only changes."""

    scenarios = fixtures.BACKEND_SCENARIOS

    def setUp(self):
        super().setUp()
        self.owner = base.make_context()
        self.image = new_image(self.owner)
        db_images.image_update(
            self.owner, self.image['id'], lambda image: dict(
                image, properties={'a': '1', 'b': '2'}, tags=['x', 'y']))

    def statements(self, change):
        """The SQL statements image_update(change) sends."""
        engine = db_engine.main_context_manager.writer.get_engine()
        sent = []

        def record(conn, cursor, statement, *args):
            # SQLite's BEGIN IMMEDIATE is sent as a statement too.
            if not statement.startswith('BEGIN'):
                sent.append(' '.join(statement.split()))

        sa.event.listen(engine, 'before_cursor_execute', record)
        self.addCleanup(sa.event.remove, engine, 'before_cursor_execute',
                        record)
        self.addCleanup(sent.clear)
        db_images.image_update(self.owner, self.image['id'], change)
        return list(sent)

    def test_a_rename_writes_the_name_only(self):
        sent = self.statements(lambda image: dict(image, name='renamed'))
        writes = [s for s in sent if not s.startswith('SELECT')]
        self.assertEqual(1, len(writes), writes)
        self.assertTrue(writes[0].startswith('UPDATE images SET'), writes)
        self.assertIn('name=', writes[0].replace(' ', ''))
        self.assertNotIn('visibility', writes[0])
        image = db_images.image_get(self.owner, self.image['id'], details=True)
        self.assertEqual(('renamed', {'a': '1', 'b': '2'}, ['x', 'y']),
                         (image['name'], image['properties'],
                          image['tags']))

    def test_only_changed_properties_and_tags_are_written(self):
        sent = self.statements(lambda image: dict(
            image, properties={'a': '1', 'b': 'changed', 'c': 'new'},
            tags=['y', 'z']))
        writes = ' | '.join(s for s in sent if not s.startswith('SELECT'))
        self.assertNotIn('DELETE FROM image_properties', writes)
        self.assertIn('DELETE FROM image_tags', writes)
        self.assertEqual(1, writes.count('UPDATE image_properties'))
        image = db_images.image_get(self.owner, self.image['id'], details=True)
        self.assertEqual({'a': '1', 'b': 'changed', 'c': 'new'},
                         image['properties'])
        self.assertEqual(['y', 'z'], image['tags'])

    def test_the_image_row_is_read_under_lock(self):
        sent = self.statements(lambda image: image)
        self.assertTrue(sent[0].startswith('SELECT'), sent)
        self.assertIn('FROM images', sent[0])
        if self.db_backend != 'sqlite':
            # SQLite has no row locks: BEGIN IMMEDIATE serialises writers.
            self.assertIn('FOR UPDATE', sent[0])

    def test_a_refused_change_writes_nothing(self):
        def refuse(image):
            raise exception.ImageNotFound(image_id=image['id'])
        before = db_images.image_get(self.owner, self.image['id'],
                                     details=True)
        self.assertRaises(exception.ImageNotFound, db_images.image_update,
                          self.owner, self.image['id'], refuse)
        self.assertEqual(before, db_images.image_get(
            self.owner, self.image['id'], details=True))

    def test_the_change_sees_the_locked_image_as_the_caller_may(self):
        stranger = base.make_context()
        private = new_image(self.owner, visibility='private')
        self.assertRaises(exception.ImageNotFound, db_images.image_update,
                          stranger, private['id'], lambda image: image)
        seen = []
        db_images.image_update(self.owner, self.image['id'],
                               lambda image: seen.append(image) or image)
        self.assertEqual({'a': '1', 'b': '2'}, seen[0]['properties'])
        self.assertEqual(['x', 'y'], seen[0]['tags'])
