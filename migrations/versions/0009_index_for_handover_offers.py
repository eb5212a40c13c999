"""partial index for seats offered for hand-over

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:15:00.000000

The open-seat lists ask, for each seat, whether a confirmed seat is offered for hand-over;
PostgreSQL answers that with a hashed scan of every signup unless the few offered rows have
an index of their own.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.create_index(
            'ix_signups_handover_offered',
            ['shift_id'],
            unique=False,
            postgresql_where=sa.text('handover_offered_at IS NOT NULL'),
            sqlite_where=sa.text('handover_offered_at IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index('ix_signups_handover_offered')
