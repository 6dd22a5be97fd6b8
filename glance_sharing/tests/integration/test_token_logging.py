"""Real Keystone tokens never reach the log, even with everything at DEBUG.

glance-sharing runs with debug on and keystonemiddleware, keystoneauth and
urllib3 logging at DEBUG (they log every call to Keystone, with headers),
validates real tokens, refuses a bad one, and its whole log is searched
for the tokens and the service password.
"""

import uuid

from glance_sharing.tests.integration import base

DEBUG_LEVELS = ','.join((
    'keystonemiddleware=DEBUG', 'keystoneauth=DEBUG', 'keystoneauth1=DEBUG',
    'urllib3.connectionpool=DEBUG', 'oslo_policy=DEBUG',
    'sqlalchemy=WARN', 'stevedore=WARN'))


class TestTokensAreNotLogged(base.TestCase):

    def setUp(self):
        super().setUp()
        self.service = self.useFixture(self.cloud.service_process(
            workers=1, DEFAULT={'debug': 'True',
                                'default_log_levels': DEBUG_LEVELS}))

    def test_tokens_and_service_password_stay_out_of_the_log(self):
        alpha = self.cloud.users['alpha']
        token = self.cloud.token('alpha')
        good = self.request('GET', '/v2/images', token=token,
                            url=self.service.url)
        self.assertEqual(200, good.status_code, good.text)
        created = self.request(
            'POST', '/v2/images', token=token, url=self.service.url,
            json={'name': 'logged-' + uuid.uuid4().hex[:8]})
        self.assertEqual(201, created.status_code, created.text)
        self.addCleanup(self.request, 'DELETE',
                        '/v2/images/' + created.json()['id'], token=token,
                        url=self.service.url)
        forged = 'gAAAAAB' + uuid.uuid4().hex * 3
        bad = self.request('GET', '/v2/images', token=forged,
                           url=self.service.url)
        self.assertEqual(401, bad.status_code, bad.text)

        log = self.service.log()
        # DEBUG really was on: auth_token's calls to Keystone are there.
        self.assertIn('keystonemiddleware', log)
        self.assertIn('/v3/auth/tokens', log)
        service_password = self.cloud.users['glance-sharing']['password']
        for name, secret in (('user token', token), ('forged token', forged),
                             ('service password', service_password)):
            self.assertNotIn(secret, log, name)
            # Nor a recognisable piece of it (a token cut to a prefix).
            self.assertNotIn(secret[-24:], log, name)

        # auth_token's lines about the forged token name that request, not
        # the one the same thread served before it.
        refused = [line for line in log.splitlines()
                   if 'WARNING' in line
                   and 'Authorization failed for token' in line]
        self.assertEqual(1, len(refused), log[-5000:])
        self.assertIn('[None %s - - - - - -]' % bad.headers[
            'X-OpenStack-Request-ID'], refused[0])

        # The request lines name request id, user and project.
        for response in (good, created):
            request_id = response.headers['X-OpenStack-Request-ID']
            lines = [line for line in log.splitlines()
                     if request_id in line and 'request_log' in line]
            self.assertEqual(1, len(lines), request_id)
            self.assertIn('%s %s %s' % (request_id, alpha['id'],
                                        alpha['project_id']), lines[0])
