"""Every image-list filter and operator, sent to Glance 33 and glance-sharing.

The images carry distinct names, so queries sorted by name compare their
order exactly; the others compare the set of ids (rows created in the same
second may order differently by created_at on each server).
"""

import hashlib
import urllib.parse

import testscenarios
import testtools

from glance_sharing.api.handlers import image_filters
from glance_sharing.api.schemas import images as schemas
from glance_sharing.tests.differential import base

load_tests = testscenarios.load_tests_apply_scenarios


# The first upload's bytes (setUp): their checksum and hash filters match.
FIRST_DATA = b'x' * 10


def plain_queries(ids, created, owner):
    """The well-formed list queries.

    ``ids`` are the images' ids, ``created`` the first one's creation
    time, ``owner`` their owner's project.
    """
    return (
        '', 'name=f-a', 'visibility=private', 'visibility=shared',
        'visibility=community', 'visibility=public', 'visibility=all',
        'member_status=pending', 'member_status=all',
        'member_status=rejected', 'owner=' + owner,
        'tag=t1', 'tag=t1&tag=t2', 'status=active', 'status=queued',
        'protected=true', 'protected=false', 'os_hidden=true',
        'colour=red', 'disk_format=raw', 'container_format=bare',
        'size_min=100', 'size_max=100', 'size_min=5&size_max=5000',
        'id=' + ids[0], 'id=in:%s,%s' % (ids[0], ids[3]),
        'name=in:f-a,f-d', 'name=in:"f-a","f-b"',
        'status=in:active,queued', 'visibility=all&status=in:queued',
        'created_at=gte:' + created, 'created_at=lt:' + created,
        'created_at=gt:2020-01-01T00:00:00Z',
        'updated_at=lte:2020-01-01T00:00:00Z',
        'updated_at=gt:2020-01-01T00:00:00',
        'created_at=eq:2020-01-01T00:00:00Z',
        'created_at=neq:2020-01-01T00:00:00Z',
        'created_at=gt:2020-01-01',
        'sort_key=name', 'sort_key=name&sort_dir=asc',
        'sort=name:desc', 'sort=name:asc,status',
        'sort_key=name&limit=2',
        'sort_key=name&sort_dir=asc&limit=1&marker=' + ids[0],
        'limit=0&sort_key=name',
        'size=10', 'virtual_size=10', 'virtual_size_min=5',
        'virtual_size_max=5', 'min_disk=0', 'min_disk_min=1',
        'min_disk_max=0', 'min_ram=0', 'min_ram_min=1', 'min_ram_max=0',
        'checksum=' + hashlib.md5(FIRST_DATA).hexdigest(),
        'os_hash_algo=sha512',
        'os_hash_value=' + hashlib.sha512(FIRST_DATA).hexdigest())


class TestEveryFilterIsQueried(testtools.TestCase):
    """A filter the service reads is compared with Glance the day it is."""

    def test_every_list_parameter_appears_in_a_query(self):
        queried = set()
        for query in plain_queries(['id-a', 'id-b', 'id-c', 'id-d'],
                                   '2026-01-01T00:00:00Z', 'a-project'):
            queried.update(name for name, _value in
                           urllib.parse.parse_qsl(query))
        self.assertEqual(
            set(), (set(image_filters.QUERY) | set(schemas.LIST_QUERY))
            - queried)


class TestListFilters(base.TestCase):

    def setUp(self):
        super().setUp()
        self.images = [
            self.create(name='f-a', visibility='private', tags=['t1'],
                        colour='red'),
            self.create(name='f-b', visibility='shared', tags=['t1', 't2'],
                        protected=True),
            self.create(name='f-c', visibility='community', os_hidden=True),
            self.create('admin', name='f-d', visibility='public'),
        ]
        self.pair.upload(self.p['owner'], self.images[0]['id'], FIRST_DATA)
        self.pair.upload(self.p['owner'], self.images[1]['id'], b'x' * 1000)
        members = '/v2/images/%s/members' % self.images[1]['id']
        self.call('owner', 'POST', members,
                  {'member': self.p['alice'].project})

    def list(self, query, personas=('owner', 'alice', 'stranger', 'admin')):
        for persona in personas:
            self.call(persona, 'GET', '/v2/images?' + query)

    def test_plain_filters(self):
        ids = [image['id'] for image in self.images]
        for query in plain_queries(ids, self.images[0]['created_at'],
                                   self.p['owner'].project):
            self.list(query)

    def test_malformed_filters(self):
        for query in (
                'created_at=gt:garbage', 'created_at=2020-01-01T00:00:00Z',
                'created_at=foo:2020-01-01T00:00:00Z', 'updated_at=lt:',
                'size_min=abc', 'size_max=-1', 'size_min=1.5',
                'id=in:', 'name=gt:f-a', 'status=bogus', 'status=in:bogus',
                'visibility=bogus', 'visibility=in:public,shared',
                'member_status=bogus', 'protected=maybe', 'os_hidden=maybe',
                'limit=-1', 'limit=abc', 'sort_dir=sideways',
                'sort_key=bogus', 'sort=name:sideways',
                'sort_key=name&sort=name', 'marker=no-such-image',
                'id=in:"unterminated', 'name=in:'):
            self.list(urllib.parse.quote(query, safe='=&:,'),
                      personas=('owner',))
