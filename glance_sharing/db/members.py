"""Image memberships and their history, as small reader/writer functions.

Functions take a RequestContext and an image id and return plain dicts.
Every membership write locks the image row first (_lock_shared_image), so
the writes to one image's members run one after another on every backend,
and none adds a member to an image that is being deleted or unshared.
"""

import functools

from oslo_db import exception as db_exc
import sqlalchemy as sa

from glance_sharing.db import caller
from glance_sharing.db import engine
from glance_sharing.db.engine import reader
from glance_sharing.db.engine import writer
from glance_sharing.db import models
from glance_sharing import exception

Member = models.ImageMember


def _member_dict(row):
    return {'image_id': row.image_id, 'member_id': row.member,
            'status': row.status, 'created_at': row.created_at,
            'updated_at': row.updated_at}


def _record(context, member, action, old_status=None):
    """Append one membership change to the history, with the actor.

    ``member`` is the membership after the change (for a delete, as it
    was removed); ``old_status`` its status before.
    """
    engine.connection(context).execute(_ADD_HISTORY, {
        'image_id': member['image_id'], 'member': member['member_id'],
        'action': action, 'old_status': old_status,
        'status': member['status'], 'user_id': context.user_id,
        'project_id': context.project_id, 'request_id': context.request_id,
        'global_request_id': context.global_request_id,
        'created_at': models.now()})


_ADD_HISTORY = sa.insert(models.ImageMemberHistory.__table__)


@functools.lru_cache(maxsize=None)
def _visible_rows(is_admin, has_project):
    """Memberships of :image_id the caller may see.

    All of them for the image owner and admins, otherwise only the
    caller's own; built once per kind of caller (db/caller.py).
    """
    query = sa.select(Member).where(Member.image_id == _IMAGE_ID)
    if is_admin:
        return query
    mine = Member.member == caller.CALLER
    if not has_project:
        return query.where(mine)
    Image = models.Image
    owns_image = sa.exists().where(Image.id == _IMAGE_ID,
                                   Image.owner == caller.CALLER)
    return query.where(sa.or_(mine, owns_image))


_IMAGE_ID = sa.bindparam('image_id')
_ORDER = (Member.created_at, Member.member)


@functools.lru_cache(maxsize=None)
def _one_visible_row(is_admin, has_project):
    return _visible_rows(is_admin, has_project).where(
        Member.member == sa.bindparam('member'))


def _params(context, image_id, **params):
    return caller.params(context, image_id=image_id, **params)


@reader
def member_list(context, image_id, limit=None, marker=None):
    """Members of the image visible to the caller, oldest first."""
    connection = engine.connection(context)
    kind = caller.kind(context)
    if marker is not None:
        after = connection.execute(
            _one_visible_row(*kind),
            _params(context, image_id, member=marker)).first()
        if after is None:
            raise exception.InvalidMarker(marker=marker)
        query = _visible_rows(*kind).where(sa.or_(
            Member.created_at > after.created_at,
            sa.and_(Member.created_at == after.created_at,
                    Member.member > after.member)))
    else:
        query = _visible_rows(*kind)
    query = query.order_by(*_ORDER)
    if limit is not None:
        query = query.limit(limit)
    return [_member_dict(row) for row in connection.execute(
        query, _params(context, image_id))]


@reader
def member_get(context, image_id, member):
    """One membership the caller may see, or MemberNotFound."""
    row = engine.connection(context).execute(
        _one_visible_row(*caller.kind(context)),
        _params(context, image_id, member=member)).first()
    if row is None:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    return _member_dict(row)


# The writers' statements, built once (see engine.connection). Their
# conditions bind "image" and "member_id": an UPDATE keeps the names of
# its table's columns for the values it sets.
_IMAGE_LOCKED = sa.select(
    models.Image.visibility, models.Image.created_at,
).where(models.Image.id == sa.bindparam('image')).with_for_update()
_THIS_MEMBER = (Member.image_id == sa.bindparam('image'),
                Member.member == sa.bindparam('member_id'))
_MEMBER_ROW = sa.select(Member.__table__).where(*_THIS_MEMBER)
_MEMBER_COUNT = sa.select(sa.func.count()).where(
    Member.image_id == sa.bindparam('image'))
_ADD_MEMBER = sa.insert(Member.__table__)
_SET_STATUS = sa.update(Member.__table__).where(*_THIS_MEMBER).values(
    status=sa.bindparam('new_status'),
    updated_at=sa.bindparam('new_updated_at'))
_REMOVE_MEMBER = sa.delete(Member.__table__).where(*_THIS_MEMBER)


def _lock_shared_image(context, image_id, action):
    """Lock the image row until commit; it must still exist and be shared.

    The handler checked the same before, on what it read; this is the
    check the write relies on. Returns the locked row (visibility,
    created_at).
    """
    image = engine.connection(context).execute(
        _IMAGE_LOCKED, {'image': image_id}).first()
    if image is None:
        raise exception.ImageNotFound(image_id=image_id)
    if image.visibility != 'shared':
        raise exception.ImageNotShared(action=action, image_id=image_id,
                                       visibility=image.visibility)
    return image


def _member_row(connection, image_id, member):
    return connection.execute(_MEMBER_ROW, {'image': image_id,
                                            'member_id': member}).first()


@writer
def member_create(context, image_id, member, quota):
    """Share the image with ``member``: pending, unique, within quota.

    The image row stays locked until commit, so racing creates for one
    image run one after another and the count below is exact; the unique
    constraint is the last word on duplicates.
    """
    image = _lock_shared_image(context, image_id, 'create')
    connection = engine.connection(context)
    if _member_row(connection, image_id, member) is not None:
        raise exception.MemberExists(image_id=image_id, member=member)
    if quota >= 0:
        count = connection.execute(_MEMBER_COUNT,
                                   {'image': image_id}).scalar()
        if count >= quota:
            raise exception.MemberQuotaExceeded(image_id=image_id,
                                                count=count, limit=quota)
    now = models.now()
    created = {'image_id': image_id, 'member_id': member,
               'status': 'pending', 'created_at': now, 'updated_at': now}
    try:
        connection.execute(_ADD_MEMBER, {
            'image_id': image_id, 'member': member, 'status': 'pending',
            'image_created_at': image.created_at, 'created_at': now,
            'updated_at': now})
    except db_exc.DBDuplicateEntry:
        raise exception.MemberExists(image_id=image_id, member=member)
    _record(context, created, 'create')
    return created


@writer
def member_update(context, image_id, member, status):
    """Set a member's status.

    Never creates a row: a membership removed meanwhile stays removed
    (MemberNotFound).
    """
    _lock_shared_image(context, image_id, 'update')
    connection = engine.connection(context)
    # The image lock keeps the row as read until the update.
    row = _member_row(connection, image_id, member)
    if row is None:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    updated = dict(_member_dict(row), status=status,
                   updated_at=models.now())
    connection.execute(_SET_STATUS, {
        'image': image_id, 'member_id': member, 'new_status': status,
        'new_updated_at': updated['updated_at']})
    _record(context, updated, 'update', old_status=row.status)
    return updated


@writer
def member_delete(context, image_id, member):
    """Remove one membership; the membership as it was."""
    _lock_shared_image(context, image_id, 'delete')
    connection = engine.connection(context)
    row = _member_row(connection, image_id, member)
    if row is None:
        raise exception.MemberNotFound(image_id=image_id, member=member)
    removed = _member_dict(row)
    connection.execute(_REMOVE_MEMBER, {'image': image_id,
                                        'member_id': member})
    _record(context, removed, 'delete', old_status=removed['status'])
    return removed


def delete_all(context, image_id):
    """Remove every membership of an image whose row the caller locked.

    Part of the image delete's transaction; each removal is recorded in
    the history. Returns the memberships as they were.
    """
    session = context.session
    removed = [_member_dict(row) for row in session.scalars(
        sa.select(Member).where(Member.image_id == image_id))]
    for member in removed:
        _record(context, member, 'delete', old_status=member['status'])
    session.execute(sa.delete(Member).where(Member.image_id == image_id))
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
