"""Membership history: the status before each change, and indexes for the
operators' history and purge commands.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('image_member_history',
                  sa.Column('old_status', sa.String(20)))
    # A delete row's status is the status the membership had, so its old
    # status is known; for older update rows it stays unknown (NULL).
    op.execute("UPDATE image_member_history SET old_status = status "
               "WHERE action = 'delete'")
    # "members history --project": the project as member or as actor.
    op.create_index('ix_image_member_history_member',
                    'image_member_history', ['member'])
    op.create_index('ix_image_member_history_project_id',
                    'image_member_history', ['project_id'])
    # "db purge": the oldest rows first, without a full scan.
    op.create_index('ix_image_member_history_created_at',
                    'image_member_history', ['created_at'])
