"""Every database query of the service, as small reader/writer functions.

Functions take a RequestContext and return plain dicts. A writer function
is one transaction: the invariants it checks hold when it commits, whatever
other processes do at the same time.
"""

import copy
import operator

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import timeutils
import sqlalchemy as sa

from glance_sharing.db.engine import reader
from glance_sharing.db.engine import writer
from glance_sharing.db import models
from glance_sharing import enums
from glance_sharing import exception


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
            or image['visibility'] in enums.EVERYONE
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


def _locked_image(context, image_id):
    """Lock the image row until commit; the image as the caller sees it.

    The read-modify-write of every image write starts here, inside its
    writer transaction: the row comes from a locking read (the latest
    committed version, which no other writer can change before this
    transaction ends), then the caller's membership, properties and tags,
    whose writers all take the same lock first. ImageNotFound when the
    image is gone or the caller may not know it exists.
    """
    session = context.session
    row = session.execute(
        sa.select(models.Image.__table__)
        .where(models.Image.id == image_id).with_for_update()).first()
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    Member = models.ImageMember
    status = session.scalar(sa.select(Member.status).where(
        Member.image_id == image_id, Member.member == context.project_id))
    image = _image_dict(row, status)
    if not is_visible(context, image):
        raise exception.ImageNotFound(image_id=image_id)
    return _load_details(context, [image])[0]


def _write_changes(context, old, new):
    """Write what differs between the image dicts ``old`` and ``new``.

    Only changed columns, changed or removed properties and added or
    removed tags are written, so nothing another field's writer did is
    overwritten even by a stale ``new``.
    """
    session = context.session
    image_id = old['id']
    values = {name: new[name] for name in _IMAGE_COLUMNS
              if name in new and new[name] != old[name]}
    values.pop('id', None)
    values['updated_at'] = _now()
    session.execute(sa.update(models.Image).where(
        models.Image.id == image_id).values(**values))
    Prop = models.ImageProperty
    old_props, new_props = old['properties'], new['properties']
    removed = [name for name in old_props if name not in new_props]
    if removed:
        session.execute(sa.delete(Prop).where(Prop.image_id == image_id,
                                              Prop.name.in_(removed)))
    for name, value in new_props.items():
        if name not in old_props:
            session.add(Prop(image_id=image_id, name=name, value=value))
        elif old_props[name] != value:
            session.execute(sa.update(Prop).where(
                Prop.image_id == image_id, Prop.name == name)
                .values(value=value))
    Tag = models.ImageTag
    old_tags, new_tags = set(old['tags']), set(new['tags'])
    if old_tags - new_tags:
        session.execute(sa.delete(Tag).where(
            Tag.image_id == image_id, Tag.value.in_(old_tags - new_tags)))
    session.add_all(Tag(image_id=image_id, value=tag)
                    for tag in sorted(new_tags - old_tags))
    session.flush()


@writer
def image_update(context, image_id, change):
    """Read-modify-write one image in one transaction, under its lock.

    ``change(image)`` gets a copy of the locked image (see _locked_image)
    and returns it as it should be (core values, "properties" and "tags"),
    or raises to refuse the change; it may run more than once if the
    transaction is retried after a deadlock, so it must only compute.
    Returns the image as stored.
    """
    image = _locked_image(context, image_id)
    _write_changes(context, image, change(copy.deepcopy(image)))
    return image_get(context, image_id, details=True)


@writer
def image_delete(context, image_id, check=None):
    """Delete the image, its properties, tags and members.

    ``check(image)``, if given, sees the locked image first and may raise
    to refuse. Returns ``{'image': ..., 'location': ..., 'members':
    [...]}``: the image as it was, where its data was (None without data),
    for the caller to delete from the store once this commits, and the
    removed memberships, each also recorded in the history.
    """
    session = context.session
    Member = models.ImageMember
    image = _locked_image(context, image_id)
    if check is not None:
        check(image)
    location = image['location']
    removed = [_member_dict(m) for m in session.scalars(
        sa.select(Member).where(Member.image_id == image_id))]
    for member in removed:
        _record(context, member, 'delete', old_status=member['status'])
    for model in (Member, models.ImageProperty, models.ImageTag):
        session.execute(sa.delete(model).where(model.image_id == image_id))
    session.execute(
        sa.delete(models.Image).where(models.Image.id == image_id))
    return {'image': image, 'location': location, 'members': removed}


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
            Image.visibility.in_(enums.EVERYONE),
            own,
            Image.owner.is_(None),
            sa.and_(Image.visibility == 'shared', Image.id.in_(shares)))
    if visibility not in ('community', 'all'):
        condition = sa.and_(condition,
                            sa.or_(Image.visibility != 'community', own))
    if visibility not in (None, 'all'):
        condition = sa.and_(condition, Image.visibility == visibility)
    return condition


# How a list condition's operator compares a column with its value.
_OPERATORS = {
    'eq': operator.eq, 'neq': operator.ne, 'gt': operator.gt,
    'gte': operator.ge, 'lt': operator.lt, 'lte': operator.le,
    'in': lambda column, values: column.in_(values),
}


# Columns whose equality (or "in:") filters match few images, found
# through an index of their own: better than walking the default order on
# MariaDB. Ranges (sizes, times) and a status may match most images, so
# MariaDB walks the order there and stops at the page's end; PostgreSQL's
# planner chooses by itself.
_FOUND_BY_OWN_INDEX = frozenset(['id', 'name', 'owner', 'checksum',
                                 'os_hash_value'])


@reader
def image_get_all(context, filters=None, properties=None, tags=(),
                  visibility=None, member_status='accepted', limit=None,
                  marker=None, sort_keys=('created_at',),
                  sort_dirs=('desc',), conditions=()):
    """A page of the images the caller may list, with details.

    ``filters`` are equality filters on core columns and ``conditions``
    (column, operator, value) comparisons with the operators of
    _OPERATORS; ``properties`` are equality filters on additional
    properties; every tag in ``tags`` must be present.
    """
    Image = models.Image
    query = context.session.query(Image).where(
        _visibility_clause(context, visibility, member_status))
    conditions = [(column, 'eq', value)
                  for column, value in (filters or {}).items()] + list(
        conditions)
    for column, op, value in conditions:
        query = query.where(_OPERATORS[op](getattr(Image, column), value))
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
    selective = any(column in _FOUND_BY_OWN_INDEX and op in ('eq', 'in')
                    for column, op, _value in conditions)
    if (sort_keys == ['created_at', 'id'] and len(set(sort_dirs)) == 1
            and dialect in ('mysql', 'mariadb') and not selective):
        # The default order. MariaDB would merge the visibility and owner
        # indexes and sort every candidate (30 ms a page with 10,000
        # images); walking (created_at, id) in order stops after ``limit``
        # matches (2 ms), as PostgreSQL's planner chooses by itself. See
        # doc/source/admin/database.rst. A filter with an index of its
        # own (_FOUND_BY_OWN_INDEX) is left to the planner, which finds
        # its few rows there.
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


def _record(context, member, action, old_status=None):
    """Append one membership change to the history, with the actor.

    ``member`` is the membership after the change (for a delete, as it
    was removed); ``old_status`` its status before.
    """
    context.session.add(models.ImageMemberHistory(
        image_id=member['image_id'], member=member['member_id'],
        action=action, old_status=old_status, status=member['status'],
        user_id=context.user_id, project_id=context.project_id,
        request_id=context.request_id,
        global_request_id=context.global_request_id, created_at=_now()))


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


def _lock_shared_image(context, image_id, action):
    """Lock the image row; it must still exist and be shared."""
    visibility = _lock_image(context, image_id)
    if visibility != 'shared':
        raise exception.ImageNotShared(action=action, image_id=image_id,
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
    _lock_shared_image(context, image_id, 'create')
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
    _lock_shared_image(context, image_id, 'update')
    this_member = (Member.image_id == image_id, Member.member == member)
    # The image lock keeps the row as read until the update.
    old_status = session.scalar(sa.select(Member.status).where(*this_member))
    if old_status is None:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    session.execute(sa.update(Member).where(*this_member)
                    .values(status=status, updated_at=_now()))
    row = session.scalar(sa.select(Member).where(*this_member))
    updated = _member_dict(row)
    _record(context, updated, 'update', old_status=old_status)
    return updated


@writer
def member_delete(context, image_id, member):
    session = context.session
    Member = models.ImageMember
    _lock_shared_image(context, image_id, 'delete')
    row = session.scalar(sa.select(Member).where(
        Member.image_id == image_id, Member.member == member))
    if row is None:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    removed = _member_dict(row)
    session.delete(row)
    _record(context, removed, 'delete', old_status=removed['status'])
    return removed


@reader
def member_history(context, image_id=None, project_id=None, since=None):
    """Recorded membership changes, oldest first.

    Those of the image ``image_id``, or those where ``project_id`` is the
    member or the actor (or all); only from ``since`` (naive UTC) on if
    given. ``new_status`` is None for a delete.
    """
    History = models.ImageMemberHistory
    query = sa.select(History).order_by(History.id)
    if image_id is not None:
        query = query.where(History.image_id == image_id)
    if project_id is not None:
        query = query.where(sa.or_(History.member == project_id,
                                   History.project_id == project_id))
    if since is not None:
        query = query.where(History.created_at >= since)
    return [{'image_id': r.image_id, 'member_id': r.member,
             'action': r.action, 'status': r.status,
             'old_status': r.old_status,
             'new_status': None if r.action == 'delete' else r.status,
             'user_id': r.user_id, 'project_id': r.project_id,
             'request_id': r.request_id,
             'global_request_id': r.global_request_id,
             'created_at': r.created_at}
            for r in context.session.scalars(query)]


@writer
def _history_purge_batch(context, before, limit):
    History = models.ImageMemberHistory
    # Ids first, then a delete by primary key: MySQL allows no LIMIT in
    # an IN subquery, and row locks by key leave the API's inserts of new
    # rows alone on every backend.
    ids = context.session.scalars(
        sa.select(History.id).where(History.created_at < before)
        .order_by(History.created_at, History.id).limit(limit)).all()
    if ids:
        context.session.execute(
            sa.delete(History).where(History.id.in_(ids)))
    return len(ids)


def history_purge(context, before, batch_size):
    """Delete history rows recorded before ``before``; how many.

    One short transaction per ``batch_size`` rows, so the API's writes
    never wait long for the purge, whatever the size of the history.
    """
    total = 0
    while True:
        purged = _history_purge_batch(context, before, batch_size)
        total += purged
        if purged < batch_size:
            return total


# --- Image data -----------------------------------------------------------
# An upload moves the image queued -> saving (one writer: only one upload
# can win), streams to the store outside any transaction, then saving ->
# active with the data's location (a second writer). A failed upload goes
# back to queued, so the next one can start afresh.

def _locked_row(context, image_id, *columns):
    """Lock the image row until commit; its ``columns``, None if gone."""
    return context.session.execute(
        sa.select(*columns)
        .where(models.Image.id == image_id).with_for_update()).first()


def _lock_status(context, image_id):
    """Lock the image row until commit; its status, None if it is gone."""
    row = _locked_row(context, image_id, models.Image.status)
    return row and row.status


def _set_status(context, image_id, status, **values):
    context.session.execute(
        sa.update(models.Image).where(models.Image.id == image_id)
        .values(status=status, updated_at=_now(), **values))


@writer
def image_upload_start(context, image_id):
    """Mark a queued image "saving".

    ImageNotQueued if it is not queued, then, as Glance checks them,
    ImageFormatsMissing if its disk or container format is not set: data
    of an unknown format could never be used.
    """
    image = _locked_row(context, image_id, models.Image.status,
                        models.Image.disk_format,
                        models.Image.container_format)
    if image is None:
        raise exception.ImageNotFound(image_id=image_id)
    if image.status != 'queued':
        raise exception.ImageNotQueued(image_id=image_id, status=image.status)
    missing = [name for name in ('disk_format', 'container_format')
               if getattr(image, name) is None]
    if missing:
        raise exception.ImageFormatsMissing(missing=missing)
    _set_status(context, image_id, 'saving')


@writer
def image_upload_finish(context, image_id, stored, virtual_size=None):
    """Make a "saving" image active with its ``stored`` data.

    ImageGoneDuringUpload if the image was deleted meanwhile (or is no
    longer saving); the caller then owns the stored data and removes it.
    """
    status = _lock_status(context, image_id)
    if status != 'saving':
        raise exception.ImageGoneDuringUpload(image_id=image_id)
    _set_status(context, image_id, 'active', location=stored.location,
                size=stored.size, checksum=stored.checksum,
                os_hash_algo=stored.os_hash_algo,
                os_hash_value=stored.os_hash_value,
                virtual_size=virtual_size)


@writer
def image_upload_abort(context, image_id):
    """Put a "saving" image back to queued after a failed upload."""
    status = _lock_status(context, image_id)
    if status == 'saving':
        _set_status(context, image_id, 'queued')


# --- Image actions -----------------------------------------------------------

@writer
def image_status_change(context, image_id, action, source, target):
    """Move the image from status ``source`` to ``target``.

    Already in ``target`` is a success that changes nothing, as in Glance;
    any other status is ImageStatusChangeForbidden.
    """
    status = _lock_status(context, image_id)
    if status is None:
        raise exception.ImageNotFound(image_id=image_id)
    if status == target:
        return
    if status != source:
        raise exception.ImageStatusChangeForbidden(action=action,
                                                   status=status)
    _set_status(context, image_id, target)
