"""Initial schema: images, their properties and tags, members, history.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from glance_sharing.db.models import Id

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'images',
        sa.Column('id', Id(36), primary_key=True),
        sa.Column('name', sa.String(255)),
        sa.Column('status', sa.String(30), nullable=False),
        sa.Column('visibility', sa.String(9), nullable=False),
        sa.Column('owner', Id()),
        sa.Column('container_format', sa.String(32)),
        sa.Column('disk_format', sa.String(32)),
        sa.Column('size', sa.BigInteger),
        sa.Column('virtual_size', sa.BigInteger),
        sa.Column('checksum', sa.String(32)),
        sa.Column('os_hash_algo', sa.String(64)),
        sa.Column('os_hash_value', sa.String(128)),
        sa.Column('min_disk', sa.Integer, nullable=False),
        sa.Column('min_ram', sa.Integer, nullable=False),
        sa.Column('protected', sa.Boolean, nullable=False),
        sa.Column('os_hidden', sa.Boolean, nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime, nullable=False),
        sa.CheckConstraint(
            "visibility IN ('public', 'community', 'shared', 'private')",
            name='ck_images_visibility'),
        **_TABLE_ARGS)
    op.create_index('ix_images_owner', 'images', ['owner'])
    op.create_index('ix_images_visibility', 'images', ['visibility'])
    op.create_index('ix_images_created_at_id', 'images',
                    ['created_at', 'id'])

    op.create_table(
        'image_properties',
        sa.Column('image_id', Id(36),
                  sa.ForeignKey('images.id', name='fk_image_properties_image',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('name', Id(255), primary_key=True),
        sa.Column('value', sa.Text, nullable=False),
        **_TABLE_ARGS)

    op.create_table(
        'image_tags',
        sa.Column('image_id', Id(36),
                  sa.ForeignKey('images.id', name='fk_image_tags_image',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('value', Id(255), primary_key=True),
        **_TABLE_ARGS)
    op.create_index('ix_image_tags_value', 'image_tags', ['value'])

    op.create_table(
        'image_members',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('image_id', Id(36),
                  sa.ForeignKey('images.id', name='fk_image_members_image',
                                ondelete='CASCADE'),
                  nullable=False),
        sa.Column('member', Id(), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime, nullable=False),
        sa.UniqueConstraint('image_id', 'member',
                            name='uniq_image_members0image_id0member'),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'rejected')",
            name='ck_image_members_status'),
        **_TABLE_ARGS)
    op.create_index('ix_image_members_member_status', 'image_members',
                    ['member', 'status'])

    op.create_table(
        'image_member_history',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('image_id', Id(36), nullable=False),
        sa.Column('member', Id(), nullable=False),
        sa.Column('action', sa.String(10), nullable=False),
        sa.Column('status', sa.String(20)),
        sa.Column('user_id', Id()),
        sa.Column('project_id', Id()),
        sa.Column('request_id', sa.String(64)),
        sa.Column('created_at', sa.DateTime, nullable=False),
        **_TABLE_ARGS)
    op.create_index('ix_image_member_history_image_member',
                    'image_member_history', ['image_id', 'member'])
