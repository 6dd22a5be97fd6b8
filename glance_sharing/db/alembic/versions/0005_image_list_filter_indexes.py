"""Indexes for the image list's filters on name, status, update time,
size and hashes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# (name, columns): each lets ``GET /v2/images?<filter>`` find its few
# matches without reading every image. ``id=in:...`` has the primary key
# and ``created_at=<op>:...`` ix_images_created_at_id already; the
# formats, visibility and booleans match too many rows to gain from one.
INDEXES = (
    ('ix_images_name', ['name']),
    ('ix_images_status', ['status']),
    ('ix_images_updated_at_id', ['updated_at', 'id']),
    ('ix_images_size', ['size']),
    ('ix_images_checksum', ['checksum']),
    ('ix_images_os_hash_value', ['os_hash_value']),
)


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, 'images', columns)
