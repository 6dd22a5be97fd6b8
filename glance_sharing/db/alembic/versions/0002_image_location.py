"""Image data: where each image's data is kept in the store.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # The glance_store URI of the data (file:///..., swift+https://...),
    # set when an upload commits. It may hold store credentials, so the
    # API never shows it.
    op.add_column('images', sa.Column('location', sa.Text))
