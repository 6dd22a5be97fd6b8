"""SQLAlchemy models. Constraint and index names are explicit and stable."""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.ext import compiler
from sqlalchemy import orm

from glance_sharing import enums

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


class _MySQLId(mysql.VARCHAR):
    """VARCHAR with a binary, NO PAD utf8mb4 collation (see Id)."""


@compiler.compiles(_MySQLId, 'mysql')
@compiler.compiles(_MySQLId, 'mariadb')
def _compile_mysql_id(type_, ddl_compiler, **kw):
    # MariaDB and MySQL 8 name their binary NO PAD collations differently.
    collation = ('utf8mb4_nopad_bin' if ddl_compiler.dialect.is_mariadb
                 else 'utf8mb4_0900_bin')
    return 'VARCHAR(%d) CHARACTER SET utf8mb4 COLLATE %s' % (
        type_.length, collation)


def Id(length=255):
    """An identifier column type that compares exactly everywhere.

    MySQL's default collations fold case, which would make the project ids
    "ABC" and "abc" collide, and its PAD SPACE collations (utf8mb4_bin
    among them) make "abc" and "abc " equal. A binary NO PAD collation
    keeps them all apart, as they are on PostgreSQL and SQLite.
    """
    return sa.String(length).with_variant(_MySQLId(length), 'mysql',
                                          'mariadb')


def now():
    """The time every created_at and updated_at gets.

    Second resolution, naive UTC: what every backend stores alike and what
    the API shows.
    """
    return timeutils.utcnow().replace(microsecond=0, tzinfo=None)


class Base(orm.DeclarativeBase):
    pass


class Image(Base):
    __tablename__ = 'images'
    __table_args__ = (
        sa.CheckConstraint(
            sa.column('visibility').in_(enums.VISIBILITIES),
            name='ck_images_visibility'),
        sa.Index('ix_images_created_at_id', 'created_at', 'id'),
        # The list's parts, newest first (migration 0006).
        sa.Index('ix_images_owner_created_at_id', 'owner', 'created_at',
                 'id'),
        sa.Index('ix_images_visibility_created_at_id', 'visibility',
                 'created_at', 'id'),
        # The list filters' (migration 0005).
        sa.Index('ix_images_name', 'name'),
        sa.Index('ix_images_status', 'status'),
        sa.Index('ix_images_updated_at_id', 'updated_at', 'id'),
        sa.Index('ix_images_size', 'size'),
        sa.Index('ix_images_checksum', 'checksum'),
        sa.Index('ix_images_os_hash_value', 'os_hash_value'),
        _TABLE_ARGS,
    )

    id = sa.Column(Id(36), primary_key=True)
    name = sa.Column(sa.String(255))
    status = sa.Column(sa.String(30), nullable=False)
    visibility = sa.Column(sa.String(9), nullable=False)
    owner = sa.Column(Id())
    container_format = sa.Column(sa.String(32))
    disk_format = sa.Column(sa.String(32))
    size = sa.Column(sa.BigInteger)
    virtual_size = sa.Column(sa.BigInteger)
    checksum = sa.Column(sa.String(32))
    os_hash_algo = sa.Column(sa.String(64))
    os_hash_value = sa.Column(sa.String(128))
    # glance_store URI of the image data, once an upload committed. Never
    # shown: it may hold store credentials.
    location = sa.Column(sa.Text)
    min_disk = sa.Column(sa.Integer, nullable=False)
    min_ram = sa.Column(sa.Integer, nullable=False)
    protected = sa.Column(sa.Boolean, nullable=False)
    os_hidden = sa.Column(sa.Boolean, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False)


class ImageProperty(Base):
    """An additional (custom) property of an image."""

    __tablename__ = 'image_properties'
    __table_args__ = (_TABLE_ARGS,)

    image_id = sa.Column(
        Id(36), sa.ForeignKey('images.id', name='fk_image_properties_image',
                              ondelete='CASCADE'),
        primary_key=True)
    name = sa.Column(Id(255), primary_key=True)
    value = sa.Column(sa.Text, nullable=False)


class ImageTag(Base):
    __tablename__ = 'image_tags'
    __table_args__ = (
        sa.Index('ix_image_tags_value', 'value'),
        _TABLE_ARGS,
    )

    image_id = sa.Column(
        Id(36), sa.ForeignKey('images.id', name='fk_image_tags_image',
                              ondelete='CASCADE'),
        primary_key=True)
    value = sa.Column(Id(255), primary_key=True)


class ImageMember(Base):
    """A live share of an image with one member. Deleted rows are removed.

    The unique constraint is what makes a duplicate share impossible,
    whatever the race; the history table keeps what was removed.
    """

    __tablename__ = 'image_members'
    __table_args__ = (
        sa.UniqueConstraint('image_id', 'member',
                            name='uniq_image_members0image_id0member'),
        sa.CheckConstraint(
            sa.column('status').in_(enums.MEMBER_STATUSES),
            name='ck_image_members_status'),
        # A consumer's shares with status X, in the image list's default
        # order (migration 0006).
        sa.Index('ix_image_members_member_status_image', 'member',
                 'status', 'image_created_at', 'image_id'),
        _TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(
        Id(36), sa.ForeignKey('images.id', name='fk_image_members_image',
                              ondelete='CASCADE'),
        nullable=False)
    member = sa.Column(Id(), nullable=False)
    status = sa.Column(sa.String(20), nullable=False)
    # The image's created_at, which never changes: it puts the index above
    # in the image list's order.
    image_created_at = sa.Column(sa.DateTime, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False)


class ImageMemberHistory(Base):
    """Every create, status change and delete of a membership, appended.

    No foreign key: the history outlives the image. ``old_status`` is the
    status before the change (None for a create, and unknown for updates
    recorded before schema 0003); ``status`` the status after it, and for
    a delete the status the membership had when it was removed.
    """

    __tablename__ = 'image_member_history'
    __table_args__ = (
        sa.Index('ix_image_member_history_image_member',
                 'image_id', 'member'),
        sa.Index('ix_image_member_history_member', 'member'),
        sa.Index('ix_image_member_history_project_id', 'project_id'),
        sa.Index('ix_image_member_history_created_at', 'created_at'),
        _TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(Id(36), nullable=False)
    member = sa.Column(Id(), nullable=False)
    action = sa.Column(sa.String(10), nullable=False)
    old_status = sa.Column(sa.String(20))
    status = sa.Column(sa.String(20))
    user_id = sa.Column(Id())
    project_id = sa.Column(Id())
    # This service's own id of the request that made the change, and the
    # caller's (X-OpenStack-Request-ID, e.g. Nova's) when it sent one.
    request_id = sa.Column(sa.String(64))
    global_request_id = sa.Column(sa.String(64))
    created_at = sa.Column(sa.DateTime, nullable=False)
