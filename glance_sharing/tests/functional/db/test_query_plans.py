"""The member and consumer-list queries use the indexes meant for them.

On MariaDB and PostgreSQL, with a deployment-like data set
(benchmarks/seed.py ``deployment_mix``: 10,000 images, about 30,000
memberships) and fresh statistics, the plan of
every query the member calls run must reach image_members through the
(image_id, member) unique index, and the consumer image list must find the
caller's shares through (member, status, image_created_at, image_id).
Each list filter finds its images through an index too (the primary key,
migration 0005's, or those of the default order), never by reading the
whole images table. These are the
choices any cost-based planner makes when a few rows of many match; the
test checks index names only, never costs or timings.
"""

import testscenarios

from glance_sharing.db import engine as db_engine
from glance_sharing.tests import base

try:
    from benchmarks import explain
    from benchmarks import seed
except ImportError:  # not run from a source tree
    explain = None

load_tests = testscenarios.load_tests_apply_scenarios

PRIMARY_KEY = {'PRIMARY', 'images_pkey'}
BY_IMAGE_AND_MEMBER = 'uniq_image_members0image_id0member'
BY_MEMBER_AND_STATUS = 'ix_image_members_member_status_image'
# The default order: an admin's list, and each part of a project's
# (db/images.py, _list_parts).
IN_ORDER = {'ix_images_created_at_id', 'ix_images_owner_created_at_id',
            'ix_images_visibility_created_at_id', BY_MEMBER_AND_STATUS}


class TestQueryPlans(base.TestCase):

    scenarios = [('mysql', {'db_backend': 'mysql'}),
                 ('postgresql', {'db_backend': 'postgresql'})]

    def setUp(self):
        super().setUp()
        if explain is None:
            base.skip_or_fail(self, 'benchmarks/ is not importable (run the '
                                    'tests from the repository root)')
        self.engine = db_engine.main_context_manager.writer.get_engine()
        target = seed.deployment_mix(self.engine)
        self.plans = explain.member_plans(self.engine, target)

    def indexes(self, label):
        """Indexes used by each statement of ``label`` on image_members."""
        found = []
        for statement, _parameters, plan in self.plans[label]:
            # The tables a statement reads come before its WHERE.
            if 'image_members' in statement.split(' WHERE ')[0]:
                found.append(explain.index_names(plan))
        self.assertTrue(found, 'no image_members statement in %s' % label)
        return found

    def test_member_queries_use_the_image_member_index(self):
        for label in ('member list by the owner',
                      'member show by the consumer',
                      'member status update by the consumer',
                      'member create by the owner (lock, duplicate check, '
                      'quota count)',
                      'image show by a consumer (image and own membership)'):
            for used in self.indexes(label):
                self.assertIn(BY_IMAGE_AND_MEMBER, used,
                              '%s:\n%s' % (label, self.plans[label]))

    def test_consumer_list_finds_shares_by_member_and_status(self):
        label = 'consumer image list (member_status=accepted, limit=25)'
        statement, _parameters, plan = self.plans[label][0]
        self.assertIn('image_members', statement)
        used = explain.index_names(plan)
        # The shares and the own images each in their index, in the
        # default order (the few public ones are the planner's choice).
        self.assertLessEqual({BY_MEMBER_AND_STATUS,
                              'ix_images_owner_created_at_id'}, used,
                             '\n'.join(plan))

    def test_every_list_filter_reads_images_through_an_index(self):
        expected = {
            'id=in:A,B,C': PRIMARY_KEY,
            'name=in:x,y': {'ix_images_name'},
            # A status or a range may match most images in a cloud, so
            # the list walks its parts in the default order (db/images.py)
            # and stops at the page's end; PostgreSQL may pick the index.
            'status=in:queued': {'ix_images_status'} | IN_ORDER,
            'created_at=gt:T': IN_ORDER,
            'updated_at=lte:T': {'ix_images_updated_at_id'} | IN_ORDER,
            'size_min=N': {'ix_images_size'} | IN_ORDER,
            'size_max=N': {'ix_images_size'} | IN_ORDER,
            'checksum=X': {'ix_images_checksum'},
            'os_hash_value=X': {'ix_images_os_hash_value'},
        }
        plans = explain.filter_plans(self.engine)
        self.assertEqual(set(expected), set(plans))
        for label, (statement, plan) in plans.items():
            text = '%s:\n%s\n%s' % (label, statement, '\n'.join(plan))
            used = explain.index_names(plan)
            self.assertTrue(expected[label] & used, text)
            if self.db_backend == 'postgresql':
                # Each finds its own index (created_at's own is the
                # default order's).
                own = expected[label] - IN_ORDER or expected[label]
                self.assertTrue(own & used, text)
            self.assertFalse(explain.scans_images(self.engine, plan), text)
