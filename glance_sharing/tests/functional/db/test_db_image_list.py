"""The image list matrix of upstream-behaviour.md 2.4, cell by cell.

For a caller who is not admin the list is the union of (a) public and
community images, (b) the caller's own images and (c) shared images with a
membership of the caller whose status is member_status (any for "all").
Then a visibility other than "all" keeps only that visibility, and an
absent visibility drops the community images of other owners. Admins see
everything, except other owners' community images without a visibility;
member_status means nothing to them.
"""

import os
import shutil
import sqlite3
import tempfile
from unittest import mock

import fixtures

from glance_sharing.conf import CONF
from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members
from glance_sharing import exception
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures

VISIBILITIES = (None, 'all', 'shared', 'community', 'public', 'private')
STATUSES = ('default', 'pending', 'accepted', 'rejected', 'all')

# Images by name. OWNER owns the o_* and s_* images; s_<status> is shared
# with CONSUMER, whose membership has that status. o_private_member is
# private but keeps an accepted membership of CONSUMER from when it was
# shared. X, another owner, shares x_shared_c with CONSUMER (accepted) and
# x_shared with nobody.
O_IMAGES = {
    'o_private': 'private', 'o_shared': 'shared',
    'o_community': 'community', 'o_public': 'public',
    's_pending': 'shared', 's_accepted': 'shared', 's_rejected': 'shared',
    'o_private_member': 'private',
}
X_IMAGES = {
    'x_private': 'private', 'x_shared': 'shared',
    'x_community': 'community', 'x_public': 'public',
    'x_shared_c': 'shared',
}
ALL = frozenset(O_IMAGES) | frozenset(X_IMAGES)
PUBLIC = {'o_public', 'x_public'}
COMMUNITY = {'o_community', 'x_community'}
O_OWN = frozenset(O_IMAGES)

# OWNER has no memberships, so member_status changes nothing for it.
OWNER_TABLE = {
    None: O_OWN | {'x_public'},
    'all': O_OWN | {'x_public', 'x_community'},
    'shared': {'o_shared', 's_pending', 's_accepted', 's_rejected'},
    'community': COMMUNITY,
    'public': PUBLIC,
    'private': {'o_private', 'o_private_member'},
}

# CONSUMER owns nothing; (member_status, visibility) -> images.
CONSUMER_TABLE = {
    ('default', None): PUBLIC | {'s_accepted', 'x_shared_c'},
    ('default', 'all'): PUBLIC | COMMUNITY | {'s_accepted', 'x_shared_c'},
    ('default', 'shared'): {'s_accepted', 'x_shared_c'},
    ('default', 'community'): COMMUNITY,
    ('default', 'public'): PUBLIC,
    ('default', 'private'): set(),

    ('accepted', None): PUBLIC | {'s_accepted', 'x_shared_c'},
    ('accepted', 'all'): PUBLIC | COMMUNITY | {'s_accepted', 'x_shared_c'},
    ('accepted', 'shared'): {'s_accepted', 'x_shared_c'},
    ('accepted', 'community'): COMMUNITY,
    ('accepted', 'public'): PUBLIC,
    ('accepted', 'private'): set(),

    ('pending', None): PUBLIC | {'s_pending'},
    ('pending', 'all'): PUBLIC | COMMUNITY | {'s_pending'},
    ('pending', 'shared'): {'s_pending'},
    ('pending', 'community'): COMMUNITY,
    ('pending', 'public'): PUBLIC,
    ('pending', 'private'): set(),

    ('rejected', None): PUBLIC | {'s_rejected'},
    ('rejected', 'all'): PUBLIC | COMMUNITY | {'s_rejected'},
    ('rejected', 'shared'): {'s_rejected'},
    ('rejected', 'community'): COMMUNITY,
    ('rejected', 'public'): PUBLIC,
    ('rejected', 'private'): set(),

    ('all', None): PUBLIC | {'s_pending', 's_accepted', 's_rejected',
                             'x_shared_c'},
    ('all', 'all'): PUBLIC | COMMUNITY | {'s_pending', 's_accepted',
                                          's_rejected', 'x_shared_c'},
    ('all', 'shared'): {'s_pending', 's_accepted', 's_rejected',
                        'x_shared_c'},
    ('all', 'community'): COMMUNITY,
    ('all', 'public'): PUBLIC,
    ('all', 'private'): set(),
}

# A project with neither images nor memberships.
OTHER_TABLE = {
    None: PUBLIC,
    'all': PUBLIC | COMMUNITY,
    'shared': set(),
    'community': COMMUNITY,
    'public': PUBLIC,
    'private': set(),
}

# An admin of a project that owns nothing; member_status is ignored.
ADMIN_TABLE = {
    None: ALL - COMMUNITY,
    'all': ALL,
    'shared': {'o_shared', 's_pending', 's_accepted', 's_rejected',
               'x_shared', 'x_shared_c'},
    'community': COMMUNITY,
    'public': PUBLIC,
    'private': {'o_private', 'o_private_member', 'x_private'},
}


def _values(name, visibility, owner, number):
    return {
        'id': '00000000-0000-4000-8000-%012d' % number, 'name': name,
        'status': 'queued', 'visibility': visibility, 'owner': owner,
        'protected': False, 'os_hidden': False, 'min_disk': 0,
        'min_ram': number, 'container_format': None, 'disk_format': None,
    }


def _copy_sqlite(source_url, target_path):
    """Copy a live SQLite database, committed WAL content included."""
    source = sqlite3.connect(source_url[len('sqlite:///'):])
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


class ImageListMatrixTest(base.TestCase):

    def setUp(self):
        super().setUp()
        if self.db_backend != 'sqlite':
            # A server database is filled afresh: no file to copy.
            self._build()
            return
        # The data set is built once per class, by its first test, and
        # every test then works on a copy of that file: about 25 write
        # transactions fewer per test.
        cls = type(self)
        if '_template' not in vars(cls):
            self._build()
            folder = tempfile.mkdtemp(prefix='gs-image-list-')
            cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
            path = os.path.join(folder, 'db.sqlite')
            _copy_sqlite(self.db.url, path)
            cls._template = (path, (self.owner, self.x_owner, self.consumer,
                                    self.other, self.admin, dict(self.ids)))
            cls.addClassCleanup(delattr, cls, '_template')
            return
        template, state = cls._template
        (self.owner, self.x_owner, self.consumer, self.other, self.admin,
         self.ids) = state
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'db.sqlite')
        _copy_sqlite('sqlite:///' + template, path)
        self.useFixture(gs_fixtures.Database(CONF, url='sqlite:///' + path))

    def _build(self):
        self.owner = base.make_context()
        self.x_owner = base.make_context()
        self.consumer = base.make_context()
        self.other = base.make_context()
        self.admin = base.make_context(admin=True,
                                       roles=('reader', 'member'))
        self.ids = {}
        images = [(name, vis, self.owner) for name, vis in O_IMAGES.items()]
        images += [(name, vis, self.x_owner)
                   for name, vis in X_IMAGES.items()]
        for number, (name, visibility, ctx) in enumerate(images):
            first = 'shared' if name == 'o_private_member' else visibility
            image = db_images.image_create(
                ctx, _values(name, first, ctx.project_id, number), {}, [])
            self.ids[image['id']] = name
        self._share('s_pending', self.owner, 'pending')
        self._share('s_accepted', self.owner, 'accepted')
        self._share('s_rejected', self.owner, 'rejected')
        self._share('o_private_member', self.owner, 'accepted')
        self._share('x_shared_c', self.x_owner, 'accepted')
        # A membership of someone else must not count for the consumer.
        db_members.member_create(self.x_owner, self._id('x_shared'),
                                 base.project_id(), -1)
        image_id = self._id('o_private_member')
        db_images.image_update(self.owner, image_id, lambda image: dict(
            image, visibility='private'))

    def _id(self, name):
        return next(i for i, n in self.ids.items() if n == name)

    def _share(self, name, owner_ctx, status):
        image_id = self._id(name)
        db_members.member_create(owner_ctx, image_id,
                                 self.consumer.project_id, -1)
        if status != 'pending':
            db_members.member_update(self.consumer, image_id,
                                     self.consumer.project_id, status)

    def _list(self, ctx, member_status='default', visibility=None,
              **kwargs):
        if member_status != 'default':
            kwargs['member_status'] = member_status
        images = db_images.image_get_all(ctx, visibility=visibility, **kwargs)
        return [self.ids[image['id']] for image in images]

    def _mismatches(self, ctx, expected_for):
        """Every (member_status, visibility) cell that is wrong."""
        wrong = []
        for status in STATUSES:
            for visibility in VISIBILITIES:
                expected = set(expected_for(status, visibility))
                names = self._list(ctx, status, visibility)
                self.assertEqual(len(names), len(set(names)),
                                 'duplicates in %s/%s' % (status, visibility))
                if set(names) != expected:
                    wrong.append((status, visibility, sorted(names),
                                  sorted(expected)))
        return wrong

    def test_owner(self):
        self.assertEqual([], self._mismatches(
            self.owner, lambda status, vis: OWNER_TABLE[vis]))

    def test_consumer(self):
        self.assertEqual([], self._mismatches(
            self.consumer, lambda status, vis: CONSUMER_TABLE[status, vis]))

    def test_other(self):
        self.assertEqual([], self._mismatches(
            self.other, lambda status, vis: OTHER_TABLE[vis]))

    def test_admin(self):
        self.assertEqual([], self._mismatches(
            self.admin, lambda status, vis: ADMIN_TABLE[vis]))

    def test_no_project_sees_no_shares(self):
        # Glance's member sub-query loses its filters for a context
        # without a project (upstream-behaviour.md 6.9); ours must not.
        ctx = base.make_context()
        ctx.project_id = None
        self.assertEqual([], self._mismatches(
            ctx, lambda status, vis: OTHER_TABLE[vis]))

    def test_images_of_nobody(self):
        # Images without an owner are visible to every project; the list
        # keeps community ones out unless asked, as for anyone's.
        for number, visibility in enumerate(
                ('public', 'community', 'shared', 'private'), 900):
            name = 'n_%s' % visibility
            image = db_images.image_create(
                self.admin, _values(name, visibility, None, number), {}, [])
            self.ids[image['id']] = name
        nobodys = {None: {'n_public', 'n_shared', 'n_private'},
                   'all': {'n_public', 'n_community', 'n_shared',
                           'n_private'},
                   'community': {'n_community'}, 'public': {'n_public'},
                   'shared': {'n_shared'}, 'private': {'n_private'}}
        self.assertEqual([], self._mismatches(
            self.other, lambda status, vis: OTHER_TABLE[vis] | nobodys[vis]))

    def test_default_member_status_is_accepted(self):
        for visibility in VISIBILITIES:
            self.assertEqual(
                self._list(self.consumer, 'accepted', visibility),
                self._list(self.consumer, 'default', visibility))

    def test_owner_filter_is_plain_equality(self):
        owner = {'owner': self.owner.project_id}
        x_owner = {'owner': self.x_owner.project_id}
        self.assertEqual(
            {'o_public', 's_accepted'},
            set(self._list(self.consumer, filters=owner)))
        self.assertEqual(
            {'x_public', 'x_shared_c'},
            set(self._list(self.consumer, filters=x_owner)))
        self.assertEqual(
            {'s_pending', 's_accepted', 's_rejected'},
            set(self._list(self.consumer, 'all', 'shared', filters=owner)))
        self.assertEqual(
            {'o_community', 'o_public', 's_pending', 's_accepted',
             's_rejected'},
            set(self._list(self.consumer, 'all', 'all', filters=owner)))
        self.assertEqual(
            ['x_public'], self._list(self.other, filters=x_owner))
        self.assertEqual(
            set(X_IMAGES) - {'x_community'},
            set(self._list(self.admin, filters=x_owner)))
        self.assertEqual(
            [], self._list(self.other,
                           filters={'owner': self.other.project_id}))

    def _pages(self, ctx, limit, **kwargs):
        pages, marker = [], None
        while True:
            page = db_images.image_get_all(ctx, limit=limit, marker=marker,
                                           **kwargs)
            pages.append([self.ids[image['id']] for image in page])
            if len(page) < limit:
                return pages
            marker = page[-1]['id']

    def test_paging_walks_the_whole_list_once(self):
        cases = [
            (self.owner, {}),
            (self.consumer, {'member_status': 'all', 'visibility': 'all'}),
            (self.admin, {'visibility': 'all'}),
            (self.other, {'visibility': 'all'}),
        ]
        for ctx, kwargs in cases:
            for sort in ((['name'], ['asc']), (['min_ram'], ['desc']),
                         (['visibility', 'name'], ['asc', 'desc'])):
                full = self._list(ctx, sort_keys=sort[0], sort_dirs=sort[1],
                                  **kwargs)
                pages = self._pages(ctx, 3, sort_keys=sort[0],
                                    sort_dirs=sort[1], **kwargs)
                self.assertEqual(full, sum(pages, []))
                self.assertTrue(all(len(page) <= 3 for page in pages))

    def test_member_status_is_one_the_api_sends(self):
        # None means "any status" to visible_to and "no shares" to the
        # list's parts: refused rather than read two ways.
        for member_status in (None, 'unknown'):
            self.assertRaises(ValueError, db_images.image_get_all,
                              self.consumer, member_status=member_status)

    def test_default_order_pages_of_every_cell(self):
        # A project's list in the default order is a merge of parts, each
        # paged in its own index (db/images.py, _list_parts; shares by
        # their copy of the image's created_at). Every cell still comes
        # in (created_at, id) order, page after page, both ways.
        for ctx in (self.owner, self.consumer, self.other):
            for status in STATUSES:
                for visibility in VISIBILITIES:
                    for direction in ('desc', 'asc'):
                        kwargs = {'visibility': visibility,
                                  'sort_keys': ['created_at'],
                                  'sort_dirs': [direction]}
                        if status != 'default':
                            kwargs['member_status'] = status
                        images = db_images.image_get_all(ctx, **kwargs)
                        ordered = sorted(
                            images, key=lambda i: (i['created_at'], i['id']),
                            reverse=direction == 'desc')
                        names = [self.ids[i['id']] for i in images]
                        cell = (status, visibility, direction)
                        self.assertEqual(
                            [self.ids[i['id']] for i in ordered], names, cell)
                        self.assertEqual(
                            names, sum(self._pages(ctx, 2, **kwargs), []),
                            cell)

    def test_a_repeated_sort_key_changes_nothing(self):
        # Glance accepts repeats; they are dropped before the statement is
        # built, so its marker conditions stay small however many come.
        marker = self._pages(self.admin, 3, visibility='all',
                             sort_keys=['name'], sort_dirs=['asc'])[0][-1]
        with mock.patch.object(db_images, '_page_read',
                               wraps=db_images._page_read) as page_read:
            repeated = db_images.image_get_all(
                self.admin, visibility='all', marker=self._id(marker),
                sort_keys=['name'] * 300 + ['size'],
                sort_dirs=['asc'] * 300 + ['desc'])
        self.assertEqual((('name', 'asc'), ('size', 'desc'), ('id', 'desc')),
                         page_read.call_args[0][1])
        once = db_images.image_get_all(
            self.admin, visibility='all', marker=self._id(marker),
            sort_keys=['name', 'size'], sort_dirs=['asc', 'desc'])
        self.assertEqual([i['id'] for i in once], [i['id'] for i in repeated])

    def test_sorted_by_name(self):
        names = self._list(self.admin, visibility='all',
                           sort_keys=['name'], sort_dirs=['asc'])
        self.assertEqual(sorted(ALL), names)

    def test_default_order_is_newest_first(self):
        # All rows may share a created_at second; id breaks the tie, in
        # the same direction.
        images = db_images.image_get_all(self.admin, visibility='all')
        keys = [(image['created_at'], image['id']) for image in images]
        self.assertEqual(sorted(keys, reverse=True), keys)

    def test_marker_the_caller_cannot_list_is_refused(self):
        self.assertRaises(exception.InvalidMarker, db_images.image_get_all,
                          self.other, marker=self._id('o_private'))
        # A pending share is not in the default list, so not a marker
        # there either.
        self.assertRaises(exception.InvalidMarker, db_images.image_get_all,
                          self.consumer, marker=self._id('s_pending'))
        self.assertEqual(
            [], db_images.image_get_all(self.consumer, member_status='pending',
                                        visibility='shared',
                                        marker=self._id('s_pending')))

    def test_limit(self):
        self.assertEqual(2, len(db_images.image_get_all(self.admin, limit=2)))
        self.assertEqual([], db_images.image_get_all(self.admin, limit=0))
