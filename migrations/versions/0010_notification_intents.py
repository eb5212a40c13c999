"""notification intents: what happened, recorded with the change, mailed by the worker

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 06:00:00.000000

Services record an event in the change's transaction; the outbox worker turns each pending
intent into outbox mail and deletes it (scheduler/notifications/dispatch.py).
"""
from alembic import op
import sqlalchemy as sa

import scheduler.types


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_intents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'failed', name='intentstatus', native_enum=False, length=20),
                  nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=False),
        sa.Column('created_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('failed_at', scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'failed')", name=op.f('ck_notification_intents_status_valid')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_intents')),
    )
    op.create_index('ix_notification_intents_status_id', 'notification_intents', ['status', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_notification_intents_status_id', table_name='notification_intents')
    op.drop_table('notification_intents')
