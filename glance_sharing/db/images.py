"""Image records, their data's life cycle and the image list.

Functions take a RequestContext (and the image id, but for the list) and
return plain dicts. A writer function is one transaction: the invariants
it checks hold when it commits, whatever other processes do at the same
time.

Who may know that an image exists is decided here, once, in SQL
(visible_to): the show, every write and the list read images through it,
and the caller's membership comes with each image (member_status). A
project's list in the default order reads the same images in disjoint
parts (_list_parts), which a backend test compares with visible_to's.
"""

import copy
import functools
import operator

from oslo_db import exception as db_exc
import sqlalchemy as sa

from glance_sharing.db import caller
from glance_sharing.db import engine
from glance_sharing.db.engine import reader
from glance_sharing.db.engine import writer
from glance_sharing.db import members
from glance_sharing.db import models
from glance_sharing import enums
from glance_sharing import exception

Image = models.Image
_IMAGE_COLUMNS = [c.name for c in Image.__table__.columns]


# --- Who may see an image ----------------------------------------------------

def visible_to(is_admin, has_project, member_status=None):
    """The one rule of who may know that an image exists, as a condition.

    Admins see everything. Any project sees public and community images
    and images without an owner, its own images, and the shared images it
    is a member of: with any status (for the show and every write), or
    with ``member_status`` only ('all' for any: the list's filter on
    shares). For the kind of caller ``is_admin`` and ``has_project`` say
    (see db/caller.py).
    """
    if is_admin:
        return sa.true()
    if member_status is None:
        # One image: its row's own membership of the caller, through the
        # (image_id, member) index.
        shared_with_caller = _caller_membership().is_not(None)
    else:
        # A list walked as one statement (see image_get_all): the
        # caller's shares, found once through the member's index.
        Member = models.ImageMember
        shares = sa.select(Member.image_id).where(
            Member.member == caller.CALLER)
        if member_status != 'all':
            shares = shares.where(Member.status == member_status)
        shared_with_caller = Image.id.in_(shares)
    return sa.or_(
        _is_one_of(Image.visibility, enums.EVERYONE),
        _owned_by_caller(has_project),
        Image.owner.is_(None),
        sa.and_(Image.visibility == 'shared', shared_with_caller))


def _is_one_of(column, values):
    """``column`` IN ``values``, a fixed list, written as equalities.

    SQLAlchemy binds a literal IN list as an expanding parameter, which
    it rewrites into the SQL at every execution, even of a statement it
    has compiled before; equalities are bound once.
    """
    return sa.or_(*(column == value for value in values))


def _owned_by_caller(has_project):
    return Image.owner == caller.CALLER if has_project else sa.false()


def _caller_membership():
    """The caller's membership status of each image read (NULL: none)."""
    Member = models.ImageMember
    return sa.select(Member.status).where(
        Member.image_id == Image.id, Member.member == caller.CALLER,
    ).scalar_subquery()


@functools.lru_cache(maxsize=None)
def _image_read(is_admin, has_project):
    """The image with the caller's membership, if the caller may see it."""
    return sa.select(
        Image.__table__, _caller_membership().label('member_status'),
    ).where(Image.id == sa.bindparam('image_id'),
            visible_to(is_admin, has_project))


_LOCK_IMAGE = sa.select(Image.id).where(
    Image.id == sa.bindparam('image_id')).with_for_update()
_IDS = sa.bindparam('ids', expanding=True)
_PROPERTIES = sa.select(
    models.ImageProperty.image_id, models.ImageProperty.name,
    models.ImageProperty.value,
).where(models.ImageProperty.image_id.in_(_IDS))
_TAGS = sa.select(models.ImageTag.image_id, models.ImageTag.value).where(
    models.ImageTag.image_id.in_(_IDS)).order_by(models.ImageTag.value)


def _image_dict(row):
    """An image row read with its member_status, as a plain dict.

    ``is_member``: the caller holds a membership of the image (the policy
    target's %(member_id)s).
    """
    image = {name: getattr(row, name) for name in _IMAGE_COLUMNS}
    image['member_status'] = row.member_status
    image['is_member'] = row.member_status is not None
    return image


def _load_details(context, images):
    """Attach properties and tags to ``images`` with two queries in all."""
    by_id = {image['id']: image for image in images}
    for image in images:
        image['properties'] = {}
        image['tags'] = []
    if not by_id:
        return images
    ids = {'ids': list(by_id)}
    connection = engine.connection(context)
    for image_id, name, value in connection.execute(_PROPERTIES, ids):
        by_id[image_id]['properties'][name] = value
    for image_id, value in connection.execute(_TAGS, ids):
        by_id[image_id]['tags'].append(value)
    return images


def _visible_image(context, image_id, lock=False, details=False):
    """One query: the image, if the caller may see it, and its membership.

    ``lock`` first locks the image row until commit, so the read sees the
    latest committed image and memberships (every membership writer takes
    the same lock first), which no other writer can change before this
    transaction ends. The lock is its own statement: PostgreSQL would
    evaluate a locking read's subqueries on the snapshot from before its
    wait for the lock. ImageNotFound when the image is gone or the caller
    may not know that it exists.
    """
    connection = engine.connection(context)
    if lock:
        connection.execute(_LOCK_IMAGE, {'image_id': image_id})
    row = connection.execute(
        _image_read(*caller.kind(context)),
        caller.params(context, image_id=image_id)).first()
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    image = _image_dict(row)
    return _load_details(context, [image])[0] if details else image


@reader
def image_get(context, image_id, details=False):
    """The image as the caller may see it, or ImageNotFound."""
    return _visible_image(context, image_id, details=details)


# --- Image records -----------------------------------------------------------

_ADD_IMAGE = sa.insert(Image.__table__)
_ADD_PROPERTY = sa.insert(models.ImageProperty.__table__)
_ADD_TAG = sa.insert(models.ImageTag.__table__)


@writer
def image_create(context, values, properties, tags):
    """Store a new image with its properties and tags; the image as read.

    ImageExists if its id is taken.
    """
    unknown = set(values) - set(_IMAGE_COLUMNS)
    if unknown:
        # The insert would drop them without a word.
        raise ValueError('not image columns: %s' % ', '.join(sorted(unknown)))
    now = models.now()
    image_id = values['id']
    connection = engine.connection(context)
    try:
        connection.execute(_ADD_IMAGE, dict(values, created_at=now,
                                            updated_at=now))
    except db_exc.DBDuplicateEntry:
        raise exception.ImageExists(image_id=image_id)
    if properties:
        connection.execute(_ADD_PROPERTY, [
            {'image_id': image_id, 'name': name, 'value': value}
            for name, value in properties.items()])
    if tags:
        connection.execute(_ADD_TAG, [{'image_id': image_id, 'value': tag}
                                      for tag in set(tags)])
    return _visible_image(context, image_id, details=True)


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
    values['updated_at'] = models.now()
    session.execute(sa.update(Image).where(
        Image.id == image_id).values(**values))
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

    ``change(image)`` gets a copy of the locked image, with details, and
    returns it as it should be (core values, "properties" and "tags"),
    or raises to refuse the change; it may run more than once if the
    transaction is retried after a deadlock, so it must only compute.
    Every writer of an image's properties, tags or members takes the same
    lock first. Returns the image as stored.
    """
    image = _visible_image(context, image_id, lock=True, details=True)
    _write_changes(context, image, change(copy.deepcopy(image)))
    return _visible_image(context, image_id, details=True)


@writer
def image_delete(context, image_id, check=None):
    """Delete the image, its properties, tags and members.

    ``check(image)``, if given, sees the locked image first and may raise
    to refuse. Returns ``{'image': ..., 'members': [...]}``: the image as
    it was (its ``location`` is for the caller to delete from the store
    once this commits) and the removed memberships, each also recorded in
    the history.
    """
    session = context.session
    image = _visible_image(context, image_id, lock=True, details=True)
    if check is not None:
        check(image)
    removed = members.delete_all(context, image_id)
    for model in (models.ImageProperty, models.ImageTag):
        session.execute(sa.delete(model).where(model.image_id == image_id))
    session.execute(sa.delete(Image).where(Image.id == image_id))
    return {'image': image, 'members': removed}


# --- The image list ----------------------------------------------------------

def _listed(visibility, own):
    """The visibilities the list shows, of own images or of others'.

    Of the caller's own images where ``own``, else of other images, for
    the list's ``visibility`` filter. Other projects' community images
    stay out unless ``visibility`` asks for community or all images
    (this holds for admins too); a ``visibility`` other than 'all' keeps
    only that visibility.
    """
    if visibility == 'all':
        return enums.VISIBILITIES
    if visibility is not None:
        return (visibility,)
    return tuple(v for v in enums.VISIBILITIES
                 if own or v != 'community')


def _narrowing(has_project, visibility):
    """_listed as conditions on visible_to's images."""
    where = []
    others = _listed(visibility, own=False)
    if others != enums.VISIBILITIES:
        where.append(sa.or_(_owned_by_caller(has_project),
                            _is_one_of(Image.visibility, others)))
    own = _listed(visibility, own=True)
    if own != enums.VISIBILITIES:
        where.append(_is_one_of(Image.visibility, own))
    return where


def _list_parts(has_project, visibility, member_status):
    """What the list shows, as disjoint parts; [(where, share status)].

    visible_to's images, narrowed as _listed narrows them, each part in
    an index that holds it in the default order: the caller's own images
    (ix_images_owner_created_at_id), other projects' public and
    community images (ix_images_visibility_created_at_id), images of
    nobody (the owner index again), and the shared images the caller is
    a member of with ``member_status``
    (ix_image_members_member_status_image). An index walks one value of
    its first columns in order, so there is a part for each visibility
    of everyone's and for each status where ``member_status`` is 'all'.
    Parts of shares have their status, the others None. A part that
    _listed rules out is left out, so no index is walked for rows that
    cannot show.
    """
    others = _listed(visibility, own=False)
    everyone = [v for v in enums.EVERYONE if v in others]
    parts = []
    if has_project:
        own = _listed(visibility, own=True)
        parts.append(([Image.owner == caller.CALLER] + (
            [_is_one_of(Image.visibility, own)]
            if own != enums.VISIBILITIES else []), None))
    for shown in everyone:
        # owner != caller is never true of an image of nobody (NULL): it
        # stays in the part of its own, below.
        parts.append(([Image.visibility == shown,
                       Image.owner != caller.CALLER if has_project
                       else Image.owner.is_not(None)], None))
    parts.append(([Image.owner.is_(None),
                   _is_one_of(Image.visibility, others)],
                  None))
    if has_project and 'shared' in others:
        for status in (enums.MEMBER_STATUSES if member_status == 'all'
                       else (member_status,)):
            parts.append(([Image.visibility == 'shared',
                           Image.owner != caller.CALLER], status))
    return parts


# How a list condition's operator compares a column with its value.
_OPERATORS = {
    'eq': operator.eq, 'neq': operator.ne, 'gt': operator.gt,
    'gte': operator.ge, 'lt': operator.lt, 'lte': operator.le,
    'in': lambda column, values: column.in_(values),
}


# Columns whose equality (or "in:") filters match few images, found
# through an index of their own: better than walking the default order.
# Ranges (sizes, times) and a status may match most images, so the list
# walks the order there (in parts, or for admins in ix_images_created_at_id)
# and stops at the page's end.
_FOUND_BY_OWN_INDEX = frozenset(['id', 'name', 'owner', 'checksum',
                                 'os_hash_value'])

# SQLAlchemy's names of the MariaDB and MySQL dialects, whose plans the
# list steers (_index_hint, _parts_page_read).
_MARIADB = ('mysql', 'mariadb')


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
    if member_status not in enums.MEMBER_STATUSES + ('all',):
        # None would mean "any status" to visible_to and "no shares" to
        # _list_parts: the list takes only the API's values.
        raise ValueError('member_status %r' % (member_status,))
    conditions = [(column, 'eq', value)
                  for column, value in (filters or {}).items()] + list(
        conditions)
    properties = list((properties or {}).items())
    sort = _total_order(sort_keys, sort_dirs)
    connection = engine.connection(context)
    kind = caller.kind(context)
    # What the statement's SQL depends on (see _list_where); the values
    # are bound.
    shape = (kind, visibility, member_status,
             tuple((column, op, value is None)
                   for column, op, value in conditions),
             len(properties), len(tags))
    params = _filter_params(context, conditions, properties, tags)
    marker_nulls = None
    if marker is not None:
        marker_row = connection.execute(
            _marker_read(shape), dict(params, marker=marker)).first()
        if marker_row is None:
            raise exception.InvalidMarker(marker=marker)
        values = [getattr(marker_row, key) for key, _dir in sort]
        marker_nulls = tuple(value is None for value in values)
        for i, ((key, _dir), value) in enumerate(zip(sort, values)):
            params['m%d' % i] = _comparable(key, value)
    if limit is not None:
        params['limit'] = limit
    is_admin, _has_project = kind
    if not _walks_default_order(sort, conditions):
        statement = _page_read(shape, sort, marker_nulls, limit is not None)
    elif is_admin:
        statement = _page_read(
            shape, sort, marker_nulls, limit is not None,
            _index_hint(connection.dialect.name))
    else:
        statement = _parts_page_read(
            shape, sort, marker_nulls, limit is not None)
    images = [_image_dict(row)
              for row in connection.execute(statement, params)]
    return _load_details(context, images)


def _total_order(sort_keys, sort_dirs):
    """The (key, direction) pairs of the list's order, ending with id.

    A key given again changes neither the order nor the pages (Glance
    accepts repeats); its first direction counts. Dropping repeats keeps
    a statement's size, and its marker conditions (quadratic in the
    keys), bounded by the number of sortable columns. A unique last key
    makes the order total, so pages never overlap.
    """
    if len(sort_keys) != len(sort_dirs):
        raise ValueError('one sort direction per sort key')
    order = {}
    for key, direction in zip(sort_keys, sort_dirs):
        order.setdefault(key, direction)
    if 'id' not in order:
        order['id'] = list(order.values())[-1]
    return tuple(order.items())


def _filter_params(context, conditions, properties, tags):
    """The values _list_where's statements bind, by their names there."""
    params = caller.params(context)
    for i, (_column, _op, value) in enumerate(conditions):
        params['c%d' % i] = value
    for i, (name, value) in enumerate(properties):
        params['pn%d' % i] = name
        params['pv%d' % i] = value
    for i, tag in enumerate(tags):
        params['t%d' % i] = tag
    return params


def _walks_default_order(sort, conditions):
    """Whether the list reads images in the default order, page by page.

    Sorted by (created_at, id), one direction, and with no filter that
    finds its few images through an index of its own
    (_FOUND_BY_OWN_INDEX), which the planner is left to choose.
    """
    return ([key for key, _dir in sort] == ['created_at', 'id']
            and len({direction for _key, direction in sort}) == 1
            and not any(column in _FOUND_BY_OWN_INDEX and op in ('eq', 'in')
                        for column, op, _value in conditions))


def _index_hint(dialect):
    """The dialect to force the (created_at, id) index on, or None.

    For an admin's list in the default order. MariaDB would rather merge
    the owner and visibility indexes that _narrowing's conditions name
    and sort every candidate (30 ms a page with 10,000 images, measured
    with the single-column indexes migration 0006 replaced); walking
    (created_at, id) in order stops after ``limit`` matches (2 ms), as
    PostgreSQL's planner chooses by itself. See
    doc/source/admin/database.rst.
    """
    return dialect if dialect in _MARIADB else None


@functools.lru_cache(maxsize=256)
def _list_where(shape):
    """The list's conditions for ``shape``, on bound values.

    ``shape``: (kind of caller, visibility, member_status, the conditions
    as (column, operator, value is None), the number of property filters,
    the number of tags). Requests of one shape run statements built once,
    which SQLAlchemy finds compiled; the values are bound as c0, c1, ...
    (conditions), pn0/pv0, ... (properties) and t0, ... (tags).
    """
    (is_admin, has_project), visibility, member_status = shape[:3]
    return (visible_to(is_admin, has_project, member_status),
            *_narrowing(has_project, visibility), *_filters_where(shape))


@functools.lru_cache(maxsize=256)
def _filters_where(shape):
    """The conditions of ``shape``'s filters (see _list_where)."""
    conditions, properties, tags = shape[3:]
    where = []
    for i, (column, op, is_none) in enumerate(conditions):
        column = getattr(Image, column)
        if is_none:
            where.append(_OPERATORS[op](column, None))
        else:
            where.append(_OPERATORS[op](column, sa.bindparam(
                'c%d' % i, type_=column.type, expanding=op == 'in')))
    Prop = models.ImageProperty
    for i in range(properties):
        where.append(Image.id.in_(sa.select(Prop.image_id).where(
            Prop.name == sa.bindparam('pn%d' % i),
            Prop.value == sa.bindparam('pv%d' % i))))
    for i in range(tags):
        where.append(Image.id.in_(sa.select(models.ImageTag.image_id).where(
            models.ImageTag.value == sa.bindparam('t%d' % i))))
    return tuple(where)


@functools.lru_cache(maxsize=256)
def _marker_read(shape):
    """The marker image, if the list of ``shape`` holds it."""
    return sa.select(Image.__table__).where(
        *_list_where(shape), Image.id == sa.bindparam('marker'))


@functools.lru_cache(maxsize=512)
def _page_read(shape, sort, marker_nulls, limited, hint=None):
    """One page of the list of ``shape``, in the order ``sort``.

    ``sort``: (key, direction) pairs; ``marker_nulls``: None without a
    marker, else which of the marker's sort values are NULL (bound as
    m0, m1, ...); ``limited``: LIMIT :limit; ``hint``: the dialect to
    force the (created_at, id) index on, or None (_index_hint).
    """
    statement = _ordered_page(
        sa.select(*Image.__table__.columns,
                  _caller_membership().label('member_status')),
        _list_where(shape), sort, marker_nulls, limited)
    if hint:
        statement = statement.with_hint(
            Image, 'FORCE INDEX (ix_images_created_at_id)', hint)
    return statement


@functools.lru_cache(maxsize=512)
def _parts_page_read(shape, sort, marker_nulls, limited):
    """_page_read for a project's list in the default order, in parts.

    A merge of one page of each of _list_parts. A single statement walks
    the images newest first and tests each one, so a page costs the rows
    read past until ``limit`` of them show: it grows with the table when
    what the caller may see is rare among the newest images. Each part
    stops after a page of its own index, whatever the table's size.
    """
    (_admin, has_project), visibility, member_status = shape[:3]
    filters = _filters_where(shape)
    Member = models.ImageMember
    pages = []
    for where, share_status in _list_parts(has_project, visibility,
                                           member_status):
        if share_status is None:
            part = sa.select(*Image.__table__.columns,
                             _caller_membership().label('member_status'))
            order = {}
        else:
            # Walked in the member's index: its copy of the image's
            # created_at, and the image id.
            part = sa.select(
                *Image.__table__.columns,
                Member.status.label('member_status'),
            ).select_from(Member).join(Image, Image.id == Member.image_id)
            for dialect in _MARIADB:
                # Members first, as written: MariaDB would rather walk
                # the shared images and look each one's member up, every
                # shared image for a page of a few shares (246 ms for
                # 10,000 pending shares among 12,000 images; 3.4 ms
                # members first).
                part = part.prefix_with('STRAIGHT_JOIN', dialect=dialect)
            where = where + [Member.member == caller.CALLER,
                             Member.status == share_status]
            order = {'created_at': Member.image_created_at,
                     'id': Member.image_id}
        page = _ordered_page(part, (*where, *filters), sort, marker_nulls,
                             limited, order).subquery()
        pages.append(sa.select(*page.columns))
    merged = sa.union_all(*pages).subquery('visible')
    statement = sa.select(*merged.columns).order_by(*(
        getattr(sa, direction)(merged.columns[key])
        for key, direction in sort))
    if limited:
        statement = statement.limit(sa.bindparam('limit'))
    return statement


def _ordered_page(statement, where, sort, marker_nulls, limited,
                  columns=None):
    """``statement`` where ``where``, after the marker, sorted, limited.

    In the order ``sort``, of the images' columns or of ``columns``
    (key: column) where it has the key; see _page_read for the other
    arguments.
    """
    columns = columns or {}
    statement = statement.where(*where)
    if marker_nulls is not None:
        statement = statement.where(
            _after_marker(sort, marker_nulls, columns))
    statement = statement.order_by(*(
        getattr(sa, direction)(columns.get(key, getattr(Image, key)))
        for key, direction in sort))
    if limited:
        statement = statement.limit(sa.bindparam('limit'))
    return statement


def _after_marker(sort, marker_nulls, columns):
    """Rows after the marker in the order ``sort``.

    (k1 after m1) or (k1 = m1 and k2 after m2) or ...; a NULL marker
    value is skipped, as oslo.db's paginate_query skips it, so the order
    is the one it pages through. Of the images' columns, or of
    ``columns`` where it has the key.
    """
    def ordered(key):
        return columns[key] if key in columns else _ordered(key)

    alternatives = []
    for i, (key, direction) in enumerate(sort):
        if marker_nulls[i]:
            continue
        equal = [ordered(sort[j][0]) == _marker_value(sort, j)
                 for j in range(i) if not marker_nulls[j]]
        column, value = ordered(key), _marker_value(sort, i)
        after = column < value if direction == 'desc' else column > value
        alternatives.append(sa.and_(*equal, after))
    after = sa.or_(*alternatives)
    if marker_nulls[0]:
        return after
    # Implied by the alternatives (a NULL first key never follows a
    # marker that has one), but as a range of its own the planners seek
    # to it in the index, where the OR is only a filter on every row read
    # from the page's start.
    first, value = ordered(sort[0][0]), _marker_value(sort, 0)
    return sa.and_(first <= value if sort[0][1] == 'desc'
                   else first >= value, after)


def _is_boolean(key):
    return isinstance(getattr(Image, key).type, sa.Boolean)


def _ordered(key):
    """The column ``key`` as markers compare it.

    Booleans as integers: not every backend compares them with < and >.
    """
    column = getattr(Image, key)
    return sa.cast(column, sa.Integer) if _is_boolean(key) else column


def _comparable(key, value):
    """A marker's value of ``key``, as _ordered compares it."""
    return int(value) if _is_boolean(key) else value


def _marker_value(sort, i):
    key = sort[i][0]
    return sa.bindparam('m%d' % i, type_=sa.Integer() if _is_boolean(key)
                        else getattr(Image, key).type)


# --- Image data --------------------------------------------------------------
# An upload moves the image queued -> saving (one writer: only one upload
# can win), streams to the store outside any transaction, then saving ->
# active with the data's location (a second writer). A failed upload goes
# back to queued, so the next one can start afresh.

def _locked_row(context, image_id, *columns):
    """Lock the image row until commit; its ``columns``, None if gone.

    For the data's life cycle, which the caller's handler has authorized
    on the image it read: only the status matters here.
    """
    return context.session.execute(
        sa.select(*columns)
        .where(Image.id == image_id).with_for_update()).first()


def _lock_status(context, image_id):
    """Lock the image row until commit; its status, None if it is gone."""
    row = _locked_row(context, image_id, Image.status)
    return row and row.status


def _set_status(context, image_id, status, **values):
    context.session.execute(
        sa.update(Image).where(Image.id == image_id)
        .values(status=status, updated_at=models.now(), **values))


@writer
def image_upload_start(context, image_id):
    """Mark a queued image "saving".

    ImageNotQueued if it is not queued, then, as Glance checks them,
    ImageFormatsMissing if its disk or container format is not set: data
    of an unknown format could never be used.
    """
    image = _locked_row(context, image_id, Image.status, Image.disk_format,
                        Image.container_format)
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
