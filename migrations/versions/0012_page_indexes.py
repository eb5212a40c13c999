"""indexes the paged lists read: people newest first, the audit log by date, name search

Revision ID: 0012_page_indexes
Revises: 0010
Create Date: 2026-12-01 10:00:00.000000

Issue 18 item 1 ("pages that page"). The people list pages newest first, by status or for
everyone: (status, created_at, id) and (created_at, id) let it read one page of the index
instead of sorting every user. The audit log's since/until filters read audit_events by
created_at. Open seats from a date on read shifts by (starts_at, id, status), in the list's
order, and a hearing's open shifts by (hearing_id, status): without them a database without
statistics yet (fresh after a bulk load) joined every scheduled hearing to shifts and ran past
the statement timeout on /shifts at 50k hearings; an index led by status made it worse (the
planner without statistics takes status = 'open' for selective and ANDs it into every plan). On PostgreSQL the
people search (ILIKE '%text%' on name and email) uses trigram GIN indexes (extension
pg_trgm); SQLite has no such index and is left without them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_page_indexes'
down_revision = '0010'
branch_labels = None
depends_on = None

TRIGRAM_COLUMNS = ('display_name', 'email')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_users_created', ['created_at', 'id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_starts_at_id_status', ['starts_at', 'id', 'status'], unique=False)
        batch_op.create_index('ix_shifts_hearing_id_status', ['hearing_id', 'status'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for column in TRIGRAM_COLUMNS:
            op.create_index(
                f'ix_users_{column}_trgm',
                'users',
                [column],
                unique=False,
                postgresql_using='gin',
                postgresql_ops={column: 'gin_trgm_ops'},
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for column in TRIGRAM_COLUMNS:
            op.drop_index(f'ix_users_{column}_trgm', table_name='users')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_shifts_hearing_id_status')
        batch_op.drop_index('ix_shifts_starts_at_id_status')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_created_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_created')
        batch_op.drop_index('ix_users_status_created')
