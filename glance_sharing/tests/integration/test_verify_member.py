"""[sharing] verify_member_exists against the real Keystone."""

import uuid

from glance_sharing.tests.integration import base


class TestVerifyMemberExists(base.TestCase):

    def start(self):
        """A glance-sharing of its own, with the check on.

        (Keystone unreachable is covered by the unit tests: the same
        credentials serve auth_token, so Keystone cannot be away for one
        and not for the other.)
        """
        return self.useFixture(self.cloud.service_process(
            workers=1, sharing={'verify_member_exists': 'True'})).url

    def share(self, url, member):
        image = self.create_image(url=url)
        return self.request('POST', '/v2/images/%s/members' % image['id'],
                            user='alpha', url=url, json={'member': member})

    def test_unknown_project_is_400(self):
        url = self.start()
        unknown = uuid.uuid4().hex
        response = self.share(url, unknown)
        self.assertEqual(400, response.status_code, response.text)
        self.assertEqual(
            'Project %s does not exist in Keystone; share images with a '
            'project ID (not a name).' % unknown,
            response.json()['error']['message'])

    def test_project_name_is_400(self):
        # What "openstack image add project IMAGE beta" would send.
        url = self.start()
        self.assertEqual(400, self.share(url, 'beta').status_code)

    def test_real_project_is_200(self):
        url = self.start()
        response = self.share(url, self.project('beta'))
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(self.project('beta'), response.json()['member_id'])
        self.assertEqual('pending', response.json()['status'])

    def test_off_by_default(self):
        # The shared service runs with the default: anything goes.
        response = self.share(None, uuid.uuid4().hex)
        self.assertEqual(200, response.status_code, response.text)
