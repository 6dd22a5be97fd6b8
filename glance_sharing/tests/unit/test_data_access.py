"""Who may read image data straight from the store (data_access)."""

from unittest import mock

from oslo_config import cfg
import testtools

from glance_sharing.api.middleware import context as context_middleware
from glance_sharing import data_access
from glance_sharing import exception
from glance_sharing import image_store
from glance_sharing.tests import fixtures

SWIFT = 'swift+http://127.0.0.1:8080/v1/AUTH_owner/glance_an-image/an-image'


class TestReaders(testtools.TestCase):

    def test_follows_download_image(self):
        members = ['beta', 'gamma']
        for visibility, expected in [
                ('shared', (False, {'beta', 'gamma'})),
                ('private', (False, set())),
                ('public', (True, set())),
                ('community', (True, set()))]:
            self.assertEqual(expected, data_access.readers(
                {'visibility': visibility}, members), visibility)


class TestSync(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(fixtures.ConfFixture(cfg.CONF))

    def test_only_multi_tenant_swift_keeps_access_lists(self):
        self.assertFalse(image_store.keeps_access_lists(cfg.CONF, SWIFT))
        self.conf.config(group='glance_store', swift_store_multi_tenant=True)
        self.assertTrue(image_store.keeps_access_lists(cfg.CONF, SWIFT))
        self.assertFalse(image_store.keeps_access_lists(
            cfg.CONF, 'file:///var/lib/glance/images/an-image'))
        self.assertFalse(image_store.keeps_access_lists(cfg.CONF, None))

    @mock.patch.object(data_access.db_images, 'image_get')
    def test_no_database_read_for_other_stores(self, image_get):
        data_access.sync(mock.sentinel.context, 'an-image', SWIFT, cfg.CONF)
        image_get.assert_not_called()

    @mock.patch.object(image_store, 'set_readers')
    @mock.patch.object(data_access.db_members, 'member_list')
    @mock.patch.object(data_access.db_images, 'image_get')
    def test_rewrites_the_whole_list(self, image_get, member_list,
                                     set_readers):
        self.conf.config(group='glance_store', swift_store_multi_tenant=True)
        image_get.return_value = {'visibility': 'shared', 'location': SWIFT}
        member_list.return_value = [{'member_id': 'beta'},
                                    {'member_id': 'gamma'}]
        context = mock.sentinel.context
        data_access.sync(context, 'an-image', SWIFT, cfg.CONF)
        set_readers.assert_called_once_with(SWIFT, False, {'beta', 'gamma'},
                                            context)

    @mock.patch.object(image_store, 'set_readers')
    @mock.patch.object(data_access.db_images, 'image_get')
    def test_image_deleted_meanwhile(self, image_get, set_readers):
        self.conf.config(group='glance_store', swift_store_multi_tenant=True)
        image_get.side_effect = exception.ImageNotFound(image_id='an-image')
        data_access.sync(mock.sentinel.context, 'an-image', SWIFT, cfg.CONF)
        set_readers.assert_not_called()


class TestServiceCatalogHeader(testtools.TestCase):

    def catalog(self, header):
        req = mock.Mock(headers={} if header is None else {
            'X-Service-Catalog': header})
        return context_middleware._service_catalog(req)

    def test_parsed_when_a_json_list(self):
        self.assertEqual([{'type': 'object-store'}],
                         self.catalog('[{"type": "object-store"}]'))
        for header in (None, '', 'not json', '{"a": 1}'):
            self.assertIsNone(self.catalog(header), header)
