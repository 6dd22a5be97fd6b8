"""Real Keystone tokens at the door: 401, 403 and 404 as clients see them."""

from glance_sharing.tests.integration import base


class TestUnauthenticated(base.TestCase):
    """Every refused token is a 401 with WWW-Authenticate and our JSON."""

    def assertUnauthorized(self, response):
        self.assertEqual(401, response.status_code, response.text)
        self.assertEqual('Keystone uri="%s"' % self.cloud.keystone.url,
                         response.headers['WWW-Authenticate'])
        self.assertEqual('application/json',
                         response.headers['Content-Type'])
        error = response.json()['error']
        self.assertEqual(401, error['code'])
        self.assertEqual('Unauthorized', error['title'])
        self.assertTrue(error['message'])
        self.assertEqual(response.headers['x-openstack-request-id'],
                         error['request_id'])

    def test_no_token(self):
        self.assertUnauthorized(self.request('GET', '/v2/images'))

    def test_no_token_on_member_create(self):
        image = self.create_image()
        self.assertUnauthorized(self.request(
            'POST', '/v2/images/%s/members' % image['id'],
            json={'member': self.project('beta')}))

    def test_garbage_token(self):
        self.assertUnauthorized(self.request(
            'GET', '/v2/images', token='not-a-token'))

    def test_garbage_token_html_accept(self):
        # Errors are JSON whatever the client says it accepts.
        self.assertUnauthorized(self.request(
            'GET', '/v2/images', token='gAAAAABgarbage',
            headers={'Accept': 'text/html'}))

    def test_revoked_token(self):
        token = self.cloud.keystone.session(
            'beta', self.cloud.users['beta']['password'],
            project_id=self.project('beta')).get_token()
        revoke = self.cloud.admin.delete(
            '/auth/tokens', headers={'X-Subject-Token': token},
            endpoint_filter={'service_type': 'identity'})
        self.assertEqual(204, revoke.status_code)
        self.assertUnauthorized(self.request('GET', '/v2/images',
                                             token=token))

    def test_expired_token(self):
        token = self.cloud.keystone.short_lived_token(
            'beta', self.cloud.users['beta']['password'],
            self.project('beta'), lifetime=1)
        # Keystone's expiry has second resolution; wait it out for sure.
        self.cloud.wait_until_expired(token)
        self.assertUnauthorized(self.request('GET', '/v2/images',
                                             token=token))

    def test_versions_need_no_token(self):
        self.assertEqual(300, self.request('GET', '/').status_code)
        self.assertEqual(200, self.request('GET', '/versions').status_code)


class TestRoles(base.TestCase):
    """Token roles and projects decide 403 and 404, as in Glance."""

    def setUp(self):
        super().setUp()
        self.image = self.create_image('alpha')
        self.members = '/v2/images/%s/members' % self.image['id']

    def test_valid_token_of_owner(self):
        response = self.request('GET', '/v2/images/' + self.image['id'],
                                user='alpha')
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(self.project('alpha'), response.json()['owner'])

    def test_reader_cannot_add_member(self):
        response = self.request('POST', self.members, user='rita',
                                json={'member': self.project('beta')})
        self.assertEqual(403, response.status_code, response.text)
        self.assertEqual(403, response.json()['error']['code'])

    def test_reader_cannot_delete_member(self):
        self.assertEqual(200, self.request(
            'POST', self.members, user='alpha',
            json={'member': self.project('beta')}).status_code)
        response = self.request(
            'DELETE', '%s/%s' % (self.members, self.project('beta')),
            user='rita')
        self.assertEqual(403, response.status_code, response.text)

    def test_reader_cannot_create_image(self):
        response = self.request('POST', '/v2/images', user='rita',
                                json={'name': 'nope'})
        self.assertEqual(403, response.status_code, response.text)

    def test_reader_can_read(self):
        self.assertEqual(200, self.request('POST', self.members,
                                           user='alpha',
                                           json={'member': self.project(
                                               'beta')}).status_code)
        response = self.request('GET', self.members, user='rita')
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual([self.project('beta')],
                         [m['member_id'] for m in response.json()['members']])

    def test_third_project_gets_404(self):
        self.assertEqual(200, self.request(
            'POST', self.members, user='alpha',
            json={'member': self.project('beta')}).status_code)
        member = '%s/%s' % (self.members, self.project('beta'))
        for method, path, body in (
                ('GET', '/v2/images/' + self.image['id'], None),
                ('GET', self.members, None),
                ('POST', self.members, {'member': self.project('gamma')}),
                ('GET', member, None),
                ('PUT', member, {'status': 'accepted'}),
                ('DELETE', member, None)):
            response = self.request(method, path, user='gamma', json=body)
            self.assertEqual(404, response.status_code,
                             '%s %s: %s' % (method, path, response.text))
            self.assertEqual(404, response.json()['error']['code'])
