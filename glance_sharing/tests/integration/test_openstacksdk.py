"""The sharing story told with openstacksdk, authenticated by Keystone."""

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
