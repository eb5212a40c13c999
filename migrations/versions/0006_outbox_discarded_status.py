"""outbox: a 'discarded' status for failed mail an admin sets aside

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD = "status IN ('pending', 'sending', 'sent', 'failed')"
NEW = "status IN ('pending', 'sending', 'sent', 'failed', 'discarded')"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.create_check_constraint('status_valid', NEW)


def downgrade():
    # Discarded rows were failures set aside: they go back to failed, which the old check allows.
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'discarded'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.create_check_constraint('status_valid', OLD)
