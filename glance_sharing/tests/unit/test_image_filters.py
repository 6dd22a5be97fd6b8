"""The list filter grammar, as Glance (and the API working group) reads it."""

import datetime

import testtools
import webob.exc
import webob.multidict

from glance_sharing.api.handlers import image_filters


class TestSplitList(testtools.TestCase):

    def test_items_and_quotes(self):
        cases = {
            'a,b': ['a', 'b'],
            'a': ['a'],
            '"a,b",c': ['a,b', 'c'],
            'a,"b,c"': ['a', 'b,c'],
            'a,,b': ['a', '', 'b'],
            r'"say \"hi\"",b': [r'say \"hi\"', 'b'],
        }
        for value, expected in cases.items():
            self.assertEqual(expected, image_filters.split_list(value),
                             value)

    def test_bad_quotes(self):
        for value in ('"a', 'a"b",c', '"a"b,c'):
            self.assertRaises(webob.exc.HTTPBadRequest,
                              image_filters.split_list, value)


class TestParse(testtools.TestCase):

    def test_conditions(self):
        conditions, properties = image_filters.parse({
            'name': 'in:x,y', 'status': 'queued',
            'created_at': 'gte:2026-01-01T01:00:00+01:00',
            'updated_at': '2026-01-01T00:00:00Z',
            'size_min': '10', 'min_ram_max': '512', 'owner': 'p',
            'os_distro': 'fedora', 'limit': '5', 'protected': 'True'})
        self.assertEqual({
            ('name', 'in', ('x', 'y')), ('status', 'eq', 'queued'),
            ('created_at', 'gte', datetime.datetime(2026, 1, 1)),
            ('updated_at', 'eq', datetime.datetime(2026, 1, 1)),
            ('size', 'gte', 10), ('min_ram', 'lte', 512),
            ('owner', 'eq', 'p'), ('protected', 'eq', True),
            ('os_hidden', 'eq', False)},
            {(c, o, tuple(v) if isinstance(v, list) else v)
             for c, o, v in conditions})
        self.assertEqual({'os_distro': 'fedora'}, properties)

    def test_signed_bounds_as_glance(self):
        # Glance 33 answers size_max=-1 with 200 and no images.
        conditions, _ = image_filters.parse({'size_max': '-1',
                                             'min_disk_min': '+2'})
        self.assertIn(('size', 'lte', -1), conditions)
        self.assertIn(('min_disk', 'gte', 2), conditions)

    def test_last_of_a_repeated_filter_counts(self):
        params = webob.multidict.MultiDict(
            [('status', 'active'), ('status', 'in:queued,saving')])
        conditions, _ = image_filters.parse(params)
        self.assertEqual([('status', 'in', ['queued', 'saving']),
                          ('os_hidden', 'eq', False)], conditions)

    def test_refusals(self):
        for params in ({'name': 'like:x'}, {'created_at': 'gt:soon'},
                       {'updated_at': 'in:2026-01-01T00:00:00Z'},
                       {'size_max': '1.5'}, {'size': 'big'},
                       {'os_hidden': 'maybe'}):
            self.assertRaises(webob.exc.HTTPBadRequest,
                              image_filters.parse, params)
