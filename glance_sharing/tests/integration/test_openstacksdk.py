"""The sharing story told with openstacksdk, authenticated by Keystone."""

import hashlib
import os

import openstack.connection
from openstack import exceptions as sdk_exc

from glance_sharing.tests.integration import base


class TestSharingWithOpenstacksdk(base.TestCase):

    def connection(self, user):
        # The image endpoint comes from Keystone's catalog, found by
        # keystoneauth's version discovery on glance-sharing's "/".
        return openstack.connection.Connection(
            session=self.cloud.session(user),
            region_name='RegionOne', image_interface='public')

    def test_story(self):
        producer = self.connection('alpha')
        consumer = self.connection('beta')
        beta = self.project('beta')

        image = producer.image.create_image(
            'sdk-story', visibility='shared', disk_format='raw',
            container_format='bare', allow_duplicates=True)
        self.addCleanup(producer.image.delete_image, image,
                        ignore_missing=True)
        self.assertEqual('shared', image.visibility)
        self.assertEqual(self.project('alpha'), image.owner)

        member = producer.image.add_member(image, member_id=beta)
        self.assertEqual(beta, member.member_id)
        self.assertEqual('pending', member.status)
        self.assertEqual([beta], [m.member_id for m in
                                  producer.image.members(image)])

        # Pending: reachable by id, but not in the consumer's image list.
        self.assertEqual(image.id, consumer.image.get_image(image.id).id)
        self.assertNotIn(image.id, [i.id for i in consumer.image.images()])
        self.assertIn(image.id, [i.id for i in consumer.image.images(
            member_status='pending')])

        accepted = consumer.image.update_member(member, image,
                                                status='accepted')
        self.assertEqual('accepted', accepted.status)
        self.assertIn(image.id, [i.id for i in consumer.image.images()])
        self.assertEqual('accepted', consumer.image.get_member(
            beta, image).status)

        # The consumer may not add members; the producer may not accept.
        self.assertRaises(sdk_exc.ForbiddenException,
                          consumer.image.add_member, image,
                          member_id=self.project('gamma'))
        self.assertRaises(sdk_exc.ForbiddenException,
                          producer.image.update_member, member, image,
                          status='rejected')

        rejected = consumer.image.update_member(member, image,
                                                status='rejected')
        self.assertEqual('rejected', rejected.status)
        self.assertNotIn(image.id, [i.id for i in consumer.image.images()])
        self.assertIn(image.id, [i.id for i in consumer.image.images(
            member_status='rejected')])

        producer.image.remove_member(beta, image, ignore_missing=False)
        self.assertEqual([], list(producer.image.members(image)))
        self.assertRaises(sdk_exc.NotFoundException,
                          consumer.image.get_image, image.id)
        # Removing again is a 404, which the SDK swallows by default.
        producer.image.remove_member(beta, image)
        self.assertRaises(sdk_exc.NotFoundException,
                          producer.image.remove_member, beta, image,
                          ignore_missing=False)

    def test_data_story(self):
        producer = self.connection('alpha')
        consumer = self.connection('beta')
        path, data = self.image_file()
        calls = self.server_calls()
        # validate_checksum: the SDK compares the checksum the service
        # computed with its own and deletes the image on a mismatch.
        image = producer.image.create_image(
            name='sdk-data', filename=path, visibility='shared',
            disk_format='raw', container_format='bare',
            allow_duplicates=True, validate_checksum=True, wait=True)
        self.addCleanup(producer.image.delete_image, image,
                        ignore_missing=True)
        # A plain PUT of the data, not the import API.
        self.assertIn('PUT /v2/images/%s/file 204' % image.id, calls())
        self.assertFalse([c for c in calls() if 'import' in c], calls())
        image = producer.image.get_image(image.id)
        self.assertEqual('active', image.status)
        self.assertEqual(len(data), image.size)
        self.assertEqual(hashlib.md5(data, usedforsecurity=False).hexdigest(),
                         image.checksum)
        self.assertEqual(('sha512', hashlib.sha512(data).hexdigest()),
                         (image.hash_algo, image.hash_value))

        producer.image.add_member(image, member_id=self.project('beta'))
        # download_image checks the bytes against os_hash_value.
        self.assertEqual(base.sha256(data), base.sha256(
            consumer.image.download_image(image.id).content))
        member = consumer.image.get_member(self.project('beta'), image)
        consumer.image.update_member(member, image, status='accepted')
        response = consumer.image.download_image(image.id, stream=True)
        self.assertEqual(base.sha256(data), base.sha256(
            b''.join(response.iter_content(64 * 1024))))
        out = os.path.join(os.path.dirname(path), 'copy.raw')
        consumer.image.download_image(image.id, output=out)
        with open(out, 'rb') as copy:
            self.assertEqual(base.sha256(data), base.sha256(copy.read()))

    def test_cloud_layer_create_and_download(self):
        owner = self.connection('alpha')
        path, data = self.image_file()
        name = 'sdk-cloud-%s' % os.urandom(4).hex()
        image = owner.create_image(name, filename=path, disk_format='raw',
                                   container_format='bare', wait=True,
                                   validate_checksum=True)
        self.addCleanup(owner.delete_image, image.id)
        self.assertEqual('active', owner.get_image(image.id).status)
        # Same name, same data: the SDK finds the image by the checksums
        # it stored as properties, and uploads nothing again.
        again = owner.create_image(name, filename=path, disk_format='raw',
                                   container_format='bare', wait=True,
                                   validate_checksum=True)
        self.assertEqual(image.id, again.id)
        out = os.path.join(os.path.dirname(path), 'copy.raw')
        owner.download_image(name, output_path=out)
        with open(out, 'rb') as copy:
            self.assertEqual(base.sha256(data), base.sha256(copy.read()))

    def test_outsider_sees_nothing(self):
        producer = self.connection('alpha')
        outsider = self.connection('gamma')
        image = producer.image.create_image(
            'sdk-private-share', visibility='shared', allow_duplicates=True,
            disk_format='raw', container_format='bare')
        self.addCleanup(producer.image.delete_image, image,
                        ignore_missing=True)
        producer.image.add_member(image, member_id=self.project('beta'))
        self.assertRaises(sdk_exc.NotFoundException,
                          outsider.image.get_image, image.id)
        self.assertNotIn(image.id, [i.id for i in outsider.image.images(
            member_status='all')])
        self.assertRaises(sdk_exc.NotFoundException,
                          outsider.image.get_member,
                          self.project('beta'), image)

    def test_error_message_reaches_the_user(self):
        producer = self.connection('alpha')
        image = producer.image.create_image(
            'sdk-errors', visibility='private', allow_duplicates=True,
            disk_format='raw', container_format='bare')
        self.addCleanup(producer.image.delete_image, image,
                        ignore_missing=True)
        exc = self.assertRaises(sdk_exc.ForbiddenException,
                                producer.image.add_member, image,
                                member_id=self.project('beta'))
        self.assertIn('only images with visibility "shared" have members',
                      str(exc))
