"""The caller's global request id in the membership history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # X-OpenStack-Request-ID as the caller (Nova, say) sent it, beside the
    # local request_id this service made; NULL for rows written before.
    op.add_column('image_member_history',
                  sa.Column('global_request_id', sa.String(64)))
