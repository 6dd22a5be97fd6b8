"""The member functions of the DB API: invariants, errors and history."""

import datetime

import sqlalchemy as sa

from glance_sharing.db import engine as db_engine
from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members
from glance_sharing.db import models
from glance_sharing import exception
from glance_sharing.tests import base

IMAGE_ID = '6b1f6a1e-6c4b-4a36-9a2e-0c3f0b6d9f10'


class MemberDBTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.owner = base.make_context()
        self.consumer = base.make_context()
        self.consumer2 = base.make_context()
        self.admin = base.make_context(admin=True)
        self.image = self._image(IMAGE_ID)

    def _image(self, image_id, visibility='shared'):
        values = {
            'id': image_id, 'name': None, 'status': 'queued',
            'visibility': visibility, 'owner': self.owner.project_id,
            'protected': False, 'os_hidden': False, 'min_disk': 0,
            'min_ram': 0, 'container_format': None, 'disk_format': None,
        }
        return db_images.image_create(self.owner, values, {}, [])

    def _share(self, member, quota=-1, image_id=IMAGE_ID):
        return db_members.member_create(self.owner, image_id, member, quota)

    def _set_created_at(self, member, when):
        @db_engine.main_context_manager.writer
        def update(context):
            context.session.execute(
                sa.update(models.ImageMember)
                .where(models.ImageMember.member == member)
                .values(created_at=when))
        update(base.make_context())

    def _members(self, ctx, **kwargs):
        return [m['member_id']
                for m in db_members.member_list(ctx, self.image['id'],
                                                **kwargs)]


class HistoryTest(MemberDBTestCase):

    def test_every_change_is_recorded_with_its_actor(self):
        self._share(self.consumer.project_id)
        db_members.member_update(self.consumer, IMAGE_ID,
                                 self.consumer.project_id, 'accepted')
        db_members.member_delete(self.admin, IMAGE_ID,
                                 self.consumer.project_id)

        history = db_members.member_history(self.owner, IMAGE_ID)
        self.assertEqual(
            [('create', 'pending'), ('update', 'accepted'),
             ('delete', 'accepted')],
            [(h['action'], h['status']) for h in history])
        for entry, ctx in zip(history,
                              [self.owner, self.consumer, self.admin]):
            self.assertEqual(self.consumer.project_id, entry['member_id'])
            self.assertEqual(ctx.user_id, entry['user_id'])
            self.assertEqual(ctx.project_id, entry['project_id'])
            self.assertEqual(ctx.request_id, entry['request_id'])
            self.assertTrue(entry['request_id'].startswith('req-'))
            self.assertIsInstance(entry['created_at'], datetime.datetime)

    def test_failed_changes_are_not_recorded(self):
        self._share(self.consumer.project_id, quota=1)
        self.assertRaises(exception.MemberExists, self._share,
                          self.consumer.project_id)
        self.assertRaises(exception.MemberQuotaExceeded, self._share,
                          self.consumer2.project_id, quota=1)
        self.assertRaises(exception.MemberNotFound, db_members.member_update,
                          self.consumer2, IMAGE_ID,
                          self.consumer2.project_id, 'accepted')
        self.assertRaises(exception.MemberNotFound, db_members.member_delete,
                          self.owner, IMAGE_ID, self.consumer2.project_id)
        self.assertEqual(
            ['create'],
            [h['action'] for h in db_members.member_history(self.owner,
                                                            IMAGE_ID)])

    def test_image_delete_removes_and_records_every_membership(self):
        self._share(self.consumer.project_id)
        self._share(self.consumer2.project_id)
        removed = db_images.image_delete(self.owner, IMAGE_ID)['members']
        self.assertEqual(
            {self.consumer.project_id, self.consumer2.project_id},
            {m['member_id'] for m in removed})
        deletes = [h for h in db_members.member_history(self.owner, IMAGE_ID)
                   if h['action'] == 'delete']
        self.assertEqual(
            {self.consumer.project_id, self.consumer2.project_id},
            {h['member_id'] for h in deletes})
        self.assertTrue(all(h['request_id'] == self.owner.request_id
                            for h in deletes))
        # No row survives: an image made again with that id has none.
        self.image = self._image(IMAGE_ID)
        self.assertEqual([], self._members(self.owner))

    def test_history_outlives_the_image(self):
        self._share(self.consumer.project_id)
        db_images.image_delete(self.owner, IMAGE_ID)
        self.assertEqual(
            ['create', 'delete'],
            [h['action'] for h in db_members.member_history(self.owner,
                                                            IMAGE_ID)])


class UpdateTest(MemberDBTestCase):

    def test_update_sets_the_status(self):
        self._share(self.consumer.project_id)
        for status in ('accepted', 'rejected', 'rejected', 'pending'):
            member = db_members.member_update(
                self.consumer, IMAGE_ID, self.consumer.project_id, status)
            self.assertEqual(status, member['status'])
            self.assertEqual(status, db_members.member_get(
                self.consumer, self.image['id'],
                self.consumer.project_id)['status'])

    def test_update_never_resurrects_a_deleted_membership(self):
        self._share(self.consumer.project_id)
        db_members.member_delete(self.owner, IMAGE_ID,
                                 self.consumer.project_id)
        self.assertRaises(exception.MemberNotFound, db_members.member_update,
                          self.consumer, IMAGE_ID,
                          self.consumer.project_id, 'accepted')
        self.assertRaises(exception.MemberNotFound, db_members.member_get,
                          self.owner, self.image['id'],
                          self.consumer.project_id)
        self.assertEqual([], self._members(self.owner))
        self.assertEqual(
            ['create', 'delete'],
            [h['action'] for h in db_members.member_history(self.owner,
                                                            IMAGE_ID)])

    def test_update_of_a_member_that_never_was(self):
        self.assertRaises(exception.MemberNotFound, db_members.member_update,
                          self.admin, IMAGE_ID, 'nobody', 'accepted')
        self.assertEqual([], self._members(self.admin))

    def test_update_touches_one_row_only(self):
        self._share(self.consumer.project_id)
        self._share(self.consumer2.project_id)
        db_members.member_update(self.consumer, IMAGE_ID,
                                 self.consumer.project_id, 'rejected')
        self.assertEqual('pending', db_members.member_get(
            self.owner, self.image['id'], self.consumer2.project_id)['status'])

    def test_readding_a_deleted_member_starts_pending(self):
        self._share(self.consumer.project_id)
        db_members.member_update(self.consumer, IMAGE_ID,
                                 self.consumer.project_id, 'accepted')
        db_members.member_delete(self.owner, IMAGE_ID,
                                 self.consumer.project_id)
        member = self._share(self.consumer.project_id)
        self.assertEqual('pending', member['status'])
        self.assertEqual(1, len(self._members(self.owner)))


class CreateTest(MemberDBTestCase):

    def test_create(self):
        member = self._share(self.consumer.project_id)
        self.assertEqual(
            {'image_id': IMAGE_ID, 'member_id': self.consumer.project_id,
             'status': 'pending'},
            {k: member[k] for k in ('image_id', 'member_id', 'status')})
        self.assertEqual(0, member['created_at'].microsecond)
        self.assertEqual(member['created_at'], member['updated_at'])

    def test_duplicate(self):
        self._share(self.consumer.project_id)
        exc = self.assertRaises(exception.MemberExists, self._share,
                                self.consumer.project_id)
        self.assertEqual(409, exc.code)
        self.assertEqual(1, len(self._members(self.owner)))

    def test_ids_differing_in_case_are_different_members(self):
        self._share('ABC')
        self._share('abc')
        self.assertEqual(['ABC', 'abc'], sorted(self._members(self.owner)))

    def test_quota(self):
        self._share('a', quota=2)
        self._share('b', quota=2)
        exc = self.assertRaises(exception.MemberQuotaExceeded, self._share,
                                'c', quota=2)
        self.assertEqual(413, exc.code)
        self.assertEqual({'image_id': IMAGE_ID, 'count': 2, 'limit': 2},
                         exc.kwargs)
        self.assertEqual(['a', 'b'], sorted(self._members(self.owner)))

    def test_duplicate_at_quota_is_a_duplicate(self):
        self._share('a', quota=1)
        self.assertRaises(exception.MemberExists, self._share, 'a', quota=1)

    def test_members_of_any_status_count(self):
        self._share(self.consumer.project_id, quota=1)
        db_members.member_update(self.consumer, IMAGE_ID,
                                 self.consumer.project_id, 'rejected')
        self.assertRaises(exception.MemberQuotaExceeded, self._share, 'x',
                          quota=1)

    def test_delete_frees_quota(self):
        self._share('a', quota=1)
        db_members.member_delete(self.owner, IMAGE_ID, 'a')
        self._share('b', quota=1)
        self.assertEqual(['b'], self._members(self.owner))

    def test_quota_zero_forbids_sharing(self):
        self.assertRaises(exception.MemberQuotaExceeded, self._share, 'a',
                          quota=0)

    def test_negative_quota_is_unlimited(self):
        for n in range(5):
            self._share('m%d' % n, quota=-1)
        self.assertEqual(5, len(self._members(self.owner)))

    def test_quota_is_per_image(self):
        other = '0c0b5b55-2d4c-4b8e-9d3a-3f5a2c1f0e11'
        self._image(other)
        self._share('a', quota=1)
        self._share('a', quota=1, image_id=other)

    def test_image_must_exist_and_be_shared(self):
        self.assertRaises(exception.ImageNotFound, self._share, 'a',
                          image_id='0c0b5b55-0000-4b8e-9d3a-3f5a2c1f0e11')
        private = '0c0b5b55-2d4c-4b8e-9d3a-3f5a2c1f0e12'
        self._image(private, visibility='private')
        exc = self.assertRaises(exception.ImageNotShared, self._share, 'a',
                                image_id=private)
        self.assertEqual(403, exc.code)

    def test_changes_need_a_shared_image(self):
        self._share(self.consumer.project_id)
        db_images.image_update(self.owner, IMAGE_ID, lambda image: dict(
            image, visibility='public'))
        self.assertRaises(exception.ImageNotShared, db_members.member_update,
                          self.consumer, IMAGE_ID,
                          self.consumer.project_id, 'accepted')
        self.assertRaises(exception.ImageNotShared, db_members.member_delete,
                          self.owner, IMAGE_ID, self.consumer.project_id)


class ReadTest(MemberDBTestCase):

    def setUp(self):
        super().setUp()
        start = datetime.datetime(2026, 1, 1)
        # CONSUMER2 first, then 'a' and 'b' in one second, then CONSUMER.
        for member, seconds in ((self.consumer2.project_id, 0), ('b', 1),
                                ('a', 1), (self.consumer.project_id, 2)):
            self._share(member)
            self._set_created_at(
                member, start + datetime.timedelta(seconds=seconds))

    def test_owner_and_admin_see_all_rows_oldest_first(self):
        expected = [self.consumer2.project_id, 'a', 'b',
                    self.consumer.project_id]
        self.assertEqual(expected, self._members(self.owner))
        self.assertEqual(expected, self._members(self.admin))

    def test_a_member_sees_only_itself(self):
        self.assertEqual([self.consumer.project_id],
                         self._members(self.consumer))
        self.assertEqual(
            self.consumer.project_id,
            db_members.member_get(self.consumer, self.image['id'],
                                  self.consumer.project_id)['member_id'])
        self.assertRaises(exception.MemberNotFound, db_members.member_get,
                          self.consumer, self.image['id'],
                          self.consumer2.project_id)

    def test_outsiders_see_nothing(self):
        self.assertEqual([], self._members(base.make_context()))

    def test_paging(self):
        first = self._members(self.owner, limit=2)
        self.assertEqual([self.consumer2.project_id, 'a'], first)
        second = self._members(self.owner, limit=2, marker=first[-1])
        self.assertEqual(['b', self.consumer.project_id], second)
        self.assertEqual(
            [], self._members(self.owner, limit=2, marker=second[-1]))
        self.assertEqual(
            ['b', self.consumer.project_id],
            self._members(self.owner, marker='a'))

    def test_bad_markers(self):
        self.assertRaises(exception.InvalidMarker, self._members,
                          self.owner, marker='nobody')
        # A member cannot page from a row it may not see.
        self.assertRaises(exception.InvalidMarker, self._members,
                          self.consumer, marker='a')
