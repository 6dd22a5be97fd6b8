"""Indexes that read each part of the image list newest first.

The list reads a project's own images, the public (or community) images,
the images of nobody and the project's shares each through an index in
the list's default order, and stops after a page (db/images.py,
_list_parts). The new indexes replace the owner, visibility and (member,
status) indexes, whose lookups they serve as well. A share's row gets
its image's creation time, which never changes, so that the member's
index holds its shares in the images' order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (table, new index, its columns, the index it replaces)
INDEXES = (
    ('images', 'ix_images_owner_created_at_id',
     ['owner', 'created_at', 'id'], 'ix_images_owner'),
    ('images', 'ix_images_visibility_created_at_id',
     ['visibility', 'created_at', 'id'], 'ix_images_visibility'),
    ('image_members', 'ix_image_members_member_status_image',
     ['member', 'status', 'image_created_at', 'image_id'],
     'ix_image_members_member_status'),
)


def upgrade():
    with op.batch_alter_table('image_members') as batch:
        batch.add_column(sa.Column('image_created_at', sa.DateTime))
    members = sa.table('image_members', sa.column('image_id'),
                       sa.column('image_created_at'))
    images = sa.table('images', sa.column('id'), sa.column('created_at'))
    op.execute(members.update().values(
        image_created_at=sa.select(images.c.created_at).where(
            images.c.id == members.c.image_id).scalar_subquery()))
    with op.batch_alter_table('image_members') as batch:
        batch.alter_column('image_created_at', existing_type=sa.DateTime,
                           nullable=False)
    for table, name, columns, replaced in INDEXES:
        op.create_index(name, table, columns)
        op.drop_index(replaced, table_name=table)
