"""Multi-tenant Swift: reading the data straight from Swift follows sharing.

With ``swift_store_multi_tenant = True`` each image's data sits in its
owner's Swift account, in a container of its own. glance-sharing keeps
the container's read ACL in step with who may download the image
(glance_sharing/data_access.py); each check here is a member's own token
against Swift itself, not against the API.
"""

from glance_sharing.tests.integration import base
from harness import swift


class TestMemberReadsFromSwift(base.SwiftTestCase):

    def setUp(self):
        super().setUp()
        store = self.swift.multi_tenant_store_options()
        self.url = self.useFixture(self.cloud.service_process(
            workers=1, glance_store=store)).url

    def api(self, method, path, user='alpha', **kwargs):
        return self.request(method, path, user=user, url=self.url,
                            **kwargs)

    def from_swift(self, image, user):
        """GET the image's object from Swift with ``user``'s own token."""
        response = self.swift.get_object(
            self.cloud.token(user), self.project('alpha'),
            '%s_%s' % (swift.CONTAINER, image['id']), image['id'])
        return response.status_code, response.content

    def add_member(self, image, project):
        response = self.api('POST', '/v2/images/%s/members' % image['id'],
                            json={'member': self.project(project)})
        self.assertEqual(200, response.status_code, response.text)

    def set_status(self, image, member, status):
        response = self.api(
            'PUT', '/v2/images/%s/members/%s' % (image['id'],
                                                 self.project(member)),
            user=member, json={'status': status})
        self.assertEqual(200, response.status_code, response.text)

    def test_read_access_follows_membership(self):
        data = b'data kept in the owner\'s own Swift account'
        image = self.create_image(url=self.url)
        # Shared before the data comes: the upload sets the ACL too.
        self.add_member(image, 'gamma')
        response = self.api('PUT', '/v2/images/%s/file' % image['id'],
                            data=data, headers={
                                'Content-Type': 'application/octet-stream'})
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual((200, data), self.from_swift(image, 'alpha'))
        self.assertEqual((200, data), self.from_swift(image, 'gamma'))
        self.assertEqual(403, self.from_swift(image, 'beta')[0])

        self.add_member(image, 'beta')
        self.assertEqual((200, data), self.from_swift(image, 'beta'))
        # Pending, accepted or rejected, a member may download (Glance's
        # download_image), and so may read from Swift.
        self.set_status(image, 'beta', 'accepted')
        self.assertEqual((200, data), self.from_swift(image, 'beta'))
        self.set_status(image, 'beta', 'rejected')
        self.assertEqual((200, data), self.from_swift(image, 'beta'))

        response = self.api('DELETE', '/v2/images/%s/members/%s' % (
            image['id'], self.project('beta')))
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual(403, self.from_swift(image, 'beta')[0])
        self.assertEqual((200, data), self.from_swift(image, 'gamma'))

        # Private: members no longer see the image, nor its data.
        response = self.api(
            'PATCH', '/v2/images/' + image['id'],
            headers={'Content-Type':
                     'application/openstack-images-v2.1-json-patch'},
            json=[{'op': 'replace', 'path': '/visibility',
                   'value': 'private'}])
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(403, self.from_swift(image, 'gamma')[0])
        self.assertEqual((200, data), self.from_swift(image, 'alpha'))

        # Deleting the image removes its container from the owner's
        # account.
        response = self.api('DELETE', '/v2/images/' + image['id'])
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual(404, self.from_swift(image, 'alpha')[0])
