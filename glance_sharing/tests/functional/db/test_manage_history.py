"""glance-sharing-manage members history and db purge on every backend.

The history is written through the DB API, as the API writes it; the
commands run as an operator runs them, in a new process reading a
config file, on the same database.
"""

import datetime
import os
import subprocess
import sys
import uuid

import fixtures
from oslo_serialization import jsonutils
import sqlalchemy as sa
import testscenarios

from glance_sharing.api import util
from glance_sharing.db import members as db_members
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures
from glance_sharing.tests.functional.db import test_db_members

load_tests = testscenarios.load_tests_apply_scenarios

IMAGE_ID = test_db_members.IMAGE_ID


def manage(conf_path, *args):
    return subprocess.run(
        [sys.executable, '-m', 'glance_sharing.cmd.manage',
         '--config-file', conf_path] + list(args),
        capture_output=True, text=True, timeout=120)


class ManageHistoryTest(test_db_members.MemberDBTestCase):

    scenarios = gs_fixtures.BACKEND_SCENARIOS

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.conf_path = os.path.join(folder, 'glance-sharing.conf')
        with open(self.conf_path, 'w') as conf_file:
            conf_file.write('[database]\nconnection = %s\n' % self.db.url)
        self.engine = sa.create_engine(self.db.url,
                                       poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)

    def manage(self, *args, status=0):
        result = manage(self.conf_path, *args)
        self.assertEqual(status, result.returncode,
                         result.stdout + result.stderr)
        return result

    def history_json(self, *args):
        return jsonutils.loads(self.manage(
            'members', 'history', '--format', 'json', *args).stdout)

    def make_history(self):
        """create, accept, reject (by an admin), delete: who did what."""
        member = self.consumer.project_id
        self._share(member)
        db_members.member_update(self.consumer, IMAGE_ID, member, 'accepted')
        db_members.member_update(self.admin, IMAGE_ID, member, 'rejected')
        db_members.member_delete(self.owner, IMAGE_ID, member)
        return [self.owner, self.consumer, self.admin, self.owner]

    def age_history(self, days, row_ids=None):
        """Move history rows ``days`` into the past (all, or ``row_ids``)."""
        table = sa.table('image_member_history', sa.column('id'),
                         sa.column('created_at', sa.DateTime))
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(table.c.id, table.c.created_at)).all()
            for row_id, created_at in rows:
                if row_ids is None or row_id in row_ids:
                    connection.execute(
                        sa.update(table).where(table.c.id == row_id).values(
                            created_at=created_at - datetime.timedelta(
                                days=days)))

    def history_ids(self):
        with self.engine.connect() as connection:
            return connection.scalars(sa.text(
                'SELECT id FROM image_member_history ORDER BY id')).all()

    def test_history_of_an_image_as_json(self):
        actors = self.make_history()
        entries = self.history_json('--image', IMAGE_ID)
        self.assertEqual(
            [('create', None, 'pending'), ('update', 'pending', 'accepted'),
             ('update', 'accepted', 'rejected'),
             ('delete', 'rejected', None)],
            [(e['action'], e['old_status'], e['new_status'])
             for e in entries])
        recorded = db_members.member_history(self.admin, IMAGE_ID)
        for entry, actor, row in zip(entries, actors, recorded):
            self.assertEqual(
                {'image_id': IMAGE_ID,
                 'member_id': self.consumer.project_id,
                 'user_id': actor.user_id, 'project_id': actor.project_id,
                 'request_id': actor.request_id,
                 'created_at': util.isotime(row['created_at'])},
                {k: entry[k] for k in ('image_id', 'member_id', 'user_id',
                                       'project_id', 'request_id',
                                       'created_at')})

    def test_history_as_a_table(self):
        actors = self.make_history()
        lines = self.manage('members', 'history',
                            '--image', IMAGE_ID).stdout.splitlines()
        self.assertEqual(['Time', 'Image', 'Member', 'Action', 'Old',
                          'status', 'New', 'status', 'User', 'Project',
                          'Request', 'id'], lines[0].split())
        rows = [line.split() for line in lines[1:]]
        self.assertEqual(
            [['create', '-', 'pending'], ['update', 'pending', 'accepted'],
             ['update', 'accepted', 'rejected'], ['delete', 'rejected', '-']],
            [row[3:6] for row in rows])
        self.assertEqual(
            [[a.user_id, a.project_id, a.request_id] for a in actors],
            [row[6:9] for row in rows])
        # One column start for every row.
        starts = {line.index(IMAGE_ID) for line in lines[1:]}
        self.assertEqual({lines[0].index('Image')}, starts)

    def test_history_of_a_project_as_member_or_actor(self):
        self.make_history()
        other_image = str(uuid.uuid4())
        self._image(other_image)
        stranger = base.make_context()
        db_members.member_create(self.owner, other_image, stranger.project_id,
                                 -1)
        as_member = self.history_json('--project', self.consumer.project_id)
        self.assertEqual(4, len(as_member))
        self.assertEqual({IMAGE_ID}, {e['image_id'] for e in as_member})
        # The consumer acted once (it accepted).
        as_actor = [e for e in as_member
                    if e['project_id'] == self.consumer.project_id]
        self.assertEqual(['update'], [e['action'] for e in as_actor])
        # The owner shared both images.
        self.assertEqual(
            {(IMAGE_ID, 'create'), (IMAGE_ID, 'delete'),
             (other_image, 'create')},
            {(e['image_id'], e['action'])
             for e in self.history_json('--project', self.owner.project_id)})
        self.assertEqual([], self.history_json('--project', 'nobody'))

    def test_since(self):
        self.make_history()
        ids = self.history_ids()
        self.age_history(10, ids[:2])
        since = (datetime.datetime.utcnow()
                 - datetime.timedelta(days=5)).strftime('%Y-%m-%dT%H:%M:%SZ')
        self.assertEqual(
            ['update', 'delete'],
            [e['action'] for e in self.history_json('--image', IMAGE_ID,
                                                    '--since', since)])
        # A time with an offset is the same instant.
        self.assertEqual(
            4, len(self.history_json('--image', IMAGE_ID, '--since',
                                     '2000-01-01T02:00:00+02:00')))
        bad = self.manage('members', 'history', '--image', IMAGE_ID,
                          '--since', 'yesterday', status=2)
        self.assertIn('ISO 8601', bad.stderr)

    def test_purge_in_batches(self):
        for _ in range(2):
            self.make_history()
        ids = self.history_ids()
        self.assertEqual(8, len(ids))
        self.age_history(31, ids[:5])
        self.age_history(29, ids[5:6])
        result = self.manage('db', 'purge', '--age-in-days', '30',
                             '--batch-size', '2')
        self.assertIn('Purged 5 membership history rows recorded before',
                      result.stdout)
        self.assertEqual(ids[5:], self.history_ids())
        again = self.manage('db', 'purge', '--age-in-days', '30')
        self.assertIn('Purged 0 ', again.stdout)
        self.assertEqual(ids[5:], self.history_ids())
        # Age 0: everything recorded before now.
        self.age_history(0)
        self.manage('db', 'purge', '--age-in-days', '0')
        self.assertEqual([], self.history_ids())
