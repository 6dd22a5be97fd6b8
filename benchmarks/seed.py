"""Seed a glance-sharing database at a chosen scale with bulk inserts.

The schema comes from the real migrations (``glance-sharing-manage db
sync``); rows go in with executemany batches in one transaction per
table, not through the API. Everything is derived from a fixed random
seed, so two runs at one scale hold the same data.

What a scale holds (see SCALES):

* ``owner``, a project that owns the images the member calls act on: one
  with 10 members (list/show), one with the full member quota (128), a
  pool that member-create spreads over, a pool whose members
  member-delete removes, and the images the ``updater`` project is a
  member of (member-update flips its status);
* ``consumer``, a project with ``consumer_pending`` pending and
  ``consumer_accepted`` accepted shares, each on another project's image;
* ``public`` public and a few community images, and filler images of many
  projects, shared or private, with filler memberships up to the
  scale's membership count. Every image has two properties and a tag.
"""

import dataclasses
import datetime
import os
import random
import time
import uuid

import sqlalchemy as sa

from glance_sharing.db import models
from harness import server

MEMBER_QUOTA = 128
BATCH = 5000
# What a seeder fills, in the order it inserts.
TABLES = (models.Image, models.ImageProperty, models.ImageTag,
          models.ImageMember)


@dataclasses.dataclass(frozen=True)
class Scale:
    name: str
    images: int
    memberships: int
    consumer_pending: int
    consumer_accepted: int
    create_pool: int
    delete_pool: int
    updater_images: int
    public: int = 100
    community: int = 20


SCALES = {
    # The consumer's 11k shares need 11k images of other projects, hence
    # 12k rather than 10k images at the small scale.
    'small': Scale('small', 12000, 50000, 10000, 1000, 500, 100, 100),
    'large': Scale('large', 200000, 1000000, 10000, 1000, 500, 100, 100),
    # For the CI smoke test: seconds, not minutes.
    # (20 create-pool and 20 delete-pool images: room for 2,560 creates
    # and 2,560 deletes, more than a second of wrk; 4 create-pool images,
    # 512 creates, gave 413s once a quiet machine ran 500 creates/s.)
    'tiny': Scale('tiny', 400, 4000, 60, 30, 20, 20, 4, 10, 2),
    'tiny2': Scale('tiny2', 900, 6000, 120, 60, 20, 20, 4, 10, 2),
}

BASE_TIME = datetime.datetime(2025, 1, 1)

PROJECTS = {'owner': 'bench-owner', 'consumer': 'bench-consumer',
            'updater': 'bench-updater'}


def _project(rnd):
    return '%032x' % rnd.getrandbits(128)


def _uuid(rnd):
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))


class Rows:
    """Rows of images, properties, tags and members, inserted in bulk."""

    def __init__(self, seed=1):
        self.rnd = random.Random(seed)
        self.images = []
        self.properties = []
        self.tags = []
        self.members = []

    def image(self, image_id, owner, visibility, created, **values):
        """Add an image row: an active qcow2 image unless ``values`` say."""
        self.images.append(dict({
            'id': image_id, 'name': 'image-%d' % len(self.images),
            'status': 'active', 'visibility': visibility, 'owner': owner,
            'container_format': 'bare', 'disk_format': 'qcow2',
            'size': None, 'virtual_size': None, 'checksum': None,
            'os_hash_algo': 'sha512', 'os_hash_value': None,
            'min_disk': 0, 'min_ram': 0, 'protected': False,
            'os_hidden': False, 'created_at': created,
            'updated_at': created}, **values))
        return image_id

    def member(self, image_id, member, status, image_created):
        """A share, made when its image was (``image_created``)."""
        self.members.append({'image_id': image_id, 'member': member,
                             'status': status,
                             'image_created_at': image_created,
                             'created_at': image_created,
                             'updated_at': image_created})

    def counts(self):
        return {'images': len(self.images),
                'memberships': len(self.members),
                'properties': len(self.properties),
                'tags': len(self.tags)}

    def insert(self, engine):
        """Insert every row in batches, one transaction; then ANALYZE."""
        with engine.begin() as conn:
            for model, rows in zip(TABLES, (self.images, self.properties,
                                            self.tags, self.members)):
                for start in range(0, len(rows), BATCH):
                    conn.execute(model.__table__.insert(),
                                 rows[start:start + BATCH])
        analyze(engine)


def analyze(engine):
    """Fresh statistics, as a database in service would have."""
    with engine.begin() as conn:
        if engine.dialect.name == 'mysql':
            conn.exec_driver_sql('ANALYZE TABLE %s' % ', '.join(
                model.__tablename__ for model in TABLES))
        else:
            conn.exec_driver_sql('ANALYZE')


class Seeder(Rows):
    """Build the rows of one scale and insert them into ``engine``."""

    def __init__(self, scale, seed=1, projects=None):
        super().__init__(seed)
        self.scale = scale
        # The three projects the calls act as; Keystone mode passes the
        # ids of real Keystone projects.
        self.projects = dict(PROJECTS, **(projects or {}))
        self.manifest = {'scale': dataclasses.asdict(scale)}

    def _image(self, owner, visibility):
        rnd = self.rnd
        image_id = _uuid(rnd)
        created = BASE_TIME + datetime.timedelta(
            seconds=len(self.images) * 60 + rnd.randrange(60))
        self.image(
            image_id, owner, visibility, created,
            size=rnd.randrange(1 << 20, 1 << 32),
            checksum='%032x' % rnd.getrandbits(128),
            os_hash_value='%0128x' % rnd.getrandbits(512))
        self.properties.append({'image_id': image_id, 'name': 'os_distro',
                                'value': rnd.choice(['ubuntu', 'debian',
                                                     'centos', 'fedora'])})
        self.properties.append({'image_id': image_id, 'name': 'os_version',
                                'value': str(rnd.randrange(8, 25))})
        self.tags.append({'image_id': image_id,
                          'value': rnd.choice(['base', 'gpu', 'test'])})
        return image_id

    def _member(self, image_id, member, status):
        self.member(image_id, member, status, self.images[-1]['created_at'])

    def build(self):
        s = self.scale
        rnd = self.rnd
        owner, consumer, updater = (self.projects[role] for role in
                                    ('owner', 'consumer', 'updater'))
        m = self.manifest
        m.update(owner=owner, consumer=consumer, updater=updater)
        # Other projects: owners of the filler images, and the members of
        # the filler shares (kept apart, so no one is shared its own image).
        owners = [_project(rnd) for _i in range(max(10, s.images // 20))]
        sharers = [_project(rnd) for _i in range(max(200, s.images // 4))]

        # The owner's images for the member calls.
        ten = self._image(owner, 'shared')
        for i in range(10):
            self._member(ten, 'ten-member-%02d' % i, 'accepted')
        full = self._image(owner, 'shared')
        for i in range(MEMBER_QUOTA):
            self._member(full, 'full-member-%03d' % i, 'pending')
        m.update(ten_image=ten, ten_member='ten-member-00', full_image=full)
        m['sample_image'] = self._image(owner, 'shared')
        m['create_pool'] = [self._image(owner, 'shared')
                            for _i in range(s.create_pool)]
        m['delete_pool'] = []
        for _i in range(s.delete_pool):
            image_id = self._image(owner, 'shared')
            m['delete_pool'].append(image_id)
            for j in range(MEMBER_QUOTA):
                self._member(image_id, 'del-%03d' % j, 'pending')
        m['updater_images'] = []
        for _i in range(s.updater_images):
            image_id = self._image(owner, 'shared')
            m['updater_images'].append(image_id)
            self._member(image_id, updater, 'pending')

        # Public and community images, and the consumer's shares, spread
        # over time among the filler so that list pages are not trivial.
        remaining = s.images - len(self.images)
        n_shares = s.consumer_pending + s.consumer_accepted
        if remaining < n_shares + s.public + s.community:
            raise ValueError('scale %s has too few images' % s.name)
        kinds = (['public'] * s.public + ['community'] * s.community
                 + ['pending'] * s.consumer_pending
                 + ['accepted'] * s.consumer_accepted)
        kinds += ['filler'] * (remaining - len(kinds))
        rnd.shuffle(kinds)
        filler_shared = []
        m['consumer_accepted_images'] = []
        for kind in kinds:
            image_owner = rnd.choice(owners)
            if kind in ('public', 'community'):
                self._image(image_owner, kind)
            elif kind in ('pending', 'accepted'):
                image_id = self._image(image_owner, 'shared')
                self._member(image_id, consumer, kind)
                if kind == 'accepted':
                    m['consumer_accepted_images'].append(image_id)
                filler_shared.append(image_id)
            else:
                visibility = 'shared' if rnd.random() < 0.6 else 'private'
                image_id = self._image(image_owner, visibility)
                if visibility == 'shared':
                    filler_shared.append(image_id)

        # Filler memberships: other projects on shared images, no image
        # over the quota.
        todo = s.memberships - len(self.members)
        if todo > 0:
            per_image = min(MEMBER_QUOTA - 1,
                            -(-todo // max(1, len(filler_shared))))
            created = {i['id']: i['created_at'] for i in self.images}
            statuses = ('pending', 'accepted', 'rejected')
            for image_id in filler_shared:
                start = rnd.randrange(len(sharers))
                for j in range(min(per_image, todo)):
                    self.member(image_id, sharers[(start + j) % len(sharers)],
                                statuses[rnd.randrange(3)], created[image_id])
                todo -= per_image
                if todo <= 0:
                    break
        m['counts'] = self.counts()
        return m


# The query plans' data set (benchmarks/explain.py, for the admin guide and
# glance_sharing/tests/functional/db/test_query_plans.py): MIX_IMAGES images
# of MIX_OWNERS owners, of every 20 images 12 shared, 5 private, 2 public and
# 1 community; one in a hundred queued, without data; up to MIX_MEMBERS
# members per shared image among MIX_CONSUMERS projects.
MIX_IMAGES = 10000
MIX_OWNERS = 200
MIX_CONSUMERS = 2000
MIX_MEMBERS = 10
MIX_VISIBILITIES = ['shared'] * 12 + ['private'] * 5 + ['public'] * 2 + [
    'community']
MIX_START = datetime.datetime(2026, 1, 1)
MIX_MAX_SIZE = 10 ** 10
MIX_OWNER = 'owner-000'
MIX_CONSUMER = 'consumer-0000'


def deployment_mix(engine, seed=20261130):
    """Insert the query plans' data set into ``engine``; the target image.

    The target is MIX_OWNER's, shared with up to MIX_MEMBERS projects, of
    which MIX_CONSUMER has accepted it; MIX_CONSUMER has about 50 accepted
    shares.
    """
    rows = Rows(seed)
    rng = rows.rnd
    statuses = ('accepted', 'pending', 'rejected')
    for n in range(MIX_IMAGES):
        image_id = str(uuid.UUID(int=rng.getrandbits(128)))
        visibility = MIX_VISIBILITIES[n % len(MIX_VISIBILITIES)]
        created = MIX_START + datetime.timedelta(minutes=n)
        updated = created + datetime.timedelta(
            minutes=rng.randint(0, MIX_IMAGES))
        data = {'status': 'queued', 'os_hash_algo': None}
        if n % 100:
            data = {'size': rng.randint(1, MIX_MAX_SIZE),
                    'checksum': '%032x' % rng.getrandbits(128),
                    'os_hash_value': '%0128x' % rng.getrandbits(512)}
        rows.image(image_id, 'owner-%03d' % (n % MIX_OWNERS), visibility,
                   created, updated_at=updated, **data)
        if n % 2:
            rows.properties.append({
                'image_id': image_id, 'name': 'os_distro',
                'value': rng.choice(('ubuntu', 'fedora'))})
            rows.tags.append({'image_id': image_id,
                              'value': 'tag-%d' % (n % 7)})
        if visibility != 'shared':
            continue
        chosen = rng.sample(range(1, MIX_CONSUMERS),
                            rng.randint(0, MIX_MEMBERS))
        if n % 200 == 0:
            chosen[:1] = [0]
        for c in chosen:
            rows.member(image_id, 'consumer-%04d' % c,
                        'accepted' if c == 0 else rng.choice(statuses),
                        created)
    target = rows.images[0]
    if (target['owner'] != MIX_OWNER or MIX_CONSUMER not in {
            m['member'] for m in rows.members
            if m['image_id'] == target['id']}):
        raise RuntimeError('the target image must be %s\'s, shared with %s'
                           % (MIX_OWNER, MIX_CONSUMER))
    rows.insert(engine)
    return target


# The database servers every development and CI machine runs on
# 127.0.0.1; GS_BENCH_POSTGRESQL_SERVER or GS_BENCH_MYSQL_SERVER name
# others (a URL without a database name).
SERVERS = {'postgresql': 'postgresql+psycopg2://postgres@127.0.0.1:5432',
           'mysql': 'mysql+pymysql://root@127.0.0.1:3306'}
SERVER_ENV = 'GS_BENCH_%s_SERVER'


def database_url(backend, name, workdir):
    """The URL of the bench database ``name`` on ``backend``."""
    if backend == 'sqlite':
        return 'sqlite:///' + os.path.join(workdir, name + '.sqlite')
    if backend not in SERVERS:
        raise ValueError('unknown backend %s' % backend)
    server = os.environ.get(SERVER_ENV % backend.upper(), SERVERS[backend])
    return '%s/%s%s' % (server.rstrip('/'), name,
                        '?charset=utf8mb4' if backend == 'mysql' else '')


def _server_engine(backend, url):
    """The name of the database at ``url``, and an engine on its server."""
    url = sa.engine.make_url(url)
    server = url._replace(
        database='postgres' if backend == 'postgresql' else None)
    return url.database, sa.create_engine(server,
                                          isolation_level='AUTOCOMMIT')


def recreate_database(backend, url):
    """An empty database at ``url``; an older one of that name is dropped."""
    if backend == 'sqlite':
        path = url[len('sqlite:///'):]
        for suffix in ('', '-wal', '-shm'):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        return
    drop_database(backend, url, create=True)


def drop_database(backend, url, create=False):
    """Drop the database at ``url`` (PostgreSQL, MySQL); create it again?"""
    name, engine = _server_engine(backend, url)
    quote = '"' if backend == 'postgresql' else '`'
    force = ' WITH (FORCE)' if backend == 'postgresql' else ''
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s%s%s%s' % (
                quote, name, quote, force))
            if create:
                conn.exec_driver_sql('CREATE DATABASE %s%s%s' % (
                    quote, name, quote))
    finally:
        engine.dispose()


def create_database(backend, url, workdir):
    """A new database at ``url``, migrated to the latest schema."""
    recreate_database(backend, url)
    conf_path = os.path.join(workdir, 'seed.conf')
    server.write_conf(conf_path, url)
    try:
        server.migrate(conf_path)
    finally:
        # workdir may be the server's config dir, where oslo.config reads
        # every *.conf: this one's noauth would override keystone mode.
        os.unlink(conf_path)


def seed(backend, scale, workdir, db_name=None, log=print, projects=None):
    """Create, migrate and fill the bench database; return the manifest.

    ``projects`` maps owner, consumer and updater to the project ids to
    seed for them (default: PROJECTS).
    """
    db_name = db_name or 'gs_bench_%s' % scale.name
    url = database_url(backend, db_name, workdir)
    create_database(backend, url, workdir)
    started = time.monotonic()
    seeder = Seeder(scale, projects=projects)
    manifest = seeder.build()
    built = time.monotonic()
    inserted = write_rows(url, seeder.insert)
    manifest.update(backend=backend, url=url,
                    build_seconds=round(built - started, 2),
                    insert_seconds=round(inserted, 2))
    log('seeded %s %s: %s in %.1fs (+%.1fs to build the rows)' % (
        backend, scale.name, manifest['counts'], inserted,
        built - started))
    return manifest


def write_rows(url, write):
    """Run ``write(engine)`` on a new engine of ``url``; the seconds taken."""
    started = time.monotonic()
    engine = sa.create_engine(url)
    try:
        write(engine)
    finally:
        engine.dispose()
    return time.monotonic() - started
