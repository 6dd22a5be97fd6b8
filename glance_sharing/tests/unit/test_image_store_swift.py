"""image_store where glance_store's Swift driver needs help.

The real Swift runs in tests/integration/test_swift_*.py; these cover the
same rules without it, so a refactor that breaks them fails fast.
"""

from unittest import mock

import glance_store
from glance_store import exceptions as store_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from swiftclient import exceptions as swift_exc
import testtools

from glance_sharing import exception
from glance_sharing import image_store
from glance_sharing.tests import fixtures

LOCATION = 'swift+config://ref/glance/an-image'


class TestByteRange(testtools.TestCase):

    CHUNKS = [b'abcd', b'efgh', b'ij']

    def test_ranges(self):
        for offset, length, expected in [
                (0, None, b'abcdefghij'), (3, 3, b'def'), (4, 4, b'efgh'),
                (9, 1, b'j'), (2, None, b'cdefghij'), (0, 10, b'abcdefghij')]:
            self.assertEqual(expected, b''.join(image_store._byte_range(
                iter(self.CHUNKS), offset, length)), (offset, length))

    def test_stops_reading_and_closes_when_done(self):
        chunks = mock.MagicMock()
        chunks.__iter__.return_value = iter(self.CHUNKS)
        self.assertEqual([b'ab'], list(image_store._byte_range(chunks, 0,
                                                               2)))
        chunks.close.assert_called_once_with()


class TestSwiftStore(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(fixtures.ConfFixture(cfg.CONF))
        self.conf.config(group='glance_store', stores='file,swift',
                         default_store='swift',
                         swift_store_large_object_size=2)

    def test_large_known_size_is_announced_as_unknown(self):
        self.assertEqual(1000, image_store._announced_size(cfg.CONF, 1000))
        limit = 2 * 1000 * 1024
        self.assertEqual(limit - 1,
                         image_store._announced_size(cfg.CONF, limit - 1))
        self.assertEqual(0, image_store._announced_size(cfg.CONF, limit))

    def test_file_store_is_told_the_size(self):
        self.conf.config(group='glance_store', default_store='file')
        self.assertEqual(10 ** 10,
                         image_store._announced_size(cfg.CONF, 10 ** 10))

    @mock.patch.object(glance_store, 'get_from_backend')
    def test_range_from_a_store_without_random_access(self, get):
        get.side_effect = [store_exc.StoreRandomGetNotSupported(
            offset=3, chunk_size=3), (iter([b'abcd', b'efgh']), 8)]
        data = image_store.get(LOCATION, offset=3, length=3)
        self.assertEqual(b'def', b''.join(data))
        self.assertEqual(mock.call(LOCATION, context=None),
                         get.call_args_list[1])

    def test_swift_failures_are_unavailable(self):
        for error in (swift_exc.ClientException('proxy down'),
                      store_exc.BackendException('Failed to add'),
                      ConnectionRefusedError(111, 'refused'),
                      # Multi-tenant, a catalog without Swift in the region.
                      ks_exc.EndpointNotFound('no object-store')):
            with mock.patch.object(glance_store, 'get_from_backend',
                                   side_effect=error):
                self.assertRaises(exception.StoreUnavailable,
                                  image_store.get, LOCATION)
            with mock.patch.object(glance_store,
                                   'add_to_backend_with_multihash',
                                   side_effect=error):
                self.assertRaises(exception.StoreUnavailable,
                                  image_store.add, cfg.CONF, 'an-image',
                                  None, 10)

    @mock.patch.object(glance_store, 'set_acls')
    def test_acl_failures_are_logged_not_raised(self, set_acls):
        # Called after the membership change committed: never a 500.
        for error in (swift_exc.ClientException('proxy down'),
                      ks_exc.EndpointNotFound('no object-store')):
            set_acls.side_effect = error
            self.assertFalse(image_store.set_readers(
                LOCATION, False, {'a-project'}, None))
