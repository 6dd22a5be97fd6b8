"""Every database query of the service, as small reader/writer functions.

Functions take a RequestContext and return plain dicts. A writer function
is one transaction: the invariants it checks hold when it commits, whatever
other processes do at the same time.
"""

import contextvars
import functools

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import exc_filters
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import timeutils
import sqlalchemy as sa

from glance_sharing.db import models
from glance_sharing import exception

main_context_manager = enginefacade.transaction_context()
# thread_checkin=False: oslo.db's default time.sleep(0) at every
# connection check-in only helps eventlet; under gunicorn or mod_wsgi it
# gives the CPU away at the end of every transaction.
main_context_manager.configure(sqlite_fk=True, thread_checkin=False)

# Set while a writer function runs, so SQLite's BEGIN can take the write
# lock at once (BEGIN IMMEDIATE) instead of failing to upgrade later.
_WRITE_INTENT = contextvars.ContextVar('glance_sharing_write_intent',
                                       default=False)


class DatabaseBusy(db_exc.DBConnectionError):
    """SQLite's write lock stayed taken past [database] sqlite_busy_timeout.

    Like a lost connection, the database cannot serve the request now but
    may in a moment: the API answers 503 with Retry-After.
    """


def _on_engine_create(engine):
    if engine.dialect.name in ('mysql', 'mariadb'):
        _setup_mysql(engine)
    elif engine.dialect.name == 'postgresql':
        _setup_postgresql(engine)
    elif engine.dialect.name == 'sqlite':
        _setup_sqlite(engine)


def _setup_postgresql(engine):
    # Runs before oslo.db's exception filters. libpq 14 and later word a
    # failed connect as 'connection to server at "host", port N failed:
    # ...', which neither oslo.db ("could not connect to server") nor
    # SQLAlchemy's disconnect check (no '"' before the reason) recognise,
    # so a database that is down came out as a bare OperationalError (a
    # 500) instead of DBConnectionError. An OperationalError raised while
    # no connection exists yet is always a failure to connect.
    def _connect_failure_is_disconnect(context):
        if (context.connection is None
                and isinstance(context.sqlalchemy_exception,
                               sa.exc.OperationalError)):
            context.is_disconnect = True

    # insert=True does not put a listener first among these, so take
    # oslo.db's out and put it back after ours.
    oslo_handler = exc_filters.handler
    registered = sa.event.contains(engine, 'handle_error', oslo_handler)
    if registered:
        sa.event.remove(engine, 'handle_error', oslo_handler)
    sa.event.listen(engine, 'handle_error', _connect_failure_is_disconnect)
    if registered:
        sa.event.listen(engine, 'handle_error', oslo_handler, retval=True)


def _setup_mysql(engine):
    @sa.event.listens_for(engine, 'connect')
    def _utf8mb4(dbapi_con, con_record):
        # oslo.db asks for charset "utf8" (3-byte) unless the URL names
        # one; our tables are utf8mb4, and a 4-byte character in a
        # parameter would otherwise fail as an illegal mix of collations.
        if hasattr(dbapi_con, 'set_character_set'):
            dbapi_con.set_character_set('utf8mb4')
        else:
            with dbapi_con.cursor() as cursor:
                cursor.execute('SET NAMES utf8mb4')

    # oslo.db tested a connection before this hook ran; drop it from the
    # pool so that every connection in use went through the listener.
    engine.pool.dispose()


def _setup_sqlite(engine):
    from glance_sharing.conf import CONF
    from glance_sharing.conf import database as database_conf
    # Tools and tests may start an engine before anything registered the
    # option; registering the same option again is harmless.
    CONF.register_opts(database_conf.SQLITE_OPTS, group='database')
    busy_timeout = CONF.database.sqlite_busy_timeout
    _keep_sqlite_connections(engine, CONF.database)

    @sa.event.listens_for(engine, 'connect')
    def _sqlite_pragmas(dbapi_con, con_record):
        # WAL lets readers go on while one process writes.
        dbapi_con.execute('PRAGMA journal_mode=WAL')
        dbapi_con.execute('PRAGMA busy_timeout=%d' % busy_timeout)

    # oslo.db emits a plain (deferred) BEGIN from its own 'begin'
    # listener, and SQLAlchemy calls engine 'begin' listeners in the order
    # they were added whatever insert=True asks: take that listener out,
    # so that ours decides between BEGIN and BEGIN IMMEDIATE. oslo.db's
    # commit and rollback listeners still clear the marker.
    for listener in list(engine.dispatch.begin):
        if getattr(listener, '__name__', None) == '_sqlite_emit_begin':
            sa.event.remove(engine, 'begin', listener)

    @sa.event.listens_for(engine, 'begin')
    def _sqlite_begin(conn):
        if 'in_transaction' not in conn.info:
            conn.exec_driver_sql(
                'BEGIN IMMEDIATE' if _WRITE_INTENT.get() else 'BEGIN')
            conn.info['in_transaction'] = True

    @sa.event.listens_for(engine, 'checkin')
    def _sqlite_checkin(dbapi_con, con_record):
        # The pool has rolled back whatever was open: a connection taken
        # again must get its BEGIN, however its last transaction ended.
        if con_record is not None:
            con_record.info.pop('in_transaction', None)


def _keep_sqlite_connections(engine, conf):
    """Pool the connections of an SQLite file instead of reopening it.

    oslo.db gives SQLite files a NullPool, so every transaction opened the
    file and ran the connect pragmas again: most of the time of a small
    request. Connections belong to one process (workers connect after
    they fork) and every transaction ends in COMMIT or ROLLBACK, so
    keeping them open changes nothing else.
    """
    old = engine.pool
    if not isinstance(old, sa.pool.NullPool):
        return  # in-memory databases: oslo.db's StaticPool stays
    engine.pool = sa.pool.QueuePool(
        old._creator, pool_size=conf.max_pool_size or 5,
        max_overflow=conf.max_overflow if conf.max_overflow is not None
        else 10,
        timeout=conf.pool_timeout or 30, recycle=old._recycle,
        echo=old.echo, logging_name=old._orig_logging_name,
        reset_on_return=old._reset_on_return, pre_ping=old._pre_ping,
        _dispatch=old.dispatch, dialect=old._dialect)
    old.dispose()


main_context_manager.append_on_engine_create(_on_engine_create)


def _busy_is_unavailable(fn):
    """Raise DatabaseBusy for SQLite's "database is locked"."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except sa.exc.OperationalError as exc:
            if 'database is locked' in str(exc.orig):
                raise DatabaseBusy(exc) from exc
            raise
    return wrapped


def reader(fn):
    return _busy_is_unavailable(main_context_manager.reader(fn))


def writer(fn):
    """A retried writer transaction that declares its intent to write."""
    transactional = _busy_is_unavailable(main_context_manager.writer(fn))

    @functools.wraps(fn)
    @oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True,
                               inc_retry_interval=True)
    def wrapped(*args, **kwargs):
        token = _WRITE_INTENT.set(True)
        try:
            return transactional(*args, **kwargs)
        finally:
            _WRITE_INTENT.reset(token)
    return wrapped


def _now():
    # Second resolution, naive UTC: what every backend stores alike and
    # what the API shows.
    return timeutils.utcnow().replace(microsecond=0, tzinfo=None)


# --- Images -----------------------------------------------------------------

_IMAGE_COLUMNS = [c.name for c in models.Image.__table__.columns]


def _image_dict(row, member_status=None):
    image = {name: getattr(row, name) for name in _IMAGE_COLUMNS}
    image['member_status'] = member_status
    image['is_member'] = member_status is not None
    return image


def is_visible(context, image):
    """Whether the caller may know that ``image`` exists.

    One rule for the whole service: admins see everything; anyone sees
    public and community images and images without an owner; owners see
    their own; a member of a shared image sees it whatever its status.
    """
    return (context.is_admin
            or image['visibility'] in ('public', 'community')
            or image['owner'] is None
            or image['owner'] == context.project_id
            or (image['visibility'] == 'shared' and image['is_member']))


def _load_details(context, images):
    """Attach properties and tags to ``images`` with two queries in all."""
    by_id = {image['id']: image for image in images}
    for image in images:
        image['properties'] = {}
        image['tags'] = []
    if not by_id:
        return images
    ids = list(by_id)
    props = sa.select(models.ImageProperty).where(
        models.ImageProperty.image_id.in_(ids))
    for prop in context.session.scalars(props):
        by_id[prop.image_id]['properties'][prop.name] = prop.value
    tags = sa.select(models.ImageTag).where(
        models.ImageTag.image_id.in_(ids)).order_by(models.ImageTag.value)
    for tag in context.session.scalars(tags):
        by_id[tag.image_id]['tags'].append(tag.value)
    return images


def _image_with_membership(context, image_id):
    """One query: the image row and the caller's own membership status."""
    Member = models.ImageMember
    query = sa.select(models.Image, Member.status).outerjoin(
        Member, sa.and_(Member.image_id == models.Image.id,
                        Member.member == context.project_id)
    ).where(models.Image.id == image_id)
    row = context.session.execute(query).first()
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return _image_dict(row[0], row[1])


@reader
def image_get(context, image_id, details=False):
    """The image as the caller may see it, or ImageNotFound."""
    image = _image_with_membership(context, image_id)
    if not is_visible(context, image):
        raise exception.ImageNotFound(image_id=image_id)
    if details:
        _load_details(context, [image])
    return image


@writer
def image_create(context, values, properties, tags):
    now = _now()
    values = dict(values, created_at=now, updated_at=now)
    session = context.session
    session.add(models.Image(**values))
    session.add_all(models.ImageProperty(image_id=values['id'], name=k,
                                         value=v)
                    for k, v in properties.items())
    session.add_all(models.ImageTag(image_id=values['id'], value=t)
                    for t in set(tags))
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.ImageExists(image_id=values['id'])
    return image_get(context, values['id'], details=True)


@writer
def image_update(context, image_id, values, properties, tags):
    """Replace the image's core ``values``, all properties and all tags."""
    session = context.session
    values = dict(values, updated_at=_now())
    result = session.execute(
        sa.update(models.Image).where(models.Image.id == image_id)
        .values(**values))
    if result.rowcount == 0:
        raise exception.ImageNotFound(image_id=image_id)
    for model in (models.ImageProperty, models.ImageTag):
        session.execute(sa.delete(model).where(model.image_id == image_id))
    session.add_all(models.ImageProperty(image_id=image_id, name=k, value=v)
                    for k, v in properties.items())
    session.add_all(models.ImageTag(image_id=image_id, value=t)
                    for t in set(tags))
    session.flush()
    return image_get(context, image_id, details=True)


@writer
def image_delete(context, image_id):
    """Delete the image, its properties, tags and members.

    Returns the removed memberships, each also recorded in the history.
    """
    session = context.session
    Member = models.ImageMember
    _lock_image(context, image_id)
    removed = [_member_dict(m) for m in session.scalars(
        sa.select(Member).where(Member.image_id == image_id))]
    for member in removed:
        _record(context, member, 'delete')
    for model in (Member, models.ImageProperty, models.ImageTag):
        session.execute(sa.delete(model).where(model.image_id == image_id))
    session.execute(
        sa.delete(models.Image).where(models.Image.id == image_id))
    return removed


@writer
def tag_add(context, image_id, tag, quota):
    session = context.session
    Tag = models.ImageTag
    _lock_image(context, image_id)
    exists = session.scalar(sa.select(Tag.value).where(
        Tag.image_id == image_id, Tag.value == tag))
    if exists is None:
        count = session.scalar(sa.select(sa.func.count()).where(
            Tag.image_id == image_id))
        if 0 <= quota <= count:
            raise exception.TagQuotaExceeded(image_id=image_id, limit=quota)
        session.add(Tag(image_id=image_id, value=tag))
    session.execute(sa.update(models.Image).where(
        models.Image.id == image_id).values(updated_at=_now()))


@writer
def tag_delete(context, image_id, tag):
    """Remove a tag; False if the image did not have it."""
    Tag = models.ImageTag
    result = context.session.execute(sa.delete(Tag).where(
        Tag.image_id == image_id, Tag.value == tag))
    return result.rowcount > 0


def _visibility_clause(context, visibility, member_status):
    """The image list's "what may this caller see" condition.

    For a project P that is not admin, the union of: public and community
    images; P's own images; images without an owner; shared images with a
    membership of P whose status is ``member_status`` ('all' for any).
    Other projects' community images then stay out unless ``visibility``
    asks for community or all images; this holds for admins too, who
    otherwise see everything.
    """
    Image = models.Image
    project = context.project_id
    own = Image.owner == project if project else sa.false()
    if context.is_admin:
        condition = sa.true()
    else:
        Member = models.ImageMember
        shares = sa.select(Member.image_id).where(Member.member == project)
        if member_status != 'all':
            shares = shares.where(Member.status == member_status)
        condition = sa.or_(
            Image.visibility.in_(('public', 'community')),
            own,
            Image.owner.is_(None),
            sa.and_(Image.visibility == 'shared', Image.id.in_(shares)))
    if visibility not in ('community', 'all'):
        condition = sa.and_(condition,
                            sa.or_(Image.visibility != 'community', own))
    if visibility not in (None, 'all'):
        condition = sa.and_(condition, Image.visibility == visibility)
    return condition


@reader
def image_get_all(context, filters=None, properties=None, tags=(),
                  visibility=None, member_status='accepted', limit=None,
                  marker=None, sort_keys=('created_at',),
                  sort_dirs=('desc',)):
    """A page of the images the caller may list, with details.

    ``filters`` are equality filters on core columns, ``properties`` on
    additional properties; every tag in ``tags`` must be present.
    """
    Image = models.Image
    query = context.session.query(Image).where(
        _visibility_clause(context, visibility, member_status))
    for column, value in (filters or {}).items():
        query = query.where(getattr(Image, column) == value)
    for name, value in (properties or {}).items():
        query = query.where(Image.id.in_(
            sa.select(models.ImageProperty.image_id).where(
                models.ImageProperty.name == name,
                models.ImageProperty.value == value)))
    for tag in tags:
        query = query.where(Image.id.in_(
            sa.select(models.ImageTag.image_id).where(
                models.ImageTag.value == tag)))

    marker_row = None
    if marker is not None:
        marker_row = query.where(Image.id == marker).first()
        if marker_row is None:
            raise exception.InvalidMarker(marker=marker)
    sort_keys = list(sort_keys)
    sort_dirs = list(sort_dirs)
    if 'id' not in sort_keys:
        # A unique last key makes the order total, so pages never overlap.
        sort_keys.append('id')
        sort_dirs.append(sort_dirs[-1])
    dialect = context.session.get_bind().dialect.name
    if (sort_keys == ['created_at', 'id'] and len(set(sort_dirs)) == 1
            and dialect in ('mysql', 'mariadb')):
        # The default order. MariaDB would merge the visibility and owner
        # indexes and sort every candidate (30 ms a page with 10,000
        # images); walking (created_at, id) in order stops after ``limit``
        # matches (2 ms), as PostgreSQL's planner chooses by itself. See
        # doc/source/admin/database.rst.
        query = query.with_hint(
            Image, 'FORCE INDEX (ix_images_created_at_id)', dialect)
    query = db_utils.paginate_query(query, Image, limit, sort_keys,
                                    marker=marker_row, sort_dirs=sort_dirs)
    images = [_image_dict(row) for row in query]
    for image in images:
        # A non-admin lists another project's shared image only through
        # a membership of its own.
        image['is_member'] = (not context.is_admin
                              and image['visibility'] == 'shared'
                              and image['owner'] != context.project_id)
    return _load_details(context, images)


# --- Members ----------------------------------------------------------------

def _member_dict(row):
    return {'image_id': row.image_id, 'member_id': row.member,
            'status': row.status, 'created_at': row.created_at,
            'updated_at': row.updated_at}


def _record(context, member, action):
    """Append one membership change to the history, with the actor."""
    context.session.add(models.ImageMemberHistory(
        image_id=member['image_id'], member=member['member_id'],
        action=action, status=member['status'], user_id=context.user_id,
        project_id=context.project_id, request_id=context.request_id,
        created_at=_now()))


def _member_query(context, image_id, image_owner):
    """Rows of ``image_id`` the caller may see.

    All of them for the image owner and admins, otherwise only the
    caller's own.
    """
    Member = models.ImageMember
    query = sa.select(Member).where(Member.image_id == image_id)
    if not context.is_admin and image_owner != context.project_id:
        query = query.where(Member.member == context.project_id)
    return query


@reader
def member_list(context, image, limit=None, marker=None):
    """Members of ``image`` visible to the caller, oldest first."""
    Member = models.ImageMember
    query = _member_query(context, image['id'], image['owner'])
    if marker is not None:
        after = context.session.scalar(query.where(Member.member == marker))
        if after is None:
            raise exception.InvalidMarker(marker=marker)
        query = query.where(sa.or_(
            Member.created_at > after.created_at,
            sa.and_(Member.created_at == after.created_at,
                    Member.member > after.member)))
    query = query.order_by(Member.created_at, Member.member)
    if limit is not None:
        query = query.limit(limit)
    return [_member_dict(row) for row in context.session.scalars(query)]


@reader
def member_get(context, image, member):
    Member = models.ImageMember
    row = context.session.scalar(
        _member_query(context, image['id'], image['owner'])
        .where(Member.member == member))
    if row is None:
        raise exception.MemberNotFound(image_id=image['id'], member=member)
    return _member_dict(row)


def _lock_image(context, image_id):
    """Lock the image row until commit and return its visibility.

    Every write that hangs rows on an image takes this lock first, so
    such writes to one image run one after another on every backend, and
    none can add rows to an image that is being deleted.
    """
    visibility = context.session.scalar(
        sa.select(models.Image.visibility)
        .where(models.Image.id == image_id).with_for_update())
    if visibility is None:
        raise exception.ImageNotFound(image_id=image_id)
    return visibility


def _lock_shared_image(context, image_id):
    """Lock the image row; it must still exist and be shared."""
    visibility = _lock_image(context, image_id)
    if visibility != 'shared':
        raise exception.ImageNotShared(image_id=image_id,
                                       visibility=visibility)


@writer
def member_create(context, image_id, member, quota):
    """Share the image with ``member``: pending, unique, within quota.

    The image row stays locked until commit, so racing creates for one
    image run one after another and the count below is exact; the unique
    constraint is the last word on duplicates.
    """
    session = context.session
    Member = models.ImageMember
    _lock_shared_image(context, image_id)
    existing = session.scalar(sa.select(Member.id).where(
        Member.image_id == image_id, Member.member == member))
    if existing is not None:
        raise exception.MemberExists(image_id=image_id, member=member)
    if quota >= 0:
        count = session.scalar(sa.select(sa.func.count()).where(
            Member.image_id == image_id))
        if count >= quota:
            raise exception.MemberQuotaExceeded(image_id=image_id,
                                                count=count, limit=quota)
    now = _now()
    row = Member(image_id=image_id, member=member, status='pending',
                 created_at=now, updated_at=now)
    session.add(row)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.MemberExists(image_id=image_id, member=member)
    created = _member_dict(row)
    _record(context, created, 'create')
    return created


@writer
def member_update(context, image_id, member, status):
    """Set a member's status.

    Never creates a row: a membership removed meanwhile stays removed
    (MemberNotFound).
    """
    session = context.session
    Member = models.ImageMember
    _lock_shared_image(context, image_id)
    result = session.execute(
        sa.update(Member)
        .where(Member.image_id == image_id, Member.member == member)
        .values(status=status, updated_at=_now()))
    if result.rowcount == 0:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    row = session.scalar(sa.select(Member).where(
        Member.image_id == image_id, Member.member == member))
    updated = _member_dict(row)
    _record(context, updated, 'update')
    return updated


@writer
def member_delete(context, image_id, member):
    session = context.session
    Member = models.ImageMember
    _lock_shared_image(context, image_id)
    row = session.scalar(sa.select(Member).where(
        Member.image_id == image_id, Member.member == member))
    if row is None:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    removed = _member_dict(row)
    session.delete(row)
    _record(context, removed, 'delete')
    return removed


@reader
def member_history(context, image_id):
    """The recorded membership changes of an image, oldest first."""
    History = models.ImageMemberHistory
    rows = context.session.scalars(
        sa.select(History).where(History.image_id == image_id)
        .order_by(History.id))
    return [{'member_id': r.member, 'action': r.action, 'status': r.status,
             'user_id': r.user_id, 'project_id': r.project_id,
             'request_id': r.request_id, 'created_at': r.created_at}
            for r in rows]
