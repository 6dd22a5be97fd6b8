"""db purge while a multi-process server writes history, on every backend.

Old rows go in batches while API processes append new ones: no API call
may fail or wait for the purge's end, and no new row may be lost.
"""

import concurrent.futures
import datetime
import os
import subprocess
import uuid

import sqlalchemy as sa
import testscenarios

from glance_sharing.tests.functional.db import test_concurrency
from harness import server

load_tests = testscenarios.load_tests_apply_scenarios

OLD_ROWS = 600
# Each writer's least number of share + unshare pairs.
MIN_PAIRS = 4


class PurgeWhileServingTest(test_concurrency.ServerTestCase):

    def add_old_history(self, image_id):
        long_ago = (datetime.datetime.utcnow().replace(microsecond=0)
                    - datetime.timedelta(days=40))
        table = sa.table('image_member_history', sa.column('image_id'),
                         sa.column('member'), sa.column('action'),
                         sa.column('status'), sa.column('created_at'))
        with self.engine.begin() as connection:
            connection.execute(table.insert(), [
                {'image_id': image_id, 'member': 'old-%d' % i,
                 'action': 'create', 'status': 'pending',
                 'created_at': long_ago} for i in range(OLD_ROWS)])

    def purge(self):
        return subprocess.run(
            [os.path.join(server.BIN_DIR, 'glance-sharing-manage'),
             '--config-file', self.server.conf_path, 'db', 'purge',
             '--age-in-days', '30', '--batch-size', '25'],
            capture_output=True, text=True, timeout=300)

    def share_and_unshare_until(self, image_id, done):
        """Share and unshare new members until ``done()``; the responses.

        At least MIN_PAIRS pairs, so writes run before, while and after
        the purge runs.
        """
        members = '/v2/images/%s/members' % image_id
        responses = []
        while not done() or len(responses) < 2 * MIN_PAIRS:
            member = 'm-%s' % uuid.uuid4().hex
            responses.append(self.request('POST', members,
                                          body={'member': member}))
            responses.append(self.request('DELETE',
                                          '%s/%s' % (members, member)))
        return responses

    def test_purge_while_the_api_writes(self):
        image_id = self.create_image()
        self.add_old_history(image_id)
        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            purge = pool.submit(self.purge)
            writers = [pool.submit(self.share_and_unshare_until, image_id,
                                   purge.done) for _ in range(4)]
            responses = [r for w in writers for r in w.result()]
            purged = purge.result()
        self.assertEqual(0, purged.returncode, purged.stderr)
        self.assertIn('Purged %d ' % OLD_ROWS, purged.stdout)
        self.assertEqual([200, 204] * (len(responses) // 2),
                         [r.status_code for r in responses],
                         [r.text for r in responses if r.status_code >= 300])
        self.assertEqual(0, self.count(
            "SELECT count(*) FROM image_member_history "
            "WHERE member LIKE 'old-%'"))
        # Every API write kept its row.
        self.assertEqual(len(responses), self.count(
            "SELECT count(*) FROM image_member_history "
            "WHERE member LIKE 'm-%'"))
