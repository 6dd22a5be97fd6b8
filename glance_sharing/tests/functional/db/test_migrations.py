"""Migrations on SQLite, MySQL and PostgreSQL: a walk, and model sync.

Databases come from oslo.db's provisioning (test_fixtures): each test gets
a new database with a random name on the server of its backend, found
through OS_TEST_DBAPI_ADMIN_CONNECTION or the servers on 127.0.0.1 (see
glance_sharing.tests.fixtures).
"""

import os

from alembic import script as alembic_script
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import test_fixtures
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa
import testtools

from glance_sharing import conf as gs_conf
from glance_sharing.conf import CONF
from glance_sharing.db import engine as db_engine
from glance_sharing.db import migration
from glance_sharing.db import models
from glance_sharing.tests import fixtures as gs_fixtures

ID_COLUMNS = {
    'images': {'id', 'owner'},
    'image_properties': {'image_id', 'name'},
    'image_tags': {'image_id', 'value'},
    'image_members': {'image_id', 'member'},
    'image_member_history': {'image_id', 'member', 'user_id', 'project_id'},
}


class _OurFacade:
    def get_enginefacade(self):
        return db_engine.main_context_manager

    def _generate_database_resource(self, _enginefacade):
        # Where provisioning looks its backend up.
        gs_fixtures.use_local_admin_urls()
        return super()._generate_database_resource(_enginefacade)


class SQLiteFixture(_OurFacade, test_fixtures.OpportunisticDbFixture):
    pass


IMAGE_0002 = 'a9b7d1f4-3b7e-4e0c-9a55-02a7d0f0c0de'


class MySQLFixture(_OurFacade, test_fixtures.MySQLOpportunisticFixture):
    pass


class PostgresqlFixture(_OurFacade,
                        test_fixtures.PostgresqlOpportunisticFixture):
    pass


class _MigrationsTest(test_fixtures.OpportunisticDBTestMixin,
                      testtools.TestCase):
    # A missing server is a skip on a laptop and a failure in CI.
    SKIP_ON_UNAVAILABLE_DB = os.environ.get('CI', '').lower() != 'true'

    def setUp(self):
        # The provisioning in super().setUp() builds our engine, which
        # reads our [database] options: they must exist by then, even
        # when no other test registered them first.
        gs_conf.register_opts(CONF)
        super().setUp()
        self.useFixture(gs_fixtures.ConfFixture(CONF))
        self.engine = db_engine.main_context_manager.writer.get_engine()


class _Walk:
    """Upgrade one revision at a time, checking each one's result."""

    def test_walk_versions(self):
        self.assertIsNone(migration.version())
        scripts = alembic_script.ScriptDirectory.from_config(
            migration._config(None))
        revisions = [r.revision for r in scripts.walk_revisions()]
        revisions.reverse()
        self.assertEqual(migration.head(), revisions[-1])
        for revision in revisions:
            pre = getattr(self, '_pre_upgrade_%s' % revision, None)
            data = pre(self.engine) if pre else None
            migration.upgrade(revision)
            self.assertEqual(revision, migration.version())
            getattr(self, '_check_%s' % revision)(self.engine, data)
        # Upgrading a database at head changes nothing.
        migration.upgrade()
        self.assertEqual(revisions[-1], migration.version())

    def _check_0001(self, engine, data):
        inspector = sa.inspect(engine)
        self.assertEqual(set(ID_COLUMNS) | {'alembic_version'},
                         set(inspector.get_table_names()))
        indexes = {i['name']: i['column_names']
                   for i in inspector.get_indexes('image_members')}
        self.assertEqual(['member', 'status'],
                         indexes['ix_image_members_member_status'])
        uniques = {u['name']: u['column_names']
                   for u in inspector.get_unique_constraints('image_members')}
        self.assertEqual(['image_id', 'member'],
                         uniques['uniq_image_members0image_id0member'])
        fks = inspector.get_foreign_keys('image_members')
        self.assertEqual([('images', ['id'], 'CASCADE')],
                         [(fk['referred_table'], fk['referred_columns'],
                           fk['options'].get('ondelete', '').upper())
                          for fk in fks])
        self._check_backend_0001(engine)

    def _check_backend_0001(self, engine):
        pass

    def _pre_upgrade_0002(self, engine):
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO images (id, name, status, visibility, owner, "
                "min_disk, min_ram, protected, os_hidden, created_at, "
                "updated_at) VALUES ('%s', 'before', 'queued', 'shared', "
                "'p', 0, 0, false, false, '2026-12-01 00:00:00', "
                "'2026-12-01 00:00:00')" % IMAGE_0002))

    def _check_0002(self, engine, data):
        columns = {c['name']: c for c in
                   sa.inspect(engine).get_columns('images')}
        self.assertTrue(columns['location']['nullable'])
        with engine.connect() as connection:
            # An image from before the upgrade simply has no data yet.
            self.assertIsNone(connection.scalar(sa.text(
                "SELECT location FROM images WHERE id = '%s'"
                % IMAGE_0002)))

    def _check_0003(self, engine, data):
        columns = {c['name']: c for c in
                   sa.inspect(engine).get_columns('image_member_history')}
        self.assertTrue(columns['global_request_id']['nullable'])

    def _pre_upgrade_0004(self, engine):
        rows = [(1, 'create', 'pending'), (2, 'update', 'accepted'),
                (3, 'delete', 'accepted')]
        with engine.begin() as connection:
            for row_id, action, status in rows:
                connection.execute(sa.text(
                    "INSERT INTO image_member_history (id, image_id, "
                    "member, action, status, created_at) VALUES (:id, "
                    ":image, 'm', :action, :status, '2026-12-01 00:00:00')"),
                    {'id': row_id, 'image': IMAGE_0002, 'action': action,
                     'status': status})

    def _check_0004(self, engine, data):
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                'SELECT action, old_status, status FROM '
                'image_member_history ORDER BY id')).all()
        # A delete's old status is the status it recorded; an update's
        # old status was never recorded.
        self.assertEqual([('create', None, 'pending'),
                          ('update', None, 'accepted'),
                          ('delete', 'accepted', 'accepted')],
                         [tuple(r) for r in rows])
        indexes = {i['name']: i['column_names'] for i in
                   sa.inspect(engine).get_indexes('image_member_history')}
        self.assertEqual(['member'],
                         indexes['ix_image_member_history_member'])
        self.assertEqual(['project_id'],
                         indexes['ix_image_member_history_project_id'])
        self.assertEqual(['created_at'],
                         indexes['ix_image_member_history_created_at'])

    def _check_0005(self, engine, data):
        indexes = {i['name']: i['column_names'] for i in
                   sa.inspect(engine).get_indexes('images')}
        for name, columns in [
                ('ix_images_name', ['name']),
                ('ix_images_status', ['status']),
                ('ix_images_updated_at_id', ['updated_at', 'id']),
                ('ix_images_size', ['size']),
                ('ix_images_checksum', ['checksum']),
                ('ix_images_os_hash_value', ['os_hash_value'])]:
            self.assertEqual(columns, indexes.get(name), name)

    def _pre_upgrade_0006(self, engine):
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO image_members (image_id, member, status, "
                "created_at, updated_at) VALUES ('%s', 'm', 'accepted', "
                "'2026-12-02 00:00:00', '2026-12-02 00:00:00')"
                % IMAGE_0002))

    def _check_0006(self, engine, data):
        inspector = sa.inspect(engine)
        columns = {c['name']: c for c in
                   inspector.get_columns('image_members')}
        self.assertFalse(columns['image_created_at']['nullable'])
        with engine.connect() as connection:
            # A share from before the upgrade has its image's time.
            self.assertEqual([('2026-12-01 00:00:00',)], [
                (str(row[0]),) for row in connection.execute(sa.text(
                    'SELECT image_created_at FROM image_members'))])
        members = {i['name']: i['column_names'] for i in
                   inspector.get_indexes('image_members')}
        self.assertEqual(['member', 'status', 'image_created_at', 'image_id'],
                         members['ix_image_members_member_status_image'])
        self.assertNotIn('ix_image_members_member_status', members)
        images = {i['name']: i['column_names'] for i in
                  inspector.get_indexes('images')}
        self.assertEqual(['owner', 'created_at', 'id'],
                         images['ix_images_owner_created_at_id'])
        self.assertEqual(['visibility', 'created_at', 'id'],
                         images['ix_images_visibility_created_at_id'])
        self.assertNotIn('ix_images_owner', images)
        self.assertNotIn('ix_images_visibility', images)
        # SQLite rebuilt the table: its constraints came along.
        self.assertEqual([('images', ['id'], 'CASCADE')],
                         [(fk['referred_table'], fk['referred_columns'],
                           fk['options'].get('ondelete', '').upper())
                          for fk in inspector.get_foreign_keys(
                              'image_members')])
        self.assertEqual(['uniq_image_members0image_id0member'], [
            u['name'] for u in inspector.get_unique_constraints(
                'image_members')])
        # (Each backend reports the check its own way.)
        self.assertRaises((sa.exc.DBAPIError, db_exc.DBError),
                          self._insert_member, engine, 'unknown')

    def _insert_member(self, engine, status):
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO image_members (image_id, member, status, "
                "image_created_at, created_at, updated_at) VALUES ('%s', "
                "'n', :status, '2026-12-01 00:00:00', '2026-12-02 00:00:00',"
                " '2026-12-02 00:00:00')" % IMAGE_0002), {'status': status})


class _ModelsSync(test_migrations.ModelsMigrationsSync):
    """The models and the migrations describe the same schema."""

    def db_sync(self, engine):
        migration.upgrade()

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata


class TestMigrationsSQLite(_Walk, _ModelsSync, _MigrationsTest):
    FIXTURE = SQLiteFixture


class TestMigrationsMySQL(_Walk, _ModelsSync, _MigrationsTest):
    FIXTURE = MySQLFixture

    def _check_backend_0001(self, engine):
        with engine.connect() as connection:
            tables = dict(connection.execute(sa.text(
                'SELECT table_name, engine FROM information_schema.tables '
                'WHERE table_schema = DATABASE()')).all())
            columns = connection.execute(sa.text(
                'SELECT table_name, column_name, character_set_name, '
                'collation_name FROM information_schema.columns '
                'WHERE table_schema = DATABASE() '
                'AND character_set_name IS NOT NULL')).all()
        self.assertEqual({'InnoDB'}, set(tables.values()))
        checked = set()
        for table, column, charset, collation in columns:
            if table == 'alembic_version':
                continue
            checked.add((table, column))
            # Every text column can hold any Unicode character.
            self.assertEqual('utf8mb4', charset, (table, column))
            if column in ID_COLUMNS[table]:
                # Ids compare byte for byte, trailing spaces included:
                # "ABC" is not "abc", nor "abc" "abc ". (MariaDB; MySQL 8
                # names it utf8mb4_0900_bin.)
                self.assertEqual('utf8mb4_nopad_bin', collation,
                                 (table, column))
        self.assertEqual(
            {(t, c) for t, cols in ID_COLUMNS.items() for c in cols},
            {(t, c) for t, c in checked if c in ID_COLUMNS[t]})


class TestMigrationsPostgreSQL(_Walk, _ModelsSync, _MigrationsTest):
    FIXTURE = PostgresqlFixture
