"""auth_token caches validated tokens in memcached, as the docs set it up.

doc/source/admin/keystone.rst sets ``[keystone_authtoken]
memcached_servers``; the test cloud does the same with a memcached of its
own. Without a memcache client installed, every authenticated request
answered 500.
"""

from glance_sharing.tests.integration import base


class TestTokenCache(base.TestCase):

    def test_validated_tokens_are_stored_and_found_in_memcached(self):
        memcached = self.cloud.memcached
        user = self.cloud.users['beta']
        # A token nobody has used yet, so its validation is not cached.
        token = self.cloud.keystone.session(
            'beta', user['password'], project_id=user['project_id'],
        ).get_token()
        before = memcached.stats()
        first = self.request('GET', '/v2/images', token=token)
        self.assertEqual(200, first.status_code, first.text)
        stored = memcached.stats()
        self.assertGreater(stored['cmd_set'], before['cmd_set'])
        # Both workers of the shared service find it there.
        for _ in range(6):
            response = self.request('GET', '/v2/images', token=token)
            self.assertEqual(200, response.status_code, response.text)
        after = memcached.stats()
        self.assertGreaterEqual(after['get_hits'] - stored['get_hits'], 6)
        self.assertEqual(stored['cmd_set'], after['cmd_set'])

    def test_service_runs_with_the_documented_setting(self):
        options = self.cloud.service_options()['keystone_authtoken']
        self.assertEqual(self.cloud.memcached.address,
                         options['memcached_servers'])
        response = self.request('GET', '/v2/images', user='alpha')
        self.assertEqual(200, response.status_code, response.text)
